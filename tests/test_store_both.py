"""The same store behaviour on both engines: every test here runs once on a DuckDB file and once
on a PostgreSQL database (a copy of one demo template per test), through the Store protocol,
and the figures of the PostgreSQL run must equal the file's."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import psycopg
import pytest

from goaltui.config import DEMO_AS_OF
from goaltui.cycle import (
    carry_over,
    close_period,
    grade_key_result,
    read_cycle_state,
    reopen_period,
)
from goaltui.due_report import render_due
from goaltui.model.errors import ValidationError
from goaltui.model.types import Checkin
from goaltui.report import load_report, render_report
from goaltui.store.cells import SPECS
from goaltui.store.checkins import checkin_log
from goaltui.store.cycle import who
from goaltui.store.demo import demo_source
from goaltui.store.engine import FileStore, PgStore, Store
from goaltui.store.importer import import_path
from tests.pg_server import PgServer

DAY = date(2026, 11, 10)
GOAL = "hb-csat"
OBJECTIVE_COLUMNS = [c.name for c in SPECS["objectives"]]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("both") / "demo.duckdb"
    import_path(path, demo_source())
    return path


@pytest.fixture(params=["file", "postgresql"])
def store(
    request: pytest.FixtureRequest, demo_file: Path, tmp_path: Path, pg_server: PgServer
) -> Iterator[Store]:
    """The demo organisation on one engine, fresh for the test."""
    if request.param == "file":
        path = tmp_path / "goals.duckdb"
        shutil.copyfile(demo_file, path)
        yield FileStore(path)
    else:
        yield PgStore(pg_server.url(request.getfixturevalue("team_db")))


def reference(demo_file: Path, tmp_path: Path) -> FileStore:
    """A private copy of the demo file: what both engines must agree with."""
    path = tmp_path / "reference.duckdb"
    shutil.copyfile(demo_file, path)
    return FileStore(path)


def writes(store: Store) -> list[str]:
    """A check-in, its correction, a retraction of another one: the ids, in order."""
    first = store.append_checkin(Checkin(goal_id=GOAL, date=DAY, value=4.1), today=DEMO_AS_OF)
    assert first.id is not None
    fixed = store.correct_checkin(
        first.id, Checkin(goal_id=GOAL, date=DAY, value=4.3), today=DEMO_AS_OF
    )
    other = store.append_checkin(Checkin(goal_id=GOAL, date=DAY, value=9.0), today=DEMO_AS_OF)
    assert other.id is not None and fixed.id is not None
    gone = store.retract_checkin(other.id, today=DEMO_AS_OF, note="typo")
    assert gone.id is not None
    return [first.id, fixed.id, other.id, gone.id]


def test_import_reads_back_every_row(store: Store, demo_file: Path) -> None:
    expected = FileStore(demo_file).load_dataset()
    dataset = store.load_dataset()
    for name in ("units", "kpis", "objectives", "key_results", "checkins", "targets"):
        assert getattr(dataset, name).height == getattr(expected, name).height, name
    assert dataset.checkins["id"].to_list() == expected.checkins["id"].to_list()


def test_check_ins_corrections_and_retractions_keep_their_log(store: Store) -> None:
    first, fixed, other, gone = writes(store)
    log = checkin_log(store.load_dataset(), GOAL)
    states = dict(zip(log["id"], log["state"], strict=True))
    assert [states[i] for i in (first, fixed, other, gone)] == [
        "corrected",
        "correction",
        "retracted",
        "retraction",
    ]
    assert log.filter(pl.col("id") == fixed)["value"].item() == 4.3


def test_refusals_name_the_field_and_write_nothing(store: Store) -> None:
    before = store.load_dataset().checkins.height
    with pytest.raises(ValidationError, match="goal_id"):
        store.append_checkin(Checkin(goal_id="no-such-goal", date=DAY, value=1), today=DAY)
    with pytest.raises(ValidationError, match="date"):
        store.append_checkin(Checkin(goal_id=GOAL, date=DEMO_AS_OF, value=1), today=DAY)
    first, *_ = writes(store)
    # A check-in corrected once is not corrected again: the correction is.
    with pytest.raises(ValidationError, match="supersedes"):
        store.correct_checkin(first, Checkin(goal_id=GOAL, date=DAY, value=1), today=DEMO_AS_OF)
    assert store.load_dataset().checkins.height == before + 4


def test_report_and_due_give_the_file_s_numbers(
    store: Store, demo_file: Path, tmp_path: Path
) -> None:
    file = reference(demo_file, tmp_path)
    outputs = []
    for engine in (file, store):
        writes(engine)
        dataset = load_report(engine, DEMO_AS_OF, history=True)
        due = engine.load_dataset(checkins_until=DEMO_AS_OF, arithmetic_only=True)
        outputs.append(
            (
                render_report(dataset, DEMO_AS_OF, unit=None, history=True, fmt="csv"),
                render_report(dataset, DEMO_AS_OF, unit="sales", history=False, fmt="json"),
                render_due(due, DEMO_AS_OF, unit=None, within=7, fmt="csv"),
            )
        )
    assert outputs[0] == outputs[1]


def exported_again(store: Store, out: Path, tmp_path: Path, pg_server: PgServer) -> Path:
    """`out` (an export of `store`) imported into a new, empty store of the same engine, and
    that store exported again; the folder of the second export."""
    if isinstance(store, FileStore):
        again: Store = FileStore(tmp_path / "again.duckdb")
    else:
        name = "again_" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:12]
        with psycopg.connect(pg_server.url(), autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            con.execute(f"CREATE DATABASE {name}")
        again = PgStore(pg_server.url(name))
    again.import_path(out)
    second = tmp_path / "second"
    again.export(second)
    return second


def test_export_and_import_round_trip(store: Store, tmp_path: Path, pg_server: PgServer) -> None:
    writes(store)
    out = tmp_path / "export"
    store.export(out)
    second = exported_again(store, out, tmp_path, pg_server)
    for path in sorted(out.iterdir()):
        assert (second / path.name).read_bytes() == path.read_bytes(), path.name


# --------------------------------------------------------------------------------------------
# The quarterly cycle on both engines

Q3_KR = "sales-2026q3-kr1"
"""A key result of a 2026-Q3 objective of the team sales, taking check-ins."""


def _grades(store: Store) -> pl.DataFrame:
    grades = read_cycle_state(store).grades
    return grades.drop("frozen_at", "graded_at", "graded_by").sort("kind", "goal_id")


def _login(store: Store) -> str:
    """Who the history and the grades name: the server's login, or the local user."""
    return store.url.rsplit("@", 1)[0].split("//")[1] if isinstance(store, PgStore) else who()


