"""Authoring in the dashboard, by keys: `n` adds where the cursor is, `E` edits, `A` archives;
the forms check as they are typed with the import's rules, save with ctrl+s and cancel with
Escape. Every save is a real write to a small database, read back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from goaltui.report import load_report, render_report
from goaltui.store.authoring import definition_changes
from goaltui.store.cycle import read_cycle_table
from goaltui.store.dataset import load_dataset
from goaltui.store.db import read_session
from goaltui.store.exporter import export_db
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.confirm import ConfirmScreen
from goaltui.ui.screens.dashboard import DashboardScreen
from goaltui.ui.screens.definition_form import DefinitionForm, propose_id
from goaltui.ui.screens.goal_detail import GoalDetailScreen
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.okr_tree import OkrTree
from goaltui.ui.widgets.org_tree import OrgTree
from tests.test_ui_checkin_form import make_org_db
from tests.ui_helpers import copy_db, record_notifications, settle

AS_OF = date(2026, 11, 16)
SIZE = (120, 40)


@pytest.fixture(scope="session")
def org_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small organisation, imported once per test session."""
    return make_org_db(tmp_path_factory.mktemp("authoring-org"))


@pytest.fixture
def db(org_template: Path, tmp_path: Path) -> Path:
    """A private copy of the small organisation's database for one test."""
    return copy_db(org_template, tmp_path)


@pytest.fixture(autouse=True)
def check_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The form waits for a pause in the typing before it asks for a check; a test types at
    # machine speed and waits for the workers instead.
    monkeypatch.setattr(DefinitionForm, "CHECK_DELAY", 0.0)


@asynccontextmanager
async def dashboard_on(db: Path, unit: str) -> AsyncIterator[tuple[GoalApp, Pilot[None]]]:
    app = GoalApp(db=db, as_of=AS_OF, today=AS_OF, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.unit_id = unit
        await settle(pilot)
        yield app, pilot


def form_of(app: GoalApp) -> DefinitionForm:
    screen = app.screen
    assert isinstance(screen, DefinitionForm), type(screen).__name__
    return screen


async def type_into(pilot: Pilot[None], form: DefinitionForm, field: str, text: str) -> None:
    """Replace the text of one field by keys."""
    form.query_one(f"#{field}", Input).focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)
    await settle(pilot)


def shown_goals(table: KpiTable) -> list[str | None]:
    return [key.value for key in table.rows]


def reason(form: DefinitionForm, field: str) -> str:
    return str(form.query_one(f"#{field}-reason", Static).content)


def history_of(db: Path, row_id: str) -> pl.DataFrame:
    with read_session(db) as con:
        return read_cycle_table(con, "history").filter(pl.col("row_id") == row_id)


def test_an_id_is_proposed_from_the_name() -> None:
    assert propose_id("Weekly active users", "kpis", set()) == "weekly-active-users"
    assert propose_id("주간 활성 사용자", "kpis", {"kpi-1"}) == "kpi-2"
    assert propose_id("Churn", "kpis", {"churn", "churn-2"}) == "churn-3"


async def test_n_in_the_kpi_pane_adds_a_kpi_of_the_current_unit(db: Path) -> None:
    async with dashboard_on(db, "hr") as (app, pilot):
        app.dashboard.query_one(KpiTable).focus()
        await pilot.press("n")
        form = form_of(app)
        assert form.texts["unit_id"] == "hr"
        await pilot.press(*"Offers")
        await type_into(pilot, form, "unit", "%")
        await type_into(pilot, form, "target", "85")
        # A choice by keys: aggregation sum -> mean.
        form.query_one("#aggregation", Select).focus()
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert form.texts["aggregation"] == "mean"
        assert form.texts["id"] == "offers"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "offers" in shown_goals(app.dashboard.query_one(KpiTable))
    kpi = load_dataset(db).kpis.filter(pl.col("id") == "offers").row(0, named=True)
    assert (kpi["unit_id"], kpi["unit"], kpi["aggregation"], kpi["target"]) == (
        "hr",
        "%",
        "mean",
        85.0,
    )
    entry = history_of(db, "offers").row(0, named=True)
    assert entry["before"] is None and json.loads(entry["after"])["name"] == "Offers"


