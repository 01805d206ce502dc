"""Durable check-in writes: append, correct and retract, each in one transaction.

Check-ins are append-only. A correction is a new entry whose `supersedes` names the entry it
replaces; a retraction is such an entry without a value. `checkin_problems` is the one set of
rules for the command line, the dashboard's form (as you type) and these writes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from goaltui.i18n import _
from goaltui.model.errors import DatabaseError, ValidationError
from goaltui.model.types import Checkin
from goaltui.store.cycle import closed_problem
from goaltui.store.dataset import TABLE_SCHEMAS, Dataset
from goaltui.store.db import write_session
from goaltui.store.frames import query
from goaltui.store.rules import (
    checkin_number_rules,
    date_problem,
    first_problems,
    has_percent_sign,
    takes_percent,
    text_problem,
    value_problem,
)
from goaltui.store.rules import parse_number as parse_number
from goaltui.store.tables import TABLES

CHECKIN_FIELDS = (
    "goal_id",
    "date",
    "value",
    "denominator",
    "confidence",
    "note",
    "author",
    "id",
    "supersedes",
)
"""The fields `checkin_problems` may name, in the order a form shows them."""

LOG_STATES = ("active", "corrected", "retracted", "correction", "retraction")
"""Values of the `state` column of `checkin_log`."""


STORED_COLUMNS = tuple(c for c in TABLES["checkins"].names if c != "seq")
"""The columns one check-in writes (besides `seq`, which each engine numbers its own way)."""


def stored_values(checkin: Checkin) -> list[object]:
    """`checkin`'s values in the order of STORED_COLUMNS, for an INSERT on either engine."""
    return [getattr(checkin, name) for name in STORED_COLUMNS]


def new_checkin_id() -> str:
    """A short unique id for a check-in entered by hand: `c` and 16 random hex digits."""
    return "c" + secrets.token_hex(8)


def goal_takes_percent(dataset: Dataset, goal_id: str) -> bool:
    """Whether the goal's values may be written with a % sign (rules.takes_percent), by the
    goal's definition in `dataset` (the check-ins are not needed)."""
    goal_id = goal_id.strip()
    for frame in (dataset.kpis, dataset.key_results):
        row = frame.filter(pl.col("id") == goal_id)
        if row.height:
            return takes_percent(row["unit"][0], row["aggregation"][0])
    return False


def read_checkin_numbers(
    texts: dict[str, str | None], takes_percent_sign: Callable[[], bool]
) -> dict[str, float | None]:
    """Read the numbers of a check-in typed on the command line (`value`, `denominator`,
    `confidence`) by the rule book; `73%` is a value only for a goal measured in %, which
    `takes_percent_sign` looks up, only when a % sign is written. Raises ValidationError
    (`field: reason`)."""
    numbers: dict[str, float | None] = {}
    problems: list[str] = []
    for field, text in texts.items():
        percent = field == "value" and text is not None and has_percent_sign(text)
        try:
            numbers[field] = parse_number(text or "", percent=percent and takes_percent_sign())
        except ValueError as error:
            problems.append(f"{field}: {error}")
    if problems:
        raise ValidationError(problems)
    return numbers


def _goal(dataset: Dataset, goal_id: str) -> dict[str, str | None] | None:
    """kind, aggregation and kpi_id of a goal, or None when no goal has the id."""
    kpi = dataset.kpis.filter(pl.col("id") == goal_id)
    if kpi.height:
        return {"kind": "kpi", "aggregation": kpi["aggregation"][0], "kpi_id": None}
    kr = dataset.key_results.filter(pl.col("id") == goal_id)
    if kr.height:
        return {"kind": "kr", "aggregation": kr["aggregation"][0], "kpi_id": kr["kpi_id"][0]}
    return None


