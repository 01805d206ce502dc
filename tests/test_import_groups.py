"""Check-ins read in parts cross into the database through files, several parts to one INSERT
that runs while the next parts are read: the table holds the same rows as a file read whole, a
refusal or a failure of that INSERT leaves nothing behind, and progress tells what is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from goaltui.model.errors import DatabaseError, ValidationError
from goaltui.store import importer
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path
from tests.store_helpers import assert_same, write_source
from tests.test_import_parts import HEADER, in_parts, rows


def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of a few rows, every one through a file, three or so files to an INSERT."""
    in_parts(monkeypatch)
    monkeypatch.setattr(importer._CheckinWriter, "SPILL_ROWS", 1)
    monkeypatch.setattr(importer._CheckinWriter, "GROUP_ROWS", 10)


def leftovers(folder: Path) -> list[Path]:
    return sorted(folder.glob(".goaltui-import-*"))


def test_parts_stored_in_groups_hold_what_a_whole_file_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows with ids, then rows without (their ids from their cells), then with ids again.
    text = HEADER + rows(40) + rows(6, ids=False) + rows(20).replace("c0", "d0")
    source = write_source(tmp_path / "src", {"checkins": text})
    import_path(tmp_path / "whole.duckdb", source)
    told: list[tuple[str, int, int]] = []
    with monkeypatch.context() as patch:
        small_groups(patch)
        summary = import_path(
            tmp_path / "db" / "parts.duckdb",
            source,
            progress=lambda stage, done, total: told.append((stage, done, total)),
        )
    assert summary.checkins_added == 66
    assert_same(
        load_dataset(tmp_path / "whole.duckdb"), load_dataset(tmp_path / "db" / "parts.duckdb")
    )
    assert leftovers(tmp_path / "db") == []
    # Written is told as groups reach the table: never ahead of what was validated, and every
    # row at the end.
    validated = 0
    written: list[int] = []
    for stage, done, _total in told:
        if stage == "validated":
            validated = done
        elif stage == "written":
            assert done <= validated
            written.append(done)
    assert written == sorted(written)
    assert written[-1] == told[-1][2]


def test_a_refusal_after_a_stored_group_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "goals.duckdb"
    import_path(db, write_source(tmp_path / "first", {}))
    before = load_dataset(db)
    late = "c90000,rev,2026-10-05,x,,,,,,2026-11-01T09:00:00\n"
    source = write_source(tmp_path / "src", {"checkins": HEADER + rows(60) + late})
    with monkeypatch.context() as patch:
        small_groups(patch)
        with pytest.raises(ValidationError) as refused:
            import_path(db, source)
    assert refused.value.problems == [
        "checkins.csv:62: value: 'x' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"
    ]
    assert_same(before, load_dataset(db))
    assert leftovers(tmp_path) == []


def test_a_failing_insert_is_raised_and_leaves_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rows without ids are stored by an INSERT that works their ids out in SQL: make
    # DuckDB fail there, in the thread that stores them.
    source = write_source(tmp_path / "src", {"checkins": HEADER + rows(40, ids=False)})
    db = tmp_path / "goals.duckdb"
    with monkeypatch.context() as patch:
        small_groups(patch)
        patch.setattr(importer, "_ID_SQL", "error('the disk went away')")
        with pytest.raises(DatabaseError, match="the disk went away"):
            import_path(db, source)
    assert not db.exists()
    assert leftovers(tmp_path) == []
