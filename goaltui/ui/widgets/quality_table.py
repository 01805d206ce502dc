"""The Quality pane: goal-quality findings of the current subtree, grouped by rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from goaltui.i18n import N_, _, translated
from goaltui.metrics.quality import RULES, SEVERITY_WORDS
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.render import palette
from goaltui.ui.widgets.tables import highlighted_key

SEVERITY_VARIABLES = {"error": "error", "warning": "warning", "info": "primary"}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class QualityTable(DataTable[Text | str]):
    """One row per finding; the rule is named once per group. Enter jumps to the subject."""

    HELP = N_(
        "Goal-quality findings (the guide's criteria for good KPIs and OKRs) in the current "
        "unit and below. Enter: go to the goal, objective or unit concerned."
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

    def waiting(self) -> None:
        """Say that the findings are still being computed."""
        self.clear(columns=True)
        self.add_column(_("Rule"), key="rule")
        self.add_row(Text(_("Checking goal quality..."), style="dim"))
        self._rows = {}
        self.post_message(self.Explain(None))

    def show(self, findings: pl.DataFrame, names: dict[str, str]) -> None:
        """Show `findings` (find_issues rows); `names` maps goal/unit ids to display names."""
        theme = palette(self.app)
        self.clear(columns=True)
        for key, label in (
            ("rule", N_("Rule")),
            ("severity", N_("Severity")),
            ("subject", N_("Goal / unit")),
            ("message", N_("What")),
        ):
            self.add_column(translated(label), key=key)
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
            self._rows[key] = row
            self.add_row(
                # Findings quote names: Text cells, never markup strings.
                safe_text(rule if rule != previous_rule else "", "bold"),
                safe_text(translated(SEVERITY_WORDS.get(row["severity"], row["severity"])), color),
                safe_text(names.get(row["subject_id"], row["subject_id"])),
                safe_text(row["message"]),
                key=key,
            )
            previous_rule = rule
        if not ordered.height:
            self.add_row("", "", _("No findings: these goals meet the guide's criteria."), "")
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


def explain_finding(finding: dict[str, str] | None) -> Text:
    """A finding in plain words: what the rule checks and why (from the guide), what is wrong
    here, and what to do about it."""
    if finding is None:
        return Text("")
    rule = RULES.get(finding["rule"])
    text = Text()
    text.append(safe_plain(finding["rule"]), style="bold")
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
