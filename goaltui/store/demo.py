"""The demo organisation, Hummingbirds Inc. (주식회사 허밍버즈), shipped with the package.

The CSVs live in the repository's `data/demo` (written by `scripts/make_demo.py`); a wheel carries
them as `goaltui/data/demo`. The demo's numbers are designed for `goaltui.config.DEMO_AS_OF`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import goaltui


def demo_source() -> Path:
    """The folder holding the demo's interchange-format CSVs.

    The packaged copy (`goaltui/data/demo`, in a wheel install) when it exists, else the
    repository's `data/demo` (an editable install)."""
    packaged = files("goaltui") / "data" / "demo"
    # An installed package is a real directory, so its resources are plain paths.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(goaltui.__file__).resolve().parents[1] / "data" / "demo"


def ensure_demo_db(path: Path) -> Path:
    """Import the demo organisation into a new database at `path`; return `path`.

    An existing database is left as it is, so check-ins made in the demo persist. Raises
    GoaltuiError (ValidationError, DatabaseError) when the import fails."""
    if path.exists():
        return path
    # Imported here: opening an existing demo database should not load the CSV/xlsx reader.
    from goaltui.store.importer import import_path

    path.parent.mkdir(parents=True, exist_ok=True)
    import_path(path, demo_source())
    return path
