"""Every rule of DESIGN.md's "The arithmetic" and "Edge rules", one test (or a few) each."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from goaltui.metrics import (
    GOALS_SCHEMA,
    OBJECTIVES_SCHEMA,
    STATUSES,
    TRENDS_SCHEMA,
    evaluate_goals,
    evaluate_objectives,
    goal_trends,
    rollup,
)
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.engine import checkin_rows, checkin_windows, goal_actuals, period_actuals
from goaltui.store.dataset import Dataset
from tests.builders import (
    Row,
    checkin,
    dataset,
    goal_row,
    key_result,
    kpi,
    objective,
    target,
    unit,
)

AS_OF = date(2026, 11, 16)
NOV = date(2026, 11, 2)
OCT = date(2026, 10, 5)


def actual_of(aggregation: str, checkins: list[Row], **goal: Any) -> float | None:
    ds = dataset(kpis=[kpi("k", aggregation=aggregation, **goal)], checkins=checkins)
    value: float | None = goal_row(ds, "k")["actual"]
    return value


# --- columns and shape ----------------------------------------------------------------------


def test_goal_columns_are_exactly_the_contract() -> None:
    ds = dataset(kpis=[kpi("k")], objectives=[objective("o1")], key_results=[key_result("r")])
    goals = evaluate_goals(ds, AS_OF)
    assert goals.schema == pl.Schema(GOALS_SCHEMA)
    assert goals.columns[:3] == ["kind", "goal_id", "unit_id"]
    assert goals.select("kind", "goal_id").rows() == [("kpi", "k"), ("kr", "r")]


def test_empty_dataset_gives_empty_frames_with_columns() -> None:
    ds = Dataset.empty()
    goals = evaluate_goals(ds, AS_OF)
    assert goals.is_empty()
    assert goals.schema == pl.Schema(GOALS_SCHEMA)
    objectives = evaluate_objectives(ds, goals, AS_OF)
    assert objectives.schema == pl.Schema(OBJECTIVES_SCHEMA)
    assert rollup(ds, goals, objectives).is_empty()
    assert goal_trends(ds, AS_OF).schema == pl.Schema(TRENDS_SCHEMA)


# --- the six aggregations -------------------------------------------------------------------

VALUES = [
    checkin("k", date(2026, 11, 1), 4),
    checkin("k", date(2026, 11, 9), 1),
    checkin("k", date(2026, 11, 5), 7),
]


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("sum", 12.0), ("mean", 4.0), ("last", 1.0), ("min", 1.0), ("max", 7.0)],
)
def test_aggregations(aggregation: str, expected: float) -> None:
    assert actual_of(aggregation, VALUES) == expected


def test_last_takes_latest_date_not_latest_entry() -> None:
    rows = [checkin("k", date(2026, 11, 9), 1), checkin("k", date(2026, 11, 5), 7)]
    assert actual_of("last", rows) == 1.0


def test_last_tie_won_by_later_entry() -> None:
    same_day = date(2026, 11, 5)
    assert actual_of("last", [checkin("k", same_day, 3), checkin("k", same_day, 8)]) == 8.0
    assert actual_of("last", [checkin("k", same_day, 8), checkin("k", same_day, 3)]) == 3.0


def test_ratio_percent_is_100_times_pooled_ratio() -> None:
    rows = [
        checkin("k", NOV, 30, denominator=40),
        checkin("k", date(2026, 11, 3), 25, denominator=28),
    ]
    assert actual_of("ratio", rows, unit="%") == pytest.approx(100 * 55 / 68)


def test_ratio_other_unit_is_plain_pooled_ratio() -> None:
    rows = [checkin("k", NOV, 300, denominator=4), checkin("k", NOV, 100, denominator=1)]
    assert actual_of("ratio", rows, unit="KRW") == pytest.approx(80.0)


def test_ratio_with_denominators_summing_to_zero_has_no_actual() -> None:
    ds = dataset(
        kpis=[kpi("k", aggregation="ratio", unit="%")],
        checkins=[checkin("k", NOV, 0, denominator=0)],
    )
    row = goal_row(ds, "k")
    assert row["actual"] is None
    assert row["status"] == "no_data"


def test_checkins_belong_to_the_period_containing_their_date() -> None:
    rows = [checkin("k", date(2026, 10, 31), 5), checkin("k", date(2026, 11, 1), 2)]
    assert actual_of("sum", rows) == 2.0
    assert actual_of("sum", rows, period="quarter") == 7.0
    assert actual_of("sum", [*rows, checkin("k", date(2025, 12, 31), 9)], period="year") == 7.0


# --- corrections, retractions, as-of ----------------------------------------------------------


def test_superseded_checkin_is_replaced_by_its_correction() -> None:
    rows = [checkin("k", NOV, 10, id="a"), checkin("k", NOV, 12, id="b", supersedes="a")]
    assert actual_of("sum", rows) == 12.0


def test_correction_of_a_correction_chains() -> None:
    rows = [
        checkin("k", NOV, 10, id="a"),
        checkin("k", NOV, 12, id="b", supersedes="a"),
        checkin("k", NOV, 13, id="c", supersedes="b"),
        checkin("k", NOV, 1, id="d"),
    ]
    assert actual_of("sum", rows) == 14.0


def test_retracted_checkin_never_counts() -> None:
    rows = [
        checkin("k", NOV, 10, id="a"),
        checkin("k", NOV, None, id="b", supersedes="a"),
        checkin("k", NOV, 5, id="c"),
    ]
    assert actual_of("sum", rows) == 5.0
    assert actual_of("sum", rows[:2]) is None


def test_correction_wins_for_last_even_when_dated_earlier_than_another() -> None:
    rows = [
        checkin("k", date(2026, 11, 9), 50, id="a"),
        checkin("k", date(2026, 11, 3), 20, id="b"),
        checkin("k", date(2026, 11, 9), 40, id="c", supersedes="a"),
    ]
    assert actual_of("last", rows) == 40.0


def test_checkins_after_as_of_are_ignored() -> None:
    rows = [checkin("k", AS_OF, 3), checkin("k", date(2026, 11, 17), 100)]
    assert actual_of("sum", rows) == 3.0


def test_checkin_count_last_date_and_confidence() -> None:
    ds = dataset(
        kpis=[kpi("k")],
        checkins=[
            checkin("k", date(2026, 11, 3), 1, confidence=7),
            checkin("k", date(2026, 11, 9), 1, confidence=4),
            checkin("k", date(2026, 11, 12), 1),
            checkin("k", date(2026, 10, 30), 1, confidence=9),
        ],
    )
    row = goal_row(ds, "k")
    assert row["checkin_count"] == 3
    assert row["last_checkin_date"] == date(2026, 11, 12)
    assert row["last_confidence"] == 4.0


# --- targets -----------------------------------------------------------------------------------


def test_targets_csv_overrides_the_goal_target() -> None:
    ds = dataset(
        kpis=[kpi("k", target=100)],
        checkins=[checkin("k", OCT, 90), checkin("k", NOV, 10)],
        targets=[target("k", "2026-10", 80)],
    )
    goals = evaluate_goals(ds, AS_OF, history=True)
    assert goals.select("period", "target", "status").rows() == [
        ("2026-10", 80.0, "met"),
        ("2026-11", 100.0, "off_track"),
    ]


def test_targets_csv_overrides_a_change_pct_target() -> None:
    ds = dataset(
        kpis=[kpi("k", target_mode="change_pct", target=10)],
        checkins=[checkin("k", OCT, 100), checkin("k", NOV, 60)],
        targets=[target("k", "2026-11", 120)],
    )
    assert goal_row(ds, "k")["target"] == 120.0


def test_change_pct_target_from_previous_actual() -> None:
    ds = dataset(
        kpis=[kpi("k", target_mode="change_pct", target=10)],
        checkins=[checkin("k", OCT, 200), checkin("k", NOV, 110)],
    )
    row = goal_row(ds, "k")
    assert row["previous_actual"] == 200.0
    assert row["target"] == pytest.approx(220.0)
    assert row["change"] == -90.0


def test_change_pct_without_previous_actual_has_no_target() -> None:
    ds = dataset(
        kpis=[kpi("k", target_mode="change_pct", target=10)],
        checkins=[checkin("k", date(2026, 9, 5), 100), checkin("k", NOV, 110)],
    )
    row = goal_row(ds, "k")
    assert row["previous_actual"] is None
    assert row["target"] is None
    assert row["achievement"] is None
    assert row["status"] == "no_target"


def test_goal_without_target_has_status_no_target() -> None:
    ds = dataset(kpis=[kpi("k", target=None)], checkins=[checkin("k", NOV, 5)])
    assert goal_row(ds, "k")["status"] == "no_target"


# --- achievement -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "actual", "target", "expected"),
    [
        ("at_least", 50, 100, 0.5),
        ("at_least", 150, 100, 1.5),
        ("at_most", 45, 45, 1.0),
        ("at_most", 0, 45, 2.0),
        ("at_most", 90, 45, 0.0),
        ("at_most", 200, 45, 0.0),
        ("at_most", 50, 40, 0.75),
        ("at_least", 5, 0, None),
        ("at_most", 5, 0, None),
        ("at_least", 5, -3, None),
    ],
)
def test_achievement(direction: str, actual: float, target: float, expected: float | None) -> None:
    ds = dataset(
        kpis=[kpi("k", direction=direction, aggregation="last", target=target)],
        checkins=[checkin("k", NOV, actual)],
    )
    row = goal_row(ds, "k")
    assert row["achievement"] == (None if expected is None else pytest.approx(expected))
    if expected is None:
        assert row["status"] == "no_target"


# --- status ------------------------------------------------------------------------------------


def test_closed_period_met_or_missed() -> None:
    ds = dataset(
        kpis=[kpi("met", target=100), kpi("missed", target=100)],
        checkins=[checkin("met", OCT, 100), checkin("missed", OCT, 99.9)],
    )
    assert goal_row(ds, "met", period="2026-10")["status"] == "met"
    assert goal_row(ds, "missed", period="2026-10")["status"] == "missed"
    closed = goal_row(ds, "met", period="2026-10")
    assert closed["is_current"] is False
    assert closed["elapsed"] == 1.0
    assert closed["pace"] is None
    assert closed["projection"] == 100.0


def test_as_of_on_the_last_day_is_still_the_current_period() -> None:
    ds = dataset(kpis=[kpi("k", target=100)], checkins=[checkin("k", NOV, 100)])
    row = goal_row(ds, "k", date(2026, 11, 30))
    assert (row["is_current"], row["elapsed"], row["status"]) == (True, 1.0, "on_track")


@pytest.mark.parametrize(
    ("actual", "status"),
    [(53.3, "at_risk"), (53.4, "on_track"), (42.7, "at_risk"), (42.6, "off_track")],
)
def test_current_period_pace_thresholds(actual: float, status: str) -> None:
    # 16 of 30 November days elapsed: pace = actual / (16/30) / 100.
    ds = dataset(kpis=[kpi("k", target=100)], checkins=[checkin("k", NOV, actual)])
    row = goal_row(ds, "k")
    assert row["elapsed"] == pytest.approx(16 / 30)
    assert row["pace"] == pytest.approx(actual / (16 / 30) / 100)
    assert row["status"] == status


def test_pace_of_a_level_goal_is_its_achievement() -> None:
    ds = dataset(
        kpis=[kpi("k", aggregation="mean", target=50)],
        checkins=[checkin("k", NOV, 42)],
    )
    row = goal_row(ds, "k")
    assert row["projection"] == 42.0
    assert row["pace"] == pytest.approx(0.84)
    assert row["status"] == "at_risk"


def test_at_most_sum_pace_uses_the_projection() -> None:
    ds = dataset(
        kpis=[kpi("k", direction="at_most", target=30)],
        checkins=[checkin("k", date(2026, 4, 2), 20)],
    )
    row = goal_row(ds, "k", date(2026, 4, 15))
    assert row["projection"] == 40.0
    assert row["achievement"] == pytest.approx(2 - 20 / 30)
    assert row["pace"] == pytest.approx(2 - 40 / 30)
    assert row["status"] == "off_track"


def test_pace_kinds_sum_baseline_and_level() -> None:
    # Q4 as of Nov 16: 47 of 92 days elapsed.
    elapsed = 47 / 92
    ds = dataset(
        kpis=[kpi("level", aggregation="last", period="quarter", target=100)],
        objectives=[objective("o1")],
        key_results=[
            key_result("running", aggregation="sum", baseline=10, target=110),
            key_result("moving", aggregation="max", baseline=10, target=110),
            key_result("flat", aggregation="last", baseline=110, target=110),
        ],
        checkins=[checkin(g, NOV, 40) for g in ("level", "running", "moving", "flat")],
    )
    goals = {r["goal_id"]: r for r in evaluate_goals(ds, AS_OF).iter_rows(named=True)}
    # A sum keeps the running-total rule even with a baseline.
    assert goals["running"]["pace_kind"] == "sum"
    assert goals["running"]["pace"] == pytest.approx(40 / elapsed / 110)
    assert goals["running"]["expected_progress"] is None
    assert goals["running"]["progress"] == pytest.approx(0.3)
    # Any other aggregation moves linearly from the baseline to the target.
    moving = goals["moving"]
    assert (moving["pace_kind"], moving["baseline"]) == ("baseline", 10.0)
    assert moving["expected_progress"] == pytest.approx(elapsed)
    assert moving["pace"] == pytest.approx(0.3 / elapsed)
    assert moving["projection"] == pytest.approx(10 + 30 / elapsed)
    assert moving["status"] == "off_track"
    # A baseline equal to the target is none: a level to hold, like a KPI's.
    assert (goals["flat"]["pace_kind"], goals["flat"]["baseline"]) == ("level", None)
    assert goals["flat"]["pace"] == pytest.approx(40 / 110)
    assert (goals["level"]["pace_kind"], goals["level"]["pace"]) == ("level", 0.4)
    assert goals["level"]["progress"] is None


def test_closed_and_empty_rows_have_no_pace_kind() -> None:
    ds = dataset(
        objectives=[objective("o1", period="2026-Q3"), objective("o2")],
        key_results=[
            key_result("closed", "o1", aggregation="last", baseline=0, target=10),
            key_result("empty", "o2", aggregation="last", baseline=0, target=10),
        ],
        checkins=[checkin("closed", date(2026, 8, 1), 5)],
    )
    closed = goal_row(ds, "closed", period="2026-Q3")
    assert (closed["pace_kind"], closed["pace"], closed["expected_progress"]) == (None, None, None)
    assert (closed["progress"], closed["status"]) == (0.5, "missed")
    empty = goal_row(ds, "empty")
    assert (empty["pace_kind"], empty["status"]) == (None, "no_data")


def test_no_checkin_in_the_period_is_no_data() -> None:
    ds = dataset(kpis=[kpi("k")], checkins=[checkin("k", OCT, 5)])
    row = goal_row(ds, "k")
    assert (row["actual"], row["status"], row["checkin_count"]) == (None, "no_data", 0)
    assert row["previous_actual"] == 5.0


def test_threshold_comparisons_forgive_binary_rounding() -> None:
    # 10000 x 1.2 is 12000.000000000002 in binary floating point; hitting 12000 is met.
    ds = dataset(
        kpis=[kpi("k", target_mode="change_pct", target=20)],
        checkins=[checkin("k", date(2026, 9, 5), 10_000), checkin("k", OCT, 12_000)],
    )
    assert goal_row(ds, "k", period="2026-10")["status"] == "met"


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "as_of", "label", "start", "end", "elapsed"),
    [
        ("month", date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29), 1.0),
        ("month", date(2027, 2, 14), "2027-02", date(2027, 2, 1), date(2027, 2, 28), 0.5),
        ("quarter", date(2026, 1, 1), "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 1 / 90),
        ("quarter", date(2026, 9, 30), "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 1.0),
        ("year", date(2026, 7, 2), "2026", date(2026, 1, 1), date(2026, 12, 31), 183 / 365),
    ],
)
def test_calendar_periods(
    period: str, as_of: date, label: str, start: date, end: date, elapsed: float
) -> None:
    ds = dataset(kpis=[kpi("k", period=period)])
    row = goal_row(ds, "k", as_of)
    assert (row["period"], row["period_start"], row["period_end"]) == (label, start, end)
    assert row["elapsed"] == pytest.approx(elapsed)
    assert row["period_unit"] == period


def test_history_runs_from_first_checkin_to_current_period() -> None:
    ds = dataset(
        kpis=[kpi("k", period="quarter"), kpi("quiet")],
        checkins=[checkin("k", date(2025, 11, 20), 1), checkin("k", date(2026, 5, 1), 2)],
    )
    goals = evaluate_goals(ds, AS_OF, history=True)
    k = goals.filter(pl.col("goal_id") == "k")
    assert k["period"].to_list() == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert k["status"].to_list() == ["missed", "no_data", "missed", "no_data", "no_data"]
    assert k["is_current"].to_list() == [False, False, False, False, True]
    assert goals.filter(pl.col("goal_id") == "quiet")["period"].to_list() == ["2026-11"]


def test_history_ignores_checkins_after_as_of() -> None:
    ds = dataset(kpis=[kpi("k")], checkins=[checkin("k", date(2027, 1, 1), 1)])
    assert evaluate_goals(ds, AS_OF, history=True)["period"].to_list() == ["2026-11"]


def test_which_krs_are_evaluated() -> None:
    ds = dataset(
        objectives=[
            objective("past", period="2026-Q3"),
            objective("now", period="2026-Q4"),
            objective("year", period="2026"),
            objective("future", period="2027-Q1"),
        ],
        key_results=[
            key_result("r_past", "past"),
            key_result("r_now", "now"),
            key_result("r_year", "year"),
            key_result("r_future", "future"),
        ],
    )
    current = evaluate_goals(ds, AS_OF)
    assert current["goal_id"].to_list() == ["r_now", "r_year"]
    history = evaluate_goals(ds, AS_OF, history=True)
    assert history["goal_id"].to_list() == ["r_now", "r_past", "r_year"]
    assert history.filter(pl.col("goal_id") == "r_past")["is_current"].to_list() == [False]
    assert current.filter(pl.col("goal_id") == "r_year")["period"].to_list() == ["2026"]


# --- key results -------------------------------------------------------------------------------


def kr_row(kr: Row, checkins: list[Row], as_of: date = AS_OF, **extra: Any) -> dict[str, Any]:
    ds = dataset(objectives=[objective("o1")], key_results=[kr], checkins=checkins, **extra)
    return goal_row(ds, kr["id"], as_of)


def test_kr_score_with_baseline() -> None:
    row = kr_row(
        key_result("r", aggregation="last", baseline=20, target=60), [checkin("r", NOV, 50)]
    )
    assert row["score"] == pytest.approx(0.75)
    assert row["baseline"] == 20.0
    assert row["band"] == "green"


def test_kr_score_without_baseline_is_clamped_achievement() -> None:
    low = kr_row(key_result("r", aggregation="last", target=80), [checkin("r", NOV, 30)])
    assert low["score"] == pytest.approx(0.375)
    assert low["band"] == "red"
    high = kr_row(key_result("r", aggregation="last", target=80), [checkin("r", NOV, 100)])
    assert high["achievement"] == pytest.approx(1.25)
    assert high["score"] == 1.0


def test_kr_baseline_equal_to_target_counts_as_no_baseline() -> None:
    row = kr_row(
        key_result("r", aggregation="last", baseline=50, target=50), [checkin("r", NOV, 40)]
    )
    assert row["baseline"] is None
    assert row["score"] == pytest.approx(0.8)


def test_change_pct_kr_uses_previous_actual_as_baseline() -> None:
    row = kr_row(
        key_result("r", target_mode="change_pct", target=50, aggregation="last"),
        [checkin("r", date(2026, 8, 1), 100), checkin("r", NOV, 120)],
    )
    assert row["previous_actual"] == 100.0
    assert row["target"] == pytest.approx(150.0)
    assert row["baseline"] == 100.0
    assert row["score"] == pytest.approx(0.4)
    assert row["band"] == "yellow"


def test_change_pct_kr_with_explicit_baseline_keeps_it() -> None:
    row = kr_row(
        key_result("r", target_mode="change_pct", target=50, aggregation="last", baseline=0),
        [checkin("r", date(2026, 8, 1), 100), checkin("r", NOV, 120)],
    )
    assert row["baseline"] == 0.0
    assert row["score"] == pytest.approx(0.8)


def test_kr_without_actual_has_no_score() -> None:
    row = kr_row(key_result("r", baseline=0, target=10), [])
    assert (row["score"], row["band"], row["status"]) == (None, None, "no_data")


def test_at_most_sum_kr_in_current_period_scored_on_projection() -> None:
    # Half of 2026-Q2 elapsed on 2026-05-16 (46 of 91 days ~ 0.505): 30 so far projects to ~59.
    kr = key_result("r", direction="at_most", aggregation="sum", target=50)
    ds = dataset(
        objectives=[objective("o1", period="2026-Q2")],
        key_results=[kr],
        checkins=[checkin("r", date(2026, 4, 10), 30)],
    )
    as_of = date(2026, 5, 16)
    row = goal_row(ds, "r", as_of)
    elapsed = 46 / 91
    assert row["projection"] == pytest.approx(30 / elapsed)
    assert row["achievement"] == pytest.approx(2 - 30 / 50)
    assert row["score"] == pytest.approx(max(0.0, 2 - 30 / elapsed / 50))
    # Once the quarter has closed, the actual itself is scored.
    closed = goal_row(ds, "r", date(2026, 7, 1), period="2026-Q2")
    assert closed["score"] == 1.0


def test_at_most_sum_kr_projection_with_baseline() -> None:
    kr = key_result("r", direction="at_most", aggregation="sum", target=50, baseline=100)
    ds = dataset(
        objectives=[objective("o1", period="2026-Q4")],
        key_results=[kr],
        checkins=[checkin("r", OCT, 35)],
    )
    row = goal_row(ds, "r")
    elapsed = 47 / 92
    assert row["score"] == pytest.approx((35 / elapsed - 100) / (50 - 100))


def test_at_least_sum_kr_scored_on_actual_not_projection() -> None:
    row = kr_row(key_result("r", aggregation="sum", target=10, baseline=0), [checkin("r", OCT, 4)])
    assert row["score"] == pytest.approx(0.4)


def test_kr_with_kpi_id_takes_the_kpi_checkins_and_fields() -> None:
    ds = dataset(
        kpis=[kpi("k", direction="at_most", aggregation="mean", unit="days", target=45)],
        objectives=[objective("o1")],
        key_results=[
            key_result("r", kpi_id="k", direction=None, aggregation=None, target=40),
            key_result(
                "own", kpi_id="k", direction="at_least", aggregation="max", unit="h", target=40
            ),
        ],
        checkins=[
            checkin("k", OCT, 44),
            checkin("k", NOV, 40),
            checkin("r", NOV, 1000),  # a KR measured by a KPI takes no check-ins of its own
        ],
    )
    r = goal_row(ds, "r")
    assert (r["direction"], r["aggregation"], r["measure_unit"]) == ("at_most", "mean", "days")
    assert r["actual"] == 42.0
    assert r["period"] == "2026-Q4"
    assert r["achievement"] == pytest.approx(2 - 42 / 40)
    own = goal_row(ds, "own")
    assert (own["direction"], own["aggregation"], own["measure_unit"]) == ("at_least", "max", "h")
    assert own["actual"] == 44.0
    k = goal_row(ds, "k")
    assert (k["period"], k["actual"]) == ("2026-11", 40.0)


def test_kr_unit_is_its_objectives_and_weight_defaults_to_one() -> None:
    ds = dataset(
        units=[unit("org", kind="org"), unit("t", "org")],
        objectives=[objective("o1", unit_id="t", parent_id=None)],
        key_results=[key_result("r", weight=1.0)],
    )
    row = goal_row(ds, "r")
    assert (row["unit_id"], row["objective_id"], row["weight"]) == ("t", "o1", 1.0)


# --- objectives --------------------------------------------------------------------------------


def test_objective_score_is_weighted() -> None:
    ds = dataset(
        objectives=[objective("o1"), objective("empty"), objective("zero")],
        key_results=[
            key_result("a", aggregation="last", target=1, baseline=0, weight=3),
            key_result("b", aggregation="last", target=1, baseline=0, weight=1),
            key_result("z", "zero", aggregation="last", target=1, baseline=0, weight=0),
        ],
        checkins=[checkin("a", NOV, 0.5), checkin("b", NOV, 1), checkin("z", NOV, 1)],
    )
    goals = evaluate_goals(ds, AS_OF)
    objectives = evaluate_objectives(ds, goals, AS_OF)
    assert objectives.select("objective_id", "score", "kr_count", "band").rows() == [
        ("empty", None, 0, None),
        ("o1", pytest.approx(0.625), 2, "yellow"),
        ("zero", None, 1, None),
    ]


def test_objectives_chosen_like_their_krs() -> None:
    ds = dataset(
        objectives=[
            objective("past", period="2026-Q3"),
            objective("now"),
            objective("future", period="2027-Q1"),
        ]
    )
    goals = evaluate_goals(ds, AS_OF)
    assert evaluate_objectives(ds, goals, AS_OF)["objective_id"].to_list() == ["now"]
    history = evaluate_objectives(ds, goals, AS_OF, history=True)
    assert history.select("objective_id", "is_current").rows() == [
        ("now", True),
        ("past", False),
    ]


# --- roll-up -----------------------------------------------------------------------------------


def test_rollup_counts_own_and_subtree() -> None:
    ds = dataset(
        units=[
            unit("org", kind="org"),
            unit("sales", "org"),
            unit("kim", "sales", kind="person"),
            unit("hr", "org"),
        ],
        kpis=[
            kpi("org1", unit_id="org"),
            kpi("s1", unit_id="sales"),
            kpi("s2", unit_id="sales", target=None),
            kpi("k1", unit_id="kim"),
        ],
        objectives=[objective("o_org", unit_id="org"), objective("o_kim", unit_id="kim")],
        key_results=[
            key_result("ro", "o_org", aggregation="last", target=1, baseline=0),
            key_result("rk", "o_kim", aggregation="last", target=1, baseline=0),
        ],
        checkins=[
            checkin("s1", NOV, 100),
            checkin("s2", NOV, 5),
            checkin("k1", NOV, 1),
            checkin("ro", NOV, 0.2),
            checkin("rk", NOV, 0.6),
        ],
    )
    goals = evaluate_goals(ds, AS_OF)
    objectives = evaluate_objectives(ds, goals, AS_OF)
    table = rollup(ds, goals, objectives)
    assert table.columns == [
        "unit_id",
        *[f"own_{s}" for s in STATUSES],
        *[f"subtree_{s}" for s in STATUSES],
        "own_total",
        "subtree_total",
        "own_objective_score",
        "subtree_objective_score",
    ]
    rows = {r["unit_id"]: r for r in table.iter_rows(named=True)}
    assert list(rows) == ["hr", "kim", "org", "sales"]
    assert (rows["sales"]["own_on_track"], rows["sales"]["own_no_target"]) == (1, 1)
    assert rows["sales"]["own_total"] == 2
    assert rows["sales"]["subtree_total"] == 4
    # k1 (1 of 100 by mid-month) is off track; rk (0.6 of the way from 0 to 1 at 51% of the
    # quarter) is on track by the baseline pace.
    assert (rows["sales"]["subtree_off_track"], rows["sales"]["subtree_on_track"]) == (1, 2)
    assert rows["org"]["own_no_data"] == 1
    assert rows["org"]["subtree_total"] == 6
    assert rows["hr"]["subtree_total"] == 0
    assert rows["org"]["own_objective_score"] == pytest.approx(0.2)
    assert rows["org"]["subtree_objective_score"] == pytest.approx(0.4)
    assert rows["sales"]["own_objective_score"] is None
    assert rows["sales"]["subtree_objective_score"] == pytest.approx(0.6)
    assert rows["hr"]["subtree_objective_score"] is None


# --- trends ------------------------------------------------------------------------------------


def trend(ds: Dataset, goal_id: str, as_of: date = AS_OF, periods: int = 8) -> dict[str, Any]:
    rows = goal_trends(ds, as_of, periods=periods).filter(pl.col("goal_id") == goal_id)
    assert rows.height == 1
    return rows.row(0, named=True)


def test_trend_series_change_and_sum_forecast() -> None:
    ds = dataset(
        kpis=[kpi("k", target=100)],
        checkins=[
            checkin("k", date(2026, 9, 3), 80),
            checkin("k", OCT, 50),
            checkin("k", date(2026, 11, 1), 43),
        ],
        targets=[target("k", "2026-09", 70)],
    )
    row = trend(ds, "k", date(2026, 11, 15), periods=4)
    assert row["period_labels"] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert row["actuals"] == [None, 80.0, 50.0, 43.0]
    assert row["targets"] == [100.0, 70.0, 100.0, 100.0]
    assert (row["previous_actual"], row["change"]) == (50.0, -7.0)
    assert row["change_pct"] == pytest.approx(-14.0)
    assert row["forecast"] == pytest.approx(86.0)
    assert row["forecast_achievement"] == pytest.approx(0.86)
    assert row["forecast_status"] == "at_risk"
    assert row["explanation"] == "pace 0.86: 43 of 100 done at 50% of the month"


def test_level_forecast_is_a_least_squares_line_at_period_end() -> None:
    # Days 0, 10, 20 of November with values 40, 42, 47: slope 0.35/day, mean x 10, mean y 43;
    # at day 29 (Nov 30) the line gives 43 + 0.35 * 19 = 49.65.
    ds = dataset(
        kpis=[kpi("hire", direction="at_most", aggregation="mean", unit="days", target=45)],
        checkins=[
            checkin("hire", date(2026, 11, 1), 40),
            checkin("hire", date(2026, 11, 11), 42),
            checkin("hire", date(2026, 11, 21), 47),
        ],
    )
    row = trend(ds, "hire", date(2026, 11, 25))
    assert row["forecast"] == pytest.approx(49.65)
    assert row["forecast_achievement"] == pytest.approx(2 - 49.65 / 45)
    assert row["forecast_status"] == "at_risk"
    assert row["explanation"] == "forecast 49.6 days against at most 45 days: 0.9 of target"


def test_baseline_forecast_carries_the_progress_to_the_period_end() -> None:
    # 2026-Q1 as of Feb 14: half the quarter; 25% of the way from 40 to 60.
    ds = dataset(
        objectives=[objective("o1", period="2026-Q1")],
        key_results=[key_result("kr", aggregation="last", baseline=40, target=60)],
        checkins=[checkin("kr", date(2026, 2, 1), 45)],
    )
    row = trend(ds, "kr", date(2026, 2, 14))
    assert row["forecast"] == pytest.approx(50.0)
    assert row["forecast_status"] == "off_track"
    assert row["explanation"] == (
        "pace 0.5: 25% of the way from 40 to 60 at 50% of the quarter; at this pace 50 at its end"
    )


def test_baseline_forecast_status_is_the_forecast_progress() -> None:
    # Check-ins 42 on Jan 10 and 48 on Feb 10: the line reaches 57.5 on Mar 31, 87% of the way.
    ds = dataset(
        objectives=[objective("o1", period="2026-Q1")],
        key_results=[key_result("kr", aggregation="last", baseline=40, target=60)],
        checkins=[checkin("kr", date(2026, 1, 10), 42), checkin("kr", date(2026, 2, 10), 48)],
    )
    row = trend(ds, "kr", date(2026, 2, 14))
    assert row["forecast"] == pytest.approx(42 + 6 / 31 * 80)
    assert row["forecast_status"] == "at_risk"
    assert row["explanation"].startswith("pace 0.8: 40% of the way from 40 to 60")
    assert row["explanation"].endswith("; forecast 57.5 at its end")


def test_level_forecast_falls_back_to_the_actual() -> None:
    ds = dataset(
        kpis=[kpi("k", aggregation="last", direction="at_most", target=1, unit="KRW")],
        checkins=[checkin("k", NOV, 1.2), checkin("k", NOV, 0.9)],
    )
    row = trend(ds, "k")
    assert row["forecast"] == 0.9
    assert row["forecast_status"] == "on_track"
    assert row["explanation"].startswith("latest 0.9 KRW against at most 1 KRW: 1.1 of target")


def test_trend_without_checkins_and_without_target() -> None:
    ds = dataset(
        kpis=[
            kpi("quiet"),
            kpi("free", aggregation="last", target=None),
            kpi("pct", target_mode="change_pct"),
        ],
        checkins=[checkin("free", NOV, 3), checkin("pct", NOV, 3)],
    )
    quiet = trend(ds, "quiet")
    assert (quiet["forecast"], quiet["forecast_status"]) == (None, "no_data")
    assert quiet["explanation"] == "no check-in yet this month"
    free = trend(ds, "free")
    assert (free["forecast"], free["forecast_status"]) == (3.0, "no_target")
    assert free["explanation"] == "3 so far; no target set"
    assert "no actual to change from" in trend(ds, "pct")["explanation"]


def test_trend_of_kr_ends_at_its_objective_period() -> None:
    ds = dataset(
        objectives=[objective("o1", period="2026-Q3"), objective("later", period="2027-Q1")],
        key_results=[
            key_result("r", aggregation="last", target=10),
            key_result("r_later", "later"),
        ],
        checkins=[checkin("r", date(2026, 8, 1), 12), checkin("r", date(2026, 5, 1), 3)],
    )
    trends = goal_trends(ds, AS_OF, periods=3)
    assert trends["goal_id"].to_list() == ["r"]
    row = trends.row(0, named=True)
    assert row["period_labels"] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert row["actuals"] == [None, 3.0, 12.0]
    assert row["targets"] == [None, None, 10.0]
    assert (row["forecast"], row["forecast_status"]) == (12.0, "met")
    assert row["explanation"] == "2026-Q3 closed at 12 against at least 10: 1.2 of target"


def test_trends_need_at_least_one_period() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        goal_trends(Dataset.empty(), AS_OF, periods=0)


def test_checkins_without_ids_count_beside_corrections() -> None:
    rows = [
        checkin("k", NOV, 10),
        checkin("k", NOV, 7, id="a"),
        checkin("k", NOV, 8, id="b", supersedes="a"),
    ]
    assert actual_of("sum", rows) == 18.0


def test_fast_actuals_match_the_building_blocks() -> None:
    ds = dataset(
        kpis=[
            kpi("s", aggregation="sum"),
            kpi("m", aggregation="min", period="quarter"),
            kpi("x", aggregation="max", period="year"),
            kpi("l", aggregation="last"),
            kpi("r", aggregation="ratio", unit="%"),
            kpi("a", aggregation="mean"),
        ],
        objectives=[objective("o1")],
        key_results=[key_result("kr", kpi_id="l", aggregation="min", direction=None)],
        checkins=[
            checkin(
                goal,
                date(2026, month, day),
                float(month * day % 17),
                denominator=20.0,
                confidence=float(day % 11) if day % 3 else None,
            )
            for goal in ("s", "m", "x", "l", "r", "a")
            for month in (8, 9, 10, 11)
            for day in (1, 9, 9, 20)
        ],
    )
    catalog = goal_catalog(ds)
    slow = period_actuals(checkin_rows(ds, catalog, AS_OF)).sort("goal_id", "period_start")
    fast = goal_actuals(ds, catalog, AS_OF).sort("goal_id", "period_start")
    assert fast.equals(slow)
    recent = goal_actuals(ds, catalog, AS_OF, recent=True).sort("goal_id", "period_start")
    assert recent.join(fast, on=list(recent.columns), how="anti").is_empty()
    # Months: October and November; quarters: Q3 and Q4; the year 2026 (2025 has no data).
    assert set(recent["period_start"].to_list()) == {
        date(2026, 1, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    }


def test_checkin_windows_cover_the_current_and_previous_periods_of_shown_goals() -> None:
    ds = dataset(
        kpis=[
            kpi("monthly", period="month"),
            kpi("quarterly", period="quarter"),
            kpi("yearly", period="year"),
        ],
        objectives=[objective("now", period="2026-Q4"), objective("past", period="2026-Q2")],
        key_results=[
            # Measured by a monthly KPI over a quarter: the KPI's window widens to the quarter's.
            key_result("by-kpi", "now", kpi_id="monthly"),
            key_result("own", "now"),
            key_result("old", "past"),
        ],
    )
    windows = checkin_windows(ds, AS_OF)
    assert dict(windows.iter_rows()) == {
        "monthly": date(2026, 7, 1),
        "quarterly": date(2026, 7, 1),
        "yearly": date(2025, 1, 1),
        "own": date(2026, 7, 1),
    }
