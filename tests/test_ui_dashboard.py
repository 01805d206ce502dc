"""Pilot tests of the dashboard: drill, back, palette, sort, filter, time travel, detail, help."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from textual.widgets import Static

from goaltui.config import DEMO_AS_OF
from goaltui.store.dataset import load_goal_checkins
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.goal_detail import CheckinLog, GoalDetailScreen
from goaltui.ui.screens.help import HelpScreen
from goaltui.ui.widgets.children_table import ChildrenTable
from goaltui.ui.widgets.header import DashboardHeader
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.okr_tree import OkrTree
from goaltui.ui.widgets.quality_table import QualityTable
from tests.ui_helpers import SIZE, demo_app, pick_in_palette, settle


def kpi_ids(table: KpiTable) -> list[str]:
    return [str(key.value) for key in table.rows]


async def test_opens_on_the_organisation(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        assert screen.unit_id == "hb"
        header = screen.query_one(DashboardHeader)
        assert header.breadcrumb == ("주식회사 허밍버즈",)
        assert header.as_of == DEMO_AS_OF
        table = screen.query_one(KpiTable)
        assert screen.focused is table
        scorecard = screen.scorecard
        assert scorecard is not None
        own = scorecard.goals.filter((pl.col("kind") == "kpi") & (pl.col("unit_id") == "hb"))
        assert sorted(kpi_ids(table)) == sorted(own["goal_id"].to_list())
        children = screen.query_one(ChildrenTable)
        assert {str(k.value) for k in children.rows} == {
            "sales",
            "marketing",
            "hr",
            "cs",
            "product",
        }


async def test_drill_into_a_team_and_back(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        children = screen.query_one(ChildrenTable)
        children.focus()
        sales_row = children.get_row_index("sales")
        children.move_cursor(row=sales_row)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.unit_id == "sales"
        assert screen.query_one(DashboardHeader).breadcrumb == ("주식회사 허밍버즈", "영업팀")
        names = {
            str(screen.query_one(KpiTable).get_row(key)[0])
            for key in screen.query_one(KpiTable).rows
        }
        assert "분기 매출 10억 원 이상 달성" in names
        # Goals of units outside the current subtree are not listed.
        assert "채용 소요 기간 평균 45일 이내" not in names
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.unit_id == "hb"


async def test_palette_jumps_to_a_unit_by_korean_name(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "go: 인사팀", "인사팀")
        await settle(pilot)
        assert app.dashboard.unit_id == "hr"


async def test_palette_goal_puts_the_cursor_on_the_goal(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "goal: 채용 소요 기간", "채용 소요 기간 평균 45일 이내")
        await settle(pilot)
        screen = app.dashboard
        assert screen.unit_id == "hr"
        table = screen.query_one(KpiTable)
        assert str(table.get_row(table.goal_id or "")[0]) == "채용 소요 기간 평균 45일 이내"


async def test_sort_by_column_and_reverse(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.unit_id = "sales"
        await settle(pilot)
        table = app.dashboard.query_one(KpiTable)
        table.focus()
        by_name = [str(table.get_row(k)[0]) for k in table.rows]
        assert by_name == sorted(by_name)
        await pilot.press("S")
        await pilot.pause()
        assert [str(table.get_row(k)[0]) for k in table.rows] == sorted(by_name, reverse=True)
        # The next column after the name is achievement.
        await pilot.press("s")
        await pilot.pause()
        scorecard = app.dashboard.scorecard
        assert scorecard is not None
        expected = (
            scorecard.goals.filter((pl.col("kind") == "kpi") & (pl.col("unit_id") == "sales"))
            .sort("achievement", "name", descending=True, nulls_last=True)["goal_id"]
            .to_list()
        )
        assert kpi_ids(table) == expected


async def test_filter_by_text(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.unit_id = "sales"
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"매출")
        await pilot.pause()
        table = app.dashboard.query_one(KpiTable)
        names = [str(table.get_row(k)[0]) for k in table.rows]
        assert names and all("매출" in name for name in names)
        await pilot.press("escape")
        await pilot.pause()
        assert len(list(table.rows)) > len(names)


async def test_period_travel_recomputes(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        screen = app.dashboard
        assert screen.as_of == date(2026, 10, 16)
        assert screen.scorecard is not None and screen.scorecard.as_of == date(2026, 10, 16)
        assert screen.query_one(DashboardHeader).as_of == date(2026, 10, 16)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.as_of == DEMO_AS_OF
        # Not past today (the demo's date here).
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.as_of == DEMO_AS_OF


async def test_enter_opens_goal_detail_with_its_log(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.unit_id = "sales"
        await settle(pilot)
        table = app.dashboard.query_one(KpiTable)
        table.focus()
        goal_id = table.goal_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalDetailScreen)
        assert app.screen.goal_id == goal_id
        log = app.screen.query_one(CheckinLog)
        # The log is read on demand, from the database: every entry of that goal.
        count = load_goal_checkins(demo_db, goal_id).height
        assert count > 0
        assert log.row_count == count
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen_stack[-1] is app.dashboard


async def test_goal_detail_explains_the_expected_progress_of_a_baseline_key_result(
    demo_db: Path,
) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.open_goal("hb-2026q4-kr1")
        await settle(pilot)
        assert isinstance(app.screen, GoalDetailScreen)
        scorecard = app.dashboard.scorecard
        assert scorecard is not None
        row = scorecard.goals.filter(pl.col("goal_id") == "hb-2026q4-kr1").row(0, named=True)
        assert row["pace_kind"] == "baseline"
        summary = str(app.screen.query_one("#summary", Static).render())
        # A change_pct key result starts from its previous quarter's actual.
        expected = f"Expected {row['expected_progress']:.0%} of the way from "
        assert expected in summary
        assert f"by today, at {row['progress']:.0%} (actual " in summary
        assert "of the way from" in summary.split("Expected")[1]


async def test_okr_tree_lists_objectives_and_key_results(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        tree = app.dashboard.query_one(OkrTree)
        labels = [str(node.label) for node in tree.root.children]
        assert any("신규 사용자가 실제 사용자로 빠르게 전환되는 구조를 만든다" in t for t in labels)
        assert all(len(node.children) >= 1 for node in tree.root.children)


async def test_help_lists_the_live_bindings(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        does = {what for _, what, _ in app.screen.rows}
        # The focused KPI table's own keys and the screen's, as bound right now.
        assert {"Check in", "Sort", "Up", "Filter", "Quit"} <= does
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_quality_pane_explains_and_enter_jumps_to_the_goal(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.dashboard
        table = screen.query_one(QualityTable)
        rules = [str(table.get_row(key)[0]) for key in table.rows]
        assert "unlinked" in rules
        table.focus()
        table.move_cursor(row=rules.index("unlinked"))
        await pilot.pause()
        explanation = str(screen.query_one("#finding", Static).content)
        assert "unlinked" in explanation and "Suggestion:" in explanation
        await pilot.press("enter")
        await settle(pilot)
        assert screen.unit_id == "sales-park"
        kpis = screen.query_one(KpiTable)
        assert screen.focused is kpis
        assert kpis.goal_id == "sales-park-meetings"


class RecordingApp(GoalApp):
    """Keeps what the app told the user."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.told: list[tuple[str, str]] = []

    def notify(self, message: str, *, title: str = "", **kwargs: Any) -> None:
        self.told.append((title, message))
        super().notify(message, title=title, **kwargs)


async def test_a_file_that_is_not_a_database_is_one_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_bytes(b"these are my notes, not a database" * 100)
    app = RecordingApp(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, watch=False)
    expected = ("Could not load the data", f"{db}: this file is not a goaltui database")
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 20
        while expected not in app.told:  # the load fails in a worker; wait for its message
            assert time.monotonic() < deadline, app.told
            await pilot.pause(0.05)
        await pilot.pause()
        assert not app.dashboard.query_one("#main").loading
        assert db.read_bytes().startswith(b"these are my notes")
