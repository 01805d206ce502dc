"""Benchmark goaltui against plain DuckDB on a large organisation (issue 3). Not part of the tests.

    python scripts/bench.py [--data DIR ...] [--runs 5] [--as-of 2026-11-16] [--regenerate]
                            [--only import|report]

Generates the organisation of scripts/make_large_org.py (or reuses it), then times whole
processes, alternating the two sides of each pair so that both see the same machine load:

- import: `goaltui import DIR --db X` against a `python -c` that creates the same six tables
  from the same CSV files with DuckDB's read_csv into a fresh file;
- report: `goaltui report --format csv --db X --as-of D` against one plain DuckDB SQL query over
  the same database computing each goal's current-period actual, target and achievement,
  written as CSV;
- due: `goaltui due --format csv --db X --as-of D` against goaltui's own report on the same
  database (budget: 1.5x the report), alternated with it.

Before timing, goaltui's bytecode is written (`compile_goaltui`), as an installed goaltui has
it and as the plain side's duckdb and both sides' polars have it: with PYTHONDONTWRITEBYTECODE set
in the environment, every goaltui process would otherwise compile its sources again (about 0.1 s
of a report), which no installed goaltui does.

Prints the median wall time of each, the ratio goaltui / DuckDB (budget: 1.5) and the peak
resident memory of each process (from wait4's rusage; budget: 600 MiB up to a million
check-ins, 1.5 GiB up to ten million). Also checks that the two reports agree on every goal's
actual, target and achievement. `--data` may be given several times (e.g. the default million
and `make_large_org.py --checkins 10000000`): each size is measured in turn, then one line per
size and measure shows how the figures grow.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
TABLES = ["units", "kpis", "objectives", "key_results", "checkins", "targets"]
BUDGET = 1.5
DUE_BUDGET = 1.5
"""`goaltui due` may take at most this many times as long as `goaltui report`."""

PLAIN_IMPORT = f"""
import sys, duckdb
source, target = sys.argv[1], sys.argv[2]
con = duckdb.connect(target)
for table in {TABLES!r}:
    con.execute(
        f"CREATE TABLE {{table}} AS SELECT * FROM read_csv('{{source}}/{{table}}.csv', header=true)"
    )
con.close()
"""

# The same aggregation as the report's goal rows: the period containing as-of for KPIs, the
# objective's period for KRs whose objective contains as-of; effective check-ins (not superseded,
# with a value, not after as-of); six aggregations; targets.csv overrides; change_pct targets from
# the previous period's actual; achievement by direction.
PLAIN_REPORT = r"""
import sys, duckdb
db, as_of, out = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect(db, read_only=True)
aggregate = '''
    CASE any_value(g.aggregation)
        WHEN 'sum' THEN sum(c.value) WHEN 'mean' THEN avg(c.value)
        WHEN 'last' THEN arg_max(c.value, (c.date, c.seq))
        WHEN 'min' THEN min(c.value) WHEN 'max' THEN max(c.value)
        WHEN 'ratio' THEN CASE WHEN sum(c.denominator) <> 0 THEN sum(c.value) / sum(c.denominator)
            * CASE WHEN any_value(g.unit) = '%' THEN 100 ELSE 1 END END
    END'''
