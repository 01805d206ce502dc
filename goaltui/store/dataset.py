"""Everything in a goaltui database as polars frames: what the metrics layer computes on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from goaltui.store.aggregates import (
    DUCKDB,
    aggregates_sql,
    numbered_buckets,
    typed_aggregates,
)
from goaltui.store.db import read_session
from goaltui.store.frames import query, registered
from goaltui.store.tables import DATASET_TABLES, schemas

TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = schemas(DATASET_TABLES)
"""Column names and dtypes of each table, in the order the database stores them (from the
declaration in goaltui/store/tables.py)."""
UNITS_SCHEMA = TABLE_SCHEMAS["units"]
KPIS_SCHEMA = TABLE_SCHEMAS["kpis"]
OBJECTIVES_SCHEMA = TABLE_SCHEMAS["objectives"]
KEY_RESULTS_SCHEMA = TABLE_SCHEMAS["key_results"]
CHECKINS_SCHEMA = TABLE_SCHEMAS["checkins"]
TARGETS_SCHEMA = TABLE_SCHEMAS["targets"]

_ORDER = {t.name: ", ".join(t.sort_keys) for t in DATASET_TABLES}


@dataclass(frozen=True)
class Dataset:
    """The whole organisation: one frame per table, columns and dtypes as in TABLE_SCHEMAS.

    `checkins.seq` is the order of entry (later entries have larger seq)."""

    units: pl.DataFrame
    kpis: pl.DataFrame
    objectives: pl.DataFrame
    key_results: pl.DataFrame
    checkins: pl.DataFrame
    targets: pl.DataFrame
    aggregates: pl.DataFrame | None = None
    """The counting check-ins aggregated per (goal, period) by the database
    (goaltui.store.aggregates.AGGREGATES_SCHEMA), or None: the metrics aggregate `checkins`.
    When present, `checkins` holds only rows read for a purpose of their own (or none)."""
    aggregated_until: date | None = None
    """The as-of date `aggregates` counts check-ins up to (the only date they are good for)."""
    checkin_dates: pl.Series | None = None
    """With `aggregates`: every date that has a check-in, whatever the as-of date (what the
    panes say about where the data is); None when `checkins` holds every check-in, or when
    read without `panes`."""

    @classmethod
    def empty(cls) -> Dataset:
        """A dataset with no rows."""
        return dataset_of({name: pl.DataFrame(schema=s) for name, s in TABLE_SCHEMAS.items()})

    @classmethod
    def from_frames(cls, **frames: pl.DataFrame) -> Dataset:
        """Build a dataset from partial frames: missing tables are empty, missing columns null,
        columns cast to the table's dtypes. Meant for tests and generated organisations."""
        built: dict[str, pl.DataFrame] = {}
        for name, schema in TABLE_SCHEMAS.items():
            frame = frames.get(name, pl.DataFrame(schema=schema))
            built[name] = frame.select(
                (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtype).alias(c)
                for c, dtype in schema.items()
            )
        if "seq" not in frames.get("checkins", pl.DataFrame()).columns:
            built["checkins"] = built["checkins"].with_columns(
                seq=pl.int_range(pl.len(), dtype=pl.Int64)
            )
        return dataset_of(built)

    def tables(self) -> dict[str, pl.DataFrame]:
        """The frames by table name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in TABLE_SCHEMAS}

    @property
    def definitions(self) -> Dataset:
        """The same dataset without check-ins or aggregates."""
        return replace(
            self,
            checkins=self.checkins.clear(),
            aggregates=None,
            aggregated_until=None,
            checkin_dates=None,
        )


def dataset_of(
    frames: Mapping[str, pl.DataFrame],
    checkins: pl.DataFrame | None = None,
    *,
    aggregates: pl.DataFrame | None = None,
    aggregated_until: date | None = None,
    checkin_dates: pl.Series | None = None,
) -> Dataset:
    """A Dataset of the frames by table name; `checkins` (default: `frames`' own, else none)."""
    if checkins is None:
        checkins = frames.get("checkins", pl.DataFrame(schema=CHECKINS_SCHEMA))
    return Dataset(
        units=frames["units"],
        kpis=frames["kpis"],
        objectives=frames["objectives"],
        key_results=frames["key_results"],
        checkins=checkins,
        targets=frames["targets"],
        aggregates=aggregates,
        aggregated_until=aggregated_until,
        checkin_dates=checkin_dates,
    )


CHECKIN_TEXT_COLUMNS = ("note", "author", "recorded_at")
"""Check-in columns the arithmetic never reads; the bulk of a large history's bytes."""

CheckinWindows = Callable[["Dataset"], pl.DataFrame]
"""Given the definitions (a Dataset without check-ins), the check-ins worth reading: a frame of
goal_id and since (a date), one row per goal."""

CheckinBuckets = Callable[["Dataset"], pl.DataFrame]
"""Given the definitions, the (goal, period length) buckets to aggregate check-ins for
(goaltui.store.aggregates.BUCKETS_SCHEMA)."""

CheckinRanges = Callable[["Dataset"], pl.DataFrame]
"""Given the definitions, goals and a date range each (goal_id, start, end): the counting
check-ins of those goals dated outside their range are worth reading one by one."""

_WINDOWS_VIEW = "goaltui_checkin_windows"
_BUCKETS_VIEW = "goaltui_checkin_buckets"


def _checkins_query(columns: list[str], until: date | None, windows: pl.DataFrame | None) -> str:
    select = f"SELECT {', '.join(columns)} FROM checkins c"
    dated = []
    if windows is not None:
        select += f" LEFT JOIN {_WINDOWS_VIEW} w ON w.goal_id = c.goal_id"
        dated.append("c.date >= w.since")
    if until is not None:
        dated.append(f"c.date <= DATE '{until.isoformat()}'")
    if not dated:
        return select
    # Correcting and retracting rows whatever their date: nothing superseded comes back.
    return f"{select} WHERE ({' AND '.join(dated)}) OR c.supersedes IS NOT NULL"


def read_dataset(
    con: duckdb.DuckDBPyConnection,
    *,
    checkins_until: date | None = None,
    checkin_windows: CheckinWindows | None = None,
    arithmetic_only: bool = False,
    aggregate: CheckinBuckets | None = None,
    outside: CheckinRanges | None = None,
    panes: bool = True,
) -> Dataset:
    """Read every table of an open goaltui database into a Dataset.

    With `aggregate` (and `checkins_until`, the as-of date), the check-ins are not read: the
    database aggregates the counting ones into `aggregates` for the buckets `aggregate` names;
    `checkins` then holds only the counting check-ins `outside` (if given) asks for. Without
    `panes`, what only the dashboard's panes read is left out: the aggregates' trend-line sums
    (TREND_COLUMNS, then null) and `checkin_dates` (then None); the report, due and lint save
    those queries.

    Less of the check-ins, for computations that need less:
    - `checkins_until`: only check-ins dated on or before it;
    - `checkin_windows`: called with the definitions, it names the goals whose check-ins are
      worth reading and the earliest date of each; the others are left on disk;
    - either way, every correcting or retracting row is read whatever its goal and date, so
      nothing superseded can come back to life;
    - `arithmetic_only`: the check-ins' notes, authors and entry times are not read (they come
      back empty), and check-ins are not sorted.
    """
    frames = {name: read_table(con, name) for name in TABLE_SCHEMAS if name != "checkins"}
    if aggregate is not None:
        return _read_aggregated(con, frames, checkins_until, aggregate, outside, panes)
    windows = None
    if checkin_windows is not None:
        windows = checkin_windows(dataset_of(frames))
    columns = [
        f"NULL::{'TIMESTAMP' if c == 'recorded_at' else 'VARCHAR'} AS {c}"
        if arithmetic_only and c in CHECKIN_TEXT_COLUMNS
        else f"c.{c}"
        for c in CHECKINS_SCHEMA
    ]
    sql = _checkins_query(columns, checkins_until, windows)
    if windows is None:
        frames["checkins"] = _read_table(con, sql, "checkins", sort=not arithmetic_only)
    else:
        since = windows.select("goal_id", pl.col("since").cast(pl.Date))
        with registered(con, _WINDOWS_VIEW, since):
            frames["checkins"] = _read_table(con, sql, "checkins", sort=not arithmetic_only)
    return dataset_of(frames)


def _read_aggregated(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pl.DataFrame],
    until: date | None,
    aggregate: CheckinBuckets,
    outside: CheckinRanges | None,
    panes: bool,
) -> Dataset:
    definitions = dataset_of(frames)
    # read_aggregates types the buckets (numbered_buckets).
    aggregates = read_aggregates(con, aggregate(definitions), until, trend_lines=panes)
    checkins = pl.DataFrame(schema=CHECKINS_SCHEMA)
    if outside is not None:
        checkins = read_outside(con, outside(definitions))
    dates = None
    if panes:
        dates = query(con, "SELECT DISTINCT date FROM checkins ORDER BY date")["date"]
    return dataset_of(
        frames, checkins, aggregates=aggregates, aggregated_until=until, checkin_dates=dates
    )


