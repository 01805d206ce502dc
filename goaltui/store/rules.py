"""The rule book: what a cell of the interchange format, or a field typed into a form or on the
command line, may hold.

Every door reads values through these rules: the importer (vectorised, over whole columns), the
`checkin` command, the store's `append_checkin` and the dashboard's forms (one value at a time,
by running the same expressions over a one-row frame). A rule written here once gives the same
verdict, with the same reason, whatever the door.

- Numbers: `1250`, `1250.5`, `-3`, `1e3`; thousands separated by `,` (`1,250.5`) or, as Swiss
  Excel writes them, by `'` (`14'500`); `73%` where the goal is measured in `%` (it reads 73).
  Refused with the reason: `1,25` (use `.` for decimals), `1_000`, digits other than 0-9 (such as
  Arabic-Indic `١٢٣`), `inf`/`nan`, and anything larger than VALUE_LIMIT in size, so that no sum of
  check-ins can overflow.
- Dates: `YYYY-MM-DD` between DATE_MIN and DATE_MAX. Timestamps: that date with a clock
  (hours 00-23, minutes and seconds 00-59).
- Text: no C0 or C1 control characters (terminal escapes among them); notes and descriptions may
  hold line breaks and tabs.
- Spreadsheet formulas: export writes a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
  carriage return with one leading `'`; import takes exactly that `'` away again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import polars as pl

from goaltui.i18n import N_, _, translated

Rule = tuple[str, pl.Expr, pl.Expr]
"""(column, mask of bad rows, message): one validation rule over a frame."""

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)
"""The dates goaltui takes, at every door (cells, `--date`, `--as-of`, the forms)."""

VALUE_LIMIT = 1e15
"""The largest size of a number (a thousand trillion): sums of a billion such values stay exact
enough and finite."""

MULTILINE_COLUMNS = frozenset({"note", "description"})
"""Text columns that may hold line breaks and tabs."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""


def expr_text(template: str, **parts: pl.Expr | str) -> pl.Expr:
    """A message in the current language (`template`, already passed through `_`) whose `{name}`
    placeholders are filled, row by row, with the expressions (or texts) in `parts`. Built at
    call time, so the language chosen then applies."""
    pieces = re.split(r"\{(\w+)\}", template)
    exprs: list[pl.Expr] = []
    for i, piece in enumerate(pieces):
        if i % 2:
            part = parts[piece]
            exprs.append(pl.lit(part) if isinstance(part, str) else part.cast(pl.String))
        elif piece:
            exprs.append(pl.lit(piece))
    return pl.concat_str(exprs) if exprs else pl.lit("")


# --------------------------------------------------------------------------------------------
# Text

_CONTROL = "\x00-\x1f\x7f-\x9f"
_CONTROL_CHARS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
_CONTROL_CODES = {c: f"U+{ord(c):04X}" for c in _CONTROL_CHARS}
_CONTROL_WORDS = {
    "\x1b": N_("escape"),
    "\t": N_("tab"),
    "\n": N_("line break"),
    "\r": N_("carriage return"),
    "\x00": N_("NUL"),
}


def _control_names() -> dict[str, str]:
    """How a reason names each control character, in the current language."""
    names = dict(_CONTROL_CODES)
    for char, word in _CONTROL_WORDS.items():
        names[char] = f"{_CONTROL_CODES[char]}, {translated(word)}"
    return names


_ANY_CONTROL = f"[{_CONTROL}]"
_CONTROL_BUT_LINES = "[\x00-\x08\x0b-\x1f\x7f-\x9f]"


def control_pattern(column: str) -> str:
    """The regex of the characters `column` may not hold (line breaks and tabs are fine in
    MULTILINE_COLUMNS)."""
    return _CONTROL_BUT_LINES if column in MULTILINE_COLUMNS else _ANY_CONTROL


def control_rule(column: str, cell: pl.Expr | None = None) -> Rule:
    """Refuse a text cell holding a control character; the message names the first one."""
    text = pl.col(column) if cell is None else cell
    pattern = control_pattern(column)
    first = text.str.extract(f"({pattern})", 1).replace_strict(
        _control_names(), default=_("a control character"), return_dtype=pl.String
    )
    return (
        column,
        text.str.contains(pattern),
        expr_text(
            _("holds a control character ({character}); text may not hold control characters"),
            character=first,
        ),
    )


