"""The organisation tree as frames: ancestors, descendants and depth of every unit."""

from __future__ import annotations

import polars as pl


def closure(units: pl.DataFrame) -> pl.DataFrame:
    """Every (unit_id, ancestor_id, depth) pair of the tree, including each unit itself at
    depth 0. `units` has columns id and parent_id. Sorted by unit_id, depth."""
    edges = units.select(unit_id=pl.col("id"), ancestor_id=pl.col("parent_id")).drop_nulls()
    level = units.select(unit_id=pl.col("id"), ancestor_id=pl.col("id"), depth=pl.lit(0, pl.Int32))
    parts = [level]
    # One join per level of the tree: depth is small (org -> team -> person), never per row.
    for _ in range(units.height):
        level = level.join(edges, left_on="ancestor_id", right_on="unit_id", how="inner").select(
            "unit_id", ancestor_id=pl.col("ancestor_id_right"), depth=pl.col("depth") + 1
        )
        if level.is_empty():
            break
        parts.append(level)
    return pl.concat(parts).sort("unit_id", "depth")


def subtree_ids(units: pl.DataFrame, root_id: str) -> pl.Series:
    """Ids of `root_id` and every unit below it (empty when the unit does not exist)."""
    return closure(units).filter(pl.col("ancestor_id") == root_id).get_column("unit_id").sort()