def read_aggregates(
    con: duckdb.DuckDBPyConnection,
    buckets: pl.DataFrame,
    until: date | None,
    *,
    trend_lines: bool = True,
) -> pl.DataFrame:
    """The check-in aggregates (AGGREGATES_SCHEMA) of `buckets` (BUCKETS_SCHEMA) in the open
    database, counting check-ins dated on or before `until`; sorted by goal_id, months,
    period_index. Without `trend_lines`, the TREND_COLUMNS are null."""
    numbered = numbered_buckets(buckets)
    with registered(con, _BUCKETS_VIEW, numbered):
        frame = query(con, aggregates_sql(DUCKDB, _BUCKETS_VIEW, until))
        trend = None
        if until is not None and trend_lines:
            trend = query(con, aggregates_sql(DUCKDB, _BUCKETS_VIEW, until, trend=True))
    return typed_aggregates(numbered, frame, trend)


def read_outside(con: duckdb.DuckDBPyConnection, ranges: pl.DataFrame) -> pl.DataFrame:
    """The counting check-ins (not superseded, with a value; CHECKINS_SCHEMA, by seq) of the
    goals of `ranges` (goal_id, start, end) dated before their start or after their end."""
    ranges = ranges.select(
        "goal_id", since=pl.col("start").cast(pl.Date), till=pl.col("end").cast(pl.Date)
    )
    sql = (
        f"SELECT {', '.join('c.' + c for c in CHECKINS_SCHEMA)} FROM checkins c "
        f"JOIN {_WINDOWS_VIEW} w ON w.goal_id = c.goal_id "
        "WHERE (c.date < w.since OR c.date > w.till) AND c.value IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM checkins s WHERE s.supersedes = c.id)"
    )
    with registered(con, _WINDOWS_VIEW, ranges):
        return _read_table(con, sql, "checkins")


