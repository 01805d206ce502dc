"""The PostgreSQL engine (team mode): one shared server instead of a file.

Each operation connects, works in one transaction and disconnects, like the file engine. Rows move
into polars through Arrow: the ADBC PostgreSQL driver streams a query's result as Arrow batches
(it measured fastest, see scripts/bench_pg.py), and bulk writes go in by COPY. Import validates
exactly as for the file (the same importer runs on a scratch DuckDB copy of what the server
holds) and then writes the result in one PostgreSQL transaction.

A write the server refuses (a role without the right, a member's check-in on another unit's goal)
raises DatabaseError with one message: who, what, why.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import polars as pl
import psycopg
from psycopg import sql

from goaltui.i18n import _
from goaltui.model.errors import DatabaseError, ValidationError
from goaltui.model.types import Checkin
from goaltui.store.aggregates import (
    AGGREGATES_SCHEMA,
    POSTGRES,
    aggregates_sql,
    numbered_buckets,
    typed_aggregates,
)
from goaltui.store.dataset import (
    CHECKIN_TEXT_COLUMNS,
    CHECKINS_SCHEMA,
    TABLE_SCHEMAS,
    CheckinBuckets,
    CheckinRanges,
    CheckinWindows,
    Dataset,
    dataset_of,
)
from goaltui.store.importer import ImportSummary, Progress, import_path, silent_progress
from goaltui.store.pg_schema import (
    CYCLE_TABLE_NAMES,
    DROP_CHECKIN_INDEXES,
    PG_SCHEMA_VERSION,
    RESTORE_CHECKIN_INDEXES,
    ROLES,
    TABLES,
    ensure_pg_schema,
    pg_stored_version,
)

Connection = psycopg.Connection[tuple[Any, ...]]


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + host))


# --------------------------------------------------------------------------------------------
# Sessions


def connect(url: str) -> Connection:
    """A connection to `url`; raises DatabaseError saying why there is none."""
    try:
        return psycopg.connect(url, connect_timeout=10)
    except psycopg.OperationalError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "cannot connect"
        raise DatabaseError(f"{redacted(url)}: cannot connect: {first}") from error


def _first(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def refusal(con: Connection, error: psycopg.Error, what: str) -> DatabaseError:
    """One message for a write the server refused: who (the login), what, why."""
    diag = error.diag
    why = (diag.message_primary or str(error)).strip()
    try:
        who = str(con.info.user)
    except psycopg.Error:
        who = "?"
    if why.startswith(f"login {who} may not"):
        # The database's own explanation already says who and what.
        return DatabaseError(f"{why}; nothing was written")
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        roles = _roles(con)
        held = ", ".join(roles) if roles else "none of goaltui's roles"
        return DatabaseError(
            f"login {who} may not {what}: {why} (its roles: {held}; adding check-ins needs "
            "goaltui_member, changing anything else goaltui_admin); nothing was written"
        )
    return DatabaseError(f"login {who} could not {what}: {why}; nothing was written")


_CLOSED_REFUSAL = re.compile(
    r"^(?P<period>\S+) is closed for objective '(?P<objective>(?:[^']|'')*)', so key result "
    r"'(?P<goal>(?:[^']|'')*)' takes no check-ins dated in it"
)
"""The refusal of the database's closed-period trigger (pg_schema.py, goaltui_closed_checkin),
raised with SQLSTATE check_violation; its quoted ids are SQL literals ('' for ')."""


def closed_refusal(error: psycopg.Error) -> ValidationError | None:
    """The database's refusal of a check-in dated in a closed objective's period, as goaltui's
    own sentence in the reader's language under the date (as a file refuses it); None for any
    other error."""
    from goaltui.store.cycle import closed_message

    if not isinstance(error, psycopg.errors.CheckViolation):
        return None
    found = _CLOSED_REFUSAL.match((error.diag.message_primary or "").strip())
    if found is None:
        return None
    period, objective, goal = (found[n].replace("''", "'") for n in ("period", "objective", "goal"))
    return ValidationError([f"date: {closed_message(goal, objective, period)}"])


def _roles(con: Connection) -> list[str]:
    try:
        con.rollback()
        rows = con.execute(
            "SELECT r FROM unnest(%s::TEXT[]) r WHERE pg_has_role(current_user, r, 'USAGE')",
            [list(ROLES)],
        ).fetchall()
    except psycopg.Error:
        return []
    return [str(r) for (r,) in rows]


@contextmanager
def pg_session(
    url: str, what: str = "read the database", *, create: bool = False
) -> Iterator[Connection]:
    """A connection inside one transaction on a goaltui database: committed when the block
    succeeds, rolled back on any error, always closed. Raises DatabaseError when the database
    is not (yet) a goaltui database, is newer than this goaltui, or the server refuses.

    `create`: an empty database gets the schema first, in the same transaction (so a block
    that fails leaves it empty)."""
    con = connect(url)
    try:
        version = pg_stored_version(con)
        if version is None and create:
            try:
                ensure_pg_schema(con)
            except psycopg.Error as error:
                raise refusal(con, error, "create goaltui's tables and roles") from error
            version = PG_SCHEMA_VERSION
        if version is None:
            raise DatabaseError(
                f"{redacted(url)}: not a goaltui database yet; create it with "
                f"`goaltui init --db {redacted(url)}`"
            )
        if version != PG_SCHEMA_VERSION:
            raise DatabaseError(
                f"{redacted(url)}: schema version {version}, but this goaltui uses "
                f"{PG_SCHEMA_VERSION}; run `goaltui init --db ...` with this goaltui as an admin"
                if version < PG_SCHEMA_VERSION
                else f"{redacted(url)}: schema version {version} is newer than this goaltui "
                f"understands ({PG_SCHEMA_VERSION}); upgrade goaltui"
            )
        try:
            yield con
            con.commit()
        except psycopg.OperationalError as error:
            if con.closed or con.broken:
                # The server went away: whether a commit under way reached it is unknown.
                raise DatabaseError(
                    _(
                        "{db}: the connection to the server was lost, so whether it took "
                        "effect cannot be confirmed ({reason})"
                    ).format(db=redacted(url), reason=_first(error))
                ) from error
            raise refusal(con, error, what) from error
        except psycopg.Error as error:
            closed = closed_refusal(error)
            if closed is not None:
                raise closed from error
            raise refusal(con, error, what) from error
        finally:
            if not con.closed and not con.broken:
                con.rollback()
    except psycopg.Error as error:
        raise DatabaseError(f"{redacted(url)}: {str(error).strip().splitlines()[0]}") from error
    finally:
        con.close()


def init_pg(url: str) -> bool:
    """Create the goaltui schema, roles, grants and triggers (or complete them); True when the
    tables were created now. Running it again changes nothing."""
    con = connect(url)
    try:
        created = ensure_pg_schema(con)
        con.commit()
        return created
    except psycopg.Error as error:
        con.rollback()
        raise refusal(con, error, "create goaltui's tables and roles") from error
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Reading


def _adbc_uri(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


class _ArrowReader:
    """Queries on one ADBC connection inside one repeatable-read snapshot of the server, each
    result streamed as Arrow straight into a polars frame (no pyarrow)."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def frame(self, query: str) -> pl.DataFrame:
        from adbc_driver_manager import _lib as adbc

        statement = adbc.AdbcStatement(self._connection)
        try:
            statement.set_sql_query(query)
            stream, _ = statement.execute_query()
            return pl.DataFrame(stream)
        except adbc.Error as error:
            raise DatabaseError(str(error).splitlines()[0]) from error
        finally:
            statement.close()


@contextmanager
def _arrow_reader(url: str) -> Iterator[_ArrowReader]:
    import adbc_driver_postgresql
    from adbc_driver_manager import _lib as adbc

    try:
        database = adbc.AdbcDatabase(
            driver=adbc_driver_postgresql._driver_path(), uri=_adbc_uri(url)
        )
        connection = adbc.AdbcConnection(database)
    except adbc.Error as error:
        raise DatabaseError(f"{redacted(url)}: cannot connect: {error}") from error
    try:
        connection.set_autocommit(False)
        _adbc_execute(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # Hashing a year of check-ins should not spill to disk.
        _adbc_execute(connection, "SET LOCAL work_mem = '64MB'")
        # Compiling the aggregation costs more than it saves on a query run once.
        _adbc_execute(connection, "SET LOCAL jit = off")
        yield _ArrowReader(connection)
        connection.rollback()
    except adbc.Error as error:
        raise DatabaseError(f"{redacted(url)}: {str(error).splitlines()[0]}") from error
    finally:
        connection.close()
        database.close()


def _arrow_frames(url: str, queries: dict[str, str]) -> dict[str, pl.DataFrame]:
    """Each query's result as a polars frame, all in one snapshot of the server."""
    with _arrow_reader(url) as reader:
        return {name: reader.frame(query) for name, query in queries.items()}


def _adbc_execute(connection: Any, query: str) -> None:
    from adbc_driver_manager import _lib as adbc

    statement = adbc.AdbcStatement(connection)
    try:
        statement.set_sql_query(query)
        statement.execute_update()
    finally:
        statement.close()


def _typed(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    schema = TABLE_SCHEMAS[name]
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtype).alias(c)
        for c, dtype in schema.items()
    )


def _checkins_sql(columns: list[str], until: date | None, windows: pl.DataFrame | None) -> str:
    select = f"SELECT {', '.join(columns)} FROM checkins c"
    dated = []
    join = ""
    if windows is not None:
        if windows.height == 0:
            dated.append("false")
        else:
            goals = _sql_array([str(g) for g in windows["goal_id"].to_list()])
            days = _sql_array([d.isoformat() for d in windows["since"].to_list()])
            join = (
                f" JOIN unnest({goals}::VARCHAR[], {days}::DATE[]) AS w (goal_id, since)"
                " ON w.goal_id = c.goal_id"
            )
            dated.append("c.date >= w.since")
    if until is not None:
        dated.append(f"c.date <= DATE '{until.isoformat()}'")
    if not dated:
        return select
    # Correcting and retracting rows whatever their goal and date: nothing superseded comes
    # back. Two disjoint halves, so that the window is a join the planner can hash on its side.
    return (
        f"{select}{join} WHERE c.supersedes IS NULL AND {' AND '.join(dated)} "
        f"UNION ALL {select} WHERE c.supersedes IS NOT NULL"
    )


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _table_sql(name: str, columns: list[str]) -> str:
    return f"SELECT {', '.join(columns)} FROM {name}"


def _sorted(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    keys = ["goal_id", "period"] if name == "targets" else ["seq" if name == "checkins" else "id"]
    return frame.sort(keys)


def _reader_version(reader: _ArrowReader) -> int | None:
    try:
        frame = reader.frame("SELECT value FROM goaltui_meta WHERE key = 'schema_version'")
    except DatabaseError:
        return None
    return int(frame.item()) if frame.height == 1 else None


def load_pg_dataset(
    url: str,
    *,
    checkins_until: date | None = None,
    checkin_windows: CheckinWindows | None = None,
    arithmetic_only: bool = False,
    aggregate: CheckinBuckets | None = None,
    outside: CheckinRanges | None = None,
    panes: bool = True,
) -> Dataset:
    """Everything (or less) of the goaltui database at `url` as a Dataset; the options are
    those of `goaltui.store.dataset.read_dataset`. Raises DatabaseError."""
    definitions = [t for t in TABLES if t != "checkins"]
    with _arrow_reader(url) as reader:
        if _reader_version(reader) != PG_SCHEMA_VERSION:
            with pg_session(url):
                pass  # says clearly what is wrong with the schema
        frames = {
            t: _sorted(_typed(reader.frame(_table_sql(t, list(TABLE_SCHEMAS[t]))), t), t)
            for t in definitions
        }
        if aggregate is not None:
            defined = dataset_of(frames)
            aggregates = _pg_aggregates(
                reader, aggregate(defined), checkins_until, trend_lines=panes
            )
            strays = pl.DataFrame(schema=CHECKINS_SCHEMA)
            if outside is not None:
                strays = _pg_outside(reader, outside(defined))
            return dataset_of(
                frames, strays, aggregates=aggregates, aggregated_until=checkins_until
            )
        windows = None
        if checkin_windows is not None:
            empty = pl.DataFrame(schema=CHECKINS_SCHEMA)
            windows = checkin_windows(dataset_of(frames, empty))
            windows = windows.select("goal_id", pl.col("since").cast(pl.Date)).drop_nulls()
        columns = [
            f"NULL::{'TIMESTAMP' if c == 'recorded_at' else 'VARCHAR'} AS {c}"
            if arithmetic_only and c in CHECKIN_TEXT_COLUMNS
            else f"c.{c}"
            for c in CHECKINS_SCHEMA
        ]
        query = _checkins_sql(columns, checkins_until, windows)
        checkins = _typed(reader.frame(query), "checkins")
    frames["checkins"] = checkins if arithmetic_only else _sorted(checkins, "checkins")
    return dataset_of(frames)


def _pg_aggregates(
    reader: _ArrowReader,
    buckets: pl.DataFrame,
    until: date | None,
    *,
    trend_lines: bool = True,
) -> pl.DataFrame:
    buckets = numbered_buckets(buckets)
    if buckets.is_empty():
        return pl.DataFrame(schema=AGGREGATES_SCHEMA)

    def integers(column: str) -> str:
        return "ARRAY[" + ", ".join(str(n) for n in buckets[column].to_list()) + "]::INTEGER[]"

    goals = _sql_array(buckets["goal_id"].to_list())
    relation = (
        f"(SELECT * FROM unnest({integers('bucket')}, {goals}::VARCHAR[], {integers('months')},"
        f" {integers('first_index')}) AS u (bucket, goal_id, months, first_index))"
    )
    first = int(buckets["first_index"].min())  # type: ignore[arg-type]
    frame = reader.frame(aggregates_sql(POSTGRES, relation, until, first_index=first))
    trend = None
    if until is not None and trend_lines:
        trend = reader.frame(
            aggregates_sql(POSTGRES, relation, until, trend=True, first_index=first)
        )
    return typed_aggregates(buckets, frame, trend)


def _pg_outside(reader: _ArrowReader, ranges: pl.DataFrame) -> pl.DataFrame:
    if ranges.is_empty():
        return pl.DataFrame(schema=CHECKINS_SCHEMA)
    goals = _sql_array([str(g) for g in ranges["goal_id"].to_list()])
    starts = _sql_array([d.isoformat() for d in ranges["start"].cast(pl.Date).to_list()])
    ends = _sql_array([d.isoformat() for d in ranges["end"].cast(pl.Date).to_list()])
    columns = ", ".join(f"c.{c}" for c in CHECKINS_SCHEMA)
    query = (
        f"SELECT {columns} FROM checkins c "
        f"JOIN unnest({goals}::VARCHAR[], {starts}::DATE[], {ends}::DATE[]) AS w (goal_id, since,"
        " till) ON w.goal_id = c.goal_id "
        "WHERE (c.date < w.since OR c.date > w.till) AND c.value IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM checkins s WHERE s.supersedes = c.id)"
    )
    return _sorted(_typed(reader.frame(query), "checkins"), "checkins")


def load_pg_aggregates(url: str, buckets: pl.DataFrame, until: date | None) -> pl.DataFrame:
    """The check-in aggregates of `buckets` in the database at `url` (see
    goaltui.store.dataset.read_aggregates). Raises DatabaseError."""
    with _arrow_reader(url) as reader:
        return _pg_aggregates(reader, buckets, until)


def load_pg_goal_checkins(url: str, goal_id: str) -> pl.DataFrame:
    """Every entry of one goal's check-ins in the database at `url` (CHECKINS_SCHEMA, by seq).
    Raises DatabaseError."""
    columns = ", ".join(CHECKINS_SCHEMA)
    goal = "'" + goal_id.replace("'", "''") + "'"
    with _arrow_reader(url) as reader:
        rows = reader.frame(f"SELECT {columns} FROM checkins WHERE goal_id = {goal}")
    return _sorted(_typed(rows, "checkins"), "checkins")


def pg_exists(url: str) -> bool:
    """Whether the server at `url` holds a goaltui database (False when it cannot be reached)."""
    try:
        con = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error:
        return False
    try:
        return pg_stored_version(con) is not None
    except (psycopg.Error, DatabaseError):
        return False
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Writing: import


BULK_ROWS = 100_000
"""An import adding at least this many check-ins, and more than there were, rebuilds the
check-ins' indexes after writing instead of updating them row by row."""

_DEFINITIONS = ("units", "kpis", "objectives", "key_results", "targets")
_KEYS = {"targets": ("goal_id", "period")}


def _copy_frame(con: Connection, table: str, frame: pl.DataFrame) -> None:
    """COPY `frame` (columns named as the table's) into `table`."""
    if frame.height == 0:
        return
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL '\\N')").format(
        sql.Identifier(table), columns
    )
    text = _csv_text(frame)
    with con.cursor().copy(statement) as copy:
        for start in range(0, len(text), 1 << 20):
            copy.write(text[start : start + (1 << 20)])


