"""What changed in a database since a reader last read it, cheaply.

Check-ins are append-only and numbered (`seq` grows with every entry), so a reader that remembers
the last entry it read can read only the newer ones. Definitions (units, goals, targets) change
in place; a checksum over their rows tells a reader that they changed, and then it reads
everything again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from goaltui.model.types import Checkin
from goaltui.store.aggregates import typed_buckets
from goaltui.store.dataset import (
    CHECKINS_SCHEMA,
    TABLE_SCHEMAS,
    CheckinBuckets,
    CheckinRanges,
    Dataset,
    dataset_of,
    read_aggregates,
    read_dataset,
    read_table,
)
from goaltui.store.db import read_session
from goaltui.store.frames import query

DEFINITION_TABLES = tuple(name for name in TABLE_SCHEMAS if name != "checkins")
"""The tables whose rows change in place (every one but the check-ins)."""


@dataclass(frozen=True)
class Mark:
    """Where a reader stands in a database: the newest check-in entry it has read and a checksum
    of the definitions it has read."""

    last_seq: int
    """The largest check-in `seq` read; -1 before any check-in."""
    checkins: int
    """How many check-in rows have a seq up to `last_seq` (fewer later: they were replaced)."""
    definitions: int
    """Row count and hash of every definition table, folded into one number."""


def _definitions_token(con: duckdb.DuckDBPyConnection) -> int:
    # hash() of a row struct over every column: a few milliseconds for tens of thousands of rows.
    parts = " UNION ALL ".join(
        f"SELECT {i} AS t, count(*) AS n, coalesce(sum(hash(r)::HUGEINT), 0) AS h FROM {name} r"
        for i, name in enumerate(DEFINITION_TABLES)
    )
    rows = con.sql(f"SELECT t, n, h FROM ({parts}) ORDER BY t").fetchall()
    return hash(tuple((int(n), int(h)) for _, n, h in rows))


def read_mark(con: duckdb.DuckDBPyConnection, last_seq: int | None = None) -> Mark:
    """The Mark of the open database `con`: at its newest check-in, or at `last_seq` (the count
    then says how many rows up to it are still there)."""
    if last_seq is None:
        newest, count = con.sql("SELECT coalesce(max(seq), -1), count(*) FROM checkins").fetchall()[
            0
        ]
    else:
        newest = last_seq
        count = con.sql(
            "SELECT count(*) FROM checkins WHERE seq <= $s", params={"s": last_seq}
        ).fetchall()[0][0]
    return Mark(int(newest), int(count), _definitions_token(con))


def load_marked(
    path: Path,
    *,
    checkins_until: date | None = None,
    aggregate: CheckinBuckets | None = None,
    outside: CheckinRanges | None = None,
) -> tuple[Dataset, Mark]:
    """Everything in the database at `path` (as `load_dataset`; with `aggregate`, the check-ins
    aggregated, see read_dataset) and the Mark of what was read, in one read. Raises
    DatabaseError."""
    with read_session(path) as con:
        dataset = read_dataset(
            con, checkins_until=checkins_until, aggregate=aggregate, outside=outside
        )
        if aggregate is not None:
            return dataset, read_mark(con)
        seqs = dataset.checkins.get_column("seq")
        last = seqs.max()
        mark = Mark(
            int(last) if isinstance(last, int) else -1,
            dataset.checkins.height,
            _definitions_token(con),
        )
        return dataset, mark


def load_opening(
    path: Path,
    *,
    checkins_until: date,
    narrow: Callable[[Dataset], Dataset],
    aggregate: CheckinBuckets,
) -> Dataset:
    """The few goals a first view shows, quickly: the definitions in the database at `path`
    narrowed by `narrow`, with only those goals' check-ins aggregated (for the buckets
    `aggregate` names, dated on or before `checkins_until`) and the dates of every check-in.
    Raises DatabaseError."""
    with read_session(path) as con:
        frames = {name: read_table(con, name) for name in TABLE_SCHEMAS if name != "checkins"}
        few = narrow(dataset_of(frames))
        aggregates = read_aggregates(con, typed_buckets(aggregate(few)), checkins_until)
        dates = query(con, "SELECT DISTINCT date FROM checkins ORDER BY date")["date"]
    return replace(few, aggregates=aggregates, aggregated_until=checkins_until, checkin_dates=dates)


@dataclass(frozen=True)
class Changes:
    """What another process wrote since a Mark: the new check-in rows, or None when only a full
    read can tell (definitions changed, or check-ins were replaced)."""

    mark: Mark
    """Where the reader stands after reading these changes."""
    checkins: pl.DataFrame | None
    """The new check-in rows (CHECKINS_SCHEMA, by seq), or None: read everything again."""
    aggregates: pl.DataFrame | None = None
    """When asked for: the check-in aggregates of the goals that got new rows, read again."""


def read_changes(
    path: Path,
    since: Mark,
    *,
    buckets: pl.DataFrame | None = None,
    until: date | None = None,
) -> Changes:
    """The check-ins entered in the database at `path` after `since` (only those rows are read),
    or a Changes without rows when the definitions changed or check-ins up to `since` are no
    longer what they were. With `buckets` (BUCKETS_SCHEMA), the check-in aggregates of the goals
    that got new rows are read in the same session (for `until`, see read_aggregates). Raises
    DatabaseError."""
    with read_session(path) as con:
        before = read_mark(con, since.last_seq)
        if before.checkins != since.checkins or before.definitions != since.definitions:
            return Changes(read_mark(con), None)
        columns = ", ".join(CHECKINS_SCHEMA)
        rows = query(
            con,
            f"SELECT {columns} FROM checkins WHERE seq > $s ORDER BY seq",
            {"s": since.last_seq},
        ).cast(CHECKINS_SCHEMA)  # type: ignore[arg-type]
        last = rows.get_column("seq").max()
        newest = int(last) if isinstance(last, int) else since.last_seq
        aggregates = None
        if buckets is not None and rows.height:
            goal_ids = rows["goal_id"].unique().implode()
            wanted = buckets.filter(pl.col("goal_id").is_in(goal_ids))
            aggregates = read_aggregates(con, wanted, until)
        mark = Mark(newest, since.checkins + rows.height, since.definitions)
        return Changes(mark, rows, aggregates)


def checkin_frame(checkins: list[Checkin]) -> pl.DataFrame:
    """Stored check-ins (with their seq) as rows of the checkins table (CHECKINS_SCHEMA)."""
    rows = [{name: getattr(c, name) for name in CHECKINS_SCHEMA} for c in checkins]
    return pl.DataFrame(rows, schema=CHECKINS_SCHEMA)


def with_checkins(dataset: Dataset, rows: pl.DataFrame) -> Dataset:
    """`dataset` with check-in `rows` (CHECKINS_SCHEMA) appended; the other frames are shared."""
    if rows.is_empty():
        return dataset
    checkins = pl.concat([dataset.checkins, rows.select(list(CHECKINS_SCHEMA))], rechunk=False)
    dates = dataset.checkin_dates
    if dates is not None:
        dates = pl.concat([dates, rows["date"]]).unique().sort()
    return replace(dataset, checkins=checkins, checkin_dates=dates)


def with_aggregates(dataset: Dataset, goal_ids: list[str], fresh: pl.DataFrame) -> Dataset:
    """`dataset` with the check-in aggregates of the goals `goal_ids` replaced by `fresh` (read
    again after their check-ins changed); the other frames are shared."""
    if dataset.aggregates is None:
        return dataset
    kept = dataset.aggregates.filter(~pl.col("goal_id").is_in(goal_ids))
    return replace(dataset, aggregates=pl.concat([kept, fresh.select(kept.columns)]))
