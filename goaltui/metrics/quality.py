"""Goal-quality checks: the guide's criteria for good KPIs and OKRs, as pure polars rules.

`find_issues` returns one row per finding and subject; `RULES` explains each rule in plain words
with the guide's reasoning, for `goaltui lint` and the dashboard's Quality tab. Actuals, targets and
check-in counts come from the metrics engine (`evaluate_goals(..., history=True)`); no rule computes
an actual of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property

import polars as pl

from goaltui.i18n import N_, _, translated
from goaltui.metrics.arithmetic import effective_checkins
from goaltui.metrics.catalog import goal_catalog
from goaltui.metrics.engine import (
    evaluate_goals,
    goal_actuals,
    target_overrides,
)
from goaltui.metrics.periods import (
    label_start,
    label_unit,
    period_end,
    period_label,
    shift_start,
    with_label_start,
)
from goaltui.metrics.tree import closure, subtree_ids
from goaltui.model.errors import GoaltuiError
from goaltui.model.period import Period
from goaltui.model.quality import QualityThresholds
from goaltui.store.dataset import Dataset


class Severity(StrEnum):
    """How much a finding matters: errors make `goaltui lint` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_WORDS: dict[str, str] = {
    Severity.ERROR: N_("error"),
    Severity.WARNING: N_("warning"),
    Severity.INFO: N_("info"),
}
"""How each severity reads for people (marked; `translated` where shown; csv and json keep the
id)."""


SEVERITY_ORDER: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)
"""Severities from the most to the least serious: the order findings are listed in."""


Check = Callable[["_Facts"], pl.DataFrame]
"""A rule's check: the shared facts in, its findings (FINDINGS_SCHEMA) out."""


@dataclass(frozen=True)
class Rule:
    """One goal-quality rule: its stable id, severity, what it checks and why the guide asks."""

    id: str
    severity: Severity
    explanation: str
    """One line in plain words: what a finding of this rule means. `{name}` placeholders are
    QualityThresholds fields, filled in by `explain`."""
    reasoning: str
    """The guide's reasoning (seed/kpi-okr-guide.ko.txt) behind the rule, in English; `_()`
    gives the guide's own Korean words to Korean readers."""
    check: Check
    """Finds the rule's findings."""

    def explain(self, thresholds: QualityThresholds) -> str:
        """The explanation with the configured thresholds filled in."""
        return translated(self.explanation).format_map(vars(thresholds))


RULES: dict[str, Rule] = {}
"""The rules by id, in the order they are declared below (the guide's criteria)."""


def rule(
    id: str, severity: Severity, *, explanation: str, reasoning: str
) -> Callable[[Check], Check]:
    """Register the decorated check as the rule `id`."""

    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"rule {id!r} declared twice")
        RULES[id] = Rule(id, severity, explanation, reasoning, check)
        return check

    return register


FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "severity": pl.String(),
    "rule": pl.String(),
    "subject_id": pl.String(),
    "subject_kind": pl.String(),
    "unit_id": pl.String(),
    "message": pl.String(),
    "suggestion": pl.String(),
    "explanation": pl.String(),
}
"""Columns of `find_issues`, in order. subject_kind is kpi, kr, objective or unit; explanation
is the rule's, with the configured thresholds."""


# --- expression helpers -------------------------------------------------------------------------


def _quoted(text: pl.Expr | str) -> pl.Expr:
    return pl.format("'{}'", pl.col(text) if isinstance(text, str) else text)


