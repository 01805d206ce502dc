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


# --- which periods, switched-off rules, bad thresholds, the same bytes --------------------------

LAST_YEAR = (
    "objectives.csv",
    "구조를 만든다,2026-Q4,\n",
    "구조를 만든다,2026-Q4,\no-2025,sales,Sign 40 renewals,2025-Q4,o-org\n",
)
"""A 2025-Q4 objective of sales with a number in its title and no key result."""


def rules_of(out: str) -> list[tuple[str, str]]:
    return [(r["rule"], r["subject_id"]) for r in csv.DictReader(io.StringIO(out))]


def test_period_and_all_choose_the_periods_checked(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(db_path, tmp_path / "csv", LAST_YEAR)
    status, out, _ = lint(capsys, db, "--format", "csv")
    assert (status, out.splitlines()) == (0, [HEADER])
    last_year = [("objective-has-number", "o-2025"), ("okr-kr-count", "o-2025")]
    for option in (["--period", "2025-Q4"], ["--period", "2025"], ["--all"]):
        status, out, _ = lint(capsys, db, "--format", "csv", *option)
        assert (status, rules_of(out)) == (0, last_year), option
    status, out, _ = lint(capsys, db, "--period", "2025-Q4")
    assert "Goal quality as of 2026-11-16: 2025-Q4" in out
    status, out, err = lint(capsys, db, "--period", "last-year")
    assert (status, out) == (1, "")
    assert "not a period label: 'last-year'" in err


def test_period_and_all_exclude_each_other(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_db(db_path, tmp_path / "csv")
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", "--db", str(db), "--period", "2026-Q4", "--all"])
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def write_config(home: Path, text: str) -> None:
    config = home / "config" / "goaltui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")


def test_config_disables_rules(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    db = make_db(db_path, tmp_path / "csv", UNLINK_SALES)
    write_config(isolated_home, '[quality]\ndisable = ["unlinked"]\n')
    status, out, _ = lint(capsys, db, "--format", "csv")
    assert (status, out.splitlines()) == (0, [HEADER])
    write_config(isolated_home, '[quality]\ndisable = ["unlinkd"]\n')
    status, out, err = lint(capsys, db, "--format", "csv")
    assert (status, out) == (1, "")
    assert "disable names no rule 'unlinkd'" in err and "unlinked" in err


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("not_achievable_factor = nan", "'not_achievable_factor' must be a number from 1 to 1000"),
        ("not_achievable_factor = inf", "not inf"),
        ("kpi_too_many = -1", "'kpi_too_many' must be a whole number from 0 to 1000, not -1"),
        ("not_achievable_periods = 2.5", "'not_achievable_periods' must be a whole number"),
        ("okr_max_objectives = '5'", "'okr_max_objectives' must be a number, not '5'"),
        ("kpi_too_many = true", "must be a number, not True"),
        ("okr_min_key_results = 5", "okr_min_key_results (5) is above okr_max_key_results (4)"),
        ("disable = 'stale'", "disable must be a list of rule ids"),
    ],
)
def test_bad_thresholds_are_one_clear_config_error(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    isolated_home: Path,
    setting: str,
    words: str,
) -> None:
    db = make_db(db_path, tmp_path / "csv")
    write_config(isolated_home, f"[quality]\n{setting}\n")
    status, out, err = lint(capsys, db, "--format", "csv")
    assert (status, out) == (1, "")
    assert words in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("goaltui: ") and "[quality]" in err and "Traceback" not in err


def test_explanations_in_the_findings_read_the_config(
    tmp_path: Path, db_path: Path, isolated_home: Path
) -> None:
    from goaltui.config import load_config

    db = make_db(db_path, tmp_path / "csv")
    write_config(isolated_home, "[quality]\nkpi_too_many = 0\n")
    thresholds = load_config().quality
    findings = find_issues(load_dataset(db), date(2026, 11, 16), thresholds)
    assert set(findings.get_column("explanation")) == {
        "A unit should own a manageable number of KPIs (at most 0)."
    }


def test_output_is_byte_identical_across_runs(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A month of 20,001 check-ins of 0.005: the sum is a half cent (100.005) that a float sum
    # taken in another order could round either way in the not-achievable message.
    lines = ["goal_id,date,value"] + [
        f"k-sales,2026-10-{1 + i % 28:02d},0.005" for i in range(20_001)
    ]
    lines.append("k-sales,2026-11-02,25")
    many = ("checkins.csv", "k-sales,2026-11-02,25\n", "\n".join(lines[1:]) + "\n")
    db = make_db(
        db_path, tmp_path / "csv", many, ("kpis.csv", "absolute,30,k-org", "absolute,3000,k-org")
    )
    outputs = set()
    for fmt in ("csv", "csv", "csv", "json", "json"):
        status, out, _ = lint(capsys, db, "--format", fmt)
        assert status == 0
        outputs.add(out)
    assert len(outputs) == 2
    csv_out = min(outputs, key=len)
    # 100.005 is 100.00499999999999545... as a binary float: it prints as 100, every time.
    assert "best of the last 4 months was 100." in csv_out


def test_a_quarterly_organisation_lints_the_same_every_time() -> None:
    from tests.builders import quarterly_organisation

    ds = quarterly_organisation()
    texts = {
        render_lint(ds, date(2026, 11, 16), unit=None, fmt=fmt, thresholds=QualityThresholds())
        for fmt in ("table", "table", "csv", "csv")
    }
    assert len(texts) == 2
    table = next(text for text, _ in texts if "Goal quality" in text)
    assert "Goal quality as of 2026-11-16: periods containing 2026-11-16" in table
    assert table.rstrip().splitlines()[-1] == "2 warnings"


def test_korean_users_read_findings_in_korean_but_csv_and_json_stay_english(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str], korean: None
) -> None:
    db = make_db(db_path, tmp_path / "csv", UNLINK_SALES)
    _status, table, _ = lint(capsys, db, "--format", "table")
    assert "연결되지 않아요" in table
    assert "2026-11-16이 속한 기간" in table
    assert "supports no" not in table
    _status, out, _ = lint(capsys, db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert "supports no KPI of a unit above it" in rows[0]["message"]
    assert rows[0]["suggestion"].startswith("Set its parent_id")
    _status, out, _ = lint(capsys, db, "--format", "json")
    assert "supports no KPI" in json.loads(out)[0]["message"]
    # The language people read is back after the English output.
    _status, table, _ = lint(capsys, db, "--format", "table")
    assert "연결되지 않아요" in table
