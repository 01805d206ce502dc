"""A check-in dated in a closed objective's period, refused by the database's own trigger on a real
PostgreSQL server, reads as goaltui's sentence in the reader's language, the one a file gives:
from the refusal psql gets, on the command line and in the dashboard's form."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from textual.widgets import Static

from goaltui.cli import main
from goaltui.config import DEMO_AS_OF
from goaltui.cycle import close_period
from goaltui.i18n import use_language
from goaltui.store.cycle import closed_message
from goaltui.store.engine import PgStore
from goaltui.store.pg import closed_refusal
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import CheckinForm
from tests.pg_server import PgServer
from tests.test_ui_checkin_form import reason, type_into
from tests.test_ui_pg import loaded, until

Q3_KR = "sales-2026q3-kr1"
"""A key result of the team sales (bob's login) in 2026-Q3."""
PRODUCT_KR = "product-2026q3-kr1"
ENGLISH = (
    "2026-Q3 is closed for objective 'sales-2026q3', so key result 'sales-2026q3-kr1' takes no "
    "check-ins dated in it; reopen it first with `goaltui reopen 2026-Q3`"
)
KOREAN_HEAD = "2026-Q3은(는) 목표 'sales-2026q3'에 대해 마감되어"


@pytest.fixture
def urls(pg_server: PgServer, team_db: str) -> Iterator[tuple[str, str]]:
    """The admin's and bob's (a member's) URL of a fresh team database, 2026-Q3 closed."""
    admin = pg_server.url(team_db)
    close_period(PgStore(admin), "2026-Q3")
    yield admin, pg_server.url(team_db, "bob")


def late_checkins(url: str, goal_id: str) -> int:
    with psycopg.connect(url) as con:
        row = con.execute(
            "SELECT count(*) FROM checkins WHERE goal_id = %s AND date = '2026-09-20'", [goal_id]
        ).fetchone()
    return int(row[0]) if row else -1


def psql_refusal(url: str, goal_id: str) -> psycopg.Error:
    with psycopg.connect(url) as con, pytest.raises(psycopg.errors.CheckViolation) as caught:
        con.execute(
            "INSERT INTO checkins (id, goal_id, date, value) VALUES ('late', %s, '2026-09-20', 3)",
            [goal_id],
        )
    return caught.value


def test_the_database_s_refusal_becomes_goaltui_s_sentence(urls: tuple[str, str]) -> None:
    _admin, bob = urls
    error = psql_refusal(bob, Q3_KR)
    # The server's own text is English whatever the reader reads.
    assert str(error.diag.message_primary).startswith("2026-Q3 is closed for objective")
    refused = closed_refusal(error)
    assert refused is not None and refused.problems == [f"date: {ENGLISH}"]
    use_language("ko")
    refused = closed_refusal(error)
    assert refused is not None
    assert refused.problems == [f"date: {closed_message(Q3_KR, 'sales-2026q3', '2026-Q3')}"]
    assert refused.problems[0].startswith(f"date: {KOREAN_HEAD}")


def test_quoted_ids_come_back_whole(pg_server: PgServer, urls: tuple[str, str]) -> None:
    """An id with a quote in it, as the database quotes it ('' inside '...')."""
    admin, _bob = urls
    with psycopg.connect(admin) as con:
        con.execute(
            "INSERT INTO objectives (id, unit_id, title, period, commitment) "
            "VALUES ('it''s-q3', 'sales', 'Quoted', '2026-Q3', 'aspirational')"
        )
        con.execute(
            "INSERT INTO key_results (id, objective_id, title, target_mode, target, weight) "
            "VALUES ('kr''1', 'it''s-q3', 'Quoted', 'absolute', 1, 1)"
        )
    refused = closed_refusal(psql_refusal(admin, "kr'1"))
    assert refused is not None
    wanted = closed_message("kr'1", "it's-q3", "2026-Q3")
    assert refused.problems == [f"date: {wanted}"]


def test_another_refusal_is_not_taken_for_a_closed_period(urls: tuple[str, str]) -> None:
    _admin, bob = urls
    with psycopg.connect(bob) as con, pytest.raises(psycopg.Error) as caught:
        con.execute(
            "INSERT INTO checkins (id, goal_id, date, value) VALUES ('x', 'nope', now(), 1)"
        )
    assert closed_refusal(caught.value) is None


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_command_line_says_it_in_the_reader_s_language(
    urls: tuple[str, str],
    language: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _admin, bob = urls
    monkeypatch.setenv("GOALTUI_LANG", language)
    use_language(language)
    code = main(["checkin", Q3_KR, "3", "--date", "2026-09-20", "--db", bob])
    err = capsys.readouterr().err
    assert code == 1
    assert (ENGLISH if language == "en" else KOREAN_HEAD) in err
    # Refused as a problem of the check-in, not as a failure of the server.
    assert err.startswith("date: ") and "could not" not in err and "login" not in err
    assert late_checkins(bob, Q3_KR) == 0


async def test_the_dashboard_form_says_it_under_the_date_in_korean(
    pg_server: PgServer, urls: tuple[str, str], korean: None
) -> None:
    admin, _bob = urls
    app = GoalApp(db=admin, as_of=DEMO_AS_OF, today=DEMO_AS_OF)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, loaded(app), timeout=30.0)
        await app.open_checkin(PRODUCT_KR)
        await pilot.pause()
        await type_into(pilot, "value", "3")
        await type_into(pilot, "date", "2026-09-20")
        await pilot.press("ctrl+s")
        wanted = closed_message(PRODUCT_KR, "product-2026q3", "2026-Q3")
        assert "마감되어" in wanted

        def said() -> str:
            status = app.screen.query_one("#checkin-status", Static).content
            return f"{status} {reason(app, 'date')}"

        await until(pilot, lambda: wanted in said())
        assert isinstance(app.screen, CheckinForm)  # refused: the form stays open
    assert late_checkins(admin, PRODUCT_KR) == 0