def _csv_text(frame: pl.DataFrame) -> bytes:
    exprs = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Float64:
            # The shortest digits that read back as the same double.
            exprs.append(column.cast(pl.String).alias(name))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(column.dt.to_string("%Y-%m-%d %H:%M:%S%.6f").alias(name))
        else:
            exprs.append(column)
    out = frame.select(exprs).write_csv(
        include_header=False, null_value="\\N", quote_style="necessary"
    )
    return out.encode("utf-8")


def _upsert(con: Connection, table: str, frame: pl.DataFrame) -> None:
    """Insert or replace the rows of `frame` in `table` by its key."""
    if frame.height == 0:
        return
    scratch = f"goaltui_incoming_{table}"
    con.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(
            sql.Identifier(scratch), sql.Identifier(table)
        )
    )
    _copy_frame(con, scratch, frame)
    keys = _KEYS.get(table, ("id",))
    columns = list(frame.columns)
    updates = [c for c in columns if c not in keys]
    con.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO UPDATE SET {}").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.Identifier(scratch),
            sql.SQL(", ").join(sql.Identifier(k) for k in keys),
            sql.SQL(", ").join(
                sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c))
                for c in updates
            ),
        )
    )


def _pg_columns(con: Connection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [str(c) for (c,) in rows]


def import_pg(
    url: str,
    source: Path,
    *,
    replace: bool = False,
    encoding: str | None = None,
    progress: Progress = silent_progress,
) -> ImportSummary:
    """Validate and load a folder of CSV files or an .xlsx workbook into the database at `url`,
    with the rules and the summary of `goaltui.store.importer.import_path`, in one PostgreSQL
    transaction. Raises ValidationError (nothing written) and DatabaseError."""
    from goaltui.store.db import read_session

    fresh = not pg_exists(url)
    with pg_session(url, "import", create=True) as con:
        # No check-in may slip in between reading what is there and writing what is new.
        from goaltui.store.cycle import acting_as
        from goaltui.store.pg_cycle import ALL_TABLES, LOCK_SQL, fill_mirror, server_frames

        con.execute(LOCK_SQL)
        # The definitions and the cycle's tables are copied also for a replacement, so that
        # the history tells what changed, as on a file; the check-ins only for a merge.
        existing = {} if fresh else server_frames(con, url, ALL_TABLES, checkins=not replace)
        next_seq = 0
        if existing and not replace:
            seqs = existing["checkins"].get_column("seq").cast(pl.Int64)
            next_seq = int(seqs.max() or 0) + 1 if seqs.len() else 0  # type: ignore[arg-type]
        with tempfile.TemporaryDirectory(prefix="goaltui-import-") as scratch:
            mirror = Path(scratch) / "mirror.duckdb"
            if existing and any(f.height for f in existing.values()):
                fill_mirror(mirror, existing)
            with acting_as(str(con.info.user)):
                summary = import_path(
                    mirror, source, replace=replace, encoding=encoding, progress=progress
                )
            with read_session(mirror) as duck:
                from goaltui.store.frames import query

                result = {t: query(duck, f"SELECT * FROM {t}") for t in TABLES if t != "checkins"}
                result["checkins"] = query(
                    duck, f"SELECT * FROM checkins WHERE seq >= {next_seq} ORDER BY seq"
                )
                cycle = {t: query(duck, f"SELECT * FROM {t}") for t in CYCLE_TABLE_NAMES}
        if replace:
            con.execute("TRUNCATE checkins, targets, key_results, objectives, kpis, units")
        for table in (*_DEFINITIONS, "checkins"):
            wanted = _pg_columns(con, table)
            frame = result[table]
            frame = frame.select([c for c in frame.columns if c in wanted])
            if table == "checkins":
                # The members' trigger has nothing to do on an admin's rows; asking so of
                # each of a million rows would take longer than writing them. Set aside
                # inside this transaction only: no other session ever sees it off.
                con.execute("ALTER TABLE checkins DISABLE TRIGGER goaltui_member_checkin")
                # The import refused check-ins into closed periods already (on the copy).
                con.execute("ALTER TABLE checkins DISABLE TRIGGER goaltui_closed_checkin")
                bulk = frame.height >= BULK_ROWS and frame.height >= next_seq
                if bulk:
                    # Building the indexes afterwards, by sorting, is faster than updating
                    # them row by row when most of the table is new. Readers wait meanwhile.
                    con.execute("SET LOCAL maintenance_work_mem = '256MB'")
                    con.execute(DROP_CHECKIN_INDEXES)
                _copy_frame(con, table, frame)
                if bulk:
                    con.execute(RESTORE_CHECKIN_INDEXES)
                con.execute("ALTER TABLE checkins ENABLE TRIGGER goaltui_member_checkin")
                con.execute("ALTER TABLE checkins ENABLE TRIGGER goaltui_closed_checkin")
            else:
                _upsert(con, table, frame)
        _write_cycle_back(con, existing, cycle)
        con.execute(
            "SELECT setval('checkins_seq', GREATEST((SELECT max(seq) FROM checkins), "
            "(SELECT last_value FROM checkins_seq)), true) "
            "WHERE EXISTS (SELECT FROM checkins)"
        )
        # Statistics for the planner right away (autovacuum would gather them a minute or
        # more later): without them the first reports after an import of a million
        # check-ins plan blind, sorting them all by goal (about twice as slow). ANALYZE
        # samples, so it costs a fraction of the import, and it counts this transaction's
        # rows.
        con.execute(f"ANALYZE {', '.join(TABLES)}")
    return summary


def _write_cycle_back(
    con: Connection, before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]
) -> None:
    """Write the cycle's tables of an import's copy: grades and closed periods as the copy
    holds them, the history entries it added."""
    for table in ("grades", "closed_periods"):
        con.execute(f"DELETE FROM {table}")
        _copy_frame(con, table, after[table])
    history = after["history"]
    known = before.get("history")
    if known is not None and known.height:
        history = history.filter(pl.col("seq") > known["seq"].max())
    _copy_frame(con, "history", history)


