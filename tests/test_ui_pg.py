"""The dashboard in team mode, on a real PostgreSQL server: it loads, a member checks in (the
database sets the author), corrects and undoes; other people's check-ins arrive by LISTEN/NOTIFY
within a second; and when the server restarts, the dashboard says so, never reports a save it
could not confirm, and catches up on what it missed once the server is back."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from goaltui.config import DEMO_AS_OF
from goaltui.model.errors import DatabaseError
from goaltui.model.types import Checkin
from goaltui.store.pg import append_pg_checkin, pg_session
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import CheckinForm
from goaltui.ui.screens.confirm import ConfirmScreen
from tests.pg_server import PgServer
from tests.pg_team import ALICE_GOAL, BOB_GOAL, DAY

SIZE = (120, 40)


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 15.0) -> float:
    """Let the app run until `condition` holds; the seconds it took. Fails after `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        await pilot.pause(0.02)
    return time.monotonic() - start


def ids(app: GoalApp) -> set[str]:
    assert app.dataset is not None
    return set(app.dataset.checkins["id"].to_list())


def computed(app: GoalApp, checkin_id: str) -> bool:
    scorecard = app.scorecard
    return scorecard is not None and checkin_id in scorecard.dataset.checkins["id"].to_list()


def holds(app: GoalApp, checkin_id: str | None) -> Callable[[], bool]:
    return lambda: checkin_id in ids(app)


def loaded(app: GoalApp) -> Callable[[], bool]:
    return lambda: app.scorecard is not None and app.caught_up


async def check_in(pilot: Pilot[None], app: GoalApp, goal_id: str, value: str) -> CheckinForm:
    await app.open_checkin(goal_id)
    form = open_form(app)
    editor = form.editor
    await pilot.press(*value, "ctrl+s")
    await until(pilot, lambda: app.screen is not form or not editor.is_saving)
    return form


def open_form(app: GoalApp) -> CheckinForm:
    form = app.screen
    assert isinstance(form, CheckinForm)
    return form


def status(form: CheckinForm) -> str:
    return str(form.query_one("#checkin-status", Static).content)


async def test_a_member_checks_in_corrects_and_undoes_on_the_server(
    pg_server: PgServer, team_db: str
) -> None:
    app = GoalApp(db=pg_server.url(team_db, "alice"), as_of=DEMO_AS_OF, today=DEMO_AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, loaded(app), timeout=30.0)
        before = ids(app)
        await check_in(pilot, app, ALICE_GOAL, "4")
        await until(pilot, lambda: len(app.session_checkins) == 1)
        saved = app.session_checkins[-1]
        assert saved in ids(app) and len(ids(app)) == len(before) + 1
        # Corrected from the form, prefilled with the stored check-in, once the figures the
        # form checks against have it.
        await until(pilot, lambda: computed(app, saved))
        assert app.dataset is not None
        row = app.dataset.checkins.filter(app.dataset.checkins["id"] == saved).row(0, named=True)
        original = Checkin(**{k: row[k] for k in ("goal_id", "date", "value", "id", "seq")})
        await app.open_checkin(ALICE_GOAL, corrects=original)
        open_form(app).query_one("#value", Input).value = "5"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(app.session_checkins) == 2)
        correction = app.session_checkins[-1]
        # Someone else's goal: the database refuses, the form stays open and says why.
        form = await check_in(pilot, app, BOB_GOAL, "2")
        assert app.screen is form
        assert status(form).startswith("Not saved: ") and "login alice may not" in status(form)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # throw the typed value away
        await until(pilot, lambda: not isinstance(app.screen, (CheckinForm, ConfirmScreen)))
        await pilot.press("u")
        await until(pilot, lambda: len(app.session_checkins) == 1)
    with psycopg.connect(pg_server.url(team_db)) as con:
        rows = con.execute(
            "SELECT value, author, supersedes FROM checkins WHERE seq > %s ORDER BY seq",
            [int(original.seq or 0) - 1],
        ).fetchall()
    # Written by the member's login, authored by the database: the unit whose login it is.
    assert rows == [
        (4.0, "sales-kim", None),
        (5.0, "sales-kim", saved),
        (None, "sales-kim", correction),
    ]


async def test_check_ins_of_others_reach_the_dashboard_within_a_second(
    pg_server: PgServer, team_db: str
) -> None:
    app = GoalApp(db=pg_server.url(team_db, "alice"), as_of=DEMO_AS_OF, today=DEMO_AS_OF)
    bob = pg_server.url(team_db, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, loaded(app), timeout=30.0)
        full_reads = app.full_reads
        waits = []
        for value in (1.0, 2.0, 3.0):
            saved = append_pg_checkin(
                bob, Checkin(goal_id=BOB_GOAL, date=DAY, value=value), today=DEMO_AS_OF
            )
            assert saved.author == "sales"  # the unit whose login is bob
            waits.append(await until(pilot, holds(app, saved.id), timeout=1.0))
        # Only the new rows were read, not the whole database.
        assert app.full_reads == full_reads and app.rows_read == 3
        # A definition change makes it read everything again.
        with psycopg.connect(pg_server.url(team_db), autocommit=True) as con:
            con.execute("UPDATE units SET name = 'Sales (renamed)' WHERE id = 'sales'")
        await until(pilot, lambda: app.full_reads == full_reads + 1, timeout=2.0)
        assert app.dataset is not None
        units = app.dataset.units
        assert units.filter(units["id"] == "sales")["name"].item() == "Sales (renamed)"
    assert max(waits) < 1.0


async def test_the_dashboard_survives_a_server_restart_and_catches_up(
    pg_server: PgServer, team_db: str
) -> None:
    app = GoalApp(db=pg_server.url(team_db, "alice"), as_of=DEMO_AS_OF, today=DEMO_AS_OF)
    bob = pg_server.url(team_db, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, loaded(app), timeout=30.0)
        pg_server.stop_only()
        try:
            await until(pilot, lambda: app.server_state == "disconnected")
            assert any("Lost the connection" in n.message for n in app._notifications)
            # A save that cannot reach the server is not reported as saved: the form stays
            # open with its value and says why.
            form = await check_in(pilot, app, ALICE_GOAL, "7")
            assert app.screen is form and not app.session_checkins
            assert status(form).startswith("Not saved: ") and "cannot connect" in status(form)
            assert form.editor.texts["value"] == "7"
        finally:
            pg_server.start_again()
        # Written while the dashboard has not reconnected yet (or just has).
        missed = append_pg_checkin(
            bob, Checkin(goal_id=BOB_GOAL, date=DAY, value=9.0), today=DEMO_AS_OF
        )
        await until(pilot, lambda: app.server_state == "connected", timeout=10.0)
        await until(pilot, lambda: missed.id in ids(app))
        # The same form saves once the server is back.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(app.session_checkins) == 1)
        assert app.session_checkins[0] in ids(app)
    with psycopg.connect(pg_server.url(team_db)) as con:
        found = con.execute(
            "SELECT count(*) FROM checkins WHERE goal_id = %s AND value = 7", [ALICE_GOAL]
        ).fetchone()
    assert found == (1,)


def test_a_write_the_server_cut_off_is_never_called_done(pg_server: PgServer, team_db: str) -> None:
    url = pg_server.url(team_db)
    try:
        with (
            pytest.raises(DatabaseError, match="cannot be confirmed"),
            pg_session(url, "add a check-in") as con,
        ):
            con.execute("SELECT 1")
            pg_server.stop_only()
    finally:
        pg_server.start_again()


async def test_an_admin_closes_a_period_from_the_palette_on_the_server(
    pg_server: PgServer, team_db: str
) -> None:
    from tests.test_ui_checkin_form import reason, type_into
    from tests.ui_helpers import pick_in_palette

    app = GoalApp(db=pg_server.url(team_db), as_of=DEMO_AS_OF, today=DEMO_AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, loaded(app), timeout=30.0)
        await pick_in_palette(pilot, "close 2026-Q3", "period: close 2026-Q3 and grade it")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")

        def closed() -> bool:
            cycle = app.cycle
            return cycle is not None and cycle.closed_periods["period"].to_list() == ["2026-Q3"]

        await until(pilot, closed)
        assert app.cycle is not None
        graded = app.cycle.grades.filter(app.cycle.grades["kind"] == "objective")
        assert graded.height == 4
        await app.open_checkin("product-2026q3-kr1")
        await pilot.pause()
        await type_into(pilot, "value", "3")
        await type_into(pilot, "date", "2026-09-20")
        await pilot.press("ctrl+s")

        def said() -> str:
            status = app.screen.query_one("#checkin-status", Static).content
            return f"{status} {reason(app, 'date')}"

        await until(pilot, lambda: "2026-Q3 is closed for objective 'product-2026q3'" in said())
        assert isinstance(app.screen, CheckinForm)  # refused: the form stays
        assert "goaltui reopen 2026-Q3" in said()
    with pg_session(pg_server.url(team_db)) as con:
        late = con.execute(
            "SELECT count(*) FROM checkins WHERE goal_id = 'product-2026q3-kr1' AND value = 3"
        ).fetchone()
    assert late == (0,)
