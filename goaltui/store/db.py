"""Opening a goaltui database for one operation at a time.

DuckDB lets one process hold a file, and a writer shuts out every other process, readers included.
So goaltui never holds the file while idle: each operation opens it, works in one transaction and
closes it. A process that meets another's lock retries with backoff, then raises DatabaseError.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from goaltui.model.errors import DatabaseError
from goaltui.store.schema import SCHEMA_VERSION, ensure_schema, stored_version

LOCK_TIMEOUT_ENV = "GOALTUI_LOCK_TIMEOUT"
"""Seconds to keep retrying a locked database before giving up (default 5)."""

_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    # Never reach for the network to install an extension: goaltui runs offline.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

# One operation at a time per process: DuckDB refuses a second connection to the same file with
# a different configuration (read-only beside read-write), and workers run in threads.
_process_lock = threading.RLock()


def lock_timeout() -> float:
    """How long to retry a locked database, from $GOALTUI_LOCK_TIMEOUT or 5 seconds."""
    try:
        return max(0.0, float(os.environ.get(LOCK_TIMEOUT_ENV, "5")))
    except ValueError:
        return 5.0


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting" in text)


def _describe(error: duckdb.Error, path: Path) -> DatabaseError:
    text = str(error)
    if _is_lock_conflict(error):
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", text)
        who = f" (process {holder.group(2)})" if holder else ""
        return DatabaseError(
            f"{path}: the database is in use by another program{who} and stayed locked for "
            f"{lock_timeout():g} s; try again when it has finished"
        )
    if "not a valid DuckDB database" in text or "Magic number" in text or "magic" in text:
        return DatabaseError(f"{path}: this file is not a goaltui database")
    if "version number" in text:
        return DatabaseError(f"{path}: written by a newer DuckDB than this goaltui uses")
    return DatabaseError(f"{path}: {text.splitlines()[0]}")


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + lock_timeout()
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
        except duckdb.Error as error:
            if not _is_lock_conflict(error) or time.monotonic() + delay > deadline:
                raise _describe(error, path) from error
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


@contextmanager
def write_session(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open `path` read-write (creating it), yield a connection inside one transaction with the
    schema in place, commit on success and roll back on any error; always close the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _process_lock:
        con = _open(path, read_only=False)
        try:
            con.begin()
            try:
                ensure_schema(con)
                yield con
                con.commit()
            except BaseException:
                con.rollback()
                raise
        except duckdb.Error as error:
            raise _describe(error, path) from error
        finally:
            con.close()


@contextmanager
def read_session(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open an existing database for reading; migrate it first if it is older than this code.

    Raises DatabaseError when the file does not exist or is not a goaltui database.
    """
    if not path.exists():
        raise DatabaseError(f"{path}: no database here; create one with `goaltui init` or import")
    with _process_lock:
        con = _open(path, read_only=True)
        try:
            version = stored_version(con)
        except BaseException:
            con.close()
            raise
        if version is None or version < SCHEMA_VERSION:
            con.close()
            with write_session(path):
                pass
            con = _open(path, read_only=True)
        try:
            yield con
        except duckdb.Error as error:
            raise _describe(error, path) from error
        finally:
            con.close()


def fingerprint(path: Path) -> tuple[int, int, int, int]:
    """A cheap token that changes when another process writes the database (file and WAL stat);
    reading it never takes the database lock."""

    def stat(p: Path) -> tuple[int, int]:
        try:
            st = p.stat()
        except FileNotFoundError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)

    return (*stat(path), *stat(path.with_name(path.name + ".wal")))


FISCAL_KEY = "fiscal_year_start"
"""The goaltui_meta key of the organisation's first fiscal month."""


def stored_fiscal_year_start(path: Path) -> int | None:
    """The first fiscal month the database at `path` stores, or None (no database, no setting,
    or a file goaltui cannot read now: the command itself will say why)."""
    if not path.exists():
        return None
    try:
        with read_session(path) as con:
            rows = con.sql(
                "SELECT value FROM goaltui_meta WHERE key = $key", params={"key": FISCAL_KEY}
            ).fetchall()
    except (DatabaseError, duckdb.Error):
        return None
    return int(rows[0][0]) if rows else None


def store_fiscal_year_start(path: Path, month: int) -> None:
    """Store the organisation's first fiscal month in the database at `path`."""
    with write_session(path) as con:
        con.execute("DELETE FROM goaltui_meta WHERE key = $key", {"key": FISCAL_KEY})
        con.execute(
            "INSERT INTO goaltui_meta VALUES ($key, $value)",
            {"key": FISCAL_KEY, "value": str(month)},
        )
