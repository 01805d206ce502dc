"""The DuckDB schema of a goaltui database, its version and the migrations between versions.

The tables are created from their declaration (goaltui/store/tables.py); the migrations are
written out, since they describe how older versions differ from it."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from goaltui.model.errors import DatabaseError
from goaltui.store.tables import CYCLE_TABLES, DATASET_TABLES, META, ddl

SCHEMA_VERSION = 4
"""The version this code writes. Opening an older file migrates it; a newer one is refused."""

APPLICATION_ID = "goaltui"

_CREATE = ddl((META, *DATASET_TABLES), "duckdb")
"""The tables of the current version but the cycle's, as TABLES declares them."""

_CYCLE = ddl(CYCLE_TABLES, "duckdb")
"""The tables version 3 added: grades, closed periods and the history of definitions."""


def _v2_cadence_commitment_login(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2: check-in cadences, objective commitments and carry-over, unit logins. Rows
    written before get the defaults the interchange format gives an empty cell."""
    con.execute(
        """
        ALTER TABLE units ADD COLUMN login VARCHAR;
        ALTER TABLE kpis ADD COLUMN cadence VARCHAR NOT NULL DEFAULT 'monthly';
        ALTER TABLE kpis ALTER COLUMN cadence DROP DEFAULT;
        ALTER TABLE objectives ADD COLUMN commitment VARCHAR NOT NULL DEFAULT 'aspirational';
        ALTER TABLE objectives ALTER COLUMN commitment DROP DEFAULT;
        ALTER TABLE objectives ADD COLUMN carried_from VARCHAR;
        ALTER TABLE key_results ADD COLUMN cadence VARCHAR;
        UPDATE key_results SET cadence = 'weekly' WHERE kpi_id IS NULL;
        """
    )


def _v3_grades_closures_history(con: duckdb.DuckDBPyConnection) -> None:
    """Version 3: grades, closed periods and the history of definitions (all empty)."""
    con.execute(_CYCLE)


def _v4_archived(con: duckdb.DuckDBPyConnection) -> None:
    """Version 4: goals may be archived (every goal stored before is active)."""
    con.execute(
        """
        ALTER TABLE kpis ADD COLUMN archived DATE;
        ALTER TABLE objectives ADD COLUMN archived DATE;
        ALTER TABLE key_results ADD COLUMN archived DATE;
        """
    )


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    2: _v2_cadence_commitment_login,
    3: _v3_grades_closures_history,
    4: _v4_archived,
}
"""Steps from version N-1 to N, keyed by N. Version 1 is the first."""


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
        con.execute(_CREATE)
        con.execute(_CYCLE)
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
        expected.execute(_CREATE)
        expected.execute(_CYCLE)
        want = _columns(expected)
    finally:
        expected.close()
    have = _columns(con)
    for table, columns in want.items():
        if table not in have:
            raise DatabaseError(f"this goaltui database has no {table} table; it is damaged")
        # Compared as sets: a migrated database has its added columns last.
        if set(have[table]) != set(columns):
            raise DatabaseError(
                f"the {table} table of this goaltui database has other columns than goaltui "
                "writes; it is damaged"
            )
