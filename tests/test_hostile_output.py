"""Hostile text on the headless side: reports and lint show data literally, never as markup,
and no control sequence from the data reaches the terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from goaltui.cli import main
from goaltui.lint import render_lint
from goaltui.model.quality import QualityThresholds
from goaltui.report import render_report
from goaltui.store.dataset import Dataset
from goaltui.textsafe import markdown_cell, safe_json, safe_plain, safe_text
from tests.hostile import (
    AS_OF,
    C1_CSI,
    CLEAR,
    CLOSE,
    DEAL,
    ESCAPES,
    LINK,
    MARKUP_NAMES,
    QUIT,
    RETITLE,
    SHOWN_ESCAPES,
    has_control,
    hostile_dataset,
    make_hostile_db,
    screenshot_name,
)


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    return hostile_dataset(tmp_path)


def report(dataset: Dataset, fmt: str) -> str:
    return render_report(dataset, AS_OF, unit=None, history=False, fmt=fmt)


def lint(dataset: Dataset, fmt: str) -> str:
    text, _ = render_lint(dataset, AS_OF, unit=None, fmt=fmt, thresholds=QualityThresholds())
    return text


# --- the helper ------------------------------------------------------------------------------


def test_safe_plain_makes_every_control_character_visible() -> None:
    assert safe_plain(ESCAPES) == SHOWN_ESCAPES
    assert safe_plain("a\x00b\x7fc\x85d") == "a\\x00b\\x7fc\\x85d"
    assert safe_plain("tab\there") == "tab here"
    assert safe_plain("two\nlines\r\nand\rthree") == "two lines and three"
    assert safe_plain("two\nlines\r\nand\rthree", multiline=True) == "two\nlines\nand\nthree"
    assert safe_plain(f"x{CLEAR}\ny", multiline=True) == "x\\x1b[2J\ny"
    assert safe_plain(None) == ""
    for text in (*MARKUP_NAMES, "영업팀 매출", "100%"):
        assert safe_plain(text) == text  # everything printable is kept as it is


def test_safe_text_is_never_markup() -> None:
    for name in MARKUP_NAMES:
        text = safe_text(name, "bold")
        assert text.plain == name
        assert [span.style for span in text.spans] == []
        assert str(text.style) == "bold"


def test_safe_json_keeps_the_value() -> None:
    encoded = json.dumps({"name": ESCAPES}, ensure_ascii=False)
    safe = safe_json(encoded)
    assert not has_control(safe)
    assert json.loads(safe) == {"name": ESCAPES}


def test_markdown_cell_is_shown_literally() -> None:
    assert markdown_cell(DEAL) == "Deal \\[#123\\]"
    assert markdown_cell("[x](http://evil) *a* `b` <i>|") == (
        "\\[x\\](http://evil) \\*a\\* \\`b\\` \\<i\\>\\|"
    )
    assert markdown_cell(f"a{RETITLE}") == "a\\\\x1b\\]0;owned\\\\x07"


# --- report ----------------------------------------------------------------------------------


def test_table_report_shows_names_literally(dataset: Dataset, tmp_path: Path) -> None:
    text = report(dataset, "table")
    assert not has_control(text)
    # The name column is wide enough for each name on one line.
    for name in (CLOSE, QUIT, DEAL, "[b]bold", LINK):
        assert name in text
    assert SHOWN_ESCAPES[:20] in text
    assert "[b]won\\x1b[2J" in text  # a unit of measure is data too


def test_markdown_report_passes_no_control_sequence(dataset: Dataset) -> None:
    text = report(dataset, "md")
    assert not has_control(text)
    assert "KPI Deal \\[#123\\] |" in text
    assert "KPI \\[@click=app.quit\\]q\\[/\\] |" in text
    assert "\\\\x1b\\]0;owned\\\\x07" in text  # OSC shown, not obeyed


def test_csv_report_passes_no_control_sequence(dataset: Dataset) -> None:
    text = report(dataset, "csv")
    assert not has_control(text.replace("\n", ""))
    names = {row["goal_id"]: row["name"] for row in csv.DictReader(io.StringIO(text))}
    assert [names[f"k{i}"] for i in range(5)] == MARKUP_NAMES
    assert names["k5"] == SHOWN_ESCAPES


def test_json_report_escapes_every_control_character(dataset: Dataset) -> None:
    text = report(dataset, "json")
    assert not has_control(text.replace("\n", ""))
    names = {row["goal_id"]: row["name"] for row in json.loads(text)}
    assert [names[f"k{i}"] for i in range(5)] == MARKUP_NAMES
    assert names["k5"] == ESCAPES  # JSON escapes lose nothing
    assert names["kr2"] == QUIT + RETITLE


def _in_terminal(args: list[str]) -> bytes:
    """Run goaltui with stdout on a real pseudo-terminal; what the terminal receives."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "COLUMNS": "250"}
    with subprocess.Popen(
        [sys.executable, "-m", "goaltui", *args], stdout=follower, stderr=follower, env=env
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(leader)
    assert process.returncode in (0, 1), b"".join(chunks)
    return b"".join(chunks)


SGR = re.compile(rb"\x1b\[[0-9;]*m")
"""The colour codes Rich itself writes; every other escape would come from the data."""


def test_table_report_in_a_terminal_has_no_hyperlink_nor_data_escape(tmp_path: Path) -> None:
    db = make_hostile_db(tmp_path, tmp_path / "shots")
    shown = _in_terminal(["report", "--db", str(db), "--as-of", AS_OF.isoformat()])
    assert b"Traceback" not in shown
    assert b"\x1b]8;" not in shown  # no OSC 8 hyperlink
    rest = SGR.sub(b"", shown).decode()
    assert not has_control(rest.replace("\r\n", "").replace("\n", ""))
    assert "[link=file:///etc/passwd]passwd[/link]" in rest
    assert "Deal [#123]" in rest
    assert "\\x1b[2J" in rest


def test_report_with_markup_in_names_does_not_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_hostile_db(tmp_path, tmp_path / "shots")
    for fmt in ("table", "md", "csv", "json"):
        status = main(["report", "--format", fmt, "--db", str(db), "--as-of", AS_OF.isoformat()])
        out = capsys.readouterr().out
        assert status == 0
        assert "[/] objective" in out or "\\[/\\] objective" in out
        assert not has_control(out.replace("\n", ""))


# --- lint ------------------------------------------------------------------------------------


def test_lint_table_shows_names_literally(dataset: Dataset, tmp_path: Path) -> None:
    text = lint(dataset, "table")
    assert not has_control(text.replace("\n", ""))
    flat = re.sub(r"[│\s]+", "", text)  # findings fold over several lines
    assert re.sub(r"\s", "", screenshot_name(tmp_path)) in flat


def test_lint_csv_and_json_pass_no_control_sequence(dataset: Dataset) -> None:
    for fmt in ("csv", "json"):
        text = lint(dataset, fmt)
        assert not has_control(text.replace("\n", ""))
        assert LINK in text


def test_lint_command_with_markup_in_names_does_not_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_hostile_db(tmp_path, tmp_path / "shots")
    for fmt in ("table", "csv", "json"):
        status = main(["lint", "--format", fmt, "--db", str(db), "--as-of", AS_OF.isoformat()])
        out = capsys.readouterr().out
        assert status in (0, 1)
        assert not has_control(out.replace("\n", ""))
        assert "[@click=app.quit]q[/]" in out


# --- messages --------------------------------------------------------------------------------


def test_messages_quoting_data_pass_no_control_sequence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_hostile_db(tmp_path, tmp_path / "shots")
    for args in (
        ["report", "--unit", f"x{RETITLE}{CLOSE}"],
        ["checkin", f"k{CLEAR}{C1_CSI}", "3"],
    ):
        status = main([*args, "--db", str(db), "--as-of", AS_OF.isoformat()])
        err = capsys.readouterr().err
        assert status == 1
        assert not has_control(err.replace("\n", "")), err
        assert "x1b" in err