def test_close_grades_and_carry_over_equal_the_file(
    store: Store, demo_file: Path, tmp_path: Path
) -> None:
    file = reference(demo_file, tmp_path)
    results = [close_period(s, "2026-Q3") for s in (store, file)]
    assert results[0] == results[1]
    assert results[0].objectives == 4
    assert _grades(store).equals(_grades(file))
    assert _grades(store).height == 4 + 8
    created = [carry_over(s, "2026-Q3", "2026-Q4") for s in (store, file)]
    assert created[0] == created[1] and created[0]
    assert carry_over(store, "2026-Q3", "2026-Q4") == []
    columns = ["id", "objective_id", "baseline", "target", "weight", "kpi_id"]
    krs = [
        s.load_dataset().key_results.filter(pl.col("id").is_in(created[0])).select(columns)
        for s in (store, file)
    ]
    assert krs[0].sort("id").equals(krs[1].sort("id"))
    objectives = [
        s.load_dataset().objectives.filter(pl.col("carried_from").is_not_null()).sort("id")
        for s in (store, file)
    ]
    assert objectives[0].equals(objectives[1])


def test_a_closed_period_refuses_check_ins_until_reopened(store: Store) -> None:
    close_period(store, "2026-Q3")
    late = Checkin(goal_id=Q3_KR, date=date(2026, 9, 20), value=3.0)
    with pytest.raises(ValidationError, match="2026-Q3 is closed for objective 'sales-2026q3'"):
        store.append_checkin(late, today=DEMO_AS_OF)
    # Correcting a check-in dated in it is refused too, whatever date the correction has.
    earlier = store.load_dataset().checkins.filter(
        (pl.col("goal_id") == Q3_KR) & (pl.col("date") <= date(2026, 9, 30))
    )
    assert earlier.height
    moved = Checkin(goal_id=Q3_KR, date=date(2026, 10, 2), value=1.0)
    with pytest.raises(ValidationError, match="2026-Q3 is closed"):
        store.correct_checkin(earlier["id"][0], moved, today=DEMO_AS_OF)
    assert reopen_period(store, "2026-Q3") == 1
    assert store.append_checkin(late, today=DEMO_AS_OF).goal_id == Q3_KR
    assert read_cycle_state(store).closed_periods.height == 0


