"""The settings of the goal-quality rules: thresholds and the rules switched off."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QualityThresholds:
    """Default thresholds of the goal-quality rules; the config's [quality] table overrides."""

    okr_min_key_results: int = 2
    """okr-kr-count: fewest key results an objective should have."""
    okr_max_key_results: int = 4
    """okr-kr-count: most key results an objective should have."""
    okr_max_objectives: int = 5
    """okr-too-many-objectives: most objectives a unit should have in one period."""
    kpi_too_many: int = 7
    """kpi-too-many: most KPIs a unit should own."""
    not_achievable_factor: float = 2.0
    """not-achievable: an at_least target above this many times the best recent actual."""
    not_achievable_periods: int = 4
    """not-achievable: how many closed periods count as recent."""
    disable: tuple[str, ...] = ()
    """Ids of the rules switched off."""
