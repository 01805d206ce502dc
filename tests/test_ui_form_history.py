"""The definition form shows the history of the row it edits: an objective's or a unit's own
changes have no goal detail, so `E` is where a person reads them."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from goaltui.ui.widgets.okr_tree import OkrTree
from tests.test_ui_authoring import dashboard_on, form_of, type_into
from tests.test_ui_checkin_form import make_org_db
from tests.ui_helpers import settle


async def test_e_on_an_objective_shows_its_own_history(tmp_path: Path) -> None:
    db = make_org_db(tmp_path)
    async with dashboard_on(db, "hb") as (app, pilot):
        await pilot.press("2")
        tree = app.dashboard.query_one(OkrTree)
        tree.focus()
        await settle(pilot)
        assert tree.cursor_node is not None and tree.cursor_node.data == ("objective", "obj-act")
        await pilot.press("E")
        await settle(pilot)
        form = form_of(app)
        shown = str(form.query_one("#definition-history", Static).content)
        assert "title: (empty) -> 신규 사용자 활성화" in shown  # the import made it
        await type_into(pilot, form, "title", "Activate [b]new[/b] users")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        history = form_of(app).query_one("#definition-history", Static)
        shown = str(history.content)  # Text, not markup: the brackets stay as typed
        assert shown.index("Activate") < shown.index("(empty) -> 신규")  # newest first
        assert "title: 신규 사용자 활성화 -> Activate [b]new[/b] users" in shown


async def test_a_new_definition_has_no_history_section(tmp_path: Path) -> None:
    db = make_org_db(tmp_path)
    async with dashboard_on(db, "hb") as (app, pilot):
        await pilot.press("2", "n")
        await settle(pilot)
        assert not form_of(app).query("#definition-history")
