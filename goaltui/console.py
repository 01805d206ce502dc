"""Rich output for the headless commands' `--format table`, as text the caller prints."""

from __future__ import annotations

import io
import shutil
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Rich loads only when a table is asked for: csv and json start faster
    from rich.console import RenderableType


def render_rich(*renderables: RenderableType) -> str:
    """Render with colours and the terminal's width when stdout is a terminal; plain text 160
    columns wide when it is piped. Trailing blanks are stripped (Rich pads to the width)."""
    from rich.console import Console

    interactive = sys.stdout.isatty()
    width = shutil.get_terminal_size((160, 40)).columns if interactive else 160
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=interactive,
        color_system="auto" if interactive else None,
        highlight=False,
    )
    for renderable in renderables:
        console.print(renderable)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())