def read_goal_checkins(con: duckdb.DuckDBPyConnection, goal_id: str) -> pl.DataFrame:
    """Every entry of one goal's check-ins (CHECKINS_SCHEMA, by seq), whatever it counts."""
    columns = ", ".join(CHECKINS_SCHEMA)
    sql = f"SELECT {columns} FROM checkins WHERE goal_id = $g"
    return query(con, sql, {"g": goal_id}).cast(CHECKINS_SCHEMA).sort("seq")  # type: ignore[arg-type]


def read_table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """All of table `name` as a frame with its TABLE_SCHEMAS columns, sorted by its key."""
    return _read_table(con, f"SELECT {', '.join(TABLE_SCHEMAS[name])} FROM {name}", name)


def _read_table(
    con: duckdb.DuckDBPyConnection, sql: str, name: str, *, sort: bool = True
) -> pl.DataFrame:
    frame = query(con, sql)
    # Rows come back in storage order, which parallel inserts interleave. Sorting in polars
    # is cheaper than in DuckDB; the arithmetic does not care about row order (ties go by
    # seq explicitly), so a read for the arithmetic alone skips it.
    keys = _ORDER[name].split(", ")
    if sort and (len(keys) > 1 or not frame.get_column(keys[0]).is_sorted()):
        frame = frame.sort(keys)
    return frame.cast(TABLE_SCHEMAS[name])  # type: ignore[arg-type]


def load_dataset(
    path: Path,
    *,
    checkins_until: date | None = None,
    checkin_windows: CheckinWindows | None = None,
    arithmetic_only: bool = False,
    aggregate: CheckinBuckets | None = None,
    outside: CheckinRanges | None = None,
    panes: bool = True,
) -> Dataset:
    """Open the database at `path`, read everything (or less: see read_dataset), close it.
    Raises DatabaseError."""
    with read_session(path) as con:
        return read_dataset(
            con,
            checkins_until=checkins_until,
            checkin_windows=checkin_windows,
            arithmetic_only=arithmetic_only,
            aggregate=aggregate,
            outside=outside,
            panes=panes,
        )


def without_archived(dataset: Dataset) -> Dataset:
    """`dataset` as the dashboard, the report, the due list and lint show it: without archived
    KPIs, objectives and key results (nor the key results of an archived objective), their
    check-ins and targets. Export and `report --history` keep them."""
    if not (
        dataset.kpis["archived"].is_not_null().any()
        or dataset.objectives["archived"].is_not_null().any()
        or dataset.key_results["archived"].is_not_null().any()
    ):
        return dataset
    objectives = dataset.objectives.filter(pl.col("archived").is_null())
    kpis = dataset.kpis.filter(pl.col("archived").is_null())
    key_results = dataset.key_results.filter(
        pl.col("archived").is_null() & pl.col("objective_id").is_in(objectives["id"].implode())
    )
    kept = pl.concat([kpis["id"], key_results["id"]]).implode()
    aggregates = dataset.aggregates
    # replace(), not a new Dataset: the check-ins' aggregates and dates stay (without them a
    # dashboard reading aggregates showed no figure at all once any goal was archived).
    return replace(
        dataset,
        kpis=kpis,
        objectives=objectives,
        key_results=key_results,
        checkins=dataset.checkins.filter(pl.col("goal_id").is_in(kept)),
        targets=dataset.targets.filter(pl.col("goal_id").is_in(kept)),
        aggregates=None if aggregates is None else aggregates.filter(pl.col("goal_id").is_in(kept)),
    )


def load_goal_checkins(path: Path, goal_id: str) -> pl.DataFrame:
    """Every entry of one goal's check-ins in the database at `path` (see read_goal_checkins).
    Raises DatabaseError."""
    with read_session(path) as con:
        return read_goal_checkins(con, goal_id)


def load_aggregates(path: Path, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
    """read_aggregates on the database at `path`. Raises DatabaseError."""
    with read_session(path) as con:
        return read_aggregates(con, buckets, until)
