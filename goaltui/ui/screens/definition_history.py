"""A definition's history as the goal detail shows it: who, when, and before -> after for each
changed field, newest first."""

from __future__ import annotations

from rich.text import Text

from goaltui.i18n import _
from goaltui.store.authoring import DefinitionChange
from goaltui.textsafe import safe_plain

MAX_SHOWN = 20
"""Entries shown at most (the export keeps them all)."""


def history_text(changes: list[DefinitionChange]) -> Text:
    """One block per change: `2026-12-02 01:10  alice  edited` then one line per field,
    `target: 100 -> 120` (`(empty)` for a value not given). Data is Text, never markup."""
    if not changes:
        return Text(_("No recorded change."), style="dim")
    text = Text()
    for number, change in enumerate(changes[:MAX_SHOWN]):
        if number:
            text.append("\n")
        text.append(change.changed_at.strftime("%Y-%m-%d %H:%M"), style="bold")
        text.append("  ")
        text.append(safe_plain(change.changed_by or _("unknown")))
        if change.table == "targets":
            period = change.row_id.partition("/")[2]
            text.append("  ")
            text.append(safe_plain(_("target for {period}").format(period=period)), style="dim")
        for column, before, after in change.fields:
            text.append("\n  ")
            text.append(safe_plain(column), style="italic")
            text.append(": ")
            text.append(safe_plain(before) if before is not None else _("(empty)"), style="dim")
            text.append(" -> ")
            text.append(safe_plain(after) if after is not None else _("(empty)"))
    if len(changes) > MAX_SHOWN:
        more = len(changes) - MAX_SHOWN
        text.append("\n")
        text.append(_("... and {count} earlier changes").format(count=more), style="dim")
    return text
