"""Write the demo organisation, Hummingbirds Inc. (주식회사 허밍버즈), as interchange-format CSVs.

    python scripts/make_demo.py [OUT_DIR]      # default: data/demo next to this script's repo

Deterministic: the same code always writes byte-identical files (every random draw comes from a
generator seeded with a fixed text per goal, so editing one goal leaves the others' numbers alone).

Every example of the seed guide (/work/shared/seed/kpi-okr-guide.ko.txt) is here under the exact
name the guide gives it. The history runs from 2025-04-01 (full quarters) to the demo's as-of date,
and the current periods are designed so that every status occurs as of DEMO_AS_OF:

    elapsed of 2026-11 = 16/30, of 2026-Q4 = 47/92, of 2026 = 320/365
    on_track   분기 매출 (560M / (47/92) / 1,000M = 1.10), 문의 처리 완료율, 채용 소요 기간 ...
    at_risk    월 신규 계약 (14 / (16/30) / 30 = 0.875), 재계약률 (33/42 = 78.6%) ...
    off_track  월 신규 리드 (190 / (16/30) / 500 = 0.71), 반복 문의 (20 / (47/92) vs 30.4),
               수습 정규 전환율 (2/3) ...
    no_data    내부 만족도 설문 (the Q4 survey runs in December), a stale personal KPI
    no_target  뉴스레터 신규 구독자 수 (a change_pct KPI new in November: no previous month)

The golden cases 14-17 of golden-cases.md are in the history: repeat inquiries 50 -> 38
(2026-Q2 -> Q3), visitors 10,000 -> 11,400 (2026-08 -> 09), renewals 30/40 + 25/28 (2026-Q2) and
hires of 40, 52 and 47 days (2026-Q3).
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from goaltui.config import DEMO_AS_OF
from goaltui.model.enums import PeriodUnit
from goaltui.model.period import Period

AS_OF = DEMO_AS_OF
START = date(2025, 4, 1)
SEED = "hummingbirds-2026"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "demo"

MONTHS = [
    Period.containing(PeriodUnit.MONTH, START).shift(i)
    for i in range((AS_OF.year - START.year) * 12 + AS_OF.month - START.month + 1)
]
QUARTERS = sorted({Period.containing(PeriodUnit.QUARTER, m.start) for m in MONTHS})
CURRENT_MONTH = Period.containing(PeriodUnit.MONTH, AS_OF)

# Month-of-year factors: a slow January/February, the summer holidays, Chuseok in late
# September/October and a strong year-end.
SEASON = {
    1: 0.88,
    2: 0.92,
    3: 1.02,
    4: 1.0,
    5: 1.03,
    6: 1.04,
    7: 0.96,
    8: 0.93,
    9: 0.97,
    10: 0.99,
    11: 1.04,
    12: 1.12,
}


def rng_for(name: str) -> random.Random:
    """A generator of its own per goal: text seeds are hashed with SHA-512, not PYTHONHASHSEED."""
    return random.Random(f"{SEED}/{name}")


# ---------------------------------------------------------------------------------------------
# The organisation

UNITS: list[tuple[str, str, str | None, str]] = [
    ("hb", "주식회사 허밍버즈", None, "org"),
    ("sales", "영업팀", "hb", "team"),
    ("marketing", "마케팅팀", "hb", "team"),
    ("hr", "인사팀", "hb", "team"),
    ("cs", "고객지원팀", "hb", "team"),
    ("product", "제품팀", "hb", "team"),
    ("sales-kim", "김민준", "sales", "person"),
    ("sales-lee", "이서연", "sales", "person"),
    ("sales-park", "박지훈", "sales", "person"),
    ("marketing-choi", "최유진", "marketing", "person"),
    ("marketing-jung", "정하늘", "marketing", "person"),
    ("hr-kang", "강은지", "hr", "person"),
    ("hr-yoon", "윤태호", "hr", "person"),
    ("cs-han", "한지민", "cs", "person"),
    ("cs-lim", "임도현", "cs", "person"),
    ("cs-oh", "오수빈", "cs", "person"),
    ("product-seo", "서예린", "product", "person"),
    ("product-jang", "장민호", "product", "person"),
]
UNIT_NAMES = {unit_id: name for unit_id, name, _, _ in UNITS}


@dataclass(frozen=True)
class KpiRow:
    id: str
    unit_id: str
    name: str
    unit: str
    direction: str
    aggregation: str
    period: str
    target: float
    category: str
    target_mode: str = "absolute"
    parent_id: str | None = None
    description: str | None = None


# The tables below are data, one goal per entry: kept compact by hand rather than one argument
# per line.
# fmt: off
KPIS: list[KpiRow] = [
    # Organisation KPIs: the team KPIs cascade from these.
    KpiRow("hb-revenue", "hb", "연간 매출 40억 원 이상 달성", "KRW", "at_least", "sum", "year",
           4_000_000_000, "sales", description="월말에 영업팀 매출 합계를 입력합니다."),
    KpiRow("hb-customers", "hb", "연간 신규 고객 330곳 확보", "곳", "at_least", "sum", "year",
           330, "sales", description="월말에 신규 계약 고객 수를 입력합니다."),
    KpiRow("hb-talent", "hb", "핵심 인재 유지율 95% 이상", "%", "at_least", "last", "year", 95,
           "hr", description="분기 말 기준 핵심 인재 중 재직 중인 비율."),
    KpiRow("hb-csat", "hb", "고객 만족도 평균 4.5점 이상", "score", "at_least", "mean",
           "quarter", 4.5, "support", description="월별 CSAT 평균을 입력합니다."),
    KpiRow("hb-active-users", "hb", "월간 활성 사용자 5만 명 이상", "명", "at_least",
           "last", "month", 50_000, "product",
           description="매주 집계한 최근 30일 활성 사용자 수."),
    # 영업: the guide's four sales examples.
    KpiRow("sales-revenue", "sales", "분기 매출 10억 원 이상 달성", "KRW", "at_least", "sum",
           "quarter", 1_000_000_000, "sales", parent_id="hb-revenue",
           description="주 단위로 확정된 계약 매출을 입력합니다."),
    KpiRow("sales-contracts", "sales", "월 신규 계약 30건 이상 확보", "건", "at_least",
           "sum", "month", 30, "sales", parent_id="hb-customers"),
    KpiRow("sales-renewal", "sales", "기존 고객 재계약률 80% 이상 유지", "%", "at_least",
           "ratio", "quarter", 80, "sales", parent_id="hb-revenue",
           description="값 = 재계약한 고객 수, 분모 = 갱신 대상 고객 수."),
    KpiRow("sales-conversion", "sales", "영업 기회 대비 계약 전환율 20% 이상", "%",
           "at_least", "ratio", "month", 20, "sales", parent_id="hb-customers",
           description="값 = 계약 건수, 분모 = 영업 기회 수."),
    # 마케팅
    KpiRow("marketing-leads", "marketing", "월 신규 리드 500건 이상 확보", "건",
           "at_least", "sum", "month", 500, "marketing", parent_id="hb-customers"),
    KpiRow("marketing-campaign-conversion", "marketing", "주요 캠페인 전환율 3% 이상 유지",
           "%", "at_least", "ratio", "month", 3, "marketing", parent_id="hb-customers",
           description="값 = 전환 수, 분모 = 캠페인 유입 수."),
    KpiRow("marketing-visitors", "marketing",
           "웹사이트 방문자 수 전월 대비 20% 이상 증가", "명", "at_least", "sum", "month",
           20, "marketing", target_mode="change_pct", parent_id="hb-customers"),
    KpiRow("marketing-ad-inquiries", "marketing",
           "광고 집행 대비 문의 유입 수 분기 목표 달성", "건", "at_least", "sum",
           "quarter", 1200, "marketing", parent_id="hb-customers",
           description="분기 목표는 광고 예산에 맞춰 targets.csv에서 분기마다 정합니다."),
    # 인사
    KpiRow("hr-time-to-hire", "hr", "채용 소요 기간 평균 45일 이내", "days", "at_most",
           "mean", "quarter", 45, "hr", parent_id="hb-talent",
           description="입사 확정 때마다 공고 게시일부터 걸린 일수를 입력합니다."),
    KpiRow("hr-probation", "hr", "수습 종료 후 정규 전환율 90% 이상", "%", "at_least",
           "ratio", "quarter", 90, "hr", parent_id="hb-talent",
           description="값 = 정규 전환 인원, 분모 = 수습 종료 인원."),
    # Turnover is a rate over the whole year, which no aggregation of monthly leaver counts
    # states honestly mid-year: a `sum` of monthly rates is wrong, and a `ratio` (leavers over a
    # headcount entered once a year) reports the year-to-date share, which under-states the year
    # while the current period is judged on its actual, not a projection. So HR checks in, at
    # each month end, the annualised year-to-date rate (leavers so far / average headcount x
    # 12 / months elapsed) and the KPI takes the `last` one; in December it is the year's rate.
    KpiRow("hr-turnover", "hr", "연간 이직률 10% 이하 유지", "%", "at_most", "last", "year",
           10, "hr", parent_id="hb-talent",
           description="매월 말 연환산 누적 이직률(누적 퇴사자 / 평균 인원 x 12 / 경과 월수)."),
    KpiRow("hr-engagement", "hr", "내부 만족도 설문 평균 점수 4.3점 이상", "score",
           "at_least", "mean", "quarter", 4.3, "hr", parent_id="hb-talent",
           description="분기 마지막 달에 설문을 실시하고 팀별 평균 점수를 입력합니다."),
    # 고객지원
    KpiRow("cs-response-time", "cs", "고객 문의 평균 응답 시간 24시간 이내", "hours",
           "at_most", "mean", "month", 24, "support", parent_id="hb-csat"),
    KpiRow("cs-resolution", "cs", "문의 처리 완료율 95% 이상", "%", "at_least", "ratio",
           "month", 95, "support", parent_id="hb-csat",
           description="값 = 처리 완료 건수, 분모 = 접수 건수."),
    KpiRow("cs-repeat-inquiries", "cs",
           "동일 유형 반복 문의 발생 건수 전 분기 대비 20% 감소", "건", "at_most", "sum",
           "quarter", -20, "support", target_mode="change_pct", parent_id="hb-csat"),
    KpiRow("cs-csat", "cs", "고객 만족도(CSAT) 평균 4.5점 이상 유지", "score", "at_least",
           "mean", "month", 4.5, "support", parent_id="hb-csat"),
    # 제품: the indicators the OKR cascade's key results are measured by.
    KpiRow("product-retention-7d", "product", "신규 사용자 7일 유지율 40% 이상", "%",
           "at_least", "ratio", "month", 40, "product", parent_id="hb-active-users",
           description="값 = 가입 7일 후 재방문한 사용자, 분모 = 주간 가입 사용자."),
    KpiRow("product-core-feature", "product", "신규 가입 후 핵심 기능 도달률", "%",
           "at_least", "ratio", "month", 60, "product", parent_id="hb-active-users",
           description="값 = 핵심 기능에 도달한 신규 사용자, 분모 = 주간 가입 사용자."),
    KpiRow("product-onboarding", "product", "온보딩 완료율 70% 이상", "%", "at_least",
           "ratio", "month", 70, "product", parent_id="hb-active-users"),
    KpiRow("product-churn", "product", "신규 사용자 이탈률 40% 이하", "%", "at_most", "ratio",
           "month", 40, "product", parent_id="hb-active-users",
           description="값 = 가입 30일 안에 이탈한 사용자, 분모 = 가입 사용자."),
    # Personal KPIs cascade from their team's.
    KpiRow("sales-kim-contracts", "sales-kim", "월 신규 계약 건수 12건 이상", "건",
           "at_least", "sum", "month", 12, "sales", parent_id="sales-contracts"),
    KpiRow("sales-lee-contracts", "sales-lee", "월 신규 계약 건수 10건 이상", "건",
           "at_least", "sum", "month", 10, "sales", parent_id="sales-contracts"),
    KpiRow("marketing-choi-leads", "marketing-choi", "캠페인 리드 월 250건 이상 확보",
           "건", "at_least", "sum", "month", 250, "marketing",
           parent_id="marketing-leads"),
    KpiRow("cs-han-response-time", "cs-han", "담당 문의 평균 응답 시간 20시간 이내",
           "hours", "at_most", "mean", "month", 20, "support",
           parent_id="cs-response-time"),
    KpiRow("product-seo-screen-dropout", "product-seo", "온보딩 주요 화면 이탈률 30% 이하",
           "%", "at_most", "ratio", "month", 30, "product", parent_id="product-churn"),
    # A change_pct KPI started in November 2026: no previous month, so no target (status
    # no_target; quality rule `no-baseline`).
    KpiRow("marketing-jung-newsletter", "marketing-jung",
           "뉴스레터 신규 구독자 수 전월 대비 10% 이상 증가", "명", "at_least", "sum",
           "month", 10, "marketing", target_mode="change_pct", parent_id="marketing-leads",
           description="2026년 11월 신설 지표: 첫 달은 비교할 전월 실적이 없습니다."),
    # Deliberate quality findings (warnings): a personal KPI linked to nothing (`unlinked`) ...
    KpiRow("sales-park-meetings", "sales-park", "월 고객 미팅 40회 이상", "회",
           "at_least", "sum", "month", 40, "sales"),
    # ... and one nobody has checked in since August (`stale`; status no_data).
    KpiRow("cs-lim-help-articles", "cs-lim", "도움말 문서 월 10건 이상 작성", "건",
           "at_least", "sum", "month", 10, "support", parent_id="cs-repeat-inquiries"),
]

# How often each goal's owner checks in (empty: the default, monthly for KPIs and weekly for
# key results). The teams that measure every week check in weekly; the yearly figures and the
# month-end counts stay monthly, the engagement survey is quarterly. On the demo's date that
# leaves a due list worth reading: a lapsed person goal (cs-lim-help-articles), a yearly KPI
# last measured in September, two product key results behind, one of them more than twice its
# cadence late (so the product team sees it too), and a dozen weekly check-ins due in six days.
WEEKLY_TEAMS = ("sales", "marketing", "cs", "product")
CADENCES: dict[str, str] = {
    "cs-lim-help-articles": "weekly",
    "hr-time-to-hire": "biweekly",
    "hr-engagement": "quarterly",
}


def cadence_of(goal: KpiRow) -> str | None:
    """The cadence written for a KPI: CADENCES, else weekly for the weekly teams' monthly and
    quarterly KPIs, else empty (monthly)."""
    if goal.id in CADENCES:
        return CADENCES[goal.id]
    team = goal.unit_id.split("-")[0]
    if team in WEEKLY_TEAMS and goal.period in ("month", "quarter"):
        return "weekly"
    return None


TARGETS: list[tuple[str, str, float]] = [
    # The guide's "분기 목표": the inquiry target follows each quarter's advertising budget.
    ("marketing-ad-inquiries", "2025-Q2", 1000),
    ("marketing-ad-inquiries", "2025-Q3", 1100),
    ("marketing-ad-inquiries", "2026-Q1", 1250),
    ("marketing-ad-inquiries", "2026-Q2", 1300),
    ("marketing-ad-inquiries", "2026-Q3", 1400),
    ("marketing-ad-inquiries", "2026-Q4", 1500),
    # The organisation's annual KPIs started in April 2025: nine months of target that year.
    ("hb-revenue", "2025", 2_900_000_000),
    ("hb-customers", "2025", 240),
    # December's year-end push.
    ("sales-contracts", "2026-12", 35),
]
# fmt: on


@dataclass(frozen=True)
class ObjectiveRow:
    id: str
    unit_id: str
    title: str
    period: str
    parent_id: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class KeyResultRow:
    id: str
    objective_id: str
    title: str
    target: float
    unit: str | None = None
    direction: str | None = None
    aggregation: str | None = None
    target_mode: str = "absolute"
    baseline: float | None = None
    weight: float = 1.0
    kpi_id: str | None = None


# fmt: off
OBJECTIVES: list[ObjectiveRow] = [
    # The guide's cascade, 2026-Q4.
    ObjectiveRow("hb-2026q4", "hb", "신규 사용자가 실제 사용자로 빠르게 전환되는 구조를 만든다",
                 "2026-Q4", description="신규 사용자 이탈을 줄이고 초기 제품 경험을 개선한다."),
    ObjectiveRow("product-2026q4", "product",
                 "신규 사용자가 제품의 가치를 빠르게 이해하고 활용하도록 만든다", "2026-Q4",
                 parent_id="hb-2026q4"),
    ObjectiveRow("product-seo-2026q4", "product-seo",
                 "신규 사용자가 첫 방문에서 서비스 사용 흐름을 이해할 수 있도록 돕는다",
                 "2026-Q4", parent_id="product-2026q4"),
    # A deliberate quality finding: a number in the title and a single key result
    # (`objective-has-number`, `okr-kr-count`).
    ObjectiveRow("marketing-2026q4", "marketing", "4분기 신규 리드 1,500건 달성", "2026-Q4",
                 parent_id="hb-2026q4"),
    # Closed objectives of 2026-Q3: history of past OKRs.
    ObjectiveRow("hb-2026q3", "hb", "고객이 허밍버즈를 오래 쓰고 싶어지는 경험을 만든다",
                 "2026-Q3"),
    ObjectiveRow("sales-2026q3", "sales", "대형 고객사와의 장기 파트너십 기반을 다진다",
                 "2026-Q3", parent_id="hb-2026q3"),
    ObjectiveRow("cs-2026q3", "cs", "고객이 같은 문제로 다시 문의하지 않는 지원 경험을 만든다",
                 "2026-Q3", parent_id="hb-2026q3"),
    ObjectiveRow("product-2026q3", "product", "온보딩에서 신규 사용자가 멈추는 지점을 찾아낸다",
                 "2026-Q3", parent_id="hb-2026q3"),
]

KEY_RESULTS: list[KeyResultRow] = [
    # 조직 OKR: "전 분기 대비 15% 이상 개선" is a change_pct target on the KPI's previous quarter.
    KeyResultRow("hb-2026q4-kr1", "hb-2026q4",
                 "신규 사용자 7일 이내 유지율 전 분기 대비 15% 이상 개선", 15,
                 target_mode="change_pct", kpi_id="product-retention-7d"),
    # The guide repeats "60% 이상 달성" by mistake; written once here.
    KeyResultRow("hb-2026q4-kr2", "hb-2026q4", "신규 가입 후 핵심 기능 도달률 60% 이상 달성",
                 60, baseline=48, kpi_id="product-core-feature"),
    KeyResultRow("hb-2026q4-kr3", "hb-2026q4", "앱스토어 리뷰 평균 평점 4.5점 이상 유지", 4.5,
                 unit="score", direction="at_least", aggregation="last"),
    # 팀 OKR
    KeyResultRow("product-2026q4-kr1", "product-2026q4",
                 "신규 가입 후 7일 이내 핵심 기능 사용률 60% 이상 달성", 60, unit="%",
                 direction="at_least", aggregation="ratio", baseline=42),
    KeyResultRow("product-2026q4-kr2", "product-2026q4",
                 "온보딩 완료율 전 분기 대비 20% 개선", 20, target_mode="change_pct",
                 kpi_id="product-onboarding"),
    KeyResultRow("product-2026q4-kr3", "product-2026q4",
                 "신규 사용자 이탈률 전 분기 대비 15% 감소", -15, target_mode="change_pct",
                 kpi_id="product-churn"),
    # 개인 OKR: "분기 내 3건" and "월 1회" (three a quarter) are counts from 0.
    KeyResultRow("product-seo-2026q4-kr1", "product-seo-2026q4",
                 "온보딩 주요 화면 개선안 분기 내 3건 이상 제안 및 반영", 3, unit="건",
                 direction="at_least", aggregation="sum", baseline=0),
    KeyResultRow("product-seo-2026q4-kr2", "product-seo-2026q4",
                 "사용자 행동 데이터 분석 리포트 월 1회 공유", 3, unit="회",
                 direction="at_least", aggregation="sum", baseline=0),
    KeyResultRow("product-seo-2026q4-kr3", "product-seo-2026q4",
                 "개선 과제 적용 후 해당 화면 이탈률 10% 이상 감소", -10,
                 target_mode="change_pct", kpi_id="product-seo-screen-dropout"),
    # The one-KR marketing objective.
    KeyResultRow("marketing-2026q4-kr1", "marketing-2026q4",
                 "분기 신규 리드 1,500건 이상 확보", 1500, kpi_id="marketing-leads"),
    # 2026-Q3 (closed)
    KeyResultRow("hb-2026q3-kr1", "hb-2026q3", "기존 고객 재계약률 85% 이상 달성", 85,
                 kpi_id="sales-renewal"),
    KeyResultRow("hb-2026q3-kr2", "hb-2026q3", "고객 만족도(CSAT) 평균 4.6점 이상 달성", 4.6,
                 kpi_id="cs-csat"),
    KeyResultRow("sales-2026q3-kr1", "sales-2026q3", "연 계약 1억 원 이상 대형 고객 5곳 확보",
                 5, unit="곳", direction="at_least", aggregation="sum", baseline=0),
    KeyResultRow("sales-2026q3-kr2", "sales-2026q3", "대형 고객사 분기 리뷰 미팅 12회 진행",
                 12, unit="회", direction="at_least", aggregation="sum", baseline=0),
    KeyResultRow("cs-2026q3-kr1", "cs-2026q3", "반복 문의 상위 10개 유형 도움말 문서 정비",
                 10, unit="개", direction="at_least", aggregation="sum", baseline=0),
    KeyResultRow("cs-2026q3-kr2", "cs-2026q3", "분기 반복 문의 40건 이하로 감소", 40,
                 baseline=50, kpi_id="cs-repeat-inquiries"),
    KeyResultRow("product-2026q3-kr1", "product-2026q3",
                 "온보딩 단계별 이탈 분석 대시보드 구축", 1, unit="개",
                 direction="at_least", aggregation="sum", baseline=0),
    KeyResultRow("product-2026q3-kr2", "product-2026q3", "신규 사용자 심층 인터뷰 15건 진행",
                 15, unit="건", direction="at_least", aggregation="sum", baseline=0),
]

# Check-ins of the key results measured on their own: (goal, date, value, denominator,
# confidence, author, note).
KR_CHECKINS: list[tuple[str, date, float, float | None, int, str, str]] = [
    ("hb-2026q4-kr3", date(2026, 10, 8), 4.5, None, 7, "product-jang", "온보딩 개편 전 평점"),
    ("hb-2026q4-kr3", date(2026, 10, 22), 4.6, None, 7, "product-jang",
     "신규 튜토리얼 관련 긍정 리뷰 증가"),
    ("hb-2026q4-kr3", date(2026, 11, 12), 4.6, None, 8, "product-jang",
     "안드로이드 평점 안정화"),
    ("product-2026q4-kr1", date(2026, 10, 15), 95, 220, 5, "product-jang",
     "핵심 기능 안내 배너 실험 시작"),
    ("product-2026q4-kr1", date(2026, 10, 31), 100, 215, 4, "product-jang",
     "배너 효과가 기대보다 작음"),
    ("product-2026q4-kr1", date(2026, 11, 15), 104, 220, 4, "product-jang",
     "첫 실행 체크리스트로 방향 전환 검토"),
    ("product-seo-2026q4-kr1", date(2026, 10, 22), 1, None, 6, "product-seo",
     "회원가입 단계 축소안 반영"),
    ("product-seo-2026q4-kr2", date(2026, 10, 6), 1, None, 9, "product-seo",
     "9월 행동 데이터 리포트 공유"),
    ("product-seo-2026q4-kr2", date(2026, 11, 5), 1, None, 9, "product-seo",
     "10월 리포트: 두 번째 화면 이탈 집중"),
    # 2026-Q3 (closed)
    ("sales-2026q3-kr1", date(2026, 7, 20), 1, None, 6, "sales-kim", "제조 대기업 1곳 계약"),
    ("sales-2026q3-kr1", date(2026, 8, 28), 2, None, 6, "sales-kim",
     "유통사 2곳 연간 계약 체결"),
    ("sales-2026q3-kr1", date(2026, 9, 25), 1, None, 3, "sales-kim",
     "한 곳은 4분기로 계약 연기"),
    ("sales-2026q3-kr2", date(2026, 7, 31), 4, None, 7, "sales-lee", "7월 리뷰 미팅"),
    ("sales-2026q3-kr2", date(2026, 8, 31), 4, None, 8, "sales-lee", "8월 리뷰 미팅"),
    ("sales-2026q3-kr2", date(2026, 9, 30), 5, None, 9, "sales-lee", "9월 리뷰 미팅"),
    ("cs-2026q3-kr1", date(2026, 7, 31), 3, None, 7, "cs-lim", "결제 오류 문서 3건 정비"),
    ("cs-2026q3-kr1", date(2026, 8, 31), 4, None, 8, "cs-lim", "계정 관련 문서 4건 정비"),
    ("cs-2026q3-kr1", date(2026, 9, 30), 3, None, 9, "cs-lim", "나머지 3개 유형 완료"),
    ("product-2026q3-kr1", date(2026, 8, 14), 1, None, 9, "product-jang", "대시보드 배포"),
    ("product-2026q3-kr2", date(2026, 7, 31), 5, None, 6, "product-seo", "7월 인터뷰 5건"),
    ("product-2026q3-kr2", date(2026, 8, 31), 4, None, 5, "product-seo", "8월 인터뷰 4건"),
    ("product-2026q3-kr2", date(2026, 9, 30), 3, None, 3, "product-seo",
     "추석 연휴로 인터뷰 일정 지연"),
]
# fmt: on


# ---------------------------------------------------------------------------------------------
# Check-ins


@dataclass
class Checkin:
    key: str
    goal_id: str
    date: date
    value: float | None
    recorded_at: datetime
    denominator: float | None = None
    confidence: float | None = None
    note: str | None = None
    author: str | None = None
    supersedes: str | None = None


@dataclass
class Book:
    """The check-ins being written; `key` ties corrections to the rows they correct before
    the final ids are handed out in order of entry."""

    rows: list[Checkin] = field(default_factory=list)

    def add(
        self,
        goal_id: str,
        day: date,
        value: float | None,
        *,
        author: str,
        denominator: float | None = None,
        confidence: float | None = None,
        note: str | None = None,
        supersedes: str | None = None,
        recorded_at: datetime | None = None,
    ) -> str:
        key = f"{goal_id}/{len(self.rows)}"
        if recorded_at is None:
            # Entered at the end of the working day it is for; a fixed minute per goal and day
            # keeps the entries of one evening in a stable order.
            minute = (sum(map(ord, goal_id)) + day.toordinal()) % 50
            recorded_at = datetime.combine(day, time(17, 5 + minute))
        self.rows.append(
            Checkin(
                key,
                goal_id,
                day,
                value,
                recorded_at,
                denominator,
                confidence,
                note,
                author,
                supersedes,
            )
        )
        return key

    def find(self, goal_id: str, day: date) -> Checkin:
        return next(r for r in self.rows if r.goal_id == goal_id and r.date == day)

    def effective(self, goal_id: str, period: Period) -> list[float]:
        """The values that count for a goal in a period: corrected and retracted rows left out."""
        superseded = {r.supersedes for r in self.rows if r.supersedes}
        return [
            r.value
            for r in self.rows
            if r.goal_id == goal_id
            and period.contains(r.date)
            and r.key not in superseded
            and r.value is not None
        ]


def weekly_dates(period: Period) -> list[date]:
    """The weekly check-in days of a period (8th, 15th, 22nd and month end) up to as-of."""
    days: list[date] = []
    month = Period.containing(PeriodUnit.MONTH, period.start)
    while month.start <= period.end:
        for day in (8, 15, 22):
            days.append(date(month.year, month.number, day))
        days.append(month.end)
        month = month.next()
    return [d for d in days if d <= AS_OF]


def split_total(total: int, parts: int, rng: random.Random, step: int = 1) -> list[int]:
    """`total` (a multiple of `step`) as `parts` uneven multiples of `step` that add up exactly."""
    weights = [rng.uniform(0.75, 1.25) for _ in range(parts)]
    scale = sum(weights)
    shares = [int(total / step * w / scale) * step for w in weights[:-1]]
    return [*shares, total - sum(shares)]


def trend(period: Period, per_month: float) -> float:
    """Growth since April 2025 at `per_month` (0.01 = 1% a month)."""
    months = (period.start.year - START.year) * 12 + period.start.month - START.month
    return 1 + per_month * months


def sum_series(
    book: Book,
    goal_id: str,
    periods: Iterable[Period],
    totals: Callable[[Period, random.Random], int],
    authors: Sequence[str],
    *,
    step: int = 1,
    fixed: dict[str, Sequence[int]] | None = None,
) -> None:
    """Weekly check-ins of a `sum` goal whose period totals come from `totals` (for the current
    period: the total so far); `fixed` gives the exact weekly values of chosen periods."""
    rng = rng_for(goal_id)
    for period in periods:
        days = weekly_dates(period)
        if not days:
            continue
        if fixed and period.label in fixed:
            values = list(fixed[period.label])
        else:
            values = split_total(totals(period, rng), len(days), rng, step)
        for i, (day, value) in enumerate(zip(days, values, strict=True)):
            book.add(goal_id, day, value, author=authors[i % len(authors)])


def ratio_series(
    book: Book,
    goal_id: str,
    rate: Callable[[Period], float],
    denominator: Callable[[Period, random.Random], int],
    authors: Sequence[str],
    *,
    fixed: dict[str, Sequence[tuple[int, int]]] | None = None,
) -> None:
    """Weekly check-ins of a monthly `ratio` goal: value = round(denominator x rate +- noise);
    `fixed` gives exact (value, denominator) pairs of chosen months."""
    rng = rng_for(goal_id)
    for month in MONTHS:
        days = weekly_dates(month)
        if fixed and month.label in fixed:
            pairs = list(fixed[month.label])
        else:
            pairs = []
            for _ in days:
                den = denominator(month, rng)
                share = rate(month) * rng.uniform(0.95, 1.05) / 100
                pairs.append((round(den * share), den))
        for i, (day, (value, den)) in enumerate(zip(days, pairs, strict=True)):
            book.add(goal_id, day, value, denominator=den, author=authors[i % len(authors)])


def mean_series(
    book: Book,
    goal_id: str,
    level: Callable[[Period], float],
    spread: float,
    digits: int,
    authors: Sequence[str],
    *,
    fixed: dict[str, Sequence[float]] | None = None,
) -> None:
    """Weekly check-ins of a monthly `mean` goal around `level`; `fixed` as above."""
    rng = rng_for(goal_id)
    for month in MONTHS:
        days = weekly_dates(month)
        if fixed and month.label in fixed:
            values = list(fixed[month.label])
        else:
            values = [round(level(month) + rng.uniform(-spread, spread), digits) for _ in days]
        for i, (day, value) in enumerate(zip(days, values, strict=True)):
            book.add(goal_id, day, value, author=authors[i % len(authors)])


def by_label(table: dict[str, float]) -> Callable[[Period], float]:
    return lambda period: table[period.label]


def sales(book: Book) -> None:
    team = ["sales-kim", "sales-lee", "sales-park"]
    # Quarterly revenue in millions of KRW: missed, missed, met, missed, met, met; 2026-Q4 so
    # far 560 (pace 560 / (47/92) / 1,000 = 1.10, on_track).
    revenue = {
        "2025-Q2": 920,
        "2025-Q3": 960,
        "2025-Q4": 1120,
        "2026-Q1": 880,
        "2026-Q2": 1030,
        "2026-Q3": 1060,
        "2026-Q4": 560,
    }
    sum_series(
        book,
        "sales-revenue",
        QUARTERS,
        lambda q, _: revenue[q.label] * 1_000_000,
        ["sales-kim"],
        step=100_000,
    )
    # A wrong digit, corrected two days later.
    wrong = book.find("sales-revenue", date(2025, 11, 15))
    book.add(
        "sales-revenue",
        wrong.date,
        wrong.value,
        author="sales-kim",
        supersedes=wrong.key,
        note="금액 자릿수 오입력 정정",
        recorded_at=datetime(2025, 11, 17, 9, 40),
    )
    wrong.value = (wrong.value or 0) * 10

    # New contracts per month; November so far 6 + 8 = 14 (pace 14 / (16/30) / 30 = 0.875).
    def contracts(month: Period, rng: random.Random) -> int:
        return round(29 * SEASON[month.number] * trend(month, 0.004) + rng.uniform(-3, 3))

    sum_series(book, "sales-contracts", MONTHS, contracts, team, fixed={"2026-11": [6, 8]})
    # Conversion: the same weekly contracts over the week's opportunities; November
    # 14 / 65 = 21.5% (on_track).
    rng = rng_for("sales-conversion")
    for row in [r for r in book.rows if r.goal_id == "sales-contracts"]:
        won = int(row.value or 0)
        if CURRENT_MONTH.contains(row.date):
            opportunities = {8: 28, 15: 37}[row.date.day]
        else:
            opportunities = max(won, round(won / rng.uniform(0.165, 0.235)))
        book.add(
            "sales-conversion",
            row.date,
            won,
            denominator=opportunities,
            author=row.author or "sales-kim",
        )

    # Renewals: checked in mid-quarter and at quarter end (value renewed, denominator due).
    # 2026-Q2 is golden case 16 (30/40 + 25/28 = 80.88%); 2026-Q4 so far 33/42 = 78.6%.
    renewals = {
        "2025-Q2": [(27, 35), (24, 29)],
        "2025-Q3": [(29, 38), (21, 27)],
        "2025-Q4": [(35, 41), (28, 33)],
        "2026-Q1": [(22, 30), (26, 33)],
        "2026-Q2": [(30, 40), (25, 28)],
        "2026-Q3": [(31, 37), (27, 35)],
        "2026-Q4": [(33, 42)],
    }
    for quarter in QUARTERS:
        middle = quarter.start.replace(month=quarter.start.month + 1, day=15)
        for day, (renewed, due) in zip(
            [middle, quarter.end], renewals[quarter.label], strict=False
        ):
            book.add("sales-renewal", day, renewed, denominator=due, author="sales-lee")

    # Personal contracts: about 40% and 33% of the team's.
    def personal(share: float) -> Callable[[Period, random.Random], int]:
        return lambda m, rng: round(29 * share * SEASON[m.number] + rng.uniform(-2, 2))

    sum_series(
        book, "sales-kim-contracts", MONTHS, personal(0.4), ["sales-kim"], fixed={"2026-11": [3, 4]}
    )
    sum_series(
        book,
        "sales-lee-contracts",
        MONTHS,
        personal(0.34),
        ["sales-lee"],
        fixed={"2026-11": [3, 4]},
    )
    sum_series(
        book,
        "sales-park-meetings",
        MONTHS,
        lambda m, rng: round(41 * SEASON[m.number] + rng.uniform(-5, 5)),
        ["sales-park"],
        fixed={"2026-11": [8, 9]},
    )

    # Organisation KPIs from the team's figures, entered at each month end.
    for month in MONTHS:
        if month.end > AS_OF:
            continue
        book.add(
            "hb-revenue", month.end, sum(book.effective("sales-revenue", month)), author="sales-kim"
        )
        book.add(
            "hb-customers",
            month.end,
            sum(book.effective("sales-contracts", month)),
            author="sales-kim",
        )


def marketing(book: Book) -> None:
    team = ["marketing-choi", "marketing-jung"]

    # Leads; November so far 90 + 100 = 190 (pace 190 / (16/30) / 500 = 0.71, off_track).
    def leads(month: Period, rng: random.Random) -> int:
        return round(480 * SEASON[month.number] * trend(month, 0.005) + rng.uniform(-30, 30))

    sum_series(book, "marketing-leads", MONTHS, leads, team, fixed={"2026-11": [90, 100]})
    sum_series(
        book,
        "marketing-choi-leads",
        MONTHS,
        lambda m, rng: round(leads(m, rng) * 0.5),
        ["marketing-choi"],
        fixed={"2026-11": [50, 45]},
    )
    # An entry made twice, and the duplicate retracted.
    first = book.find("marketing-leads", date(2026, 3, 22))
    duplicate = book.add(
        "marketing-leads",
        first.date,
        first.value,
        author="marketing-jung",
        recorded_at=first.recorded_at + timedelta(minutes=3),
    )
    book.add(
        "marketing-leads",
        first.date,
        None,
        author="marketing-jung",
        supersedes=duplicate,
        note="중복 입력 취소",
        recorded_at=datetime(2026, 3, 23, 10, 12),
    )

    # Campaign conversion (value conversions, denominator campaign visits); November 3.2%.
    ratio_series(
        book,
        "marketing-campaign-conversion",
        lambda m: 2.85 + (m.number % 4) * 0.12,
        lambda m, rng: round(1300 * SEASON[m.number] + rng.uniform(-150, 150)),
        team,
        fixed={"2026-11": [(40, 1300), (45, 1350)]},
    )

    # Visitors against the previous month (+20%). 2026-08 -> 09 is golden case 15 (10,000 ->
    # 11,400, target 12,000, missed); November so far 6,000 against 10,900 x 1.2 (at_risk).
    visitors = {
        "2025-04": 6200,
        "2025-05": 6900,
        "2025-06": 8400,
        "2025-07": 8100,
        "2025-08": 7600,
        "2025-09": 9300,
        "2025-10": 9800,
        "2025-11": 10400,
        "2025-12": 9100,
        "2026-01": 8200,
        "2026-02": 8900,
        "2026-03": 10900,
        "2026-04": 10300,
        "2026-05": 10800,
        "2026-06": 11200,
        "2026-07": 9500,
        "2026-08": 10000,
        "2026-09": 11400,
        "2026-10": 10900,
    }
    sum_series(
        book,
        "marketing-visitors",
        [m for m in MONTHS if m.label in visitors],
        lambda m, _: visitors[m.label],
        team,
        step=10,
    )
    book.add("marketing-visitors", date(2026, 11, 8), 2900, author="marketing-jung")
    book.add(
        "marketing-visitors",
        date(2026, 11, 15),
        3100,
        author="marketing-jung",
        note="블프 캠페인 랜딩 페이지 공개 후 유입 증가",
    )
    book.add(
        "marketing-jung-newsletter",
        date(2026, 11, 8),
        120,
        author="marketing-jung",
        note="뉴스레터 구독 폼 개편 첫 주",
    )
    book.add("marketing-jung-newsletter", date(2026, 11, 15), 140, author="marketing-jung")

    # Inquiries from advertising against each quarter's target (targets.csv); 2026-Q4 so far
    # 640 (pace 640 / (47/92) / 1,500 = 0.84, at_risk).
    inquiries = {
        "2025-Q2": 1040,
        "2025-Q3": 1020,
        "2025-Q4": 1260,
        "2026-Q1": 1180,
        "2026-Q2": 1350,
        "2026-Q3": 1370,
        "2026-Q4": 640,
    }
    sum_series(
        book,
        "marketing-ad-inquiries",
        QUARTERS,
        lambda q, _: inquiries[q.label],
        ["marketing-choi"],
    )


def hr(book: Book) -> None:
    # Days each hire took. 2026-Q3 is golden case 17 (40, 52, 47: mean 46.33, missed); 2026-Q4
    # so far 38 and 44 (mean 41, on_track).
    hires = [
        (date(2025, 5, 12), 48, "백엔드 개발자"),
        (date(2025, 6, 20), 41, "영업 매니저"),
        (date(2025, 7, 9), 39, "CS 상담사"),
        (date(2025, 8, 4), 44, "마케터"),
        (date(2025, 8, 27), 50, "데이터 분석가"),
        (date(2025, 9, 18), 43, "CS 상담사"),
        (date(2025, 10, 30), 51, "프로덕트 디자이너"),
        (date(2025, 12, 3), 47, "영업 매니저"),
        (date(2026, 1, 26), 42, "프론트엔드 개발자"),
        (date(2026, 2, 16), 38, "CS 상담사"),
        (date(2026, 3, 23), 46, "인사 담당자"),
        (date(2026, 4, 13), 50, "백엔드 개발자"),
        (date(2026, 5, 11), 44, "마케터"),
        (date(2026, 6, 22), 49, "영업 매니저"),
        (date(2026, 7, 14), 40, "CS 상담사"),
        (date(2026, 8, 19), 52, "데이터 엔지니어"),
        (date(2026, 9, 16), 47, "프로덕트 매니저"),
        (date(2026, 10, 24), 38, "마케터"),
        (date(2026, 11, 12), 44, "백엔드 개발자"),
    ]
    for day, days_taken, role in hires:
        book.add("hr-time-to-hire", day, days_taken, author="hr-kang", note=f"{role} 채용")
    # The March hire was first entered from the offer date, then recounted.
    wrong = book.find("hr-time-to-hire", date(2026, 3, 23))
    wrong.value = 64
    book.add(
        "hr-time-to-hire",
        wrong.date,
        46,
        author="hr-kang",
        supersedes=wrong.key,
        note="공고 게시일 기준으로 재산정",
        recorded_at=datetime(2026, 3, 25, 14, 20),
    )

    # Probation ends (value converted, denominator ended), at month ends; 2026-Q4 so far 2/3.
    probation = {
        "2025-06": (3, 3),
        "2025-08": (2, 3),
        "2025-09": (2, 2),
        "2025-11": (1, 1),
        "2025-12": (1, 1),
        "2026-02": (2, 2),
        "2026-03": (1, 1),
        "2026-04": (2, 3),
        "2026-06": (3, 3),
        "2026-07": (1, 1),
        "2026-09": (3, 3),
        "2026-10": (2, 3),
    }
    for month in MONTHS:
        if month.label in probation:
            converted, ended = probation[month.label]
            book.add("hr-probation", month.end, converted, denominator=ended, author="hr-yoon")

    # Annualised year-to-date turnover (see the KPI's comment); 2025 ends at 11.4% (missed),
    # 2026 stands at 9.4% after October (on_track).
    turnover = [
        8.2,
        9.1,
        10.3,
        10.8,
        10.1,
        10.6,
        11.0,
        11.2,
        11.4,
        6.0,
        7.4,
        8.8,
        9.9,
        9.5,
        9.8,
        10.2,
        9.7,
        9.6,
        9.4,
    ]
    ends = [m.end for m in MONTHS if m.end <= AS_OF]
    for day, rate in zip(ends, turnover, strict=True):
        book.add("hr-turnover", day, rate, author="hr-kang")
    # Key-talent retention at quarter ends; 2026 so far 94.1% (at_risk).
    talent = [96.0, 94.5, 93.8, 96.2, 95.4, 94.1]
    quarter_ends = [q.end for q in QUARTERS if q.end <= AS_OF]
    for day, rate in zip(quarter_ends, talent, strict=True):
        book.add("hb-talent", day, rate, author="hr-kang")

    # The engagement survey runs in the last month of each quarter: one mean per team. 2026-Q4's
    # survey is in December, so the quarter has no data yet.
    engagement = {
        "2025-Q2": 4.12,
        "2025-Q3": 4.24,
        "2025-Q4": 4.36,
        "2026-Q1": 4.41,
        "2026-Q2": 4.27,
        "2026-Q3": 4.36,
    }
    rng = rng_for("hr-engagement")
    for quarter in QUARTERS:
        if quarter.label not in engagement:
            continue
        day = quarter.end.replace(day=20)
        offsets = [round(rng.uniform(-0.25, 0.25), 2) for _ in range(4)]
        scores = [engagement[quarter.label] + o for o in offsets]
        scores.append(round(engagement[quarter.label] * 5 - sum(scores), 2))
        for team, score in zip(["sales", "marketing", "hr", "cs", "product"], scores, strict=True):
            book.add(
                "hr-engagement",
                day,
                round(score, 2),
                author="hr-yoon",
                note=f"{UNIT_NAMES[team]} 설문 평균",
            )


def support(book: Book) -> None:
    team = ["cs-han", "cs-lim", "cs-oh"]
    # Response time in hours: worse in January and around Chuseok. November 27.0 and 26.0
    # (mean 26.5, achievement 2 - 26.5/24 = 0.90, at_risk).
    mean_series(
        book,
        "cs-response-time",
        lambda m: 22.0 + 4.5 * (m.number in (1, 9, 10)),
        3.0,
        1,
        team,
        fixed={"2026-11": [27.0, 26.0]},
    )
    mean_series(
        book,
        "cs-han-response-time",
        lambda m: 19.0 + (m.number in (1, 9, 10)) * 3.5,
        2.5,
        1,
        ["cs-han"],
    )
    # Completion (value resolved, denominator received); November 595/613 = 97.1% (on_track).
    ratio_series(
        book,
        "cs-resolution",
        lambda m: 95.2 - (m.number in (1, 9, 10)) * 2.2,
        lambda m, rng: round(300 * SEASON[m.number] + rng.uniform(-30, 30)),
        team,
        fixed={"2026-11": [(290, 298), (305, 315)]},
    )
    # Repeat inquiries per quarter against -20% on the previous one. 2026-Q2 -> Q3 is golden
    # case 14 (50 -> 38, target 40, met). 2026-Q4 so far 20: the projection 20 / (47/92) = 39
    # against the target 30.4 is off_track.
    repeats = {
        "2025-Q2": 72,
        "2025-Q3": 68,
        "2025-Q4": 61,
        "2026-Q1": 64,
        "2026-Q2": 50,
        "2026-Q3": 38,
        "2026-Q4": 20,
    }
    sum_series(book, "cs-repeat-inquiries", QUARTERS, lambda q, _: repeats[q.label], ["cs-oh"])
    # CSAT; October about 4.56 on average (the organisation's Q4 so far), November 4.65 (on_track).
    mean_series(
        book,
        "cs-csat",
        lambda m: 4.52 + (SEASON[m.number] - 1) * 0.5,
        0.12,
        2,
        team,
        fixed={"2026-10": [4.6, 4.5, 4.55, 4.61], "2026-11": [4.6, 4.7]},
    )
    wrong = book.find("cs-csat", date(2026, 2, 15))
    book.add(
        "cs-csat",
        wrong.date,
        wrong.value,
        author="cs-han",
        supersedes=wrong.key,
        note="설문 응답 중복 집계 수정",
        recorded_at=datetime(2026, 2, 18, 11, 5),
    )
    wrong.value = 3.9
    # The organisation's CSAT: each month's mean, at month end.
    for month in MONTHS:
        if month.end > AS_OF:
            continue
        scores = book.effective("cs-csat", month)
        book.add("hb-csat", month.end, round(sum(scores) / len(scores), 2), author="cs-han")
    # Help articles, written until August; nobody has checked in since (stale).
    sum_series(
        book,
        "cs-lim-help-articles",
        [m for m in MONTHS if m.end <= date(2026, 8, 31)],
        lambda m, rng: rng.randint(8, 13),
        ["cs-lim"],
    )


def product(book: Book) -> None:
    team = ["product-seo", "product-jang"]

    def signups(month: Period, rng: random.Random) -> int:
        return round(1300 * SEASON[month.number] * trend(month, 0.01) + rng.uniform(-120, 120))

    # 7-day retention: about 34% in 2026-Q3, then better onboarding lifts it (org KR1: target
    # Q3 x 1.15, at_risk).
    retention = {m.label: 31.0 + i * 0.2 for i, m in enumerate(MONTHS)}
    retention.update(
        {"2026-07": 34.0, "2026-08": 33.8, "2026-09": 34.2, "2026-10": 37.0, "2026-11": 38.0}
    )
    ratio_series(book, "product-retention-7d", by_label(retention), signups, team)
    # Reaching the core feature: 48% in Q3, 53-55% in Q4 (org KR2 at_risk).
    core = {m.label: 44.0 + i * 0.25 for i, m in enumerate(MONTHS)}
    core.update({"2026-10": 53.0, "2026-11": 55.0})
    ratio_series(book, "product-core-feature", by_label(core), signups, team)
    # Onboarding completion: 55% in Q3, 60-63% in Q4 (team KR2 against 66%: at_risk).
    onboarding = {m.label: 52.0 + i * 0.15 for i, m in enumerate(MONTHS)}
    onboarding.update(
        {"2026-07": 55.0, "2026-08": 55.0, "2026-09": 55.0, "2026-10": 60.0, "2026-11": 63.0}
    )
    ratio_series(book, "product-onboarding", by_label(onboarding), signups, team)
    # Churn within 30 days: 40% in Q3, 37% then 34% in Q4 (team KR3 against 34%: at_risk).
    churn = {m.label: 43.0 - i * 0.15 for i, m in enumerate(MONTHS)}
    churn.update(
        {"2026-07": 40.0, "2026-08": 40.0, "2026-09": 40.0, "2026-10": 37.0, "2026-11": 34.0}
    )
    ratio_series(book, "product-churn", by_label(churn), signups, team)
    # Drop-off on the main onboarding screen: 42% in Q3; Q4 improving.
    dropout = {m.label: 45.0 - i * 0.1 for i, m in enumerate(MONTHS)}
    dropout.update(
        {"2026-07": 42.0, "2026-08": 42.0, "2026-09": 42.0, "2026-10": 39.0, "2026-11": 33.0}
    )
    ratio_series(book, "product-seo-screen-dropout", by_label(dropout), signups, ["product-seo"])
    # Monthly active users, weekly; a dip after the long Chuseok weekend (November 47,800).
    rng = rng_for("hb-active-users")
    for i, month in enumerate(MONTHS):
        for j, day in enumerate(weekly_dates(month)):
            level = 32_000 + 900 * i + 200 * j + rng.uniform(-600, 600)
            if month.label in ("2026-09", "2026-10"):
                level = 50_600 + 150 * j + rng.uniform(-100, 100)
            if month.label == "2026-11":
                level = [48_900, 47_800][j]
            book.add("hb-active-users", day, round(level, -1), author="product-jang")


def key_results(book: Book) -> None:
    """Check-ins of the key results with their own measurements, with confidence and notes."""
    for goal_id, day, value, denominator, confidence, author, note in KR_CHECKINS:
        book.add(
            goal_id,
            day,
            value,
            denominator=denominator,
            confidence=confidence,
            author=author,
            note=note,
        )


# ---------------------------------------------------------------------------------------------
# Writing


def number(value: float | None) -> str:
    """A plain decimal: integers without a fraction, others to at most 4 places."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number(value)
    return str(value)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([text(v) for v in row])


