"""Shared fixtures: every test runs cut off from the developer's own config and data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from goaltui.model.period import set_fiscal_year_start

AS_OF = date(2026, 11, 16)
"""The pinned as-of date of tests that do not choose their own."""


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point the user data and config directories at a throwaway folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("GOALTUI_DB", raising=False)
    monkeypatch.setenv("GOALTUI_LOCK_TIMEOUT", "5")
    yield home
    # A command run with another fiscal year must not leak it into the next test.
    set_fiscal_year_start(1)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file path in the test's own folder (not yet created)."""
    return tmp_path / "goals.duckdb"
