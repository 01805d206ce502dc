"""The goaltui dashboard app: bindings, the screen, and the workers that talk to the store.

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
from goaltui.model.types import Checkin
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.commands import GoalCommands
from goaltui.ui.messages import FindingsReady, ScorecardReady
from goaltui.ui.render import theme_variable_defaults

if TYPE_CHECKING:
    from goaltui.metrics.scorecard import Scorecard
    from goaltui.store.dataset import Dataset
    from goaltui.ui.screens.dashboard import DashboardScreen
    from goaltui.ui.screens.goal_detail import GoalDetailScreen

WORKER_FAILURES = {
    "boot": "Could not start",
    "data": "Could not load the data",
    "write": "Could not save",
    "history": "Could not compute the history",
}
"""What a failed worker of each group means to the user (the title of its error message)."""

WATCH_INTERVAL = 1.0
"""Seconds between checks for writes by other processes."""


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
        self.dataset: Dataset | None = None
        """The data last read from the database (replaced whole, never mutated)."""
        self.session_checkins: list[str] = []
        """Ids of check-ins saved in this session, newest last (for undo)."""
        self.notice = notice
        """Said once on opening, e.g. why the demo is showing."""
        self._watch_enabled = watch
        self._fingerprint: tuple[int, int, int, int] | None = None
        self._watch_timer: Timer | None = None

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
        from goaltui.ui.screens import dashboard, goal_detail  # noqa: F401

        self.call_from_thread(self._booted)

    def _booted(self) -> None:
        from goaltui.ui.screens.dashboard import DashboardScreen

        self.push_screen(
            DashboardScreen(
                as_of=self.initial_as_of,
                today=self.today,
                demo=self.demo,
                db=self.db,
                notice=self.notice,
            )
        )
        self.reload()

    @property
    def dashboard(self) -> DashboardScreen:
        """The dashboard screen (the bottom of the screen stack)."""
        from goaltui.ui.screens.dashboard import DashboardScreen

        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        raise LookupError("the dashboard screen is not open")

    # Workers: every DuckDB or polars call runs here, never on the UI thread.

    def reload(self, as_of: date | None = None) -> None:
        """Read the database again and recompute (after a write, or another process's write)."""
        self._load(as_of or self.dashboard.as_of)

    def recompute(self, as_of: date) -> None:
        """Recompute from the data in memory for another as-of date."""
        if self.dataset is None:
            self._load(as_of)
        else:
            self._compute(self.dataset, as_of)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data")
    def _load(self, as_of: date) -> None:
        from goaltui.metrics.scorecard import build_scorecard
        from goaltui.store.dataset import load_dataset
        from goaltui.store.db import fingerprint

        stamp = fingerprint(self.db)
        dataset = load_dataset(self.db)
        scorecard = build_scorecard(dataset, as_of)
        self.call_from_thread(self._loaded, dataset, stamp)
        self.post_message(ScorecardReady(scorecard, reloaded=True))
        self._finish(scorecard)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data")
    def _compute(self, dataset: Dataset, as_of: date) -> None:
        from goaltui.metrics.scorecard import build_scorecard

        scorecard = build_scorecard(dataset, as_of)
        self.post_message(ScorecardReady(scorecard, reloaded=False))
        self._finish(scorecard)

    def _finish(self, scorecard: Scorecard) -> None:
        # Runs on in the data worker once the figures are on screen: trends, then the quality
        # findings, each posted when ready. A newer load or recomputation cancels this worker,
        # and then what it would post is stale.
        from goaltui.metrics.quality import find_issues
        from goaltui.metrics.scorecard import with_trends

        worker = get_current_worker()
        if worker.is_cancelled:
            return
        trended = with_trends(scorecard)
        if worker.is_cancelled:
            return
        self.post_message(ScorecardReady(trended, reloaded=False))
        findings = find_issues(scorecard.dataset, scorecard.as_of, self.config.quality)
        if not worker.is_cancelled:
            self.post_message(FindingsReady(scorecard.as_of, findings))

    def _loaded(self, dataset: Dataset, stamp: tuple[int, int, int, int]) -> None:
        self.dataset = dataset
        self._fingerprint = stamp
        self._arm_watch()

    def on_findings_ready(self, message: FindingsReady) -> None:
        if message.as_of == self.dashboard.as_of:
            self.dashboard.findings = message.findings

    def on_scorecard_ready(self, message: ScorecardReady) -> None:
        from goaltui.ui.screens.dashboard import DashboardScreen
        from goaltui.ui.screens.goal_detail import GoalDetailScreen

        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen | GoalDetailScreen):
                screen.scorecard = message.scorecard

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

    # Noticing writes by other processes: a one-shot timer re-armed after each check, so checks
    # never overlap with a load.

    def _arm_watch(self) -> None:
        if self._watch_enabled and self._watch_timer is None:
            self._watch_timer = self.set_timer(WATCH_INTERVAL, self._check_for_changes)

    def _check_for_changes(self) -> None:
        from goaltui.store.db import fingerprint

        self._watch_timer = None
        if fingerprint(self.db) != self._fingerprint:
            self.reload()
        else:
            self._arm_watch()

    # Check-ins: the forms save in their own workers; here the app opens them and reacts.

    def on_dashboard_screen_recompute(self, message: DashboardScreen.Recompute) -> None:
        self.recompute(message.as_of)

    def on_dashboard_screen_checkin_requested(
        self, message: DashboardScreen.CheckinRequested
    ) -> None:
        self.open_checkin(message.goal_id)

    def on_goal_detail_screen_checkin_requested(
        self, message: GoalDetailScreen.CheckinRequested
    ) -> None:
        self.open_checkin(message.goal_id, corrects=message.corrects)

    def open_checkin(self, goal_id: str | None, *, corrects: Checkin | None = None) -> None:
        """Open the check-in form for `goal_id` (or with the cursor in the goal field)."""
        from goaltui.ui.screens.checkin import CheckinForm

        scorecard = self.dashboard.scorecard
        if scorecard is None:
            self.notify("The data is still loading.", timeout=3)
            return
        form = CheckinForm(
            db=self.db,
            goals=scorecard.catalog,
            dataset=scorecard.dataset,
            as_of=self.dashboard.as_of,
            today=self.today,
            goal_id=goal_id,
            corrects=corrects,
        )
        self.push_screen(form, self._saved)

    def on_dashboard_screen_round_requested(self, message: DashboardScreen.RoundRequested) -> None:
        from goaltui.metrics.scorecard import round_goals
        from goaltui.ui.screens.checkin_round import CheckinRound

        scorecard = self.dashboard.scorecard
        if scorecard is None:
            return
        goals = round_goals(scorecard, message.unit_id)
        if goals.is_empty():
            self.notify("Every goal here has a check-in this period.", title="Check-in round")
            return
        round_screen = CheckinRound(
            db=self.db,
            dataset=scorecard.dataset,
            goals=scorecard.catalog,
            as_of=self.dashboard.as_of,
            today=self.today,
            goal_ids=goals["goal_id"].to_list(),
            previous=dict(zip(goals["goal_id"], goals["previous"], strict=True)),
        )
        self.push_screen(round_screen, self._round_done)

    def _saved(self, checkin: Checkin | None) -> None:
        from goaltui.ui.screens.checkin import saved_message

        if checkin is None:
            return
        scorecard = self.dashboard.scorecard
        if checkin.id is not None:
            self.session_checkins.append(checkin.id)
        goals = scorecard.catalog if scorecard is not None else None
        said = saved_message(checkin, goals) if goals is not None else "Saved."
        self.notify(safe_plain(said), title="Saved", markup=False)
        self.dashboard.after_checkin(checkin)
        self.reload()

    def _round_done(self, saved: list[Checkin] | None) -> None:
        for checkin in saved or []:
            if checkin.id is not None:
                self.session_checkins.append(checkin.id)
        if saved:
            self.reload()

    def on_goal_detail_screen_retract_requested(
        self, message: GoalDetailScreen.RetractRequested
    ) -> None:
        from goaltui.ui.screens.confirm import ConfirmScreen

        checkin_id = message.checkin_id

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._retract(checkin_id, undo=False)

        self.push_screen(
            ConfirmScreen("Retract this check-in? It will no longer count; the log keeps it."),
            confirmed,
        )

    def on_goal_detail_screen_undo_requested(self, message: GoalDetailScreen.UndoRequested) -> None:
        self.action_undo()

    def action_undo(self) -> None:
        """Retract the last check-in saved in this session."""
        if not self.session_checkins:
            self.notify("Nothing to undo in this session.", timeout=3)
            return
        self._retract(self.session_checkins[-1], undo=True)

    @work(thread=True, exclusive=False, exit_on_error=False, group="write")
    def _retract(self, checkin_id: str, *, undo: bool) -> None:
        from goaltui.store.checkins import retract_checkin

        retract_checkin(self.db, checkin_id, today=self.today, note="undone" if undo else None)
        self.call_from_thread(self._retracted, checkin_id, undo)

    def _retracted(self, checkin_id: str, undo: bool) -> None:
        if undo and self.session_checkins and self.session_checkins[-1] == checkin_id:
            self.session_checkins.pop()
        self.notify("Undone." if undo else "Retracted.", title="Check-in")
        self.reload()

    def action_help(self) -> None:
        """Show the keys of the focused pane."""
        from goaltui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))
