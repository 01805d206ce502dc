"""Generate a large organisation in the interchange format, for the benchmark.

    python scripts/make_large_org.py OUT_DIR [--seed S] [--checkins N]

About 2,000 units (org -> 50 teams -> people), 10,000 KPIs, 8,000 objectives with 25,000 key
results, 1,000,000 check-ins (1% of them corrections) and 5,000 per-period target overrides.
`--checkins N` writes the same organisation (units, goals and target overrides identical to the
default's) with N check-ins spread over the same dates: `--checkins 10000000` is ten times the
history. Deterministic: the same seed and N write byte-identical files. Random draws come from
Python's seeded `random` in bulk; every column is built with polars expressions, never row by row.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

UNITS = 2_000
TEAMS = 50
KPIS = 10_000
OBJECTIVES = 8_000
KEY_RESULTS = 25_000
CHECKINS = 1_000_000
CORRECTION_SHARE = 0.01
TARGET_OVERRIDES = 5_000
FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2026, 11, 30)
OBJECTIVE_PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026"]
AGGREGATIONS = ["sum", "mean", "last", "min", "max", "ratio"]
CATEGORIES = ["sales", "marketing", "hr", "support", "product"]


class Draws:
    """Bulk random draws from one seeded generator, as polars Series."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def ints(self, n: int, high: int, weights: list[float] | None = None) -> pl.Series:
        """n integers in [0, high)."""
        return pl.Series(self.rng.choices(range(high), weights=weights, k=n), dtype=pl.Int64)

    def sample(self, n: int, high: int) -> pl.Series:
        """n distinct integers in [0, high), ascending."""
        return pl.Series(sorted(self.rng.sample(range(high), n)), dtype=pl.Int64)

    def uniform(self, n: int) -> pl.Series:
        """n floats in [0, 1)."""
        draw = self.rng.random
        return pl.Series([draw() for _ in range(n)], dtype=pl.Float64)


def pick(index: pl.Expr, choices: list[str]) -> pl.Expr:
    """choices[index] as an expression."""
    return index.replace_strict(list(range(len(choices))), choices, return_dtype=pl.String)


def units() -> pl.DataFrame:
    index = pl.int_range(UNITS, dtype=pl.Int64)
    team = index <= TEAMS
    return pl.DataFrame().select(
        id=pl.format("u{}", index.cast(pl.String).str.zfill(4)),
        name=pl.when(index == 0)
        .then(pl.lit("Large Org"))
        .when(team)
        .then(pl.format("Team {}", index))
        .otherwise(pl.format("Person {}", index)),
        parent_id=pl.when(index == 0)
        .then(pl.lit(None, pl.String))
        .when(team)
        .then(pl.lit("u0000"))
        .otherwise(pl.format("u{}", ((index % TEAMS) + 1).cast(pl.String).str.zfill(4))),
        kind=pl.when(index == 0)
        .then(pl.lit("org"))
        .when(team)
        .then(pl.lit("team"))
        .otherwise(pl.lit("person")),
    )


def unit_id(index: pl.Expr) -> pl.Expr:
    return pl.format("u{}", (index % UNITS).cast(pl.String).str.zfill(4))


def kpis(draws: Draws) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "period_n": draws.ints(KPIS, 3, [6, 3, 1]),
            "aggregation_n": draws.ints(KPIS, 6),
            "direction_n": draws.ints(KPIS, 2, [3, 1]),
            "change_pct": draws.ints(KPIS, 10),
            "size": draws.uniform(KPIS),
            "category_n": draws.ints(KPIS, len(CATEGORIES)),
        }
    ).with_row_index("i")
    aggregation = pick(pl.col("aggregation_n"), AGGREGATIONS)
    return frame.select(
        id=pl.format("k{}", pl.col("i").cast(pl.String).str.zfill(5)),
        unit_id=unit_id(pl.col("i").cast(pl.Int64)),
        name=pl.format("Indicator {}", pl.col("i")),
        unit=pl.when(aggregation == "ratio")
        .then(pl.lit("%"))
        .when(aggregation == "mean")
        .then(pl.lit("days"))
        .when(pl.col("category_n") == 0)
        .then(pl.lit("KRW"))
        .otherwise(pl.lit("count")),
        direction=pl.when(pl.col("direction_n") == 0)
        .then(pl.lit("at_least"))
        .otherwise(pl.lit("at_most")),
        aggregation=aggregation,
        period=pick(pl.col("period_n"), ["month", "quarter", "year"]),
        target_mode=pl.when(pl.col("change_pct") == 0)
        .then(pl.lit("change_pct"))
        .otherwise(pl.lit("absolute")),
        target=pl.when(pl.col("change_pct") == 0)
        .then((pl.col("size") * 40 - 20).round(0))
        .when(aggregation == "ratio")
        .then((pl.col("size") * 60 + 20).round(0))
        .otherwise((pl.col("size") * 2000 + 10).round(0)),
        parent_id=pl.lit(None, pl.String),
        category=pick(pl.col("category_n"), CATEGORIES),
        description=pl.lit(None, pl.String),
    )


