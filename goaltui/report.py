"""`goaltui report`: each goal's actual, target, achievement, status and score as csv, json,
Markdown or a Rich table. Headless: never imports Textual (Rich only for the table format).

Row order (every format): KPI rows by goal id then period, then key-result rows by goal id then
period, then objective rows by objective id then period. It depends only on the ids and dates,
never on the order anything was imported in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from goaltui.i18n import N_, _, is_korean, ngettext, translated
from goaltui.metrics.engine import (
    EvaluationPlan,
    evaluate_objectives,
    evaluate_planned,
    evaluation_plan,
)
from goaltui.metrics.tree import closure, subtree_ids
from goaltui.model.enums import STATUS_TABLE, STATUS_WORDS
from goaltui.model.errors import GoaltuiError
from goaltui.model.period import set_fiscal_year_start
from goaltui.store.dataset import Dataset, read_dataset, without_archived
from goaltui.store.db import read_fiscal_year_start, read_session
from goaltui.store.engine import FileStore, Store
from goaltui.store.rules import escape_formula_expr
from goaltui.textsafe import CONTROL_PATTERN, markdown_cell, safe_json, safe_plain, safe_text

REPORT_COLUMNS: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "goal_id": pl.String(),
    "unit_id": pl.String(),
    "name": pl.String(),
    "period": pl.String(),
    "actual": pl.Float64(),
    "target": pl.Float64(),
    "achievement": pl.Float64(),
    "status": pl.String(),
    "score": pl.Float64(),
}
"""The csv columns (DESIGN.md, command line), in order, and their types."""

FORMATS = ("table", "csv", "json", "md")
SIGNIFICANT_DIGITS = 12
"""Numbers in csv and json keep this many significant digits."""


STATUS_STYLES = {s.id: s.style for s in STATUS_TABLE}
BAND_STYLES = {"green": "green", "yellow": "yellow", "red": "red"}

# Small triangles: East-Asian width N, so Korean tables stay aligned in terminals that draw
# ambiguous-width characters wide (▲▼→ are ambiguous).
TREND_UP = "▴ up"
TREND_DOWN = "▾ down"
TREND_FLAT = "▸ flat"


KIND_WORDS = {"kpi": N_("kpi"), "kr": N_("kr"), "objective": N_("objective")}
"""The table's kind column as people read it (csv and json keep the ids)."""


