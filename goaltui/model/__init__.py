"""Plain types of the goaltui domain: units, goals, check-ins and periods. No I/O."""

from goaltui.model.enums import Aggregation, Direction, PeriodUnit, TargetMode, UnitKind
from goaltui.model.errors import DatabaseError, GoaltuiError, ValidationError
from goaltui.model.period import Period
from goaltui.model.types import Checkin

__all__ = [
    "Aggregation",
    "Checkin",
    "DatabaseError",
    "Direction",
    "GoaltuiError",
    "Period",
    "PeriodUnit",
    "TargetMode",
    "UnitKind",
    "ValidationError",
]
