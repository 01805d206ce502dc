"""The dashboard on a real PostgreSQL server reads the check-ins aggregated by the server, as it
does from a file, and shows the file's figures: on opening, and after check-ins, a correction
and a retraction written by another process reach it by NOTIFY."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import psycopg
from polars.testing import assert_frame_equal
from textual.pilot import Pilot

from goaltui.config import DEMO_AS_OF
from goaltui.metrics.scorecard import Scorecard
from goaltui.store.demo import demo_source
from goaltui.store.engine import FileStore, PgStore
from goaltui.store.importer import import_path
from goaltui.ui.app import GoalApp
from tests.pg_server import PgServer
from tests.test_store_both import writes
from tests.test_ui_pg import until

SIZE = (120, 40)


def figures(scorecard: Scorecard) -> dict[str, pl.DataFrame]:
    """What the dashboard shows of every goal and objective, in a stable order."""
    return {
        "goals": scorecard.goals.sort("goal_id"),
        "objectives": scorecard.objectives.sort("objective_id"),
        "rollup": scorecard.rollup.sort(scorecard.rollup.columns),
    }


def settled(app: GoalApp, ids: list[str]) -> bool:
    """Whether the app holds every check-in of `ids` and its figures are computed, trends too."""
    scorecard = app.scorecard
    if scorecard is None or not scorecard.trended or (app.pg_url and not app.caught_up):
        return False
    return set(ids) <= set(scorecard.dataset.checkins["id"].to_list())


async def opened(app: GoalApp, pilot: Pilot[None], ids: list[str]) -> dict[str, pl.DataFrame]:
    await until(pilot, lambda: settled(app, ids), timeout=30.0)
    assert app.scorecard is not None
    return figures(app.scorecard)


def same(pg: dict[str, pl.DataFrame], file: dict[str, pl.DataFrame]) -> None:
    for name, frame in file.items():
        assert_frame_equal(pg[name], frame, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


async def test_the_server_s_dashboard_reads_aggregates_and_shows_the_file_s_figures(
    pg_server: PgServer, team_db: str, tmp_path: Path
) -> None:
    demo = tmp_path / "demo.duckdb"
    import_path(demo, demo_source())
    path = tmp_path / "goals.duckdb"
    shutil.copyfile(demo, path)
    url = pg_server.url(team_db)
    with psycopg.connect(url) as con:
        found = con.execute("SELECT count(*) FROM checkins").fetchone()
    assert found is not None
    stored = int(found[0])

    seen: dict[str, list[dict[str, pl.DataFrame]]] = {}
    for name, db, store in (("file", path, FileStore(path)), ("server", url, PgStore(url))):
        app = GoalApp(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF)
        async with app.run_test(size=SIZE) as pilot:
            first = await opened(app, pilot, [])
            # Another process writes a check-in, its correction and a retraction of another
            # one, on the goal the dashboard opens on.
            ids = writes(store)
            seen[name] = [first, await opened(app, pilot, ids)]
            if name == "server":
                assert app.dataset is not None and app.dataset.aggregates is not None
                # Aggregates crossed the network, and only the few rows a quality rule reads
                # one by one; then only the new rows and their goal's aggregates again.
                assert app.dataset.checkins.height < stored / 10
                assert app.full_reads == 1 and app.rows_read == len(ids)
    for pg, file in zip(seen["server"], seen["file"], strict=True):
        same(pg, file)
    csat = [f["goals"].filter(pl.col("goal_id") == "hb-csat")["actual"] for f in seen["server"]]
    assert csat[0].to_list() != csat[1].to_list()
