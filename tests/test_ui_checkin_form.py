"""The check-in form, driven by keys in a tiny app: typing, validation, saving, cancelling,
failures that keep the form open, and corrections."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

import polars as pl
import pytest
from textual import work
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from goaltui.metrics.catalog import goal_catalog
from goaltui.model import Checkin
from goaltui.store.checkins import correct_checkin
from goaltui.store.dataset import load_dataset
from goaltui.store.importer import import_path
from goaltui.ui.app import save_checkin
from goaltui.ui.screens.checkin import (
    CheckinEditor,
    CheckinForm,
    format_number,
    parse_number,
    saved_message,
    with_unit,
)
from goaltui.ui.screens.confirm import ConfirmScreen
from goaltui.ui.widgets.goal_field import suggest_goals

AS_OF = date(2026, 11, 16)
SIZE = (120, 40)
ResultT = TypeVar("ResultT")

CSV_FILES = {
    "units.csv": """id,name,parent_id,kind
hb,허밍버드,,org
sales,영업팀,hb,team
hr,인사팀,hb,team
""",
    "kpis.csv": """id,unit_id,name,unit,direction,aggregation,period,target_mode,target
kpi-rev,sales,분기 매출,KRW,at_least,sum,quarter,absolute,1000000000
kpi-conv,sales,가입 전환율,%,at_least,ratio,month,absolute,20
kpi-hire,hr,평균 채용 기간,days,at_most,mean,month,absolute,45
""",
    "objectives.csv": """id,unit_id,title,period
obj-act,hb,신규 사용자 활성화,2026-Q4
""",
    "key_results.csv": """id,objective_id,title,unit,direction,aggregation,target_mode,target,kpi_id
kr-active,obj-act,주간 활성 사용자 5천 명,count,at_least,last,absolute,5000,
kr-conv,obj-act,가입 전환율 25% 달성,,,,absolute,25,kpi-conv
""",
    "checkins.csv": """goal_id,date,value,note,id
kpi-hire,2026-10-31,27,10월 마감,c-hire-oct
""",
}


def make_org_db(folder: Path) -> Path:
    """A database with a small Korean organisation: three KPIs (one ratio), two KRs (one
    measured by a KPI) and one check-in (id `c-hire-oct`)."""
    source = folder / "org"
    source.mkdir()
    for name, text in CSV_FILES.items():
        (source / name).write_text(text, encoding="utf-8")
    db = folder / "goals.duckdb"
    import_path(db, source)
    return db


class ScreenApp(App[None], Generic[ResultT]):
    """Pushes one screen on start and keeps what it dismissed with; answers the forms' save
    requests by writing to `db` in a worker, as the dashboard does."""

    def __init__(self, make_screen: Callable[[], Screen[ResultT]], db: Path | None = None) -> None:
        super().__init__()
        self._make_screen = make_screen
        self._db = db
        self.results: list[ResultT | None] = []
        self.save_requests = 0
        """How many save requests the forms posted."""

    def on_mount(self) -> None:
        self.push_screen(self._make_screen(), self.results.append)

    def on_checkin_editor_save_requested(self, message: CheckinEditor.SaveRequested) -> None:
        self.save_requests += 1
        self._save(message)

    @work(thread=True)
    def _save(self, message: CheckinEditor.SaveRequested) -> None:
        assert self._db is not None
        outcome = save_checkin(self._db, message.checkin, message.corrects, today=AS_OF)
        message.editor.post_message(message.editor.SaveAnswered(outcome))


def form_app(db: Path, **kwargs: Any) -> ScreenApp[Checkin | None]:
    """An app showing the check-in form on `db` as of AS_OF."""
    dataset = load_dataset(db)

    def make() -> CheckinForm:
        return CheckinForm(
            goals=goal_catalog(dataset),
            dataset=dataset,
            as_of=AS_OF,
            today=AS_OF,
            **kwargs,
        )

    return ScreenApp(make, db)


@pytest.fixture(scope="session")
def org_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small organisation, imported once per test session."""
    return make_org_db(tmp_path_factory.mktemp("checkin-org"))


@pytest.fixture
def org_db(org_template: Path, tmp_path: Path) -> Path:
    """A private copy of the small organisation's database for one test."""
    return Path(shutil.copy(org_template, tmp_path / "goals.duckdb"))


