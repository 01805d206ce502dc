"""Trends: each goal's per-period series, its change against the previous period, and a forecast of
the current period's end value with the status it implies and a plain-words explanation."""

from __future__ import annotations

from datetime import date

import polars as pl

from goaltui.i18n import _, translated
from goaltui.metrics.arithmetic import (
    EPSILON,
    achievement_expr,
    aggregate_buckets,
    checkin_aggregates,
    evaluate_rows,
    goal_actuals,
    goal_keys,
    status_expr,
)
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.periods import (
    PERIOD_UNITS,
    month_index,
    period_start,
    shift_start,
    with_label_start,
)
from goaltui.model.enums import PERIOD_UNIT_WORDS
from goaltui.store.dataset import Dataset

TRENDS_SCHEMA: dict[str, pl.DataType] = {
    "goal_id": pl.String(),
    "period_labels": pl.List(pl.String()),
    "actuals": pl.List(pl.Float64()),
    "targets": pl.List(pl.Float64()),
    "previous_actual": pl.Float64(),
    "change": pl.Float64(),
    "change_pct": pl.Float64(),
    "forecast": pl.Float64(),
    "forecast_achievement": pl.Float64(),
    "forecast_status": pl.String(),
    "explanation": pl.String(),
}
"""Columns of `goal_trends`, in order."""


def number_text(value: pl.Expr) -> pl.Expr:
    """A number for a sentence: 2 decimals below 10, 1 below 1000, else whole; no trailing
    zeros (`43`, `46.3`, `0.25`)."""
    size = value.abs()
    rounded = (
        pl.when(size < 10)
        .then(value.round(2))
        .when(size < 1000)
        .then(value.round(1))
        .otherwise(value.round(0))
    )
    text = rounded.cast(pl.String)
    return text.str.replace(r"(\.\d*?)0+$", "${1}").str.replace(r"\.$", "")


def quantity_text(value: pl.Expr, measure_unit: pl.Expr) -> pl.Expr:
    """A number with its measurement unit: `46.3 days`, `80.9%`, `43`."""
    suffix = (
        pl.when(measure_unit == "%")
        .then(pl.lit("%"))
        .when(measure_unit.is_null() | (measure_unit == "count") | (measure_unit == ""))
        .then(pl.lit(""))
        .otherwise(pl.concat_str(pl.lit(" "), measure_unit))
    )
    return pl.concat_str(number_text(value), suffix)


def _fraction_text(value: pl.Expr) -> pl.Expr:
    return value.round(2).cast(pl.String).str.replace(r"^(-?\d+)$", "${1}.0")


def _percent_text(fraction: pl.Expr) -> pl.Expr:
    """A fraction as a whole percent: 0.25 -> `25%`."""
    return pl.concat_str((fraction * 100).round(0).cast(pl.Int64).cast(pl.String), pl.lit("%"))


def _trend_periods(catalog: pl.DataFrame, as_of: date, periods: int) -> pl.DataFrame:
    # The series ends at the period that matters now: a KPI's current period, a KR's objective
    # period (KRs of objectives that have not started yet have no trend).
    unit = pl.col("period_unit")
    goals = with_label_start(
        catalog.filter(pl.col("period_unit").is_in(PERIOD_UNITS)),
        "objective_period",
        "objective_start",
    )
    ends = goals.select(
        "goal_id",
        "period_unit",
        end_start=pl.when(pl.col("kind") == "kpi")
        .then(period_start(pl.lit(as_of, pl.Date), unit))
        .otherwise(pl.col("objective_start")),
    )
    return (
        ends.filter(pl.col("end_start").is_not_null(), pl.col("end_start") <= as_of)
        .with_columns(step=pl.int_ranges(-(periods - 1), 1, dtype=pl.Int32))
        .explode("step")
        .select(
            "goal_id",
            "end_start",
            period_start=shift_start(pl.col("end_start"), unit, pl.col("step")),
        )
    )


