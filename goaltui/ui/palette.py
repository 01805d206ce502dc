"""The command palette's units and goals as a frame, narrowed with polars per keystroke."""

from __future__ import annotations

import re

import polars as pl

from goaltui.i18n import _
from goaltui.metrics.scorecard import Scorecard

MAX_HITS = 100
"""Most entries offered for one query: enough to choose from, few enough to stay instant."""


def palette_entries(scorecard: Scorecard) -> pl.DataFrame:
    """Every unit and goal as a palette entry: title (`go: 영업팀`, `goal: ...`), help text, and
    what to jump to (action `unit` or `goal`, target id, the goal's unit and kind)."""
    units = scorecard.dataset.units.select(
        title=pl.format(_("go: {}"), "name"),
        help=pl.format("{} {}", "kind", "id"),
        action=pl.lit("unit"),
        target=pl.col("id"),
        unit_id=pl.col("id"),
        kind=pl.col("kind"),
    )
    goals = scorecard.catalog.filter(pl.col("unit_id").is_not_null()).select(
        title=pl.format(_("goal: {}"), "name"),
        help=pl.format("{} {}", "kind", "goal_id"),
        action=pl.lit("goal"),
        target=pl.col("goal_id"),
        unit_id=pl.col("unit_id"),
        kind=pl.col("kind"),
    )
    return (
        pl.concat([units, goals])
        .sort("title")
        .with_columns(folded=pl.col("title").str.to_lowercase())
    )


def fuzzy_pattern(query: str) -> str:
    """A regex that matches titles containing the query's characters in order (what the
    palette's fuzzy matcher accepts), so polars can narrow thousands of entries at once."""
    return ".*".join(re.escape(char) for char in query.lower() if not char.isspace())


def unit_entries(entries: pl.DataFrame) -> pl.DataFrame:
    """The `go: <unit>` entries, offered before anything is typed."""
    return entries.filter(pl.col("action") == "unit")


def narrow(entries: pl.DataFrame, query: str) -> pl.DataFrame:
    """The entries whose title holds the query's characters in order, shortest title first
    (the closest to what was typed)."""
    return entries.filter(pl.col("folded").str.contains(fuzzy_pattern(query))).sort(
        pl.col("title").str.len_chars()
    )
