"""The App's side of authoring: opening the definition form for `n` and `E`, checking its rows
with the import's rules and saving them in workers, archiving a goal, and reading a goal's
history of definitions for the goal detail. GoalApp takes these methods in; every store call
runs in a worker, and the forms only post requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from goaltui.i18n import _
from goaltui.model.errors import GoaltuiError
from goaltui.store.engine import open_store
from goaltui.textsafe import safe_plain

if TYPE_CHECKING:
    from textual.app import App

    from goaltui.metrics.scorecard import Scorecard
    from goaltui.store.authoring import DefinitionChange
    from goaltui.store.dataset import Dataset
    from goaltui.ui.screens.definition_form import DefinitionForm, DefinitionOutcome, Row

    _Base = App[None]
else:
    _Base = object

GOAL_TABLES = {"kpi": "kpis", "kr": "key_results", "objective": "objectives", "unit": "units"}
"""The definition table of each kind of thing the dashboard highlights."""


@dataclass
class DefinitionHistoryReady(Message, bubble=False):
    """The history of one definition, newest first, read for the goal detail."""

    row_id: str
    changes: list[DefinitionChange]


def save_definition_outcome(db: Path | str, table: str, row: Row) -> DefinitionOutcome:
    """Save one definition row into `db` and say how it went. For a worker: it opens the
    database. Refusals a person can act on come back as problems by column."""
    from goaltui.model import GoaltuiError, ValidationError
    from goaltui.store.cells import SPECS
    from goaltui.ui.screens.checkin import describe_error
    from goaltui.ui.screens.definition_form import DefinitionOutcome, problems_by_field

    try:
        open_store(db).save_definition(table, row)
    except ValidationError as error:
        columns = [c.name for c in SPECS[table]]
        return DefinitionOutcome(False, problems_by_field(error.problems, columns))
    except (GoaltuiError, OSError) as error:
        return DefinitionOutcome(False, {"": describe_error(error)})
    return DefinitionOutcome(True)


def current_period(period_unit: str, as_of: date) -> str:
    """The label of the `period_unit` (month, quarter, year) period containing `as_of`."""
    from goaltui.model import Period, PeriodUnit

    return Period.containing(PeriodUnit(period_unit), as_of).label


class Authoring(_Base):
    """Authoring for the dashboard App (mixed into GoalApp)."""

    db: Path | str
    as_of: date
    today: date
    dataset: Dataset | None
    scorecard: Scorecard | None
    _writes: int

    # Opening the form

    async def open_definition(self, table: str, row: Row, *, editing: bool) -> None:
        """Open the form for `row` of `table` (an existing row when `editing`). Called from a
        key binding: once it returns the form is mounted and its first field focused."""
        from goaltui.ui.screens.definition_form import DefinitionForm, taken_ids

        if self.dataset is None:
            self.notify(_("The data is still loading."), timeout=3)
            return
        form = DefinitionForm(
            table,
            row,
            editing=editing,
            taken=taken_ids(self.dataset, table) if not editing else None,
        )
        await self.push_screen(form, self._definition_saved)
        form.focus_first_field()

    async def add_definition(self, kind: str, **given: str | None) -> None:
        """Open the form for a new unit, KPI, objective or key result with `given` cells."""
        from goaltui.ui.screens.definition_form import new_row

        await self.open_definition(
            GOAL_TABLES[kind], new_row(GOAL_TABLES[kind], **given), editing=False
        )

    def stored(self, kind: str, row_id: str) -> Row | None:
        """The stored definition of a unit or goal (archived ones too), as cell texts."""
        from goaltui.ui.screens.definition_form import stored_row

        if self.dataset is None:
            return None
        return stored_row(self.dataset, GOAL_TABLES[kind], {"id": row_id})

    async def edit_definition(self, kind: str, row_id: str) -> None:
        """Open the form on the stored definition of a unit or goal."""
        row = self.stored(kind, row_id)
        if row is None:
            self.notify(safe_plain(_("No definition of {id}.").format(id=row_id)), markup=False)
            return
        await self.open_definition(GOAL_TABLES[kind], row, editing=True)

    def _definition_saved(self, row: Row | None) -> None:
        if row is None:
            return
        name = row.get("name") or row.get("title") or row.get("id") or row.get("goal_id") or ""
        said = _("Saved: {name}").format(name=name)
        self.notify(safe_plain(said), title=_("Definition"), markup=False)

    # Checking and saving

    def on_definition_form_check_requested(self, message: DefinitionForm.CheckRequested) -> None:
        self._check_definition(
            message.form, message.table, message.row, message.token, self.dataset
        )

    @work(thread=True, exclusive=False, exit_on_error=False, group="check")
    def _check_definition(
        self, form: DefinitionForm, table: str, row: Row, token: int, dataset: Dataset | None
    ) -> None:
        from goaltui.store.importer import definition_problems

        # Not exclusive: a form over another (a period's target over its KPI) checks too, and
        # each form keeps one check in flight at a time.
        problems = definition_problems(table, row, dataset)
        if not get_current_worker().is_cancelled:
            form.post_message(form.ProblemsAnswered(token, problems))

    def on_definition_form_save_requested(self, message: DefinitionForm.SaveRequested) -> None:
        self._writes += 1
        self._save_definition(message.form, message.table, dict(message.row))

    def on_definition_form_override_requested(
        self, message: DefinitionForm.OverrideRequested
    ) -> None:
        self.call_later(self.open_override, message.goal_id)

    async def open_override(self, goal_id: str) -> None:
        """Open the per-period target form for `goal_id`, on its current period (an override
        stored for it is shown to edit)."""
        import polars as pl

        from goaltui.ui.screens.definition_form import new_row, stored_row

        scorecard, dataset = self.scorecard, self.dataset
        if scorecard is None or dataset is None:
            return
        goal = scorecard.catalog.filter(pl.col("goal_id") == goal_id)
        period = current_period(str(goal["period_unit"][0]), self.as_of) if goal.height else None
        stored = (
            stored_row(dataset, "targets", {"goal_id": goal_id, "period": period})
            if period
            else None
        )
        row = stored or new_row("targets", goal_id=goal_id, period=period)
        await self.open_definition("targets", row, editing=stored is not None)

    @work(thread=True, exclusive=False, exit_on_error=False, group="write")
    def _save_definition(
        self, form: DefinitionForm | None, table: str, row: Row, said: str | None = None
    ) -> None:
        from goaltui.ui.screens.definition_form import DefinitionOutcome

        try:
            outcome = save_definition_outcome(self.db, table, row)
        except GoaltuiError as error:
            outcome = DefinitionOutcome(False, {"": str(error)})
        except Exception as error:  # the form must hear back whatever happened
            outcome = DefinitionOutcome(False, {"": f"{type(error).__name__}: {error}"})
        self.call_from_thread(self._definition_written, outcome, said)
        if form is not None:
            form.post_message(form.SaveAnswered(outcome))

    def _definition_written(self, outcome: DefinitionOutcome, said: str | None) -> None:
        # `said`: what to tell once saved, for a save without a form (an archive).
        self._writes -= 1
        if outcome.saved:
            self.reload()  # type: ignore[attr-defined]
            if said is not None:
                self.notify(safe_plain(said), markup=False)
        elif said is not None:
            reason = "; ".join(outcome.problems.values())
            self.notify(safe_plain(reason), title=_("Not saved"), severity="error", markup=False)

    # Archiving

    def archive(self, kind: str, row_id: str) -> None:
        """Ask, then archive a goal: it leaves the dashboard and stays in history and export."""
        from goaltui.ui.screens.confirm import ConfirmScreen

        row = self.stored(kind, row_id)
        if row is None or kind not in ("kpi", "kr", "objective"):
            return
        name = row.get("name") or row.get("title") or row_id
        question = _(
            "Archive {name}? It leaves the dashboard; its check-ins and history stay, and "
            "ctrl+p unarchive brings it back."
        ).format(name=name)

        def answered(yes: bool | None) -> None:
            if yes:
                self._writes += 1
                self._save_definition(
                    None,
                    GOAL_TABLES[kind],
                    {**row, "archived": self.today.isoformat()},
                    _("Archived: {name}").format(name=name),
                )

        self.push_screen(ConfirmScreen(question, yes=_("Archive"), no=_("Keep")), answered)

    def archived_goals(self) -> list[tuple[str, str, str]]:
        """Archived goals as (kind, id, name), for the palette."""
        if self.dataset is None:
            return []
        found: list[tuple[str, str, str]] = []
        for kind, name_column in (("kpi", "name"), ("objective", "title"), ("kr", "title")):
            frame: Any = getattr(self.dataset, GOAL_TABLES[kind])
            rows = frame.filter(frame["archived"].is_not_null())
            found += [(kind, i, n) for i, n in rows.select("id", name_column).iter_rows()]
        return found

    # History of definitions, for the goal detail

    def request_definition_history(self, screen: Any, kind: str, row_id: str) -> None:
        """Read the history of a definition in a worker and post it to `screen`."""
        self._read_definition_history(screen, GOAL_TABLES[kind], row_id)

    def request_table_history(self, screen: Any, table: str, row_id: str) -> None:
        """Read the history of one row of `table` (a unit, KPI, objective or key result) in a
        worker and post it to `screen`, for the definition form."""
        self._read_definition_history(screen, table, row_id)

    @work(thread=True, exclusive=False, exit_on_error=False, group="history")
    def _read_definition_history(self, screen: Any, table: str, row_id: str) -> None:
        changes = open_store(self.db).definition_changes(table, row_id)
        screen.post_message(DefinitionHistoryReady(row_id, changes))
