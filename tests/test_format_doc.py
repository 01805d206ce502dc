"""The examples of docs/format.md import as they stand."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path

DOC = Path(__file__).resolve().parents[1] / "docs" / "format.md"


def examples() -> dict[str, list[str]]:
    """The ```csv blocks of each `## <name>.csv` section."""
    found: dict[str, list[str]] = {}
    for section in re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        if title.endswith(".csv"):
            blocks = re.findall(r"```csv\n(.*?)```", section, flags=re.S)
            found[title.removesuffix(".csv")] = blocks
    return found


def test_examples_import(tmp_path: Path, db_path: Path) -> None:
    blocks = examples()
    assert sorted(blocks) == sorted(
        ["units", "kpis", "objectives", "key_results", "checkins", "targets"]
    )
    first = tmp_path / "first"
    first.mkdir()
    for name, texts in blocks.items():
        (first / f"{name}.csv").write_text(texts[0], encoding="utf-8")
    summary = import_path(db_path, first)
    assert (summary.units, summary.kpis, summary.checkins_added, summary.targets) == (5, 6, 3, 3)

    corrections = tmp_path / "corrections"
    corrections.mkdir()
    for name in ("units", "kpis", "objectives", "key_results"):
        (corrections / f"{name}.csv").write_text(blocks[name][0].splitlines()[0] + "\n")
    (corrections / "checkins.csv").write_text(blocks["checkins"][1], encoding="utf-8")
    assert import_path(db_path, corrections).checkins_added == 4
    stored = load_dataset(db_path).checkins.filter(pl.col("supersedes").is_not_null())
    assert stored.select("id", "supersedes", "value").rows() == [
        ("c-102", "c-101", 302000000.0),
        ("c-104", "c-103", None),
    ]
