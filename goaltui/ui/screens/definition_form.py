"""The definition form: one unit, KPI, objective, key result or per-period target added or
edited by keys (`n` and `E` on the dashboard). The fields are checked as they are typed with the
import's own rules, by an App worker a moment after the typing pauses, and each refusal is shown
beside its field; ctrl+s asks the App to save (one row through the import), Escape cancels and
asks first when something was typed. The form never touches the database."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

import polars as pl
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Select, Static

from goaltui.i18n import N_, _, translated
from goaltui.store.cells import SPECS
from goaltui.store.dataset import Dataset
from goaltui.textsafe import safe_plain
from goaltui.ui.authoring import DefinitionHistoryReady
from goaltui.ui.render import put_plain
from goaltui.ui.screens.confirm import dismiss_asking
from goaltui.ui.screens.definition_history import history_text

if TYPE_CHECKING:
    from goaltui.ui.app import GoalApp

Row = dict[str, str | None]
"""A definition row as cell texts by column (None: not given), as an import file gives it."""


@dataclass(frozen=True)
class FormField:
    """One field of a definition form: the column it fills, its label and a hint."""

    name: str
    label: str
    """Marked with N_, translated where shown."""
    placeholder: str = ""
    """Marked with N_, translated where shown."""


FORMS: dict[str, tuple[FormField, ...]] = {
    "units": (
        FormField("name", N_("Name")),
        FormField("id", N_("Id")),
        FormField("parent_id", N_("Parent unit"), N_("id of the unit above")),
        FormField("kind", N_("Kind")),
        FormField("login", N_("Login"), N_("optional: database login")),
    ),
    "kpis": (
        FormField("name", N_("Name")),
        FormField("id", N_("Id")),
        FormField("unit_id", N_("Unit"), N_("owning unit's id")),
        FormField("unit", N_("Measured in"), N_("KRW, count, %, days, hours, score")),
        FormField("direction", N_("Direction")),
        FormField("aggregation", N_("Aggregation")),
        FormField("period", N_("Period")),
        FormField("target_mode", N_("Target mode")),
        FormField("target", N_("Target"), N_("e.g. 1,250")),
        FormField("parent_id", N_("Cascades from"), N_("optional: KPI id of an ancestor unit")),
        FormField("category", N_("Category"), N_("optional, e.g. sales")),
        FormField("description", N_("Description"), N_("optional")),
        FormField("cadence", N_("Cadence")),
        FormField("archived", N_("Archived"), N_("YYYY-MM-DD; empty: active")),
    ),
    "objectives": (
        FormField("title", N_("Title")),
        FormField("id", N_("Id")),
        FormField("unit_id", N_("Unit"), N_("owning unit's id")),
        FormField("period", N_("Period"), N_("e.g. 2026-Q4 or 2026")),
        FormField("parent_id", N_("Aligns to"), N_("optional: objective id of an ancestor unit")),
        FormField("description", N_("Description"), N_("optional")),
        FormField("commitment", N_("Commitment")),
        FormField("archived", N_("Archived"), N_("YYYY-MM-DD; empty: active")),
    ),
    "key_results": (
        FormField("title", N_("Title")),
        FormField("id", N_("Id")),
        FormField("objective_id", N_("Objective"), N_("its objective's id")),
        FormField("baseline", N_("Baseline"), N_("optional start value")),
        FormField("target", N_("Target"), N_("e.g. 5,000")),
        FormField("weight", N_("Weight"), N_("optional, default 1")),
        FormField("unit", N_("Measured in"), N_("KRW, count, %, ...")),
        FormField("direction", N_("Direction")),
        FormField("aggregation", N_("Aggregation")),
        FormField("target_mode", N_("Target mode")),
        FormField("kpi_id", N_("Measured by KPI"), N_("optional: KPI id")),
        FormField("cadence", N_("Cadence")),
        FormField("archived", N_("Archived"), N_("YYYY-MM-DD; empty: active")),
    ),
    "targets": (
        FormField("goal_id", N_("Goal"), N_("KPI or key result id")),
        FormField("period", N_("Period"), N_("e.g. 2026-11, 2026-Q4 or 2026")),
        FormField("target", N_("Target"), N_("e.g. 1,250")),
    ),
}
"""The fields of each definition table's form, in the order shown. Which of them are choices
(Select widgets) and their values come from the import's column specifications."""

