"""Interchange-format fixtures for the store tests: a small organisation as CSV text, writers for
CSV folders and workbooks, and a generator of large check-in files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import polars as pl

from goaltui.store.dataset import Dataset
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path

SAMPLE: dict[str, str] = {
    "units": """id,name,parent_id,kind
hb,주식회사 허밍버즈,,org
sales,영업팀,hb,team
kim,김민수,sales,person
hr,"People, culture",hb,team
""",
    "kpis": """id,unit_id,name,unit,direction,aggregation,period,target_mode,target,parent_id,\
category,description
rev,hb,분기 매출 10억 원 이상,KRW,at_least,sum,quarter,,"1,000,000,000",,sales,
sales-rev,sales,월 매출,KRW,at_least,sum,month,absolute,300000000,rev,sales,"매달 말
입력"
conv,sales,계약 전환율,%,at_least,ratio,month,,20,,sales,
hire,hr,Average hiring time,days,at_most,mean,month,,45,,hr,
""",
    "objectives": """id,unit_id,title,period,parent_id,description
o1,hb,신규 사용자 활성화,2026-Q4,,
o2,sales,Win new customers,2026-Q4,o1,
""",
    "key_results": """id,objective_id,title,unit,direction,aggregation,target_mode,target,\
baseline,weight,kpi_id
kr1,o1,7일 유지율 40% 달성,%,at_least,last,,40,30,,
kr2,o2,월 매출 목표,,,,,300000000,,2,sales-rev
""",
    "checkins": """goal_id,date,value,denominator,confidence,note,author
rev,2026-10-15,"250,000,000",,7,첫 달,kim
conv,2026-10-31,12,60,,,
kr1,2026-11-01,33.5,,,,
hire,2026-11-02,50,,,,
""",
    "targets": """goal_id,period,target
sales-rev,2026-11,350000000
kr1,2026-Q4,42
""",
}
"""A small organisation in Korean and English, one string of CSV text per table."""

LINES: dict[str, int] = {name: text.count("\n") for name, text in SAMPLE.items()}
"""Number of lines of each sample file (header included)."""


def write_source(
    folder: Path,
    changes: dict[str, str | None] | None = None,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    """Write the sample, with `changes` (table -> CSV text, or None to leave the file out),
    as a folder of CSV files; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, str | None] = {**SAMPLE, **(changes or {})}
    for name, text in tables.items():
        if text is None:
            continue
        data = text.encode(encoding)
        (folder / f"{name}.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return folder


def append_rows(table: str, rows: str) -> dict[str, str | None]:
    """The sample's `table` with CSV `rows` added at its end, as a `changes` entry."""
    return {table: SAMPLE[table] + rows}


def write_workbook(path: Path, tables: dict[str, str] | None = None) -> Path:
    """Write tables of CSV text (default: the sample) as an .xlsx workbook, one sheet each,
    every cell as text; returns the path."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for name, text in (tables or SAMPLE).items():
        sheet = book.add_worksheet(name)
        frame = pl.read_csv(text.encode(), infer_schema=False)
        sheet.write_row(0, 0, frame.columns)
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, cell in enumerate(row):
                if cell is not None:
                    sheet.write_string(r, c, cell)
    book.close()
    return path


def write_large_source(folder: Path, checkins: int, goals: int = 1000, root: str = "org") -> Path:
    """A valid source with `goals` KPIs over a few teams under the unit `root` and `checkins`
    check-ins (generated with polars, so millions take a second); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    teams = 20
    pl.DataFrame(
        {
            "id": [root] + [f"t{i}" for i in range(teams)],
            "name": ["Org"] + [f"팀 {i}" for i in range(teams)],
            "parent_id": [None] + [root] * teams,
            "kind": ["org"] + ["team"] * teams,
        }
    ).write_csv(folder / "units.csv")
    pl.DataFrame({"n": range(goals)}).select(
        id=pl.format("k{}", "n"),
        unit_id=pl.format("t{}", pl.col("n") % teams),
        name=pl.lit("매출"),
        unit=pl.lit("KRW"),
        direction=pl.lit("at_least"),
        aggregation=pl.lit("sum"),
        period=pl.lit("month"),
        target=pl.lit("1000"),
    ).write_csv(folder / "kpis.csv")
    (folder / "objectives.csv").write_text("id,unit_id,title,period\n")
    (folder / "key_results.csv").write_text(
        "id,objective_id,title,unit,direction,aggregation,target\n"
    )
    pl.DataFrame({"n": pl.int_range(checkins, eager=True)}).select(
        goal_id=pl.format("k{}", pl.col("n") % goals),
        date=(pl.date(2025, 1, 1) + pl.duration(days=pl.col("n") % 600)).dt.to_string("%Y-%m-%d"),
        value=(pl.col("n") % 997).cast(pl.String),
        confidence=(pl.col("n") % 11).cast(pl.String),
        note=pl.when(pl.col("n") % 50 == 0).then(pl.lit("메모")).otherwise(None),
        author=pl.format("t{}", pl.col("n") % teams),
    ).write_csv(folder / "checkins.csv")
    return folder


def assert_same(a: Dataset, b: Dataset) -> None:
    """Every table of `a` equals `b`'s, frame by frame."""
    for name, frame in a.tables().items():
        assert frame.equals(b.tables()[name]), name


_demo_template: list[Path] = []
_template_folder: list[tempfile.TemporaryDirectory[str]] = []


def demo_template() -> Path:
    """The demo organisation imported into a database file once per test process (read it,
    never write to it: copy it with `copy_db` or `make_demo_db`)."""
    if not _demo_template:
        folder = tempfile.TemporaryDirectory(prefix="goaltui-demo-")
        _template_folder.append(folder)
        path = Path(folder.name) / "demo.duckdb"
        import_path(path, demo_source())
        _demo_template.append(path)
    return _demo_template[0]


def make_demo_db(folder: Path) -> Path:
    """A fresh database of the demo organisation under `folder`: a file copy of the one import
    of the process (byte for byte what a fresh import writes, seconds cheaper)."""
    return copy_db(demo_template(), folder)


def copy_db(source: Path, folder: Path) -> Path:
    """A private copy of a database file for one test."""
    target = folder / source.name
    shutil.copyfile(source, target)
    return target
