"""SVG snapshots of each pane at 120x40 on the demo organisation (Korean names included), in
English and, for the `_ko` variants, in Korean."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from textual.pilot import Pilot

from goaltui.cycle import close_period, grade_key_result
from goaltui.ui.app import GoalApp
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.org_tree import OrgTree
from tests.ui_helpers import SIZE, copy_db, demo_app, make_demo_db, settle

SnapCompare = Callable[..., bool]


@pytest.fixture(scope="session")
def snapshot_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = make_demo_db(tmp_path_factory.mktemp("snap-master"))
    # The import wrote who made each definition and when; the forms and the goal detail show
    # it, so it is pinned for pictures that do not depend on the clock or the login.
    with duckdb.connect(str(db)) as con:
        con.execute(
            "UPDATE history SET changed_at = TIMESTAMP '2026-11-16 09:00:00', changed_by = 'demo'"
        )
    return db


def _goto(unit: str, *keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.clear_notifications()
        pilot.app.dashboard.unit_id = unit  # type: ignore[attr-defined]
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def test_kpi_pane(snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_goto("sales"))


def test_okr_pane(snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_goto("product", "2"))


def test_quality_pane(snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_goto("hb", "3"))


def test_goal_detail(snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto("cs")(pilot)
        pilot.app.dashboard.query_one(KpiTable).focus()  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_small_terminal(snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_goto("marketing"))


def test_carry_over_preview(
    snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto("hb")(pilot)
        assert isinstance(pilot.app, GoalApp)
        pilot.app.request_carry_over("2026-Q3", "2026-Q4")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_review_of_a_closed_quarter(
    snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    db = copy_db(snapshot_master, tmp_path)
    close_period(db, "2026-Q3")
    grade_key_result(db, "product-2026q3-kr1", 0.8, note="대시보드는 늦었지만 쓸모 있다")
    app = demo_app(db)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto("hb")(pilot)
        assert isinstance(pilot.app, GoalApp)
        pilot.app.open_review("2026-Q3", "hb")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# The same panes for a Korean reader: labels, status words, help and numbers (억/만) in Korean.


def test_kpi_pane_ko(
    korean: None, snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_goto("sales"))


def test_okr_pane_ko(
    korean: None, snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_goto("product", "2"))


def test_quality_pane_ko(
    korean: None, snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_goto("hb", "3"))


def test_goal_detail_ko(
    korean: None, snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto("cs")(pilot)
        pilot.app.dashboard.query_one(KpiTable).focus()  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_ko(
    korean: None, snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=SIZE, run_before=_goto("sales", "question_mark"))


def test_small_terminal_ko(
    korean: None, snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_goto("marketing"))


def test_add_kpi_form_refused(
    snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto("sales")(pilot)
        pilot.app.dashboard.query_one(KpiTable).focus()  # type: ignore[attr-defined]
        await pilot.press("n", *"Demos")
        pilot.app.screen.query_one("#target").focus()
        await pilot.press(*"1,25", "ctrl+s")  # refused: the reasons beside their fields
        await settle(pilot)
        # The refusal puts the cursor in the first refused field; made sure of before the shot.
        pilot.app.screen.query_one("#unit").focus()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_edit_key_result_form(
    snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path
) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto("product", "2", "down")(pilot)
        await pilot.press("E")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_edit_unit_form(snap_compare: SnapCompare, snapshot_master: Path, tmp_path: Path) -> None:
    app = demo_app(copy_db(snapshot_master, tmp_path))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _goto("sales")(pilot)
        pilot.app.dashboard.query_one(OrgTree).focus()  # type: ignore[attr-defined]
        await pilot.press("E")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
