"""Help built from the live bindings of the focused pane: nothing kept by hand that can drift."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from goaltui.i18n import N_, _, translated
from goaltui.textsafe import safe_text
from goaltui.ui.keys import KeyNames, key_label

TEXTUAL_WORDS = (
    N_("Cursor up"),
    N_("Cursor down"),
    N_("Cursor left"),
    N_("Cursor right"),
    N_("Home"),
    N_("End"),
    N_("Page up"),
    N_("Page down"),
    N_("Page Left"),
    N_("Page Right"),
    N_("Select"),
    N_("Top"),
    N_("Bottom"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Toggle node"),
    N_("Expand or collapse all"),
    N_("Scroll Up"),
    N_("Scroll Down"),
    N_("Scroll Left"),
    N_("Scroll Right"),
    N_("Scroll Home"),
    N_("Scroll End"),
    N_("palette"),
    N_("Cursor Up"),
    N_("Cursor Down"),
    N_("Page Up"),
    N_("Page Down"),
    N_("Cursor to parent"),
    N_("Toggle"),
    N_("First"),
    N_("Last"),
    N_("Up"),
    N_("Down"),
    N_("Submit"),
)
"""The descriptions of Textual's own keys (tables, trees, the palette), so that help and the
footer show them in the person's language too."""

PLATFORM_PREFIXES = ("super+",)
"""Keys that repeat another binding for another platform (super+c is ctrl+c on a Mac)."""


def help_rows(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(keys, what they do, tooltip) for every key active on `screen` with its focused widget:
    the focused widget's first, then the screen's and the app's. Keys that do the same thing
    share a row (`q, ^q`); platform duplicates are left out."""
    rows: dict[tuple[str, str], tuple[list[str], str]] = {}
    for key, active in screen.active_bindings.items():
        if key.startswith(PLATFORM_PREFIXES):
            continue
        binding = active.binding
        does = translated(binding.description) if binding.description else binding.action
        keys, tooltip = rows.setdefault((does, binding.action), ([], translated(binding.tooltip)))
        keys.append(key_label(screen.app, key))
        if not tooltip and binding.tooltip:
            rows[(does, binding.action)] = (keys, translated(binding.tooltip))
    return [(", ".join(keys), does, tip) for (does, _action), (keys, tip) in rows.items()]


def help_intro(screen: Screen[Any]) -> Text:
    """The help texts of the focused widget and of `screen`, with every key they name taken
    from the bindings as they are now (remapped keys included)."""
    focused = screen.focused
    # The focused widget's and the screen's keys first, then those of every widget shown.
    owners = [type(node) for node in (focused, screen) if node is not None]
    owners += list(dict.fromkeys(type(node) for node in screen.query("*")))
    names = KeyNames(screen.app, *owners)
    intro = Text()
    for node in (focused, screen):
        text = getattr(node, "HELP", None) if node is not None else None
        if isinstance(text, str) and text:
            intro.append(translated(text).format_map(names) + "\n\n")
    return intro


def help_table(rows: list[tuple[str, str, str]]) -> Table:
    """The rows of help_rows as a table."""
    table = Table(show_header=True, box=None, padding=(0, 2, 0, 0), expand=True)
    table.add_column(_("Key"), style="bold", no_wrap=True)
    table.add_column(_("Does"))
    table.add_column("", style="dim")
    for row in rows:
        # Key names like `[` and remapped keys are text, never Rich markup.
        table.add_row(*(safe_text(cell) for cell in row))
    return table


class HelpScreen(ModalScreen[None]):
    """The keys of the pane that was focused when help was asked for, and what it is for."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 100;
        height: 80%;
        border: round $primary;
        background: $surface;
        padding: 1 2;
    }
    """
    AUTO_FOCUS = "VerticalScroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark,f1",
            "dismiss",
            N_("Close"),
            id="help-close",
            tooltip=N_("Close help"),
        ),
    ]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self._below = below
        self.rows = help_rows(below)
        """The keys shown: (key, what it does, tooltip)."""

    def compose(self) -> ComposeResult:
        intro = help_intro(self._below)
        with VerticalScroll():
            yield Static(Text(_("goaltui help"), style="bold"))
            yield Static(intro)
            yield Static(help_table(self.rows))
            yield Static(Text("\n" + _("Escape closes this help."), style="dim"))
