"""Check-ins aggregated per (goal, period) by the database equal the polars aggregation of the
same check-ins, and everything computed from them equals the computation from every check-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl
import pytest

from goaltui.metrics.arithmetic import catalog_buckets, checkin_aggregates
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.due import due_goals
from goaltui.metrics.engine import all_buckets, evaluate_goals, evaluation_buckets, goal_trends
from goaltui.model.period import fiscal_year_start, set_fiscal_year_start
from goaltui.store.aggregates import AGGREGATES_SCHEMA
from goaltui.store.dataset import Dataset, load_aggregates, load_dataset, load_goal_checkins
from goaltui.store.importer import import_path
from tests.store_helpers import write_source

AS_OF = date(2026, 11, 16)

# Ties on one date (the later entry wins `last`), a correction and a retraction (superseded
# rows never count, whatever the superseding row's date), ratios with a zero
# denominator, confidences missing on the latest entry.
CHECKINS = """id,goal_id,date,value,denominator,confidence,note,author,supersedes
a1,rev,2026-10-15,250000000,,7,,,
a2,rev,2026-11-03,100000000,,,,,
a3,rev,2026-11-03,90000000,,5,,,
a4,rev,2026-07-01,80000000,,,,,
c1,conv,2026-10-31,12,60,,,,
c2,conv,2026-11-02,0,0,4,,,
c3,conv,2026-11-05,5,20,,,,
c4,conv,2026-11-09,7,40,2,,,
c5,conv,2026-11-09,8,40,,,,c4
h1,hire,2026-11-02,50,,,,,
h2,hire,2026-11-10,40,,3,,,
h3,hire,2026-11-12,,,,,,h2
h4,hire,2026-12-01,30,,,,,
k1,kr1,2026-11-01,33.5,,,,,
k2,kr1,2026-09-20,31,,,,,
s1,sales-rev,2026-11-04,120000000,,6,,,
s2,sales-rev,2026-10-04,320000000,,6,,,
s3,sales-rev,2026-11-14,10000000,,,,,
"""


@pytest.fixture(params=[1, 4], ids=["calendar", "fiscal-april"])
def fiscal(request: pytest.FixtureRequest) -> Iterator[int]:
    before = fiscal_year_start()
    set_fiscal_year_start(request.param)
    yield request.param
    set_fiscal_year_start(before)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_source(tmp_path_factory.mktemp("source"), {"checkins": CHECKINS})
    path = tmp_path_factory.mktemp("db") / "goaltui.duckdb"
    import_path(path, folder)
    return path


def _buckets(dataset: Dataset, *, history: bool) -> pl.DataFrame:
    return evaluation_buckets(dataset, AS_OF, history=history)


def _close(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns
    assert a.height == b.height
    for name in a.columns:
        left, right = a[name], b[name]
        assert (left.is_null() == right.is_null()).all(), name
        if left.dtype == pl.Float64:
            gap = ((left - right).abs() > 1e-9 * (left.abs() + 1)).fill_null(False)
            assert not gap.any(), name
        else:
            assert (
                left.fill_null(strategy="zero").to_list()
                == right.fill_null(strategy="zero").to_list()
                or left.to_list() == right.to_list()
            ), name


def test_the_database_aggregates_as_polars_does(db: Path, fiscal: int) -> None:
    dataset = load_dataset(db)
    buckets = catalog_buckets(goal_catalog(dataset))
    for as_of in (AS_OF, date(2026, 11, 9), date(2026, 12, 31)):
        stored = load_aggregates(db, buckets, as_of)
        computed = checkin_aggregates(dataset, buckets, as_of).sort(
            "goal_id", "months", "period_index"
        )
        assert stored.schema == pl.Schema(AGGREGATES_SCHEMA)
        assert stored.height > 0
        _close(stored, computed)


def test_ties_corrections_and_retractions_count_as_the_rules_say(db: Path) -> None:
    buckets = catalog_buckets(goal_catalog(load_dataset(db)))
    rows = load_aggregates(db, buckets, AS_OF)
    november, fourth_quarter = 2026 * 12 + 10, 2026 * 12 + 9

    def row(goal: str, months: int = 1, index: int = november) -> dict[str, object]:
        found = rows.filter(
            pl.col("goal_id") == goal, pl.col("months") == months, pl.col("period_index") == index
        )
        return found.row(0, named=True)

    rev = row("rev", 3, fourth_quarter)
    assert rev["last"] == 90000000  # same date: the later entry
    assert rev["last_confidence"] == 5 and rev["checkin_count"] == 3
    conv = row("conv")
    assert conv["checkin_count"] == 3  # c4 corrected by c5
    assert conv["last"] == 8 and conv["last_denominator"] == 40
    assert conv["numerator"] == 13 and conv["denominator"] == 60
    assert conv["ratio_n"] == 2 and conv["last_confidence"] == 4
    hire = row("hire")
    assert hire["checkin_count"] == 1 and hire["last"] == 50  # h2 retracted, h4 after as-of


def test_figures_from_aggregates_equal_those_from_every_checkin(db: Path, fiscal: int) -> None:
    full = load_dataset(db)
    for history in (False, True):
        aggregated = load_dataset(
            db,
            checkins_until=AS_OF,
            aggregate=partial(_buckets, history=history),
        )
        assert aggregated.checkins.is_empty()
        assert evaluate_goals(aggregated, AS_OF, history=history).equals(
            evaluate_goals(full, AS_OF, history=history)
        )
    everything = load_dataset(db, checkins_until=AS_OF, aggregate=all_buckets)
    _close(goal_trends(everything, AS_OF), goal_trends(full, AS_OF))
    assert due_goals(everything, AS_OF).equals(due_goals(full, AS_OF))


def test_aggregates_are_only_good_for_their_date(db: Path) -> None:
    aggregated = load_dataset(db, checkins_until=AS_OF, aggregate=all_buckets)
    with pytest.raises(ValueError, match="aggregated as of 2026-11-16"):
        evaluate_goals(aggregated, date(2026, 11, 20))


def test_one_goal_log_reads_every_entry_of_that_goal(db: Path) -> None:
    log = load_goal_checkins(db, "conv")
    assert log["id"].to_list() == ["c1", "c2", "c3", "c4", "c5"]
