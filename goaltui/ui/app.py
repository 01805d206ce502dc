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

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from goaltui.config import Config
from goaltui.i18n import N_, _, choose_language, translated, use_language
from goaltui.model.types import Checkin
from goaltui.store.engine import FileStore, Store, is_pg_url, open_store
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.authoring import Authoring
from goaltui.ui.authoring_commands import AuthoringCommands
from goaltui.ui.commands import GoalCommands
from goaltui.ui.cycle_actions import CycleActions
from goaltui.ui.messages import FindingsReady, ScorecardReady, StateChanged
from goaltui.ui.render import theme_variable_defaults

if TYPE_CHECKING:
    import polars as pl

    from goaltui.cycle import CycleState
    from goaltui.metrics.scorecard import Scorecard
    from goaltui.store.changes import Changes, Mark
    from goaltui.store.dataset import Dataset
    from goaltui.store.pg_live import Listener, PgChanges, PgMark, PgReader
    from goaltui.ui.screens.checkin import CheckinEditor, SaveOutcome
    from goaltui.ui.screens.dashboard import DashboardScreen
    from goaltui.ui.screens.goal_detail import GoalDetailScreen

WORKER_FAILURES = {
    "boot": N_("Could not start"),
    "data": N_("Could not load the data"),
    "read": N_("Could not read the changes"),
    "write": N_("Could not save"),
    "history": N_("Could not compute the history"),
    "cycle": N_("Could not change the period"),
}
"""What a failed worker of each group means to the user (the title of its error message)."""

WATCH_INTERVAL = 1.0
"""Seconds between checks for writes by other processes."""

FINDINGS_DELAY = 5.0
"""Seconds without a new check-in before the quality findings are computed again."""


def save_checkin(
    db: Path | Store, checkin: Checkin, corrects: str | None, *, today: date
) -> SaveOutcome:
    """Write a form's check-in to `db` (a file or any Store; as the correction of `corrects`,
    when given) and say how it went. For a worker: it opens the database. Failures a person can
    act on come back as an outcome; anything else raises."""
    from goaltui.model import GoaltuiError
    from goaltui.ui.screens.checkin import SaveOutcome, describe_error

    store = FileStore(db) if isinstance(db, Path) else db
    try:
        if corrects is not None:
            saved = store.correct_checkin(corrects, checkin, today=today)
        else:
            saved = store.append_checkin(checkin, today=today)
    except (GoaltuiError, OSError) as error:
        return SaveOutcome(None, describe_error(error))
    return SaveOutcome(saved, None)


@dataclass(frozen=True)
class Begun:
    """A check-in's refresh begun by the save worker, before the form closes: the rows of the
    goals `goal_ids` of `scorecard` computed again on `dataset` (`rows`), the rest to come
    from `rest` (metrics.scorecard.refreshed)."""

    scorecard: Scorecard
    dataset: Dataset
    goal_ids: list[str]
    rows: Scorecard
    rest: Iterator[Scorecard]


def opening_definitions(definitions: Dataset) -> Dataset:
    """Of `definitions`, what the dashboard's first view shows figures for: every unit, and the
    goals of the unit it opens on (the first root): its KPIs, its objectives with their key
    results, and the KPIs those are measured by, with their targets."""
    from dataclasses import replace

    import polars as pl

    roots = definitions.units.filter(pl.col("parent_id").is_null())["id"].to_list()
    unit = roots[0] if roots else ""
    objectives = definitions.objectives.filter(pl.col("unit_id") == unit)
    key_results = definitions.key_results.filter(
        pl.col("objective_id").is_in(objectives["id"].implode())
    )
    measured = key_results["kpi_id"].drop_nulls().implode()
    kpis = definitions.kpis.filter((pl.col("unit_id") == unit) | pl.col("id").is_in(measured))
    goal_ids = pl.concat([kpis["id"], key_results["id"]]).implode()
    return replace(
        definitions,
        kpis=kpis,
        objectives=objectives,
        key_results=key_results,
        targets=definitions.targets.filter(pl.col("goal_id").is_in(goal_ids)),
    )


