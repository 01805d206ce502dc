"""Importing the interchange format (DESIGN.md, "Interchange format") into a goaltui database.

Everything is validated before anything is kept: cells (required, numbers, dates, allowed
values, period labels), ids, references (against the incoming files and what the database holds),
the organisation tree and the check-in rules. Every problem is reported as
`file:line: column: what is wrong`; on any problem nothing is written (the one transaction is
rolled back). Validation and writing are vectorised: polars expressions over whole columns and
`INSERT ... SELECT` per table. A large check-in file is converted, checked and written a part at
a time within that transaction (see `_Stream`), unless the database holds check-ins already.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from goaltui.i18n import N_, _, ngettext, translated
from goaltui.model.errors import ValidationError
from goaltui.store.cells import (
    CHECKIN_KEY,
    LABEL_EXAMPLES,
    LABEL_PATTERNS,
    SPECS,
    TEXT_SUFFIX,
    Problems,
    Rule,
    apply_rules,
    convert_cells,
    header_problems,
    quoted,
)
from goaltui.store.counts import counted, counted_rows, summary
from goaltui.store.cycle import Snapshot, record_changes, snapshot
from goaltui.store.cycle_import import closed_checkin_rules, validate_cycle, write_cycle
from goaltui.store.dataset import TABLE_SCHEMAS, Dataset, read_table
from goaltui.store.db import write_session
from goaltui.store.frames import query, registered
from goaltui.store.reading import ROW, TABLE_FILES, SourceTable, codec_name, read_source
from goaltui.store.rules import (
    checkin_number_rules,
    expr_text,
    has_percent,
    percent_rule,
    takes_percent_expr,
)
from goaltui.store.tables import TABLES, insert_columns

# --------------------------------------------------------------------------------------------
# Summary


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote: rows upserted per table, check-ins added and repeats skipped."""

    units: int = 0
    kpis: int = 0
    objectives: int = 0
    key_results: int = 0
    checkins_added: int = 0
    checkins_skipped: int = 0
    targets: int = 0
    grades: int = 0
    history: int = 0

    def __str__(self) -> str:
        added = _("{checkins} added").format(checkins=counted_rows("checkins", self.checkins_added))
        if self.checkins_skipped:
            added += " " + _("({repeats} skipped)").format(
                repeats=counted(
                    ngettext("{count} repeat", "{count} repeats", self.checkins_skipped),
                    self.checkins_skipped,
                )
            )
        tables = summary(
            {
                "units": self.units,
                "kpis": self.kpis,
                "objectives": self.objectives,
                "key_results": self.key_results,
            },
            optional=(),
        )
        rest = summary(
            {"targets": self.targets, "grades": self.grades, "history": self.history},
            optional=("grades", "history"),
        )
        return ", ".join([tables, added, rest])


# --------------------------------------------------------------------------------------------
# What the database holds already


@dataclass(frozen=True)
class _Existing:
    """The goal tables of the database (all rows) and its number of check-ins."""

    units: pl.DataFrame
    kpis: pl.DataFrame
    objectives: pl.DataFrame
    key_results: pl.DataFrame
    checkin_count: int
    next_seq: int

    @property
    def empty(self) -> bool:
        """Whether the database holds nothing at all."""
        return self.checkin_count == 0 and self.units.height == 0


def _existing(con: duckdb.DuckDBPyConnection | None) -> _Existing:
    names = ("units", "kpis", "objectives", "key_results")
    if con is None:
        empty = {t: pl.DataFrame(schema=TABLE_SCHEMAS[t]) for t in names}
        return _Existing(**empty, checkin_count=0, next_seq=0)
    frames = {t: read_table(con, t) for t in names}
    count, next_seq = con.sql(
        "SELECT count(*), coalesce(max(seq) + 1, 0) FROM checkins"
    ).fetchall()[0]
    return _Existing(**frames, checkin_count=int(count), next_seq=int(next_seq))


