"""The organisation tree on the left, with a roll-up badge per unit; children load lazily."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl
from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from goaltui.i18n import N_, _
from goaltui.metrics.scorecard import Scorecard
from goaltui.textsafe import safe_text
from goaltui.ui.render import palette, rollup_badge
from goaltui.ui.widgets.due_table import due_mark
from goaltui.ui.widgets.tables import by_name

CHUNK = 200
"""Children added per batch, so a unit with thousands of people never blocks the keys."""


class OrgTree(Tree[str]):
    """Units as a tree. Enter makes the highlighted unit the current one."""

    HELP = N_(
        "The organisation. {org-open}: make this unit current. "
        "Badges: ✓ on track, ~ at risk, ✗ off track; !n: n goals here and below owe a "
        "check-in."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "select_cursor", N_("Open unit"), id="org-open", tooltip=N_("Make current")
        ),
    ]

    @dataclass
    class UnitChosen(Message):
        """The user chose a unit in the tree."""

        unit_id: str

    def __init__(self, **kwargs: object) -> None:
        super().__init__(_("organisation"), **kwargs)  # type: ignore[arg-type]
        self.show_root = True
        self.guide_depth = 2
        self._scorecard: Scorecard | None = None
        self._children: dict[str, list[str]] = {}
        self._names: dict[str, str] = {}
        self._badges: dict[str, tuple[int, int, int]] = {}
        self._due: dict[str, int] = {}
        self._depths: dict[str, int] = {}

    def show(self, scorecard: Scorecard, current: str) -> None:
        """Rebuild the tree for a new scorecard, keeping expanded units open and `current`
        visible and highlighted."""
        previous = self._scorecard
        if (
            previous is not None
            and previous.dataset.units is scorecard.dataset.units
            and self.root.data is not None
        ):
            # The same units (a check-in, another as-of date): only the badges change, so the
            # labels are redrawn in place instead of the tree being rebuilt, and only when the
            # roll-ups are new (a check-in's own rows come before its roll-ups).
            self._scorecard = scorecard
            if previous.rollup is not scorecard.rollup or previous.due_counts is not (
                scorecard.due_counts
            ):
                self._count(scorecard)
                self._relabel()
            self.select_unit(current)
            return
        expanded = self._expanded_ids() if previous is not None else set()
        self._scorecard = scorecard
        # How deep each unit sits (the labels fit the width left at that depth), read once.
        depths = scorecard.closure.group_by("unit_id").agg(pl.col("depth").max())
        self._depths = dict(
            zip(depths["unit_id"].to_list(), depths["depth"].to_list(), strict=True)
        )
        units = by_name(scorecard.dataset.units)
        self._names = dict(zip(units["id"].to_list(), units["name"].to_list(), strict=True))
        children: dict[str, list[str]] = {}
        for parent, ids in (
            units.filter(pl.col("parent_id").is_not_null())
            .group_by("parent_id", maintain_order=True)
            .agg("id")
            .iter_rows()
        ):
            children[parent] = ids
        self._children = children
        self._count(scorecard)
        roots = units.filter(pl.col("parent_id").is_null())["id"].to_list()
        self.clear()
        if not roots:
            return
        root_id = roots[0]
        self.root.data = root_id
        self.root.set_label(self._label(root_id))
        expanded |= set(scorecard.path(current)[:-1]) | {root_id}
        self._fill(self.root, expanded)
        self.select_unit(current)

    def _count(self, scorecard: Scorecard) -> None:
        counts = scorecard.rollup.select(
            "unit_id", "subtree_on_track", "subtree_at_risk", "subtree_off_track"
        )
        self._badges = {row[0]: (row[1], row[2], row[3]) for row in counts.iter_rows()}
        owed = scorecard.due_counts.filter(pl.col("below") > 0)
        self._due = dict(zip(owed["unit_id"].to_list(), owed["below"].to_list(), strict=True))

    def _relabel(self) -> None:
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.data is not None:
                node.set_label(self._label(node.data))
            stack.extend(node.children)

    def _expanded_ids(self) -> set[str]:
        found: set[str] = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.is_expanded and node.data is not None:
                found.add(node.data)
            stack.extend(node.children)
        return found

    def _label(self, unit_id: str) -> Text:
        """The unit's name with its badges, fitted to the tree's width: the name is cut with
        an ellipsis before a count is, zero counts go first, and a count that still does not
        fit ends in an ellipsis (never "✗1" for ✗10)."""
        theme = palette(self.app)
        name = safe_text(self._names.get(unit_id, unit_id))
        badge = Text()
        due = self._due.get(unit_id, 0)
        if due:
            # How many goals owe a check-in here and below: first, so a narrow tree shows it.
            badge.append_text(due_mark(theme, str(due)))
        on, risk, off = self._badges.get(unit_id, (0, 0, 0))
        if on or risk or off:
            full = rollup_badge(on, risk, off, theme)
            depth = self._depths.get(unit_id, 0)
            room = self.size.width - 2 - 2 * depth - 1 if self.size.width else 0
            if room and cell_len(name.plain) + 1 + badge.cell_len + 1 + full.cell_len > room:
                full = rollup_badge(on, risk, off, theme, compact=True)
            if badge:
                badge.append(" ")
            badge.append_text(full)
        if not badge:
            return name
        depth = self._depths.get(unit_id, 0)
        room = self.size.width - 2 - 2 * depth - 1 if self.size.width else 0
        if room:
            if badge.cell_len > room - 5:
                badge.truncate(max(1, room - 5), overflow="ellipsis")
            name.truncate(max(4, room - badge.cell_len - 1), overflow="ellipsis")
        name.append(" ")
        name.append_text(badge)
        return name

    def on_resize(self) -> None:
        # The labels fit the width, which the layout gives only now (and on every resize).
        if self._scorecard is not None:
            self._relabel()

    def _fill(self, node: TreeNode[str], expanded: set[str]) -> None:
        unit_id = node.data
        if unit_id is None or node.children:
            return
        kids = self._children.get(unit_id, [])
        for kid in kids[:CHUNK]:
            child = node.add(self._label(kid), data=kid, allow_expand=kid in self._children)
            if kid in expanded:
                self._fill(child, expanded)
                child.expand()
        if len(kids) > CHUNK:
            self.call_later(self._add_rest, node, kids[CHUNK:])
        if unit_id in expanded:
            node.expand()

    def _add_rest(self, node: TreeNode[str], rest: list[str]) -> None:
        for kid in rest[:CHUNK]:
            node.add(self._label(kid), data=kid, allow_expand=kid in self._children)
        if len(rest) > CHUNK:
            self.call_later(self._add_rest, node, rest[CHUNK:])

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[str]) -> None:
        self._fill(event.node, set())

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.UnitChosen(event.node.data))

    def select_unit(self, unit_id: str) -> None:
        """Move the cursor to `unit_id`, opening its ancestors."""
        if self._scorecard is None:
            return
        node = self.root
        for step in self._scorecard.path(unit_id)[1:]:
            self._fill(node, set())
            node.expand()
            match = next((c for c in node.children if c.data == step), None)
            if match is None:
                return
            node = match
        self.move_cursor(node)