con.execute(f'''
COPY (
WITH effective AS (
    SELECT goal_id, date, seq, value, denominator FROM checkins
    WHERE value IS NOT NULL AND date <= DATE '{as_of}'
      AND id NOT IN (SELECT supersedes FROM checkins WHERE supersedes IS NOT NULL)
),
goals AS (
    SELECT 'kpi' AS kind, id AS goal_id, unit_id, name, unit, direction, aggregation,
           period AS period_unit, target_mode, target, id AS measured_by,
           date_trunc(period, DATE '{as_of}')::DATE AS period_start
    FROM kpis
    UNION ALL
    SELECT 'kr', kr.id, o.unit_id, kr.title, coalesce(kr.unit, k.unit),
           coalesce(kr.direction, k.direction), coalesce(kr.aggregation, k.aggregation),
           CASE WHEN o.period LIKE '%-Q%' THEN 'quarter'
                WHEN length(o.period) = 7 THEN 'month' ELSE 'year' END,
           kr.target_mode, kr.target, coalesce(kr.kpi_id, kr.id),
           CASE WHEN o.period LIKE '%-Q%'
                THEN make_date(left(o.period, 4)::INT, (right(o.period, 1)::INT - 1) * 3 + 1, 1)
                WHEN length(o.period) = 7
                THEN make_date(left(o.period, 4)::INT, right(o.period, 2)::INT, 1)
                ELSE make_date(left(o.period, 4)::INT, 1, 1) END
    FROM key_results kr JOIN objectives o ON o.id = kr.objective_id
    LEFT JOIN kpis k ON k.id = kr.kpi_id
),
current AS (
    SELECT *, (period_start + ('1 ' || period_unit)::INTERVAL)::DATE AS period_end,
           (period_start - ('1 ' || period_unit)::INTERVAL)::DATE AS previous_start,
           CASE period_unit WHEN 'month' THEN strftime(period_start, '%Y-%m')
                WHEN 'quarter' THEN strftime(period_start, '%Y') || '-Q' || quarter(period_start)
                ELSE strftime(period_start, '%Y') END AS period
    FROM goals
    WHERE period_start <= DATE '{as_of}'
      AND DATE '{as_of}' < (period_start + ('1 ' || period_unit)::INTERVAL)::DATE
),
actuals AS (
    SELECT g.goal_id, {aggregate} AS actual
    FROM current g JOIN effective c
      ON c.goal_id = g.measured_by AND c.date >= g.period_start AND c.date < g.period_end
    GROUP BY g.goal_id
),
previous AS (
    SELECT g.goal_id, {aggregate} AS previous_actual
    FROM current g JOIN effective c
      ON c.goal_id = g.measured_by AND c.date >= g.previous_start AND c.date < g.period_start
    WHERE g.target_mode = 'change_pct'
    GROUP BY g.goal_id
),
targeted AS (
    SELECT g.kind, g.goal_id, g.unit_id, g.name, g.period, a.actual, g.direction,
        coalesce(t.target, CASE WHEN g.target_mode = 'change_pct'
                                THEN p.previous_actual * (100 + g.target) / 100
                                ELSE g.target END) AS target
    FROM current g
    LEFT JOIN actuals a USING (goal_id)
    LEFT JOIN previous p USING (goal_id)
    LEFT JOIN targets t ON t.goal_id = g.goal_id AND t.period = g.period
)
SELECT kind, goal_id, unit_id, name, period, actual, target,
    CASE WHEN target > 0 AND actual IS NOT NULL THEN
        CASE direction WHEN 'at_least' THEN actual / target
        ELSE greatest(0, 2 - actual / target) END END AS achievement
FROM targeted ORDER BY kind, goal_id
) TO '{out}' (HEADER)
''')
"""


@dataclass
class Run:
    """One process: wall seconds, peak resident memory in MiB and CPU seconds (user + system,
    of every thread: on a busy machine a steadier measure of the work than the wall clock)."""

    seconds: float
    peak_mib: float
    cpu: float = 0.0


def run(command: list[str], stdout: Path | None = None) -> Run:
    """Run `command` to completion; raise if it fails."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    try:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        error = process.stderr.read().decode() if process.stderr else ""
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{error}")
    # ru_maxrss is in KiB on Linux
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes): how busy it was while measuring."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def compile_goaltui() -> Path:
    """Write the bytecode of the goaltui package the timed processes import (the one this
    interpreter imports with the same PYTHONPATH); its folder."""
    import compileall

    import goaltui

    folder = Path(goaltui.__file__).resolve().parent
    if not compileall.compile_dir(str(folder), quiet=1):
        raise SystemExit(f"could not compile {folder}")
    return folder


