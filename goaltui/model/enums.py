"""The closed vocabularies of the interchange format and of the arithmetic (DESIGN.md)."""

from enum import StrEnum


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


class Commitment(StrEnum):
    """`aspirational` objectives stretch; `committed` ones are expected to reach 1.0."""

    ASPIRATIONAL = "aspirational"
    COMMITTED = "committed"


class GoalKind(StrEnum):
    """The two kinds of measurable goal, and objectives as report rows."""

    KPI = "kpi"
    KR = "kr"
    OBJECTIVE = "objective"


class Status(StrEnum):
    """Status of a goal in one period."""

    MET = "met"
    MISSED = "missed"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"


class Band(StrEnum):
    """Colour band of an OKR score: >= 0.7 green, >= 0.4 yellow, else red."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


STATUS_WORDS: dict[str, str] = {
    "met": "met",
    "missed": "missed",
    "on_track": "on track",
    "at_risk": "at risk",
    "off_track": "off track",
    "no_data": "no data",
    "no_target": "no target",
}
"""How each status reads for people (report, dashboard): a word, never a colour alone."""
