"""The dashboard opens on its first unit before the whole organisation is computed, and a
check-in redraws only what changed (the organisation tree's labels, not the tree)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

from goaltui.config import DEMO_AS_OF
from goaltui.metrics.engine import GOALS_SCHEMA, all_buckets
from goaltui.metrics.quality import checkin_ranges
from goaltui.metrics.scorecard import Scorecard, build_scorecard
from goaltui.store.changes import load_marked, load_opening
from goaltui.ui.app import GoalApp, opening_definitions, opening_scorecard
from goaltui.ui.widgets.children_table import ChildrenTable
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.org_tree import OrgTree
from tests.ui_helpers import SIZE, settle


def root_of(scorecard: Scorecard) -> str:
    units = scorecard.dataset.units
    return str(units.filter(pl.col("parent_id").is_null())["id"][0])


def opening_goals(scorecard: Scorecard, unit_id: str) -> pl.DataFrame:
    """The rows of the goals the opening unit shows: its KPIs and its objectives' KRs."""
    objectives = scorecard.dataset.objectives.filter(pl.col("unit_id") == unit_id)["id"]
    krs = scorecard.dataset.key_results.filter(pl.col("objective_id").is_in(objectives.implode()))
    shown = pl.col("unit_id") == unit_id
    return scorecard.goals.filter(shown | pl.col("goal_id").is_in(krs["id"].implode())).sort(
        "kind", "goal_id", "period_start"
    )


def test_the_opening_unit_computed_alone_has_the_figures_of_the_whole(demo_db: Path) -> None:
    dataset, _mark = load_marked(
        demo_db, checkins_until=DEMO_AS_OF, aggregate=all_buckets, outside=checkin_ranges
    )
    whole = build_scorecard(dataset, DEMO_AS_OF)
    opening = load_opening(
        demo_db, checkins_until=DEMO_AS_OF, narrow=opening_definitions, aggregate=all_buckets
    )
    first = opening_scorecard(opening, DEMO_AS_OF)
    root = root_of(whole)
    assert root_of(first) == root
    goals = opening_goals(first, root)
    assert goals.height > 0
    assert_frame_equal(goals, opening_goals(whole, root))
    # Far fewer goals than the organisation's, and no roll-ups until the whole is computed.
    assert first.goals.height < whole.goals.height
    assert first.rollup.is_empty() and first.due_counts.is_empty()
    assert first.dataset.units.height == whole.dataset.units.height


class Recording(GoalApp):
    """The dashboard, keeping every scorecard it handed to its screens."""

    def __init__(self, db: Path) -> None:
        super().__init__(db=db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, watch=False)
        self.published: list[Scorecard] = []
        self.under_form: list[bool] = []
        """For each published scorecard: whether a check-in form was still open."""

    def _publish(self) -> None:
        from goaltui.ui.screens.checkin import CheckinForm

        if self.scorecard is not None and (
            not self.published or self.published[-1] is not self.scorecard
        ):
            self.published.append(self.scorecard)
            self.under_form.append(any(isinstance(s, CheckinForm) for s in self.screen_stack))
        super()._publish()


