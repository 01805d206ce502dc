"""Following a PostgreSQL database live (team mode): what an open dashboard needs to learn of
other people's writes by LISTEN/NOTIFY and to catch up after the server was away.

Check-in entry numbers (`seq`) are drawn when a row is inserted but become visible when its
transaction commits, and transactions commit in any order: a reader that has seen entry 11 may
later find entry 10. So a reader remembers the entry numbers below its newest that it has not
seen (the gaps) and asks for them again with every read; a gap that stays empty for
GAP_PATIENCE seconds was a refused or rolled-back write and is forgotten. Definitions change in
place: a checksum over their rows tells a reader that catches up whether to read everything
again (while connected, their NOTIFY says so at once).

The Listener is a thread with a connection of its own that waits on the notifications and
reconnects with backoff when the server goes away. It calls back; it never touches the data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
import psycopg

from goaltui.model.errors import DatabaseError
from goaltui.store.dataset import CHECKINS_SCHEMA, Dataset
from goaltui.store.pg import pg_session, redacted
from goaltui.store.pg_schema import CHECKINS_CHANNEL, DEFINITION_TABLES, DEFINITIONS_CHANNEL

GAP_PATIENCE = 30.0
"""Seconds an unseen entry number below the newest seen is asked for again."""

RECENT_GAPS = 1000
"""On a full read, only entry numbers this close below the newest can still be in flight."""


@dataclass(frozen=True)
class PgMark:
    """Where a reader stands in a PostgreSQL database."""

    last_seq: int
    """The largest check-in `seq` read; -1 before any check-in."""
    gaps: tuple[tuple[int, float], ...] = ()
    """Entry numbers below `last_seq` not read yet, each with when it was first missed
    (time.monotonic())."""
    definitions: int = 0
    """Row counts and hashes of every definition table, folded into one number."""
    checkins: int = 0
    """How many check-in rows with a seq up to `last_seq` were read."""

    @property
    def horizon(self) -> int:
        """Every entry number up to this one has been read (or given up on)."""
        return min([self.last_seq, *(seq - 1 for seq, _ in self.gaps)])

    def advanced(self, seqs: list[int], *, now: float | None = None) -> PgMark:
        """This mark after reading the entries `seqs` (new ones or ones filling gaps)."""
        now = time.monotonic() if now is None else now
        gaps = dict(self.gaps)
        last = self.last_seq
        fresh = 0
        for seq in sorted(set(seqs)):
            if seq > last:
                for missing in range(last + 1, seq):
                    gaps[missing] = now
                last = seq
                fresh += 1
            elif seq in gaps:
                del gaps[seq]
                fresh += 1
        kept = tuple(sorted((s, t) for s, t in gaps.items() if now - t < GAP_PATIENCE))
        return PgMark(last, kept, self.definitions, self.checkins + fresh)


@dataclass(frozen=True)
class PgChanges:
    """What others wrote since a PgMark: the new check-in rows, or None: read everything."""

    mark: PgMark
    checkins: pl.DataFrame | None


def _definitions_token(con: psycopg.Connection[tuple[object, ...]]) -> int:
    parts = " UNION ALL ".join(
        f"SELECT {i}, count(*), coalesce(sum(hashtextextended(r::TEXT, 0)::NUMERIC), 0) "
        f"FROM {name} r"
        for i, name in enumerate(DEFINITION_TABLES)
    )
    rows = con.execute(f"SELECT * FROM ({parts}) t ORDER BY 1").fetchall()
    return hash(tuple((int(str(n)), str(h)) for _, n, h in rows))


def definitions_token(url: str) -> int:
    """The checksum of the definitions in the database at `url`. Raises DatabaseError."""
    with pg_session(url) as con:
        return _definitions_token(con)


def mark_of(dataset: Dataset, definitions: int, *, now: float | None = None) -> PgMark:
    """The mark of a full read that gave `dataset` (every check-in) and the checksum
    `definitions` (taken once the listener was listening, after the read)."""
    seqs = dataset.checkins.get_column("seq")
    newest = seqs.max()
    if not isinstance(newest, int):
        return PgMark(-1, (), definitions, 0)
    recent = set(seqs.filter(seqs > newest - RECENT_GAPS).to_list())
    now = time.monotonic() if now is None else now
    first = max(newest - RECENT_GAPS + 1, 0)
    gaps = tuple((s, now) for s in range(first, newest) if s not in recent)
    return PgMark(newest, gaps, definitions, dataset.checkins.height)


class PgReader:
    """Reads what a PgMark has not seen, on one connection kept between reads (a dashboard reads
    after every announcement). One read at a time; reconnects after a failure."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._con: psycopg.Connection[tuple[object, ...]] | None = None

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def _query(
        self, since: PgMark, *, thorough: bool
    ) -> tuple[list[tuple[object, ...]], int, int | None]:
        columns = ", ".join(CHECKINS_SCHEMA)
        if self._con is None or self._con.closed:
            try:
                self._con = psycopg.connect(self.url, connect_timeout=5)
            except psycopg.Error:
                self._con = None
                raise
            # One snapshot for the checksum, the rows and the count.
            self._con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            self._con.read_only = True
        con = self._con
        token = since.definitions
        counted: int | None = None
        try:
            if thorough:
                token = _definitions_token(con)
            rows = con.execute(
                f"SELECT {columns} FROM checkins WHERE seq > %(last)s OR seq = ANY(%(gaps)s) "
                "ORDER BY seq",
                {"last": since.last_seq, "gaps": [s for s, _ in since.gaps]},
            ).fetchall()
            if thorough:
                found = con.execute(
                    "SELECT count(*) FROM checkins WHERE seq <= %s", [since.last_seq]
                ).fetchone()
                counted = int(str(found[0])) if found is not None else None
        finally:
            if not con.closed and not con.broken:
                con.rollback()
        return rows, token, counted

    def read(self, since: PgMark, *, thorough: bool) -> PgChanges:
        """The check-ins committed that `since` has not seen (newer ones and ones filling its
        gaps), in one snapshot. `thorough` (after a full read or a reconnection, when
        announcements may have been missed) also checks that the definitions and the check-ins
        `since` saw are unchanged; when not, the changes have no rows: read everything. Raises
        DatabaseError."""
        try:
            rows, token, counted = self._query(since, thorough=thorough)
        except psycopg.Error:
            # A kept connection the server dropped (say, it restarted): once more, afresh.
            self.close()
            try:
                rows, token, counted = self._query(since, thorough=thorough)
            except psycopg.Error as error:
                self.close()
                raise DatabaseError(f"{redacted(self.url)}: {_first_line(error)}") from error
        frame = pl.DataFrame(
            {name: [row[i] for row in rows] for i, name in enumerate(CHECKINS_SCHEMA)},
            schema=CHECKINS_SCHEMA,
        )
        refilled = sum(1 for row in rows if int(str(row[0])) <= since.last_seq)
        seen = since.checkins + refilled
        if token != since.definitions or (counted is not None and counted != seen):
            return PgChanges(PgMark(since.last_seq, (), token, seen), None)
        return PgChanges(since.advanced(frame.get_column("seq").to_list()), frame)


