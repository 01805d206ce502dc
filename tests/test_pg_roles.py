"""Team mode's security, proved on a real PostgreSQL server with plain SQL as each role.

The demo organisation is imported once per module; logins are put on units by an admin:
`alice` on the person unit sales-kim, `bob` on the team sales and on his own unit sales-lee (a
lead), `vera` a viewer, `adam` an admin.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from goaltui.cli import main
from goaltui.store.pg_schema import CHECKINS_CHANNEL, DEFINITIONS_CHANNEL, PG_SCHEMA_VERSION
from tests.pg_server import PgServer

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
LOGINS = {
    "alice": "goaltui_member",
    "bob": "goaltui_member",
    "vera": "goaltui_viewer",
    "adam": "goaltui_admin",
}
TABLES = (
    "units",
    "kpis",
    "objectives",
    "key_results",
    "checkins",
    "targets",
    "grades",
    "closed_periods",
    "history",
    "goaltui_meta",
)
CHECKIN_SQL = (
    "INSERT INTO checkins (id, goal_id, date, value, author) VALUES (%s, %s, '2026-11-10', 3, %s)"
)


def create_logins(admin_url: str) -> None:
    """The login roles of the module (cluster-wide, so created once), each granted its role."""
    with psycopg.connect(admin_url, autocommit=True) as con:
        for login, role in LOGINS.items():
            con.execute(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
                + login
                + "') THEN CREATE ROLE "
                + login
                + " LOGIN; END IF; END $$"
            )
            con.execute(f"GRANT {role} TO {login}")


@pytest.fixture(scope="module")
def team(pg_server: PgServer) -> Iterator[dict[str, str]]:
    """URLs of one demo database for the superuser and each login."""
    name = "roles"
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    owner = pg_server.url(name)
    assert main(["init", "--db", owner]) == 0
    assert main(["import", str(DEMO), "--db", owner]) == 0
    create_logins(owner)
    with psycopg.connect(owner, autocommit=True) as con:
        con.execute("UPDATE units SET login = 'alice' WHERE id = 'sales-kim'")
        con.execute("UPDATE units SET login = 'bob' WHERE id IN ('sales', 'sales-lee')")
    urls = {"owner": owner, **{login: pg_server.url(name, login) for login in LOGINS}}
    yield urls
    with psycopg.connect(pg_server.url(), autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def snapshot(url: str) -> dict[str, str]:
    """A digest of every row of every table: equal snapshots mean nothing was written."""
    with psycopg.connect(url) as con:
        return {
            t: str(
                con.execute(
                    f"SELECT count(*) || ':' || coalesce(md5(string_agg(x::TEXT, '|' "
                    f"ORDER BY x::TEXT)), '') FROM {t} x"
                ).fetchone()
            )
            for t in TABLES
        }


def refused(url: str, statement: str, params: list[object] | None = None) -> psycopg.Error:
    """Run `statement` as the URL's login; it must fail. Returns the error."""
    with psycopg.connect(url) as con:
        with pytest.raises(psycopg.Error) as caught:
            con.execute(statement, params)
            con.commit()
        return caught.value


def test_init_creates_tables_and_roles_and_is_idempotent(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--db", pg_url]) == 0
    assert capsys.readouterr().out == f"Created goaltui database {pg_url}\n"

    def catalogue() -> tuple[object, ...]:
        with psycopg.connect(pg_url) as con:
            columns = con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY 1, 2"
            ).fetchall()
            roles = con.execute(
                "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'goaltui%' ORDER BY 1"
            ).fetchall()
            policies = con.execute("SELECT policyname FROM pg_policies ORDER BY 1").fetchall()
            triggers = con.execute(
                "SELECT event_object_table, trigger_name, event_manipulation "
                "FROM information_schema.triggers ORDER BY 1, 2, 3"
            ).fetchall()
            version = con.execute(
                "SELECT value FROM goaltui_meta WHERE key = 'schema_version'"
            ).fetchall()
            return columns, roles, policies, triggers, version

    first = catalogue()
    assert main(["init", "--db", pg_url]) == 0
    assert capsys.readouterr().out == f"Opened existing goaltui database {pg_url}\n"
    assert catalogue() == first
    columns, roles, policies, _, version = first
    assert isinstance(columns, list)
    tables = {t for t, _, _ in columns}
    assert tables == set(TABLES)
    assert ("units", "login", "character varying") in columns
    assert ("kpis", "cadence", "character varying") in columns
    assert ("key_results", "cadence", "character varying") in columns
    assert ("objectives", "commitment", "character varying") in columns
    assert ("objectives", "carried_from", "character varying") in columns
    assert ("checkins", "recorded_at", "timestamp without time zone") in columns
    assert ("grades", "score", "double precision") in columns
    assert ("closed_periods", "closed_at", "timestamp without time zone") in columns
    assert ("history", "seq", "bigint") in columns
    assert roles == [("goaltui_admin", False), ("goaltui_member", False), ("goaltui_viewer", False)]
    assert policies == [("goaltui_admin_all",), ("goaltui_member_checkin",), ("goaltui_read",)]
    assert version == [(str(PG_SCHEMA_VERSION),)]


