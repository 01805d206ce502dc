"""Reading the interchange format's files into frames of text, one per table.

A source is a folder of CSV files or an .xlsx workbook with one sheet per table. Every cell is read
as text; the importer converts and validates. Problems found here concern whole files (missing,
empty, binary, unreadable) or their header rows, and read `file: what is wrong` or
`file:1: column: what is wrong`.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from goaltui.i18n import _

TABLE_FILES = (
    "units",
    "kpis",
    "objectives",
    "key_results",
    "checkins",
    "targets",
    "grades",
    "closed_periods",
    "history",
)
"""Table names in the order they are read; the CSV file of table `t` is `t.csv`."""

REQUIRED_FILES = ("units", "kpis", "objectives", "key_results")
"""Tables a source must contain (a header row without data rows is fine)."""

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
"""File name endings read as an Excel workbook."""

ROW = "__row"
"""Column added to every frame: the row's position among the data rows (0 = first data row)."""

_BOM = b"\xef\xbb\xbf"

BATCH_BYTES = 24 << 20
"""A CSV file longer than this, without quotes, is read in parts of about this many bytes (whole
lines), so that its cells as text are never all held at once (a part of some 430,000 check-ins
holds about 150 MB while it is converted and checked; smaller parts cost more work per row)."""


@dataclass(frozen=True)
class SourceTable:
    """The text of one table as read from a CSV file or a workbook sheet.

    `frame` holds one String column per header name (names trimmed and lower-cased) plus ROW;
    rows whose cells are all empty are left out. `label` names the file in messages:
    `checkins.csv` or `book.xlsx[checkins]`. `raw_text` is the decoded CSV (None for a sheet;
    empty when it has no quote, so that every row is one line), kept to turn row positions into
    line numbers when a problem is reported.
    """

    name: str
    label: str
    frame: pl.DataFrame
    raw_text: bytes | None
    header_problems: tuple[str, ...] = ()
    """Problems of the header row: unnamed columns holding data, repeated names."""
    parts: _Parts | None = None
    """Where the rows after `frame`'s are, when the file is read in parts (see `batches`)."""
    plain_cells: bool = False
    """Known from the bytes read: no cell begins or ends with white space or holds a `'` (so
    none needs trimming or a formula escape undone)."""

    def batches(self) -> Iterator[SourceTable]:
        """The table in parts of whole rows, each with its rows' ROW positions and the header
        problems found in it: `frame` first, then (for a large file) the parts after it, read
        from the file one at a time. Raises pl.exceptions.ComputeError for a part that cannot be
        read (see `unreadable`)."""
        yield self
        if self.parts is None:
            return
        for first, chunk in zip(self.parts.firsts, self.parts.chunks(), strict=True):
            # Every line is one row: a part's rows come after the lines of the parts before.
            table, _ = _named(
                self.name,
                self.label,
                _parse(chunk),
                self.parts.header,
                b"",
                first_row=first,
                plain_cells=_plain_cells(chunk),
            )
            assert table is not None
            yield table

    def unreadable(self, error: Exception) -> list[str]:
        """The problems of a file read in parts of which one could not be read."""
        assert self.parts is not None
        return _parse_problems(self.label, self.parts.text().decode("utf-8", "replace"), error)

    def lines(self, rows: pl.Series) -> pl.Series:
        """The line in the file (header = line 1) of each row position in `rows`."""
        starts = self._line_starts
        if starts is None:
            return (rows + 2).cast(pl.Int64)
        return starts.gather(rows.cast(pl.Int64))

    @cached_property
    def _line_starts(self) -> pl.Series | None:
        """The first line of each row, when quoted cells may span lines (else None: row i is
        on line i + 2). Worked out once, and only when a problem is reported."""
        if self.raw_text is None or b'"' not in self.raw_text:
            return None
        # The line of a row is 2 + its position + the line breaks inside the cells of every
        # row before it.
        full = pl.read_csv(self.raw_text, infer_schema=False, has_header=True)
        breaks = (
            full.select(pl.sum_horizontal(pl.all().str.count_matches("\n").fill_null(0)).alias("n"))
            .to_series()
            .cast(pl.Int64)
        )
        return (breaks.cum_sum() - breaks + pl.int_range(len(breaks), eager=True) + 2).cast(
            pl.Int64
        )


