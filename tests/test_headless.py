"""Headless commands must start without Textual: each module imported in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "goaltui.model",
    "goaltui.store",
    "goaltui.metrics",
    "goaltui.cli",
    "goaltui.config",
    "goaltui.report",
    "goaltui.due_report",
    "goaltui.lint",
    "goaltui.textsafe",
    "goaltui.serve",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_never_imports_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m == 'textual' or m.startswith(('textual.', 'goaltui.ui')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
