"""Minimal reproduction: DuckDB loses commits when processes take turns on one file.

Each of N processes repeatedly opens the file read-write (retrying while another holds it),
inserts one row, commits and closes. Every commit that returned is counted; at the end the rows
are counted. On DuckDB 2.0.1 fewer rows are stored than commits returned.

    python scripts/repro_duckdb_lost_commits.py [--processes 4] [--rows 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path

import duckdb


def _writer(path: str, tag: int, rows: int, results: multiprocessing.SimpleQueue[object]) -> None:
    committed = 0
    errors: list[str] = []
    for i in range(rows):
        while True:
            try:
                con = duckdb.connect(path)
            except duckdb.IOException as error:
                if "Could not set lock" in str(error):
                    time.sleep(0.001)
                    continue
                errors.append(str(error).splitlines()[0])
                break
            try:
                con.execute("BEGIN")
                con.execute("INSERT INTO t VALUES (?, ?)", [tag, i])
                con.execute("COMMIT")
                committed += 1
            except duckdb.Error as error:
                errors.append(str(error).splitlines()[0])
            finally:
                con.close()
            break
    results.put((committed, errors))


def run(processes: int, rows: int) -> tuple[int, int, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "repro.duckdb")
        con = duckdb.connect(path)
        con.execute("CREATE TABLE t (writer INTEGER, i INTEGER)")
        con.close()
        results: multiprocessing.SimpleQueue[object] = multiprocessing.SimpleQueue()
        workers = [
            multiprocessing.Process(target=_writer, args=(path, tag, rows, results))
            for tag in range(processes)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        committed, errors = 0, []
        for _ in workers:
            count, found = results.get()  # type: ignore[misc]
            committed += count
            errors += found
        con = duckdb.connect(path, read_only=True)
        stored = int(con.sql("SELECT count(*) FROM t").fetchall()[0][0])
        con.close()
        return committed, stored, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rows", type=int, default=200, help="commits per process")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"duckdb {duckdb.__version__}: {args.processes} processes x {args.rows} commits")
    for run_no in range(1, args.runs + 1):
        committed, stored, errors = run(args.processes, args.rows)
        print(
            f"run {run_no}: commits returned {committed}, rows stored {stored}, "
            f"lost {committed - stored}, errors {len(errors)}"
        )
        for error in sorted(set(errors))[:3]:
            print(f"    {error}")


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    main()
