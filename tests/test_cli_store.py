"""The store commands of the command line: init, import, export, checkin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from goaltui.cli import main
from goaltui.store.dataset import load_dataset
from tests.store_helpers import SAMPLE, append_rows, write_source

REPO = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_creates_an_empty_database(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, err = run(capsys, "init", "--db", str(db_path))
    assert (code, err) == (0, "")
    assert out == f"Created goaltui database {db_path}\n"
    assert load_dataset(db_path).units.height == 0
    code, out, _ = run(capsys, "init", "--db", str(db_path))
    assert out == f"Opened existing goaltui database {db_path}\n"


def test_import_and_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_path: Path
) -> None:
    source = write_source(tmp_path / "src")
    code, out, err = run(capsys, "import", str(source), "--db", str(db_path))
    assert (code, err) == (0, "")
    assert out == (
        f"Imported {source} into {db_path}: 4 units, 4 KPIs, 2 objectives, 2 key results, "
        "4 check-ins added, 2 targets\n"
    )
    code, out, _ = run(capsys, "import", str(source), "--db", str(db_path), "--replace")
    assert code == 0 and "4 check-ins added" in out
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "export", str(out_dir), "--db", str(db_path))
    assert (code, err) == (0, "")
    assert out == (
        f"Exported {db_path} to {out_dir}: 4 units, 4 KPIs, 2 objectives, 2 key results, "
        "4 check-ins, 2 targets, 14 history entries\n"
    )
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "checkins.csv",
        "closed_periods.csv",
        "grades.csv",
        "history.csv",
        "key_results.csv",
        "kpis.csv",
        "objectives.csv",
        "targets.csv",
        "units.csv",
    ]


def test_import_lists_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_path: Path
) -> None:
    source = write_source(
        tmp_path / "src",
        {
            "units": SAMPLE["units"] + "lee,이지은,nobody,person\n",
            "checkins": SAMPLE["checkins"] + "rev,2026-11-31,1,,,,\nghost,2026-11-01,x,,,,\n",
        },
    )
    code, out, err = run(capsys, "import", str(source), "--db", str(db_path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "units.csv:6: parent_id: no unit has the id 'nobody'",
        "checkins.csv:6: date: '2026-11-31' is not a date that exists",
        "checkins.csv:7: goal_id: no KPI or key result has the id 'ghost'",
        "checkins.csv:7: value: 'x' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)",
        "goaltui: 4 problems; nothing was written",
    ]
    assert not db_path.exists()


def test_checkin(capsys: pytest.CaptureFixture[str], tmp_path: Path, db_path: Path) -> None:
    main(["import", str(write_source(tmp_path / "src")), "--db", str(db_path)])
    capsys.readouterr()
    code, out, err = run(
        capsys,
        "checkin",
        "conv",
        "1,250",
        "--denominator",
        "5000",
        "--confidence",
        "7",
        "--note",
        "11월 중간",
        "--date",
        "2026-11-10",
        "--as-of",
        "2026-11-16",
        "--db",
        str(db_path),
    )
    assert (code, err) == (0, "")
    saved = load_dataset(db_path).checkins.row(-1, named=True)
    assert out == f"Saved check-in {saved['id']}: conv = 1,250 on 2026-11-10\n"
    assert (saved["value"], saved["denominator"], saved["confidence"], saved["note"]) == (
        1250.0,
        5000.0,
        7.0,
        "11월 중간",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "3"], "goal_id: no KPI or key result has the id 'nope'"),
        (["conv", "3"], "denominator: 'conv' is a ratio goal: enter a denominator"),
        (["rev", "3", "--date", "2026-12-01"], "date: 2026-12-01 is after today (2026-11-16)"),
        (["rev", "3", "--confidence", "12"], "confidence: '12' is outside 0-10"),
    ],
)
def test_checkin_refused(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db_path: Path,
    args: list[str],
    message: str,
) -> None:
    main(["import", str(write_source(tmp_path / "src")), "--db", str(db_path)])
    capsys.readouterr()
    code, out, err = run(capsys, "checkin", *args, "--as-of", "2026-11-16", "--db", str(db_path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [message, "goaltui: 1 problem; nothing was written"]
    assert load_dataset(db_path).checkins.height == 4


def test_checkin_without_a_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    code, out, err = run(capsys, "checkin", "rev", "1", "--db", str(db))
    assert (code, out) == (1, "")
    assert err == f"goaltui: {db}: no database here; create one with `goaltui init` or import\n"
    assert not db.exists()


def test_import_error_in_a_real_process(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src", append_rows("targets", "kr1,2026-Q3,1\n"))
    result = subprocess.run(
        [sys.executable, "-m", "goaltui", "import", str(source), "--db", str(db_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "targets.csv:4: period: '2026-Q3' is not the period of key result 'kr1' (2026-Q4, its "
        "objective's)",
        "goaltui: 1 problem; nothing was written",
    ]


def test_checkin_error_in_a_real_process(tmp_path: Path, db_path: Path) -> None:
    main(["import", str(write_source(tmp_path / "src")), "--db", str(db_path)])
    result = subprocess.run(
        [sys.executable, "-m", "goaltui", "checkin", "kr2", "5", "--db", str(db_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "goal_id: key result 'kr2' is measured by KPI 'sales-rev' (월 매출) and takes no "
        "check-ins of its own; check in to sales-rev instead"
    )


@pytest.mark.parametrize("command", ["init", "import", "export", "checkin"])
def test_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: goaltui {command}")
    assert "--db FILE" in out


def test_commands_move_frames_without_pyarrow(tmp_path: Path) -> None:
    # DuckDB's .pl() and its scan of a polars DataFrame need pyarrow, which goaltui does not
    # install; a fresh process where importing it fails must still import, check in, report and
    # export (the same merge import twice exercises the comparison with stored rows).
    db, out = tmp_path / "x.duckdb", tmp_path / "out"
    code = (
        "import sys\n"
        "sys.modules['pyarrow'] = None\n"
        "from goaltui.cli import main\n"
        "from goaltui.store.demo import demo_source\n"
        f"db = {str(db)!r}\n"
        "for argv in (['import', str(demo_source()), '--db', db],\n"
        "             ['import', str(demo_source()), '--db', db],\n"
        "             ['checkin', 'sales-contracts', '3', '--db', db, '--as-of', '2026-11-16'],\n"
        "             ['report', '--format', 'csv', '--db', db, '--as-of', '2026-11-16'],\n"
        "             ['report', '--history', '--format', 'md', '--db', db],\n"
        f"             ['export', {str(out)!r}, '--db', db]):\n"
        "    assert main(argv) == 0, argv\n"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (out / "checkins.csv").exists()
