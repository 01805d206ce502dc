"""The language people read: Korean or English (DESIGN.md, "Language").

Every string a person reads goes through ``_`` (or ``ngettext`` when it counts something), always
with a literal, so extraction finds it; a string that must exist before the language is chosen (a
table of words built at import time, a binding's description) is marked with ``N_`` and
translated with ``translated`` where it is shown.
Machine-readable output (csv, json, status ids, rule ids) never passes through here.

The catalogues live in ``goaltui/locale/<language>/LC_MESSAGES/goaltui.po`` (compiled to ``.mo``
beside them, shipped in the package); ``scripts/i18n`` extracts, updates and compiles them.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

DOMAIN = "goaltui"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("en", "ko")
"""The languages goaltui speaks; English is the fallback."""
LANG_ENV = "GOALTUI_LANG"
"""The environment variable that chooses the language when the config file does not."""

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted message that fits ``count``, in the current language."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet."""
    return message


def translated(marked: str) -> str:
    """A message marked with ``N_`` (a table's word, a binding's description), in the current
    language, where it is shown. ``_`` takes only literals, so that every message it is given
    is extracted; this takes the variables that hold marked ones. An empty string stays empty
    (gettext would answer it with the catalogue's header)."""
    return _translation.gettext(marked) if marked else ""


def use_language(code: str) -> None:
    """Make ``code`` (``ko`` or ``en``) the language of every later ``_`` call."""
    global _translation, _language
    _language = code if code in LANGUAGES else "en"
    _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True)


@contextmanager
def speaking(code: str) -> Iterator[None]:
    """Within the block, ``_`` answers in ``code``; afterwards in the language before. For text
    computed by the same code for people and for machines (lint's csv and json are English)."""
    previous = _language
    use_language(code)
    try:
        yield
    finally:
        use_language(previous)


def language() -> str:
    """The current language's code: ``en`` or ``ko``."""
    return _language


def is_korean() -> bool:
    """Whether people read Korean now (Korean number words: 억, 만)."""
    return _language == "ko"


def _code(text: str | None) -> str | None:
    # `ko_KR.UTF-8`, `ko`, `KO` -> ko; `en_US`, `C.UTF-8` -> en; nothing -> None.
    if not text:
        return None
    return "ko" if text.strip().lower().startswith("ko") else "en"


def choose_language(configured: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language of a command: the config file's ``language``, else ``$GOALTUI_LANG``, else
    the locale (the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``ko...`` is Korean),
    else English."""
    environ = os.environ if environ is None else environ
    if configured in LANGUAGES:
        return configured
    chosen = _code(environ.get(LANG_ENV))
    if chosen is not None:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        chosen = _code(environ.get(name))
        if chosen is not None:
            return chosen
    return "en"