def objectives(draws: Draws) -> pl.DataFrame:
    frame = pl.DataFrame({"period_n": draws.ints(OBJECTIVES, 5, [2, 2, 2, 3, 1])})
    return frame.with_row_index("i").select(
        id=pl.format("o{}", pl.col("i").cast(pl.String).str.zfill(4)),
        unit_id=unit_id(pl.col("i").cast(pl.Int64)),
        title=pl.format("Objective {}", pl.col("i")),
        period=pick(pl.col("period_n"), OBJECTIVE_PERIODS),
        parent_id=pl.lit(None, pl.String),
        description=pl.lit(None, pl.String),
    )


def key_results(draws: Draws) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "linked": draws.ints(KEY_RESULTS, 5),
            "kpi_slot": draws.ints(KEY_RESULTS, KPIS // UNITS),
            "aggregation_n": draws.ints(KEY_RESULTS, 6, [4, 2, 2, 1, 1, 2]),
            "direction_n": draws.ints(KEY_RESULTS, 2, [3, 1]),
            "has_baseline": draws.ints(KEY_RESULTS, 3),
            "size": draws.uniform(KEY_RESULTS),
            "weight": draws.ints(KEY_RESULTS, 3),
        }
    ).with_row_index("i")
    objective = pl.col("i").cast(pl.Int64) % OBJECTIVES
    linked = pl.col("linked") == 0
    # A linked KR is measured by one of its own unit's KPIs (KPI i belongs to unit i % UNITS).
    kpi_index = objective % UNITS + UNITS * pl.col("kpi_slot")
    aggregation = pick(pl.col("aggregation_n"), AGGREGATIONS)
    target = (
        pl.when(aggregation == "ratio")
        .then((pl.col("size") * 60 + 20).round(0))
        .otherwise((pl.col("size") * 500 + 5).round(0))
    )
    return frame.select(
        id=pl.format("r{}", pl.col("i").cast(pl.String).str.zfill(5)),
        objective_id=pl.format("o{}", objective.cast(pl.String).str.zfill(4)),
        title=pl.format("Key result {}", pl.col("i")),
        unit=pl.when(linked)
        .then(None)
        .when(aggregation == "ratio")
        .then(pl.lit("%"))
        .otherwise(pl.lit("count")),
        direction=pl.when(linked)
        .then(None)
        .when(pl.col("direction_n") == 0)
        .then(pl.lit("at_least"))
        .otherwise(pl.lit("at_most")),
        aggregation=pl.when(linked).then(None).otherwise(aggregation),
        target_mode=pl.lit("absolute"),
        target=target,
        baseline=pl.when(~linked & (pl.col("has_baseline") == 0)).then((target * 0.2).round(0)),
        weight=(pl.col("weight") + 1).cast(pl.Float64),
        kpi_id=pl.when(linked).then(pl.format("k{}", kpi_index.cast(pl.String).str.zfill(5))),
    )


def checkin_draws(draws: Draws, goals: int, count: int) -> dict[str, pl.Series]:
    """The random draws behind `count` check-ins over `goals` goals, in a fixed order."""
    base = int(count * (1 - CORRECTION_SHARE))
    return {
        "goal_n": draws.ints(base, goals),
        "when": draws.uniform(base),
        "size": draws.uniform(base),
        "denominator": draws.ints(base, 200),
        "confidence": draws.ints(base, 14),
        "corrected": draws.sample(count - base, base),
    }


def checkin_goals(
    kpi_frame: pl.DataFrame, objective_frame: pl.DataFrame, kr_frame: pl.DataFrame
) -> pl.DataFrame:
    """Goals that take check-ins: every KPI, and each KR not measured by a KPI (dated within
    its objective's period)."""
    periods = {"2026-Q1": 0, "2026-Q2": 1, "2026-Q3": 2, "2026-Q4": 3, "2026": 4}
    own_krs = (
        kr_frame.filter(pl.col("kpi_id").is_null())
        .join(objective_frame.select(objective_id="id", period="period"), on="objective_id")
        .sort("id")
        .select(
            goal_id="id",
            aggregation="aggregation",
            start=pl.col("period")
            .replace_strict(
                list(periods), [date(2026, 1 + 3 * q, 1) for q in range(4)] + [date(2026, 1, 1)]
            )
            .cast(pl.Date),
            days=pl.when(pl.col("period") == "2026").then(334).otherwise(90),
        )
    )
    span = (LAST_DAY - FIRST_DAY).days + 1
    return pl.concat(
        [
            kpi_frame.select(
                goal_id="id", aggregation="aggregation", start=pl.lit(FIRST_DAY), days=pl.lit(span)
            ),
            own_krs,
        ]
    ).with_row_index("goal_n")