def _merged(existing: pl.DataFrame, incoming: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The table after the upsert: existing rows not replaced, plus incoming rows with an id."""
    new = incoming.filter(pl.col("id").is_not_null()).unique(
        "id", keep="first", maintain_order=True
    )
    kept = existing.join(new.select("id"), on="id", how="anti")
    return pl.concat([kept.select(columns), new.select(columns)], how="vertical_relaxed")


# --------------------------------------------------------------------------------------------
# Rules across rows and files


def _duplicates(
    frame: pl.DataFrame, keys: list[str], column: str
) -> tuple[pl.DataFrame, list[Rule]]:
    """A rule for rows repeating an earlier row's `keys`; the frame gains `__ref`, the first
    row with those keys, named in the message."""
    given = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys)).select(keys)
    if given.height == 0 or given.height == given.n_unique():
        return frame, []
    frame = frame.with_columns(__ref=pl.col(ROW).min().over(keys).cast(pl.Int64))
    mask = pl.all_horizontal(pl.col(k).is_not_null() for k in keys) & (
        pl.col(ROW) != pl.col("__ref")
    )
    if len(keys) == 1:
        message = expr_text(
            _("{key} appears more than once (first on line @line@)"), key=quoted(pl.col(keys[0]))
        )
    else:
        first, second = keys
        message = expr_text(
            _("{key} for {other} appears more than once (first on line @line@)"),
            key=quoted(pl.col(first)),
            other=quoted(pl.col(second)),
        )
    return frame, [(column, mask, message)]


def _not_in(column: str, ids: pl.Series) -> pl.Expr:
    return pl.col(column).is_not_null() & ~pl.col(column).is_in(ids.implode())


def _cycles(parents: pl.DataFrame) -> pl.Series:
    """Ids (of an id/parent_id frame) that are their own ancestor.

    Pointer doubling finds the ids whose chain never ends in a 2^k-step walk (k ~ log2 n); the
    ones in a cycle are what stays after repeatedly removing ids no remaining id points to.
    """
    edges = parents.select("id", "parent_id").filter(pl.col("parent_id").is_not_null())
    if edges.height == 0:
        return pl.Series("id", [], pl.String)
    jump = edges.rename({"parent_id": "up"})
    steps = 1
    while steps <= parents.height:
        jump = jump.join(
            jump.rename({"id": "up", "up": "up2"}), on="up", how="left", maintain_order="left"
        ).select("id", pl.col("up2").alias("up"))
        jump = jump.filter(pl.col("up").is_not_null())
        steps *= 2
    suspects = edges.filter(pl.col("id").is_in(jump["id"].implode()))
    while suspects.height:
        pointed = suspects.filter(pl.col("id").is_in(suspects["parent_id"].implode()))
        if pointed.height == suspects.height:
            break
        suspects = pointed
    return suspects["id"].sort()


def _cycle_rules(merged: pl.DataFrame, noun: str) -> list[Rule]:
    looped = _cycles(merged)
    if looped.len() == 0:
        return []
    names = ", ".join(looped.to_list())
    return [
        (
            "parent_id",
            pl.col("id").is_in(looped.implode()),
            pl.lit(
                _("the {noun} {names} form a cycle (each is its own ancestor)").format(
                    noun=translated(noun), names=names
                )
            ),
        )
    ]


def _goals(kpis: pl.DataFrame, key_results: pl.DataFrame, objectives: pl.DataFrame) -> pl.DataFrame:
    """goal_id, kind, aggregation, kpi_id, period kind (month/quarter/year) and, for a key
    result, its objective's period label."""
    kpi_goals = kpis.select(
        goal_id=pl.col("id"),
        kind=pl.lit("kpi"),
        aggregation=pl.col("aggregation"),
        unit=pl.col("unit"),
        kpi_id=pl.lit(None, pl.String),
        period_kind=pl.col("period"),
        period_label=pl.lit(None, pl.String),
        objective_id=pl.lit(None, pl.String),
    )
    kr_goals = key_results.join(
        objectives.select(objective_id="id", period_label="period"),
        on="objective_id",
        how="left",
        maintain_order="left",
    ).select(
        goal_id=pl.col("id"),
        kind=pl.lit("kr"),
        aggregation=pl.col("aggregation"),
        unit=pl.col("unit"),
        kpi_id=pl.col("kpi_id"),
        period_kind=pl.when(pl.col("period_label").str.contains("Q"))
        .then(pl.lit("quarter"))
        .otherwise(pl.lit("year")),
        period_label=pl.col("period_label"),
        objective_id=pl.col("objective_id"),
    )
    # An id given to a KPI and a key result is reported once; rules that depend on the kind of
    # goal leave it alone.
    both = pl.concat([kpi_goals, kr_goals], how="vertical_relaxed")
    return both.with_columns(ambiguous=pl.len().over("goal_id") > 1).unique(
        "goal_id", keep="first", maintain_order=True
    )


# --------------------------------------------------------------------------------------------
# The import


@dataclass
class _Plan:
    """Validated, typed frames ready to write."""

    frames: dict[str, pl.DataFrame]
    checkins: pl.DataFrame
    skipped: int
    given: dict[str, frozenset[str]] = field(default_factory=dict)
    """The columns each file's header names: a merge leaves the others of a stored row alone."""
    goals: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Every goal after the import (see `_goals`): what check-ins are checked against."""
    units: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Every unit's id and parent after the import."""


Progress = Callable[[str, int, int], None]
"""Told how long work is going: (stage, rows done, rows in all). The store never prints; the
command line shows it."""


def silent_progress(stage: str, done: int, total: int) -> None:
    pass


def import_path(
    db: Path,
    source: Path,
    *,
    replace: bool = False,
    encoding: str | None = None,
    check_only: bool = False,
    progress: Progress = silent_progress,
) -> ImportSummary:
    """Validate and load a folder of CSV files or an .xlsx workbook into the database at `db`.

    Merge (default): units, KPIs, objectives, key results and targets are upserted by id (targets
    by goal_id and period); check-ins are appended in file order, exact repeats skipped.
    `replace=True` empties the database first, in the same transaction. `encoding` forces the
    encoding of every CSV file (default: decided for each file from its bytes). `check_only=True`
    validates and writes nothing (an empty summary).
    Returns what was written. Raises ValidationError listing every problem (then nothing is
    written, and a database that did not exist is not created) and DatabaseError when the
    database cannot be used.
    """
    if encoding is not None:
        try:
            codec_name(encoding)
        except LookupError:
            raise ValidationError(
                [f"--encoding: '{encoding}' is not an encoding (e.g. utf-8, cp949, windows-1252)"]
            ) from None
    read = read_source(source, encoding)
    problems = Problems(files=list(read.problems))
    streamed = _streamable(read.tables.get("checkins"))
    typed: dict[str, pl.DataFrame] = {}
    total = 0
    mark = 0
    for name, table in read.tables.items():
        if table is streamed:
            # Read, checked and written a part at a time once the definitions are known good.
            mark = len(problems.files)
            continue
        typed[name] = _converted(table, problems)
        total += typed[name].height
        # From here on only the header and the lines are needed of the text as read.
        read.tables[name] = dataclasses.replace(table, frame=table.frame.clear())
    if streamed is None:
        progress("read", total, total)
    if problems.files:
        # A file is missing or unreadable, or its header is wrong: checks across files would
        # only echo that.
        raise ValidationError(problems.render(read.tables))
    for name in TABLE_FILES:
        typed.setdefault(name, _empty_typed(name))
    stream = (
        None
        if streamed is None
        else _Stream(streamed, problems, mark, read.tables, progress, done=total)
    )

    fresh = not db.exists()
    if fresh:
        # Validated against nothing, and only created once everything is known to be good.
        checks = Problems() if stream else problems
        plan = _validate(typed, _existing(None), None, checks, read.tables, replace=True)
        if stream is not None and (checks or check_only):
            stream.run(plan, [], checks, None)
        if problems:
            raise ValidationError(problems.render(read.tables))
        if check_only:
            return ImportSummary()
    with write_session(db) as con:
        existing = _existing(None if replace else con)
        if stream is not None and not replace and existing.checkin_count:
            # Check-ins already stored: repeats and corrections are checked against them with
            # the whole file at hand.
            typed["checkins"] = _converted(stream.table, problems)
            total += typed["checkins"].height
            if problems.files:
                raise ValidationError(problems.render(read.tables))
            read.tables["checkins"] = dataclasses.replace(
                stream.table, frame=stream.table.frame.clear()
            )
            stream = None
            progress("read", total, total)
        if stream is not None:
            # A database that did not exist holds nothing (unless another process made one
            # meanwhile): what was validated against nothing stands.
            known = plan if fresh and existing.empty else None
            return _import_streamed(con, stream, typed, existing, fresh, replace, check_only, known)
        if not fresh or not existing.empty:
            plan = _validate(typed, existing, con, problems, read.tables, replace=replace)
            if problems:
                raise ValidationError(problems.render(read.tables))
        progress("validated", total, total)
        if check_only:
            return ImportSummary()
        # The cells as written were needed for the messages; what is written is typed. Letting
        # go of the text halves what a large history holds while DuckDB stores it.
        typed.clear()
        plan = _without_text(plan)
        summary = _write(con, plan, existing, replace=replace)
    progress("written", total, total)
    return summary


def _streamable(table: SourceTable | None) -> SourceTable | None:
    """`table` when it is read in parts (a large CSV file without quotes) and its header is
    right: its rows are then converted, checked and written a part at a time."""
    if table is None or table.parts is None or table.header_problems:
        return None
    return None if header_problems(table, SPECS[table.name]) else table


def _import_streamed(
    con: duckdb.DuckDBPyConnection,
    stream: _Stream,
    typed: dict[str, pl.DataFrame],
    existing: _Existing,
    fresh: bool,
    replace: bool,
    check_only: bool,
    known: _Plan | None = None,
) -> ImportSummary:
    """Validate the definitions (unless `known` is their plan, validated already), write them,
    then the check-ins a part at a time as they are read and checked; any problem raises (and
    the session rolls everything back)."""
    checks = Problems()
    plan = known or _validate(typed, existing, con, checks, stream.sources, replace=replace)
    closed = [] if fresh or replace else closed_checkin_rules(con)
    if checks or check_only:
        stream.run(plan, closed, checks, None)
        if stream.problems:
            raise ValidationError(stream.problems.render(stream.sources))
        return ImportSummary()
    typed.clear()
    before = snapshot(con)
    counts = _write_definitions(con, plan, replace=replace)
    assert stream.table.parts is not None
    rows = stream.table.frame.height + stream.table.parts.rows
    with _CheckinWriter(con, 0 if replace else existing.next_seq, rows) as writer:
        stream.run(plan, closed, checks, writer)
    if stream.problems:
        raise ValidationError(stream.problems.render(stream.sources))
    return _finish(con, plan, before, counts, writer.added, 0, replace=replace)


class _Stream:
    """The check-ins of a large file, converted, checked and (when told) written one part at a
    time: the rules each row meets alone run on its part, with every cell as written at hand;
    the rules across rows (ids, corrections) run at the end over the few columns they read.
    Problems and their order are those of the whole file read at once."""

    def __init__(
        self,
        table: SourceTable,
        problems: Problems,
        mark: int,
        sources: dict[str, SourceTable],
        progress: Progress,
        *,
        done: int,
    ) -> None:
        self.table = table
        self.problems = problems
        self.mark = mark
        """Where the file's own problems go among `problems.files` (its place among files)."""
        self.sources = sources
        self.progress = progress
        self.done = done
        """Rows of the other files, read before."""

    def run(
        self,
        plan: _Plan,
        closed: list[Rule],
        checks: Problems,
        writer: _CheckinWriter | None,
    ) -> None:
        """Convert and check every part, writing each with `writer` while nothing is wrong;
        then the rules across rows. Cell problems go to `problems`; when no file problem
        stops it there, the checks (`checks`, the definitions' problems) follow them."""
        table, problems = self.table, self.problems
        spec = SPECS[table.name]
        assert table.parts is not None
        total = self.done + table.frame.height + table.parts.rows
        done = self.done
        header = list(table.header_problems)
        row_found: list[pl.DataFrame] = []
        closed_found: list[pl.DataFrame] = []
        narrow: list[pl.DataFrame] = []
        """Of every row its position, id and goal (as its place in `plan.goals`)."""
        strays: list[pl.DataFrame] = []
        """Rows naming a goal no one has: their goal as written."""
        fixes: list[pl.DataFrame] = []
        """Corrections and retractions, with what their rules read."""
        goal_ids = plan.goals["goal_id"] if plan.goals.width else pl.Series([], dtype=pl.String)
        code = pl.col("goal_id").replace_strict(
            goal_ids,
            pl.int_range(goal_ids.len(), dtype=pl.UInt32, eager=True),
            default=None,
            return_dtype=pl.UInt32,
        )
        held: list[pl.DataFrame] = []
        seq = 0
        told = 0
        try:
            for part in table.batches():
                header += [p for p in part.header_problems if p not in header]
                frame, found = convert_cells(part, spec)
                problems.add(table.name, found)
                done += frame.height
                self.progress("read", done, total)
                frame = frame.with_columns(
                    __seq=pl.int_range(frame.height, dtype=pl.Int64) + seq,
                    __repeat=pl.lit(False),
                )
                seq += frame.height
                row_found.append(
                    apply_rules(frame, _checkin_row_rules(frame, plan.goals, plan.units))
                )
                closed_found.append(apply_rules(frame, closed, start=300))
                narrow.append(frame.select(ROW, "id", __goal=code))
                strays.append(
                    frame.filter(pl.col("goal_id").is_not_null() & code.is_null()).select(
                        ROW, "goal_id"
                    )
                )
                fixes.append(
                    frame.filter(pl.col("supersedes").is_not_null()).select(
                        ROW, "id", "goal_id", "supersedes", "value"
                    )
                )
                self.progress("validated", done, total)
                anonymous = frame["id"].is_null()
                if anonymous.any():
                    # Their ids come from their cells and how often the same cells came before.
                    held.append(frame.filter(anonymous))
                    frame = frame.filter(~anonymous)
                if writer is not None and not (
                    problems or checks or any(f.height for f in (*row_found, *closed_found))
                ):
                    writer.write(frame)
                    if writer.added > told:
                        # Rows count as written once they are in the table.
                        told = writer.added
                        self.progress("written", self.done + told, total)
                del frame, anonymous
        except pl.exceptions.ComputeError as error:
            problems.files[self.mark : self.mark] = table.unreadable(error)
            return
        header += header_problems(table, spec)
        problems.files[self.mark : self.mark] = header
        if problems.files:
            return
        for name, frames in checks.rows.items():
            problems.rows.setdefault(name, []).extend(frames)
        problems.files += checks.files
        rows = pl.concat(narrow, rechunk=False)
        narrow.clear()
        # The rules across rows read only the rows they concern: every row of an id given
        # more than once, every correction and every row it names.
        # Ids given twice have equal hashes, found side by side once sorted: a column of
        # numbers, where a hash table of ten million ids would take more than all else.
        hashed = pl.when(pl.col("id").is_not_null()).then(pl.col("id").hash())
        hashes = rows.select(hashed).to_series().drop_nulls().sort()
        twice = hashes.filter(hashes == hashes.shift(1)).unique()
        del hashes
        repeated = rows.filter(hashed.is_in(twice.implode())).select(ROW, "id")
        repeated, rules = _duplicates(repeated, ["id"], "id")
        problems.add(table.name, apply_rules(repeated, rules))
        for found in row_found:
            # Numbered as if after the rule for repeated ids, as when read whole.
            problems.add(table.name, found.with_columns(pl.col("order") + len(rules)))
        corrections = pl.concat(fixes)
        if corrections.height:
            named = rows.filter(
                pl.col("id").is_in(corrections["supersedes"].unique().implode())
                & ~pl.col(ROW).is_in(corrections[ROW].implode())
            )
            named = (
                named.join(pl.concat(strays), on=ROW, how="left", maintain_order="left")
                .with_columns(
                    goal_id=pl.coalesce(goal_ids.gather(named["__goal"]), pl.col("goal_id")),
                    supersedes=pl.lit(None, pl.String),
                    value=pl.lit(None, pl.Float64),
                )
                .select(corrections.columns)
            )
            subset = pl.concat([corrections, named]).sort(ROW)
            _check_supersedes(
                subset.with_columns(__id=pl.col("id"), __repeat=pl.lit(False)), None, problems
            )
        for found in closed_found:
            problems.add(table.name, found)
        del rows
        if held:
            without_ids = _with_occurrence(pl.concat(held, how="diagonal_relaxed"))
            held.clear()
            if writer is not None and not problems:
                writer.write(without_ids)
        if writer is not None and not problems:
            writer.flush()
            # The count of lines told so far included blank ones: the rows in all, at last.
            for stage in ("read", "validated", "written"):
                self.progress(stage, done, done)


class _CheckinWriter:
    """Appends validated check-ins to the table in the session: `__seq` (their place in the
    file) after `start`, the entry time now when the file gives none, and for a row without an
    id one worked out from its cells as written (_ID_SQL).

    A large frame crosses into DuckDB as a Parquet file beside the database: inside a
    transaction DuckDB holds rows scanned from Arrow uncompressed until the commit (a million
    check-ins, some 150 MB), while rows it reads from a file of its own it compresses and writes
    on the way. The files of consecutive parts are read by one INSERT once they hold a
    quarter of the file's rows, and at least GROUP_ROWS (or at `flush`): each INSERT in a
    transaction leaves DuckDB work for the commit, which took seconds for a dozen inserts of a
    part each and a blink for four large ones. That INSERT runs in a thread of its own while
    the next parts are read and checked (DuckDB lets go of the interpreter while it works);
    nothing else uses the connection until it is done. The files are removed when the writer
    closes."""

    SPILL_ROWS = 100_000
    """Frames of at least this many rows go through a file."""
    GROUP_ROWS = 500_000
    """The fewest rows of files gathered before one INSERT reads them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, start: int, rows: int = 0) -> None:
        """`start`: the seq of the first row; `rows`: about how many rows will be written."""
        self.con = con
        self.start = start
        self.group = max(self.GROUP_ROWS, rows // 4)
        self.added = 0
        """Rows in the table so far (files waiting for `flush` not counted)."""
        self.now = datetime.now(UTC).replace(tzinfo=None)
        (path,) = con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone() or ("",)
        self._beside = Path(path).parent if path else Path(tempfile.gettempdir())
        self._folder: Path | None = None
        self._files: list[str] = []
        self._file_rows = 0
        self._count = 0
        self._insert = ""
        """The INSERT of the waiting files, up to the source they are read from."""
        self._storing: threading.Thread | None = None
        self._failure: BaseException | None = None
        con.execute("SET enable_progress_bar = false")
        # Entry order is the explicit seq column, so DuckDB may write row groups in parallel.
        con.execute("SET preserve_insertion_order = false")

    def __enter__(self) -> _CheckinWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        # The connection is the session's again (to commit or roll back) once the INSERT is
        # over; when the import failed, so may it have.
        if self._storing is not None:
            self._storing.join()
            self._storing = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def write(self, new: pl.DataFrame) -> None:
        """Append `new` (stored now, or with the next group of files: see `flush`)."""
        if new.height == 0:
            return
        stored = insert_columns("checkins")
        # Exactly the stored columns cross into DuckDB (each one more would be copied once
        # more on the way).
        anonymous = new["id"].null_count() > 0
        computed = {
            "seq": pl.col("__seq") + self.start,
            "recorded_at": pl.col("recorded_at").fill_null(
                pl.lit(self.now).dt.cast_time_unit("us")
            ),
        }
        rows = new.select(
            *(computed.get(c, pl.col(c)).alias(c) for c in stored),
            *(
                [pl.when(pl.col("id").is_null()).then(_id_key(new)).alias("__key")]
                if anonymous
                else []
            ),
        )
        select = ", ".join(_ID_SQL if c == "id" and anonymous else c for c in stored)
        insert = f"INSERT INTO checkins ({', '.join(stored)}) SELECT {select} FROM "
        if rows.height < self.SPILL_ROWS:
            self._wait()
            with registered(self.con, "goaltui_incoming", _batches(rows)):
                self.con.execute(insert + "goaltui_incoming")
            self.added += rows.height
            return
        if insert != self._insert:
            self._start()
            self._insert = insert
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix=".goaltui-import-", dir=self._beside))
        # Named by a count of every file so far: the files of a group being stored stay.
        self._count += 1
        path = self._folder / f"checkins-{self._count}.parquet"
        rows.write_parquet(path, compression="uncompressed", statistics=False)
        self._files.append(str(path))
        self._file_rows += rows.height
        del rows
        if self._file_rows >= self.group:
            self._start()

    def flush(self) -> None:
        """Store every row given so far; raises what storing them raised."""
        self._start()
        self._wait()

    def _start(self) -> None:
        """Begin the INSERT of the files waiting, once the one before is over."""
        self._wait()
        if not self._files:
            return
        files, rows, insert = self._files, self._file_rows, self._insert
        self._files, self._file_rows = [], 0

        def store() -> None:
            try:
                self.con.execute(insert + "read_parquet($paths)", {"paths": files})
                for path in files:
                    Path(path).unlink()
                self.added += rows
            except BaseException as error:  # raised again by _wait, in the importing thread
                self._failure = error

        self._storing = threading.Thread(target=store, name="goaltui-import-insert")
        self._storing.start()

    def _wait(self) -> None:
        """Let the INSERT under way finish; raise what it raised."""
        if self._storing is not None:
            self._storing.join()
            self._storing = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure


def _converted(table: SourceTable, problems: Problems) -> pl.DataFrame:
    """`table`'s cells converted and checked, a part of the file at a time (see
    `SourceTable.batches`), its problems added to `problems`.

    The check-ins' cells as written are kept only where a later rule may quote them or work an
    id out of them; elsewhere the typed value stands for them (empty exactly when the cell is,
    as a cell that does not convert is a problem)."""
    spec = SPECS[table.name]
    parts: list[pl.DataFrame] = []
    kept: list[set[str]] = []
    header = list(table.header_problems)
    try:
        for part in table.batches():
            header += [p for p in part.header_problems if p not in header]
            frame, found = convert_cells(part, spec)
            problems.add(table.name, found)
            keep = _cells_needed(table.name, frame, found)
            parts.append(frame.drop(_dropped(frame, keep)))
            kept.append(keep)
    except pl.exceptions.ComputeError as error:
        problems.files += table.unreadable(error)
        return _empty_typed(table.name)
    problems.files += [*header, *header_problems(table, spec)]
    wanted = set().union(*kept)
    if any(wanted - keep for keep in kept):
        # A later part needs cells an earlier one let go of: that part is read once more.
        for index, part in enumerate(table.batches()):
            missing = sorted(wanted - kept[index])
            if missing:
                frame, _ = convert_cells(part, spec)
                parts[index] = parts[index].with_columns(frame.select(missing))
    if len(parts) == 1:
        return parts[0]
    # One column at a time into one piece (a frame in pieces is copied whole by the first
    # column added to it), each let go of in the parts once joined.
    joined: dict[str, pl.Series] = {}
    for column in parts[0].columns:
        joined[column] = pl.concat([p[column] for p in parts], rechunk=True)
        parts = [p.drop(column) for p in parts]
    return pl.DataFrame(joined)


def _dropped(frame: pl.DataFrame, keep: set[str]) -> list[str]:
    return [c for c in frame.columns if c.endswith(TEXT_SUFFIX) and c not in keep]


def _cells_needed(name: str, frame: pl.DataFrame, found: pl.DataFrame) -> set[str]:
    """The cells as written (`<name>__text` columns) of a converted part that later checks may
    need: all of them but for check-ins with ids and no problem in their cells; of those only
    what a rule quotes (a % sign, a negative or 0 denominator, a confidence out of range)."""
    texts = {c for c in frame.columns if c.endswith(TEXT_SUFFIX)}
    if name != "checkins" or found.height or frame["id"].null_count():
        return texts
    value, denominator, confidence = pl.col("value"), pl.col("denominator"), pl.col("confidence")
    quoted_when = {
        "value": (denominator == 0) & (value != 0),
        "denominator": denominator < 0,
        "confidence": (confidence < 0) | (confidence > 10),
    }
    column = list(quoted_when)
    flags = frame.select(
        (quoted_when[c] | has_percent(pl.col(c + TEXT_SUFFIX)).fill_null(False)).any().alias(c)
        for c in column
    ).row(0)
    return {c + TEXT_SUFFIX for c, flag in zip(column, flags, strict=True) if flag}


def _cell(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A check-in cell as written, or its typed value where the cells were let go of (see
    `_converted`)."""
    if column + TEXT_SUFFIX in frame.columns:
        return pl.col(column + TEXT_SUFFIX)
    return pl.col(column).cast(pl.String)


