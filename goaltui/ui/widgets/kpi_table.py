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
from goaltui.i18n import N_, _, ngettext, translated
from goaltui.model.enums import STATUS_TABLE
from goaltui.textsafe import safe_text
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
NAME_MIN_WIDTH = 14
"""The narrowest the name column gets before a lower-priority column is dropped instead."""
KEPT_COLUMNS = ("name", "achievement", "status")
"""Columns shown however narrow the table: the others drop, last in COLUMNS first."""
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
        self._shown_width = 0
        self.dropped: tuple[str, ...] = ()
        """Keys of the columns left out because the table is too narrow for them."""

    def on_resize(self) -> None:
        if self._frame is not None and self._width() != self._shown_width:
            self._render_rows(self.goal_id)

    def _width(self) -> int:
        return self.scrollable_content_region.width

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
        korean = self._korean
        rows: list[list[Text]] = []
        for row in frame.iter_rows(named=True):
            unit = row["measure_unit"]
            # Names and units are data: Text cells, never markup strings.
            name = safe_text(row["name"])
            if row["goal_id"] in self._due:
                name = due_mark(theme) + name
            rows.append(
                [
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
                ]
            )
        headers = []
        for index, (_key, label, _column) in enumerate(COLUMNS):
            arrow = (" v" if self.sort_descending else " ^") if index == self.sort_index else ""
            headers.append(translated(label) + arrow)
        shown, name_width = self._fit(headers, rows)
        self._shown_width = self._width()
        self.dropped = tuple(key for key, _label, _column in COLUMNS if key not in shown)
        if self.dropped:
            # Nothing is cut silently: the name's header says how many columns are left out.
            headers[0] = _hinted(headers[0], len(self.dropped))
        # Columns are rebuilt so widths fit the new rows and the sorted column shows its arrow.
        self.clear(columns=True)
        for index, (key, _label, _column) in enumerate(COLUMNS):
            if key in shown:
                width = name_width if key == "name" else None
                self.add_column(headers[index], key=key, width=width)
        for row, cells in zip(frame.iter_rows(named=True), rows, strict=True):
            name = cells[0]
            if name.cell_len > name_width:
                name = name.copy()
                name.truncate(name_width, overflow="ellipsis")
            kept = [name] + [
                cell
                for (key, _l, _c), cell in zip(COLUMNS[1:], cells[1:], strict=True)
                if key in shown
            ]
            self.add_row(*kept, key=row["goal_id"])
        if keep is not None and keep in frame["goal_id"].to_list():
            self.move_cursor(row=self.get_row_index(keep))

    def _fit(self, headers: list[str], rows: list[list[Text]]) -> tuple[set[str], int]:
        """The keys of the columns that fit the table's width, by priority (COLUMNS' order,
        KEPT_COLUMNS always), and the name column's width."""
        padding = 2 * self.cell_padding
        widths = [
            max([cell_len(header)] + [row[index].cell_len for row in rows]) + padding
            for index, header in enumerate(headers)
        ]
        everything = {key for key, _label, _column in COLUMNS}
        name_full = min(NAME_WIDTH, widths[0] - padding)
        available = self._width()
        if not available:  # not laid out yet: everything, as before
            return everything, name_full
        if sum(widths[1:]) + name_full + padding <= available:
            return everything, name_full
        # Something drops: the name's header then carries the hint and needs room for it.
        hint = cell_len(_hinted(headers[0], len(COLUMNS) - len(KEPT_COLUMNS)))
        name_min = max(NAME_MIN_WIDTH, hint)
        name_need = max(name_full, name_min)
        shown = set(KEPT_COLUMNS)
        used = sum(widths[i] for i, (key, _l, _c) in enumerate(COLUMNS) if key in shown)
        used -= widths[0]
        # By priority: a lower column only beside the whole name, and none after one that
        # did not fit.
        for index, (key, _label, _column) in enumerate(COLUMNS):
            if key in shown:
                continue
            if used + widths[index] + name_need + padding > available:
                break
            shown.add(key)
            used += widths[index]
        name_width = max(name_min, min(name_need, available - used - padding))
        return shown, name_width


def _hinted(header: str, count: int) -> str:
    """The name column's header saying how many columns are left out."""
    return ngettext("{label} +{count} column", "{label} +{count} columns", count).format(
        label=header, count=count
    )


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
