"""Every write that changes no check-in still tells the open dashboards on a real PostgreSQL
server: definition edits, the cycle's grades and closures, the history and the stored fiscal
year each raise a NOTIFY on the definitions channel, which is what makes a dashboard read its
definitions again (goaltui/store/pg_live.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import polars as pl
import psycopg
import pytest

from goaltui.cycle import carry_over, close_period, grade_key_result, reopen_period
from goaltui.store.cells import SPECS
from goaltui.store.engine import PgStore
from goaltui.store.pg_schema import CHECKINS_CHANNEL, DEFINITIONS_CHANNEL
from tests.pg_server import PgServer

Q3_KR = "sales-2026q3-kr1"


@pytest.fixture
def admin(pg_server: PgServer, team_db: str) -> Iterator[str]:
    yield pg_server.url(team_db)


def heard(url: str, write: Callable[[], object]) -> set[tuple[str, str]]:
    """The notifications a listener on `url` receives while `write` runs, once it committed."""
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHECKINS_CHANNEL}")
        listener.execute(f"LISTEN {DEFINITIONS_CHANNEL}")
        write()
        # Delivered at commit, so all there by now; a short wait collects the lot.
        return {(n.channel, n.payload) for n in listener.notifies(timeout=1.0)}


def tables_of(notes: set[tuple[str, str]]) -> set[str]:
    return {payload for channel, payload in notes if channel == DEFINITIONS_CHANNEL}


def test_a_definition_edit_is_announced(admin: str) -> None:
    store = PgStore(admin)
    row = store.load_dataset().units.filter(pl.col("id") == "sales").row(0, named=True)
    cells = {c.name: None if row[c.name] is None else str(row[c.name]) for c in SPECS["units"]}
    notes = heard(admin, lambda: store.save_definition("units", {**cells, "name": "Sales team"}))
    assert {"units", "history"} <= tables_of(notes)
    assert not any(channel == CHECKINS_CHANNEL for channel, _ in notes)


def test_closing_grading_reopening_and_carrying_over_are_announced(admin: str) -> None:
    store = PgStore(admin)
    assert {"grades", "closed_periods", "history"} <= tables_of(
        heard(admin, lambda: close_period(store, "2026-Q3"))
    )
    assert {"grades", "history"} <= tables_of(
        heard(admin, lambda: grade_key_result(store, Q3_KR, 0.5, note="judged"))
    )
    assert {"objectives", "key_results", "history"} <= tables_of(
        heard(admin, lambda: carry_over(store, "2026-Q3", "2026-Q4"))
    )
    assert {"closed_periods", "history"} <= tables_of(
        heard(admin, lambda: reopen_period(store, "2026-Q3"))
    )


def test_the_fiscal_year_and_a_history_entry_from_psql_are_announced(admin: str) -> None:
    store = PgStore(admin)
    assert "goaltui_meta" in tables_of(heard(admin, lambda: store.store_fiscal_year_start(4)))

    def add_entry() -> None:
        with psycopg.connect(admin) as con:
            con.execute(
                "INSERT INTO history (seq, table_name, row_id, changed_by, changed_at, before, "
                "after) VALUES (999999, 'units', 'sales', 'postgres', now(), NULL, '{}')"
            )

    assert tables_of(heard(admin, add_entry)) == {"history"}


def test_a_write_that_changes_nothing_announces_nothing(admin: str) -> None:
    """A carry-over with nothing left to carry writes no row: nobody need read again."""
    store = PgStore(admin)
    carry_over(store, "2026-Q3", "2026-Q4")
    assert heard(admin, lambda: carry_over(store, "2026-Q3", "2026-Q4")) == set()
