"""The one declaration of goaltui's tables: every column's name, type, whether it may be empty,
its default, how its cells are read and checked, and where export writes it.

Everything that names columns derives from TABLES: the DuckDB schema (schema.py), the
PostgreSQL tables (pg_schema.py, which adds by hand what only PostgreSQL has: roles, grants,
row-level security, triggers), the frames the store reads (dataset.py, cycle.py), the cell rules
of the interchange format (cells.py), export, and the column lists of every insert. A new column
is one more entry here (and, for databases that exist already, one migration step).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from goaltui.model.enums import (
    Aggregation,
    Cadence,
    Commitment,
    Direction,
    PeriodUnit,
    TargetMode,
    UnitKind,
)

Kind = Literal["text", "choice", "number", "date", "timestamp", "serial"]
"""How a column is stored and how its cells read: text, one of some words, a number, a date, a
moment (UTC), or an entry number that goaltui assigns (never a cell of the format)."""

Dialect = Literal["duckdb", "postgresql"]

_SQL_TYPES: dict[Dialect, dict[Kind, str]] = {
    "duckdb": {
        "text": "VARCHAR",
        "choice": "VARCHAR",
        "number": "DOUBLE",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "serial": "BIGINT",
    },
    "postgresql": {
        "text": "VARCHAR",
        "choice": "VARCHAR",
        "number": "DOUBLE PRECISION",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "serial": "BIGINT",
    },
}

_DTYPES: dict[Kind, pl.DataType] = {
    "text": pl.String(),
    "choice": pl.String(),
    "number": pl.Float64(),
    "date": pl.Date(),
    "timestamp": pl.Datetime("us"),
    "serial": pl.Int64(),
}


@dataclass(frozen=True)
class Col:
    """One column of a table."""

    name: str
    kind: Kind = "text"
    null: bool = True
    """The database may hold no value (NOT NULL otherwise)."""
    required: bool = False
    """Every row of the interchange file must give the cell (and its header the column)."""
    in_header: bool = False
    """The file's header must name the column even though a cell may be empty."""
    choices: tuple[str, ...] = ()
    default: str | float | None = None
    """What an import stores for an empty cell."""
    exported: bool = True
    """A column of the interchange format (export writes it, import reads it)."""

    @property
    def dtype(self) -> pl.DataType:
        """The polars type of the column's values."""
        return _DTYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One table: its columns in the order the database stores them."""

    name: str
    columns: tuple[Col, ...]
    key: tuple[str, ...] = ()
    """The primary key (none: empty)."""
    order: tuple[str, ...] = ()
    """How its rows are sorted when read (default: the key)."""
    export_order: tuple[str, ...] = field(default=())
    """The order export writes its columns (default: the stored order of the exported ones)."""

    @property
    def names(self) -> tuple[str, ...]:
        """The stored columns, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Column names and polars types, in the stored order."""
        return {c.name: c.dtype for c in self.columns}

    @property
    def sort_keys(self) -> tuple[str, ...]:
        return self.order or self.key

    @property
    def exported(self) -> tuple[Col, ...]:
        """The columns of the interchange format, in the order export writes them."""
        by_name = {c.name: c for c in self.columns}
        if self.export_order:
            return tuple(by_name[n] for n in self.export_order)
        return tuple(c for c in self.columns if c.exported)

    @property
    def defaults(self) -> dict[str, str | float]:
        """What an import stores for an empty cell, by column."""
        return {c.name: c.default for c in self.columns if c.default is not None}

    def ddl(
        self,
        dialect: Dialect,
        *,
        if_not_exists: bool = False,
        extra: Mapping[str, str] | None = None,
    ) -> str:
        """CREATE TABLE in `dialect`; `extra` adds dialect-only text after a column's type
        (defaults, named constraints), keyed by column."""
        extra = extra or {}
        lines = []
        for column in self.columns:
            line = f"{column.name} {_SQL_TYPES[dialect][column.kind]}"
            if not column.null:
                line += " NOT NULL"
            if column.name in extra:
                line += " " + extra[column.name]
            lines.append(line)
        if self.key and not any("PRIMARY KEY" in extra.get(k, "") for k in self.key):
            lines.append(f"PRIMARY KEY ({', '.join(self.key)})")
        exists = "IF NOT EXISTS " if if_not_exists else ""
        body = ",\n    ".join(lines)
        return f"CREATE TABLE {exists}{self.name} (\n    {body}\n);\n"


def choices_of(
    values: type[
        UnitKind | Direction | Aggregation | PeriodUnit | TargetMode | Cadence | Commitment
    ],
) -> tuple[str, ...]:
    """The allowed values of an enum column, as the interchange format writes them."""
    return tuple(str(v.value) for v in values)


def _id() -> Col:
    return Col("id", null=False, required=True)


def _ref(name: str) -> Col:
    return Col(name, null=False, required=True)


META = Table(
    "goaltui_meta",
    (Col("key", null=False), Col("value", null=False)),
    key=("key",),
)
"""What the database says of itself: the application and the schema version."""

UNITS = Table(
    "units",
    (
        _id(),
        Col("name", null=False, required=True),
        Col("parent_id"),
        Col("kind", "choice", null=False, required=True, choices=choices_of(UnitKind)),
        Col("login"),
    ),
    key=("id",),
)

KPIS = Table(
    "kpis",
    (
        _id(),
        _ref("unit_id"),
        Col("name", null=False, required=True),
        Col("unit", required=True),
        Col("direction", "choice", null=False, required=True, choices=choices_of(Direction)),
        Col("aggregation", "choice", null=False, required=True, choices=choices_of(Aggregation)),
        Col("period", "choice", null=False, required=True, choices=choices_of(PeriodUnit)),
        Col(
            "target_mode",
            "choice",
            null=False,
            choices=choices_of(TargetMode),
            default=TargetMode.ABSOLUTE.value,
        ),
        Col("target", "number"),
        Col("parent_id"),
        Col("category"),
        Col("description"),
        Col(
            "cadence",
            "choice",
            null=False,
            choices=choices_of(Cadence),
            default=Cadence.MONTHLY.value,
        ),
        # The day a goal was archived (it leaves the dashboard, stays in exports); empty: active.
        Col("archived", "date"),
    ),
    key=("id",),
)

OBJECTIVES = Table(
    "objectives",
    (
        _id(),
        _ref("unit_id"),
        Col("title", null=False, required=True),
        Col("period", null=False, required=True),
        Col("parent_id"),
        Col("description"),
        Col(
            "commitment",
            "choice",
            null=False,
            choices=choices_of(Commitment),
            default=Commitment.ASPIRATIONAL.value,
        ),
        Col("carried_from"),
        # The day a goal was archived (it leaves the dashboard, stays in exports); empty: active.
        Col("archived", "date"),
    ),
    key=("id",),
)

KEY_RESULTS = Table(
    "key_results",
    (
        _id(),
        _ref("objective_id"),
        Col("title", null=False, required=True),
        Col("unit"),
        Col("direction", "choice", choices=choices_of(Direction)),
        Col("aggregation", "choice", choices=choices_of(Aggregation)),
        Col(
            "target_mode",
            "choice",
            null=False,
            choices=choices_of(TargetMode),
            default=TargetMode.ABSOLUTE.value,
        ),
        Col("target", "number"),
        Col("baseline", "number"),
        Col("weight", "number", null=False, default=1.0),
        Col("kpi_id"),
        # Empty for a key result with kpi_id: it follows its KPI's cadence (the importer keeps
        # the default to the others).
        Col("cadence", "choice", choices=choices_of(Cadence), default=Cadence.WEEKLY.value),
        # The day a goal was archived (it leaves the dashboard, stays in exports); empty: active.
        Col("archived", "date"),
    ),
    key=("id",),
)

CHECKINS = Table(
    "checkins",
    (
        Col("seq", "serial", null=False, exported=False),
        # Unique, checked by the importer and append_checkin. Not a PRIMARY KEY in DuckDB:
        # maintaining its index made importing a million check-ins about ten times slower.
        Col("id", null=False),
        _ref("goal_id"),
        Col("date", "date", null=False, required=True),
        Col("value", "number", in_header=True),
        Col("denominator", "number"),
        Col("confidence", "number"),
        Col("note"),
        Col("author"),
        Col("supersedes"),
        Col("recorded_at", "timestamp", null=False),
    ),
    order=("seq",),
    export_order=(
        "goal_id",
        "date",
        "value",
        "denominator",
        "confidence",
        "note",
        "author",
        "id",
        "supersedes",
        "recorded_at",
    ),
)

TARGETS = Table(
    "targets",
    (
        _ref("goal_id"),
        _ref("period"),
        Col("target", "number", null=False, required=True),
    ),
    key=("goal_id", "period"),
)

GRADES = Table(
    "grades",
    (
        _ref("period"),
        Col("kind", "choice", null=False, required=True, choices=("objective", "kr")),
        _ref("goal_id"),
        _ref("objective_id"),
        _ref("unit_id"),
        Col("score", "number", in_header=True),
        Col("frozen_at", "timestamp", null=False, required=True),
        Col("override", "number"),
        Col("note"),
        Col("graded_by"),
        Col("graded_at", "timestamp"),
    ),
    key=("kind", "goal_id"),
    order=("period", "kind", "goal_id"),
)
"""The grade of every objective and key result of a closed period, frozen at its close."""

CLOSED_PERIODS = Table(
    "closed_periods",
    (
        _ref("period"),
        Col("unit_id"),
        Col("closed_at", "timestamp", null=False, required=True),
        Col("closed_by"),
    ),
    order=("period", "unit_id"),
)
"""A period closed for a unit's subtree; an empty unit_id closes it for the whole organisation."""

