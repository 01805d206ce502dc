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
    name: str = "",
) -> Row:
    """A row of kpis.csv."""
    return {
        "id": id,
        "unit_id": unit_id,
        "name": name or f"KPI {id}",
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
    id: str,
    *,
    period: str = "2026-Q4",
    unit_id: str = "org",
    parent_id: str | None = None,
    title: str = "",
) -> Row:
    """A row of objectives.csv."""
    return {
        "id": id,
        "unit_id": unit_id,
        "title": title or f"Objective {id}",
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
    title: str = "",
) -> Row:
    """A row of key_results.csv."""
    return {
        "id": id,
        "objective_id": objective_id,
        "title": title or f"KR {id}",
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


def quarterly_organisation() -> Dataset:
    """A real-looking organisation through 2026-Q1 to Q4: an org, three teams and two people,
    KPIs checked in every month, and per quarter objectives with their key results, checked
    in during their quarter. Its only slips: Q2's sales objective has one key result (a past
    period), sales' Q4 paying-customers key result took its kick-off measurement days before
    its quarter instead of a baseline, and the website-visits KPI is only watched (no
    target)."""
    units = [
        unit("org", kind="org", name="Hummingbirds Inc."),
        unit("sales", "org", name="Sales"),
        unit("product", "org", name="Product"),
        unit("cs", "org", name="Customer support"),
        unit("kim", "sales", kind="person", name="Kim Minji"),
        unit("lee", "product", kind="person", name="Lee Junho"),
    ]
    kpis = [
        kpi("revenue", period="quarter", target=1.2e9, unit="KRW", name="Quarterly revenue"),
        kpi(
            "contracts",
            unit_id="sales",
            target=30,
            parent_id="revenue",
            name="New contracts per month",
        ),
        kpi(
            "kim-contracts",
            unit_id="kim",
            target=10,
            parent_id="contracts",
            name="Kim's new contracts",
        ),
        kpi(
            "response",
            unit_id="cs",
            direction="at_most",
            aggregation="mean",
            target=4.0,
            unit="hours",
            parent_id="revenue",
            name="Mean first response time",
        ),
        kpi(
            "visits",
            unit_id="product",
            target=None,
            parent_id="revenue",
            name="Website visits",
        ),
    ]
    themes = {
        "2026-Q1": ("Customers find value in their first week", "Every lead hears from us fast"),
        "2026-Q2": (
            "Become ISO 27001 certified so that enterprise buyers trust us",
            "Enterprise buyers choose us",
        ),
        "2026-Q3": ("Launch portal v2.0 for every customer", "Customers renew without a push"),
        "2026-Q4": ("Go-Live am 1. Oktober 2026 ohne Ausfall", "Customers grow with us"),
    }
    objectives: list[Row] = []
    key_results: list[Row] = []
    checkins: list[Row] = []
    for n, (period, (product_title, sales_title)) in enumerate(themes.items()):
        q = period[-1]
        first_month = 3 * n + 1
        org_o, product_o, sales_o = f"org-q{q}", f"product-q{q}", f"sales-q{q}"
        objectives += [
            objective(org_o, period=period, title="New users become loyal customers"),
            objective(
                product_o, period=period, unit_id="product", parent_id=org_o, title=product_title
            ),
            objective(sales_o, period=period, unit_id="sales", parent_id=org_o, title=sales_title),
        ]
        key_results += [
            key_result(
                f"{org_o}-retention",
                org_o,
                aggregation="last",
                unit="%",
                baseline=30 + n,
                target=40 + n,
                title="7-day retention of new users",
            ),
            key_result(
                f"{org_o}-contracts",
                org_o,
                kpi_id="contracts",
                aggregation="sum",
                baseline=0,
                target=95,
                title="New contracts in the quarter",
            ),
            key_result(
                f"{product_o}-activation",
                product_o,
                aggregation="last",
                unit="%",
                baseline=50 + 2 * n,
                target=60 + 2 * n,
                title="Activation within the first day",
            ),
            key_result(
                f"{product_o}-tickets",
                product_o,
                direction="at_most",
                aggregation="last",
                baseline=120,
                target=80,
                title="Onboarding tickets per month",
            ),
            key_result(
                f"{sales_o}-demos",
                sales_o,
                aggregation="sum",
                baseline=0,
                target=45,
                title="Qualified demos",
            ),
        ]
        if period != "2026-Q2":
            key_results.append(
                key_result(
                    f"{sales_o}-winrate",
                    sales_o,
                    aggregation="mean",
                    unit="%",
                    baseline=20,
                    target=26,
                    title="Win rate of qualified demos",
                )
            )
        for m in range(3):
            day = date(2026, first_month + m, 12)
            if day > date(2026, 11, 16):
                continue
            checkins += [
                checkin(f"{org_o}-retention", day, 30 + n + 3.1 * (m + 1)),
                checkin(f"{product_o}-activation", day, 50 + 2 * n + 3.4 * (m + 1)),
                checkin(f"{product_o}-tickets", day, 120 - 12.5 * (m + 1)),
                checkin(f"{sales_o}-demos", day, 14.0 + m),
                *(
                    [checkin(f"{sales_o}-winrate", day, 21.35 + 1.7 * m)]
                    if period != "2026-Q2"
                    else []
                ),
            ]
    # A Q4 key result without a baseline, with its kick-off measurement days before its quarter.
    key_results.append(
        key_result(
            "sales-q4-paying",
            "sales-q4",
            aggregation="last",
            target=120,
            title="Paying customers at the end of the quarter",
        )
    )
    checkins += [
        checkin("sales-q4-paying", date(2026, 9, 28), 55.0),
        checkin("sales-q4-paying", date(2026, 10, 20), 70.0),
        checkin("sales-q4-paying", date(2026, 11, 10), 84.0),
    ]
    for month in range(1, 12):
        day = date(2026, month, 5)
        checkins += [
            checkin("revenue", day, 3.95e8 + 1.25e6 * month),
            checkin("contracts", day, 29.0 + month % 3),
            checkin("kim-contracts", day, 9.0 + month % 2),
            checkin("visits", day, 10_000.0 + 250 * month),
            *[checkin("response", date(2026, month, d), 3.2 + 0.05 * d) for d in (3, 11, 19)],
        ]
    return dataset(
        units=units, kpis=kpis, objectives=objectives, key_results=key_results, checkins=checkins
    )
