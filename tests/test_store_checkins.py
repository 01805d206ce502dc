"""Check-in writes: validation as a form sees it, append, correct, retract and the log."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from goaltui.model.errors import DatabaseError, ValidationError
from goaltui.model.types import Checkin
from goaltui.store.checkins import (
    append_checkin,
    checkin_log,
    checkin_problems,
    correct_checkin,
    parse_number,
    retract_checkin,
)
from goaltui.store.dataset import Dataset, load_dataset
from goaltui.store.importer import import_path
from tests.store_helpers import write_source

TODAY = date(2026, 11, 16)


@pytest.fixture
def db(tmp_path: Path, db_path: Path) -> Path:
    import_path(db_path, write_source(tmp_path / "src"))
    return db_path


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The sample organisation for tests that only read it: imported once for the module."""
    folder = tmp_path_factory.mktemp("sample")
    db = folder / "goals.duckdb"
    import_path(db, write_source(folder / "src"))
    return load_dataset(db)


def at(goal_id: str, value: float | None = 1.0, **fields: object) -> Checkin:
    return Checkin(goal_id=goal_id, date=date(2026, 11, 10), value=value, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("checkin", "expected"),
    [
        (at("rev"), {}),
        (at("conv", 3, denominator=40), {}),
        (at("conv", 0, denominator=0), {}),
        (at("kr1", 35, confidence=0, author="kim", note="좋음"), {}),
        (at(""), {"goal_id": "choose a KPI or key result"}),
        (at("nope"), {"goal_id": "no KPI or key result has the id 'nope'"}),
        (
            at("kr2"),
            {
                "goal_id": "key result 'kr2' is measured by KPI 'sales-rev' (월 매출) and takes no "
                "check-ins of its own; check in to sales-rev instead"
            },
        ),
        (at("rev", None), {"value": "enter a value"}),
        (at("rev", math.nan), {"value": "'nan' is not a finite number"}),
        (at("rev", math.inf), {"value": "'inf' is not a finite number"}),
        (at("conv", 3), {"denominator": "'conv' is a ratio goal: enter a denominator"}),
        (
            at("rev", 3, denominator=10),
            {"denominator": "only ratio goals take a denominator; 'rev' aggregates by sum"},
        ),
        (at("conv", 3, denominator=-1), {"denominator": "'-1' is negative"}),
        (
            at("conv", 3, denominator=0),
            {"denominator": "0, but the value is 3 (nothing can be counted out of 0)"},
        ),
        (
            Checkin(goal_id="rev", date=TODAY + timedelta(days=1), value=1),
            {"date": "2026-11-17 is after today (2026-11-16)"},
        ),
        (at("rev", confidence=10.5), {"confidence": "'10.5' is outside 0-10"}),
        (at("rev", confidence=-1), {"confidence": "'-1' is outside 0-10"}),
        (at("rev", author="ghost"), {"author": "no unit has the id 'ghost'"}),
        (
            Checkin(goal_id="nope", date=TODAY + timedelta(days=3), value=None, confidence=11),
            {
                "goal_id": "no KPI or key result has the id 'nope'",
                "value": "enter a value",
                "date": "2026-11-19 is after today (2026-11-16)",
                "confidence": "'11' is outside 0-10",
            },
        ),
    ],
)
def test_checkin_problems(dataset: Dataset, checkin: Checkin, expected: dict[str, str]) -> None:
    assert checkin_problems(dataset, checkin, today=TODAY) == expected


def test_today_itself_is_fine(dataset: Dataset) -> None:
    checkin = Checkin(goal_id="rev", date=TODAY, value=1)
    assert checkin_problems(dataset, checkin, today=TODAY) == {}


def test_append_stores_and_returns_the_checkin(db: Path) -> None:
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    saved = append_checkin(
        db,
        Checkin(goal_id="conv", date=date(2026, 11, 12), value=7, denominator=30, note=" 메모 "),
        today=TODAY,
    )
    assert saved.id is not None and saved.id.startswith("c") and len(saved.id) == 17
    assert saved.recorded_at is not None and saved.recorded_at >= before
    assert saved.note == "메모"
    stored = load_dataset(db).checkins
    assert stored.height == 5
    row = stored.row(-1, named=True)
    assert row == {
        "seq": 4,
        "id": saved.id,
        "goal_id": "conv",
        "date": date(2026, 11, 12),
        "value": 7.0,
        "denominator": 30.0,
        "confidence": None,
        "note": "메모",
        "author": None,
        "supersedes": None,
        "recorded_at": saved.recorded_at,
    }
    other = append_checkin(db, at("rev"), today=TODAY)
    assert other.id != saved.id
    assert load_dataset(db).checkins["seq"].to_list() == [0, 1, 2, 3, 4, 5]


