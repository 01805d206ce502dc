"""Rich output for the headless commands' `--format table`, as text the caller prints."""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, TextIO

from goaltui.i18n import _

if TYPE_CHECKING:  # Rich loads only when a table is asked for: csv and json start faster
    from rich.console import RenderableType


PIPED_WIDTH = 160
"""The width of a table written to a file, with no terminal and no `COLUMNS` to go by."""


def output_width() -> int:
    """The width a table may take: `COLUMNS` when set, else the terminal's (stdout's, or when
    stdout is piped, e.g. into `less`, that of stderr or stdin), else PIPED_WIDTH."""
    import os

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        try:
            if stream is not None and stream.isatty():
                return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            continue
    return PIPED_WIDTH


def render_rich(*renderables: RenderableType, width: int | None = None) -> str:
    """Render with colours when stdout is a terminal, plain text when it is piped, `width`
    columns wide (default: output_width). Trailing blanks are stripped (Rich pads to the
    width)."""
    from rich.console import Console

    interactive = sys.stdout.isatty()
    width = width or output_width()
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


class ProgressReport:
    """Shows how long work is going on stderr, as the store reports it (stage, rows done, rows in
    all): a bar redrawn in place on a terminal, one plain line per stage when piped. Work on
    fewer than `min_rows` rows says nothing: it is over in a blink, and stays as quiet as
    before (deterministically so, unlike a clock)."""

    BAR_WIDTH = 30

    def __init__(self, what: str, stream: TextIO | None = None, *, min_rows: int = 100_000) -> None:
        self.what = what
        """What is going on, e.g. `import`."""
        self._stream = stream or sys.stderr
        self._interactive = self._stream.isatty()
        self._open_line = False
        self._min_rows = min_rows

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self._min_rows:
            return
        if not self._interactive:
            line = _("{what}: {stage} {done} of {total} rows").format(
                what=self.what, stage=stage, done=f"{done:,}", total=f"{total:,}"
            )
            self._stream.write(line + "\n")
            self._stream.flush()
            return
        filled = self.BAR_WIDTH if total <= 0 else self.BAR_WIDTH * done // total
        bar = "#" * filled + "." * (self.BAR_WIDTH - filled)
        rows = _("{done} of {total} rows").format(done=f"{done:,}", total=f"{total:,}")
        self._stream.write(f"\r{self.what} [{bar}] {stage:<9} {rows}")
        self._stream.flush()
        self._open_line = True

    def close(self) -> None:
        """End the bar's line (on a terminal)."""
        if self._open_line:
            self._stream.write("\n")
            self._stream.flush()
            self._open_line = False
