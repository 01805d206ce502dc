"""The language machinery: catalogues complete and compiled, placeholders kept, the choice of
language as DESIGN.md's "Language" section says."""

from __future__ import annotations

import ast
import io
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from goaltui import i18n
from goaltui.cli import main
from goaltui.config import load_config
from goaltui.i18n import _, choose_language, ngettext, translated, use_language
from goaltui.model.errors import GoaltuiError
from tests.store_helpers import write_source

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "goaltui"
LOCALE = PACKAGE / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _catalog(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "goaltui.po").open("rb") as po:
        return read_po(po, locale=lang)


def _extracted() -> Iterator[tuple[str, str | tuple[str, str]]]:
    """(file, msgid) of every message the package's code marks, as scripts/i18n extracts them."""
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        yield filename, message if isinstance(message, str) else (message[0], message[1])


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_message_of_the_package_has_a_korean_translation() -> None:
    catalog = _catalog("ko")
    missing = []
    for filename, msgid in _extracted():
        key = msgid if isinstance(msgid, str) else msgid[0]
        message = catalog.get(key)
        found = None if message is None else message.string
        strings = [found] if isinstance(found, str) else list(found or ())
        if message is None or message.fuzzy or not all(s.strip() for s in strings):
            missing.append(f"{filename}: {key!r}")
    assert not missing, (
        "untranslated (run scripts/i18n, translate ko, run it again):\n" + "\n".join(missing)
    )


def test_the_package_marks_a_few_hundred_messages() -> None:
    # The extraction itself works: a broken babel.cfg would find nothing and pass the test above.
    assert len({m if isinstance(m, str) else m[0] for _f, m in _extracted()}) > 200


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_committed_mo_is_a_fresh_compile_of_the_po(lang: str) -> None:
    fresh = io.BytesIO()
    write_mo(fresh, _catalog(lang))
    committed = (LOCALE / lang / "LC_MESSAGES" / "goaltui.mo").read_bytes()
    assert committed == fresh.getvalue(), f"run scripts/i18n: {lang} goaltui.mo is stale"


def _pairs(message: Message) -> Iterator[tuple[str, str]]:
    if isinstance(message.id, str):
        assert isinstance(message.string, str)
        if message.string:
            yield message.id, message.string
        return
    plural = message.id[1]
    for form in message.string or ():
        if form:
            yield plural, form


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_translations_keep_the_placeholders_of_their_message(lang: str) -> None:
    wrong = [
        f"{msgid!r} -> {msgstr!r}"
        for message in _catalog(lang)
        if message.id
        for msgid, msgstr in _pairs(message)
        if _fields(msgid) != _fields(msgstr)
    ]
    assert not wrong, "\n".join(wrong)


