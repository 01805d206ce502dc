"""Schema version 2: cadences, commitments, carried_from and logins, through import, export and
the migration of a version-1 database."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from goaltui.model.errors import ValidationError
from goaltui.store.dataset import load_dataset
from goaltui.store.exporter import export_db
from goaltui.store.importer import import_path
from goaltui.store.schema import SCHEMA_VERSION
from tests.store_helpers import write_source

V2: dict[str, str | None] = {
    "units": """id,name,parent_id,kind,login
hb,주식회사 허밍버즈,,org,
sales,영업팀,hb,team,lee
kim,김민수,sales,person,kim
""",
    "kpis": """id,unit_id,name,unit,direction,aggregation,period,target,cadence
rev,hb,분기 매출,KRW,at_least,sum,quarter,100,quarterly
calls,sales,Calls,count,at_least,sum,month,40,
leads,sales,Leads,count,at_least,sum,month,20,biweekly
""",
    "objectives": """id,unit_id,title,period,commitment,carried_from
o0,hb,Old one,2026-Q3,committed,
o1,hb,신규 사용자 활성화,2026-Q4,,o0
o2,sales,Win,2026-Q4,aspirational,
""",
    "key_results": """id,objective_id,title,unit,direction,aggregation,target,kpi_id,cadence
kr1,o1,Retention,%,at_least,last,40,,monthly
kr2,o1,Calls made,,,,100,calls,
kr3,o2,Demos,count,at_least,sum,10,,
""",
    "checkins": "goal_id,date,value\n",
    "targets": "goal_id,period,target\n",
}


def problems_of(db: Path, source: Path) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        import_path(db, source)
    return caught.value.problems


def test_new_columns_import_with_their_defaults(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src", V2))
    data = load_dataset(db_path)
    assert data.units.select("id", "login").rows() == [
        ("hb", None),
        ("kim", "kim"),
        ("sales", "lee"),
    ]
    assert data.kpis.select("id", "cadence").rows() == [
        ("calls", "monthly"),
        ("leads", "biweekly"),
        ("rev", "quarterly"),
    ]
    assert data.objectives.select("id", "commitment", "carried_from").rows() == [
        ("o0", "committed", None),
        ("o1", "aspirational", "o0"),
        ("o2", "aspirational", None),
    ]
    # A KR with kpi_id follows its KPI: it keeps no cadence of its own.
    assert data.key_results.select("id", "cadence").rows() == [
        ("kr1", "monthly"),
        ("kr2", None),
        ("kr3", "weekly"),
    ]


def test_new_columns_round_trip(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src", V2))
    export_db(db_path, tmp_path / "out")
    header = (tmp_path / "out" / "objectives.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",commitment,carried_from,archived")
    again = tmp_path / "again.duckdb"
    import_path(again, tmp_path / "out")
    first, second = load_dataset(db_path), load_dataset(again)
    for name, frame in first.tables().items():
        assert frame.equals(second.tables()[name]), name


def test_sample_without_the_new_columns_still_imports(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    data = load_dataset(db_path)
    assert set(data.kpis["cadence"]) == {"monthly"}
    assert data.key_results.select("id", "cadence").rows() == [("kr1", "weekly"), ("kr2", None)]
    assert set(data.objectives["commitment"]) == {"aspirational"}


def test_bad_new_cells(tmp_path: Path, db_path: Path) -> None:
    changes = dict(V2)
    changes["kpis"] = str(V2["kpis"]) + "x,sales,X,count,at_least,sum,month,1,daily\n"
    changes["objectives"] = (
        str(V2["objectives"])
        + "o3,hb,Same period,2026-Q4,,o1\n"
        + "o4,hb,Missing,2026-Q4,,nope\n"
        + "o5,hb,Year over its quarter,2026,,o0\n"
        + "o6,hb,Bad commitment,2027-Q1,must,o1\n"
        + "o7,hb,Later year,2027,,o1\n"
    )
    changes["key_results"] = str(V2["key_results"]) + "kr4,o2,Leads,,,,5,leads,weekly\n"
    assert problems_of(db_path, write_source(tmp_path / "src", changes)) == [
        "kpis.csv:5: cadence: 'daily' is not one of weekly, biweekly, monthly, quarterly",
        "objectives.csv:5: carried_from: objective 'o1' is of 2026-Q4, not of a period before "
        "2026-Q4",
        "objectives.csv:6: carried_from: no objective has the id 'nope'",
        "objectives.csv:7: carried_from: objective 'o0' is of 2026-Q3, not of a period before 2026",
        "objectives.csv:8: commitment: 'must' is not one of aspirational, committed",
        "key_results.csv:5: cadence: must be empty when kpi_id is given: the key result follows "
        "its KPI's cadence",
    ]


V1_DDL = """
CREATE TABLE goaltui_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE units (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, parent_id VARCHAR,
    kind VARCHAR NOT NULL);
