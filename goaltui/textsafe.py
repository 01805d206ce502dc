"""Data as text a terminal shows literally: never markup, never a control sequence.

Names, titles, notes and every other piece of data reach the screen through this module. Rich
and Textual read `[b]` and `[@click=...]` in plain strings as markup, so data goes into
`rich.text.Text` objects (`safe_text`), never into a markup string. And a terminal obeys control
characters (ESC starts `\\x1b[2J`, which blanks the screen; `\\x1b]0;...\\x07` retitles the window;
C1 `\\x9b` is a CSI of its own), so every C0 and C1 control character and DEL is shown as a
visible escape like `\\x1b` instead. The doors refuse such characters; this is the second line of
defence for data that came in another way.

Headless: imports no Textual, and Rich only when a `Text` is asked for.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

CONTROL_PATTERN = r"[\x00-\x1f\x7f-\x9f]"
"""Every C0 control character (tab and newline included), DEL and every C1 control character,
as a regex class both Python's `re` and polars understand."""

_CONTROL = re.compile(CONTROL_PATTERN)
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_C1_OR_DEL = re.compile(r"[\x7f-\x9f]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\t":
        return " "
    return f"\\x{ord(char):02x}"


def _one_line(text: str) -> str:
    return _CONTROL.sub(_visible, text)


def safe_plain(value: object, *, multiline: bool = False) -> str:
    """`value` as a string a terminal shows literally: None is empty; each control character
    becomes a visible escape (`\\x1b`), a tab a space. Line breaks (LF, CRLF, CR) are kept as
    `\\n` with `multiline` (notes, descriptions) and become spaces otherwise."""
    text = "" if value is None else str(value)
    if not _CONTROL.search(text):
        return text
    if multiline:
        return "\n".join(_one_line(line) for line in _LINE_BREAK.split(text))
    return _one_line(_LINE_BREAK.sub(" ", text))


def safe_text(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """`value` as a Rich `Text` in `style`: shown literally, never read as markup, with its
    control characters made visible (`safe_plain`)."""
    from rich.text import Text

    return Text(safe_plain(value, multiline=multiline), style=style)


def safe_json(text: str) -> str:
    """JSON text with DEL and the C1 control characters written as `\\u009b` escapes: JSON
    encoders escape C0 characters but pass these through, and a terminal obeys them. The same
    JSON value, so nothing is lost."""
    return _C1_OR_DEL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def markdown_cell(value: object) -> str:
    """`value` as text in a Markdown line or table cell: shown literally once rendered (the
    characters Markdown reads as links, emphasis, code or HTML, and the cell separator `|`, are
    backslash-escaped), on one line, without control characters."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", safe_plain(value))
