"""Opening a goaltui database for one operation at a time.

DuckDB lets one process hold a file, and a writer shuts out every other process, readers included.
So goaltui never holds the file while idle: each operation opens it, works in one transaction and
closes it.

DuckDB 2.0 reads a file's headers before it takes its own lock on the file, so a writer that
opens the file while another is finishing can commit on a stale view, and its commit is later
dropped. goaltui therefore never relies on DuckDB's lock alone: every opening of the file goes
through an OS lock on a sidecar file beside it (`<database>.lock`), held exclusively by a writer
and shared by readers for as long as the file is open. A process that meets another's lock,
either one, retries with backoff for $GOALTUI_LOCK_TIMEOUT seconds, then raises DatabaseError.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

import duckdb
from filelock import FileLock, Timeout

from goaltui.model.errors import DatabaseError
from goaltui.store.schema import SCHEMA_VERSION, checked_version, ensure_schema, stored_version

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: readers take the exclusive lock too
    fcntl = None  # type: ignore[assignment]

LOCK_TIMEOUT_ENV = "GOALTUI_LOCK_TIMEOUT"
"""Seconds to keep retrying a locked database before giving up (default 5)."""

LOCK_SUFFIX = ".lock"
"""The sidecar lock file is the database's name plus this. It stays when the lock is released:
removing it would let a waiter lock a file that is no longer the one others lock."""

_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    # Never reach for the network to install an extension: goaltui runs offline.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

_SQLITE_MAGIC = b"SQLite format 3\x00"

_T = TypeVar("_T")

# One operation at a time per process: DuckDB refuses a second connection to the same file with
# a different configuration (read-only beside read-write), workers run in threads, and two
# descriptors of one process would contend for the sidecar lock like two processes.
_process_lock = threading.RLock()


def lock_timeout() -> float:
    """How long to retry a locked database, from $GOALTUI_LOCK_TIMEOUT or 5 seconds."""
    try:
        seconds = float(os.environ.get(LOCK_TIMEOUT_ENV, "5"))
    except ValueError:
        return 5.0
    return max(0.0, seconds) if seconds == seconds else 5.0


def lock_path(db: Path) -> Path:
    """The sidecar file whose OS lock guards every opening of the database at `db`."""
    return db.with_name(db.name + LOCK_SUFFIX)


def _retry(attempt: Callable[[], _T | None], deadline: float) -> _T | None:
    """Call `attempt` until it returns something, backing off, until `deadline`; None then."""
    delay = 0.002
    while True:
        result = attempt()
        if result is not None:
            return result
        if time.monotonic() + delay > deadline:
            return None
        # Jitter keeps waiting processes from retrying in step.
        time.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 0.05)


def _in_use(path: Path, who: str = "") -> DatabaseError:
    return DatabaseError(
        f"{path}: the database is in use by another program{who} and stayed locked for "
        f"{lock_timeout():g} s; try again when it has finished"
    )


def _os_error(error: OSError, path: Path) -> DatabaseError:
    """What an operating-system error on or beside `path` really means, in one sentence."""
    where = error.filename or path
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DatabaseError(f"{path}: no space left on the device holding {where}")
    if error.errno == errno.EFBIG:
        return DatabaseError(f"{path}: no space left for {where}: the file size limit was reached")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DatabaseError(
            f"{path}: cannot write to {where} ({(error.strerror or 'permission denied').lower()})"
        )
    if error.errno in (errno.ENOTDIR, errno.EEXIST) and where != path:
        return DatabaseError(f"{path}: cannot create it: {where} is a file, not a folder")
    if error.errno == errno.EISDIR:
        return DatabaseError(f"{path}: this is a folder, not a goaltui database")
    reason = (error.strerror or str(error)).lower()
    return DatabaseError(f"{path}: cannot write to {where} ({reason})")


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting" in text)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def _describe(error: duckdb.Error, path: Path) -> DatabaseError:
    text = str(error)
    lower = text.lower()
    if _is_lock_conflict(error):
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", text)
        return _in_use(path, f" (process {holder.group(2)})" if holder else "")
    if _is_sqlite(path):
        return DatabaseError(f"{path}: not a goaltui database (it is a SQLite database)")
    if "not a valid DuckDB database" in text or "magic" in lower:
        return DatabaseError(f"{path}: this file is not a goaltui database")
    if "version number" in text:
        return DatabaseError(f"{path}: written by a newer DuckDB than this goaltui uses")
    for words, code in (
        ("no space left on device", errno.ENOSPC),
        ("disk quota exceeded", errno.EDQUOT),
        ("file too large", errno.EFBIG),
        ("read-only file system", errno.EROFS),
        ("permission denied", errno.EACCES),
        ("is a directory", errno.EISDIR),
    ):
        if words in lower:
            return _os_error(OSError(code, os.strerror(code)), path)
    return DatabaseError(f"{path}: {text.splitlines()[0]}")


def _exclusive(path: Path, db: Path, deadline: float) -> FileLock | None:
    """Take the OS lock on `path` exclusively, retrying until `deadline`; None when the file
    cannot be created. Raises DatabaseError when it stays taken."""
    try:
        # filelock reports a file it cannot create as a lock it cannot take.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o666))
    except OSError:
        return None
    lock = FileLock(path, preserve_lock_file=True, fallback_to_soft=False)

    def take() -> bool | None:
        try:
            lock.acquire(blocking=False)
        except Timeout:
            return None
        return True

    if _retry(take, deadline) is None:
        raise _in_use(db)
    return lock


@contextmanager
def _sidecar(db: Path, *, exclusive: bool, deadline: float) -> Iterator[None]:
    """Hold the sidecar lock of `db`, exclusively (a writer) or shared (a reader).

    filelock's Unix lock is `flock` on the whole file, with the file kept in place, so the
    readers' shared `flock` on the same file contends with it. A second file, the gate
    (`<database>.lock.gate`), keeps the turns fair: a writer holds it while it waits for the
    lock, and a reader passes through it first, so a waiting writer is never overtaken by new
    readers nor by the writer that just finished. A reader that cannot create the files (a
    folder it may not write to) reads without them: no goaltui can write there either.
    """
    path = lock_path(db)
    gate_path = path.with_name(path.name + ".gate")
    if exclusive or fcntl is None:
        gate = _exclusive(gate_path, db, deadline)
        try:
            lock = _exclusive(path, db, deadline)
        finally:
            if gate is not None:
                gate.release()
        if lock is None:
            if exclusive:
                try:
                    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o666))
                except OSError as error:
                    raise _os_error(error, db) from error
            yield  # pragma: no cover - Windows reader in a folder it cannot write to
            return
        try:
            yield
        finally:
            lock.release()
        return
    gate = _exclusive(gate_path, db, deadline)
    if gate is not None:
        gate.release()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            yield
            return
    try:

        def share() -> bool | None:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            return True

        if _retry(share, deadline) is None:
            raise _in_use(db)
        yield
    finally:
        os.close(fd)


def _connect(path: Path, *, read_only: bool, deadline: float) -> duckdb.DuckDBPyConnection:
    """Open the file, retrying while a program that does not take the sidecar lock holds it."""
    failure: list[duckdb.Error] = []

    def connect() -> duckdb.DuckDBPyConnection | None:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_CONFIG)
        except duckdb.Error as error:
            if not _is_lock_conflict(error):
                raise _describe(error, path) from error
            failure[:] = [error]
            return None

    con = _retry(connect, deadline)
    if con is None:
        raise _describe(failure[0], path) from failure[0]
    return con


def _remove_new_database(path: Path) -> None:
    """Remove what a failed first write left of a database that did not exist before it."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        with suppress(FileNotFoundError):
            leftover.unlink()
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # A commit that failed (disk full) has already ended the transaction: nothing to undo, and
    # DuckDB's "no transaction is active" must not hide what went wrong.
    with suppress(duckdb.Error):
        con.rollback()


