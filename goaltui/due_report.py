"""`goaltui due`: who owes a check-in, as csv, json, a Rich table or the weekly reminder post
in Markdown. Headless: never imports Textual (Rich only for the table format)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import polars as pl

from goaltui.console import render_rich
from goaltui.humanize import overdue_words, quantity
from goaltui.i18n import N_, _, is_korean, ngettext, translated
from goaltui.metrics.due import DUE_COLUMNS, due_goals, escalations
from goaltui.metrics.tree import closure, subtree_ids
from goaltui.model.enums import CADENCE_WORDS
from goaltui.model.errors import GoaltuiError
from goaltui.store.dataset import Dataset, without_archived
from goaltui.textsafe import safe_plain, safe_text

FORMATS = ("table", "csv", "json", "md")


def parse_within(text: str) -> int:
    """The --within option: a whole number of days, 0 or more. Raises GoaltuiError."""
    if not re.fullmatch(r"\+?\d+", text.strip()):
        raise GoaltuiError(f"--within: {text!r} is not a number of days (use 0, 7, 14...)")
    return int(text)


def due_frame(dataset: Dataset, as_of: date, *, unit: str | None, within: int) -> pl.DataFrame:
    """`due_goals` restricted to `unit`'s subtree when given. Raises GoaltuiError for an
    unknown unit. Archived goals owe nothing."""
    due = due_goals(without_archived(dataset), as_of, within=within)
    if unit is not None:
        if unit not in set(dataset.units.get_column("id").to_list()):
            raise GoaltuiError(f"--unit: no unit has the id {unit!r}")
        due = due.filter(pl.col("unit_id").is_in(subtree_ids(dataset.units, unit).implode()))
    return due


def render_due(dataset: Dataset, as_of: date, *, unit: str | None, within: int, fmt: str) -> str:
    """The due list of `dataset` as of `as_of` in format `fmt` (DESIGN.md, command line).
    Raises GoaltuiError for an unknown unit or format."""
    if fmt not in FORMATS:
        raise GoaltuiError(f"unknown due format {fmt!r} (use {', '.join(FORMATS)})")
    due = due_frame(dataset, as_of, unit=unit, within=within)
    rows = due.select(list(DUE_COLUMNS))
    if fmt == "csv":
        return rows.write_csv(date_format="%Y-%m-%d")
    if fmt == "json":
        text = rows.with_columns(pl.col("last_checkin", "due").dt.to_string("%Y-%m-%d"))
        return text.write_json() + "\n"
    korean = is_korean()
    if fmt == "md":
        return reminder_post(dataset, due, as_of, unit=unit, korean=korean)
    return _table(dataset, due, as_of)


# ---------------------------------------------------------------------------------------------
# For people. These loop over the rows they print, never compute.


def overdue_style(days_overdue: int, escalated: bool) -> str:
    """The Rich style of a due row: red past due (bold when escalated), yellow due today."""
    if days_overdue > 0:
        return "bold red" if escalated else "red"
    return "yellow" if days_overdue == 0 else "dim"


def last_value_text(row: dict[str, Any], *, korean: bool) -> str:
    """The latest counting check-in as people read it: `33.5% on 2026-11-06`, or that there is
    none."""
    if row["last_checkin"] is None:
        return _("no check-in yet")
    value = quantity(row["last_value"], row["measure_unit"], korean=korean)
    if row["aggregation"] == "ratio" and row["last_denominator"] is not None:
        value = f"{quantity(row['last_value'], None)} / {quantity(row['last_denominator'], None)}"
    return _("{value} on {date}").format(value=value, date=row["last_checkin"].isoformat())


def checkin_command(row: dict[str, Any]) -> str:
    """How to check in from the command line."""
    ratio = " --denominator N" if row["aggregation"] == "ratio" else ""
    return f"goaltui checkin {safe_plain(row['goal_id'])} VALUE{ratio}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", safe_plain(text))


def _unit_order(units: pl.DataFrame) -> list[tuple[str, str]]:
    """(id, name) of every unit, depth-first from the root, siblings by id."""
    paths = (
        closure(units)
        .sort("unit_id", "depth", descending=[False, True])
        .group_by("unit_id", maintain_order=True)
        .agg(path=pl.col("ancestor_id").str.join("\x00"))
        .join(units.select(unit_id=pl.col("id"), name=pl.col("name")), on="unit_id")
        .sort("path")
    )
    return [(r["unit_id"], r["name"]) for r in paths.iter_rows(named=True)]


def reminder_post(
    dataset: Dataset, due: pl.DataFrame, as_of: date, *, unit: str | None, korean: bool
) -> str:
    """The weekly reminder a team lead pastes into chat or mail: per owner (in the order of the
    organisation tree) each goal they owe with its last value and how to check in; under a
    parent unit, the goals of the units below it that are more than twice their cadence late."""
    names = dict(dataset.units.select("id", "name").iter_rows())
    own: dict[str, list[dict[str, Any]]] = {}
    for row in due.iter_rows(named=True):
        own.setdefault(row["unit_id"], []).append(row)
    up: dict[str, list[dict[str, Any]]] = {}
    escalated = escalations(due)
    if unit is not None:
        inside = subtree_ids(dataset.units, unit).implode()
        escalated = escalated.filter(pl.col("unit_id").is_in(inside))
    for row in escalated.iter_rows(named=True):
        up.setdefault(row["unit_id"], []).append(row)

    lines = ["# " + _("Check-ins due as of {date}").format(date=as_of.isoformat()), ""]
    if due.height == 0:
        lines += [_("Nobody owes a check-in. Thank you all!"), ""]
        return "\n".join(lines)
    lines += [
        ngettext(
            "{count} goal needs a check-in. Please check in today: in the dashboard press `c` "
            "on the goal, or run the command shown.",
            "{count} goals need a check-in. Please check in today: in the dashboard press `c` "
            "on the goal, or run the command shown.",
            due.height,
        ).format(count=due.height),
        "",
    ]
    for unit_id, name in _unit_order(dataset.units):
        mine, below = own.get(unit_id, []), up.get(unit_id, [])
        if not mine and not below:
            continue
        lines += [f"## {_md(name)} ({_md(unit_id)})", ""]
        for row in mine:
            kind = "KPI" if row["kind"] == "kpi" else "KR"
            cadence = translated(CADENCE_WORDS.get(row["cadence"], row["cadence"] or ""))
            if row["escalated"]:
                when = _("due {due}, {cadence}; **more than twice its cadence late**")
            else:
                when = _("due {due}, {cadence}")
            lines += [
                f"- {kind} **{_md(row['name'])}**: {overdue_words(row['days_overdue'])} "
                f"({when.format(due=row['due'].isoformat(), cadence=cadence)}). "
                + _("Last: {last}.").format(last=_md(last_value_text(row, korean=korean))),
                "  " + _("Check in: {command}").format(command=f"`{checkin_command(row)}`"),
            ]
        if below:
            if mine:
                lines.append("")
            lines += [_("Long overdue below this unit (more than twice the cadence):"), ""]
            for row in below:
                owner = names.get(row["parent_unit_id"], row["parent_unit_id"])
                lines.append(
                    f"- {_md(owner)} ({_md(row['parent_unit_id'])}): **{_md(row['name'])}**, "
                    f"{overdue_words(row['days_overdue'])} ("
                    + _("due {due}, {cadence}").format(
                        due=row["due"].isoformat(),
                        cadence=translated(CADENCE_WORDS.get(row["cadence"], row["cadence"] or "")),
                    )
                    + ")"
                )
        lines.append("")
    return "\n".join(lines)


def _table(dataset: Dataset, due: pl.DataFrame, as_of: date) -> str:
    from rich.table import Table
    from rich.text import Text

    names = dict(dataset.units.select("id", "name").iter_rows())
    table = Table(
        title=_("Check-ins due as of {date}").format(date=as_of.isoformat()), title_justify="left"
    )
    for header in (
        N_("due"),
        N_("overdue"),
        N_("goal"),
        N_("kind"),
        N_("owner"),
        N_("name"),
        N_("cadence"),
        N_("last check-in"),
    ):
        table.add_column(translated(header))
    for row in due.iter_rows(named=True):
        words = overdue_words(row["days_overdue"])
        if row["escalated"]:
            words += _(", escalated")
        last = row["last_checkin"]
        table.add_row(
            row["due"].isoformat(),
            Text(words, style=overdue_style(row["days_overdue"], row["escalated"])),
            safe_text(row["goal_id"]),
            _("KPI") if row["kind"] == "kpi" else _("KR"),
            safe_text(names.get(row["unit_id"], row["unit_id"])),
            safe_text(row["name"]),
            translated(CADENCE_WORDS.get(row["cadence"], row["cadence"] or "")),
            last.isoformat() if last is not None else "",
        )
    if due.height == 0:
        return render_rich(table, Text("Nobody owes a check-in."))
    return render_rich(table)
