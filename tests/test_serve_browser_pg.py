"""`goaltui serve --db postgresql://...` in a real headless browser (Debian's chromium driven by
Playwright), on a real PostgreSQL server: two tabs draw the server's dashboard, a check-in typed
in one tab (c, the value, ctrl+s) is committed to the server, and the other tab shows it without
a key pressed (the server announced it by NOTIFY to that tab's own process).

Every step waits for what the tab draws (or for the database), never for a fixed time: a key
pressed before the form is up would go to the dashboard behind it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser

from tests.pg_server import PgServer
from tests.test_serve_browser import (
    VIEWPORT,
    Served,
    browser,
    check_in,
    chromium,
    serving,
    wait_for,
    wait_until_drawn,
)

__all__ = ["browser", "chromium"]  # fixtures


@pytest.fixture
def served_pg(pg_server: PgServer, team_db: str, tmp_path: Path) -> Iterator[Served]:
    url = pg_server.url(team_db)
    with serving(url, tmp_path / "serve.log", banner_says="postgres@127.0.0.1") as running:
        yield running


def rows(url: str) -> list[tuple[str, float | None]]:
    """The goal and value of every entry of the check-ins on the server, by entry number."""
    with psycopg.connect(url) as con:
        found = con.execute("SELECT goal_id, value FROM checkins ORDER BY seq").fetchall()
    return [(str(goal), None if value is None else float(value)) for goal, value in found]


def listeners(url: str) -> int:
    with psycopg.connect(url) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND query LIKE 'LISTEN%'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_check_in_typed_in_one_tab_reaches_the_other_through_the_server(
    pg_server: PgServer, team_db: str, served_pg: Served, browser: Browser
) -> None:
    url = pg_server.url(team_db)
    before = rows(url)
    one = browser.new_page(viewport=VIEWPORT)
    two = browser.new_page(viewport=VIEWPORT)
    one.goto(served_pg.url)
    two.goto(served_pg.url)
    wait_until_drawn(one)
    two_before = wait_until_drawn(two)
    pids = served_pg.tab_pids()
    assert len(set(pids)) == 2, "each tab runs its own dashboard process"
    # Both tabs' processes listen on the server before anything is written.
    wait_for(lambda: listeners(url) == 2, "both tabs' LISTEN")

    check_in(one, "4.1")  # on hb-csat, the goal the dashboard opens on
    wait_for(lambda: len(rows(url)) == len(before) + 1, "tab 1's check-in on the server")
    assert rows(url)[len(before) :] == [("hb-csat", 4.1)]
    # Tab 2 was told by the server and redraws: its figures change without a key pressed.
    wait_for(lambda: two.screenshot() != two_before, "tab 2 to show the new check-in")
    wait_until_drawn(two)
