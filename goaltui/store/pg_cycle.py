"""The quarterly cycle and the authoring of definitions on a PostgreSQL server.

Carry-over, close, reopen, grade and saving a definition run exactly the file's code, on a
working copy: inside one PostgreSQL transaction that first locks every table against writers
(a member's or viewer's login is refused right there, before anything is done), what the server
holds is copied into a scratch DuckDB file, the file's operation runs on it (history entries
recording the server's login), and what it changed is written back in the same transaction.
So both engines give the same ids, grades and history, and a failure anywhere writes nothing.

Check-ins dated in a closed objective's period are refused by a trigger in the database
(pg_schema.py), for psql as much as for goaltui; goaltui reads its refusal back into the sentence
a file gives (goaltui.store.pg.closed_refusal).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from goaltui.model.period import Period
from goaltui.store.cycle import (
    _ORDER,
    CYCLE_SCHEMAS,
    acting_as,
)
from goaltui.store.pg import (
    Connection,
    _arrow_frames,
    _copy_frame,
    _pg_columns,
    _upsert,
    pg_session,
)
from goaltui.store.pg_schema import CYCLE_TABLE_NAMES, TABLES

_DEFINITIONS = ("units", "kpis", "objectives", "key_results", "targets")
_KEYS = {"targets": ["goal_id", "period"]}
ALL_TABLES = (*TABLES, *CYCLE_TABLE_NAMES)
LOCK_SQL = f"LOCK TABLE {', '.join(ALL_TABLES)} IN SHARE ROW EXCLUSIVE MODE"
"""Taken first by every write of definitions: no check-in or other write slips in between
reading what is there and writing what is new (and a login that may not write is refused)."""


def server_frames(
    con: Connection,
    url: str,
    tables: tuple[str, ...],
    *,
    checkins: bool = True,
    checkins_where: str | None = None,
) -> dict[str, pl.DataFrame]:
    """Tables of the server as polars frames (their stored columns), in one snapshot: every
    check-in, none (`checkins` False), or those `checkins_where` (an SQL condition) selects."""
    queries = {}
    for table in tables:
        columns = ", ".join(_pg_columns(con, table))
        where = ""
        if table == "checkins" and not checkins:
            where = " WHERE false"
        elif table == "checkins" and checkins_where is not None:
            where = f" WHERE {checkins_where}"
        queries[table] = f"SELECT {columns} FROM {table}{where}"
    return _arrow_frames(url, queries)


def period_checkins(label: str) -> str | None:
    """The SQL condition selecting the check-ins that score period `label`'s objectives as of
    its last day (what closing it and carrying it over read): those of its key results and of
    the KPIs measuring them, dated up to its end, with every correction and retraction of those
    goals and every entry such a row supersedes. None (every check-in) when `label` is not a
    period."""
    period = Period.parse(label)
    if period is None:
        return None
    quoted = "'" + label.replace("'", "''") + "'"
    krs = f"key_results k JOIN objectives o ON o.id = k.objective_id WHERE o.period = {quoted}"
    goals = f"SELECT k.id FROM {krs} UNION SELECT k.kpi_id FROM {krs} AND k.kpi_id IS NOT NULL"
    return (
        f"goal_id IN ({goals}) AND (date <= DATE '{period.end.isoformat()}' "
        "OR supersedes IS NOT NULL "
        "OR id IN (SELECT s.supersedes FROM checkins s WHERE s.supersedes IS NOT NULL))"
    )


def fill_mirror(path: Path, frames: dict[str, pl.DataFrame]) -> None:
    """Create a goaltui file at `path` holding `frames` (tables by name)."""
    from goaltui.store.db import write_session
    from goaltui.store.frames import registered

    with write_session(path) as duck:
        for table, frame in frames.items():
            if frame.height == 0:
                continue
            stored = [str(r[0]) for r in duck.sql(f"DESCRIBE {table}").fetchall()]
            columns = [c for c in stored if c in frame.columns]
            with registered(duck, "goaltui_rows", frame.select(columns)):
                duck.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"SELECT {', '.join(columns)} FROM goaltui_rows"
                )


def mirror_tables(path: Path) -> dict[str, pl.DataFrame]:
    """Every table of the goaltui file at `path`."""
    from goaltui.store.db import read_session
    from goaltui.store.frames import query

    with read_session(path) as duck:
        return {t: query(duck, f"SELECT * FROM {t}") for t in ALL_TABLES}


def _changed(after: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    if before.height == 0:
        return after
    return after.join(before, on=after.columns, how="anti", nulls_equal=True)


def write_back(
    con: Connection, before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]
) -> None:
    """Write to the server what changed from `before` to `after` (frames of a working copy)."""
    for table in _DEFINITIONS:
        keys = _KEYS.get(table, ["id"])
        wanted = _pg_columns(con, table)
        new = after[table].select([c for c in after[table].columns if c in wanted])
        _upsert(con, table, _changed(new, before[table].select(new.columns)))
        gone = before[table].select(keys).join(after[table].select(keys), on=keys, how="anti")
        for row in gone.iter_rows():
            condition = " AND ".join(f"{k} = %s" for k in keys)
            con.execute(f"DELETE FROM {table} WHERE {condition}", list(row))
    for table in ("checkins", "history"):
        start = before[table]["seq"].max() if before[table].height else None
        rows = after[table]
        if start is not None:
            rows = rows.filter(pl.col("seq") > start)
        wanted = _pg_columns(con, table)
        _copy_frame(con, table, rows.select([c for c in rows.columns if c in wanted]))
    for table in ("grades", "closed_periods"):
        if _changed(after[table], before[table]).height or (
            before[table].height != after[table].height
        ):
            con.execute(f"DELETE FROM {table}")
            _copy_frame(con, table, after[table])
    if after["checkins"].height > before["checkins"].height:
        con.execute("SELECT setval('checkins_seq', (SELECT max(seq) FROM checkins), true)")


EVERY_CHECKIN = "*"
"""`checkins_of` for a working copy holding every check-in."""


@contextmanager
def pg_working_copy(url: str, what: str, *, checkins_of: str | None = None) -> Iterator[Path]:
    """A goaltui file holding what the server at `url` holds, for the file's code to change;
    the changes are written back in one transaction when the block succeeds (nothing is written
    when it fails). History entries made inside record the server's login. Raises
    DatabaseError for a login that may not write definitions ("who, what, why").

    Of the check-ins, the copy holds only what the work reads: none (grading, reopening, a
    definition), or with `checkins_of` a period's label, those scoring that period's
    objectives (closing, carrying over; see period_checkins); EVERY_CHECKIN: all of them."""
    with pg_session(url, what) as con:
        con.execute(LOCK_SQL)
        login = str(con.info.user)
        if checkins_of is None:
            frames = server_frames(con, url, ALL_TABLES, checkins=False)
        elif checkins_of == EVERY_CHECKIN:
            frames = server_frames(con, url, ALL_TABLES)
        else:
            where = period_checkins(checkins_of)
            frames = server_frames(con, url, ALL_TABLES, checkins_where=where)
        with tempfile.TemporaryDirectory(prefix="goaltui-work-") as scratch:
            path = Path(scratch) / "work.duckdb"
            fill_mirror(path, frames)
            before = mirror_tables(path)
            with acting_as(login):
                yield path
            after = mirror_tables(path)
        write_back(con, before, after)


@contextmanager
def pg_read_copy(url: str) -> Iterator[Path]:
    """A goaltui file holding what the server at `url` holds but the check-ins, to read
    (nothing is written)."""
    with pg_session(url) as con:
        frames = server_frames(con, url, ALL_TABLES, checkins=False)
    with tempfile.TemporaryDirectory(prefix="goaltui-read-") as scratch:
        path = Path(scratch) / "read.duckdb"
        fill_mirror(path, frames)
        yield path


def _cycle_frame(con: Connection, name: str) -> pl.DataFrame:
    schema = CYCLE_SCHEMAS[name]
    cursor = con.execute(f"SELECT {', '.join(schema)} FROM {name}")
    rows = cursor.fetchall()
    frame = pl.DataFrame({c: [r[i] for r in rows] for i, c in enumerate(schema)}, schema=schema)
    return frame.sort(_ORDER[name], nulls_last=False)


def pg_cycle_tables(
    url: str, names: tuple[str, ...] = CYCLE_TABLE_NAMES
) -> dict[str, pl.DataFrame]:
    """Cycle tables of the server at `url` (CYCLE_SCHEMAS frames, sorted by their keys)."""
    with pg_session(url) as con:
        return {name: _cycle_frame(con, name) for name in names}


def pg_stored_fiscal_year_start(url: str) -> int | None:
    """The first fiscal month the server's goaltui database stores, or None (none stored, or
    not readable now: the command itself will say why)."""
    import psycopg

    from goaltui.store.db import FISCAL_KEY

    try:
        with psycopg.connect(url, connect_timeout=10) as con:
            row = con.execute(
                "SELECT value FROM goaltui_meta WHERE key = %s", [FISCAL_KEY]
            ).fetchone()
    except psycopg.Error:
        return None
    return int(str(row[0])) if row else None


def pg_store_fiscal_year_start(url: str, month: int) -> None:
    """Store the organisation's first fiscal month in the server's goaltui database (an
    admin's write), which its closed-period check (pg_schema.py) counts from too."""
    from goaltui.i18n import _
    from goaltui.store.db import FISCAL_KEY

    with pg_session(url, _("store the first fiscal month")) as con:
        con.execute("DELETE FROM goaltui_meta WHERE key = %s", [FISCAL_KEY])
        con.execute("INSERT INTO goaltui_meta VALUES (%s, %s)", [FISCAL_KEY, str(month)])
