"""From a goal's check-in log: correct (e), retract (d, after a yes), undo the last (u)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from textual.pilot import Pilot

from goaltui.store.dataset import load_dataset
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import CheckinForm
from goaltui.ui.screens.confirm import ConfirmScreen
from goaltui.ui.screens.goal_detail import CheckinLog, GoalDetailScreen
from goaltui.ui.widgets.kpi_table import KpiTable
from tests.ui_helpers import SIZE, copy_db, demo_app, make_demo_db, settle

GOAL = "sales-contracts"


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_db(tmp_path_factory.mktemp("corrections-master"))


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app run until `condition()` holds (bounded)."""
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def open_detail(app: GoalApp, pilot: Pilot[None]) -> GoalDetailScreen:
    await settle(pilot)
    app.dashboard.unit_id = "sales"
    await settle(pilot)
    table = app.dashboard.query_one(KpiTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(GOAL))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, GoalDetailScreen)
    return app.screen


def log_states(db: Path) -> pl.DataFrame:
    from goaltui.store.checkins import checkin_log

    return checkin_log(load_dataset(db), GOAL)


async def test_retract_asks_first_then_marks_the_entry(demo_master: Path, tmp_path: Path) -> None:
    db = copy_db(demo_master, tmp_path)
    app = demo_app(db)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(app, pilot)
        log = detail.query_one(CheckinLog)
        log.focus()
        target = log.checkin_id
        assert target is not None
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot)
        assert log_states(db).filter(pl.col("id") == target)["state"].to_list() == ["active"]
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        states = log_states(db)
        assert states.filter(pl.col("id") == target)["state"].to_list() == ["retracted"]
        # The screen shows it as such once the data is read again.
        await until(pilot, lambda: "retracted" in str(log.get_cell(target, "state")))


async def test_correct_prefills_the_form_and_supersedes(demo_master: Path, tmp_path: Path) -> None:
    db = copy_db(demo_master, tmp_path)
    app = demo_app(db)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(app, pilot)
        log = detail.query_one(CheckinLog)
        log.focus()
        target = log.checkin_id
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, CheckinForm))
        value = app.screen.query_one("#value")
        value.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"9", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, CheckinForm))
        await settle(pilot)
        states = log_states(db)
        assert states.filter(pl.col("id") == target)["state"].to_list() == ["corrected"]
        correction = states.filter(pl.col("supersedes") == target)
        assert correction["value"].to_list() == [9.0]
        assert correction["state"].to_list() == ["correction"]


async def test_undo_retracts_the_last_check_in_of_the_session(
    demo_master: Path, tmp_path: Path
) -> None:
    db = copy_db(demo_master, tmp_path)
    app = demo_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CheckinForm))
        await pilot.press(*"5", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, CheckinForm))
        await settle(pilot)
        (saved,) = app.session_checkins
        assert log_states(db).filter(pl.col("id") == saved)["state"].to_list() == ["active"]
        await pilot.press("u")
        await settle(pilot)
        assert log_states(db).filter(pl.col("id") == saved)["state"].to_list() == ["retracted"]
        assert app.session_checkins == []
        await pilot.press("u")  # nothing left to undo: says so, changes nothing
        await settle(pilot)
        assert (
            log_states(db).height
            == load_dataset(db).checkins.filter(pl.col("goal_id") == GOAL).height
        )
