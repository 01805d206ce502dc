"""The footer of every goaltui screen: Textual's, with each key's words in the person's language.

Binding descriptions and tooltips are written at import time (marked with `N_`), before the
language is chosen; they are translated here, where they are shown.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

from goaltui.i18n import translated


class GoalFooter(Footer):
    """Textual's footer, its key descriptions and tooltips translated."""

    def compose(self) -> ComposeResult:
        # Each key is a widget with a `description` (the footer's key class is not public API).
        for widget in super().compose():
            description = getattr(widget, "description", None)
            if isinstance(description, str) and description:
                widget.description = translated(description)  # type: ignore[attr-defined]
            if isinstance(widget.tooltip, str) and widget.tooltip:
                widget.tooltip = translated(widget.tooltip)
            yield widget
