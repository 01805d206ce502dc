"""Small helpers shared by the dashboard's tables."""

from __future__ import annotations

from typing import Any

import polars as pl
from textual.widgets import DataTable


def highlighted_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor (goal, unit, check-in or finding id); None for an
    empty table."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def by_name(frame: pl.DataFrame, column: str = "name") -> pl.DataFrame:
    """`frame` sorted by name as people count: `Team 2` before `Team 10`."""
    name = pl.col(column)
    return frame.sort(
        name.str.replace(r"\d+$", ""),
        name.str.extract(r"(\d+)$").cast(pl.Int64, strict=False),
        name,
        nulls_last=False,
    )
