"""Rich text for goal figures: status words in their colour, bars, sparklines, score bands.

Colours come from the app's theme variables (`status-on-track`, ...), never from hex codes, so
every built-in theme and light mode read well. Bars are coloured spaces: block characters are
East-Asian ambiguous width and shift Korean columns in some terminals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import App
from textual.color import Color, ColorParseError
from textual.dom import DOMNode
from textual.widgets import Static

from goaltui.model.enums import STATUS_TABLE, STATUS_WORDS
from goaltui.textsafe import safe_plain

STATUS_VARIABLES: dict[str, str] = {s.id: s.variable for s in STATUS_TABLE}
BAND_VARIABLES: dict[str, str] = {
    "green": "status-on-track",
    "yellow": "status-at-risk",
    "red": "status-off-track",
}

SPARK_CHARS = "▁▂▃▄▅▆▇█"


def theme_variable_defaults(colors: Mapping[str, str]) -> dict[str, str]:
    """The app's status colours derived from a theme's generated colour system."""
    return {
        "status-met": colors["success"],
        "status-on-track": colors["success"],
        "status-at-risk": colors["warning"],
        "status-off-track": colors["error"],
        "status-missed": colors["error"],
        "status-no-data": colors.get("foreground-muted", colors["foreground"]),
    }


_palettes: dict[str, dict[str, str]] = {}


def palette(app: App[object]) -> dict[str, str]:
    """The app's theme variables as colours Rich understands (ANSI themes name colours like
    `ansi_yellow`, which Rich styles do not parse), cached per theme."""
    cached = _palettes.get(app.theme)
    if cached is None:
        cached = {}
        for name, value in app.theme_variables.items():
            try:
                cached[name] = Color.parse(value).rich_color.name
            except ColorParseError:
                continue
        _palettes[app.theme] = cached
    return cached


def status_color(status: str | None, theme: Mapping[str, str]) -> str:
    """The Rich colour of a status in `theme` (a `palette`); no-data's for None or unknown."""
    return theme.get(STATUS_VARIABLES.get(status or "no_data", "status-no-data"), "")


def status_text(status: str | None, theme: Mapping[str, str]) -> Text:
    """`on track` in the on-track colour."""
    if status is None:
        return Text("")
    style = f"bold {status_color(status, theme)}".strip()
    return Text(STATUS_WORDS.get(status, status), style=style)


def bar(fraction: float | None, width: int, color: str, *, label: str = "") -> Text:
    """A horizontal bar of coloured spaces `width` cells wide, filled to `fraction` (clamped to
    0..1), followed by `label`."""
    text = Text()
    if fraction is None:
        text.append(" " * width)
    else:
        filled = round(max(0.0, min(1.0, fraction)) * width)
        text.append(" " * filled, style=f"on {color}" if color else "reverse")
        text.append(" " * (width - filled))
    if label:
        text.append(" ")
        text.append(label, style=color)
    return text


def achievement_text(
    achievement: float | None, status: str | None, theme: Mapping[str, str]
) -> Text:
    """Achievement as a percentage and a bar, both in the status colour."""
    color = status_color(status, theme)
    text = Text("" if achievement is None else f"{achievement * 100:,.0f}%", style=color)
    text.pad_left(max(0, 5 - text.cell_len))
    text.append(" ")
    text.append_text(bar(achievement, 8, color))
    return text


def score_text(score: float | None, band: str | None, theme: Mapping[str, str]) -> Text:
    """An OKR score as a bar and `0.62` in its colour band; `-` when there is no score."""
    if score is None:
        return Text(" " * 10 + "    -")
    color = theme.get(BAND_VARIABLES.get(band or "red", "status-off-track"), "")
    return bar(score, 10, color, label=f"{score:.2f}")


def sparkline(values: Sequence[float | None] | None) -> Text:
    """A one-line sparkline of a series; missing values are blanks."""
    if not values:
        return Text("")
    present = [v for v in values if v is not None]
    if not present:
        return Text(" " * len(values))
    low, high = min(present), max(present)
    span = high - low
    chars = []
    for value in values:
        if value is None:
            chars.append(" ")
        elif span == 0:
            chars.append(SPARK_CHARS[3])
        else:
            chars.append(SPARK_CHARS[round((value - low) / span * (len(SPARK_CHARS) - 1))])
    return Text("".join(chars))


def rollup_badge(
    on_track: int,
    at_risk: int,
    off_track: int,
    theme: Mapping[str, str],
    *,
    compact: bool = False,
) -> Text:
    """`✓3 ~1 ✗0`: goals on track, at risk and off track, each mark in its colour; `compact`
    leaves out the zero counts (`✓3 ~1`)."""
    text = Text()
    for mark, count, variable in (
        ("✓", on_track, "status-on-track"),
        ("~", at_risk, "status-at-risk"),
        ("✗", off_track, "status-off-track"),
    ):
        if compact and not count:
            continue
        if text:
            text.append(" ")
        text.append(f"{mark}{count}", style=theme.get(variable, "") if count else "dim")
    return text


def put_plain(node: DOMNode, selector: str, text: str, *, error: bool | None = None) -> None:
    """Show `text` (data: plain, never markup) in the Static at `selector` under `node`, and set
    its `-error` class when `error` is given. A form's reasons, hints and status line: each
    update re-lays the form out, so one that changes nothing (most keystrokes) is skipped."""
    text = safe_plain(text, multiline=True)
    static = node.query_one(selector, Static)
    if str(static.content) != text:
        static.update(text)
    if error is not None:
        static.set_class(error, "-error")
