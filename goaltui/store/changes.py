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

from goaltui.model.period import fiscal_year_start
from goaltui.model.types import Checkin
from goaltui.store.aggregates import AGGREGATES_SCHEMA, TREND_COLUMNS, current_index, typed_buckets
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
    `aggregate` names, dated on or before `checkins_until`; without the trend-line sums) and
    the dates of every check-in. Raises DatabaseError."""
    with read_session(path) as con:
        frames = {name: read_table(con, name) for name in TABLE_SCHEMAS if name != "checkins"}
        few = narrow(dataset_of(frames))
        # A first view draws no trend lines: their sums are left out (half the reading).
        # (read_aggregates types the buckets.)
        aggregates = read_aggregates(con, aggregate(few), checkins_until, trend_lines=False)
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


def with_appended(dataset: Dataset, buckets: pl.DataFrame, rows: pl.DataFrame) -> Dataset | None:
    """`dataset` with the new check-in `rows` (CHECKINS_SCHEMA; entered after every check-in
    the dataset holds, so their seqs are the largest) appended and folded into its aggregates of
    `buckets` (BUCKETS_SCHEMA) without reading the database: what a writer knows it wrote.

    None when the rows alone cannot tell the new aggregates: a row corrects or retracts another
    (what it replaces leaves the sums), or gives a confidence dated before the latest check-in
    of its period (which earlier entry had the latest confidence is not kept). Then read the
    goals' aggregates again. The sums are the old ones plus the new values, so they may differ
    from a fresh read's compensated sums in the last bit."""
    if rows["supersedes"].is_not_null().any():
        return None
    dataset = with_checkins(dataset, rows)
    old, until = dataset.aggregates, dataset.aggregated_until
    if old is None:
        return dataset
    counting = rows.filter(pl.col("value").is_not_null())
    if until is not None:
        counting = counting.filter(pl.col("date") <= until)
    # The buckets of these goals alone: typing all of them is a group-by over every goal.
    mine_only = buckets.filter(pl.col("goal_id").is_in(counting["goal_id"].implode()))
    new = _aggregated(counting, typed_buckets(mine_only), until)
    if new.is_empty():
        return dataset
    keys = ["goal_id", "months", "period_index"]
    goal_ids = new["goal_id"].unique().to_list()
    mine = old.filter(pl.col("goal_id").is_in(goal_ids))
    both = mine.join(new, on=keys, how="full", coalesce=True, suffix="_new")
    # Which earlier entry had the period's latest confidence is not kept: a confidence dated
    # before the latest check-in cannot be placed.
    unplaced = both.filter(
        pl.col("last_confidence_new").is_not_null()
        & pl.col("last_confidence").is_not_null()
        & (pl.col("confidence_date_new") < pl.col("last_checkin_date"))
    )
    if not unplaced.is_empty():
        return None
    newer = pl.col("last_checkin_date").is_null() | (
        pl.col("last_checkin_date_new") >= pl.col("last_checkin_date")
    )

    def plus(name: str) -> pl.Expr:
        # SQL's sum: null over no rows, so null plus null stays null.
        old, fresh = pl.col(name), pl.col(f"{name}_new")
        return (
            pl.when(old.is_null() & fresh.is_null())
            .then(None)
            .otherwise(old.fill_null(0) + fresh.fill_null(0))
            .alias(name)
        )

    sums = ["total", "numerator", "denominator", "checkin_count", *TREND_COLUMNS]
    combined = both.select(
        *keys,
        *(plus(name) for name in sums if name != "ratio_n"),
        pl.min_horizontal("value_min", "value_min_new").alias("value_min"),
        pl.max_horizontal("value_max", "value_max_new").alias("value_max"),
        pl.when(newer).then("last_new").otherwise("last").alias("last"),
        pl.when(newer)
        .then("last_denominator_new")
        .otherwise("last_denominator")
        .alias("last_denominator"),
        pl.max_horizontal("last_checkin_date", "last_checkin_date_new").alias("last_checkin_date"),
        pl.coalesce("last_confidence_new", "last_confidence").alias("last_confidence"),
        (pl.col("ratio_n").fill_null(0) + pl.col("ratio_n_new").fill_null(0)).alias("ratio_n"),
    ).select(pl.col(c).cast(dtype) for c, dtype in AGGREGATES_SCHEMA.items())
    return with_aggregates(dataset, goal_ids, combined)