async def test_n_in_the_okr_pane_adds_an_objective_then_a_key_result(db: Path) -> None:
    async with dashboard_on(db, "sales") as (app, pilot):
        await pilot.press("2")  # no objective here: n adds one
        await pilot.press("n")
        form = form_of(app)
        assert (form.texts["unit_id"], form.texts["period"]) == ("sales", "2026-Q4")
        await pilot.press(*"North")
        await type_into(pilot, form, "parent_id", "obj-act")
        await pilot.press("ctrl+s")
        await settle(pilot)
        tree = app.dashboard.query_one(OkrTree)
        assert tree.cursor_node is not None and tree.cursor_node.data == (
            "objective",
            "north",
        )
        tree.focus()
        await pilot.press("n")  # an objective highlighted: n adds a key result to it
        form = form_of(app)
        assert form.texts["objective_id"] == "north"
        await pilot.press(*"Ten")
        await type_into(pilot, form, "target", "10")
        await type_into(pilot, form, "unit", "count")
        for choice in ("direction", "aggregation"):  # at_least, sum: the first of each
            form.query_one(f"#{choice}", Select).focus()
            await pilot.press("enter", "down", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen), form.problems
    data = load_dataset(db)
    assert data.objectives.filter(pl.col("id") == "north")["parent_id"].to_list() == ["obj-act"]
    kr = data.key_results.filter(pl.col("id") == "ten").row(0, named=True)
    assert (kr["objective_id"], kr["target"], kr["weight"]) == ("north", 10.0, 1.0)


async def test_e_on_a_unit_edits_it_and_the_history_keeps_the_old_name(db: Path) -> None:
    async with dashboard_on(db, "hr") as (app, pilot):
        app.dashboard.query_one(OrgTree).focus()
        await pilot.press("E")
        form = form_of(app)
        assert form.query_one("#id", Input).disabled
        assert form.texts["name"] == "인사팀"
        await type_into(pilot, form, "name", "People")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert load_dataset(db).units.filter(pl.col("id") == "hr")["name"].to_list() == ["People"]
    changes = definition_changes(db, "units", "hr")
    assert changes[0].fields == (("name", "인사팀", "People"),)


async def test_every_edit_through_the_form_keeps_the_old_values(db: Path) -> None:
    async with dashboard_on(db, "sales") as (app, pilot):
        app.dashboard.query_one(KpiTable).focus()
        for target in ("1100000000", "1200000000"):
            await app.edit_definition("kpi", "kpi-rev")
            form = form_of(app)
            await type_into(pilot, form, "target", target)
            await pilot.press("ctrl+s")
            await settle(pilot)
    targets = [
        (json.loads(b)["target"] if b else None, json.loads(a)["target"])
        for b, a in history_of(db, "kpi-rev").select("before", "after").iter_rows()
    ]
    # The import's own entry, then each edit, each `before` the previous `after`.
    assert targets == [(None, 1e9), (1e9, 1.1e9), (1.1e9, 1.2e9)]


async def test_a_target_for_one_period_from_the_kpi_form(db: Path) -> None:
    async with dashboard_on(db, "hr") as (app, pilot):
        app.dashboard.query_one(KpiTable).focus()
        await pilot.press("E")
        assert form_of(app).texts["id"] == "kpi-hire"
        await pilot.press("ctrl+o")
        await settle(pilot)
        override = form_of(app)
        assert override.table == "targets"
        assert (override.texts["goal_id"], override.texts["period"]) == ("kpi-hire", "2026-11")
        await type_into(pilot, override, "target", "40")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_of(app).table == "kpis"  # back on the KPI's form, which has no changes
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert load_dataset(db).targets.rows() == [("kpi-hire", "2026-11", 40.0)]


async def test_a_refusal_stands_beside_its_field_as_it_is_typed(db: Path) -> None:
    async with dashboard_on(db, "hr") as (app, pilot):
        app.dashboard.query_one(KpiTable).focus()
        await pilot.press("n")
        form = form_of(app)
        await pilot.press(*"Hire")
        await type_into(pilot, form, "unit", "days")
        await type_into(pilot, form, "target", "1,25")
        expected = (
            "'1,25' is not a number: use . for decimals (e.g. 1.25); , only separates "
            "thousands (e.g. 1,250)"
        )
        assert reason(form, "target") == expected
        await type_into(pilot, form, "parent_id", "ghost")
        assert reason(form, "parent_id") == "no KPI has the id 'ghost'"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused: the form stays, the reasons beside their fields
        assert reason(form, "target") == expected
        assert form.query_one("#target", Input).has_class("-refused")
        await type_into(pilot, form, "target", "30")
        await type_into(pilot, form, "parent_id", "")
        assert reason(form, "target") == "" and form.problems == {}
    assert load_dataset(db).kpis.filter(pl.col("id") == "hire").is_empty()


