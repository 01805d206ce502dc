"""Rows of the interchange format as typed values (DESIGN.md, "Interchange format")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from goaltui.model.enums import Aggregation, Direction, PeriodUnit, TargetMode, UnitKind


@dataclass(frozen=True)
class Unit:
    """A node of the organisation tree: the organisation, a team or a person."""

    id: str
    name: str
    parent_id: str | None
    kind: UnitKind


@dataclass(frozen=True)
class Kpi:
    """A standing indicator with a target per period."""

    id: str
    unit_id: str
    name: str
    unit: str | None
    direction: Direction
    aggregation: Aggregation
    period: PeriodUnit
    target_mode: TargetMode
    target: float | None
    parent_id: str | None = None
    category: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Objective:
    """A qualitative OKR objective for one period (a quarter or a year)."""

    id: str
    unit_id: str
    title: str
    period: str
    parent_id: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class KeyResult:
    """A measurable result of an objective; may be measured by a KPI's check-ins."""

    id: str
    objective_id: str
    title: str
    unit: str | None
    direction: Direction | None
    aggregation: Aggregation | None
    target_mode: TargetMode
    target: float | None
    baseline: float | None = None
    weight: float = 1.0
    kpi_id: str | None = None


@dataclass(frozen=True)
class Checkin:
    """One measurement. A row with `supersedes` corrects (or, without a value, retracts) another."""

    goal_id: str
    date: date
    value: float | None
    denominator: float | None = None
    confidence: float | None = None
    note: str | None = None
    author: str | None = None
    id: str | None = None
    supersedes: str | None = None
    recorded_at: datetime | None = None
    seq: int | None = None
    """The entry number the database gave it (later entries have larger numbers)."""


@dataclass(frozen=True)
class TargetOverride:
    """A per-period target for one goal."""

    goal_id: str
    period: str
    target: float
