"""Frames in and out of DuckDB through the Arrow PyCapsule interface.

DuckDB's own `.pl()` and its reading of a registered polars DataFrame both go through pyarrow,
which costs an import of a large library on every command; the PyCapsule interface moves the
same Arrow buffers without it, so goaltui does not depend on pyarrow at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> pl.DataFrame:
    """The result of `sql` as a polars frame (DuckDB types map as `.pl()` maps them)."""
    return pl.DataFrame(con.sql(sql, params=params))


class _ArrowStream:
    """A polars frame offered as nothing but an Arrow stream: DuckDB reads that without pyarrow
    (a polars DataFrame it would convert with `to_arrow()`). Each scan takes a fresh stream, and
    the frame's chunks arrive as separate batches."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """`frame` readable as the view `name` in SQL on `con` for the duration of the block."""
    con.register(name, _ArrowStream(frame))
    try:
        yield
    finally:
        con.unregister(name)
