"""Shared pieces of the dashboard tests: a demo database and an app pinned to the demo date."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.pilot import Pilot

from goaltui.config import DEMO_AS_OF
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.dashboard import DashboardScreen

SIZE = (120, 40)


def make_demo_db(folder: Path) -> Path:
    """Import the demo organisation into a fresh database under `folder`."""
    path = folder / "demo.duckdb"
    import_path(path, demo_source())
    return path


def copy_db(source: Path, folder: Path) -> Path:
    """A private copy of a database file for one test."""
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def demo_app(db: Path) -> GoalApp:
    """The dashboard on `db`, as of the demo date, not watching the file (tests reload by hand)."""
    return GoalApp(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, demo=False, watch=False)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and the screen has caught up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def dashboard(app: GoalApp) -> DashboardScreen:
    """The app's dashboard screen."""
    return app.dashboard
