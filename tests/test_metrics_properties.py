"""Hypothesis properties of the arithmetic: symmetry, clamping, monotonicity, order independence."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from goaltui.metrics import evaluate_goals, evaluate_objectives
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.engine import checkin_rows, checkin_windows, goal_actuals, period_actuals
from goaltui.report import render_report
from goaltui.store.dataset import Dataset
from tests.builders import Row, checkin, dataset, key_result, kpi, objective

AS_OF = date(2026, 11, 16)
FIRST_DAY = date(2026, 1, 1)
DAYS = (AS_OF - FIRST_DAY).days
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None)

AGGREGATIONS = ("sum", "mean", "last", "min", "max", "ratio")
DIRECTIONS = ("at_least", "at_most")

days = st.integers(0, DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))
values = st.integers(0, 1000).map(float)
targets = st.one_of(st.none(), st.integers(-10, 1000).map(float))


@st.composite
def organisations(draw: st.DrawFn) -> tuple[Dataset, list[Row]]:
    """A small organisation of KPIs and KRs with check-ins; no two check-ins of one goal share a
    day, so that import order cannot matter (ties of `last` are won by the later entry)."""
    kpis = [
        kpi(
            f"k{i}",
            direction=draw(st.sampled_from(DIRECTIONS)),
            aggregation=draw(st.sampled_from(AGGREGATIONS)),
            period=draw(st.sampled_from(("month", "quarter", "year"))),
            target_mode=draw(st.sampled_from(("absolute", "change_pct"))),
            target=draw(targets),
            unit=draw(st.sampled_from(("%", "count"))),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    objectives = [objective("o1", period=draw(st.sampled_from(("2026-Q3", "2026-Q4", "2026"))))]
    key_results = [
        key_result(
            f"r{i}",
            direction=draw(st.sampled_from(DIRECTIONS)),
            aggregation=draw(st.sampled_from(AGGREGATIONS)),
            target_mode=draw(st.sampled_from(("absolute", "change_pct"))),
            target=draw(targets),
            baseline=draw(st.one_of(st.none(), values)),
            weight=draw(st.sampled_from((0.0, 1.0, 2.0))),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    goal_ids = [g["id"] for g in kpis + key_results]
    checkins: list[Row] = []
    for goal_id in goal_ids:
        for day in draw(st.lists(days, max_size=6, unique=True)):
            checkins.append(
                checkin(
                    goal_id,
                    day,
                    draw(values),
                    denominator=draw(st.integers(0, 50).map(float)),
                    confidence=draw(st.one_of(st.none(), st.integers(0, 10).map(float))),
                )
            )
    ds = dataset(kpis=kpis, objectives=objectives, key_results=key_results, checkins=checkins)
    return ds, checkins


@PROPERTY_SETTINGS
@given(
    actual=values, target=st.integers(1, 1000).map(float), aggregation=st.sampled_from(AGGREGATIONS)
)
def test_swapping_direction_mirrors_achievement_around_one(
    actual: float, target: float, aggregation: str
) -> None:
    ds = dataset(
        kpis=[
            kpi("up", direction="at_least", aggregation=aggregation, target=target),
            kpi("down", direction="at_most", aggregation=aggregation, target=target),
        ],
        checkins=[
            checkin(goal, date(2026, 11, 3), actual, denominator=1.0) for goal in ("up", "down")
        ],
    )
    goals = evaluate_goals(ds, AS_OF)
    up, down = (
        goals.filter(pl.col("goal_id") == goal)["achievement"].item() for goal in ("up", "down")
    )
    assert down == max(0.0, 2.0 - up)
    if up <= 2.0:
        assert abs((up - 1.0) + (down - 1.0)) < 1e-12


@PROPERTY_SETTINGS
@given(organisations())
def test_scores_stay_between_zero_and_one(organisation: tuple[Dataset, list[Row]]) -> None:
    ds, _ = organisation
    for history in (False, True):
        goals = evaluate_goals(ds, AS_OF, history=history)
        scores = goals["score"].drop_nulls()
        assert scores.is_between(0.0, 1.0).all()
        assert (
            goals.filter(pl.col("kind") == "kpi")["score"].null_count()
            == goals.filter(pl.col("kind") == "kpi").height
        )
        objectives = evaluate_objectives(ds, goals, AS_OF, history=history)
        assert objectives["score"].drop_nulls().is_between(0.0, 1.0).all()


@PROPERTY_SETTINGS
@given(
    existing=st.lists(st.tuples(days, values), max_size=8),
    added_day=days,
    added_value=st.integers(1, 1000).map(float),
    period=st.sampled_from(("month", "quarter", "year")),
)
def test_adding_a_positive_checkin_never_lowers_a_sum_goal(
    existing: list[tuple[date, float]], added_day: date, added_value: float, period: str
) -> None:
    goal = [kpi("k", aggregation="sum", period=period)]
    before_rows = [checkin("k", day, value) for day, value in existing]
    before = evaluate_goals(dataset(kpis=goal, checkins=before_rows), AS_OF, history=True)
    after = evaluate_goals(
        dataset(kpis=goal, checkins=[*before_rows, checkin("k", added_day, added_value)]),
        AS_OF,
        history=True,
    )
    compared = before.select("period", "actual").join(
        after.select("period", after=pl.col("actual")), on="period", how="left"
    )
    assert (compared["after"].fill_null(0.0) >= compared["actual"].fill_null(0.0)).all()
    added = after.filter(pl.col("period_start") <= added_day, pl.col("period_end") >= added_day)
    assert added["actual"].item() >= added_value


@PROPERTY_SETTINGS
@given(organisations())
def test_as_of_before_all_data_gives_no_data_everywhere(
    organisation: tuple[Dataset, list[Row]],
) -> None:
    ds, _ = organisation
    as_of = FIRST_DAY - timedelta(days=1)
    for history in (False, True):
        goals = evaluate_goals(ds, as_of, history=history)
        assert set(goals["status"].to_list()) <= {"no_data"}
        assert goals["score"].null_count() == goals.height


@PROPERTY_SETTINGS
@given(organisations(), st.randoms(use_true_random=False))
def test_report_rows_do_not_depend_on_import_order(
    organisation: tuple[Dataset, list[Row]], rng: Random
) -> None:
    ds, checkins = organisation
    shuffled = list(checkins)
    rng.shuffle(shuffled)
    reordered = Dataset(
        units=ds.units,
        kpis=ds.kpis.reverse(),
        objectives=ds.objectives,
        key_results=ds.key_results.reverse(),
        checkins=dataset(checkins=shuffled).checkins,
        targets=ds.targets,
    )
    for history, fmt in ((False, "json"), (True, "csv")):
        assert render_report(ds, AS_OF, unit=None, history=history, fmt=fmt) == render_report(
            reordered, AS_OF, unit=None, history=history, fmt=fmt
        )


@PROPERTY_SETTINGS
@given(organisations())
def test_fast_actuals_equal_the_building_blocks(organisation: tuple[Dataset, list[Row]]) -> None:
    ds, _ = organisation
    catalog = goal_catalog(ds)
    order = ["goal_id", "period_start"]
    slow = period_actuals(checkin_rows(ds, catalog, AS_OF)).sort(order)
    assert goal_actuals(ds, catalog, AS_OF).sort(order).equals(slow)
    recent = goal_actuals(ds, catalog, AS_OF, recent=True)
    assert recent.join(slow, on=list(recent.columns), how="anti", nulls_equal=True).is_empty()


@PROPERTY_SETTINGS
@given(
    organisations(),
    st.sampled_from([AS_OF, date(2026, 3, 31), date(2026, 7, 1), date(2027, 2, 15)]),
)
def test_checkins_outside_the_windows_change_no_report(
    organisation: tuple[Dataset, list[Row]], as_of: date
) -> None:
    ds, _ = organisation
    # What the store reads for checkin_windows (tests/test_report_window.py checks the SQL).
    windows = checkin_windows(ds, as_of)
    read = (
        ds.checkins.join(windows, on="goal_id", how="left")
        .filter(
            (pl.col("date").is_between(pl.col("since"), as_of)) | pl.col("supersedes").is_not_null()
        )
        .drop("since")
    )
    windowed = Dataset.from_frames(**{**ds.tables(), "checkins": read})
    # Against the history's current rows, which read every check-in by another path.
    history = evaluate_goals(ds, as_of, history=True).filter(pl.col("is_current"))
    assert evaluate_goals(windowed, as_of).equals(history)
    for fmt in ("csv", "md"):
        assert render_report(windowed, as_of, unit=None, history=False, fmt=fmt) == render_report(
            ds, as_of, unit=None, history=False, fmt=fmt
        )


STATUS_RANK = {"off_track": 0, "at_risk": 1, "on_track": 2}


@PROPERTY_SETTINGS
@given(
    direction=st.sampled_from(DIRECTIONS),
    aggregation=st.sampled_from(("mean", "last", "min", "max")),
    baseline=st.integers(0, 1000).map(float),
    target=st.integers(1, 1000).map(float),
    actual=values,
    checkin_day=st.integers(0, 89),
    earlier=st.integers(0, 89),
    later=st.integers(0, 89),
)
def test_a_later_as_of_never_raises_a_baseline_pace(
    direction: str,
    aggregation: str,
    baseline: float,
    target: float,
    actual: float,
    checkin_day: int,
    earlier: int,
    later: int,
) -> None:
    # One check-in in 2026-Q1 (90 days) and two as-of dates on or after it in the same quarter.
    first, last = sorted((earlier, later))
    first, last = max(first, checkin_day), max(last, checkin_day)
    start = date(2026, 1, 1)
    ds = dataset(
        objectives=[objective("o1", period="2026-Q1")],
        key_results=[
            key_result(
                "kr",
                direction=direction,
                aggregation=aggregation,
                baseline=baseline,
                target=target,
            )
        ],
        checkins=[checkin("kr", start + timedelta(days=checkin_day), actual)],
    )
    rows = [
        evaluate_goals(ds, start + timedelta(days=day)).row(0, named=True) for day in (first, last)
    ]
    before, after = rows
    assert before["actual"] == after["actual"] == actual
    if baseline == target:
        # No baseline: the level rule, which does not depend on the date.
        assert before["pace_kind"] == after["pace_kind"] == "level"
        assert before["pace"] == after["pace"]
        return
    assert before["pace_kind"] == after["pace_kind"] == "baseline"
    assert after["expected_progress"] >= before["expected_progress"]
    assert before["progress"] == after["progress"]
    # Away from the target the progress is negative and stays off track at any date, however
    # the unclamped pace moves towards 0.
    if before["progress"] >= 0:
        assert after["pace"] <= before["pace"] + 1e-12
    assert STATUS_RANK[after["status"]] <= STATUS_RANK[before["status"]]
