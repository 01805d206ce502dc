"""Shared pieces of the dashboard tests: a demo database and an app pinned to the demo date."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import App
from textual.command import CommandList
from textual.pilot import Pilot

from goaltui.config import DEMO_AS_OF
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.dashboard import DashboardScreen
from tests.store_helpers import copy_db, make_demo_db

__all__ = [
    "SIZE",
    "copy_db",
    "dashboard",
    "demo_app",
    "make_demo_db",
    "record_notifications",
    "settle",
]

SIZE = (120, 40)


def demo_app(db: Path) -> GoalApp:
    """The dashboard on `db`, as of the demo date, not watching the file (tests reload by hand)."""
    return GoalApp(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, demo=False, watch=False)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and the screen has caught up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def record_notifications(app: App[Any]) -> list[str]:
    """From now on, the message of every notification `app` raises, in order. (Reading the
    app's own list instead loses a toast that timed out while a loaded machine was slow.)"""
    said: list[str] = []
    notify = app.notify

    def recording(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return said


def dashboard(app: GoalApp) -> DashboardScreen:
    """The app's dashboard screen."""
    return app.dashboard


async def pick_in_palette(pilot: Pilot[None], query: str, expected: str) -> None:
    """Open the palette, paste `query` (one search, not one per key: typing key by key is
    tested in test_ui_hostile), wait until the top hit is `expected`, take it."""
    from textual import events
    from textual.command import CommandInput

    await pilot.press("ctrl+p")
    await pilot.pause()
    pilot.app.screen.query_one(CommandInput).post_message(events.Paste(query))
    deadline = time.monotonic() + 20
    while True:
        results = pilot.app.screen.query(CommandList)
        if results and results.first().option_count:
            top = results.first().get_option_at_index(0)
            if expected in str(top.prompt):
                break
        assert time.monotonic() < deadline, f"{expected!r} never came up for {query!r}"
        await pilot.pause(0.05)
    await pilot.press("enter")
