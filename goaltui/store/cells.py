"""Cells of the interchange format: which columns each file has, and turning their text into
typed columns with one problem per bad cell (`file:line: column: what is wrong`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from goaltui.i18n import _
from goaltui.store.reading import ROW, TABLE_FILES, SourceTable
from goaltui.store.rules import (
    BAD_CLOCK,
    MULTILINE_COLUMNS,
    Rule,
    control_rule,
    date_reason,
    expr_text,
    in_range,
    iso_date,
    multiline,
    number,
    number_reason,
    plain_number,
    unescape_formula_expr,
)
from goaltui.store.tables import CYCLE_TABLES, DATASET_TABLES

# --------------------------------------------------------------------------------------------
# Column specifications


@dataclass(frozen=True)
class Column:
    """One column of an interchange file: how its cells are read and whether they are needed."""

    name: str
    kind: str = "text"
    """text, number, date, timestamp or choice."""
    required: bool = False
    """Every row must give the cell (and so the header must have the column)."""
    in_header: bool = False
    """The header must have the column even though a cell may be empty."""
    choices: tuple[str, ...] = ()


SPECS: dict[str, tuple[Column, ...]] = {
    table.name: tuple(
        Column(c.name, c.kind, required=c.required, in_header=c.in_header, choices=c.choices)
        for c in table.exported
    )
    for table in (*DATASET_TABLES, *CYCLE_TABLES)
}
"""The columns of each file of the interchange format, in the order export writes them (from
the declaration in goaltui/store/tables.py)."""

TEXT_SUFFIX = "__text"
LINE_MARK = "@line@"
"""Stands in a message for the line of the row in `__ref`, known only when reporting."""
TIMESTAMP_PATTERN = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]([0-9]{2}:[0-9]{2})(:[0-9]{2}(?:\.[0-9]{1,9})?)?)?"
    r"\s*(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
EXCEL_EPOCH = datetime(1899, 12, 30)
LABEL_PATTERNS = {
    "month": r"^\d{4}-(0[1-9]|1[0-2])$",
    "quarter": r"^\d{4}-Q[1-4]$",
    "year": r"^\d{4}$",
}
LABEL_EXAMPLES = {"month": "2026-11", "quarter": "2026-Q4", "year": "2026"}
CHECKIN_KEY = tuple(c.name for c in SPECS["checkins"] if c.name != "id")
"""The cells a check-in is known by when it has no id of its own (and compared by when it
has): every column of the format but the id."""


# --------------------------------------------------------------------------------------------
# Problems


@dataclass
class Problems:
    """Problems found so far: whole-file texts, and per table a frame of (row, order, text)."""

    files: list[str] = field(default_factory=list)
    rows: dict[str, list[pl.DataFrame]] = field(default_factory=dict)

    def add(self, table: str, found: pl.DataFrame) -> None:
        if found.height:
            self.rows.setdefault(table, []).append(found)

    def __bool__(self) -> bool:
        return bool(self.files) or any(f.height for fs in self.rows.values() for f in fs)

    def render(self, sources: dict[str, SourceTable]) -> list[str]:
        """Every problem as `file:line: column: what is wrong`, by file, then line."""
        out = list(self.files)
        for name in TABLE_FILES:
            parts = self.rows.get(name)
            if not parts:
                continue
            source = sources[name]
            # Within a row, problems follow the columns' order in the format.
            position = {c.name: i for i, c in enumerate(SPECS[name])}
            found = (
                pl.concat(parts, how="diagonal_relaxed")
                .with_columns(
                    position=pl.col("text")
                    .str.extract(r"^([a-z_]+):", 1)
                    .replace_strict(position, default=len(position), return_dtype=pl.Int64)
                )
                .sort("row", "position", "order", maintain_order=True)
            )
            lines = source.lines(found["row"])
            found = found.with_columns(line=lines)
            if "ref" in found.columns:
                found = found.with_columns(
                    ref_line=source.lines(found["ref"].fill_null(0)).cast(pl.String)
                ).with_columns(
                    text=pl.when(pl.col("ref").is_not_null())
                    .then(pl.col("text").str.replace(LINE_MARK, pl.col("ref_line"), literal=True))
                    .otherwise(pl.col("text"))
                )
            out += (
                found.select(
                    pl.format("{}:{}: {}", pl.lit(source.label), pl.col("line"), pl.col("text"))
                )
                .to_series()
                .to_list()
            )
        return out


__all__ = ["Rule"]


def apply_rules(frame: pl.DataFrame, rules: list[Rule], start: int = 0) -> pl.DataFrame:
    """Rows of `frame` that break a rule, as (row, order, text, ref); `ref` is another row whose
    line replaces `@line@` in the text."""
    empty = pl.DataFrame(
        schema={"row": pl.Int64, "order": pl.Int64, "text": pl.String, "ref": pl.Int64}
    )
    if not rules or frame.height == 0:
        return empty
    masks = frame.select(
        mask.fill_null(False).alias(f"m{i}") for i, (_column, mask, _message) in enumerate(rules)
    )
    hits = masks.select(pl.all().sum()).row(0)
    found = [empty]
    for i, (column, _mask, message) in enumerate(rules):
        if not hits[i]:
            continue
        # Copied into fresh buffers: worded over the filtered rows of a part read from a large
        # file as they are, some messages crash polars ("assertion failed: i < self.len()").
        bad = frame.filter(masks[f"m{i}"]).rechunk()
        text = pl.lit(f"{column}: ") + message
        ref = pl.col("__ref") if "__ref" in bad.columns else pl.lit(None)
        found.append(
            bad.select(
                row=pl.col(ROW).cast(pl.Int64),
                order=pl.lit(start + i, pl.Int64),
                text=text.cast(pl.String).fill_null(f"{column}: " + _("not valid")),
                ref=ref.cast(pl.Int64),
            )
        )
    return pl.concat(found)


def quoted(expr: pl.Expr) -> pl.Expr:
    """A cell's text in quotes, for messages."""
    return pl.format("'{}'", expr)


