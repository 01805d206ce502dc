"""A check-in as a typed value (DESIGN.md, "Interchange format"): what the form and the command
line hand the store, and what the store hands back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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
