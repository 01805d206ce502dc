"""Each validation rule of the interchange format, broken (exact message) and kept (imports)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from goaltui.model.errors import ValidationError
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path
from tests.store_helpers import SAMPLE, append_rows, write_source

NUMBER = "is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"

BROKEN: list[tuple[str, dict[str, str | None], list[str]]] = [
    # units
    (
        "duplicate unit id",
        append_rows("units", "kim,Kim again,sales,person\n"),
        ["units.csv:6: id: 'kim' appears more than once (first on line 4)"],
    ),
    (
        "second root",
        append_rows("units", "acme,Acme,,org\n"),
        [
            "units.csv:6: parent_id: empty, but the root unit is 'hb'; exactly one unit may "
            "have no parent"
        ],
    ),
    (
        "unit cycle",
        append_rows("units", "a,A,b,team\nb,B,a,team\n"),
        [
            "units.csv:6: parent_id: the units a, b form a cycle (each is its own ancestor)",
            "units.csv:7: parent_id: the units a, b form a cycle (each is its own ancestor)",
        ],
    ),
    (
        "unit its own parent",
        append_rows("units", "a,A,a,team\n"),
        ["units.csv:6: parent_id: the units a form a cycle (each is its own ancestor)"],
    ),
    (
        "no root",
        {"units": SAMPLE["units"].replace("hb,주식회사 허밍버즈,,org", "hb,HB,kim,org")},
        [
            "units.csv: no unit is the root; exactly one unit must have an empty parent_id",
            "units.csv:2: parent_id: the units hb, kim, sales form a cycle (each is its own "
            "ancestor)",
            "units.csv:3: parent_id: the units hb, kim, sales form a cycle (each is its own "
            "ancestor)",
            "units.csv:4: parent_id: the units hb, kim, sales form a cycle (each is its own "
            "ancestor)",
        ],
    ),
    (
        "unit kind",
        append_rows("units", "lee,Lee,sales,employee\n"),
        ["units.csv:6: kind: 'employee' is not one of org, team, person"],
    ),
    (
        "unit without id",
        append_rows("units", " ,Lee,sales,person\n"),
        ["units.csv:6: id: required but empty"],
    ),
    # kpis
    (
        "duplicate KPI id",
        append_rows("kpis", "hire,hr,Again,days,at_most,mean,month,,45,,,\n"),
        ["kpis.csv:7: id: 'hire' appears more than once (first on line 6)"],
    ),
    (
        "KPI and key result share an id",
        append_rows("kpis", "kr1,hb,Clash,count,at_least,sum,month,,1,,,\n"),
        [
            "key_results.csv:2: id: 'kr1' is already the id of a KPI (KPIs and key results "
            "share ids)"
        ],
    ),
    (
        "KPI owner unknown",
        append_rows("kpis", "x,ghost,X,count,at_least,sum,month,,1,,,\n"),
        ["kpis.csv:7: unit_id: no unit has the id 'ghost'"],
    ),
    (
        "KPI parent unknown",
        append_rows("kpis", "x,hb,X,count,at_least,sum,month,,1,nope,,\n"),
        ["kpis.csv:7: parent_id: no KPI has the id 'nope'"],
    ),
    (
        "KPI parent cycle",
        {"kpis": SAMPLE["kpis"].replace(",,sales,\n", ",sales-rev,sales,\n", 1)},
        [
            "kpis.csv:2: parent_id: the KPIs rev, sales-rev form a cycle (each is its own "
            "ancestor)",
            "kpis.csv:3: parent_id: the KPIs rev, sales-rev form a cycle (each is its own "
            "ancestor)",
        ],
    ),
    (
        "KPI enums",
        append_rows("kpis", "x,hb,X,count,more,median,week,relative,1,,,\n"),
        [
            "kpis.csv:7: direction: 'more' is not one of at_least, at_most",
            "kpis.csv:7: aggregation: 'median' is not one of sum, mean, last, min, max, ratio",
            "kpis.csv:7: period: 'week' is not one of month, quarter, year",
            "kpis.csv:7: target_mode: 'relative' is not one of absolute, change_pct",
        ],
    ),
    (
        "KPI without unit",
        append_rows("kpis", "x,hb,X,,at_least,sum,month,,1,,,\n"),
        ["kpis.csv:7: unit: required but empty"],
    ),
    (
        "KPI target with a % sign, not measured in %",
        append_rows("kpis", "x,hb,X,KRW,at_least,sum,month,,80%,,,\n"),
        [
            "kpis.csv:7: target: '80%' has a % sign, but the goal is not measured in %; write "
            "the number alone"
        ],
    ),
    (
        "misplaced thousands separators",
        append_rows("kpis", 'x,hb,X,KRW,at_least,sum,month,,"1,25",,,\n'),
        [
            "kpis.csv:7: target: '1,25' is not a number: use . for decimals (e.g. 1.25); , only "
            "separates thousands (e.g. 1,250)"
        ],
    ),
    (
        "decimal comma",
        append_rows("kpis", 'x,hb,X,KRW,at_least,sum,month,,"1.250,5",,,\n'),
        [f"kpis.csv:7: target: '1.250,5' {NUMBER}"],
    ),
    # objectives
    (
        "objective period is a month",
        append_rows("objectives", "o3,hb,T,2026-11,,\n"),
        [
            "objectives.csv:4: period: '2026-11' is not a quarter or a year "
            "(use e.g. 2026-Q4 or 2026)"
        ],
    ),
    (
        "objective period Q5",
        append_rows("objectives", "o3,hb,T,2026-Q5,,\n"),
        [
            "objectives.csv:4: period: '2026-Q5' is not a quarter or a year "
            "(use e.g. 2026-Q4 or 2026)"
        ],
    ),
    (
        "objective references",
        append_rows("objectives", "o3,ghost,T,2026,nope,\n"),
        [
            "objectives.csv:4: unit_id: no unit has the id 'ghost'",
            "objectives.csv:4: parent_id: no objective has the id 'nope'",
        ],
    ),
    (
        "objective without title",
        append_rows("objectives", "o3,hb,,2026,,\n"),
        ["objectives.csv:4: title: required but empty"],
    ),
    # key results
    (
        "key result references",
        append_rows("key_results", "kr3,o9,T,,,,,1,,,k9\n"),
        [
            "key_results.csv:4: objective_id: no objective has the id 'o9'",
            "key_results.csv:4: kpi_id: no KPI has the id 'k9'",
        ],
    ),
    (
        "key result without measure and without kpi_id",
        append_rows("key_results", "kr3,o1,T,,,,,1,,,\n"),
        [
            "key_results.csv:4: unit: required unless kpi_id is given",
            "key_results.csv:4: direction: required unless kpi_id is given",
            "key_results.csv:4: aggregation: required unless kpi_id is given",
        ],
    ),
    (
        "negative weight",
        append_rows("key_results", "kr3,o1,T,%,at_least,last,,1,,-1,\n"),
        ["key_results.csv:4: weight: '-1' is negative; a weight is 0 or more"],
    ),
    (
        "baseline not a number",
        append_rows("key_results", "kr3,o1,T,%,at_least,last,,1,n/a,,\n"),
        [f"key_results.csv:4: baseline: 'n/a' {NUMBER}"],
    ),
    # check-ins
    (
        "check-in for a key result measured by a KPI",
        append_rows("checkins", "kr2,2026-11-01,5,,,,\n"),
        [
            "checkins.csv:6: goal_id: key result 'kr2' is measured by KPI 'sales-rev' and takes "
            "no check-ins of its own; check in to 'sales-rev' instead"
        ],
    ),
    (
        "check-in without value",
        append_rows("checkins", "rev,2026-11-01,,,,,\n"),
        [
            "checkins.csv:6: value: required but empty (only a row with supersedes may leave "
            "it empty)"
        ],
    ),
    (
        "ratio without denominator",
        append_rows("checkins", "conv,2026-11-01,5,,,,\n"),
        ["checkins.csv:6: denominator: required: 'conv' is a ratio goal"],
    ),
    (
        "denominator of a sum goal",
        append_rows("checkins", "rev,2026-11-01,5,3,,,\n"),
        [
            "checkins.csv:6: denominator: only ratio goals take a denominator; "
            "'rev' aggregates by sum"
        ],
    ),
    (
        "negative denominator",
        append_rows("checkins", "conv,2026-11-01,5,-3,,,\n"),
        ["checkins.csv:6: denominator: '-3' is negative"],
    ),
    (
        "something out of nothing",
        append_rows("checkins", "conv,2026-11-01,5,0,,,\n"),
        ["checkins.csv:6: denominator: 0, but the value is 5 (nothing can be counted out of 0)"],
    ),
    (
        "confidence below 0",
        append_rows("checkins", "rev,2026-11-01,5,,-1,,\n"),
        ["checkins.csv:6: confidence: '-1' is outside 0-10"],
    ),
    (
        "author unknown",
        append_rows("checkins", "rev,2026-11-01,5,,,,ghost\n"),
        ["checkins.csv:6: author: no unit has the id 'ghost'"],
    ),
    (
        "date not ISO",
        append_rows("checkins", "rev,16/11/2026,5,,,,\n"),
        ["checkins.csv:6: date: '16/11/2026' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)"],
    ),
    (
        "date missing",
        append_rows("checkins", "rev,,5,,,,\n"),
        ["checkins.csv:6: date: required but empty"],
    ),
    (
        "recorded_at not a timestamp",
        {"checkins": "goal_id,date,value,recorded_at\nrev,2026-11-01,5,yesterday 9am\n"},
        [
            "checkins.csv:2: recorded_at: 'yesterday 9am' is not a timestamp (use e.g. "
            "2026-11-16T09:30:00 or 2026-11-16 09:30:00+09:00)"
        ],
    ),
    # targets
    (
        "target of an unknown goal",
        append_rows("targets", "nope,2026-11,1\n"),
        ["targets.csv:4: goal_id: no KPI or key result has the id 'nope'"],
    ),
    (
        "target period of the wrong kind",
        append_rows("targets", "sales-rev,2026-Q4,1\n"),
        [
            "targets.csv:4: period: '2026-Q4' is not a month label; KPI 'sales-rev' is measured "
            "by month (e.g. 2026-11)"
        ],
    ),
    (
        "target period of a quarterly KPI",
        append_rows("targets", "rev,2026-13,1\n"),
        [
            "targets.csv:4: period: '2026-13' is not a quarter label; KPI 'rev' is measured by "
            "quarter (e.g. 2026-Q4)"
        ],
    ),
    (
        "target period of a key result",
        append_rows("targets", "kr1,2026-Q3,1\n"),
        [
            "targets.csv:4: period: '2026-Q3' is not the period of key result 'kr1' (2026-Q4, its "
            "objective's)"
        ],
    ),
    (
        "duplicate target",
        append_rows("targets", "sales-rev,2026-11,2\n"),
        [
            "targets.csv:4: period: 'sales-rev' for '2026-11' appears more than once "
            "(first on line 2)"
        ],
    ),
    (
        "target missing",
        append_rows("targets", "sales-rev,2026-12,\n"),
        ["targets.csv:4: target: required but empty"],
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [pytest.param(c, e, id=name) for name, c, e in BROKEN],
)
def test_broken_rule_is_reported(
    tmp_path: Path, db_path: Path, changes: dict[str, str | None], expected: list[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        import_path(db_path, write_source(tmp_path / "src", changes))
    assert caught.value.problems == expected
    assert not db_path.exists()


KEPT: list[tuple[str, dict[str, str | None]]] = [
    ("the sample", {}),
    ("a year objective", append_rows("objectives", "o3,hb,T,2026,,\n")),
    ("weight 0", append_rows("key_results", "kr3,o1,T,%,at_least,last,,1,,0,\n")),
    ("0 out of 0", append_rows("checkins", "conv,2026-11-01,0,0,,,\n")),
    (
        "confidence 0 and 10",
        append_rows("checkins", "rev,2026-11-01,1,,0,,\nrev,2026-11-02,1,,10,,\n"),
    ),
    ("thousands separators", append_rows("checkins", 'rev,2026-11-01,"1,250.5",,,,\n')),
    (
        "negative and exponent",
        append_rows("checkins", "hire,2026-11-01,-3,,,,\nrev,2026-11-01,1e3,,,,\n"),
    ),
    ("a quarterly target", append_rows("targets", "rev,2027-Q1,1\n")),
    (
        "a KPI of a change",
        append_rows("kpis", "v,hb,Visitors,count,at_least,sum,month,change_pct,20,,,\n"),
    ),
    # Judgement calls belong to lint, not to import.
    (
        "parent KPI of a unit below",
        append_rows("kpis", "k9,hb,X,count,at_least,sum,month,,1,hire,,\n"),
    ),
    ("KR direction against its KPI", append_rows("key_results", "kr3,o1,T,,at_most,,,1,,,hire\n")),
]


@pytest.mark.parametrize("changes", [pytest.param(c, id=name) for name, c in KEPT])
def test_valid_variant_imports(
    tmp_path: Path, db_path: Path, changes: dict[str, str | None]
) -> None:
    summary = import_path(db_path, write_source(tmp_path / "src", changes))
    assert summary.units == 4


def test_check_in_numbers_are_read_exactly(tmp_path: Path, db_path: Path) -> None:
    rows = 'rev,2026-11-01,"1,250.5",,,,\nhire,2026-11-01,-3,,,,\nrev,2026-11-01,1e3,,,,\n'
    import_path(db_path, write_source(tmp_path / "src", append_rows("checkins", rows)))
    assert load_dataset(db_path).checkins["value"].to_list()[-3:] == [1250.5, -3.0, 1000.0]


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("2026-11-16T09:30:00", datetime(2026, 11, 16, 9, 30)),
        ("2026-11-16 09:30", datetime(2026, 11, 16, 9, 30)),
        ("2026-11-16T09:30:00.250Z", datetime(2026, 11, 16, 9, 30, 0, 250000)),
        ("2026-11-16T18:30:00+09:00", datetime(2026, 11, 16, 9, 30)),
        ("2026-11-16T05:30:00-0400", datetime(2026, 11, 16, 9, 30)),
        ("2026-11-16", datetime(2026, 11, 16)),
    ],
)
def test_recorded_at_forms(tmp_path: Path, db_path: Path, cell: str, stored: datetime) -> None:
    checkins = f"goal_id,date,value,recorded_at\nrev,2026-11-01,5,{cell}\n"
    import_path(db_path, write_source(tmp_path / "src", {"checkins": checkins}))
    assert load_dataset(db_path).checkins["recorded_at"].to_list() == [stored]


BASE = "id,goal_id,date,value,supersedes\nc1,rev,2026-10-01,5,\n"

SUPERSEDES: list[tuple[str, str, list[str]]] = [
    (
        "unknown",
        "c2,rev,2026-10-01,6,zz\n",
        ["checkins.csv:3: supersedes: no check-in has the id 'zz'"],
    ),
    (
        "other goal",
        "c2,hire,2026-10-01,6,c1\n",
        ["checkins.csv:3: supersedes: 'c1' is a check-in of 'rev', not of 'hire'"],
    ),
    (
        "later in the file",
        "c2,rev,2026-10-01,6,c3\nc3,rev,2026-10-01,7,\n",
        [
            "checkins.csv:3: supersedes: 'c3' comes later in the file; a correction must follow "
            "the check-in it corrects"
        ],
    ),
    (
        "superseded twice",
        "c2,rev,2026-10-01,6,c1\nc3,rev,2026-10-01,7,c1\n",
        ["checkins.csv:4: supersedes: check-in 'c1' is already superseded by the row on line 3"],
    ),
    (
        "correcting a retraction",
        "c2,rev,2026-10-01,,c1\nc3,rev,2026-10-01,7,c2\n",
        [
            "checkins.csv:4: supersedes: 'c2' is a retraction; check in anew instead of "
            "correcting it"
        ],
    ),
    (
        "itself",
        "c2,rev,2026-10-01,6,c2\n",
        ["checkins.csv:3: supersedes: a check-in cannot supersede itself"],
    ),
    (
        "duplicate id",
        "c1,rev,2026-10-02,6,\n",
        ["checkins.csv:3: id: 'c1' appears more than once (first on line 2)"],
    ),
]


@pytest.mark.parametrize(
    ("rows", "expected"), [pytest.param(r, e, id=name) for name, r, e in SUPERSEDES]
)
def test_supersedes_rules(tmp_path: Path, db_path: Path, rows: str, expected: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        import_path(db_path, write_source(tmp_path / "src", {"checkins": BASE + rows}))
    assert caught.value.problems == expected


@pytest.mark.parametrize("value", ["6", ""])
def test_correction_and_retraction_in_one_file(tmp_path: Path, db_path: Path, value: str) -> None:
    rows = BASE + f"c2,rev,2026-10-01,{value},c1\n"
    import_path(db_path, write_source(tmp_path / "src", {"checkins": rows}))
    stored = load_dataset(db_path).checkins
    assert stored.select("id", "supersedes").rows() == [("c1", None), ("c2", "c1")]
    assert stored["value"].to_list() == [5.0, 6.0 if value else None]


def test_supersedes_reaches_the_database(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "a", {"checkins": BASE}))
    fix = "id,goal_id,date,value,supersedes\nc2,rev,2026-10-01,6,c1\n"
    import_path(db_path, write_source(tmp_path / "b", {"checkins": fix}))
    # The same correction again is a repeat, not a second correction.
    assert (
        import_path(db_path, write_source(tmp_path / "b2", {"checkins": fix})).checkins_skipped == 1
    )
    again = "id,goal_id,date,value,supersedes\nc3,rev,2026-10-01,7,c1\n"
    with pytest.raises(ValidationError) as caught:
        import_path(db_path, write_source(tmp_path / "c", {"checkins": again}))
    assert caught.value.problems == [
        "checkins.csv:2: supersedes: check-in 'c1' was already corrected by 'c2'"
    ]
    other = "id,goal_id,date,value,supersedes\nc1,rev,2026-10-01,99,\n"
    with pytest.raises(ValidationError) as caught:
        import_path(db_path, write_source(tmp_path / "d", {"checkins": other}))
    assert caught.value.problems == [
        "checkins.csv:2: id: 'c1' is already in the database as a different check-in (rev on "
        "2026-10-01); give this one another id"
    ]
    assert load_dataset(db_path).checkins.filter(pl.col("id") == "c1")["value"].item() == 5.0
