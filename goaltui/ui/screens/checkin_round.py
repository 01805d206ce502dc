"""The check-in round: one form after another for the goals that have no check-in in their
current period. Tab on an empty value skips a goal; Escape ends the round with a summary of what
was saved. Dismisses with the check-ins saved (each already on disk)."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import ClassVar

import polars as pl
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from goaltui.i18n import N_, _, ngettext
from goaltui.model import Checkin
from goaltui.store.dataset import Dataset
from goaltui.textsafe import safe_plain
from goaltui.ui.screens.checkin import CheckinEditor, describe_checkin, saved_message
from goaltui.ui.screens.confirm import ConfirmScreen
from goaltui.ui.widgets.footer import GoalFooter


class CheckinRound(ModalScreen[list[Checkin]]):
    """Walk `goal_ids` one form at a time ("3 of 12"), each with its previous value shown."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["checkin.tcss", "checkin_round.tcss"]
    AUTO_FOCUS = ""
    # Each editor focuses its value field itself; an App's AUTO_FOCUS must not leak in here.

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "end_round",
            N_("End round"),
            id="checkin_round.end",
            tooltip=N_("End the round and show what was saved"),
        ),
        Binding(
            "escape",
            "close",
            N_("Close"),
            id="checkin_round.close",
            tooltip=N_("Close the summary and go back"),
        ),
    ]

    def __init__(
        self,
        *,
        dataset: Dataset,
        goals: pl.DataFrame,
        as_of: date,
        today: date,
        goal_ids: list[str],
        previous: dict[str, str],
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self._dataset = dataset
        self._goals = goals
        self._as_of = as_of
        self._today = today
        self.goal_ids = list(goal_ids)
        """The goals of the round, in order."""
        self._previous = previous
        self.position = 0
        """Index in `goal_ids` of the goal on screen (len(goal_ids) once the round is over)."""
        self.saved: list[Checkin] = []
        """Check-ins saved in this round, in order (each committed to disk)."""
        self.skipped: list[str] = []
        """Goals skipped with Tab."""
        self.finished = False
        """Whether the summary is on screen."""

    def compose(self) -> ComposeResult:
        with Vertical(id="round-dialog") as dialog:
            dialog.border_title = _("Check-in round")
            yield Static("", id="round-progress", markup=False)
            yield Vertical(id="round-body")
        yield GoalFooter()

    async def on_mount(self) -> None:
        await self._show_goal()

    @property
    def editor(self) -> CheckinEditor | None:
        """The form of the goal on screen; None once the round is over."""
        editors = self.query(CheckinEditor)
        return editors.first() if editors else None

    async def _show_goal(self) -> None:
        body = self.query_one("#round-body", Vertical)
        await body.remove_children()
        if self.position >= len(self.goal_ids):
            await self._show_summary()
            return
        goal_id = self.goal_ids[self.position]
        self.query_one("#round-progress", Static).update(
            _("{position} of {total}").format(position=self.position + 1, total=len(self.goal_ids))
        )
        await body.mount(
            CheckinEditor(
                goals=self._goals,
                dataset=self._dataset,
                as_of=self._as_of,
                today=self._today,
                goal_id=goal_id,
                previous=self._previous.get(goal_id) or _("no previous check-in"),
                skippable=True,
            )
        )

    def summary(self) -> str:
        """What the round did, as shown at its end."""
        lines = []
        if self.saved:
            count = len(self.saved)
            lines.append(
                ngettext("Saved {count} check-in:", "Saved {count} check-ins:", count).format(
                    count=count
                )
            )
            lines += [f"  {describe_checkin(c, self._goals)}" for c in self.saved]
        else:
            lines.append(_("Nothing was saved."))
        if self.skipped:
            lines.append(
                _("Skipped {count}: {goals}").format(
                    count=len(self.skipped), goals=", ".join(self.skipped)
                )
            )
        left = len(self.goal_ids) - self.position
        if left > 0:
            lines.append(_("Not reached: {count}").format(count=left))
        if not self.goal_ids:
            lines.append(_("Every goal here has a check-in for its current period."))
        return "\n".join(lines)

    async def _show_summary(self) -> None:
        self.finished = True
        self.refresh_bindings()
        body = self.query_one("#round-body", Vertical)
        await body.remove_children()
        total = len(self.goal_ids)
        done = _("Round finished") if self.position >= total else _("Round ended")
        self.query_one("#round-progress", Static).update(
            _("{outcome}: {position} of {total}").format(
                outcome=done, position=self.position, total=total
            )
        )
        close = Button(_("Close"), id="round-close", variant="primary")
        summary = safe_plain(self.summary(), multiline=True)
        await body.mount(Static(summary, id="round-summary", markup=False), close)
        close.focus()

    async def _advance(self) -> None:
        self.position += 1
        await self._show_goal()

    @on(CheckinEditor.Saved)
    async def _saved(self, event: CheckinEditor.Saved) -> None:
        self.saved.append(event.checkin)
        self.notify(safe_plain(saved_message(event.checkin, self._goals)), markup=False)
        await self._advance()

    @on(CheckinEditor.Skipped)
    async def _skipped(self, event: CheckinEditor.Skipped) -> None:
        self.skipped.append(event.goal_id)
        await self._advance()

    @on(Button.Pressed, "#round-close")
    def _close(self) -> None:
        self.action_close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape ends the round while it runs, and closes its summary afterwards.
        if action == "end_round":
            return not self.finished
        if action == "close":
            return self.finished
        return True

    def action_close(self) -> None:
        """Close the summary: dismiss with the check-ins saved."""
        self.dismiss(list(self.saved))

    async def action_end_round(self) -> None:
        """End the round with a summary, asking first if a value was typed."""
        editor = self.editor
        if editor is not None and editor.is_saving:
            editor.show_status(_("Saving... the round ends when it is on disk"))
            return
        if editor is not None and editor.is_dirty:
            self.app.push_screen(
                ConfirmScreen(
                    _("Discard what you typed for {goal} and end the round?").format(
                        goal=editor.goal_id
                    ),
                    yes=_("End round"),
                    no=_("Keep editing"),
                ),
                self._end_answered,
            )
            return
        await self._show_summary()

    async def _end_answered(self, end: bool | None) -> None:
        if end:
            await self._show_summary()
