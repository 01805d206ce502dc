"""The rule book's verdicts as a table: check-ins typed as text, and what every door (import,
`goaltui checkin`, the store, the check-in form) must answer. Goals are those of the store
sample: `rev` (KRW, sum), `conv` (%, ratio), `kr1` (%, last)."""

from __future__ import annotations

from dataclasses import dataclass, field

NUMBER = "is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"
CONTROL = "text may not hold control characters"
DATES = "is outside the dates goaltui takes (1900-01-01 to 2999-12-31)"
AS_OF = "2026-11-16"


@dataclass(frozen=True)
class Case:
    """One check-in as typed and its verdict: stored with `value`, or refused at `field`."""

    goal: str
    value: str
    more: dict[str, str] = field(default_factory=dict)
    """denominator, confidence, note or date as typed."""
    stored: float | None = None
    """The value stored when accepted."""
    field: str | None = None
    """The field refused (None: accepted)."""
    reason: str | None = None

    @property
    def id(self) -> str:
        extra = ",".join(f"{k}={v!r}" for k, v in self.more.items())
        return f"{self.goal}:{self.value!r}{':' + extra if extra else ''}"


def ok(goal: str, value: str, stored: float, **more: str) -> Case:
    return Case(goal, value, more, stored=stored)


def refused(goal: str, value: str, where: str, reason: str, **more: str) -> Case:
    return Case(goal, value, more, field=where, reason=reason)


CASES = [
    ok("rev", "1,250", 1250.0),
    ok("rev", "1250.5", 1250.5),
    ok("rev", "1,250.5", 1250.5),
    ok("rev", "14'500", 14500.0),
    ok("rev", "-3", -3.0),
    ok("rev", "1e3", 1000.0),
    ok("rev", "1e15", 1e15),
    ok("kr1", "73%", 73.0),
    ok("conv", "0", 0.0, denominator="0"),
    ok("conv", "9", 9.0, denominator="1,200"),
    ok("rev", "5", 5.0, confidence="7.5"),
    ok("rev", "5", 5.0, note="first line\nsecond line"),
    refused(
        "rev",
        "1,25",
        "value",
        "'1,25' is not a number: use . for decimals (e.g. 1.25); , only separates thousands "
        "(e.g. 1,250)",
    ),
    refused("rev", "12,34,5", "value", f"'12,34,5' {NUMBER}"),
    refused("rev", "1.250,5", "value", f"'1.250,5' {NUMBER}"),
    refused("rev", "abc", "value", f"'abc' {NUMBER}"),
    refused(
        "rev", "1_000", "value", "'1_000' is not a number: _ separates nothing; write 1000 or 1,000"
    ),
    refused("rev", "١٢٣", "value", "'١٢٣' is not a number: write its digits as 0-9"),
    refused("rev", "1e16", "value", "'1e16' is too large: numbers are at most 1e15 in size"),
    refused("rev", "1e308", "value", "'1e308' is too large: numbers are at most 1e15 in size"),
    refused("rev", "inf", "value", "'inf' is not a finite number"),
    refused("rev", "nan", "value", "'nan' is not a finite number"),
    refused(
        "rev",
        "73%",
        "value",
        "'73%' has a % sign, but the goal is not measured in %; write the number alone",
    ),
    refused(
        "conv",
        "73%",
        "value",
        "'73%' has a % sign, but the goal is not measured in %; write the number alone",
        denominator="100",
    ),
    refused(
        "conv",
        "5",
        "denominator",
        "0, but the value is 5 (nothing can be counted out of 0)",
        denominator="0",
    ),
    refused("conv", "5", "denominator", "'-1' is negative", denominator="-1"),
    refused("rev", "5", "confidence", "'11' is outside 0-10", confidence="11"),
    refused(
        "rev", "5", "note", f"holds a control character (U+001B, escape); {CONTROL}", note="\x1b[2J"
    ),
    refused("rev", "5", "note", f"holds a control character (U+0007); {CONTROL}", note="ding\x07"),
    refused("rev", "5", "date", "'2026-02-30' is not a date that exists", date="2026-02-30"),
    refused(
        "rev",
        "5",
        "date",
        "'20261101' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)",
        date="20261101",
    ),
    refused(
        "rev",
        "5",
        "date",
        "'2026-W45-1' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)",
        date="2026-W45-1",
    ),
    refused(
        "rev",
        "5",
        "date",
        "'+2026-01-01' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)",
        date="+2026-01-01",
    ),
    refused("rev", "5", "date", f"'0000-01-01' {DATES}", date="0000-01-01"),
    refused("rev", "5", "date", f"'0001-01-01' {DATES}", date="0001-01-01"),
]
"""Every case of the rule book's verdict table (docs/format.md, "Values")."""