def checkins_of(db: Path, goal_id: str) -> pl.DataFrame:
    """The stored check-ins of one goal, in order of entry."""
    return load_dataset(db).checkins.filter(pl.col("goal_id") == goal_id).sort("seq")


def reason(app: App[Any], field: str) -> str:
    """The reason shown beside a field of the form on top."""
    return str(app.screen.query_one(f"#{field}-reason", Static).content)


def field_value(app: App[Any], field: str) -> str:
    return app.screen.query_one(f"#{field}", Input).value


async def type_into(pilot: Pilot[Any], field: str, text: str) -> None:
    """Focus a field, clear it with keys (End, then ctrl+u) and type `text`."""
    pilot.app.screen.query_one(f"#{field}", Input).focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the save worker, then for the messages it set off (saved, dismiss, mount)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


NUMBER = "is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)"


# Pure pieces -------------------------------------------------------------------------------


def test_parse_number_accepts_thousands_separators() -> None:
    assert parse_number("1,250") == 1250.0
    assert parse_number("1,250,000.5") == 1250000.5
    assert parse_number(" -3.5 ") == -3.5
    assert parse_number("") is None
    for bad in ("12a", "1,25", "1,2,3", "nan", "--1"):
        with pytest.raises(ValueError, match=r"not a (finite )?number"):
            parse_number(bad)


def test_format_number() -> None:
    assert format_number(1250.0) == "1,250"
    assert format_number(0.125) == "0.125"
    assert format_number(-1234567.5) == "-1,234,567.5"


def test_suggestions_match_korean_names_ids_and_fuzzy(org_db: Path) -> None:
    goals = goal_catalog(load_dataset(org_db))
    assert suggest_goals(goals, "매출")["goal_id"].to_list() == ["kpi-rev"]
    assert suggest_goals(goals, "전환율")["goal_id"].to_list() == ["kr-conv", "kpi-conv"]
    # An id prefix ranks above a match elsewhere; then the shorter id.
    assert suggest_goals(goals, "kpi-")["goal_id"].to_list() == ["kpi-rev", "kpi-conv", "kpi-hire"]
    assert suggest_goals(goals, "KPI-HIRE")["goal_id"].to_list() == ["kpi-hire"]
    # Characters in order, with anything between them.
    assert suggest_goals(goals, "khr")["goal_id"].to_list() == ["kpi-hire"]
    assert suggest_goals(goals, "채용기간")["goal_id"].to_list() == ["kpi-hire"]
    assert suggest_goals(goals, "zzz").height == 0
    assert suggest_goals(goals, "  ").height == 0
    assert suggest_goals(goals, "(").height == 0


def test_saved_message_names_goal_value_and_period(org_db: Path) -> None:
    goals = goal_catalog(load_dataset(org_db))
    rev = Checkin(goal_id="kpi-rev", date=AS_OF, value=1250000.0)
    assert saved_message(rev, goals) == "Saved: 분기 매출 1,250,000 KRW for 2026-Q4"
    hire = Checkin(goal_id="kpi-hire", date=date(2026, 10, 2), value=37.5)
    assert saved_message(hire, goals) == "Saved: 평균 채용 기간 37.5 days for 2026-10"
    active = Checkin(goal_id="kr-active", date=AS_OF, value=4200.0)
    assert saved_message(active, goals) == "Saved: 주간 활성 사용자 5천 명 4,200 for 2026-Q4"
    unknown = Checkin(goal_id="gone", date=AS_OF, value=3.0)
    assert saved_message(unknown, goals) == "Saved: gone 3 for 2026-11-16"
    conv = Checkin(goal_id="kpi-conv", date=AS_OF, value=9.0, denominator=40.0)
    assert saved_message(conv, goals) == "Saved: 가입 전환율 9 / 40 for 2026-11"


def test_saved_message_in_korean(korean: None, org_db: Path) -> None:
    goals = goal_catalog(load_dataset(org_db))
    rev = Checkin(goal_id="kpi-rev", date=AS_OF, value=1250000.0)
    assert saved_message(rev, goals) == "저장했어요: 분기 매출 1,250,000원 (2026-Q4)"
    active = Checkin(goal_id="kr-active", date=AS_OF, value=4200.0)
    assert saved_message(active, goals) == "저장했어요: 주간 활성 사용자 5천 명 4,200건 (2026-Q4)"
    assert with_unit(4200.0, "명", korean=True) == "4,200명"


