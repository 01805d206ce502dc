"""The Quality pane: goal-quality findings of the current subtree, grouped by rule."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

import polars as pl
from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from goaltui.i18n import N_, _, translated
from goaltui.metrics.quality import RULES, SEVERITY_WORDS
from goaltui.model.enums import PeriodUnit
from goaltui.model.period import Period
from goaltui.store.dataset import Dataset
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.render import palette
from goaltui.ui.widgets.tables import highlighted_key

SEVERITY_VARIABLES = {"error": "error", "warning": "warning", "info": "primary"}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class QualityTable(DataTable[Text | str]):
    """One row per finding; the rule is named once per group. Enter jumps to the subject."""

    HELP = N_(
        "Goal-quality findings (the guide's criteria for good KPIs and OKRs) in the current "
        "unit and below. {quality-open}: go to the goal, objective or unit concerned."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            N_("Go to"),
            id="quality-open",
            tooltip=N_("Go to the subject"),
        ),
    ]

    @dataclass
    class Jump(Message):
        """The user wants to see the subject of a finding."""

        subject_id: str
        subject_kind: str
        unit_id: str

    @dataclass
    class Explain(Message):
        """The highlighted finding changed (None: no finding highlighted)."""

        finding: dict[str, str] | None

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._rows: dict[str, dict[str, str]] = {}
        self._shown: tuple[pl.DataFrame, dict[str, str], dict[str, str]] | None = None
        self._shown_width = 0

    def on_resize(self) -> None:
        # The "What" column is cut to the pane's width, which is 0 while the tab is hidden.
        if self._shown is not None and self.size.width != self._shown_width:
            self.show(*self._shown)

    def waiting(self) -> None:
        """Say that the findings are still being computed."""
        self.clear(columns=True)
        self.add_column(_("Rule"), key="rule")
        self.add_row(Text(_("Checking goal quality..."), style="dim"))
        self._rows = {}
        self._shown = None
        self.post_message(self.Explain(None))

    def show(
        self, findings: pl.DataFrame, names: dict[str, str], periods: dict[str, str] | None = None
    ) -> None:
        """Show `findings` (find_issues rows); `names` maps goal/unit ids to display names,
        `periods` goal ids to the period the finding is about (an objective's quarter), so
        that findings of one title in different quarters are told apart. "What" is cut to the
        width with an ellipsis; the line under the table has it in full."""
        periods = periods or {}
        self._shown, self._shown_width = (findings, names, periods), self.size.width
        theme = palette(self.app)
        self.clear(columns=True)
        subjects = [safe_plain(names.get(i, i)) for i in findings["subject_id"].to_list()]
        rules = [safe_plain(r) for r in findings["rule"].to_list()]
        labels = {
            "rule": _("Rule"),
            "severity": _("Severity"),
            "subject": _("Goal / unit"),
            "period": _("Period"),
        }
        contents = {
            "rule": rules,
            "severity": [safe_plain(v) for v in findings["severity"].to_list()],
            "subject": subjects,
            "period": list(periods.values())[:1] or [""],
        }
        widths = {
            key: max([cell_len(labels[key])] + [cell_len(v) for v in contents[key]])
            for key in labels
        }
        # Each column has one cell of padding at each side; a scrollbar may take two more.
        # The subject gives way (down to 12) so that "What" keeps at least 30 cells.
        fixed = sum(widths[k] + 2 for k in ("rule", "severity", "period")) + 2 + 2
        widths["subject"] = max(12, min(32, widths["subject"], self.size.width - fixed - 32))
        room = max(10, self.size.width - fixed - widths["subject"] - 2)
        for key, label in labels.items():
            self.add_column(label, key=key, width=widths[key])
        self.add_column(_("What"), key="message", width=room)
        # Groups of one rule each, the groups with errors first.
        ordered = findings.sort(
            pl.col("severity").replace_strict(SEVERITY_RANK, default=3).min().over("rule"),
            "rule",
            "subject_id",
        )
        self._rows = {}
        previous_rule = None
        for index, row in enumerate(ordered.iter_rows(named=True)):
            rule = row["rule"]
            color = theme.get(SEVERITY_VARIABLES.get(row["severity"], "primary"), "")
            key = f"{index}"
            self._rows[key] = {**row, "period": periods.get(row["subject_id"], "")}
            self.add_row(
                # Findings quote names: Text cells, never markup strings.
                safe_text(rule if rule != previous_rule else "", "bold"),
                safe_text(translated(SEVERITY_WORDS.get(row["severity"], row["severity"])), color),
                _cut(safe_text(names.get(row["subject_id"], row["subject_id"])), widths["subject"]),
                safe_text(periods.get(row["subject_id"], "")),
                _cut(safe_text(row["message"]), room),
                key=key,
            )
            previous_rule = rule
        if not ordered.height:
            self.add_row("", "", _("No findings: these goals meet the guide's criteria."), "", "")
        self._explain()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._explain()

    def _explain(self) -> None:
        """Tell the screen about the highlighted finding, so it can explain it in words."""
        key = highlighted_key(self)
        self.post_message(self.Explain(self._rows.get(key) if key is not None else None))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._rows.get(str(event.row_key.value))
        if row is not None:
            self.post_message(self.Jump(row["subject_id"], row["subject_kind"], row["unit_id"]))


def _cut(text: Text, width: int) -> Text:
    text.truncate(width, overflow="ellipsis")
    return text


def finding_periods(dataset: Dataset, as_of: date) -> dict[str, str]:
    """The period each goal's findings are about: an objective's and its key results' period,
    a KPI's current period as of `as_of`."""
    periods = dict(zip(dataset.objectives["id"], dataset.objectives["period"], strict=True))
    krs = dataset.key_results
    for kr_id, objective_id in zip(krs["id"], krs["objective_id"], strict=True):
        if objective_id in periods:
            periods[kr_id] = periods[objective_id]
    kpis = dataset.kpis
    for kpi_id, unit in zip(kpis["id"], kpis["period"], strict=True):
        with suppress(ValueError):
            periods[kpi_id] = Period.containing(PeriodUnit(unit), as_of).label
    return periods


def explain_finding(finding: dict[str, str] | None) -> Text:
    """A finding in plain words: what the rule checks and why (from the guide), what is wrong
    here, and what to do about it."""
    if finding is None:
        return Text("")
    rule = RULES.get(finding["rule"])
    text = Text()
    text.append(safe_plain(finding["rule"]), style="bold")
    if finding.get("period"):
        text.append(f" ({finding['period']})", style="bold")
    if rule is not None:
        # The finding's explanation carries the configured thresholds.
        text.append(f": {finding.get('explanation') or translated(rule.explanation)}\n")
        text.append(f"{translated(rule.reasoning)}\n", style="dim italic")
    else:
        text.append("\n")
    text.append(f"{safe_plain(finding['message'])}\n")
    if finding.get("suggestion"):
        text.append(_("Suggestion: "), style="bold")
        text.append(safe_plain(finding["suggestion"]))
    return text
