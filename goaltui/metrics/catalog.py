"""One row per measurable goal (KPIs and key results), with a KR's inherited fields resolved."""

from __future__ import annotations

import polars as pl

from goaltui.metrics.periods import label_unit
from goaltui.store.dataset import Dataset

CATALOG_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "goal_id": pl.String(),
    "unit_id": pl.String(),
    "objective_id": pl.String(),
    "name": pl.String(),
    "measure_unit": pl.String(),
    "direction": pl.String(),
    "aggregation": pl.String(),
    "target_mode": pl.String(),
    "target": pl.Float64(),
    "baseline": pl.Float64(),
    "weight": pl.Float64(),
    "period_unit": pl.String(),
    "objective_period": pl.String(),
    "parent_id": pl.String(),
    "kpi_id": pl.String(),
    "measured_by": pl.String(),
    "accepts_checkins": pl.Boolean(),
    "category": pl.String(),
}
"""Columns of `goal_catalog`, in order."""


def goal_catalog(dataset: Dataset) -> pl.DataFrame:
    """Every KPI and key result as one frame (columns CATALOG_SCHEMA), sorted by kind then id.

    - `kind` is `kpi` or `kr`; `unit_id` is the owner (a KR's objective's unit).
    - `measure_unit`, `direction`, `aggregation`: a KR with `kpi_id` takes its KPI's unless the
      KR row gives its own.
    - `period_unit` is month/quarter/year (a KR's from its objective's period label, which is in
      `objective_period`).
    - `parent_id`: a KPI's parent KPI, or a KR's objective's parent objective.
    - `measured_by`: the goal whose check-ins count (a KR with kpi_id: that KPI; else itself);
      `accepts_checkins` is False for KRs measured by a KPI.
    """
    kpis = dataset.kpis.select(
        kind=pl.lit("kpi"),
        goal_id=pl.col("id"),
        unit_id=pl.col("unit_id"),
        objective_id=pl.lit(None, pl.String),
        name=pl.col("name"),
        measure_unit=pl.col("unit"),
        direction=pl.col("direction"),
        aggregation=pl.col("aggregation"),
        target_mode=pl.col("target_mode"),
        target=pl.col("target"),
        baseline=pl.lit(None, pl.Float64),
        weight=pl.lit(None, pl.Float64),
        period_unit=pl.col("period"),
        objective_period=pl.lit(None, pl.String),
        parent_id=pl.col("parent_id"),
        kpi_id=pl.lit(None, pl.String),
        measured_by=pl.col("id"),
        accepts_checkins=pl.lit(True),
        category=pl.col("category"),
    )
    linked = dataset.kpis.select(
        kpi_id=pl.col("id"),
        kpi_unit=pl.col("unit"),
        kpi_direction=pl.col("direction"),
        kpi_aggregation=pl.col("aggregation"),
        kpi_category=pl.col("category"),
    )
    objectives = dataset.objectives.select(
        objective_id=pl.col("id"),
        objective_unit=pl.col("unit_id"),
        objective_period=pl.col("period"),
        objective_parent=pl.col("parent_id"),
    )
    krs = (
        dataset.key_results.join(objectives, on="objective_id", how="left", maintain_order="left")
        .join(linked, on="kpi_id", how="left", maintain_order="left")
        .select(
            kind=pl.lit("kr"),
            goal_id=pl.col("id"),
            unit_id=pl.col("objective_unit"),
            objective_id=pl.col("objective_id"),
            name=pl.col("title"),
            measure_unit=pl.coalesce("unit", "kpi_unit"),
            direction=pl.coalesce("direction", "kpi_direction"),
            aggregation=pl.coalesce("aggregation", "kpi_aggregation"),
            target_mode=pl.col("target_mode"),
            target=pl.col("target"),
            baseline=pl.col("baseline"),
            weight=pl.col("weight"),
            period_unit=label_unit(pl.col("objective_period")),
            objective_period=pl.col("objective_period"),
            parent_id=pl.col("objective_parent"),
            kpi_id=pl.col("kpi_id"),
            measured_by=pl.coalesce("kpi_id", "id"),
            accepts_checkins=pl.col("kpi_id").is_null(),
            category=pl.col("kpi_category"),
        )
    )
    return (
        pl.concat([kpis, krs])
        .cast(CATALOG_SCHEMA)  # type: ignore[arg-type]
        .sort("kind", "goal_id")
    )