@dataclass(frozen=True)
class _Parts:
    """The data rows of a CSV file after its first part: `spans` of whole lines (start, end) in
    `data`, or in the file at `path` from `offset` on when its bytes needed no conversion."""

    header: list[str]
    head: bytes
    spans: tuple[tuple[int, int], ...]
    firsts: tuple[int, ...]
    """The row position of each span's first line."""
    rows: int
    """How many lines the spans hold (rows, blank lines among them): for telling progress."""
    data: bytes | None
    path: Path
    offset: int

    def chunks(self) -> Iterator[bytes]:
        """Each part as a CSV text of its own (the header line, then its lines)."""
        if self.data is not None:
            for start, end in self.spans:
                yield self.head + self.data[start:end]
            return
        with self.path.open("rb") as file:
            for start, end in self.spans:
                file.seek(self.offset + start)
                yield self.head + file.read(end - start)

    def text(self) -> bytes:
        if self.data is not None:
            return self.data
        return self.path.read_bytes()[self.offset :]


def _spans(data: bytes, start: int, size: int) -> list[tuple[int, int]]:
    """`data` from `start` on in spans of whole lines of about `size` bytes."""
    spans: list[tuple[int, int]] = []
    while start < len(data):
        cut = data.find(b"\n", start + size)
        end = len(data) if cut < 0 else cut + 1
        spans.append((start, end))
        start = end
    return spans


@dataclass(frozen=True)
class Source:
    """Every table found in a source, with the problems met while reading it."""

    tables: dict[str, SourceTable]
    problems: list[str]


def read_source(source: Path, encoding: str | None = None) -> Source:
    """Read a folder of CSV files or an .xlsx workbook into text frames; `encoding` names the
    encoding of every CSV file (None: decided for each file from its bytes).

    Tables that cannot be read are left out and their problems listed; a path that is neither a
    folder nor a workbook gives one problem.
    """
    if source.is_dir():
        return _read_folder(source, encoding)
    if source.is_file() and source.suffix.lower() in WORKBOOK_SUFFIXES:
        return _read_workbook(source)
    if not source.exists():
        return Source({}, [f"{source}: " + _("no such file or folder")])
    return Source(
        {},
        [f"{source}: " + _("not a folder of CSV files or an .xlsx workbook")],
    )


def _read_folder(folder: Path, encoding: str | None) -> Source:
    by_name = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    tables: dict[str, SourceTable] = {}
    problems: list[str] = []
    for name in TABLE_FILES:
        path = by_name.get(f"{name}.csv")
        if path is None:
            if name in REQUIRED_FILES:
                problems.append(f"{name}.csv: " + _required_text())
            continue
        table, found = read_csv_file(path, name, encoding)
        problems += found
        if table is not None:
            tables[name] = table
    return Source(tables, problems)


def _required_text() -> str:
    files = [f"{n}.csv" for n in REQUIRED_FILES]
    return _("missing; the folder needs {files} and {last}").format(
        files=", ".join(files[:-1]), last=files[-1]
    )


