"""Exporting a goaltui database back to the interchange format (import(export(x)) == x)."""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from goaltui.i18n import _
from goaltui.model.errors import GoaltuiError
from goaltui.store.cells import SPECS
from goaltui.store.counts import summary
from goaltui.store.cycle import CYCLE_SCHEMAS, read_cycle_table
from goaltui.store.dataset import Dataset, load_dataset
from goaltui.store.db import read_session
from goaltui.store.reading import TABLE_FILES
from goaltui.store.rules import escape_formula_expr


@dataclass(frozen=True)
class ExportSummary:
    """How many rows export wrote per file."""

    units: int = 0
    kpis: int = 0
    objectives: int = 0
    key_results: int = 0
    checkins: int = 0
    targets: int = 0
    grades: int = 0
    closed_periods: int = 0
    history: int = 0

    def __str__(self) -> str:
        return summary(dataclasses.asdict(self), optional=("grades", "closed_periods", "history"))


def plain_number(expr: pl.Expr) -> pl.Expr:
    """A Float64 expression as plain decimal text: no exponent, no thousands separators, and
    integral values without `.0` (1e9 -> `1000000000`, 2.5 -> `2.5`, 1e-7 -> `0.0000001`).

    The digits are the shortest that read back as the same float, so a round trip is exact.
    """
    text = expr.cast(pl.String)
    parts = text.str.extract_groups(r"^(-?)(\d+)(?:\.(\d+))?e([+-]?\d+)$")
    sign = parts.struct.field("1")
    whole = parts.struct.field("2")
    fraction = pl.coalesce(parts.struct.field("3"), pl.lit(""))
    exponent = parts.struct.field("4").cast(pl.Int64)
    digits = pl.concat_str(whole, fraction)
    point = whole.str.len_chars().cast(pl.Int64) + exponent
    length = digits.str.len_chars().cast(pl.Int64)
    zeros = pl.lit("0" * 400)
    # Every branch is computed for every row: lengths are clipped so none goes negative.
    inside = pl.min_horizontal(point, length).clip(0)
    expanded = (
        pl.when(point >= length)
        .then(pl.concat_str(digits, zeros.str.slice(0, (point - length).clip(0))))
        .when(point <= 0)
        .then(pl.concat_str(pl.lit("0."), zeros.str.slice(0, (-point).clip(0)), digits))
        .otherwise(
            pl.concat_str(digits.str.slice(0, inside), pl.lit("."), digits.str.slice(inside))
        )
    )
    plain = pl.when(exponent.is_not_null()).then(pl.concat_str(sign, expanded)).otherwise(text)
    plain = plain.str.replace(r"\.0$", "")
    return pl.when(plain == "-0").then(pl.lit("0")).otherwise(plain)


WRITE_ROWS = 500_000
"""Rows of a table turned into text and written at once."""

FORMULA_STARTS = "=+-@\t\r"
"""A text cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection")."""


