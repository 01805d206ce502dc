"""Roll-ups of the current unit's children, below the goal panes; Enter drills into one."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from goaltui.i18n import N_, _
from goaltui.metrics import band_expr
from goaltui.metrics.scorecard import Scorecard
from goaltui.model.enums import STATUS_WORDS
from goaltui.textsafe import safe_text
from goaltui.ui.render import BAND_VARIABLES, palette, status_color
from goaltui.ui.widgets.tables import by_name, highlighted_key

COUNTS = ["on_track", "at_risk", "off_track", "met", "missed", "no_data"]


class ChildrenTable(DataTable[Text | str]):
    """One row per child unit: its subtree's goal counts by status and mean objective score."""

    HELP = N_("Units below the current one. Enter: drill into the highlighted unit.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            N_("Drill in"),
            id="drill",
            tooltip=N_("Make this unit current"),
        ),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]

    def show(self, scorecard: Scorecard, unit_id: str) -> None:
        """List the children of `unit_id` with their roll-ups."""
        children = by_name(
            scorecard.dataset.units.filter(pl.col("parent_id") == unit_id)
            .join(scorecard.rollup, left_on="id", right_on="unit_id", how="left")
            .with_columns(band=band_expr(pl.col("subtree_objective_score")))
        )
        theme = palette(self.app)
        self.clear(columns=True)
        self.add_column(_("Unit"), key="name")
        for status in COUNTS:
            self.add_column(STATUS_WORDS[status], key=status)
        self.add_column(_("OKR score"), key="score")
        for row in children.iter_rows(named=True):
            cells: list[Text | str] = [safe_text(row["name"])]
            for status in COUNTS:
                count = row.get(f"subtree_{status}") or 0
                style = status_color(status, theme) if count else "dim"
                cells.append(Text(str(count), style=style, justify="right"))
            score = row.get("subtree_objective_score")
            if score is None:
                cells.append(Text("-", style="dim"))
            else:
                style = theme.get(BAND_VARIABLES[row["band"]], "")
                cells.append(Text(f"{score:.2f}", style=style))
            self.add_row(*cells, key=row["id"])
        self.display = children.height > 0

    @property
    def unit_id(self) -> str | None:
        """The highlighted child unit."""
        return highlighted_key(self)
