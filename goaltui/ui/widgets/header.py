"""The top line: organisation, breadcrumb of the current unit, period and as-of date."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from goaltui.i18n import _
from goaltui.model.enums import PeriodUnit
from goaltui.model.period import Period
from goaltui.textsafe import safe_plain


class DashboardHeader(Static):
    """Organisation > Team > Person, the current month and quarter, and the as-of date."""

    DEFAULT_CSS = """
    DashboardHeader {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    breadcrumb: reactive[tuple[str, ...]] = reactive(())
    """Unit names from the organisation down to the current unit."""
    as_of: reactive[date | None] = reactive(None)
    """The date everything is computed for."""
    demo: reactive[bool] = reactive(False)
    """Whether this is the demo organisation's own database."""
    activity: reactive[str | None] = reactive(None)
    """What a long load is doing now (already translated), shown after the as-of date."""

    def render(self) -> Text:
        # The as-of date comes first so a long breadcrumb can never push it off screen. Spaces
        # between words are unstyled pieces of their own: a styled piece that begins with a
        # space loses it in SVG renderings (the screenshots read "goaltuias of").
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("goaltui", style="bold")
        if self.demo:
            text.append(" ")
            text.append(_("demo"), style="italic")
        if self.as_of is not None:
            month = Period.containing(PeriodUnit.MONTH, self.as_of)
            quarter = Period.containing(PeriodUnit.QUARTER, self.as_of)
            text.append("  ")
            text.append(_("as of {date}").format(date=self.as_of.isoformat()), style="bold")
            text.append(" ")
            text.append(f"({month.label}, {quarter.label})", style="dim")
        if self.activity:
            text.append("  ")
            text.append(safe_plain(self.activity), style="italic")
        if self.breadcrumb:
            text.append("  ")
        for index, name in enumerate(self.breadcrumb):
            if index:
                text.append(" ")
                text.append(">", style="dim")
                text.append(" ")
            text.append(safe_plain(name), style="bold" if index == len(self.breadcrumb) - 1 else "")
        return text
