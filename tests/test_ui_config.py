"""The config file reaches the dashboard: theme, remapped keys; status colours follow the theme."""

from __future__ import annotations

from pathlib import Path

import pytest

from goaltui.config import Config, load_config
from goaltui.model.errors import GoaltuiError
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.help import HelpScreen
from goaltui.ui.widgets.kpi_table import KpiTable
from tests.conftest import AS_OF
from tests.ui_helpers import SIZE, make_demo_db, settle


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_db(tmp_path_factory.mktemp("config-demo"))


def test_config_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = "textual-light"\ndatabase = "~/goals.duckdb"\n'
        '[keys]\nsort = "o"\n[quality]\nkpi_too_many = 9\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.theme == "textual-light"
    assert config.database == Path("~/goals.duckdb").expanduser()
    assert config.keys == {"sort": "o"}
    assert config.quality.kpi_too_many == 9


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("theme = 3\n", "theme must be a text"),
        ("colour = 'red'\n", "unknown setting 'colour'"),
        ("[quality]\nnope = 1\n", "unknown quality threshold 'nope'"),
        ("[quality]\nkpi_too_many = 'x'\n", "must be a number"),
        ("theme = \n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_message(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GoaltuiError, match=words):
        load_config(path)


async def test_keys_are_remapped_by_binding_id(demo_db: Path) -> None:
    app = GoalApp(
        db=demo_db, as_of=AS_OF, today=AS_OF, watch=False, config=Config(keys={"sort": "o"})
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.dashboard.query_one(KpiTable)
        table.focus()
        await pilot.press("o")
        await pilot.pause()
        assert table.sort_index == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert ("o", "Sort") in {(key, what) for key, what, _ in app.screen.rows}


@pytest.mark.parametrize("theme", ["textual-light", "nord", "ansi-dark"])
async def test_status_colours_follow_the_theme(demo_db: Path, theme: str) -> None:
    app = GoalApp(db=demo_db, as_of=AS_OF, today=AS_OF, watch=False, config=Config(theme=theme))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == theme
        variables = app.theme_variables
        colors = app.current_theme.to_color_system().generate()
        assert variables["status-on-track"] == colors["success"]
        assert variables["status-off-track"] == colors["error"]
        assert variables["status-at-risk"] == colors["warning"]
