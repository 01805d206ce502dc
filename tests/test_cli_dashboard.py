"""`goaltui` without a command: which database and date the dashboard opens with."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from goaltui.cli import main
from goaltui.config import DEMO_AS_OF, demo_db_path
from goaltui.ui.app import GoalApp


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[GoalApp]:
    """The apps `goaltui` would have run (run() is replaced: no terminal in tests)."""
    apps: list[GoalApp] = []

    def run(self: GoalApp) -> None:
        apps.append(self)

    monkeypatch.setattr(GoalApp, "run", run)
    return apps


def test_no_database_yet_opens_the_demo_and_says_so(opened: list[GoalApp]) -> None:
    assert main([]) == 0
    (app,) = opened
    assert app.demo
    assert app.db == demo_db_path()
    assert app.db.exists()
    assert app.initial_as_of == DEMO_AS_OF
    assert app.notice is not None and "no goaltui database" in app.notice


def test_demo_flag_and_as_of(opened: list[GoalApp]) -> None:
    assert main(["--demo", "--as-of", "2026-10-01"]) == 0
    (app,) = opened
    assert app.demo and app.db == demo_db_path()
    assert app.initial_as_of == date(2026, 10, 1)
    assert app.notice is None


def test_existing_database_opens_as_is(
    opened: list[GoalApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "mine.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    monkeypatch.setenv("GOALTUI_DB", str(db))
    assert main(["--as-of", "2026-11-01"]) == 0
    (app,) = opened
    assert not app.demo
    assert app.db == db
    assert app.initial_as_of == date(2026, 11, 1)


def test_db_and_demo_together_is_one_clear_error(
    opened: list[GoalApp], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "--db", str(tmp_path / "x.duckdb")]) == 1
    assert "--db and --demo cannot be used together" in capsys.readouterr().err
    assert opened == []
