"""Benchmark the quarterly cycle on PostgreSQL at the large organisation of
scripts/make_large_org.py (1,000,000 check-ins): close, reopen, grade and carry-over, each on a
working copy that holds only the check-ins it reads, against the same work on a copy of every
check-in (what the copy held before). Not part of the tests.

    python scripts/bench_pg_cycle.py [--data DIR] [--url postgresql://...] [--runs 3]

Without --url it starts a throwaway server of its own (tests/pg_server.py). The URL must name an
empty database the login may create tables in. The two ways alternate, so that both see the same
machine load; it prints the median of each and their ratio, and checks that both ways grade and
plan alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from goaltui.cycle import (  # noqa: E402
    _close_period,
    _grade_key_result,
    _reopen_period,
    objective_period,
    plan_carry_over,
)
from goaltui.store.dataset import read_dataset  # noqa: E402
from goaltui.store.db import read_session  # noqa: E402
from goaltui.store.engine import PgStore  # noqa: E402
from goaltui.store.pg_cycle import EVERY_CHECKIN, pg_working_copy  # noqa: E402
from tests.pg_server import start_server  # noqa: E402

PERIOD = "2026-Q3"
NEXT = "2026-Q4"


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def copied(url: str, checkins_of: str | None) -> int:
    """How many check-ins a working copy holds."""
    with (
        pg_working_copy(url, "count", checkins_of=checkins_of) as path,
        read_session(path) as con,
    ):
        return int(con.sql("SELECT count(*) FROM checkins").fetchall()[0][0])


def close(url: str, checkins_of: str | None) -> None:
    with pg_working_copy(url, "close", checkins_of=checkins_of) as path:
        _close_period(path, objective_period(PERIOD), PERIOD, unit=None)


def reopen(url: str, checkins_of: str | None) -> None:
    with pg_working_copy(url, "reopen", checkins_of=checkins_of) as path:
        _reopen_period(path, PERIOD)


def grade(url: str, checkins_of: str | None, kr_id: str) -> None:
    with pg_working_copy(url, "grade", checkins_of=checkins_of) as path:
        _grade_key_result(path, kr_id, 0.5, note="bench")


def carry_plan(url: str, checkins_of: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The carry-over of PERIOD into NEXT as the copy plans it (written: nothing)."""
    with (
        pg_working_copy(url, "carry over", checkins_of=checkins_of) as path,
        read_session(path) as con,
    ):
        plan = plan_carry_over(read_dataset(con), PERIOD, NEXT)
    return plan.objectives, plan.key_results


def grades(url: str) -> pl.DataFrame:
    """The scores frozen by the last close (an override is the grade's, not the copy's)."""
    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT kind, goal_id, score FROM grades ORDER BY kind, goal_id"
        ).fetchall()
    return pl.DataFrame(rows, schema=["kind", "goal_id", "score"], orient="row")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/goaltui-large"))
    parser.add_argument("--url", help="an empty database, as a login that may create tables")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    server = None
    url = args.url
    if url is None:
        server = start_server()
        with psycopg.connect(server.url(), autocommit=True) as con:
            con.execute("CREATE DATABASE bench_cycle")
        url = server.url("bench_cycle")
    try:
        store = PgStore(url)
        store.init()
        took = timed(lambda: store.import_path(args.data))
        print(f"import of {args.data}: {took:.1f} s", flush=True)
        scoped = {"close": PERIOD, "carry": PERIOD, "reopen": None, "grade": None}
        for name, scope in (("close/carry-over", PERIOD), ("reopen/grade/definition", None)):
            print(f"check-ins copied for {name}: {copied(url, scope):,}", flush=True)
        print(f"check-ins copied before: {copied(url, EVERY_CHECKIN):,}", flush=True)
        with psycopg.connect(url) as con:
            row = con.execute(
                "SELECT k.id FROM key_results k JOIN objectives o ON o.id = k.objective_id "
                "WHERE o.period = %s ORDER BY k.id LIMIT 1",
                [PERIOD],
            ).fetchone()
        assert row is not None
        kr_id = str(row[0])
        times: dict[str, dict[str, list[float]]] = {
            op: {"narrow": [], "whole": []} for op in scoped
        }
        graded: dict[str, pl.DataFrame] = {}
        plans: dict[str, tuple[pl.DataFrame, pl.DataFrame]] = {}
        for _ in range(args.runs):
            for way in ("narrow", "whole"):
                scope = dict(scoped) if way == "narrow" else dict.fromkeys(scoped, EVERY_CHECKIN)
                times["close"][way].append(timed(lambda s=scope: close(url, s["close"])))
                graded[way] = grades(url)
                times["grade"][way].append(timed(lambda s=scope: grade(url, s["grade"], kr_id)))
                times["reopen"][way].append(timed(lambda s=scope: reopen(url, s["reopen"])))
                started = time.perf_counter()
                plans[way] = carry_plan(url, scope["carry"])
                times["carry"][way].append(time.perf_counter() - started)
                print(f"  run ({way}) done", flush=True)
        print(f"{'operation':<12}{'narrow s':>10}{'whole s':>10}{'whole/narrow':>14}")
        for op, ways in times.items():
            narrow, whole = statistics.median(ways["narrow"]), statistics.median(ways["whole"])
            print(f"{op:<12}{narrow:>10.2f}{whole:>10.2f}{whole / narrow:>14.1f}")
        same_grades = graded["narrow"].equals(graded["whole"])
        same_plans = all(
            a.sort("id").equals(b.sort("id"))
            for a, b in zip(plans["narrow"], plans["whole"], strict=True)
        )
        print(
            f"same grades: {same_grades} ({graded['narrow'].height} rows); "
            f"same carry-over plan: {same_plans} ({plans['narrow'][0].height} objectives)"
        )
        return 0 if same_grades and same_plans else 1
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
