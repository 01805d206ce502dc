"""The quarterly cycle: carry-over, close, reopen, grade, the review text, and the history of
definitions, through the command line and the store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from goaltui.cli import main
from goaltui.model.errors import ValidationError
from goaltui.model.types import Checkin
from goaltui.store.authoring import definition_problems, save_definition
from goaltui.store.checkins import correct_checkin
from goaltui.store.cycle import read_cycle_table
from goaltui.store.dataset import load_dataset
from goaltui.store.db import read_session
from goaltui.store.exporter import export_db
from goaltui.store.importer import import_path
from tests.store_helpers import copy_db

AS_OF = "2026-11-16"

ORG: dict[str, str] = {
    "units": "id,name,parent_id,kind\norg,Org,,org\nteam,Team,org,team\n",
    "kpis": "id,unit_id,name,unit,direction,aggregation,period,target\n",
    "objectives": """id,unit_id,title,period,parent_id,description,commitment
q3-org,org,Grow,2026-Q3,,,committed
q3-team,team,Ship,2026-Q3,q3-org,,aspirational
q3-done,team,Done,2026-Q3,q3-org,,committed
q4-other,org,Next,2026-Q4,,,
""",
    "key_results": """id,objective_id,title,unit,direction,aggregation,target,baseline,weight
kr-a,q3-org,Users,count,at_least,last,100,20,2
kr-b,q3-org,Revenue,KRW,at_least,sum,10,,1
kr-c,q3-team,Bugs,count,at_least,sum,4,1,1
kr-d,q3-done,Done,count,at_least,sum,2,,1
kr-q4,q4-other,Next,count,at_least,sum,5,,1
""",
    "checkins": """id,goal_id,date,value
c1,kr-a,2026-08-01,60
c2,kr-b,2026-07-10,3
c3,kr-b,2026-09-10,3
c4,kr-d,2026-09-01,2
c5,kr-a,2026-10-05,90
""",
}


def write_org(folder: Path, changes: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**ORG, **(changes or {})}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def cycle_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The organisation imported once per test process (copied for each test, never written)."""
    folder = tmp_path_factory.mktemp("cycle")
    path = folder / "cycle.duckdb"
    import_path(path, write_org(folder / "org"))
    return path


@pytest.fixture
def db(cycle_template: Path, tmp_path: Path) -> Path:
    """A private copy of the organisation's database for one test."""
    return copy_db(cycle_template, tmp_path)


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(db), "--as-of", AS_OF])
    out, err = capsys.readouterr()
    return code, out, err


def exported(db: Path, folder: Path) -> dict[str, str]:
    """Every exported file's text: the whole state of the database."""
    export_db(db, folder)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def grades(db: Path) -> dict[str, tuple[float | None, float | None]]:
    with read_session(db) as con:
        frame = read_cycle_table(con, "grades")
    return {
        f"{kind}/{goal}": (score, override)
        for kind, goal, score, override in frame.select(
            "kind", "goal_id", "score", "override"
        ).iter_rows()
    }


# --------------------------------------------------------------------------------------------
# carry-over


