"""A small yes/no question over the current screen ("Discard what you typed?", "Retract this
check-in?"). Dismisses with True for yes and False for no."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from goaltui.i18n import N_, _
from goaltui.textsafe import safe_plain


class ConfirmScreen(ModalScreen[bool]):
    """Ask one question; `y` or the yes button answers True, `n`, Escape or the no button False.

    The no button has the focus, so a reflexive Enter or a second Escape never destroys anything.
    """

    CSS_PATH = "confirm.tcss"

    AUTO_FOCUS = "#confirm-no"
    # Set on each screen: an App's AUTO_FOCUS would otherwise leak into this modal.

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes", tooltip=N_("Answer yes")),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no", tooltip=N_("Answer no")),
        Binding("left,right", "app.focus_next", N_("Switch button"), show=False),
    ]

    def __init__(
        self,
        question: str,
        *,
        yes: str | None = None,
        no: str | None = None,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self.question = question
        """The question as shown, plain text (never parsed as markup)."""
        self._yes = _("Yes") if yes is None else yes
        self._no = _("No") if no is None else no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            question = safe_plain(self.question, multiline=True)
            yield Static(question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self._yes} (y)", id="confirm-yes", variant="warning")
                yield Button(f"{self._no} (n)", id="confirm-no", variant="default")

    def action_answer(self, answer: bool) -> None:
        """Close with `answer`."""
        self.dismiss(answer)

    @on(Button.Pressed, "#confirm-yes")
    def _yes_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no_pressed(self) -> None:
        self.dismiss(False)


def dismiss_asking(form: Screen[Any], *, typed: bool) -> None:
    """Close `form` without a result; when something was `typed`, ask first whether to drop it."""
    if not typed:
        form.dismiss(None)
        return

    def answered(discard: bool | None) -> None:
        if discard:
            form.dismiss(None)

    form.app.push_screen(
        ConfirmScreen(_("Discard what you typed?"), yes=_("Discard"), no=_("Keep editing")),
        answered,
    )