def _text_frame(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    exprs: list[pl.Expr] = []
    for name in columns:
        dtype = frame.schema[name]
        column = pl.col(name)
        if dtype == pl.Float64:
            exprs.append(plain_number(column).alias(name))
        elif dtype == pl.Date:
            exprs.append(column.dt.to_string("%Y-%m-%d").alias(name))
        elif isinstance(dtype, pl.Datetime):
            # Stored in UTC; the Z says so to whoever reads the file.
            exprs.append((column.dt.to_string("%Y-%m-%dT%H:%M:%S%.f") + pl.lit("Z")).alias(name))
        elif dtype == pl.String:
            exprs.append(escape_formula_expr(column).alias(name))
        else:
            exprs.append(column.cast(pl.String).alias(name))
    return frame.select(exprs)


def export_db(
    db: Path, out_dir: Path, *, progress: Callable[[str, int, int], None] | None = None
) -> ExportSummary:
    """Write every table of the database at `db` to `out_dir` (created if needed) as the
    interchange format: units.csv, kpis.csv, objectives.csv, key_results.csv, checkins.csv,
    targets.csv, grades.csv, closed_periods.csv and history.csv, UTF-8 without BOM, numbers as
    plain decimals, check-ins and history entries in entry order. Text that a spreadsheet would
    run as a formula gets a leading `'`.

    The files are written beside `out_dir` first and each moved into place whole, so a full disk
    leaves none half written. Returns the row counts. Raises DatabaseError, and GoaltuiError when
    `out_dir` cannot be written to."""
    if not str(out_dir):
        raise GoaltuiError(_("export needs a folder to write to, not an empty path"))
    with read_session(db) as con:
        cycle = {name: read_cycle_table(con, name) for name in CYCLE_SCHEMAS}
    return export_dataset(load_dataset(db), out_dir, cycle=cycle, progress=progress)


def export_dataset(
    dataset: Dataset,
    out_dir: Path,
    *,
    cycle: dict[str, pl.DataFrame] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ExportSummary:
    """Write `dataset` (and the `cycle` tables: grades, closures, history) to `out_dir` as
    export_db does, whichever engine it was read from; without `cycle`, those files are
    written empty."""
    if not str(out_dir):
        raise GoaltuiError(_("export needs a folder to write to, not an empty path"))
    if cycle is None:
        cycle = {name: pl.DataFrame(schema=schema) for name, schema in CYCLE_SCHEMAS.items()}
    tables = {**dataset.tables(), **cycle}
    total = sum(tables[name].height for name in TABLE_FILES)
    if progress is not None:
        progress("read", total, total)
    counts: dict[str, int] = {}
    created = not out_dir.exists()
    try:
        _prepare(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=".goaltui-export-", dir=out_dir))
        try:
            for name in TABLE_FILES:
                frame = tables[name]
                columns = [c.name for c in SPECS[name]]
                with (staging / f"{name}.csv").open("wb") as file:
                    # A part at a time: the text of a long history is never all held at once,
                    # and progress is told as it goes.
                    for start in range(0, max(frame.height, 1), WRITE_ROWS):
                        part = frame.slice(start, WRITE_ROWS)
                        _text_frame(part, columns).write_csv(file, include_header=start == 0)
                        counts[name] = start + part.height
                        if progress is not None:
                            progress("written", sum(counts.values()), total)
            for name in TABLE_FILES:
                target = out_dir / f"{name}.csv"
                if target.is_dir():
                    raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
            for name in TABLE_FILES:
                os.replace(staging / f"{name}.csv", out_dir / f"{name}.csv")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as error:
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise _export_error(error, out_dir) from error
    return ExportSummary(**counts)


def _prepare(out_dir: Path) -> None:
    for folder in (out_dir, *out_dir.parents):
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "is a file", str(folder))
    out_dir.mkdir(parents=True, exist_ok=True)


def _export_error(error: OSError, out_dir: Path) -> GoaltuiError:
    where = error.filename or out_dir
    if error.errno is None:
        # polars says "<reason> (os error N)" without setting errno.
        found = re.search(r"os error (\d+)", str(error))
        if found:
            code = int(found.group(1))
            error = OSError(code, os.strerror(code), error.filename)
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        if error.errno == errno.EFBIG:
            message = _(
                "cannot export to {folder}: no space left (the file size limit); no file was "
                "written"
            )
        else:
            message = _(
                "cannot export to {folder}: no space left on the device; no file was written"
            )
        return GoaltuiError(message.format(folder=out_dir))
    if error.errno == errno.ENOTDIR:
        return GoaltuiError(
            _("cannot export to {folder}: {where} is a file, not a folder").format(
                folder=out_dir, where=where
            )
        )
    if error.errno == errno.EISDIR:
        return GoaltuiError(
            _("cannot export to {folder}: {where} is a folder, not a file").format(
                folder=out_dir, where=where
            )
        )
    reason = (error.strerror or str(error)).lower()
    return GoaltuiError(_("cannot write to {where}: {reason}").format(where=where, reason=reason))
