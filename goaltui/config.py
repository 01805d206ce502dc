"""Where goaltui keeps its files, and the user's config file (TOML in the user config directory).

```toml
theme = "textual-dark"            # any built-in Textual theme
database = "~/goals.duckdb"       # default database when --db and $GOALTUI_DB are not given

[keys]                            # binding id = keys, as Textual's keymap takes them
checkin = "c,i"

[quality]                         # thresholds of the goal-quality rules
kpi_too_many = 7
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import platformdirs

from goaltui.model.errors import GoaltuiError
from goaltui.model.quality import QualityThresholds

APP_NAME = "goaltui"
DB_ENV = "GOALTUI_DB"
DEMO_AS_OF = date(2026, 11, 16)
"""The demo organisation's as-of date: mid-month and mid-quarter, so every status occurs."""


def data_dir() -> Path:
    """The user data directory (databases live here unless told otherwise)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    """The user's config file."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def demo_db_path() -> Path:
    """The demo organisation's own database, so check-ins made in the demo persist."""
    return data_dir() / "demo.duckdb"


@dataclass(frozen=True)
class Config:
    """The user's settings."""

    theme: str | None = None
    """Textual theme name; None keeps Textual's default."""
    database: Path | None = None
    """Default database file."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, applied with App.set_keymap."""
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    """Thresholds of the quality rules."""


def load_config(path: Path | None = None) -> Config:
    """Read the config file (missing file: defaults). Raises GoaltuiError naming a bad entry."""
    path = path or config_path()
    if not path.exists():
        return Config()
    if path.is_dir():
        raise GoaltuiError(f"{path}: the config file is a folder; remove it or make it a file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GoaltuiError(f"{path}: not valid TOML: {error}") from error
    except OSError as error:
        raise GoaltuiError(f"{path}: cannot read the config file: {error.strerror}") from error
    known = {"theme", "database", "keys", "quality"}
    for key in raw:
        if key not in known:
            raise GoaltuiError(
                f"{path}: unknown setting {key!r} (known: {', '.join(sorted(known))})"
            )
    theme = raw.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise GoaltuiError(f"{path}: theme must be a text")
    database = raw.get("database")
    if database is not None and not isinstance(database, str):
        raise GoaltuiError(f"{path}: database must be a path")
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise GoaltuiError(f'{path}: [keys] maps binding ids to keys, e.g. checkin = "c"')
    quality_raw = raw.get("quality", {})
    defaults = QualityThresholds()
    if not isinstance(quality_raw, dict):
        raise GoaltuiError(f"{path}: [quality] must be a table")
    values: dict[str, int | float] = {}
    for key, value in quality_raw.items():
        if not hasattr(defaults, key):
            raise GoaltuiError(f"{path}: unknown quality threshold {key!r}")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise GoaltuiError(f"{path}: quality threshold {key!r} must be a number")
        values[key] = type(getattr(defaults, key))(value)
    return Config(
        theme=theme,
        database=_expanded(Path(database), f"{path}: database") if database else None,
        keys=dict(keys),
        quality=QualityThresholds(**values),  # type: ignore[arg-type]
    )


def _expanded(path: Path, what: str) -> Path:
    try:
        return path.expanduser()
    except RuntimeError:
        raise GoaltuiError(f"{what}: {path}: no such user, so no home folder to find") from None


def default_db_path(config: Config | None = None) -> Path:
    """--db is handled by the caller; then $GOALTUI_DB, the config's database, the data dir."""
    env = os.environ.get(DB_ENV)
    if env:
        return _expanded(Path(env), f"${DB_ENV}")
    if config is not None and config.database is not None:
        return config.database
    return data_dir() / "goaltui.duckdb"
