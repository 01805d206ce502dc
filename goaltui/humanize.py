"""Numbers as people read them: `10억 원`, `1.2만 건`, `80%`, `45일`, with thousands separators.

Korean readers get Korean number words (억/만, 건, 일, 시간, 점; a goal's own Korean unit label
such as 명 or 곳 after 만/억 too); English readers get thousands separators and k/M/B. The
language is the one chosen for the command (goaltui.i18n), never guessed from the data.
"""

from __future__ import annotations

import math
import re

from goaltui.i18n import _, is_korean, ngettext

_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    """Whether `text` contains a Hangul syllable."""
    return _HANGUL.search(text) is not None


def plain(value: float, decimals: int = 2) -> str:
    """`1234567.5` -> `1,234,567.5`: thousands separators, at most `decimals` decimals, no
    trailing zeros."""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _korean_large(value: float, word: str) -> str:
    # Korean writes `10억 원` and `1.2만 건` but `30건` and `5,000원`.
    size = abs(value)
    if size >= 1e8:
        return f"{plain(value / 1e8)}억 {word}"
    if size >= 1e4:
        return f"{plain(value / 1e4, 1)}만 {word}"
    return f"{plain(value)}{word}"


def _english_large(value: float) -> str:
    size = abs(value)
    for limit, letter in ((1e9, "B"), (1e6, "M"), (1e4, "k")):
        if size >= limit:
            divisor = limit if letter != "k" else 1e3
            return f"{plain(value / divisor, 1)}{letter}"
    return plain(value)


KOREAN_SUFFIX = {"KRW": "원", "count": "건", "days": "일", "hours": "시간", "score": "점"}
"""The Korean word written after a value of each measure unit."""
_ENGLISH_SUFFIX = {"KRW": " KRW", "count": "", "days": " days", "hours": " h", "score": " pts"}


def _decimals(unit: str) -> int:
    # Scores live on short scales (4.3 of 5): a second decimal tells 4.47 from 4.5.
    return 2 if unit == "score" else 1


def quantity(value: float | None, unit: str | None, *, korean: bool | None = None) -> str:
    """A measured value with its unit, for people; an empty string for a missing value.
    `korean`: Korean number words; None (the default) follows the current language."""
    if value is None:
        return ""
    if korean is None:
        korean = is_korean()
    unit = unit or ""
    if unit == "%":
        return f"{plain(value, 1)}%"
    if korean:
        if unit in ("KRW", "count"):
            return _korean_large(value, KOREAN_SUFFIX[unit])
        if unit in KOREAN_SUFFIX:
            return f"{plain(value, _decimals(unit))}{KOREAN_SUFFIX[unit]}"
        if has_hangul(unit):
            # The goal's own counting word: `5만 명`, `330곳`.
            return _korean_large(value, unit)
    else:
        if unit in ("KRW", "count"):
            return f"{_english_large(value)}{_ENGLISH_SUFFIX[unit]}"
        if unit in _ENGLISH_SUFFIX:
            return f"{plain(value, _decimals(unit))}{_ENGLISH_SUFFIX[unit]}"
    return f"{plain(value)} {unit}".rstrip()


def percent(fraction: float | None, *, status: str | None = None) -> str:
    """`1.0512` -> `105%`; an empty string for a missing value. A fraction below 1 never reads
    `100%` (0.998 -> `99.8%`), so the figure never contradicts a status decided at 100%
    (`missed` beside `100%`). `status` is accepted for the callers that show one beside it."""
    if fraction is None:
        return ""
    shown = round(fraction * 100)
    if fraction < 1 and shown >= 100:
        return f"{math.floor(fraction * 1000) / 10:.1f}%"
    return f"{fraction * 100:,.0f}%"


def signed_change(change: float | None, unit: str | None, *, korean: bool | None = None) -> str:
    """A change against the previous period with its sign: `+1,200건`, `-3.5%p`... `` if none."""
    if change is None:
        return ""
    sign = "+" if change > 0 else "-" if change < 0 else "±"
    body = quantity(abs(change), unit, korean=korean)
    if unit == "%":
        body += "p"
    return f"{sign}{body}"


def counted(n: int, one: str, many: str | None = None) -> str:
    """`1 unit`, `1,969 check-ins`: a count with its noun, plural by default with an `s`."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def overdue_words(days_overdue: int) -> str:
    """How late a check-in is: `3 days overdue`, `1 day overdue`, `due today`, `due in 2 days`."""
    if days_overdue == 0:
        return _("due today")
    n = abs(days_overdue)
    if days_overdue > 0:
        return ngettext("{count} day overdue", "{count} days overdue", n).format(count=n)
    return ngettext("due in {count} day", "due in {count} days", n).format(count=n)
