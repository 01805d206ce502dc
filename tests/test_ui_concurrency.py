"""Many processes on one database: dashboards notice writes by others, nothing is lost, and a
check-in confirmed on screen is on disk even if the app is killed right after."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from goaltui.config import DEMO_AS_OF
from goaltui.store.dataset import load_dataset
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import CheckinForm
from goaltui.ui.widgets.kpi_table import KpiTable
from tests.ui_helpers import SIZE, copy_db, make_demo_db, settle

KILLABLE = """
import asyncio, sys
from datetime import date
from pathlib import Path
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import CheckinForm

class Killable(GoalApp):
    def _saved(self, checkin):
        super()._saved(checkin)
        if checkin is not None:
            print("SAVED", checkin.id, checkin.goal_id, checkin.value, flush=True)

async def main():
    day = date(2026, 11, 16)
    app = Killable(db=Path(sys.argv[1]), as_of=day, today=day, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.dashboard.unit_id = "sales"
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.dashboard.query_one("#kpi-table")
        table.move_cursor(row=table.get_row_index("sales-contracts"))
        await pilot.press("c")
        while not isinstance(app.screen, CheckinForm):  # under load the form takes a moment
            await pilot.pause(0.05)
        await pilot.pause()
        await pilot.press(*"31", "ctrl+s")
        await asyncio.Event().wait()  # the test kills this process

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_db(tmp_path_factory.mktemp("concurrency-master"))


def test_check_in_survives_a_kill_right_after_the_confirmation(
    demo_master: Path, tmp_path: Path
) -> None:
    db = copy_db(demo_master, tmp_path)
    before = load_dataset(db).checkins.height
    script = tmp_path / "killable.py"
    script.write_text(KILLABLE)
    child = subprocess.Popen(
        [sys.executable, str(script), str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Should the form never confirm, the safety net ends the child and readline returns "".
    safety_net = threading.Timer(60, child.kill)
    safety_net.start()
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        safety_net.cancel()
        child.wait(timeout=30)
    assert line.startswith("SAVED"), child.stderr.read() if child.stderr else line
    _, checkin_id, goal_id, value = line.split()
    after = load_dataset(db).checkins
    assert after.height == before + 1
    saved = after.filter(pl.col("id") == checkin_id)
    assert saved["goal_id"].to_list() == [goal_id]
    assert saved["value"].to_list() == [float(value)] == [31.0]


async def _wait_for(pilot: Pilot[None], condition: object, timeout: float = 20.0) -> None:
    """Wait, by letting the app run, until `condition()` holds (bounded; no fixed sleeps)."""
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the dashboard did not refresh in time"
        await pilot.pause(0.05)
        with contextlib.suppress(WorkerCancelled):  # a newer read took over from it
            await pilot.app.workers.wait_for_complete()


def _checkins_seen(app: GoalApp) -> int:
    return app.checkins_known


async def test_two_dashboards_and_a_cli_writer_share_one_file(
    demo_master: Path, tmp_path: Path
) -> None:
    db = copy_db(demo_master, tmp_path)
    before = load_dataset(db).checkins.height
    first = GoalApp(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, watch=True)
    second = GoalApp(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, watch=True)
    async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
        await settle(one)
        await settle(two)
        # The second dashboard sits on the sales team, KPI pane; its place must survive.
        second.dashboard.unit_id = "sales"
        await settle(two)
        table = second.dashboard.query_one(KpiTable)
        table.focus()
        table.move_cursor(row=2)
        place = table.goal_id
        # A script writes through the command line while both dashboards are open.
        writers = [
            asyncio.create_subprocess_exec(
                sys.executable, "-m", "goaltui", "checkin", "sales-contracts", str(n),
                "--db", str(db), "--date", "2026-11-15", "--as-of", "2026-11-16",
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )
            for n in (1, 2, 3)
        ]  # fmt: skip
        processes = [await w for w in writers]
        # The first dashboard saves one through its form at the same time.
        first_table = first.dashboard.query_one(KpiTable)
        first_table.focus()
        first_table.move_cursor(row=first_table.get_row_index("hb-csat"))
        await one.press("c")
        await _wait_for(one, lambda: isinstance(first.screen, CheckinForm))
        await one.press(*"4.4", "ctrl+s")
        for process in processes:
            _, err = await process.communicate()
            assert process.returncode == 0, err
        expected = before + 4
        await _wait_for(one, lambda: _checkins_seen(first) == expected)
        await _wait_for(two, lambda: _checkins_seen(second) == expected)
        assert second.dashboard.unit_id == "sales"
        assert table.goal_id == place
    assert load_dataset(db).checkins.height == expected
