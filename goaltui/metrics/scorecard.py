"""Everything the dashboard shows for one as-of date, computed in one go off the UI thread."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import polars as pl

from goaltui.i18n import is_korean
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.due import DUE_SCHEMA, due_counts, due_goals
from goaltui.metrics.engine import (
    GOALS_SCHEMA,
    TRENDS_SCHEMA,
    evaluate_goals,
    evaluate_objectives,
    goal_trends,
    rollup,
)
from goaltui.metrics.tree import closure
from goaltui.store.dataset import Dataset, without_archived


@dataclass(frozen=True)
class Scorecard:
    """The dashboard's data as of one date: immutable frames, filtered per unit in memory."""

    as_of: date
    dataset: Dataset
    catalog: pl.DataFrame
    """goal_catalog: one row per KPI and key result."""
    goals: pl.DataFrame
    """evaluate_goals for the current periods, joined with goal_trends."""
    objectives: pl.DataFrame
    """evaluate_objectives for the current periods."""
    rollup: pl.DataFrame
    """Status counts per unit, own and over the subtree."""
    closure: pl.DataFrame
    """(unit_id, ancestor_id, depth) of the organisation tree."""
    korean: bool
    """Whether the organisation writes Korean (picks 억/만 number words)."""
    due: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DUE_SCHEMA))
    """due_goals: the goals that owe a check-in as of the date, by due date."""
    due_counts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"unit_id": pl.String, "own": pl.Int64, "below": pl.Int64}
        )
    )
    """due_counts of `due`: per unit, how many of its own and its subtree's goals owe one."""

    @cached_property
    def due_ids(self) -> frozenset[str]:
        """Ids of the goals that owe a check-in."""
        return frozenset(self.due.get_column("goal_id").to_list())

    trended: bool = False
    """Whether `goals` carries the trend columns (with_trends), not nulls."""

    opening: bool = False
    """Whether this is a first view's: the goals of the unit a dashboard opens on only, without
    roll-ups, while the whole organisation is computed."""

    @cached_property
    def unit_names(self) -> dict[str, str]:
        """Unit id -> name."""
        units = self.dataset.units
        return dict(zip(units["id"], units["name"], strict=True))

    @cached_property
    def subject_names(self) -> dict[str, str]:
        """Unit, objective and goal id -> its name or title (what a quality finding is about)."""
        objectives = self.dataset.objectives
        return {
            **self.unit_names,
            **dict(zip(objectives["id"], objectives["title"], strict=True)),
            **dict(zip(self.catalog["goal_id"], self.catalog["name"], strict=True)),
        }

    def subtree(self, unit_id: str) -> pl.Series:
        """Ids of `unit_id` and all units below it."""
        return self.closure.filter(pl.col("ancestor_id") == unit_id).get_column("unit_id")

    def path(self, unit_id: str) -> list[str]:
        """Unit ids from the root down to `unit_id`."""
        rows = self.closure.filter(pl.col("unit_id") == unit_id).sort("depth", descending=True)
        return rows.get_column("ancestor_id").to_list()


def build_scorecard(dataset: Dataset, as_of: date) -> Scorecard:
    """Compute the current-period goals, objectives and roll-ups of `dataset` as of `as_of`.
    `goals` has the trend columns empty until `with_trends` fills them: on a large history the
    trends take several times longer, so the dashboard shows the figures first. (Quality
    findings come separately for the same reason.) Archived goals are left out."""
    dataset = without_archived(dataset)
    current = evaluate_goals(dataset, as_of)
    objectives = evaluate_objectives(dataset, current, as_of)
    trend_columns = {
        name: pl.lit(None, dtype)
        for name, dtype in TRENDS_SCHEMA.items()
        if name not in current.columns
    }
    due = due_goals(dataset, as_of)
    return Scorecard(
        as_of=as_of,
        dataset=dataset,
        catalog=goal_catalog(dataset),
        goals=current.with_columns(**trend_columns),
        objectives=objectives,
        rollup=rollup(dataset, current, objectives),
        closure=closure(dataset.units),
        korean=is_korean(),
        due=due,
        due_counts=due_counts(dataset.units, due),
    )


def with_trends(scorecard: Scorecard) -> Scorecard:
    """The same scorecard with each goal's series, change and forecast (goal_trends) filled in."""
    # The evaluation's own previous_actual and change stay; the trend columns are replaced.
    trends = goal_trends(scorecard.dataset, scorecard.as_of).drop("previous_actual", "change")
    own = [c for c in scorecard.goals.columns if c not in trends.columns or c == "goal_id"]
    goals = scorecard.goals.select(own).join(
        trends, on="goal_id", how="left", maintain_order="left"
    )
    return replace(scorecard, goals=goals.select(scorecard.goals.columns), trended=True)


def _goals_subset(dataset: Dataset, goal_ids: list[str]) -> Dataset:
    """Just the rows that evaluating `goal_ids` reads: those goals, the KPIs their key results
    are measured by, their objectives, and the check-ins and targets of all of them."""
    key_results = dataset.key_results.filter(pl.col("id").is_in(goal_ids))
    kpi_ids = [*goal_ids, *key_results["kpi_id"].drop_nulls().to_list()]
    objective_ids = key_results["objective_id"].unique().to_list()
    aggregates = dataset.aggregates
    return Dataset(
        units=dataset.units,
        kpis=dataset.kpis.filter(pl.col("id").is_in(kpi_ids)),
        objectives=dataset.objectives.filter(pl.col("id").is_in(objective_ids)),
        key_results=key_results,
        checkins=dataset.checkins.filter(pl.col("goal_id").is_in(kpi_ids)),
        targets=dataset.targets.filter(pl.col("goal_id").is_in(kpi_ids)),
        aggregates=None
        if aggregates is None
        else aggregates.filter(pl.col("goal_id").is_in(kpi_ids)),
        aggregated_until=dataset.aggregated_until,
    )


