"""Benchmark team mode: the report on PostgreSQL against the same report on a DuckDB file, at the
large organisation of scripts/make_large_org.py (1,000,000 check-ins). Not part of the tests.

    python scripts/bench_pg.py [--data DIR] [--url postgresql://...] [--runs 3]

Without --url it starts a throwaway server of its own (tests/pg_server.py; as root the server runs
as the `postgres` user). The URL must name an empty database the login may create tables in.

Prints, with the median wall time of whole `goaltui` processes (the two sides alternate so that
both see the same machine load):

- how fast each way of moving every check-in from PostgreSQL into polars is: ADBC (Arrow), COPY
  as CSV parsed by polars, psycopg's rows;
- `goaltui import` into each engine;
- `goaltui report --format csv` on each engine, the ratio PostgreSQL / DuckDB (budget: 2.0), and
  whether the two reports are byte for byte the same.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from goaltui.store.dataset import CHECKINS_SCHEMA  # noqa: E402
from goaltui.store.pg import _arrow_frames  # noqa: E402
from tests.pg_server import PgServer, start_server  # noqa: E402

BUDGET = 2.0
AS_OF = "2026-11-16"
COLUMNS = ", ".join(CHECKINS_SCHEMA)


def goaltui(*argv: str) -> tuple[float, bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "goaltui", *argv], capture_output=True, env=env, check=False
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"goaltui {' '.join(argv)} failed: {done.stderr.decode()}")
    return took, done.stdout


def read_adbc(url: str) -> int:
    return _arrow_frames(url, {"c": f"SELECT {COLUMNS} FROM checkins"})["c"].height


def read_copy_csv(url: str) -> int:
    buffer = io.BytesIO()
    with (
        psycopg.connect(url) as con,
        con.cursor().copy(f"COPY (SELECT {COLUMNS} FROM checkins) TO STDOUT (FORMAT csv)") as copy,
    ):
        for chunk in copy:
            buffer.write(chunk)
    frame = pl.read_csv(
        buffer.getvalue(),
        has_header=False,
        new_columns=list(CHECKINS_SCHEMA),
        schema_overrides=CHECKINS_SCHEMA,
    )
    return frame.height


def read_rows(url: str) -> int:
    with psycopg.connect(url) as con:
        rows = con.execute(f"SELECT {COLUMNS} FROM checkins").fetchall()
    frame = pl.DataFrame(rows, schema=list(CHECKINS_SCHEMA), orient="row")
    return frame.height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "goaltui-large")
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a server of its own)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    if not (args.data / "checkins.csv").exists():
        print(f"generating the large organisation into {args.data} ...", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_large_org.py"), str(args.data)],
            check=True,
        )
    server: PgServer | None = None
    url = args.url
    if url is None:
        server = start_server()
        with psycopg.connect(server.url(), autocommit=True) as con:
            con.execute("CREATE DATABASE bench")
        url = server.url("bench")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            file = str(Path(scratch) / "large.duckdb")
            took_pg, _ = goaltui("import", str(args.data), "--db", url)
            took_file, _ = goaltui("import", str(args.data), "--db", file)
            print(f"import        PostgreSQL {took_pg:6.2f} s   DuckDB {took_file:6.2f} s")

            for name, reader in [
                ("ADBC (Arrow)", read_adbc),
                ("COPY csv -> polars", read_copy_csv),
                ("psycopg rows", read_rows),
            ]:
                started = time.perf_counter()
                rows = reader(url)
                took = time.perf_counter() - started
                print(f"read all      {name:<20} {took:6.2f} s  ({rows:,} check-ins)")

            pg_times: list[float] = []
            file_times: list[float] = []
            outputs: list[bytes] = []
            report = ("report", "--format", "csv", "--as-of", AS_OF, "--db")
            for _ in range(args.runs):
                took, out_pg = goaltui(*report, url)
                pg_times.append(took)
                took, out_file = goaltui(*report, file)
                file_times.append(took)
                outputs = [out_pg, out_file]
            pg_median = statistics.median(pg_times)
            file_median = statistics.median(file_times)
            ratio = pg_median / file_median
            same = outputs[0] == outputs[1]
            lines = outputs[0].count(b"\n") - 1
            print(
                f"report        PostgreSQL {pg_median:6.2f} s   DuckDB {file_median:6.2f} s   "
                f"ratio {ratio:.2f} (budget {BUDGET:.1f})   "
                f"{'same bytes' if same else 'REPORTS DIFFER'} "
                f"({lines:,} rows)"
            )
            return 0 if same and ratio <= BUDGET else 1
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
