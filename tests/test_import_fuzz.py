"""Fuzzing the doors: mutated interchange folders, imported and then reported, linted, listed as
due and exported, never end in a traceback. Every outcome is either a success or one of
goaltui's own errors (a clear message, exit status 1), and a refused import writes nothing."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goaltui.cli import main
from tests.store_helpers import SAMPLE

HOSTILE = [
    "",
    " ",
    '"',
    "'=1+1",
    '=HYPERLINK("x")',
    "[/]",
    "[link=file:///etc/passwd]x",
    "[@click=app.quit]q[/]",
    "\x1b[2J",
    "\x9b31m",
    "\x00",
    "\r",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "1,25",
    "1_000",
    "١٢٣",
    "14'500",
    "73%",
    "2026-02-30",
    "0000-01-01",
    "+2026-01-01",
    "2026-W45-1",
    "2026-13-01",
    "2026-Q5",
    "9999-12-31",
    "1900-01-01",
    "hb",
    "kr1",
    "o1",
    "sum",
    "ratio",
    "at_most",
    "change_pct",
    "quarter",
    "weekly",
    "committed",
    "한글",
]
"""Cells that have broken tools like this one before, and ids and words that make a mutation
land on a rule rather than on a plain 'unknown id'."""

cells = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))

Mutation = tuple[str, int, int, str, str]


@st.composite
def mutations(draw: st.DrawFn) -> list[Mutation]:
    """A few edits of the sample's files: (file, line, column, action, text)."""
    count = draw(st.integers(min_value=1, max_value=4))
    return [
        (
            draw(st.sampled_from(sorted(SAMPLE))),
            draw(st.integers(min_value=0, max_value=6)),
            draw(st.integers(min_value=0, max_value=11)),
            draw(st.sampled_from(["cell", "cell", "cell", "drop", "repeat", "bytes", "cut"])),
            draw(cells),
        )
        for _ in range(count)
    ]


def _mutated(mutations: list[Mutation]) -> dict[str, bytes]:
    files = {name: text.splitlines() for name, text in SAMPLE.items()}
    raw: dict[str, bytes] = {}
    for name, line, column, action, text in mutations:
        lines = files[name]
        if not lines:
            continue
        at = line % len(lines)
        if action == "cell":
            parts = lines[at].split(",")
            parts[column % len(parts)] = text
            lines[at] = ",".join(parts)
        elif action == "drop":
            del lines[at]
        elif action == "repeat":
            lines.insert(at, lines[at])
        elif action == "bytes":
            raw[name] = "\n".join(lines).encode("utf-8")[: at * 7] + text.encode("cp949", "replace")
        elif action == "cut":
            lines[at] = lines[at][: column % (len(lines[at]) + 1)]
    out = {name: ("\n".join(lines) + "\n").encode("utf-8") for name, lines in files.items()}
    return {**out, **raw}


def _run(*args: str) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, err.getvalue()


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutations())
def test_no_mutation_of_a_folder_ends_in_a_traceback(edits: list[Mutation]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        for name, data in _mutated(edits).items():
            (source / f"{name}.csv").write_bytes(data)
        db = str(Path(tmp) / "goals.duckdb")
        common = ("--db", db, "--as-of", "2026-11-16")
        code, said = _run("import", str(source), *common)
        assert code in (0, 1), said
        if code == 1:
            assert said.strip(), "a refused import says why"
            assert not Path(db).exists(), "a refused first import leaves no database"
            return
        for command in (
            ["report", "--format", "table"],
            ["report", "--format", "md"],
            ["lint"],
            ["due", "--format", "md"],
        ):
            code, said = _run(*command, *common)
            assert code in (0, 1), (command, said)
        out = Path(tmp) / "out"
        code, said = _run("export", str(out), *common)
        assert code == 0, said
        again = str(Path(tmp) / "again.duckdb")
        code, said = _run("import", str(out), "--db", again)
        assert code == 0, said
        shutil.rmtree(out)