def _package_calls() -> Iterator[tuple[Path, ast.Call]]:
    """(file, call) of every call in the package's code."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                yield path, node


def test_messages_are_literals_so_they_can_be_extracted() -> None:
    bad = []
    for path, node in _package_calls():
        if not isinstance(node.func, ast.Name):
            continue
        count = {"_": 1, "N_": 1, "ngettext": 2}.get(node.func.id)
        if count is None or path.name == "i18n.py":
            continue
        literal = len(node.args) >= count and all(
            isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            for arg in node.args[:count]
        )
        if not literal:
            bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, "a message that is not a literal string cannot be translated:\n" + "\n".join(
        bad
    )


def _bare_literals(node: ast.expr | None) -> Iterator[ast.Constant]:
    """The plain string constants an expression shows as they are (not through `_`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        yield node
    elif isinstance(node, ast.IfExp):
        yield from _bare_literals(node.body)
        yield from _bare_literals(node.orelse)


def test_toasts_and_keys_speak_the_language_not_bare_english() -> None:
    """A toast's message and title, and a key's description and tooltip, are words a user
    reads: each goes through the catalogue."""
    bad = []
    for path, node in _package_calls():
        if isinstance(node.func, ast.Attribute) and node.func.attr == "notify":
            shown = node.args[:1]
            words = ("message", "title")
        elif isinstance(node.func, ast.Name) and node.func.id == "Binding":
            shown = node.args[2:3]
            words = ("description", "tooltip")
        else:
            continue
        shown += [kw.value for kw in node.keywords if kw.arg in words]
        for expr in shown:
            for literal in _bare_literals(expr):
                bad.append(f"{path.relative_to(ROOT)}:{literal.lineno}: {literal.value!r}")
    assert not bad, "a toast or a key shows untranslated words:\n" + "\n".join(bad)


def test_korean_and_english_read_differently(korean: None) -> None:
    assert _("no data") == "데이터 없음"
    assert (
        ngettext("{count} key result", "{count} key results", 3).format(count=3) == "핵심 결과 3개"
    )
    assert translated("") == ""  # not the catalogue's header
    use_language("en")
    assert _("no data") == "no data"
    assert (
        ngettext("{count} key result", "{count} key results", 1).format(count=1) == "1 key result"
    )


@pytest.mark.parametrize(
    ("configured", "environ", "expected"),
    [
        ("ko", {"GOALTUI_LANG": "en", "LANG": "en_US.UTF-8"}, "ko"),
        ("en", {"GOALTUI_LANG": "ko"}, "en"),
        (None, {"GOALTUI_LANG": "ko", "LANG": "en_US.UTF-8"}, "ko"),
        (None, {"GOALTUI_LANG": "en", "LANG": "ko_KR.UTF-8"}, "en"),
        (None, {"LANG": "ko_KR.UTF-8"}, "ko"),
        (None, {"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
        (None, {"LC_MESSAGES": "en_GB.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),
        (None, {"LANG": "de_CH.UTF-8"}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {}, "en"),
    ],
)
def test_the_language_is_the_config_then_the_variable_then_the_locale(
    configured: str | None, environ: dict[str, str], expected: str
) -> None:
    assert choose_language(configured, environ) == expected


def test_the_config_file_chooses_the_language(isolated_home: Path) -> None:
    path = isolated_home / "config.toml"
    path.write_text('language = "ko"\n', encoding="utf-8")
    assert load_config(path).language == "ko"
    path.write_text('language = "de"\n', encoding="utf-8")
    with pytest.raises(GoaltuiError, match='language must be "ko" or "en"'):
        load_config(path)


def test_a_command_speaks_the_configured_language(isolated_home: Path) -> None:
    config = isolated_home / "config" / "goaltui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('language = "ko"\n', encoding="utf-8")
    # $GOALTUI_LANG (English, pinned for the tests) comes after the config file.
    out = subprocess.run(
        [sys.executable, "-m", "goaltui", "--db", str(isolated_home / "x.duckdb"), "init"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "goaltui 데이터베이스" in out.stdout
    assert i18n.language() == "en"  # this process is untouched


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_checkin_prints_the_number_as_people_write_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_path: Path
) -> None:
    main(["import", str(write_source(tmp_path / "src")), "--db", str(db_path)])
    capsys.readouterr()
    args = ["checkin", "rev", "2700000", "--date", "2026-11-10", "--as-of", "2026-11-16"]
    code, out, _err = _run(capsys, *args, "--db", str(db_path))
    assert code == 0
    assert out.endswith(": rev = 2,700,000 on 2026-11-10\n")
    assert "e+" not in out


def test_the_md_report_counts_in_words_and_says_no_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_path: Path
) -> None:
    # o2 has one key result and no check-in: "1 key result", "no data" (not a red 0.00).
    main(["import", str(write_source(tmp_path / "src")), "--db", str(db_path)])
    capsys.readouterr()
    report = ["report", "--format", "md", "--as-of", "2026-11-16", "--db", str(db_path)]
    _code, out, _err = _run(capsys, *report)
    line = next(li for li in out.splitlines() if "Win new customers" in li)
    assert line == "- Objective Win new customers (2026-Q4): score no data, 1 key result"


def test_the_md_report_in_korean(
    korean: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_path: Path,
) -> None:
    main(["import", str(write_source(tmp_path / "src")), "--db", str(db_path)])
    capsys.readouterr()
    report = ["report", "--format", "md", "--as-of", "2026-11-16", "--db", str(db_path)]
    _code, out, _err = _run(capsys, *report)
    assert out.startswith("# 2026-11-16 기준 목표\n")
    assert "| 목표 | 기간 | 상태 | 실적 | 목표값 | 달성률 | 점수 | 추이 |" in out
    assert "- 목표 Win new customers (2026-Q4): 점수 데이터 없음, 핵심 결과 1개" in out
    # Korean number words because the reader is Korean, csv stays as it was.
    csv = ["report", "--format", "csv", "--as-of", "2026-11-16", "--db", str(db_path)]
    _code, csv_out, _err = _run(capsys, *csv)
    monkeypatch.setenv("GOALTUI_LANG", "en")
    _code, english_csv, _err = _run(capsys, *csv)
    assert i18n.language() == "en"
    assert csv_out == english_csv


def test_the_due_reminder_and_the_review_text_read_korean(
    korean: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["due", "--demo", "--format", "md"]) == 0
    due = capsys.readouterr().out
    assert "오늘 체크인해 주세요" in due and "체크인: `goaltui checkin" in due
    assert "Check in:" not in due and "Please check in" not in due
    assert main(["report", "--demo", "--period", "2026-Q4", "--format", "md"]) == 0
    review = capsys.readouterr().out
    assert review.startswith("# 2026-Q4 회고")
    assert "| 목표 | 목표 유형 | 점수 | 최종 점수 | 구간 |" in review
    assert "Review of" not in review and "aspirational" not in review
