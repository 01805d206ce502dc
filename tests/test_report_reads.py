"""What the report, due and lint read from the database: aggregates of the check-ins, without
what only the dashboard's panes read (trend-line sums, check-in dates), and archived goals left
out without losing the others' figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from goaltui.metrics.arithmetic import catalog_buckets, checkin_aggregates
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.engine import all_buckets
from goaltui.report import load_report, render_report
from goaltui.store.aggregates import TREND_COLUMNS
from goaltui.store.dataset import load_dataset
from goaltui.store.demo import demo_source
from goaltui.store.engine import PgStore
from goaltui.store.importer import import_path

AS_OF = date(2026, 11, 16)


@pytest.fixture(scope="module")
def archived_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with its first KPI archived."""
    db = tmp_path_factory.mktemp("reads") / "demo.duckdb"
    import_path(db, demo_source())
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE kpis SET archived = DATE '2026-01-01' WHERE id = 'cs-csat'")
    return db


@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_archiving_one_goal_keeps_the_others_figures(archived_db: Path, fmt: str) -> None:
    # The whole history read check-in by check-in is the reference the aggregates must match.
    full = render_report(load_dataset(archived_db), AS_OF, unit=None, history=False, fmt=fmt)
    aggregated = load_report(archived_db, AS_OF, history=False)
    assert aggregated.aggregates is not None
    shown = render_report(aggregated, AS_OF, unit=None, history=False, fmt=fmt)
    assert shown == full
    assert "cs-csat" not in shown
    if fmt == "csv":
        # The demo's response-time KPI has check-ins this month: its actual is printed.
        assert ",cs-han-response-time,cs-han," in shown
        assert ",2026-11,19,20,1.05,on_track," in shown


def test_report_reads_no_trend_line_sums(archived_db: Path) -> None:
    aggregates = load_report(archived_db, AS_OF, history=False).aggregates
    assert aggregates is not None and aggregates.height > 0
    sums = [c for c in TREND_COLUMNS if c != "ratio_n"]
    assert aggregates.select(pl.col(sums).is_not_null().any()).row(0) == (False,) * len(sums)
    # ratio_n is 0 rather than null where no trend sum was read.
    assert aggregates["ratio_n"].unique().to_list() == [0]


def test_trend_line_sums_are_read_by_default(archived_db: Path) -> None:
    dataset = load_dataset(archived_db, checkins_until=AS_OF, aggregate=all_buckets)
    assert dataset.aggregates is not None
    assert dataset.aggregates["sx"].is_not_null().any()
    lean = load_dataset(archived_db, checkins_until=AS_OF, aggregate=all_buckets, panes=False)
    assert lean.aggregates is not None
    assert dataset.checkin_dates is not None and dataset.checkin_dates.len() > 0
    assert lean.checkin_dates is None
    # Everything but the trend-line sums is the same.
    kept = [c for c in dataset.aggregates.columns if c not in TREND_COLUMNS]
    assert lean.aggregates.select(kept).equals(dataset.aggregates.select(kept))


def test_postgres_aggregates_the_ties_as_polars_does(pg_url: str, tmp_path: Path) -> None:
    # The latest value on PostgreSQL is the max of [key, value] arrays: ties on one date go to
    # the later entry, a null value or denominator stays null, the latest confidence skips the
    # entries without one; superseded rows never count.
    from tests.store_helpers import write_source
    from tests.test_aggregates import CHECKINS, _close

    folder = write_source(tmp_path / "source", {"checkins": CHECKINS})
    store = PgStore(pg_url)
    store.init()
    store.import_path(folder)
    dataset = store.load_dataset()
    buckets = catalog_buckets(goal_catalog(dataset))
    for as_of in (AS_OF, date(2026, 11, 9), date(2026, 12, 31)):
        stored = store.aggregates(buckets, as_of)
        computed = checkin_aggregates(dataset, buckets, as_of).sort(
            "goal_id", "months", "period_index"
        )
        assert stored.height > 0
        _close(stored, computed)
        assert stored.filter(pl.col("goal_id") == "rev")["last"].to_list()[-1] is not None
