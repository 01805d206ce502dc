"""The building blocks of the arithmetic (DESIGN.md "The arithmetic", "Edge rules"): expressions
for achievement, status and band, check-ins -> per-period actuals, and the evaluation of any set of
(goal, period) rows. goaltui.metrics.engine assembles them into the public functions.

Every step is a polars expression over whole frames, never a Python loop over check-ins, goals or
periods.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from goaltui.metrics.periods import (
    PERIOD_UNITS,
    date_of_month_index,
    elapsed_fraction,
    label_unit,
    month_index,
    months_of,
    period_end,
    period_label,
    period_start,
    shift_start,
    with_label_start,
)
from goaltui.metrics.periods import (
    period_index as fiscal_period_index,
)
from goaltui.model.enums import STATUS_TABLE
from goaltui.store.aggregates import AGGREGATES_SCHEMA, current_index, typed_buckets
from goaltui.store.dataset import Dataset

STATUSES = tuple(status.id for status in STATUS_TABLE)
"""Every status a goal can have in one period, in the order reports list them."""

EPSILON = 1e-9
"""Slack on threshold comparisons, so that 12000 against 10000 x 1.2 counts as met although
binary floating point makes the target 12000.000000000002."""

ON_TRACK_PACE = 1.0
AT_RISK_PACE = 0.8
GREEN_SCORE = 0.7
YELLOW_SCORE = 0.4

GOALS_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "goal_id": pl.String(),
    "unit_id": pl.String(),
    "objective_id": pl.String(),
    "name": pl.String(),
    "measure_unit": pl.String(),
    "direction": pl.String(),
    "aggregation": pl.String(),
    "target_mode": pl.String(),
    "period_unit": pl.String(),
    "period": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "is_current": pl.Boolean(),
    "elapsed": pl.Float64(),
    "actual": pl.Float64(),
    "target": pl.Float64(),
    "achievement": pl.Float64(),
    "status": pl.String(),
    "projection": pl.Float64(),
    "pace": pl.Float64(),
    "pace_kind": pl.String(),
    "progress": pl.Float64(),
    "expected_progress": pl.Float64(),
    "baseline": pl.Float64(),
    "score": pl.Float64(),
    "band": pl.String(),
    "weight": pl.Float64(),
    "checkin_count": pl.Int64(),
    "last_checkin_date": pl.Date(),
    "last_confidence": pl.Float64(),
    "previous_actual": pl.Float64(),
    "change": pl.Float64(),
    "parent_id": pl.String(),
    "category": pl.String(),
}
"""Columns of `evaluate_goals`, in order.

