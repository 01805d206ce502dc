"""Fiscal years: with fiscal_year_start = 4, `2026-Q1` is April-June 2026 and `2026` is April
2026 - March 2027 in every computation, label and command; months stay calendar months."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from goaltui.cli import main
from goaltui.config import load_config
from goaltui.metrics.periods import label_start, period_end, period_label, period_start
from goaltui.model.enums import PeriodUnit
from goaltui.model.errors import GoaltuiError
from goaltui.model.period import Period, set_fiscal_year_start
from goaltui.store.importer import import_path

LABELS = {
    # fiscal_year_start -> label -> (first day, last day)
    1: {
        "2026-Q1": (date(2026, 1, 1), date(2026, 3, 31)),
        "2026-Q4": (date(2026, 10, 1), date(2026, 12, 31)),
        "2026": (date(2026, 1, 1), date(2026, 12, 31)),
        "2026-11": (date(2026, 11, 1), date(2026, 11, 30)),
    },
    4: {
        "2026-Q1": (date(2026, 4, 1), date(2026, 6, 30)),
        "2026-Q3": (date(2026, 10, 1), date(2026, 12, 31)),
        "2026-Q4": (date(2027, 1, 1), date(2027, 3, 31)),
        "2026": (date(2026, 4, 1), date(2027, 3, 31)),
        "2026-11": (date(2026, 11, 1), date(2026, 11, 30)),
    },
}


@pytest.mark.parametrize("start", [1, 4])
def test_label_goldens(start: int) -> None:
    set_fiscal_year_start(start)
    for label, (first, last) in LABELS[start].items():
        period = Period.parse(label)
        assert (period.start, period.end, period.label) == (first, last, label)
        frame = pl.DataFrame({"label": [label]}).with_columns(
            start=label_start(pl.col("label")), unit=pl.lit(period.unit.value)
        )
        row = frame.select(
            "start",
            end=period_end(pl.col("start"), pl.col("unit")),
            label=period_label(pl.col("start"), pl.col("unit")),
        ).row(0)
        assert row == (first, last, label)


@pytest.mark.parametrize("start", [1, 2, 4, 7, 10, 12])
def test_model_and_expressions_agree_on_every_day(start: int) -> None:
    set_fiscal_year_start(start)
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(0, 3 * 366)]
    for unit in (PeriodUnit.MONTH, PeriodUnit.QUARTER, PeriodUnit.YEAR):
        frame = pl.DataFrame({"day": days}).with_columns(
            start=period_start(pl.col("day"), pl.lit(unit.value))
        )
        frame = frame.with_columns(label=period_label(pl.col("start"), pl.lit(unit.value)))
        expected = [Period.containing(unit, d) for d in days]
        assert frame["start"].to_list() == [p.start for p in expected]
        assert frame["label"].to_list() == [p.label for p in expected]
        assert all(p.contains(d) for p, d in zip(expected, days, strict=True))


def test_fiscal_year_start_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="1 to 12"):
        set_fiscal_year_start(13)
    path = tmp_path / "config.toml"
    path.write_text("fiscal_year_start = 0\n", encoding="utf-8")
    with pytest.raises(GoaltuiError, match="fiscal_year_start must be a month number"):
        load_config(path)
    path.write_text("fiscal_year_start = 4\n", encoding="utf-8")
    assert load_config(path).fiscal_year_start == 4


ORG = {
    "units": "id,name,parent_id,kind\norg,Org,,org\n",
    "kpis": "id,unit_id,name,unit,direction,aggregation,period,target\n"
    "rev,org,Revenue,KRW,at_least,sum,quarter,100\n"
    "yearly,org,Yearly,count,at_least,sum,year,10\n",
    "objectives": "id,unit_id,title,period\nq1,org,First fiscal quarter,2026-Q1\n",
    "key_results": "id,objective_id,title,unit,direction,aggregation,target\n"
    "kr,q1,Deals,count,at_least,sum,4\n",
    "checkins": "goal_id,date,value\n"
    "rev,2026-03-20,50\n"
    "rev,2026-04-10,30\n"
    "rev,2026-05-10,40\n"
    "yearly,2026-03-31,5\n"
    "yearly,2027-03-31,3\n"
    "kr,2026-03-31,9\n"
    "kr,2026-04-02,1\n"
    "kr,2026-06-30,2\n",
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    folder = tmp_path / "org"
    folder.mkdir()
    for name, text in ORG.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    path = tmp_path / "fiscal.duckdb"
    import_path(path, folder)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


REPORT_HEADER = "kind,goal_id,unit_id,name,period,actual,target,achievement,status,score\n"


def test_report_at_fiscal_april(
    capsys: pytest.CaptureFixture[str], db: Path, isolated_home: Path
) -> None:
    config = isolated_home / "config" / "goaltui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("fiscal_year_start = 4\n", encoding="utf-8")
    code, out, err = run(
        capsys, "report", "--db", str(db), "--as-of", "2026-05-15", "--format", "csv"
    )
    assert (code, err) == (0, "")
    # April 1 - May 15 is 45 of the quarter's 91 days: rev's 70 projects to 141.6, on track;
    # the yearly KPI's March check-in is of fiscal 2025.
    assert out == REPORT_HEADER + (
        "kpi,rev,org,Revenue,2026-Q1,70,100,0.7,on_track,\n"
        "kpi,yearly,org,Yearly,2026,,10,,no_data,\n"
        "kr,kr,org,Deals,2026-Q1,1,4,0.25,off_track,0.25\n"
        "objective,q1,org,First fiscal quarter,2026-Q1,,,,,0.25\n"
    )


def test_report_at_calendar_quarters(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = run(
        capsys, "report", "--db", str(db), "--as-of", "2026-05-15", "--format", "csv"
    )
    assert code == 0
    assert out == REPORT_HEADER + (
        "kpi,rev,org,Revenue,2026-Q2,70,100,0.7,on_track,\n"
        "kpi,yearly,org,Yearly,2026,5,10,0.5,on_track,\n"
    )


def test_database_setting_and_close(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    assert run(capsys, "init", "--db", str(db), "--fiscal-year-start", "4")[0] == 0
    code, out, err = run(capsys, "close", "2026-Q1", "--db", str(db), "--as-of", "2026-07-15")
    assert (code, err) == (0, "")
    # Graded as of June 30: the March check-in is of fiscal 2025-Q4.
    assert out == "Closed 2026-Q1: graded 1 objective and 1 key result\n"
    code, _, err = run(
        capsys,
        "checkin",
        "kr",
        "1",
        "--date",
        "2026-05-01",
        "--db",
        str(db),
        "--as-of",
        "2026-07-15",
    )
    assert code == 1 and "2026-Q1 is closed for objective 'q1'" in err
    code, _, err = run(
        capsys,
        "checkin",
        "kr",
        "1",
        "--date",
        "2026-03-15",
        "--db",
        str(db),
        "--as-of",
        "2026-07-15",
    )
    assert (code, err) == (0, "")
    code, out, _ = run(
        capsys,
        "report",
        "--db",
        str(db),
        "--as-of",
        "2026-07-15",
        "--format",
        "md",
        "--period",
        "2026-Q1",
    )
    assert out.startswith("# Review of 2026-Q1 (closed, scores as of 2026-06-30)\n")
    assert "| First fiscal quarter | aspirational | 0.75 | 0.75 | green |" in out
