"""What an empty pane says: where the data is, and how to get there."""

from __future__ import annotations

from datetime import date

import polars as pl

from goaltui.i18n import _
from goaltui.metrics.scorecard import Scorecard
from goaltui.model.enums import PeriodUnit
from goaltui.model.period import Period


def _checkin_dates(scorecard: Scorecard) -> pl.Series:
    """The dates of every check-in (the dataset may hold aggregates in their place)."""
    dataset = scorecard.dataset
    return dataset.checkins["date"] if dataset.checkin_dates is None else dataset.checkin_dates


def data_span(scorecard: Scorecard) -> tuple[date, date] | None:
    """The dates of the first and the last check-in, or None when there is none."""
    dates = _checkin_dates(scorecard)
    if dates.is_empty() or dates.null_count() == dates.len():
        return None
    first, last = dates.min(), dates.max()
    assert isinstance(first, date) and isinstance(last, date)
    return first, last


def latest_with_data(scorecard: Scorecard, today: date) -> date | None:
    """The as-of date that shows the latest check-ins: the last check-in's date (not after
    `today`)."""
    dates = _checkin_dates(scorecard)
    dates = dates.filter(dates <= today)
    last = dates.max() if not dates.is_empty() else None
    return last if isinstance(last, date) else None


def where_the_data_is(scorecard: Scorecard) -> str | None:
    """A sentence for an as-of date whose quarter has no check-in (so the panes are empty):
    which months the data covers and how to get there; None when the quarter has data."""
    span = data_span(scorecard)
    as_of = scorecard.as_of
    quarter = Period.containing(PeriodUnit.QUARTER, as_of)
    month = Period.containing(PeriodUnit.MONTH, as_of)
    if span is None:
        return _("No check-ins yet: c checks in the highlighted goal.")
    dates = _checkin_dates(scorecard)
    if ((dates >= quarter.start) & (dates <= as_of)).any():
        return None
    first = Period.containing(PeriodUnit.MONTH, span[0]).label
    last = Period.containing(PeriodUnit.MONTH, span[1]).label
    return _(
        "No check-ins in {month}; data runs {first} .. {last}: "
        "] or [ moves, or palette period: latest with data"
    ).format(month=month.label, first=first, last=last)


def pane_with_goals(scorecard: Scorecard, unit_id: str) -> str:
    """The pane to open on for `unit_id`: the KPIs if it has any, else the OKRs if it has
    objectives (in any period), else the KPIs."""
    kpis = scorecard.goals.filter((pl.col("kind") == "kpi") & (pl.col("unit_id") == unit_id))
    if kpis.height:
        return "kpis"
    objectives = scorecard.dataset.objectives
    if objectives.filter(pl.col("unit_id").is_in(scorecard.subtree(unit_id).implode())).height:
        return "okrs"
    return "kpis"