def opening_scorecard(opening: Dataset, as_of: date) -> Scorecard:
    """The scorecard of the first view (`opening`: see opening_definitions): the opening unit's
    figures, with no roll-ups yet (the whole organisation's follow)."""
    from dataclasses import replace

    from goaltui.metrics.scorecard import build_scorecard

    scorecard = build_scorecard(opening, as_of)
    return replace(
        scorecard,
        rollup=scorecard.rollup.clear(),
        due_counts=scorecard.due_counts.clear(),
        opening=True,
    )


class ServerNotified(Message):
    """The PostgreSQL server announced a write (LISTEN/NOTIFY)."""

    def __init__(self, channel: str, payload: str) -> None:
        super().__init__()
        self.channel = channel
        self.payload = payload


class ServerState(Message):
    """The connection to the PostgreSQL server came up or went down."""

    def __init__(self, connected: bool, reason: str | None) -> None:
        super().__init__()
        self.connected = connected
        self.reason = reason


class GoalApp(Authoring, CycleActions):
    """The dashboard over one goaltui database."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "goaltui"
    COMMANDS: ClassVar = App.COMMANDS | {GoalCommands, AuthoringCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", N_("Quit"), id="quit", tooltip=N_("Leave goaltui")),
        Binding(
            "question_mark", "help", N_("Help"), id="help", tooltip=N_("Keys of the focused pane")
        ),
        Binding(
            "f1",
            "help",
            N_("Help"),
            id="help-f1",
            show=False,
            tooltip=N_("Keys of the focused pane"),
        ),
        Binding(
            "u", "undo", N_("Undo"), id="undo", show=False, tooltip=N_("Undo your last check-in")
        ),
    ]

    def __init__(
        self,
        *,
        db: Path | str,
        as_of: date,
        demo: bool = False,
        config: Config | None = None,
        today: date | None = None,
        watch: bool = True,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        """The database this dashboard reads and writes: a file, or a PostgreSQL URL."""
        self.store: Store = open_store(db)
        """The database on its engine."""
        self.pg_url: str | None = str(db) if is_pg_url(db) else None
        """The server's URL in team mode (then the dashboard follows it by LISTEN/NOTIFY)."""
        self.server_state = "connecting" if self.pg_url else "file"
        """In team mode: `connecting`, `connected` or `disconnected` (with `server_problem`)."""
        self.server_problem: str | None = None
        """Why the server cannot be reached, while it cannot."""
        self.arrivals: list[tuple[str, float]] | None = None
        """When set to a list: (check-in id, time.time()) of every check-in others wrote, as it
        reached the state (for measuring how fast writes arrive)."""
        self.demo = demo
        """Whether this is the demo organisation's own database."""
        self.config = config or Config()
        """The user's settings."""
        use_language(choose_language(self.config.language))
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
        self.cycle: CycleState | None = None
        """The grades and closed periods last read from the database."""
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
        self._mark: Mark | PgMark | None = None
        self._listener: Listener | None = None
        self._reader: PgReader | None = None
        self._reading = False
        self._read_again = False
        # Team mode: whether the next read must also check the definitions and the check-ins
        # already read (after a full read or a reconnection: announcements may have been
        # missed); whether a definition changed while the first full read ran.
        self._thorough = True
        self._stale = False
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
        # A check-in of this dashboard was saved before the first full read was in.
        self._unread_own = False
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
                safe_plain(
                    "  "
                    + _("as of {date}  opening {db} ...").format(
                        date=self.initial_as_of.isoformat(), db=self.store.label
                    )
                ),
            ),
            id="boot",
        )

    def on_mount(self) -> None:
        if self.config.theme:
            self.theme = self.config.theme
        if self.config.keys:
            self.set_keymap(self.config.keys)
        if self.pg_url is not None and self._watch_enabled:
            self._listen(self.pg_url)
        self._boot()

    def on_unmount(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        if self._reader is not None:
            self._reader.close()

    @work(thread=True, exclusive=True, exit_on_error=False, group="boot")
    def _boot(self) -> None:
        # polars, DuckDB and the screens on them: half a second of imports, off the UI thread.
        from goaltui.ui.screens import checkin, dashboard, definition_form, goal_detail  # noqa: F401

        self.call_from_thread(self._booted)

    def _booted(self) -> None:
        from goaltui.ui.screens.dashboard import DashboardScreen

        self._dashboard = DashboardScreen(
            as_of=self.as_of,
            today=self.today,
            demo=self.demo,
            db=self.db if isinstance(self.db, Path) else Path(self.store.label),
            notice=self.notice,
        )
        self.push_screen(self._dashboard)
        self.reload()

    @property
    def caught_up(self) -> bool:
        """In team mode: connected, read and no read under way (everything announced so far
        is in the state)."""
        return self.server_state == "connected" and self._mark is not None and not self._reading

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
            screen.post_message(
                StateChanged(self.as_of, self.scorecard, self.findings, cycle=self.cycle)
            )

    def _accept(self, scorecard: Scorecard, generation: int, *, partial: bool = False) -> bool:
        """Take a computed scorecard as the state if it is of the current data and as-of date
        (`partial`: only the changed goals' rows are; they stay to be computed)."""
        if generation != self._generation or scorecard.as_of != self.as_of:
            return False
        # After a check-in the findings stay on screen until fresh ones replace them.
        self.scorecard = scorecard
        if not partial:
            self._dirty.clear()
        self._publish()
        return True

    def _replace_dataset(
        self, dataset: Dataset, changed: set[str] | None, begun: Begun | None = None
    ) -> None:
        # `changed`: the goals whose check-ins differ from the scorecard's data; None: anything.
        self.dataset = dataset
        self._generation += 1
        if changed is None or self.scorecard is None:
            self.scorecard = None if changed is None else self.scorecard
            self._dirty.clear()
        else:
            self._dirty |= changed
        self._catch_up(begun)

    def _catch_up(self, begun: Begun | None = None) -> None:
        """Start the computation that brings the scorecard up to the data and the as-of date
        (`begun`: a refresh the save worker began, taken where it is of this state)."""
        if self.dataset is None:
            return
        scorecard = self.scorecard
        if self._stale_aggregates():
            self._load(self.as_of)  # the check-ins were aggregated for another date
        elif scorecard is not None and scorecard.as_of == self.as_of and self._dirty:
            goal_ids = sorted(self._dirty)
            if (
                begun is not None
                and begun.scorecard is scorecard
                and begun.dataset is self.dataset
                and begun.goal_ids == goal_ids
            ):
                # The goals' rows are computed: on screen as the form closes, the rest follows.
                self._accept(begun.rows, self._generation, partial=True)
                self._patch(scorecard, self.dataset, goal_ids, self._generation, rest=begun.rest)
            else:
                self._patch(scorecard, self.dataset, goal_ids, self._generation)
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
        from goaltui.cycle import read_cycle_state
        from goaltui.metrics.engine import all_buckets
        from goaltui.metrics.scorecard import build_scorecard

        if self.dataset is None and self.scorecard is None and self.pg_url is None:
            # The first view: the unit it opens on, as soon as its own goals are computed.
            self._open_first(as_of)
        self.call_from_thread(self._set_activity, _("Reading check-ins..."))
        dataset, mark, stamp = self._read_all(as_of)
        cycle = read_cycle_state(self.db)
        goals = dataset.kpis.height + dataset.key_results.height
        computing = _("Computing the figures of {goals} goals...").format(goals=f"{goals:,}")
        self.call_from_thread(self._set_activity, computing)
        scorecard = build_scorecard(dataset, as_of)
        buckets = all_buckets(dataset)
        if get_current_worker().is_cancelled:
            return
        self._buckets = buckets
        generation = self.call_from_thread(self._loaded, dataset, mark, stamp, scorecard, cycle)
        self._finish(scorecard, generation)

    def _open_first(self, as_of: date) -> None:
        # For the data worker: the opening unit's figures, shown while the rest is computed.
        from goaltui.metrics.engine import all_buckets
        from goaltui.model.errors import DatabaseError
        from goaltui.store.changes import load_opening

        self.call_from_thread(self._set_activity, _("Reading the first goals..."))
        try:
            opening = load_opening(
                self.db,  # type: ignore[arg-type]
                checkins_until=as_of,
                narrow=opening_definitions,
                aggregate=all_buckets,
            )
        except DatabaseError:
            return  # busy, say: the full read that follows tries again and says why
        scorecard = opening_scorecard(opening, as_of)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._opened_first, scorecard)

    def _opened_first(self, scorecard: Scorecard) -> None:
        if self.dataset is None and self.scorecard is None and scorecard.as_of == self.as_of:
            self.scorecard = scorecard
            self._publish()

    def _read_all(self, as_of: date) -> tuple[Dataset, Mark | PgMark, tuple[int, int, int, int]]:
        # For a worker: everything in the database and where that leaves the reader. The
        # check-ins come aggregated per goal and period by the file or the server; only the
        # few that a quality rule looks at one by one come as rows. A goal's own log is read
        # when it is opened.
        from goaltui.metrics.engine import all_buckets
        from goaltui.metrics.quality import checkin_ranges

        if self.pg_url is not None:
            from goaltui.store.pg_live import load_pg_marked

            dataset, pg_mark = load_pg_marked(
                self.pg_url, checkins_until=as_of, aggregate=all_buckets, outside=checkin_ranges
            )
            return dataset, pg_mark, (0, 0, 0, 0)
        from goaltui.store.changes import load_marked
        from goaltui.store.db import fingerprint

        stamp = fingerprint(self.db)  # type: ignore[arg-type]

        dataset, file_mark = load_marked(
            self.db,  # type: ignore[arg-type]
            checkins_until=as_of,
            aggregate=all_buckets,
            outside=checkin_ranges,
        )
        return dataset, file_mark, stamp

    def _stamp(self) -> tuple[int, int, int, int]:
        if isinstance(self.db, Path):
            from goaltui.store.db import fingerprint

            return fingerprint(self.db)
        return (0, 0, 0, 0)

    def _set_activity(self, activity: str | None) -> None:
        """What a long load is doing, for the status line of every open screen."""
        from goaltui.ui.messages import ActivityChanged

        self.activity = activity
        for screen in self.screen_stack:
            screen.post_message(ActivityChanged(activity))

    def _loaded(
        self,
        dataset: Dataset,
        mark: Mark | PgMark,
        stamp: tuple[int, int, int, int],
        scorecard: Scorecard,
        cycle: CycleState,
    ) -> int:
        self.full_reads += 1
        self.cycle = cycle
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
        if self.pg_url is not None:
            # What was committed while the read ran, or before the listener listened (a read
            # under way now is of the old data: the one after it follows from this one).
            self._thorough = True
            if self._stale:
                self._stale = False
                self.reload()
            else:
                self.sync()
        elif self._unread_own:
            self.sync()
        self._unread_own = False
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
        self,
        scorecard: Scorecard,
        dataset: Dataset,
        goal_ids: list[str],
        generation: int,
        *,
        rest: Iterator[Scorecard] | None = None,
    ) -> None:
        from goaltui.metrics.scorecard import refreshed

        # The goals' own rows first (what the person who checked in looks at), then their
        # objectives, roll-ups and trends. `rest`: the rows are on screen, this follows.
        if rest is None:
            rest = refreshed(scorecard, dataset, goal_ids)
            rows = next(rest)
            if get_current_worker().is_cancelled:
                return
            partial = ScorecardReady(rows, reloaded=False, generation=generation, partial=True)
            self.post_message(partial)
        patched = next(rest)
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
        accepted = self._accept(message.scorecard, generation, partial=message.partial)
        if not accepted and generation == self._generation:
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
            title = translated(WORKER_FAILURES.get(group, N_("Something went wrong")))
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
                self._thorough = True
                self._read_finished()
                self._arm_watch()

    # Noticing writes by other processes: a one-shot timer re-armed after each check, so checks
    # never overlap with a read. Only what changed is read (new check-ins since the last read);
    # a change of definitions reads everything again.

    def _arm_watch(self) -> None:
        if self.pg_url is not None:
            return  # the server tells (see _listen)
        if self._watch_enabled and self._watch_timer is None:
            self._watch_timer = self.set_timer(WATCH_INTERVAL, self._check_for_changes)

    def _check_for_changes(self) -> None:

        self._watch_timer = None
        if self._writes or self._mark is None or self._stamp() == self._fingerprint:
            self._arm_watch()
        else:
            self.sync()

    def sync(self) -> None:
        """Read what other processes wrote since the last read and bring the state up to it."""
        if self._mark is None:
            self.reload()
        elif self.pg_url is not None:
            # One read at a time; what is announced meanwhile is read right after it.
            if self._reading:
                self._read_again = True
                return
            self._reading = True
            self._read_again = False
            self._read_changes(self._mark, thorough=self._thorough)
            self._thorough = False
        else:
            self._read_changes(self._mark)

    def _read_finished(self) -> None:
        if self.pg_url is None or not self._reading:
            return
        self._reading = False
        if self._read_again:
            self.sync()

    @work(thread=True, exclusive=True, exit_on_error=False, group="read")
    def _read_changes(self, since: Mark | PgMark, *, thorough: bool = True) -> None:
        from goaltui.store.changes import Mark, read_changes

        changes: Changes | PgChanges
        fresh = None
        if isinstance(since, Mark):
            stamp = self._stamp()
            dataset, buckets = self.dataset, self._buckets
            if dataset is not None and dataset.aggregates is not None and buckets is not None:
                # The changed goals' aggregates come in the same read.
                until = dataset.aggregated_until
                changes = read_changes(self.db, since, buckets=buckets, until=until)  # type: ignore[arg-type]
                if changes.checkins is not None and changes.aggregates is not None:
                    fresh = (changes.checkins["goal_id"].unique().to_list(), changes.aggregates)
            else:
                changes = read_changes(self.db, since)  # type: ignore[arg-type]
        else:
            from goaltui.store.pg_live import PgReader

            stamp = (0, 0, 0, 0)
            if self._reader is None:
                self._reader = PgReader(str(self.db))
            changes = self._reader.read(since, thorough=thorough)
            if changes.checkins is not None and changes.checkins.height:
                goal_ids = changes.checkins["goal_id"].unique().to_list()
                fresh = self._fresh_aggregates(goal_ids, reader=self._reader)
        self.call_from_thread(self._changes_read, since, changes, stamp, fresh)

    def _fresh_aggregates(
        self, goal_ids: list[str], *, reader: PgReader | None = None
    ) -> tuple[list[str], pl.DataFrame] | None:
        """In a worker: the check-in aggregates of the goals `goal_ids` read again, for the
        as-of date the dataset's aggregates are for (None when it has none); on the server,
        through the read worker's `reader` when given (its connection is kept)."""
        import polars as pl

        dataset, buckets = self.dataset, self._buckets
        if dataset is None or dataset.aggregates is None or buckets is None:
            return None
        wanted = buckets.filter(pl.col("goal_id").is_in(goal_ids))
        source = self.store if reader is None else reader
        return goal_ids, source.aggregates(wanted, dataset.aggregated_until)

    def _with_fresh(
        self, dataset: Dataset, fresh: tuple[list[str], pl.DataFrame] | None
    ) -> Dataset:
        from goaltui.store.changes import with_aggregates

        if fresh is None or dataset.aggregates is None:
            return dataset
        return with_aggregates(dataset, *fresh)

    def _changes_read(
        self,
        since: Mark | PgMark,
        changes: Changes | PgChanges,
        stamp: tuple[int, int, int, int],
        fresh: tuple[list[str], pl.DataFrame] | None,
    ) -> None:
        from goaltui.store.changes import with_checkins

        if self._mark is not since or self.dataset is None:
            # A full read or this dashboard's own write came in between.
            self._arm_watch()
            if self.pg_url is not None:
                self._read_again = True
                self._read_finished()
            return
        rows = changes.checkins
        if rows is None or (rows.height and fresh is None and self.dataset.aggregates is not None):
            self._reading = False
            self.reload()
            return
        if self.arrivals is not None:
            import time

            now = time.time()
            self.arrivals.extend((str(i), now) for i in rows["id"].to_list())
        self._mark = changes.mark
        self._fingerprint = stamp
        self.rows_read += rows.height
        if rows.height:
            dataset = with_checkins(self._with_fresh(self.dataset, fresh), rows)
            self._replace_dataset(dataset, self._affected(rows))
        else:
            # The file changed, yet no check-in and no definition did: closed, reopened or
            # graded by another process, most likely.
            self.read_cycle_state()
        self._arm_watch()
        self._read_finished()

    # Team mode: the server announces every write on two channels; a thread of its own waits
    # for the announcements and for the server to come back when it goes away.

    def _listen(self, url: str) -> None:
        from goaltui.store.pg_live import Listener

        self._listener = Listener(
            url,
            on_notify=lambda channel, payload: self.post_message(ServerNotified(channel, payload)),
            on_state=lambda up, reason: self.post_message(ServerState(up, reason)),
        )
        self._listener.start()

    def on_server_notified(self, message: ServerNotified) -> None:
        from goaltui.store.pg_schema import DEFINITIONS_CHANNEL

        if message.channel == DEFINITIONS_CHANNEL:
            if self._mark is None:
                self._stale = True  # the first full read may have started before it
            else:
                self.reload()
            return
        mark = self._mark
        if mark is None:
            return  # the full read under way or coming sees it, or its catch-up does
        try:
            newest = int(message.payload)
        except ValueError:
            newest = mark.last_seq + 1
        gaps = getattr(mark, "gaps", ())
        if newest > mark.last_seq or gaps:
            self.sync()

    def on_server_state(self, message: ServerState) -> None:
        was = self.server_state
        if not message.connected:
            self.server_state = "disconnected"
            self.server_problem = message.reason
            if was != "disconnected":
                self.notify(
                    _(
                        "Lost the connection to {server} ({reason}). Retrying; what is on "
                        "screen may be out of date, and nothing is saved until it is back."
                    ).format(server=self.store.label, reason=message.reason or "?"),
                    title=_("Server unreachable"),
                    severity="warning",
                    timeout=3600,
                    markup=False,
                )
            return
        self.server_state = "connected"
        self.server_problem = None
        self._thorough = True
        if was == "disconnected":
            self.clear_notifications()
            self.notify(
                _("Connected to {server} again; catching up.").format(server=self.store.label),
                title=_("Server back"),
                markup=False,
            )
        if self._mark is not None:
            self.sync()

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

        dataset = self.dataset
        if dataset is None:
            return
        linked = dataset.key_results.filter(pl.col("id") == goal_id)["kpi_id"].drop_nulls()
        source = str(linked[0]) if linked.len() else goal_id
        rows = self.store.goal_checkins(source)
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
            self.notify(_("Every goal here has a check-in this period."), title=_("Check-in round"))
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
            self.notify(_("The data is still loading."), timeout=3)
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
        from goaltui.ui.screens.checkin import SaveOutcome, describe_error

        before = self._stamp()
        try:
            outcome = save_checkin(self.store, checkin, corrects, today=self.today)
        except Exception as error:  # the form must hear back whatever happened
            outcome = SaveOutcome(None, describe_error(error))
        fresh, folded, begun = None, None, None
        if outcome.checkin is not None and corrects is not None:
            # A correction takes the corrected entry out of its goal's sums: read them again.
            fresh = self._fresh_aggregates([outcome.checkin.goal_id])
        elif outcome.checkin is not None and self.dataset is not None and self._buckets is not None:
            # A new entry is folded into them as it is, and its goals' rows are computed, here
            # rather than on the UI thread and before the form closes: the dashboard shows
            # the new figure in the same redraw (both are used if the state is still this one).
            from goaltui.store.changes import checkin_frame, with_appended

            base, rows = self.dataset, checkin_frame([outcome.checkin])
            folded = (base, with_appended(base, self._buckets, rows))
            begun = self._begin(folded[1], rows)
        self.call_from_thread(
            self._write_done, outcome.checkin, before, self._stamp(), fresh, folded, begun
        )
        editor.post_message(editor.SaveAnswered(outcome))

    def _begin(self, dataset: Dataset | None, rows: pl.DataFrame) -> Begun | None:
        # For the save worker: the refresh of the state after its own check-in `rows`, up to
        # the goals' rows, when the scorecard is current and nothing else is waiting.
        from goaltui.metrics.scorecard import refreshed

        scorecard = self.scorecard
        if dataset is None or scorecard is None or scorecard.as_of != self.as_of or self._dirty:
            return None
        goal_ids = sorted(self._affected(rows) or ())
        if not goal_ids:
            return None
        rest = refreshed(scorecard, dataset, goal_ids)
        return Begun(scorecard, dataset, goal_ids, next(rest), rest)

    def _write_done(
        self,
        saved: Checkin | None,
        before: tuple[int, int, int, int],
        after: tuple[int, int, int, int],
        fresh: tuple[list[str], pl.DataFrame] | None = None,
        folded: tuple[Dataset, Dataset | None] | None = None,
        begun: Begun | None = None,
    ) -> None:
        """After a write of this dashboard: take what it wrote into the state without reading
        the database, and remember the file as written so the watch does not read it back.
        `fresh`: the aggregates of the written goal read again (after a correction or a
        retraction); without it a new entry is folded into the aggregates as it is (`folded`:
        done already, and `begun`: the refresh after it)."""
        from goaltui.store.changes import Mark, checkin_frame

        self._writes -= 1
        mark = self._mark
        if saved is None or saved.seq is None:
            return
        if mark is None or self.dataset is None:
            # Saved from the first view while the whole organisation is read: that read may
            # have passed the new row already; read what follows it once it is in.
            self._unread_own = True
            return
        if not isinstance(mark, Mark):
            # Team mode: take the row unless a read brought it already.
            if saved.seq <= mark.last_seq and saved.seq not in dict(mark.gaps):
                return
            rows = checkin_frame([saved])
            taken = self._taken(rows, fresh, folded, newest=saved.seq > mark.last_seq)
            if taken is None:
                self.sync()  # its goal's aggregates are not known: read from the mark on
                return
            self._mark = mark.advanced([saved.seq])
            self._replace_dataset(taken, self._affected(rows), begun)
            return
        rows = checkin_frame([saved])
        newest = saved.seq == mark.last_seq + 1
        taken = self._taken(rows, fresh, folded, newest=True) if newest else None
        if taken is None:
            self.sync()  # someone else wrote in between: read from the last read on
            return
        if before == self._fingerprint:
            self._fingerprint = after
        self._mark = Mark(saved.seq, mark.checkins + 1, mark.definitions)
        self._replace_dataset(taken, self._affected(rows), begun)

    def _taken(
        self,
        rows: pl.DataFrame,
        fresh: tuple[list[str], pl.DataFrame] | None,
        folded: tuple[Dataset, Dataset | None] | None,
        *,
        newest: bool,
    ) -> Dataset | None:
        """The dataset with this dashboard's own check-in `rows`: with its goals' aggregates
        `fresh` when read again, else folded in (which needs the rows to be the newest entries;
        `folded`: a dataset and the fold of `rows` into it, done already); None when neither
        tells the aggregates."""
        from goaltui.store.changes import with_appended, with_checkins

        dataset = self.dataset
        if dataset is None:
            return None
        if fresh is not None or dataset.aggregates is None:
            return with_checkins(self._with_fresh(dataset, fresh), rows)
        if not newest or self._buckets is None:
            return None
        if folded is not None and folded[0] is dataset:
            return folded[1]
        return with_appended(dataset, self._buckets, rows)

    def _saved(self, checkin: Checkin | None) -> None:
        from goaltui.ui.screens.checkin import saved_message

        if checkin is None:
            return
        scorecard = self.scorecard
        if checkin.id is not None:
            self.session_checkins.append(checkin.id)
        goals = scorecard.catalog if scorecard is not None else None
        said = saved_message(checkin, goals) if goals is not None else _("Saved.")
        self.notify(safe_plain(said), title=_("Saved"), markup=False)
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
            ConfirmScreen(_("Retract this check-in? It will no longer count; the log keeps it.")),
            confirmed,
        )

    def action_undo(self) -> None:
        """Retract the last check-in saved in this session."""
        if not self.session_checkins:
            self.notify(_("Nothing to undo in this session."), timeout=3)
            return
        self._writes += 1
        self._retract(self.session_checkins[-1], undo=True)

    @work(thread=True, exclusive=False, exit_on_error=False, group="write")
    def _retract(self, checkin_id: str, *, undo: bool) -> None:
        before = self._stamp()
        try:
            saved = self.store.retract_checkin(
                checkin_id, today=self.today, note="undone" if undo else None
            )
        except BaseException:
            self.call_from_thread(self._write_done, None, before, before)
            raise
        after = self._stamp()
        fresh = self._fresh_aggregates([saved.goal_id])
        self.call_from_thread(self._write_done, saved, before, after, fresh)
        self.call_from_thread(self._retracted, checkin_id, undo)

    def _retracted(self, checkin_id: str, undo: bool) -> None:
        if undo and self.session_checkins and self.session_checkins[-1] == checkin_id:
            self.session_checkins.pop()
        self.notify(_("Undone.") if undo else _("Retracted."), title=_("Check-in"))

    def action_help(self) -> None:
        """Show the keys of the focused pane."""
        from goaltui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))
