"""Command palette entries: `go: <unit>`, `goal: <goal>`, `period: ...`, `pane: ...`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from goaltui.ui.screens.dashboard import DashboardScreen

Entry = tuple[str, str, Callable[[], None]]


class GoalCommands(Provider):
    """Jump to any unit or goal (fuzzy, any language), move in time, switch panes."""

    def _entries(self) -> list[Entry]:
        dashboard = next((s for s in self.app.screen_stack if isinstance(s, DashboardScreen)), None)
        if dashboard is None or dashboard.scorecard is None:
            return []
        scorecard = dashboard.scorecard
        entries: list[Entry] = []

        def go_unit(unit_id: str) -> None:
            self._back_to(dashboard)
            dashboard.unit_id = unit_id

        def go_goal(goal_id: str, unit_id: str, kind: str) -> None:
            self._back_to(dashboard)
            dashboard.focus_goal(goal_id, unit_id=unit_id, kind=kind)

        units = scorecard.dataset.units.select("id", "name", "kind").sort("name")
        for unit_id, name, kind in units.iter_rows():
            entries.append((f"go: {name}", f"{kind} {unit_id}", partial(go_unit, unit_id)))
        goals = scorecard.catalog.select("goal_id", "name", "unit_id", "kind").sort("name")
        for goal_id, name, unit_id, kind in goals.iter_rows():
            if unit_id is None:
                continue
            entries.append(
                (f"goal: {name}", f"{kind} {goal_id}", partial(go_goal, goal_id, unit_id, kind))
            )
        entries += [
            (
                "period: previous month",
                "move the as-of date back",
                partial(dashboard.action_period, -1),
            ),
            (
                "period: next month",
                "move the as-of date forward",
                partial(dashboard.action_period, 1),
            ),
            ("period: previous quarter", "three months back", partial(dashboard.action_period, -3)),
            ("period: next quarter", "three months forward", partial(dashboard.action_period, 3)),
            ("pane: KPIs", "show the KPI pane", partial(dashboard.action_tab, "kpis")),
            ("pane: OKRs", "show the OKR pane", partial(dashboard.action_tab, "okrs")),
            (
                "pane: Quality",
                "show the quality findings",
                partial(dashboard.action_tab, "quality"),
            ),
        ]
        return entries

    def _back_to(self, dashboard: DashboardScreen) -> None:
        while self.app.screen is not dashboard and len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            if not title.startswith("goal: "):
                yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
