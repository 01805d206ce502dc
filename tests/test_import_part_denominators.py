"""Denominators on a goal that takes none, in a large file read in parts: every row is refused
with its line, as when the file is read whole. (The wording of that refusal over a part's
filtered rows once crashed polars: `assertion failed: i < self.len()`.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from goaltui.model.errors import ValidationError
from goaltui.store import reading
from goaltui.store.importer import import_path
from goaltui.store.reading import read_source
from tests.store_helpers import write_source
from tests.test_import_parts import HEADER, rows


def refusals(db: Path, source: Path) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        import_path(db, source)
    return refused.value.problems


def test_denominators_of_a_goal_that_takes_none_are_refused_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "".join(
        f"c8{n:05d},rev,2026-10-{1 + n % 28:02d},{n}.5,10,,,kim,,2026-11-01T09:00:00\n"
        for n in range(20)
    )
    source = write_source(
        tmp_path / "src", {"checkins": HEADER + rows(20_000) + wrong + rows(2_000, ids=False)}
    )
    whole = refusals(tmp_path / "whole.duckdb", source)
    monkeypatch.setattr(reading, "BATCH_BYTES", 200_000)
    table = read_source(source).tables["checkins"]
    assert table.parts is not None and len(table.parts.spans) > 3
    assert refusals(tmp_path / "parts.duckdb", source) == whole
    assert len(whole) == 20
    assert all(
        "denominator: only ratio goals take a denominator; 'rev' aggregates by sum" in problem
        for problem in whole
    ), whole
