"""The DuckDB schema of a goaltui database, its version and the migrations between versions."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from goaltui.model.errors import DatabaseError

SCHEMA_VERSION = 1
"""The version this code writes. Opening an older file migrates it; a newer one is refused."""

APPLICATION_ID = "goaltui"

_CREATE_V1 = """
CREATE TABLE goaltui_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE units (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    parent_id VARCHAR,
    kind VARCHAR NOT NULL
);
CREATE TABLE kpis (
    id VARCHAR PRIMARY KEY,
    unit_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    unit VARCHAR,
    direction VARCHAR NOT NULL,
    aggregation VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    target_mode VARCHAR NOT NULL,
    target DOUBLE,
    parent_id VARCHAR,
    category VARCHAR,
    description VARCHAR
);
CREATE TABLE objectives (
    id VARCHAR PRIMARY KEY,
    unit_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    parent_id VARCHAR,
    description VARCHAR
);
CREATE TABLE key_results (
    id VARCHAR PRIMARY KEY,
    objective_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    unit VARCHAR,
    direction VARCHAR,
    aggregation VARCHAR,
    target_mode VARCHAR NOT NULL,
    target DOUBLE,
    baseline DOUBLE,
    weight DOUBLE NOT NULL,
    kpi_id VARCHAR
);
CREATE TABLE checkins (
    seq BIGINT NOT NULL,
    -- Unique, checked by the importer and append_checkin. Not a PRIMARY KEY: maintaining its
    -- index made importing a million check-ins about ten times slower.
    id VARCHAR NOT NULL,
    goal_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    value DOUBLE,
    denominator DOUBLE,
    confidence DOUBLE,
    note VARCHAR,
    author VARCHAR,
    supersedes VARCHAR,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE targets (
    goal_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    target DOUBLE NOT NULL,
    PRIMARY KEY (goal_id, period)
);
"""

MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {}
"""Steps from version N-1 to N, keyed by N. Version 1 is the first; later steps go here."""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.sql("SELECT table_name FROM information_schema.tables").fetchall()
    return {str(name) for (name,) in rows}


def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version stored in an open database; None for an empty database.

    Raises DatabaseError when the file holds tables but is not a goaltui database.
    """
    tables = _tables(con)
    if not tables:
        return None
    if "goaltui_meta" not in tables:
        raise DatabaseError("this file is a DuckDB database but not a goaltui database")
    rows = con.sql("SELECT value FROM goaltui_meta WHERE key = 'schema_version'").fetchall()
    if not rows:
        raise DatabaseError("this goaltui database has no schema version; it is damaged")
    text = str(rows[0][0]).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise DatabaseError(
            f"this goaltui database's schema version {text!r} is not a whole number from 1 up; "
            "it is damaged"
        )
    return int(text)


def checked_version(version: int | None) -> int | None:
    """`version`, or DatabaseError when it is newer than this code understands."""
    if version is not None and version > SCHEMA_VERSION:
        raise DatabaseError(
            f"this database has schema version {version}, newer than this goaltui "
            f"understands ({SCHEMA_VERSION}); upgrade goaltui to open it"
        )
    return version


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schema in an empty database or migrate an older one, inside the caller's
    transaction. Raises DatabaseError for a newer or foreign database."""
    version = checked_version(stored_version(con))
    if version is None:
        con.execute(_CREATE_V1)
        con.execute(
            "INSERT INTO goaltui_meta VALUES ('application', ?), ('schema_version', ?)",
            [APPLICATION_ID, str(SCHEMA_VERSION)],
        )
        return
    for step in range(version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[step](con)
        con.execute("UPDATE goaltui_meta SET value = ? WHERE key = 'schema_version'", [str(step)])


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.sql(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "ORDER BY table_name, ordinal_position"
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        found.setdefault(str(table), []).append((str(column), str(dtype)))
    return found


def check_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Raise DatabaseError when a table of the current schema is missing or has other columns."""
    expected = duckdb.connect()
    try:
        expected.execute(_CREATE_V1)
        want = _columns(expected)
    finally:
        expected.close()
    have = _columns(con)
    for table, columns in want.items():
        if table not in have:
            raise DatabaseError(f"this goaltui database has no {table} table; it is damaged")
        if have[table] != columns:
            raise DatabaseError(
                f"the {table} table of this goaltui database has other columns than goaltui "
                "writes; it is damaged"
            )
