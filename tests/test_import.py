"""Importing the interchange format: sources, encodings, merge, replace, and all-or-nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from goaltui.model.errors import ValidationError
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import ImportSummary, import_path
from tests.store_helpers import SAMPLE, append_rows, assert_same, write_source, write_workbook


def problems_of(db: Path, source: Path, *, replace: bool = False) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        import_path(db, source, replace=replace)
    return caught.value.problems


def test_import_sample_writes_every_table(tmp_path: Path, db_path: Path) -> None:
    summary = import_path(db_path, write_source(tmp_path / "src"))
    assert summary == ImportSummary(
        units=4, kpis=4, objectives=2, key_results=2, checkins_added=4, targets=2
    )
    data = load_dataset(db_path)
    assert data.units["id"].to_list() == ["hb", "hr", "kim", "sales"]
    rev = data.kpis.row(by_predicate=pl.col("id") == "rev", named=True)
    assert rev["target"] == 1_000_000_000
    assert rev["target_mode"] == "absolute"
    assert rev["parent_id"] is None
    sales = data.kpis.row(by_predicate=pl.col("id") == "sales-rev", named=True)
    assert sales["description"] == "매달 말\n입력"
    kr2 = data.key_results.row(by_predicate=pl.col("id") == "kr2", named=True)
    assert (kr2["weight"], kr2["direction"], kr2["kpi_id"]) == (2.0, None, "sales-rev")
    kr1 = data.key_results.row(by_predicate=pl.col("id") == "kr1", named=True)
    assert (kr1["weight"], kr1["baseline"], kr1["target_mode"]) == (1.0, 30.0, "absolute")
    checkins = data.checkins
    assert checkins["goal_id"].to_list() == ["rev", "conv", "kr1", "hire"]
    assert checkins["seq"].to_list() == [0, 1, 2, 3]
    assert checkins["value"].to_list() == [250_000_000.0, 12.0, 33.5, 50.0]
    assert checkins["denominator"].to_list() == [None, 60.0, None, None]
    assert checkins["date"][0] == date(2026, 10, 15)
    assert checkins["note"][0] == "첫 달"
    assert checkins["author"][0] == "kim"
    assert checkins["id"].str.contains(r"^c[0-9a-f]{16}$").all()
    assert checkins["recorded_at"].null_count() == 0
    assert data.targets.rows() == [("kr1", "2026-Q4", 42.0), ("sales-rev", "2026-11", 350000000.0)]


def test_summary_reads_like_a_sentence() -> None:
    summary = ImportSummary(
        units=8,
        kpis=16,
        objectives=3,
        key_results=9,
        checkins_added=5123,
        checkins_skipped=12,
        targets=4,
    )
    assert str(summary) == (
        "8 units, 16 KPIs, 3 objectives, 9 key results, 5,123 check-ins added "
        "(12 repeats skipped), 4 targets"
    )
    one = ImportSummary(1, 1, 1, 1, 1, 1, 1)
    assert str(one) == (
        "1 unit, 1 KPI, 1 objective, 1 key result, 1 check-in added (1 repeat skipped), 1 target"
    )
    assert "skipped" not in str(ImportSummary())


def test_importing_twice_adds_nothing(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src")
    import_path(db_path, source)
    before = load_dataset(db_path)
    summary = import_path(db_path, source)
    assert (summary.checkins_added, summary.checkins_skipped) == (0, 4)
    assert_same(before, load_dataset(db_path))


def test_identical_rows_in_one_file_are_separate_checkins(tmp_path: Path, db_path: Path) -> None:
    source = write_source(
        tmp_path / "src",
        append_rows("checkins", "hire,2026-11-02,50,,,,\nhire,2026-11-02,50,,,,\n"),
    )
    summary = import_path(db_path, source)
    assert summary.checkins_added == 6
    ids = load_dataset(db_path).checkins.filter(pl.col("goal_id") == "hire")["id"]
    assert ids.n_unique() == 3
    again = import_path(db_path, source)
    assert (again.checkins_added, again.checkins_skipped) == (0, 6)


def test_merge_upserts_and_appends(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "first"))
    second = write_source(
        tmp_path / "second",
        {
            "units": "id,name,parent_id,kind\nsales,Sales team,hb,team\nlee,이지은,sales,person\n",
            "kpis": "id,unit_id,name,unit,direction,aggregation,period,target\n"
            "hire,hr,Average hiring time,days,at_most,mean,month,40\n",
            "objectives": "id,unit_id,title,period\n",
            "key_results": "id,objective_id,title\n",
            # References reach what the database holds: kim, rev, kr1.
            "checkins": "goal_id,date,value,author\nrev,2026-11-03,1,lee\nkr1,2026-11-04,35,kim\n",
            "targets": "goal_id,period,target\nkr1,2026-Q4,45\nrev,2026-Q1,9\n",
        },
    )
    summary = import_path(db_path, second)
    assert summary == ImportSummary(
        units=2, kpis=1, objectives=0, key_results=0, checkins_added=2, targets=2
    )
    data = load_dataset(db_path)
    assert data.units.height == 5
    assert data.units.filter(pl.col("id") == "sales")["name"].item() == "Sales team"
    assert data.kpis.filter(pl.col("id") == "hire")["target"].item() == 40
    assert data.kpis.height == 4
    assert data.checkins["seq"].to_list() == [0, 1, 2, 3, 4, 5]
    assert data.checkins["goal_id"].to_list()[-2:] == ["rev", "kr1"]
    assert data.targets.filter(pl.col("goal_id") == "kr1")["target"].item() == 45
    assert data.targets.height == 3


def test_replace_starts_over(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "first"))
    small = write_source(
        tmp_path / "small",
        {
            "units": "id,name,parent_id,kind\nacme,Acme,,org\n",
            "kpis": "id,unit_id,name,unit,direction,aggregation,period,target\n"
            "calls,acme,Calls,count,at_least,sum,month,10\n",
            "objectives": "id,unit_id,title,period\n",
            "key_results": "id,objective_id,title\n",
            "checkins": "goal_id,date,value\ncalls,2026-11-01,3\n",
            "targets": None,
        },
    )
    # Merged, acme would be a second root.
    assert any("exactly one unit" in p for p in problems_of(db_path, small))
    import_path(db_path, small, replace=True)
    data = load_dataset(db_path)
    assert data.units["id"].to_list() == ["acme"]
    assert data.kpis["id"].to_list() == ["calls"]
    assert data.checkins["seq"].to_list() == [0]
    assert data.targets.height == 0 and data.key_results.height == 0


def test_nothing_is_written_on_error(tmp_path: Path, db_path: Path) -> None:
    import_path(db_path, write_source(tmp_path / "first"))
    before = load_dataset(db_path)
    bad = write_source(
        tmp_path / "bad",
        {
            "units": SAMPLE["units"] + "lee,이지은,sales,person\n",
            "checkins": SAMPLE["checkins"] + "rev,2026-11-05,abc,,,,\n",
        },
    )
    problems = problems_of(db_path, bad)
    assert problems == [
        "checkins.csv:6: value: 'abc' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"
    ]
    assert_same(before, load_dataset(db_path))
    problems_of(db_path, bad, replace=True)
    assert_same(before, load_dataset(db_path))


def test_a_missing_database_is_not_created_on_error(tmp_path: Path) -> None:
    db = tmp_path / "new" / "goals.duckdb"
    bad = write_source(tmp_path / "bad", append_rows("checkins", "nope,2026-11-05,1,,,,\n"))
    assert problems_of(db, bad) == [
        "checkins.csv:6: goal_id: no KPI or key result has the id 'nope'"
    ]
    assert not db.exists()
    assert not db.parent.exists()


def test_every_problem_is_listed_with_file_line_and_column(tmp_path: Path, db_path: Path) -> None:
    source = write_source(
        tmp_path / "src",
        {
            "units": SAMPLE["units"] + "lee,,sales,human\n",
            "kpis": SAMPLE["kpis"] + "x,nowhere,X,count,up,sum,month,,ten,,,\n",
            "checkins": SAMPLE["checkins"] + "rev,2026-02-30,1,,11,,\n",
        },
    )
    assert problems_of(db_path, source) == [
        "units.csv:6: name: required but empty",
        "units.csv:6: kind: 'human' is not one of org, team, person",
        "kpis.csv:7: unit_id: no unit has the id 'nowhere'",
        "kpis.csv:7: direction: 'up' is not one of at_least, at_most",
        "kpis.csv:7: target: 'ten' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)",
        "checkins.csv:6: date: '2026-02-30' is not a date that exists",
        "checkins.csv:6: confidence: '11' is outside 0-10",
    ]


def test_cross_file_problems_after_cell_problems(tmp_path: Path, db_path: Path) -> None:
    source = write_source(
        tmp_path / "src",
        {"kpis": SAMPLE["kpis"] + "x,nowhere,X,count,at_least,sum,month,,10,,,\n"},
    )
    assert problems_of(db_path, source) == ["kpis.csv:7: unit_id: no unit has the id 'nowhere'"]


def test_line_numbers_count_lines_inside_quoted_cells(tmp_path: Path, db_path: Path) -> None:
    kpis = SAMPLE["kpis"].replace(
        "hire,hr,Average hiring time",
        'hire,hr,"Average\nhiring\ntime"',
    )
    source = write_source(
        tmp_path / "src", {"kpis": kpis + "bad,hr,Bad,days,at_most,mean,week,,1,,,\n"}
    )
    # A name is one line of text: its line breaks are refused, on the line the row starts.
    assert problems_of(db_path, source) == [
        "kpis.csv:6: name: holds a control character (U+000A, line break); text may not hold "
        "control characters",
        "kpis.csv:9: period: 'week' is not one of month, quarter, year",
    ]


def test_blank_lines_keep_line_numbers(tmp_path: Path, db_path: Path) -> None:
    checkins = "goal_id,date,value\n\nrev,2026-10-01,1\n,,\nrev,2026-10-02,x\n"
    problems = problems_of(db_path, write_source(tmp_path / "src", {"checkins": checkins}))
    assert problems == [
        "checkins.csv:5: value: 'x' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"
    ]


def test_cells_are_trimmed_and_blank_is_empty(tmp_path: Path, db_path: Path) -> None:
    checkins = "goal_id , date,value,note\n rev ,2026-10-01 , 7 ,   \n"
    import_path(db_path, write_source(tmp_path / "src", {"checkins": checkins}))
    row = load_dataset(db_path).checkins.row(0, named=True)
    assert (row["goal_id"], row["date"], row["value"], row["note"]) == (
        "rev",
        date(2026, 10, 1),
        7.0,
        None,
    )


def test_column_order_is_free_and_header_case_is_ignored(tmp_path: Path, db_path: Path) -> None:
    units = "KIND,Parent_ID,name,id\norg,,주식회사 허밍버즈,hb\nteam,hb,영업팀,sales\n"
    units += "person,sales,김민수,kim\nteam,hb,HR,hr\n"
    import_path(db_path, write_source(tmp_path / "src", {"units": units}))
    assert load_dataset(db_path).units.filter(pl.col("id") == "kim")["parent_id"].item() == "sales"


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_bom(tmp_path: Path, db_path: Path, bom: bool) -> None:
    import_path(db_path, write_source(tmp_path / "src", bom=bom))
    data = load_dataset(db_path)
    assert data.units.filter(pl.col("id") == "hb")["name"].item() == "주식회사 허밍버즈"


def test_windows_line_ends(tmp_path: Path, db_path: Path) -> None:
    crlf = {name: text.replace("\n", "\r\n") for name, text in SAMPLE.items()}
    import_path(db_path, write_source(tmp_path / "src", dict(crlf)))
    data = load_dataset(db_path)
    assert data.units["kind"].to_list() == ["org", "team", "person", "team"]
    assert data.kpis.filter(pl.col("id") == "sales-rev")["description"].item() == "매달 말\n입력"
    bad = {**crlf, "checkins": crlf["checkins"] + "rev,2026-11-05,x,,,,\r\n"}
    assert problems_of(db_path, write_source(tmp_path / "bad", dict(bad))) == [
        "checkins.csv:6: value: 'x' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"
    ]


def test_cp949_from_korean_excel(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src", encoding="cp949")
    assert (source / "units.csv").read_bytes() != SAMPLE["units"].encode()
    import_path(db_path, source)
    data = load_dataset(db_path)
    assert data.units.filter(pl.col("id") == "sales")["name"].item() == "영업팀"
    assert data.checkins["note"][0] == "첫 달"


def test_cp949_problems_keep_line_numbers(tmp_path: Path, db_path: Path) -> None:
    source = write_source(
        tmp_path / "src", append_rows("units", "lee,이지은,nobody,person\n"), encoding="cp949"
    )
    assert problems_of(db_path, source) == ["units.csv:6: parent_id: no unit has the id 'nobody'"]


def test_workbook_is_equivalent_to_the_folder(tmp_path: Path) -> None:
    folder_db, book_db = tmp_path / "folder.duckdb", tmp_path / "book.duckdb"
    import_path(folder_db, write_source(tmp_path / "src"))
    import_path(book_db, write_workbook(tmp_path / "goals.xlsx"))
    a, b = load_dataset(folder_db), load_dataset(book_db)
    for name in ("units", "kpis", "objectives", "key_results", "targets"):
        assert a.tables()[name].equals(b.tables()[name]), name
    columns = ["seq", "id", "goal_id", "date", "value", "denominator", "note", "author"]
    assert a.checkins.select(columns).equals(b.checkins.select(columns))


def test_workbook_problems_name_the_sheet_and_row(tmp_path: Path, db_path: Path) -> None:
    tables = {**SAMPLE, "checkins": SAMPLE["checkins"] + "rev,yesterday,1,,,,\n"}
    del tables["targets"]
    book = write_workbook(tmp_path / "goals.xlsx", tables)
    assert problems_of(db_path, book) == [
        "goals.xlsx[checkins]:6: date: 'yesterday' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)"
    ]


def test_workbook_date_cells_are_read_as_dates(tmp_path: Path, db_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "dates.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, text in SAMPLE.items():
        sheet = book.add_worksheet(name)
        frame = pl.read_csv(text.encode(), infer_schema=False)
        sheet.write_row(0, 0, frame.columns)
        if name == "checkins":
            number = book.add_format({"num_format": "yyyy-mm-dd"})
            sheet.write_row(1, 0, ["rev"])
            sheet.write_datetime(1, 1, datetime(2026, 10, 15), number)
            sheet.write_number(1, 2, 1250.5)
            continue
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, cell in enumerate(row):
                if cell is not None:
                    sheet.write_string(r, c, cell)
    book.close()
    import_path(db_path, path)
    stored = load_dataset(db_path).checkins.row(0, named=True)
    assert (stored["date"], stored["value"]) == (date(2026, 10, 15), 1250.5)


def test_workbook_missing_sheet(tmp_path: Path, db_path: Path) -> None:
    tables = {k: v for k, v in SAMPLE.items() if k != "objectives"}
    problems = problems_of(db_path, write_workbook(tmp_path / "goals.xlsx", tables))
    assert problems == [
        "goals.xlsx[objectives]: missing; the workbook needs the sheets units, kpis, "
        "objectives, key_results"
    ]


def test_a_path_that_is_neither_folder_nor_workbook(tmp_path: Path, db_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert problems_of(db_path, text) == [f"{text}: not a folder of CSV files or an .xlsx workbook"]
    missing = tmp_path / "nowhere"
    assert problems_of(db_path, missing) == [f"{missing}: no such file or folder"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    (problem,) = problems_of(db_path, broken)
    assert problem.startswith("broken.xlsx: cannot be read as an Excel workbook")


def test_missing_required_files_are_named(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src", {"kpis": None, "key_results": None, "targets": None})
    assert problems_of(db_path, source) == [
        "kpis.csv: missing; the folder needs units.csv, kpis.csv, objectives.csv and "
        "key_results.csv",
        "key_results.csv: missing; the folder needs units.csv, kpis.csv, objectives.csv and "
        "key_results.csv",
    ]


def test_optional_files_may_be_left_out(tmp_path: Path, db_path: Path) -> None:
    summary = import_path(
        db_path, write_source(tmp_path / "src", {"checkins": None, "targets": None})
    )
    assert (summary.checkins_added, summary.targets) == (0, 0)


def test_header_only_files_are_fine(tmp_path: Path, db_path: Path) -> None:
    source = write_source(
        tmp_path / "src",
        {
            "objectives": "id,unit_id,title,period\n",
            "key_results": "id,objective_id,title\n",
            "checkins": "goal_id,date,value\n",
            "targets": "goal_id,period,target",
        },
    )
    assert import_path(db_path, source).key_results == 0


def test_empty_and_binary_files(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src")
    (source / "objectives.csv").write_bytes(b"")
    (source / "checkins.csv").write_bytes(b"goal_id,date\x00\x01\x02\xff\n")
    (source / "targets.csv").write_bytes(bytes([0x81, 0xFF, 0xFE, 0x80]) * 10 + b"\n")
    assert problems_of(db_path, source) == [
        "objectives.csv: the file is empty; it needs at least a header row",
        "checkins.csv: not a text CSV file (it holds binary data; save it from Excel as "
        "'CSV UTF-8' or 'CSV')",
        "targets.csv: not a text CSV file that goaltui can read (it is not UTF-8, and reads as "
        "neither Korean CP949 nor Western Windows-1252 text); save it from Excel as 'CSV UTF-8', "
        "or name its encoding with `goaltui import --encoding NAME`",
    ]


def test_rows_with_too_many_cells(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src", append_rows("targets", "kr1,2026-Q4,1,extra\n"))
    assert problems_of(db_path, source) == [
        "targets.csv:4: the row has 4 cells but the header has 3 columns"
    ]


def test_header_problems(tmp_path: Path, db_path: Path) -> None:
    source = write_source(
        tmp_path / "src",
        {
            "units": "id,name,parent_id,kind,colour\nhb,HB,,org,blue\n",
            "kpis": "id,unit_id,name,unit,direction,aggregation,id\n",
            "targets": "goal_id,target\n",
        },
    )
    assert problems_of(db_path, source) == [
        "units.csv:1: colour: unknown column; the columns of units are id, name, parent_id, kind, "
        "login",
        "kpis.csv:1: id: the column appears twice in the header",
        "kpis.csv:1: period: required column is missing",
        "targets.csv:1: period: required column is missing",
    ]


def test_unnamed_empty_columns_are_ignored(tmp_path: Path, db_path: Path) -> None:
    units = "id,name,parent_id,kind,,\nhb,HB,,org,,\n"
    objectives = "id,unit_id,title,period,\no1,hb,T,2026-Q4,oops\n"
    source = write_source(
        tmp_path / "src",
        {
            "units": units,
            "kpis": "id,unit_id,name,unit,direction,aggregation,period\n",
            "objectives": objectives,
            "key_results": "id,objective_id,title\n",
            "checkins": None,
            "targets": None,
        },
    )
    assert problems_of(db_path, source) == [
        "objectives.csv:1: column 5 has no name in the header but holds data"
    ]