def test_a_grade_override_regrades_its_objective(
    store: Store, demo_file: Path, tmp_path: Path
) -> None:
    file = reference(demo_file, tmp_path)
    for s in (store, file):
        close_period(s, "2026-Q3")
        grade_key_result(s, Q3_KR, 0.9, note="won the big deal late")
    grades = _grades(store)
    assert grades.equals(_grades(file))
    kr = grades.filter(pl.col("goal_id") == Q3_KR).row(0, named=True)
    assert (kr["override"], kr["note"]) == (0.9, "won the big deal late")
    graded_by = read_cycle_state(store).grades.filter(pl.col("goal_id") == Q3_KR)["graded_by"]
    assert graded_by.to_list() == [_login(store)]
    objective = grades.filter(pl.col("goal_id") == "sales-2026q3").row(0, named=True)
    assert objective["override"] is not None
    assert objective["note"] == "from key result overrides"


def test_an_edit_keeps_who_when_before_and_after(store: Store) -> None:
    row = store.load_dataset().objectives.filter(pl.col("id") == "sales-2026q3").row(0, named=True)
    cells = {c: None if v is None else str(v) for c, v in row.items() if c in OBJECTIVE_COLUMNS}
    store.save_definition("objectives", {**cells, "title": "Win the renewals"})
    changes = store.definition_changes("objectives", "sales-2026q3")
    assert changes[0].fields == (("title", row["title"], "Win the renewals"),)
    assert changes[0].changed_by == _login(store)
    titles = store.load_dataset().objectives.filter(pl.col("id") == "sales-2026q3")["title"]
    assert titles.to_list() == ["Win the renewals"]


def test_definition_problems_name_the_field_on_both_engines(store: Store) -> None:
    problems = store.definition_problems(
        "objectives",
        {"id": "new-o", "unit_id": "nobody", "title": "X", "period": "2026-Q4"},
    )
    assert problems["unit_id"] == "no unit has the id 'nobody'"
    assert not store.definition_changes("objectives", "new-o")


def test_export_and_import_round_trip_keeps_the_cycle(
    store: Store, tmp_path: Path, pg_server: PgServer
) -> None:
    close_period(store, "2026-Q3")
    grade_key_result(store, Q3_KR, 0.5, note="judged")
    carry_over(store, "2026-Q3", "2026-Q4")
    out = tmp_path / "export"
    summary = store.export(out)
    assert summary.history > 0
    second = exported_again(store, out, tmp_path, pg_server)
    for csv in ("grades.csv", "closed_periods.csv", "history.csv"):
        assert (out / csv).read_text().count("\n") > 1, csv
    for path in sorted(out.iterdir()):
        assert (second / path.name).read_bytes() == path.read_bytes(), path.name
