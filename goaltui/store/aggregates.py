"""Check-ins aggregated per (goal, period) by the database, for DuckDB and PostgreSQL alike.

The metrics need, per goal whose check-ins count and per period of a given length, a handful of
sums, extremes and latest values (AGGREGATES_SCHEMA); the arithmetic on them stays in polars.
What crosses from the database into polars then grows with goals x periods, not with check-ins.

A *bucket* names one (goal, period length) whose periods are wanted: `goal_id` (the goal the
check-ins are of), `months` (1, 3 or 12) and `first_index`, the month index (year * 12 + month -
1) of the first period wanted. Periods of 3 and 12 months count from the fiscal year's first
month (goaltui.model.period.fiscal_year_start), exactly as goaltui.metrics.periods buckets them.

Only counting check-ins are aggregated: not superseded by a later entry (whatever that entry's
date), not a retraction (a row without a value), dated on or before `until`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from goaltui.model.period import fiscal_year_start

AGGREGATES_SCHEMA: dict[str, pl.DataType] = {
    "goal_id": pl.String(),
    "months": pl.Int32(),
    "period_index": pl.Int32(),
    "total": pl.Float64(),
    "value_min": pl.Float64(),
    "value_max": pl.Float64(),
    "last": pl.Float64(),
    "last_denominator": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "checkin_count": pl.Int64(),
    "last_checkin_date": pl.Date(),
    "last_confidence": pl.Float64(),
    "sx": pl.Float64(),
    "sxx": pl.Float64(),
    "sxy": pl.Float64(),
    "ratio_n": pl.Int64(),
    "ratio_sx": pl.Float64(),
    "ratio_sxx": pl.Float64(),
    "ratio_sy": pl.Float64(),
    "ratio_sxy": pl.Float64(),
    "ratio_sy_pct": pl.Float64(),
    "ratio_sxy_pct": pl.Float64(),
}
"""One row per bucket and period that has counting check-ins.

- `period_index`: month index of the period's first month.
- `total`, `value_min`, `value_max`: of the values; `last`, `last_denominator`: of the check-in
  with the latest date (ties: the later entry); `last_confidence`: of the latest one that has a
  confidence.
- `numerator`: sum of the values that have a denominator; `denominator`: sum of denominators.
- `sx`, `sxx`, `sxy`: sums of x, x * x and x * value over the check-ins, x being the days from
  the period's first day (a least-squares line through them; `total` is the sum of y, and
  `checkin_count` the count). Only for the period containing the as-of date (the trend lines
  are drawn for that one); null for the others.
- `ratio_*`: the same over the check-ins with a non-zero denominator, y = value / denominator
  (`_pct`: value / denominator * 100); `ratio_n` counts them (0 outside the current period).
