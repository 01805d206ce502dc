"""One evaluation plan per report: what the report reads and what it computes come from one goal
catalog; the csv and json, which show no change against the previous period, read a previous
period only where a target or baseline comes from it; and the stored first fiscal month is read
in the same opening of the file as the data. Each must print exactly what a report over the
whole history prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from goaltui.cli import main
from goaltui.metrics.engine import evaluate_goals, evaluate_planned, evaluation_plan
from goaltui.model.period import set_fiscal_year_start
from goaltui.report import load_report, render_report, report_plan, report_text
from goaltui.store.dataset import load_dataset, without_archived
from goaltui.store.db import store_fiscal_year_start
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path

AS_OF_DATES = [date(2026, 11, 16), date(2026, 3, 31), date(2026, 9, 30), date(2027, 1, 1)]
CHANGE_COLUMNS = ("previous_actual", "change")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("plan") / "demo.duckdb"
    import_path(db, demo_source())
    return db


@pytest.mark.parametrize("as_of", AS_OF_DATES)
@pytest.mark.parametrize("fmt", ["csv", "json", "md", "table"])
@pytest.mark.parametrize("fiscal", [1, 4])
def test_report_text_equals_the_report_of_the_whole_history(
    demo_db: Path, as_of: date, fmt: str, fiscal: int
) -> None:
    set_fiscal_year_start(fiscal)
    expected = render_report(load_dataset(demo_db), as_of, unit=None, history=False, fmt=fmt)
    assert report_text(demo_db, as_of, unit=None, history=False, fmt=fmt) == expected
    assert report_text(demo_db, as_of, unit="sales", history=False, fmt=fmt) == render_report(
        load_dataset(demo_db), as_of, unit="sales", history=False, fmt=fmt
    )


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_history_report_text_equals_the_report_of_the_whole_history(
    demo_db: Path, as_of: date
) -> None:
    expected = render_report(load_dataset(demo_db), as_of, unit=None, history=True, fmt="csv")
    assert report_text(demo_db, as_of, unit=None, history=True, fmt="csv") == expected


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_a_plan_without_changes_changes_nothing_else(demo_db: Path, as_of: date) -> None:
    full = without_archived(load_dataset(demo_db))
    reference = evaluate_goals(full, as_of)
    lean = evaluate_planned(full, evaluation_plan(full, as_of, history=False, changes=False))
    others = [c for c in reference.columns if c not in CHANGE_COLUMNS]
    assert lean.select(others).equals(reference.select(others))
    # The previous period is still read where the target or the baseline comes from it.
    from_previous = pl.col("target_mode") == "change_pct"
    assert lean.filter(from_previous).equals(reference.filter(from_previous))
    assert lean.filter(~from_previous).select(CHANGE_COLUMNS).null_count().row(0) == (
        lean.filter(~from_previous).height,
    ) * len(CHANGE_COLUMNS)


def test_the_csv_reads_less_than_the_markdown(demo_db: Path) -> None:
    as_of = date(2026, 11, 16)
    definitions = load_dataset(demo_db).definitions
    csv = report_plan(definitions, as_of, history=False, fmt="csv").buckets
    md = report_plan(definitions, as_of, history=False, fmt="md").buckets
    assert csv.select("goal_id", "months").equals(md.select("goal_id", "months"))
    later = csv["first_index"] > md["first_index"]
    assert later.any() and (csv["first_index"] >= md["first_index"]).all()
    # The demo has change_pct goals: those still read their previous period.
    assert (csv["first_index"] == md["first_index"]).any()


def test_the_report_reads_the_stored_fiscal_month_with_its_data(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    db = tmp_path / "april.duckdb"
    db.write_bytes(demo_db.read_bytes())
    store_fiscal_year_start(db, 4)
    # The database's own setting comes before the user's config.
    config = isolated_home / "config" / "goaltui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("fiscal_year_start = 7\n", encoding="utf-8")
    as_of = date(2026, 5, 15)
    code = main(["report", "--db", str(db), "--as-of", as_of.isoformat(), "--format", "csv"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    set_fiscal_year_start(4)
    assert out == render_report(load_dataset(db), as_of, unit=None, history=False, fmt="csv")
    assert ",2026-Q1," in out  # April to June is the first quarter of fiscal 2026


def test_load_report_still_reads_what_render_report_needs(demo_db: Path) -> None:
    as_of = date(2026, 11, 16)
    dataset = load_report(demo_db, as_of, history=False)
    for fmt in ("csv", "md"):
        assert render_report(dataset, as_of, unit=None, history=False, fmt=fmt) == (
            report_text(demo_db, as_of, unit=None, history=False, fmt=fmt)
        )


def test_a_csv_report_imports_only_what_it_needs(demo_db: Path, tmp_path: Path) -> None:
    # A fresh interpreter, as the command runs: no Textual, Rich, wording of numbers or TOML
    # parser (there is no config file) is imported for a csv.
    import os
    import subprocess
    import sys

    code = (
        "import io, sys\n"
        "from goaltui.cli import main\n"
        "sys.stdout = io.StringIO()\n"
        f"main(['report', '--db', {str(demo_db)!r}, '--as-of', '2026-11-16', '--format', 'csv'])\n"
        "sys.stdout = sys.__stdout__\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    modules = set(done.stdout.split())
    assert "goaltui.report" in modules
    unneeded = {"textual", "rich", "goaltui.humanize", "goaltui.console", "tomllib", "babel"}
    assert modules & unneeded == set()


def test_the_report_program_leaves_at_once_with_all_its_output(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Run as the program, the report ends the process itself once its output is flushed: the
    # output is whole, the status right, and a reader that stops early is no error.
    import os
    import subprocess
    import sys

    argv = ["report", "--db", str(demo_db), "--as-of", "2026-11-16", "--format", "md"]
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run(
        [sys.executable, "-m", "goaltui", *argv], capture_output=True, text=True, env=env
    )
    assert main(argv) == 0
    assert (done.returncode, done.stderr, done.stdout) == (0, "", capsys.readouterr().out)
    # A reader that closes the pipe after one line.
    with subprocess.Popen(
        [sys.executable, "-m", "goaltui", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"# ")
        process.stdout.close()
        assert process.wait() == 0
        assert process.stderr.read() == b""
    failed = subprocess.run(
        [sys.executable, "-m", "goaltui", *argv[:-2], "--unit", "nowhere"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert failed.returncode == 1 and "unknown unit" in failed.stderr