def read_csv_file(
    path: Path, name: str, encoding: str | None = None
) -> tuple[SourceTable | None, list[str]]:
    """Read one CSV file as text, in `encoding` when given, else in the encoding its bytes show
    (see `decide_encoding`). CR-only line ends (Excel for Mac) read as line ends.

    Returns the table, or None with the problems that kept it from being read.
    """
    label = path.name
    data = path.read_bytes()
    if not data or data.isspace():
        return None, [f"{label}: " + _("the file is empty; it needs at least a header row")]
    if b"\x00" in data:
        return None, [
            f"{label}: "
            + _(
                "not a text CSV file (it holds binary data; save it from Excel as "
                "'CSV UTF-8' or 'CSV')"
            )
        ]
    offset, converted = 0, False
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
        offset = len(_BOM)
    if encoding is None:
        decided = decide_encoding(data)
        if isinstance(decided, str) and decided != "utf-8":
            data, converted = data.decode(decided).encode("utf-8"), True
        elif not isinstance(decided, str):
            return None, [f"{label}: {decided.problem}"]
    elif codec_name(encoding) != "utf-8" or not _is_utf8(data):
        try:
            data, converted = data.decode(encoding).encode("utf-8"), True
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            return None, [
                f"{label}:{line}: "
                + _(
                    "not {encoding} text (byte {byte} cannot be read in {encoding}); leave out "
                    "--encoding to let goaltui decide"
                ).format(encoding=encoding, byte=f"0x{data[error.start]:02x}")
            ]
    if b"\r" in data and b"\n" not in data:
        # Excel for Mac's "CSV (Macintosh)" ends lines with CR alone.
        data, converted = data.replace(b"\r", b"\n"), True
    header = _header_names(data)
    if len(data) > BATCH_BYTES and b'"' not in data:
        # Without quotes every line is one row, so the file reads in parts of whole lines.
        return _in_parts(path, name, label, data, header, None if converted else offset)
    try:
        frame = _parse(data)
    except pl.exceptions.ComputeError as error:
        return None, _parse_problems(label, data.decode("utf-8", "replace"), error)
    # Only a file with quotes can have rows spanning lines; the others' text is not kept.
    if b'"' in data:
        return _named(name, label, frame, header, data)
    return _named(name, label, frame, header, b"", plain_cells=_plain_cells(data))


def _in_parts(
    path: Path, name: str, label: str, data: bytes, header: list[str], offset: int | None
) -> tuple[SourceTable | None, list[str]]:
    """The first part of a large CSV file without quotes, and where the others are (in the
    file itself when `offset` is given: its bytes needed no conversion)."""
    first_line = data.find(b"\n") + 1 or len(data)
    spans = _spans(data, first_line, BATCH_BYTES)
    head = data[:first_line]
    first = head + data[spans[0][0] : spans[0][1]] if spans else head
    try:
        frame = _parse(first)
    except pl.exceptions.ComputeError as error:
        return None, _parse_problems(label, data.decode("utf-8", "replace"), error)
    lines = [data.count(b"\n", start, end) for start, end in spans]
    firsts = [sum(lines[:i]) for i in range(1, len(spans))]
    parts = _Parts(
        header,
        head,
        tuple(spans[1:]),
        tuple(firsts),
        sum(lines[1:]),
        data if offset is None else None,
        path,
        offset or 0,
    )
    table, problems = _named(name, label, frame, header, b"", plain_cells=_plain_cells(first))
    assert table is not None
    return dataclasses.replace(table, parts=parts), problems


def _plain_cells(data: bytes) -> bool:
    """Whether no cell of a CSV text without quotes begins or ends with white space or holds a
    `'`, as its bytes show at a glance: ASCII (other white space is not), no tab, vertical tab,
    form feed or carriage return, and no space beside a comma or a line break. False when it
    cannot tell so quickly; the cells are then looked at one by one."""
    if not data.isascii() or any(c in data for c in (b"'", b"\t", b"\x0b", b"\x0c", b"\r")):
        return False
    if b" " not in data:
        return True
    return not (
        data.startswith(b" ")
        or data.endswith(b" ")
        or any(pair in data for pair in (b", ", b" ,", b"\n ", b" \n"))
    )


LEGACY_ENCODINGS = {
    "cp949": "CP949 (Korean)",
    "windows-1252": "Windows-1252 (Western European)",
}
"""Encodings other than UTF-8 goaltui recognises in a file's bytes, and their names for people.
Latin-1 files read as Windows-1252 (the two agree on every letter Latin-1 has)."""


@dataclass(frozen=True)
class Undecided:
    """Why the encoding of a file could not be decided."""

    problem: str