async def test_the_dashboard_shows_its_first_unit_before_the_organisation(
    demo_db: Path,
) -> None:
    app = Recording(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, last = app.published[0], app.published[-1]
        assert first.rollup.is_empty() and not last.rollup.is_empty()
        root = root_of(last)
        # The same figures (the trends follow later, as they always did).
        columns = list(GOALS_SCHEMA)
        assert_frame_equal(
            opening_goals(first, root).select(columns), opening_goals(last, root).select(columns)
        )
        # Roll-ups not computed yet read as such, not as zero goals.
        children = app.dashboard.query_one(ChildrenTable)
        children.show(first, root)
        assert [str(cell) for cell in children.get_row_at(0)[1:7]] == ["..."] * 6
        children.show(last, root)
        assert "..." not in [str(cell) for cell in children.get_row_at(0)]


async def test_a_check_in_relabels_the_organisation_tree_without_rebuilding_it(
    demo_db: Path,
) -> None:
    app = Recording(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.dashboard.query_one(OrgTree)
        nodes = [id(node) for node in tree.root.children]
        await pilot.press("c")
        await pilot.press(*"0", "ctrl+s")
        await settle(pilot)
        assert app.screen is app.dashboard
        assert app.session_checkins, "the check-in was not saved"
        assert [id(node) for node in tree.root.children] == nodes
        # The badges are those of the new figures: a rebuilt tree would show the same.
        scorecard = app.scorecard
        assert scorecard is not None
        root = root_of(scorecard)
        counts = scorecard.rollup.filter(pl.col("unit_id") == root).row(0, named=True)
        label = str(tree.root.label)
        for mark, status in (("✓", "on_track"), ("~", "at_risk"), ("✗", "off_track")):
            count = counts[f"subtree_{status}"]
            if count:
                assert f"{mark}{count}" in label


async def test_a_check_in_shows_when_the_organisation_has_an_archived_goal(
    demo_db: Path,
) -> None:
    from goaltui.store.dataset import load_dataset
    from goaltui.store.db import write_session

    with write_session(demo_db) as con:
        con.execute("UPDATE kpis SET archived = DATE '2026-01-01' WHERE id = 'hb-revenue'")
    app = Recording(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.press(*"4", "ctrl+s")
        await settle(pilot)
        assert app.session_checkins, "the check-in was not saved"
        on_disk = build_scorecard(load_dataset(demo_db), DEMO_AS_OF)
        assert app.scorecard is not None
        columns = list(GOALS_SCHEMA)
        shown = app.scorecard.goals.select(columns)
        assert shown["actual"].is_not_null().any()
        assert_frame_equal(shown, on_disk.goals.select(columns))


async def test_a_check_in_shows_its_goal_first_and_reads_nothing_back(demo_db: Path) -> None:
    from goaltui.store.dataset import load_dataset
    from goaltui.store.engine import FileStore

    reads: list[object] = []
    app = Recording(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # What the dashboard wrote it folds into its own aggregates: it reads none back.
        aggregates = FileStore.aggregates

        def counted(self: FileStore, *args: object, **kwargs: object) -> pl.DataFrame:
            reads.append(args)
            return aggregates(self, *args, **kwargs)  # type: ignore[arg-type]

        FileStore.aggregates = counted  # type: ignore[method-assign]
        try:
            before = len(app.published)
            await pilot.press("c")
            await pilot.press(*"4321", "ctrl+s")
            await settle(pilot)
        finally:
            FileStore.aggregates = aggregates  # type: ignore[method-assign]
        assert app.session_checkins, "the check-in was not saved"
        assert reads == []
        earlier, first, last = *app.published[before - 1 : before + 1], app.published[-1]
        goal_id = app.dashboard.query_one(KpiTable).goal_id

        def count(scorecard: Scorecard) -> int:
            return int(scorecard.goals.filter(pl.col("goal_id") == goal_id)["checkin_count"][0])

        # The goal's own row came first, with the roll-ups of before; then the roll-ups.
        assert count(first) == count(earlier) + 1 == count(last)
        assert first.rollup is earlier.rollup and last.rollup is not earlier.rollup
        # The save worker computed that row: it is the state before the form closes, so the
        # dashboard is drawn with it as the form goes.
        assert app.under_form[before]
        on_disk = build_scorecard(load_dataset(demo_db), DEMO_AS_OF)
        columns = list(GOALS_SCHEMA)
        assert_frame_equal(last.goals.select(columns), on_disk.goals.select(columns))
        assert_frame_equal(last.rollup, on_disk.rollup)


class HeldRead(Recording):
    """The dashboard, its first full read held once it has read the database, until released."""

    def __init__(self, db: Path) -> None:
        super().__init__(db)
        import threading

        self.release = threading.Event()
        self.read_done = threading.Event()

    def _read_all(self, as_of: date) -> Any:
        read = super()._read_all(as_of)
        self.read_done.set()
        self.release.wait(timeout=60)
        return read


async def test_a_check_in_saved_while_the_organisation_is_read_shows(demo_db: Path) -> None:
    app = HeldRead(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        # The first view is up; the full read has passed every row there is.
        while app.scorecard is None or not app.read_done.is_set():
            await pilot.pause(0.01)
        assert app.scorecard.opening
        goal_id = app.dashboard.query_one(KpiTable).goal_id
        assert goal_id is not None
        before = app.scorecard.goals.filter(pl.col("goal_id") == goal_id)["checkin_count"][0]
        await pilot.press("c")
        await pilot.press(*"4321", "ctrl+s")
        while app.screen is not app.dashboard:
            await pilot.pause(0.01)
        assert app.session_checkins, "the check-in was not saved"
        app.release.set()

        def shown() -> int | None:
            scorecard = app.scorecard
            if scorecard is None or scorecard.opening:
                return None
            rows = scorecard.goals.filter(pl.col("goal_id") == goal_id)
            return int(rows["checkin_count"][0])

        # No file watch here: only the dashboard itself can bring the row in.
        deadline = time.monotonic() + 30
        while shown() != (before or 0) + 1:
            assert time.monotonic() < deadline, f"the check-in never showed ({shown()})"
            await pilot.pause(0.02)
