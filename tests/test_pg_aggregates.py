"""The check-in aggregates PostgreSQL computes equal the file's, also for check-ins on the first
and last days of months, quarters and years (PostgreSQL finds a date's month by a search among
the months' first days, DuckDB by EXTRACT), and an import leaves the planner its statistics."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import psycopg
import pytest
from polars.testing import assert_frame_equal

from goaltui.store.dataset import load_aggregates
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path
from goaltui.store.pg import import_pg, load_pg_aggregates
from tests.pg_server import PgServer

EDGES = [
    "2025-12-31",
    "2026-01-01",
    "2026-01-31",
    "2026-02-01",
    "2026-02-28",
    "2026-03-01",
    "2026-03-31",
    "2026-04-01",
    "2026-06-30",
    "2026-07-01",
]
GOALS = ["sales-revenue", "marketing-leads", "product-seo-screen-dropout"]
"""Two goals summing values, one of ratios (with denominators)."""


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory, pg_server: PgServer) -> tuple[Path, str]:
    """The demo with check-ins on month edges, imported into a file and into a server."""
    folder = tmp_path_factory.mktemp("edges")
    source = folder / "source"
    shutil.copytree(demo_source(), source)
    rows = [
        f"edge-{g}-{d},{g},{d},{10 + i * 3 + j},{'' if j < 2 else 100 + i},{(i % 9) + 1},,,,"
        f"{d}T12:00:00"
        for j, g in enumerate(GOALS)
        for i, d in enumerate(EDGES)
    ]
    with (source / "checkins.csv").open("a", encoding="utf-8") as out:
        out.write("\n".join(rows) + "\n")
    file = folder / "edges.duckdb"
    import_path(file, source)
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute("CREATE DATABASE edges")
    url = pg_server.url("edges")
    import_pg(url, source)
    return file, url


def buckets() -> pl.DataFrame:
    """Every period length of the edge goals, from the start of time, of 2026, of its Q2."""
    firsts = [0, 2026 * 12, 2026 * 12 + 3]
    return pl.DataFrame(
        [
            {"goal_id": g, "months": m, "first_index": firsts[(i + k) % 3]}
            for i, g in enumerate(GOALS)
            for k, m in enumerate((1, 3, 12))
        ],
        schema={"goal_id": pl.String, "months": pl.Int32, "first_index": pl.Int32},
    )


@pytest.mark.parametrize("as_of", [date(2026, 1, 31), date(2026, 4, 1), date(2026, 6, 30)])
def test_aggregates_on_month_edges_equal_the_file_s(engines: tuple[Path, str], as_of: date) -> None:
    file, url = engines
    wanted = buckets()
    on_file = load_aggregates(file, wanted, as_of)
    on_server = load_pg_aggregates(url, wanted, as_of)
    assert on_file.height > 3 * len(EDGES) // 2
    assert_frame_equal(on_server, on_file, check_exact=False, rel_tol=1e-12, abs_tol=1e-9)


def test_an_import_leaves_statistics_for_the_planner(engines: tuple[Path, str]) -> None:
    _file, url = engines
    with psycopg.connect(url) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'checkins' AND attname = 'goal_id'"
        ).fetchone()
    assert row == (1,)
