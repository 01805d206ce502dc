"""Roll-ups of the current unit's children, below the goal panes; Enter drills into one."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from goaltui.i18n import N_, _, translated
from goaltui.metrics import band_expr
from goaltui.metrics.scorecard import Scorecard
from goaltui.model.enums import STATUS_WORDS
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.render import BAND_VARIABLES, palette, status_color
from goaltui.ui.widgets.tables import by_name, highlighted_key

COUNTS = ["on_track", "at_risk", "off_track", "met", "missed", "no_data"]

SHORT_HEADERS = {
    "on_track": N_("on"),
    "at_risk": N_("risk"),
    "off_track": N_("off"),
    "met": N_("met"),
    "missed": N_("miss"),
    "no_data": N_("none"),
}
"""The count columns' headers where the status words do not fit (80 columns)."""


class ChildrenTable(DataTable[Text | str]):
    """One row per child unit: its subtree's goal counts by status and mean objective score."""

    HELP = N_(
        "Units below the current one. {drill}: drill into the highlighted unit. In a narrow "
        "terminal the counts are headed on, risk, off, met, miss and none (no data)."
    )
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
        self._shown: tuple[Scorecard, str] | None = None
        self._shown_width = 0

    def on_resize(self) -> None:
        if self._shown is not None and self.size.width != self._shown_width:
            self.show(*self._shown)

    def show(self, scorecard: Scorecard, unit_id: str) -> None:
        """List the children of `unit_id` with their roll-ups."""
        children = by_name(
            scorecard.dataset.units.filter(pl.col("parent_id") == unit_id)
            .join(scorecard.rollup, left_on="id", right_on="unit_id", how="left")
            .with_columns(band=band_expr(pl.col("subtree_objective_score")))
        )
        theme = palette(self.app)
        self.clear(columns=True)
        self._shown = (scorecard, unit_id)
        self._shown_width = self.size.width
        names = [cell_len(safe_plain(n)) for n in children["name"].to_list()] + [4]
        headers = [STATUS_WORDS[status] for status in COUNTS] + [_("OKR score")]
        # Every column shows: where the words do not fit, the headers shorten (the help and
        # the status words in the panes say what each mark means).
        if self.size.width and max(names) + sum(cell_len(h) + 2 for h in headers) + 4 > (
            self.size.width
        ):
            headers = [translated(SHORT_HEADERS[status]) for status in COUNTS] + [_("OKR")]
        self.add_column(_("Unit"), key="name")
        for status, header in zip(COUNTS, headers, strict=False):
            self.add_column(header, key=status)
        self.add_column(headers[-1], key="score")
        for row in children.iter_rows(named=True):
            cells: list[Text | str] = [safe_text(row["name"])]
            for status in COUNTS:
                count = row.get(f"subtree_{status}")
                if count is None:
                    # Not computed yet (the first view shows the opening unit's goals first).
                    cells.append(Text("...", style="dim", justify="right"))
                    continue
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
