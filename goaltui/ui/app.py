"""The goaltui dashboard app: bindings, the screen, and the workers that talk to the store.

The App owns the dashboard's state: the as-of date, the data read from the database, the
scorecard computed from it and the quality findings. Screens are views: they receive the state
in one message (StateChanged) and keep only where the person is (unit, pane, filter, cursor);
they ask for changes (another as-of date, a check-in to save) and the App's workers do them.
Every store call runs in an App worker.

This module imports only Textual and light goaltui modules: polars, DuckDB and the screens
built on them load in a worker after the first frame is on screen (`_boot`), so the dashboard
appears about as fast as any Textual app. Methods import those names where they use them; by
then the modules are loaded and the import is a dictionary lookup.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from goaltui.config import Config
from goaltui.i18n import _
from goaltui.model.types import Checkin
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.commands import GoalCommands
from goaltui.ui.messages import FindingsReady, ScorecardReady, StateChanged
from goaltui.ui.render import theme_variable_defaults

if TYPE_CHECKING:
    import polars as pl

    from goaltui.metrics.scorecard import Scorecard
    from goaltui.store.changes import Changes, Mark
    from goaltui.store.dataset import Dataset
    from goaltui.ui.screens.checkin import CheckinEditor, SaveOutcome
    from goaltui.ui.screens.dashboard import DashboardScreen
    from goaltui.ui.screens.goal_detail import GoalDetailScreen

WORKER_FAILURES = {
    "boot": "Could not start",
    "data": "Could not load the data",
    "read": "Could not read the changes",
    "write": "Could not save",
    "history": "Could not compute the history",
}
"""What a failed worker of each group means to the user (the title of its error message)."""

WATCH_INTERVAL = 1.0
"""Seconds between checks for writes by other processes."""

FINDINGS_DELAY = 2.0
"""Seconds without a new check-in before the quality findings are computed again."""


def save_checkin(db: Path, checkin: Checkin, corrects: str | None, *, today: date) -> SaveOutcome:
    """Write a form's check-in to `db` (as the correction of `corrects`, when given) and say how
    it went. For a worker: it opens the database. Failures a person can act on come back as an
    outcome; anything else raises."""
    from goaltui.model import GoaltuiError
    from goaltui.store.checkins import append_checkin, correct_checkin
    from goaltui.ui.screens.checkin import SaveOutcome, describe_error

    try:
        if corrects is not None:
            saved = correct_checkin(db, corrects, checkin, today=today)
        else:
            saved = append_checkin(db, checkin, today=today)
    except (GoaltuiError, OSError) as error:
        return SaveOutcome(None, describe_error(error))
    return SaveOutcome(saved, None)


class GoalApp(App[None]):
    """The dashboard over one goaltui database."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "goaltui"
    COMMANDS: ClassVar = App.COMMANDS | {GoalCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave goaltui"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Keys of the focused pane"),
        Binding("f1", "help", "Help", id="help-f1", show=False, tooltip="Keys of the focused pane"),
        Binding("u", "undo", "Undo", id="undo", show=False, tooltip="Undo your last check-in"),
    ]

    def __init__(
        self,
        *,
        db: Path,
        as_of: date,
        demo: bool = False,
        config: Config | None = None,
        today: date | None = None,
        watch: bool = True,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        """The database file this dashboard reads and writes."""
        self.demo = demo
        """Whether this is the demo organisation's own database."""
        self.config = config or Config()
        """The user's settings."""
        self.today = today or max(date.today(), as_of)
        """The latest date a check-in may be for, and the limit of time travel."""
        self.initial_as_of = as_of
        """The as-of date the dashboard opened with."""
        self.as_of = as_of
        """The date everything is computed for."""
        self.dataset: Dataset | None = None
        """The data last read from the database plus this dashboard's own writes (replaced
        whole, never mutated)."""
        self.scorecard: Scorecard | None = None
        """The figures computed from `dataset` (for `as_of` once the computation has caught up)."""
        self.findings: pl.DataFrame | None = None
        """Goal-quality findings for `as_of`; None while they are being computed."""
        self.session_checkins: list[str] = []
        """Ids of check-ins saved in this session, newest last (for undo)."""
        self.notice = notice
        """Said once on opening, e.g. why the demo is showing."""
        self.full_reads = 0
        """How many times the whole database was read."""
        self.rows_read = 0
        """How many new check-in rows were read since the last full read (others' writes)."""
        self._watch_enabled = watch
        self._fingerprint: tuple[int, int, int, int] | None = None
        self._mark: Mark | None = None
        self._watch_timer: Timer | None = None
        self._dashboard: DashboardScreen | None = None
        # The dataset's generation: bumped whenever `dataset` is replaced, so that a result
        # computed from an older dataset is recognised and dropped.
        self._generation = 0
        # Goals whose check-ins changed since `scorecard` was computed.
        self._dirty: set[str] = set()
        self._writes = 0
        self._findings_timer: Timer | None = None
        self._buckets: pl.DataFrame | None = None
        self.activity: str | None = None
        """What a long load is doing right now (shown in the status line), or None."""
        self.goal_log: tuple[str, pl.DataFrame] | None = None
        """The last goal log read (the goal whose check-ins it holds, its entries)."""

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults(self.current_theme.to_color_system().generate())

    def compose(self) -> ComposeResult:
        # The first frame, shown while the data layers load.
        yield Static(
            Text.assemble(
                ("goaltui", "bold"),
                safe_plain(f"  as of {self.initial_as_of.isoformat()}  opening {self.db} ..."),
            ),
            id="boot",
        )

    def on_mount(self) -> None:
        if self.config.theme:
            self.theme = self.config.theme
        if self.config.keys:
            self.set_keymap(self.config.keys)
        self._boot()

    @work(thread=True, exclusive=True, exit_on_error=False, group="boot")
    def _boot(self) -> None:
        # polars, DuckDB and the screens on them: half a second of imports, off the UI thread.
        from goaltui.ui.screens import checkin, dashboard, goal_detail  # noqa: F401

        self.call_from_thread(self._booted)

    def _booted(self) -> None:
        from goaltui.ui.screens.dashboard import DashboardScreen

        self._dashboard = DashboardScreen(
            as_of=self.as_of,
            today=self.today,
            demo=self.demo,
            db=self.db,
            notice=self.notice,
        )
        self.push_screen(self._dashboard)
        self.reload()

    @property
    def checkins_known(self) -> int:
        """How many check-in rows the state knows of (read, or written by this dashboard)."""
        return 0 if self._mark is None else self._mark.checkins

    @property
    def dashboard(self) -> DashboardScreen:
        """The dashboard screen (the bottom of the screen stack)."""
        if self._dashboard is None:
            raise LookupError("the dashboard screen is not open")
        return self._dashboard

    # The state: changed only here, on the UI thread, and handed to every open screen.

    def _publish(self) -> None:
        if self.scorecard is None:
            return
        for screen in self.screen_stack:
            screen.post_message(StateChanged(self.as_of, self.scorecard, self.findings))

    def _accept(self, scorecard: Scorecard, generation: int) -> bool:
        """Take a computed scorecard as the state if it is of the current data and as-of date."""
        if generation != self._generation or scorecard.as_of != self.as_of:
            return False
        # After a check-in the findings stay on screen until fresh ones replace them.
        self.scorecard = scorecard
        self._dirty.clear()
        self._publish()
        return True

    def _replace_dataset(self, dataset: Dataset, changed: set[str] | None) -> None:
        # `changed`: the goals whose check-ins differ from the scorecard's data; None: anything.
        self.dataset = dataset
        self._generation += 1
        if changed is None or self.scorecard is None:
            self.scorecard = None if changed is None else self.scorecard
            self._dirty.clear()
        else:
            self._dirty |= changed
        self._catch_up()

    def _catch_up(self) -> None:
        """Start the computation that brings the scorecard up to the data and the as-of date."""
        if self.dataset is None:
            return
        scorecard = self.scorecard
        if self._stale_aggregates():
            self._load(self.as_of)  # the check-ins were aggregated for another date
        elif scorecard is not None and scorecard.as_of == self.as_of and self._dirty:
            self._patch(scorecard, self.dataset, sorted(self._dirty), self._generation)
        else:
            self._compute(self.dataset, self.as_of, self._generation)

    def _stale_aggregates(self) -> bool:
        dataset = self.dataset
        return (
            dataset is not None
            and dataset.aggregates is not None
            and dataset.aggregated_until != self.as_of
        )

    # Workers: every DuckDB or polars call runs here, never on the UI thread.

    def reload(self, as_of: date | None = None) -> None:
        """Read the whole database again and recompute."""
        if as_of is not None:
            self.as_of = as_of
        self._load(self.as_of)

    def on_dashboard_screen_recompute(self, message: DashboardScreen.Recompute) -> None:
        """A screen asks for another as-of date: recompute from the data in memory."""
        if message.as_of == self.as_of:
            return
        self.as_of = message.as_of
        self.findings = None
        self._publish()
        if self.dataset is None or self._stale_aggregates():
            self._load(self.as_of)
        else:
            self._compute(self.dataset, self.as_of, self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data")
    def _load(self, as_of: date) -> None:
        from goaltui.metrics.engine import all_buckets
        from goaltui.metrics.quality import checkin_ranges
        from goaltui.metrics.scorecard import build_scorecard
        from goaltui.store.changes import load_marked
        from goaltui.store.db import fingerprint

        stamp = fingerprint(self.db)
        # The check-ins come aggregated per goal and period; only the few that a quality rule
        # looks at one by one come as rows. A goal's own log is read when it is opened.
        self.call_from_thread(self._set_activity, _("Reading check-ins..."))
        dataset, mark = load_marked(
            self.db, checkins_until=as_of, aggregate=all_buckets, outside=checkin_ranges
        )
        goals = dataset.kpis.height + dataset.key_results.height
        computing = _("Computing the figures of {goals} goals...").format(goals=f"{goals:,}")
        self.call_from_thread(self._set_activity, computing)
        scorecard = build_scorecard(dataset, as_of)
        buckets = all_buckets(dataset)
        if get_current_worker().is_cancelled:
            return
        self._buckets = buckets
        generation = self.call_from_thread(self._loaded, dataset, mark, stamp, scorecard)
        self._finish(scorecard, generation)

    def _set_activity(self, activity: str | None) -> None:
        """What a long load is doing, for the status line of every open screen."""
        from goaltui.ui.messages import ActivityChanged

        self.activity = activity
        for screen in self.screen_stack:
            screen.post_message(ActivityChanged(activity))

    def _loaded(
        self,
        dataset: Dataset,
        mark: Mark,
        stamp: tuple[int, int, int, int],
        scorecard: Scorecard,
    ) -> int:
        self.full_reads += 1
        self.rows_read = 0
        self._set_activity(None)
        self._mark = mark
        self._fingerprint = stamp
        self.dataset = dataset
        self._generation += 1
        self._dirty.clear()
        self.scorecard = None
        self.findings = None
        if not self._accept(scorecard, self._generation):
            self._catch_up()  # the as-of date changed while reading
        self._arm_watch()
        return self._generation

    @work(thread=True, exclusive=True, exit_on_error=False, group="data")
    def _compute(self, dataset: Dataset, as_of: date, generation: int) -> None:
        from goaltui.metrics.scorecard import build_scorecard

        scorecard = build_scorecard(dataset, as_of)
        if get_current_worker().is_cancelled:
            return
        self.post_message(ScorecardReady(scorecard, reloaded=False, generation=generation))
        self._finish(scorecard, generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data")
    def _patch(
        self, scorecard: Scorecard, dataset: Dataset, goal_ids: list[str], generation: int
    ) -> None:
        from goaltui.metrics.scorecard import refresh_goals

        patched = refresh_goals(scorecard, dataset, goal_ids)
        if get_current_worker().is_cancelled:
            return
        self.post_message(ScorecardReady(patched, reloaded=False, generation=generation))
        # The findings of a whole organisation take seconds: after a check-in they follow
        # once the check-ins have paused (see _findings_later), not after every one.
        self._finish(patched, generation, findings=False)
        self.call_from_thread(self._findings_later)

    def _findings_later(self) -> None:
        if self._findings_timer is not None:
            self._findings_timer.stop()
        self._findings_timer = self.set_timer(FINDINGS_DELAY, self._find_now)

    def _find_now(self) -> None:
        self._findings_timer = None
        if self.scorecard is not None:
            self._find(self.scorecard, self._generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="findings")
    def _find(self, scorecard: Scorecard, generation: int) -> None:
        from goaltui.metrics.quality import find_issues

        findings = find_issues(scorecard.dataset, scorecard.as_of, self.config.quality)
        if not get_current_worker().is_cancelled:
            self.post_message(FindingsReady(scorecard.as_of, findings, generation=generation))

    def _finish(self, scorecard: Scorecard, generation: int, *, findings: bool = True) -> None:
        # Runs on in the data worker once the figures are on screen: trends, then the quality
        # findings, each posted when ready. A newer computation cancels this worker, and then
        # what it would post is stale.
        from goaltui.metrics.quality import find_issues
        from goaltui.metrics.scorecard import with_trends

        worker = get_current_worker()
        if worker.is_cancelled:
            return
        if not scorecard.trended:
            trended = with_trends(scorecard)
            if worker.is_cancelled:
                return
            self.post_message(ScorecardReady(trended, reloaded=False, generation=generation))
        if not findings:
            return
        found = find_issues(scorecard.dataset, scorecard.as_of, self.config.quality)
        if not worker.is_cancelled:
            self.post_message(FindingsReady(scorecard.as_of, found, generation=generation))

    def on_scorecard_ready(self, message: ScorecardReady) -> None:
        generation = self._generation if message.generation is None else message.generation
        if not self._accept(message.scorecard, generation) and generation == self._generation:
            # Computed for an as-of date that has changed since: compute the current one.
            self._catch_up()

    def on_findings_ready(self, message: FindingsReady) -> None:
        if message.as_of == self.as_of and message.generation in (None, self._generation):
            self.findings = message.findings
            self._publish()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes a visible error."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error, group = event.worker.error, event.worker.group
            title = WORKER_FAILURES.get(group, "Something went wrong")
            message = safe_plain(error, multiline=True)
            self.notify(message, title=title, severity="error", timeout=10, markup=False)
            if group == "boot":
                self.query_one("#boot", Static).update(
                    safe_text(f"{title}: {message}", multiline=True)
                )
            elif group == "data":
                with suppress(LookupError):  # the app may be closing
                    self.dashboard.loading_failed(str(error))
                self._arm_watch()
            elif group == "read":
                self._arm_watch()

    # Noticing writes by other processes: a one-shot timer re-armed after each check, so checks
    # never overlap with a read. Only what changed is read (new check-ins since the last read);
    # a change of definitions reads everything again.

    def _arm_watch(self) -> None:
        if self._watch_enabled and self._watch_timer is None:
            self._watch_timer = self.set_timer(WATCH_INTERVAL, self._check_for_changes)

    def _check_for_changes(self) -> None:
        from goaltui.store.db import fingerprint

        self._watch_timer = None
        if self._writes or self._mark is None or fingerprint(self.db) == self._fingerprint:
            self._arm_watch()
        else:
            self.sync()

    def sync(self) -> None:
        """Read what other processes wrote since the last read and bring the state up to it."""
        if self._mark is None:
            self.reload()
        else:
            self._read_changes(self._mark)

    @work(thread=True, exclusive=True, exit_on_error=False, group="read")
    def _read_changes(self, since: Mark) -> None:
        from goaltui.store.changes import read_changes
        from goaltui.store.db import fingerprint

        stamp = fingerprint(self.db)
        changes = read_changes(self.db, since)
        fresh = None
        if changes.checkins is not None and changes.checkins.height:
            fresh = self._fresh_aggregates(changes.checkins["goal_id"].unique().to_list())
        self.call_from_thread(self._changes_read, since, changes, stamp, fresh)

    def _fresh_aggregates(self, goal_ids: list[str]) -> tuple[list[str], pl.DataFrame] | None:
        """In a worker: the check-in aggregates of the goals `goal_ids` read again, for the
        as-of date the dataset's aggregates are for (None when it has none)."""
        import polars as pl

        from goaltui.store.dataset import load_aggregates

        dataset, buckets = self.dataset, self._buckets
        if dataset is None or dataset.aggregates is None or buckets is None:
            return None
        wanted = buckets.filter(pl.col("goal_id").is_in(goal_ids))
        return goal_ids, load_aggregates(self.db, wanted, dataset.aggregated_until)

    def _with_fresh(
        self, dataset: Dataset, fresh: tuple[list[str], pl.DataFrame] | None
    ) -> Dataset:
        from goaltui.store.changes import with_aggregates

        if fresh is None or dataset.aggregates is None:
            return dataset
        return with_aggregates(dataset, *fresh)

    def _changes_read(
        self,
        since: Mark,
        changes: Changes,
        stamp: tuple[int, int, int, int],
        fresh: tuple[list[str], pl.DataFrame] | None,
    ) -> None:
        from goaltui.store.changes import with_checkins

        if self._mark is not since or self.dataset is None:
            self._arm_watch()  # a full read came in between; it has these changes
            return
        rows = changes.checkins
        if rows is None or (fresh is None and self.dataset.aggregates is not None):
            self.reload()
            return
        self._mark = changes.mark
        self._fingerprint = stamp
        self.rows_read += rows.height
        if rows.height:
            dataset = with_checkins(self._with_fresh(self.dataset, fresh), rows)
            self._replace_dataset(dataset, self._affected(rows))
        self._arm_watch()

    def _affected(self, rows: pl.DataFrame) -> set[str] | None:
        from goaltui.metrics.scorecard import affected_goals

        if self.scorecard is None:
            return None
        return set(affected_goals(self.scorecard, rows["goal_id"].unique().to_list()))

    # Check-ins: forms post a save request; an App worker writes it and answers the form.

    def on_goal_detail_screen_log_requested(self, message: GoalDetailScreen.LogRequested) -> None:
        self._read_log(message.screen, message.goal_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="log")
    def _read_log(self, screen: GoalDetailScreen, goal_id: str) -> None:
        from dataclasses import replace

        import polars as pl

        from goaltui.store.checkins import checkin_log
        from goaltui.store.dataset import load_goal_checkins

        dataset = self.dataset
        if dataset is None:
            return
        linked = dataset.key_results.filter(pl.col("id") == goal_id)["kpi_id"].drop_nulls()
        source = str(linked[0]) if linked.len() else goal_id
        rows = load_goal_checkins(self.db, source)
        log = checkin_log(replace(dataset.definitions, checkins=rows), goal_id)
        self.call_from_thread(self._log_read, screen, goal_id, source, rows, log)

    def _log_read(
        self,
        screen: GoalDetailScreen,
        goal_id: str,
        source: str,
        rows: pl.DataFrame,
        log: pl.DataFrame,
    ) -> None:
        self.goal_log = (source, rows)
        screen.post_message(screen.LogReady(goal_id, log))

    def on_dashboard_screen_round_requested(self, message: DashboardScreen.RoundRequested) -> None:
        from goaltui.metrics.scorecard import round_goals
        from goaltui.ui.screens.checkin_round import CheckinRound

        scorecard = self.scorecard
        if scorecard is None:
            return
        goals = round_goals(scorecard, message.unit_id)
        if goals.is_empty():
            self.notify("Every goal here has a check-in this period.", title="Check-in round")
            return
        round_screen = CheckinRound(
            dataset=scorecard.dataset,
            goals=scorecard.catalog,
            as_of=self.as_of,
            today=self.today,
            goal_ids=goals["goal_id"].to_list(),
            previous=dict(zip(goals["goal_id"], goals["previous"], strict=True)),
        )
        self.push_screen(round_screen, self._round_done)

    async def open_checkin(self, goal_id: str | None, *, corrects: Checkin | None = None) -> None:
        """Open the check-in form for `goal_id` (or with the cursor in the goal field).

        Called from a key binding, so it runs before the App handles the next key: once it
        returns, the form is mounted and its field focused, and every key typed after `c`
        lands in the form."""
        from goaltui.ui.screens.checkin import CheckinForm

        scorecard = self.scorecard
        if scorecard is None:
            self.notify("The data is still loading.", timeout=3)
            return
        dataset = scorecard.dataset
        if corrects is not None and self.goal_log is not None:
            from goaltui.store.changes import with_checkins

            # The entry corrected is in its goal's log, read when the goal was opened.
            dataset = with_checkins(dataset, self.goal_log[1])
        form = CheckinForm(
            goals=scorecard.catalog,
            dataset=dataset,
            as_of=self.as_of,
            today=self.today,
            goal_id=goal_id,
            corrects=corrects,
        )
        await self.push_screen(form, self._saved)
        form.focus_first_field()

    def on_checkin_editor_save_requested(self, message: CheckinEditor.SaveRequested) -> None:
        self._writes += 1
        self._save(message.editor, message.checkin, message.corrects)

    @work(thread=True, exclusive=False, exit_on_error=False, group="write")
    def _save(self, editor: CheckinEditor, checkin: Checkin, corrects: str | None) -> None:
        from goaltui.store.db import fingerprint
        from goaltui.ui.screens.checkin import SaveOutcome, describe_error

        before = fingerprint(self.db)
        try:
            outcome = save_checkin(self.db, checkin, corrects, today=self.today)
        except Exception as error:  # the form must hear back whatever happened
            outcome = SaveOutcome(None, describe_error(error))
        after = fingerprint(self.db)
        fresh = None
        if outcome.checkin is not None:
            # Its goal's aggregates again: one goal's rows, a few milliseconds.
            fresh = self._fresh_aggregates([outcome.checkin.goal_id])
        self.call_from_thread(self._write_done, outcome.checkin, before, after, fresh)
        editor.post_message(editor.SaveAnswered(outcome))

    def _write_done(
        self,
        saved: Checkin | None,
        before: tuple[int, int, int, int],
        after: tuple[int, int, int, int],
        fresh: tuple[list[str], pl.DataFrame] | None = None,
    ) -> None:
        """After a write of this dashboard: take what it wrote into the state without reading
        the database, and remember the file as written so the watch does not read it back."""
        from goaltui.store.changes import Mark, checkin_frame, with_checkins

        self._writes -= 1
        mark = self._mark
        if saved is None or saved.seq is None or mark is None or self.dataset is None:
            return
        if saved.seq != mark.last_seq + 1 or (
            fresh is None and self.dataset.aggregates is not None
        ):
            self.sync()  # someone else wrote in between: read from the last read on
            return
        if before == self._fingerprint:
            self._fingerprint = after
        self._mark = Mark(saved.seq, mark.checkins + 1, mark.definitions)
        rows = checkin_frame([saved])
        dataset = with_checkins(self._with_fresh(self.dataset, fresh), rows)
        self._replace_dataset(dataset, self._affected(rows))

    def _saved(self, checkin: Checkin | None) -> None:
        from goaltui.ui.screens.checkin import saved_message

        if checkin is None:
            return
        scorecard = self.scorecard
        if checkin.id is not None:
            self.session_checkins.append(checkin.id)
        goals = scorecard.catalog if scorecard is not None else None
        said = saved_message(checkin, goals) if goals is not None else "Saved."
        self.notify(safe_plain(said), title="Saved", markup=False)
        self.dashboard.after_checkin(checkin)

    def _round_done(self, saved: list[Checkin] | None) -> None:
        for checkin in saved or []:
            if checkin.id is not None:
                self.session_checkins.append(checkin.id)

    def on_goal_detail_screen_retract_requested(
        self, message: GoalDetailScreen.RetractRequested
    ) -> None:
        from goaltui.ui.screens.confirm import ConfirmScreen

        checkin_id = message.checkin_id

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._writes += 1
                self._retract(checkin_id, undo=False)

        self.push_screen(
            ConfirmScreen("Retract this check-in? It will no longer count; the log keeps it."),
            confirmed,
        )

    def action_undo(self) -> None:
        """Retract the last check-in saved in this session."""
        if not self.session_checkins:
            self.notify("Nothing to undo in this session.", timeout=3)
            return
        self._writes += 1
        self._retract(self.session_checkins[-1], undo=True)

    @work(thread=True, exclusive=False, exit_on_error=False, group="write")
    def _retract(self, checkin_id: str, *, undo: bool) -> None:
        from goaltui.store.checkins import retract_checkin
        from goaltui.store.db import fingerprint

        before = fingerprint(self.db)
        try:
            saved = retract_checkin(
                self.db, checkin_id, today=self.today, note="undone" if undo else None
            )
        except BaseException:
            self.call_from_thread(self._write_done, None, before, before)
            raise
        after = fingerprint(self.db)
        fresh = self._fresh_aggregates([saved.goal_id])
        self.call_from_thread(self._write_done, saved, before, after, fresh)
        self.call_from_thread(self._retracted, checkin_id, undo)

    def _retracted(self, checkin_id: str, undo: bool) -> None:
        if undo and self.session_checkins and self.session_checkins[-1] == checkin_id:
            self.session_checkins.pop()
        self.notify("Undone." if undo else "Retracted.", title="Check-in")

    def action_help(self) -> None:
        """Show the keys of the focused pane."""
        from goaltui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))