def build_checkins() -> list[Checkin]:
    book = Book()
    sales(book)
    marketing(book)
    hr(book)
    support(book)
    product(book)
    key_results(book)
    rows = [r for r in book.rows if r.date <= AS_OF]
    rows.sort(key=lambda r: (r.recorded_at, r.goal_id, r.date, r.key))
    return rows


def write_demo(out: Path) -> None:
    """Write the six CSV files of the demo organisation into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "units.csv", ["id", "name", "parent_id", "kind"], UNITS)
    write_csv(
        out / "kpis.csv",
        [
            "id",
            "unit_id",
            "name",
            "unit",
            "direction",
            "aggregation",
            "period",
            "target_mode",
            "target",
            "parent_id",
            "category",
            "description",
            "cadence",
        ],
        (
            [
                k.id,
                k.unit_id,
                k.name,
                k.unit,
                k.direction,
                k.aggregation,
                k.period,
                k.target_mode,
                float(k.target),
                k.parent_id,
                k.category,
                k.description,
                cadence_of(k),
            ]
            for k in KPIS
        ),
    )
    write_csv(
        out / "objectives.csv",
        ["id", "unit_id", "title", "period", "parent_id", "description"],
        ([o.id, o.unit_id, o.title, o.period, o.parent_id, o.description] for o in OBJECTIVES),
    )
    write_csv(
        out / "key_results.csv",
        [
            "id",
            "objective_id",
            "title",
            "unit",
            "direction",
            "aggregation",
            "target_mode",
            "target",
            "baseline",
            "weight",
            "kpi_id",
        ],
        (
            [
                k.id,
                k.objective_id,
                k.title,
                k.unit,
                k.direction,
                k.aggregation,
                k.target_mode,
                float(k.target),
                k.baseline,
                k.weight,
                k.kpi_id,
            ]
            for k in KEY_RESULTS
        ),
    )
    rows = build_checkins()
    ids = {r.key: f"ci-{i:05d}" for i, r in enumerate(rows, start=1)}
    write_csv(
        out / "checkins.csv",
        [
            "id",
            "goal_id",
            "date",
            "value",
            "denominator",
            "confidence",
            "note",
            "author",
            "supersedes",
            "recorded_at",
        ],
        (
            [
                ids[r.key],
                r.goal_id,
                r.date.isoformat(),
                None if r.value is None else float(r.value),
                None if r.denominator is None else float(r.denominator),
                None if r.confidence is None else float(r.confidence),
                r.note,
                r.author,
                ids[r.supersedes] if r.supersedes else None,
                r.recorded_at.isoformat(timespec="seconds"),
            ]
            for r in rows
        ),
    )
    write_csv(
        out / "targets.csv",
        ["goal_id", "period", "target"],
        ([g, p, float(t)] for g, p, t in TARGETS),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print(__doc__)
        return 0 if args and args[0] in ("-h", "--help") else 2
    out = Path(args[0]) if args else DEFAULT_OUT
    write_demo(out)
    print(f"wrote the demo organisation to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
