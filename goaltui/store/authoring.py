"""Adding and editing one definition (a unit, KPI, objective, key result or target) with exactly
the import's rules: the row goes through the same validation and write as a one-row import, so
the history records it like any other change."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from goaltui.model.errors import ValidationError
from goaltui.store.cells import SPECS
from goaltui.store.cycle import read_cycle_table
from goaltui.store.db import read_session
from goaltui.store.importer import import_path
from goaltui.store.reading import REQUIRED_FILES

DEFINITION_TABLES = ("units", "kpis", "objectives", "key_results", "targets")
"""The tables a form may write one row of."""

_PROBLEM = re.compile(r"^[^:]+:\d+: (?P<field>[a-z_]+): (?P<reason>.*)$", re.S)


def _source(folder: Path, table: str, row: dict[str, str | None]) -> Path:
    if table not in DEFINITION_TABLES:
        raise ValueError(f"not a definition table: {table}")
    columns = [c.name for c in SPECS[table]]
    unknown = sorted(set(row) - set(columns))
    if unknown:
        raise ValueError(f"{table} has no column {', '.join(unknown)}")
    for name in REQUIRED_FILES:
        header = ",".join(c.name for c in SPECS[name])
        (folder / f"{name}.csv").write_text(header + "\n", encoding="utf-8")
    cells = {c: [row.get(c)] for c in columns}
    pl.DataFrame(cells, schema=dict.fromkeys(columns, pl.String)).write_csv(folder / f"{table}.csv")
    return folder


def _by_field(error: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for problem in error.problems:
        match = _PROBLEM.match(problem)
        field, reason = (match["field"], match["reason"]) if match else ("", problem)
        found.setdefault(field, reason)
    return found


def definition_problems(db: Path, table: str, row: dict[str, str | None]) -> dict[str, str]:
    """What the import would say about `row` (cells as typed) merged into the database at `db`,
    by column ("" for a problem of no one column); empty when it may be saved. Writes nothing."""
    with tempfile.TemporaryDirectory(prefix="goaltui-form-") as folder:
        try:
            import_path(db, _source(Path(folder), table, row), check_only=True)
        except ValidationError as error:
            return _by_field(error)
    return {}


def save_definition(db: Path, table: str, row: dict[str, str | None]) -> None:
    """Add or replace (by id; a target by goal_id and period) one row of `table`, recording the
    change in the history. Raises ValidationError whose problems read `column: reason`."""
    with tempfile.TemporaryDirectory(prefix="goaltui-form-") as folder:
        try:
            import_path(db, _source(Path(folder), table, row))
        except ValidationError as error:
            raise ValidationError(
                [
                    f"{field}: {reason}" if field else reason
                    for field, reason in _by_field(error).items()
                ]
            ) from None


@dataclass(frozen=True)
class DefinitionChange:
    """One history entry of a definition: who changed it, when, and each changed column's text
    before and after (None: not given; the whole row added or removed shows every column)."""

    changed_by: str | None
    changed_at: datetime
    table: str
    row_id: str
    fields: tuple[tuple[str, str | None, str | None], ...]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def definition_changes(db: Path, table: str, row_id: str) -> list[DefinitionChange]:
    """The history of one definition (`table` and its row id; a KPI's or key result's targets,
    keyed `goal/period`, come with it), newest first. Opens the database at `db`."""
    with read_session(db) as con:
        history = read_cycle_table(con, "history")
    return changes_in(history, table, row_id)


def changes_in(history: pl.DataFrame, table: str, row_id: str) -> list[DefinitionChange]:
    """The entries of `history` (a history table) about one definition, as definition_changes
    gives them."""
    wanted = (pl.col("table_name") == table) & (pl.col("row_id") == row_id)
    if table in ("kpis", "key_results"):
        wanted |= (pl.col("table_name") == "targets") & pl.col("row_id").str.starts_with(
            row_id + "/"
        )
    rows = history.filter(wanted).sort("seq", descending=True)
    changes: list[DefinitionChange] = []
    for entry in rows.iter_rows(named=True):
        before = json.loads(entry["before"]) if entry["before"] else {}
        after = json.loads(entry["after"]) if entry["after"] else {}
        fields = tuple(
            (column, _text(before.get(column)), _text(after.get(column)))
            for column in dict.fromkeys([*before, *after])
            if before.get(column) != after.get(column)
        )
        changes.append(
            DefinitionChange(
                entry["changed_by"],
                entry["changed_at"],
                entry["table_name"],
                entry["row_id"],
                fields,
            )
        )
    return changes
