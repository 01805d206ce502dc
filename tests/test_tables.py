"""The one declaration of the tables (goaltui/store/tables.py) against what the engines make
of it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from goaltui.store.frames import query
from goaltui.store.pg_schema import _TABLES_SQL
from goaltui.store.schema import ensure_schema
from goaltui.store.tables import TABLES, insert_columns


def test_duckdb_tables_hold_the_declared_columns_and_read_back_as_the_declared_dtypes(
    tmp_path: Path,
) -> None:
    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    try:
        ensure_schema(con)
        for name, table in TABLES.items():
            frame = query(con, f"SELECT * FROM {name}")
            assert frame.schema == table.schema, name
            nullable = {
                str(column): flag == "YES"
                for column, flag in con.sql(
                    "SELECT column_name, is_nullable FROM information_schema.columns "
                    f"WHERE table_name = '{name}'"
                ).fetchall()
            }
            assert nullable == {c.name: c.null for c in table.columns}, name
    finally:
        con.close()


def test_postgresql_gets_every_table_with_its_own_type_names() -> None:
    for name in TABLES:
        assert f"CREATE TABLE IF NOT EXISTS {name} (" in _TABLES_SQL
    grades = _TABLES_SQL.split("CREATE TABLE IF NOT EXISTS grades (")[1].split(");")[0]
    assert "score DOUBLE PRECISION," in grades
    assert "PRIMARY KEY (kind, goal_id)" in grades
    assert "DOUBLE," not in _TABLES_SQL


def test_an_import_writes_the_interchange_columns_and_the_entry_numbers() -> None:
    assert insert_columns("checkins")[0] == "seq"
    assert set(insert_columns("checkins")) == set(TABLES["checkins"].names)
    assert "seq" not in {c.name for c in TABLES["history"].exported}
    assert insert_columns("kpis") == TABLES["kpis"].names