`pace_kind` names the pace rule of a current row with an actual (PACE_KINDS); `progress` is
(actual - baseline) / (target - baseline), unclamped, for a key result with a baseline and a
target; `expected_progress` is where the baseline rule expects that progress to be by as-of (the
elapsed fraction), only where `pace_kind` is `baseline`; `baseline` is the baseline used (the
previous period's actual for a change_pct key result without one of its own)."""

PACE_KINDS = ("sum", "baseline", "level")
"""The three pace rules (DESIGN.md "status of the current period"): a running total's projection,
linear progress from a baseline to the target, and a level to hold."""

OBJECTIVES_SCHEMA: dict[str, pl.DataType] = {
    "objective_id": pl.String(),
    "unit_id": pl.String(),
    "title": pl.String(),
    "period": pl.String(),
    "parent_id": pl.String(),
    "score": pl.Float64(),
    "band": pl.String(),
    "kr_count": pl.Int64(),
    "is_current": pl.Boolean(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
}
"""Columns of `evaluate_objectives`, in order."""

ACTUALS_SCHEMA: dict[str, pl.DataType] = {
    "goal_id": pl.String(),
    "period_start": pl.Date(),
    "actual": pl.Float64(),
    "checkin_count": pl.Int64(),
    "last_checkin_date": pl.Date(),
    "last_confidence": pl.Float64(),
}
"""Columns of `period_actuals`."""


# ---------------------------------------------------------------------------------------------
# Expressions


def band_expr(score: pl.Expr) -> pl.Expr:
    """Colour band of an OKR score: >= 0.7 `green`, >= 0.4 `yellow`, else `red`; null stays null."""
    return (
        pl.when(score.is_null())
        .then(pl.lit(None, pl.String))
        .when(score >= GREEN_SCORE - EPSILON)
        .then(pl.lit("green"))
        .when(score >= YELLOW_SCORE - EPSILON)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("red"))
    )


def achievement_expr(actual: pl.Expr, target: pl.Expr, direction: pl.Expr) -> pl.Expr:
    """actual / target for `at_least`, max(0, 2 - actual / target) for `at_most`; null when
    either is missing or the target is not above 0."""
    ratio = actual / target
    usable = actual.is_not_null() & target.is_not_null() & (target > 0)
    return (
        pl.when(usable & (direction == "at_least"))
        .then(ratio)
        .when(usable & (direction == "at_most"))
        .then(pl.max_horizontal(pl.lit(0.0), 2.0 - ratio))
        .otherwise(pl.lit(None, pl.Float64))
    )


def pace_status_expr(pace: pl.Expr) -> pl.Expr:
    """`on_track` when pace >= 1.0, `at_risk` when >= 0.8, else `off_track`."""
    return (
        pl.when(pace >= ON_TRACK_PACE - EPSILON)
        .then(pl.lit("on_track"))
        .when(pace >= AT_RISK_PACE - EPSILON)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("off_track"))
    )


def status_expr(
    actual: pl.Expr, achievement: pl.Expr, pace: pl.Expr, is_current: pl.Expr
) -> pl.Expr:
    """no_data without an actual, no_target without an achievement, met/missed for a closed
    period, the pace status for the current one."""
    return (
        pl.when(actual.is_null())
        .then(pl.lit("no_data"))
        .when(achievement.is_null())
        .then(pl.lit("no_target"))
        .when(is_current)
        .then(pace_status_expr(pace))
        .when(achievement >= 1.0 - EPSILON)
        .then(pl.lit("met"))
        .otherwise(pl.lit("missed"))
    )