def codec_name(encoding: str) -> str:
    """The canonical name of an encoding (`UTF8` -> `utf-8`); LookupError when unknown."""
    return codecs.lookup(encoding).name


def decide_encoding(data: bytes) -> str | Undecided:
    """The encoding of a CSV file's bytes (without BOM), from evidence.

    UTF-8 when the bytes are valid UTF-8. Otherwise each of LEGACY_ENCODINGS that decodes the
    whole file to plausible text: CP949 when the non-ASCII text is Hangul (and other characters)
    of the Korean standard set KS X 1001, Windows-1252 when it is Latin letters and the usual
    signs standing among ASCII letters. One plausible encoding is taken; none or two give a
    reason naming them and how to choose (`--encoding`).
    """
    if _is_utf8(data):
        return "utf-8"
    text_runs = Counter(_NON_ASCII.findall(data))
    plausible = [
        name
        for name, test in (("cp949", _plausible_korean), ("windows-1252", _plausible_latin))
        if test(text_runs)
    ]
    plausible = [name for name in plausible if _decodes(data, name)]
    if len(plausible) == 1:
        return plausible[0]
    if not plausible:
        return Undecided(
            _(
                "not a text CSV file that goaltui can read (it is not UTF-8, and reads as "
                "neither Korean CP949 nor Western Windows-1252 text); save it from Excel as "
                "'CSV UTF-8', or name its encoding with `goaltui import --encoding NAME`"
            )
        )
    return Undecided(
        _(
            "not UTF-8, and its few non-ASCII letters read as plausible text both in {first} "
            "and in {second}; save it from Excel as 'CSV UTF-8', or choose with `goaltui "
            "import --encoding cp949` or `--encoding windows-1252`"
        ).format(first=LEGACY_ENCODINGS["cp949"], second=LEGACY_ENCODINGS["windows-1252"])
    )


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


_NON_ASCII = re.compile(rb"[\x80-\xff]+")
_LATIN_SIGNS = set("€£¥©®°±²³µ·¹º»«×÷§¶¼½¾¿¡–—‘’‚“”„•…‰‹›™ ")


def _plausible_korean(runs: Counter[bytes]) -> bool:
    # Korean Excel writes Hangul in the KS X 1001 set: both bytes 0xA1-0xFE. Bytes that only
    # CP949's extension reads (a second byte below 0xA1, e.g. "Än" -> "훞") are no evidence.
    good = total = 0
    for run, count in runs.items():
        total += len(run) * count
        try:
            text = run.decode("euc-kr")
        except UnicodeDecodeError:
            continue
        if all(_korean_char(c) for c in text):
            good += len(run) * count
    return total > 0 and good >= 0.95 * total


def _korean_char(char: str) -> bool:
    code = ord(char)
    return (
        0xAC00 <= code <= 0xD7A3  # Hangul syllables
        or 0x3130 <= code <= 0x318F  # Hangul letters
        or 0x4E00 <= code <= 0x9FFF  # Hanja
        or 0x2000 <= code <= 0x33FF  # punctuation, signs, CJK symbols
        or 0xFF01 <= code <= 0xFFE6  # full-width forms
        or char in "·×÷°±§¨´¶¸"
    )


def _plausible_latin(runs: Counter[bytes]) -> bool:
    # Western text has its accented letters one or two at a time among ASCII letters
    # ("Änderungen", "Größe"); Korean bytes read as Windows-1252 give long runs of signs.
    good = total = 0
    for run, count in runs.items():
        total += len(run) * count
        try:
            text = run.decode("windows-1252")
        except UnicodeDecodeError:
            continue
        if len(text) <= 3 and all(c.isalpha() or c in _LATIN_SIGNS for c in text):
            good += len(run) * count
    return total > 0 and good >= 0.95 * total


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        # Most files are; this asks without decoding a copy of the whole file.
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse(data: bytes) -> pl.DataFrame:
    return pl.read_csv(data, infer_schema=False, has_header=True, raise_if_empty=False)


