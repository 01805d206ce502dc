"""Small builders of in-memory organisations for the metrics and report tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from goaltui.metrics import evaluate_goals
from goaltui.store.dataset import TABLE_SCHEMAS, Dataset

Row = dict[str, Any]


def unit(id: str, parent_id: str | None = None, kind: str = "team", name: str = "") -> Row:
    """A row of units.csv."""
    return {"id": id, "name": name or id, "parent_id": parent_id, "kind": kind}


def kpi(
    id: str,
    *,
    unit_id: str = "org",
    direction: str = "at_least",
    aggregation: str = "sum",
    period: str = "month",
    target: float | None = 100.0,
    target_mode: str = "absolute",
    unit: str | None = "count",
    parent_id: str | None = None,
    category: str | None = None,
) -> Row:
    """A row of kpis.csv."""
    return {
        "id": id,
        "unit_id": unit_id,
        "name": f"KPI {id}",
        "unit": unit,
        "direction": direction,
        "aggregation": aggregation,
        "period": period,
        "target_mode": target_mode,
        "target": target,
        "parent_id": parent_id,
        "category": category,
    }


def objective(
    id: str, *, period: str = "2026-Q4", unit_id: str = "org", parent_id: str | None = None
) -> Row:
    """A row of objectives.csv."""
    return {
        "id": id,
        "unit_id": unit_id,
        "title": f"Objective {id}",
        "period": period,
        "parent_id": parent_id,
    }


def key_result(
    id: str,
    objective_id: str = "o1",
    *,
    direction: str | None = "at_least",
    aggregation: str | None = "sum",
    target: float | None = 100.0,
    target_mode: str = "absolute",
    baseline: float | None = None,
    weight: float = 1.0,
    kpi_id: str | None = None,
    unit: str | None = None,
) -> Row:
    """A row of key_results.csv."""
    return {
        "id": id,
        "objective_id": objective_id,
        "title": f"KR {id}",
        "unit": unit,
        "direction": direction,
        "aggregation": aggregation,
        "target_mode": target_mode,
        "target": target,
        "baseline": baseline,
        "weight": weight,
        "kpi_id": kpi_id,
    }


def checkin(
    goal_id: str,
    day: date,
    value: float | None,
    *,
    denominator: float | None = None,
    id: str | None = None,
    supersedes: str | None = None,
    confidence: float | None = None,
) -> Row:
    """A row of checkins.csv (seq follows the order of the list given to `dataset`)."""
    return {
        "goal_id": goal_id,
        "date": day,
        "value": value,
        "denominator": denominator,
        "id": id,
        "supersedes": supersedes,
        "confidence": confidence,
    }


def target(goal_id: str, period: str, value: float) -> Row:
    """A row of targets.csv."""
    return {"goal_id": goal_id, "period": period, "target": value}


def _frame(table: str, rows: list[Row]) -> pl.DataFrame:
    schema = TABLE_SCHEMAS[table]
    return pl.DataFrame(
        [{c: row.get(c) for c in schema if c != "seq" or "seq" in row} for row in rows],
        schema={c: t for c, t in schema.items() if c != "seq" or any("seq" in r for r in rows)},
    )


def dataset(
    *,
    units: list[Row] | None = None,
    kpis: list[Row] | None = None,
    objectives: list[Row] | None = None,
    key_results: list[Row] | None = None,
    checkins: list[Row] | None = None,
    targets: list[Row] | None = None,
) -> Dataset:
    """A Dataset from rows; the default organisation is one unit `org`."""
    tables = {
        "units": units if units is not None else [unit("org", kind="org")],
        "kpis": kpis or [],
        "objectives": objectives or [],
        "key_results": key_results or [],
        "checkins": checkins or [],
        "targets": targets or [],
    }
    return Dataset.from_frames(**{name: _frame(name, rows) for name, rows in tables.items()})


def goal_row(
    ds: Dataset, goal_id: str, as_of: date = date(2026, 11, 16), *, period: str | None = None
) -> dict[str, Any]:
    """The one evaluated row of `goal_id`: its current period, or with `period` that period of
    its history."""
    goals = evaluate_goals(ds, as_of, history=period is not None)
    rows = goals.filter(pl.col("goal_id") == goal_id)
    if period is not None:
        rows = rows.filter(pl.col("period") == period)
    assert rows.height == 1, rows
    return rows.row(0, named=True)