def _number(value: pl.Expr) -> pl.Expr:
    """A number as people read it: thousands separators, at most two decimals, no trailing 0.

    Rounded to 12 significant digits before the cents, so that the last-bit differences of a
    float sum taken in another order (1234.5 or 1234.4999999999998) print the same."""
    cents = (value.abs().round_sig_figs(12) * 100).round(0).cast(pl.Int64)
    whole = (
        (cents // 100)
        .cast(pl.String)
        .str.reverse()
        .str.replace_all(r"(\d{3})", "$1,")
        .str.strip_chars_end(",")
        .str.reverse()
    )
    fraction = cents % 100
    decimals = (
        pl.when(fraction == 0)
        .then(pl.lit(""))
        .when(fraction % 10 == 0)
        .then(pl.format(".{}", (fraction // 10).cast(pl.String)))
        .otherwise(pl.format(".{}", fraction.cast(pl.String).str.zfill(2)))
    )
    sign = pl.when((value < 0) & (cents > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(sign, whole, decimals)


def _counted(count: pl.Expr, singular: str, plural: str) -> pl.Expr:
    """`1 key result`, `3 key results`: `singular` and `plural` are N_-marked templates with
    one `{}` for the count."""
    return (
        pl.when(count == 1)
        .then(pl.format(translated(singular), count))
        .otherwise(pl.format(translated(plural), count))
    )


def _better(direction: pl.Expr) -> pl.Expr:
    return (
        pl.when(direction == "at_most")
        .then(pl.lit(_("lower is better")))
        .otherwise(pl.lit(_("higher is better")))
    )


def _kind_word() -> pl.Expr:
    """The subject's kind as a word of the current language."""
    return (
        pl.when(pl.col("subject_kind") == "kpi")
        .then(pl.lit(_("KPI")))
        .when(pl.col("subject_kind") == "kr")
        .then(pl.lit(_("Key result")))
        .otherwise(pl.lit(_("Objective")))
    )


_PERIOD_WORDS = {"month": N_("months"), "quarter": N_("quarters"), "year": N_("years")}

# Tokens of an objective title that hold a digit or a % sign; label tokens are allowed.
_NUMBER_TOKEN = r"[Qq]?[0-9０-９]+(?:[.,][0-9０-９]+)*(?:\s*분기|[%％])?|[%％]"
_LABEL_TOKEN = r"^(?:[Qq][1-4]|(?:19|20)[0-9]{2}|[1-4]\s*분기)$"

_MONTH_NAME = (
    r"(?:jan(?:uar|uary)?|j[äa]n(?:ner)?|feb(?:ruar|ruary)?|m[äa]r(?:z|ch)?|apr(?:il)?|ma[iy]"
    r"|jun[ie]?|jul[iy]?|aug(?:ust)?|sep(?:t|tember)?|o[ck]t(?:ober)?|nov(?:ember)?"
    r"|de[cz](?:ember)?)\b\.?"
)
_NAMED_NUMBERS = "|".join(
    (
        # Standards: ISO 14001, ISO/IEC 27001:2022, ISO 27k1, DIN EN ISO 9001, SOC 2, IFRS 16.
        r"\b(?:ISO|IEC|DIN|EN|IEEE|ANSI|ASTM|BS|IATF|OHSAS|SOC|PCI[ -]DSS|TISAX|NIST|KS|JIS"
        r"|VDA|RFC|HIPAA|ITIL|CMMI|ISAE|IFRS|ECE)(?:[ /-]+(?:ISO|IEC|EN|DIN|TS))*[ /-]*[0-9]"
        r"[0-9A-Za-z.:-]*",
        # Versions and releases: v2.0, Version 3, Release 2026.1, 2.0.1.
        r"(?i:\bv(?:er(?:sion)?)?\.?\s*[0-9]+(?:\.[0-9]+)*\b)",
        r"(?i:\b(?:release|phase|stage|gen(?:eration)?|stufe|tier|level)\s+[0-9]+(?:\.[0-9]+)*\b)",
        r"\b[0-9]+\.[0-9]+\.[0-9]+\b",
        # Codes that mix letters and digits: 27k1, B2B, K8s, S4HANA, H2 (not Q40: Q is a label).
        r"\b[0-9]+[A-Za-z]+[0-9][0-9A-Za-z]*\b",
        r"\b[A-PR-Za-pr-z][A-Za-z]*[0-9]+[A-Za-z0-9]*\b",
        # Dates: 2024-07-01, 01.07.2024, 1/7/24, 1. Juli 2024, July 1st, 7월 1일, 2024년 7월.
        r"\b[0-9]{4}-[0-9]{1,2}(?:-[0-9]{1,2})?\b",
        r"\b[0-9]{1,2}[./][0-9]{1,2}[./](?:[0-9]{4}|[0-9]{2})\b",
        rf"(?i:\b[0-9]{{1,2}}\.?\s*{_MONTH_NAME}(?:\s*[0-9]{{4}})?)",
        rf"(?i:\b{_MONTH_NAME}\s*[0-9]{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s*[0-9]{{4}})?)",
        r"[0-9]{1,2}\s*월(?:\s*[0-9]{1,2}\s*일)?",
        r"[0-9]{4}\s*년",
    )
)
"""Numbers that are names, not measures: standards, versions, codes and dates."""


def _findings(
    frame: pl.DataFrame,
    rule_id: str,
    *,
    subject_kind: pl.Expr | str,
    message: pl.Expr,
    suggestion: pl.Expr | str,
) -> pl.DataFrame:
    """Rows of FINDINGS_SCHEMA from `frame`, which has subject_id and unit_id columns."""
    kind = pl.lit(subject_kind) if isinstance(subject_kind, str) else subject_kind
    advice = pl.lit(suggestion) if isinstance(suggestion, str) else suggestion
    return frame.select(
        severity=pl.lit(RULES[rule_id].severity.value),
        rule=pl.lit(rule_id),
        subject_id=pl.col("subject_id"),
        subject_kind=kind,
        unit_id=pl.col("unit_id"),
        message=message,
        suggestion=advice,
        explanation=pl.lit(None, pl.String),  # filled in by find_issues, which has thresholds
    ).cast(FINDINGS_SCHEMA)  # type: ignore[arg-type]


# --- what the rules look at ---------------------------------------------------------------------


@dataclass(frozen=True)
class LintScope:
    """Which periods lint checks: the objectives whose period overlaps `start`..`end` (every
    objective when both are None) with their key results, every KPI (standing indicators), and
    the measurements as of `measured_on`: each KPI's period containing it and each key result's
    objective period."""

    start: date | None
    end: date | None
    measured_on: date
    label: str
    """What the scope is, for a title: `periods containing 2026-11-16`, `2026-Q3`, `all periods`."""


def lint_scope(as_of: date, *, period: str | None = None, everything: bool = False) -> LintScope:
    """The periods containing `as_of` (the default), the period labelled `period` (measured at
    its end, or at `as_of` when that comes first), or with `everything` every period (measured
    at `as_of`). Raises GoaltuiError for a bad label or both choices at once."""
    if period is not None and everything:
        raise GoaltuiError(_("choose either a period or all periods, not both"))
    if everything:
        return LintScope(None, None, as_of, _("all periods"))
    if period is None:
        return LintScope(
            as_of, as_of, as_of, _("periods containing {date}").format(date=as_of.isoformat())
        )
    try:
        chosen = Period.parse(period)
    except ValueError as error:
        raise GoaltuiError(str(error)) from None
    return LintScope(chosen.start, chosen.end, min(chosen.end, as_of), chosen.label)


@dataclass(frozen=True)
class _Facts:
    """The dataset seen through the frames the rules share, each computed at most once."""

    dataset: Dataset
    as_of: date
    thresholds: QualityThresholds
    scope: LintScope

    @cached_property
    def measured_on(self) -> date:
        """The date the measurement rules evaluate as of."""
        return self.scope.measured_on

    @cached_property
    def unit_names(self) -> pl.DataFrame:
        """(unit_id, unit_name)."""
        return self.dataset.units.select(unit_id=pl.col("id"), unit_name=pl.col("name"))

    @cached_property
    def objectives(self) -> pl.DataFrame:
        """The objectives in scope, with period_start and period_end of their period."""
        framed = with_label_start(self.dataset.objectives, "period", "period_start").with_columns(
            period_end=period_end(pl.col("period_start"), label_unit(pl.col("period")))
        )
        start, end = self.scope.start, self.scope.end
        if start is None or end is None:
            return framed
        return framed.filter(pl.col("period_start") <= end, pl.col("period_end") >= start)

    @cached_property
    def key_results(self) -> pl.DataFrame:
        """The key_results rows of the objectives in scope."""
        ids = self.objectives.select(objective_id=pl.col("id"))
        return self.dataset.key_results.join(
            ids, on="objective_id", how="semi", maintain_order="left"
        )

    @cached_property
    def catalog(self) -> pl.DataFrame:
        """goal_catalog of the dataset: every KPI and the key results in scope."""
        catalog = goal_catalog(self.dataset)
        krs = self.key_results.select(goal_id=pl.col("id"))
        in_scope = (pl.col("kind") == "kpi") | pl.col("goal_id").is_in(
            krs.get_column("goal_id").implode()
        )
        return catalog.filter(in_scope)

    @cached_property
    def goals(self) -> pl.DataFrame:
        """Every KPI and the objectives and key results in scope: subject_id, subject_kind,
        unit_id, name and scope (goals of one scope and unit should not share a name)."""
        kpis = self.dataset.kpis.select(
            subject_id=pl.col("id"),
            subject_kind=pl.lit("kpi"),
            unit_id=pl.col("unit_id"),
            name=pl.col("name"),
            scope=pl.lit(_("KPIs")),
        )
        objectives = self.objectives.select(
            subject_id=pl.col("id"),
            subject_kind=pl.lit("objective"),
            unit_id=pl.col("unit_id"),
            name=pl.col("title"),
            scope=pl.format(_("objectives of {}"), pl.col("period")),
        )
        krs = self.catalog.filter(pl.col("kind") == "kr").select(
            subject_id=pl.col("goal_id"),
            subject_kind=pl.lit("kr"),
            unit_id=pl.col("unit_id"),
            name=pl.col("name"),
            scope=pl.format(_("key results of {}"), pl.col("objective_period")),
        )
        return pl.concat([kpis, objectives, krs])

    @cached_property
    def history(self) -> pl.DataFrame:
        """evaluate_goals with history as of `measured_on`: one row per goal and period."""
        return evaluate_goals(self.dataset, self.measured_on, history=True)

    @cached_property
    def current(self) -> pl.DataFrame:
        """The engine's rows the measurement rules check: each KPI's period containing
        `measured_on`, each key result's objective period (objectives in scope that started by
        then), with `previous` (label of the period before), `previous_count` (check-ins then,
        from the engine's rows) and from the catalog `given_target`, `given_baseline` (as
        written) and `kpi_id`."""
        history = self.history
        unit = pl.col("period_unit")
        previous_counts = history.select(
            "goal_id",
            period_start=shift_start(pl.col("period_start"), unit, 1),
            previous_count=pl.col("checkin_count"),
        )
        given = self.catalog.select(
            "goal_id", "kpi_id", given_target=pl.col("target"), given_baseline=pl.col("baseline")
        )
        kpi_rows = (pl.col("kind") == "kpi") & pl.col("is_current")
        if self.measured_on < self.as_of:
            # In a past period, a KPI not measured by then did not exist yet: nothing to check.
            measured = history.filter(pl.col("checkin_count") > 0).get_column("goal_id")
            kpi_rows &= pl.col("goal_id").is_in(measured.unique().implode())
        return (
            history.join(given, on="goal_id", how="inner", maintain_order="left")
            .filter(kpi_rows | (pl.col("kind") == "kr"))
            .join(
                previous_counts, on=["goal_id", "period_start"], how="left", maintain_order="left"
            )
            .with_columns(
                previous=_previous_label(pl.col("period"), unit),
                previous_count=pl.col("previous_count").fill_null(0),
            )
        )


# --- structural rules ---------------------------------------------------------------------------


@rule(
    "okr-kr-count",
    Severity.WARNING,
    explanation=N_(
        "An objective should have {okr_min_key_results} to {okr_max_key_results} key results."
    ),
    reasoning=N_(
        "The guide sets key results at about 2-4 per objective, each with a number or "
        "criterion that shows whether it was reached. One alone rarely shows whether the "
        "objective moved; more than four scatter the focus."
    ),
)
def _okr_kr_count(facts: _Facts) -> pl.DataFrame:
    low, high = facts.thresholds.okr_min_key_results, facts.thresholds.okr_max_key_results
    counts = facts.key_results.group_by("objective_id").agg(count=pl.len())
    bad = (
        facts.objectives.join(
            counts, left_on="id", right_on="objective_id", how="left", maintain_order="left"
        )
        .with_columns(pl.col("count").fill_null(0))
        .filter((pl.col("count") < low) | (pl.col("count") > high))
        .rename({"id": "subject_id"})
    )
    return _findings(
        bad,
        "okr-kr-count",
        subject_kind="objective",
        message=pl.format(
            _("Objective {} ({}) has {}; the guide advises {} to {}."),
            _quoted("title"),
            pl.col("period"),
            _counted(pl.col("count"), N_("{} key result"), N_("{} key results")),
            pl.lit(low),
            pl.lit(high),
        ),
        suggestion=pl.when(pl.col("count") < low)
        .then(
            pl.lit(
                _("Add measurable key results whose numbers show whether the objective is reached.")
            )
        )
        .otherwise(
            pl.format(
                _(
                    "Keep the {} key results that best show progress; track the others as KPIs "
                    "or in the work plan."
                ),
                pl.lit(high),
            )
        ),
    )


@rule(
    "okr-too-many-objectives",
    Severity.WARNING,
    explanation=N_(
        "A unit should pursue only a few objectives (at most {okr_max_objectives}) in one period."
    ),
    reasoning=N_(
        "The guide limits objectives on purpose: the more there are, the more attention "
        "is split and OKRs turn into a checklist; the rest of the work belongs in KPIs or"
        " the work plan."
    ),
)
def _okr_too_many_objectives(facts: _Facts) -> pl.DataFrame:
    limit = facts.thresholds.okr_max_objectives
    crowded = (
        facts.objectives.group_by("unit_id", "period")
        .agg(count=pl.len())
        .filter(pl.col("count") > limit)
        .sort("unit_id", "period")
        .group_by("unit_id", maintain_order=True)
        .agg(detail=pl.format(_("{} in {}"), pl.col("count"), pl.col("period")).str.join(", "))
        .join(facts.unit_names, on="unit_id", how="left", maintain_order="left")
        .with_columns(subject_id=pl.col("unit_id"))
    )
    return _findings(
        crowded,
        "okr-too-many-objectives",
        subject_kind="unit",
        message=pl.format(
            _("{} has too many objectives: {} (at most {} keeps the focus)."),
            pl.col("unit_name"),
            pl.col("detail"),
            pl.lit(limit),
        ),
        suggestion=pl.format(
            _(
                "Keep the {} objectives that matter most this period; manage the rest with KPIs or "
                "the work plan."
            ),
            pl.lit(limit),
        ),
    )


@rule(
    "kpi-too-many",
    Severity.WARNING,
    explanation=N_("A unit should own a manageable number of KPIs (at most {kpi_too_many})."),
    reasoning=N_(
        "Too many indicators make managing them a burden; set a number that fits how the "
        "team works, on results tied to its goals."
    ),
)
def _kpi_too_many(facts: _Facts) -> pl.DataFrame:
    limit = facts.thresholds.kpi_too_many
    crowded = (
        facts.dataset.kpis.group_by("unit_id")
        .agg(count=pl.len())
        .filter(pl.col("count") > limit)
        .join(facts.unit_names, on="unit_id", how="left", maintain_order="left")
        .with_columns(subject_id=pl.col("unit_id"))
    )
    return _findings(
        crowded,
        "kpi-too-many",
        subject_kind="unit",
        message=pl.format(
            _("{} owns {} KPIs; more than {} is a burden to manage."),
            pl.col("unit_name"),
            pl.col("count"),
            pl.lit(limit),
        ),
        suggestion=pl.format(
            _(
                "Keep the {} KPIs most directly tied to the unit's goals; drop activity measures "
                "or hand them to the units that own them."
            ),
            pl.lit(limit),
        ),
    )


def _linkable(facts: _Facts) -> pl.DataFrame:
    """KPIs and objectives with their parent's id, unit and name (null when it does not exist)."""
    ds = facts.dataset
    kpis = ds.kpis.select(
        subject_id=pl.col("id"),
        subject_kind=pl.lit("kpi"),
        unit_id=pl.col("unit_id"),
        name=pl.col("name"),
        parent_id=pl.col("parent_id"),
    ).join(
        ds.kpis.select(
            parent_id=pl.col("id"), parent_unit=pl.col("unit_id"), parent_name=pl.col("name")
        ),
        on="parent_id",
        how="left",
        maintain_order="left",
    )
    objectives = facts.objectives.select(
        subject_id=pl.col("id"),
        subject_kind=pl.lit("objective"),
        unit_id=pl.col("unit_id"),
        name=pl.col("title"),
        parent_id=pl.col("parent_id"),
    ).join(
        ds.objectives.select(
            parent_id=pl.col("id"), parent_unit=pl.col("unit_id"), parent_name=pl.col("title")
        ),
        on="parent_id",
        how="left",
        maintain_order="left",
    )
    return (
        pl.concat([kpis, objectives])
        .join(facts.unit_names, on="unit_id", how="left", maintain_order="left")
        .join(
            facts.unit_names.rename({"unit_id": "parent_unit", "unit_name": "parent_unit_name"}),
            on="parent_unit",
            how="left",
            maintain_order="left",
        )
    )


@rule(
    "unlinked",
    Severity.WARNING,
    explanation=N_(
        "A KPI or objective below the top of the organisation should cascade from a "
        "goal of a unit above it."
    ),
    reasoning=N_(
        "KPIs and OKRs cascade top-down: organisation goals come from the strategy, team "
        "goals refine them, personal goals serve the team's. A goal that supports no goal"
        " above rarely improves results."
    ),
)
def _unlinked(facts: _Facts) -> pl.DataFrame:
    units = facts.dataset.units
    above = units.select(
        unit_id=pl.col("id"), upper_id=pl.col("parent_id"), is_root=pl.col("parent_id").is_null()
    ).join(
        facts.unit_names.rename({"unit_id": "upper_id", "unit_name": "upper_name"}),
        on="upper_id",
        how="left",
        maintain_order="left",
    )
    loose = (
        _linkable(facts)
        .filter(pl.col("parent_id").is_null())
        .join(above, on="unit_id", how="left", maintain_order="left")
        .filter(~pl.col("is_root").fill_null(False))
    )
    kind = (
        pl.when(pl.col("subject_kind") == "kpi")
        .then(pl.lit(_("KPI")))
        .otherwise(pl.lit(_("objective")))
    )
    return _findings(
        loose,
        "unlinked",
        subject_kind=pl.col("subject_kind"),
        message=pl.format(
            _("{} {} of {} supports no {} of a unit above it."),
            _kind_word(),
            _quoted("name"),
            pl.col("unit_name"),
            kind,
        ),
        suggestion=pl.format(
            _("Set its parent_id to the {} of {} (or a unit further up) that it helps reach."),
            kind,
            pl.col("upper_name"),
        ),
    )


@rule(
    "link-not-ancestor",
    Severity.ERROR,
    explanation=N_("A goal can only cascade from a goal of a unit above its owner."),
    reasoning=N_(
        "The cascade runs from the organisation to teams to people; a link to a sibling, "
        "a lower unit or a missing goal breaks the chain that roll-ups and the guide's "
        "alignment rely on."
    ),
)
def _link_not_ancestor(facts: _Facts) -> pl.DataFrame:
    ancestors = (
        closure(facts.dataset.units)
        .filter(pl.col("depth") >= 1)
        .select("unit_id", parent_unit=pl.col("ancestor_id"), is_above=pl.lit(True))
    )
    wrong = (
        _linkable(facts)
        .filter(pl.col("parent_id").is_not_null())
        .join(ancestors, on=["unit_id", "parent_unit"], how="left", maintain_order="left")
        .filter(pl.col("is_above").is_null())
    )
    kind = (
        pl.when(pl.col("subject_kind") == "kpi")
        .then(pl.lit(_("KPI")))
        .otherwise(pl.lit(_("objective")))
    )
    return _findings(
        wrong,
        "link-not-ancestor",
        subject_kind=pl.col("subject_kind"),
        message=pl.when(pl.col("parent_unit").is_null())
        .then(
            pl.format(
                _("{} {} of {} cascades from {}, which is not a {}."),
                _kind_word(),
                _quoted("name"),
                pl.col("unit_name"),
                pl.col("parent_id"),
                kind,
            )
        )
        .when(pl.col("parent_unit") == pl.col("unit_id"))
        .then(
            pl.format(
                _(
                    "{} {} cascades from {} of its own unit {}; a parent must belong to a unit "
                    "above."
                ),
                _kind_word(),
                _quoted("name"),
                _quoted("parent_name"),
                pl.col("unit_name"),
            )
        )
        .otherwise(
            pl.format(
                _("{} {} of {} cascades from {} of {}, which is not above {}."),
                _kind_word(),
                _quoted("name"),
                pl.col("unit_name"),
                _quoted("parent_name"),
                pl.col("parent_unit_name"),
                pl.col("unit_name"),
            )
        ),
        suggestion=pl.format(
            _("Link it to a {} of a unit above {}, or move it to the unit whose goal it serves."),
            kind,
            pl.col("unit_name"),
        ),
    )


@rule(
    "kr-direction-conflict",
    Severity.ERROR,
    explanation=N_(
        "A key result measured by a KPI must agree with the KPI on which way is better."
    ),
    reasoning=N_(
        "The same indicator can serve as a KPI and as a key result; measured by the same "
        "check-ins, opposite directions make progress on one a setback on the other."
    ),
)
def _kr_direction_conflict(facts: _Facts) -> pl.DataFrame:
    ds = facts.dataset
    kpis = ds.kpis.select(
        kpi_id=pl.col("id"), kpi_name=pl.col("name"), kpi_direction=pl.col("direction")
    )
    owners = facts.catalog.select(subject_id=pl.col("goal_id"), unit_id=pl.col("unit_id"))
    conflicts = (
        facts.key_results.filter(pl.col("kpi_id").is_not_null() & pl.col("direction").is_not_null())
        .join(kpis, on="kpi_id", how="inner", maintain_order="left")
        .filter(pl.col("direction") != pl.col("kpi_direction"))
        .rename({"id": "subject_id"})
        .join(owners, on="subject_id", how="left", maintain_order="left")
    )
    return _findings(
        conflicts,
        "kr-direction-conflict",
        subject_kind="kr",
        message=pl.format(
            _("Key result {} says {} ({}), but its KPI {} says {} ({})."),
            _quoted("title"),
            _better(pl.col("direction")),
            pl.col("direction"),
            _quoted("kpi_name"),
            _better(pl.col("kpi_direction")),
            pl.col("kpi_direction"),
        ),
        suggestion=pl.lit(
            _(
                "Leave the key result's direction empty to inherit the KPI's, or measure it with "
                "its own check-ins instead of kpi_id."
            )
        ),
    )


@rule(
    "zero-weights",
    Severity.ERROR,
    explanation=N_("The key results of an objective need weights that add up to more than 0."),
    reasoning=N_(
        "Key results are the criteria that show how far the objective has come; with all "
        "weights 0 the objective's score is meaningless."
    ),
)
def _zero_weights(facts: _Facts) -> pl.DataFrame:
    # Sorted before the sum: the same total, to the last bit, whatever order the rows came in.
    totals = facts.key_results.group_by("objective_id").agg(
        count=pl.len(), total=pl.col("weight").fill_null(1.0).sort().sum()
    )
    weightless = (
        facts.objectives.join(
            totals, left_on="id", right_on="objective_id", how="inner", maintain_order="left"
        )
        .filter(pl.col("total") <= 0)
        .rename({"id": "subject_id"})
    )
    return _findings(
        weightless,
        "zero-weights",
        subject_kind="objective",
        message=pl.format(
            _("The weights of the {} of objective {} add up to {}, so it cannot be scored."),
            _counted(pl.col("count"), N_("{} key result"), N_("{} key results")),
            _quoted("title"),
            _number(pl.col("total")),
        ),
        suggestion=pl.lit(
            _(
                "Give the key results positive weights (leave weight empty for 1) in proportion to "
                "how much each shows the objective's progress."
            )
        ),
    )


@rule(
    "duplicate-name",
    Severity.WARNING,
    explanation=N_("Two goals of one unit (of one kind, in one period) carry the same name."),
    reasoning=N_(
        "A goal should say in one sentence what it manages; two goals with one name make "
        "check-ins, reports and discussions ambiguous."
    ),
)
def _duplicate_name(facts: _Facts) -> pl.DataFrame:
    goals = facts.goals.with_columns(key=pl.col("name").str.strip_chars().str.to_lowercase())
    groups = ["unit_id", "scope", "key"]
    twins = (
        goals.filter(pl.len().over(groups) > 1)
        .with_columns(
            peers=pl.col("subject_id").sort().implode().over(groups, mapping_strategy="join")
        )
        .with_columns(
            others=pl.col("peers").list.set_difference(pl.concat_list("subject_id")).list.sort()
        )
        .join(facts.unit_names, on="unit_id", how="left", maintain_order="left")
    )
    return _findings(
        twins,
        "duplicate-name",
        subject_kind=pl.col("subject_kind"),
        message=pl.format(
            _("{} {} ({}) has the same name as {} among the {} of {}."),
            _kind_word(),
            _quoted("name"),
            pl.col("subject_id"),
            pl.col("others").list.join(", "),
            pl.col("scope"),
            pl.col("unit_name"),
        ),
        suggestion=pl.lit(
            _("Merge the duplicates, or rename them so each name says exactly what it measures.")
        ),
    )


@rule(
    "objective-has-number",
    Severity.WARNING,
    explanation=N_(
        "An objective title contains a number or a percent sign: objectives are sentences, "
        "numbers belong in key results (period labels such as Q4 or 2026, dates, versions and "
        "names of standards such as ISO 14001 are fine)."
    ),
    reasoning=N_(
        "The guide writes objectives as qualitative sentences showing the state or change"
        " to reach; key results carry the numbers."
    ),
)
def _objective_has_number(facts: _Facts) -> pl.DataFrame:
    numbered = (
        facts.objectives.with_columns(
            numbers=pl.col("title")
            .str.replace_all(_NAMED_NUMBERS, " ")
            .str.extract_all(_NUMBER_TOKEN)
            .list.eval(pl.element().filter(~pl.element().str.contains(_LABEL_TOKEN)))
        )
        .filter(pl.col("numbers").list.len() > 0)
        .rename({"id": "subject_id"})
    )
    return _findings(
        numbered,
        "objective-has-number",
        subject_kind="objective",
        message=pl.format(
            _("Objective {} contains {}: objectives are sentences, numbers belong in key results."),
            _quoted("title"),
            pl.col("numbers").list.join(", "),
        ),
        suggestion=pl.lit(
            _("Say in words the state or change to reach, and move the number into a key result.")
        ),
    )


# --- rules on measurements (from the metrics engine) --------------------------------------------


def _previous_label(label: pl.Expr, period_unit: pl.Expr) -> pl.Expr:
    """The label of the period before the one `label` names."""
    return period_label(shift_start(label_start(label), period_unit, -1), period_unit)


@rule(
    "no-baseline",
    Severity.WARNING,
    explanation=N_(
        "A goal whose target is a percentage change has no actual in the period before the "
        "one checked."
    ),
    reasoning=N_(
        "Targets such as '20% more than last month' only mean something against the previous "
        "period's figure; without it the goal has no target."
    ),
)
def _no_baseline(facts: _Facts) -> pl.DataFrame:
    # A key result with a baseline of its own needs no previous actual: it starts from there.
    missing = facts.current.filter(
        (pl.col("target_mode") == "change_pct")
        & pl.col("previous_actual").is_null()
        & ((pl.col("kind") == "kpi") | pl.col("given_baseline").is_null())
    ).rename({"goal_id": "subject_id", "kind": "subject_kind"})
    return _findings(
        missing,
        "no-baseline",
        subject_kind=pl.col("subject_kind"),
        message=pl.format(
            _(
                "{} {} targets a {} change on the previous period, but {} has no actual to change "
                "from, so {} has no target."
            ),
            _kind_word(),
            _quoted("name"),
            pl.format("{}%", _number(pl.col("given_target"))),
            pl.col("previous"),
            pl.col("period"),
        ),
        suggestion=pl.format(
            _(
                "Check in the {} figure (dated in {}){}, or set an absolute target for {} in "
                "targets.csv."
            ),
            pl.col("previous"),
            pl.col("previous"),
            pl.when(pl.col("subject_kind") == "kr")
            .then(pl.lit(_(" or give the key result a baseline")))
            .otherwise(pl.lit("")),
            pl.col("period"),
        ),
    )


@rule(
    "stale",
    Severity.WARNING,
    explanation=N_(
        "A goal has no check-in in its period or the one before (a key result: in its "
        "objective's period)."
    ),
    reasoning=N_(
        "KPIs are measured again every period and OKRs are checked during their period; a"
        " goal nobody measures cannot be managed."
    ),
)
def _stale(facts: _Facts) -> pl.DataFrame:
    # A KPI is measured period after period, so last period's check-in still counts; a key
    # result lives in its objective's period only.
    quiet = facts.current.filter(
        (pl.col("checkin_count") == 0)
        & ((pl.col("kind") == "kr") | (pl.col("previous_count") == 0))
    ).rename({"goal_id": "subject_id", "kind": "subject_kind"})
    window = (
        pl.when(pl.col("subject_kind") == "kpi")
        .then(pl.format(_("{} or {}"), pl.col("period"), pl.col("previous")))
        .otherwise(pl.col("period"))
    )
    return _findings(
        quiet,
        "stale",
        subject_kind=pl.col("subject_kind"),
        message=pl.format(_("{} {} has no check-in in {}."), _kind_word(), _quoted("name"), window),
        suggestion=pl.when(pl.col("kpi_id").is_not_null())
        .then(
            pl.format(
                _(
                    "It is measured by KPI {}: check in that KPI's latest figure (goaltui checkin "
                    "{} VALUE), or retire the key result if nobody tracks it."
                ),
                pl.col("kpi_id"),
                pl.col("kpi_id"),
            )
        )
        .otherwise(
            pl.format(
                _(
                    "Check in the latest figure (goaltui checkin {} VALUE), or retire the goal if "
                    "nobody tracks it."
                ),
                pl.col("subject_id"),
            )
        ),
    )


@rule(
    "not-achievable",
    Severity.WARNING,
    explanation=N_(
        "A target far beyond anything achieved before: more than "
        "{not_achievable_factor:g} times the best actual of the goal's (or its KPI's) last "
        "{not_achievable_periods} closed periods (lower-is-better goals: less than the best "
        "divided by {not_achievable_factor:g})."
    ),
    reasoning=N_(
        "Targets out of touch with reality are seen as impossible from the start; a KPI "
        "may be challenging but should be reachable by better work and focus."
    ),
)
def _not_achievable(facts: _Facts) -> pl.DataFrame:
    factor = facts.thresholds.not_achievable_factor
    periods = facts.thresholds.not_achievable_periods
    current = facts.current.filter(pl.col("target").is_not_null())
    unit = pl.col("period_unit")
    # History is the earlier periods of the same goal: a KPI's from its history rows; a key
    # result lives in one period, so only one measured by a KPI has a history: that KPI's
    # check-ins, aggregated over the key result's period unit. A key result's own check-ins
    # dated before its period (a kick-off measurement) are not a history.
    current_krs = facts.catalog.filter(pl.col("kpi_id").is_not_null()).join(
        current.filter(pl.col("kind") == "kr").select("goal_id"), on="goal_id", how="semi"
    )
    actuals = pl.concat(
        [
            facts.history.filter(pl.col("kind") == "kpi").select(
                "goal_id", "period_start", "actual"
            ),
            goal_actuals(facts.dataset, current_krs, facts.measured_on).select(
                "goal_id", "period_start", "actual"
            ),
        ]
    )
    window = current.select("goal_id", "period_unit", current_start=pl.col("period_start"))
    best = (
        actuals.filter(pl.col("actual").is_not_null())
        .join(window, on="goal_id", how="inner")
        .filter(
            pl.col("period_start") < pl.col("current_start"),
            pl.col("period_start") >= shift_start(pl.col("current_start"), unit, -periods),
        )
        .group_by("goal_id")
        .agg(best_high=pl.col("actual").max(), best_low=pl.col("actual").min())
    )
    lower_better = pl.col("direction") == "at_most"
    far = (
        current.join(best, on="goal_id", how="inner", maintain_order="left")
        .with_columns(
            best=pl.when(lower_better).then(pl.col("best_low")).otherwise(pl.col("best_high"))
        )
        .filter(
            pl.when(lower_better)
            .then(pl.col("target") * factor < pl.col("best"))
            .otherwise(pl.col("target") > pl.col("best") * factor)
        )
        .rename({"goal_id": "subject_id", "kind": "subject_kind"})
    )
    return _findings(
        far,
        "not-achievable",
        subject_kind=pl.col("subject_kind"),
        message=pl.format(
            _("{} {} targets {} for {}, but its best{} of the last {} {} was {}."),
            _kind_word(),
            _quoted("name"),
            _number(pl.col("target")),
            pl.col("period"),
            pl.when(lower_better).then(pl.lit(_(" (lowest)"))).otherwise(pl.lit("")),
            pl.lit(periods),
            unit.replace_strict(
                {k: translated(v) for k, v in _PERIOD_WORDS.items()},
                default=_("periods"),
                return_dtype=pl.String,
            ),
            _number(pl.col("best")),
        ),
        suggestion=pl.lit(
            _(
                "Set a target that better work and focus can reach, or note what will change to "
                "make the jump possible."
            )
        ),
    )


@rule(
    "no-stretch",
    Severity.INFO,
    explanation=N_(
        "A key result whose target is not beyond its baseline (or the previous "
        "period's actual) in its direction."
    ),
    reasoning=N_(
        "OKRs are meant to try one level higher than before; a key result that only holds"
        " the current level belongs in a KPI."
    ),
)
def _no_stretch(facts: _Facts) -> pl.DataFrame:
    rows = facts.history.filter(pl.col("kind") == "kr").select(
        "goal_id",
        "previous_actual",
        objective_period=pl.col("period"),
        engine_target=pl.col("target"),
    )
    overrides = target_overrides(facts.dataset.targets).rename({"period": "objective_period"})
    krs = (
        facts.catalog.filter(pl.col("kind") == "kr")
        .join(rows, on=["goal_id", "objective_period"], how="left", maintain_order="left")
        .join(overrides, on=["goal_id", "objective_period"], how="left", maintain_order="left")
        .with_columns(previous=_previous_label(pl.col("objective_period"), pl.col("period_unit")))
    )
    # A % change without a baseline starts from the previous actual: its sign alone decides.
    relative = (
        (pl.col("target_mode") == "change_pct")
        & pl.col("override").is_null()
        & pl.col("baseline").is_null()
    ).fill_null(False)
    absolute = (pl.col("target_mode") != "change_pct").fill_null(True)
    aim = (
        pl.when(relative)
        .then(pl.col("target"))
        .otherwise(
            pl.coalesce("engine_target", "override", pl.when(absolute).then(pl.col("target")))
        )
    )
    start = (
        pl.when(relative).then(pl.lit(0.0)).otherwise(pl.coalesce("baseline", "previous_actual"))
    )
    flat = (
        krs.with_columns(aim=aim, start=start, relative=relative)
        .filter(pl.col("aim").is_not_null() & pl.col("start").is_not_null())
        .filter(
            pl.when(pl.col("direction") == "at_most")
            .then(pl.col("aim") >= pl.col("start"))
            .otherwise(pl.col("aim") <= pl.col("start"))
        )
        .rename({"goal_id": "subject_id"})
    )
    start_word = (
        pl.when(pl.col("baseline").is_not_null())
        .then(pl.lit(_("its baseline")))
        .otherwise(pl.format(_("its {} actual"), pl.col("previous")))
    )
    message = (
        pl.when(pl.col("relative"))
        .then(
            pl.format(
                _("Key result {} aims for a {} change on its {} actual: no improvement when {}."),
                _quoted("name"),
                pl.format("{}%", _number(pl.col("target"))),
                pl.col("previous"),
                _better(pl.col("direction")),
            )
        )
        .otherwise(
            pl.format(
                _("Key result {} targets {}, no further than {} of {} ({})."),
                _quoted("name"),
                _number(pl.col("aim")),
                start_word,
                _number(pl.col("start")),
                _better(pl.col("direction")),
            )
        )
    )
    return _findings(
        flat,
        "no-stretch",
        subject_kind="kr",
        message=message,
        suggestion=pl.lit(
            _(
                "Aim one level beyond where it starts; a level you only want to hold is better "
                "managed as a KPI."
            )
        ),
    )


@rule(
    "no-target",
    Severity.ERROR,
    explanation=N_(
        "A key result needs a target (an error: it cannot be scored) and a KPI should "
        "have one (a warning: its status can only be no target)."
    ),
    reasoning=N_(
        "A goal is a number to reach by a time; without a target nobody can tell whether "
        "it is on track, and a key result without one cannot be graded."
    ),
)
def _no_target(facts: _Facts) -> pl.DataFrame:
    # Targets as written: the goal's own, or a targets.csv override for the period checked. A
    # change_pct goal whose previous period has no actual is the no-baseline rule's.
    kpis = facts.current.filter(
        (pl.col("kind") == "kpi") & pl.col("given_target").is_null() & pl.col("target").is_null()
    ).select("goal_id", "name", "unit_id", "period", subject_kind=pl.lit("kpi"))
    overrides = target_overrides(facts.dataset.targets).rename({"period": "objective_period"})
    krs = (
        facts.catalog.filter((pl.col("kind") == "kr") & pl.col("target").is_null())
        .join(overrides, on=["goal_id", "objective_period"], how="left", maintain_order="left")
        .filter(pl.col("override").is_null())
        .select(
            "goal_id",
            "name",
            "unit_id",
            period=pl.col("objective_period"),
            subject_kind=pl.lit("kr"),
        )
    )
    missing = pl.concat([kpis, krs]).rename({"goal_id": "subject_id"})
    found = _findings(
        missing,
        "no-target",
        subject_kind=pl.col("subject_kind"),
        message=pl.format(
            _("{} {} has no target for {}{}."),
            _kind_word(),
            _quoted("name"),
            pl.col("period"),
            pl.when(pl.col("subject_kind") == "kr")
            .then(pl.lit(_(": it cannot be scored")))
            .otherwise(pl.lit(_(": its status can only say there is no target"))),
        ),
        suggestion=pl.when(pl.col("subject_kind") == "kr")
        .then(pl.lit(_("Give the key result a target in key_results.csv (or targets.csv).")))
        .otherwise(
            pl.lit(
                _(
                    "Set the KPI's target in kpis.csv, or per period in targets.csv; an indicator "
                    "only watched, without a target, is not a KPI."
                )
            )
        ),
    )
    # A KPI without a target is a warning; a key result's, an error.
    return found.with_columns(
        severity=pl.when(pl.col("subject_kind") == "kpi")
        .then(pl.lit(Severity.WARNING.value))
        .otherwise(pl.col("severity"))
    )


@rule(
    "checkin-outside-period",
    Severity.WARNING,
    explanation=N_(
        "A key result has check-ins dated outside its objective's period: they do not "
        "count towards it."
    ),
    reasoning=N_(
        "A key result is checked during its objective's period; a measurement dated "
        "before or after it counts for nothing and usually means a wrong date or the "
        "wrong key result. (A key result whose target is a percentage change without a baseline "
        "may take its starting figure in the period before.)"
    ),
)
def _checkin_outside_period(facts: _Facts) -> pl.DataFrame:
    krs = _kr_ranges(facts.catalog)
    checkins = effective_checkins(facts.dataset.checkins, facts.as_of).select("goal_id", "date")
    outside = (
        checkins.join(krs, on="goal_id", how="inner")
        .filter((pl.col("date") < pl.col("allowed_from")) | (pl.col("date") > pl.col("end")))
        .group_by("goal_id", "name", "unit_id", "objective_period", "start", "end")
        .agg(
            count=pl.len(),
            dates=pl.col("date").unique().sort().cast(pl.String).str.join(", "),
        )
        .rename({"goal_id": "subject_id"})
    )
    return _findings(
        outside,
        "checkin-outside-period",
        subject_kind="kr",
        message=pl.format(
            _("Key result {} has {} dated outside its objective's period {} ({} to {}): {}."),
            _quoted("name"),
            pl.when(pl.col("count") == 1)
            .then(pl.lit(_("a check-in")))
            .otherwise(_counted(pl.col("count"), N_("{} check-in"), N_("{} check-ins"))),
            pl.col("objective_period"),
            pl.col("start").cast(pl.String),
            pl.col("end").cast(pl.String),
            pl.col("dates"),
        ),
        suggestion=pl.lit(
            _(
                "Correct the date if it is a typo, or check it in on the key result of the period "
                "it belongs to; a starting figure belongs in the key result's baseline."
            )
        ),
    )


def _kr_ranges(catalog: pl.DataFrame) -> pl.DataFrame:
    """Each key result without kpi_id (of `catalog`) whose objective period is known: goal_id,
    name, unit_id, objective_period, start, end of that period, and allowed_from, where its
    check-ins may begin (the period before for a change_pct key result without a baseline)."""
    krs = with_label_start(
        catalog.filter((pl.col("kind") == "kr") & pl.col("kpi_id").is_null()),
        "objective_period",
        "start",
    ).select(
        "goal_id",
        "name",
        "unit_id",
        "objective_period",
        "start",
        end=period_end(pl.col("start"), pl.col("period_unit")),
        # The period before gives a change_pct key result without a baseline its starting figure.
        allowed_from=pl.when((pl.col("target_mode") == "change_pct") & pl.col("baseline").is_null())
        .then(shift_start(pl.col("start"), pl.col("period_unit"), -1))
        .otherwise(pl.col("start")),
    )
    return krs.filter(pl.col("start").is_not_null())


def checkin_ranges(definitions: Dataset) -> pl.DataFrame:
    """What the quality rules read of single check-ins when the check-ins come aggregated
    (`outside` of goaltui.store.dataset.read_dataset): each key result's own check-ins dated
    outside the range they may fall in (goal_id, start, end)."""
    return _kr_ranges(goal_catalog(definitions)).select(
        "goal_id", start=pl.col("allowed_from"), end=pl.col("end")
    )


def find_issues(
    dataset: Dataset,
    as_of: date,
    thresholds: QualityThresholds,
    *,
    unit: str | None = None,
    period: str | None = None,
    everything: bool = False,
) -> pl.DataFrame:
    """Check the goals of `dataset` against RULES (those `thresholds.disable` does not switch
    off), in the periods containing `as_of`; with `period`, in the period of that label
    (measured at its end, or at `as_of` if that comes first); with `everything`, in every period.
    KPIs are standing indicators: every KPI is checked, its measurements in its period containing
    the date measured at.

    Returns one row per finding and subject (columns FINDINGS_SCHEMA): `unit_id` is the unit that
    owns the subject (a unit for unit findings). Sorted by severity (error, warning, info), rule,
    subject_id, message. With `unit`, only findings whose unit_id is in that unit's subtree.
    An unknown unit, a bad period label or an unknown rule id in `disable` raises GoaltuiError.
    """
    unknown = sorted(set(thresholds.disable) - set(RULES))
    if unknown:
        raise GoaltuiError(
            f"[quality] disable names no rule {', '.join(map(repr, unknown))} "
            f"(rules: {', '.join(RULES)})"
        )
    scope = lint_scope(as_of, period=period, everything=everything)
    subtree: pl.Series | None = None
    if unit is not None:
        if unit not in dataset.units.get_column("id").to_list():
            raise GoaltuiError(f"no unit {unit!r}")
        subtree = subtree_ids(dataset.units, unit)
    facts = _Facts(dataset, as_of, thresholds, scope)
    enabled = [r for r in RULES.values() if r.id not in thresholds.disable]
    findings = pl.concat([pl.DataFrame(schema=FINDINGS_SCHEMA), *(r.check(facts) for r in enabled)])
    if subtree is not None:
        findings = findings.filter(pl.col("unit_id").is_in(subtree.implode()))
    explanations = {r.id: r.explain(thresholds) for r in RULES.values()}
    rank = pl.col("severity").replace_strict(
        {severity.value: i for i, severity in enumerate(SEVERITY_ORDER)}, return_dtype=pl.Int8
    )
    return findings.with_columns(
        explanation=pl.col("rule").replace_strict(explanations, return_dtype=pl.String)
    ).sort(rank, "rule", "subject_id", "message")
