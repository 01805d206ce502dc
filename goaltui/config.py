"""Where goaltui keeps its files, and the user's config file (TOML in the user config directory).

```toml
theme = "textual-dark"            # any built-in Textual theme
language = "ko"                   # "ko" or "en" (default: $GOALTUI_LANG, then the locale)
fiscal_year_start = 4             # quarters and years count from April (default 1: January)
database = "~/goals.duckdb"       # default database when --db and $GOALTUI_DB are not given

[keys]                            # binding id = keys, as Textual's keymap takes them
checkin = "c,i"

[quality]                         # thresholds of the goal-quality rules
kpi_too_many = 7
disable = ["no-stretch"]          # rule ids switched off
```
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import platformdirs

from goaltui.i18n import LANGUAGES, _
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
    database_url: str | None = None
    """Default database on a PostgreSQL server (team mode), when `database` is a URL."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, applied with App.set_keymap."""
    quality: QualityThresholds = field(default_factory=QualityThresholds)
    """Thresholds of the quality rules."""
    fiscal_year_start: int | None = None
    """First month of the fiscal year when the database stores none; None: 1."""
    language: str | None = None
    """`ko` or `en`; None: $GOALTUI_LANG, then the locale (goaltui.i18n.choose_language)."""


def load_config(path: Path | None = None) -> Config:
    """Read the config file (missing file: defaults). Raises GoaltuiError naming a bad entry."""
    path = path or config_path()
    if not path.exists():
        return Config()
    import tomllib  # only when there is a file: most runs have none

    if path.is_dir():
        raise GoaltuiError(
            _("{path}: the config file is a folder; remove it or make it a file").format(path=path)
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GoaltuiError(
            _("{path}: not valid TOML: {error}").format(path=path, error=error)
        ) from error
    except OSError as error:
        raise GoaltuiError(
            _("{path}: cannot read the config file: {reason}").format(
                path=path, reason=error.strerror
            )
        ) from error
    known = {"theme", "database", "keys", "quality", "fiscal_year_start", "language"}
    for key in raw:
        if key not in known:
            raise GoaltuiError(
                f"{path}: unknown setting {key!r} (known: {', '.join(sorted(known))})"
            )
    theme = raw.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise GoaltuiError(_("{path}: theme must be a text").format(path=path))
    database = raw.get("database")
    if database is not None and not isinstance(database, str):
        raise GoaltuiError(_("{path}: database must be a path").format(path=path))
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise GoaltuiError(f'{path}: [keys] maps binding ids to keys, e.g. checkin = "c"')
    fiscal = raw.get("fiscal_year_start")
    if fiscal is not None and (
        not isinstance(fiscal, int) or isinstance(fiscal, bool) or not 1 <= fiscal <= 12
    ):
        raise GoaltuiError(
            _("{path}: fiscal_year_start must be a month number from 1 to 12").format(path=path)
        )
    language = raw.get("language")
    if language is not None and language not in LANGUAGES:
        raise GoaltuiError(f'{path}: language must be "ko" or "en", not {language!r}')
    quality = _quality(path, raw.get("quality", {}))
    return Config(
        theme=theme,
        database=(
            _expanded(Path(database), f"{path}: database")
            if database and not _is_url(database)
            else None
        ),
        database_url=database if database and _is_url(database) else None,
        keys=dict(keys),
        quality=quality,
        fiscal_year_start=fiscal,
        language=language,
    )


_QUALITY_BOUNDS: dict[str, tuple[float, float]] = {
    "okr_min_key_results": (0, 100),
    "okr_max_key_results": (0, 100),
    "okr_max_objectives": (0, 100),
    "kpi_too_many": (0, 1000),
    "not_achievable_factor": (1, 1000),
    "not_achievable_periods": (1, 120),
}
"""The sensible range of each [quality] threshold: outside it a threshold is a typo."""


def _quality(path: Path, raw: object) -> QualityThresholds:
    """The [quality] table as QualityThresholds; every bad entry named in one GoaltuiError."""
    if not isinstance(raw, dict):
        raise GoaltuiError(_("{path}: [quality] must be a table").format(path=path))
    defaults = QualityThresholds()
    problems: list[str] = []
    values: dict[str, object] = {}
    for key, value in raw.items():
        if key == "disable":
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                values[key] = tuple(value)
            else:
                problems.append('disable must be a list of rule ids, e.g. disable = ["stale"]')
            continue
        if key not in _QUALITY_BOUNDS:
            problems.append(f"unknown quality threshold {key!r}")
            continue
        low, high = _QUALITY_BOUNDS[key]
        whole = isinstance(getattr(defaults, key), int)
        kind = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"quality threshold {key!r} must be a number, not {value!r}")
        elif not math.isfinite(value) or not low <= value <= high:
            problems.append(
                f"quality threshold {key!r} must be {kind} from {low:g} to {high:g}, not {value!r}"
            )
        elif whole and value != int(value):
            problems.append(f"quality threshold {key!r} must be a whole number, not {value!r}")
        else:
            values[key] = int(value) if whole else float(value)
    if not problems:
        fewest = values.get("okr_min_key_results", defaults.okr_min_key_results)
        most = values.get("okr_max_key_results", defaults.okr_max_key_results)
        if isinstance(fewest, int) and isinstance(most, int) and fewest > most:
            problems.append(f"okr_min_key_results ({fewest}) is above okr_max_key_results ({most})")
    if problems:
        raise GoaltuiError(f"{path}: [quality]: {'; '.join(problems)}")
    return replace(defaults, **values)  # type: ignore[arg-type]


def _expanded(path: Path, what: str) -> Path:
    try:
        return path.expanduser()
    except RuntimeError:
        raise GoaltuiError(
            _("{what}: {path}: no such user, so no home folder to find").format(
                what=what, path=path
            )
        ) from None


def default_db_path(config: Config | None = None) -> Path:
    """--db is handled by the caller; then $GOALTUI_DB, the config's database, the data dir."""
    env = os.environ.get(DB_ENV)
    if env:
        return _expanded(Path(env), f"${DB_ENV}")
    if config is not None and config.database is not None:
        return config.database
    return data_dir() / "goaltui.duckdb"


def _is_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


def default_db(config: Config | None = None) -> Path | str:
    """Like default_db_path, but a PostgreSQL URL in $GOALTUI_DB or the config's database is
    returned as the URL text (team mode)."""
    env = os.environ.get(DB_ENV)
    if env and _is_url(env):
        return env
    if not env and config is not None and config.database_url is not None:
        return config.database_url
    return default_db_path(config)
