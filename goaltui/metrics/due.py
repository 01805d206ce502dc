"""Who owes a check-in: each goal's due date by its cadence (DESIGN.md, `goaltui due`).

A goal that takes check-ins (every KPI; every KR of an objective whose period contains as-of,
except KRs with kpi_id, whose KPI stands for them) is due at anchor + cadence. The anchor is its
latest counting check-in dated on or before as-of when that lies in the goal's current period,
else the current period's first day. Pure polars over all goals at once.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from goaltui.metrics.arithmetic import checkin_aggregates
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.periods import (
    PERIOD_UNITS,
    months_of,
    period_end,
    period_start,
    with_label_start,
)
from goaltui.metrics.tree import closure
from goaltui.model.enums import Cadence
from goaltui.store.aggregates import typed_buckets
from goaltui.store.dataset import Dataset

DUE_COLUMNS: dict[str, pl.DataType] = {
    "goal_id": pl.String(),
    "kind": pl.String(),
    "unit_id": pl.String(),
    "name": pl.String(),
    "cadence": pl.String(),
    "last_checkin": pl.Date(),
    "due": pl.Date(),
    "days_overdue": pl.Int64(),
}
"""The csv columns of `goaltui due` (DESIGN.md, command line), in order, and their types."""

DUE_SCHEMA: dict[str, pl.DataType] = {
    **DUE_COLUMNS,
    "period_start": pl.Date(),
    "measure_unit": pl.String(),
    "aggregation": pl.String(),
    "last_value": pl.Float64(),
    "last_denominator": pl.Float64(),
    "escalated": pl.Boolean(),
    "parent_unit_id": pl.String(),
}
"""Columns of `due_goals`: the csv columns, then what the reminder post and the dashboard show:
the current period's first day, the goal's measurement unit and aggregation, the value (and
denominator) of the latest counting check-in, whether the goal is overdue by more than twice
its cadence (`escalated`), and the owner's parent unit (null for the root)."""

DEFAULT_KPI_CADENCE = Cadence.MONTHLY.value
DEFAULT_KR_CADENCE = Cadence.WEEKLY.value

CADENCE_STEP: dict[str, str] = {
    Cadence.WEEKLY.value: "7d",
    Cadence.BIWEEKLY.value: "14d",
    Cadence.MONTHLY.value: "1mo",
    Cadence.QUARTERLY.value: "3mo",
}
"""One cadence as a polars offset: calendar months clamp the 31st to the month's last day."""

ESCALATION_STEP: dict[str, str] = {
    Cadence.WEEKLY.value: "14d",
    Cadence.BIWEEKLY.value: "28d",
    Cadence.MONTHLY.value: "2mo",
    Cadence.QUARTERLY.value: "6mo",
}
"""Twice a cadence: a goal whose due date lies further than this before as-of is escalated."""


def checkin_takers(dataset: Dataset, as_of: date) -> pl.DataFrame:
    """The goals that take check-ins as of `as_of`, with their cadence and current period:
    goal_id, kind, unit_id, name, cadence, period_start, measure_unit, aggregation, period_unit.
    Every KPI
    (period: the one containing as-of) and every KR without kpi_id whose objective's period
    contains as-of. An empty cadence takes the default (KPI monthly, KR weekly)."""
    catalog = goal_catalog(dataset).filter(
        pl.col("accepts_checkins"), pl.col("period_unit").is_in(PERIOD_UNITS)
    )
    cadences = pl.concat(
        [
            dataset.kpis.select(
                goal_id=pl.col("id"), cadence=pl.col("cadence").fill_null(DEFAULT_KPI_CADENCE)
            ),
            dataset.key_results.select(
                goal_id=pl.col("id"), cadence=pl.col("cadence").fill_null(DEFAULT_KR_CADENCE)
            ),
        ]
    )
    goals = with_label_start(catalog, "objective_period", "objective_start").join(
        cadences, on="goal_id", how="left", maintain_order="left"
    )
    current = pl.lit(as_of, pl.Date)
    start = (
        pl.when(pl.col("kind") == "kpi")
        .then(period_start(current, pl.col("period_unit")))
        .otherwise(pl.col("objective_start"))
    )
    return (
        goals.with_columns(period_start=start)
        .filter(
            pl.col("period_start").is_not_null(),
            pl.col("period_start") <= as_of,
            period_end(pl.col("period_start"), pl.col("period_unit")) >= as_of,
        )
        .select(
            "goal_id",
            "kind",
            "unit_id",
            "name",
            "cadence",
            "period_start",
            "measure_unit",
            "aggregation",
            "period_unit",
        )
    )


