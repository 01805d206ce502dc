"""The quarterly cycle's guards on a real PostgreSQL server, with plain SQL as a member: the
cycle's tables are the admins' alone, and a closed period takes no check-in from anyone, psql
included; goaltui's cycle commands refuse a member in one sentence and write nothing."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from goaltui.cli import main
from goaltui.cycle import close_period, reopen_period
from goaltui.model.errors import DatabaseError
from goaltui.store.engine import PgStore
from tests.pg_server import PgServer

Q3_KR = "sales-2026q3-kr1"
"""A key result of the team sales (bob's login) in 2026-Q3."""
Q3_CHECKIN = "INSERT INTO checkins (id, goal_id, date, value) VALUES (%s, %s, '2026-09-20', 3)"


@pytest.fixture
def urls(pg_server: PgServer, team_db: str) -> Iterator[tuple[str, str]]:
    """The admin's and bob's (a member's) URL of a fresh team database."""
    yield pg_server.url(team_db), pg_server.url(team_db, "bob")


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as con:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO grades (period, kind, goal_id, objective_id, unit_id, score, frozen_at) "
        "VALUES ('2026-Q3', 'kr', 'sales-2026q3-kr1', 'sales-2026q3', 'sales', 1, now())",
        "INSERT INTO closed_periods (period, closed_at, closed_by) "
        "VALUES ('2026-Q3', now(), 'bob')",
        "INSERT INTO history (seq, table_name, row_id, changed_by, changed_at, before, after) "
        "VALUES (999999, 'units', 'sales', 'bob', now(), NULL, '{}')",
        "UPDATE history SET changed_by = 'bob'",
        "DELETE FROM grades",
        "TRUNCATE closed_periods",
    ],
)
def test_a_member_cannot_write_the_cycle_s_tables(urls: tuple[str, str], statement: str) -> None:
    _admin, bob = urls
    with psycopg.connect(bob) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute(statement)


