"""Reading a spreadsheet's CSV as its author wrote it: encodings decided from evidence, CR-only
line ends, the formula prefix export writes, control characters and clocks that do not exist."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from goaltui.cli import main
from goaltui.model.errors import ValidationError
from goaltui.store import rules
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path
from tests.store_helpers import SAMPLE, append_rows, write_source

WESTERN = {
    "units": "id,name,parent_id,kind\nag,Müller & Söhne AG,,org\nqs,Qualitätssicherung,ag,team\n",
    "kpis": "id,unit_id,name,unit,direction,aggregation,period,target_mode,target,parent_id,"
    "category,description\numsatz,ag,Umsatz in €,EUR,at_least,sum,month,,1000,,,Größe zählt\n",
    "objectives": "id,unit_id,title,period,parent_id,description\no1,qs,Prozesse verbessern,"
    "2026-Q4,,\n",
    "key_results": "id,objective_id,title,unit,direction,aggregation,target_mode,target,baseline,"
    "weight,kpi_id\nkr1,o1,Fehlerquote senken,%,at_most,last,,2,5,,\n",
    "checkins": "goal_id,date,value,denominator,confidence,note,author\n"
    "umsatz,2026-11-02,500,,,Änderungen sind umgesetzt,qs\n",
    "targets": None,
}


def problems_of(db: Path, source: Path, **options: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        import_path(db, source, **options)  # type: ignore[arg-type]
    return caught.value.problems


# Encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp949", False)])
def test_korean_files_keep_their_hangul(
    tmp_path: Path, db_path: Path, encoding: str, bom: bool
) -> None:
    import_path(db_path, write_source(tmp_path / "src", encoding=encoding, bom=bom))
    data = load_dataset(db_path)
    assert set(data.units["name"]) == {"주식회사 허밍버즈", "영업팀", "김민수", "People, culture"}
    assert data.checkins["note"][0] == "첫 달"


@pytest.mark.parametrize("encoding", ["windows-1252", "latin-1", "utf-8"])
def test_western_files_keep_their_letters(tmp_path: Path, db_path: Path, encoding: str) -> None:
    western = dict(WESTERN)
    if encoding == "latin-1":
        # Latin-1 has no euro sign.
        western["kpis"] = str(western["kpis"]).replace("€", "EUR")
    import_path(db_path, write_source(tmp_path / "src", western, encoding=encoding))
    data = load_dataset(db_path)
    assert data.checkins["note"].to_list() == ["Änderungen sind umgesetzt"]
    assert data.units["name"].to_list() == ["Müller & Söhne AG", "Qualitätssicherung"]
    assert data.kpis["description"].to_list() == ["Größe zählt"]


def test_one_accented_letter_is_evidence_enough(tmp_path: Path, db_path: Path) -> None:
    # A single byte 0xC4 cannot be CP949 (a Korean letter takes two bytes).
    western = {
        **WESTERN,
        "checkins": str(WESTERN["checkins"]).replace("Änderungen sind umgesetzt", "Ä"),
    }
    import_path(db_path, write_source(tmp_path / "src", western, encoding="windows-1252"))
    assert load_dataset(db_path).checkins["note"].to_list() == ["Ä"]


def test_two_plausible_encodings_are_refused_naming_both(tmp_path: Path, db_path: Path) -> None:
    # One Hangul syllable (2 bytes) reads as two Latin letters too ("팀" = "ÆÀ").
    source = write_source(
        tmp_path / "src", append_rows("checkins", "rev,2026-11-03,1,,,팀,\n"), encoding="cp949"
    )
    thin = {"checkins": "goal_id,date,value,note\nrev,2026-11-03,1,팀\n"}
    for name, text in thin.items():
        (source / f"{name}.csv").write_bytes(text.encode("cp949"))
    assert problems_of(db_path, source) == [
        "checkins.csv: not UTF-8, and its few non-ASCII letters read as plausible text both in "
        "CP949 (Korean) and in Windows-1252 (Western European); save it from Excel as "
        "'CSV UTF-8', or choose with `goaltui import --encoding cp949` or "
        "`--encoding windows-1252`"
    ]
    assert not db_path.exists()
    import_path(db_path, source, encoding="cp949")
    assert load_dataset(db_path).checkins["note"].to_list()[-1] == "팀"


def test_encoding_option_forces_every_file(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_source(tmp_path / "src", WESTERN, encoding="windows-1252")
    code = main(["import", str(source), "--db", str(db_path), "--encoding", "cp1252"])
    assert code == 0, capsys.readouterr().err
    assert load_dataset(db_path).checkins["note"].to_list() == ["Änderungen sind umgesetzt"]


def test_a_forced_encoding_that_does_not_fit_is_refused(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src", WESTERN, encoding="windows-1252")
    problems = problems_of(db_path, source, encoding="utf-8")
    assert problems[0] == (
        "units.csv:2: not utf-8 text (byte 0xfc cannot be read in utf-8); leave out --encoding "
        "to let goaltui decide"
    )
    assert problems_of(db_path, source, encoding="klingon") == [
        "--encoding: 'klingon' is not an encoding (e.g. utf-8, cp949, windows-1252)"
    ]


def test_neither_encoding_plausible_is_refused(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src")
    (source / "checkins.csv").write_bytes(
        b"goal_id,date,value,note\nrev,2026-11-03,1,\xa4\xa4\xa4\xa4\xff\n"
    )
    (problem,) = problems_of(db_path, source)
    assert problem.startswith("checkins.csv: not a text CSV file that goaltui can read")


# Line ends, formulas, control characters, clocks --------------------------------------------


def test_cr_only_line_ends_read_as_line_ends(tmp_path: Path, db_path: Path) -> None:
    mac = {name: text.replace("\n", "\r") for name, text in SAMPLE.items()}
    import_path(db_path, write_source(tmp_path / "src", dict(mac)))
    data = load_dataset(db_path)
    assert data.checkins.height == 4
    assert data.kpis.filter(pl.col("id") == "sales-rev")["description"].item() == "매달 말\n입력"


def test_import_takes_away_the_formula_prefix_of_text_cells(tmp_path: Path, db_path: Path) -> None:
    rows = (
        'rev,2026-11-03,1,,,\'=HYPERLINK("x"),\n'
        "rev,2026-11-04,1,,,'-5 days,\n"
        "rev,2026-11-05,1,,,'quoted,\n"
        "rev,2026-11-06,1,,,''=twice,\n"
    )
    import_path(db_path, write_source(tmp_path / "src", append_rows("checkins", rows)))
    notes = load_dataset(db_path).checkins["note"].to_list()[-4:]
    assert notes == ['=HYPERLINK("x")', "-5 days", "'quoted", "''=twice"]


def test_a_number_cell_with_a_formula_prefix_is_no_number(tmp_path: Path, db_path: Path) -> None:
    source = write_source(tmp_path / "src", append_rows("checkins", "rev,2026-11-03,'-5,,,,\n"))
    assert problems_of(db_path, source) == [
        "checkins.csv:6: value: ''-5' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"
    ]


@given(st.text())
def test_unescape_undoes_escape(text: str) -> None:
    escaped = rules.escape_formula(text)
    assert rules.unescape_formula(escaped) == text
    frame = pl.DataFrame({"t": [text]}).select(
        e=rules.escape_formula_expr(pl.col("t")),
        u=rules.unescape_formula_expr(rules.escape_formula_expr(pl.col("t"))),
        v=rules.unescape_formula_expr(pl.col("t")),
    )
    assert frame.row(0) == (escaped, text, rules.unescape_formula(text))


@pytest.mark.parametrize(
    ("table", "row", "problem"),
    [
        (
            "units",
            "x,Sales\x1b]0;pwned\x07,hb,team\n",
            "units.csv:6: name: holds a control "
            "character (U+001B, escape); text may not hold control characters",
        ),
        (
            "units",
            "x,Sales\x9b2J,hb,team\n",
            "units.csv:6: name: holds a control character "
            "(U+009B); text may not hold control characters",
        ),
        (
            "objectives",
            "o9,hb,Title\tTab,2026-Q4,,\n",
            "objectives.csv:4: title: holds a control "
            "character (U+0009, tab); text may not hold control characters",
        ),
    ],
)
def test_control_characters_are_refused(
    tmp_path: Path, db_path: Path, table: str, row: str, problem: str
) -> None:
    assert problems_of(db_path, write_source(tmp_path / "src", append_rows(table, row))) == [
        problem
    ]


def test_line_breaks_and_tabs_are_fine_in_descriptions(tmp_path: Path, db_path: Path) -> None:
    row = 'o9,hb,Title,2026-Q4,,"one\tline\nanother"\n'
    import_path(db_path, write_source(tmp_path / "src", append_rows("objectives", row)))
    objectives = load_dataset(db_path).objectives
    assert objectives.filter(pl.col("id") == "o9")["description"].item() == "one\tline\nanother"


@pytest.mark.parametrize(
    "moment",
    ["2026-11-16T09:30:60", "2026-11-16 24:00:00", "2026-11-16T09:60:00", "0000-01-01T00:00:00"],
)
def test_clocks_and_days_that_do_not_exist_are_refused(
    tmp_path: Path, db_path: Path, moment: str
) -> None:
    checkins = f"goal_id,date,value,recorded_at\nrev,2026-11-03,1,{moment}\n"
    problems = problems_of(db_path, write_source(tmp_path / "src", {"checkins": checkins}))
    assert problems == [
        f"checkins.csv:2: recorded_at: '{moment}' is not a timestamp (use e.g. "
        "2026-11-16T09:30:00 or 2026-11-16 09:30:00+09:00)"
    ]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (
            "0001-01-01",
            "'0001-01-01' is outside the dates goaltui takes (1900-01-01 to 2999-12-31)",
        ),
        ("20261101", "'20261101' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)"),
        ("2026-W45-1", "'2026-W45-1' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)"),
    ],
)
def test_as_of_takes_the_rule_books_dates(
    capsys: pytest.CaptureFixture[str], db_path: Path, as_of: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["report", "--db", str(db_path), "--as-of", as_of])
    assert exit.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(f"argument --as-of: {message}")
