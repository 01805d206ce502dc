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
from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl
import psycopg

from goaltui.model.errors import DatabaseError
from goaltui.store.dataset import CHECKINS_SCHEMA, CheckinBuckets, CheckinRanges, Dataset
from goaltui.store.pg import _ArrowReader, connect, pg_session, redacted
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


def _pg_mark(url: str) -> tuple[PgMark, pl.Series]:
    """Where a reader of the database at `url` stands now, and every check-in date there, in
    one snapshot. Raises DatabaseError."""
    con = connect(url)
    try:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        newest, count = con.execute(
            "SELECT coalesce(max(seq), -1), count(*) FROM checkins"
        ).fetchone() or (-1, 0)
        recent = [
            int(seq)
            for (seq,) in con.execute(
                "SELECT seq FROM checkins WHERE seq > %s", [int(newest) - RECENT_GAPS]
            ).fetchall()
        ]
        token = _definitions_token(con)
        dates = [d for (d,) in con.execute("SELECT DISTINCT date FROM checkins ORDER BY date")]
        con.rollback()
    except psycopg.Error as error:
        if isinstance(error, psycopg.errors.UndefinedTable):
            con.close()
            with pg_session(url):
                pass  # says clearly what is wrong with the database
        raise DatabaseError(f"{redacted(url)}: {_first_line(error)}") from error
    finally:
        con.close()
    now = time.monotonic()
    last = int(newest)
    present = set(recent)
    first = max(last - RECENT_GAPS + 1, 0)
    gaps = tuple((seq, now) for seq in range(first, last) if seq not in present)
    return PgMark(last, gaps, token, int(count)), pl.Series("date", dates, dtype=pl.Date)


def load_pg_marked(
    url: str,
    *,
    checkins_until: date | None,
    aggregate: CheckinBuckets,
    outside: CheckinRanges | None = None,
) -> tuple[Dataset, PgMark]:
    """What a dashboard reads of the database at `url`: the definitions and the check-ins
    aggregated by the server (as load_pg_dataset with `aggregate`, so what crosses the network
    grows with goals x periods, not with check-ins), and the PgMark to follow it from.

    The mark is taken first: a check-in committed between it and the read is in the aggregates
    already, and comes once more with the catch-up that follows every full read (which reads
    its goal's aggregates again, so it is counted once); the rows of the read are kept only up
    to the mark, so that none comes twice. Raises DatabaseError."""
    from goaltui.store.pg import load_pg_dataset

    mark, dates = _pg_mark(url)
    dataset = load_pg_dataset(
        url, checkins_until=checkins_until, aggregate=aggregate, outside=outside
    )
    seq = pl.col("seq")
    gaps = [s for s, _ in mark.gaps]
    seen = dataset.checkins.filter((seq <= mark.last_seq) & ~seq.is_in(gaps))
    return replace(dataset, checkins=seen, checkin_dates=dates), mark


class _KeptFrames(_ArrowReader):
    """Queries on a psycopg connection, each result as a polars frame (what _pg_aggregates asks
    of a reader)."""

    def __init__(self, con: psycopg.Connection[tuple[object, ...]]) -> None:
        super().__init__(con)
        self._con = con

    def frame(self, query: str) -> pl.DataFrame:
        cursor = self._con.execute(query)
        names = [d.name for d in cursor.description or []]
        rows = cursor.fetchall()
        return pl.DataFrame(
            {name: [row[i] for row in rows] for i, name in enumerate(names)}, strict=False
        )


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

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._con is None or self._con.closed:
            try:
                self._con = psycopg.connect(self.url, connect_timeout=5)
            except psycopg.Error:
                self._con = None
                raise
            # One snapshot for the checksum, the rows and the count.
            self._con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            self._con.read_only = True
        return self._con

    def aggregates(self, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
        """The check-in aggregates of `buckets` (as PgStore.aggregates), on the kept connection:
        for the few goals of a change, opening a connection of its own takes longer than the
        query. Raises DatabaseError."""
        try:
            return self._aggregates(buckets, until)
        except psycopg.Error:
            # A kept connection the server dropped (say, it restarted): once more, afresh.
            self.close()
            try:
                return self._aggregates(buckets, until)
            except psycopg.Error as error:
                self.close()
                raise DatabaseError(f"{redacted(self.url)}: {_first_line(error)}") from error

    def _aggregates(self, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
        from goaltui.store.pg import _pg_aggregates

        con = self._connection()
        try:
            return _pg_aggregates(_KeptFrames(con), buckets, until)
        finally:
            if not con.closed and not con.broken:
                con.rollback()

    def _query(
        self, since: PgMark, *, thorough: bool
    ) -> tuple[list[tuple[object, ...]], int, int | None]:
        columns = ", ".join(CHECKINS_SCHEMA)
        con = self._connection()
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
