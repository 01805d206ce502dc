"""Writers and open dashboards on one PostgreSQL server lose nothing: a short run of the load
of scripts/load_pg.py (4 member writers, 2 dashboard processes, 1.5 seconds)."""

from __future__ import annotations

from pathlib import Path

from tests.pg_load import run_load
from tests.pg_server import PgServer


def test_writers_and_dashboards_on_one_server_lose_nothing(
    pg_server: PgServer, pg_url: str, tmp_path: Path
) -> None:
    database = pg_url.rsplit("/", 1)[1]
    result = run_load(
        pg_url,
        lambda login: pg_server.url(database, login),
        writers=4,
        dashboards=2,
        seconds=1.5,
        folder=tmp_path,
    )
    assert result.acknowledged >= 4, result.summary()
    assert not result.failed, result.summary()
    assert result.in_db == result.acknowledged
    assert result.seen == [result.acknowledged] * 2, result.summary()
    # Each dashboard read the whole database once: the rest came by notification, row by row.
    assert result.full_reads == [1, 1], result.summary()
