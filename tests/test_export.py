"""Export writes the interchange format back; importing the export gives the same database."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from goaltui.model.types import Checkin
from goaltui.store.cells import SPECS
from goaltui.store.checkins import append_checkin, correct_checkin, retract_checkin
from goaltui.store.dataset import Dataset, load_dataset
from goaltui.store.demo import demo_source
from goaltui.store.exporter import ExportSummary, export_db, plain_number
from goaltui.store.importer import import_path
from tests.store_helpers import write_source

TODAY = date(2026, 11, 16)


def assert_same(a: Dataset, b: Dataset) -> None:
    for name, frame in a.tables().items():
        other = b.tables()[name]
        assert frame.schema == other.schema, name
        assert frame.equals(other), name


def round_trip(db: Path, tmp_path: Path) -> Dataset:
    export_db(db, tmp_path / "export")
    again = tmp_path / "again.duckdb"
    import_path(again, tmp_path / "export")
    return load_dataset(again)


def test_export_writes_every_file(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    summary = export_db(db_path, tmp_path / "out")
    assert summary == ExportSummary(
        units=4, kpis=4, objectives=2, key_results=2, checkins=4, targets=2, history=14
    )
    assert str(summary) == (
        "4 units, 4 KPIs, 2 objectives, 2 key results, 4 check-ins, 2 targets, 14 history entries"
    )
    for name, spec in SPECS.items():
        data = (tmp_path / "out" / f"{name}.csv").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        header = data.decode("utf-8").splitlines()[0]
        assert header == ",".join(c.name for c in spec)


def test_export_text(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    export_db(db_path, tmp_path / "out")
    kpis = (tmp_path / "out" / "kpis.csv").read_text(encoding="utf-8")
    assert (
        "rev,hb,분기 매출 10억 원 이상,KRW,at_least,sum,quarter,absolute,1000000000,,sales,,"
        "monthly,\n" in kpis
    )
    assert '"매달 말\n입력"' in kpis
    checkins = pl.read_csv(tmp_path / "out" / "checkins.csv", infer_schema=False)
    assert checkins["value"].to_list() == ["250000000", "12", "33.5", "50"]
    assert checkins["id"].str.contains(r"^c[0-9a-f]{16}$").all()
    assert checkins["recorded_at"].str.contains(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$").all()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e9, "1000000000"),
        (2.5, "2.5"),
        (-0.0, "0"),
        (0.0, "0"),
        (-3.0, "-3"),
        (1e16, "10000000000000000"),
        (1.5e20, "150000000000000000000"),
        (1.2345678901234568e20, "123456789012345680000"),
        (1e-7, "0.0000001"),
        (-2.5e-8, "-0.000000025"),
        (0.1, "0.1"),
        (1 / 3, "0.3333333333333333"),
        (None, None),
    ],
)
def test_plain_numbers(value: float | None, text: str | None) -> None:
    out = pl.select(plain_number(pl.lit(value, pl.Float64))).item()
    assert out == text
    if text is not None:
        assert float(text) == value


def test_round_trip_of_the_sample(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    assert_same(load_dataset(db_path), round_trip(db_path, tmp_path))


def test_round_trip_of_the_demo(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, demo_source())
    assert_same(load_dataset(db_path), round_trip(db_path, tmp_path))


def test_round_trip_keeps_corrections_and_odd_numbers(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    first = append_checkin(
        db_path,
        Checkin(
            goal_id="rev",
            date=date(2026, 11, 3),
            # As large as a value may be (rules.VALUE_LIMIT), with every digit significant.
            value=987654321012345.6,
            note=' "따옴표", 쉼표 ',
        ),
        today=TODAY,
    )
    correct_checkin(
        db_path,
        str(first.id),
        Checkin(goal_id="rev", date=date(2026, 11, 3), value=1e-7),
        today=TODAY,
    )
    second = append_checkin(
        db_path,
        Checkin(
            goal_id="hire",
            date=date(2026, 11, 4),
            value=0.1,
            recorded_at=datetime(2026, 11, 4, 9, 30, 0, 120000),
        ),
        today=TODAY,
    )
    retract_checkin(db_path, str(second.id), today=TODAY, note="잘못 입력")
    original = load_dataset(db_path)
    assert original.checkins.height == 8
    assert_same(original, round_trip(db_path, tmp_path))


def test_export_then_import_into_the_same_database_changes_nothing(
    tmp_path: Path, db_path: Path
) -> None:
    import_path(db_path, write_source(tmp_path / "src"))
    before = load_dataset(db_path)
    export_db(db_path, tmp_path / "out")
    summary = import_path(db_path, tmp_path / "out")
    assert (summary.checkins_added, summary.checkins_skipped) == (0, 4)
    assert_same(before, load_dataset(db_path))


def test_export_of_an_empty_database(tmp_path: Path, db_path: Path) -> None:
    from goaltui.store.db import write_session

    with write_session(db_path):
        pass
    assert export_db(db_path, tmp_path / "out") == ExportSummary()
    assert (tmp_path / "out" / "units.csv").read_text() == "id,name,parent_id,kind,login\n"