CREATE TABLE kpis (id VARCHAR PRIMARY KEY, unit_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
    unit VARCHAR, direction VARCHAR NOT NULL, aggregation VARCHAR NOT NULL,
    period VARCHAR NOT NULL, target_mode VARCHAR NOT NULL, target DOUBLE, parent_id VARCHAR,
    category VARCHAR, description VARCHAR);
CREATE TABLE objectives (id VARCHAR PRIMARY KEY, unit_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL, period VARCHAR NOT NULL, parent_id VARCHAR, description VARCHAR);
CREATE TABLE key_results (id VARCHAR PRIMARY KEY, objective_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL, unit VARCHAR, direction VARCHAR, aggregation VARCHAR,
    target_mode VARCHAR NOT NULL, target DOUBLE, baseline DOUBLE, weight DOUBLE NOT NULL,
    kpi_id VARCHAR);
CREATE TABLE checkins (seq BIGINT NOT NULL, id VARCHAR NOT NULL, goal_id VARCHAR NOT NULL,
    date DATE NOT NULL, value DOUBLE, denominator DOUBLE, confidence DOUBLE, note VARCHAR,
    author VARCHAR, supersedes VARCHAR, recorded_at TIMESTAMP NOT NULL);
CREATE TABLE targets (goal_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    target DOUBLE NOT NULL, PRIMARY KEY (goal_id, period));
INSERT INTO goaltui_meta VALUES ('application', 'goaltui'), ('schema_version', '1');
INSERT INTO units VALUES ('hb', 'HB', NULL, 'org'), ('kim', '김민수', 'hb', 'person');
INSERT INTO kpis VALUES ('rev', 'hb', 'Revenue', 'KRW', 'at_least', 'sum', 'month',
    'absolute', 10, NULL, NULL, NULL);
INSERT INTO objectives VALUES ('o1', 'kim', 'Grow', '2026-Q4', NULL, NULL);
INSERT INTO key_results VALUES
    ('kr1', 'o1', 'Deals', 'count', 'at_least', 'sum', 'absolute', 5, NULL, 1, NULL),
    ('kr2', 'o1', 'Revenue', NULL, NULL, NULL, 'absolute', 10, NULL, 1, 'rev');
INSERT INTO checkins VALUES (0, 'c1', 'rev', DATE '2026-11-02', 3, NULL, NULL, NULL, NULL,
    NULL, TIMESTAMP '2026-11-02 09:00:00');
"""


def test_a_version_1_database_migrates(tmp_path: Path, db_path: Path) -> None:
    con = duckdb.connect(str(db_path))
    con.execute(V1_DDL)
    con.close()
    data = load_dataset(db_path)
    assert data.kpis.select("id", "cadence").rows() == [("rev", "monthly")]
    assert data.key_results.select("id", "cadence").rows() == [("kr1", "weekly"), ("kr2", None)]
    assert data.objectives.select("commitment", "carried_from").rows() == [("aspirational", None)]
    assert data.units["login"].to_list() == [None, None]
    assert data.checkins.height == 1
    con = duckdb.connect(str(db_path), read_only=True)
    version = con.sql("SELECT value FROM goaltui_meta WHERE key = 'schema_version'").fetchall()
    con.close()
    assert version == [(str(SCHEMA_VERSION),)] == [("4",)]
    # The migrated database takes the new columns like a new one.
    import_path(db_path, write_source(tmp_path / "src", V2))
    assert load_dataset(db_path).kpis.filter(pl.col("id") == "leads")["cadence"].item() == (
        "biweekly"
    )


def test_a_merge_keeps_the_columns_a_file_does_not_name(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "v2", V2))
    # The company's spreadsheet knows nothing of logins or cadences: re-importing it renames a
    # unit and moves a target, and must not take the logins or the cadences away.
    older = {
        **V2,
        "units": "id,name,parent_id,kind\nhb,Hummingbirds,,org\nsales,영업팀,hb,team\n"
        "kim,김민수,sales,person\n",
        "kpis": "id,unit_id,name,unit,direction,aggregation,period,target\n"
        "leads,sales,Leads,count,at_least,sum,month,25\n",
    }
    import_path(db_path, write_source(tmp_path / "old", older))
    data = load_dataset(db_path)
    units = dict(data.units.select("id", "login").iter_rows())
    assert units == {"hb": None, "sales": "lee", "kim": "kim"}
    assert data.units.filter(pl.col("id") == "hb")["name"].to_list() == ["Hummingbirds"]
    leads = data.kpis.filter(pl.col("id") == "leads").select("target", "cadence").rows()
    assert leads == [(25.0, "biweekly")]