def test_member_check_in_gets_its_author_entry_number_and_time_from_the_database(
    team: dict[str, str],
) -> None:
    with psycopg.connect(team["owner"]) as con:
        (top,) = con.execute("SELECT max(seq) FROM checkins").fetchone() or (None,)
    with psycopg.connect(team["alice"]) as con:
        stored = con.execute(
            "INSERT INTO checkins (seq, id, goal_id, date, value, author, recorded_at) "
            "VALUES (0, 'forged-1', 'sales-kim-contracts', '2026-11-10', 4, 'hb', "
            "'2000-01-01') RETURNING seq, author, recorded_at"
        ).fetchone()
    assert stored is not None
    seq, author, recorded_at = stored
    assert author == "sales-kim"
    assert isinstance(top, int) and seq > top
    assert recorded_at.year >= 2026


def test_a_lead_checks_in_below_her_team_as_the_closest_unit(team: dict[str, str]) -> None:
    with psycopg.connect(team["bob"]) as con:
        on_kim = con.execute(
            CHECKIN_SQL + " RETURNING author", ["bob-1", "sales-kim-contracts", None]
        )
        assert on_kim.fetchone() == ("sales",)
        on_own = con.execute(
            CHECKIN_SQL + " RETURNING author", ["bob-2", "sales-lee-contracts", None]
        )
        assert on_own.fetchone() == ("sales-lee",)


@pytest.mark.parametrize(
    ("login", "goal", "owner"),
    [
        ("alice", "marketing-leads", "marketing"),
        ("alice", "sales-lee-contracts", "sales-lee"),
        ("alice", "hb-revenue", "hb"),
        ("bob", "cs-csat", "cs"),
    ],
)
def test_a_member_cannot_check_in_on_another_units_goal(
    team: dict[str, str], login: str, goal: str, owner: str
) -> None:
    before = snapshot(team["owner"])
    error = refused(team[login], CHECKIN_SQL, ["x-1", goal, None])
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    assert error.diag.message_primary == (
        f"login {login} may not add a check-in to '{goal}': it belongs to unit '{owner}', "
        f"which is not at or below a unit whose login is {login}"
    )
    assert snapshot(team["owner"]) == before


def test_a_member_cannot_check_in_on_a_key_result_measured_by_a_kpi(
    team: dict[str, str],
) -> None:
    error = refused(team["alice"], CHECKIN_SQL, ["x-2", "hb-2026q4-kr1", None])
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    assert "no KPI or key result taking check-ins" in str(error.diag.message_primary)


def test_a_member_cannot_supersede_a_check_in_of_another_goal(team: dict[str, str]) -> None:
    with psycopg.connect(team["owner"]) as con:
        row = con.execute(
            "SELECT id FROM checkins WHERE goal_id = 'marketing-leads' LIMIT 1"
        ).fetchone()
    assert row is not None
    before = snapshot(team["owner"])
    error = refused(
        team["alice"],
        "INSERT INTO checkins (id, goal_id, date, value, supersedes) "
        "VALUES ('x-3', 'sales-kim-contracts', '2026-11-10', NULL, %s)",
        [row[0]],
    )
    assert "may not supersede" in str(error.diag.message_primary)
    assert snapshot(team["owner"]) == before


