"""Keys named in sentences come from the bindings and the keymap ([keys] in config.toml), so
remapping a key changes every sentence that names it."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App
from textual.binding import Binding


def keymap_of(app: App[object]) -> dict[str, str]:
    """The keymap the app was given (binding id -> keys), from its config."""
    config = getattr(app, "config", None)
    keys = getattr(config, "keys", None)
    return dict(keys) if isinstance(keys, dict) else {}


def bindings_of(owners: Iterable[type]) -> list[Binding]:
    """The Bindings declared by the classes `owners` (and the classes they derive from)."""
    found: list[Binding] = []
    for owner in owners:
        for cls in getattr(owner, "__mro__", (owner,)):
            for binding in vars(cls).get("BINDINGS", []):
                if isinstance(binding, Binding):
                    found.append(binding)
    return found


def key_of(app: App[object], binding_id: str, *owners: type) -> str:
    """The key bound to `binding_id` (the first of its keys, remapped by the keymap), as the
    footer shows it (`2`, `[`, `^p`); searched in the bindings of `owners` and of the app.
    Empty when nothing has that id."""
    keys = keymap_of(app).get(binding_id)
    if keys is None:
        for binding in bindings_of([*owners, type(app)]):
            if binding.id == binding_id:
                keys = binding.key
                break
    if not keys:
        return ""
    return app.get_key_display(Binding(keys.split(",")[0].strip(), ""))
