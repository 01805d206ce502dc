"""The Due pane and the due marks of the dashboard, on the demo organisation at its date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from goaltui.store.dataset import load_dataset
from goaltui.ui.screens.checkin import CheckinForm
from goaltui.ui.screens.checkin_round import CheckinRound
from goaltui.ui.screens.goal_detail import GoalDetailScreen
from goaltui.ui.widgets.due_table import ESCALATED, DueTable
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.okr_tree import OkrTree
from goaltui.ui.widgets.org_tree import OrgTree
from tests.ui_helpers import SIZE, copy_db, demo_app, make_demo_db, pick_in_palette, settle

SnapCompare = Callable[..., bool]

OWED_AT_HB = [
    "product-seo-2026q4-kr1",
    f"product-seo-2026q4-kr1{ESCALATED}product",
    "hb-talent",
    "cs-lim-help-articles",
    "product-seo-2026q4-kr2",
]
"""The demo's due list below the organisation on its date: the product KR more than twice its
cadence late is listed again for the product team."""


@pytest.fixture(scope="session")
def due_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_db(tmp_path_factory.mktemp("due-master"))


@pytest.fixture
def demo_db(due_master: Path, tmp_path: Path) -> Path:
    return copy_db(due_master, tmp_path)


def row_keys(table: DueTable) -> list[str]:
    return [str(key.value) for key in table.rows]


async def open_due(pilot: Pilot[Any], unit: str) -> DueTable:
    await settle(pilot)
    pilot.app.dashboard.unit_id = unit  # type: ignore[attr-defined]
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    table: DueTable = pilot.app.dashboard.query_one(DueTable)  # type: ignore[attr-defined]
    table.focus()
    await pilot.pause()
    return table


async def test_key_4_lists_the_subtree_most_overdue_first(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_due(pilot, "hb")
        assert app.dashboard.query_one(TabbedContent).active == "due"
        assert row_keys(table) == OWED_AT_HB
        first = table.get_row_at(0)
        assert str(first[0]) == "18 days overdue"
        assert "bold" in str(first[0].style)  # type: ignore[union-attr]
        assert str(first[1]) == "서예린"
        assert str(table.get_row_at(1)[1]) == "제품팀 (from 서예린)"
        assert [str(c) for c in table.get_row_at(3)[3:]] == ["weekly", "2026-11-08"]
        app.dashboard.unit_id = "cs"
        await settle(pilot)
        assert row_keys(table) == ["cs-lim-help-articles"]
        app.dashboard.unit_id = "sales"
        await settle(pilot)
        assert row_keys(table) == []


async def test_palette_opens_the_due_pane(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "pane: due", "pane: Due")
        await settle(pilot)
        assert app.dashboard.query_one(TabbedContent).active == "due"


async def test_enter_opens_the_goal(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_due(pilot, "hb")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalDetailScreen)
        assert app.screen.goal_id == "product-seo-2026q4-kr1"


async def test_c_checks_in_and_the_row_leaves_the_list(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_due(pilot, "hb")
        await pilot.press("down", "down")  # hb-talent
        assert table.goal_id == "hb-talent"
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CheckinForm)
        await pilot.press(*"95.5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CheckinForm)
        assert "hb-talent" not in row_keys(table)
        assert row_keys(table) == [k for k in OWED_AT_HB if k != "hb-talent"]
    stored = load_dataset(demo_db).checkins.filter(pl.col("goal_id") == "hb-talent")
    assert stored.sort("seq")["value"].to_list()[-1] == 95.5


async def test_marks_in_the_kpi_table_okr_tree_and_unit_tree(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        kpis = app.dashboard.query_one(KpiTable)
        names = {str(key.value): str(kpis.get_row(key)[0]) for key in kpis.rows}
        assert names["hb-talent"] == "! 핵심 인재 유지율 95% 이상"
        assert names["hb-revenue"] == "연간 매출 40억 원 이상 달성"
        tree = app.dashboard.query_one(OrgTree)
        # The name gives way (with an ellipsis) so that the counts show whole.
        assert str(tree.root.label).startswith("주식회사 허밍")
        assert " !4 ✓" in str(tree.root.label)
        labels = {str(n.data): str(n.label) for n in tree.root.children}
        assert labels["product"].startswith("제품팀 !2 ")
        assert labels["cs"].startswith("고객지원팀 !1 ")
        assert "!" not in labels["sales"]
        app.dashboard.unit_id = "product-seo"
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        okr = app.dashboard.query_one(OkrTree)
        krs = {
            leaf.data[1]: str(leaf.label)
            for node in okr.root.children
            for leaf in node.children
            if leaf.data is not None
        }
        assert krs["product-seo-2026q4-kr1"].startswith("! ")
        assert krs["product-seo-2026q4-kr2"].startswith("! ")
        assert not any(label.startswith("!") for k, label in krs.items() if k.endswith("kr3"))


async def test_the_round_starts_with_the_goals_that_owe_a_checkin(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CheckinRound)
        owed = [k for k in OWED_AT_HB if ESCALATED not in k]
        assert app.screen.goal_ids[: len(owed)] == owed
        assert len(app.screen.goal_ids) == len(set(app.screen.goal_ids))


def test_due_pane_snapshot(snap_compare: SnapCompare, due_master: Path, tmp_path: Path) -> None:
    app = demo_app(copy_db(due_master, tmp_path))

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.clear_notifications()
        await open_due(pilot, "hb")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_pane_key_hands_the_keys_to_that_pane(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert isinstance(app.focused, OkrTree)
        await pilot.press("4")
        assert isinstance(app.focused, DueTable)
        # `c` right away checks in the goal the Due pane highlights, not an empty form.
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CheckinForm)
        assert app.screen.editor.goal_id == OWED_AT_HB[0]
