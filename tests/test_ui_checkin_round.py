"""The check-in round: one form per goal, save or skip each, Escape ends with a summary."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from goaltui.metrics.catalog import goal_catalog
from goaltui.model import Checkin
from goaltui.store.dataset import load_dataset
from goaltui.ui.screens.checkin import CheckinEditor
from goaltui.ui.screens.checkin_round import CheckinRound
from goaltui.ui.screens.confirm import ConfirmScreen
from tests.test_ui_checkin_form import AS_OF, SIZE, ScreenApp, checkins_of, make_org_db, settle

GOALS = ["kpi-hire", "kpi-rev", "kpi-conv"]
PREVIOUS = {"kpi-hire": "previous: 27 on 2026-10-31"}


def round_app(db: Path, goal_ids: list[str] | None = None) -> ScreenApp[list[Checkin]]:
    """An app showing a check-in round over `goal_ids` (default GOALS) as of AS_OF."""
    dataset = load_dataset(db)

    def make() -> CheckinRound:
        return CheckinRound(
            dataset=dataset,
            goals=goal_catalog(dataset),
            as_of=AS_OF,
            today=AS_OF,
            goal_ids=GOALS if goal_ids is None else goal_ids,
            previous=PREVIOUS,
        )

    return ScreenApp(make, db)


@pytest.fixture(scope="module")
def org_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small organisation of the form tests, imported once for this module."""
    return make_org_db(tmp_path_factory.mktemp("round-org"))


@pytest.fixture
def org_db(org_template: Path, tmp_path: Path) -> Path:
    """A private copy of the organisation's database for one test."""
    return Path(shutil.copy(org_template, tmp_path / "goals.duckdb"))


def text_of(pilot: Pilot[Any], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).content)


def current_goal(pilot: Pilot[Any]) -> str:
    screen = pilot.app.screen
    assert isinstance(screen, CheckinRound)
    editor = screen.editor
    assert editor is not None
    return editor.goal_id


async def test_round_saves_one_skips_one_and_escape_summarises(org_db: Path) -> None:
    app = round_app(org_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckinRound)
        assert text_of(pilot, "#round-progress") == "1 of 3"
        assert current_goal(pilot) == "kpi-hire"
        assert text_of(pilot, "#previous") == "previous: 27 on 2026-10-31"
        assert screen.focused is screen.query_one("#value", Input)
        await pilot.press(*"31", "ctrl+s")
        await settle(pilot)
        assert text_of(pilot, "#round-progress") == "2 of 3"
        assert current_goal(pilot) == "kpi-rev"
        assert text_of(pilot, "#previous") == "no previous check-in"
        assert screen.focused is screen.query_one("#value", Input)
        await pilot.press("tab")  # empty value: skip
        await pilot.pause()
        assert text_of(pilot, "#round-progress") == "3 of 3"
        assert current_goal(pilot) == "kpi-conv"
        await pilot.press("escape")
        await pilot.pause()
        assert screen.finished and screen.editor is None
        assert text_of(pilot, "#round-progress") == "Round ended: 2 of 3"
        assert text_of(pilot, "#round-summary") == (
            "Saved 1 check-in:\n"
            "  평균 채용 기간 31 days for 2026-11\n"
            "Skipped 1: kpi-rev\n"
            "Not reached: 1"
        )
        assert app.results == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.results) == 1
        saved = app.results[0]
        assert saved is not None and [c.goal_id for c in saved] == ["kpi-hire"]
    assert checkins_of(org_db, "kpi-hire")["value"].to_list() == [27.0, 31.0]
    assert checkins_of(org_db, "kpi-rev").height == 0


async def test_tab_with_a_value_moves_on_instead_of_skipping(org_db: Path) -> None:
    app = round_app(org_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"30", "tab")
        assert current_goal(pilot) == "kpi-hire"
        assert app.screen.focused is app.screen.query_one("#date", Input)


async def test_round_to_the_end_shows_summary_and_enter_closes(org_db: Path) -> None:
    app = round_app(org_db, ["kpi-conv", "kpi-rev"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#denominator-row").display
        await pilot.press(*"9", "tab", "tab", *"40", "ctrl+s")
        await settle(pilot)
        assert current_goal(pilot) == "kpi-rev"
        await pilot.press(*"1,500,000", "ctrl+s")
        await settle(pilot)
        assert text_of(pilot, "#round-progress") == "Round finished: 2 of 2"
        assert text_of(pilot, "#round-summary") == (
            "Saved 2 check-ins:\n"
            "  가입 전환율 9 / 40 for 2026-11\n"
            "  분기 매출 1,500,000 KRW for 2026-Q4"
        )
        await pilot.press("enter")
        await pilot.pause()
        assert [[c.goal_id for c in saved or []] for saved in app.results] == [
            ["kpi-conv", "kpi-rev"]
        ]
    assert checkins_of(org_db, "kpi-rev")["value"].to_list() == [1500000.0]


async def test_escape_with_a_typed_value_asks_before_ending(org_db: Path) -> None:
    app = round_app(org_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"33", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CheckinRound)
        assert app.screen.query_one("#value", Input).value == "33"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, CheckinRound) and app.screen.finished
        assert text_of(pilot, "#round-summary") == "Nothing was saved.\nNot reached: 3"
    assert checkins_of(org_db, "kpi-hire").height == 1


async def test_invalid_value_is_not_skipped_or_saved(org_db: Path) -> None:
    app = round_app(org_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"3x", "ctrl+s")
        await settle(pilot)
        assert current_goal(pilot) == "kpi-hire"
        assert text_of(pilot, "#value-reason") == (
            "'3x' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"
        )
        assert isinstance(app.screen.query_one(CheckinEditor), CheckinEditor)


async def test_empty_round_goes_straight_to_the_summary(org_db: Path) -> None:
    app = round_app(org_db, [])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text_of(pilot, "#round-summary") == (
            "Nothing was saved.\nEvery goal here has a check-in for its current period."
        )
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [[]]


SnapCompare = Callable[..., bool]


def test_snapshot_round(snap_compare: SnapCompare, org_db: Path) -> None:
    app = round_app(org_db)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.press("tab")  # skip kpi-hire
        await pilot.pause()
        await pilot.press(*"1,250,000,000")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_round_summary(snap_compare: SnapCompare, org_db: Path) -> None:
    app = round_app(org_db)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.press(*"31", "ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("tab", "escape")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