def checkins(goals: pl.DataFrame, drawn: dict[str, pl.Series]) -> pl.DataFrame:
    count = drawn["goal_n"].len() + drawn["corrected"].len()
    # Seven digits for the default million, more when there are more check-ins.
    width = max(7, len(str(count)))
    frame = pl.DataFrame(
        {name: drawn[name] for name in ("goal_n", "when", "size", "denominator", "confidence")}
    ).join(goals.with_columns(pl.col("goal_n").cast(pl.Int64)), on="goal_n", how="left")
    ratio = pl.col("aggregation") == "ratio"
    frame = (
        frame.select(
            goal_id="goal_id",
            date=pl.col("start")
            + pl.duration(days=(pl.col("when") * pl.col("days")).floor().cast(pl.Int64)),
            value=pl.when(ratio)
            .then((pl.col("size") * (pl.col("denominator") + 1)).floor())
            .otherwise((pl.col("size") * 200).round(1)),
            denominator=pl.when(ratio).then((pl.col("denominator") + 1).cast(pl.Float64)),
            confidence=pl.when(pl.col("confidence") <= 10).then(
                pl.col("confidence").cast(pl.Float64)
            ),
        )
        .sort("date", "goal_id", "value", "denominator", maintain_order=True)
        .with_row_index("n")
        .with_columns(
            id=pl.format("c{}", pl.col("n").cast(pl.String).str.zfill(width)),
            supersedes=pl.lit(None, pl.String),
        )
    )
    corrections = (
        frame.gather(drawn["corrected"])
        .with_row_index("m")
        .with_columns(
            supersedes=pl.col("id"),
            id=pl.format("x{}", pl.col("m").cast(pl.String).str.zfill(width)),
            value=(pl.col("value") * 0.9).floor(),
            n=pl.col("n") + 1,
        )
        .drop("m")
    )
    recorded = pl.col("date").cast(pl.Datetime("us")) + pl.duration(hours=18)
    return (
        pl.concat([frame, corrections])
        .sort("n", "supersedes", nulls_last=False, maintain_order=True)
        .select(
            "id",
            "goal_id",
            "date",
            "value",
            "denominator",
            "confidence",
            note=pl.lit(None, pl.String),
            author=pl.lit(None, pl.String),
            supersedes="supersedes",
            recorded_at=pl.when(pl.col("supersedes").is_null())
            .then(recorded)
            .otherwise(recorded + pl.duration(days=1))
            .dt.strftime("%Y-%m-%dT%H:%M:%S"),
        )
    )


def targets(draws: Draws, kpi_frame: pl.DataFrame) -> pl.DataFrame:
    monthly = kpi_frame.filter(pl.col("period") == "month", pl.col("target_mode") == "absolute")
    frame = pl.DataFrame(
        {
            "kpi_n": draws.ints(TARGET_OVERRIDES, monthly.height),
            "month": draws.ints(TARGET_OVERRIDES, 11),
            "factor": draws.uniform(TARGET_OVERRIDES),
        }
    )
    return (
        frame.join(
            monthly.with_row_index("kpi_n").with_columns(pl.col("kpi_n").cast(pl.Int64)),
            on="kpi_n",
        )
        .select(
            goal_id="id",
            period=pl.format("2026-{}", (pl.col("month") + 1).cast(pl.String).str.zfill(2)),
            target=(pl.col("target") * (0.8 + 0.4 * pl.col("factor"))).round(0),
        )
        .unique(["goal_id", "period"], keep="first")
        .sort("goal_id", "period")
    )


def generate(out: Path, seed: int = 7, checkin_count: int = CHECKINS) -> dict[str, int]:
    """Write the six CSV files into `out`; returns rows per file."""
    draws = Draws(seed)
    out.mkdir(parents=True, exist_ok=True)
    kpi_frame = kpis(draws)
    objective_frame = objectives(draws)
    kr_frame = key_results(draws)
    goals = checkin_goals(kpi_frame, objective_frame, kr_frame)
    # The target overrides are drawn after the default million check-ins' draws, so that any
    # other count keeps the same organisation: its check-ins start from the same state.
    after_org = draws.rng.getstate()
    drawn = checkin_draws(draws, goals.height, CHECKINS)
    target_frame = targets(draws, kpi_frame)
    if checkin_count != CHECKINS:
        draws.rng.setstate(after_org)
        drawn = checkin_draws(draws, goals.height, checkin_count)
    frames = {
        "units": units(),
        "kpis": kpi_frame,
        "objectives": objective_frame,
        "key_results": kr_frame,
        "checkins": checkins(goals, drawn),
        "targets": target_frame,
    }
    del drawn
    for name, frame in frames.items():
        frame.write_csv(out / f"{name}.csv", float_scientific=False)
    return {name: frame.height for name, frame in frames.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the CSV files to")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--checkins",
        type=int,
        default=CHECKINS,
        help=f"how many check-ins, corrections included (default {CHECKINS:,})",
    )
    args = parser.parse_args(argv)
    if args.checkins < 100:
        parser.error("--checkins must be at least 100")
    started = time.perf_counter()
    counts = generate(args.out, args.seed, args.checkins)
    took = time.perf_counter() - started
    print(", ".join(f"{name} {n:,}" for name, n in counts.items()) + f" in {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
