"""Command palette entries: `go: <unit>`, `goal: <goal>`, `period: ...`, `pane: ...`."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import ClassVar

import polars as pl
from textual.command import DiscoveryHit, Hit, Hits, Provider

from goaltui.metrics.scorecard import Scorecard
from goaltui.store.dataset import Dataset
from goaltui.ui.screens.dashboard import DashboardScreen

MAX_HITS = 100
"""Most entries offered for one query: enough to choose from, few enough to stay instant."""


def palette_entries(scorecard: Scorecard) -> pl.DataFrame:
    """Every unit and goal as a palette entry: title (`go: 영업팀`, `goal: ...`), help text, and
    what to jump to (action `unit` or `goal`, target id, the goal's unit and kind)."""
    units = scorecard.dataset.units.select(
        title=pl.format("go: {}", "name"),
        help=pl.format("{} {}", "kind", "id"),
        action=pl.lit("unit"),
        target=pl.col("id"),
        unit_id=pl.col("id"),
        kind=pl.col("kind"),
    )
    goals = scorecard.catalog.filter(pl.col("unit_id").is_not_null()).select(
        title=pl.format("goal: {}", "name"),
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


class GoalCommands(Provider):
    """Jump to any unit or goal (fuzzy, any language), move in time, switch panes."""

    # A provider is made each time the palette opens; the entries last as long as the data.
    _cache: ClassVar[tuple[Dataset, pl.DataFrame] | None] = None

    def _dashboard(self) -> DashboardScreen | None:
        return next((s for s in self.app.screen_stack if isinstance(s, DashboardScreen)), None)

    def _entries(self, dashboard: DashboardScreen) -> pl.DataFrame:
        scorecard = dashboard.scorecard
        assert scorecard is not None
        cache = GoalCommands._cache
        if cache is None or cache[0] is not scorecard.dataset:
            cache = GoalCommands._cache = (scorecard.dataset, palette_entries(scorecard))
        return cache[1]

    def _fixed(self, dashboard: DashboardScreen) -> list[tuple[str, str, Callable[[], None]]]:
        period = dashboard.action_period
        tab = dashboard.action_tab
        return [
            ("period: previous month", "move the as-of date back", partial(period, -1)),
            ("period: next month", "move the as-of date forward", partial(period, 1)),
            ("period: previous quarter", "three months back", partial(period, -3)),
            ("period: next quarter", "three months forward", partial(period, 3)),
            ("pane: KPIs", "show the KPI pane", partial(tab, "kpis")),
            ("pane: OKRs", "show the OKR pane", partial(tab, "okrs")),
            ("pane: Quality", "show the quality findings", partial(tab, "quality")),
        ]

    def _jump(self, dashboard: DashboardScreen, row: dict[str, str]) -> Callable[[], None]:
        def jump() -> None:
            while self.app.screen is not dashboard and len(self.app.screen_stack) > 1:
                self.app.pop_screen()
            if row["action"] == "unit":
                dashboard.unit_id = row["target"]
            else:
                dashboard.focus_goal(row["target"], unit_id=row["unit_id"], kind=row["kind"])

        return jump

    async def discover(self) -> Hits:
        dashboard = self._dashboard()
        if dashboard is None or dashboard.scorecard is None:
            return
        for title, help_text, callback in self._fixed(dashboard):
            yield DiscoveryHit(title, callback, help=help_text)
        units = self._entries(dashboard).filter(pl.col("action") == "unit").head(MAX_HITS)
        for row in units.iter_rows(named=True):
            yield DiscoveryHit(row["title"], self._jump(dashboard, row), help=row["help"])

    async def search(self, query: str) -> Hits:
        dashboard = self._dashboard()
        if dashboard is None or dashboard.scorecard is None:
            return
        matcher = self.matcher(query)
        for title, help_text, callback in self._fixed(dashboard):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        candidates = self._entries(dashboard).filter(
            pl.col("folded").str.contains(fuzzy_pattern(query))
        )
        # Shortest titles first: the closest matches to what was typed.
        candidates = candidates.sort(pl.col("title").str.len_chars()).head(MAX_HITS)
        for row in candidates.iter_rows(named=True):
            score = matcher.match(row["title"])
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(row["title"]),
                    self._jump(dashboard, row),
                    help=row["help"],
                )
