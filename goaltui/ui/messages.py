"""Messages that carry computed data from workers to the screens (immutable payloads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the app imports this module before polars is loaded
    import polars as pl

    from goaltui.cycle import CycleState
    from goaltui.metrics.scorecard import Scorecard


@dataclass
class ScorecardReady(Message):
    """A fresh scorecard was computed (after a load, a write or a change of as-of date)."""

    scorecard: Scorecard
    reloaded: bool
    """True when the data was read from the database again (not only recomputed)."""
    generation: int | None = None
    """The generation of the App's data it was computed from (None: the current one)."""
    partial: bool = False
    """Only the rows of the goals that changed are new (the first step of
    metrics.scorecard.refreshed): the rest of the scorecard follows."""


@dataclass
class FindingsReady(Message):
    """The goal-quality findings for one as-of date were computed."""

    as_of: date
    findings: pl.DataFrame
    generation: int | None = None
    """The generation of the App's data they were computed from (None: the current one)."""


@dataclass
class StateChanged(Message, bubble=False):
    """The App's state changed: every open screen receives it and shows what it needs."""

    as_of: date
    """The date everything is computed for (may be ahead of the scorecard's while computing)."""
    scorecard: Scorecard
    """The latest figures."""
    findings: pl.DataFrame | None
    """Goal-quality findings for `as_of`; None while they are being computed."""
    cycle: CycleState | None = None
    """The grades and closed periods; None until they are read."""


@dataclass
class ActivityChanged(Message, bubble=False):
    """What the App's long work is doing now (e.g. reading check-ins), or None when done."""

    activity: str | None