def latest_checkins(dataset: Dataset, takers: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The latest counting check-in of each goal of `takers` (goal_id, period_unit) dated on or
    before `as_of` (superseded and retracted ones never count; same date: the later entry):
    goal_id, last_checkin, last_value, last_denominator. Goals without one have no row. From
    the check-in aggregates of the goal's own periods: the latest period's latest check-in."""
    return (
        checkin_aggregates(dataset, _taker_buckets(takers), as_of)
        .sort("period_index")
        .group_by("goal_id")
        .agg(
            last_checkin=pl.col("last_checkin_date").last(),
            last_value=pl.col("last").last(),
            last_denominator=pl.col("last_denominator").last(),
        )
    )


def due_buckets(definitions: Dataset, as_of: date) -> pl.DataFrame:
    """The check-in buckets (goaltui.store.aggregates.BUCKETS_SCHEMA) `due_goals(dataset,
    as_of)` reads: every period of each goal that takes check-ins."""
    return _taker_buckets(checkin_takers(definitions, as_of))


def _taker_buckets(takers: pl.DataFrame) -> pl.DataFrame:
    return typed_buckets(
        takers.select(
            "goal_id",
            months=months_of(pl.col("period_unit")),
            first_index=pl.lit(0, pl.Int32),
        )
    )


def due_goals(dataset: Dataset, as_of: date, *, within: int = 0) -> pl.DataFrame:
    """The goals due on or before `as_of` + `within` days (columns DUE_SCHEMA), sorted by due
    then goal_id. days_overdue = as-of - due in days (negative: not yet due)."""
    return due_all(dataset, as_of).filter(pl.col("due") <= as_of + timedelta(days=within))


def due_all(dataset: Dataset, as_of: date) -> pl.DataFrame:
    """Every goal that takes check-ins with its due date (columns DUE_SCHEMA), sorted by due
    then goal_id, whether or not it is due yet."""
    takers = checkin_takers(dataset, as_of)
    latest = latest_checkins(dataset, takers, as_of)
    parents = dataset.units.select(unit_id=pl.col("id"), parent_unit_id=pl.col("parent_id"))
    current = pl.lit(as_of, pl.Date)
    in_period = pl.col("last_checkin") >= pl.col("period_start")
    anchor = pl.when(in_period).then(pl.col("last_checkin")).otherwise(pl.col("period_start"))
    step = pl.col("cadence").replace_strict(CADENCE_STEP, default=None, return_dtype=pl.String)
    twice = pl.col("cadence").replace_strict(ESCALATION_STEP, default=None, return_dtype=pl.String)
    return (
        takers.join(latest, on="goal_id", how="left", maintain_order="left")
        .join(parents, on="unit_id", how="left", maintain_order="left")
        .with_columns(due=anchor.dt.offset_by(step))
        .with_columns(
            days_overdue=(current - pl.col("due")).dt.total_days().cast(pl.Int64),
            escalated=(pl.col("due").dt.offset_by(twice) < current).fill_null(False),
        )
        .select(list(DUE_SCHEMA))
        .cast(DUE_SCHEMA)  # type: ignore[arg-type]
        .sort("due", "goal_id")
    )


def escalations(due: pl.DataFrame) -> pl.DataFrame:
    """The escalated rows of a `due_goals` frame again, owned by the owner's parent unit: the
    same columns, `unit_id` the parent and `parent_unit_id` the owner it came from. A goal of
    the root unit has nobody above it and is not repeated."""
    return due.filter(pl.col("escalated"), pl.col("parent_unit_id").is_not_null()).with_columns(
        unit_id=pl.col("parent_unit_id"), parent_unit_id=pl.col("unit_id")
    )


def due_counts(units: pl.DataFrame, due: pl.DataFrame) -> pl.DataFrame:
    """How many goals of a `due_goals` frame owe a check-in (due on or before as-of) per unit:
    unit_id, own (its own goals) and below (its whole subtree, itself included); every unit has
    a row, sorted by unit_id."""
    overdue = due.filter(pl.col("days_overdue") >= 0).group_by("unit_id").agg(own=pl.len())
    below = (
        closure(units.select("id", "parent_id"))
        .join(overdue, on="unit_id", how="inner")
        .group_by("ancestor_id")
        .agg(below=pl.col("own").sum())
        .rename({"ancestor_id": "unit_id"})
    )
    return (
        units.select(unit_id=pl.col("id"))
        .join(overdue, on="unit_id", how="left")
        .join(below, on="unit_id", how="left")
        .select(
            "unit_id",
            own=pl.col("own").fill_null(0).cast(pl.Int64),
            below=pl.col("below").fill_null(0).cast(pl.Int64),
        )
        .sort("unit_id")
    )
