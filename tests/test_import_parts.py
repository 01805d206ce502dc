"""A large check-in file is read, converted and checked a part at a time: the result, every
problem and its line are the same as when the file is read whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from goaltui.model.errors import ValidationError
from goaltui.store import reading
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path
from goaltui.store.reading import read_source
from tests.store_helpers import assert_same, write_source

HEADER = "id,goal_id,date,value,denominator,confidence,note,author,supersedes,recorded_at\n"


def rows(count: int, *, ids: bool = True) -> str:
    """`count` valid check-ins without quotes, over a plain, a ratio and a % goal."""
    lines = []
    for n in range(count):
        goal, denominator = [("rev", ""), ("conv", "60"), ("kr1", ""), ("hire", "")][n % 4]
        value = f"{n % 50}.5" if goal != "conv" else "12"
        lines.append(
            f"{f'c{n:05d}' if ids else ''},{goal},2026-10-{1 + n % 28:02d},{value},"
            f"{denominator},{n % 11},,kim,,2026-11-01T09:{n % 60:02d}:00\n"
        )
    return "".join(lines)


def in_parts(monkeypatch: pytest.MonkeyPatch, size: int = 200) -> None:
    monkeypatch.setattr(reading, "BATCH_BYTES", size)


def outcome(db: Path, source: Path) -> list[str]:
    try:
        import_path(db, source)
    except ValidationError as error:
        return error.problems
    return []


def both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkins: str, **write: object
) -> tuple[list[str], list[str]]:
    """The problems of importing `checkins` read whole and read in parts (after checking that
    it is); when there are none, the two databases hold the same."""
    source = write_source(tmp_path / "src", {"checkins": checkins}, **write)  # type: ignore[arg-type]
    whole = outcome(tmp_path / "whole.duckdb", source)
    with monkeypatch.context() as patch:
        in_parts(patch)
        table = read_source(source).tables["checkins"]
        assert table.parts is not None
        assert len(table.parts.spans) > 3
        parts = outcome(tmp_path / "parts.duckdb", source)
    if not whole and not parts:
        assert_same(
            load_dataset(tmp_path / "whole.duckdb"), load_dataset(tmp_path / "parts.duckdb")
        )
    return whole, parts


def test_valid_file_in_parts_stores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Late rows write a % sign on the % goal and a 0 of 0 on the ratio goal: their parts keep
    # the cells as written, the ones before let them go and read them again.
    late = "c90000,kr1,2026-10-02,35%,,,,,,2026-11-02T09:00:00\n"
    late += "c90001,conv,2026-10-03,0,0,,,,,2026-11-02T09:00:00\n"
    whole, parts = both_ways(
        tmp_path, monkeypatch, HEADER + rows(40) + late + rows(3).replace("c0", "d0")
    )
    assert whole == parts == []


def test_rows_without_ids_get_the_same_ids_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = ",rev,2026-10-05,7,,,,,,2026-11-01T09:00:00\n"
    text = HEADER + same + rows(30, ids=False) + same * 3
    whole, parts = both_ways(tmp_path, monkeypatch, text)
    assert whole == parts == []
    assert load_dataset(tmp_path / "parts.duckdb").checkins["id"].n_unique() == 34


BAD = (
    "c00003,rev,2026-10-05,1,,,,,,2026-11-01T09:00:00\n"
    "\n"
    "c80001,rev,2026-10-05,-1,-2,,,,,2026-11-01T09:00:00\n"
    "c80002,rev,2026-10-05,73%,,11,,,,2026-11-01T09:00:00\n"
    "c80003,nope,2026-10-05,1,,,,,,2026-11-01T09:01:00\n"
    "c80004,conv,2026-10-05,3,0,,,,,2026-11-01T09:00:00\n"
    ",,,,,,,,,\n"
    "c80005,conv,2026-10-05,,4,,,,c80099,\n"
)
ACROSS_ROWS = [
    "checkins.csv:42: id: 'c00003' appears more than once (first on line 5)",
    "checkins.csv:44: denominator: only ratio goals take a denominator; 'rev' aggregates by sum",
    "checkins.csv:44: denominator: '-2' is negative",
    "checkins.csv:45: value: '73%' has a % sign, but the goal is not measured in %; write the "
    "number alone",
    "checkins.csv:45: confidence: '11' is outside 0-10",
    "checkins.csv:46: goal_id: no KPI or key result has the id 'nope'",
    "checkins.csv:47: denominator: 0, but the value is 3 (nothing can be counted out of 0)",
    "checkins.csv:49: denominator: a retraction (empty value) takes no denominator",
    "checkins.csv:49: supersedes: no check-in has the id 'c80099'",
]


def test_problems_in_later_parts_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No cell is wrong in itself: the parts with these rows keep the cells the messages quote.
    text = HEADER + rows(40) + BAD + rows(40).replace("c0", "e0")
    whole, parts = both_ways(tmp_path, monkeypatch, text)
    assert parts == whole == ACROSS_ROWS


def test_cell_problems_in_later_parts_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = BAD.replace(",1,,,,,,2026", ",x,,,,,,2026", 1).replace("09:01", "09:61")
    text = HEADER + rows(40) + bad + rows(40).replace("c0", "e0")
    whole, parts = both_ways(tmp_path, monkeypatch, text)
    assert parts == whole
    assert whole == [
        "checkins.csv:42: value: 'x' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)",
        *ACROSS_ROWS[:6],
        "checkins.csv:46: recorded_at: '2026-11-01T09:61:00' is not a timestamp (use e.g. "
        "2026-11-16T09:30:00 or 2026-11-16 09:30:00+09:00)",
        *ACROSS_ROWS[6:],
    ]


def test_a_long_row_in_a_later_part_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "c80001,rev,2026-10-05,1,,,,,,2026-11-01T09:00:00,extra\n"
    whole, parts = both_ways(
        tmp_path, monkeypatch, HEADER + rows(40) + long + rows(5).replace("c0", "e0")
    )
    assert parts == whole == ["checkins.csv:42: the row has 11 cells but the header has 10 columns"]


@pytest.mark.parametrize(
    "write",
    [{"encoding": "cp949"}, {"bom": True}, {"encoding": "utf-8", "bom": False, "cr": True}],
    ids=["cp949", "bom", "cr"],
)
def test_encodings_and_line_ends_read_the_same_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: dict[str, object]
) -> None:
    text = HEADER + rows(30).replace(",kim,", ",김민수,") + "c80001,rev,2026-10-05,y,,,메모,,,\n"
    if write.pop("cr", False):
        text = text.replace("\n", "\r")
    whole, parts = both_ways(tmp_path, monkeypatch, text, **write)
    assert parts == whole
    assert "checkins.csv:32: value: 'y' is not a number" in whole[-1]
