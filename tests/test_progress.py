"""Progress of long commands: plain lines when piped, a bar on a terminal, silence when quick."""

from __future__ import annotations

import io
from pathlib import Path

from goaltui.console import ProgressReport
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_progress_is_one_plain_line_per_stage(tmp_path: Path) -> None:
    out = io.StringIO()
    import_path(
        tmp_path / "x.duckdb", demo_source(), progress=ProgressReport("import", out, min_rows=0)
    )
    lines = out.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["read", "validated", "written"]
    assert all(line.startswith("import: ") and line.endswith(" rows") for line in lines)


def test_a_terminal_gets_a_bar_redrawn_in_place() -> None:
    out = Terminal()
    report = ProgressReport("export", out, min_rows=0, stages=("read", "written"))
    report("read", 100, 200)
    report("read", 200, 200)
    report("written", 200, 200)
    report.close()
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n")
    # The bar fills over both stages: a quarter, a half, all of it.
    assert "[" + "#" * 7 + "." * 23 + "] read      100 of 200 rows" in text
    assert "[" + "#" * 15 + "." * 15 + "] read      200 of 200 rows" in text
    assert "[" + "#" * 30 + "] written   200 of 200 rows" in text


def test_quick_work_says_nothing() -> None:
    out = io.StringIO()
    report = ProgressReport("import", out, min_rows=11)
    report("read", 10, 10)
    report.close()
    assert out.getvalue() == ""
