"""Pilot tests of what a new user met on a real organisation and on the demo (issue 15): each
test names the symptom it keeps away."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from goaltui.config import DEMO_AS_OF
from goaltui.model.enums import STATUS_WORDS
from goaltui.ui.app import GoalApp
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


def _svg_line_texts(svg: str, line: int) -> list[str]:
    """The text pieces an SVG screenshot draws on terminal line `line`, as written."""
    pattern = rf'<text [^>]*clip-path="url\(#terminal-[0-9-]*line-{line}\)">([^<]*)</text>'
    return [piece.replace("&#160;", " ") for piece in re.findall(pattern, svg)]


async def test_header_words_keep_their_spaces_in_a_screenshot(demo_db: Path) -> None:
    """Symptom 10: the header read "goaltuidemo" and "goaltuias of" in screenshots (an SVG
    renderer drops the spaces a styled piece begins with)."""
    app = GoalApp(db=demo_db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, demo=True, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pieces = _svg_line_texts(app.export_screenshot(), 0)
        # Each word is a piece of its own, placed by its column: the gaps are drawn as gaps.
        assert pieces[:3] == ["goaltui", "demo", "as of 2026-11-16"]
        assert not [piece for piece in pieces if piece[:1] == " " and piece.strip()]


def test_table_report_fits_the_terminal_width(
    demo_master: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Symptom 10: the `table` report was 160 columns wide piped into an 80-column terminal."""
    from goaltui.report import load_report, render_report

    dataset = load_report(demo_master, DEMO_AS_OF, history=False)
    monkeypatch.setenv("COLUMNS", "80")
    narrow = render_report(dataset, DEMO_AS_OF, unit=None, history=False, fmt="table")
    assert max(cell_len(line) for line in narrow.splitlines()) <= 80
    # What did not fit is named, the rest is all there.
    assert "columns left out for the width: trend, unit, goal" in narrow
    assert "status" in narrow.splitlines()[2] and "achievement" in narrow.splitlines()[2]
    monkeypatch.setenv("COLUMNS", "200")
    wide = render_report(dataset, DEMO_AS_OF, unit=None, history=False, fmt="table")
    assert "left out" not in wide and "trend" in wide.splitlines()[2]
