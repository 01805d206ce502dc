"""`goaltui lint`: the goal-quality findings as csv, json or a Rich table.

Headless: never imports Textual (Rich only for the table format). The rules live in
goaltui.metrics.quality; this module only formats their findings.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import date

import polars as pl

from goaltui.console import render_rich
from goaltui.i18n import N_, _, ngettext, speaking, translated
from goaltui.metrics.quality import (
    SEVERITY_ORDER,
    SEVERITY_WORDS,
    Severity,
    find_issues,
    lint_scope,
)
from goaltui.model.errors import GoaltuiError
from goaltui.model.quality import QualityThresholds
from goaltui.store.dataset import Dataset, without_archived
from goaltui.textsafe import safe_json, safe_plain, safe_text

LINT_COLUMNS = ("severity", "rule", "subject_id", "message", "suggestion")
"""The csv columns and json keys of `goaltui lint`, in order."""

FORMATS = ("table", "csv", "json")

SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_lint(
    dataset: Dataset,
    as_of: date,
    *,
    unit: str | None,
    fmt: str,
    thresholds: QualityThresholds,
    period: str | None = None,
    everything: bool = False,
) -> tuple[str, bool]:
    """The findings of `dataset` as of `as_of` (only `unit`'s subtree when given; the periods
    containing `as_of`, the one labelled `period`, or with `everything` all) in `fmt` (table,
    csv or json), and whether any finding is an error. The same data gives the same bytes."""
    if fmt not in FORMATS:
        raise GoaltuiError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    if not everything:
        dataset = without_archived(dataset)  # archived goals are checked only with all periods
    # csv and json are for machines: their messages are English whatever people read.
    with speaking("en") if fmt in ("csv", "json") else nullcontext():
        findings = find_issues(
            dataset, as_of, thresholds, unit=unit, period=period, everything=everything
        )
    has_errors = bool((findings.get_column("severity") == Severity.ERROR.value).any())
    rows = findings.select(LINT_COLUMNS)
    if fmt == "csv":
        # csv has no escapes of its own: control characters in names are made visible.
        printable = rows.with_columns(
            pl.col(LINT_COLUMNS).map_elements(safe_plain, return_dtype=pl.String, skip_nulls=True)
        )
        return printable.write_csv(), has_errors
    if fmt == "json":
        text = json.dumps(rows.to_dicts(), ensure_ascii=False, indent=2)
        return safe_json(text) + "\n", has_errors
    scope = lint_scope(as_of, period=period, everything=everything)
    return _table(rows, as_of, unit, scope.label), has_errors


_SEVERITY_COUNTS = {
    Severity.ERROR: lambda n: ngettext("{count} error", "{count} errors", n),
    Severity.WARNING: lambda n: ngettext("{count} warning", "{count} warnings", n),
    Severity.INFO: lambda n: ngettext("{count} info", "{count} info", n),
}


def summary(findings: pl.DataFrame) -> str:
    """`1 error, 3 warnings, 1 info` (severities with no finding left out), or `No findings`."""
    counts = dict(findings.group_by("severity").len().iter_rows())
    parts = []
    for severity in SEVERITY_ORDER:
        count = counts.get(severity.value, 0)
        if count:
            parts.append(_SEVERITY_COUNTS[severity](count).format(count=count))
    return ", ".join(parts) if parts else _("No findings")


def _table(rows: pl.DataFrame, as_of: date, unit: str | None, scope: str) -> str:
    from rich.table import Table

    title = (
        _("Goal quality as of {date} in {unit} and below: {scope}")
        if unit
        else _("Goal quality as of {date}: {scope}")
    )
    table = Table(
        title=safe_text(title.format(date=as_of.isoformat(), unit=unit, scope=scope)),
        title_justify="left",
        show_lines=True,
    )
    for header in (N_("severity"), N_("rule"), N_("subject"), N_("finding"), N_("suggestion")):
        table.add_column(translated(header), overflow="fold")
    for severity, rule, subject, message, suggestion in rows.iter_rows():
        style = SEVERITY_STYLES.get(Severity(severity), "")
        # Text cells: findings quote names, which are data and never Rich markup.
        table.add_row(
            safe_text(translated(SEVERITY_WORDS.get(severity, severity)), style),
            *(safe_text(cell) for cell in (rule, subject, message, suggestion)),
        )
    return render_rich(*([] if rows.is_empty() else [table]), safe_text(summary(rows)))
