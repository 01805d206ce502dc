"""`goaltui report`: csv, json, md and table output from a database imported from CSV files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from goaltui.cli import main
from goaltui.model.errors import GoaltuiError
from goaltui.report import render_report
from goaltui.store.dataset import Dataset, load_dataset
from goaltui.store.importer import import_path

AS_OF = date(2026, 11, 16)
ELAPSED_NOV = 16 / 30
HEADER = "kind,goal_id,unit_id,name,period,actual,target,achievement,status,score"

FILES = {
    "units.csv": """id,name,parent_id,kind
acme,Acme Inc.,,org
sales,Sales team,acme,team
kim,Kim Min-ji,sales,person
hr,"People, culture",acme,team
""",
    "kpis.csv": """id,unit_id,name,unit,direction,aggregation,period,target_mode,target
rev,sales,Monthly revenue,KRW,at_least,sum,month,absolute,1000000
hire,hr,Average time to hire,days,at_most,mean,quarter,absolute,45
calls,kim,Customer calls,count,at_least,sum,month,absolute,10
""",
    "objectives.csv": """id,unit_id,title,period
o1,acme,Grow steadily,2026-Q4
""",
    "key_results.csv": "id,objective_id,title,unit,direction,aggregation,target_mode,target,"
    """baseline,weight,kpi_id
r1,o1,Launch six features,count,at_least,sum,absolute,6,0,1,
r2,o1,Quarterly revenue,,,,absolute,4000000,,1,rev
""",
    "checkins.csv": """goal_id,date,value
rev,2026-10-20,1234567
rev,2026-11-03,430000
hire,2026-11-02,40
hire,2026-11-09,52
r1,2026-10-10,1
r1,2026-10-20,1
r1,2026-11-05,1
""",
    "targets.csv": """goal_id,period,target
rev,2026-10,1200000
""",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The organisation above; the tests only read it, so it is imported once."""
    folder = tmp_path_factory.mktemp("report")
    source = folder / "org"
    source.mkdir()
    for name, text in FILES.items():
        (source / name).write_text(text, encoding="utf-8")
    db_path = folder / "goals.duckdb"
    import_path(db_path, source)
    return db_path


@pytest.fixture(scope="module")
def dataset(db: Path) -> Dataset:
    return load_dataset(db)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def by_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["goal_id"]: row for row in rows}


def test_csv_header_is_exact(dataset: Dataset) -> None:
    text = render_report(dataset, AS_OF, unit=None, history=False, fmt="csv")
    assert text.splitlines()[0] == HEADER


def test_csv_values(dataset: Dataset) -> None:
    text = render_report(dataset, AS_OF, unit=None, history=False, fmt="csv")
    rows = csv_rows(text)
    assert [(r["kind"], r["goal_id"]) for r in rows] == [
        ("kpi", "calls"),
        ("kpi", "hire"),
        ("kpi", "rev"),
        ("kr", "r1"),
        ("kr", "r2"),
        ("objective", "o1"),
    ]
    rows_by_id = by_id(rows)
    rev = rows_by_id["rev"]
    assert rev == {
        "kind": "kpi",
        "goal_id": "rev",
        "unit_id": "sales",
        "name": "Monthly revenue",
        "period": "2026-11",
        "actual": "430000",
        "target": "1000000",
        "achievement": "0.43",
        "status": "at_risk",  # pace 0.43 / (16/30) = 0.806
        "score": "",
    }
    assert 0.8 <= 0.43 / ELAPSED_NOV < 1.0
    hire = rows_by_id["hire"]
    assert (hire["period"], hire["actual"], hire["target"]) == ("2026-Q4", "46", "45")
    assert float(hire["achievement"]) == pytest.approx(2 - 46 / 45)
    assert hire["status"] == "at_risk"
    calls = rows_by_id["calls"]
    assert (calls["actual"], calls["achievement"], calls["status"]) == ("", "", "no_data")
    r1, r2 = rows_by_id["r1"], rows_by_id["r2"]
    assert (r1["actual"], r1["target"], r1["score"], r1["unit_id"]) == ("3", "6", "0.5", "acme")
    # r2 is measured by rev: October and November revenue count toward the quarter.
    quarter = 1234567 + 430000
    assert r2["actual"] == str(quarter)
    assert float(r2["score"]) == pytest.approx(quarter / 4_000_000)
    objective = rows_by_id["o1"]
    assert objective == {
        "kind": "objective",
        "goal_id": "o1",
        "unit_id": "acme",
        "name": "Grow steadily",
        "period": "2026-Q4",
        "actual": "",
        "target": "",
        "achievement": "",
        "status": "",
        "score": objective["score"],
    }
    assert float(objective["score"]) == pytest.approx((0.5 + quarter / 4_000_000) / 2)


def test_csv_numbers_are_plain_decimals(dataset: Dataset) -> None:
    text = render_report(dataset, AS_OF, unit=None, history=True, fmt="csv")
    for row in csv_rows(text):
        for column in ("actual", "target", "achievement", "score"):
            cell = row[column]
            assert "," not in cell and "e" not in cell.lower()
            if cell:
                float(cell)
    assert '"People, culture"' not in text  # unit names are not in the csv, ids are