def report_frames(
    dataset: Dataset,
    as_of: date,
    *,
    unit: str | None,
    history: bool,
    plan: EvaluationPlan | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The evaluated goals and objectives a report shows: `evaluate_goals` and
    `evaluate_objectives` rows, restricted to `unit`'s subtree when given.
    Archived goals are shown only with `history`. `plan`: the `report_plan` the dataset was read
    by (made here when None). Raises GoaltuiError for an unknown unit."""
    if not history:
        dataset = without_archived(dataset)
    if plan is None:
        plan = evaluation_plan(dataset, as_of, history=history)
    goals = evaluate_planned(dataset, plan)
    objectives = evaluate_objectives(dataset, goals, as_of, history=history)
    if unit is not None:
        if unit not in set(dataset.units.get_column("id").to_list()):
            raise GoaltuiError(f"unknown unit {unit!r}")
        inside = subtree_ids(dataset.units, unit).implode()
        goals = goals.filter(pl.col("unit_id").is_in(inside))
        objectives = objectives.filter(pl.col("unit_id").is_in(inside))
    return goals, objectives


def report_rows(goals: pl.DataFrame, objectives: pl.DataFrame) -> pl.DataFrame:
    """The report's rows (REPORT_COLUMNS) in the documented order."""
    goal_rows = goals.sort("kind", "goal_id", "period_start").select(list(REPORT_COLUMNS))
    objective_rows = objectives.sort("objective_id", "period_start").select(
        kind=pl.lit("objective"),
        goal_id=pl.col("objective_id"),
        unit_id=pl.col("unit_id"),
        name=pl.col("title"),
        period=pl.col("period"),
        actual=pl.lit(None, pl.Float64),
        target=pl.lit(None, pl.Float64),
        achievement=pl.lit(None, pl.Float64),
        status=pl.lit(None, pl.String),
        score=pl.col("score"),
    )
    rows = pl.concat(
        [
            goal_rows.cast(REPORT_COLUMNS),  # type: ignore[arg-type]
            objective_rows.cast(REPORT_COLUMNS),  # type: ignore[arg-type]
        ]
    )
    # 12 significant digits: exact for any real measurement, and 38 x 0.8 prints as 30.4 rather
    # than binary floating point's 30.400000000000002.
    numbers = ["actual", "target", "achievement", "score"]
    return rows.with_columns(pl.col(numbers).round_sig_figs(SIGNIFICANT_DIGITS))


def report_plan(definitions: Dataset, as_of: date, *, history: bool, fmt: str) -> EvaluationPlan:
    """The evaluation plan of a report in format `fmt` of a dataset with these definitions:
    without `history`, of the goals it shows (archived ones are not). The csv and json show no
    change against the previous period, so they read a previous period only where a target or
    baseline comes from it."""
    shown = definitions if history else without_archived(definitions)
    changes = fmt not in ("csv", "json")
    return evaluation_plan(shown, as_of, history=history, changes=changes)


def load_report(db: Path | Store, as_of: date, *, history: bool) -> Dataset:
    """Read from the database `db` (a file path or a Store of either engine) what a report as
    of `as_of` needs: check-ins up to as-of (later ones never count), aggregated per goal and
    period by the database; without `history`, only the current and previous periods of the
    goals it shows (`report_plan`); nothing only the dashboard's panes read. Raises
    DatabaseError."""
    return _read_report(db, as_of, history=history, fmt="table")[0]


def report_text(
    db: Path | Store,
    as_of: date,
    *,
    unit: str | None,
    history: bool,
    fmt: str,
    fiscal_fallback: int | None = None,
) -> str:
    """`render_report` of what `load_report` reads, the goals planned once for both: the csv
    and json read a previous period only where a target or baseline comes from it (they show
    no change). With `fiscal_fallback`, the first fiscal month is set first: the database's
    own, else that one (for a file, read in the same opening as the data). Raises
    DatabaseError, and GoaltuiError as render_report does."""
    if fmt not in FORMATS:
        raise GoaltuiError(f"unknown report format {fmt!r} (use {', '.join(FORMATS)})")
    dataset, plan = _read_report(
        db, as_of, history=history, fmt=fmt, fiscal_fallback=fiscal_fallback
    )
    return render_report(dataset, as_of, unit=unit, history=history, fmt=fmt, plan=plan)


def _read_report(
    db: Path | Store,
    as_of: date,
    *,
    history: bool,
    fmt: str,
    fiscal_fallback: int | None = None,
) -> tuple[Dataset, EvaluationPlan]:
    store = FileStore(db) if isinstance(db, Path) else db
    plans: list[EvaluationPlan] = []

    def buckets(definitions: Dataset) -> pl.DataFrame:
        plans.append(report_plan(definitions, as_of, history=history, fmt=fmt))
        return plans[-1].buckets

    # A report draws no panes: no trend-line sums, no check-in dates.
    if isinstance(store, FileStore) and fiscal_fallback is not None:
        # One opening of the file for the setting and the data (each opening costs a connect).
        with read_session(store.path) as con:
            set_fiscal_year_start(read_fiscal_year_start(con) or fiscal_fallback)
            dataset = read_dataset(con, checkins_until=as_of, aggregate=buckets, panes=False)
        return dataset, plans[-1]
    if fiscal_fallback is not None:
        set_fiscal_year_start(store.stored_fiscal_year_start() or fiscal_fallback)
    dataset = store.load_dataset(checkins_until=as_of, aggregate=buckets, panes=False)
    return dataset, plans[-1]


def render_report(
    dataset: Dataset,
    as_of: date,
    *,
    unit: str | None,
    history: bool,
    fmt: str,
    plan: EvaluationPlan | None = None,
) -> str:
    """The report of `dataset` as of `as_of` in format `fmt` (table, csv, json or md): without
    `history` the current period of each goal, with it every period (DESIGN.md, command line);
    `unit` restricts it to that unit and the units below. `plan`: the one `load_report` read
    the dataset by (made here when None). Raises GoaltuiError for an unknown unit or format."""
    if fmt not in FORMATS:
        raise GoaltuiError(f"unknown report format {fmt!r} (use {', '.join(FORMATS)})")
    goals, objectives = report_frames(dataset, as_of, unit=unit, history=history, plan=plan)
    if fmt == "csv":
        rows = _printable(report_rows(goals, objectives))
        text = [name for name, dtype in rows.schema.items() if dtype == pl.String]
        rows = rows.with_columns(escape_formula_expr(pl.col(name)) for name in text)
        return rows.write_csv(float_scientific=False)
    if fmt == "json":
        return safe_json(report_rows(goals, objectives).write_json()) + "\n"
    korean = is_korean()
    if fmt == "md":
        return _markdown(dataset, goals, objectives, as_of, korean=korean)
    return _table(goals, objectives, as_of, korean=korean)


# ---------------------------------------------------------------------------------------------
# For people: Markdown and the Rich table. These loop over the rows they print, never compute.


def _trend(change: float | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return TREND_UP
    if change < 0:
        return TREND_DOWN
    return TREND_FLAT


def _score(score: float | None) -> str:
    return "" if score is None else f"{score:.2f}"


def _printable(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` with the control characters of its text cells made visible (`safe_plain`): csv
    has no escapes of its own, and the csv is printed to a terminal as often as to a file."""
    text = [name for name, dtype in rows.schema.items() if dtype == pl.String]
    hostile = rows.select(pl.any_horizontal(pl.col(text).str.contains(CONTROL_PATTERN).any()))
    if not hostile.item():
        return rows
    return rows.with_columns(
        pl.col(text).map_elements(safe_plain, return_dtype=pl.String, skip_nulls=True)
    )


def _people_rows(goals: pl.DataFrame, korean: bool) -> list[dict[str, Any]]:
    # Imported here: the csv and json, the formats of large reports, never word a number.
    from goaltui.humanize import percent, quantity

    rows = []
    for row in goals.sort("kind", "goal_id", "period_start").iter_rows(named=True):
        unit = row["measure_unit"]
        rows.append(
            {
                **row,
                "actual_text": quantity(row["actual"], unit, korean=korean),
                "target_text": quantity(row["target"], unit, korean=korean),
                "achievement_text": percent(row["achievement"], status=row["status"]),
                "status_text": STATUS_WORDS.get(row["status"], row["status"] or ""),
                "score_text": _score(row["score"]),
                "trend_text": _trend(row["change"]),
            }
        )
    return rows


def unit_order(dataset: Dataset) -> list[tuple[str, str, int]]:
    """(id, name, depth) of every unit, depth-first from the root, siblings by id."""
    tree = closure(dataset.units)
    paths = (
        tree.sort("unit_id", "depth", descending=[False, True])
        .group_by("unit_id", maintain_order=True)
        .agg(path=pl.col("ancestor_id").str.join("\x00"), depth=pl.col("depth").max())
        .join(dataset.units.select(unit_id=pl.col("id"), name=pl.col("name")), on="unit_id")
        .sort("path")
    )
    return [(r["unit_id"], r["name"], r["depth"]) for r in paths.iter_rows(named=True)]


def _markdown(
    dataset: Dataset,
    goals: pl.DataFrame,
    objectives: pl.DataFrame,
    as_of: date,
    *,
    korean: bool,
) -> str:
    lines = ["# " + _("Goals as of {date}").format(date=as_of.isoformat()), ""]
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for row in _people_rows(goals, korean):
        by_unit.setdefault(row["unit_id"], []).append(row)
    objectives_by_unit: dict[str, list[dict[str, Any]]] = {}
    # An objective none of whose key results has a check-in yet has no score to show (a 0.00
    # would read as a failure).
    measured = set(
        goals.filter(pl.col("actual").is_not_null())
        .get_column("objective_id")
        .drop_nulls()
        .to_list()
    )
    for row in objectives.sort("objective_id", "period_start").iter_rows(named=True):
        objectives_by_unit.setdefault(row["unit_id"], []).append(row)
    for unit_id, name, _depth in unit_order(dataset):
        rows = by_unit.get(unit_id, [])
        unit_objectives = objectives_by_unit.get(unit_id, [])
        if not rows and not unit_objectives:
            continue
        lines += [f"## {markdown_cell(name)} ({markdown_cell(unit_id)})", ""]
        if rows:
            lines += [
                "| "
                + " | ".join(
                    translated(header)
                    for header in (
                        N_("goal"),
                        N_("period"),
                        N_("status"),
                        N_("actual"),
                        N_("target"),
                        N_("achievement"),
                        N_("score"),
                        N_("trend"),
                    )
                )
                + " |",
                "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
            ]
            for row in rows:
                kind = _("KPI") if row["kind"] == "kpi" else _("KR")
                cells = [
                    f"{kind} {row['name']}",
                    row["period"],
                    row["status_text"],
                    row["actual_text"],
                    row["target_text"],
                    row["achievement_text"],
                    row["score_text"],
                    row["trend_text"],
                ]
                lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
            lines.append("")
        for objective in unit_objectives:
            band = f" ({objective['band']})" if objective["band"] else ""
            key_results = ngettext(
                "{count} key result", "{count} key results", objective["kr_count"]
            ).format(count=objective["kr_count"])
            if objective["objective_id"] not in measured:
                score, band = _("no data"), ""
            else:
                score = _score(objective["score"]) or _("none")
            lines.append(
                _("- Objective {title} ({period}): score {score}{band}, {key_results}").format(
                    title=markdown_cell(objective["title"]),
                    period=objective["period"],
                    score=score,
                    band=band,
                    key_results=key_results,
                )
            )
        if unit_objectives:
            lines.append("")
    if len(lines) == 2:
        lines += [_("No goals."), ""]
    return "\n".join(lines)


TABLE_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    # (key, header, justify, priority): the lowest priority goes first when the width is short.
    ("kind", N_("kind"), "left", 4),
    ("goal_id", N_("goal"), "left", 2),
    ("unit_id", N_("unit"), "left", 1),
    ("name", N_("name"), "left", 10),
    ("period", N_("period"), "left", 5),
    ("actual_text", N_("actual"), "right", 8),
    ("target_text", N_("target"), "right", 7),
    ("achievement_text", N_("achievement"), "right", 6),
    ("status_text", N_("status"), "left", 9),
    ("score_text", N_("score"), "right", 3),
    ("trend_text", N_("trend"), "left", 0),
)
"""The columns of the `table` report."""

NAME_FLOOR = 16
"""The name column is cut (with an ellipsis) down to this width before columns are dropped."""


def _table(goals: pl.DataFrame, objectives: pl.DataFrame, as_of: date, *, korean: bool) -> str:
    from rich.cells import cell_len
    from rich.table import Table

    from goaltui.console import output_width, render_rich

    rows: list[dict[str, Any]] = []
    # Every cell is a Text: data is shown as it is, never read as Rich markup (a name with
    # `[link=...]` must not become a hyperlink, nor `[/]` a crash).
    for row in _people_rows(goals, korean):
        cells = {key: safe_text(row[key]) for key in ("goal_id", "unit_id", "name")}
        cells["kind"] = safe_text(translated(KIND_WORDS.get(row["kind"], row["kind"])))
        cells |= {key: safe_text(row[key]) for key in ("period", "actual_text", "target_text")}
        cells["achievement_text"] = safe_text(row["achievement_text"])
        cells["status_text"] = safe_text(row["status_text"], STATUS_STYLES.get(row["status"], ""))
        cells["score_text"] = safe_text(row["score_text"], BAND_STYLES.get(row["band"] or "", ""))
        cells["trend_text"] = safe_text(row["trend_text"])
        rows.append(cells)
    for row in objectives.sort("objective_id", "period_start").iter_rows(named=True):
        cells = {key: safe_text("") for key, *_rest in TABLE_COLUMNS}
        cells |= {
            "kind": safe_text(translated(KIND_WORDS["objective"])),
            "goal_id": safe_text(row["objective_id"]),
        }
        cells |= {"unit_id": safe_text(row["unit_id"]), "name": safe_text(row["title"])}
        cells["period"] = safe_text(row["period"])
        cells["score_text"] = safe_text(
            _score(row["score"]), BAND_STYLES.get(row["band"] or "", "")
        )
        rows.append(cells)
    # Columns by priority: what does not fit the width is dropped, lowest priority first, once
    # the names are cut to NAME_FLOOR; a line under the table names what was dropped.
    width = output_width()

    def natural(key: str, header: str) -> int:
        longest = max([cell_len(r[key].plain) for r in rows] + [cell_len(header)])
        return min(longest, NAME_FLOOR) if key == "name" else longest

    columns = list(TABLE_COLUMNS)
    dropped: list[str] = []
    # Rich's box: one border at each side and one between columns, one blank each side of a cell.
    while (
        len(columns) > 1
        and sum(natural(k, translated(h)) + 3 for k, h, *_rest in columns) + 1 > width
    ):
        lowest = min(columns, key=lambda column: column[3])
        columns.remove(lowest)
        dropped.append(translated(lowest[1]))
    table = Table(
        title=_("Goals as of {date}").format(date=as_of.isoformat()), title_justify="left"
    )
    others = sum(natural(k, translated(h)) + 3 for k, h, *_rest in columns if k != "name")
    longest_name = max([cell_len(r["name"].plain) for r in rows] + [4])
    name_width = max(NAME_FLOOR, min(longest_name, width - others - 4))
    for key, header, justify, _priority in columns:
        table.add_column(
            translated(header),
            justify=justify,  # type: ignore[arg-type]
            no_wrap=True,
            overflow="ellipsis",
            width=name_width if key == "name" else natural(key, translated(header)),
        )
    for cells in rows:
        table.add_row(*(cells[key] for key, *_rest in columns))
    if not dropped:
        return render_rich(table, width=width)
    hint = ngettext(
        "+{count} column left out for the width: {names} (a wider terminal or COLUMNS shows it)",
        "+{count} columns left out for the width: {names} (a wider terminal or COLUMNS shows them)",
        len(dropped),
    ).format(count=len(dropped), names=", ".join(dropped))
    return render_rich(table, safe_text(hint, "dim"), width=width)