"""

BUCKETS_SCHEMA: dict[str, pl.DataType] = {
    "goal_id": pl.String(),
    "months": pl.Int32(),
    "first_index": pl.Int32(),
}
"""The buckets a read aggregates (see the module's docstring)."""

NUMBERED_BUCKETS_SCHEMA: dict[str, pl.DataType] = {"bucket": pl.Int32(), **BUCKETS_SCHEMA}
"""Buckets as the SQL reads them: numbered, so that it groups by a number, not a string."""


@dataclass(frozen=True)
class Dialect:
    """What differs between DuckDB and PostgreSQL in the aggregation."""

    name: str

    def latest(self, expr: str, *, where: str | None = None) -> str:
        """`expr` of the row with the latest date, ties won by the larger seq (among the rows
        meeting `where`)."""
        if self.name == "duckdb":
            key = "c.latest_key"
            if where is None:
                return f"arg_max_null({expr}, {key})"  # arg_max would skip a null `expr`
            return f"arg_max({expr}, {key}) FILTER (WHERE {where})"
        # PostgreSQL has no arg_max: the largest [key, expr] pair carries expr. Unlike an
        # ordered array_agg it sorts nothing, so the groups are hashed, not sorted.
        filtered = f" FILTER (WHERE {where})" if where else ""
        return f"(max(ARRAY[c.latest_key, {expr}]){filtered})[2]"

    def key(self) -> str:
        """Extra columns `latest` reads, after a comma."""
        # Days since 1970 in the high bits, seq in the low 32: one key to maximise. Below
        # 2 ** 53 (any date before the year 7000 with seq below 2 ** 32), so exact as a double,
        # which PostgreSQL's [key, value] arrays need.
        key = "(date - DATE '1970-01-01')::BIGINT * 4294967296 + seq"
        if self.name != "duckdb":
            key = f"CAST({key} AS DOUBLE PRECISION)"
        return f",\n           {key} AS latest_key"

    def sum(self, expr: str) -> str:
        """The sum of `expr`, the same whatever order the rows come in. DuckDB adds in
        parallel, so a plain float sum's last digits change from run to run on large data; its
        fsum compensates (Kahan-Babuska) and gives the closely rounded sum every time."""
        return f"fsum({expr})" if self.name == "duckdb" else f"sum({expr})"

    def int_div(self, a: str, b: int) -> str:
        """Integer division of non-negative integers."""
        return f"({a} // {b})" if self.name == "duckdb" else f"({a} / {b})"

    def month_index(self, day: str, first: int | None, until: date | None) -> str:
        """The month index (year * 12 + month - 1) of the date `day`, known to lie between the
        first day of month index `first` and `until` when both are given."""
        extracted = (
            f"(CAST(EXTRACT(YEAR FROM {day}) AS INTEGER) * 12"
            f" + CAST(EXTRACT(MONTH FROM {day}) AS INTEGER) - 1)"
        )
        if self.name == "duckdb" or first is None or until is None:
            return extracted
        # PostgreSQL's EXTRACT computes in numeric, several times per check-in once the
        # expression is inlined into the period and the grouping; a binary search among the
        # first days of the months in range (built once per query) costs a fraction of it.
        last = until.year * 12 + until.month - 1
        starts = (
            "(SELECT array_agg(make_date(i / 12, i % 12 + 1, 1) ORDER BY i)"
            f" FROM generate_series({first}, {last}) i)"
        )
        return f"({first - 1} + width_bucket({day}, {starts}))"


DUCKDB = Dialect("duckdb")
POSTGRES = Dialect("postgres")


TREND_COLUMNS = (
    "sx",
    "sxx",
    "sxy",
    "ratio_n",
    "ratio_sx",
    "ratio_sxx",
    "ratio_sy",
    "ratio_sxy",
    "ratio_sy_pct",
    "ratio_sxy_pct",
)
"""The trend-line sums: only for the period containing the as-of date, by a query of their own
over the check-ins of those periods alone."""


def aggregates_sql(
    dialect: Dialect,
    buckets: str,
    until: date | None,
    *,
    trend: bool = False,
    first_index: int | None = None,
) -> str:
    """The query of AGGREGATES_SCHEMA rows for the buckets readable as the relation `buckets`
    (columns of NUMBERED_BUCKETS_SCHEMA), counting check-ins dated on or before `until` (all
    when None), but the TREND_COLUMNS, with `bucket` for goal_id and months; with `trend`, bucket,
    period_index and the TREND_COLUMNS of the periods containing `until` alone. Unordered.
    `first_index`: the smallest first_index of the buckets, when known (it spares PostgreSQL
    some date arithmetic)."""
    offset = fiscal_year_start() - 1
    dated = f" AND k.date <= DATE '{until.isoformat()}'" if until is not None else ""
    year, month = dialect.int_div("b.first_index", 12), "b.first_index % 12 + 1"
    lowest = first_index
    if trend and until is not None:
        # Only check-ins of the periods containing `until` count for a trend line.
        lowest = min(current_index(until, m) for m in (1, 3, 12))
    month_index = dialect.month_index("k.date", lowest, until)
    # x of a trend line: days since the first day of the period containing `until`.
    x = "CAST(c.date - c.current_first AS DOUBLE PRECISION)"
    current = "c.period_index = c.current_index"
    valid = f"{current} AND c.denominator IS NOT NULL AND c.denominator <> 0"
    latest, total = dialect.latest, dialect.sum
    since = "b.current_first" if trend else "b.first_date"
    pct = "c.value / c.denominator * 100.0"
    columns = f"""
       {total(x)} AS sx,
       {total(f"{x} * {x}")} AS sxx,
       {total(f"{x} * c.value")} AS sxy,
       count(*) FILTER (WHERE {valid}) AS ratio_n,
       {total(x)} FILTER (WHERE {valid}) AS ratio_sx,
       {total(f"{x} * {x}")} FILTER (WHERE {valid}) AS ratio_sxx,
       {total("c.value / c.denominator")} FILTER (WHERE {valid}) AS ratio_sy,
       {total(f"{x} * (c.value / c.denominator)")} FILTER (WHERE {valid}) AS ratio_sxy,
       {total(pct)} FILTER (WHERE {valid}) AS ratio_sy_pct,
       {total(f"{x} * ({pct})")} FILTER (WHERE {valid}) AS ratio_sxy_pct"""
    if not trend:
        columns = f"""
       {total("c.value")} AS total,
       min(c.value) AS value_min,
       max(c.value) AS value_max,
       {latest("c.value")} AS last,
       {latest("c.denominator")} AS last_denominator,
       {total("CASE WHEN c.denominator IS NOT NULL THEN c.value END")} AS numerator,
       {total("c.denominator")} AS denominator,
       count(*) AS checkin_count,
       max(c.date) AS last_checkin_date,
       {latest("c.confidence", where="c.confidence IS NOT NULL")} AS last_confidence"""
    return f"""
WITH superseded AS (
    SELECT DISTINCT supersedes AS id FROM checkins WHERE supersedes IS NOT NULL
),
b AS (
    SELECT bucket, goal_id, months, first_index,
           make_date({year}, {month}, 1) AS first_date,
           {current_periods(until)}
    FROM {buckets} b
),
m AS (
    SELECT b.bucket, b.months, k.date, k.seq, k.value, k.denominator, k.confidence,
           b.first_index, b.current_index, b.current_first, {month_index} AS month_index
    FROM checkins k JOIN b ON b.goal_id = k.goal_id AND k.date >= {since}
    WHERE k.value IS NOT NULL{dated}
      AND NOT EXISTS (SELECT 1 FROM superseded s WHERE s.id = k.id)
),
c AS (
    SELECT *, month_index - ((month_index - {offset}) % months) AS period_index{dialect.key()}
    FROM m
)
SELECT c.bucket, c.period_index,{columns}
FROM c{" WHERE " + current if trend else ""}
GROUP BY c.bucket, c.period_index
"""


def current_index(until: date, months: int) -> int:
    """The month index of the first month of the period `months` long containing `until`."""
    index = until.year * 12 + until.month - 1
    return index - (index - (fiscal_year_start() - 1)) % months


def current_periods(until: date | None) -> str:
    """SQL columns of a bucket row `b`: current_index, the month index of its period containing
    `until`, and current_first, that period's first day (none when `until` is None: then no
    period has trend-line sums)."""
    if until is None:
        return "NULL AS current_index, CAST(NULL AS DATE) AS current_first"
    indexes = {m: current_index(until, m) for m in (1, 3, 12)}
    index = " ".join(f"WHEN {m} THEN {i}" for m, i in indexes.items())
    first = " ".join(
        f"WHEN {m} THEN DATE '{date(i // 12, i % 12 + 1, 1).isoformat()}'"
        for m, i in indexes.items()
    )
    return f"CASE months {index} END AS current_index, CASE months {first} END AS current_first"


def numbered_buckets(buckets: pl.DataFrame) -> pl.DataFrame:
    """typed_buckets numbered from 0 (NUMBERED_BUCKETS_SCHEMA)."""
    # No date lies before year 1 (month index 12), and PostgreSQL has no year 0.
    numbered = (
        typed_buckets(buckets)
        .with_columns(pl.col("first_index").clip(lower_bound=12))
        .with_row_index("bucket")
    )
    return numbered.cast(NUMBERED_BUCKETS_SCHEMA)  # type: ignore[arg-type]


def typed_aggregates(
    buckets: pl.DataFrame, frame: pl.DataFrame, trend: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The results of aggregates_sql over the `buckets` (numbered_buckets), without and with
    `trend`, as one frame with the columns and dtypes of AGGREGATES_SCHEMA, sorted by goal_id,
    months, period_index."""
    keys = ["bucket", "period_index"]
    frame = frame.with_columns(pl.col(keys).cast(pl.Int32))
    if trend is None:
        joined = frame.with_columns(pl.lit(None, pl.Float64).alias(c) for c in TREND_COLUMNS)
    else:
        trend = trend.with_columns(pl.col(keys).cast(pl.Int32))
        joined = frame.join(trend, on=keys, how="left")
    joined = joined.join(buckets.select("bucket", "goal_id", "months"), on="bucket")
    # Outside the current period, no check-in has a denominator for a trend line.
    joined = joined.with_columns(pl.col("ratio_n").fill_null(0))
    return joined.select(pl.col(c).cast(dtype) for c, dtype in AGGREGATES_SCHEMA.items()).sort(
        "goal_id", "months", "period_index"
    )


def typed_buckets(frame: pl.DataFrame) -> pl.DataFrame:
    """Buckets with the columns and dtypes of BUCKETS_SCHEMA, one row per (goal_id, months) with
    the smallest first_index."""
    return (
        frame.select(pl.col(c).cast(dtype) for c, dtype in BUCKETS_SCHEMA.items())
        .group_by("goal_id", "months")
        .agg(pl.col("first_index").min())
        .sort("goal_id", "months")
    )