FORBIDDEN = [
    "UPDATE checkins SET value = 0",
    "UPDATE checkins SET value = 0 WHERE author = 'sales-kim'",
    "DELETE FROM checkins",
    "DELETE FROM checkins WHERE goal_id = 'sales-kim-contracts'",
    "TRUNCATE checkins",
    "INSERT INTO units (id, name, parent_id, kind) VALUES ('x', 'x', 'hb', 'team')",
    "UPDATE units SET login = current_user WHERE id = 'hb'",
    "DELETE FROM units WHERE id = 'cs-oh'",
    "UPDATE kpis SET target = 1 WHERE id = 'sales-kim-contracts'",
    "INSERT INTO kpis (id, unit_id, name, direction, aggregation, period, target_mode) "
    "VALUES ('k', 'sales-kim', 'k', 'at_least', 'sum', 'month', 'absolute')",
    "DELETE FROM kpis",
    "INSERT INTO objectives (id, unit_id, title, period) VALUES ('o', 'sales-kim', 'o', '2026')",
    "UPDATE key_results SET weight = 9",
    "INSERT INTO targets VALUES ('sales-kim-contracts', '2026-11', 1)",
    "TRUNCATE targets",
    "UPDATE goaltui_meta SET value = '9'",
    "INSERT INTO grades (period, kind, goal_id, objective_id, unit_id, frozen_at) "
    "VALUES ('2026-Q4', 'kr', 'g', 'o', 'sales-kim', now())",
    "INSERT INTO closed_periods (period, closed_at) VALUES ('2026-Q4', now())",
    "INSERT INTO history (seq, table_name, row_id, changed_at) VALUES (0, 'kpis', 'k', now())",
    "DELETE FROM history",
    "ALTER TABLE checkins DISABLE TRIGGER goaltui_member_checkin",
    "ALTER TABLE checkins DISABLE ROW LEVEL SECURITY",
    "DROP POLICY goaltui_member_checkin ON checkins",
    "DROP TABLE checkins",
    "CREATE TABLE units_copy (id TEXT)",
    "SELECT setval('checkins_seq', 1)",
    "CREATE OR REPLACE FUNCTION goaltui_goal_owner(goal VARCHAR) RETURNS VARCHAR "
    "LANGUAGE sql AS $$ SELECT 'sales-kim'::VARCHAR $$",
]


@pytest.mark.parametrize("login", ["alice", "bob", "vera"])
@pytest.mark.parametrize("statement", FORBIDDEN)
def test_members_and_viewers_cannot_change_any_row_or_definition(
    team: dict[str, str], login: str, statement: str
) -> None:
    before = snapshot(team["owner"])
    error = refused(team[login], statement)
    assert isinstance(
        error, psycopg.errors.InsufficientPrivilege | psycopg.errors.ObjectNotInPrerequisiteState
    ), error
    assert snapshot(team["owner"]) == before


def test_a_viewer_reads_everything_and_cannot_add_a_check_in(team: dict[str, str]) -> None:
    with psycopg.connect(team["vera"]) as con:
        for table in TABLES:
            con.execute(f"SELECT * FROM {table}").fetchall()
    before = snapshot(team["owner"])
    error = refused(team["vera"], CHECKIN_SQL, ["v-1", "sales-kim-contracts", "sales-kim"])
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
    assert snapshot(team["owner"]) == before


def test_an_admin_may_do_everything(team: dict[str, str]) -> None:
    with psycopg.connect(team["adam"]) as con:
        stored = con.execute(
            CHECKIN_SQL + " RETURNING author", ["a-1", "marketing-leads", "marketing-choi"]
        ).fetchone()
        assert stored == ("marketing-choi",)
        con.execute("UPDATE kpis SET target = 1 WHERE id = 'marketing-leads'")
        con.execute("INSERT INTO units (id, name, parent_id, kind) VALUES ('x', 'x', 'hb', 'team')")
        con.execute("UPDATE checkins SET note = 'n' WHERE id = 'a-1'")
        con.execute("DELETE FROM checkins WHERE id = 'a-1'")
        con.execute("TRUNCATE targets")
        con.execute(
            "INSERT INTO grades (period, kind, goal_id, objective_id, unit_id, frozen_at) "
            "VALUES ('2026-Q4', 'kr', 'g', 'o', 'sales-kim', now())"
        )
        con.execute("INSERT INTO closed_periods (period, closed_at) VALUES ('2026-Q4', now())")
        con.execute(
            "INSERT INTO history (seq, table_name, row_id, changed_at) "
            "VALUES (0, 'kpis', 'k', now())"
        )
        con.rollback()  # proved; leave the module's database as it was


