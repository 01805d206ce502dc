"""Pilot tests of what a new user met on a real organisation and on the demo (issue 15): each
test names the symptom it keeps away."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from rich.text import Text
from textual.widgets import Static

from goaltui.model.enums import STATUS_WORDS
from goaltui.ui.widgets.okr_tree import OkrTree, pace_note
from tests.ui_helpers import SIZE, copy_db, demo_app, make_demo_db, settle


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_db(tmp_path_factory.mktemp("symptoms-master"))


@pytest.fixture
def demo_db(demo_master: Path, tmp_path: Path) -> Path:
    return copy_db(demo_master, tmp_path)


def _detail(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


async def test_okr_status_never_runs_into_the_figures(demo_db: Path) -> None:
    """Symptom 1: "3,900,000 CHFoff track"; every status word stands apart from the target."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        for unit in ("marketing", "product", "sales"):
            screen.unit_id = unit
            await pilot.press("2")
            await settle(pilot)
            tree = screen.query_one(OkrTree)
            for objective in tree.root.children:
                for leaf in objective.children:
                    line = str(leaf.label)
                    words = [w for w in STATUS_WORDS.values() if w in line]
                    assert words, line
                    before = line[: line.index(words[0])]
                    assert before.endswith("  "), line


async def test_a_score_beside_a_worse_status_is_explained(demo_db: Path) -> None:
    """Symptom 1: a green or yellow score next to a red status says why (the pace rule)."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        scorecard = screen.scorecard
        assert scorecard is not None
        behind = scorecard.goals.filter(
            (pl.col("kind") == "kr")
            & pl.col("status").is_in(["at_risk", "off_track"])
            & (pl.col("score") >= 0.4)
            & pl.col("is_current")
        ).sort("goal_id")
        assert behind.height
        kr = behind.row(0, named=True)
        note = pace_note(kr)
        assert note is not None and f"{kr['score']:.2f}" in note
        screen.focus_goal(kr["goal_id"], unit_id=kr["unit_id"], kind="kr")
        await settle(pilot)
        assert note in _detail(screen.query_one("#okr-detail", Static))
