"""The metrics engine: the public functions the report, the dashboard and the quality checks use.

Pure polars, frames in, frames out:

- `evaluate_goals`: one row per goal and period (GOALS_SCHEMA).
- `evaluation_plan` / `evaluate_planned`: the same in two steps, so that what an evaluation reads
  (its buckets) and what it computes come from one catalog, built once.
- `checkin_windows`: which check-ins an evaluation without history reads, so a caller can
  leave the rest on disk.
- `evaluate_objectives`: one row per objective and period (OBJECTIVES_SCHEMA).
- `rollup`: status counts and mean objective score per unit, own and over the subtree.
- `goal_trends`: each goal's series, change against the previous period and forecast.
- `band_expr`: the colour band of a score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from goaltui.metrics.arithmetic import (
    GOALS_SCHEMA,
    OBJECTIVES_SCHEMA,
    STATUSES,
    achievement_expr,
    actuals_of,
    aggregate_buckets,
    band_expr,
    catalog_buckets,
    checkin_aggregates,
    checkin_rows,
    current_reads,
    evaluate_rows,
    evaluation_periods,
    goal_actuals,
    goal_keys,
    objective_periods,
    period_actuals,
    status_expr,
    target_overrides,
)
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.periods import month_index
from goaltui.metrics.tree import closure
from goaltui.metrics.trends import TRENDS_SCHEMA, goal_trends
from goaltui.store.dataset import Dataset

__all__ = [
    "GOALS_SCHEMA",
    "OBJECTIVES_SCHEMA",
    "STATUSES",
    "TRENDS_SCHEMA",
    "EvaluationPlan",
    "achievement_expr",
    "all_buckets",
    "band_expr",
    "checkin_rows",
    "checkin_windows",
    "evaluate_goals",
    "evaluate_objectives",
    "evaluate_planned",
    "evaluation_buckets",
    "evaluation_plan",
    "goal_actuals",
    "goal_trends",
    "period_actuals",
    "rollup",
    "status_expr",
    "target_overrides",
]


def evaluate_goals(dataset: Dataset, as_of: date, *, history: bool = False) -> pl.DataFrame:
    """Every goal's figures per period as of `as_of` (columns GOALS_SCHEMA, one row per goal and
    period, sorted by kind, goal_id, period_start).

    Without `history`: each KPI's period containing `as_of` and each KR of an objective whose
    period contains it. With `history`: each KPI's periods from its first check-in's period up to
    the current one, and each KR of an objective that started on or before `as_of`."""
    return evaluate_planned(dataset, evaluation_plan(dataset, as_of, history=history))


@dataclass(frozen=True)
class EvaluationPlan:
    """What one evaluation as of `as_of` reads and which rows it computes, from the definitions
    alone (`evaluation_plan`)."""

    as_of: date
    history: bool
    catalog: pl.DataFrame
    """goal_catalog of the definitions."""
    keys: pl.DataFrame
    """goal_keys of the catalog with `first_index`, the month index of the first period each
    goal reads."""
    skeleton: pl.DataFrame | None
    """The (goal_id, period_start) rows computed; None with `history`, whose rows depend on
    the actuals (each KPI's periods from its first actual's)."""
    buckets: pl.DataFrame
    """The check-in buckets (goaltui.store.aggregates.BUCKETS_SCHEMA) it reads."""


def evaluation_plan(
    definitions: Dataset, as_of: date, *, history: bool, changes: bool = True
) -> EvaluationPlan:
    """The plan of `evaluate_goals(dataset, as_of, history=history)` for a dataset with these
    definitions (its check-ins are not read).

    Without `changes` (and without `history`), a goal reads its previous period only when its
    target or baseline comes from it (target_mode `change_pct`): the other goals' rows then have
    no `previous_actual` nor `change`, and every other column is the same."""
    catalog = goal_catalog(definitions)
    keys = goal_keys(catalog)
    if history:
        keys = keys.with_columns(first_index=pl.lit(0, pl.Int32))
        return EvaluationPlan(as_of, history, catalog, keys, None, aggregate_buckets(keys))
    skeleton = evaluation_periods(catalog, as_of)
    reads = current_reads(catalog, as_of, skeleton)
    if not changes:
        since = pl.when(pl.col("target_mode") == "change_pct").then("since")
        reads = reads.join(
            catalog.select("goal_id", "target_mode"), on="goal_id", maintain_order="left"
        ).select("goal_id", since=since.otherwise(pl.col("period_start")))
    first = reads.select("goal_id", first_index=month_index(pl.col("since")))
    keys = keys.join(first, on="goal_id", how="inner", maintain_order="left")
    return EvaluationPlan(as_of, history, catalog, keys, skeleton, aggregate_buckets(keys))


def evaluate_planned(dataset: Dataset, plan: EvaluationPlan) -> pl.DataFrame:
    """`evaluate_goals` by `plan` (an `evaluation_plan` of `dataset`'s definitions)."""
    as_of = plan.as_of
    actuals = actuals_of(plan.keys, checkin_aggregates(dataset, plan.buckets, as_of))
    skeleton = plan.skeleton
    if skeleton is None:
        skeleton = evaluation_periods(plan.catalog, as_of, actuals)
    return evaluate_rows(skeleton, plan.catalog, actuals, dataset.targets, as_of)


def checkin_windows(definitions: Dataset, as_of: date) -> pl.DataFrame:
    """The check-ins `evaluate_goals(dataset, as_of)` (without history) reads: one row per goal
    that takes check-ins for a goal it shows, with `since`, the earliest date it reads (columns
    goal_id, since). Its rows are the same when the dataset holds only that goal's check-ins
    dated from `since` to `as_of`, plus every correcting or retracting row (so nothing
    superseded counts again). Only the definitions are read: `definitions.checkins` may be
    empty."""
    return (
        current_reads(goal_catalog(definitions), as_of)
        .group_by("measured_by")
        .agg(since=pl.col("since").min())
        .select(goal_id=pl.col("measured_by"), since=pl.col("since"))
        .sort("goal_id")
    )


def evaluation_buckets(definitions: Dataset, as_of: date, *, history: bool) -> pl.DataFrame:
    """The check-in buckets (goaltui.store.aggregates.BUCKETS_SCHEMA) `evaluate_goals(dataset,
    as_of, history=history)` reads, from the definitions alone: with `history` every period of
    every goal, without it the current and previous periods of the goals it shows."""
    return evaluation_plan(definitions, as_of, history=history).buckets


def all_buckets(definitions: Dataset) -> pl.DataFrame:
    """Every period of every goal (BUCKETS_SCHEMA): what the dashboard, due dates, trends and
    quality rules read."""
    return catalog_buckets(goal_catalog(definitions))


def evaluate_objectives(
    dataset: Dataset, goals: pl.DataFrame, as_of: date, *, history: bool = False
) -> pl.DataFrame:
    """Objective scores (OBJECTIVES_SCHEMA, sorted by objective_id) from the KR rows of `goals`
    (an `evaluate_goals` frame): the weight-averaged KR score, a KR without a score counting 0;
    null when the weights sum to 0 or the objective has no KR rows in `goals`. Which objectives:
    as `evaluate_goals` chooses KRs (period contains `as_of`; with `history` started by then)."""
    krs = goals.filter(pl.col("kind") == "kr")
    weight = pl.col("weight").fill_null(1.0)
    scores = krs.group_by("objective_id").agg(
        kr_count=pl.len().cast(pl.Int64),
        weights=weight.sum(),
        weighted=(weight * pl.col("score").fill_null(0.0)).sum(),
    )
    score = pl.when(pl.col("weights") != 0).then(pl.col("weighted") / pl.col("weights"))
    return (
        objective_periods(dataset.objectives, as_of, history=history)
        .rename({"id": "objective_id"})
        .join(scores, on="objective_id", how="left")
        .with_columns(score=score, kr_count=pl.col("kr_count").fill_null(0))
        .with_columns(band=band_expr(pl.col("score")))
        .select(list(OBJECTIVES_SCHEMA))
        .cast(OBJECTIVES_SCHEMA)  # type: ignore[arg-type]
        .sort("objective_id", "period_start")
    )


def rollup(dataset: Dataset, goals: pl.DataFrame, objectives: pl.DataFrame) -> pl.DataFrame:
    """One row per unit (sorted by unit_id): `own_<status>` and `subtree_<status>` counts of the
    rows of `goals` for each status in STATUSES, `own_total`, `subtree_total`, and the mean
    objective score of `objectives` owned by the unit (`own_objective_score`) and by its whole
    subtree (`subtree_objective_score`); null when there is none. The caller chooses the rows
    (usually the current period's)."""
    tree = closure(dataset.units).select("unit_id", "ancestor_id")

    def counts(frame: pl.DataFrame, key: str, prefix: str) -> pl.DataFrame:
        return frame.group_by(key).agg(
            *[
                (pl.col("status") == status).sum().cast(pl.Int64).alias(f"{prefix}_{status}")
                for status in STATUSES
            ],
            pl.len().cast(pl.Int64).alias(f"{prefix}_total"),
        )

    own = counts(goals, "unit_id", "own")
    subtree = counts(
        goals.select("unit_id", "status").join(tree, on="unit_id"), "ancestor_id", "subtree"
    ).rename({"ancestor_id": "unit_id"})
    own_score = objectives.group_by("unit_id").agg(own_objective_score=pl.col("score").mean())
    subtree_score = (
        objectives.select("unit_id", "score")
        .join(tree, on="unit_id")
        .group_by("ancestor_id")
        .agg(subtree_objective_score=pl.col("score").mean())
        .rename({"ancestor_id": "unit_id"})
    )
    count_columns = [f"{p}_{s}" for p in ("own", "subtree") for s in (*STATUSES, "total")]
    return (
        dataset.units.select(unit_id=pl.col("id"))
        .join(own, on="unit_id", how="left")
        .join(subtree, on="unit_id", how="left")
        .join(own_score, on="unit_id", how="left")
        .join(subtree_score, on="unit_id", how="left")
        .with_columns(pl.col(count_columns).fill_null(0))
        .select(
            "unit_id",
            *[f"own_{s}" for s in STATUSES],
            *[f"subtree_{s}" for s in STATUSES],
            "own_total",
            "subtree_total",
            pl.col("own_objective_score").cast(pl.Float64),
            pl.col("subtree_objective_score").cast(pl.Float64),
        )
        .sort("unit_id")
    )
