"""The due rule of `goaltui due` (DESIGN.md, command line), worked by hand from its words."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from goaltui.metrics.due import DUE_COLUMNS, DUE_SCHEMA, due_all, due_counts, due_goals, escalations
from goaltui.store.dataset import Dataset
from tests.builders import Row, checkin, dataset, key_result, kpi, objective, unit

AS_OF = date(2026, 11, 16)


def with_cadence(row: Row, cadence: str | None) -> Row:
    return {**row, "cadence": cadence}


def due_row(ds: Dataset, goal_id: str, as_of: date = AS_OF) -> dict[str, Any]:
    rows = due_all(ds, as_of).filter(pl.col("goal_id") == goal_id)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def due_of(ds: Dataset, goal_id: str, as_of: date = AS_OF) -> tuple[date | None, date, int]:
    row = due_row(ds, goal_id, as_of)
    return row["last_checkin"], row["due"], row["days_overdue"]


def test_weekly_key_result_due_a_week_after_its_last_checkin() -> None:
    ds = dataset(
        objectives=[objective("o1", period="2026-Q4")],
        key_results=[key_result("kr1")],
        checkins=[checkin("kr1", date(2026, 11, 2), 1), checkin("kr1", date(2026, 11, 10), 2)],
    )
    assert due_row(ds, "kr1")["cadence"] == "weekly"  # the KR default
    assert due_of(ds, "kr1") == (date(2026, 11, 10), date(2026, 11, 17), -1)
    assert due_goals(ds, AS_OF).height == 0
    assert due_goals(ds, AS_OF, within=1)["goal_id"].to_list() == ["kr1"]


def test_biweekly_kpi() -> None:
    ds = dataset(
        kpis=[with_cadence(kpi("k"), "biweekly")],
        checkins=[checkin("k", date(2026, 11, 1), 5)],
    )
    assert due_of(ds, "k") == (date(2026, 11, 1), date(2026, 11, 15), 1)
    assert due_goals(ds, AS_OF)["goal_id"].to_list() == ["k"]


def test_monthly_is_a_calendar_month_and_the_31st_becomes_the_last_day() -> None:
    ds = dataset(
        kpis=[kpi("k", period="quarter"), kpi("q1", period="quarter")],
        checkins=[checkin("k", date(2026, 10, 31), 5), checkin("q1", date(2026, 1, 31), 5)],
    )
    assert due_row(ds, "k")["cadence"] == "monthly"  # the KPI default
    assert due_of(ds, "k") == (date(2026, 10, 31), date(2026, 11, 30), -14)
    assert due_of(ds, "k", date(2026, 11, 30)) == (date(2026, 10, 31), date(2026, 11, 30), 0)
    assert due_of(ds, "q1", date(2026, 2, 28)) == (date(2026, 1, 31), date(2026, 2, 28), 0)
    assert due_of(ds, "q1", date(2026, 3, 5)) == (date(2026, 1, 31), date(2026, 2, 28), 5)


def test_quarterly_is_three_months() -> None:
    ds = dataset(
        kpis=[with_cadence(kpi("k", period="year"), "quarterly")],
        checkins=[checkin("k", date(2026, 8, 31), 5)],
    )
    assert due_of(ds, "k") == (date(2026, 8, 31), date(2026, 11, 30), -14)
    assert due_goals(ds, AS_OF, within=14)["goal_id"].to_list() == ["k"]
    assert due_goals(ds, AS_OF, within=13).height == 0


def test_no_checkin_yet_this_period_counts_from_the_period_start() -> None:
    ds = dataset(
        kpis=[kpi("k")],
        objectives=[objective("o1")],
        key_results=[key_result("kr1")],
    )
    assert due_of(ds, "k") == (None, date(2026, 12, 1), -15)
    assert due_of(ds, "kr1") == (None, date(2026, 10, 8), 39)
    assert due_goals(ds, AS_OF)["goal_id"].to_list() == ["kr1"]


def test_a_checkin_of_the_previous_period_does_not_anchor() -> None:
    ds = dataset(
        kpis=[with_cadence(kpi("k"), "weekly")],
        checkins=[checkin("k", date(2026, 10, 30), 5)],
    )
    assert due_of(ds, "k") == (date(2026, 10, 30), date(2026, 11, 8), 8)


def test_checkins_after_as_of_never_count() -> None:
    ds = dataset(
        kpis=[with_cadence(kpi("k"), "weekly")],
        checkins=[checkin("k", date(2026, 11, 3), 5), checkin("k", date(2026, 11, 17), 6)],
    )
    assert due_of(ds, "k") == (date(2026, 11, 3), date(2026, 11, 10), 6)


def test_a_retraction_and_a_correction() -> None:
    ds = dataset(
        objectives=[objective("o1")],
        key_results=[key_result("retracted"), key_result("corrected")],
        checkins=[
            checkin("retracted", date(2026, 11, 2), 1, id="r1"),
            checkin("retracted", date(2026, 11, 14), 2, id="r2"),
            checkin("retracted", date(2026, 11, 14), None, id="r3", supersedes="r2"),
            checkin("corrected", date(2026, 11, 14), 1, id="c1"),
            checkin("corrected", date(2026, 11, 3), 2, id="c2", supersedes="c1"),
        ],
    )
    # The retracted check-in of the 14th never counts: the 2nd is the latest.
    assert due_of(ds, "retracted") == (date(2026, 11, 2), date(2026, 11, 9), 7)
    # The correction moved the measurement to the 3rd: the superseded 14th never counts.
    assert due_of(ds, "corrected") == (date(2026, 11, 3), date(2026, 11, 10), 6)
    assert due_row(ds, "corrected")["last_value"] == 2


def test_a_key_result_measured_by_a_kpi_is_due_through_its_kpi() -> None:
    ds = dataset(
        kpis=[with_cadence(kpi("k"), "weekly")],
        objectives=[objective("o1")],
        key_results=[key_result("kr1", kpi_id="k", direction=None, aggregation=None)],
        checkins=[checkin("k", date(2026, 11, 2), 5)],
    )
    assert due_goals(ds, AS_OF)["goal_id"].to_list() == ["k"]
    assert due_all(ds, AS_OF)["goal_id"].to_list() == ["k"]


def test_objectives_not_yet_started_or_already_over_take_no_checkins() -> None:
    ds = dataset(
        objectives=[
            objective("past", period="2026-Q3"),
            objective("now", period="2026-Q4"),
            objective("next", period="2027-Q1"),
            objective("year", period="2026"),
        ],
        key_results=[
            key_result("kr-past", "past"),
            key_result("kr-now", "now"),
            key_result("kr-next", "next"),
            with_cadence(key_result("kr-year", "year"), "quarterly"),
        ],
    )
    assert due_all(ds, AS_OF)["goal_id"].to_list() == ["kr-year", "kr-now"]
    assert due_of(ds, "kr-year") == (None, date(2026, 4, 1), 229)
    assert due_all(ds, date(2026, 12, 31))["goal_id"].to_list() == ["kr-year", "kr-now"]
    assert due_all(ds, date(2027, 1, 1))["goal_id"].to_list() == ["kr-next"]


def test_sorted_by_due_then_goal_id_with_exact_columns() -> None:
    ds = dataset(
        kpis=[with_cadence(kpi(i), "weekly") for i in ("b", "a", "c")],
        checkins=[checkin("c", date(2026, 11, 1), 1)],
    )
    due = due_goals(ds, AS_OF)
    assert due.schema == pl.Schema(DUE_SCHEMA)
    assert list(DUE_SCHEMA)[: len(DUE_COLUMNS)] == [
        "goal_id",
        "kind",
        "unit_id",
        "name",
        "cadence",
        "last_checkin",
        "due",
        "days_overdue",
    ]
    assert due.select("goal_id", "due").rows() == [
        ("a", date(2026, 11, 8)),
        ("b", date(2026, 11, 8)),
        ("c", date(2026, 11, 8)),
    ]
    ds = dataset(
        kpis=[with_cadence(kpi(i), "weekly") for i in ("b", "a", "c")],
        checkins=[checkin("a", date(2026, 11, 3), 1)],
    )
    assert due_goals(ds, AS_OF)["goal_id"].to_list() == ["b", "c", "a"]


def test_escalation_past_twice_the_cadence_to_the_parent_unit() -> None:
    ds = dataset(
        units=[unit("org", kind="org"), unit("team", "org"), unit("kim", "team", "person")],
        kpis=[
            with_cadence(kpi("late", unit_id="kim"), "weekly"),
            with_cadence(kpi("edge", unit_id="kim"), "weekly"),
            with_cadence(kpi("top", unit_id="org"), "weekly"),
        ],
        checkins=[checkin("edge", date(2026, 11, 2), 1)],
    )
    # late: due 2026-11-08, 8 days overdue: within twice its cadence (14 days).
    assert due_row(ds, "late")["escalated"] is False
    # At as-of 2026-11-23 it is 15 days overdue: more than twice, so the team sees it.
    late = due_goals(ds, date(2026, 11, 23))
    assert late.filter(pl.col("escalated"))["goal_id"].to_list() == ["late", "top"]
    # edge: due 2026-11-09; 14 days overdue on the 23rd is not more than twice.
    assert late.filter(pl.col("goal_id") == "edge")["escalated"].item() is False
    up = escalations(late)
    assert up.select("goal_id", "unit_id", "parent_unit_id").rows() == [("late", "team", "kim")]


def test_due_counts_per_unit_and_subtree() -> None:
    ds = dataset(
        units=[unit("org", kind="org"), unit("team", "org"), unit("kim", "team", "person")],
        kpis=[
            with_cadence(kpi("a", unit_id="kim"), "weekly"),
            with_cadence(kpi("b", unit_id="team"), "weekly"),
            kpi("c", unit_id="team"),
        ],
    )
    counts = due_counts(ds.units, due_goals(ds, AS_OF))
    assert counts.rows() == [("kim", 1, 1), ("org", 0, 2), ("team", 1, 2)]


# ---------------------------------------------------------------------------------------------
# Properties

CADENCES = ["weekly", "biweekly", "monthly", "quarterly"]
PERIODS = ["month", "quarter", "year"]
days = st.integers(min_value=0, max_value=364).map(lambda n: date(2026, 1, 1) + timedelta(n))


@st.composite
def organisations(draw: st.DrawFn) -> tuple[Dataset, date]:
    as_of = draw(days)
    goals = draw(
        st.lists(
            st.tuples(st.sampled_from(CADENCES), st.sampled_from(PERIODS)), min_size=1, max_size=4
        )
    )
    kpis = [with_cadence(kpi(f"k{i}", period=p), c) for i, (c, p) in enumerate(goals)]
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(goals) - 1), st.integers(0, 400), st.booleans(), st.booleans()
            ),
            max_size=12,
        )
    )
    checkins: list[Row] = []
    for n, (goal, back, retract, correct) in enumerate(rows):
        day = as_of - timedelta(back)
        checkins.append(checkin(f"k{goal}", day, 1.0, id=f"c{n}"))
        if retract:
            checkins.append(checkin(f"k{goal}", day, None, id=f"r{n}", supersedes=f"c{n}"))
        elif correct:
            checkins.append(checkin(f"k{goal}", day, 2.0, id=f"x{n}", supersedes=f"c{n}"))
    return dataset(kpis=kpis, checkins=checkins), as_of


@settings(max_examples=60, deadline=None)
@given(organisations(), st.data())
def test_a_checkin_dated_as_of_is_never_due(org: tuple[Dataset, date], data: st.DataObject) -> None:
    ds, as_of = org
    goal = data.draw(st.sampled_from(ds.kpis["id"].to_list()))
    added = pl.concat(
        [
            ds.checkins,
            Dataset.from_frames(
                checkins=pl.DataFrame([checkin(goal, as_of, 3.0, id="new")])
            ).checkins.with_columns(seq=pl.lit(ds.checkins.height, pl.Int64)),
        ]
    )
    after = Dataset.from_frames(**{**ds.tables(), "checkins": added})
    assert goal not in due_goals(after, as_of)["goal_id"].to_list()
    assert due_row(after, goal, as_of)["last_checkin"] == as_of


@settings(max_examples=60, deadline=None)
@given(organisations(), st.integers(min_value=1, max_value=120))
def test_moving_as_of_forward_keeps_a_due_goal_due(org: tuple[Dataset, date], step: int) -> None:
    ds, as_of = org
    later = as_of + timedelta(step)
    # No check-in after the first as-of, and the goal's period the same: a new period starts
    # over from its first day (DESIGN.md's anchor).
    ds = Dataset.from_frames(
        **{**ds.tables(), "checkins": ds.checkins.filter(pl.col("date") <= as_of)}
    )
    before = due_goals(ds, as_of).select("goal_id", "period_start")
    after = due_goals(ds, later).select("goal_id", "period_start")
    assert (
        before.join(after, on=["goal_id", "period_start"], how="anti")
        .join(
            due_all(ds, later).select("goal_id", "period_start"),
            on=["goal_id", "period_start"],
            how="semi",
        )
        .is_empty()
    )