def goaltui_command() -> list[str]:
    script = Path(sys.executable).with_name("goaltui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "goaltui"]


def memory_budget(checkins: int) -> float:
    """Peak resident memory allowed (MiB) for a goaltui process over `checkins` check-ins."""
    return 600.0 if checkins <= 1_000_000 else 1536.0


def summary(
    label: str, ours: list[Run], plain: list[Run], checkins: int
) -> tuple[str, float, bool]:
    mine = statistics.median(r.seconds for r in ours)
    base = statistics.median(r.seconds for r in plain)
    ratio = mine / base
    peak = max(r.peak_mib for r in ours)
    within = ratio <= BUDGET and peak <= memory_budget(checkins)
    verdict = "within budget" if within else "OVER BUDGET"
    cpu_mine = statistics.median(r.cpu for r in ours)
    cpu_base = statistics.median(r.cpu for r in plain)
    line = (
        f"{label:7s} {checkins / 1e6:4.0f}M goaltui {mine:6.2f} s (peak {peak:5.0f} MiB)  "
        f"duckdb {base:6.2f} s (peak {max(r.peak_mib for r in plain):5.0f} MiB)  "
        f"ratio {ratio:4.2f}  {verdict}  "
        f"(cpu {cpu_mine:.2f} s vs {cpu_base:.2f} s, {cpu_mine / max(cpu_base, 1e-9):4.2f})"
    )
    return line, ratio, within


def compare_reports(ours: Path, plain: Path) -> str:
    """How many goal rows differ between the two reports (actual, target, achievement)."""
    mine = pl.read_csv(ours, infer_schema_length=0).filter(pl.col("kind") != "objective")
    base = pl.read_csv(plain, infer_schema_length=0)
    numbers = ["actual", "target", "achievement"]
    joined = mine.join(base, on="goal_id", how="full", suffix="_plain")
    close = pl.all_horizontal(
        (
            (pl.col(c).cast(pl.Float64) - pl.col(f"{c}_plain").cast(pl.Float64)).abs()
            <= 1e-9 * pl.col(f"{c}_plain").cast(pl.Float64).abs().clip(1.0)
        ).fill_null(pl.col(c).is_null() & pl.col(f"{c}_plain").is_null())
        for c in numbers
    )
    differ = joined.filter(~close | pl.col("goal_id").is_null() | pl.col("kind_plain").is_null())
    return (
        f"{mine.height:,} goal rows from goaltui (plus objectives), {base.height:,} from DuckDB; "
        f"{differ.height} differ in actual, target or achievement"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--as-of", default="2026-11-16")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--only", choices=["import", "report"])
    args = parser.parse_args(argv)
    date.fromisoformat(args.as_of)
    print(f"goaltui bytecode written in {compile_goaltui()}")
    sizes: list[Path] = args.data or [Path(tempfile.gettempdir()) / "goaltui-large"]
    results: list[tuple[str, float, bool]] = []
    for data in sizes:
        results += bench_size(data, args)
    if len(sizes) > 1:
        print("\nby size:")
        for line, _, _ in results:
            print(line)
    return 0 if all(within for _, _, within in results) else 1


def row_counts(data: Path) -> dict[str, int]:
    """The rows of each CSV file of `data`, counted in a process of its own: a timed process
    is forked from this one, and its peak memory (ru_maxrss) includes what this one holds at
    the fork (counting ten million rows here made both sides' peaks read 653 MiB)."""
    code = (
        "import sys, polars as pl\n"
        "for t in sys.argv[2:]:\n"
        "    print(pl.scan_csv(f'{sys.argv[1]}/{t}.csv').select(pl.len()).collect().item())\n"
    )
    counted = subprocess.run(
        [sys.executable, "-c", code, str(data), *TABLES], capture_output=True, text=True, check=True
    )
    return dict(zip(TABLES, map(int, counted.stdout.split()), strict=True))


def bench_size(data: Path, args: argparse.Namespace) -> list[tuple[str, float, bool]]:
    """Measure one organisation; the summary lines with their ratios and verdicts."""
    if args.regenerate or not all((data / f"{t}.csv").exists() for t in TABLES):
        print(f"generating the organisation in {data} ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "make_large_org.py"), str(data)], check=True)
    rows = row_counts(data)
    checkins = rows["checkins"]
    print(f"\ndata {data}: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
    print(f"runs: {args.runs} of each, medians; as-of {args.as_of}; {load()}", flush=True)

    work = Path(tempfile.mkdtemp(prefix="goaltui-bench-"))
    goaltui = goaltui_command()
    results: list[tuple[str, float, bool]] = []
    try:
        db = work / "goaltui.duckdb"
        imports: list[Run] = []
        plain_imports: list[Run] = []
        for _ in range(args.runs if args.only != "report" else 1):
            for path in (db, work / "plain.duckdb"):
                path.unlink(missing_ok=True)
                path.with_name(path.name + ".wal").unlink(missing_ok=True)
            imports.append(run([*goaltui, "import", str(data), "--db", str(db)]))
            plain_imports.append(
                run([sys.executable, "-c", PLAIN_IMPORT, str(data), str(work / "plain.duckdb")])
            )
        results.append(summary("import", imports, plain_imports, checkins))
        print(
            "all runs (s): import "
            + " ".join(f"{r.seconds:.2f}" for r in imports)
            + " | plain "
            + " ".join(f"{r.seconds:.2f}" for r in plain_imports)
            + f"; {load()}"
        )
        if args.only == "import":
            print(results[-1][0], flush=True)
            return results

        reports: list[Run] = []
        plain_reports: list[Run] = []
        dues: list[Run] = []
        ours_csv, plain_csv = work / "report.csv", work / "plain.csv"
        for _ in range(args.runs):
            reports.append(
                run(
                    [*goaltui, "report", "--format", "csv", "--db", str(db), "--as-of", args.as_of],
                    stdout=ours_csv,
                )
            )
            plain_reports.append(
                run([sys.executable, "-c", PLAIN_REPORT, str(db), args.as_of, str(plain_csv)])
            )
            dues.append(
                run(
                    [*goaltui, "due", "--format", "csv", "--db", str(db), "--as-of", args.as_of],
                    stdout=work / "due.csv",
                )
            )
        results.append(summary("report", reports, plain_reports, checkins))
        if args.only != "report":
            print(results[0][0])
        print(results[-1][0])
        print("report check: " + compare_reports(ours_csv, plain_csv))
        due_median = statistics.median(r.seconds for r in dues)
        report_median = statistics.median(r.seconds for r in reports)
        due_ratio = due_median / report_median
        due_rows = pl.scan_csv(work / "due.csv").select(pl.len()).collect().item()
        print(
            f"due     goaltui {due_median:6.2f} s (peak {max(r.peak_mib for r in dues):5.0f} MiB)  "
            f"report {report_median:6.2f} s  ratio {due_ratio:4.2f}  "
            f"{'within budget' if due_ratio <= DUE_BUDGET else 'OVER BUDGET'} ({due_rows:,} due)"
        )
        print(
            "all runs (s): report "
            + " ".join(f"{r.seconds:.2f}" for r in reports)
            + " | plain "
            + " ".join(f"{r.seconds:.2f}" for r in plain_reports)
            + " | due "
            + " ".join(f"{r.seconds:.2f}" for r in dues),
            flush=True,
        )
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
