"""Numbers for people: Korean and English units, separators, signs."""

from __future__ import annotations

import pytest

from goaltui.humanize import has_hangul, percent, plain, quantity, signed_change
from goaltui.i18n import use_language


@pytest.mark.parametrize(
    ("value", "unit", "korean", "english"),
    [
        (1_000_000_000, "KRW", "10억 원", "1B KRW"),
        (975_000_000, "KRW", "9.75억 원", "975M KRW"),
        (5_000, "KRW", "5,000원", "5,000 KRW"),
        (12_000, "count", "1.2만 건", "12k"),
        (30, "count", "30건", "30"),
        (80.88, "%", "80.9%", "80.9%"),
        (45, "days", "45일", "45 days"),
        (24, "hours", "24시간", "24 h"),
        (4.47, "score", "4.47점", "4.47 pts"),
        (1234.5, "visits", "1,234.5 visits", "1,234.5 visits"),
        (48_000, "명", "4.8만 명", "48,000 명"),
        (330, "곳", "330곳", "330 곳"),
        (123_000_000, "건", "1.23억 건", "123,000,000 건"),
        (7, None, "7", "7"),
    ],
)
def test_quantity(value: float, unit: str | None, korean: str, english: str) -> None:
    assert quantity(value, unit, korean=True) == korean
    assert quantity(value, unit, korean=False) == english


def test_missing_values_are_empty() -> None:
    assert quantity(None, "KRW") == ""
    assert percent(None) == ""
    assert signed_change(None, "count") == ""


def test_plain_and_signs(korean: None) -> None:
    assert plain(1234567.5) == "1,234,567.5"
    assert plain(-0.001) == "0"
    assert percent(1.0511) == "105%"
    assert signed_change(-2.5, "%") == "-2.5%p"
    assert signed_change(1200, "count") == "+1,200건"
    assert signed_change(0.0, "days") == "±0일"


def test_the_language_chooses_the_number_words_not_the_data(korean: None) -> None:
    assert quantity(50_000, "명") == "5만 명"
    use_language("en")
    assert quantity(50_000, "명") == "50,000 명"
    assert quantity(12_000, "count") == "12k"
    assert signed_change(1200, "count") == "+1,200"


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.998, "99.8%"), (0.9999, "99.9%"), (0.994, "99%"), (1.0, "100%"), (1.004, "100%")],
)
def test_a_percentage_below_target_never_reads_100(fraction: float, shown: str) -> None:
    # `missed` beside `100%` contradicts itself: the status is decided at exactly 100%.
    assert percent(fraction) == shown


def test_has_hangul() -> None:
    assert has_hangul("주식회사 허밍버즈")
    assert not has_hangul("Hummingbirds Inc.")
