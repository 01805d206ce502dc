"""`goaltui lint` end to end: CSVs imported into a database, then the command's output and exit
status."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from goaltui.cli import main
from goaltui.lint import render_lint, summary
from goaltui.metrics.quality import find_issues
from goaltui.model.quality import QualityThresholds
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path

AS_OF = "2026-11-16"
HEADER = "severity,rule,subject_id,message,suggestion"

FILES = {
    "units.csv": """id,name,parent_id,kind
org,Hummingbirds,,org
sales,Sales team,org,team
""",
    "kpis.csv": """id,unit_id,name,unit,direction,aggregation,period,target_mode,target,parent_id
k-org,org,분기 매출 10억 원 이상 달성,KRW,at_least,sum,quarter,absolute,1000000000,
k-sales,sales,"월 신규 계약 30건 이상 확보",count,at_least,sum,month,absolute,30,k-org
""",
    "objectives.csv": """id,unit_id,title,period,parent_id
o-org,org,신규 사용자가 실제 사용자로 빠르게 전환되는 구조를 만든다,2026-Q4,
""",
    "key_results.csv": "id,objective_id,title,unit,direction,aggregation,target_mode,target,"
    """baseline,weight,kpi_id
r-reach,o-org,핵심 기능 도달률 60% 이상,%,at_least,last,absolute,60,40,,
r-rating,o-org,"Review rating, 4.5 or more",score,at_least,last,absolute,4.5,4.2,,
""",
    "checkins.csv": """goal_id,date,value
k-org,2026-10-15,300000000
k-sales,2026-11-02,25
r-reach,2026-11-01,45
r-rating,2026-11-01,4.3
""",
}


def make_db(db: Path, folder: Path, *changes: tuple[str, str, str]) -> Path:
    """Write the CSVs into `folder`, each change (file, old, new) replacing text in one file,
    and import them into `db`."""
    folder.mkdir()
    texts = dict(FILES)
    for name, old, new in changes:
        assert old in texts[name]
        texts[name] = texts[name].replace(old, new)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    import_path(db, folder)
    return db


UNLINK_SALES = ("kpis.csv", "absolute,30,k-org", "absolute,30,")
"""k-sales no longer cascades from k-org: an `unlinked` warning."""


def lint(capsys: pytest.CaptureFixture[str], db: Path, *extra: str) -> tuple[int, str, str]:
    status = main(["lint", "--db", str(db), "--as-of", AS_OF, *extra])
    out, err = capsys.readouterr()
    return status, out, err


def test_clean_organisation_exits_0_with_header_only(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(db_path, tmp_path / "csv")
    status, out, _ = lint(capsys, db, "--format", "csv")
    assert status == 0
    assert out.splitlines() == [HEADER]


def test_warnings_only_exit_0(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(db_path, tmp_path / "csv", UNLINK_SALES)
    status, out, _ = lint(capsys, db, "--format", "csv")
    assert status == 0
    assert out.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["severity"], r["rule"], r["subject_id"]) for r in rows] == [
        ("warning", "unlinked", "k-sales")
    ]
    assert "월 신규 계약 30건 이상 확보" in rows[0]["message"]


def test_an_error_finding_exits_1(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One weight of 0 and one of 1 (empty): still scorable, no finding.
    one = make_db(
        tmp_path / "one.duckdb", tmp_path / "one", ("key_results.csv", "60,40,,", "60,40,0,")
    )
    status, out, _ = lint(capsys, one, "--format", "csv")
    assert (status, out.splitlines()) == (0, [HEADER])
    # Both key results weigh 0: `zero-weights` is an error.
    both = make_db(
        tmp_path / "both.duckdb",
        tmp_path / "both",
        ("key_results.csv", "60,40,,", "60,40,0,"),
        ("key_results.csv", "4.5,4.2,,", "4.5,4.2,0,"),
    )
    status, out, _ = lint(capsys, both, "--format", "csv")
    assert status == 1
    assert out.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["severity"], r["rule"], r["subject_id"]) for r in rows] == [
        ("error", "zero-weights", "o-org")
    ]


def test_json_has_the_five_keys(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(db_path, tmp_path / "csv", UNLINK_SALES)
    status, out, _ = lint(capsys, db, "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert [list(item) for item in data] == [
        ["severity", "rule", "subject_id", "message", "suggestion"]
    ]
    assert data[0]["rule"] == "unlinked"


def test_table_has_a_summary_line(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    numbered = ("objectives.csv", "구조를 만든다", "구조를 2026년 4분기에 60% 만든다")
    db = make_db(db_path, tmp_path / "csv", numbered)
    status, out, _ = lint(capsys, db)
    assert status == 0
    assert "objective-has-number" in out and "o-org" in out
    assert out.rstrip().splitlines()[-1] == "1 warning"
    clean = make_db(tmp_path / "clean.duckdb", tmp_path / "clean")
    status, out, _ = lint(capsys, clean)
    assert status == 0
    assert out.strip().splitlines()[-1] == "No findings"


def test_unit_option_and_unknown_unit(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(db_path, tmp_path / "csv", UNLINK_SALES)
    for unit in ("sales", "org"):
        status, out, _ = lint(capsys, db, "--format", "csv", "--unit", unit)
        assert (status, len(out.splitlines())) == (0, 2)
    # A finding of sales is not one of a sibling's subtree.
    db2 = make_db(
        tmp_path / "two.duckdb",
        tmp_path / "two",
        UNLINK_SALES,
        ("units.csv", "sales,Sales team,org,team\n", "sales,Sales team,org,team\nhr,HR,org,team\n"),
    )
    status, out, _ = lint(capsys, db2, "--format", "csv", "--unit", "hr")
    assert (status, out.splitlines()) == (0, [HEADER])
    status, out, err = lint(capsys, db, "--format", "csv", "--unit", "nowhere")
    assert status == 1
    assert "nowhere" in err and out == ""


def test_config_thresholds_apply(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_home: Path,
) -> None:
    db = make_db(db_path, tmp_path / "csv")
    config = isolated_home / "config" / "goaltui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[quality]\nkpi_too_many = 0\n", encoding="utf-8")
    status, out, _ = lint(capsys, db, "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["rule"], r["subject_id"]) for r in rows] == [
        ("kpi-too-many", "org"),
        ("kpi-too-many", "sales"),
    ]


def test_render_lint_matches_find_issues(tmp_path: Path, db_path: Path) -> None:
    db = make_db(db_path, tmp_path / "csv", UNLINK_SALES)
    dataset = load_dataset(db)
    thresholds = QualityThresholds()
    text, has_errors = render_lint(
        dataset, date(2026, 11, 16), unit=None, fmt="csv", thresholds=thresholds
    )
    findings = find_issues(dataset, date(2026, 11, 16), thresholds)
    assert not has_errors
    assert findings.height == 1
    assert len(text.splitlines()) == findings.height + 1
    assert summary(findings) == "1 warning"
    assert summary(findings.clear()) == "No findings"
