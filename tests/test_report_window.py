"""A report without --history reads only the check-ins it can need (the current and previous
periods of the goals it shows); it must print exactly what a report over the whole history
prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from goaltui.model.types import Checkin
from goaltui.report import load_report, render_report
from goaltui.store.checkins import correct_checkin
from goaltui.store.dataset import Dataset, load_dataset
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
    windowed = load_report(demo_db, as_of, history=False)
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


def test_windows_read_only_the_goals_and_dates_they_name(demo_db: Path) -> None:
    since = date(2026, 10, 1)

    def windows(definitions: Dataset) -> pl.DataFrame:
        assert definitions.kpis.height > 0
        assert definitions.checkins.is_empty()
        return pl.DataFrame({"goal_id": ["sales-contracts"], "since": [since]})

    full = load_dataset(demo_db).checkins
    windowed = load_dataset(demo_db, checkin_windows=windows).checkins
    inside = (pl.col("goal_id") == "sales-contracts") & (pl.col("date") >= since)
    corrections = pl.col("supersedes").is_not_null()
    assert windowed.equals(full.filter(inside | corrections))
    # The correction dated 2024 of a check-in inside the window is read although it is not.
    assert windowed.filter(pl.col("date") < since)["supersedes"].is_not_null().all()
    assert windowed.filter(pl.col("date") < since).height > 0


def test_until_leaves_out_later_checkins_but_not_corrections(demo_db: Path) -> None:
    until = date(2026, 3, 31)
    full = load_dataset(demo_db).checkins
    read = load_dataset(demo_db, checkins_until=until).checkins
    assert read.equals(full.filter((pl.col("date") <= until) | pl.col("supersedes").is_not_null()))