def _aggregated(rows: pl.DataFrame, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
    """Counting check-in `rows` aggregated per bucket and period as aggregates_sql does, with
    `<column>_new` names and `confidence_date_new`, the date of the latest row that has a
    confidence."""
    offset = fiscal_year_start() - 1
    month_index = pl.col("date").dt.year().cast(pl.Int32) * 12 + pl.col("date").dt.month() - 1
    # The periods containing `until` carry the trend-line sums (see AGGREGATES_SCHEMA).
    current = {m: current_index(until, m) if until is not None else -1 for m in (1, 3, 12)}
    current_index_of = pl.col("months").replace_strict(current, return_dtype=pl.Int32)
    c = (
        rows.join(buckets, on="goal_id")
        .with_columns(month_index=month_index.cast(pl.Int32))
        .filter(pl.col("month_index") >= pl.col("first_index").clip(lower_bound=12))
        .with_columns(
            period_index=pl.col("month_index") - (pl.col("month_index") - offset) % pl.col("months")
        )
        .with_columns(is_current=pl.col("period_index") == current_index_of)
        .with_columns(
            x=pl.when("is_current").then(
                (
                    pl.col("date")
                    - pl.date(pl.col("period_index") // 12, pl.col("period_index") % 12 + 1, 1)
                )
                .dt.total_days()
                .cast(pl.Float64)
            ),
            ratio=pl.col("is_current")
            & pl.col("denominator").is_not_null()
            & (pl.col("denominator") != 0),
        )
        .sort("date", "seq")
    )
    value, x, ratio = pl.col("value"), pl.col("x"), pl.col("ratio")
    y = value / pl.col("denominator")
    with_confidence = pl.col("confidence").is_not_null()

    def in_ratio(expr: pl.Expr) -> pl.Expr:
        return pl.when(ratio.any()).then(expr.filter(ratio).sum())

    def in_current(expr: pl.Expr) -> pl.Expr:
        return pl.when(pl.col("is_current").any()).then(expr.filter(pl.col("is_current")).sum())

    aggregated = c.group_by("goal_id", "months", "period_index").agg(
        total=value.sum(),
        value_min=value.min(),
        value_max=value.max(),
        last=value.last(),
        last_denominator=pl.col("denominator").last(),
        numerator=pl.when(pl.col("denominator").is_not_null().any()).then(
            value.filter(pl.col("denominator").is_not_null()).sum()
        ),
        denominator=pl.when(pl.col("denominator").is_not_null().any()).then(
            pl.col("denominator").sum()
        ),
        checkin_count=pl.len().cast(pl.Int64),
        last_checkin_date=pl.col("date").max(),
        last_confidence=pl.col("confidence").filter(with_confidence).last(),
        confidence_date=pl.col("date").filter(with_confidence).last(),
        sx=in_current(x),
        sxx=in_current(x * x),
        sxy=in_current(x * value),
        ratio_n=ratio.sum().cast(pl.Int64),
        ratio_sx=in_ratio(x),
        ratio_sxx=in_ratio(x * x),
        ratio_sy=in_ratio(y),
        ratio_sxy=in_ratio(x * y),
        ratio_sy_pct=in_ratio(y * 100.0),
        ratio_sxy_pct=in_ratio(x * (y * 100.0)),
    )
    return aggregated.rename(
        {
            c: f"{c}_new"
            for c in aggregated.columns
            if c not in ("goal_id", "months", "period_index")
        }
    )
