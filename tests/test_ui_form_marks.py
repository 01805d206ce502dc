"""The check-in form's marks of a field it refuses stay on when the cursor moves on (the Input
widget's own validation must not wipe them)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from goaltui.ui.screens.checkin import CheckinForm
from tests.ui_helpers import SIZE, demo_app, settle


async def test_a_refused_value_stays_marked_after_tab(demo_db: Path) -> None:
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.open_checkin("hb-revenue")
        await pilot.press(*"12x")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckinForm)
        value = form.query_one("#value", Input)
        assert value.has_class("-invalid")
        await pilot.press("tab")
        await pilot.pause()
        assert form.focused is not value
        assert value.has_class("-invalid"), "the mark went with the cursor"
        await pilot.press("shift+tab", "backspace")
        await pilot.pause()
        assert not value.has_class("-invalid")