def test_a_closed_period_takes_no_check_in_from_psql(urls: tuple[str, str]) -> None:
    admin, bob = urls
    close_period(PgStore(admin), "2026-Q3")
    for url, checkin_id in ((bob, "by-bob"), (admin, "by-admin")):
        with psycopg.connect(url) as con, pytest.raises(psycopg.errors.CheckViolation) as caught:
            con.execute(Q3_CHECKIN, [checkin_id, Q3_KR])
        assert caught.value.diag.message_primary == (
            "2026-Q3 is closed for objective 'sales-2026q3', so key result "
            "'sales-2026q3-kr1' takes no check-ins dated in it; reopen it first with "
            "`goaltui reopen 2026-Q3`"
        )
    reopen_period(PgStore(admin), "2026-Q3")
    with psycopg.connect(bob) as con:
        con.execute(Q3_CHECKIN, ["by-bob", Q3_KR])
    assert _count(admin, "checkins WHERE id = 'by-bob'") == 1


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["close", "2026-Q3"], "close a period"),
        (["carry-over", "2026-Q3", "2026-Q4"], "carry objectives over"),
        (["grade", Q3_KR, "0.5"], "grade a key result"),
        (["reopen", "2026-Q3"], "reopen a period"),
    ],
)
def test_the_cycle_refuses_a_member_in_one_sentence(
    urls: tuple[str, str], args: list[str], what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    admin, bob = urls
    history = _count(admin, "history")
    assert main([*args, "--db", bob]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"goaltui: login bob may not {what}: permission denied")
    assert captured.err.endswith("nothing was written\n") and captured.err.count("\n") == 1
    assert (_count(admin, "history"), _count(admin, "closed_periods")) == (history, 0)


def test_the_cycle_commands_run_on_a_server(
    urls: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    admin, _bob = urls
    assert main(["close", "2026-Q3", "--db", admin]) == 0
    assert capsys.readouterr().out.startswith("Closed 2026-Q3: graded 4 objectives")
    assert main(["grade", Q3_KR, "0.5", "--note", "judged", "--db", admin]) == 0
    assert main(["carry-over", "2026-Q3", "2026-Q4", "--db", admin]) == 0
    created = capsys.readouterr().out.split()
    assert "sales-2026q3-2026-Q4" in created
    assert main(["reopen", "2026-Q3", "--db", admin]) == 0
    assert _count(admin, "closed_periods") == 0
    assert _count(admin, "history WHERE changed_by = 'postgres'") >= len(created)


def test_the_closed_check_counts_from_the_stored_fiscal_year(
    urls: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    admin, bob = urls
    assert main(["init", "--db", admin, "--fiscal-year-start", "4"]) == 0
    assert PgStore(admin).stored_fiscal_year_start() == 4
    # 2026-Q3 of a year starting in April is October to December 2026.
    assert main(["close", "2026-Q3", "--db", admin]) == 0
    capsys.readouterr()
    with psycopg.connect(bob) as con:
        con.execute(Q3_CHECKIN, ["in-september", Q3_KR])
    with psycopg.connect(bob) as con, pytest.raises(psycopg.errors.CheckViolation):
        con.execute(
            "INSERT INTO checkins (id, goal_id, date, value) VALUES (%s, %s, '2026-10-20', 3)",
            ["in-october", Q3_KR],
        )
    assert main(["checkin", Q3_KR, "3", "--date", "2026-10-21", "--db", bob]) == 1
    assert "2026-Q3 is closed for objective 'sales-2026q3'" in capsys.readouterr().err


def test_a_version_4_server_gains_the_closed_check_with_init(urls: tuple[str, str]) -> None:
    admin, _bob = urls
    with psycopg.connect(admin) as con:
        con.execute("DROP TRIGGER goaltui_closed_checkin ON checkins")
        con.execute("UPDATE goaltui_meta SET value = '4' WHERE key = 'schema_version'")
    with pytest.raises(DatabaseError, match="schema version 4, but this goaltui uses 6"):
        close_period(PgStore(admin), "2026-Q3")
    assert PgStore(admin).init() is False
    close_period(PgStore(admin), "2026-Q3")
    with psycopg.connect(admin) as con, pytest.raises(psycopg.errors.CheckViolation):
        con.execute(Q3_CHECKIN, ["late", Q3_KR])


def test_a_version_5_server_gains_the_history_announcement_with_init(
    urls: tuple[str, str],
) -> None:
    admin, _bob = urls
    announced = (
        "SELECT count(*) FROM pg_trigger WHERE tgname = 'goaltui_notify_change' "
        "AND tgrelid = 'history'::regclass"
    )
    with psycopg.connect(admin) as con:
        con.execute("DROP TRIGGER goaltui_notify_change ON history")
        con.execute("UPDATE goaltui_meta SET value = '5' WHERE key = 'schema_version'")
    with pytest.raises(DatabaseError, match="schema version 5, but this goaltui uses 6"):
        close_period(PgStore(admin), "2026-Q3")
    assert PgStore(admin).init() is False
    with psycopg.connect(admin) as con:
        assert con.execute(announced).fetchone() == (1,)


def test_the_dashboard_s_definition_save_on_a_server(urls: tuple[str, str]) -> None:
    from goaltui.store.cells import SPECS
    from goaltui.ui.authoring import save_definition_outcome

    admin, bob = urls
    row: dict[str, str | None] = {c.name: None for c in SPECS["objectives"]}
    row |= {"id": "sales-2027q1", "unit_id": "sales", "title": "Grow", "period": "2027-Q1"}
    refused = save_definition_outcome(bob, "objectives", row)
    assert not refused.saved
    (said,) = refused.problems.values()
    assert said.startswith("login bob may not change definitions: permission denied")
    assert said.endswith("nothing was written")
    assert save_definition_outcome(admin, "objectives", row).saved
    (change,) = PgStore(bob).definition_changes("objectives", "sales-2027q1")
    assert (change.changed_by, ("title", None, "Grow") in change.fields) == ("postgres", True)
