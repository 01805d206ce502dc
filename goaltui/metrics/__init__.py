"""The arithmetic of DESIGN.md as pure polars functions: frames in, frames out.

No Textual, no printing, no I/O. See `goaltui.metrics.engine` for the public functions and the
exact columns they return; the report, the quality checks and the dashboard all read these frames.
"""

from goaltui.metrics.engine import (
    GOALS_SCHEMA,
    OBJECTIVES_SCHEMA,
    STATUSES,
    TRENDS_SCHEMA,
    achievement_expr,
    band_expr,
    evaluate_goals,
    evaluate_objectives,
    goal_trends,
    rollup,
)

__all__ = [
    "GOALS_SCHEMA",
    "OBJECTIVES_SCHEMA",
    "STATUSES",
    "TRENDS_SCHEMA",
    "achievement_expr",
    "band_expr",
    "evaluate_goals",
    "evaluate_objectives",
    "goal_trends",
    "rollup",
]
