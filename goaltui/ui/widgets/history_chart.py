"""A goal's per-period history as horizontal bars, actual against target."""

from __future__ import annotations

import polars as pl
from rich.text import Text
from textual.widgets import Static

from goaltui.humanize import percent, quantity
from goaltui.i18n import _
from goaltui.model.enums import STATUS_WORDS
from goaltui.textsafe import safe_plain
from goaltui.ui.render import palette, status_color

BAR_WIDTH = 30


class HistoryChart(Static):
    """One line per period: a bar for the actual, `|` where the target is, figures and status."""

    DEFAULT_CSS = """
    HistoryChart {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, history: pl.DataFrame, *, korean: bool) -> None:
        """Draw `history` (evaluate_goals rows of one goal, oldest first)."""
        theme = palette(self.app)
        rows = history.sort("period_start").tail(18)
        if rows.is_empty():
            self.update(Text(_("No periods yet."), style="dim"))
            return
        scale = (
            max(
                [v for v in [*rows["actual"].to_list(), *rows["target"].to_list()] if v is not None]
                or [1.0]
            )
            or 1.0
        )
        text = Text()
        for row in rows.iter_rows(named=True):
            color = status_color(row["status"], theme)
            actual, target = row["actual"], row["target"]
            filled = 0 if actual is None else round(max(0.0, actual) / scale * BAR_WIDTH)
            mark = None if target is None else min(BAR_WIDTH - 1, round(target / scale * BAR_WIDTH))
            text.append(f"{row['period']:<8} ")
            for cell in range(BAR_WIDTH):
                char = "|" if cell == mark else " "
                style = f"on {color}" if cell < filled else ""
                text.append(char, style=f"bold {style}".strip() if char == "|" else style)
            unit = row["measure_unit"]
            figures = f" {quantity(actual, unit, korean=korean) or '-'}"
            if target is not None:
                figures += f" / {quantity(target, unit, korean=korean)}"
            text.append(safe_plain(figures))
            if row["achievement"] is not None:
                text.append(f"  {percent(row['achievement'])}", style="dim")
            text.append(f"  {STATUS_WORDS.get(row['status'], row['status'])}\n", style=color)
        text.append(f"{'':<8} " + _("bar: actual   |: target"), style="dim")
        self.update(text)
