"""Plain types of the goaltui domain: units, goals, check-ins and periods. No I/O."""

from goaltui.model.enums import (
    Aggregation,
    Band,
    Direction,
    GoalKind,
    PeriodUnit,
    Status,
    TargetMode,
    UnitKind,
)
from goaltui.model.errors import DatabaseError, GoaltuiError, ValidationError
from goaltui.model.period import Period
from goaltui.model.types import Checkin, KeyResult, Kpi, Objective, TargetOverride, Unit

__all__ = [
    "Aggregation",
    "Band",
    "Checkin",
    "DatabaseError",
    "Direction",
    "GoalKind",
    "GoaltuiError",
    "KeyResult",
    "Kpi",
    "Objective",
    "Period",
    "PeriodUnit",
    "Status",
    "TargetMode",
    "TargetOverride",
    "Unit",
    "UnitKind",
    "ValidationError",
]
