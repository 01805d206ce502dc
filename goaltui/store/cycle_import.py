"""Importing grades.csv, closed_periods.csv and history.csv, and refusing imported check-ins
dated in a closed objective's period: the rules and writes the importer calls."""

from __future__ import annotations

import duckdb
import polars as pl

from goaltui.i18n import N_, _, translated
from goaltui.store.cells import LABEL_PATTERNS, Problems, Rule, apply_rules, quoted
from goaltui.store.cycle import (
    CYCLE_SCHEMAS,
    TRACKED_TABLES,
    closed_key_results,
    closed_message,
)
from goaltui.store.frames import registered
from goaltui.store.reading import ROW
from goaltui.store.rules import expr_text

_PERIOD_OK = f"{LABEL_PATTERNS['quarter']}|{LABEL_PATTERNS['year']}"


def _period_rule() -> Rule:
    return (
        "period",
        pl.col("period").is_not_null() & ~pl.col("period").str.contains(_PERIOD_OK),
        expr_text(
            _("{period} is not a quarter or a year (use e.g. 2026-Q4 or 2026)"),
            period=quoted(pl.col("period")),
        ),
    )


def _missing(column: str, ids: pl.Series, noun: str, when: pl.Expr | None = None) -> Rule:
    mask = pl.col(column).is_not_null() & ~pl.col(column).is_in(ids.implode())
    return (
        column,
        mask if when is None else mask & when,
        expr_text(_("no {noun} has the id {id}"), noun=translated(noun), id=quoted(pl.col(column))),
    )


def _repeated(frame: pl.DataFrame, keys: list[str], column: str) -> Rule:
    first = pl.col(ROW).min().over([pl.col(k).fill_null("") for k in keys])
    return (
        column,
        pl.col(ROW) != first,
        pl.lit(
            _("this row repeats the {columns} of an earlier row").format(columns=", ".join(keys))
        ),
    )


def _score_rule(column: str) -> Rule:
    return (
        column,
        (pl.col(column) < 0) | (pl.col(column) > 1),
        expr_text(
            _("{cell} is outside 0-1 (a grade is a score from 0 to 1)"),
            cell=pl.col(column + "__text"),
        ),
    )


def validate_cycle(
    typed: dict[str, pl.DataFrame],
    objectives: pl.DataFrame,
    key_results: pl.DataFrame,
    units: pl.DataFrame,
    problems: Problems,
) -> dict[str, pl.DataFrame]:
    """Check grades, closed_periods and history against the definitions they name (after the
    import); add what is wrong to `problems` and return the frames to write."""
    grades = typed["grades"]
    is_kr = pl.col("kind") == "kr"
    rules: list[Rule] = [
        _repeated(grades, ["kind", "goal_id"], "goal_id"),
        _period_rule(),
        _missing("goal_id", key_results["id"], N_("key result"), is_kr),
        _missing("goal_id", objectives["id"], N_("objective"), ~is_kr),
        _missing("objective_id", objectives["id"], N_("objective")),
        _missing("unit_id", units["id"], N_("unit")),
        _score_rule("score"),
        _score_rule("override"),
    ]
    problems.add("grades", apply_rules(grades, rules))

    closed = typed["closed_periods"]
    rules = [
        _repeated(closed, ["period", "unit_id"], "period"),
        _period_rule(),
        _missing("unit_id", units["id"], N_("unit")),
    ]
    problems.add("closed_periods", apply_rules(closed, rules))

    history = typed["history"]
    rules = [
        (
            "table_name",
            ~pl.col("table_name").is_in(list(TRACKED_TABLES)),
            expr_text(
                _("{table} is not a table the history keeps ({tables})"),
                table=quoted(pl.col("table_name")),
                tables=", ".join(TRACKED_TABLES),
            ),
        )
    ]
    problems.add("history", apply_rules(history, rules))
    return {"grades": grades, "closed_periods": closed, "history": history}


def write_cycle(
    con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], *, replace: bool
) -> dict[str, int]:
    """Write the imported cycle tables: grades upserted by kind and goal_id, closed periods by
    period and unit, history entries appended in file order (entries the database holds
    already are skipped). `replace` empties grades and closed periods first; the history is
    never emptied. Returns the rows written per table."""
    if replace:
        con.execute("DELETE FROM grades")
        con.execute("DELETE FROM closed_periods")
    counts: dict[str, int] = {}
    grades = frames["grades"].select(list(CYCLE_SCHEMAS["grades"]))
    counts["grades"] = grades.height
    if grades.height:
        columns = ", ".join(grades.columns)
        with registered(con, "goaltui_grades", grades):
            con.execute(
                f"INSERT OR REPLACE INTO grades ({columns}) SELECT {columns} FROM goaltui_grades"
            )
    closed = frames["closed_periods"].select(list(CYCLE_SCHEMAS["closed_periods"]))
    if closed.height:
        columns = ", ".join(closed.columns)
        with registered(con, "goaltui_closed", closed):
            con.execute(
                "DELETE FROM closed_periods c WHERE EXISTS (SELECT 1 FROM goaltui_closed n "
                "WHERE n.period = c.period AND n.unit_id IS NOT DISTINCT FROM c.unit_id)"
            )
            con.execute(
                f"INSERT INTO closed_periods ({columns}) SELECT {columns} FROM goaltui_closed"
            )
    entry = [c for c in CYCLE_SCHEMAS["history"] if c != "seq"]
    history = frames["history"].select(ROW, *entry)
    before = con.sql("SELECT count(*) FROM history").fetchall()[0][0]
    if history.height:
        with registered(con, "goaltui_history_in", history):
            con.execute(
                f"INSERT INTO history (seq, {', '.join(entry)}) SELECT "
                "(SELECT coalesce(max(seq) + 1, 0) FROM history) "
                f"+ row_number() OVER (ORDER BY n.{ROW}) - 1, "
                f"{', '.join(f'n.{c}' for c in entry)} "
                "FROM goaltui_history_in n WHERE NOT EXISTS (SELECT 1 FROM history h "
                "WHERE h.table_name = n.table_name AND h.row_id = n.row_id "
                "AND h.changed_at = n.changed_at "
                "AND h.before IS NOT DISTINCT FROM n.before "
                "AND h.after IS NOT DISTINCT FROM n.after)"
            )
    counts["history"] = int(con.sql("SELECT count(*) FROM history").fetchall()[0][0]) - before
    return counts


def closed_checkin_rules(con: duckdb.DuckDBPyConnection) -> list[Rule]:
    """Rules refusing new check-ins (goal_id, date; `__repeat` marks those the database holds
    already, which stay welcome) dated in a closed objective's period on its key results, as
    the database holds them before the import."""
    closed = closed_key_results(con)
    rules: list[Rule] = []
    for (objective_id, period, start, end), group in closed.group_by(
        "objective_id", "period", "start", "end", maintain_order=True
    ):
        goals = group["goal_id"]
        message = closed_message("@goal@", str(objective_id), str(period))
        head, _, tail = message.partition("@goal@")
        rules.append(
            (
                "date",
                pl.col("goal_id").is_in(goals.implode())
                & pl.col("date").is_between(pl.lit(start), pl.lit(end))
                & ~pl.col("__repeat"),
                pl.concat_str(pl.lit(head), pl.col("goal_id"), pl.lit(tail)),
            )
        )
    return rules