def checkin_problems(dataset: Dataset, checkin: Checkin, *, today: date) -> dict[str, str]:
    """What is wrong with `checkin` against `dataset`, by field (see CHECKIN_FIELDS); an empty
    dict means it can be saved. Pure: reads the frames, writes nothing.

    The reasons read as short phrases under a form field, e.g. `no KPI or key result has the id
    'x'`; `dataset.checkins` needs only the entries of the goal (for `supersedes`).
    """
    problems: dict[str, str] = {}
    goal_id = (checkin.goal_id or "").strip()
    goal = _goal(dataset, goal_id) if goal_id else None
    if not goal_id:
        problems["goal_id"] = _("choose a KPI or key result")
    elif goal is None:
        problems["goal_id"] = _("no KPI or key result has the id '{id}'").format(id=goal_id)
    elif goal["kpi_id"] is not None:
        kpi_id = goal["kpi_id"]
        names = dataset.kpis.filter(pl.col("id") == kpi_id)["name"]
        named = f" ({names[0]})" if names.len() else ""
        problems["goal_id"] = _(
            "key result '{kr}' is measured by KPI '{kpi}'{named} and takes no check-ins of its "
            "own; check in to {kpi} instead"
        ).format(kr=goal_id, kpi=kpi_id, named=named)

    value = checkin.value
    if value is None:
        if checkin.supersedes is None:
            problems["value"] = "enter a value"
    elif reason := value_problem(value):
        problems["value"] = reason

    ratio = goal is not None and goal["aggregation"] == "ratio"
    denominator = checkin.denominator
    if reason := value_problem(denominator):
        problems["denominator"] = reason
    elif goal is not None and goal["kpi_id"] is None:
        if ratio and denominator is None and value is not None:
            problems["denominator"] = _("'{id}' is a ratio goal: enter a denominator").format(
                id=goal_id
            )
        elif not ratio and denominator is not None:
            problems["denominator"] = (
                f"only ratio goals take a denominator; '{goal_id}' aggregates by "
                f"{goal['aggregation']}"
            )
    if reason := value_problem(checkin.confidence):
        problems["confidence"] = reason
    for field, reason in _number_problems(checkin).items():
        problems.setdefault(field, reason)

    if reason := date_problem(checkin.date):
        problems["date"] = reason
    elif checkin.date > today:
        problems["date"] = _("{date} is after today ({today})").format(
            date=checkin.date.isoformat(), today=today.isoformat()
        )

    for field, text in (
        ("goal_id", checkin.goal_id),
        ("author", checkin.author),
        ("id", checkin.id),
        ("supersedes", checkin.supersedes),
        ("note", checkin.note),
    ):
        if reason := text_problem(text, field):
            problems.setdefault(field, reason)

    if checkin.author is not None and checkin.author.strip():
        author = checkin.author.strip()
        if dataset.units.filter(pl.col("id") == author).height == 0:
            problems["author"] = _("no unit has the id '{id}'").format(id=author)

    if checkin.supersedes is not None:
        reason = _supersedes_problem(dataset, checkin.supersedes, goal_id, checkin.id)
        if reason:
            problems["supersedes"] = reason
    return problems


def _number_problems(checkin: Checkin) -> dict[str, str]:
    """The rule book's rules of a check-in's numbers, run over this one check-in."""

    def cell(value: float | None) -> str | None:
        return None if value is None else f"{value:g}"

    row = pl.DataFrame(
        {
            "value": [checkin.value],
            "denominator": [checkin.denominator],
            "confidence": [checkin.confidence],
            "value__text": [cell(checkin.value)],
            "denominator__text": [cell(checkin.denominator)],
            "confidence__text": [cell(checkin.confidence)],
        },
        schema={
            "value": pl.Float64,
            "denominator": pl.Float64,
            "confidence": pl.Float64,
            "value__text": pl.String,
            "denominator__text": pl.String,
            "confidence__text": pl.String,
        },
    )
    return first_problems(row, checkin_number_rules())