def _without_text(plan: _Plan) -> _Plan:
    """`plan` without the check-ins' cells as written, unless a row without an id needs them
    for the id worked out from its cells."""
    checkins = plan.checkins
    if checkins.height == 0 or checkins["__id"].null_count():
        return plan
    text = [c for c in checkins.columns if c.endswith(TEXT_SUFFIX)]
    return dataclasses.replace(plan, checkins=checkins.drop(text))


def _empty_typed(name: str) -> pl.DataFrame:
    columns: dict[str, pl.DataType] = {ROW: pl.UInt32()}
    for column in SPECS[name]:
        dtype: pl.DataType = {
            "number": pl.Float64(),
            "date": pl.Date(),
            "timestamp": pl.Datetime("us"),
        }.get(column.kind, pl.String())
        columns[column.name] = dtype
        if column.kind != "text":
            columns[column.name + TEXT_SUFFIX] = pl.String()
    return pl.DataFrame(schema=columns)


def _measured_by(all_krs: pl.DataFrame, all_objectives: pl.DataFrame) -> pl.DataFrame:
    """kpi_id -> the first active key result measured by that KPI (`__measured_by`): a key
    result that is not archived and whose objective is not archived either."""
    archived_objectives = all_objectives.filter(pl.col("archived").is_not_null())["id"]
    active = all_krs.filter(
        pl.col("archived").is_null()
        & pl.col("kpi_id").is_not_null()
        & ~pl.col("objective_id").is_in(archived_objectives.implode())
    )
    return active.group_by("kpi_id", maintain_order=True).agg(__measured_by=pl.col("id").first())