def affected_goals(scorecard: Scorecard, measured: list[str]) -> list[str]:
    """The goals whose figures check-ins on the goals `measured` can change: those goals and the
    key results measured by them."""
    catalog = scorecard.catalog
    return catalog.filter(pl.col("measured_by").is_in(measured))["goal_id"].to_list()


def refreshed(scorecard: Scorecard, dataset: Dataset, goal_ids: list[str]) -> Iterator[Scorecard]:
    """refresh_goals in two steps, the goals evaluated once for both. First what a check-in
    shows first: `scorecard` with only the rows of the goals `goal_ids` evaluated again, their
    trend columns as they were, and the objectives, roll-ups and due list unchanged; then
    refresh_goals' scorecard."""
    dataset = without_archived(dataset)
    as_of = scorecard.as_of
    subset = _goals_subset(dataset, goal_ids)
    wanted = pl.col("goal_id").is_in(goal_ids)
    fresh = evaluate_goals(subset, as_of).filter(wanted)
    keys = ["goal_id", "period_start"]
    kept = [name for name in TRENDS_SCHEMA if name not in fresh.columns]
    rows = fresh.join(
        scorecard.goals.select(*keys, *kept), on=keys, how="left", maintain_order="left"
    )
    yield replace(scorecard, dataset=dataset, goals=_with_rows(scorecard.goals, rows, goal_ids))
    if scorecard.trended:
        trends = goal_trends(subset, as_of).drop("previous_actual", "change")
        own = [c for c in fresh.columns if c not in trends.columns or c == "goal_id"]
        fresh = fresh.select(own).join(trends, on="goal_id", how="left", maintain_order="left")
    else:
        fresh = fresh.with_columns(
            **{
                name: pl.lit(None, dtype)
                for name, dtype in TRENDS_SCHEMA.items()
                if name not in fresh.columns
            }
        )
    goals = _with_rows(scorecard.goals, fresh, goal_ids)
    current = goals.select(list(GOALS_SCHEMA))
    objectives = evaluate_objectives(dataset, current, as_of)
    # Who owes a check-in changes only for the goals that got one.
    due = (
        pl.concat([scorecard.due.filter(~wanted), due_goals(subset, as_of).filter(wanted)])
        .cast(scorecard.due.schema)
        .sort("due", "goal_id")
    )
    yield replace(
        scorecard,
        dataset=dataset,
        goals=goals,
        objectives=objectives,
        rollup=rollup(dataset, current, objectives),
        due=due,
        due_counts=due_counts(dataset.units, due),
    )


def _with_rows(goals: pl.DataFrame, fresh: pl.DataFrame, goal_ids: list[str]) -> pl.DataFrame:
    """`goals` with the rows of the goals `goal_ids` replaced by `fresh`, in their order."""
    wanted = pl.col("goal_id").is_in(goal_ids)
    return (
        pl.concat([goals.filter(~wanted), fresh.select(goals.columns)])
        .cast(goals.schema)
        .sort("kind", "goal_id", "period_start")
    )


def refresh_goals(scorecard: Scorecard, dataset: Dataset, goal_ids: list[str]) -> Scorecard:
    """The scorecard of `dataset`, which differs from `scorecard.dataset` only in check-ins of
    the goals `goal_ids` (see affected_goals): only those goals are evaluated again (with their
    trends when the scorecard has them), then the objectives and roll-ups, which are cheap.
    Equal to build_scorecard(dataset, as_of) (plus with_trends when `scorecard.trended`)."""
    *_first, complete = refreshed(scorecard, dataset, goal_ids)
    return complete


def goal_history(dataset: Dataset, goal_id: str, as_of: date) -> pl.DataFrame:
    """Every period of one goal up to `as_of` (evaluate_goals with history), computed on just the
    rows that goal needs, so opening a goal stays fast in a large organisation."""
    subset = _goals_subset(dataset, [goal_id])
    return evaluate_goals(subset, as_of, history=True).filter(pl.col("goal_id") == goal_id)


def round_goals(scorecard: Scorecard, unit_id: str) -> pl.DataFrame:
    """Goals of `unit_id`'s subtree that take check-ins and owe one (`scorecard.due`, by due
    date) or have none in their current period, with `previous`: their previous period's actual
    as text, for the check-in round. The ones that owe a check-in come first."""
    subtree = scorecard.subtree(unit_id).implode()
    takes = scorecard.catalog.filter(pl.col("accepts_checkins")).select("goal_id")
    owed = scorecard.due.filter(pl.col("unit_id").is_in(subtree)).select(
        "goal_id", owed=pl.int_range(pl.len(), dtype=pl.Int64)
    )
    return (
        scorecard.goals.filter(pl.col("unit_id").is_in(subtree))
        .join(owed, on="goal_id", how="left")
        .filter(pl.col("owed").is_not_null() | (pl.col("checkin_count").fill_null(0) == 0))
        .join(takes, on="goal_id", how="semi")
        .sort("owed", "unit_id", "kind", "goal_id", nulls_last=True)
        .select(
            "goal_id",
            previous=pl.when(pl.col("previous_actual").is_not_null())
            .then(pl.format("previous period: {}", pl.col("previous_actual").round(2)))
            .otherwise(pl.lit("no earlier value")),
        )
    )
