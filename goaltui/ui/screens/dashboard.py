"""The dashboard: organisation tree, KPI / OKR / Quality panes and the children's roll-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

import polars as pl
from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Input,
    Label,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    Tree,
)

from goaltui.i18n import N_, _
from goaltui.metrics.scorecard import Scorecard
from goaltui.model.enums import PeriodUnit
from goaltui.model.period import Period, shift_months
from goaltui.model.types import Checkin
from goaltui.textsafe import safe_plain
from goaltui.ui.hints import data_span, latest_with_data, pane_with_goals, where_the_data_is
from goaltui.ui.keys import key_of
from goaltui.ui.messages import ActivityChanged, StateChanged
from goaltui.ui.render import palette
from goaltui.ui.widgets.children_table import ChildrenTable
from goaltui.ui.widgets.due_table import DueTable
from goaltui.ui.widgets.footer import GoalFooter
from goaltui.ui.widgets.header import DashboardHeader
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.okr_tree import GoalRef, OkrTree, describe_node
from goaltui.ui.widgets.org_tree import OrgTree
from goaltui.ui.widgets.quality_table import QualityTable, explain_finding, finding_periods

if TYPE_CHECKING:
    from goaltui.cycle import CycleState
    from goaltui.ui.app import GoalApp


PANE_FOCUS = {"kpis": "#kpi-table", "okrs": "#okr-tree", "due": "#due-table"}
"""The widget of each pane that takes the keys when the pane is chosen. (The Quality table lays
its columns out when its findings arrive; focusing it before then cut them, so it is left out
until that table lays itself out again on resize.)"""


class DashboardScreen(Screen[None]):
    """Drill from the organisation to a team to one person's goals and back."""

    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#kpi-table"
    HELP = N_(
        "{enter} drills into a unit or opens a goal; {up} goes up. {period-previous} and "
        "{period-next} move the as-of date by a month. {checkin} checks in the highlighted "
        "goal, {checkin-round} walks the goals that owe a check-in, then every goal without "
        "one this period. {tab-due} shows who owes a check-in. {filter} filters the KPIs. "
        "{command_palette} jumps anywhere (go: / goal: / period:). {add} adds a goal or unit "
        "where the cursor is, {edit} edits the highlighted one's definition, {archive} "
        "archives a goal. {review} reviews the quarter."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("backspace", "up", N_("Up"), id="up", tooltip=N_("Go up to the parent unit")),
        Binding(
            "left_square_bracket",
            "period(-1)",
            N_("Prev period"),
            id="period-previous",
            tooltip=N_("Move the as-of date back one month"),
        ),
        Binding(
            "right_square_bracket",
            "period(1)",
            N_("Next period"),
            id="period-next",
            tooltip=N_("Move the as-of date forward one month"),
        ),
        # A priority binding runs in the App's own turn, before the next key is handled: the
        # form is open and focused by then, so nothing typed after `c` goes astray.
        Binding(
            "c",
            "checkin",
            N_("Check in"),
            id="checkin",
            priority=True,
            tooltip=N_("Check in the highlighted goal"),
        ),
        Binding(
            "C",
            "checkin_round",
            N_("Round"),
            id="checkin-round",
            tooltip=N_("Check in every goal without a check-in this period"),
        ),
        Binding(
            "R",
            "review",
            N_("Review"),
            id="review",
            show=False,
            tooltip=N_("Review the current quarter: grades, their distribution, the meeting text"),
        ),
        Binding(
            "slash", "filter", N_("Filter"), id="filter", tooltip=N_("Filter the KPIs by text")
        ),
        Binding("1", "tab('kpis')", N_("KPIs"), id="tab-kpis", show=False, tooltip=N_("KPI pane")),
        Binding("2", "tab('okrs')", N_("OKRs"), id="tab-okrs", show=False, tooltip=N_("OKR pane")),
        Binding(
            "3",
            "tab('quality')",
            N_("Quality"),
            id="tab-quality",
            show=False,
            tooltip=N_("Quality pane"),
        ),
        Binding(
            "4",
            "tab('due')",
            N_("Due"),
            id="tab-due",
            show=False,
            tooltip=N_("Who owes a check-in"),
        ),
        # Authoring: priority, like `c`, so the form is open before the next key is handled.
        Binding(
            "n",
            "add",
            N_("Add"),
            id="add",
            priority=True,
            show=False,
            tooltip=N_("Add a goal or unit here"),
        ),
        Binding(
            "E",
            "edit",
            N_("Edit"),
            id="edit",
            priority=True,
            show=False,
            tooltip=N_("Edit the highlighted goal's or unit's definition"),
        ),
        Binding(
            "A",
            "archive",
            N_("Archive"),
            id="archive",
            show=False,
            tooltip=N_("Archive the highlighted goal"),
        ),
        Binding(
            "escape",
            "clear_filter",
            N_("Clear filter"),
            id="clear-filter",
            show=False,
            tooltip=N_("Clear and hide the KPI filter"),
        ),
    ]

    @dataclass
    class Recompute(Message):
        """The person asks for another as-of date: the app recomputes the scorecard."""

        as_of: date

    @dataclass
    class RoundRequested(Message):
        """Walk every goal of `unit_id`'s subtree without a check-in this period."""

        unit_id: str

    unit_id: reactive[str | None] = reactive(None, init=False)
    """The current unit: the panes show its goals, the children table its children."""
    as_of: reactive[date] = reactive(date(2000, 1, 1), init=False)
    """The app's as-of date, as last received."""
    scorecard: reactive[Scorecard | None] = reactive(None, init=False, always_update=True)
    """The app's figures, as last received (replaced whole, never changed here)."""
    findings: reactive[pl.DataFrame | None] = reactive(None, init=False, always_update=True)
    """The app's goal-quality findings, as last received; None while they are computed."""
    filter_text: reactive[str] = reactive("", init=False)
    """Text the KPI rows must contain."""
    cycle: reactive[CycleState | None] = reactive(None, init=False, always_update=True)
    """The app's grades and closed periods, as last received."""

    def __init__(
        self, *, as_of: date, today: date, demo: bool, db: Path, notice: str | None = None
    ) -> None:
        super().__init__()
        self._notice = notice
        self.set_reactive(DashboardScreen.as_of, as_of)
        self._today = today
        self._demo = demo
        self._db = db
        self._findings_shown: tuple[pl.DataFrame | None, str] | None = None
        self._due_shown: tuple[pl.DataFrame, str] | None = None
        self._opened = False
        self._pending_goal: tuple[str, str, str, date] | None = None
        self._said_for: date | None = as_of

    def compose(self) -> ComposeResult:
        header = DashboardHeader(id="header")
        header.as_of = self.as_of
        header.demo = self._demo
        yield header
        with Horizontal(id="body"):
            yield OrgTree(id="org-tree")
            with Vertical(id="main"):
                with TabbedContent(initial="kpis", id="tabs"):
                    with TabPane(_("KPIs"), id="kpis"):
                        yield Input(placeholder=_("filter KPIs (Escape clears)"), id="kpi-filter")
                        yield KpiTable(id="kpi-table")
                        yield Static(id="kpi-empty")
                    with TabPane(_("OKRs"), id="okrs"):
                        yield OkrTree(id="okr-tree")
                        yield Static(id="okr-detail")
                    with TabPane(_("Quality"), id="quality"):
                        yield QualityTable(id="quality-table")
                        yield Static(id="finding")
                    with TabPane(_("Due"), id="due"):
                        yield DueTable(id="due-table")
                yield Label(_("Units below"), id="children-title")
                yield ChildrenTable(id="children")
        yield GoalFooter()

    def on_mount(self) -> None:
        self.query_one("#kpi-filter").display = False
        self.query_one("#kpi-empty").display = False
        self.query_one("#main").loading = True
        if self._notice:
            notice = safe_plain(self._notice, multiline=True)
            title = _("Demo") if self._demo else "goaltui"
            self.notify(notice, title=title, timeout=10, markup=False)
        elif self._demo:
            self.notify(
                safe_plain(
                    _(
                        "This is the demo organisation, in its own database ({db}). "
                        "Check-ins you make here are kept."
                    ).format(db=self._db)
                ),
                title=_("Demo"),
                timeout=8,
                markup=False,
            )

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")

    def loading_failed(self, reason: str) -> None:
        """Stop the loading indicator after a failed load (the app has shown the error)."""
        self.query_one("#main").loading = False

    # State changes: the app owns the state and sends it here whole.

    def on_activity_changed(self, message: ActivityChanged) -> None:
        self.query_one(DashboardHeader).activity = message.activity

    def on_state_changed(self, message: StateChanged) -> None:
        if message.as_of != self.as_of:
            self.as_of = message.as_of
        if message.scorecard is not self.scorecard:
            self.scorecard = message.scorecard
            if self._opened and message.scorecard.as_of != self._said_for:
                # Figures for another as-of date: say so when it has no data.
                self._said_for = message.scorecard.as_of
                self._say_where_the_data_is()
        if message.findings is not self.findings:
            self.findings = message.findings
        if message.cycle is not self.cycle:
            self.cycle = message.cycle

    def watch_scorecard(self, scorecard: Scorecard | None) -> None:
        if scorecard is None:
            return
        self.query_one("#main").loading = False
        units = scorecard.dataset.units
        if self.unit_id is None or self.unit_id not in units["id"].to_list():
            roots = units.filter(pl.col("parent_id").is_null())["id"].to_list()
            self.set_reactive(DashboardScreen.unit_id, roots[0] if roots else None)
        self.query_one(OrgTree).show(scorecard, self.unit_id or "")
        self._show_unit()
        pending = self._pending_goal
        if pending is not None and scorecard.as_of == pending[3]:
            self._pending_goal = None
            self.focus_goal(pending[0], unit_id=pending[1], kind=pending[2])
        if not self._opened and self.unit_id is not None and self._may_open(scorecard):
            # The first view: the pane that has goals (an organisation with only OKRs opens on
            # its OKRs), with the keys in that pane's list.
            self._opened = True
            self.action_tab(pane_with_goals(scorecard, self.unit_id))
            if not self._pane_has_rows():
                # Nothing of its own here: the units below take the keys, Enter goes there.
                children = self.query_one(ChildrenTable)
                (
                    children if children.display and children.row_count else self.query_one(OrgTree)
                ).focus()
            self._say_where_the_data_is()

    def _pane_has_rows(self) -> bool:
        tabs = self.query_one(TabbedContent)
        if tabs.active == "okrs":
            return bool(self.query_one(OkrTree).root.children) and any(
                node.data is not None for node in self.query_one(OkrTree).root.children
            )
        if tabs.active == "kpis":
            return bool(self.query_one(KpiTable).row_count)
        return True

    def _say_where_the_data_is(self) -> None:
        if self.scorecard is not None:
            hint = where_the_data_is(self.scorecard)
            if hint is not None and data_span(self.scorecard) is not None:
                self.notify(hint, title=_("No data"), timeout=8, markup=False)

    def watch_unit_id(self) -> None:
        if self.scorecard is not None and self.unit_id is not None:
            self.query_one(OrgTree).select_unit(self.unit_id)
        self._show_unit()

    def watch_as_of(self, as_of: date) -> None:
        self.query_one(DashboardHeader).as_of = as_of

    def watch_filter_text(self) -> None:
        self._show_kpis()

    def _show_unit(self) -> None:
        scorecard, unit_id = self.scorecard, self.unit_id
        if scorecard is None or unit_id is None:
            return
        names = scorecard.unit_names
        self.query_one(DashboardHeader).breadcrumb = tuple(
            names.get(u, u) for u in scorecard.path(unit_id)
        )
        self._show_kpis()
        self._show_okr_detail(
            self.query_one(OkrTree).show(scorecard, unit_id, grades=self._grades())
        )
        self.query_one(ChildrenTable).show(scorecard, unit_id)
        self.query_one("#children-title").display = self.query_one(ChildrenTable).display
        self._show_due()
        self._show_findings()

    def watch_findings(self) -> None:
        self._show_findings()

    def watch_cycle(self) -> None:
        if self.scorecard is not None and self.unit_id is not None:
            tree = self.query_one(OkrTree)
            self._show_okr_detail(tree.show(self.scorecard, self.unit_id, grades=self._grades()))

    def _grades(self) -> pl.DataFrame | None:
        return None if self.cycle is None else self.cycle.grades

    def _show_due(self) -> None:
        scorecard, unit_id = self.scorecard, self.unit_id
        if scorecard is None or unit_id is None:
            return
        # At the top of a large organisation thousands of goals owe a check-in: the list is
        # drawn only while its pane is open, and again only when the list or the unit changed.
        if self.query_one(TabbedContent).active != "due":
            self._due_shown = None
            return
        shown = self._due_shown
        if shown is not None and shown[0] is scorecard.due and shown[1] == unit_id:
            return
        self._due_shown = (scorecard.due, unit_id)
        self.query_one(DueTable).show(scorecard, unit_id)

    def _show_findings(self) -> None:
        scorecard, unit_id, findings = self.scorecard, self.unit_id, self.findings
        if scorecard is None or unit_id is None:
            return
        # The findings table is large at the top of a big organisation: draw it only while its
        # pane is open, and only when the findings or the unit changed.
        if self.query_one(TabbedContent).active != "quality":
            self._findings_shown = None
            return
        shown = self._findings_shown
        if shown is not None and shown[0] is findings and shown[1] == unit_id:
            return
        self._findings_shown = (findings, unit_id)
        table = self.query_one(QualityTable)
        if findings is None:
            table.waiting()
            return
        subtree = scorecard.subtree(unit_id)
        table.show(
            findings.filter(pl.col("unit_id").is_in(subtree.implode())),
            scorecard.subject_names,
            finding_periods(scorecard.dataset, scorecard.as_of),
        )

    def _show_kpis(self, keep: str | None = None) -> None:
        scorecard, unit_id = self.scorecard, self.unit_id
        if scorecard is None or unit_id is None:
            return
        goals = scorecard.goals.filter((pl.col("kind") == "kpi") & (pl.col("unit_id") == unit_id))
        if self.filter_text:
            needle = self.filter_text.casefold()
            goals = goals.filter(
                pl.concat_str("name", "goal_id", "status", separator=" ", ignore_nulls=True)
                .str.to_lowercase()
                .str.contains(needle, literal=True)
            )
        self.query_one(KpiTable).show(
            goals, korean=scorecard.korean, keep=keep, due=scorecard.due_ids
        )
        empty = self.query_one("#kpi-empty", Static)
        empty.display = goals.is_empty()
        if goals.is_empty():
            empty.update(self._kpi_hint(scorecard, unit_id))

    def _may_open(self, scorecard: Scorecard) -> bool:
        # A first view's scorecard holds the opening unit's own goals only: enough to open on
        # its KPIs when it has some, not to tell whether the units below have objectives.
        if not scorecard.opening:
            return True
        own = scorecard.goals.filter(
            (pl.col("kind") == "kpi") & (pl.col("unit_id") == self.unit_id)
        )
        return own.height > 0

    def _kpi_hint(self, scorecard: Scorecard, unit_id: str) -> Text:
        """What the empty KPI pane says: why it is empty and where the goals or data are."""
        name = scorecard.unit_names.get(unit_id, unit_id)
        lines = []
        if self.filter_text:
            lines.append(_("No KPI matches the filter; Escape clears it."))
        else:
            lines.append(_("{unit} has no KPIs as of this date.").format(unit=safe_plain(name)))
            if pane_with_goals(scorecard, unit_id) == "okrs":
                key = key_of(self.app, "tab-okrs", DashboardScreen)
                lines.append(_("Its objectives are on the OKR pane ({key}).").format(key=key))
            hint = where_the_data_is(scorecard)
            if hint is not None:
                lines.append(hint)
        return Text("\n".join(lines), style="italic")

    # Navigation

    def on_org_tree_unit_chosen(self, message: OrgTree.UnitChosen) -> None:
        self.unit_id = message.unit_id

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        if isinstance(event.data_table, ChildrenTable):
            self.unit_id = key
            # Into the unit, in the pane that is open (the OKR pane stays the OKR pane).
            active = self.query_one(TabbedContent).active
            self.query_one(PANE_FOCUS.get(active, "#kpi-table")).focus()
        elif isinstance(event.data_table, KpiTable):
            self.open_goal(key)
        elif isinstance(event.data_table, DueTable) and event.data_table.goal_id is not None:
            self.open_goal(event.data_table.goal_id)

    def on_tree_node_selected(self, event: Tree.NodeSelected[tuple[str, str]]) -> None:
        data = event.node.data
        if isinstance(event.control, OkrTree) and data is not None and data[0] == "kr":
            self.open_goal(data[1])

    def on_quality_table_jump(self, message: QualityTable.Jump) -> None:
        if message.subject_kind in ("kpi", "kr", "objective"):
            self.focus_goal(message.subject_id, unit_id=message.unit_id, kind=message.subject_kind)
        else:
            self.unit_id = message.subject_id

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[tuple[str, str]]) -> None:
        if isinstance(event.control, OkrTree):
            self._show_okr_detail(event.node.data)

    def _show_okr_detail(self, node: GoalRef | None) -> None:
        """Describe the OKR tree's node `node` (its data) in full below the tree."""
        if self.scorecard is not None:
            tree = self.query_one(OkrTree)
            detail = describe_node(
                self.scorecard, node, palette(self.app), tree.dropped, grades=self._grades()
            )
            self.query_one("#okr-detail", Static).update(detail)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._show_due()
        self._show_findings()
        # However the pane was chosen (a key, the palette, a click on its tab), its own list
        # takes the keys: a focus left behind in a hidden pane would bring that pane back the
        # next time the focus is restored (after the palette, a form or the round).
        self._focus_pane()

    def _focus_pane(self) -> None:
        tabs = self.query_one(TabbedContent)
        selector = PANE_FOCUS.get(tabs.active)
        focused = self.focused
        around = focused.ancestors_with_self if focused is not None else []
        if selector is None or tabs.active_pane in around:
            return
        # The tab bar or a hidden pane: the shown pane's list. (The org tree and the children
        # table keep the focus a person gave them.)
        if focused is None or isinstance(focused, Tabs) or tabs in around:
            self.query_one(selector).focus()

    def on_screen_resume(self) -> None:
        self._focus_pane()

    def on_quality_table_explain(self, message: QualityTable.Explain) -> None:
        self.query_one("#finding", Static).update(explain_finding(message.finding))

    def focus_goal(self, goal_id: str, *, unit_id: str, kind: str) -> None:
        """Make `unit_id` current and put the cursor on the goal in its pane; a key result or
        objective of another period moves the as-of date into that period first (and says so)."""
        period = self._goal_period(goal_id, kind)
        if period is not None and not period.contains(self.as_of):
            day = min(period.end, self._today)
            if day < period.start:
                self.notify(
                    _("{period} has not begun yet: the as-of date cannot go there.").format(
                        period=period.label
                    ),
                    timeout=5,
                )
            else:
                # The cursor goes to the goal once the figures for that date are in.
                self._pending_goal = (goal_id, unit_id, kind, day)
                self.notify(
                    _("The goal is of {period}: showing it as of {date}.").format(
                        period=period.label, date=day.isoformat()
                    ),
                    title=_("Period"),
                    timeout=6,
                )
                self.post_message(self.Recompute(day))
        self.unit_id = unit_id
        self.filter_text = ""
        tabs = self.query_one(TabbedContent)
        if kind == "kpi":
            tabs.active = "kpis"
            self._show_kpis(keep=goal_id)
            self.query_one(KpiTable).focus()
        else:
            tabs.active = "okrs"
            tree = self.query_one(OkrTree)
            if self.scorecard is not None:
                self._show_okr_detail(
                    tree.show(self.scorecard, unit_id, keep=goal_id, grades=self._grades())
                )
            tree.focus()

    def _goal_period(self, goal_id: str, kind: str) -> Period | None:
        """The period of an objective or key result (None for a KPI: it has every period)."""
        if self.scorecard is None or kind not in ("kr", "objective"):
            return None
        dataset = self.scorecard.dataset
        objective_id = goal_id
        if kind == "kr":
            krs = dataset.key_results.filter(pl.col("id") == goal_id)
            if krs.is_empty():
                return None
            objective_id = krs["objective_id"][0]
        rows = dataset.objectives.filter(pl.col("id") == objective_id)
        if rows.is_empty():
            return None
        try:
            return Period.parse(rows["period"][0])
        except ValueError:
            return None

    def open_goal(self, goal_id: str) -> None:
        """Open the goal detail screen."""
        from goaltui.ui.screens.goal_detail import GoalDetailScreen

        if self.scorecard is not None:
            self.app.push_screen(GoalDetailScreen(goal_id, self.scorecard))

    def action_up(self) -> None:
        if self.scorecard is None or self.unit_id is None:
            return
        path = self.scorecard.path(self.unit_id)
        if len(path) > 1:
            self.unit_id = path[-2]

    def action_period(self, steps: int) -> None:
        limit = self._today
        moved = shift_months(self.as_of, steps)
        if moved > limit:
            if self.as_of >= limit:
                self.notify(_("This is already the latest date."), timeout=3)
                return
            moved = limit
        self.post_message(self.Recompute(moved))

    def go_to_date(self, day: date) -> None:
        """Make `day` the as-of date (no later than today)."""
        if day > self._today:
            self.notify(
                _("{date} is after today: showing today.").format(date=day.isoformat()),
                timeout=4,
            )
            day = self._today
        self.post_message(self.Recompute(day))

    def action_latest_with_data(self) -> None:
        """Move the as-of date to the last check-in."""
        day = latest_with_data(self.scorecard, self._today) if self.scorecard else None
        if day is None:
            self.notify(_("There are no check-ins yet."), timeout=4)
            return
        self.post_message(self.Recompute(day))

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        # The pane's own list takes the keys, so the arrows and `c` act on what it shows.
        if tab in PANE_FOCUS:
            self.query_one(PANE_FOCUS[tab]).focus()

    def action_filter(self) -> None:
        self.query_one(TabbedContent).active = "kpis"
        box = self.query_one("#kpi-filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "kpi-filter":
            self.filter_text = event.value.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "kpi-filter":
            self.query_one(KpiTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#kpi-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.filter_text = ""
            self.query_one(KpiTable).focus()

    # Check-ins

    def highlighted_goal(self) -> str | None:
        """The goal under the cursor of the focused pane, if any."""
        focused = self.focused
        if isinstance(focused, KpiTable):
            return focused.goal_id
        if isinstance(focused, OkrTree | DueTable):
            return focused.goal_id
        return None

    async def action_checkin(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()  # `c` typed into the filter box
        # A request to the app, made as a call: a message would arrive after the next keys.
        await cast("GoalApp", self.app).open_checkin(self.highlighted_goal())

    def action_review(self) -> None:
        """Open the review of the quarter containing the as-of date for the current unit."""
        label = Period.containing(PeriodUnit.QUARTER, self.as_of).label
        cast("GoalApp", self.app).open_review(label, self.unit_id)

    def action_checkin_round(self) -> None:
        if self.unit_id is not None:
            self.post_message(self.RoundRequested(self.unit_id))

    def after_checkin(self, checkin: Checkin) -> None:
        """Keep the cursor on the goal that was just checked in; it leaves the Due pane."""
        self._show_kpis(keep=checkin.goal_id)
        self.query_one(DueTable).drop_goal(checkin.goal_id)

    # Authoring: what `n`, `E` and `A` act on is where the cursor is.

    def _authoring_target(self) -> tuple[str, str] | None:
        """(kind, id) under the cursor of the focused pane: a unit, KPI, objective or KR."""
        focused = self.focused
        if isinstance(focused, OrgTree):
            node = focused.cursor_node
            return ("unit", node.data) if node is not None and node.data else None
        if isinstance(focused, KpiTable):
            return ("kpi", focused.goal_id) if focused.goal_id else None
        if isinstance(focused, OkrTree):
            ref = focused.cursor_node.data if focused.cursor_node is not None else None
            return ref if ref else None
        return None

    async def action_add(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()
        app = cast("GoalApp", self.app)
        target = self._authoring_target()
        if isinstance(self.focused, OrgTree):
            await app.add_definition("unit", parent_id=target[1] if target else self.unit_id)
        elif isinstance(self.focused, OkrTree):
            if target is not None and target[0] == "objective":
                await app.add_definition("kr", objective_id=target[1])
            else:
                await self.add_objective()
        elif self.unit_id is not None:
            await app.add_definition("kpi", unit_id=self.unit_id)

    async def add_objective(self) -> None:
        """Open the form for an objective of the current unit in the current quarter."""
        from goaltui.ui.authoring import current_period

        if self.unit_id is not None:
            period = current_period("quarter", self.as_of)
            await cast("GoalApp", self.app).add_definition(
                "objective", unit_id=self.unit_id, period=period
            )

    async def action_edit(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()
        target = self._authoring_target()
        if target is None:
            if self.unit_id is None:
                return
            target = ("unit", self.unit_id)
        await cast("GoalApp", self.app).edit_definition(*target)

    def action_archive(self) -> None:
        target = self._authoring_target()
        if target is None or target[0] == "unit":
            self.notify(_("Highlight a KPI, objective or key result to archive."), timeout=3)
            return
        cast("GoalApp", self.app).archive(*target)
