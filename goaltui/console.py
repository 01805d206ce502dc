"""Rich output for the headless commands' `--format table`, as text the caller prints."""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, TextIO

from goaltui.i18n import N_, _, translated

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


STAGES = {"read": N_("read"), "validated": N_("validated"), "written": N_("written")}
"""The stages of long work the store reports, in their order, and their words for people."""


class ProgressReport:
    """Shows how long work is going on stderr, as the store reports it (stage, rows done, rows in
    all): a bar redrawn in place on a terminal, plain lines when piped (one when a stage begins,
    one per quarter of the rows on the way, one when it ends). The bar fills over every stage of
    `stages` (what the work goes through, each row once per stage). Work on fewer than
    `min_rows` rows says nothing: it is over in a blink, and stays as quiet as before
    (deterministically so, unlike a clock)."""

    BAR_WIDTH = 30
    LINE_EVERY = 0.25
    """Piped, a stage under way gets a line each time this share of the rows more is done."""

    def __init__(
        self,
        what: str,
        stream: TextIO | None = None,
        *,
        min_rows: int = 100_000,
        stages: tuple[str, ...] = tuple(STAGES),
    ) -> None:
        self.what = what
        """What is going on, e.g. `import`."""
        self._stream = stream or sys.stderr
        self._interactive = self._stream.isatty()
        self._open_line = False
        self._min_rows = min_rows
        self._stages = stages
        self._done: dict[str, int] = {}
        self._printed: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self._min_rows:
            return
        self._done[stage] = done
        word = translated(STAGES[stage]) if stage in STAGES else stage
        if not self._interactive:
            last = self._printed.get(stage)
            if last is not None and (
                done == last or (done < total and done - last < total * self.LINE_EVERY)
            ):
                return
            self._printed[stage] = done
            line = _("{what}: {stage} {done} of {total} rows").format(
                what=self.what, stage=word, done=f"{done:,}", total=f"{total:,}"
            )
            self._stream.write(line + "\n")
            self._stream.flush()
            return
        width = self.BAR_WIDTH
        if total <= 0:
            filled = width
        else:
            passed = sum(min(self._done.get(s, 0), total) for s in self._stages)
            filled = min(width, width * passed // (total * max(len(self._stages), 1)))
        bar = "#" * filled + "." * (width - filled)
        rows = _("{done} of {total} rows").format(done=f"{done:,}", total=f"{total:,}")
        self._stream.write(f"\r{self.what} [{bar}] {word:<9} {rows}")
        self._stream.flush()
        self._open_line = True

    def close(self) -> None:
        """End the bar's line (on a terminal)."""
        if self._open_line:
            self._stream.write("\n")
            self._stream.flush()
            self._open_line = False
