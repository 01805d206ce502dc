"""A dashboard folds its own new check-in into the aggregates it holds (with_appended) instead of
reading them again: the folded aggregates must be those a fresh read gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from goaltui.config import DEMO_AS_OF
from goaltui.metrics.engine import all_buckets
from goaltui.metrics.scorecard import build_scorecard
from goaltui.model import Checkin
from goaltui.store.changes import checkin_frame, load_marked, with_appended
from goaltui.store.dataset import Dataset
from goaltui.store.engine import FileStore

CASES = {
    # goal, date, value, denominator, confidence
    "a value today": ("hb-revenue", DEMO_AS_OF, 123.0, None, None),
    "a ratio today": ("sales-conversion", DEMO_AS_OF, 31.0, 120.0, None),
    "a zero denominator": ("sales-conversion", DEMO_AS_OF, 0.0, 0.0, None),
    "a ratio dated earlier in the period": ("product-churn", date(2026, 11, 2), 4.0, 90.0, None),
    "a ratio in an earlier year": ("product-churn", date(2025, 5, 20), 4.0, 90.0, None),
    "the key result's KPI": ("product-retention-7d", date(2026, 11, 14), 51.0, 100.0, None),
    "a confidence, latest": ("product-seo-2026q4-kr2", DEMO_AS_OF, 2.0, None, 0.4),
    "a confidence where none was": ("product-2026q3-kr1", date(2026, 9, 1), 1.0, None, 0.9),
    "after the as-of date": ("hb-revenue", date(2026, 12, 20), 99.0, None, None),
    "the latest date twice": ("sales-conversion", date(2026, 11, 15), 12.0, 50.0, None),
}


def aggregated(db: Path) -> Dataset:
    dataset, _ = load_marked(db, checkins_until=DEMO_AS_OF, aggregate=all_buckets)
    return dataset


def appended(store: FileStore, checkin: Checkin) -> pl.DataFrame:
    return checkin_frame([store.append_checkin(checkin, today=date(2026, 12, 31))])


def same_aggregates(folded: Dataset, read: Dataset) -> None:
    assert folded.aggregates is not None and read.aggregates is not None
    keys = ["goal_id", "months", "period_index"]
    assert_frame_equal(folded.aggregates.sort(keys), read.aggregates.sort(keys), rel_tol=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_a_new_check_in_folded_in_gives_what_a_read_gives(demo_db: Path, case: str) -> None:
    goal_id, day, value, denominator, confidence = CASES[case]
    before = aggregated(demo_db)
    checkin = Checkin(goal_id, day, value, denominator=denominator, confidence=confidence)
    rows = appended(FileStore(demo_db), checkin)
    folded = with_appended(before, all_buckets(before), rows)
    assert folded is not None
    after = aggregated(demo_db)
    same_aggregates(folded, after)
    assert folded.checkins.height == before.checkins.height + 1
    # And so are the figures.
    columns = ["goal_id", "period_start", "actual", "achievement", "status", "checkin_count"]
    assert_frame_equal(
        build_scorecard(folded, DEMO_AS_OF).goals.select(columns),
        build_scorecard(after, DEMO_AS_OF).goals.select(columns),
    )


def test_several_new_check_ins_of_one_goal_fold_in_at_once(demo_db: Path) -> None:
    before = aggregated(demo_db)
    store = FileStore(demo_db)
    rows = pl.concat(
        [
            appended(store, Checkin("sales-conversion", day, 10.0 + i, denominator=40.0))
            for i, day in enumerate([date(2026, 11, 3), DEMO_AS_OF, date(2026, 10, 1)])
        ]
    )
    folded = with_appended(before, all_buckets(before), rows)
    assert folded is not None
    same_aggregates(folded, aggregated(demo_db))


def test_what_the_rows_cannot_tell_is_left_to_a_read(demo_db: Path) -> None:
    before = aggregated(demo_db)
    buckets = all_buckets(before)
    store = FileStore(demo_db)
    # A confidence dated before the latest check-in of a period that had one already.
    early = appended(
        store, Checkin("product-seo-2026q4-kr2", date(2026, 10, 2), 1.0, confidence=0.5)
    )
    assert with_appended(before, buckets, early) is None
    # A correction takes another entry out of the sums.
    first = before.checkins.height
    original = appended(store, Checkin("hb-revenue", DEMO_AS_OF, 5.0))
    correction = store.correct_checkin(
        original["id"][0], Checkin("hb-revenue", DEMO_AS_OF, 6.0), today=DEMO_AS_OF
    )
    assert with_appended(before, buckets, checkin_frame([correction])) is None
    assert before.checkins.height == first


def test_without_aggregates_the_rows_are_appended(demo_db: Path) -> None:
    dataset, _ = load_marked(demo_db, checkins_until=DEMO_AS_OF)
    rows = appended(FileStore(demo_db), Checkin("hb-revenue", DEMO_AS_OF, 7.0))
    folded = with_appended(dataset, all_buckets(dataset), rows)
    assert folded is not None and folded.aggregates is None
    assert folded.checkins.height == dataset.checkins.height + 1
    assert replace(folded, checkins=dataset.checkins).kpis is dataset.kpis
