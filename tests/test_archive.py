"""Archived goals (schema 4): the `archived` column through import, export and the migration
of a version-3 database; archived goals leave the current report, the due list and lint, and
stay in the export and `report --history`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from goaltui.due_report import due_frame
from goaltui.lint import render_lint
from goaltui.metrics.scorecard import build_scorecard
from goaltui.model.errors import ValidationError
from goaltui.model.quality import QualityThresholds
from goaltui.report import load_report, render_report
from goaltui.store.dataset import load_dataset, without_archived
from goaltui.store.exporter import export_db
from goaltui.store.importer import import_path
from goaltui.store.schema import SCHEMA_VERSION
from tests.store_helpers import SAMPLE, write_source

AS_OF = date(2026, 11, 16)

ARCHIVED: dict[str, str | None] = {
    "kpis": SAMPLE["kpis"]
    .replace("category,description", "category,description,archived")
    .replace(
        "hr,Average hiring time,days,at_most,mean,month,,45,,hr,",
        "hr,Average hiring time,days,at_most,mean,month,,45,,hr,,2026-11-01",
    ),
    "objectives": "id,unit_id,title,period,parent_id,description,archived\n"
    "o1,hb,신규 사용자 활성화,2026-Q4,,,\no2,sales,Win new customers,2026-Q4,o1,,2026-11-10\n",
}


@pytest.fixture
def archived_db(tmp_path: Path) -> Path:
    db = tmp_path / "goals.duckdb"
    import_path(db, write_source(tmp_path / "src", ARCHIVED))
    return db


def test_archived_goals_are_stored_and_exported(archived_db: Path, tmp_path: Path) -> None:
    data = load_dataset(archived_db)
    assert data.kpis.filter(pl.col("archived").is_not_null())["id"].to_list() == ["hire"]
    export_db(archived_db, tmp_path / "out")
    again = tmp_path / "again.duckdb"
    import_path(again, tmp_path / "out")
    assert load_dataset(again).objectives.select("id", "archived").rows() == [
        ("o1", None),
        ("o2", date(2026, 11, 10)),
    ]


def test_an_archived_cell_must_be_a_date(tmp_path: Path) -> None:
    bad: dict[str, str | None] = {
        "objectives": "id,unit_id,title,period,archived\no1,hb,T,2026-Q4,soon\n"
    }
    with pytest.raises(ValidationError) as refused:
        import_path(tmp_path / "db.duckdb", write_source(tmp_path / "src", bad))
    assert any(p.startswith("objectives.csv:2: archived: 'soon'") for p in refused.value.problems)


def test_archived_goals_leave_the_current_views(archived_db: Path) -> None:
    data = load_dataset(archived_db)
    shown = without_archived(data)
    assert "hire" not in shown.kpis["id"].to_list()
    # An archived objective takes its key results with it; the rest stay.
    assert shown.objectives["id"].to_list() == ["o1"]
    assert shown.key_results["id"].to_list() == ["kr1"]
    assert "hire" not in shown.checkins["goal_id"].to_list()
    assert "hire" not in build_scorecard(data, AS_OF).goals["goal_id"].to_list()
    assert "hire" not in due_frame(data, AS_OF, unit=None, within=60)["goal_id"].to_list()
    lint, _ = render_lint(data, AS_OF, unit=None, fmt="csv", thresholds=QualityThresholds())
    assert ",hire," not in lint and ",o2," not in lint
    current = render_report(
        load_report(archived_db, AS_OF, history=False), AS_OF, unit=None, history=False, fmt="csv"
    )
    history = render_report(
        load_report(archived_db, AS_OF, history=True), AS_OF, unit=None, history=True, fmt="csv"
    )
    for goal in ("hire", "kr2", "o2"):
        assert f",{goal}," not in current
        assert f",{goal}," in history


def test_a_version_3_database_migrates_with_every_goal_active(tmp_path: Path) -> None:
    db = tmp_path / "v3.duckdb"
    import_path(db, write_source(tmp_path / "plain"))
    con = duckdb.connect(str(db))
    for table in ("kpis", "objectives", "key_results"):
        con.execute(f"ALTER TABLE {table} DROP COLUMN archived")
    con.execute("UPDATE goaltui_meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    data = load_dataset(db)
    assert data.kpis["archived"].null_count() == data.kpis.height == 4
    con = duckdb.connect(str(db), read_only=True)
    version = con.sql("SELECT value FROM goaltui_meta WHERE key = 'schema_version'").fetchall()
    con.close()
    assert version == [(str(SCHEMA_VERSION),)] == [("4",)]


def _kpis_with_archived(sales_rev: str) -> str:
    return (
        SAMPLE["kpis"]
        .replace("category,description", "category,description,archived")
        .replace('입력"', f'입력",{sales_rev}')
        .replace("rev,sales,\n", "rev,sales,,\n", 1)
    )


def test_a_kpi_an_active_key_result_is_measured_by_cannot_be_archived(tmp_path: Path) -> None:
    db = tmp_path / "goals.duckdb"
    import_path(db, write_source(tmp_path / "src", {}))
    archiving: dict[str, str | None] = {"kpis": _kpis_with_archived("2026-11-20")}
    with pytest.raises(ValidationError) as refused:
        import_path(db, write_source(tmp_path / "again", archiving))
    assert any(
        "archived" in problem and "kr2" in problem and "archive it first" in problem
        for problem in refused.value.problems
    ), refused.value.problems
    assert load_dataset(db).kpis["archived"].null_count() == 4  # nothing was written


def test_a_kpi_is_archived_once_its_key_results_are(tmp_path: Path) -> None:
    db = tmp_path / "goals.duckdb"
    key_results = SAMPLE["key_results"].replace(",kpi_id\n", ",kpi_id,archived\n")
    key_results = key_results.replace(",sales-rev\n", ",sales-rev,2026-11-19\n")
    source: dict[str, str | None] = {
        "kpis": _kpis_with_archived("2026-11-20"),
        "key_results": key_results,
    }
    import_path(db, write_source(tmp_path / "src", source))
    assert load_dataset(db).kpis.filter(pl.col("archived").is_not_null())["id"].to_list() == [
        "sales-rev"
    ]
    active_again = {**source, "key_results": key_results.replace(",2026-11-19", ",")}
    with pytest.raises(ValidationError) as refused:
        import_path(db, write_source(tmp_path / "again", active_again))
    assert any("sales-rev" in p and "is archived" in p for p in refused.value.problems)
