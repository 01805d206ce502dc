"""The demo organisation: the guide's examples, its history, and every status as of its date."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from goaltui.config import DEMO_AS_OF
from goaltui.metrics.engine import evaluate_goals
from goaltui.metrics.quality import find_issues
from goaltui.model.quality import QualityThresholds
from goaltui.store.dataset import Dataset, load_dataset
from goaltui.store.db import write_session
from goaltui.store.demo import demo_source, ensure_demo_db
from goaltui.store.importer import import_path

REPO = Path(__file__).resolve().parents[1]
DEMO_FILES = ["units", "kpis", "objectives", "key_results", "checkins", "targets"]

# The guide's 16 KPI examples: (owning team, direction, aggregation, period, target_mode).
GUIDE_KPIS = {
    "분기 매출 10억 원 이상 달성": ("sales", "at_least", "sum", "quarter", "absolute"),
    "월 신규 계약 30건 이상 확보": ("sales", "at_least", "sum", "month", "absolute"),
    "기존 고객 재계약률 80% 이상 유지": ("sales", "at_least", "ratio", "quarter", "absolute"),
    "영업 기회 대비 계약 전환율 20% 이상": ("sales", "at_least", "ratio", "month", "absolute"),
    "월 신규 리드 500건 이상 확보": ("marketing", "at_least", "sum", "month", "absolute"),
    "주요 캠페인 전환율 3% 이상 유지": ("marketing", "at_least", "ratio", "month", "absolute"),
    "웹사이트 방문자 수 전월 대비 20% 이상 증가": (
        "marketing",
        "at_least",
        "sum",
        "month",
        "change_pct",
    ),
    "광고 집행 대비 문의 유입 수 분기 목표 달성": (
        "marketing",
        "at_least",
        "sum",
        "quarter",
        "absolute",
    ),
    "채용 소요 기간 평균 45일 이내": ("hr", "at_most", "mean", "quarter", "absolute"),
    "수습 종료 후 정규 전환율 90% 이상": ("hr", "at_least", "ratio", "quarter", "absolute"),
    "연간 이직률 10% 이하 유지": ("hr", "at_most", "last", "year", "absolute"),
    "내부 만족도 설문 평균 점수 4.3점 이상": ("hr", "at_least", "mean", "quarter", "absolute"),
    "고객 문의 평균 응답 시간 24시간 이내": ("cs", "at_most", "mean", "month", "absolute"),
    "문의 처리 완료율 95% 이상": ("cs", "at_least", "ratio", "month", "absolute"),
    "동일 유형 반복 문의 발생 건수 전 분기 대비 20% 감소": (
        "cs",
        "at_most",
        "sum",
        "quarter",
        "change_pct",
    ),
    "고객 만족도(CSAT) 평균 4.5점 이상 유지": ("cs", "at_least", "mean", "month", "absolute"),
}

# The guide's OKR cascade: objective title -> (owning unit kind, key result titles).
GUIDE_OKRS = {
    "신규 사용자가 실제 사용자로 빠르게 전환되는 구조를 만든다": (
        "org",
        [
            "신규 사용자 7일 이내 유지율 전 분기 대비 15% 이상 개선",
            "신규 가입 후 핵심 기능 도달률 60% 이상 달성",
            "앱스토어 리뷰 평균 평점 4.5점 이상 유지",
        ],
    ),
    "신규 사용자가 제품의 가치를 빠르게 이해하고 활용하도록 만든다": (
        "team",
        [
            "신규 가입 후 7일 이내 핵심 기능 사용률 60% 이상 달성",
            "온보딩 완료율 전 분기 대비 20% 개선",
            "신규 사용자 이탈률 전 분기 대비 15% 감소",
        ],
    ),
    "신규 사용자가 첫 방문에서 서비스 사용 흐름을 이해할 수 있도록 돕는다": (
        "person",
        [
            "온보딩 주요 화면 개선안 분기 내 3건 이상 제안 및 반영",
            "사용자 행동 데이터 분석 리포트 월 1회 공유",
            "개선 과제 적용 후 해당 화면 이탈률 10% 이상 감소",
        ],
    ),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The demo imported into a throwaway database, read back."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    import_path(path, demo_source())
    return load_dataset(path)


def test_demo_source_is_the_repository_folder_in_an_editable_install() -> None:
    source = demo_source()
    assert source == REPO / "data" / "demo"
    assert sorted(p.stem for p in source.glob("*.csv")) == sorted(DEMO_FILES)


def test_units_are_the_organisation_five_teams_and_their_people(demo: Dataset) -> None:
    units = demo.units
    org = units.filter(pl.col("kind") == "org")
    assert org.rows() == [("hb", "주식회사 허밍버즈", None, "org", None)]
    teams = units.filter(pl.col("kind") == "team").sort("id")
    assert teams.select("id", "name", "parent_id").rows() == [
        ("cs", "고객지원팀", "hb"),
        ("hr", "인사팀", "hb"),
        ("marketing", "마케팅팀", "hb"),
        ("product", "제품팀", "hb"),
        ("sales", "영업팀", "hb"),
    ]
    people = units.filter(pl.col("kind") == "person").group_by("parent_id").len()
    assert dict(people.rows()) == {"sales": 3, "marketing": 2, "hr": 2, "cs": 3, "product": 2}


def test_the_guides_sixteen_kpis_belong_to_the_right_team(demo: Dataset) -> None:
    kpis = demo.kpis.filter(pl.col("name").is_in(list(GUIDE_KPIS)))
    found = {
        name: (unit_id, direction, aggregation, period, mode)
        for name, unit_id, direction, aggregation, period, mode in kpis.select(
            "name", "unit_id", "direction", "aggregation", "period", "target_mode"
        ).rows()
    }
    assert found == GUIDE_KPIS
    assert kpis.height == 16


def test_guide_kpis_targets_say_what_the_sentence_says(demo: Dataset) -> None:
    targets = dict(demo.kpis.select("name", "target").rows())
    assert targets["분기 매출 10억 원 이상 달성"] == 1_000_000_000
    assert targets["웹사이트 방문자 수 전월 대비 20% 이상 증가"] == 20
    assert targets["동일 유형 반복 문의 발생 건수 전 분기 대비 20% 감소"] == -20
    assert targets["내부 만족도 설문 평균 점수 4.3점 이상"] == 4.3
    inquiries = demo.kpis.filter(pl.col("name") == "광고 집행 대비 문의 유입 수 분기 목표 달성")
    overrides = demo.targets.filter(pl.col("goal_id") == inquiries["id"].item())
    assert "2026-Q4" in overrides["period"].to_list()


def test_team_and_personal_kpis_cascade_from_their_parents_unit(demo: Dataset) -> None:
    units = dict(demo.units.select("id", "parent_id").rows())
    owner = dict(demo.kpis.select("id", "unit_id").rows())
    linked = demo.kpis.filter(pl.col("parent_id").is_not_null())
    assert linked.height >= 20
    for unit_id, parent_id in linked.select("unit_id", "parent_id").rows():
        assert owner[parent_id] == units[unit_id]


def test_the_okr_cascade_aligns_organisation_team_and_person(demo: Dataset) -> None:
    kinds = dict(demo.units.select("id", "kind").rows())
    objectives = demo.objectives.filter(pl.col("title").is_in(list(GUIDE_OKRS)))
    assert objectives.height == 3
    assert set(objectives["period"]) == {"2026-Q4"}
    by_title = {row["title"]: row for row in objectives.iter_rows(named=True)}
    org, team, person = (by_title[title] for title in GUIDE_OKRS)
    assert org["parent_id"] is None
    assert team["parent_id"] == org["id"]
    assert person["parent_id"] == team["id"]
    for title, (kind, key_results) in GUIDE_OKRS.items():
        objective = by_title[title]
        assert kinds[objective["unit_id"]] == kind
        titles = demo.key_results.filter(pl.col("objective_id") == objective["id"])["title"]
        assert titles.to_list() == key_results


def test_closed_objectives_give_history(demo: Dataset) -> None:
    past = demo.objectives.filter(pl.col("period") == "2026-Q3")
    assert past.height >= 3


def test_checkins_span_eighteen_months_up_to_the_demo_date(demo: Dataset) -> None:
    dates = demo.checkins["date"]
    first, last = dates.min(), dates.max()
    assert isinstance(first, date) and isinstance(last, date)
    assert first <= date(2025, 5, 1)
    assert date(2026, 11, 1) <= last <= DEMO_AS_OF
    assert (last.year - first.year) * 12 + last.month - first.month >= 18
    assert demo.checkins.height < 5000
    assert demo.checkins["author"].null_count() == 0


def test_the_checkin_file_gives_every_row_an_id_and_a_recorded_at() -> None:
    checkins = pl.read_csv(demo_source() / "checkins.csv", infer_schema=False)
    assert checkins["id"].null_count() == 0
    assert checkins["id"].n_unique() == checkins.height
    assert checkins["recorded_at"].null_count() == 0


def test_corrections_and_a_retraction_point_at_earlier_checkins(demo: Dataset) -> None:
    checkins = demo.checkins
    corrections = checkins.filter(pl.col("supersedes").is_not_null())
    assert corrections.filter(pl.col("value").is_not_null()).height >= 2
    assert corrections.filter(pl.col("value").is_null()).height >= 1
    earlier = checkins.select(
        supersedes=pl.col("id"), earlier_goal=pl.col("goal_id"), earlier_seq=pl.col("seq")
    )
    joined = corrections.join(earlier, on="supersedes", how="left")
    assert joined["earlier_goal"].to_list() == joined["goal_id"].to_list()
    assert (joined["earlier_seq"] < joined["seq"]).all()


def test_key_result_checkins_carry_confidence_and_notes(demo: Dataset) -> None:
    own = demo.key_results.filter(pl.col("kpi_id").is_null())["id"]
    checkins = demo.checkins.filter(pl.col("goal_id").is_in(own.implode()))
    assert checkins.height > 0
    assert checkins["confidence"].null_count() == 0
    assert checkins["confidence"].is_between(0, 10).all()
    assert checkins["note"].null_count() == 0


def test_every_status_occurs_as_of_the_demo_date(demo: Dataset) -> None:
    current = evaluate_goals(demo, DEMO_AS_OF)
    assert set(current["status"]) == {"on_track", "at_risk", "off_track", "no_data", "no_target"}
    history = evaluate_goals(demo, DEMO_AS_OF, history=True)
    assert {"met", "missed"} <= set(history.filter(~pl.col("is_current"))["status"])


def test_the_guides_worked_examples_are_in_the_history(demo: Dataset) -> None:
    history = evaluate_goals(demo, DEMO_AS_OF, history=True)
    ids = dict(demo.kpis.select("name", "id").rows())

    def row(name: str, period: str) -> dict[str, object]:
        found = history.filter((pl.col("goal_id") == ids[name]) & (pl.col("period") == period))
        return found.row(0, named=True)

    repeats = row("동일 유형 반복 문의 발생 건수 전 분기 대비 20% 감소", "2026-Q3")
    assert (repeats["actual"], repeats["target"], repeats["status"]) == (38, 40, "met")
    visitors = row("웹사이트 방문자 수 전월 대비 20% 이상 증가", "2026-09")
    assert (visitors["actual"], visitors["target"], visitors["status"]) == (
        11_400,
        pytest.approx(12_000),
        "missed",
    )
    renewals = row("기존 고객 재계약률 80% 이상 유지", "2026-Q2")
    assert renewals["actual"] == pytest.approx(100 * 55 / 68)
    assert renewals["status"] == "met"
    hiring = row("채용 소요 기간 평균 45일 이내", "2026-Q3")
    assert hiring["actual"] == pytest.approx(139 / 3)
    assert hiring["status"] == "missed"


def test_quality_findings_are_deliberate_warnings_away_from_the_guides_goals(
    demo: Dataset,
) -> None:
    findings = find_issues(demo, DEMO_AS_OF, QualityThresholds())
    assert set(findings["severity"]) == {"warning"}
    assert {"unlinked", "stale", "objective-has-number", "okr-kr-count"} <= set(findings["rule"])
    guide_objectives = demo.objectives.filter(pl.col("title").is_in(list(GUIDE_OKRS)))["id"]
    guide_ids = [
        *demo.kpis.filter(pl.col("name").is_in(list(GUIDE_KPIS)))["id"],
        *guide_objectives,
        *demo.key_results.filter(pl.col("objective_id").is_in(guide_objectives.implode()))["id"],
    ]
    assert len(guide_ids) == 16 + 3 + 9
    assert findings.filter(pl.col("subject_id").is_in(guide_ids))["subject_id"].to_list() == []


def test_regenerating_writes_byte_identical_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_demo.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in DEMO_FILES:
        written = (tmp_path / f"{name}.csv").read_bytes()
        assert written == (demo_source() / f"{name}.csv").read_bytes(), name


def test_ensure_demo_db_imports_once_and_then_leaves_the_database(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "demo.duckdb"
    assert ensure_demo_db(path) == path
    imported = load_dataset(path)
    assert imported.kpis.height == pl.read_csv(demo_source() / "kpis.csv").height
    # A change made in the demo (here: one check-in removed) survives the next start.
    with write_session(path) as con:
        con.execute("DELETE FROM checkins WHERE id = 'ci-00001'")
    assert ensure_demo_db(path) == path
    assert load_dataset(path).checkins.height == imported.checkins.height - 1
