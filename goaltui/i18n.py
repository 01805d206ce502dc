"""The language people read: Korean or English (DESIGN.md, "Language").

Every string a person reads goes through ``_`` (or ``ngettext`` when it counts something); a
string that must exist before the language is chosen (a table of words built at import time, a
binding's description) is marked with ``N_`` and translated with ``_`` where it is shown.
Machine-readable output (csv, json, status ids, rule ids) never passes through here.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

DOMAIN = "goaltui"
LOCALE_DIR = Path(__file__).with_name("locale")

_translation: _gettext.NullTranslations = _gettext.NullTranslations()


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted message that fits ``count``, in the current language."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet."""
    return message


def use_language(code: str) -> None:
    """Make ``code`` (``ko`` or ``en``) the language of every later ``_`` call."""
    global _translation
    _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