def _ref_rule(column: str, ids: pl.Series, noun: str) -> Rule:
    return (
        column,
        _not_in(column, ids),
        expr_text(_("no {noun} has the id {id}"), noun=translated(noun), id=quoted(pl.col(column))),
    )


def _validate(
    typed: dict[str, pl.DataFrame],
    existing: _Existing,
    con: duckdb.DuckDBPyConnection | None,
    problems: Problems,
    sources: dict[str, SourceTable],
    *,
    replace: bool,
) -> _Plan:
    """Check the rules across rows and files, adding what is wrong to `problems`; return the
    rows to write."""
    units, kpis, objectives = typed["units"], typed["kpis"], typed["objectives"]
    key_results, checkins, targets = typed["key_results"], typed["checkins"], typed["targets"]

    all_units = _merged(existing.units, units, ["id", "parent_id"])
    all_kpis = _merged(
        existing.kpis, kpis, ["id", "parent_id", "aggregation", "period", "unit", "archived"]
    )
    all_objectives = _merged(
        existing.objectives, objectives, ["id", "parent_id", "period", "archived"]
    )
    all_krs = _merged(
        existing.key_results,
        key_results,
        ["id", "objective_id", "aggregation", "kpi_id", "unit", "archived"],
    )
    measured_by = _measured_by(all_krs, all_objectives)
    goals = _goals(all_kpis, all_krs, all_objectives)

    # Units: ids, parents, exactly one root, no cycles.
    units, rules = _duplicates(units, ["id"], "id")
    rules.append(_ref_rule("parent_id", all_units["id"], N_("unit")))
    roots = all_units.filter(pl.col("parent_id").is_null())["id"]
    if roots.len() == 0:
        if all_units.height:
            what = _("no unit is the root; exactly one unit must have an empty parent_id")
        else:
            what = _("no units; exactly one unit must have an empty parent_id")
        problems.files.append(f"{_label(sources, 'units')}: {what}")
    elif roots.len() > 1:
        kept = existing.units.filter(
            pl.col("parent_id").is_null() & ~pl.col("id").is_in(units["id"].implode())
        )["id"]
        first = kept[0] if kept.len() else roots.filter(roots.is_in(units["id"].implode()))[0]
        if kept.len():
            where = _(
                "empty, but the database's root unit is '{unit}'; exactly one unit may have no "
                "parent"
            )
        else:
            where = _("empty, but the root unit is '{unit}'; exactly one unit may have no parent")
        rules.append(
            (
                "parent_id",
                pl.col("parent_id").is_null()
                & pl.col("id").is_not_null()
                & (pl.col("id") != first),
                pl.lit(where.format(unit=first)),
            )
        )
    rules += _cycle_rules(all_units, N_("units"))
    problems.add("units", apply_rules(units, rules))

    # KPIs: ids (shared with key results), owners, parents.
    kpis, rules = _duplicates(kpis, ["id"], "id")
    stored_kr_ids = existing.key_results["id"]
    rules += [
        (
            "id",
            pl.col("id").is_in(stored_kr_ids.implode()),
            expr_text(_("{id} is already the id of a key result"), id=quoted(pl.col("id"))),
        ),
        _ref_rule("unit_id", all_units["id"], N_("unit")),
        _ref_rule("parent_id", all_kpis["id"], N_("KPI")),
        percent_rule("target", takes_percent_expr(pl.col("unit"), pl.col("aggregation"))),
    ]
    rules += _cycle_rules(all_kpis, N_("KPIs"))
    kpis = kpis.join(
        measured_by, left_on="id", right_on="kpi_id", how="left", maintain_order="left"
    )
    rules.append(
        (
            "archived",
            pl.col("archived").is_not_null() & pl.col("__measured_by").is_not_null(),
            expr_text(
                _("the active key result {kr} is measured by this KPI; archive it first"),
                kr=quoted(pl.col("__measured_by")),
            ),
        )
    )
    problems.add("kpis", apply_rules(kpis, rules))

    # Objectives.
    objectives, rules = _duplicates(objectives, ["id"], "id")
    period_ok = f"{LABEL_PATTERNS['quarter']}|{LABEL_PATTERNS['year']}"
    rules += [
        _ref_rule("unit_id", all_units["id"], N_("unit")),
        _ref_rule("parent_id", all_objectives["id"], N_("objective")),
        (
            "period",
            pl.col("period").is_not_null() & ~pl.col("period").str.contains(period_ok),
            expr_text(
                _("{period} is not a quarter or a year (use e.g. 2026-Q4 or 2026)"),
                period=quoted(pl.col("period")),
            ),
        ),
    ]
    rules += _cycle_rules(all_objectives, N_("objectives"))
    carried = objectives.join(
        all_objectives.select(
            carried_from="id", __carried_start=_month_index("period"), __carried_period="period"
        ),
        on="carried_from",
        how="left",
        maintain_order="left",
    )
    carried_end = pl.col("__carried_start") + pl.when(
        pl.col("__carried_period").str.contains("Q")
    ).then(3).otherwise(12)
    rules += [
        _ref_rule("carried_from", all_objectives["id"], N_("objective")),
        (
            "carried_from",
            pl.col("__carried_start").is_not_null()
            & _month_index("period").is_not_null()
            & (carried_end > _month_index("period")),
            expr_text(
                _("objective {objective} is of {its_period}, not of a period before {period}"),
                objective=quoted(pl.col("carried_from")),
                its_period=pl.col("__carried_period"),
                period=pl.col("period"),
            ),
        ),
    ]
    problems.add("objectives", apply_rules(carried, rules))

    # Key results.
    key_results, rules = _duplicates(key_results, ["id"], "id")
    rules += [
        (
            "id",
            pl.col("id").is_in(all_kpis["id"].implode()),
            expr_text(
                _("{id} is already the id of a KPI (KPIs and key results share ids)"),
                id=quoted(pl.col("id")),
            ),
        ),
        _ref_rule("objective_id", all_objectives["id"], N_("objective")),
        _ref_rule("kpi_id", all_kpis["id"], N_("KPI")),
        (
            "kpi_id",
            pl.col("archived").is_null()
            & pl.col("kpi_id").is_in(
                all_kpis.filter(pl.col("archived").is_not_null())["id"].implode()
            ),
            expr_text(
                _("the KPI {id} is archived; an active key result cannot be measured by it"),
                id=quoted(pl.col("kpi_id")),
            ),
        ),
        (
            "weight",
            pl.col("weight") < 0,
            expr_text(
                _("{cell} is negative; a weight is 0 or more"), cell=quoted(pl.col("weight__text"))
            ),
        ),
        percent_rule("target", takes_percent_expr(pl.col("unit"), pl.col("aggregation"))),
        percent_rule("baseline", takes_percent_expr(pl.col("unit"), pl.col("aggregation"))),
        percent_rule("weight", pl.lit(False)),
    ]
    for column, cell in (
        ("unit", "unit"),
        ("direction", "direction__text"),
        ("aggregation", "aggregation__text"),
    ):
        rules.append(
            (
                column,
                pl.col("kpi_id").is_null() & pl.col(cell).is_null(),
                pl.lit(_("required unless kpi_id is given")),
            )
        )
    rules.append(
        (
            "cadence",
            pl.col("kpi_id").is_not_null() & pl.col("cadence").is_not_null(),
            pl.lit(
                _("must be empty when kpi_id is given: the key result follows its KPI's cadence")
            ),
        )
    )
    problems.add("key_results", apply_rules(key_results, rules))

    # Targets: the period label must be one of the goal's periods.
    targets, rules = _duplicates(targets, ["goal_id", "period"], "period")
    target_goals = targets.join(
        goals.filter(~pl.col("ambiguous")).select(
            "goal_id", "period_kind", "period_label", "objective_id", "unit", "aggregation"
        ),
        on="goal_id",
        how="left",
        maintain_order="left",
    )
    pattern = pl.col("period_kind").replace_strict(LABEL_PATTERNS, default="^$")
    example = pl.col("period_kind").replace_strict(LABEL_EXAMPLES, default="")
    rules += [
        _ref_rule("goal_id", goals["goal_id"], N_("KPI or key result")),
        percent_rule("target", takes_percent_expr(pl.col("unit"), pl.col("aggregation"))),
        (
            "period",
            pl.col("period").is_not_null()
            & pl.col("objective_id").is_null()
            & pl.col("period_kind").is_not_null()
            & ~pl.col("period").str.contains(pattern),
            expr_text(
                _(
                    "{period} is not a {kind} label; KPI {goal} is measured by {kind} "
                    "(e.g. {example})"
                ),
                period=quoted(pl.col("period")),
                kind=pl.col("period_kind"),
                goal=quoted(pl.col("goal_id")),
                example=example,
            ),
        ),
        (
            "period",
            pl.col("period").is_not_null()
            & pl.col("period_label").is_not_null()
            & (pl.col("period") != pl.col("period_label")),
            expr_text(
                _("{period} is not the period of key result {goal} ({label}, its objective's)"),
                period=quoted(pl.col("period")),
                goal=quoted(pl.col("goal_id")),
                label=pl.col("period_label"),
            ),
        ),
    ]
    problems.add("targets", apply_rules(target_goals, rules))

    checkins, skipped = _validate_checkins(
        checkins,
        goals,
        all_units,
        None if replace or existing.checkin_count == 0 else con,
        problems,
    )
    if con is not None and not replace:
        problems.add("checkins", apply_rules(checkins, closed_checkin_rules(con), start=300))
    frames = {
        "units": _with_defaults(units, "units"),
        "kpis": _with_defaults(kpis, "kpis"),
        "objectives": _with_defaults(objectives, "objectives"),
        # A key result measured by a KPI follows the KPI's cadence: it keeps none of its own.
        "key_results": _with_defaults(key_results, "key_results").with_columns(
            cadence=pl.when(pl.col("kpi_id").is_null()).then(pl.col("cadence"))
        ),
        "targets": _with_defaults(targets, "targets"),
        **validate_cycle(typed, all_objectives, all_krs, all_units, problems),
    }
    given = {
        name: frozenset(source.frame.columns) for name, source in sources.items() if name in frames
    }
    return _Plan(frames, checkins, skipped, given, goals, all_units)


