"""Shared fixtures: every test runs cut off from the developer's own config and data."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import textual._wait as textual_wait
import textual.app as textual_app
import textual.pilot as textual_pilot
from hypothesis import settings

from goaltui.i18n import LANG_ENV, use_language
from goaltui.model.period import set_fiscal_year_start
from tests.pg_server import PgServer, start_server

# The demo organisation on the session's server is built once per test process, whichever modules
# use it: a session fixture imported into each module instead would be built again per module.
from tests.pg_team import demo_template, team_db

__all__ = ["demo_template", "team_db"]  # fixtures

# Tables are as wide as COLUMNS says, else the terminal's: pinned, so that output does not
# depend on the terminal the suite runs in (tests of the width set their own).
os.environ["COLUMNS"] = "160"

AS_OF = date(2026, 11, 16)
"""The pinned as-of date of tests that do not choose their own."""

# The same examples on every run and machine: a property that fails, fails for everyone, and a
# green suite stays green. (Exploring more is for a deliberate run with a random seed.)
settings.register_profile("goaltui", derandomize=True, deadline=None)
settings.load_profile("goaltui")


async def _wait_for_idle(
    min_sleep: float = textual_wait.SLEEP_GRANULARITY, max_sleep: float = 1
) -> None:
    """Textual's wait_for_idle, judging idleness by the CPU time of the event loop's thread
    rather than of the whole process.

    Textual's own version waits until the *process* burns almost no CPU, so every key press
    and pause of a test sat out its full second whenever one of the app's thread workers (the
    scorecard, the findings, a form's check) was computing. Whether the app has processed its
    messages is a question about the loop's thread alone; a test that needs a worker's result
    awaits the workers (tests/ui_helpers.py `settle`)."""
    start = time.monotonic()
    while True:
        cpu = time.thread_time()
        await asyncio.sleep(textual_wait.SLEEP_GRANULARITY)
        busy = time.thread_time() - cpu
        elapsed = time.monotonic() - start
        if elapsed >= max_sleep:
            break
        if elapsed > min_sleep and busy < textual_wait.SLEEP_IDLE:
            break


textual_app.wait_for_idle = _wait_for_idle  # type: ignore[attr-defined]
textual_pilot.wait_for_idle = _wait_for_idle  # type: ignore[attr-defined]


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


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test reads English unless it asks for Korean, whatever the machine's locale; the
    commands a test runs as subprocesses inherit the choice through $GOALTUI_LANG."""
    monkeypatch.setenv(LANG_ENV, "en")
    use_language("en")
    yield
    use_language("en")


@pytest.fixture
def korean(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test reads Korean: the dashboard, the reports and every command it starts."""
    monkeypatch.setenv(LANG_ENV, "ko")
    use_language("ko")


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs draw their cursor without blinking, so a snapshot never depends on whether a
    loaded machine took it in the blink's off half-second."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False)


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """A private copy of the demo organisation's database for one test."""
    from tests.store_helpers import make_demo_db

    return make_demo_db(tmp_path)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file path in the test's own folder (not yet created)."""
    return tmp_path / "goals.duckdb"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for this test session (tests/pg_server.py), stopped at its end."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database of its own on the session's server, as a URL for the superuser;
    dropped after the test."""
    import psycopg

    name = "t_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    yield pg_server.url(name)
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


LONG_FIRST = (
    "test_serve_browser_pg.py",
    "test_serve_browser.py",
    "test_concurrency.py",
    "test_metrics_properties.py",
    "test_pg_load.py",
    "test_serve_pg.py",
    "test_ui_symptoms.py",
    "test_ui_checkin_form.py",
)
"""Modules holding the suite's longest tests (10 s and more each), in the order they start.

The workers share out the tests in order and, once a worker runs dry, it takes work from the end
of the other's queue: long tests that start first leave short ones for the end, so both workers
finish together instead of one waiting on a long test the other began last."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules of LONG_FIRST first, then the rest in their own order (each module's tests
    stay together and in order, so module fixtures are built once)."""
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_FIRST)))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (modules, the collected tests) lives to the
    end: set apart from the collector, so that each full collection does not walk it again."""
    gc.collect()
    gc.freeze()
