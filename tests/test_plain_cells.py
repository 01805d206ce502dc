"""A CSV text's bytes tell at a glance when no cell needs trimming or a formula escape undone;
whenever they cannot tell, every cell is looked at, and the import stores the same either way."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from goaltui.store.dataset import load_dataset
from goaltui.store.reading import _plain_cells
from tests.test_import_parts import HEADER, both_ways, rows


@pytest.mark.parametrize(
    "text",
    [
        "id,note\nc1,plain words\nc2,\n",
        "id,note\nc1,x\n",
        "id,note\nc1,a b c\nc2,no padding here\n",
    ],
)
def test_plain_text_is_known_plain(text: str) -> None:
    assert _plain_cells(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "id,note\nc1, leading\n",
        "id,note\nc1,trailing \n",
        "id,note\nc1,x\n lead,y\n",
        "id,note\nc1,x\nc2,y ",
        " id,note\nc1,x\n",
        "id,note\nc1,tab\there\n",
        "id,note\r\nc1,x\r\n",
        "id,note\nc1,x\x0b\n",
        "id,note\nc1,x\x0c\n",
        "id,note\nc1,'=1+1\n",
        "id,note\nc1,caf\u00e9\n",
        "id,note\nc1,\u00a0nbsp\n",
        "id,note\nc1 ,x\n",
    ],
)
def test_anything_else_is_looked_at_cell_by_cell(text: str) -> None:
    assert not _plain_cells(text.encode())


def test_parts_with_and_without_plain_cells_store_what_a_whole_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Plain parts first; a late part pads cells and escapes a formula in a note.
    late = "c90000,rev, 2026-10-02 ,7 ,,,'=1+1,kim,,2026-11-02T09:00:00\n"
    late += "c90001,rev,2026-10-03,8,,, spaced note ,kim ,,2026-11-02T09:00:00\n"
    text = HEADER + rows(40) + late + rows(10).replace("c0", "d0")
    whole, parts = both_ways(tmp_path, monkeypatch, text)
    assert whole == parts == []
    stored = load_dataset(tmp_path / "parts.duckdb").checkins.filter(
        pl.col("id").is_in(["c90000", "c90001"])
    )
    assert stored.select("id", "date", "value", "note", "author").rows() == [
        ("c90000", date(2026, 10, 2), 7.0, "=1+1", "kim"),
        ("c90001", date(2026, 10, 3), 8.0, "spaced note", "kim"),
    ]