# --------------------------------------------------------------------------------------------
# Cells: text to typed columns


def header_problems(table: SourceTable, spec: tuple[Column, ...]) -> list[str]:
    """Unknown and missing columns of `table`'s header, as `file:1: column: ...` lines."""
    known = {c.name for c in spec}
    present = [c for c in table.frame.columns if c != ROW]
    problems = [
        f"{table.label}:1: {c}: "
        + _("unknown column; the columns of {table} are {columns}").format(
            table=table.name, columns=", ".join(col.name for col in spec)
        )
        for c in present
        if c not in known
    ]
    problems += [
        f"{table.label}:1: {c.name}: " + _("required column is missing")
        for c in spec
        if (c.required or c.in_header) and c.name not in present
    ]
    return problems


def convert_cells(
    table: SourceTable, spec: tuple[Column, ...]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Trim every cell (empty = not given), convert to typed columns and check each cell.

    Returns the typed frame (the spec's columns, their text as `<name>__text` where converted,
    and ROW) and the problems found.
    """
    frame = table.frame
    present = set(frame.columns)
    # Only columns with a cell to trim are rewritten: the others stay the reader's own (no copy
    # of a million cells' text).
    given = [c.name for c in spec if c.name in present]
    padded = (
        frame.select(pl.col(n).str.contains(r"^\s|\s$").any() for n in given).row(0)
        if given and not table.plain_cells
        else (False,) * len(given)
    )
    trim = {n for n, pad in zip(given, padded, strict=True) if pad}
    stripped = frame.select(
        pl.col(ROW),
        *(
            (pl.col(c.name).str.strip_chars() if c.name in trim else pl.col(c.name))
            if c.name in present
            else pl.lit(None, pl.String).alias(c.name)
            for c in spec
        ),
    )
    # An empty cell is not given. Most columns have none left after trimming (the reader
    # already reads unquoted empty cells as not given), so only those that do are rewritten;
    # likewise only text columns with a cell starting with ' can hold a formula export escaped.
    blanks = stripped.select((pl.col(c.name) == "").any() for c in spec).row(0)
    quotes = (
        (False,) * len(spec)
        if table.plain_cells
        else stripped.select(
            (
                pl.col(c.name).str.starts_with("'").any() if c.kind == "text" else pl.lit(False)
            ).alias(c.name)
            for c in spec
        ).row(0)
    )
    text = (
        stripped.lazy()
        .with_columns(
            pl.when(pl.col(c.name) != "").then(pl.col(c.name)).alias(c.name)
            for c, blank in zip(spec, blanks, strict=True)
            if blank
        )
        .with_columns(
            _text_cells(pl.col(c.name), quote=quote, lines=c.name in MULTILINE_COLUMNS)
            for c, quote in zip(spec, quotes, strict=True)
            if quote or c.name in MULTILINE_COLUMNS
        )
    )

    typed: list[pl.Expr] = []
    rules: list[Rule] = []
    slow: list[str] = []
    for column in spec:
        raw = pl.col(column.name)
        if column.kind == "text":
            if column.required and column.name in present:
                rules.append((column.name, raw.is_null(), pl.lit(_("required but empty"))))
            if column.name in present:
                rules.append(control_rule(column.name))
            continue
        # After conversion `<name>` holds the typed value and `<name>__text` the cell as written.
        cell = pl.col(column.name + TEXT_SUFFIX)
        value = pl.col(column.name)
        typed.append(raw.alias(column.name + TEXT_SUFFIX))
        if column.required and column.name in present:
            rules.append((column.name, cell.is_null(), pl.lit(_("required but empty"))))
        if column.kind == "choice":
            typed.append(raw.str.to_lowercase().alias(column.name))
            rules.append(
                (
                    column.name,
                    cell.is_not_null() & ~value.is_in(list(column.choices)),
                    expr_text(
                        _("{cell} is not one of {choices}"),
                        cell=quoted(cell),
                        choices=", ".join(column.choices),
                    ),
                )
            )
        elif column.kind == "number":
            # Plain numbers are read in the one pass; the others (separators, a % sign, the
            # refused) take the rule book's full reading below.
            typed.append(plain_number(raw).alias(column.name))
            slow.append(column.name)
            rules.append((column.name, cell.is_not_null() & value.is_null(), number_reason(cell)))
        elif column.kind == "date":
            typed.append(date_cells(raw, table.raw_text is None).alias(column.name))
            rules.append((column.name, cell.is_not_null() & value.is_null(), date_reason(cell)))
        elif column.kind == "timestamp":
            typed.append(fast_timestamp(frame, column.name, raw).alias(column.name))
            slow.append(column.name)
            rules.append(
                (
                    column.name,
                    cell.is_not_null() & value.is_null(),
                    expr_text(
                        _(
                            "{cell} is not a timestamp (use e.g. 2026-11-16T09:30:00 or "
                            "2026-11-16 09:30:00+09:00)"
                        ),
                        cell=quoted(cell),
                    ),
                )
            )
    # One pass converts every column; the checks then compare the text with the typed value.
    both = text.with_columns(typed).collect(engine="in-memory")
    kinds = {c.name: c.kind for c in spec}
    for name in slow:
        # Timestamps in the column's most common form and plain numbers were read in the pass
        # above; the others (offsets, no seconds, workbook numbers; separators) take the slower
        # general reading.
        cell, read = pl.col(name + TEXT_SUFFIX), pl.col(name)
        where = both.select(pl.arg_where(cell.is_not_null() & read.is_null())).to_series()
        if where.len():
            general = both.select(cell.gather(where)).select(
                timestamp_cells(cell, table.raw_text is None)
                if kinds[name] == "timestamp"
                else number(cell)
            )
            both = both.with_columns(both[name].scatter(where, general.to_series()))
        if kinds[name] == "timestamp":
            # polars reads 09:30:60 as 09:31:00: a clock that does not exist is refused.
            both = both.with_columns(
                pl.when(~cell.str.contains(BAD_CLOCK).fill_null(False))
                .then(in_range(read, moment=True))
                .alias(name)
            )
    return both, apply_rules(both, rules)


def _text_cells(cell: pl.Expr, *, quote: bool, lines: bool) -> pl.Expr:
    """A text column as stored: the formula prefix export wrote taken away (`quote`: some cell
    starts with '), Windows line breaks read as line breaks (`lines`: a note or description)."""
    if quote:
        cell = unescape_formula_expr(cell)
    return multiline(cell) if lines else cell


def fast_timestamp(frame: pl.DataFrame, name: str, raw: pl.Expr) -> pl.Expr:
    """A one-format reading of a timestamp column, the format taken from its first cell;
    cells it cannot read are left empty for `timestamp_cells`."""
    first = frame[name].drop_nulls().str.strip_chars().head(1).to_list() if name in frame else []
    sample = first[0] if first else ""
    for pattern, form in TIMESTAMP_FORMS:
        if re.fullmatch(pattern, sample):
            return raw.str.to_datetime(form, time_unit="us", strict=False, exact=True)
    return pl.lit(None, pl.Datetime("us"))


TIMESTAMP_FORMS = (
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "%Y-%m-%dT%H:%M:%S%.fZ"),
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?", "%Y-%m-%dT%H:%M:%S%.f"),
    (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?", "%Y-%m-%d %H:%M:%S%.f"),
)


def date_cells(raw: pl.Expr, workbook: bool) -> pl.Expr:
    """Cell text to a date (ISO `YYYY-MM-DD`; a workbook may give a date cell); else null."""
    day = iso_date(raw)
    if not workbook:
        return day
    # A date cell of a workbook may arrive as a midnight timestamp, or as Excel's day number
    # (46327 = 2026-11-01).
    midnight = raw.str.extract(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00(?:\.0+)?)?$", 1)
    day = pl.coalesce(day, midnight.str.to_date("%Y-%m-%d", strict=False))
    serial = raw.str.extract(r"^(\d{4,6})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
    from_serial = (pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)).dt.date()
    return in_range(pl.coalesce(day, from_serial))


def timestamp_cells(raw: pl.Expr, workbook: bool) -> pl.Expr:
    """Cell text to a timestamp (ISO, UTC when no offset is given); else null."""
    parts = raw.str.extract_groups(TIMESTAMP_PATTERN)
    day = parts.struct.field("1")
    clock = pl.coalesce(parts.struct.field("2"), pl.lit("00:00"))
    seconds = pl.coalesce(parts.struct.field("3"), pl.lit(":00"))
    local = pl.concat_str(day, pl.lit(" "), clock, seconds).str.to_datetime(
        "%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False
    )
    offset = parts.struct.field("4").str.replace("Z", "+00:00").str.replace(":", "")
    minutes = (
        offset.str.slice(1, 2).cast(pl.Int64, strict=False) * 60
        + offset.str.slice(3, 2).cast(pl.Int64, strict=False)
    ) * pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    # Stored in UTC: an offset given in the cell is taken away.
    moment = local - pl.duration(minutes=minutes.fill_null(0))
    if workbook:
        serial = raw.str.extract(r"^(\d{4,6}(?:\.\d+)?)$", 1).cast(pl.Float64, strict=False)
        from_serial = pl.lit(EXCEL_EPOCH).dt.cast_time_unit("us") + pl.duration(
            microseconds=(serial * 86_400_000_000).round(0).cast(pl.Int64)
        )
        moment = pl.coalesce(moment, from_serial)
    return moment.dt.cast_time_unit("us")