TITLES = {
    ("units", False): N_("Add a unit"),
    ("units", True): N_("Edit unit {id}"),
    ("kpis", False): N_("Add a KPI"),
    ("kpis", True): N_("Edit KPI {id}"),
    ("objectives", False): N_("Add an objective"),
    ("objectives", True): N_("Edit objective {id}"),
    ("key_results", False): N_("Add a key result"),
    ("key_results", True): N_("Edit key result {id}"),
    ("targets", False): N_("Target for one period"),
    ("targets", True): N_("Target for one period"),
}

ID_PREFIX = {"units": "unit", "kpis": "kpi", "objectives": "obj", "key_results": "kr"}
NAME_COLUMN = {"units": "name", "kpis": "name", "objectives": "title", "key_results": "title"}


def _choices(table: str) -> dict[str, tuple[str, ...]]:
    return {c.name: c.choices for c in SPECS[table] if c.kind == "choice"}


def cell_text(value: object) -> str:
    """A stored value as the text a form shows and an import reads back to the same value:
    `1250.0` -> `1250`, `0.125` -> `0.125`, None -> ``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def stored_row(dataset: Dataset, table: str, key: Mapping[str, str]) -> Row | None:
    """The stored row of `table` whose key columns equal `key` (a unit/goal by id, a target by
    goal_id and period), every column as text; None when there is none."""
    frame: pl.DataFrame = getattr(dataset, table)
    for column, value in key.items():
        frame = frame.filter(pl.col(column) == value)
    if frame.is_empty():
        return None
    row = frame.row(0, named=True)
    columns = [c.name for c in SPECS[table]]
    return {c: cell_text(row.get(c)) or None for c in columns}


def taken_ids(dataset: Dataset, table: str) -> set[str]:
    """Ids a new row of `table` may not take (KPIs and key results share one namespace)."""
    if table in ("kpis", "key_results"):
        return set(dataset.kpis["id"].to_list()) | set(dataset.key_results["id"].to_list())
    frame: pl.DataFrame = getattr(dataset, table)
    return set(frame["id"].to_list()) if "id" in frame.columns else set()


def propose_id(name: str, table: str, taken: set[str]) -> str:
    """An id for a new row named `name`: its ASCII words, lowercase, joined by `-` (`Weekly
    active users` -> `weekly-active-users`), else the table's prefix and a number (`kpi-1`); a
    number added until no row of `taken` has it."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    base = "-".join(words)[:32].strip("-")
    if not base:  # a name of no ASCII words, e.g. Hangul: kpi-1, kpi-2, ...
        base, n = ID_PREFIX.get(table, "row"), 1
        candidate = f"{base}-1"
    else:
        candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@dataclass(frozen=True)
class DefinitionOutcome:
    """What the App's save worker reports: saved, or the problems by column ("" for one of no
    single column)."""

    saved: bool
    problems: dict[str, str] = field(default_factory=dict)


def problems_by_field(problems: list[str], columns: list[str]) -> dict[str, str]:
    """`column: reason` lines (as save_definition raises them) by column; a line that names
    no column of the table goes under ""."""
    found: dict[str, str] = {}
    for line in problems:
        column, sep, reason = line.partition(": ")
        if sep and column in columns:
            found.setdefault(column, reason)
        else:
            found.setdefault("", line)
    return found