def multiline(text: pl.Expr) -> pl.Expr:
    """Windows line breaks (CR LF) inside a note or description read as plain line breaks."""
    return text.str.replace_all("\r\n", "\n", literal=True)


def escape_formula_expr(text: pl.Expr) -> pl.Expr:
    """`=1+1` -> `'=1+1`: text cells a spreadsheet would run as a formula get one leading `'`."""
    starts = text.str.slice(0, 1).is_in(list(FORMULA_STARTS))
    # The plain branch first, so the result keeps the column's name.
    return pl.when(~starts).then(text).otherwise(pl.lit("'") + text)


def unescape_formula_expr(text: pl.Expr) -> pl.Expr:
    """`'=1+1` -> `=1+1`: the inverse of `escape_formula_expr`; any other text is left alone."""
    escaped = text.str.starts_with("'") & text.str.slice(1, 1).is_in(list(FORMULA_STARTS))
    return pl.when(escaped).then(text.str.slice(1)).otherwise(text)


def escape_formula(text: str) -> str:
    """One text cell as export writes it (see `escape_formula_expr`)."""
    return "'" + text if text[:1] in FORMULA_STARTS and text else text


def unescape_formula(text: str) -> str:
    """One text cell as import reads it (see `unescape_formula_expr`)."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS and text[1:2] else text


def text_problem(text: str | None, column: str = "name") -> str | None:
    """Why `text` cannot be stored in `column` (a control character), or None."""
    if text is None:
        return None
    return _one(control_rule(column, pl.col("x")), text)


# --------------------------------------------------------------------------------------------
# Numbers

_THOUSANDS = r"^[+-]?[0-9]{1,3}(?:(?:,[0-9]{3})+|(?:['’][0-9]{3})+)(?:\.[0-9]+)?$"
_PERCENT = r"[0-9.]\s*%$"


def _bounded(number: pl.Expr) -> pl.Expr:
    return pl.when(number.is_finite() & (number.abs() <= VALUE_LIMIT)).then(number)


def plain_number(raw: pl.Expr) -> pl.Expr:
    """A cell written as a plain number (`1250.5`, `-3`, `1e3`) as a Float64; null for anything
    else, including the cells `number` reads with separators or a % sign. The fast path of
    `number`: where it gives a value, `number` gives the same."""
    # polars reads exactly the plain forms (no separators, no other digits than 0-9) and
    # inf/nan, which the bound leaves out.
    return _bounded(raw.cast(pl.Float64, strict=False))


def number(raw: pl.Expr) -> pl.Expr:
    """A number cell as a Float64, or null when it is not one (`number_reason` says why).

    `73%` reads 73; whether a % sign may be written is the goal's business (`percent_rule`)."""
    body = raw.str.replace(r"\s*%$", "")
    separated = pl.when(body.str.contains(_THOUSANDS)).then(body.str.replace_all(r"[,'’]", ""))
    return _bounded(pl.coalesce(body.cast(pl.Float64, strict=False), separated.cast(pl.Float64)))


def number_reason(raw: pl.Expr) -> pl.Expr:
    """Why a cell that `number` leaves null is no number, beginning with the cell in quotes."""
    quoted = pl.format("'{}'", raw)
    body = raw.str.replace(r"\s*%$", "")
    loose = body.str.replace_all(r"[,'’_]", "").cast(pl.Float64, strict=False)
    return (
        pl.when(raw.str.contains(r"[\d&&[^0-9]]"))
        .then(expr_text(_("{cell} is not a number: write its digits as 0-9"), cell=quoted))
        .when(body.str.contains("_", literal=True))
        .then(
            expr_text(
                _("{cell} is not a number: _ separates nothing; write 1000 or 1,000"), cell=quoted
            )
        )
        .when(body.str.contains(r"^[+-]?[0-9]+,[0-9]{1,2}$"))
        .then(
            expr_text(
                _(
                    "{cell} is not a number: use . for decimals (e.g. 1.25); , only separates "
                    "thousands (e.g. 1,250)"
                ),
                cell=quoted,
            )
        )
        .when(loose.is_finite() & (loose.abs() > VALUE_LIMIT))
        .then(expr_text(_("{cell} is too large: numbers are at most 1e15 in size"), cell=quoted))
        .when(loose.is_not_null() & ~loose.is_finite())
        .then(expr_text(_("{cell} is not a finite number"), cell=quoted))
        .otherwise(
            expr_text(
                _("{cell} is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"),
                cell=quoted,
            )
        )
    )


