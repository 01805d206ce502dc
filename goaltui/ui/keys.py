"""Keys named in sentences come from the bindings and the keymap ([keys] in config.toml), so
remapping a key changes every sentence that names it."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App
from textual.binding import Binding

from goaltui.i18n import N_, translated


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


KEY_WORDS = {
    "enter": N_("Enter"),
    "backspace": N_("Backspace"),
    "escape": N_("Escape"),
    "tab": N_("Tab"),
    "shift+tab": N_("Shift+Tab"),
    "up": N_("Up arrow"),
    "down": N_("Down arrow"),
    "left": N_("Left arrow"),
    "right": N_("Right arrow"),
    "space": N_("Space"),
    "delete": N_("Delete"),
}
"""Keys a person reads better as a word than as a symbol (⏎, ⌫ and the arrows are hard to
recognise, and the arrows are ambiguous-width in East Asian terminals)."""


def key_label(app: App[object], key: str) -> str:
    """`key` (a Textual key name) as a person reads it: a word for Enter, Backspace, the
    arrows..., else as the footer shows it (`[`, `^p`)."""
    word = KEY_WORDS.get(key)
    return translated(word) if word is not None else app.get_key_display(Binding(key, ""))


class KeyNames(dict[str, str]):
    """The keys a help sentence names, by binding id (`{checkin}` -> `c`, or what the keymap
    made of it) or by key (`{enter}` -> `Enter`): for `str.format_map`."""

    def __init__(self, app: App[object], *owners: type) -> None:
        super().__init__()
        self._app = app
        self._owners = owners

    def __missing__(self, name: str) -> str:
        bound = key_of(self._app, name, *self._owners)
        if bound:
            return bound
        if name in KEY_WORDS:
            return key_label(self._app, name)
        if name == "command_palette":  # Textual's own binding, without an id
            return key_label(self._app, self._app.COMMAND_PALETTE_BINDING)
        return name


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
    return key_label(app, keys.split(",")[0].strip())
