"""Goal-quality rules: each fires on a small organisation built to break it and stays quiet on
one that keeps it. The clean organisation below follows the guide, so it has no finding at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import polars as pl
import pytest

from goaltui.metrics.quality import FINDINGS_SCHEMA, RULES, Severity, find_issues
from goaltui.model.errors import GoaltuiError
from goaltui.model.quality import QualityThresholds
from goaltui.store.dataset import Dataset
from tests.builders import quarterly_organisation

AS_OF = date(2026, 11, 16)
DEFAULTS = QualityThresholds()

Row = dict[str, Any]

UNITS: list[Row] = [
    {"id": "org", "name": "Hummingbirds", "parent_id": None, "kind": "org"},
    {"id": "sales", "name": "Sales team", "parent_id": "org", "kind": "team"},
    {"id": "mkt", "name": "Marketing team", "parent_id": "org", "kind": "team"},
    {"id": "kim", "name": "Kim", "parent_id": "sales", "kind": "person"},
]


def kpi(id: str, unit_id: str, name: str, **fields: Any) -> Row:
    row: Row = {
        "id": id,
        "unit_id": unit_id,
        "name": name,
        "unit": "count",
        "direction": "at_least",
        "aggregation": "sum",
        "period": "month",
        "target_mode": "absolute",
        "target": 30.0,
        "parent_id": None,
    }
    return row | fields


def objective(id: str, unit_id: str, title: str, **fields: Any) -> Row:
    row: Row = {
        "id": id,
        "unit_id": unit_id,
        "title": title,
        "period": "2026-Q4",
        "parent_id": None,
    }
    return row | fields


def key_result(id: str, objective_id: str, title: str, **fields: Any) -> Row:
    row: Row = {
        "id": id,
        "objective_id": objective_id,
        "title": title,
        "unit": "%",
        "direction": "at_least",
        "aggregation": "last",
        "target_mode": "absolute",
        "target": 60.0,
        "baseline": 40.0,
        "weight": None,
        "kpi_id": None,
    }
    return row | fields


def checkin(goal_id: str, day: date, value: float) -> Row:
    return {"goal_id": goal_id, "date": day, "value": value}


def clean() -> dict[str, list[Row]]:
    """An organisation that keeps every rule, as rows per table (tests edit them)."""
    return {
        "units": list(UNITS),
        "kpis": [
            kpi(
                "k-revenue",
                "org",
                "분기 매출 10억 원 이상 달성",
                unit="KRW",
                period="quarter",
                target=1e9,
            ),
            kpi("k-contracts", "sales", "월 신규 계약 30건 이상 확보", parent_id="k-revenue"),
            kpi(
                "k-leads",
                "mkt",
                "월 신규 리드 500건 이상 확보",
                target=500.0,
                parent_id="k-revenue",
            ),
            kpi("k-kim", "kim", "Kim's new contracts", target=10.0, parent_id="k-contracts"),
        ],
        "objectives": [
            objective("o-org", "org", "신규 사용자가 실제 사용자로 빠르게 전환되는 구조를 만든다"),
            objective(
                "o-sales",
                "sales",
                "Customers renew because we help them succeed",
                parent_id="o-org",
            ),
        ],
        "key_results": [
            key_result("r-reach", "o-org", "신규 가입 후 핵심 기능 도달률 60% 이상 달성"),
            key_result(
                "r-rating",
                "o-org",
                "앱스토어 리뷰 평균 평점 4.5점 이상 유지",
                unit="score",
                target=4.5,
                baseline=4.2,
            ),
            key_result(
                "r-contracts",
                "o-sales",
                "New contracts this quarter",
                kpi_id="k-contracts",
                unit=None,
                direction=None,
                aggregation=None,
                target=100.0,
                baseline=80.0,
            ),
            key_result("r-renewal", "o-sales", "Renewal rate", target=85.0, baseline=80.0),
        ],
        "checkins": [
            checkin("k-revenue", date(2026, 10, 15), 3e8),
            *[checkin("k-contracts", date(2026, m, 5), 25.0) for m in range(7, 12)],
            *[checkin("k-leads", date(2026, m, 5), 400.0) for m in range(7, 12)],
            checkin("k-kim", date(2026, 11, 3), 6.0),
            checkin("r-reach", date(2026, 11, 1), 45.0),
            checkin("r-rating", date(2026, 11, 1), 4.3),
            checkin("r-renewal", date(2026, 11, 2), 81.0),
        ],
    }


def dataset(tables: dict[str, list[Row]]) -> Dataset:
    frames = {
        name: pl.DataFrame(rows, infer_schema_length=None) for name, rows in tables.items() if rows
    }
    return Dataset.from_frames(**frames)


def edit(rows: list[Row], id: str, **fields: Any) -> None:
    """Change the fields of the row with this id in place."""
    for row in rows:
        if row["id"] == id:
            row.update(fields)
            return
    raise KeyError(id)


def findings(
    tables: dict[str, list[Row]], thresholds: QualityThresholds = DEFAULTS, **kwargs: Any
) -> pl.DataFrame:
    return find_issues(dataset(tables), AS_OF, thresholds, **kwargs)


def of_rule(
    tables: dict[str, list[Row]], rule: str, thresholds: QualityThresholds = DEFAULTS
) -> pl.DataFrame:
    return findings(tables, thresholds).filter(pl.col("rule") == rule)


def subjects(frame: pl.DataFrame) -> list[str]:
    return frame.get_column("subject_id").to_list()


# --- the whole frame ----------------------------------------------------------------------------


def test_clean_organisation_has_no_finding() -> None:
    result = findings(clean())
    assert result.is_empty(), result.to_dicts()
    assert result.schema == pl.Schema(FINDINGS_SCHEMA)


def test_empty_dataset_has_no_finding() -> None:
    result = find_issues(Dataset.empty(), AS_OF, DEFAULTS)
    assert result.is_empty()
    assert list(result.columns) == [
        "severity",
        "rule",
        "subject_id",
        "subject_kind",
        "unit_id",
        "message",
        "suggestion",
        "explanation",
    ]


def test_rules_have_ids_severities_and_explanations() -> None:
    assert set(RULES) == {
        "okr-kr-count",
        "okr-too-many-objectives",
        "kpi-too-many",
        "unlinked",
        "link-not-ancestor",
        "kr-direction-conflict",
        "zero-weights",
        "duplicate-name",
        "no-baseline",
        "objective-has-number",
        "stale",
        "not-achievable",
        "no-stretch",
        "no-target",
        "checkin-outside-period",
    }
    errors = {rule.id for rule in RULES.values() if rule.severity is Severity.ERROR}
    assert errors == {"link-not-ancestor", "kr-direction-conflict", "zero-weights", "no-target"}
    assert RULES["no-stretch"].severity is Severity.INFO
    assert all(rule.explanation and rule.reasoning for rule in RULES.values())


def test_sorted_by_severity_then_rule_then_subject() -> None:
    tables = clean()
    edit(tables["key_results"], "r-rating", weight=0.0)
    edit(tables["key_results"], "r-reach", weight=0.0, target=40.0)  # zero-weights + no-stretch
    edit(tables["kpis"], "k-leads", parent_id=None)  # unlinked
    edit(tables["objectives"], "o-sales", title="Win 2 big deals")  # objective-has-number
    edit(tables["kpis"], "k-kim", name="분기 매출 10억 원 이상 달성", unit_id="org", parent_id=None)
    result = findings(tables)
    keys = result.select("severity", "rule", "subject_id").rows()
    order = {"error": 0, "warning": 1, "info": 2}
    assert keys == sorted(keys, key=lambda k: (order[k[0]], k[1], k[2]))
    assert result.get_column("severity").to_list()[0] == "error"
    assert result.get_column("severity").to_list()[-1] == "info"
    assert set(result.get_column("rule")) >= {
        "zero-weights",
        "unlinked",
        "objective-has-number",
        "duplicate-name",
        "no-stretch",
    }


def test_unit_restricts_to_its_subtree() -> None:
    tables = clean()
    edit(tables["kpis"], "k-kim", parent_id=None)  # unlinked, in kim (below sales)
    edit(tables["kpis"], "k-leads", parent_id=None)  # unlinked, in mkt
    assert subjects(findings(tables)) == ["k-kim", "k-leads"]
    assert subjects(findings(tables, unit="sales")) == ["k-kim"]
    assert subjects(findings(tables, unit="mkt")) == ["k-leads"]
    assert subjects(findings(tables, unit="org")) == ["k-kim", "k-leads"]
    with pytest.raises(GoaltuiError, match="nowhere"):
        findings(tables, unit="nowhere")


# --- structural rules ---------------------------------------------------------------------------


def test_okr_kr_count_too_few_and_too_many() -> None:
    tables = clean()
    tables["key_results"] = [r for r in tables["key_results"] if r["id"] != "r-rating"]
    tables["key_results"] += [
        key_result(f"r-extra{i}", "o-sales", f"Extra {i}", target=70.0 + i) for i in range(3)
    ]
    tables["objectives"].append(
        objective("o-empty", "org", "Delight every customer", period="2026")
    )
    hits = of_rule(tables, "okr-kr-count")
    assert subjects(hits) == ["o-empty", "o-org", "o-sales"]
    assert hits.get_column("subject_kind").unique().to_list() == ["objective"]
    messages = dict(zip(subjects(hits), hits.get_column("message"), strict=True))
    assert "has 1 key result;" in messages["o-org"]
    assert "has 0 key results" in messages["o-empty"]
    assert "has 5 key results" in messages["o-sales"]
    assert hits.get_column("severity").unique().to_list() == ["warning"]


def test_okr_kr_count_follows_thresholds() -> None:
    tables = clean()  # every objective has exactly 2 key results
    assert of_rule(tables, "okr-kr-count").is_empty()
    strict = replace(DEFAULTS, okr_min_key_results=3)
    assert subjects(of_rule(tables, "okr-kr-count", strict)) == ["o-org", "o-sales"]
    loose = replace(DEFAULTS, okr_max_key_results=1)
    assert subjects(of_rule(tables, "okr-kr-count", loose)) == ["o-org", "o-sales"]


def test_okr_too_many_objectives_counts_per_period() -> None:
    tables = clean()
    # Five more objectives for sales in 2026-Q4 (six in all), and five in Q3: only Q4 is too many.
    for i in range(5):
        tables["objectives"].append(objective(f"o-q4-{i}", "sales", f"Theme {chr(65 + i)}"))
        tables["objectives"].append(
            objective(f"o-q3-{i}", "mkt", f"Theme {chr(65 + i)}", period="2026-Q3")
        )
    hits = of_rule(tables, "okr-too-many-objectives")
    assert subjects(hits) == ["sales"]
    assert hits.row(0, named=True)["subject_kind"] == "unit"
    assert hits.row(0, named=True)["unit_id"] == "sales"
    assert "6 in 2026-Q4" in hits.row(0, named=True)["message"]
    assert "Sales team" in hits.row(0, named=True)["message"]
    four = replace(DEFAULTS, okr_max_objectives=4)
    assert subjects(of_rule(tables, "okr-too-many-objectives", four)) == ["sales"]
    # Q3 is checked only when asked for, on its own or among all periods.
    everything = findings(tables, four, everything=True)
    assert subjects(everything.filter(pl.col("rule") == "okr-too-many-objectives")) == [
        "mkt",
        "sales",
    ]
    q3 = findings(tables, four, period="2026-Q3")
    assert subjects(q3.filter(pl.col("rule") == "okr-too-many-objectives")) == ["mkt"]


def test_kpi_too_many() -> None:
    tables = clean()
    for i in range(7):  # sales owns 8 KPIs
        tables["kpis"].append(kpi(f"k-s{i}", "sales", f"Sales KPI {i}", parent_id="k-revenue"))
        tables["checkins"].append(checkin(f"k-s{i}", date(2026, 11, 2), 29.0))
    hits = of_rule(tables, "kpi-too-many")
    assert subjects(hits) == ["sales"]
    assert "owns 8 KPIs" in hits.row(0, named=True)["message"]
    tables["kpis"] = [k for k in tables["kpis"] if k["id"] != "k-s0"]  # exactly 7
    assert of_rule(tables, "kpi-too-many").is_empty()
    assert subjects(of_rule(tables, "kpi-too-many", replace(DEFAULTS, kpi_too_many=6))) == ["sales"]


def test_unlinked_kpi_and_objective_but_not_at_the_root() -> None:
    tables = clean()
    edit(tables["kpis"], "k-contracts", parent_id=None)
    edit(tables["objectives"], "o-sales", parent_id=None)
    hits = of_rule(tables, "unlinked")
    assert subjects(hits) == ["k-contracts", "o-sales"]
    assert hits.get_column("subject_kind").to_list() == ["kpi", "objective"]
    assert "Hummingbirds" in hits.row(0, named=True)["suggestion"]  # the unit above sales
    # Root goals have nothing to cascade from.
    assert "k-revenue" not in subjects(findings(tables)) and "o-org" not in subjects(hits)


def test_link_not_ancestor() -> None:
    tables = clean()
    edit(tables["kpis"], "k-leads", parent_id="k-contracts")  # sibling team
    edit(tables["kpis"], "k-contracts", parent_id="k-kim")  # a unit below
    tables["objectives"].append(
        objective("o-kim", "kim", "Learn the product deeply", parent_id="o-gone")
    )
    tables["key_results"] += [
        key_result("r-k1", "o-kim", "Demos given", target=70.0),
        key_result("r-k2", "o-kim", "Docs read", target=70.0),
    ]
    tables["checkins"] += [
        checkin("r-k1", date(2026, 11, 2), 50.0),
        checkin("r-k2", date(2026, 11, 2), 50.0),
    ]
    hits = of_rule(tables, "link-not-ancestor")
    assert subjects(hits) == ["k-contracts", "k-leads", "o-kim"]
    assert hits.get_column("severity").unique().to_list() == ["error"]
    messages = dict(zip(subjects(hits), hits.get_column("message"), strict=True))
    assert "Marketing team" in messages["k-leads"] and "Sales team" in messages["k-leads"]
    assert "o-gone" in messages["o-kim"]


def test_link_to_own_unit_is_not_ancestor_but_grandparent_is() -> None:
    tables = clean()
    edit(tables["kpis"], "k-kim", parent_id="k-revenue")  # org is kim's grandparent: fine
    assert of_rule(tables, "link-not-ancestor").is_empty()
    tables["kpis"].append(kpi("k-sales2", "sales", "Pipeline value", parent_id="k-contracts"))
    tables["checkins"].append(checkin("k-sales2", date(2026, 11, 2), 40.0))
    hits = of_rule(tables, "link-not-ancestor")
    assert subjects(hits) == ["k-sales2"]
    assert "its own unit" in hits.row(0, named=True)["message"]


def test_kr_direction_conflict() -> None:
    tables = clean()
    edit(tables["key_results"], "r-contracts", direction="at_least")  # agrees: fine
    assert of_rule(tables, "kr-direction-conflict").is_empty()
    edit(tables["key_results"], "r-contracts", direction="at_most", target=60.0)
    hits = of_rule(tables, "kr-direction-conflict")
    assert subjects(hits) == ["r-contracts"]
    row = hits.row(0, named=True)
    assert (row["severity"], row["subject_kind"], row["unit_id"]) == ("error", "kr", "sales")
    assert "lower is better" in row["message"] and "월 신규 계약" in row["message"]


def test_zero_weights_but_not_without_key_results() -> None:
    tables = clean()
    edit(tables["key_results"], "r-reach", weight=0.0)
    assert of_rule(tables, "zero-weights").is_empty()  # the other KR weighs 1 (empty)
    edit(tables["key_results"], "r-rating", weight=0.0)
    tables["objectives"].append(
        objective("o-bare", "sales", "Be the team customers trust", parent_id="o-org")
    )
    hits = of_rule(tables, "zero-weights")
    assert subjects(hits) == ["o-org"]
    assert hits.row(0, named=True)["severity"] == "error"
    assert "o-bare" in subjects(of_rule(tables, "okr-kr-count"))


def test_duplicate_name_trimmed_and_case_folded_one_row_each() -> None:
    tables = clean()
    tables["kpis"].append(
        kpi("k-dup", "sales", "  월 신규 계약 30건 이상 확보 ", parent_id="k-revenue")
    )
    tables["checkins"].append(checkin("k-dup", date(2026, 11, 2), 29.0))
    tables["objectives"].append(
        objective(
            "o-dup", "sales", "CUSTOMERS RENEW because we help them succeed", parent_id="o-org"
        )
    )
    tables["key_results"] += [
        key_result("r-d1", "o-dup", "Renewal rate", target=90.0, baseline=80.0),
        key_result("r-d2", "o-dup", "NPS", target=50.0, baseline=30.0),
    ]
    tables["checkins"] += [
        checkin("r-d1", date(2026, 11, 2), 82.0),
        checkin("r-d2", date(2026, 11, 2), 35.0),
    ]
    hits = of_rule(tables, "duplicate-name")
    assert subjects(hits) == ["k-contracts", "k-dup", "o-dup", "o-sales", "r-d1", "r-renewal"]
    messages = dict(zip(subjects(hits), hits.get_column("message"), strict=True))
    assert "k-dup" in messages["k-contracts"] and "k-contracts" in messages["k-dup"]


def test_same_name_in_other_unit_kind_or_period_is_fine() -> None:
    tables = clean()
    tables["kpis"].append(
        kpi("k-other", "mkt", "월 신규 계약 30건 이상 확보", parent_id="k-revenue")
    )
    tables["checkins"].append(checkin("k-other", date(2026, 11, 2), 29.0))
    # Last quarter's objective with the same title, and a KR named like a KPI of its unit.
    tables["objectives"].append(
        objective(
            "o-q3",
            "sales",
            "Customers renew because we help them succeed",
            period="2026-Q3",
            parent_id="o-org",
        )
    )
    tables["key_results"] += [
        key_result("r-q3a", "o-q3", "Renewal rate", target=85.0, baseline=80.0),
        key_result(
            "r-q3b",
            "o-q3",
            "월 신규 계약 30건 이상 확보",
            kpi_id="k-contracts",
            unit=None,
            direction=None,
            aggregation=None,
            target=90.0,
            baseline=70.0,
        ),
    ]
    tables["checkins"].append(checkin("r-q3a", date(2026, 9, 2), 86.0))
    assert of_rule(tables, "duplicate-name").is_empty()


@pytest.mark.parametrize(
    ("title", "numbers"),
    [
        ("활성 사용자 60% 달성", "60%"),
        ("Sign 30 new customers", "30"),
        ("Raise the rating to 4.5", "4.5"),
        ("매출 10억 원 돌파", "10"),
        ("Win Q40 accounts in 2026", "Q40"),
        ("Grow 100% in Q4", "100%"),
    ],
)
def test_objective_has_number_fires(title: str, numbers: str) -> None:
    tables = clean()
    edit(tables["objectives"], "o-sales", title=title)
    hits = of_rule(tables, "objective-has-number")
    assert subjects(hits) == ["o-sales"]
    assert numbers in hits.row(0, named=True)["message"]


@pytest.mark.parametrize(
    "title",
    [
        "Customers renew because we help them succeed",
        "Make Q4 the quarter customers stay",
        "2026-Q4: customers renew",
        "4분기에는 고객이 스스로 재계약한다",
        "Become the team of 2026",
        "1999년의 열정을 되찾는다",
    ],
)
def test_objective_labels_are_not_numbers(title: str) -> None:
    tables = clean()
    edit(tables["objectives"], "o-sales", title=title)
    assert of_rule(tables, "objective-has-number").is_empty()


# --- rules on measurements ----------------------------------------------------------------------


def test_no_baseline_for_change_pct_kpi() -> None:
    tables = clean()
    # Visitors +20% on last month: October has an actual, so November has a target.
    tables["kpis"].append(
        kpi(
            "k-visits",
            "mkt",
            "웹사이트 방문자 수 전월 대비 20% 이상 증가",
            target_mode="change_pct",
            target=20.0,
            parent_id="k-revenue",
        )
    )
    tables["checkins"] += [
        checkin("k-visits", date(2026, 10, 20), 10000.0),
        checkin("k-visits", date(2026, 11, 3), 5000.0),
    ]
    assert of_rule(tables, "no-baseline").is_empty()
    tables["checkins"] = [c for c in tables["checkins"] if c["date"] != date(2026, 10, 20)]
    hits = of_rule(tables, "no-baseline")
    assert subjects(hits) == ["k-visits"]
    assert "2026-10" in hits.row(0, named=True)["message"]


def test_no_baseline_for_change_pct_key_result() -> None:
    tables = clean()
    edit(tables["key_results"], "r-contracts", target_mode="change_pct", target=20.0, baseline=None)
    # k-contracts has check-ins in Q3: the key result's previous quarter has an actual.
    assert of_rule(tables, "no-baseline").is_empty()
    tables["checkins"] = [c for c in tables["checkins"] if c["date"] >= date(2026, 10, 1)]
    assert subjects(of_rule(tables, "no-baseline")) == ["r-contracts"]
    edit(tables["key_results"], "r-contracts", baseline=70.0)  # a baseline of its own
    assert of_rule(tables, "no-baseline").is_empty()


def test_stale_kpi_needs_a_checkin_this_or_last_period() -> None:
    tables = clean()
    tables["checkins"] = [c for c in tables["checkins"] if c["goal_id"] != "k-kim"]
    tables["checkins"].append(checkin("k-kim", date(2026, 10, 30), 9.0))  # last month: fine
    assert of_rule(tables, "stale").is_empty()
    tables["checkins"][-1] = checkin("k-kim", date(2026, 9, 30), 9.0)
    tables["checkins"].append(checkin("k-kim", date(2026, 11, 20), 9.0))  # after as-of: ignored
    hits = of_rule(tables, "stale")
    assert subjects(hits) == ["k-kim"]
    assert "2026-11 or 2026-10" in hits.row(0, named=True)["message"]


def test_stale_key_result_only_in_current_objectives_and_via_its_kpi() -> None:
    tables = clean()
    tables["checkins"] = [c for c in tables["checkins"] if c["goal_id"] != "r-renewal"]
    tables["objectives"].append(
        objective("o-old", "sales", "Customers found us", period="2026-Q3", parent_id="o-org")
    )
    tables["key_results"] += [
        key_result("r-old1", "o-old", "Inbound demos", target=70.0),
        key_result("r-old2", "o-old", "Referrals", target=70.0),
    ]
    assert subjects(of_rule(tables, "stale")) == ["r-renewal"]  # past objective: not checked
    # r-contracts is measured by k-contracts: without the KPI's Q4 check-ins it is stale too.
    tables["checkins"] = [
        c
        for c in tables["checkins"]
        if not (c["goal_id"] == "k-contracts" and c["date"].month >= 10)
    ]
    hits = of_rule(tables, "stale")
    assert subjects(hits) == ["k-contracts", "r-contracts", "r-renewal"]
    by_id = {r["subject_id"]: r for r in hits.iter_rows(named=True)}
    assert "k-contracts" in by_id["r-contracts"]["suggestion"]


def test_not_achievable_at_least() -> None:
    tables = clean()
    edit(tables["kpis"], "k-leads", target=800.0)  # best of Jul-Oct is 400: 800 is twice, fine
    assert of_rule(tables, "not-achievable").is_empty()
    edit(tables["kpis"], "k-leads", target=801.0)
    hits = of_rule(tables, "not-achievable")
    assert subjects(hits) == ["k-leads"]
    assert "targets 801" in hits.row(0, named=True)["message"]
    assert "last 4 months was 400" in hits.row(0, named=True)["message"]
    assert of_rule(
        tables, "not-achievable", replace(DEFAULTS, not_achievable_factor=3.0)
    ).is_empty()


def test_not_achievable_uses_only_the_last_closed_periods() -> None:
    tables = clean()
    edit(tables["kpis"], "k-leads", target=1000.0)
    tables["checkins"].append(checkin("k-leads", date(2026, 6, 5), 600.0))  # five months back
    assert subjects(of_rule(tables, "not-achievable")) == ["k-leads"]
    assert of_rule(tables, "not-achievable", replace(DEFAULTS, not_achievable_periods=5)).is_empty()
    # The current month's own actual does not count as a closed period.
    tables["checkins"].append(checkin("k-leads", date(2026, 11, 10), 900.0))
    assert subjects(of_rule(tables, "not-achievable")) == ["k-leads"]


def test_not_achievable_at_most_and_only_with_closed_actuals() -> None:
    tables = clean()
    tables["kpis"].append(
        kpi(
            "k-hire",
            "org",
            "채용 소요 기간 평균 45일 이내",
            unit="days",
            direction="at_most",
            aggregation="mean",
            period="quarter",
            target=20.0,
        )
    )
    tables["checkins"].append(checkin("k-hire", date(2026, 11, 2), 50.0))
    assert of_rule(tables, "not-achievable").is_empty()  # no closed quarter with an actual yet
    tables["checkins"].append(checkin("k-hire", date(2026, 8, 2), 41.0))
    hits = of_rule(tables, "not-achievable")
    assert subjects(hits) == ["k-hire"]
    assert (
        "41" in hits.row(0, named=True)["message"]
        and "quarters" in hits.row(0, named=True)["message"]
    )
    edit(tables["kpis"], "k-hire", target=20.5)  # half of 41: fine
    assert of_rule(tables, "not-achievable").is_empty()


def test_not_achievable_key_result_measured_by_a_kpi() -> None:
    tables = clean()
    # Q3 sum of k-contracts is 75; 151 is more than twice that.
    edit(tables["key_results"], "r-contracts", target=151.0)
    hits = of_rule(tables, "not-achievable")
    assert subjects(hits) == ["r-contracts"]
    assert "was 75" in hits.row(0, named=True)["message"]
    edit(tables["key_results"], "r-contracts", target=150.0)
    assert of_rule(tables, "not-achievable").is_empty()


def test_no_stretch_against_baseline() -> None:
    tables = clean()
    edit(tables["key_results"], "r-renewal", target=80.0)  # equal to the baseline
    hits = of_rule(tables, "no-stretch")
    assert subjects(hits) == ["r-renewal"]
    assert hits.row(0, named=True)["severity"] == "info"
    edit(tables["key_results"], "r-renewal", direction="at_most", target=79.0)  # lower, at_most
    assert of_rule(tables, "no-stretch").is_empty()
    edit(tables["key_results"], "r-renewal", target=81.0)
    assert subjects(of_rule(tables, "no-stretch")) == ["r-renewal"]


def test_no_stretch_against_previous_actual_without_baseline() -> None:
    tables = clean()
    # Q3 sum of k-contracts is 75: a target of 75 with no baseline only holds the level.
    edit(tables["key_results"], "r-contracts", baseline=None, target=75.0)
    hits = of_rule(tables, "no-stretch")
    assert subjects(hits) == ["r-contracts"]
    assert "2026-Q3 actual of 75" in hits.row(0, named=True)["message"]
    edit(tables["key_results"], "r-contracts", target=76.0)
    assert of_rule(tables, "no-stretch").is_empty()


def test_no_stretch_change_pct_sign() -> None:
    tables = clean()
    edit(tables["key_results"], "r-contracts", target_mode="change_pct", target=0.0, baseline=None)
    assert subjects(of_rule(tables, "no-stretch")) == ["r-contracts"]
    edit(tables["key_results"], "r-contracts", target=10.0)
    assert of_rule(tables, "no-stretch").is_empty()
    edit(tables["key_results"], "r-contracts", direction="at_most", target=-15.0)
    assert of_rule(tables, "no-stretch").is_empty()
    edit(tables["key_results"], "r-contracts", target=5.0)
    assert subjects(of_rule(tables, "no-stretch")) == ["r-contracts"]


def test_no_stretch_uses_the_period_override() -> None:
    tables = clean()
    tables["targets"] = [{"goal_id": "r-renewal", "period": "2026-Q4", "target": 78.0}]
    assert subjects(of_rule(tables, "no-stretch")) == ["r-renewal"]


def test_messages_and_suggestions_are_never_empty() -> None:
    tables = clean()
    edit(tables["kpis"], "k-leads", target=5000.0, parent_id=None)
    edit(tables["key_results"], "r-renewal", target=70.0, weight=0.0)
    result = findings(tables)
    assert result.height >= 3
    assert result.select(pl.col("message", "suggestion").str.len_chars().min()).row(0) > (20, 20)
    assert result.null_count().sum_horizontal().item() == 0


def test_messages_name_the_goal_and_its_numbers() -> None:
    tables = clean()
    tables["checkins"].append(checkin("k-revenue", date(2026, 8, 20), 4e8))
    hits = of_rule(tables, "not-achievable")
    assert hits.row(0, named=True)["message"] == (
        "KPI '분기 매출 10억 원 이상 달성' targets 1,000,000,000 for 2026-Q4, but its best of the "
        "last 4 quarters was 400,000,000."
    )
    assert hits.row(0, named=True)["unit_id"] == "org"


def test_result_does_not_depend_on_row_order() -> None:
    tables = clean()
    edit(tables["kpis"], "k-leads", target=5000.0, parent_id=None)
    edit(tables["key_results"], "r-renewal", target=70.0, weight=0.0)
    edit(tables["key_results"], "r-reach", weight=0.0)
    edit(tables["key_results"], "r-rating", weight=0.0)
    edit(tables["objectives"], "o-sales", title="Sign 30 customers")
    forward = findings(tables)
    backward = findings({name: rows[::-1] for name, rows in tables.items()})
    assert forward.height >= 5
    assert forward.equals(backward)


# --- which periods are checked ------------------------------------------------------------------


def with_last_year(tables: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """The clean organisation plus a 2025-Q4 objective that breaks two rules."""
    tables["objectives"].append(
        objective("o-2025", "sales", "Sign 40 renewals", period="2025-Q4", parent_id="o-org")
    )
    tables["key_results"].append(
        key_result("r-2025", "o-2025", "Renewals signed", target=40.0, baseline=30.0)
    )
    return tables


def test_lint_checks_the_periods_containing_as_of_by_default() -> None:
    tables = with_last_year(clean())
    assert findings(tables).is_empty()
    last_year = findings(tables, period="2025-Q4")
    assert sorted(set(last_year.get_column("rule"))) == [
        "objective-has-number",
        "okr-kr-count",
        "stale",
    ]
    assert set(subjects(last_year)) == {"o-2025", "r-2025"}
    assert findings(tables, period="2025").height == last_year.height
    everything = findings(tables, everything=True)
    assert set(subjects(everything)) == {"o-2025", "r-2025"}
    # A year contains its quarters; a month of another quarter has no objective of its own.
    assert findings(tables, period="2026-03").is_empty()


def test_period_must_be_a_label_and_not_with_everything() -> None:
    with pytest.raises(GoaltuiError, match="not a period label"):
        findings(clean(), period="Q4")
    with pytest.raises(GoaltuiError, match="not both"):
        findings(clean(), period="2026-Q4", everything=True)


def test_kpis_are_standing_and_checked_in_every_scope() -> None:
    tables = clean()
    edit(tables["kpis"], "k-leads", parent_id=None)
    for scope in ({}, {"period": "2025-Q1"}, {"everything": True}):
        assert subjects(findings(tables, **scope).filter(pl.col("rule") == "unlinked")) == [
            "k-leads"
        ]


def test_a_past_period_is_measured_at_its_end() -> None:
    tables = with_last_year(clean())
    edit(tables["objectives"], "o-2025", title="Renewals become routine")
    tables["key_results"].append(
        key_result("r-2025b", "o-2025", "Churn calls", target=10.0, baseline=5.0)
    )
    tables["checkins"] += [
        checkin("r-2025", date(2025, 11, 3), 30.0),
        checkin("r-2025b", date(2025, 12, 30), 5.0),
    ]
    # The KPIs were first measured in 2026: in 2025 they are not stale, they were not there.
    assert findings(tables, period="2025-Q4").is_empty()
    tables["checkins"] = [c for c in tables["checkins"] if c["goal_id"] != "r-2025b"]
    assert subjects(findings(tables, period="2025-Q4")) == ["r-2025b"]


# --- not-achievable: history is earlier periods of the goal or its KPI --------------------------


def test_a_key_results_own_kickoff_checkin_is_not_history() -> None:
    tables = clean()
    # Kick-off measurement days before the quarter: far below the target, but not a history.
    edit(tables["key_results"], "r-reach", baseline=None, target=60.0)
    tables["checkins"].append(checkin("r-reach", date(2026, 9, 28), 12.0))
    assert of_rule(tables, "not-achievable").is_empty()
    # Through its KPI, the earlier quarters do count.
    edit(tables["key_results"], "r-contracts", target=151.0)
    assert subjects(of_rule(tables, "not-achievable")) == ["r-contracts"]


# --- objective-has-number: names of standards, versions and dates -------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "ISO 14001 Zertifizierung sichern",
        "Become ISO 27k1 ready",
        "ISO/IEC 27001:2022 audit passes without findings",
        "Go-Live am 1. Juli 2024",
        "Launch the new portal in Q3 2024",
        "Customers move to v2.0",
        "Release 3.1 delights our users",
        "Go live on 2024-07-01",
        "Go live by July 1st",
        "7월 1일 신규 앱을 안정적으로 오픈한다",
        "2024년 7월 전사 시스템 전환",
        "Our B2B customers love the product",
    ],
)
def test_names_of_standards_versions_and_dates_are_not_numbers(title: str) -> None:
    tables = clean()
    edit(tables["objectives"], "o-sales", title=title)
    assert of_rule(tables, "objective-has-number").is_empty()


@pytest.mark.parametrize(
    ("title", "numbers"),
    [
        ("Serve 3 markets", "3"),
        ("Reach 10k users", "10"),
        ("Cut churn to 3.5% by 01.07.2025", "3.5%"),
        ("ISO 9001 audit with 0 findings", "0"),
        ("Sign 5 customers by March 3", "5"),
    ],
)
def test_measures_beside_names_still_fire(title: str, numbers: str) -> None:
    tables = clean()
    edit(tables["objectives"], "o-sales", title=title)
    hits = of_rule(tables, "objective-has-number")
    assert subjects(hits) == ["o-sales"]
    assert hits.row(0, named=True)["message"].split(" contains ")[1].startswith(numbers)


# --- explanations read the configured thresholds ------------------------------------------------


def test_explanations_quote_the_configured_thresholds() -> None:
    tables = clean()
    custom = replace(
        DEFAULTS,
        kpi_too_many=0,
        okr_min_key_results=3,
        okr_max_key_results=6,
        not_achievable_factor=1.5,
        not_achievable_periods=2,
    )
    result = findings(tables, custom)
    explanation = dict(zip(result["rule"], result["explanation"], strict=False))
    assert "at most 0)" in explanation["kpi-too-many"]
    assert "3 to 6 key results" in explanation["okr-kr-count"]
    assert "(at most 7)" not in " ".join(result["explanation"])
    assert "1.5 times" in RULES["not-achievable"].explain(custom)
    assert "last 2 closed periods" in RULES["not-achievable"].explain(custom)
    assert "twice" not in RULES["not-achievable"].explain(DEFAULTS)
    for rule in RULES.values():
        assert "{" not in rule.explain(DEFAULTS), rule.id


# --- no-target ----------------------------------------------------------------------------------


def test_no_target_is_an_error_for_a_key_result_and_a_warning_for_a_kpi() -> None:
    tables = clean()
    edit(tables["kpis"], "k-kim", target=None)
    edit(tables["key_results"], "r-renewal", target=None)
    hits = of_rule(tables, "no-target")
    assert [(r["severity"], r["subject_id"]) for r in hits.iter_rows(named=True)] == [
        ("error", "r-renewal"),
        ("warning", "k-kim"),
    ]
    assert "cannot be scored" in hits.row(0, named=True)["message"]
    assert "2026-11" in hits.row(1, named=True)["message"]


def test_no_target_counts_a_per_period_target() -> None:
    tables = clean()
    edit(tables["kpis"], "k-kim", target=None)
    edit(tables["key_results"], "r-renewal", target=None)
    tables["targets"] = [
        {"goal_id": "k-kim", "period": "2026-11", "target": 10.0},
        {"goal_id": "r-renewal", "period": "2026-Q4", "target": 85.0},
    ]
    assert of_rule(tables, "no-target").is_empty()
    # An override of another month leaves the current one without a target.
    tables["targets"][0]["period"] = "2026-10"
    assert subjects(of_rule(tables, "no-target")) == ["k-kim"]


def test_a_change_target_without_a_previous_actual_is_no_baseline_not_no_target() -> None:
    tables = clean()
    tables["kpis"].append(
        kpi("k-visits", "mkt", "Website visits", target_mode="change_pct", target=20.0)
    )
    edit(tables["kpis"], "k-visits", parent_id="k-revenue")
    tables["checkins"].append(checkin("k-visits", date(2026, 11, 3), 5000.0))
    assert of_rule(tables, "no-target").is_empty()
    assert subjects(of_rule(tables, "no-baseline")) == ["k-visits"]


# --- checkin-outside-period ---------------------------------------------------------------------


def test_checkins_outside_the_objective_period() -> None:
    tables = clean()
    tables["checkins"] += [
        checkin("r-reach", date(2026, 9, 28), 41.0),  # a kick-off before the quarter
        checkin("r-rating", date(2026, 9, 30), 4.2),
        checkin("r-rating", date(2026, 9, 29), 4.1),
    ]
    hits = of_rule(tables, "checkin-outside-period")
    assert subjects(hits) == ["r-rating", "r-reach"]
    by_id = {r["subject_id"]: r for r in hits.iter_rows(named=True)}
    assert by_id["r-rating"]["severity"] == "warning"
    assert by_id["r-rating"]["message"] == (
        "Key result '앱스토어 리뷰 평균 평점 4.5점 이상 유지' has 2 check-ins dated outside its "
        "objective's period 2026-Q4 (2026-10-01 to 2026-12-31): 2026-09-29, 2026-09-30."
    )
    assert "a check-in dated outside" in by_id["r-reach"]["message"]


def test_checkins_after_as_of_and_kpi_checkins_are_not_outside() -> None:
    tables = clean()
    tables["checkins"] += [
        checkin("r-reach", date(2027, 1, 4), 61.0),  # after as-of: ignored like everywhere
        checkin("k-contracts", date(2026, 9, 5), 30.0),  # r-contracts' KPI: its own period
    ]
    assert of_rule(tables, "checkin-outside-period").is_empty()
    assert subjects(
        find_issues(dataset(tables), date(2027, 1, 10), DEFAULTS, period="2026-Q4").filter(
            pl.col("rule") == "checkin-outside-period"
        )
    ) == ["r-reach"]


def test_a_change_target_takes_its_starting_figure_in_the_period_before() -> None:
    tables = clean()
    edit(tables["key_results"], "r-renewal", target_mode="change_pct", target=5.0, baseline=None)
    tables["checkins"].append(checkin("r-renewal", date(2026, 9, 30), 78.0))
    assert of_rule(tables, "checkin-outside-period").is_empty()
    tables["checkins"].append(checkin("r-renewal", date(2026, 6, 30), 70.0))  # two quarters back
    assert subjects(of_rule(tables, "checkin-outside-period")) == ["r-renewal"]


# --- disable and determinism --------------------------------------------------------------------


def test_disabled_rules_say_nothing() -> None:
    tables = clean()
    edit(tables["kpis"], "k-leads", parent_id=None)
    edit(tables["kpis"], "k-kim", target=None)
    assert set(findings(tables).get_column("rule")) == {"unlinked", "no-target"}
    quiet = replace(DEFAULTS, disable=("unlinked",))
    assert set(findings(tables, quiet).get_column("rule")) == {"no-target"}
    with pytest.raises(GoaltuiError, match="'no-such-rule'"):
        findings(tables, replace(DEFAULTS, disable=("no-such-rule",)))


def test_numbers_in_messages_do_not_depend_on_the_order_of_a_float_sum() -> None:
    # 1234.5 summed in two orders: the half cent must not round two ways.
    parts = [0.1] * 10 + [1233.5]
    forward, backward = sum(parts), sum(reversed(parts))
    assert forward != backward
    frame = pl.DataFrame({"value": [forward, backward, 1234.5, -0.004, 1e9 + 0.125]})
    from goaltui.metrics.quality import _number

    texts = frame.select(_number(pl.col("value"))).to_series().to_list()
    assert texts == ["1,234.5", "1,234.5", "1,234.5", "0", "1,000,000,000.13"]


# --- a real-looking organisation over four quarters ---------------------------------------------


def test_a_quarterly_organisation_raises_only_findings_a_person_agrees_with() -> None:
    ds = quarterly_organisation()
    now = find_issues(ds, AS_OF, DEFAULTS)
    assert now.select("severity", "rule", "subject_id").rows() == [
        ("warning", "checkin-outside-period", "sales-q4-paying"),
        ("warning", "no-target", "visits"),
    ]
    # The kick-off measurement (55, far below the target of 120) is not a history, and the
    # ISO standard, the version and the go-live date in the titles are not measures.
    assert now.filter(pl.col("rule").is_in(["not-achievable", "objective-has-number"])).is_empty()
    # Q2's objective with one key result shows when asked for Q2 or for everything.
    q2 = find_issues(ds, AS_OF, DEFAULTS, period="2026-Q2")
    assert q2.select("rule", "subject_id").rows() == [
        ("no-target", "visits"),
        ("okr-kr-count", "sales-q2"),
    ]
    everything = find_issues(ds, AS_OF, DEFAULTS, everything=True)
    assert set(everything.get_column("subject_id")) == {"sales-q4-paying", "visits", "sales-q2"}


def test_lint_gives_the_same_findings_however_the_rows_are_ordered() -> None:
    ds = quarterly_organisation()
    reordered = Dataset(
        units=ds.units.reverse(),
        kpis=ds.kpis.reverse(),
        objectives=ds.objectives.reverse(),
        key_results=ds.key_results.reverse(),
        checkins=ds.checkins.reverse(),
        targets=ds.targets,
    )
    for everything in (False, True):
        assert find_issues(ds, AS_OF, DEFAULTS, everything=everything).equals(
            find_issues(reordered, AS_OF, DEFAULTS, everything=everything)
        )