def test_append_refuses_and_writes_nothing(db: Path) -> None:
    before = load_dataset(db).checkins
    with pytest.raises(ValidationError) as caught:
        append_checkin(db, at("nope"), today=TODAY)
    assert caught.value.problems == ["goal_id: no KPI or key result has the id 'nope'"]
    assert load_dataset(db).checkins.equals(before)


def test_append_refuses_a_taken_id(db: Path) -> None:
    taken = str(load_dataset(db).checkins["id"][0])
    with pytest.raises(ValidationError) as caught:
        append_checkin(db, at("rev", id=taken), today=TODAY)
    assert caught.value.problems == [f"id: '{taken}' is the id of another check-in already"]


def test_append_needs_a_database(tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    with pytest.raises(DatabaseError, match="no database here"):
        append_checkin(db, at("rev"), today=TODAY)
    assert not db.exists()


def test_correct_and_retract(db: Path) -> None:
    first = append_checkin(db, at("rev", 100), today=TODAY)
    fixed = correct_checkin(db, str(first.id), at("", 110), today=TODAY)
    assert (fixed.goal_id, fixed.value, fixed.supersedes) == ("rev", 110.0, first.id)

    with pytest.raises(ValidationError) as caught:
        correct_checkin(db, str(first.id), at("rev", 120), today=TODAY)
    assert caught.value.problems == [
        f"supersedes: check-in '{first.id}' was already corrected by '{fixed.id}'"
    ]

    gone = retract_checkin(db, str(fixed.id), today=TODAY, note="중복", author="kim")
    assert (gone.value, gone.supersedes, gone.note, gone.author) == (None, fixed.id, "중복", "kim")
    assert gone.date == fixed.date

    with pytest.raises(ValidationError) as caught:
        retract_checkin(db, str(fixed.id), today=TODAY)
    assert caught.value.problems == [
        f"supersedes: check-in '{fixed.id}' was already retracted by '{gone.id}'"
    ]
    with pytest.raises(ValidationError) as caught:
        correct_checkin(db, str(gone.id), at("rev", 5), today=TODAY)
    assert caught.value.problems == [
        f"supersedes: '{gone.id}' is a retraction; check in anew instead"
    ]
    with pytest.raises(ValidationError) as caught:
        correct_checkin(db, str(first.id), at("hire", 5), today=TODAY)
    assert caught.value.problems[0] == (
        f"supersedes: '{first.id}' is a check-in of 'rev', not of 'hire'"
    )
    with pytest.raises(ValidationError) as caught:
        retract_checkin(db, "c-nope", today=TODAY)
    assert caught.value.problems == ["supersedes: no check-in has the id 'c-nope'"]


def test_checkin_log_states(db: Path) -> None:
    first = append_checkin(db, at("hire", 40), today=TODAY)
    fixed = correct_checkin(db, str(first.id), at("hire", 41), today=TODAY)
    second = append_checkin(
        db, Checkin(goal_id="hire", date=date(2026, 11, 12), value=60), today=TODAY
    )
    gone = retract_checkin(db, str(second.id), today=TODAY)
    log = checkin_log(load_dataset(db), "hire")
    assert log.select("id", "state", "superseded_by").rows() == [
        (gone.id, "retraction", None),
        (second.id, "retracted", gone.id),
        (fixed.id, "correction", None),
        (first.id, "corrected", fixed.id),
        (log["id"][-1], "active", None),
    ]
    assert log["date"][-1] == date(2026, 11, 2)
    assert log.columns[-2:] == ["state", "superseded_by"]


def test_checkin_log_of_a_key_result_measured_by_a_kpi(db: Path) -> None:
    append_checkin(db, at("sales-rev", 5), today=TODAY)
    data = load_dataset(db)
    assert checkin_log(data, "kr2")["goal_id"].to_list() == ["sales-rev"]
    assert checkin_log(data, "nope").height == 0
    assert checkin_log(data, "rev").filter(pl.col("state") == "active").height == 1


@pytest.mark.parametrize(
    ("text", "number"),
    [("1250.5", 1250.5), ("1,250.5", 1250.5), (" -3 ", -3.0), ("1,000,000", 1e6), ("0", 0.0)],
)
def test_parse_number(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "1,25", "1.250,5", "nan", "inf", "12,34,567"])
def test_parse_number_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a (finite )?number"):
        parse_number(text)


def test_parse_number_reads_empty_text_as_not_given() -> None:
    assert parse_number("  ") is None