def _header_names(data: bytes) -> list[str]:
    # polars renames repeated and empty header names; the file's own words are needed to report
    # them, so the header row is parsed again by the csv module (one line, cheap).
    head = data[: 1 << 16].decode("utf-8", errors="ignore")
    return next(csv.reader(io.StringIO(head)), [])


def _parse_problems(label: str, text: str, error: Exception) -> list[str]:
    # polars says a row is ragged but not where; the csv module finds the lines (error path only).
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    problems: list[str] = []
    for row in reader:
        if len(row) > len(header):
            problems.append(
                f"{label}:{reader.line_num}: "
                + _("the row has {cells} cells but the header has {columns} columns").format(
                    cells=len(row), columns=len(header)
                )
            )
            if len(problems) >= 100:
                break
    if not problems:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        problems.append(f"{label}: " + _("cannot be read as CSV: {error}").format(error=first))
    return problems


def _named(
    name: str,
    label: str,
    frame: pl.DataFrame,
    header: list[str],
    raw_text: bytes | None,
    *,
    first_row: int = 0,
    plain_cells: bool = False,
) -> tuple[SourceTable | None, list[str]]:
    problems: list[str] = []
    names = [h.strip().lower() for h in header]
    if len(names) != frame.width:
        names = [c.strip().lower() for c in frame.columns]
    frame = frame.with_row_index(ROW, offset=first_row)
    keep: dict[str, str] = {}
    seen: set[str] = set()
    for position, (column, wanted) in enumerate(zip(frame.columns[1:], names, strict=True)):
        if wanted == "":
            # Excel leaves unnamed, empty columns behind; ones that hold data are a mistake.
            if frame[column].drop_nulls().str.strip_chars().str.len_bytes().sum() > 0:
                problems.append(
                    f"{label}:1: "
                    + _("column {position} has no name in the header but holds data").format(
                        position=position + 1
                    )
                )
            continue
        if wanted in seen:
            problems.append(f"{label}:1: {wanted}: " + _("the column appears twice in the header"))
            continue
        seen.add(wanted)
        keep[column] = wanted
    frame = frame.select(ROW, *(pl.col(c).alias(n) for c, n in keep.items()))
    data_columns = [c for c in frame.columns if c != ROW]
    if data_columns:
        # Blank lines and rows of empty cells (Excel leaves them) are no rows. Most files have
        # none, and filtering would copy every column.
        given = frame.select(pl.any_horizontal(pl.col(c).is_not_null() for c in data_columns))
        if not given.to_series().all():
            frame = frame.filter(given.to_series())
    return (
        SourceTable(name, label, frame, raw_text, tuple(problems), plain_cells=plain_cells),
        [],
    )


def _read_workbook(path: Path) -> Source:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as error:  # fastexcel raises its own hierarchy; any failure means unreadable
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Source(
            {},
            [
                f"{path.name}: "
                + _("cannot be read as an Excel workbook: {error}").format(error=first)
            ],
        )
    sheets = {s.strip().lower().removesuffix(".csv"): s for s in reader.sheet_names}
    tables: dict[str, SourceTable] = {}
    problems: list[str] = []
    for name in TABLE_FILES:
        label = f"{path.name}[{name}]"
        sheet = sheets.get(name)
        if sheet is None:
            if name in REQUIRED_FILES:
                sheet_names = ", ".join(REQUIRED_FILES)
                problems.append(
                    f"{label}: "
                    + _("missing; the workbook needs the sheets {sheets}").format(
                        sheets=sheet_names
                    )
                )
            continue
        try:
            raw = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
        except Exception as error:  # a damaged sheet: report it, read the others
            first = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
            problems.append(f"{label}: " + _("cannot be read: {error}").format(error=first))
            continue
        if raw.height == 0 or raw.width == 0:
            problems.append(f"{label}: " + _("the sheet is empty; it needs at least a header row"))
            continue
        header = ["" if v is None else str(v) for v in raw.row(0)]
        table, found = _named(name, label, raw.slice(1), header, None)
        problems += found
        if table is not None:
            tables[name] = table
    return Source(tables, problems)
