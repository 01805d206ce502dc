"""The PostgreSQL schema of a goaltui database (team mode): tables, roles, grants, row-level
security and the triggers that keep members to their own goals and announce writes.

The tables are those of the DuckDB file, derived from the same declaration
(goaltui/store/tables.py) with PostgreSQL's names for the same types, at the same schema version;
what only PostgreSQL has (roles, grants, row-level security, triggers, NOTIFY) is written here.
Who may do what (DESIGN.md, "Team mode") is enforced here, in the database, so it holds for psql
as much as for goaltui:

- `goaltui_viewer` reads everything and writes nothing;
- `goaltui_member` reads everything and adds check-ins only on goals owned by a unit in the
  subtree of a unit whose `login` is the member's login; the database sets the check-in's author
  (the closest such unit), its entry number and its entry time, whatever the client sent;
- `goaltui_admin` may do everything (the only one writing grades, closures and history); it owns
  the tables (so an import may set the members' trigger aside for its own rows, inside its
  transaction).

Every statement is idempotent: `ensure_pg_schema` on a goaltui database that has it all changes
nothing, and on an older one it migrates.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from goaltui.model.errors import DatabaseError
from goaltui.store.tables import CYCLE_TABLES, DATASET_TABLES, META, ddl

PG_SCHEMA_VERSION = 6
"""The schema version of the PostgreSQL tables: version 3 of the file (with `login`, `cadence`,
`commitment` and `carried_from`, and the cycle's grades, closed periods and history), then
`archived` on goals (the file's version 4), then the trigger refusing check-ins dated in a closed
objective's period (PostgreSQL only: on a file, goaltui is the only door and checks it), then
the history's writes announced to open dashboards like every other definition write."""

APPLICATION_ID = "goaltui"

ROLES = ("goaltui_viewer", "goaltui_member", "goaltui_admin")
"""The group roles, granted to people's logins by the server's administrator."""

CHECKINS_CHANNEL = "goaltui_checkins"
"""NOTIFY channel of added check-ins; the payload is the largest entry number (seq) added."""

DEFINITIONS_CHANNEL = "goaltui_definitions"
"""NOTIFY channel of every other change; the payload is the table's name."""

TABLES = tuple(t.name for t in DATASET_TABLES)
"""The tables of a Dataset: units, kpis, objectives, key_results, checkins, targets."""
CYCLE_TABLE_NAMES = tuple(t.name for t in CYCLE_TABLES)
"""The tables of the quarterly cycle: grades, closed_periods, history."""
DEFINITION_TABLES = (
    "units",
    "kpis",
    "objectives",
    "key_results",
    "targets",
    "goaltui_meta",
    "grades",
    "closed_periods",
)
"""The tables whose rows a dashboard reads besides the check-ins: folded into a checksum that
tells a reader catching up whether to read everything again."""
ANNOUNCED_TABLES = (*DEFINITION_TABLES, "history")
"""The tables whose every write is announced on DEFINITIONS_CHANNEL (the history too: an entry
added alone, from psql or an imported history.csv, changes what a goal's detail shows)."""

_PG_COLUMNS = {
    ("checkins", "seq"): "DEFAULT nextval('checkins_seq') CONSTRAINT checkins_pkey PRIMARY KEY",
    ("checkins", "id"): "CONSTRAINT checkins_id_key UNIQUE",
    ("checkins", "recorded_at"): "DEFAULT (now() AT TIME ZONE 'UTC')",
}
"""What only PostgreSQL's check-ins have: the entry number from a sequence (so that members'
rows are numbered by the database), a unique id, the entry time by the server's clock."""

_TABLES_SQL = (
    "CREATE SEQUENCE IF NOT EXISTS checkins_seq AS BIGINT MINVALUE 0 START WITH 0;\n"
    + ddl(
        (META, *DATASET_TABLES, *CYCLE_TABLES), "postgresql", if_not_exists=True, extra=_PG_COLUMNS
    )
)
"""The tables as TABLES declares them (goaltui/store/tables.py), in PostgreSQL's types."""

CHECKIN_INDEXES = """
CREATE INDEX IF NOT EXISTS checkins_goal_date ON checkins (goal_id, date);
CREATE INDEX IF NOT EXISTS checkins_supersedes ON checkins (supersedes)
    WHERE supersedes IS NOT NULL;
"""
"""The secondary indexes of the check-ins (a bulk import drops and rebuilds them)."""

DROP_CHECKIN_INDEXES = """
ALTER TABLE checkins DROP CONSTRAINT checkins_pkey, DROP CONSTRAINT checkins_id_key;
DROP INDEX checkins_goal_date, checkins_supersedes;
"""

RESTORE_CHECKIN_INDEXES = (
    """
ALTER TABLE checkins ADD CONSTRAINT checkins_pkey PRIMARY KEY (seq),
    ADD CONSTRAINT checkins_id_key UNIQUE (id);
"""
    + CHECKIN_INDEXES
)

_ROLES_SQL = """
DO $$
DECLARE
    name TEXT;
BEGIN
    FOREACH name IN ARRAY ARRAY['goaltui_viewer', 'goaltui_member', 'goaltui_admin'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
    END LOOP;
    -- Whoever creates the database administers it, also when not a superuser.
    IF NOT pg_has_role(current_user, 'goaltui_admin', 'USAGE') THEN
        GRANT goaltui_admin TO CURRENT_USER;
    END IF;
END
$$;
"""

_FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION goaltui_goal_owner(goal VARCHAR) RETURNS VARCHAR
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    SELECT unit_id FROM kpis WHERE id = goal
    UNION ALL
    SELECT o.unit_id FROM key_results k JOIN objectives o ON o.id = k.objective_id
    WHERE k.id = goal AND k.kpi_id IS NULL
    LIMIT 1
$$;

-- The closest unit at or above the goal's owner whose login is `who`; NULL when none is.
CREATE OR REPLACE FUNCTION goaltui_checkin_author(goal VARCHAR, who NAME) RETURNS VARCHAR
LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
    WITH RECURSIVE up (id, parent_id, login, depth) AS (
        SELECT u.id, u.parent_id, u.login, 0 FROM units u WHERE u.id = goaltui_goal_owner(goal)
        UNION ALL
        SELECT u.id, u.parent_id, u.login, up.depth + 1
        FROM units u JOIN up ON u.id = up.parent_id
        WHERE up.depth < 10000
    )
    SELECT id FROM up WHERE login = who::VARCHAR ORDER BY depth LIMIT 1
$$;

CREATE OR REPLACE FUNCTION goaltui_member_checkin() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    who NAME := current_user;
    owner VARCHAR;
    author VARCHAR;
    earlier VARCHAR;
BEGIN
    owner := goaltui_goal_owner(NEW.goal_id);
    IF owner IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('login %s may not add a check-in to %L: no KPI or key result '
                             'taking check-ins has that id', who, NEW.goal_id);
    END IF;
    author := goaltui_checkin_author(NEW.goal_id, who);
    IF author IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('login %s may not add a check-in to %L: it belongs to unit %L, '
                             'which is not at or below a unit whose login is %s',
                             who, NEW.goal_id, owner, who);
    END IF;
    IF NEW.supersedes IS NOT NULL THEN
        SELECT goal_id INTO earlier FROM checkins WHERE id = NEW.supersedes;
        IF earlier IS DISTINCT FROM NEW.goal_id THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('login %s may not supersede check-in %L from %L: it is not '
                                 'a check-in of that goal', who, NEW.supersedes, NEW.goal_id);
        END IF;
    END IF;
    -- Recorded by the database, whatever the client sent.
    NEW.author := author;
    NEW.seq := nextval('checkins_seq');
    NEW.recorded_at := now() AT TIME ZONE 'UTC';
    RETURN NEW;
END
$$;

-- Once per statement: an import of a million check-ins announces itself once. The payload is the
-- largest entry number the writer sees (its own rows' included); the primary key finds it.
CREATE OR REPLACE FUNCTION goaltui_notify_checkins() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    last BIGINT;
BEGIN
    SELECT max(seq) INTO last FROM checkins;
    IF last IS NOT NULL THEN
        PERFORM pg_notify('goaltui_checkins', last::TEXT);
    END IF;
    RETURN NULL;
END
$$;

-- The first and last day of a quarter ('2026-Q1') or year ('2026') label, counted from the
-- organisation's first fiscal month (goaltui_meta 'fiscal_year_start', default January).
CREATE OR REPLACE FUNCTION goaltui_period_bounds(label VARCHAR, OUT first_day DATE,
    OUT last_day DATE)
LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $$
DECLARE
    fiscal INT := coalesce(
        (SELECT value::INT FROM goaltui_meta WHERE key = 'fiscal_year_start'), 1);
BEGIN
    IF label ~ '^[0-9]{4}-Q[1-4]$' THEN
        first_day := make_date(substr(label, 1, 4)::INT, fiscal, 1)
            + make_interval(months => 3 * (substr(label, 7, 1)::INT - 1));
        last_day := (first_day + interval '3 months' - interval '1 day')::DATE;
    ELSIF label ~ '^[0-9]{4}$' THEN
        first_day := make_date(label::INT, fiscal, 1);
        last_day := (first_day + interval '1 year' - interval '1 day')::DATE;
    END IF;
END
$$;

-- A check-in (or a correction of one) dated in a closed objective's period on its key results
-- is refused for everyone, psql included, until the period is reopened.
CREATE OR REPLACE FUNCTION goaltui_closed_checkin() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    earlier DATE;
    closed RECORD;
BEGIN
    IF NEW.supersedes IS NOT NULL THEN
        SELECT date INTO earlier FROM checkins WHERE id = NEW.supersedes;
    END IF;
    FOR closed IN
        WITH RECURSIVE up (id, parent_id, depth) AS (
            SELECT u.id, u.parent_id, 0 FROM units u
            JOIN objectives o ON o.unit_id = u.id
            JOIN key_results k ON k.objective_id = o.id AND k.id = NEW.goal_id
            UNION ALL
            SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id
            WHERE up.depth < 10000
        )
        SELECT o.id AS objective_id, o.period, b.first_day, b.last_day
        FROM key_results k
        JOIN objectives o ON o.id = k.objective_id
        JOIN closed_periods c ON c.period = o.period
        CROSS JOIN LATERAL goaltui_period_bounds(o.period) b
        WHERE k.id = NEW.goal_id AND (c.unit_id IS NULL OR c.unit_id IN (SELECT id FROM up))
        ORDER BY o.id
    LOOP
        IF NEW.date BETWEEN closed.first_day AND closed.last_day
            OR earlier BETWEEN closed.first_day AND closed.last_day THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = format('%s is closed for objective %L, so key result %L takes no '
                                 'check-ins dated in it; reopen it first with '
                                 '`goaltui reopen %s`',
                                 closed.period, closed.objective_id, NEW.goal_id, closed.period);
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION goaltui_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('goaltui_definitions', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
"""

_TRIGGERS_SQL = """
CREATE OR REPLACE TRIGGER goaltui_member_checkin BEFORE INSERT ON checkins
    FOR EACH ROW WHEN (NOT pg_has_role(current_user, 'goaltui_admin', 'USAGE'))
    EXECUTE FUNCTION goaltui_member_checkin();
CREATE OR REPLACE TRIGGER goaltui_closed_checkin BEFORE INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION goaltui_closed_checkin();
CREATE OR REPLACE TRIGGER goaltui_notify_checkins AFTER INSERT ON checkins
    FOR EACH STATEMENT EXECUTE FUNCTION goaltui_notify_checkins();
CREATE OR REPLACE TRIGGER goaltui_notify_change AFTER UPDATE OR DELETE OR TRUNCATE ON checkins
    FOR EACH STATEMENT EXECUTE FUNCTION goaltui_notify_change();
"""

_DEFINITION_TRIGGER = """
CREATE OR REPLACE TRIGGER goaltui_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION goaltui_notify_change();
"""

_ALL_TABLES = ", ".join((*TABLES, *CYCLE_TABLE_NAMES, "goaltui_meta"))

# Viewers and members read everything, the cycle's tables included; only admins write grades,
# closures and history (members add check-ins, under the policies below).
_GRANTS_SQL = (
    "".join(
        f"ALTER TABLE {t} OWNER TO goaltui_admin;\n"
        for t in (*TABLES, *CYCLE_TABLE_NAMES, "goaltui_meta")
    )
    + f"""
REVOKE ALL ON {_ALL_TABLES} FROM PUBLIC;
REVOKE ALL ON SEQUENCE checkins_seq FROM PUBLIC;
REVOKE ALL ON {_ALL_TABLES} FROM goaltui_viewer, goaltui_member;
GRANT SELECT ON {_ALL_TABLES} TO goaltui_viewer, goaltui_member, goaltui_admin;
GRANT INSERT ON checkins TO goaltui_member;
GRANT USAGE ON SEQUENCE checkins_seq TO goaltui_member;
GRANT ALL ON {_ALL_TABLES} TO goaltui_admin;
GRANT ALL ON SEQUENCE checkins_seq TO goaltui_admin;
ALTER TABLE checkins ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS goaltui_read ON checkins;
CREATE POLICY goaltui_read ON checkins FOR SELECT USING (true);
DROP POLICY IF EXISTS goaltui_member_checkin ON checkins;
CREATE POLICY goaltui_member_checkin ON checkins FOR INSERT TO goaltui_member
    WITH CHECK (author IS NOT NULL AND author = goaltui_checkin_author(goal_id, current_user));
DROP POLICY IF EXISTS goaltui_admin_all ON checkins;
CREATE POLICY goaltui_admin_all ON checkins FOR ALL TO goaltui_admin USING (true)
    WITH CHECK (true);
"""
)


def _v3_cycle_tables(con: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 3: grades, closed periods and history. The tables themselves come from
    _TABLES_SQL, which creates whatever is missing before the steps run."""


def _v4_archived(con: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 4: goals may be archived (every goal stored before is active)."""
    for table in ("kpis", "objectives", "key_results"):
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS archived DATE")


def _v5_closed_checkins(con: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 5: check-ins dated in a closed objective's period are refused by the database.
    The functions and the trigger come from _FUNCTIONS_SQL and _TRIGGERS_SQL, which run after
    the steps."""


def _v6_history_announced(con: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 6: an entry added to the history alone (psql, an imported history.csv) is
    announced on the definitions channel. The trigger comes from _DEFINITION_TRIGGER over
    ANNOUNCED_TABLES, which runs after the steps."""


PG_MIGRATIONS: dict[int, Callable[[psycopg.Connection[tuple[object, ...]]], None]] = {
    3: _v3_cycle_tables,
    4: _v4_archived,
    5: _v5_closed_checkins,
    6: _v6_history_announced,
}
"""Steps from version N-1 to N of the PostgreSQL schema, keyed by N."""


def pg_stored_version(con: psycopg.Connection[tuple[object, ...]]) -> int | None:
    """The schema version in the connected database; None when it holds no goaltui table.

    Raises DatabaseError when it holds goaltui's tables without the version table."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchall()
    present = {str(name) for (name,) in rows}
    if "goaltui_meta" not in present:
        if present & set(TABLES):
            found = ", ".join(sorted(present & set(TABLES)))
            raise DatabaseError(
                f"this PostgreSQL database has tables named like goaltui's ({found}) but is not "
                "a goaltui database"
            )
        return None
    row = con.execute("SELECT value FROM goaltui_meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise DatabaseError("this goaltui database has no schema version; it is damaged")
    return int(str(row[0]))


def ensure_pg_schema(con: psycopg.Connection[tuple[object, ...]]) -> bool:
    """Create (or complete, or migrate) the schema, roles, grants, policies and triggers inside
    the caller's transaction; True when the tables were created now. Needs a login that may
    create tables and roles (the database's owner with CREATEROLE, or a superuser)."""
    # Two people running init at once take turns.
    con.execute("SELECT pg_advisory_xact_lock(hashtext('goaltui schema'))")
    version = pg_stored_version(con)
    if version is not None and version > PG_SCHEMA_VERSION:
        raise DatabaseError(
            f"this database has schema version {version}, newer than this goaltui "
            f"understands ({PG_SCHEMA_VERSION}); upgrade goaltui to open it"
        )
    con.execute(_ROLES_SQL)
    con.execute(_TABLES_SQL)
    con.execute(CHECKIN_INDEXES)
    if version is None:
        con.execute(
            "INSERT INTO goaltui_meta VALUES ('application', %s), ('schema_version', %s)",
            [APPLICATION_ID, str(PG_SCHEMA_VERSION)],
        )
    else:
        for step in range(version + 1, PG_SCHEMA_VERSION + 1):
            PG_MIGRATIONS[step](con)
            con.execute(
                "UPDATE goaltui_meta SET value = %s WHERE key = 'schema_version'", [str(step)]
            )
    con.execute(_FUNCTIONS_SQL)
    con.execute(_TRIGGERS_SQL)
    for table in ANNOUNCED_TABLES:
        con.execute(_DEFINITION_TRIGGER.format(table=table))
    con.execute(_GRANTS_SQL)
    return version is None