def has_percent(raw: pl.Expr) -> pl.Expr:
    """Whether a number cell is written with a % sign (`73%`)."""
    return raw.str.contains(_PERCENT)


def has_percent_sign(text: str) -> bool:
    """Whether one number as typed is written with a % sign (see `has_percent`)."""
    return bool(pl.DataFrame({"x": [text.strip()]}).select(has_percent(pl.col("x"))).item())


def _percent_reason() -> str:
    return _(
        "{cell} has a {percent} sign, but the goal is not measured in {percent}; write the "
        "number alone"
    )


def takes_percent(unit: object, aggregation: object) -> bool:
    """Whether a goal's values may be written with a % sign: it is measured in % and its values
    are levels (a ratio goal's value is a count, the numerator)."""
    return unit == "%" and aggregation != "ratio"


def takes_percent_expr(unit: pl.Expr, aggregation: pl.Expr) -> pl.Expr:
    """`takes_percent` over columns."""
    return (unit == "%") & (aggregation.fill_null("") != "ratio")


def percent_rule(column: str, in_percent: pl.Expr, cell: pl.Expr | None = None) -> Rule:
    """Refuse `73%` in `column` unless `in_percent` (the goal's unit is `%`); `cell` is the cell
    as written (default: the column `<column>__text`)."""
    cell = pl.col(column + "__text") if cell is None else cell
    return (
        column,
        cell.is_not_null() & has_percent(cell) & ~in_percent.fill_null(False),
        expr_text(_percent_reason(), cell=pl.format("'{}'", cell), percent="%"),
    )


def parse_number(text: str, *, percent: bool = False) -> float | None:
    """One number as typed (the rules of `number`); None for empty text. `percent`: the goal
    is measured in %, so `73%` may be written. Raises ValueError(reason) otherwise."""
    cell = text.strip()
    if not cell:
        return None
    frame = pl.DataFrame({"x": [cell]}).select(
        value=number(pl.col("x")), reason=number_reason(pl.col("x")), pct=has_percent(pl.col("x"))
    )
    value, reason, pct = frame.row(0)
    if value is None:
        raise ValueError(reason)
    if pct and not percent:
        raise ValueError(_percent_reason().format(cell=f"'{cell}'", percent="%"))
    return float(value)


def value_problem(value: float | None) -> str | None:
    """Why a number already read (e.g. handed to the store) cannot be stored, or None."""
    if value is None:
        return None
    frame = pl.DataFrame({"x": [value]}, schema={"x": pl.Float64})
    if frame.select(_bounded(pl.col("x"))).item() is not None:
        return None
    if frame.select(pl.col("x").is_finite()).item():
        return _("{cell} is too large: numbers are at most 1e15 in size").format(
            cell=f"'{value:g}'"
        )
    return _("{cell} is not a finite number").format(cell=f"'{value:g}'")


# --------------------------------------------------------------------------------------------
# Dates and timestamps

ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_FIRST = DATE_MIN.isoformat()
_LAST = DATE_MAX.isoformat()


def _outside_reason() -> str:
    return _("{cell} is outside the dates goaltui takes ({first} to {last})")


def in_range(day: pl.Expr, *, moment: bool = False) -> pl.Expr:
    """`day` (a Date, or a Datetime when `moment`) when it lies within DATE_MIN..DATE_MAX;
    else null."""
    if moment:
        first = datetime.combine(DATE_MIN, time())
        last = datetime.combine(DATE_MAX, time.max)
        return pl.when(day.is_between(first, last)).then(day)
    return pl.when(day.is_between(DATE_MIN, DATE_MAX)).then(day)