def read_pg_changes(url: str, since: PgMark) -> PgChanges:
    """What `since` has not seen in the database at `url`, checked thoroughly (see PgReader)."""
    reader = PgReader(url)
    try:
        return reader.read(since, thorough=True)
    finally:
        reader.close()


# --------------------------------------------------------------------------------------------
# Listening


BACKOFF = (0.25, 0.5, 1.0, 2.0, 4.0)
"""Seconds between attempts to reach the server again: growing, then the last one repeated."""

WAIT_STEP = 0.2
"""Seconds the listener waits for a notification before checking whether it should stop."""


@dataclass
class Listener:
    """A thread that LISTENs on goaltui's channels with a connection of its own.

    `on_notify(channel, payload)` for every notification; `on_state(connected, reason)` when
    the connection comes up (also the first time) or goes down. The callbacks run in the
    listener's thread. `stop()` ends it within WAIT_STEP seconds."""

    url: str
    on_notify: Callable[[str, str], object]
    on_state: Callable[[bool, str | None], object]
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="goaltui-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        attempt = 0
        down: str | None = None
        while not self._stop.is_set():
            try:
                con = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
            except psycopg.Error as error:
                reason = _first_line(error)
                if down is None or attempt == 0:
                    self.on_state(False, reason)
                down = reason
                self._stop.wait(BACKOFF[min(attempt, len(BACKOFF) - 1)])
                attempt += 1
                continue
            try:
                con.execute(f"LISTEN {CHECKINS_CHANNEL}")
                con.execute(f"LISTEN {DEFINITIONS_CHANNEL}")
                attempt, down = 0, None
                self.on_state(True, None)
                while not self._stop.is_set():
                    for note in con.notifies(timeout=WAIT_STEP):
                        self.on_notify(note.channel, note.payload)
            except psycopg.Error as error:
                down = _first_line(error)
                self.on_state(False, down)
                attempt = 1
            finally:
                con.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
