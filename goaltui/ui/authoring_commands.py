"""Palette entries of authoring: `add: objective ...` and `unarchive: <goal>` (which opens the
goal's form; clearing its Archived field brings it back)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from goaltui.i18n import _
from goaltui.textsafe import safe_plain
from goaltui.ui.commands import help_markup, highlighted

if TYPE_CHECKING:
    from goaltui.ui.app import GoalApp


class AuthoringCommands(Provider):
    """Add an objective to the current unit; open an archived goal to bring it back."""

    def _entries(self) -> list[tuple[str, str, Callable[[], Awaitable[None]]]]:
        from goaltui.ui.screens.dashboard import DashboardScreen

        app = cast("GoalApp", self.app)
        dashboard = next((s for s in app.screen_stack if isinstance(s, DashboardScreen)), None)
        if dashboard is None or dashboard.scorecard is None:
            return []
        entries: list[tuple[str, str, Callable[[], Awaitable[None]]]] = [
            (
                _("add: objective of this unit"),
                _("a new objective of the current unit in the current quarter"),
                dashboard.add_objective,
            ),
        ]
        for kind, goal_id, name in app.archived_goals():

            async def edit(kind: str = kind, goal_id: str = goal_id) -> None:
                await app.edit_definition(kind, goal_id)

            title = _("unarchive: {name}").format(name=safe_plain(name))
            entries.append(
                (title, _("open {id}; clear Archived and save").format(id=goal_id), edit)
            )
        return entries

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, text=title, help=help_markup(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, title),
                    callback,
                    text=title,
                    help=help_markup(help_text),
                )
