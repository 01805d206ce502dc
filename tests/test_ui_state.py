"""The App owns the state: keys typed right after `c` reach the form, a save is a request the App
answers, its own write is taken in without reading the database back, and another process's
check-in is read incrementally (only the new rows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from textual.widgets import Input

from goaltui.config import DEMO_AS_OF
from goaltui.metrics.scorecard import build_scorecard, with_trends
from goaltui.store.dataset import load_dataset
from goaltui.store.db import write_session
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import CheckinEditor, CheckinForm
from goaltui.ui.widgets.kpi_table import KpiTable
from tests.ui_helpers import SIZE, demo_app, settle

GOAL = "sales-contracts"


class CountingApp(GoalApp):
    """The dashboard, counting the save requests its forms post."""

    save_requests = 0

    def on_checkin_editor_save_requested(self, message: CheckinEditor.SaveRequested) -> None:
        # Textual calls the base class's handler too: this one only counts.
        self.save_requests += 1


def counting_app(db: Path) -> CountingApp:
    return CountingApp(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, watch=False)


async def on_goal(app: GoalApp, goal_id: str) -> None:
    app.dashboard.unit_id = "sales"
    await app.workers.wait_for_complete()
    table = app.dashboard.query_one(KpiTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(goal_id))


def current_row(app: GoalApp, goal_id: str) -> dict[str, object]:
    assert app.scorecard is not None
    return app.scorecard.goals.filter(pl.col("goal_id") == goal_id).row(0, named=True)


async def test_digits_typed_right_after_c_all_reach_the_value_field(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_goal(app, GOAL)
        await pilot.pause()
        # No pause between the keys: `1`, `2` and `3` are also the dashboard's tab keys.
        await pilot.press("c", "1", "2", "3", "4", "5")
        assert isinstance(app.screen, CheckinForm)
        assert app.screen.query_one("#value", Input).value == "12345"
        assert app.dashboard.query_one("#tabs").active == "kpis"  # type: ignore[attr-defined]


async def test_goal_detail_check_in_takes_the_keys_typed_at_once(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_goal(app, GOAL)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c", "7", "8")
        assert isinstance(app.screen, CheckinForm)
        assert app.screen.query_one("#value", Input).value == "78"


async def test_a_save_is_a_request_the_app_answers_without_reading_back(demo_db: Path) -> None:
    app = counting_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_goal(app, GOAL)
        before = current_row(app, GOAL)
        await pilot.press("c", *"9", "ctrl+s")
        await settle(pilot)
        assert app.save_requests == 1
        assert app.screen is app.dashboard  # the answer closed the form
        assert app.full_reads == 1 and app.rows_read == 0
        after = current_row(app, GOAL)
        assert after["checkin_count"] == int(before["checkin_count"]) + 1  # type: ignore[call-overload]
        # What the dashboard shows equals a full read and computation of the file.
        on_disk = with_trends(build_scorecard(load_dataset(demo_db), DEMO_AS_OF))
        assert app.scorecard is not None
        assert_frame_equal(app.scorecard.goals, on_disk.goals)
        assert_frame_equal(app.scorecard.rollup, on_disk.rollup)
        assert_frame_equal(app.scorecard.objectives, on_disk.objectives)
        # The watch sees the file as this dashboard left it: no read follows.
        app._check_for_changes()
        await settle(pilot)
        assert app.full_reads == 1 and app.rows_read == 0


async def test_a_refused_save_keeps_the_form_with_the_reason(demo_db: Path) -> None:
    app = counting_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_goal(app, GOAL)
        await pilot.press("c", "5")
        form = app.screen
        assert isinstance(form, CheckinForm)
        demo_db.unlink()  # the file went away under the open form
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.save_requests == 1
        assert app.screen is form
        status = str(form.query_one("#checkin-status").content)  # type: ignore[attr-defined]
        assert status.startswith("Not saved: ")


async def test_another_process_check_in_is_read_incrementally(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = app.checkins_known
        command = [sys.executable, "-m", "goaltui", "checkin", GOAL, "3", "--db", str(demo_db)]
        subprocess.run(
            [*command, "--date", "2026-11-15", "--as-of", DEMO_AS_OF.isoformat()],
            check=True,
            capture_output=True,
        )
        app._check_for_changes()
        await settle(pilot)
        assert app.full_reads == 1
        assert app.rows_read == 1
        assert app.checkins_known == seen + 1
        on_disk = with_trends(build_scorecard(load_dataset(demo_db), DEMO_AS_OF))
        assert app.scorecard is not None
        assert_frame_equal(app.scorecard.goals, on_disk.goals)
        assert_frame_equal(app.scorecard.rollup, on_disk.rollup)


async def test_a_change_of_definitions_reads_everything_again(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with write_session(demo_db) as con:
            con.execute("UPDATE kpis SET target = target + 1 WHERE id = $g", {"g": GOAL})
        app._check_for_changes()
        await settle(pilot)
        assert app.full_reads == 2 and app.rows_read == 0
        on_disk = with_trends(build_scorecard(load_dataset(demo_db), DEMO_AS_OF))
        assert app.scorecard is not None
        assert_frame_equal(app.scorecard.goals, on_disk.goals)
