"""The KPI pane's table: one row per KPI of the current unit, sortable and filterable."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widgets import DataTable

from goaltui.humanize import percent, quantity, signed_change
from goaltui.i18n import N_, _, translated
from goaltui.model.enums import STATUS_TABLE
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.render import achievement_text, palette, sparkline, status_text
from goaltui.ui.widgets.due_table import due_mark
from goaltui.ui.widgets.tables import highlighted_key

COLUMNS: list[tuple[str, str, str]] = [
    # (key, label, frame column the sort uses). Most telling first, so a narrow terminal still
    # shows name, achievement and status; a wide one shows everything.
    ("name", N_("KPI"), "name"),
    ("achievement", N_("Achievement"), "achievement"),
    ("status", N_("Status"), "status_rank"),
    ("pace", N_("Pace"), "pace"),
    ("actual", N_("Actual"), "actual"),
    ("target", N_("Target"), "target"),
    ("period", N_("Period"), "period"),
    ("trend", N_("Trend"), "change_pct"),
    ("change", N_("vs prev"), "change"),
    ("forecast", N_("Forecast"), "forecast_achievement"),
]
NAME_WIDTH = 32
"""Longest KPI name shown in full; longer names are cut (the detail shows them whole)."""
STATUS_RANK = {s.id: s.rank for s in STATUS_TABLE}
"""Worst first when sorting by status."""


class KpiTable(DataTable[Text | str]):
    """KPIs with target, actual, achievement, status, a sparkline, change and forecast."""

    HELP = N_(
        "KPIs of the current unit. Achievement is actual / target so far; in the current "
        "period the status follows the pace (the projection's achievement), so a sum goal "
        "can be on track at 50% achievement mid-period. {enter}: open the goal. {sort}: sort "
        "by the next column, {sort-reverse}: reverse the sort. {filter}: filter by text."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort_next", N_("Sort"), id="sort", tooltip=N_("Sort by the next column")),
        Binding(
            "S", "sort_reverse", N_("Reverse"), id="sort-reverse", tooltip=N_("Reverse the sort")
        ),
    ]

    sort_index: reactive[int] = reactive(0)
    """Index into COLUMNS of the column the rows are sorted by."""
    sort_descending: reactive[bool] = reactive(False)
    """Whether the sort is descending."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._frame: pl.DataFrame | None = None
        self._korean = True
        self._due: frozenset[str] = frozenset()

    @property
    def goal_id(self) -> str | None:
        """The id of the highlighted KPI, if any."""
        return highlighted_key(self)

    def show(
        self,
        goals: pl.DataFrame,
        *,
        korean: bool,
        keep: str | None = None,
        due: frozenset[str] = frozenset(),
    ) -> None:
        """Show `goals` (evaluate_goals rows joined with trends); keep the cursor on `keep`;
        the goals in `due` owe a check-in and carry the due mark."""
        self._frame = goals
        self._korean = korean
        self._due = due
        self._render_rows(keep or self.goal_id)

    def watch_sort_index(self) -> None:
        self._render_rows(self.goal_id)

    def watch_sort_descending(self) -> None:
        self._render_rows(self.goal_id)

    def action_sort_next(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(COLUMNS)

    def action_sort_reverse(self) -> None:
        self.sort_descending = not self.sort_descending

    def _render_rows(self, keep: str | None) -> None:
        if self._frame is None or not self.is_mounted:
            return
        _, _, sort_column = COLUMNS[self.sort_index]
        frame = self._frame.with_columns(
            status_rank=pl.col("status").replace_strict(STATUS_RANK, default=9)
        ).sort(sort_column, "name", descending=self.sort_descending, nulls_last=True)
        theme = palette(self.app)
        # Columns are rebuilt so widths fit the new rows and the sorted column shows its arrow.
        self.clear(columns=True)
        for index, (key, label, _) in enumerate(COLUMNS):
            arrow = (" v" if self.sort_descending else " ^") if index == self.sort_index else ""
            width = None
            if key == "name":
                marked = 2 if not self._due.isdisjoint(frame["goal_id"].to_list()) else 0
                width = min(
                    NAME_WIDTH,
                    max(
                        [cell_len(safe_plain(n)) + marked for n in frame["name"]] + [len(label) + 2]
                    ),
                )
            self.add_column(translated(label) + arrow, key=key, width=width)
        korean = self._korean
        for row in frame.iter_rows(named=True):
            unit = row["measure_unit"]
            # Names and units are data: Text cells, never markup strings.
            name = safe_text(row["name"])
            if row["goal_id"] in self._due:
                name = due_mark(theme) + name
            self.add_row(
                name,
                achievement_text(row["achievement"], row["status"], theme),
                status_text(row["status"], theme),
                safe_text(percent(row["pace"])),
                safe_text(quantity(row["actual"], unit, korean=korean)),
                safe_text(_target_label(row, korean)),
                safe_text(row["period"]),
                sparkline(row.get("actuals")),
                safe_text(signed_change(row.get("change"), unit, korean=korean)),
                safe_text(_forecast_label(row, korean)),
                key=row["goal_id"],
            )
        if keep is not None and keep in frame["goal_id"].to_list():
            self.move_cursor(row=self.get_row_index(keep))


def _target_label(row: dict[str, object], korean: bool) -> str:
    unit = row["measure_unit"]
    target = row["target"]
    if target is None:
        return _("no baseline") if row.get("target_mode") == "change_pct" else ""
    assert isinstance(target, float)
    prefix = ">=" if row["direction"] == "at_least" else "<="
    return f"{prefix} {quantity(target, unit if isinstance(unit, str) else None, korean=korean)}"


def _forecast_label(row: dict[str, object], korean: bool) -> str:
    forecast = row.get("forecast")
    if not isinstance(forecast, float) or not row.get("is_current"):
        return ""
    unit = row["measure_unit"]
    achieved = row.get("forecast_achievement")
    text = quantity(forecast, unit if isinstance(unit, str) else None, korean=korean)
    if isinstance(achieved, float):
        text += f" ({percent(achieved)})"
    return text