def test_values_with_units() -> None:
    assert with_unit(80.0, "%", korean=True) == "80%"
    assert with_unit(80.0, "%", korean=False) == "80%"
    assert with_unit(1250.0, "KRW", korean=False) == "1,250 KRW"
    assert with_unit(12.0, "count", korean=False) == "12"
    assert with_unit(45.0, "days", korean=False) == "45 days"
    assert with_unit(3.0, "NPS", korean=True) == "3 NPS"
    assert with_unit(3.0, None, korean=True) == "3"


# Typing a check-in end to end ----------------------------------------------------------------


async def test_preselected_goal_starts_in_value_and_saves(org_db: Path) -> None:
    app = form_app(org_db, goal_id="kpi-hire")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CheckinForm)
        assert app.screen.focused is app.screen.query_one("#value", Input)
        assert field_value(app, "date") == "2026-11-16"
        assert str(app.screen.query_one("#value-hint", Static).content) == "days"
        assert str(app.screen.query_one("#date-hint", Static).content) == "period 2026-11"
        await pilot.press(*"42")
        await pilot.press("tab", "tab", "tab")  # date, confidence, note (no denominator)
        assert app.screen.focused is app.screen.query_one("#note", Input)
        await pilot.press(*"면접 지연")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CheckinForm)
        assert len(app.results) == 1
        saved = app.results[0]
        assert saved is not None and saved.id is not None
        assert (saved.goal_id, saved.value, saved.date) == ("kpi-hire", 42.0, AS_OF)
    stored = checkins_of(org_db, "kpi-hire")
    assert stored["value"].to_list() == [27.0, 42.0]
    assert stored["note"].to_list() == ["10월 마감", "면접 지연"]
    assert stored["id"].to_list()[-1] == saved.id


async def test_goal_field_finds_a_korean_name_and_tab_accepts_it(org_db: Path) -> None:
    app = form_app(org_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.focused is screen.query_one("#goal", Input)
        await pilot.press(*"매출")
        suggestions = screen.query_one("#goal-suggestions", OptionList)
        assert suggestions.display and suggestions.option_count == 1
        assert suggestions.get_option_at_index(0).id == "kpi-rev"
        assert reason(app, "goal") == "unknown goal"
        await pilot.press("tab")
        assert field_value(app, "goal") == "kpi-rev"
        assert not suggestions.display
        assert reason(app, "goal") == ""
        assert screen.focused is screen.query_one("#value", Input)
        assert "분기 매출 (KPI, quarter)" in str(screen.query_one("#goal-info", Static).content)
        assert str(screen.query_one("#value-hint", Static).content) == "KRW"
        assert str(screen.query_one("#date-hint", Static).content) == "period 2026-Q4"
        await pilot.press(*"1,250", "enter")  # Enter moves on like Tab
        assert screen.focused is screen.query_one("#date", Input)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(app.results) == 1
    assert checkins_of(org_db, "kpi-rev")["value"].to_list() == [1250.0]


async def test_arrow_keys_pick_another_suggestion(org_db: Path) -> None:
    app = form_app(org_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"kpi")
        suggestions = app.screen.query_one("#goal-suggestions", OptionList)
        assert [suggestions.get_option_at_index(i).id for i in range(3)] == [
            "kpi-rev",
            "kpi-conv",
            "kpi-hire",
        ]
        await pilot.press("down", "down", "enter")
        assert field_value(app, "goal") == "kpi-hire"
        assert app.screen.focused is app.screen.query_one("#value", Input)


async def test_key_result_measured_by_a_kpi_becomes_the_kpi(org_db: Path) -> None:
    app = form_app(org_db, goal_id="kr-conv")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reason(app, "goal") == ""  # untouched: not shouted at before typing
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert reason(app, "goal") == "measured by KPI kpi-conv: check in there"
        info = str(app.screen.query_one("#goal-info", Static).content)
        assert "measured by KPI kpi-conv" in info
        await type_into(pilot, "goal", "kr-conv")
        await pilot.press("tab")
        assert field_value(app, "goal") == "kpi-conv"
        info = str(app.screen.query_one("#goal-info", Static).content)
        assert info == "가입 전환율 (KPI, month), counts for KR kr-conv"
        assert app.screen.query_one("#denominator-row").display


# Validation as you type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("value", "12a", f"'12a' {NUMBER}"),
        (
            "value",
            "1,25",
            "'1,25' is not a number: use . for decimals (e.g. 1.25); , only separates "
            "thousands (e.g. 1,250)",
        ),
        ("date", "2026-02-30", "'2026-02-30' is not a date that exists"),
        (
            "date",
            "16.11.2026",
            "'16.11.2026' is not a date (use YYYY-MM-DD, e.g. 2026-11-16)",
        ),
        ("date", "2026-11-17", "after today (2026-11-16)"),
        ("confidence", "11", "'11' is outside 0-10"),
        ("confidence", "-1", "'-1' is outside 0-10"),
        ("confidence", "x", f"'x' {NUMBER}"),
        (
            "denominator",
            "0",
            "0, but the value is 9 (nothing can be counted out of 0)",
        ),
        (
            "denominator",
            "abc",
            "'abc' is not a number (use . for decimals, e.g. 1250.5 or 1,250.5)",
        ),
        ("goal", "kpi-nope", "unknown goal"),
    ],
)
async def test_each_validation_message_shows_and_blocks_saving(
    org_db: Path, field: str, text: str, expected: str
) -> None:
    app = form_app(org_db, goal_id="kpi-conv")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_into(pilot, "value", "9")
        await type_into(pilot, "denominator", "40")
        assert all(reason(app, f) == "" for f in ("goal", "value", "date", "denominator"))
        await type_into(pilot, field, text)
        assert field_value(app, field) == text
        assert reason(app, field) == expected
        assert app.screen.query_one(f"#{field}", Input).has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CheckinForm)
        status = str(app.screen.query_one("#checkin-status", Static).content)
        assert status == "Not saved: fix the fields marked"
        assert app.screen.focused is app.screen.query_one(f"#{field}", Input)
    assert checkins_of(org_db, "kpi-conv").height == 0


