"""The stored side of the quarterly cycle: grades, closed periods and the history of definitions.

Every write of a definition (import, carry-over, close, grade) takes a snapshot of the tracked
tables before it and calls `record_changes` after it: each row that was added, changed or removed
gets one history entry with who, when and the row as JSON text before and after.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from goaltui.i18n import _
from goaltui.model.period import Period
from goaltui.store.dataset import read_table
from goaltui.store.frames import query, registered
from goaltui.store.tables import CYCLE_TABLES, schemas

CYCLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = schemas(CYCLE_TABLES)
"""Columns and dtypes of the cycle tables, in the order the database stores them (from the
declaration in goaltui/store/tables.py)."""
GRADES_SCHEMA = CYCLE_SCHEMAS["grades"]
CLOSED_PERIODS_SCHEMA = CYCLE_SCHEMAS["closed_periods"]
HISTORY_SCHEMA = CYCLE_SCHEMAS["history"]

_ORDER = {t.name: list(t.sort_keys) for t in CYCLE_TABLES}

_ROW_KEYS: dict[str, pl.Expr] = {
    "units": pl.col("id"),
    "kpis": pl.col("id"),
    "objectives": pl.col("id"),
    "key_results": pl.col("id"),
    "targets": pl.concat_str(pl.col("goal_id"), pl.lit("/"), pl.col("period")),
    "grades": pl.concat_str(pl.col("kind"), pl.lit("/"), pl.col("goal_id")),
    "closed_periods": pl.concat_str(pl.col("period"), pl.lit("/"), pl.col("unit_id").fill_null("")),
}
TRACKED_TABLES = tuple(_ROW_KEYS)
"""The tables whose every change is kept in the history, with the row id each is known by."""


_ACTING: ContextVar[str | None] = ContextVar("goaltui_acting", default=None)


@contextmanager
def acting_as(login: str) -> Iterator[None]:
    """Within the block, `who()` is `login` (a server's login, not the local account)."""
    token = _ACTING.set(login)
    try:
        yield
    finally:
        _ACTING.reset(token)


def who() -> str:
    """The person making a change: the login of the server being written (see acting_as),
    else $USER, else the operating system's login name."""
    acting = _ACTING.get()
    if acting:
        return acting
    user = os.environ.get("USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def now_utc() -> datetime:
    """The current moment in UTC, without a time zone (as the database stores it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def read_cycle_table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """All of cycle table `name`, sorted by its key, with CYCLE_SCHEMAS dtypes."""
    schema = CYCLE_SCHEMAS[name]
    frame = query(con, f"SELECT {', '.join(schema)} FROM {name}")
    return frame.cast(schema).sort(_ORDER[name], nulls_last=False)  # type: ignore[arg-type]


def _table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    return read_cycle_table(con, name) if name in CYCLE_SCHEMAS else read_table(con, name)


def row_json(frame: pl.DataFrame) -> pl.Expr:
    """Each row of `frame` as JSON text of its columns (the form history keeps)."""
    columns = [
        pl.col(c).dt.to_string("%Y-%m-%dT%H:%M:%S%.f")
        if isinstance(frame.schema[c], pl.Datetime)
        else pl.col(c).dt.to_string("%Y-%m-%d")
        if isinstance(frame.schema[c], pl.Date)
        else pl.col(c)
        for c in frame.columns
    ]
    return pl.struct(columns).struct.json_encode()


def _as_json(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.select(row_id=_ROW_KEYS[name], json=row_json(frame))


@dataclass(frozen=True)
class Snapshot:
    """The tracked tables as JSON text per row, taken before a write."""

    tables: dict[str, pl.DataFrame]


def snapshot(con: duckdb.DuckDBPyConnection) -> Snapshot:
    """The tracked tables of `con` as they are now."""
    return Snapshot({name: _as_json(_table(con, name), name) for name in TRACKED_TABLES})


def record_changes(
    con: duckdb.DuckDBPyConnection,
    before: Snapshot,
    *,
    changed_by: str | None = None,
    changed_at: datetime | None = None,
) -> int:
    """Add one history entry per row of a tracked table that differs from `before`. A row whose
    new text is what the history already holds as its latest `after` (an imported history.csv
    that tells of this very change) gets no second entry. Returns the entries added."""
    changed_by = changed_by or who()
    changed_at = changed_at or now_utc()
    latest = query(
        con,
        "SELECT table_name, row_id, arg_max(after, seq) AS known FROM history "
        "GROUP BY table_name, row_id",
    )
    entries: list[pl.DataFrame] = []
    for name in TRACKED_TABLES:
        old = before.tables[name].rename({"json": "before"})
        new = _as_json(_table(con, name), name).rename({"json": "after"})
        diff = (
            old.join(new, on="row_id", how="full", coalesce=True)
            .filter(~pl.col("before").eq_missing(pl.col("after")))
            .with_columns(table_name=pl.lit(name))
            .join(latest, on=["table_name", "row_id"], how="left")
            .filter(~pl.col("known").eq_missing(pl.col("after")) | pl.col("known").is_null())
            .sort("row_id")
        )
        if diff.height:
            entries.append(diff.select("table_name", "row_id", "before", "after"))
    if not entries:
        return 0
    rows = pl.concat(entries)
    start = con.sql("SELECT coalesce(max(seq) + 1, 0) FROM history").fetchall()[0][0]
    rows = rows.select(
        seq=pl.int_range(pl.len(), dtype=pl.Int64) + int(start),
        table_name="table_name",
        row_id="row_id",
        changed_by=pl.lit(changed_by),
        changed_at=pl.lit(changed_at).dt.cast_time_unit("us"),
        before="before",
        after="after",
    )
    append_history(con, rows)
    return rows.height


def append_history(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Insert history rows (HISTORY_SCHEMA columns, seq given)."""
    columns = ", ".join(HISTORY_SCHEMA)
    with registered(con, "goaltui_history", rows.select(list(HISTORY_SCHEMA))):
        con.execute(f"INSERT INTO history ({columns}) SELECT {columns} FROM goaltui_history")


# --------------------------------------------------------------------------------------------
# Closed periods


_CLOSED_KRS_SQL = """
WITH RECURSIVE up(unit_id, ancestor_id) AS (
    SELECT id, id FROM units
    UNION ALL
    SELECT up.unit_id, u.parent_id FROM up JOIN units u ON u.id = up.ancestor_id
    WHERE u.parent_id IS NOT NULL
)
SELECT DISTINCT k.id AS goal_id, o.id AS objective_id, o.period
FROM key_results k
JOIN objectives o ON o.id = k.objective_id
JOIN closed_periods c ON c.period = o.period
WHERE c.unit_id IS NULL OR c.unit_id IN (SELECT ancestor_id FROM up WHERE up.unit_id = o.unit_id)
"""


def closed_key_results(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Key results of closed objectives: goal_id, objective_id, period (its label), start and
    end (dates)."""
    frame = query(con, _CLOSED_KRS_SQL)
    bounds = {label: Period.parse(label) for label in frame["period"].unique().to_list()}
    starts = [bounds[p].start for p in frame["period"]]
    ends = [bounds[p].end for p in frame["period"]]
    return frame.with_columns(
        start=pl.Series(starts, dtype=pl.Date), end=pl.Series(ends, dtype=pl.Date)
    ).cast({"goal_id": pl.String, "objective_id": pl.String, "period": pl.String})


def closed_message(goal_id: str, objective_id: str, period: str) -> str:
    """Why a check-in into a closed objective's period is refused (on a server too, where the
    database's own refusal is read back into this sentence: goaltui.store.pg)."""
    return _(
        "{period} is closed for objective '{objective}', so key result '{goal}' takes no "
        "check-ins dated in it; reopen it first with `goaltui reopen {period}`"
    ).format(period=period, objective=objective_id, goal=goal_id)


def closed_problem(
    con: duckdb.DuckDBPyConnection, goal_id: str, day: date, supersedes: str | None
) -> str | None:
    """Why a check-in (or a correction of check-in `supersedes`) of `goal_id` dated `day` is
    refused because it falls in a closed objective's period; None when it is not."""
    if not con.sql("SELECT 1 FROM closed_periods LIMIT 1").fetchall():
        return None  # nothing is closed (most of the time): no need to walk the units
    closed = closed_key_results(con).filter(pl.col("goal_id") == goal_id)
    if closed.height == 0:
        return None
    days = [day]
    if supersedes is not None:
        rows = con.sql(
            "SELECT date FROM checkins WHERE id = $id", params={"id": supersedes}
        ).fetchall()
        days += [row[0] for row in rows]
    for row in closed.iter_rows(named=True):
        if any(row["start"] <= d <= row["end"] for d in days):
            return closed_message(goal_id, row["objective_id"], row["period"])
    return None