def _clamp01(value: pl.Expr) -> pl.Expr:
    return value.clip(0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Check-ins -> actuals


def _effective(checkins: pl.DataFrame, as_of: date) -> pl.LazyFrame:
    superseded = checkins.get_column("supersedes").drop_nulls()
    plan = checkins.lazy().filter(pl.col("value").is_not_null(), pl.col("date") <= as_of)
    if superseded.is_empty():
        return plan
    # A small set probed by every id: much cheaper than an anti join over a million rows.
    replaced = pl.col("id").is_in(superseded.unique().implode()).fill_null(False)
    return plan.filter(~replaced)


def effective_checkins(checkins: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The check-ins that count as of `as_of`: not superseded by another entry (a correction of a
    correction chains: only the newest counts), not a retraction (a row without a value), and
    dated on or before `as_of`. Same columns as the input, in the same order."""
    return _effective(checkins, as_of).collect(engine="in-memory")


def goal_keys(catalog: pl.DataFrame) -> pl.DataFrame:
    """The goals of `catalog` that have a known period unit, numbered: goal_n (UInt32), goal_id,
    measured_by, aggregation, measure_unit, period_unit, months. Joining check-ins on the
    number instead of carrying strings along keeps a million-row pipeline cheap."""
    return (
        catalog.filter(pl.col("period_unit").is_in(PERIOD_UNITS))
        .select(
            "goal_id",
            "measured_by",
            "aggregation",
            "measure_unit",
            "period_unit",
            months=months_of(pl.col("period_unit")),
            is_min=pl.col("aggregation") == "min",
        )
        .with_row_index("goal_n")
    )


def checkin_plan(dataset: Dataset, keys: pl.DataFrame, as_of: date) -> pl.LazyFrame:
    """The effective check-ins of each goal of `keys` (a `goal_keys` frame), lazily: goal_n,
    period_index (the month index, year * 12 + month - 1, of the first month of the goal's period
    containing the check-in), date, seq, order (sorts by date, then entry), value, denominator,
    confidence. A KPI's check-in appears again under each KR measured by that KPI.

    When `keys` has a `first_index` column, only periods from that month index on are kept."""
    checkins = _effective(dataset.checkins, as_of)
    windowed = "first_index" in keys.columns
    if windowed and keys.height:
        # Dates before every goal's first period never count: drop them before the join.
        first = keys.get_column("first_index").min()
        if isinstance(first, int):
            checkins = checkins.filter(pl.col("date") >= date(first // 12, first % 12 + 1, 1))
    index = month_index(pl.col("date"))
    period_index = fiscal_period_index(index, pl.col("months"))
    goals = keys.lazy().select(
        "goal_n", "measured_by", "months", "is_min", *(["first_index"] if windowed else [])
    )
    # The million check-ins on the left: measured faster than probing from the goals' side.
    plan = (
        checkins.select(
            measured_by=pl.col("goal_id"),
            date=pl.col("date"),
            seq=pl.col("seq"),
            value=pl.col("value"),
            denominator=pl.col("denominator"),
            confidence=pl.col("confidence"),
        )
        .join(goals, on="measured_by", how="inner")
        .with_columns(period_index=period_index)
    )
    if windowed:
        plan = plan.filter(pl.col("period_index") >= pl.col("first_index"))
    return plan.select(
        "goal_n",
        "period_index",
        "is_min",
        "date",
        "seq",
        # Days since 1970 in the high bits, seq in the low 32: one integer that sorts by date
        # and breaks ties by entry.
        order=pl.col("date").cast(pl.Int32).cast(pl.Int64) * (1 << 32) + pl.col("seq").fill_null(0),
        value=pl.col("value"),
        denominator=pl.col("denominator"),
        confidence=pl.col("confidence"),
    )


def checkin_rows(dataset: Dataset, catalog: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The effective check-ins of every goal of `catalog` (a `goal_catalog` frame or a subset),
    tagged with that goal's period: one row per goal and check-in (a KPI's check-in appears again
    under each KR measured by that KPI). Unordered.

    Columns: goal_id, aggregation, measure_unit, period_unit, period_index, is_min,
    period_start, date, seq, order, value, denominator, confidence."""
    keys = goal_keys(catalog)
    return (
        checkin_plan(dataset, keys, as_of)
        .join(keys.lazy().drop("measured_by", "months", "is_min"), on="goal_n", how="inner")
        .drop("goal_n")
        .with_columns(period_start=date_of_month_index(pl.col("period_index")))
        .collect(engine="in-memory")
    )


def _aggregate(rows: pl.LazyFrame, keys: list[str], *extra: pl.Expr) -> pl.LazyFrame:
    value = pl.col("value")
    prepared = rows.with_columns(
        counted_numerator=pl.when(pl.col("denominator").is_not_null()).then(value),
        confident_order=pl.when(pl.col("confidence").is_not_null()).then(pl.col("order")),
    )
    # max_by over `order` (unique per check-in): the latest date, ties won by the later entry.
    # Measured several times faster than sort_by(...).last() or get(arg_max()) per group.
    return prepared.group_by(keys).agg(
        *extra,
        total=value.sum(),
        value_min=value.min(),
        value_max=value.max(),
        last=value.max_by("order"),
        numerator=pl.col("counted_numerator").sum(),
        denominator=pl.col("denominator").sum(),
        checkin_count=pl.len().cast(pl.Int64),
        last_checkin_date=pl.col("date").max(),
        last_confidence=pl.col("confidence").max_by("confident_order"),
    )


def _finish_actuals(grouped: pl.LazyFrame) -> pl.DataFrame:
    ratio = pl.col("numerator") / pl.col("denominator")
    aggregation = pl.col("aggregation")
    actual = (
        pl.when(aggregation == "sum")
        .then(pl.col("total"))
        .when(aggregation == "mean")
        .then(pl.col("total") / pl.col("checkin_count"))
        .when(aggregation == "last")
        .then(pl.col("last"))
        .when(aggregation == "min")
        .then(pl.col("value_min"))
        .when(aggregation == "max")
        .then(pl.col("value_max"))
        .when((aggregation == "ratio") & (pl.col("denominator") != 0))
        .then(pl.when(pl.col("measure_unit") == "%").then(100.0 * ratio).otherwise(ratio))
        .otherwise(pl.lit(None, pl.Float64))
    )
    return (
        grouped.select(
            "goal_id",
            period_start=date_of_month_index(pl.col("period_index")),
            actual=actual,
            checkin_count="checkin_count",
            last_checkin_date="last_checkin_date",
            last_confidence="last_confidence",
        )
        .cast(ACTUALS_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )


def period_actuals(rows: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Aggregate `checkin_rows` into one row per goal and period (ACTUALS_SCHEMA), unordered.

    sum/mean/min/max as named; `last` takes the latest date, ties won by the later entry (higher
    seq); `ratio` is sum(value) / sum(denominator), x 100 when the unit is `%`, and has no actual
    when the denominators sum to 0."""
    grouped = _aggregate(
        rows.lazy(),
        ["goal_id", "period_index"],
        pl.col("aggregation").first(),
        pl.col("measure_unit").first(),
    )
    return _finish_actuals(grouped)


def aggregate_buckets(keys: pl.DataFrame) -> pl.DataFrame:
    """The check-in buckets (BUCKETS_SCHEMA) the goals of `keys` (a `goal_keys` frame, with or
    without `first_index`) read: their measuring goal, their period length, the first period."""
    first = pl.col("first_index") if "first_index" in keys.columns else pl.lit(0, pl.Int32)
    return typed_buckets(
        keys.select(goal_id=pl.col("measured_by"), months=pl.col("months"), first_index=first)
    )


def catalog_buckets(catalog: pl.DataFrame) -> pl.DataFrame:
    """Every period of every goal of `catalog`: the buckets an evaluation with history, the
    trends, the due dates and the quality rules read."""
    return aggregate_buckets(goal_keys(catalog))


def checkin_aggregates(dataset: Dataset, buckets: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The counting check-ins as of `as_of` aggregated per bucket and period (AGGREGATES_SCHEMA),
    for the buckets of `buckets`: the database's (`dataset.aggregates`, which must be for
    `as_of` and cover those buckets), or else computed here from `dataset.checkins`. Unordered.
    Raises ValueError when the dataset's aggregates are for another date."""
    if dataset.aggregates is not None:
        if dataset.aggregated_until != as_of:
            raise ValueError(
                f"check-ins aggregated as of {dataset.aggregated_until}, not {as_of}: read again"
            )
        return (
            dataset.aggregates.join(
                buckets.select("goal_id", "months", "first_index"),
                on=["goal_id", "months"],
                how="inner",
            )
            .filter(pl.col("period_index") >= pl.col("first_index"))
            .drop("first_index")
        )
    checkins = _effective(dataset.checkins, as_of)
    period_index = fiscal_period_index(month_index(pl.col("date")), pl.col("months"))
    rows = (
        checkins.select("goal_id", "date", "seq", "value", "denominator", "confidence")
        .join(buckets.lazy(), on="goal_id", how="inner")
        .with_columns(period_index=period_index)
        .filter(pl.col("period_index") >= pl.col("first_index"))
    )
    value = pl.col("value")
    x = (pl.col("date") - date_of_month_index(pl.col("period_index"))).dt.total_days()
    months = pl.col("months")
    current = pl.lit(True)
    for length in (1, 3, 12):
        current = (
            pl.when(months == length)
            .then(pl.col("period_index") == current_index(as_of, length))
            .otherwise(current)
        )
    valid = pl.col("current") & pl.col("denominator").is_not_null() & (pl.col("denominator") != 0)
    y_ratio = pl.when(valid).then(value / pl.col("denominator"))
    # One integer that sorts by date, then by entry: the latest check-in is its arg_max.
    order = pl.col("date").cast(pl.Int32).cast(pl.Int64) * (1 << 32) + pl.col("seq").fill_null(0)
    prepared = rows.with_columns(current=current).with_columns(
        x=pl.when(pl.col("current")).then(x.cast(pl.Float64)),
        order=order,
        y_ratio=y_ratio,
        confident_order=pl.when(pl.col("confidence").is_not_null()).then(order),
    )
    x = pl.col("x")
    ratio_x = pl.when(valid).then(x)
    value_x = pl.when(pl.col("current")).then(value)
    latest = pl.col("order").arg_max()
    return (
        prepared.group_by("goal_id", "months", "period_index")
        .agg(
            total=value.sum(),
            value_min=value.min(),
            value_max=value.max(),
            last=value.get(latest),
            last_denominator=pl.col("denominator").get(latest),
            numerator=pl.when(pl.col("denominator").is_not_null()).then(value).sum(),
            denominator=pl.col("denominator").sum(),
            denominators=pl.col("denominator").count(),
            confidences=pl.col("confidence").count(),
            checkin_count=pl.len(),
            last_checkin_date=pl.col("date").max(),
            last_confidence=pl.col("confidence").max_by("confident_order"),
            sx=x.sum(),
            sxx=(x * x).sum(),
            sxy=(x * value_x).sum(),
            current_n=pl.col("current").sum(),
            ratio_n=valid.sum(),
            ratio_sx=ratio_x.sum(),
            ratio_sxx=(ratio_x * x).sum(),
            ratio_sy=pl.col("y_ratio").sum(),
            ratio_sxy=(x * pl.col("y_ratio")).sum(),
            ratio_sy_pct=(pl.col("y_ratio") * 100.0).sum(),
            ratio_sxy_pct=(x * (pl.col("y_ratio") * 100.0)).sum(),
        )
        .with_columns(
            # Sums over no rows are 0 here and NULL in SQL: the same answer either way.
            pl.when(pl.col("ratio_n") > 0).then(pl.col(c)).alias(c)
            for c in ("ratio_sx", "ratio_sxx", "ratio_sy", "ratio_sxy", "ratio_sy_pct")
        )
        .with_columns(
            pl.when(pl.col("current_n") > 0).then(pl.col(c)).alias(c) for c in ("sx", "sxx", "sxy")
        )
        .with_columns(
            pl.when(pl.col("denominators") > 0).then(pl.col(c)).alias(c)
            for c in ("numerator", "denominator")
        )
        .with_columns(
            ratio_sxy_pct=pl.when(pl.col("ratio_n") > 0).then(pl.col("ratio_sxy_pct")),
            last_confidence=pl.when(pl.col("confidences") > 0).then(pl.col("last_confidence")),
        )
        .select(typed_aggregates_expr())
        .collect(engine="in-memory")
    )


def typed_aggregates_expr() -> list[pl.Expr]:
    """The columns of AGGREGATES_SCHEMA with their dtypes."""
    return [pl.col(c).cast(dtype) for c, dtype in AGGREGATES_SCHEMA.items()]


def goal_actuals(
    dataset: Dataset, catalog: pl.DataFrame, as_of: date, *, recent: bool = False
) -> pl.DataFrame:
    """`period_actuals(checkin_rows(dataset, catalog, as_of))` (ACTUALS_SCHEMA, unordered),
    computed from the check-ins aggregated per goal and period (checkin_aggregates).

    With `recent`, only what a current evaluation reads (`current_reads`): each KPI's period
    containing `as_of` and the one before it; for each KR whose objective period contains
    `as_of`, that period and the one before it."""
    keys = goal_keys(catalog)
    if recent:
        reads = current_reads(catalog, as_of).select(
            "goal_id", first_index=month_index(pl.col("since"))
        )
        keys = keys.join(reads, on="goal_id", how="inner", maintain_order="left")
    else:
        keys = keys.with_columns(first_index=pl.lit(0, pl.Int32))
    aggregates = checkin_aggregates(dataset, aggregate_buckets(keys), as_of)
    return actuals_of(keys, aggregates)


def actuals_of(keys: pl.DataFrame, aggregates: pl.DataFrame) -> pl.DataFrame:
    """Each goal's actuals (ACTUALS_SCHEMA, unordered) from the aggregates of its measuring
    goal's check-ins: `keys` is a `goal_keys` frame with `first_index`."""
    grouped = (
        keys.lazy()
        .select("goal_id", "measured_by", "months", "first_index", "aggregation", "measure_unit")
        .join(
            aggregates.lazy().rename({"goal_id": "measured_by"}),
            on=["measured_by", "months"],
            how="inner",
        )
        .filter(pl.col("period_index") >= pl.col("first_index"))
    )
    return _finish_actuals(grouped)


# ---------------------------------------------------------------------------------------------
# Which (goal, period) rows to evaluate


def _current_start(period_unit: pl.Expr, as_of: date) -> pl.Expr:
    return period_start(pl.lit(as_of, pl.Date), period_unit)


def kpi_periods(
    catalog: pl.DataFrame, as_of: date, history: pl.DataFrame | None = None
) -> pl.DataFrame:
    """(goal_id, period_start) of each KPI: the period containing `as_of`; given the actuals of a
    `history`, every period from the KPI's first actual's up to that one."""
    kpis = catalog.filter(
        pl.col("kind") == "kpi", pl.col("period_unit").is_in(PERIOD_UNITS)
    ).select("goal_id", "period_unit", current=_current_start(pl.col("period_unit"), as_of))
    if history is None:
        return kpis.select("goal_id", period_start=pl.col("current"))
    first = history.group_by("goal_id").agg(first=pl.col("period_start").min())
    months = months_of(pl.col("period_unit"))
    span = (month_index(pl.col("current")) - month_index(pl.col("first"))) // months
    return (
        kpis.join(first, on="goal_id", how="left")
        .with_columns(first=pl.min_horizontal("first", "current"))
        .with_columns(step=pl.int_ranges(-span, 1, dtype=pl.Int32))
        .explode("step")
        .select(
            "goal_id",
            period_start=shift_start(pl.col("current"), pl.col("period_unit"), pl.col("step")),
        )
    )


def kr_periods(catalog: pl.DataFrame, as_of: date, *, history: bool) -> pl.DataFrame:
    """(goal_id, period_start) of each key result: its objective's period, when that period
    contains `as_of` (with `history`: when it started on or before `as_of`)."""
    krs = with_label_start(
        catalog.filter(pl.col("kind") == "kr", pl.col("period_unit").is_in(PERIOD_UNITS)).select(
            "goal_id", "period_unit", "objective_period"
        ),
        "objective_period",
        "period_start",
    )
    started = pl.col("period_start") <= as_of
    keep = (
        started
        if history
        else started & (period_end(pl.col("period_start"), pl.col("period_unit")) >= as_of)
    )
    return krs.filter(pl.col("period_start").is_not_null(), keep).select("goal_id", "period_start")


def evaluation_periods(
    catalog: pl.DataFrame, as_of: date, history: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The (goal_id, period_start) rows an evaluation computes: each KPI's period containing
    `as_of` and each KR whose objective period contains it; given the actuals of a `history`,
    each KPI's periods from its first actual's on and each KR whose objective started by
    `as_of`."""
    return pl.concat(
        [
            kpi_periods(catalog, as_of, history),
            kr_periods(catalog, as_of, history=history is not None),
        ]
    )


def current_reads(
    catalog: pl.DataFrame, as_of: date, periods: pl.DataFrame | None = None
) -> pl.DataFrame:
    """What an evaluation without history reads, per goal it shows (each KPI, each KR whose
    objective period contains `as_of`): goal_id, measured_by, period_start (of the current
    period) and `since`, the first day of the period before the current one. Check-ins of
    `measured_by` dated before `since` or after `as_of` change nothing in that goal's row; the
    previous period gives change_pct targets, change_pct baselines and the change. `periods`:
    `evaluation_periods(catalog, as_of)` when the caller has it already."""
    if periods is None:
        periods = evaluation_periods(catalog, as_of)
    return periods.join(
        catalog.select("goal_id", "period_unit", "measured_by"), on="goal_id", how="inner"
    ).select(
        "goal_id",
        "measured_by",
        "period_start",
        since=shift_start(pl.col("period_start"), pl.col("period_unit"), -1),
    )


# ---------------------------------------------------------------------------------------------
# The arithmetic over (goal, period) rows


def target_overrides(targets: pl.DataFrame) -> pl.DataFrame:
    """The targets.csv overrides as goal_id, period, override: the last row wins when a goal and
    period appear twice."""
    return targets.select("goal_id", "period", override=pl.col("target")).unique(
        ["goal_id", "period"], keep="last", maintain_order=True
    )


def evaluate_rows(
    skeleton: pl.DataFrame,
    catalog: pl.DataFrame,
    actuals: pl.DataFrame,
    targets: pl.DataFrame,
    as_of: date,
) -> pl.DataFrame:
    """Everything DESIGN.md computes for the (goal_id, period_start) pairs of `skeleton`:
    GOALS_SCHEMA columns, sorted by kind, goal_id, period_start."""
    previous = actuals.lazy().select(
        "goal_id", previous_start=pl.col("period_start"), previous_actual=pl.col("actual")
    )
    overrides = target_overrides(targets).lazy()
    unit = pl.col("period_unit")
    # One lazy plan: polars materialises the frame once instead of after every step.
    rows = skeleton.lazy().join(catalog.lazy(), on="goal_id", how="inner")
    # Labels and bounds once per distinct period (a handful among thousands of rows).
    periods = (
        rows.select("period_start", "period_unit")
        .unique()
        .with_columns(
            period_end=period_end(pl.col("period_start"), unit),
            period=period_label(pl.col("period_start"), unit),
            previous_start=shift_start(pl.col("period_start"), unit, -1),
        )
    )
    rows = (
        rows.join(periods, on=["period_start", "period_unit"], how="left", nulls_equal=True)
        .join(actuals.lazy(), on=["goal_id", "period_start"], how="left")
        .join(previous, on=["goal_id", "previous_start"], how="left")
        .join(overrides, on=["goal_id", "period"], how="left")
    )

    as_of_lit = pl.lit(as_of, pl.Date)
    actual = pl.col("actual")
    is_kr = pl.col("kind") == "kr"
    is_sum = pl.col("aggregation") == "sum"
    change_pct = pl.col("target_mode") == "change_pct"
    # (100 + t) / 100 rather than 1 + t / 100: exact for whole-number percentages.
    target = pl.coalesce(
        "override",
        pl.when(change_pct)
        .then(pl.col("previous_actual") * (100.0 + pl.col("target")) / 100.0)
        .otherwise(pl.col("target")),
    )
    rows = rows.with_columns(
        is_current=(pl.col("period_start") <= as_of_lit) & (as_of_lit <= pl.col("period_end")),
        elapsed=elapsed_fraction(pl.col("period_start"), pl.col("period_end"), as_of_lit),
        target=target,
        checkin_count=pl.col("checkin_count").fill_null(0),
        change=actual - pl.col("previous_actual"),
        weight=pl.when(is_kr).then(pl.col("weight").fill_null(1.0)),
    )
    direction = pl.col("direction")
    rows = rows.with_columns(
        achievement=achievement_expr(actual, pl.col("target"), direction),
        # A change_pct KR without a baseline starts from the previous period's actual; a baseline
        # equal to the target measures nothing and counts as none.
        baseline=pl.when(is_kr).then(
            pl.coalesce("baseline", pl.when(change_pct).then(pl.col("previous_actual"))).pipe(
                lambda b: pl.when(b != pl.col("target")).then(b)
            )
        ),
    )
    baseline = pl.col("baseline")
    is_current = pl.col("is_current")
    elapsed = pl.col("elapsed")
    # Only a usable target paces: the same condition as the achievement's (target > 0).
    paced = is_current & pl.col("achievement").is_not_null()
    by_baseline = ~is_sum & baseline.is_not_null()
    rows = rows.with_columns(
        pace_kind=pl.when(paced)
        .then(
            pl.when(is_sum)
            .then(pl.lit("sum"))
            .when(by_baseline)
            .then(pl.lit("baseline"))
            .otherwise(pl.lit("level"))
        )
        .otherwise(pl.lit(None, pl.String)),
        progress=(actual - baseline) / (pl.col("target") - baseline),
        # The end value each rule expects: a running total's actual / elapsed; a baseline goal's
        # progress so far carried linearly to the period's end.
        projection=pl.when(is_current & (elapsed > 0))
        .then(
            pl.when(is_sum)
            .then(actual / elapsed)
            .when(by_baseline)
            .then(baseline + (actual - baseline) / elapsed)
            .otherwise(actual)
        )
        .otherwise(actual),
    )
    rows = rows.with_columns(
        expected_progress=pl.when(pl.col("pace_kind") == "baseline").then(elapsed),
        pace=pl.when(pl.col("pace_kind") == "baseline")
        .then(pl.col("progress") / elapsed)
        .when(is_current)
        .then(achievement_expr(pl.col("projection"), pl.col("target"), direction)),
        # An at_most sum KR's running total proves nothing mid-period: score its projection.
        scored=pl.when(is_kr & is_sum & (direction == "at_most") & is_current)
        .then(pl.col("projection"))
        .otherwise(actual),
    )
    scored = pl.col("scored")
    rows = rows.with_columns(
        status=status_expr(actual, pl.col("achievement"), pl.col("pace"), pl.col("is_current")),
        score=pl.when(~is_kr | scored.is_null())
        .then(pl.lit(None, pl.Float64))
        .when(baseline.is_not_null())
        .then(_clamp01((scored - baseline) / (pl.col("target") - baseline)))
        .otherwise(_clamp01(achievement_expr(scored, pl.col("target"), direction))),
    )
    rows = rows.with_columns(band=band_expr(pl.col("score")))
    return (
        rows.select(list(GOALS_SCHEMA))
        .cast(GOALS_SCHEMA)  # type: ignore[arg-type]
        .sort("kind", "goal_id", "period_start")
        # Tens of thousands of rows: the in-memory engine starts faster than streaming.
        .collect(engine="in-memory")
    )


def objective_periods(objectives: pl.DataFrame, as_of: date, *, history: bool) -> pl.DataFrame:
    """The objectives to evaluate as of `as_of` with period_start, period_end and is_current:
    those whose period contains `as_of` (with `history`: started on or before it)."""
    framed = with_label_start(objectives, "period", "period_start").with_columns(
        period_end=period_end(pl.col("period_start"), label_unit(pl.col("period")))
    )
    as_of_lit = pl.lit(as_of, pl.Date)
    is_current = (pl.col("period_start") <= as_of_lit) & (as_of_lit <= pl.col("period_end"))
    keep = pl.col("period_start") <= as_of_lit if history else is_current
    return framed.filter(pl.col("period_end").is_not_null(), keep).with_columns(
        is_current=is_current
    )
