"""A report without --history reads only the check-ins it can need; it must print exactly what
a report over the whole history prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from goaltui.model.types import Checkin
from goaltui.report import render_report, report_window_start
from goaltui.store.checkins import correct_checkin
from goaltui.store.dataset import load_dataset
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("window") / "demo.duckdb"
    import_path(db, demo_source())
    # A correction dated long before the window that supersedes a check-in inside it: the
    # windowed read must still see it, or the superseded value would count again.
    checkins = load_dataset(db).checkins
    victim = checkins.filter(
        (pl.col("goal_id") == "sales-contracts")
        & (pl.col("date") >= date(2026, 11, 1))
        & pl.col("supersedes").is_null()
    ).row(0, named=True)
    correct_checkin(
        db,
        victim["id"],
        Checkin(goal_id="sales-contracts", date=date(2024, 1, 2), value=99.0),
        today=date(2026, 11, 16),
    )
    return db


@pytest.mark.parametrize(
    "as_of",
    # The demo's history starts in 2025-04, so as-of dates in 2027 leave check-ins out.
    [
        date(2026, 11, 16),
        date(2026, 3, 31),
        date(2027, 1, 1),
        date(2027, 2, 15),
        date(2027, 12, 31),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_windowed_report_equals_full_report(demo_db: Path, as_of: date, fmt: str) -> None:
    full = load_dataset(demo_db)
    windowed = load_dataset(
        demo_db,
        checkins_since=report_window_start(as_of),
        checkins_until=as_of,
        arithmetic_only=True,
    )
    latest = full.checkins["date"].max()
    assert isinstance(latest, date)
    if as_of.year == 2027 or as_of < latest:  # otherwise the demo has nothing to leave out
        assert windowed.checkins.height < full.checkins.height
    expected = render_report(full, as_of, unit=None, history=False, fmt=fmt)
    assert render_report(windowed, as_of, unit=None, history=False, fmt=fmt) == expected


def test_arithmetic_only_leaves_out_the_text(demo_db: Path) -> None:
    light = load_dataset(demo_db, arithmetic_only=True).checkins
    full = load_dataset(demo_db).checkins
    assert light.schema == full.schema
    assert light["note"].null_count() == light.height
    assert full["note"].null_count() < full.height
    assert light.drop("note", "author", "recorded_at").equals(
        full.drop("note", "author", "recorded_at")
    )


def test_window_keeps_every_correction(demo_db: Path) -> None:
    windowed = load_dataset(demo_db, checkins_since=date(2026, 1, 1))
    old = windowed.checkins.filter(pl.col("date") < date(2026, 1, 1))
    assert old.height > 0
    assert old["supersedes"].is_not_null().all()