async def test_empty_value_is_required_only_once_saving(org_db: Path) -> None:
    app = form_app(org_db, goal_id="kpi-rev")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reason(app, "value") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert reason(app, "value") == "a value is required"
        assert isinstance(app.screen, CheckinForm)


async def test_ratio_goal_shows_denominator_and_saves_it(org_db: Path) -> None:
    app = form_app(org_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        row = app.screen.query_one("#denominator-row")
        await pilot.press(*"kpi-rev", "tab")
        assert not row.display
        await type_into(pilot, "goal", "가입")
        await pilot.press("tab")
        assert field_value(app, "goal") == "kpi-conv"
        assert row.display
        assert str(app.screen.query_one("#value-hint", Static).content) == "numerator, %"
        await pilot.press(*"9", "tab", "tab")
        assert app.screen.focused is app.screen.query_one("#denominator", Input)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert reason(app, "denominator") == "required for a ratio goal"
        await pilot.press(*"40", "ctrl+s")
        await settle(pilot)
        assert len(app.results) == 1
    stored = checkins_of(org_db, "kpi-conv")
    assert stored.select("value", "denominator").rows() == [(9.0, 40.0)]


# Cancelling ----------------------------------------------------------------------------------


async def test_escape_on_an_untouched_form_closes_at_once(org_db: Path) -> None:
    app = form_app(org_db, goal_id="kpi-rev")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert not isinstance(app.screen, (CheckinForm, ConfirmScreen))


async def test_escape_after_typing_asks_first(org_db: Path) -> None:
    app = form_app(org_db, goal_id="kpi-rev")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"500")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Discard what you typed?"
        await pilot.press("escape")  # no: back to the form, nothing lost
        await pilot.pause()
        assert isinstance(app.screen, CheckinForm)
        assert field_value(app, "value") == "500"
        assert app.results == []
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [None]
    assert checkins_of(org_db, "kpi-rev").height == 0