def _with_defaults(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """`frame` with the declared default stored for every empty cell of a column that has one."""
    defaults = TABLES[table].defaults
    return (
        frame.with_columns(pl.col(c).fill_null(v) for c, v in defaults.items())
        if defaults
        else frame
    )


def _month_index(column: str) -> pl.Expr:
    """The first month of a quarter or year label as months since year 0 (null for anything
    else): labels compare the same whatever the fiscal year's first month."""
    parts = pl.col(column).str.extract_groups(r"^(\d{4})(?:-Q([1-4]))?$")
    year = parts.struct.field("1").cast(pl.Int64)
    quarter = parts.struct.field("2").cast(pl.Int64)
    return year * 12 + (quarter.fill_null(1) - 1) * 3


def _label(sources: dict[str, SourceTable], name: str) -> str:
    return sources[name].label if name in sources else f"{name}.csv"


def _with_occurrence(frame: pl.DataFrame) -> pl.DataFrame:
    """Number identical rows without an id (same cells) in file order: 0 for the first, 1 for
    the next... Rows with an id of their own need no number."""
    zero = frame.with_columns(__occurrence=pl.lit(0, pl.Int64))
    anonymous = frame.filter(pl.col("id").is_null()) if frame["id"].null_count() else frame[:0]
    if anonymous.height < 2:
        return zero
    hashes = anonymous.select(CHECKIN_KEY).hash_rows()
    if hashes.n_unique() == hashes.len():
        return zero
    # Only rows whose hash repeats can be identical; hash collisions just cost a little work.
    repeated = anonymous.filter(hashes.is_duplicated()).select(
        ROW, __occurrence=pl.int_range(pl.len(), dtype=pl.Int64).over(list(CHECKIN_KEY))
    )
    return frame.join(repeated, on=ROW, how="left", maintain_order="left").with_columns(
        pl.col("__occurrence").fill_null(0)
    )


def _checkin_row_rules(
    frame: pl.DataFrame, goals: pl.DataFrame, all_units: pl.DataFrame
) -> list[Rule]:
    """The rules each check-in row meets on its own, against the goals and units after the
    import (`frame` gives the columns: its cells as written where it kept them)."""
    # Set lookups instead of a join: a million check-ins meet a few thousand goals.
    clear = goals.filter(~pl.col("ambiguous"))
    measured = clear.filter(pl.col("kpi_id").is_not_null())
    known = pl.col("goal_id").is_in(goals["goal_id"].implode())
    ratio = pl.col("goal_id").is_in(
        clear.filter(pl.col("aggregation") == "ratio")["goal_id"].implode()
    )
    plain = pl.col("goal_id").is_in(
        clear.filter(pl.col("aggregation") != "ratio")["goal_id"].implode()
    )
    kpi_of = pl.col("goal_id").replace_strict(
        measured["goal_id"], measured["kpi_id"], default=None, return_dtype=pl.String
    )
    aggregation_of = pl.col("goal_id").replace_strict(
        clear["goal_id"], clear["aggregation"], default=None, return_dtype=pl.String
    )
    in_percent = clear.filter(takes_percent_expr(pl.col("unit"), pl.col("aggregation")))
    retraction = pl.col("value").is_null() & pl.col("supersedes").is_not_null()

    def cell(column: str) -> pl.Expr:
        return _cell(frame, column)

    return [
        (
            "goal_id",
            pl.col("goal_id").is_not_null() & ~known,
            expr_text(_("no KPI or key result has the id {id}"), id=quoted(pl.col("goal_id"))),
        ),
        (
            "goal_id",
            pl.col("goal_id").is_in(measured["goal_id"].implode()),
            expr_text(
                _(
                    "key result {goal} is measured by KPI {kpi} and takes no check-ins of its "
                    "own; check in to {kpi} instead"
                ),
                goal=quoted(pl.col("goal_id")),
                kpi=quoted(kpi_of),
            ),
        ),
        (
            "value",
            cell("value").is_null() & pl.col("supersedes").is_null(),
            pl.lit(_("required but empty (only a row with supersedes may leave it empty)")),
        ),
        (
            "denominator",
            ratio & cell("denominator").is_null() & pl.col("value").is_not_null(),
            expr_text(_("required: {goal} is a ratio goal"), goal=quoted(pl.col("goal_id"))),
        ),
        (
            "denominator",
            plain & cell("denominator").is_not_null(),
            expr_text(
                _("only ratio goals take a denominator; {goal} aggregates by {aggregation}"),
                goal=quoted(pl.col("goal_id")),
                aggregation=aggregation_of,
            ),
        ),
        (
            "denominator",
            ratio & retraction & cell("denominator").is_not_null(),
            pl.lit(_("a retraction (empty value) takes no denominator")),
        ),
        *checkin_number_rules(cell),
        percent_rule(
            "value", pl.col("goal_id").is_in(in_percent["goal_id"].implode()), cell("value")
        ),
        percent_rule("denominator", pl.lit(False), cell("denominator")),
        percent_rule("confidence", pl.lit(False), cell("confidence")),
        _ref_rule("author", all_units["id"], N_("unit")),
    ]


def _validate_checkins(
    checkins: pl.DataFrame,
    goals: pl.DataFrame,
    all_units: pl.DataFrame,
    con: duckdb.DuckDBPyConnection | None,
    problems: Problems,
) -> tuple[pl.DataFrame, int]:
    """Check the check-in rules against the goals and, when `con` is given, the check-ins the
    database holds. Returns the rows (with `__id`, `__occurrence`, `__repeat`) and how many of
    them repeat a stored check-in."""
    if checkins.height == 0:
        return checkins.with_columns(
            __id=pl.lit(None, pl.String),
            __occurrence=pl.lit(0, pl.Int64),
            __repeat=pl.lit(False),
        ), 0
    # Identical rows in one file are separate check-ins: the occurrence number keeps their ids
    # apart, while importing the same file again gives the same ids.
    frame = _with_occurrence(checkins)
    frame, rules = _duplicates(frame, ["id"], "id")
    rules += _checkin_row_rules(frame, goals, all_units)
    problems.add("checkins", apply_rules(frame, rules))

    if con is None:
        # Nothing stored to compare with: rows without an id get theirs while being written.
        frame = frame.with_columns(__id=pl.col("id"), __repeat=pl.lit(False))
        _check_supersedes(frame, None, problems)
        return frame, 0
    frame = frame.with_columns(__id=_checkin_ids(frame, con))
    with registered(con, "goaltui_incoming_ids", frame.select(id="__id")):
        stored = query(
            con,
            f"SELECT {', '.join(f'c.{c}' for c in ('id', *CHECKIN_KEY))} FROM checkins c "
            "SEMI JOIN goaltui_incoming_ids i ON c.id = i.id",
        )
    frame, skipped = _repeats(frame, stored, problems)
    _check_supersedes(frame, con, problems)
    return frame, skipped


def _id_key(frame: pl.DataFrame) -> pl.Expr:
    """The text a row without an id is known by: its cells as written, and its occurrence."""
    cells = [
        pl.col(c + TEXT_SUFFIX if c + TEXT_SUFFIX in frame.columns else c).fill_null("")
        for c in CHECKIN_KEY
    ]
    return pl.when(pl.col("id").is_null()).then(
        pl.concat_str([*cells, pl.col("__occurrence").cast(pl.String)], separator="\x1f")
    )


def _checkin_ids(frame: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> pl.Series:
    with registered(con, "goaltui_incoming", frame.select("id", __key=_id_key(frame))):
        return query(con, f"SELECT {_ID_SQL} AS id FROM goaltui_incoming").to_series()


_ID_SQL = "coalesce(id, 'c' || left(md5(__key), 16))"
"""SQL of a check-in's id: the file's, or 'c' + 16 hex digits of the md5 of the row's cells
(stable across versions of polars and DuckDB, unlike their hash functions)."""


def _repeats(
    frame: pl.DataFrame, stored: pl.DataFrame, problems: Problems
) -> tuple[pl.DataFrame, int]:
    """Drop incoming rows the database holds already; a different row under a known id is a
    problem."""
    if stored.height == 0:
        return frame.with_columns(__repeat=pl.lit(False)), 0
    # The same check-in is the same cells; when it was entered does not make it another one.
    compare = [c for c in CHECKIN_KEY if c != "recorded_at"]
    joined = frame.join(
        stored.rename({c: f"{c}__stored" for c in stored.columns if c != "id"}).rename(
            {"id": "__id"}
        ),
        on="__id",
        how="left",
        maintain_order="left",
    )
    known = pl.col("goal_id__stored").is_not_null()
    same = pl.all_horizontal(pl.col(c).eq_missing(pl.col(f"{c}__stored")) for c in compare) & (
        pl.col("recorded_at").is_null()
        | pl.col("recorded_at").eq_missing(pl.col("recorded_at__stored"))
    )
    rules: list[Rule] = [
        (
            "id",
            known & ~same,
            expr_text(
                _(
                    "{id} is already in the database as a different check-in ({goal} on "
                    "{date}); give this one another id"
                ),
                id=quoted(pl.col("__id")),
                goal=pl.col("goal_id__stored"),
                date=pl.col("date__stored").cast(pl.String),
            ),
        )
    ]
    problems.add("checkins", apply_rules(joined, rules, start=100))
    repeat = joined.select(known & same).to_series()
    return frame.with_columns(__repeat=repeat), int(repeat.sum())


def _check_supersedes(
    frame: pl.DataFrame, con: duckdb.DuckDBPyConnection | None, problems: Problems
) -> None:
    """A correction names an earlier check-in of the same goal that nothing else superseded
    and that is not itself a retraction."""
    corrections = frame.filter(pl.col("supersedes").is_not_null())
    if corrections.height == 0:
        return
    # Candidates: earlier rows of the file with an id of their own, then the database.
    in_file = (
        frame.filter(pl.col("id").is_in(corrections["supersedes"].unique().implode()))
        .select(
            target="id",
            target_goal="goal_id",
            target_row=pl.col(ROW).cast(pl.Int64),
            target_retraction=pl.col("value").is_null() & pl.col("supersedes").is_not_null(),
        )
        .unique("target", keep="first", maintain_order=True)
    )
    stored_targets = pl.DataFrame(
        schema={"target": pl.String, "target_goal": pl.String, "target_retraction": pl.Boolean}
    )
    stored_by = pl.DataFrame(
        schema={"by": pl.String, "supersedes": pl.String, "by_value": pl.Boolean}
    )
    if con is not None:
        with registered(con, "goaltui_targets", corrections.select(target="supersedes")):
            stored_targets = query(
                con,
                "SELECT id AS target, goal_id AS target_goal, "
                "(value IS NULL AND supersedes IS NOT NULL) AS target_retraction FROM checkins "
                "WHERE id IN (SELECT target FROM goaltui_targets)",
            )
            stored_by = query(
                con,
                "SELECT id AS by, supersedes, value IS NOT NULL AS by_value FROM checkins "
                "WHERE supersedes IN (SELECT target FROM goaltui_targets)",
            )
    rows = corrections.select(ROW, "__id", "goal_id", "supersedes", "value", "__repeat")
    rows = rows.join(
        in_file.rename({"target": "supersedes"}), on="supersedes", how="left", maintain_order="left"
    ).join(
        stored_targets.rename(
            {
                "target": "supersedes",
                "target_goal": "stored_goal",
                "target_retraction": "stored_retraction",
            }
        ),
        on="supersedes",
        how="left",
        maintain_order="left",
    )
    # Another entry that superseded the same check-in: earlier in this file, or in the database
    # (leaving out this very row when it is a repeat of one stored).
    first_in_file = pl.col(ROW).min().over("supersedes")
    stored_other = (
        rows.select(ROW, "__id", "supersedes")
        .join(stored_by, on="supersedes", how="inner")
        .filter(pl.col("by") != pl.col("__id"))
        .group_by(ROW)
        .agg(pl.col("by").first(), pl.col("by_value").first())
    )
    rows = rows.join(stored_other, on=ROW, how="left", maintain_order="left").with_columns(
        __ref=first_in_file
    )
    in_file_earlier = pl.col("target_row").is_not_null() & (pl.col("target_row") < pl.col(ROW))
    in_db = pl.col("stored_goal").is_not_null()
    target_goal = pl.when(in_db).then(pl.col("stored_goal")).otherwise(pl.col("target_goal"))
    target_retraction = pl.coalesce("stored_retraction", "target_retraction")
    rules: list[Rule] = [
        (
            "supersedes",
            pl.col("supersedes") == pl.col("__id"),
            pl.lit(_("a check-in cannot supersede itself")),
        ),
        (
            "supersedes",
            (pl.col("supersedes") != pl.col("__id").fill_null(""))
            & ~in_db
            & pl.col("target_row").is_not_null()
            & ~in_file_earlier,
            expr_text(
                _(
                    "{id} comes later in the file; a correction must follow the check-in it "
                    "corrects"
                ),
                id=quoted(pl.col("supersedes")),
            ),
        ),
        (
            "supersedes",
            ~in_db & pl.col("target_row").is_null(),
            expr_text(_("no check-in has the id {id}"), id=quoted(pl.col("supersedes"))),
        ),
        (
            "supersedes",
            target_goal.is_not_null() & (target_goal != pl.col("goal_id")),
            expr_text(
                _("{id} is a check-in of {its_goal}, not of {goal}"),
                id=quoted(pl.col("supersedes")),
                its_goal=quoted(target_goal),
                goal=quoted(pl.col("goal_id")),
            ),
        ),
        (
            "supersedes",
            target_retraction.fill_null(False),
            expr_text(
                _("{id} is a retraction; check in anew instead of correcting it"),
                id=quoted(pl.col("supersedes")),
            ),
        ),
        (
            "supersedes",
            pl.col("by").is_not_null(),
            pl.when(pl.col("by_value"))
            .then(
                expr_text(
                    _("check-in {id} was already corrected by {by}"),
                    id=quoted(pl.col("supersedes")),
                    by=quoted(pl.col("by")),
                )
            )
            .otherwise(
                expr_text(
                    _("check-in {id} was already retracted by {by}"),
                    id=quoted(pl.col("supersedes")),
                    by=quoted(pl.col("by")),
                )
            ),
        ),
        (
            "supersedes",
            pl.col("by").is_null() & (pl.col(ROW) != first_in_file),
            expr_text(
                _("check-in {id} is already superseded by the row on line @line@"),
                id=quoted(pl.col("supersedes")),
            ),
        ),
    ]
    problems.add("checkins", apply_rules(rows, rules, start=200))


# --------------------------------------------------------------------------------------------
# Writing


def _batches(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame in chunks of _BATCH_ROWS rows: DuckDB scans chunks in parallel, while a frame
    of one chunk is read by one thread."""
    if frame.height <= _BATCH_ROWS:
        return frame
    chunks = [frame.slice(i, _BATCH_ROWS) for i in range(0, frame.height, _BATCH_ROWS)]
    return pl.concat(chunks, rechunk=False)


_BATCH_ROWS = 122_880


def _write(
    con: duckdb.DuckDBPyConnection, plan: _Plan, existing: _Existing, *, replace: bool
) -> ImportSummary:
    before = snapshot(con)
    counts = _write_definitions(con, plan, replace=replace)
    checkins = plan.checkins
    with _CheckinWriter(con, 0 if replace else existing.next_seq) as writer:
        if checkins.height:
            new = checkins.filter(~pl.col("__repeat")) if plan.skipped else checkins
            writer.write(
                new.with_columns(__seq=pl.int_range(pl.len(), dtype=pl.Int64), id=pl.col("__id"))
            )
            writer.flush()
    return _finish(con, plan, before, counts, writer.added, plan.skipped, replace=replace)


def _write_definitions(
    con: duckdb.DuckDBPyConnection, plan: _Plan, *, replace: bool
) -> dict[str, int]:
    """Empty the tables (`replace`) and upsert the units, KPIs, objectives, key results and
    targets; returns how many rows of each."""
    if replace:
        for table in ("checkins", "targets", "key_results", "objectives", "kpis", "units"):
            con.execute(f"DELETE FROM {table}")
    counts: dict[str, int] = {}
    for table in ("units", "kpis", "objectives", "key_results", "targets"):
        frame = plan.frames[table]
        columns = list(insert_columns(table))
        counts[table] = frame.height
        if frame.height == 0:
            continue
        # A merge updates only the columns the file gives: re-importing a spreadsheet that has
        # no `login` or `cadence` column keeps what the database holds for them.
        given = plan.given.get(table, frozenset(columns))
        if table == "key_results" and "kpi_id" in given:
            given |= {"cadence"}  # a KR measured by a KPI follows the KPI's cadence
        update = [c for c in columns if c != "id" and (replace or c in given)]
        upsert = (
            "ON CONFLICT (id) DO "
            + (
                f"UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in update)}"
                if update
                else "NOTHING"
            )
            if table != "targets"
            else "ON CONFLICT (goal_id, period) DO UPDATE SET target = excluded.target"
        )
        with registered(con, "goaltui_rows", frame.select(columns)):
            con.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(columns)} FROM goaltui_rows {upsert}"
            )
    return counts


def _finish(
    con: duckdb.DuckDBPyConnection,
    plan: _Plan,
    before: Snapshot,
    counts: dict[str, int],
    added: int,
    skipped: int,
    *,
    replace: bool,
) -> ImportSummary:
    """Write the cycle's tables and record the changes to definitions; the summary."""
    cycle = write_cycle(con, plan.frames, replace=replace)
    record_changes(con, before)
    return ImportSummary(
        grades=cycle["grades"],
        history=cycle["history"],
        units=counts["units"],
        kpis=counts["kpis"],
        objectives=counts["objectives"],
        key_results=counts["key_results"],
        checkins_added=added,
        checkins_skipped=skipped,
        targets=counts["targets"],
    )


# --------------------------------------------------------------------------------------------
# One definition at a time


DEFINITION_TABLES = ("units", "kpis", "objectives", "key_results", "targets")
"""Tables whose rows `definition_problems` checks."""


def definition_problems(
    table: str, row: Mapping[str, str | None], dataset: Dataset | None = None
) -> dict[str, str]:
    """What is wrong with one row of a definition table (`units`, `kpis`, `objectives`,
    `key_results`, `targets`), given as cell texts by column, against the organisation in
    `dataset` (an edited row replaces the stored row of its id). Returns {column: problem}
    (`row` for a problem of the whole organisation); an empty dict means it can be saved.

    These are the import's own rules, run over a one-row table: an authoring form and an
    imported file get the same verdict and the same words.
    """
    if table not in DEFINITION_TABLES:
        raise ValueError(f"{table} is not one of {', '.join(DEFINITION_TABLES)}")
    spec = SPECS[table]
    frame = pl.DataFrame(
        {c.name: [row.get(c.name)] for c in spec}, schema={c.name: pl.String for c in spec}
    ).with_row_index(ROW)
    source = SourceTable(table, f"{table}.csv", frame, None)
    problems = Problems()
    typed = {name: _empty_typed(name) for name in TABLE_FILES}
    typed[table], found = convert_cells(source, spec)
    problems.add(table, found)
    known = dataset or Dataset.empty()
    existing = _Existing(
        units=known.units,
        kpis=known.kpis,
        objectives=known.objectives,
        key_results=known.key_results,
        checkin_count=0,
        next_seq=0,
    )
    _validate(typed, existing, None, problems, {table: source}, replace=False)
    result: dict[str, str] = {}
    for text in problems.files:
        result.setdefault("row", text.split(": ", 1)[-1])
    for part in problems.rows.get(table, []):
        for text in part.sort("order")["text"].to_list():
            column, _, problem = text.partition(": ")
            result.setdefault(column, problem)
    return result