# --------------------------------------------------------------------------------------------
# Writing: check-ins


def _context(con: Connection, supersedes: str | None) -> Dataset:
    frames: dict[str, pl.DataFrame] = {}
    for table in ("units", "kpis", "objectives", "key_results"):
        frames[table] = _rows(con, _table_sql(table, list(TABLE_SCHEMAS[table])), table)
    frames["checkins"] = _rows(
        con,
        _table_sql("checkins", list(CHECKINS_SCHEMA))
        + " WHERE id = %(s)s OR supersedes = %(s)s ORDER BY seq",
        "checkins",
        {"s": supersedes or ""},
    )
    return Dataset.from_frames(**frames)


def _rows(
    con: Connection, query: str, table: str, params: dict[str, Any] | None = None
) -> pl.DataFrame:
    cursor = con.execute(query, params)
    names = [d.name for d in cursor.description or []]
    rows = cursor.fetchall()
    schema = TABLE_SCHEMAS[table]
    return pl.DataFrame(
        {n: [r[i] for r in rows] for i, n in enumerate(names)},
        schema={n: schema[n] for n in names},
    )


def _clean(text: str | None) -> str | None:
    stripped = text.strip() if text is not None else None
    return stripped or None


def append_pg_checkin(url: str, checkin: Checkin, *, today: date) -> Checkin:
    """Validate `checkin` against the database at `url` and append it in one transaction, as
    `goaltui.store.checkins.append_checkin` does for a file. For a member, the database sets
    the author, entry number and entry time; the returned check-in is the stored row. Raises
    ValidationError and DatabaseError (a refused write: who, what, why)."""
    from goaltui.store.checkins import (
        STORED_COLUMNS,
        checkin_problems,
        new_checkin_id,
        stored_values,
    )

    checkin = replace(
        checkin,
        goal_id=checkin.goal_id.strip(),
        note=_clean(checkin.note),
        author=_clean(checkin.author),
        id=_clean(checkin.id),
        supersedes=_clean(checkin.supersedes),
    )
    with pg_session(url, f"add a check-in to '{checkin.goal_id}'") as con:
        dataset = _context(con, checkin.supersedes)
        problems = checkin_problems(dataset, checkin, today=today)
        # A check-in dated in a closed objective's period is refused by the database itself
        # (pg_schema.py), for psql as much as for goaltui, also when the period was closed a
        # moment ago: its refusal becomes goaltui's sentence (closed_refusal).
        if checkin.id is not None:
            taken = con.execute("SELECT count(*) FROM checkins WHERE id = %s", [checkin.id])
            if (taken.fetchone() or (0,))[0]:
                problems["id"] = f"'{checkin.id}' is the id of another check-in already"
        if problems:
            raise ValidationError([f"{field}: {reason}" for field, reason in problems.items()])
        stored = replace(
            checkin,
            id=checkin.id or new_checkin_id(),
            recorded_at=checkin.recorded_at or datetime.now(UTC).replace(tzinfo=None),
        )
        row = con.execute(
            f"INSERT INTO checkins ({', '.join(STORED_COLUMNS)}) "
            f"VALUES ({', '.join('%s' for _ in STORED_COLUMNS)}) "
            "RETURNING seq, author, recorded_at",
            stored_values(stored),
        ).fetchone()
        if row is not None:
            stored = replace(stored, seq=int(row[0]), author=row[1], recorded_at=row[2])
    return stored


def correct_pg_checkin(url: str, checkin_id: str, replacement: Checkin, *, today: date) -> Checkin:
    """Append `replacement` as the correction of check-in `checkin_id` (see correct_checkin)."""
    original = _original(url, checkin_id)
    goal_id = replacement.goal_id.strip() or original.goal_id
    return append_pg_checkin(
        url, replace(replacement, goal_id=goal_id, supersedes=checkin_id), today=today
    )


def retract_pg_checkin(
    url: str, checkin_id: str, *, today: date, note: str | None = None, author: str | None = None
) -> Checkin:
    """Retract check-in `checkin_id` (see retract_checkin)."""
    original = _original(url, checkin_id)
    retraction = replace(original, note=note, author=author)
    return append_pg_checkin(url, retraction, today=max(today, original.date))


def _original(url: str, checkin_id: str) -> Checkin:
    with pg_session(url) as con:
        row = con.execute("SELECT goal_id, date FROM checkins WHERE id = %s", [checkin_id])
        found = row.fetchone()
    if found is None:
        raise ValidationError([f"supersedes: no check-in has the id '{checkin_id}'"])
    return Checkin(goal_id=str(found[0]), date=found[1], value=None, supersedes=checkin_id)