class DefinitionForm(ModalScreen[Row | None]):
    """Add or edit one definition row. Dismisses with the row as saved, or None when
    cancelled."""

    CSS_PATH = "definition_form.tcss"
    AUTO_FOCUS = ""
    # The form focuses its first field itself; an App's AUTO_FOCUS must not leak in here.
    CHECK_DELAY = 0.3
    """Seconds without typing before the fields are checked again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            N_("Save"),
            id="definition.save",
            tooltip=N_("Save this definition; the form closes once it is on disk"),
        ),
        Binding(
            "escape",
            "cancel",
            N_("Cancel"),
            id="definition.cancel",
            tooltip=N_("Close without saving; asks first when something was typed"),
        ),
        Binding(
            "ctrl+o",
            "override",
            N_("Target for a period"),
            id="definition.override",
            tooltip=N_("Set this goal's target for one period (targets.csv)"),
        ),
    ]

    @dataclass
    class CheckRequested(Message):
        """Check `row` with the import's rules: the App's worker answers with ProblemsAnswered
        (the latest `token` wins)."""

        form: DefinitionForm
        table: str
        row: Row
        token: int

    @dataclass
    class ProblemsAnswered(Message, bubble=False):
        """What the import's rules say about the row of CheckRequested `token`."""

        token: int
        problems: dict[str, str]

    @dataclass
    class SaveRequested(Message):
        """Save `row` into `table`: the App's worker writes it and answers with SaveAnswered."""

        form: DefinitionForm
        table: str
        row: Row

    @dataclass
    class SaveAnswered(Message, bubble=False):
        """The App's answer to a SaveRequested."""

        outcome: DefinitionOutcome

    @dataclass
    class OverrideRequested(Message):
        """Open the per-period target form for `goal_id` over this form."""

        goal_id: str

    def __init__(
        self,
        table: str,
        row: Mapping[str, str | None],
        *,
        editing: bool,
        taken: set[str] | None = None,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        if table not in FORMS:
            raise ValueError(f"no form for {table}")
        self.table = table
        """The definition table this form writes one row of."""
        self.editing = editing
        """Whether the row exists (its id is fixed) or is being added."""
        columns = [c.name for c in SPECS[table]]
        self._base: Row = {c: row.get(c) for c in columns}
        self._fields = FORMS[table]
        self._choices = _choices(table)
        self._initial = {f.name: self._base.get(f.name) or "" for f in self._fields}
        self._taken = taken or set()
        self._id_typed = editing or bool(self._initial.get("id"))
        self._token = 0
        self._problems: dict[str, str] = {}
        self._save_attempted = False
        self._saving = False
        self._timer: Timer | None = None
        self._checking = False
        self._stale = False

    def compose(self) -> ComposeResult:
        title_key = TITLES[(self.table, self.editing)]
        with Vertical(id="definition-dialog") as dialog:
            dialog.border_title = safe_plain(
                translated(title_key).format(id=self._base.get("id") or "")
            )
            with VerticalScroll(id="definition-fields"):
                for spec in self._fields:
                    yield from self._row(spec)
                if self._has_history:
                    yield Label(_("Changes to the definition"), classes="history-title")
                    yield Static(_("Reading..."), id="definition-history")
            yield Static("", id="definition-status", markup=False)
        yield Footer()

    def _row(self, spec: FormField) -> ComposeResult:
        name = spec.name
        with Horizontal(classes="field-row", id=f"{name}-row"):
            yield Label(translated(spec.label), classes="field-label")
            value = self._initial[name]
            if name in self._choices:
                options = [(Text(choice), choice) for choice in self._choices[name]]
                yield Select(
                    options,
                    prompt=_("(not given)"),
                    value=value if value in self._choices[name] else Select.NULL,
                    id=name,
                    compact=True,
                )
            else:
                fixed = (self.editing and name in ("id", "goal_id")) or (
                    self.table == "targets" and self.editing and name == "period"
                )
                yield Input(
                    value,
                    id=name,
                    compact=True,
                    placeholder=translated(spec.placeholder) if spec.placeholder else "",
                    disabled=fixed,
                    validate_on=(),  # the form shows what the rule book refuses
                )
            yield Static("", id=f"{name}-reason", classes="field-reason", markup=False)

    @property
    def _has_history(self) -> bool:
        # Every stored unit and goal has a history; a target's comes with its goal's.
        return self.editing and self.table != "targets" and bool(self._base.get("id"))

    def on_mount(self) -> None:
        if self._has_history:
            app = cast("GoalApp", self.app)
            app.request_table_history(self, self.table, str(self._base["id"]))
        self.focus_first_field()
        self._request_check()

    def focus_first_field(self) -> None:
        """Put the cursor in the first field that can be changed, now."""
        for spec in self._fields:
            widget = self.query_one(f"#{spec.name}")
            if not widget.disabled:
                self.set_focus(widget)
                return

    # Reading the fields

    @property
    def texts(self) -> dict[str, str]:
        """Every field's text (a choice's value; `` for none)."""
        found: dict[str, str] = {}
        for spec in self._fields:
            widget = self.query_one(f"#{spec.name}")
            if isinstance(widget, Select):
                value = widget.value
                found[spec.name] = value if isinstance(value, str) else ""
            elif isinstance(widget, Input):
                found[spec.name] = widget.value
        return found

    @property
    def row(self) -> Row:
        """The row the fields describe: the stored row (columns the form does not show kept)
        with each field's text, empty ones not given."""
        row = dict(self._base)
        for name, text in self.texts.items():
            row[name] = text.strip() or None
        return row

    @property
    def is_dirty(self) -> bool:
        """Whether anything was changed since the form opened."""
        return self.texts != self._initial

    @property
    def problems(self) -> dict[str, str]:
        """The latest verdict of the import's rules, by column ("" or `row`: of no one field)."""
        return dict(self._problems)

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        widget_id = event.control.id
        if widget_id == "id" and isinstance(event, Input.Changed) and event.input.has_focus:
            self._id_typed = bool(event.value.strip())
        name_column = NAME_COLUMN.get(self.table)
        if name_column is not None and widget_id == name_column and not self._id_typed:
            proposed = propose_id(self.texts[name_column], self.table, self._taken)
            id_input = self.query_one("#id", Input)
            if id_input.value != proposed:
                id_input.value = proposed
        self._schedule_check()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _schedule_check(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.CHECK_DELAY > 0:
            self._timer = self.set_timer(self.CHECK_DELAY, self._request_check)
        else:
            self.call_later(self._request_check)

    def _request_check(self) -> None:
        self._timer = None
        if self._checking:
            # One check at a time: keys typed meanwhile are checked together once it answers.
            self._stale = True
            return
        self._checking = True
        self._token += 1
        self.post_message(self.CheckRequested(self, self.table, self.row, self._token))

    def on_definition_form_problems_answered(self, message: ProblemsAnswered) -> None:
        if message.token != self._token:
            return
        self._checking = False
        if self._stale:
            self._stale = False
            self._request_check()
        else:
            self._show_problems(message.problems)

    def _show_problems(self, problems: dict[str, str]) -> None:
        self._problems = dict(problems)
        texts = self.texts
        shown_names = {spec.name for spec in self._fields}
        for spec in self._fields:
            name = spec.name
            # A field the person has not touched yet is not scolded until they try to save.
            shown = self._save_attempted or texts[name] != self._initial[name] or self.editing
            reason = problems.get(name, "") if shown else ""
            put_plain(self, f"#{name}-reason", reason)
            self.query_one(f"#{name}").set_class(bool(reason), "-refused")
        general = [
            reason if column in ("", "row") else f"{column}: {reason}"
            for column, reason in problems.items()
            if column not in shown_names
        ]
        if self._saving:
            return
        if general:
            self.show_status("; ".join(general), error=True)
        elif self._save_attempted and problems:
            self.show_status(_("Not saved: fix the fields marked"), error=True)
        else:
            self.show_status("")

    def on_definition_history_ready(self, message: DefinitionHistoryReady) -> None:
        if self._has_history and message.row_id == self._base.get("id"):
            self.query_one("#definition-history", Static).update(history_text(message.changes))

    def show_status(self, text: str, *, error: bool = False) -> None:
        """Put `text` on the status line under the fields."""
        put_plain(self, "#definition-status", text, error=error)

    # Saving and cancelling

    def action_save(self) -> None:
        """Ask the App to save the row; it answers with SaveAnswered."""
        if self._saving:
            return
        self._save_attempted = True
        self._saving = True
        self.show_status(_("Saving..."))
        self.post_message(self.SaveRequested(self, self.table, self.row))

    def on_definition_form_save_answered(self, message: SaveAnswered) -> None:
        self._saving = False
        outcome = message.outcome
        if outcome.saved:
            self.dismiss(self.row)
            return
        self._show_problems(outcome.problems)
        first = next((s.name for s in self._fields if s.name in outcome.problems), None)
        if first is not None:
            widget = self.query_one(f"#{first}")
            if not widget.disabled:
                widget.focus()
        if not any(s.name in outcome.problems for s in self._fields) or not outcome.problems:
            general = "; ".join(outcome.problems.values()) or _("refused")
            self.show_status(_("Not saved: {reason}").format(reason=general), error=True)

    def action_cancel(self) -> None:
        """Close without saving; ask first when something was changed."""
        if self._saving:
            self.show_status(_("Saving... the form closes when it is on disk"))
            return
        dismiss_asking(self, typed=self.is_dirty)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "override":
            return self.table in ("kpis", "key_results")
        return True

    def action_override(self) -> None:
        """Open the per-period target form for this goal."""
        goal_id = self.texts.get("id", "").strip()
        if goal_id:
            self.post_message(self.OverrideRequested(goal_id))


def new_row(table: str, **given: str | None) -> Row:
    """An empty row of `table` with the defaults a person most often wants, then `given`."""
    defaults: dict[str, dict[str, str]] = {
        "units": {"kind": "team"},
        "kpis": {
            "direction": "at_least",
            "aggregation": "sum",
            "period": "month",
            "target_mode": "absolute",
            "cadence": "monthly",
        },
        "objectives": {"commitment": "aspirational"},
        "key_results": {"target_mode": "absolute", "weight": "1"},
    }
    row: Row = {c.name: None for c in SPECS[table]}
    row.update(defaults.get(table, {}))
    row.update(given)
    return row


def row_from(values: Mapping[str, Any]) -> Row:
    """A row of plain values (e.g. a frame row) as cell texts."""
    return {k: cell_text(v) or None for k, v in values.items()}