@contextmanager
def write_session(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open `path` read-write (creating it), yield a connection inside one transaction with the
    schema in place, commit on success and roll back on any error; always close the file.

    A database that did not exist before a failed session does not exist after it (the sidecar
    lock file stays)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _os_error(error, path) from error
    deadline = time.monotonic() + lock_timeout()
    with _process_lock, _sidecar(path, exclusive=True, deadline=deadline):
        existed = path.exists()
        con: duckdb.DuckDBPyConnection | None = None
        try:
            con = _connect(path, read_only=False, deadline=deadline)
            try:
                con.begin()
                ensure_schema(con)
                yield con
                con.commit()
            except duckdb.Error as error:
                _rollback(con)
                raise _describe(error, path) from error
            except BaseException:
                _rollback(con)
                raise
            finally:
                try:
                    con.close()
                except duckdb.Error as error:
                    raise _describe(error, path) from error
        except BaseException:
            if not existed:
                if con is not None:
                    with suppress(duckdb.Error):
                        con.close()
                _remove_new_database(path)
            raise


@contextmanager
def read_session(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open an existing database for reading; migrate it first if it is older than this code.

    Raises DatabaseError when the file does not exist, is not a goaltui database, or is newer
    than this goaltui.
    """
    if not path.exists():
        raise DatabaseError(f"{path}: no database here; create one with `goaltui init` or import")
    if path.is_dir():
        raise DatabaseError(f"{path}: this is a folder, not a goaltui database")
    with _process_lock:
        for attempt in range(2):
            deadline = time.monotonic() + lock_timeout()
            with _sidecar(path, exclusive=False, deadline=deadline):
                con = _connect(path, read_only=True, deadline=deadline)
                try:
                    try:
                        version = checked_version(stored_version(con))
                    except DatabaseError as error:
                        raise DatabaseError(f"{path}: {error}") from None
                    if version == SCHEMA_VERSION:
                        try:
                            yield con
                        except duckdb.Error as error:
                            raise _describe(error, path) from error
                        return
                finally:
                    con.close()
            if attempt:
                break
            # Older (or empty): migrate under the writer's lock, then read again.
            with write_session(path):
                pass
        raise DatabaseError(f"{path}: could not bring the database to schema {SCHEMA_VERSION}")


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
            return read_fiscal_year_start(con)
    except (DatabaseError, duckdb.Error):
        return None


def read_fiscal_year_start(con: duckdb.DuckDBPyConnection) -> int | None:
    """The first fiscal month an open database stores, or None."""
    rows = con.sql(
        "SELECT value FROM goaltui_meta WHERE key = $key", params={"key": FISCAL_KEY}
    ).fetchall()
    return int(rows[0][0]) if rows else None


def store_fiscal_year_start(path: Path, month: int) -> None:
    """Store the organisation's first fiscal month in the database at `path`."""
    with write_session(path) as con:
        con.execute("DELETE FROM goaltui_meta WHERE key = $key", {"key": FISCAL_KEY})
        con.execute(
            "INSERT INTO goaltui_meta VALUES ($key, $value)",
            {"key": FISCAL_KEY, "value": str(month)},
        )