HISTORY = Table(
    "history",
    (
        Col("seq", "serial", null=False, exported=False),
        _ref("table_name"),
        _ref("row_id"),
        Col("changed_by"),
        Col("changed_at", "timestamp", null=False, required=True),
        Col("before"),
        Col("after"),
    ),
    order=("seq",),
)
"""Every change to a definition: the row as JSON text before (empty: added) and after (empty:
removed)."""

DATASET_TABLES = (UNITS, KPIS, OBJECTIVES, KEY_RESULTS, CHECKINS, TARGETS)
"""The tables a Dataset holds (what the arithmetic reads)."""

CYCLE_TABLES = (GRADES, CLOSED_PERIODS, HISTORY)
"""The tables of the quarterly cycle (schema version 3)."""

TABLES: dict[str, Table] = {t.name: t for t in (META, *DATASET_TABLES, *CYCLE_TABLES)}
"""Every table of a goaltui database, by name, in the order they are created."""


def schemas(tables: tuple[Table, ...]) -> dict[str, dict[str, pl.DataType]]:
    """Column names and polars types of `tables`, by table name."""
    return {t.name: t.schema for t in tables}


def ddl(
    tables: tuple[Table, ...],
    dialect: Dialect,
    *,
    if_not_exists: bool = False,
    extra: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """CREATE TABLE statements of `tables` in `dialect`; `extra` is keyed by (table, column)."""
    extra = extra or {}
    return "".join(
        t.ddl(
            dialect,
            if_not_exists=if_not_exists,
            extra={c: text for (table, c), text in extra.items() if table == t.name},
        )
        for t in tables
    )


def insert_columns(name: str) -> tuple[str, ...]:
    """The columns an import writes into table `name`: those of the interchange format, and
    for check-ins and history their entry number."""
    table = TABLES[name]
    exported = {c.name for c in table.exported}
    return tuple(c.name for c in table.columns if c.name in exported or c.kind == "serial")