async def test_escape_asks_before_it_drops_what_was_typed(db: Path) -> None:
    async with dashboard_on(db, "hr") as (app, pilot):
        app.dashboard.query_one(KpiTable).focus()
        await pilot.press("n")
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("n")
        form = form_of(app)
        await pilot.press(*"Draft")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await settle(pilot)
        assert form_of(app) is form and form.texts["name"] == "Draft"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
    assert load_dataset(db).kpis.filter(pl.col("id") == "draft").is_empty()


async def test_a_key_result_moves_to_another_objective(db: Path) -> None:
    async with dashboard_on(db, "hb") as (app, pilot):
        await app.add_definition("objective", unit_id="hb", period="2026-Q4")
        await pilot.press(*"Two")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.edit_definition("kr", "kr-active")
        form = form_of(app)
        await type_into(pilot, form, "objective_id", "two")
        await pilot.press("ctrl+s")
        await settle(pilot)
    data = load_dataset(db)
    assert data.key_results.filter(pl.col("id") == "kr-active")["objective_id"].to_list() == ["two"]


async def test_archiving_a_goal_hides_it_and_keeps_it(db: Path, tmp_path: Path) -> None:
    async with dashboard_on(db, "sales") as (app, pilot):
        table = app.dashboard.query_one(KpiTable)
        table.focus()
        said = record_notifications(app)
        # kr-conv is measured by kpi-conv: archiving the KPI is refused, nothing changes.
        table.move_cursor(row=table.get_row_index("kpi-conv"))
        await pilot.press("A", "y")
        await settle(pilot)
        assert any("kr-conv" in message and "archive it first" in message for message in said)
        assert "kpi-conv" in shown_goals(table)
        table.move_cursor(row=table.get_row_index("kpi-rev"))
        archived = table.goal_id
        assert archived == "kpi-rev"
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert archived not in shown_goals(table)
        assert archived in [goal_id for _, goal_id, _ in app.archived_goals()]
        # Unarchive from E: clear the Archived field.
        assert archived is not None
        await app.edit_definition("kpi", archived)
        form = form_of(app)
        assert form.texts["archived"] == AS_OF.isoformat()
        await type_into(pilot, form, "archived", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert archived in shown_goals(table)
        table.focus()
        table.move_cursor(row=table.get_row_index(archived))
        await pilot.press("A", "y")
        await settle(pilot)
    data = load_dataset(db)
    assert data.kpis.filter(pl.col("id") == archived)["archived"].to_list() == [AS_OF]
    export_db(db, tmp_path / "out")
    assert f"\n{archived}," in (tmp_path / "out" / "kpis.csv").read_text(encoding="utf-8")
    current = render_report(
        load_report(db, AS_OF, history=False), AS_OF, unit=None, history=False, fmt="csv"
    )
    everything = render_report(
        load_report(db, AS_OF, history=True), AS_OF, unit=None, history=True, fmt="csv"
    )
    assert f",{archived}," not in current and f",{archived}," in everything
    archived_entries = [
        json.loads(a)["archived"] for a in history_of(db, str(archived))["after"].to_list()
    ]
    assert archived_entries[-3:] == [AS_OF.isoformat(), None, AS_OF.isoformat()]


async def test_the_goal_detail_shows_the_history_of_its_definition(db: Path) -> None:
    async with dashboard_on(db, "hr") as (app, pilot):
        await app.edit_definition("kpi", "kpi-hire")
        await type_into(pilot, form_of(app), "target", "40")
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.dashboard.open_goal("kpi-hire")
        await settle(pilot)
        assert isinstance(app.screen, GoalDetailScreen)
        shown = str(app.screen.query_one("#definition-history", Static).content)
        lines = shown.splitlines()
        assert "target: 45 -> 40" in lines[1]
        assert lines.index("  target: 45 -> 40") < max(
            i for i, line in enumerate(lines) if "name: (empty) -> 평균 채용 기간" in line
        )