def test_carry_over_continues_unfinished_objectives(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, err = run(capsys, db, "carry-over", "2026-Q3", "2026-Q4")
    assert (code, err) == (0, "")
    assert out.split() == [
        "q3-org-2026-Q4",
        "q3-team-2026-Q4",
        "kr-a-2026-Q4",
        "kr-b-2026-Q4",
        "kr-c-2026-Q4",
    ]
    data = load_dataset(db)
    objectives = data.objectives.filter(pl.col("period") == "2026-Q4").sort("id")
    assert objectives.select(
        "id", "unit_id", "title", "parent_id", "commitment", "carried_from"
    ).rows() == [
        ("q3-org-2026-Q4", "org", "Grow", None, "committed", "q3-org"),
        ("q3-team-2026-Q4", "team", "Ship", "q3-org-2026-Q4", "aspirational", "q3-team"),
        ("q4-other", "org", "Next", None, "aspirational", None),
    ]
    krs = data.key_results.filter(pl.col("id").str.ends_with("-2026-Q4")).sort("id")
    # Baseline: the actual at Q3's end (kr-a's October check-in does not count), else the old
    # baseline (kr-c has no actual).
    assert krs.select(
        "id", "objective_id", "baseline", "target", "weight", "unit", "aggregation"
    ).rows() == [
        ("kr-a-2026-Q4", "q3-org-2026-Q4", 60.0, 100.0, 2.0, "count", "last"),
        ("kr-b-2026-Q4", "q3-org-2026-Q4", 6.0, 10.0, 1.0, "KRW", "sum"),
        ("kr-c-2026-Q4", "q3-team-2026-Q4", 1.0, 4.0, 1.0, "count", "sum"),
    ]
    # Check-ins are not copied.
    assert data.checkins.height == 5


def test_carry_over_twice_creates_nothing_new(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    assert run(capsys, db, "carry-over", "2026-Q3", "2026-Q4")[0] == 0
    before = exported(db, tmp_path / "before")
    code, out, _ = run(capsys, db, "carry-over", "2026-Q3", "2026-Q4")
    assert (code, out) == (0, "Nothing to carry over from 2026-Q3 to 2026-Q4\n")
    assert exported(db, tmp_path / "after") == before


def test_carry_over_of_a_subtree_keeps_the_uncarried_parent(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, _ = run(capsys, db, "carry-over", "2026-Q3", "2026-Q4", "--unit", "team")
    assert (code, out.split()) == (0, ["q3-team-2026-Q4", "kr-c-2026-Q4"])
    row = load_dataset(db).objectives.filter(pl.col("id") == "q3-team-2026-Q4")
    assert row["parent_id"].item() == "q3-org"


def test_carry_over_ids_never_clash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_path: Path
) -> None:
    objectives = ORG["objectives"] + "q3-team-2026-Q4,org,Taken,2026-Q4,,,\n"
    key_results = ORG["key_results"] + "kr-c-2026-Q4,q4-other,Taken,count,at_least,sum,1,,1\n"
    import_path(
        db_path,
        write_org(tmp_path / "src", {"objectives": objectives, "key_results": key_results}),
    )
    code, out, _ = run(capsys, db_path, "carry-over", "2026-Q3", "2026-Q4", "--unit", "team")
    assert (code, out.split()) == (0, ["q3-team-2026-Q4-2", "kr-c-2026-Q4-2"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2026-Q5", "2026-Q4"], "'2026-Q5' is not a quarter or a year"),
        (["2026-Q3", "2026-11"], "'2026-11' is not a quarter or a year"),
        (["2025-Q1", "2026-Q4"], "no objective is of period 2025-Q1"),
        (["2026-Q3", "2026-Q3"], "FROM and TO are both 2026-Q3"),
        (["2026-Q4", "2026-Q3"], "2026-Q3 does not come after 2026-Q4"),
        (["2026-Q3", "2026"], "2026 does not come after 2026-Q3"),
        (["2026-Q3", "2026-Q4", "--unit", "nobody"], "no unit has the id 'nobody'"),
    ],
)
def test_carry_over_refusals(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    tmp_path: Path,
    argv: list[str],
    message: str,
) -> None:
    before = exported(db, tmp_path / "before")
    code, out, err = run(capsys, db, "carry-over", *argv)
    assert (code, out) == (1, "")
    assert err.startswith("goaltui: ") and message in err and err.count("\n") == 1
    assert exported(db, tmp_path / "after") == before


# --------------------------------------------------------------------------------------------
# close, reopen, grade


def test_close_freezes_grades_and_lists_committed_misses(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, err = run(capsys, db, "close", "2026-Q3")
    assert (code, err) == (0, "")
    assert out == (
        "Closed 2026-Q3: graded 3 objectives and 4 key results\n"
        "Committed objectives graded below 1.0 (to review):\n"
        "  q3-org (org) 0.53 Grow\n"
    )
    assert grades(db) == {
        "kr/kr-a": (0.5, None),
        "kr/kr-b": (0.6, None),
        "kr/kr-c": (None, None),
        "kr/kr-d": (1.0, None),
        "objective/q3-org": (pytest.approx(1.6 / 3), None),
        "objective/q3-team": (0.0, None),
        "objective/q3-done": (1.0, None),
    }


def test_closed_period_refuses_checkins_until_reopened(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    assert run(capsys, db, "close", "2026-Q3")[0] == 0
    before = exported(db, tmp_path / "before")
    code, out, err = run(capsys, db, "checkin", "kr-a", "70", "--date", "2026-09-15")
    assert (code, out) == (1, "")
    assert (
        "date: 2026-Q3 is closed for objective 'q3-org', so key result 'kr-a' takes no "
        "check-ins dated in it; reopen it first with `goaltui reopen 2026-Q3`"
    ) in err
    # Corrections too, and in an import.
    with pytest.raises(ValidationError, match="2026-Q3 is closed"):
        correct_checkin(
            db, "c1", Checkin(goal_id="kr-a", date=date(2026, 8, 1), value=61.0), today=date.today()
        )
    source = write_org(tmp_path / "late", {"checkins": ORG["checkins"] + "c6,kr-b,2026-09-30,1\n"})
    with pytest.raises(ValidationError) as refused:
        import_path(db, source)
    assert refused.value.problems == [
        "checkins.csv:7: date: 2026-Q3 is closed for objective 'q3-org', so key result 'kr-b' "
        "takes no check-ins dated in it; reopen it first with `goaltui reopen 2026-Q3`"
    ]
    assert exported(db, tmp_path / "after") == before
    # A check-in of a later period, and one of a KR of an open period, are taken.
    assert run(capsys, db, "checkin", "kr-q4", "1", "--date", "2026-11-01")[0] == 0
    code, out, _ = run(capsys, db, "reopen", "2026-Q3")
    assert (code, out) == (0, "Reopened 2026-Q3: check-ins dated in it are taken again\n")
    assert run(capsys, db, "checkin", "kr-a", "70", "--date", "2026-09-15")[0] == 0


def test_close_of_a_subtree_leaves_the_rest_open(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, _ = run(capsys, db, "close", "2026-Q3", "--unit", "team")
    assert out.startswith("Closed 2026-Q3: graded 2 objectives and 2 key results\n")
    assert run(capsys, db, "checkin", "kr-a", "70", "--date", "2026-09-15")[0] == 0
    code, _, err = run(capsys, db, "checkin", "kr-c", "1", "--date", "2026-09-15")
    assert code == 1 and "closed for objective 'q3-team'" in err


def test_grade_overrides_with_a_reason(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    run(capsys, db, "close", "2026-Q3")
    code, out, err = run(capsys, db, "grade", "kr-a", "0.8", "--note", "signed after the end")
    assert (code, out, err) == (0, "Graded kr-a: 0.8\n", "")
    assert grades(db)["kr/kr-a"] == (0.5, 0.8)
    # The objective follows: (2 x 0.8 + 0.6) / 3.
    assert grades(db)["objective/q3-org"] == pytest.approx((1.6 / 3, 2.2 / 3))
    with read_session(db) as con:
        row = read_cycle_table(con, "grades").filter(pl.col("goal_id") == "kr-a")
    assert row.select("note", "graded_by").row(0)[0] == "signed after the end"
    assert row["graded_by"].item()
    # Closing again after a reopen refreezes the score and keeps the override.
    run(capsys, db, "reopen", "2026-Q3")
    run(capsys, db, "close", "2026-Q3")
    assert grades(db)["kr/kr-a"] == (0.5, 0.8)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["close", "2026-Q7"], "'2026-Q7' is not a quarter or a year"),
        (["close", "2027-Q1"], "no objective is of period 2027-Q1"),
        (["close", "2026-Q3", "--unit", "nobody"], "no unit has the id 'nobody'"),
        (["reopen", "2026-Q4"], "2026-Q4 is not closed; nothing to reopen"),
        (["grade", "kr-zz", "0.5"], "no key result has the id 'kr-zz'"),
        (["grade", "kr-q4", "0.5"], "key result 'kr-q4' has no grade yet"),
        (["grade", "kr-a", "1.5"], "1.5 is outside 0-1"),
        (["grade", "kr-a", "-0.1"], "-0.1 is outside 0-1"),
    ],
)
def test_cycle_refusals(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    tmp_path: Path,
    argv: list[str],
    message: str,
) -> None:
    run(capsys, db, "close", "2026-Q3")
    before = exported(db, tmp_path / "before")
    code, out, err = run(capsys, db, *argv)
    assert (code, out) == (1, "")
    assert err.startswith("goaltui: ") and message in err and err.count("\n") == 1
    assert exported(db, tmp_path / "after") == before


def test_close_twice_is_refused(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    run(capsys, db, "close", "2026-Q3")
    before = exported(db, tmp_path / "before")
    code, out, err = run(capsys, db, "close", "2026-Q3")
    assert (code, out) == (1, "")
    assert err == (
        "goaltui: 2026-Q3 is closed already (for the whole organisation); reopen it with "
        "`goaltui reopen 2026-Q3` to close it again\n"
    )
    code, _, err = run(capsys, db, "close", "2026-Q3", "--unit", "team")
    assert code == 1 and "closed already" in err
    assert exported(db, tmp_path / "after") == before


def test_review_text(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    run(capsys, db, "close", "2026-Q3")
    run(capsys, db, "grade", "kr-c", "0.5", "--note", "half done")
    code, out, err = run(capsys, db, "report", "--format", "md", "--period", "2026-Q3")
    assert (code, err) == (0, "")
    assert out == (
        "# Review of 2026-Q3 (closed, scores as of 2026-09-30)\n"
        "\n"
        "Grades: 0 red, 2 yellow, 1 green of 3 objectives.\n"
        "\n"
        "## Org (org)\n"
        "\n"
        "| objective | commitment | score | grade | band |\n"
        "| --- | --- | ---: | ---: | --- |\n"
        "| Grow | committed | 0.53 | 0.53 | yellow |\n"
        "\n"
        "## Team (team)\n"
        "\n"
        "| objective | commitment | score | grade | band |\n"
        "| --- | --- | ---: | ---: | --- |\n"
        "| Done | committed | 1.00 | 1.00 | green |\n"
        "| Ship | aspirational | 0.00 | 0.50 (frozen 0.00) | yellow |\n"
        "\n"
        "## Committed objectives below 1.0\n"
        "\n"
        "- Grow (q3-org, org): 0.53\n"
    )


def test_review_needs_md(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run(capsys, db, "report", "--format", "csv", "--period", "2026-Q3")
    assert (code, out) == (1, "")
    assert "use it with --format md" in err


# --------------------------------------------------------------------------------------------
# history and the round trip


def test_no_edit_loses_the_old_value(tmp_path: Path, db: Path) -> None:
    titles = ["Grow", "Grow faster", "성장", "Grow, again"]
    for n, title in enumerate(titles[1:], start=1):
        objectives = ORG["objectives"].replace("q3-org,org,Grow,", f'q3-org,org,"{title}",')
        import_path(db, write_org(tmp_path / f"edit{n}", {"objectives": objectives}))
    with read_session(db) as con:
        history = read_cycle_table(con, "history").filter(
            (pl.col("table_name") == "objectives") & (pl.col("row_id") == "q3-org")
        )
    befores = [None if b is None else json.loads(b) for b in history["before"]]
    afters = [json.loads(a) for a in history["after"]]
    # A chain: each entry starts where the one before it ended, and every title is in it.
    assert befores[0] is None
    assert befores[1:] == afters[:-1]
    assert [a["title"] for a in afters] == titles
    assert history["changed_by"].null_count() == 0


def test_history_of_carry_over_and_grades(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    run(capsys, db, "close", "2026-Q3")
    run(capsys, db, "grade", "kr-a", "0.8")
    run(capsys, db, "carry-over", "2026-Q3", "2026-Q4")
    with read_session(db) as con:
        history = read_cycle_table(con, "history")
    entries = set(history.select("table_name", "row_id").iter_rows())
    assert ("objectives", "q3-org-2026-Q4") in entries
    assert ("key_results", "kr-a-2026-Q4") in entries
    assert ("closed_periods", "2026-Q3/") in entries
    grade = history.filter(pl.col("row_id") == "kr/kr-a")
    assert [json.loads(a)["override"] for a in grade["after"]] == [None, 0.8]


def test_round_trip_of_grades_closures_and_history(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    run(capsys, db, "close", "2026-Q3")
    run(capsys, db, "grade", "kr-a", "0.8", "--note", "judgement")
    run(capsys, db, "carry-over", "2026-Q3", "2026-Q4")
    first = exported(db, tmp_path / "first")
    again = tmp_path / "again.duckdb"
    import_path(again, tmp_path / "first")
    assert exported(again, tmp_path / "second") == first
    # Importing the same export again into either database changes nothing.
    import_path(again, tmp_path / "first")
    assert exported(again, tmp_path / "third") == first
    # The closure travelled too.
    code, _, err = run(capsys, again, "checkin", "kr-a", "70", "--date", "2026-09-15")
    assert code == 1 and "2026-Q3 is closed" in err


def test_import_checks_grades(tmp_path: Path, db_path: Path) -> None:
    grades_csv = (
        "period,kind,goal_id,objective_id,unit_id,score,frozen_at\n"
        "2026-Q3,kr,kr-zz,q3-org,org,0.5,2026-10-01T00:00:00Z\n"
        "2026-Q3,objective,q3-org,q3-org,org,1.5,2026-10-01T00:00:00Z\n"
    )
    source = write_org(tmp_path / "src", {"grades": grades_csv})
    with pytest.raises(ValidationError) as refused:
        import_path(db_path, source)
    assert refused.value.problems == [
        "grades.csv:2: goal_id: no key result has the id 'kr-zz'",
        "grades.csv:3: score: 1.5 is outside 0-1 (a grade is a score from 0 to 1)",
    ]
    assert not db_path.exists()


# --------------------------------------------------------------------------------------------
# authoring one definition


def test_authoring_applies_the_import_rules_and_keeps_history(db: Path) -> None:
    row: dict[str, str | None] = {
        "id": "q3-org",
        "unit_id": "org",
        "title": "Grow faster",
        "period": "2026-Q3",
        "commitment": "committed",
    }
    assert definition_problems(db, "objectives", row) == {}
    assert definition_problems(db, "objectives", {**row, "unit_id": "mars", "period": "Q3"}) == {
        "unit_id": "no unit has the id 'mars'",
        "period": "'Q3' is not a quarter or a year (use e.g. 2026-Q4 or 2026)",
    }
    assert definition_problems(db, "objectives", {**row, "title": None}) == {
        "title": "required but empty"
    }
    save_definition(db, "objectives", row)
    with pytest.raises(ValidationError) as refused:
        save_definition(db, "key_results", {"id": "kr-new", "objective_id": "q3-org"})
    assert refused.value.problems[0] == "title: required but empty"
    assert load_dataset(db).objectives.filter(pl.col("id") == "q3-org")["title"].item() == (
        "Grow faster"
    )
    with read_session(db) as con:
        history = read_cycle_table(con, "history").filter(pl.col("row_id") == "q3-org")
    assert [json.loads(b)["title"] for b in history["before"].drop_nulls()] == ["Grow"]
    assert json.loads(history["after"][-1])["title"] == "Grow faster"
