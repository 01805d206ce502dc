"""Every row of /work/shared/golden-cases.md (published scoring examples) as a test."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from goaltui.metrics import band_expr, evaluate_goals, evaluate_objectives
from tests.builders import checkin, dataset, goal_row, key_result, kpi, objective

# Mid-quarter, mid-month: objectives of 2026-Q4 are current.
AS_OF = date(2026, 11, 16)
DAY = date(2026, 11, 2)


def kr_score(actual: float | None, **kr: Any) -> float | None:
    """Score of one KR measured by `last` (so the value is the actual, no projection rule)."""
    ds = dataset(
        objectives=[objective("o1")],
        key_results=[key_result("kr", **{"aggregation": "last", **kr})],
        checkins=[] if actual is None else [checkin("kr", DAY, actual)],
    )
    score: float | None = goal_row(ds, "kr")["score"]
    return score


@pytest.mark.parametrize(("actual", "expected"), [(80, 0.5), (70, 0.75), (50, 1.0)])
def test_1_quantive_should_decrease(actual: float, expected: float) -> None:
    assert kr_score(actual, direction="at_most", baseline=100, target=60) == pytest.approx(expected)


def test_1_over_delivery_shows_in_achievement_not_score() -> None:
    ds = dataset(
        objectives=[objective("o1")],
        key_results=[
            key_result("kr", direction="at_most", aggregation="last", baseline=100, target=60)
        ],
        checkins=[checkin("kr", DAY, 50)],
    )
    row = goal_row(ds, "kr")
    assert row["score"] == pytest.approx(1.0)
    assert row["achievement"] == pytest.approx(2 - 50 / 60)
    assert row["achievement"] == pytest.approx(1.1667, abs=1e-4)


def test_2_google_launch_six_features() -> None:
    ds = dataset(
        objectives=[objective("o1")],
        key_results=[key_result("kr", aggregation="sum", target=6, baseline=0)],
        checkins=[checkin("kr", date(2026, 10, d), 1) for d in (5, 19, 30)],
    )
    assert goal_row(ds, "kr")["score"] == pytest.approx(0.5)


def test_3_binary_kr_without_checkin_is_empty_and_counts_zero() -> None:
    ds = dataset(
        objectives=[objective("o1")],
        key_results=[
            key_result("binary", aggregation="sum", target=1, baseline=0),
            key_result("done", aggregation="sum", target=1, baseline=0),
        ],
        checkins=[checkin("done", DAY, 1)],
    )
    goals = evaluate_goals(ds, AS_OF)
    scores = dict(zip(goals["goal_id"], goals["score"], strict=True))
    assert scores == {"binary": None, "done": pytest.approx(1.0)}
    objectives = evaluate_objectives(ds, goals, AS_OF)
    assert objectives["score"].to_list() == [pytest.approx(0.5)]


def test_3_binary_kr_with_one_checkin_scores_one() -> None:
    assert kr_score(1, aggregation="sum", target=1, baseline=0) == pytest.approx(1.0)


def test_4_leantime_target_zero_scores_from_baseline() -> None:
    ds = dataset(
        objectives=[objective("o1")],
        key_results=[
            key_result("kr", direction="at_most", aggregation="last", baseline=200, target=0)
        ],
        checkins=[checkin("kr", DAY, 100)],
    )
    row = goal_row(ds, "kr")
    assert row["score"] == pytest.approx(0.5)
    assert row["achievement"] is None
    assert row["status"] == "no_target"


def test_5_prosjektportalen() -> None:
    score = kr_score(59000, direction="at_most", baseline=60000, target=50000)
    assert score == pytest.approx(0.1)


def test_6_prosjektportalen_target_zero_no_division_by_zero() -> None:
    assert kr_score(10, direction="at_most", baseline=100, target=0) == pytest.approx(0.9)


def test_7_operately_actual_at_baseline_scores_zero() -> None:
    assert kr_score(8, direction="at_least", baseline=8, target=20) == 0.0


def objective_score(scores: list[float], weights: list[float]) -> float | None:
    # KRs scored by `last` with baseline 0 and target 1: the value is the score.
    ds = dataset(
        objectives=[objective("o1")],
        key_results=[
            key_result(f"kr{i}", aggregation="last", target=1, baseline=0, weight=w)
            for i, w in enumerate(weights)
        ],
        checkins=[checkin(f"kr{i}", DAY, s) for i, s in enumerate(scores)],
    )
    goals = evaluate_goals(ds, AS_OF)
    assert sorted(goals["score"].to_list()) == sorted(scores)
    score: float | None = evaluate_objectives(ds, goals, AS_OF)["score"].item()
    return score


def test_8_perdoo_equal_weights() -> None:
    assert objective_score([1.0, 0.0, 0.0], [1, 1, 1]) == pytest.approx(0.3333, abs=1e-4)


def test_9_perdoo_moved_away_never_negative() -> None:
    assert kr_score(5, direction="at_least", baseline=10, target=20) == 0.0


def test_10_lattice_zero_weight() -> None:
    assert objective_score([1.0, 0.0, 0.0], [0, 1, 1]) == 0.0


PROFIT_CO = [
    (0.8, 1.20),
    (1, 1.00),
    (0.5, 1.50),
    (0.75, 1.25),
    (0.25, 1.75),
    (1, 1.00),
    (1.5, 0.50),
    (1.2, 0.80),
    (1.35, 0.65),
    (1.5, 0.50),
    (1.75, 0.25),
    (1, 1.00),
]


def test_11_profit_co_at_most_distance_from_target() -> None:
    # One value per month, Dec 2025 .. Nov 2026, each alone as its month's actual.
    months = [date(2025, 12, 10)] + [date(2026, m, 10) for m in range(1, 12)]
    ds = dataset(
        kpis=[kpi("cpc", direction="at_most", aggregation="last", target=1, unit="KRW")],
        checkins=[checkin("cpc", d, v) for d, (v, _) in zip(months, PROFIT_CO, strict=True)],
    )
    goals = evaluate_goals(ds, date(2026, 12, 5), history=True).filter(
        pl.col("period") != "2026-12"
    )
    assert goals["period"].to_list() == [d.strftime("%Y-%m") for d in months]
    assert goals["actual"].to_list() == [v for v, _ in PROFIT_CO]
    assert goals["achievement"].to_list() == pytest.approx([a for _, a in PROFIT_CO])


@pytest.mark.parametrize(
    ("actual", "pace", "status"),
    [(50, 1.0, "on_track"), (45, 0.9, "at_risk"), (35, 0.7, "off_track")],
)
def test_12_linear_pace_half_of_april(actual: float, pace: float, status: str) -> None:
    ds = dataset(kpis=[kpi("k", target=100)], checkins=[checkin("k", date(2026, 4, 3), actual)])
    row = goal_row(ds, "k", as_of=date(2026, 4, 15))
    assert row["elapsed"] == 0.5
    assert row["pace"] == pytest.approx(pace)
    assert row["status"] == status


def test_13_colour_bands_gap_free() -> None:
    scores = pl.DataFrame({"score": [0.0, 0.39, 0.4, 0.69, 0.7, 1.0]})
    bands = scores.select(band_expr(pl.col("score")).alias("band"))["band"].to_list()
    assert bands == ["red", "red", "yellow", "yellow", "green", "green"]


def test_14_seed_repeat_inquiries_down_20_pct_against_previous_quarter() -> None:
    ds = dataset(
        kpis=[
            kpi(
                "repeat",
                direction="at_most",
                aggregation="sum",
                period="quarter",
                target_mode="change_pct",
                target=-20,
            )
        ],
        checkins=[checkin("repeat", date(2026, 5, 1), 50), checkin("repeat", date(2026, 8, 1), 38)],
    )
    row = goal_row(ds, "repeat", as_of=AS_OF, period="2026-Q3")
    assert row["target"] == pytest.approx(40)
    assert row["achievement"] == pytest.approx(1.05)
    assert row["status"] == "met"


def test_15_seed_visitors_up_20_pct_against_previous_month() -> None:
    ds = dataset(
        kpis=[kpi("visitors", period="month", target_mode="change_pct", target=20)],
        checkins=[
            checkin("visitors", date(2026, 9, 30), 10_000),
            checkin("visitors", date(2026, 10, 31), 11_400),
        ],
    )
    row = goal_row(ds, "visitors", as_of=AS_OF, period="2026-10")
    assert row["target"] == pytest.approx(12_000)
    assert row["achievement"] == pytest.approx(0.95)
    assert row["status"] == "missed"


def test_16_seed_renewal_rate_ratio_percent() -> None:
    ds = dataset(
        kpis=[kpi("renewal", aggregation="ratio", unit="%", period="quarter", target=80)],
        checkins=[
            checkin("renewal", date(2026, 10, 15), 30, denominator=40),
            checkin("renewal", date(2026, 11, 10), 25, denominator=28),
        ],
    )
    row = goal_row(ds, "renewal")
    assert row["actual"] == pytest.approx(100 * 55 / 68)
    assert row["actual"] == pytest.approx(80.88, abs=0.005)
    assert row["achievement"] == pytest.approx(1.011, abs=0.0005)


def test_17_seed_time_to_hire_mean_days_closed_quarter() -> None:
    ds = dataset(
        kpis=[
            kpi(
                "hire",
                direction="at_most",
                aggregation="mean",
                unit="days",
                period="quarter",
                target=45,
            )
        ],
        checkins=[checkin("hire", date(2026, 7, d), v) for d, v in ((3, 40), (15, 52), (28, 47))],
    )
    row = goal_row(ds, "hire", as_of=AS_OF, period="2026-Q3")
    assert row["actual"] == pytest.approx(46.33, abs=0.005)
    assert row["achievement"] == pytest.approx(0.9704, abs=0.00005)
    assert row["status"] == "missed"


Q1_AS_OF = date(2026, 2, 14)
"""45 of the 90 days of 2026-Q1: elapsed 0.5."""


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "actual", "pace", "status"),
    [
        ("at_least", 40, 60, 50, 1.0, "on_track"),
        ("at_least", 40, 60, 49, 0.9, "at_risk"),
        ("at_least", 40, 60, 45, 0.5, "off_track"),
        ("at_most", 100, 60, 80, 1.0, "on_track"),
        ("at_most", 100, 60, 83, 0.85, "at_risk"),
        ("at_most", 100, 60, 95, 0.25, "off_track"),
    ],
)
def test_18_linear_expected_progress_from_a_baseline(
    direction: str, baseline: float, target: float, actual: float, pace: float, status: str
) -> None:
    ds = dataset(
        objectives=[objective("o1", period="2026-Q1")],
        key_results=[
            key_result(
                "kr", direction=direction, aggregation="last", baseline=baseline, target=target
            )
        ],
        checkins=[checkin("kr", date(2026, 2, 1), actual)],
    )
    row = goal_row(ds, "kr", as_of=Q1_AS_OF)
    assert row["elapsed"] == 0.5
    assert row["pace_kind"] == "baseline"
    assert row["expected_progress"] == 0.5
    assert row["progress"] == pytest.approx((actual - baseline) / (target - baseline))
    assert row["pace"] == pytest.approx(pace)
    assert row["status"] == status


def test_19_change_pct_kr_takes_the_previous_quarter_as_its_baseline() -> None:
    ds = dataset(
        objectives=[objective("o1", period="2026-Q1")],
        key_results=[
            key_result("kr", aggregation="mean", target_mode="change_pct", target=20, baseline=None)
        ],
        checkins=[
            checkin("kr", date(2025, 11, 3), 40),
            checkin("kr", date(2025, 12, 8), 60),
            checkin("kr", date(2026, 1, 20), 55),
        ],
    )
    row = goal_row(ds, "kr", as_of=Q1_AS_OF)
    assert row["previous_actual"] == pytest.approx(50)
    assert row["target"] == pytest.approx(60)
    assert row["baseline"] == pytest.approx(50)
    assert row["progress"] == pytest.approx(0.5)
    assert row["pace"] == pytest.approx(1.0)
    assert row["status"] == "on_track"