def iso_date(raw: pl.Expr) -> pl.Expr:
    """A `YYYY-MM-DD` cell as a Date within the supported range; else null."""
    day = pl.when(raw.str.contains(ISO_DATE)).then(raw.str.to_date("%Y-%m-%d", strict=False))
    return in_range(day)


def date_reason(raw: pl.Expr) -> pl.Expr:
    """Why a cell that `iso_date` leaves null is no date, beginning with the cell in quotes."""
    quoted = pl.format("'{}'", raw)
    shaped = raw.str.contains(ISO_DATE)
    exists = raw.str.to_date("%Y-%m-%d", strict=False).is_not_null()
    return (
        pl.when(shaped & exists)
        .then(expr_text(_outside_reason(), cell=quoted, first=_FIRST, last=_LAST))
        .when(shaped)
        .then(expr_text(_("{cell} is not a date that exists"), cell=quoted))
        .otherwise(
            expr_text(_("{cell} is not a date (use YYYY-MM-DD, e.g. 2026-11-16)"), cell=quoted)
        )
    )


def parse_date(text: str) -> date:
    """One `YYYY-MM-DD` date as typed (`--date`, `--as-of`, the forms): the rules of
    `iso_date`. Raises ValueError(reason) otherwise."""
    cell = text.strip()
    frame = pl.DataFrame({"x": [cell]}).select(
        day=iso_date(pl.col("x")), reason=date_reason(pl.col("x"))
    )
    day, reason = frame.row(0)
    if day is None:
        raise ValueError(reason)
    assert isinstance(day, date)
    return day


def date_problem(day: date) -> str | None:
    """Why a date already read cannot be stored (outside DATE_MIN..DATE_MAX), or None."""
    if DATE_MIN <= day <= DATE_MAX:
        return None
    return _outside_reason().format(cell=f"'{day.isoformat()}'", first=_FIRST, last=_LAST)


BAD_CLOCK = r"(?:^|[T ])(?:2[4-9]|[3-9][0-9]):|:[6-9][0-9](?:[^0-9]|$)"
"""A clock that does not exist (hour 24 or more, minute or second 60 or more): polars would read
`09:30:60` as 09:31:00."""


# --------------------------------------------------------------------------------------------
# Rules of a check-in's numbers (a goal's context is added by the importer and the store)


def checkin_number_rules(cell: Callable[[str], pl.Expr] | None = None) -> list[Rule]:
    """Rules over a check-in's typed `value`, `denominator`, `confidence` (with their cells as
    written given by `cell`, default: the columns `<name>__text`): a denominator is 0 or more and
    is 0 only with a value of 0 (a ratio period whose denominators sum to 0 has no actual); a
    confidence lies within 0-10."""
    text = cell or (lambda column: pl.col(column + "__text"))
    return [
        (
            "denominator",
            pl.col("denominator") < 0,
            expr_text(_("{cell} is negative"), cell=pl.format("'{}'", text("denominator"))),
        ),
        (
            "denominator",
            (pl.col("denominator") == 0) & (pl.col("value") != 0),
            expr_text(
                _("0, but the value is {value} (nothing can be counted out of 0)"),
                value=text("value"),
            ),
        ),
        (
            "confidence",
            (pl.col("confidence") < 0) | (pl.col("confidence") > 10),
            expr_text(_("{cell} is outside 0-10"), cell=pl.format("'{}'", text("confidence"))),
        ),
    ]


def first_problems(frame: pl.DataFrame, rules: list[Rule]) -> dict[str, str]:
    """The first broken rule's message per column over a one-row `frame` (the single-row door
    of the vectorised rules)."""
    if not rules:
        return {}
    row = frame.select(
        *(
            pl.when(mask.fill_null(False)).then(message.cast(pl.String)).alias(f"r{i}")
            for i, (_column, mask, message) in enumerate(rules)
        )
    ).row(0)
    found: dict[str, str] = {}
    for (column, _mask, _message), text in zip(rules, row, strict=True):
        if text is not None:
            found.setdefault(column, text)
    return found


def _one(rule: Rule, text: Any) -> str | None:
    return first_problems(pl.DataFrame({"x": [text]}, schema={"x": pl.String}), [rule]).get(rule[0])