def _supersedes_problem(
    dataset: Dataset, target_id: str, goal_id: str, own_id: str | None
) -> str | None:
    if target_id == own_id:
        return _("a check-in cannot supersede itself")
    entries = dataset.checkins
    target = entries.filter(pl.col("id") == target_id)
    if target.height == 0:
        return _("no check-in has the id '{id}'").format(id=target_id)
    if target["goal_id"][0] != goal_id:
        return _("'{id}' is a check-in of '{of}', not of '{goal}'").format(
            id=target_id, of=target["goal_id"][0], goal=goal_id
        )
    if target["value"][0] is None and target["supersedes"][0] is not None:
        return _("'{id}' is a retraction; check in anew instead").format(id=target_id)
    later = entries.filter(pl.col("supersedes") == target_id).sort("seq")
    if later.height:
        by = later.row(0, named=True)
        if by["value"] is not None:
            return _("check-in '{id}' was already corrected by '{by}'").format(
                id=target_id, by=by["id"]
            )
        return _("check-in '{id}' was already retracted by '{by}'").format(
            id=target_id, by=by["id"]
        )
    return None


def _clean_text(text: str | None) -> str | None:
    stripped = text.strip() if text is not None else None
    return stripped or None


def _context(con: duckdb.DuckDBPyConnection, checkin: Checkin) -> Dataset:
    """Just the rows `checkin_problems` reads for `checkin`: its goal (and the KPI a key result
    is measured by), its author's unit, and the entry a correction names with whatever
    superseded it already. A handful of rows, however large the organisation."""

    def rows(table: str, where: str, params: dict[str, str]) -> pl.DataFrame:
        columns = ", ".join(TABLE_SCHEMAS[table])
        return query(con, f"SELECT {columns} FROM {table} WHERE {where}", params)

    goal = {"g": checkin.goal_id}
    frames = {
        "kpis": rows(
            "kpis", "id = $g OR id IN (SELECT kpi_id FROM key_results WHERE id = $g)", goal
        ),
        "key_results": rows("key_results", "id = $g", goal),
    }
    # A new entry of nobody in particular (most of them) needs neither of these reads.
    author = (checkin.author or "").strip()
    if author:
        frames["units"] = rows("units", "id = $a", {"a": author})
    if checkin.supersedes:
        frames["checkins"] = rows(
            "checkins", "id = $s OR supersedes = $s ORDER BY seq", {"s": checkin.supersedes}
        )
    return Dataset.from_frames(**frames)


def _append(db: Path, checkin: Checkin, *, today: date) -> Checkin:
    if not db.exists():
        raise DatabaseError(f"{db}: no database here; create one with `goaltui init` or import")
    checkin = replace(
        checkin,
        goal_id=checkin.goal_id.strip(),
        note=_clean_text(checkin.note),
        author=_clean_text(checkin.author),
        id=_clean_text(checkin.id),
        supersedes=_clean_text(checkin.supersedes),
    )
    with write_session(db) as con:
        dataset = _context(con, checkin)
        problems = checkin_problems(dataset, checkin, today=today)
        closed = closed_problem(con, checkin.goal_id, checkin.date, checkin.supersedes)
        if closed and "date" not in problems:
            problems["date"] = closed
        if checkin.id is not None:
            taken = con.sql(
                "SELECT count(*) FROM checkins WHERE id = $id", params={"id": checkin.id}
            ).fetchall()[0][0]
            if taken:
                problems["id"] = _("'{id}' is the id of another check-in already").format(
                    id=checkin.id
                )
        if problems:
            raise ValidationError([f"{field}: {reason}" for field, reason in problems.items()])
        seq = con.sql("SELECT coalesce(max(seq) + 1, 0) FROM checkins").fetchall()[0][0]
        stored = replace(
            checkin,
            seq=int(seq),
            id=checkin.id or new_checkin_id(),
            recorded_at=checkin.recorded_at or datetime.now(UTC).replace(tzinfo=None),
        )
        columns = ("seq", *STORED_COLUMNS)
        con.execute(
            f"INSERT INTO checkins ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [int(seq), *stored_values(stored)],
        )
    return stored