@pytest.mark.parametrize(("keys", "answer"), [("y", True), ("n", False), ("enter", False)])
async def test_confirm_screen_answers(keys: str, answer: bool) -> None:
    app = ScreenApp(lambda: ConfirmScreen("Retract this check-in?"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press(keys)  # Enter presses the focused button, which is "No"
        await pilot.pause()
        assert app.results == [answer]


# Saving fails: the form stays open with everything typed -------------------------------------

_HOLD_LOCK = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.readline()
con.close()
"""


@contextmanager
def lock_held(db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding `db` open read-write until a line is written to its stdin."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()


async def test_locked_database_keeps_the_form_open_then_saves(
    org_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOALTUI_LOCK_TIMEOUT", "0.2")
    app = form_app(org_db, goal_id="kpi-hire")
    with lock_held(org_db) as lock_holder:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press(*"38")
            await type_into(pilot, "note", "잠긴 파일")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, CheckinForm)
            assert app.results == []
            status = str(app.screen.query_one("#checkin-status", Static).content)
            assert status.startswith("Not saved: ")
            assert "in use by another program" in status
            assert (field_value(app, "value"), field_value(app, "note")) == ("38", "잠긴 파일")
            # The other program finishes; the same keys now save what was typed.
            assert lock_holder.stdin is not None
            lock_holder.stdin.write("\n")
            lock_holder.stdin.flush()
            lock_holder.wait(timeout=10)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert len(app.results) == 1
    assert checkins_of(org_db, "kpi-hire")["value"].to_list() == [27.0, 38.0]


async def test_unwritable_location_keeps_the_form_open(org_db: Path, tmp_path: Path) -> None:
    dataset = load_dataset(org_db)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")

    def make() -> CheckinForm:
        return CheckinForm(
            goals=goal_catalog(dataset),
            dataset=dataset,
            as_of=AS_OF,
            today=AS_OF,
            goal_id="kpi-rev",
        )

    app = ScreenApp(make, blocker / "goals.duckdb")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"1,250", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CheckinForm)
        status = str(app.screen.query_one("#checkin-status", Static).content)
        assert status.startswith("Not saved: ") and "not-a-folder" in status
        assert field_value(app, "value") == "1,250"
        assert not app.screen.query_one(CheckinEditor).is_saving


# Corrections ---------------------------------------------------------------------------------


async def test_correction_is_prefilled_and_appends_a_superseding_entry(org_db: Path) -> None:
    original = checkins_of(org_db, "kpi-hire").row(0, named=True)
    corrects = Checkin(
        goal_id="kpi-hire",
        date=original["date"],
        value=original["value"],
        note=original["note"],
        id=original["id"],
    )
    app = form_app(org_db, goal_id="kpi-hire", corrects=corrects)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#checkin-dialog").border_title == (
            "Correct the check-in of 2026-10-31"
        )
        assert field_value(app, "value") == "27"
        assert field_value(app, "date") == "2026-10-31"
        assert field_value(app, "note") == "10월 마감"
        assert screen.query_one("#goal", Input).disabled
        assert screen.focused is screen.query_one("#value", Input)
        await pilot.press(*"29", "ctrl+s")
        await settle(pilot)
        assert len(app.results) == 1
    stored = checkins_of(org_db, "kpi-hire")
    assert stored.height == 2
    latest = stored.row(1, named=True)
    assert (latest["value"], latest["supersedes"], latest["date"]) == (
        29.0,
        "c-hire-oct",
        date(2026, 10, 31),
    )


async def test_correcting_an_entry_corrected_elsewhere_is_refused(org_db: Path) -> None:
    original = checkins_of(org_db, "kpi-hire").row(0, named=True)
    elsewhere = correct_checkin(
        org_db,
        original["id"],
        Checkin(goal_id="kpi-hire", date=original["date"], value=28.0),
        today=AS_OF,
    )
    corrects = Checkin(
        goal_id="kpi-hire", date=original["date"], value=original["value"], id=original["id"]
    )
    app = form_app(org_db, goal_id="kpi-hire", corrects=corrects)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        expected = f"check-in 'c-hire-oct' was already corrected by '{elsewhere.id}'"
        status = app.screen.query_one("#checkin-status", Static)
        assert str(status.content) == expected
        assert status.has_class("-error")
        await pilot.press(*"29", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CheckinForm)
        assert str(status.content) == expected
    assert checkins_of(org_db, "kpi-hire")["value"].to_list() == [27.0, 28.0]


# Snapshots -----------------------------------------------------------------------------------

SnapCompare = Callable[..., bool]


def test_snapshot_form_with_suggestions(snap_compare: SnapCompare, org_db: Path) -> None:
    app = form_app(org_db)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.press(*"전환")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_form_with_reasons(snap_compare: SnapCompare, org_db: Path) -> None:
    app = form_app(org_db, goal_id="kpi-conv", previous="previous: 7 / 38 on 2026-10-31")

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await pilot.press(*"1,2x")
        await type_into(pilot, "date", "2026-11-31")
        await type_into(pilot, "denominator", "0")
        await type_into(pilot, "confidence", "8")
        await type_into(pilot, "note", "신규 캠페인 효과")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
