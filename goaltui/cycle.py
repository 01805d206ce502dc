"""The quarterly cycle on the command line: carry unfinished objectives over, close a period with
frozen grades, reopen it, override a grade, and the review-meeting text of a period.

Each write runs in one transaction and records what it changed in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from goaltui.i18n import _
from goaltui.metrics import band_expr, evaluate_goals, evaluate_objectives
from goaltui.metrics.tree import subtree_ids
from goaltui.model.enums import PeriodUnit
from goaltui.model.errors import GoaltuiError
from goaltui.model.period import Period
from goaltui.report import unit_order
from goaltui.store.cycle import (
    CLOSED_PERIODS_SCHEMA,
    GRADES_SCHEMA,
    now_utc,
    read_cycle_table,
    record_changes,
    snapshot,
    who,
)
from goaltui.store.dataset import Dataset, read_dataset
from goaltui.store.db import write_session
from goaltui.store.engine import Store, as_store
from goaltui.store.frames import registered

Database = Path | str | Store
"""A database file, a PostgreSQL URL, or a Store of either engine."""

# --------------------------------------------------------------------------------------------
# Shared checks


def objective_period(label: str) -> Period:
    """The quarter or year an objective label names. Raises GoaltuiError otherwise."""
    try:
        period = Period.parse(label)
    except ValueError:
        period = None
    if period is None or period.unit is PeriodUnit.MONTH:
        raise GoaltuiError(
            _("{label} is not a quarter or a year (use e.g. 2026-Q4 or 2026)").format(
                label=repr(label)
            )
        )
    return period


def _existing_db(db: Path) -> None:
    if not db.exists():
        raise GoaltuiError(
            _("{db}: no database here; create one with `goaltui init` or import").format(db=db)
        )


def _scope(dataset: Dataset, label: str, unit: str | None) -> pl.DataFrame:
    """The objectives of period `label` in `unit`'s subtree. Raises GoaltuiError for an
    unknown unit or a period no objective has."""
    objectives = dataset.objectives.filter(pl.col("period") == label)
    if unit is not None:
        if unit not in set(dataset.units["id"].to_list()):
            raise GoaltuiError(_("no unit has the id {unit}").format(unit=repr(unit)))
        objectives = objectives.filter(
            pl.col("unit_id").is_in(subtree_ids(dataset.units, unit).implode())
        )
    if objectives.height == 0:
        if unit:
            raise GoaltuiError(
                _("no objective is of period {label} in unit {unit} and the units below it").format(
                    label=label, unit=repr(unit)
                )
            )
        raise GoaltuiError(_("no objective is of period {label}").format(label=label))
    return objectives


def _scores_at_end(dataset: Dataset, period: Period) -> tuple[pl.DataFrame, pl.DataFrame]:
    """KR rows and objective rows of objectives of `period`, evaluated as of its last day."""
    goals = evaluate_goals(dataset, period.end)
    objectives = evaluate_objectives(dataset, goals, period.end)
    label = period.label
    return (
        goals.filter((pl.col("kind") == "kr") & (pl.col("period") == label)),
        objectives.filter(pl.col("period") == label),
    )


# --------------------------------------------------------------------------------------------
# carry-over


def _free_id(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _carry_periods(source: str, target: str) -> tuple[Period, Period]:
    start, end = objective_period(source), objective_period(target)
    if source == target:
        raise GoaltuiError(
            _("FROM and TO are both {source}; carry over into a later period").format(source=source)
        )
    if end.start <= start.end:
        raise GoaltuiError(
            f"{target} does not come after {source} (it must start after {source} ends); "
            "carry over into a later period"
        )
    return start, end


@dataclass(frozen=True)
class CarryPlan:
    """What carrying `source` over to `target` would create: new objectives rows and new
    key_results rows (the tables' columns), both empty when everything was carried already."""

    source: str
    target: str
    objectives: pl.DataFrame
    key_results: pl.DataFrame


def plan_carry_over(
    dataset: Dataset, source: str, target: str, *, unit: str | None = None
) -> CarryPlan:
    """The rows `carry_over` would add to `dataset` (see there), without writing anything.
    Raises GoaltuiError for bad periods or an unknown unit."""
    start, _end = _carry_periods(source, target)
    scope = _scope(dataset, source, unit)
    krs, scores = _scores_at_end(dataset, start)
    unfinished = scope.join(
        scores.select(id="objective_id", score="score"), on="id", how="left"
    ).filter(pl.col("score").fill_null(0.0) < 1.0)
    carried = dict(
        dataset.objectives.filter(
            (pl.col("period") == target) & pl.col("carried_from").is_not_null()
        )
        .select("carried_from", "id")
        .iter_rows()
    )
    taken_objectives = set(dataset.objectives["id"].to_list())
    taken_goals = set(dataset.kpis["id"].to_list()) | set(dataset.key_results["id"].to_list())
    new_ids: dict[str, str] = {}
    for old in unfinished["id"].to_list():
        if old not in carried:
            new_ids[old] = _free_id(f"{old}-{target}", taken_objectives)
    carrying = pl.Series(list(new_ids), dtype=pl.String)
    mapping = {**carried, **new_ids}
    objectives = (
        unfinished.filter(pl.col("id").is_in(carrying.implode()))
        .sort("id")
        .select(
            id=pl.col("id").replace_strict(new_ids, return_dtype=pl.String),
            unit_id="unit_id",
            title="title",
            period=pl.lit(target),
            parent_id=pl.col("parent_id").replace(mapping),
            description="description",
            commitment="commitment",
            carried_from="id",
        )
    )
    actual = krs.select(id="goal_id", actual="actual")
    old_krs = (
        dataset.key_results.filter(pl.col("objective_id").is_in(carrying.implode()))
        .join(actual, on="id", how="left")
        .sort("objective_id", "id")
    )
    kr_ids = {old: _free_id(f"{old}-{target}", taken_goals) for old in old_krs["id"]}
    key_results = old_krs.select(
        id=pl.col("id").replace_strict(kr_ids, return_dtype=pl.String),
        objective_id=pl.col("objective_id").replace_strict(new_ids, return_dtype=pl.String),
        title="title",
        unit="unit",
        direction="direction",
        aggregation="aggregation",
        target_mode="target_mode",
        target="target",
        baseline=pl.coalesce("actual", "baseline"),
        weight="weight",
        kpi_id="kpi_id",
        cadence="cadence",
    )
    return CarryPlan(source, target, objectives=objectives, key_results=key_results)


def carry_over(db: Database, source: str, target: str, *, unit: str | None = None) -> list[str]:
    """Continue in period `target` each objective of period `source` (in `unit`'s subtree)
    whose score at the end of `source` is below 1.0 (DESIGN.md, command line). Returns the ids
    of the objectives and key results created, objectives first; none when everything was
    carried already. Raises GoaltuiError for bad periods or an unknown unit. One transaction,
    on either engine."""
    _carry_periods(source, target)
    with as_store(db).working_copy(_("carry objectives over"), checkins_of=source) as path:
        return _carry_over(path, source, target, unit=unit)


def _carry_over(db: Path, source: str, target: str, *, unit: str | None) -> list[str]:
    _existing_db(db)
    with write_session(db) as con:
        plan = plan_carry_over(read_dataset(con), source, target, unit=unit)
        if plan.objectives.height == 0:
            return []
        objectives, key_results = plan.objectives, plan.key_results
        before = snapshot(con)
        _insert(con, "objectives", objectives)
        _insert(con, "key_results", key_results)
        record_changes(con, before)
    return [*objectives["id"].to_list(), *key_results["id"].to_list()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    if rows.height == 0:
        return
    columns = ", ".join(rows.columns)
    with registered(con, "goaltui_new_rows", rows):
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM goaltui_new_rows")


# --------------------------------------------------------------------------------------------
# close, reopen, grade


@dataclass(frozen=True)
class Review:
    """A committed objective graded below 1.0: it needs a review."""

    objective_id: str
    unit_id: str
    title: str
    grade: float


@dataclass(frozen=True)
class CloseResult:
    """What closing a period graded."""

    period: str
    objectives: int
    key_results: int
    review: list[Review]


def _covering(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, label: str, unit: str | None
) -> pl.DataFrame:
    """The closed_periods rows of `label` that cover `unit` (None: the whole organisation)."""
    closed = read_cycle_table(con, "closed_periods").filter(pl.col("period") == label)
    if unit is None:
        return closed
    ancestors = {unit}
    parents = dict(dataset.units.select("id", "parent_id").iter_rows())
    node: str | None = unit
    while node is not None:
        node = parents.get(node)
        if node is not None:
            ancestors.add(node)
    return closed.filter(pl.col("unit_id").is_null() | pl.col("unit_id").is_in(list(ancestors)))


def close_period(db: Database, label: str, *, unit: str | None = None) -> CloseResult:
    """Freeze the grades of period `label`'s objectives (in `unit`'s subtree): every KR's and
    objective's score as of the period's last day; a grade overridden before (the period was
    closed and reopened) keeps its override. Check-ins into those objectives' KRs dated in the
    period are refused from then on. Raises GoaltuiError when it is closed already. One
    transaction, on either engine."""
    period = objective_period(label)
    with as_store(db).working_copy(_("close a period"), checkins_of=label) as path:
        return _close_period(path, period, label, unit=unit)


def _close_period(db: Path, period: Period, label: str, *, unit: str | None) -> CloseResult:
    _existing_db(db)
    with write_session(db) as con:
        dataset = read_dataset(con)
        scope = _scope(dataset, label, unit)
        covering = _covering(con, dataset, label, unit)
        if covering.height:
            whom = covering["unit_id"][0]
            scope_text = f"for unit {whom!r}" if whom else "for the whole organisation"
            raise GoaltuiError(
                f"{label} is closed already ({scope_text}); reopen it with "
                f"`goaltui reopen {label}` to close it again"
            )
        krs, scores = _scores_at_end(dataset, period)
        ids = scope["id"].implode()
        now = now_utc()
        kr_rows = krs.filter(pl.col("objective_id").is_in(ids)).select(
            period=pl.lit(label),
            kind=pl.lit("kr"),
            goal_id="goal_id",
            objective_id="objective_id",
            unit_id="unit_id",
            score="score",
        )
        objective_rows = scores.filter(pl.col("objective_id").is_in(ids)).select(
            period=pl.lit(label),
            kind=pl.lit("objective"),
            goal_id="objective_id",
            objective_id="objective_id",
            unit_id="unit_id",
            score="score",
        )
        frozen = pl.concat([objective_rows, kr_rows]).with_columns(
            frozen_at=pl.lit(now).dt.cast_time_unit("us")
        )
        before = snapshot(con)
        with registered(con, "goaltui_frozen", frozen):
            con.execute(
                "INSERT INTO grades (period, kind, goal_id, objective_id, unit_id, score, "
                "frozen_at) SELECT period, kind, goal_id, objective_id, unit_id, score, "
                "frozen_at FROM goaltui_frozen ON CONFLICT (kind, goal_id) DO UPDATE SET "
                "period = excluded.period, objective_id = excluded.objective_id, "
                "unit_id = excluded.unit_id, score = excluded.score, "
                "frozen_at = excluded.frozen_at"
            )
        con.execute("INSERT INTO closed_periods VALUES (?, ?, ?, ?)", [label, unit, now, who()])
        _regrade_objectives(con, scope["id"].to_list())
        record_changes(con, before, changed_at=now)
        grades = read_cycle_table(con, "grades")
    graded = grades.filter(pl.col("objective_id").is_in(ids))
    effective = pl.coalesce("override", "score").fill_null(0.0)
    review = (
        graded.filter(pl.col("kind") == "objective")
        .join(scope.select(goal_id="id", title="title", commitment="commitment"), on="goal_id")
        .filter((pl.col("commitment") == "committed") & (effective < 1.0))
        .sort("unit_id", "goal_id")
        .select("goal_id", "unit_id", "title", grade=effective)
    )
    return CloseResult(
        period=label,
        objectives=objective_rows.height,
        key_results=kr_rows.height,
        review=[Review(*row) for row in review.iter_rows()],
    )


def _regrade_objectives(con: duckdb.DuckDBPyConnection, objective_ids: list[str]) -> None:
    """Set each objective's override to the weight-averaged KR grades when a KR grade is
    overridden (a KR without a grade counts 0); clear it when none is. One statement for all of
    them (a period of a large organisation has thousands)."""
    if not objective_ids:
        return
    con.execute(
        """
        UPDATE grades SET override = s.grade,
            note = CASE WHEN s.grade IS NULL THEN NULL ELSE 'from key result overrides' END
        FROM (
            SELECT o.id AS objective_id,
                CASE WHEN bool_or(g.override IS NOT NULL) AND sum(coalesce(k.weight, 1)) > 0
                THEN sum(coalesce(k.weight, 1) * coalesce(g.override, g.score, 0))
                    / sum(coalesce(k.weight, 1)) END AS grade
            FROM (SELECT unnest($ids) AS id) o
            LEFT JOIN key_results k ON k.objective_id = o.id
            LEFT JOIN grades g ON g.kind = 'kr' AND g.goal_id = k.id
            GROUP BY o.id
        ) s
        WHERE grades.kind = 'objective' AND grades.goal_id = s.objective_id
        """,
        {"ids": objective_ids},
    )


def reopen_period(db: Database, label: str) -> int:
    """Reopen period `label` everywhere it was closed; grades stay (a later close refreezes
    the scores and keeps overrides). Returns how many closures were lifted. Raises
    GoaltuiError when the period is not closed. One transaction, on either engine."""
    objective_period(label)
    with as_store(db).working_copy(_("reopen a period")) as path:
        return _reopen_period(path, label)


def _reopen_period(db: Path, label: str) -> int:
    _existing_db(db)
    with write_session(db) as con:
        count = con.sql(
            "SELECT count(*) FROM closed_periods WHERE period = $p", params={"p": label}
        ).fetchall()[0][0]
        if not count:
            raise GoaltuiError(_("{label} is not closed; nothing to reopen").format(label=label))
        before = snapshot(con)
        con.execute("DELETE FROM closed_periods WHERE period = $p", {"p": label})
        record_changes(con, before)
    return int(count)


def grade_key_result(db: Database, kr_id: str, score: float, *, note: str | None = None) -> None:
    """Override the frozen grade of key result `kr_id` with `score` (0-1) and a reason; its
    objective's grade becomes the weight-averaged KR grades. Raises GoaltuiError for an unknown
    or ungraded key result or a score outside 0-1. One transaction, on either engine."""
    if not 0.0 <= score <= 1.0:
        raise GoaltuiError(
            _("{score} is outside 0-1 (a grade is a score from 0 to 1)").format(score=f"{score:g}")
        )
    with as_store(db).working_copy(_("grade a key result")) as path:
        _grade_key_result(path, kr_id, score, note=note)


def _grade_key_result(db: Path, kr_id: str, score: float, *, note: str | None) -> None:
    _existing_db(db)
    with write_session(db) as con:
        found = con.sql(
            "SELECT objective_id FROM key_results WHERE id = $id", params={"id": kr_id}
        ).fetchall()
        if not found:
            raise GoaltuiError(_("no key result has the id {kr}").format(kr=repr(kr_id)))
        graded = con.sql(
            "SELECT count(*) FROM grades WHERE kind = 'kr' AND goal_id = $id", params={"id": kr_id}
        ).fetchall()[0][0]
        if not graded:
            raise GoaltuiError(
                f"key result {kr_id!r} has no grade yet; close its objective's period first"
            )
        before = snapshot(con)
        con.execute(
            "UPDATE grades SET override = $score, note = $note, graded_by = $by, "
            "graded_at = $at WHERE kind = 'kr' AND goal_id = $id",
            {"score": score, "note": note, "by": who(), "at": now_utc(), "id": kr_id},
        )
        _regrade_objectives(con, [str(found[0][0])])
        record_changes(con, before)


# --------------------------------------------------------------------------------------------
# The review of a period


def _number(value: float | None) -> str:
    return _("none") if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class CycleState:
    """The stored grades and closed periods (GRADES_SCHEMA, CLOSED_PERIODS_SCHEMA frames)."""

    grades: pl.DataFrame
    closed_periods: pl.DataFrame


def read_cycle_state(db: Database) -> CycleState:
    """The grades and closed periods of the database `db` (either engine), in one read."""
    tables = as_store(db).cycle_tables(("grades", "closed_periods"))
    return CycleState(
        tables["grades"].cast(GRADES_SCHEMA),  # type: ignore[arg-type]
        tables["closed_periods"].cast(CLOSED_PERIODS_SCHEMA),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class ReviewData:
    """The review of one period: its objectives' rows and the distribution of their bands."""

    period: str
    state: str
    """`closed`, `ended` (its end is before as-of) or `running`."""
    scored_at: date
    """The day the scores are computed for: the period's end, or as-of while it runs."""
    rows: pl.DataFrame
    """One row per objective in unit tree order, then id: id, unit_id, unit_name, depth, title,
    commitment, score, frozen, override, note, grade (the override, else the frozen score),
    band (of the grade, else the score) and review (committed and below 1.0)."""
    counts: dict[str, int]
    """How many objectives are red, yellow and green."""


def review_data(
    dataset: Dataset, cycle: CycleState, label: str, as_of: date, *, unit: str | None = None
) -> ReviewData:
    """The review of period `label` (in `unit`'s subtree): each objective's score as of the
    period's end (or as-of while it runs), its grade, commitment and band. Raises GoaltuiError
    for a bad period or unit, or a period no objective has."""
    period = objective_period(label)
    grades = cycle.grades.filter(pl.col("kind") == "objective")
    closed = cycle.closed_periods.filter(pl.col("period") == label)
    scope = _scope(dataset, label, unit)
    when = min(period.end, as_of)
    goals = evaluate_goals(dataset, when)
    scores = evaluate_objectives(dataset, goals, when).filter(pl.col("period") == label)
    order = pl.DataFrame(
        [(u, i, depth) for i, (u, _name, depth) in enumerate(unit_order(dataset))],
        schema={"unit_id": pl.String, "order": pl.Int64, "depth": pl.Int64},
        orient="row",
    )
    rows = (
        scope.join(scores.select(id="objective_id", score="score"), on="id", how="left")
        .join(
            grades.select(id="goal_id", frozen="score", override="override", note="note"),
            on="id",
            how="left",
        )
        .join(order, on="unit_id", how="left")
        .join(dataset.units.select(unit_id="id", unit_name="name"), on="unit_id", how="left")
        .with_columns(grade=pl.coalesce("override", "frozen"))
        .with_columns(band=band_expr(pl.coalesce("grade", "score").fill_null(0.0)))
        .with_columns(
            review=(pl.col("commitment") == "committed")
            & (pl.coalesce("grade", "score").fill_null(0) < 1)
        )
        .sort("order", "id", nulls_last=True)
        .select(
            "id",
            "unit_id",
            "unit_name",
            "depth",
            "title",
            "commitment",
            "score",
            "frozen",
            "override",
            "note",
            "grade",
            "band",
            "review",
        )
    )
    state = "closed" if closed.height else ("ended" if period.end < as_of else "running")
    counts = {
        band: rows.filter(pl.col("band") == band).height for band in ("red", "yellow", "green")
    }
    return ReviewData(label, state, when, rows, counts)


def review_markdown(db: Database, label: str, as_of: date, *, unit: str | None = None) -> str:
    """The review-meeting text of period `label`: per unit, each objective with its score (as
    of the period's end, or as-of while it runs), grade, commitment and colour band, and the
    distribution of grades (red/yellow/green). Raises GoaltuiError for a bad period or unit."""
    objective_period(label)
    store = as_store(db)
    if not store.exists():
        raise GoaltuiError(
            f"{store.label}: no database here; create one with `goaltui init` or import"
        )
    dataset = store.load_dataset()
    return render_review(review_data(dataset, read_cycle_state(db), label, as_of, unit=unit))


def render_review(data: ReviewData) -> str:
    """The review-meeting text (markdown) of `data`."""
    label, rows, counts = data.period, data.rows, data.counts
    closed = data.state == "closed"
    lines = [
        _("# Review of {label} ({state}, scores as of {day})").format(
            label=label,
            state={"closed": _("closed"), "ended": _("ended"), "running": _("running")}.get(
                data.state, data.state
            ),
            day=data.scored_at.isoformat(),
        ),
        "",
    ]
    lines += [
        (
            _("Grades: {red} red, {yellow} yellow, {green} green of {n} objectives.")
            if closed
            else _("Scores: {red} red, {yellow} yellow, {green} green of {n} objectives.")
        ).format(red=counts["red"], yellow=counts["yellow"], green=counts["green"], n=rows.height),
        "",
    ]
    by_unit: dict[str, list[dict[str, Any]]] = {}
    names: dict[str, str] = {}
    for row in rows.iter_rows(named=True):
        by_unit.setdefault(row["unit_id"], []).append(row)
        names[row["unit_id"]] = row["unit_name"] or row["unit_id"]
    for unit_id, unit_rows in by_unit.items():
        lines += [
            f"## {_cell(names[unit_id])} ({_cell(unit_id)})",
            "",
            _("| objective | commitment | score | grade | band |"),
            "| --- | --- | ---: | ---: | --- |",
        ]
        for row in sorted(unit_rows, key=lambda r: r["id"]):
            grade = _number(row["grade"])
            if row["override"] is not None:
                grade += _(" (frozen {value})").format(value=_number(row["frozen"]))
            lines.append(
                f"| {_cell(row['title'])} | "
                + {"aspirational": _("aspirational"), "committed": _("committed")}.get(
                    row["commitment"], str(row["commitment"])
                )
                + f" | {_number(row['score'])} | {grade} | "
                + {"red": _("red"), "yellow": _("yellow"), "green": _("green")}.get(
                    row["band"], str(row["band"])
                )
                + " |"
            )
        lines.append("")
    review = rows.filter(pl.col("review")).sort("id")
    if review.height:
        lines += [_("## Committed objectives below 1.0"), ""]
        lines += [
            f"- {_cell(r['title'])} ({r['id']}, {r['unit_id']}): "
            f"{_number(r['grade'] if r['grade'] is not None else r['score'])}"
            for r in review.iter_rows(named=True)
        ]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
