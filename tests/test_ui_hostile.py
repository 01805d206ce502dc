"""Hostile text in the dashboard: every name, title, unit and note is shown literally, a click
on it runs nothing, and no control sequence from the data reaches the terminal."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static, TabbedContent

from goaltui.ui.app import GoalApp
from goaltui.ui.screens.goal_detail import CheckinLog, GoalDetailScreen
from goaltui.ui.widgets.header import DashboardHeader
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.okr_tree import OkrTree
from goaltui.ui.widgets.org_tree import OrgTree
from goaltui.ui.widgets.quality_table import QualityTable
from tests.hostile import (
    AS_OF,
    CLOSE,
    DEAL,
    KPI_NAMES,
    LINK,
    NOTE,
    QUIT,
    SHOWN_ESCAPES,
    UNIT_NAMES,
    has_control,
    make_hostile_db,
    screenshot_name,
)
from tests.ui_helpers import settle

SIZE = (140, 45)


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile database, built once, and the folder its screenshot name points at."""
    folder = tmp_path_factory.mktemp("hostile")
    shots = folder / "shots"
    shots.mkdir()
    return make_hostile_db(folder, shots), shots


@pytest.fixture
def hostile(hostile_template: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the hostile database, and the (empty) screenshot folder."""
    db, shots = hostile_template
    return Path(shutil.copy(db, tmp_path / "hostile.duckdb")), shots


def hostile_app(db: Path) -> GoalApp:
    return GoalApp(db=db, as_of=AS_OF, today=AS_OF, watch=False)


def lines(widget: Widget) -> Iterator[Strip]:
    """What `widget` draws, line by line."""
    for y in range(widget.size.height):
        yield widget.render_line(y)


def assert_drawn_safely(widget: Widget) -> None:
    """No segment `widget` draws holds a control character or a click action."""
    for strip in lines(widget):
        for segment in strip:
            assert not has_control(segment.text), repr(segment.text)
            style = segment.style
            meta = style.meta if style is not None else {}
            assert "@click" not in meta, meta


def screen_text(app: GoalApp) -> str:
    """The screen as the terminal would show it (the SVG screenshot's text), after checking
    that it holds no control character from the data."""
    svg = app.export_screenshot()
    assert not has_control(svg.replace("\n", ""))
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def assert_screen_safe(app: GoalApp) -> None:
    screen_text(app)


def cells(table: Any, column: int) -> dict[str, str]:
    return {str(key.value): str(table.get_row(key)[column]) for key in table.rows}


async def test_dashboard_shows_hostile_names_literally(hostile: tuple[Path, Path]) -> None:
    db, shots = hostile
    app = hostile_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dashboard = app.dashboard
        assert dashboard.scorecard is not None, "the dashboard did not start"
        header = str(dashboard.query_one(DashboardHeader).render())
        assert screenshot_name(shots) in header
        # KPI pane
        kpis = dashboard.query_one(KpiTable)
        names = cells(kpis, 0)
        for key, name in KPI_NAMES.items():
            if key != "k5":
                # Literally, whole or cut with an ellipsis where the column is too narrow.
                shown = names[key]
                assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1]))
        shown = names["k5"]  # escapes shown as text, whole or cut with an ellipsis
        assert shown == SHOWN_ESCAPES or (
            shown.endswith("…") and SHOWN_ESCAPES.startswith(shown[:-1])
        )
        assert cells(kpis, 4)["k3"] == "43 [b]won"  # the unit of measure is data too
        assert_drawn_safely(kpis)
        # organisation tree
        org = dashboard.query_one(OrgTree)
        labels = {str(node.data): str(node.label) for node in org.root.children}
        for unit_id, name in UNIT_NAMES.items():
            assert labels[unit_id].startswith(name)
        assert labels["t6"].startswith(SHOWN_ESCAPES)
        assert_drawn_safely(org)
        assert_screen_safe(app)
        # OKR pane
        await pilot.press("2")
        await settle(pilot)
        assert dashboard.query_one(TabbedContent).active == "okrs"
        okrs = dashboard.query_one(OkrTree)
        objective = okrs.root.children[0]
        assert f"{CLOSE} objective {LINK}" in str(objective.label)
        krs = [str(child.label) for child in objective.children]
        assert any(f"{CLOSE} kr {DEAL}" in label for label in krs)
        # The line cuts a long title with an ellipsis; the detail line below has it whole.
        assert any(f"{QUIT}\\x1b]0;owned" in label for label in krs), krs
        assert_drawn_safely(okrs)
        detail = str(dashboard.query_one("#okr-detail", Static).content)
        assert f"{CLOSE} objective {LINK}" in detail
        assert_screen_safe(app)
        # Quality pane: findings quote the names
        await pilot.press("3")
        await settle(pilot)
        quality = dashboard.query_one(QualityTable)
        findings = " ".join(cells(quality, 4).values())
        assert f"{QUIT}\\x1b]0;own" in findings  # cut with an ellipsis; in full below
        assert_drawn_safely(quality)
        assert_screen_safe(app)
        assert app.is_running
    assert not any(shots.iterdir())


async def test_goal_detail_shows_hostile_names_and_notes_literally(
    hostile: tuple[Path, Path],
) -> None:
    db, shots = hostile
    app = hostile_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for goal_id in ("k2", "k5"):
            app.dashboard.open_goal(goal_id)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, GoalDetailScreen)
            summary = str(screen.query_one("#summary", Static).content)
            shown = SHOWN_ESCAPES if goal_id == "k5" else QUIT
            assert summary.startswith(shown)
            log = screen.query_one(CheckinLog)
            note, author = next(iter(cells(log, 4).values())), next(iter(cells(log, 5).values()))
            # The table cuts a long note with an ellipsis; what it shows is shown literally.
            full = f"note {SHOWN_ESCAPES}" if goal_id == "k5" else NOTE
            assert note == full or (note.endswith("…") and full.startswith(note[:-1]))
            assert author == QUIT  # the author's unit name
            assert_drawn_safely(log)
            assert_screen_safe(app)
            await pilot.press("escape")
            await settle(pilot)
        assert app.is_running
    assert not any(shots.iterdir())


def prompts(results: CommandList) -> list[str]:
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def _palette_hits(pilot: Pilot[None], query: str, first: str) -> CommandList:
    """Open the palette, type `query`, and wait until its first hit starts with `first`."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    results = pilot.app.screen.query_one(CommandList)
    for _ in range(200):  # the palette gathers its hits in batches, each a frame apart
        await pilot.pause()
        found = prompts(results)
        if found and found[0].startswith(first) and results.highlighted == 0:
            break
    assert prompts(results)[0].startswith(first), prompts(results)
    await settle(pilot)  # drawn, so a click lands on the hit
    return results


async def test_palette_shows_hostile_names_literally_and_a_click_runs_nothing(
    hostile: tuple[Path, Path],
) -> None:
    db, shots = hostile
    app = hostile_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for query, name, unit_id in (
            ("sales team", screenshot_name(shots), "org"),
            ("clickappquit", QUIT, "t3"),
        ):
            app.dashboard.unit_id = "t1" if unit_id == "org" else "org"
            await settle(pilot)
            results = await _palette_hits(pilot, query, f"go: {name}")
            assert_drawn_safely(results)
            # A real click on the hit's name (the list's first row is its top edge): it chooses
            # the unit, and runs nothing the name says.
            await pilot.click(results, offset=(12, 1))
            await settle(pilot)
            assert not isinstance(app.screen, CommandPalette)
            assert app.is_running and app.return_code is None
            assert app.dashboard.unit_id == unit_id
        assert not any(shots.iterdir()), "a name wrote a file"


class RecordingApp(GoalApp):
    """Keeps what the app told the user, and whether it was to be read as markup."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.told: list[tuple[str, bool]] = []

    def notify(self, message: str, *, markup: bool = True, **kwargs: Any) -> None:
        self.told.append((message, markup))
        super().notify(message, markup=markup, **kwargs)


async def test_notifications_show_hostile_text_literally(hostile: tuple[Path, Path]) -> None:
    db, shots = hostile
    app = RecordingApp(db=db, as_of=AS_OF, today=AS_OF, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for goal_id, name in (("k2", QUIT), ("k5", SHOWN_ESCAPES)):
            await app.open_checkin(goal_id)
            await settle(pilot)
            await pilot.press(*"12", "ctrl+s")
            await settle(pilot)
            assert app.told[-1] == (f"Saved: {name} 12 for 2026-11", False)
        assert_screen_safe(app)
        assert app.is_running
    assert not any(shots.iterdir())


SnapCompare = Callable[..., bool]


def test_snapshot_hostile_kpi_pane(snap_compare: SnapCompare, tmp_path: Path) -> None:
    # A fixed folder in the name, so the picture does not depend on where the test runs.
    app = hostile_app(make_hostile_db(tmp_path, Path("/some/dir")))

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
