"""Small helpers shared by the dashboard's tables."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable


def highlighted_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor (goal, unit, check-in or finding id); None for an
    empty table."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
