"""The quarterly cycle in the dashboard: carry over (after a preview), close, reopen and review a
period. The App inherits these; every store call runs in one of its workers, and what the
cycle does is goaltui.cycle's, the same code as `goaltui carry-over`, `close` and `reopen`.

Like app.py, this module imports only Textual and light goaltui modules at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App

from goaltui.i18n import _, ngettext
from goaltui.textsafe import safe_plain

if TYPE_CHECKING:
    from goaltui.cycle import CarryPlan, CloseResult, CycleState, ReviewData
    from goaltui.metrics.scorecard import Scorecard
    from goaltui.store.dataset import Dataset
    from goaltui.store.engine import Store


@dataclass(frozen=True)
class CyclePeriods:
    """The periods the palette offers for each step of the cycle, proposed one first."""

    carry: list[tuple[str, str]]
    """(FROM, TO) pairs: FROM the current period (then the previous one), TO the periods after."""
    close: list[str]
    """Periods of the current or previous quarter that have objectives and are open."""
    reopen: list[str]
    """Closed periods."""
    review: list[str]
    """Every period with objectives that has started by as-of, newest first."""


CARRY_TARGETS = 2
"""How many later periods a carry-over from one period offers as its TO."""


def cycle_periods(dataset: Dataset, closed: set[str], as_of: date) -> CyclePeriods:
    """The cycle's palette periods for `dataset` as of `as_of`, `closed` being the labels of
    closed periods."""
    from goaltui.model.enums import PeriodUnit
    from goaltui.model.period import Period

    periods = []
    for label in sorted(set(dataset.objectives["period"].drop_nulls().to_list())):
        try:
            period = Period.parse(label)
        except ValueError:
            continue
        if period.unit is not PeriodUnit.MONTH and period.start <= as_of:
            periods.append(period)
    # Newest end first; a quarter before the year that ends with it.
    periods.sort(key=lambda p: (-p.end.toordinal(), p.months))
    current = Period.containing(PeriodUnit.QUARTER, as_of)
    recent = [p for p in periods if p.end >= current.previous().start]
    carry = [
        (source.label, source.shift(step).label)
        for source in recent
        for step in range(1, CARRY_TARGETS + 1)
    ]
    return CyclePeriods(
        carry=carry,
        close=[p.label for p in recent if p.label not in closed],
        reopen=sorted(closed, reverse=True),
        review=[p.label for p in periods],
    )


class CycleActions(App[None]):
    """The cycle's requests and workers, for the dashboard App."""

    # Set by GoalApp.__init__ (declared here for the workers below).
    db: Path | str
    store: Store
    as_of: date
    dataset: Dataset | None
    scorecard: Scorecard | None
    cycle: CycleState | None
    _writes: int

    _cycle_reads = 0
    # How many reads of the grades were started; an answer to an older one is dropped.

    def reload(self, as_of: date | None = None) -> None:
        """Read the whole database again and recompute (GoalApp's)."""
        raise NotImplementedError

    def _publish(self) -> None:
        """Hand the state to every open screen (GoalApp's)."""
        raise NotImplementedError

    # Grades and closures written by another process (`goaltui close`, `goaltui grade`)

    def read_cycle_state(self) -> None:
        """Read the grades and closed periods again; the screens hear of it if they changed."""
        self._cycle_reads += 1
        self._read_cycle(self._cycle_reads)

    # Not exclusive: a read is never cancelled half-way, a stale answer is dropped instead.
    @work(thread=True, exclusive=False, exit_on_error=False, group="cycle-read")
    def _read_cycle(self, ticket: int) -> None:
        from goaltui.cycle import read_cycle_state
        from goaltui.model.errors import DatabaseError

        try:
            cycle = read_cycle_state(self.db)
        except DatabaseError:
            return  # busy or gone: the next change read tries again
        self.call_from_thread(self._cycle_read, cycle, ticket)

    def _cycle_read(self, cycle: CycleState, ticket: int) -> None:
        old = self.cycle
        if ticket != self._cycle_reads:
            return
        if (
            old is None
            or not cycle.grades.equals(old.grades)
            or not cycle.closed_periods.equals(old.closed_periods)
        ):
            self.cycle = cycle
            self._publish()

    # The palette's entries

    def cycle_commands(self, unit_id: str | None) -> list[tuple[str, str, Callable[[], None]]]:
        """(title, help, callback) of the palette's cycle entries for the current state."""
        scorecard, cycle = self.scorecard, self.cycle
        if scorecard is None:
            return []
        closed = set() if cycle is None else set(cycle.closed_periods["period"].to_list())
        periods = cycle_periods(scorecard.dataset, closed, self.as_of)
        entries: list[tuple[str, str, Callable[[], None]]] = []
        for source, target in periods.carry:
            entries.append(
                (
                    _(
                        "period: carry over unfinished objectives to {target} (from {source})"
                    ).format(target=target, source=source),
                    _(
                        "preview what continues in {target}; nothing is written until you confirm"
                    ).format(target=target),
                    partial(self.request_carry_over, source, target),
                )
            )
        for label in periods.close:
            entries.append(
                (
                    _("period: close {period} and grade it").format(period=label),
                    _("freeze every score of {period} as its grade; check-ins into it stop").format(
                        period=label
                    ),
                    partial(self.request_close, label),
                )
            )
        for label in periods.reopen:
            entries.append(
                (
                    _("period: reopen {period}").format(period=label),
                    _("take check-ins into {period} again; its grades stay").format(period=label),
                    partial(self.request_reopen, label),
                )
            )
        for label in periods.review:
            entries.append(
                (
                    _("period: review {period}").format(period=label),
                    _("grades, their distribution and the review-meeting text"),
                    partial(self.open_review, label, unit_id),
                )
            )
        return entries

    # Carry-over: a preview from the data in memory, then the write

    def request_carry_over(self, source: str, target: str) -> None:
        """Preview carrying `source`'s unfinished objectives over to `target`."""
        if self.dataset is None:
            self.notify(_("The data is still loading."), timeout=3)
            return
        self._plan_carry(self.dataset, source, target)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cycle")
    def _plan_carry(self, dataset: Dataset, source: str, target: str) -> None:
        from goaltui.cycle import plan_carry_over
        from goaltui.model.errors import GoaltuiError

        try:
            # Scores at the period's end, from every check-in (the dashboard holds its as-of's).
            dataset = self.store.load_dataset()
            plan = plan_carry_over(dataset, source, target)
        except GoaltuiError as error:
            self.call_from_thread(self._refused, _("Carry-over"), error)
            return
        self.call_from_thread(self._show_carry_plan, plan, dataset)

    def _show_carry_plan(self, plan: CarryPlan, dataset: Dataset) -> None:
        from goaltui.ui.screens.cycle import CarryOverPreview

        if plan.objectives.height == 0:
            self._nothing_to_carry(plan.source, plan.target)
            return
        korean = self.scorecard.korean if self.scorecard is not None else False

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._writes += 1
                self._carry(plan.source, plan.target, frozenset(plan.objectives["id"]))

        self.push_screen(CarryOverPreview(plan, dataset, korean=korean), confirmed)

    def _nothing_to_carry(self, source: str, target: str) -> None:
        self.notify(
            _(
                "Nothing to carry over from {source} to {target}: every objective below 1.0 "
                "is carried already."
            ).format(source=source, target=target),
            title=_("Carry-over"),
            markup=False,
        )

    @work(thread=True, exclusive=False, exit_on_error=False, group="cycle")
    def _carry(self, source: str, target: str, objectives: frozenset[str]) -> None:
        from goaltui.cycle import carry_over
        from goaltui.model.errors import GoaltuiError

        try:
            created = carry_over(self.db, source, target)
        except GoaltuiError as error:
            self.call_from_thread(self._refused, _("Carry-over"), error)
            return
        finally:
            self.call_from_thread(self._cycle_written)
        self.call_from_thread(self._carried, source, target, created, objectives)

    def _carried(
        self, source: str, target: str, created: list[str], objectives: frozenset[str]
    ) -> None:
        if not created:
            self._nothing_to_carry(source, target)
            return
        # `objectives`: the previewed ones; carry_over lists objectives first, then KRs.
        count = len(objectives.intersection(created))
        said = ngettext(
            "Carried {n} objective over from {source} to {target} with {krs} key results: {ids}",
            "Carried {n} objectives over from {source} to {target} with {krs} key results: {ids}",
            count,
        ).format(
            n=count, source=source, target=target, krs=len(created) - count, ids=", ".join(created)
        )
        self.notify(safe_plain(said), title=_("Carry-over"), timeout=10, markup=False)

    # Close and reopen, each after a question

    def request_close(self, label: str) -> None:
        """Ask, then close period `label` with frozen grades."""
        from goaltui.ui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._writes += 1
                self._close(label)

        question = _(
            "Close {period} and grade it? Every objective's and key result's score at the "
            "period's end is frozen as its grade, and check-ins dated in {period} are refused "
            "until it is reopened."
        ).format(period=label)
        self.push_screen(ConfirmScreen(question, yes=_("Close"), no=_("Cancel")), confirmed)

    @work(thread=True, exclusive=False, exit_on_error=False, group="cycle")
    def _close(self, label: str) -> None:
        from goaltui.cycle import close_period
        from goaltui.model.errors import GoaltuiError

        try:
            result = close_period(self.db, label)
        except GoaltuiError as error:
            self.call_from_thread(self._refused, _("Close"), error)
            return
        finally:
            self.call_from_thread(self._cycle_written)
        self.call_from_thread(self._period_closed, result)

    def _period_closed(self, result: CloseResult) -> None:
        said = _("Closed {period}: graded {objectives} objectives and {krs} key results.").format(
            period=result.period, objectives=result.objectives, krs=result.key_results
        )
        if result.review:
            items = "; ".join(
                f"{item.objective_id} ({item.unit_id}) {item.grade:.2f}" for item in result.review
            )
            said += "\n" + _("Committed objectives graded below 1.0, to review: {items}").format(
                items=items
            )
        self.notify(safe_plain(said, multiline=True), title=_("Close"), timeout=10, markup=False)

    def request_reopen(self, label: str) -> None:
        """Ask, then reopen period `label`."""
        from goaltui.ui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._writes += 1
                self._reopen(label)

        question = _(
            "Reopen {period}? Check-ins dated in it are taken again; its grades stay until it "
            "is closed again."
        ).format(period=label)
        self.push_screen(ConfirmScreen(question, yes=_("Reopen"), no=_("Cancel")), confirmed)

    @work(thread=True, exclusive=False, exit_on_error=False, group="cycle")
    def _reopen(self, label: str) -> None:
        from goaltui.cycle import reopen_period
        from goaltui.model.errors import GoaltuiError

        try:
            reopen_period(self.db, label)
        except GoaltuiError as error:
            self.call_from_thread(self._refused, _("Reopen"), error)
            return
        finally:
            self.call_from_thread(self._cycle_written)
        said = _("Reopened {period}: check-ins dated in it are taken again.").format(period=label)
        self.call_from_thread(self.notify, said, title=_("Reopen"), markup=False)

    def _cycle_written(self) -> None:
        self._writes -= 1
        self.reload()

    def _refused(self, title: str, error: BaseException) -> None:
        from goaltui.ui.screens.cycle import describe_cycle_error

        self.notify(
            describe_cycle_error(error), title=title, severity="error", timeout=10, markup=False
        )

    # The review of a period

    def open_review(self, label: str, unit_id: str | None = None) -> None:
        """Open the review of period `label` for `unit_id`'s subtree (None: everything)."""
        if self.dataset is None:
            self.notify(_("The data is still loading."), timeout=3)
            return
        self._review(self.dataset, label, unit_id, self.as_of)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cycle")
    def _review(self, dataset: Dataset, label: str, unit_id: str | None, as_of: date) -> None:
        from goaltui.cycle import read_cycle_state, render_review, review_data
        from goaltui.model.errors import GoaltuiError

        try:
            # Scores at the period's end, from every check-in (the dashboard holds its as-of's).
            dataset = self.store.load_dataset()
            # Grades given since the last read (`goaltui grade` in another terminal) count.
            data = review_data(dataset, read_cycle_state(self.db), label, as_of, unit=unit_id)
        except GoaltuiError as error:
            self.call_from_thread(self._refused, _("Review"), error)
            return
        names = dict(dataset.units.select("id", "name").iter_rows())
        unit_name = names.get(unit_id or "") or unit_id or _("the organisation")
        self.call_from_thread(self._show_review, data, render_review(data), unit_name)

    def _show_review(self, data: ReviewData, text: str, unit_name: str) -> None:
        from goaltui.ui.screens.cycle import ReviewScreen

        self.push_screen(ReviewScreen(data, text, unit_name=unit_name))
