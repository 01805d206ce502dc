"""A large check-in file read in parts is checked and written a part at a time: the rules across
rows (repeated ids, corrections) and the closed periods give the same verdict, and the database
the same rows, as when the file is read whole; progress is told per part."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from goaltui.console import ProgressReport
from goaltui.model.errors import ValidationError
from goaltui.store import reading
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path
from tests.store_helpers import assert_same, write_source
from tests.test_import_parts import HEADER, both_ways, in_parts, rows


def test_corrections_across_parts_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = rows(30)
    # c00001 is a check-in of conv; c00004 of rev; c70000 comes later; c70001's goal is unknown.
    late = (
        "c70002,conv,2026-10-05,3,60,,,,c00001,2026-11-01T09:00:00\n"
        "c70003,rev,2026-10-05,3,,,,,c00001,2026-11-01T09:00:00\n"
        "c70004,rev,2026-10-05,,,,,,c00004,2026-11-01T09:00:00\n"
        "c70005,rev,2026-10-05,4,,,,,c70004,2026-11-01T09:00:00\n"
        "c70006,rev,2026-10-05,4,,,,,c70000,2026-11-01T09:00:00\n"
        "c70007,rev,2026-10-05,4,,,,,c70001,2026-11-01T09:00:00\n"
        "c00007,rev,2026-10-05,4,,,,,,2026-11-01T09:00:00\n"
    )
    tail = rows(30).replace("c0", "e0")
    text = (
        HEADER + early + late + tail + "c70000,rev,2026-10-05,1,,,,,,2026-11-01T09:00:00\n"
        "c70001,nope,2026-10-05,1,,,,,,2026-11-01T09:00:00\n"
    )
    whole, parts = both_ways(tmp_path, monkeypatch, text)
    assert parts == whole
    assert whole == [
        "checkins.csv:33: supersedes: 'c00001' is a check-in of 'conv', not of 'rev'",
        "checkins.csv:33: supersedes: check-in 'c00001' is already superseded by the row on "
        "line 32",
        "checkins.csv:35: supersedes: 'c70004' is a retraction; check in anew instead of "
        "correcting it",
        "checkins.csv:36: supersedes: 'c70000' comes later in the file; a correction must "
        "follow the check-in it corrects",
        "checkins.csv:37: supersedes: 'c70001' comes later in the file; a correction must "
        "follow the check-in it corrects",
        "checkins.csv:37: supersedes: 'c70001' is a check-in of 'nope', not of 'rev'",
        "checkins.csv:38: id: 'c00007' appears more than once (first on line 9)",
        "checkins.csv:70: goal_id: no KPI or key result has the id 'nope'",
    ]


def test_valid_corrections_across_parts_store_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = (
        "c70002,rev,2026-10-05,3,,,,,c00000,2026-11-01T09:00:00\n"
        "c70003,rev,2026-10-05,,,,,,c70002,2026-11-01T09:00:00\n"
    )
    whole, parts = both_ways(tmp_path, monkeypatch, HEADER + rows(40) + late + rows(3, ids=False))
    assert whole == parts == []


def test_a_refused_file_in_parts_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first parts are good (and written in the transaction); a later one is not.
    source = write_source(
        tmp_path / "src",
        {"checkins": HEADER + rows(40) + "c90000,rev,2026-10-05,x,,,,,,\n"},
    )
    db = tmp_path / "goals.duckdb"
    import_path(db, write_source(tmp_path / "first", {}))
    before = load_dataset(db)
    in_parts(monkeypatch)
    for replace in (False, True):
        with pytest.raises(ValidationError) as refused:
            import_path(db, source, replace=replace)
        assert refused.value.problems == [
            "checkins.csv:42: value: 'x' is not a number (use . for decimals, e.g. 1250.5 or "
            "1,250.5)"
        ]
        assert_same(before, load_dataset(db))
    fresh = tmp_path / "new.duckdb"
    with pytest.raises(ValidationError):
        import_path(fresh, source)
    assert not fresh.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".goaltui-import-")]


def test_merging_into_stored_checkins_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored check-ins: repeats are skipped, against the whole file.
    first = write_source(tmp_path / "first", {"checkins": HEADER + rows(20)})
    again = write_source(tmp_path / "again", {"checkins": HEADER + rows(40)})
    whole, parts = tmp_path / "whole.duckdb", tmp_path / "parts.duckdb"
    import_path(whole, first)
    import_path(whole, again)
    import_path(parts, first)
    with monkeypatch.context() as patch:
        in_parts(patch)
        summary = import_path(parts, again)
    assert summary.checkins_added == 20 and summary.checkins_skipped == 20
    assert_same(load_dataset(whole), load_dataset(parts))


def test_progress_is_told_per_part_piped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_source(tmp_path / "src", {"checkins": HEADER + rows(400)})
    monkeypatch.setattr(reading, "BATCH_BYTES", 2000)
    out = io.StringIO()
    report = ProgressReport("import", out, min_rows=0)
    import_path(tmp_path / "x.duckdb", source, progress=report)
    lines = out.getvalue().splitlines()
    stages = [line.split()[1] for line in lines]
    # Each stage begins, moves on (a line per quarter of the rows at most) and ends.
    for stage in ("read", "validated", "written"):
        told = [line for line in lines if line.split()[1] == stage]
        assert 2 <= len(told) <= 6, told
    assert stages[:3] == ["read", "validated", "written"]
    assert lines[-1].startswith("import: written ")
    done, _, total = (
        lines[-1].removeprefix("import: written ").removesuffix(" rows").partition(" of ")
    )
    assert done == total


def test_progress_is_a_bar_per_part_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    source = write_source(tmp_path / "src", {"checkins": HEADER + rows(400)})
    monkeypatch.setattr(reading, "BATCH_BYTES", 2000)
    out = Terminal()
    report = ProgressReport("import", out, min_rows=0)
    import_path(tmp_path / "x.duckdb", source, progress=report)
    report.close()
    frames = out.getvalue().rstrip("\n").split("\r")[1:]
    bars = [frame.split("[")[1].split("]")[0].count("#") for frame in frames]
    assert len(frames) > 9
    assert bars == sorted(bars) and bars[-1] == ProgressReport.BAR_WIDTH
    assert frames[-1].split("]")[1].split()[0] == "written"
