"""Periods as polars expressions: the vectorised twin of goaltui.model.period.Period.

A period is identified by its unit (`month`, `quarter`, `year`) and its first day. Arithmetic runs
on a month index (year * 12 + month - 1) so that shifting a period is integer arithmetic. Quarters
and years count from the fiscal year's first month (goaltui.model.period.fiscal_year_start).
"""

from __future__ import annotations

import polars as pl

from goaltui.model.period import fiscal_year_start

PERIOD_UNITS = ("month", "quarter", "year")
"""The period units the arithmetic knows."""


def months_of(period_unit: pl.Expr) -> pl.Expr:
    """Length in months of each period unit (1, 3, 12; null for an unknown unit)."""
    return (
        pl.when(period_unit == "month")
        .then(pl.lit(1, pl.Int32))
        .when(period_unit == "quarter")
        .then(pl.lit(3, pl.Int32))
        .when(period_unit == "year")
        .then(pl.lit(12, pl.Int32))
        .otherwise(pl.lit(None, pl.Int32))
    )


def month_index(day: pl.Expr) -> pl.Expr:
    """year * 12 + month - 1 of a date: consecutive months are consecutive integers."""
    return day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32) - 1


def date_of_month_index(index: pl.Expr) -> pl.Expr:
    """The first day of the month with this month index."""
    return pl.date(index // 12, index % 12 + 1, 1)


def period_index(index: pl.Expr, months: pl.Expr) -> pl.Expr:
    """The month index of the first month of the period `months` long that contains the month
    with month index `index` (quarters and years from the fiscal year's first month)."""
    offset = fiscal_year_start() - 1
    return index - (index - offset) % months


def period_start(day: pl.Expr, period_unit: pl.Expr) -> pl.Expr:
    """First day of the period of `period_unit` that contains `day`."""
    return date_of_month_index(period_index(month_index(day), months_of(period_unit)))


def shift_start(start: pl.Expr, period_unit: pl.Expr, steps: int | pl.Expr) -> pl.Expr:
    """First day of the period `steps` periods after the one starting on `start`."""
    return date_of_month_index(month_index(start) + months_of(period_unit) * steps)


def period_end(start: pl.Expr, period_unit: pl.Expr) -> pl.Expr:
    """Last day of the period starting on `start`."""
    return shift_start(start, period_unit, 1) - pl.duration(days=1)


def period_label(start: pl.Expr, period_unit: pl.Expr) -> pl.Expr:
    """The interchange label of a period: `2026-11`, `2026-Q4` or `2026` (a quarter or year by
    the calendar year its fiscal year starts in)."""
    fiscal = month_index(start) - (fiscal_year_start() - 1)
    year = (fiscal // 12).cast(pl.String).str.zfill(4)
    quarter = (fiscal % 12 // 3 + 1).cast(pl.String)
    calendar_year = start.dt.year().cast(pl.String).str.zfill(4)
    return (
        pl.when(period_unit == "month")
        .then(
            pl.concat_str(calendar_year, pl.lit("-"), start.dt.month().cast(pl.String).str.zfill(2))
        )
        .when(period_unit == "quarter")
        .then(pl.concat_str(year, pl.lit("-Q"), quarter))
        .when(period_unit == "year")
        .then(year)
    )


def label_start(label: pl.Expr) -> pl.Expr:
    """First day of the period a label names (`2026-11`, `2026-Q4`, `2026`); null otherwise."""
    year = label.str.extract(r"^(\d{4})(?:-\d{2}|-Q[1-4])?$").cast(pl.Int32, strict=False)
    month = label.str.extract(r"^\d{4}-(\d{2})$").cast(pl.Int32, strict=False)
    quarter = label.str.extract(r"^\d{4}-Q([1-4])$").cast(pl.Int32, strict=False)
    offset = pl.lit(fiscal_year_start() - 1, pl.Int32)
    fiscal = year * 12 + offset + pl.coalesce((quarter - 1) * 3, pl.lit(0, pl.Int32))
    return (
        pl.when(month.is_not_null() & month.is_between(1, 12))
        .then(pl.date(year, month, 1))
        .when(year.is_not_null() & month.is_null())
        .then(date_of_month_index(fiscal))
        .otherwise(pl.lit(None, pl.Date))
    )


def elapsed_fraction(start: pl.Expr, end: pl.Expr, as_of: pl.Expr) -> pl.Expr:
    """Fraction of the period's days elapsed up to and including `as_of`, clamped to [0, 1]."""
    days = (end - start).dt.total_days() + 1
    done = (as_of - start).dt.total_days() + 1
    return (done.cast(pl.Float64) / days.cast(pl.Float64)).clip(0.0, 1.0)


def label_unit(label: pl.Expr) -> pl.Expr:
    """The period unit a label names: `2026-11` month, `2026-Q4` quarter, `2026` year."""
    return (
        pl.when(label.str.contains(r"^\d{4}-\d{2}$"))
        .then(pl.lit("month"))
        .when(label.str.contains(r"^\d{4}-Q[1-4]$"))
        .then(pl.lit("quarter"))
        .when(label.str.contains(r"^\d{4}$"))
        .then(pl.lit("year"))
        .otherwise(pl.lit(None, pl.String))
    )


def with_label_start(frame: pl.DataFrame, label: str, name: str) -> pl.DataFrame:
    """`frame` plus a column `name`: label_start of column `label`, parsed once per distinct
    label (there are a handful of period labels among thousands of rows). Keeps row order."""
    starts = frame.select(pl.col(label).unique()).with_columns(
        label_start(pl.col(label)).alias(name)
    )
    return frame.join(starts, on=label, how="left", maintain_order="left")