def append_checkin(db: Path, checkin: Checkin, *, today: date) -> Checkin:
    """Validate `checkin` against the database at `db` and append it in one transaction.

    Assigns an id (unless given), recorded_at (now, UTC, unless given) and the next entry
    number; returns the stored check-in once it is committed to disk. Raises ValidationError
    (`field: reason` per problem) and DatabaseError (no database, locked too long, not a goaltui
    database).
    """
    return _append(db, checkin, today=today)


def _original(db: Path, checkin_id: str) -> Checkin:
    from goaltui.store.db import read_session

    with read_session(db) as con:
        rows = con.sql(
            "SELECT goal_id, date FROM checkins WHERE id = $id", params={"id": checkin_id}
        ).fetchall()
    if not rows:
        raise ValidationError([f"supersedes: no check-in has the id '{checkin_id}'"])
    goal_id, day = rows[0]
    return Checkin(goal_id=str(goal_id), date=day, value=None, supersedes=checkin_id)


def correct_checkin(db: Path, checkin_id: str, replacement: Checkin, *, today: date) -> Checkin:
    """Append `replacement` as the correction of check-in `checkin_id` (same goal).

    Refused (ValidationError) when that check-in does not exist, belongs to another goal, is a
    retraction, or was already corrected or retracted (the message names by which entry).
    Returns the stored correction.
    """
    original = _original(db, checkin_id)
    goal_id = replacement.goal_id.strip() or original.goal_id
    return _append(db, replace(replacement, goal_id=goal_id, supersedes=checkin_id), today=today)


def retract_checkin(
    db: Path,
    checkin_id: str,
    *,
    today: date,
    note: str | None = None,
    author: str | None = None,
) -> Checkin:
    """Retract check-in `checkin_id`: append an entry without a value that supersedes it, dated
    like the original. Refused like `correct_checkin`. Returns the stored retraction."""
    original = _original(db, checkin_id)
    retraction = replace(original, note=note, author=author)
    return _append(db, retraction, today=max(today, original.date))


def checkin_log(dataset: Dataset, goal_id: str) -> pl.DataFrame:
    """Every entry of a goal's log, newest first (by date, then entry order), for the dashboard.

    For a key result measured by a KPI the log is that KPI's. Columns: those of the checkins
    table, `state` (one of LOG_STATES: `active`; `corrected` or `retracted` when a later entry
    superseded it; `correction` or `retraction` for an entry that supersedes another and is
    itself in force) and `superseded_by` (the id of the entry that superseded it).
    """
    kr = dataset.key_results.filter(pl.col("id") == goal_id)
    source = goal_id
    if kr.height and kr["kpi_id"][0] is not None:
        source = str(kr["kpi_id"][0])
    entries = dataset.checkins.filter(pl.col("goal_id") == source)
    superseders = (
        entries.filter(pl.col("supersedes").is_not_null())
        .sort("seq")
        .group_by("supersedes", maintain_order=True)
        .agg(superseded_by=pl.col("id").first(), by_value=pl.col("value").first().is_not_null())
        .rename({"supersedes": "id"})
    )
    log = entries.join(superseders, on="id", how="left", maintain_order="left")
    state = (
        pl.when(pl.col("superseded_by").is_not_null())
        .then(pl.when(pl.col("by_value")).then(pl.lit("corrected")).otherwise(pl.lit("retracted")))
        .when(pl.col("supersedes").is_not_null())
        .then(
            pl.when(pl.col("value").is_not_null())
            .then(pl.lit("correction"))
            .otherwise(pl.lit("retraction"))
        )
        .otherwise(pl.lit("active"))
    )
    return (
        log.with_columns(state=state)
        .select(*TABLE_SCHEMAS["checkins"], "state", "superseded_by")
        .sort(["date", "seq"], descending=True)
    )
