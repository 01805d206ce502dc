"""Periods: months (`2026-11`), quarters (`2026-Q4`) and years (`2026`).

Quarters and years count from the organisation's first fiscal month (`fiscal_year_start`,
default 1: Q1 = Jan-Mar). A fiscal year is labelled by the calendar year it starts in: with 4,
`2026-Q1` is April-June 2026 and `2026` is April 2026 - March 2027. Months stay calendar months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from goaltui.model.enums import PeriodUnit

_fiscal_start = 1


def fiscal_year_start() -> int:
    """The first month (1-12) of the fiscal year every period computation uses."""
    return _fiscal_start


def set_fiscal_year_start(month: int) -> None:
    """Make quarters and years count from `month` (1-12) for every computation from now on.
    Raises ValueError for another month number."""
    global _fiscal_start
    if not 1 <= month <= 12:
        raise ValueError(f"fiscal_year_start must be a month from 1 to 12, not {month}")
    _fiscal_start = month


_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """One calendar period. `number` is the month (1-12), the quarter (1-4) or 1 for a year."""

    unit: PeriodUnit
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        limit = {PeriodUnit.MONTH: 12, PeriodUnit.QUARTER: 4, PeriodUnit.YEAR: 1}[self.unit]
        if not 1 <= self.number <= limit or not 1 <= self.year <= 9999:
            raise ValueError(f"no such period: {self.unit} {self.year} {self.number}")

    @classmethod
    def parse(cls, label: str) -> Period:
        """`2026-11` -> month, `2026-Q4` -> quarter, `2026` -> year; ValueError otherwise."""
        match = _LABEL.match(label.strip())
        if match is None:
            raise ValueError(f"not a period label: {label!r} (use 2026-11, 2026-Q4 or 2026)")
        year = int(match["year"])
        if match["month"] is not None:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"not a period label: {label!r} (month must be 01-12)")
            return cls(PeriodUnit.MONTH, year, month)
        if match["quarter"] is not None:
            return cls(PeriodUnit.QUARTER, year, int(match["quarter"]))
        return cls(PeriodUnit.YEAR, year)

    @classmethod
    def containing(cls, unit: PeriodUnit, day: date) -> Period:
        """The period of length `unit` that contains `day`."""
        if unit is PeriodUnit.MONTH:
            return cls(unit, day.year, day.month)
        index = day.year * 12 + day.month - 1 - (_fiscal_start - 1)
        if unit is PeriodUnit.QUARTER:
            return cls(unit, index // 12, index % 12 // 3 + 1)
        return cls(unit, index // 12)

    @property
    def label(self) -> str:
        """The interchange label of this period."""
        if self.unit is PeriodUnit.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.unit is PeriodUnit.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @property
    def months(self) -> int:
        """Length of the period in months."""
        return {PeriodUnit.MONTH: 1, PeriodUnit.QUARTER: 3, PeriodUnit.YEAR: 12}[self.unit]

    @property
    def start(self) -> date:
        """First day of the period."""
        if self.unit is PeriodUnit.MONTH:
            return date(self.year, self.number, 1)
        index = self.year * 12 + (_fiscal_start - 1) + (self.number - 1) * self.months
        return date(index // 12, index % 12 + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the period."""
        return self.next().start - timedelta(days=1)

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        """Whether `day` falls in this period."""
        return self.start <= day <= self.end

    def shift(self, steps: int) -> Period:
        """The period `steps` periods later (negative: earlier)."""
        per_year = 12 // self.months
        index = self.year * per_year + (self.number - 1) + steps
        return Period(self.unit, index // per_year, index % per_year + 1)

    def next(self) -> Period:
        """The following period."""
        return self.shift(1)

    def previous(self) -> Period:
        """The preceding period."""
        return self.shift(-1)

    def elapsed(self, as_of: date) -> float:
        """Fraction of the period's days elapsed up to and including `as_of`, in [0, 1]."""
        if as_of < self.start:
            return 0.0
        if as_of >= self.end:
            return 1.0
        return ((as_of - self.start).days + 1) / self.days

    def __str__(self) -> str:
        return self.label


def shift_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the end of a shorter month (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    target = Period(PeriodUnit.MONTH, year, month + 1)
    return min(date(year, month + 1, 1) + timedelta(days=day.day - 1), target.end)
