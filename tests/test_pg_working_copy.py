"""The cycle's working copy of a real PostgreSQL server holds only the check-ins its work reads:
none for grading, reopening and saving a definition, one period's for closing and carrying over,
and what it computes from them is what a copy of every check-in computes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import polars as pl
import psycopg
import pytest

from goaltui.config import DEMO_AS_OF
from goaltui.cycle import _close_period, objective_period, plan_carry_over
from goaltui.model.types import Checkin
from goaltui.store.dataset import read_dataset
from goaltui.store.db import read_session
from goaltui.store.engine import PgStore
from goaltui.store.pg_cycle import EVERY_CHECKIN, pg_working_copy
from tests.pg_server import PgServer

PERIOD = "2026-Q3"
END = date(2026, 9, 30)


@pytest.fixture
def admin(pg_server: PgServer, team_db: str) -> Iterator[str]:
    yield pg_server.url(team_db)


def copy_ids(url: str, checkins_of: str | None) -> set[str]:
    with (
        pg_working_copy(url, "look", checkins_of=checkins_of) as path,
        read_session(path) as con,
    ):
        return {str(i) for (i,) in con.sql("SELECT id FROM checkins").fetchall()}


def test_grading_reopening_and_definitions_copy_no_check_in(admin: str) -> None:
    assert copy_ids(admin, None) == set()
    assert len(copy_ids(admin, EVERY_CHECKIN)) == PgStore(admin).load_dataset().checkins.height


def test_closing_copies_the_check_ins_of_the_period_s_key_results_and_their_kpis(
    admin: str,
) -> None:
    store = PgStore(admin)
    # A correction dated after the period of a check-in dated in it: both are needed, the
    # first one to know it was superseded.
    dataset = store.load_dataset()
    objectives = dataset.objectives.filter(pl.col("period") == PERIOD)["id"]
    krs = dataset.key_results.filter(pl.col("objective_id").is_in(objectives.implode()))
    plain = krs.filter(pl.col("kpi_id").is_null())["id"].to_list()
    goal = sorted(plain)[0]
    first = store.append_checkin(Checkin(goal_id=goal, date=END, value=1.0), today=DEMO_AS_OF)
    assert first.id is not None
    late = Checkin(goal_id=goal, date=date(2026, 10, 2), value=2.0)
    fixed = store.correct_checkin(first.id, late, today=DEMO_AS_OF)

    checkins = store.load_dataset().checkins
    goals = set(plain) | set(krs["kpi_id"].drop_nulls().to_list())
    ours = checkins.filter(pl.col("goal_id").is_in(list(goals)))
    superseded = checkins["supersedes"].drop_nulls().implode()
    correcting = pl.col("supersedes").is_not_null() | pl.col("id").is_in(superseded)
    needed = (pl.col("date") <= END) | correcting
    wanted = ours.filter(needed)
    expected = set(wanted["id"].to_list())
    assert {first.id, fixed.id} <= expected
    assert copy_ids(admin, PERIOD) == expected
    assert len(expected) < checkins.height / 2


def test_a_narrow_copy_grades_and_plans_the_carry_over_as_a_whole_one(admin: str) -> None:
    def graded(checkins_of: str) -> pl.DataFrame:
        with pg_working_copy(admin, "close", checkins_of=checkins_of) as path:
            _close_period(path, objective_period(PERIOD), PERIOD, unit=None)
        with psycopg.connect(admin) as con:
            rows = con.execute(
                "SELECT kind, goal_id, score FROM grades ORDER BY kind, goal_id"
            ).fetchall()
            con.execute("DELETE FROM grades")
            con.execute("DELETE FROM closed_periods")
        return pl.DataFrame(rows, schema=["kind", "goal_id", "score"], orient="row")

    def planned(checkins_of: str) -> list[pl.DataFrame]:
        with (
            pg_working_copy(admin, "plan", checkins_of=checkins_of) as path,
            read_session(path) as con,
        ):
            plan = plan_carry_over(read_dataset(con), PERIOD, "2026-Q4")
        return [plan.objectives.sort("id"), plan.key_results.sort("id")]

    narrow, whole = graded(PERIOD), graded(EVERY_CHECKIN)
    assert narrow.height > 0 and narrow["score"].drop_nulls().len() > 0
    assert narrow.equals(whole)
    narrow_plan, whole_plan = planned(PERIOD), planned(EVERY_CHECKIN)
    assert narrow_plan[0].height > 0
    assert all(a.equals(b) for a, b in zip(narrow_plan, whole_plan, strict=True))