def test_a_check_in_and_a_definition_change_are_announced(team: dict[str, str]) -> None:
    with psycopg.connect(team["vera"], autocommit=True) as listener:
        listener.execute(f"LISTEN {CHECKINS_CHANNEL}")
        listener.execute(f"LISTEN {DEFINITIONS_CHANNEL}")
        with psycopg.connect(team["alice"]) as con:
            row = con.execute(
                CHECKIN_SQL + " RETURNING seq", ["n-1", "sales-kim-contracts", None]
            ).fetchone()
        assert row is not None
        heard = [(n.channel, n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
        assert heard == [(CHECKINS_CHANNEL, str(row[0]))]
        with psycopg.connect(team["adam"]) as con:
            con.execute("UPDATE kpis SET description = 'd' WHERE id = 'marketing-leads'")
        heard = [(n.channel, n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
        assert heard == [(DEFINITIONS_CHANNEL, "kpis")]


def goaltui(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "goaltui", *argv, "--as-of", "2026-11-16"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def test_goaltui_check_in_as_a_member_is_authored_by_the_database(team: dict[str, str]) -> None:
    done = goaltui("checkin", "sales-kim-contracts", "5", "--author", "hb", "--db", team["alice"])
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Saved check-in c")
    saved_id = done.stdout.split()[2].rstrip(":")
    with psycopg.connect(team["owner"]) as con:
        row = con.execute("SELECT author, value FROM checkins WHERE id = %s", [saved_id])
        assert row.fetchone() == ("sales-kim", 5.0)


@pytest.mark.parametrize(
    ("login", "argv", "message"),
    [
        (
            "alice",
            ["checkin", "marketing-leads", "5"],
            "goaltui: login alice may not add a check-in to 'marketing-leads': it belongs to "
            "unit 'marketing', which is not at or below a unit whose login is alice; nothing "
            "was written\n",
        ),
        (
            "vera",
            ["checkin", "sales-kim-contracts", "5"],
            "goaltui: login vera may not add a check-in to 'sales-kim-contracts': permission "
            "denied for table checkins (its roles: goaltui_viewer; adding check-ins needs "
            "goaltui_member, changing anything else goaltui_admin); nothing was written\n",
        ),
        (
            "alice",
            ["import", str(DEMO)],
            "goaltui: login alice may not import: permission denied for table units (its "
            "roles: goaltui_member; adding check-ins needs goaltui_member, changing anything "
            "else goaltui_admin); nothing was written\n",
        ),
    ],
)
def test_a_refused_write_through_goaltui_says_who_what_why_and_writes_nothing(
    team: dict[str, str], login: str, argv: list[str], message: str
) -> None:
    before = snapshot(team["owner"])
    done = goaltui(*argv, "--db", team[login])
    assert (done.returncode, done.stdout, done.stderr) == (1, "", message)
    assert snapshot(team["owner"]) == before


def test_an_admin_login_imports_and_the_members_rules_hold_afterwards(
    team: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "more"
    shutil.copytree(DEMO, source)
    with (source / "checkins.csv").open("a", encoding="utf-8") as out:
        out.write("adm-1,marketing-leads,2026-11-12,40,,,,marketing-choi,,\n")
    done = goaltui("import", str(source), "--db", team["adam"])
    assert (done.returncode, done.stderr) == (0, "")
    assert "1 check-in added (1,969 repeats skipped)" in done.stdout
    with psycopg.connect(team["owner"]) as con:
        row = con.execute("SELECT author FROM checkins WHERE id = 'adm-1'").fetchone()
        assert row == ("marketing-choi",)
        enabled = con.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'goaltui_member_checkin'"
        ).fetchone()
        assert enabled == ("O",)
    with psycopg.connect(team["alice"]) as con:
        stored = con.execute(
            CHECKIN_SQL + " RETURNING author", ["after-1", "sales-kim-contracts", "hb"]
        ).fetchone()
    assert stored == ("sales-kim",)
