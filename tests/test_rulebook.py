"""One rule book, whatever the door: the same table of check-ins (tests/rulebook_cases.py) goes
through import, `goaltui checkin`, the store and the check-in form, and each gives the same
verdict, with the same reason."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from goaltui.cli import main
from goaltui.metrics.catalog import goal_catalog
from goaltui.model import Checkin, ValidationError
from goaltui.store import rules
from goaltui.store.checkins import append_checkin
from goaltui.store.dataset import Dataset, load_dataset
from goaltui.store.importer import import_path
from goaltui.ui.screens.checkin import read_form
from tests.rulebook_cases import AS_OF, CASES, Case
from tests.store_helpers import SAMPLE, write_source

TODAY = date.fromisoformat(AS_OF)
Verdict = tuple[str | None, object]
"""(None, stored value) when accepted; (field, reason) when refused."""


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rulebook")
    db = folder / "goals.duckdb"
    import_path(db, write_source(folder / "src"))
    return db


@pytest.fixture(scope="module")
def sample(sample_db: Path) -> Dataset:
    return load_dataset(sample_db)


def stored_value(db: Path, checkin_id: str) -> object:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            "SELECT value FROM checkins WHERE id = $i", params={"i": checkin_id}
        ).fetchall()[0][0]


def through_import(case: Case, tmp_path: Path) -> Verdict:
    out = io.StringIO()
    more = case.more
    row = [
        case.goal,
        more.get("date", "2026-11-10"),
        case.value,
        more.get("denominator", ""),
        more.get("confidence", ""),
        more.get("note", ""),
        "",
    ]
    csv.writer(out, lineterminator="\n").writerow(row)
    db = tmp_path / "import.duckdb"
    source = write_source(tmp_path / "src", {"checkins": SAMPLE["checkins"] + out.getvalue()})
    try:
        import_path(db, source)
    except ValidationError as error:
        assert len(error.problems) == 1, error.problems
        where, problem = error.problems[0].split(": ", 1)
        assert where == "checkins.csv:6", error.problems
        column, reason = problem.split(": ", 1)
        return column, reason
    value = load_dataset(db).checkins["value"][-1]
    return None, value


def through_cli(case: Case, db: Path, capsys: pytest.CaptureFixture[str]) -> Verdict:
    args = ["checkin", case.goal, case.value, "--db", str(db), "--as-of", AS_OF]
    for name, text in case.more.items():
        args += [f"--{name}", text]
    capsys.readouterr()
    try:
        code = main(args)
    except SystemExit as exit:  # argparse refuses a malformed --date
        code = int(str(exit.code))
    out, err = capsys.readouterr()
    if code == 0:
        checkin_id = out.split()[2].rstrip(":")
        return None, stored_value(db, checkin_id)
    if "argument --date: " in err:
        return "date", err.split("argument --date: ", 1)[1].strip()
    lines = err.splitlines()
    assert lines[-1] == "goaltui: 1 problem; nothing was written", err
    column, reason = lines[0].split(": ", 1)
    return column, reason


def through_store(case: Case, db: Path, sample: Dataset) -> Verdict:
    # A library user reads the texts with the rule book, then hands the store the check-in.
    goal = goal_catalog(sample).filter(pl.col("goal_id") == case.goal).row(0, named=True)
    percent = rules.takes_percent(goal["measure_unit"], goal["aggregation"])
    try:
        day = rules.parse_date(case.more.get("date", AS_OF))
    except ValueError as error:
        return "date", str(error)
    numbers: dict[str, float | None] = {}
    for name in ("value", "denominator", "confidence"):
        text = case.value if name == "value" else case.more.get(name, "")
        try:
            numbers[name] = rules.parse_number(text, percent=percent and name == "value")
        except ValueError as error:
            return name, str(error)
    checkin = Checkin(
        goal_id=case.goal,
        date=day,
        value=numbers["value"],
        denominator=numbers["denominator"],
        confidence=numbers["confidence"],
        note=case.more.get("note"),
    )
    try:
        saved = append_checkin(db, checkin, today=TODAY)
    except ValidationError as error:
        assert len(error.problems) == 1, error.problems
        column, reason = error.problems[0].split(": ", 1)
        return column, reason
    return None, saved.value


def through_form(case: Case, sample: Dataset) -> Verdict:
    texts = {
        "goal": case.goal,
        "value": case.value,
        "date": AS_OF,
        "denominator": "",
        "confidence": "",
        "note": "",
    } | case.more
    reading = read_form(texts, goals=goal_catalog(sample), dataset=sample, today=TODAY)
    if reading.reasons:
        assert len(reading.reasons) == 1, reading.reasons
        return next(iter(reading.reasons.items()))
    assert reading.checkin is not None
    return None, reading.checkin.value


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_door_gives_the_same_verdict(
    case: Case,
    tmp_path: Path,
    sample_db: Path,
    sample: Dataset,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected: Verdict = (None, case.stored) if case.field is None else (case.field, case.reason)
    assert through_import(case, tmp_path) == expected, "import"
    assert through_cli(case, sample_db, capsys) == expected, "goaltui checkin"
    assert through_store(case, sample_db, sample) == expected, "append_checkin"
    assert through_form(case, sample) == expected, "check-in form"