def _trend_lines(
    dataset: Dataset, keys: pl.DataFrame, ends: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Least-squares line through each goal's check-ins of its end period, valued at the period's
    last day; `line` is null with fewer than two distinct check-in days. From the sums of the
    check-in aggregates: y is the value, or for a ratio goal value / denominator (x 100 for %)
    over the check-ins with a non-zero denominator."""
    keyed = (
        ends.join(keys, on="goal_id", how="inner")
        .with_columns(first_index=month_index(pl.col("period_start")))
        .select(
            "goal_id",
            "measured_by",
            "months",
            "first_index",
            "aggregation",
            "measure_unit",
            "x_end",
        )
    )
    aggregates = checkin_aggregates(dataset, aggregate_buckets(keyed), as_of)
    joined = keyed.join(
        aggregates.rename({"goal_id": "measured_by", "period_index": "first_index"}),
        on=["measured_by", "months", "first_index"],
        how="inner",
    )
    ratio = pl.col("aggregation") == "ratio"
    percent = pl.col("measure_unit") == "%"

    def pick(plain: str, by_ratio: str, by_percent: str | None = None) -> pl.Expr:
        chosen = (
            pl.col(by_ratio)
            if by_percent is None
            else (pl.when(percent).then(pl.col(by_percent)).otherwise(pl.col(by_ratio)))
        )
        return pl.when(ratio).then(chosen).otherwise(pl.col(plain))

    fits = joined.select(
        "goal_id",
        "x_end",
        n=pick("checkin_count", "ratio_n").cast(pl.Float64),
        sx=pick("sx", "ratio_sx"),
        sy=pick("total", "ratio_sy", "ratio_sy_pct"),
        sxx=pick("sxx", "ratio_sxx"),
        sxy=pick("sxy", "ratio_sxy", "ratio_sxy_pct"),
    ).filter(pl.col("n") > 0)
    spread = pl.col("n") * pl.col("sxx") - pl.col("sx") * pl.col("sx")
    slope = (pl.col("n") * pl.col("sxy") - pl.col("sx") * pl.col("sy")) / spread
    intercept = (pl.col("sy") - slope * pl.col("sx")) / pl.col("n")
    return fits.select(
        "goal_id", line=pl.when(spread > EPSILON).then(intercept + slope * pl.col("x_end"))
    )


def _explanation() -> pl.Expr:
    """The status in plain words, in the current language (built when the trends are)."""
    unit = pl.col("measure_unit")
    actual = quantity_text(pl.col("actual"), unit)
    target = quantity_text(pl.col("target"), unit)
    forecast = quantity_text(pl.col("forecast"), unit)
    at_most = pl.col("direction") == "at_most"
    against = (
        pl.when(at_most)
        .then(pl.format(_("at most {}"), target))
        .otherwise(pl.format(_("at least {}"), target))
    )
    achieved = pl.format(_("{} of target"), _fraction_text(pl.col("forecast_achievement")))
    elapsed = _percent_text(pl.col("elapsed"))
    period_unit = pl.col("period_unit").replace_strict(
        {str(k): translated(v) for k, v in PERIOD_UNIT_WORDS.items()},
        default=pl.col("period_unit"),
        return_dtype=pl.String,
    )
    is_sum = pl.col("aggregation") == "sum"
    return (
        pl.when(pl.col("forecast").is_null() & pl.col("is_current"))
        .then(pl.format(_("no check-in yet this {}"), period_unit))
        .when(pl.col("forecast").is_null())
        .then(pl.format(_("no check-ins in {}"), pl.col("period")))
        .when(pl.col("target").is_null() & (pl.col("target_mode") == "change_pct"))
        .then(
            pl.format(
                _("{} so far; no target: the previous {} has no actual to change from"),
                actual,
                period_unit,
            )
        )
        .when(pl.col("target").is_null())
        .then(pl.format(_("{} so far; no target set"), actual))
        .when(pl.col("forecast_achievement").is_null())
        .then(pl.format(_("{} against a target of {}: no achievement"), actual, target))
        .when(~pl.col("is_current"))
        .then(
            pl.format(
                _("{} closed at {} against {}: {}"), pl.col("period"), actual, against, achieved
            )
        )
        .when(is_sum & at_most)
        .then(
            pl.format(
                _("pace {}: {} used of at most {} at {} of the {}"),
                _fraction_text(pl.col("forecast_achievement")),
                actual,
                target,
                elapsed,
                period_unit,
            )
        )
        .when(is_sum)
        .then(
            pl.format(
                _("pace {}: {} of {} done at {} of the {}"),
                _fraction_text(pl.col("forecast_achievement")),
                actual,
                target,
                elapsed,
                period_unit,
            )
        )
        .when((pl.col("pace_kind") == "baseline") & pl.col("line").is_not_null())
        .then(
            pl.format(
                _("pace {}: {} of the way from {} to {} at {} of the {}; forecast {} at its end"),
                _fraction_text(pl.col("pace")),
                _percent_text(pl.col("progress")),
                quantity_text(pl.col("baseline"), unit),
                target,
                elapsed,
                period_unit,
                forecast,
            )
        )
        .when(pl.col("pace_kind") == "baseline")
        .then(
            pl.format(
                _(
                    "pace {}: {} of the way from {} to {} at {} of the {}; at this pace {} at "
                    "its end"
                ),
                _fraction_text(pl.col("pace")),
                _percent_text(pl.col("progress")),
                quantity_text(pl.col("baseline"), unit),
                target,
                elapsed,
                period_unit,
                forecast,
            )
        )
        .when(pl.col("line").is_not_null())
        .then(pl.format(_("forecast {} against {}: {}"), forecast, against, achieved))
        .otherwise(
            pl.format(
                _("latest {} against {}: {} (too few check-in days for a trend line)"),
                forecast,
                against,
                achieved,
            )
        )
    )


def goal_trends(dataset: Dataset, as_of: date, *, periods: int = 8) -> pl.DataFrame:
    """Per goal (TRENDS_SCHEMA, sorted by goal_id): the last `periods` periods up to the one that
    matters as of `as_of` (a KPI's current period, a KR's objective period; KRs of objectives not
    started yet are left out), oldest first, with their actuals and targets (a KR has a target
    only in its objective's period); the change against the previous period (absolute and in %);
    and a forecast of the end period's value: sum goals actual / elapsed, other goals a
    least-squares line through the period's check-ins valued at its last day (the actual when
    the check-ins fall on fewer than two days), a closed period its actual. `forecast_status`
    is the status that forecast implies; `explanation` says it in plain words."""
    if periods < 1:
        raise ValueError("periods must be at least 1")
    catalog = goal_catalog(dataset)
    actuals = goal_actuals(dataset, catalog, as_of)
    skeleton = _trend_periods(catalog, as_of, periods)
    evaluated = evaluate_rows(
        skeleton.select("goal_id", "period_start"), catalog, actuals, dataset.targets, as_of
    ).join(skeleton, on=["goal_id", "period_start"], how="left")
    evaluated = evaluated.with_columns(
        target=pl.when(
            (pl.col("kind") == "kpi") | (pl.col("period_start") == pl.col("end_start"))
        ).then(pl.col("target"))
    )
    series = (
        evaluated.sort("goal_id", "period_start")
        .group_by("goal_id", maintain_order=True)
        .agg(
            period_labels=pl.col("period"),
            actuals=pl.col("actual"),
            targets=pl.col("target"),
        )
    )
    ends = evaluated.filter(pl.col("period_start") == pl.col("end_start"))
    lines = _trend_lines(
        dataset,
        goal_keys(catalog),
        ends.filter(pl.col("is_current")).select(
            "goal_id",
            "period_start",
            x_end=(pl.col("period_end") - pl.col("period_start")).dt.total_days().cast(pl.Float64),
        ),
        as_of,
    )
    actual = pl.col("actual")
    # Without a trend line the projection stands in: the actual for a level, the running total
    # carried to the end for a sum, the progress from the baseline carried on for a baseline goal.
    forecast = (
        pl.when(actual.is_null())
        .then(pl.lit(None, pl.Float64))
        .when(~pl.col("is_current"))
        .then(actual)
        .when(pl.col("aggregation") == "sum")
        .then(pl.col("projection"))
        .otherwise(pl.coalesce("line", "projection"))
    )
    forecast_achievement = achievement_expr(
        pl.col("forecast"), pl.col("target"), pl.col("direction")
    )
    # The status the forecast would have at the period's end, when all of it has elapsed: a
    # baseline goal's pace is then its progress, any other goal's the forecast's achievement.
    baseline = pl.col("baseline")
    forecast_pace = (
        pl.when(pl.col("pace_kind") == "baseline")
        .then((pl.col("forecast") - baseline) / (pl.col("target") - baseline))
        .otherwise(pl.col("forecast_achievement"))
    )
    forecast_status = status_expr(
        pl.col("forecast"),
        pl.col("forecast_achievement"),
        forecast_pace,
        pl.col("is_current"),
    )
    previous = pl.col("previous_actual")
    summary = (
        ends.join(lines, on="goal_id", how="left")
        .with_columns(forecast=forecast)
        .with_columns(forecast_achievement=forecast_achievement)
        .with_columns(
            forecast_status=forecast_status,
            change_pct=pl.when(previous != 0).then(100.0 * pl.col("change") / previous.abs()),
        )
        .with_columns(explanation=_explanation())
    )
    return (
        series.join(summary, on="goal_id", how="inner")
        .select(list(TRENDS_SCHEMA))
        .cast(TRENDS_SCHEMA)  # type: ignore[arg-type]
        .sort("goal_id")
    )
