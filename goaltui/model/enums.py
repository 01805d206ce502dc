"""The closed vocabularies of the interchange format and of the arithmetic (DESIGN.md)."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from goaltui.i18n import N_, translated


class UnitKind(StrEnum):
    """Level of a unit in the organisation tree."""

    ORG = "org"
    TEAM = "team"
    PERSON = "person"


class Direction(StrEnum):
    """Which way is better for a goal."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Aggregation(StrEnum):
    """How the check-ins of one period combine into the period's actual."""

    SUM = "sum"
    MEAN = "mean"
    LAST = "last"
    MIN = "min"
    MAX = "max"
    RATIO = "ratio"


class PeriodUnit(StrEnum):
    """Length of a KPI's period."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class TargetMode(StrEnum):
    """`absolute`: the target is a value; `change_pct`: a % change on the previous actual."""

    ABSOLUTE = "absolute"
    CHANGE_PCT = "change_pct"


class Cadence(StrEnum):
    """How often a goal's owner checks in: the due date is the anchor plus one cadence."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


CADENCE_WORDS: dict[str, str] = {
    Cadence.WEEKLY: N_("weekly"),
    Cadence.BIWEEKLY: N_("biweekly"),
    Cadence.MONTHLY: N_("monthly"),
    Cadence.QUARTERLY: N_("quarterly"),
}
"""How each cadence reads for people (marked; `translated` where shown)."""


class Commitment(StrEnum):
    """`aspirational` objectives stretch; `committed` ones are expected to reach 1.0."""

    ASPIRATIONAL = "aspirational"
    COMMITTED = "committed"


@dataclass(frozen=True)
class StatusInfo:
    """One status a goal can have in a period, and everything shown for it."""

    id: str
    """The machine id (csv, json): never translated."""
    words: str
    """How it reads for people: a word, never a colour alone (English; `_(words)` where shown)."""
    variable: str
    """The app theme variable of its colour (the dashboard)."""
    style: str
    """Its colour in a plain terminal (the report's table)."""
    rank: int
    """Sort order by status, worst first."""


STATUS_TABLE: tuple[StatusInfo, ...] = (
    StatusInfo("met", N_("met"), "status-met", "green", 6),
    StatusInfo("missed", N_("missed"), "status-missed", "red", 1),
    StatusInfo("on_track", N_("on track"), "status-on-track", "green", 5),
    StatusInfo("at_risk", N_("at risk"), "status-at-risk", "yellow", 2),
    StatusInfo("off_track", N_("off track"), "status-off-track", "red", 0),
    StatusInfo("no_data", N_("no data"), "status-no-data", "dim", 4),
    StatusInfo("no_target", N_("no target"), "status-no-data", "dim", 3),
)
"""Every status, in the order reports list them: the one table the others derive from."""


AGGREGATION_WORDS: dict[str, str] = {
    Aggregation.SUM: N_("sum"),
    Aggregation.MEAN: N_("mean"),
    Aggregation.LAST: N_("last"),
    Aggregation.MIN: N_("min"),
    Aggregation.MAX: N_("max"),
    Aggregation.RATIO: N_("ratio"),
}
"""How each aggregation reads for people (marked; `translated` where shown)."""

PERIOD_UNIT_WORDS: dict[str, str] = {
    PeriodUnit.MONTH: N_("month"),
    PeriodUnit.QUARTER: N_("quarter"),
    PeriodUnit.YEAR: N_("year"),
}
"""How each period length reads for people (marked; `translated` where shown)."""


class _StatusWords(Mapping[str, str]):
    # Looked up when shown, so the words follow the language chosen after import.
    def __getitem__(self, status: str) -> str:
        return translated(_WORDS[status])

    def __iter__(self) -> Iterator[str]:
        return iter(_WORDS)

    def __len__(self) -> int:
        return len(_WORDS)


_WORDS = {s.id: s.words for s in STATUS_TABLE}
STATUS_WORDS: Mapping[str, str] = _StatusWords()
"""How each status reads for people (report, dashboard), in the current language."""
