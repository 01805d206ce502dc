"""Pilot tests of the quarterly cycle in the dashboard: carry-over after a preview, close and
reopen from the palette, frozen grades in the OKR pane, and the review of a period."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from textual.widgets import Static

from goaltui.config import DEMO_AS_OF
from goaltui.cycle import grade_key_result, plan_carry_over, read_cycle_state, review_data
from goaltui.store.dataset import load_dataset
from goaltui.store.db import read_session
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import CheckinForm
from goaltui.ui.screens.confirm import ConfirmScreen
from goaltui.ui.screens.cycle import CarryOverPreview, ReviewScreen
from goaltui.ui.widgets.okr_tree import OkrTree
from tests.test_ui_checkin_form import reason, type_into
from tests.ui_helpers import SIZE, copy_db, demo_app, make_demo_db, pick_in_palette, settle

CARRY = "period: carry over unfinished objectives to 2026-Q4 (from 2026-Q3)"


@pytest.fixture(scope="session")
def cycle_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_db(tmp_path_factory.mktemp("cycle-master"))


@pytest.fixture
def demo_db(cycle_master: Path, tmp_path: Path) -> Path:
    return copy_db(cycle_master, tmp_path)


def objective_ids(db: Path) -> set[str]:
    return set(load_dataset(db).objectives["id"].to_list())


def history_rows(db: Path) -> int:
    with read_session(db) as con:
        return int(con.sql("SELECT count(*) FROM history").fetchall()[0][0])


def on_dashboard(app: GoalApp) -> bool:
    """Whether the dashboard is the screen on top (every dialog closed)."""
    return app.screen_stack[-1] is app.dashboard


def messages(app: GoalApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_carry_over_previews_then_creates_and_a_second_run_creates_nothing(
    demo_db: Path,
) -> None:
    expected = plan_carry_over(load_dataset(demo_db), "2026-Q3", "2026-Q4")
    new_ids = expected.objectives["id"].to_list() + expected.key_results["id"].to_list()
    assert expected.objectives.height == 3  # the demo has unfinished objectives to carry
    before = objective_ids(demo_db)
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "carry over 2026-Q4 from 2026-Q3", CARRY)
        await settle(pilot)
        preview = app.screen
        assert isinstance(preview, CarryOverPreview)
        listing = str(preview.query_one("#carry-items", Static).content)
        for new_id in new_ids:
            assert new_id in listing
        # Each new key result is listed with the baseline it will get.
        first_kr = expected.key_results.row(0, named=True)
        assert f"{first_kr['id']}  {first_kr['title']}" in listing
        assert objective_ids(demo_db) == before  # nothing written while previewing
        await pilot.press("enter")
        await settle(pilot)
        assert on_dashboard(app)
        assert objective_ids(demo_db) == before | set(expected.objectives["id"].to_list())
        assert any(all(i in m for i in new_ids) for m in messages(app))
        said = "Carried 3 objectives over from 2026-Q3 to 2026-Q4 with 6 key results: "
        assert any(m.startswith(said) for m in messages(app))
        # The dashboard reloaded: the new objectives are in its data.
        assert app.dataset is not None
        assert set(expected.objectives["id"]) <= set(app.dataset.objectives["id"].to_list())
        app.clear_notifications()
        await pick_in_palette(pilot, "carry over 2026-Q4 from 2026-Q3", CARRY)
        await settle(pilot)
        assert on_dashboard(app)  # no preview of nothing
        assert any(m.startswith("Nothing to carry over from 2026-Q3") for m in messages(app))
    after = load_dataset(demo_db)
    assert after.objectives.height == len(before) + expected.objectives.height


async def test_escape_on_the_preview_writes_nothing(demo_db: Path) -> None:
    before, history = objective_ids(demo_db), history_rows(demo_db)
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "carry over 2026-Q4 from 2026-Q3", CARRY)
        await settle(pilot)
        assert isinstance(app.screen, CarryOverPreview)
        await pilot.press("escape")
        await settle(pilot)
        assert on_dashboard(app)
    assert objective_ids(demo_db) == before
    assert history_rows(demo_db) == history


async def test_close_from_the_palette_refuses_a_check_in_into_the_period(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "close 2026-Q3", "period: close 2026-Q3 and grade it")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert any(m.startswith("Closed 2026-Q3: graded 4 objectives") for m in messages(app))
        assert app.cycle is not None
        assert app.cycle.closed_periods["period"].to_list() == ["2026-Q3"]
        await app.open_checkin("product-2026q3-kr1")
        await pilot.pause()
        assert isinstance(app.screen, CheckinForm)
        await type_into(pilot, "value", "3")
        await type_into(pilot, "date", "2026-09-20")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CheckinForm)  # refused: the form stays
        shown = " ".join(
            [str(app.screen.query_one("#checkin-status", Static).content), reason(app, "date")]
        )
        assert "2026-Q3 is closed for objective 'product-2026q3'" in shown
        assert "goaltui reopen 2026-Q3" in shown
    dataset = load_dataset(demo_db)
    late = dataset.checkins.filter(
        (pl.col("goal_id") == "product-2026q3-kr1") & (pl.col("value") == 3.0)
    )
    assert late.height == 0


async def test_okr_pane_shows_the_grade_and_the_override_apart_from_the_score(
    demo_db: Path,
) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "close 2026-Q3", "period: close 2026-Q3 and grade it")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        app.reload(DEMO_AS_OF.replace(month=9))  # back in 2026-Q3, where its objectives show
        await settle(pilot)
        # Graded by judgement in another terminal: the dashboard's watch picks it up.
        grade_key_result(demo_db, "product-2026q3-kr1", 0.8, note="shipped late, worth it")
        app._check_for_changes()
        await settle(pilot)
        assert app.full_reads == 3  # opening, after the close, back in 2026-Q3: no read for it
        dashboard = app.dashboard
        dashboard.focus_goal("product-2026q3-kr1", unit_id="product", kind="kr")
        await settle(pilot)
        tree = dashboard.query_one(OkrTree)
        lines = [str(node.label) for node in tree.root.children[0].children]
        frozen = read_cycle_state(demo_db).grades.filter(pl.col("goal_id") == "product-2026q3-kr1")
        score = frozen["score"][0]
        assert any(f"[graded {score:.2f} (override 0.80)]" in line for line in lines)
        detail = str(dashboard.query_one("#okr-detail", Static).content)
        assert f"[graded {score:.2f} (override 0.80: shipped late, worth it)]" in detail
        objective = str(tree.root.children[0].label)
        assert objective.startswith("[graded ")
        assert "(override " in objective  # the objective's grade follows its KRs' overrides


async def test_review_shows_the_headless_distribution_and_saves_the_text(
    demo_db: Path, tmp_path: Path
) -> None:
    grade_target = tmp_path / "meeting.md"
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "review 2026-Q3", "period: review 2026-Q3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        headless = review_data(
            load_dataset(demo_db), read_cycle_state(demo_db), "2026-Q3", DEMO_AS_OF, unit="hb"
        )
        assert screen.data.counts == headless.counts
        assert sum(headless.counts.values()) == headless.rows.height == 4
        shown = str(screen.query_one("#review-distribution", Static).content)
        counts = headless.counts
        assert (
            f"{counts['red']} red, {counts['yellow']} yellow, {counts['green']} green "
            f"of {headless.rows.height} objectives"
        ) in shown
        text = str(screen.query_one("#review-text", Static).content)
        assert text.startswith("# Review of 2026-Q3 (ended")
        await pilot.press("s")
        await settle(pilot)
        box = screen.query_one("#review-path")
        assert box.has_focus
        assert getattr(box, "value", None) == "review-2026-Q3.md"
        await pilot.press("ctrl+u", *str(grade_target), "enter")
        await settle(pilot)
        status = str(screen.query_one("#review-status", Static).content)
        assert status.startswith(f"Saved the review of 2026-Q3 to {grade_target}")
        await pilot.press("escape")
        await settle(pilot)
        assert on_dashboard(app)
    assert grade_target.read_text(encoding="utf-8") == text


async def test_review_key_opens_the_current_quarter(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert (screen.data.period, screen.data.state) == ("2026-Q4", "running")


def test_review_table_flags_committed_objectives_below_one(tmp_path: Path) -> None:
    from rich.console import Console

    from goaltui.cycle import close_period
    from goaltui.store.importer import import_path
    from goaltui.ui.screens.cycle import review_table
    from tests.test_cycle import write_org

    db = tmp_path / "org.duckdb"
    import_path(db, write_org(tmp_path / "org"))
    close_period(db, "2026-Q3")
    data = review_data(load_dataset(db), read_cycle_state(db), "2026-Q3", DEMO_AS_OF)
    flagged = set(data.rows.filter(pl.col("review"))["id"].to_list())
    assert flagged == {"q3-org"}  # committed and graded below 1.0; q3-done reached 1.0
    console = Console(width=160, record=True, color_system=None)
    console.print(review_table(data, {}))
    lines = console.export_text().splitlines()
    assert [line for line in lines if "to review" in line] == [
        next(line for line in lines if "q3-org" in line)
    ]
