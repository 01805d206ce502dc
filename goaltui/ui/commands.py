"""Command palette entries: `go: <unit>`, `goal: <goal>`, `period: ...`, `pane: ...`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from goaltui.i18n import _
from goaltui.textsafe import safe_plain

if TYPE_CHECKING:  # the app imports this module before polars is loaded
    import polars as pl

    from goaltui.store.dataset import Dataset
    from goaltui.ui.screens.dashboard import DashboardScreen


def literal(title: str) -> Content:
    """A palette entry's title as content shown literally: a unit named
    `[@click=app.quit]...` is text, never markup or an action a click would run."""
    return Content(safe_plain(title))


def highlighted(matcher: Matcher, title: str) -> Content:
    """`title` shown literally with the characters the query matched highlighted
    (`Matcher.highlight` would read the title as markup)."""
    content = literal(title)
    plain = content.plain
    _, offsets = matcher.fuzzy_search.match(matcher.query, plain)
    for offset in offsets:
        if not plain[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def help_markup(help_text: str) -> str:
    """A palette entry's help as the markup the palette expects, escaped: shown literally."""
    return escape(safe_plain(help_text))


def typed_period(query: str) -> tuple[str, date] | None:
    """A period label (`2024-Q3`, `2024-11`, `2024`) or a date (`2024-11-05`) typed after
    `period:` in the palette, with the as-of date it stands for (a period: its last day);
    None when the query is not one."""
    from goaltui.model.period import Period

    text = query.strip()
    if text.casefold().startswith("period:"):
        text = text[len("period:") :].strip()
    if not text or not text[:1].isdigit():
        return None
    try:
        return text, date.fromisoformat(text)
    except ValueError:
        pass
    try:
        period = Period.parse(text)
    except ValueError:
        return None
    return period.label, period.end


class GoalCommands(Provider):
    """Jump to any unit or goal (fuzzy, any language), move in time, switch panes."""

    # A provider is made each time the palette opens; the entries last as long as the data.
    _cache: ClassVar[tuple[Dataset, pl.DataFrame] | None] = None

    def _dashboard(self) -> DashboardScreen | None:
        from goaltui.ui.screens.dashboard import DashboardScreen

        return next((s for s in self.app.screen_stack if isinstance(s, DashboardScreen)), None)

    def _entries(self, dashboard: DashboardScreen) -> pl.DataFrame:
        from goaltui.ui.palette import palette_entries

        scorecard = dashboard.scorecard
        assert scorecard is not None
        cache = GoalCommands._cache
        if cache is None or cache[0] is not scorecard.dataset:
            cache = GoalCommands._cache = (scorecard.dataset, palette_entries(scorecard))
        return cache[1]

    def _fixed(self, dashboard: DashboardScreen) -> list[tuple[str, str, Callable[[], None]]]:
        from goaltui.ui.cycle_actions import CycleActions

        period = dashboard.action_period
        tab = dashboard.action_tab
        app = self.app
        cycle = app.cycle_commands(dashboard.unit_id) if isinstance(app, CycleActions) else []
        return [
            (_("period: previous month"), _("move the as-of date back"), partial(period, -1)),
            (_("period: next month"), _("move the as-of date forward"), partial(period, 1)),
            (_("period: previous quarter"), _("three months back"), partial(period, -3)),
            (_("period: next quarter"), _("three months forward"), partial(period, 3)),
            (
                _("period: latest with data"),
                _("the as-of date of the last check-in"),
                dashboard.action_latest_with_data,
            ),
            (_("pane: KPIs"), _("show the KPI pane"), partial(tab, "kpis")),
            (_("pane: OKRs"), _("show the OKR pane"), partial(tab, "okrs")),
            (_("pane: Quality"), _("show the quality findings"), partial(tab, "quality")),
            (_("pane: Due"), _("show who owes a check-in"), partial(tab, "due")),
            *cycle,
        ]

    def _jump(self, dashboard: DashboardScreen, row: dict[str, str]) -> Callable[[], None]:
        def jump() -> None:
            while self.app.screen is not dashboard and len(self.app.screen_stack) > 1:
                self.app.pop_screen()
            if row["action"] == "unit":
                dashboard.unit_id = row["target"]
            else:
                dashboard.focus_goal(row["target"], unit_id=row["unit_id"], kind=row["kind"])

        return jump

    async def discover(self) -> Hits:
        dashboard = self._dashboard()
        if dashboard is None or dashboard.scorecard is None:
            return
        for title, help_text, callback in self._fixed(dashboard):
            yield DiscoveryHit(title, callback, help=help_text)
        from goaltui.ui.palette import MAX_HITS, unit_entries

        units = unit_entries(self._entries(dashboard)).head(MAX_HITS)
        for row in units.iter_rows(named=True):
            yield DiscoveryHit(
                literal(row["title"]),
                self._jump(dashboard, row),
                text=safe_plain(row["title"]),
                help=help_markup(row["help"]),
            )

    async def search(self, query: str) -> Hits:
        dashboard = self._dashboard()
        if dashboard is None or dashboard.scorecard is None:
            return
        matcher = self.matcher(query)
        typed = typed_period(query)
        if typed is not None:
            label, day = typed
            yield Hit(
                1.0,
                _("period: {label}").format(label=label),
                partial(dashboard.go_to_date, day),
                help=_("as of {date}").format(date=day.isoformat()),
            )
        for title, help_text, callback in self._fixed(dashboard):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        from goaltui.ui.palette import MAX_HITS, narrow

        candidates = narrow(self._entries(dashboard), query).head(MAX_HITS)
        for row in candidates.iter_rows(named=True):
            title = safe_plain(row["title"])
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, title),
                    self._jump(dashboard, row),
                    text=title,
                    help=help_markup(row["help"]),
                )