def test_history_lists_every_period(dataset: Dataset) -> None:
    rows = csv_rows(render_report(dataset, AS_OF, unit=None, history=True, fmt="csv"))
    rev = [
        (r["period"], r["actual"], r["target"], r["status"]) for r in rows if r["goal_id"] == "rev"
    ]
    assert rev[0] == ("2026-10", "1234567", "1200000", "met")
    assert rev[1][0] == "2026-11"
    assert len(rev) == 2
    assert [r["period"] for r in rows if r["goal_id"] == "hire"] == ["2026-Q4"]
    assert [r["period"] for r in rows if r["goal_id"] == "calls"] == ["2026-11"]


def test_unit_restricts_to_the_subtree(dataset: Dataset) -> None:
    rows = csv_rows(render_report(dataset, AS_OF, unit="sales", history=False, fmt="csv"))
    assert [r["goal_id"] for r in rows] == ["calls", "rev"]
    person = csv_rows(render_report(dataset, AS_OF, unit="kim", history=False, fmt="csv"))
    assert [r["goal_id"] for r in person] == ["calls"]
    everything = csv_rows(render_report(dataset, AS_OF, unit="acme", history=False, fmt="csv"))
    assert len(everything) == 6


def test_unknown_unit_is_an_error(dataset: Dataset) -> None:
    with pytest.raises(GoaltuiError, match="unknown unit 'nope'"):
        render_report(dataset, AS_OF, unit="nope", history=False, fmt="csv")


def test_unknown_format_is_an_error(dataset: Dataset) -> None:
    with pytest.raises(GoaltuiError, match="unknown report format"):
        render_report(dataset, AS_OF, unit=None, history=False, fmt="xml")


def test_json_has_the_same_rows_as_csv(dataset: Dataset) -> None:
    for history in (False, True):
        rows = json.loads(render_report(dataset, AS_OF, unit=None, history=history, fmt="json"))
        table = csv_rows(render_report(dataset, AS_OF, unit=None, history=history, fmt="csv"))
        assert len(rows) == len(table)
        for obj, row in zip(rows, table, strict=True):
            assert list(obj) == HEADER.split(",")
            for key, cell in row.items():
                value = obj[key]
                if cell == "":
                    assert value is None
                elif isinstance(value, float | int):
                    assert value == pytest.approx(float(cell))
                else:
                    assert value == cell


def test_markdown_sections_per_unit(dataset: Dataset) -> None:
    text = render_report(dataset, AS_OF, unit=None, history=False, fmt="md")
    assert text.startswith("# Goals as of 2026-11-16")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    # Depth-first from the root, siblings by id.
    assert sections == [
        "## Acme Inc. (acme)",
        "## People, culture (hr)",
        "## Sales team (sales)",
        "## Kim Min-ji (kim)",
    ]
    rev = next(line for line in text.splitlines() if "Monthly revenue" in line)
    assert "▾ down" in rev  # 430,000 after 1,234,567 in October
    assert "430k KRW" in rev or "430,000" in rev
    assert "| at risk |" in rev
    hire = next(line for line in text.splitlines() if "Average time to hire" in line)
    assert "| at risk |" in hire
    assert "Objective Grow steadily (2026-Q4): score" in text
    calls = next(line for line in text.splitlines() if "Customer calls" in line)
    assert "| no data |" in calls


def test_markdown_has_no_ambiguous_width_symbols(dataset: Dataset) -> None:
    import unicodedata

    text = render_report(dataset, AS_OF, unit=None, history=True, fmt="md")
    assert {c for c in text if unicodedata.east_asian_width(c) == "A"} == set()


def test_table_shows_status_words(dataset: Dataset) -> None:
    text = render_report(dataset, AS_OF, unit=None, history=False, fmt="table")
    assert "Goals as of 2026-11-16" in text
    for word in ("at risk", "no data", "objective", "Grow steadily", "Monthly revenue"):
        assert word in text
    assert "\x1b[" not in text  # no colour codes when not writing to a terminal


def test_report_command_prints_csv(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["report", "--format", "csv", "--db", str(db), "--as-of", "2026-11-16"])
    assert status == 0
    out = capsys.readouterr().out
    assert out == render_report(load_dataset(db), AS_OF, unit=None, history=False, fmt="csv")


def test_report_command_unknown_unit_exits_1(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["report", "--unit", "ghost", "--db", str(db), "--as-of", "2026-11-16"])
    assert status == 1
    assert "unknown unit 'ghost'" in capsys.readouterr().err


def test_report_runs_headless_in_a_fresh_process(db: Path) -> None:
    code = (
        "import sys\n"
        "from goaltui.cli import main\n"
        f"status = main(['report', '--format', 'csv', '--db', {str(db)!r}, "
        "'--as-of', '2026-11-16'])\n"
        "sys.stdout.flush()\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "print('TEXTUAL:' + ','.join(bad), file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0] == HEADER
    assert len(out.stdout.splitlines()) == 7
    assert "TEXTUAL:\n" in out.stderr
    module = subprocess.run(
        [
            sys.executable,
            "-m",
            "goaltui",
            "report",
            "--format",
            "json",
            "--db",
            str(db),
            "--as-of",
            "2026-11-16",
            "--unit",
            "hr",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [row["goal_id"] for row in json.loads(module.stdout)] == ["hire"]
