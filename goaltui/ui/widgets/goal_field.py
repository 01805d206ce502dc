"""The goal field of the check-in form: type a goal id or part of a name (any language), pick one
of the suggestions listed below it. Tab or Enter accepts the exact id or the highlighted
suggestion and moves on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from goaltui.i18n import N_, _, translated
from goaltui.model.enums import PERIOD_UNIT_WORDS
from goaltui.textsafe import safe_plain
from goaltui.ui.palette import fuzzy_pattern

SUGGESTION_LIMIT = 6
"""How many suggestions the field lists at most."""


def find_goal(goals: pl.DataFrame, goal_id: str) -> dict[str, Any] | None:
    """The catalog row of `goal_id`, or None."""
    rows = goals.filter(pl.col("goal_id") == goal_id)
    return rows.row(0, named=True) if rows.height else None


def suggest_goals(goals: pl.DataFrame, query: str, limit: int = SUGGESTION_LIMIT) -> pl.DataFrame:
    """The goals of the catalog frame `goals` that match `query`, best first, at most `limit`.

    Matching ignores case and ranks: the exact id, an id prefix, a name prefix, the query
    anywhere in the id or name, then the query's characters in order (a fuzzy match). Ties go to
    the shorter id. An empty query matches nothing."""
    needle = query.strip().lower()
    if not needle:
        return goals.head(0)
    goal_id = pl.col("goal_id").str.to_lowercase()
    name = pl.col("name").fill_null("").str.to_lowercase()
    fuzzy = fuzzy_pattern(needle)
    rank = (
        pl.when(goal_id == needle)
        .then(0)
        .when(goal_id.str.starts_with(needle))
        .then(1)
        .when(name.str.starts_with(needle))
        .then(2)
        .when(goal_id.str.contains(needle, literal=True) | name.str.contains(needle, literal=True))
        .then(3)
        .when(goal_id.str.contains(fuzzy) | name.str.contains(fuzzy))
        .then(4)
    )
    return (
        goals.with_columns(_rank=rank)
        .filter(pl.col("_rank").is_not_null())
        .sort("_rank", pl.col("goal_id").str.len_chars(), "goal_id")
        .head(limit)
        .drop("_rank")
    )


def describe_goal(goal: dict[str, Any]) -> str:
    """One line naming a catalog row: `분기 매출 (KPI, quarter)` or `가입 전환율 (KR, 2026-Q4)`,
    shown literally (`safe_plain`)."""
    name = safe_plain(goal["name"])
    if goal["kind"] == "kr":
        where = goal.get("objective_period") or goal.get("period_unit") or ""
        return _("{name} (KR, {where})").format(name=name, where=where)
    unit = goal.get("period_unit") or ""
    words = translated(PERIOD_UNIT_WORDS[unit]) if unit in PERIOD_UNIT_WORDS else unit
    return _("{name} (KPI, {period})").format(name=name, period=words)


def _accepts(goal: dict[str, Any]) -> bool:
    return goal.get("accepts_checkins") is not False


class GoalField(Vertical):
    """A labelled goal input, a line saying which goal it is, and suggestions while typing.

    A key result measured by a KPI takes no check-ins of its own: accepting it puts the KPI in
    the field and says so (`redirected_from` holds the key result's id)."""

    DEFAULT_CSS = """
    GoalField {
        height: auto;
    }
    GoalField > #goal-info {
        height: 1;
        margin-left: 13;
        margin-right: 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    GoalField > #goal-suggestions {
        display: none;
        height: auto;
        max-height: 8;
        margin-left: 13;
        border: none;
        padding: 0;
        background: $surface;
    }
    GoalField > #goal-suggestions.-visible {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "accept",
            N_("Accept goal"),
            show=False,
            id="checkin.goal_accept",
            tooltip=N_("Take the exact id or the highlighted suggestion and move on"),
        ),
        Binding(
            "down",
            "suggestion(1)",
            N_("Next suggestion"),
            show=False,
            id="checkin.goal_next",
            tooltip=N_("Highlight the next suggestion"),
        ),
        Binding(
            "up",
            "suggestion(-1)",
            N_("Previous suggestion"),
            show=False,
            id="checkin.goal_previous",
            tooltip=N_("Highlight the previous suggestion"),
        ),
    ]

    @dataclass
    class Accepted(Message):
        """A goal was accepted with Tab, Enter or a click on a suggestion."""

        field: GoalField
        goal_id: str

        @property
        def control(self) -> GoalField:
            return self.field

    def __init__(
        self,
        goals: pl.DataFrame,
        value: str = "",
        *,
        locked: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._goals = goals
        self._initial = value
        self._locked = locked
        self.redirected_from: str | None = None
        """The key result whose KPI was put in the field in its place, if any."""
        self._set_by_code: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row", id="goal-row"):
            yield Label(_("Goal"), classes="field-label")
            yield Input(
                self._initial,
                id="goal",
                compact=True,
                placeholder=_("id or part of a name"),
                disabled=self._locked,
                validate_on=(),  # the form marks what the rule book refuses
            )
            yield Static("", id="goal-hint", classes="field-hint", markup=False)
            yield Static("", id="goal-reason", classes="field-reason", markup=False)
        yield Static("", id="goal-info", markup=False)
        yield OptionList(id="goal-suggestions")

    def on_mount(self) -> None:
        # The list is read from the input's keys; focusing it would take the caret away.
        self.query_one(OptionList).can_focus = False
        self._show_info()

    @property
    def input(self) -> Input:
        """The text input."""
        return self.query_one("#goal", Input)

    @property
    def text(self) -> str:
        """What is typed, without surrounding spaces."""
        return self.input.value.strip()

    def goal(self, goal_id: str | None = None) -> dict[str, Any] | None:
        """The catalog row of `goal_id` (default: the text typed), or None when there is none."""
        return find_goal(self._goals, self.text if goal_id is None else goal_id)

    def accept(self) -> str | None:
        """Put the exact goal, else the highlighted suggestion, in the field; a key result
        measured by a KPI becomes that KPI. Returns the goal id, or None when nothing matches."""
        goal = self.goal()
        if goal is None:
            suggestions = self.query_one(OptionList)
            option = suggestions.highlighted_option
            if option is None or not suggestions.has_class("-visible"):
                top = suggest_goals(self._goals, self.text, 1)
                if top.height == 0:
                    return None
                goal = top.row(0, named=True)
            else:
                goal = self.goal(option.id)
            if goal is None:
                return None
        goal_id = str(goal["goal_id"])
        redirected = None
        if not _accepts(goal) and goal.get("measured_by"):
            redirected, goal_id = goal_id, str(goal["measured_by"])
        if self.input.value != goal_id:
            self._set_by_code = goal_id
            self.input.value = goal_id
            self.input.cursor_position = len(goal_id)
        self.redirected_from = redirected
        self._hide_suggestions()
        self._show_info()
        self.post_message(self.Accepted(self, goal_id))
        return goal_id

    def action_accept(self) -> None:
        """Tab: accept and move on; with nothing to accept, Tab just moves on."""
        if self.accept() is None:
            raise SkipAction()
        self.screen.focus_next()

    def action_suggestion(self, step: int) -> None:
        """Move the highlight through the suggestions (wrapping)."""
        suggestions = self.query_one(OptionList)
        if not suggestions.has_class("-visible") or suggestions.option_count == 0:
            raise SkipAction()
        current = suggestions.highlighted if suggestions.highlighted is not None else -step
        suggestions.highlighted = (current + step) % suggestions.option_count

    @on(Input.Changed, "#goal")
    def _typed(self, event: Input.Changed) -> None:
        if event.value != self._set_by_code:
            self.redirected_from = None
        self._set_by_code = None
        self._refresh_suggestions()
        self._show_info()

    @on(Input.Submitted, "#goal")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        if self.accept() is not None:
            self.screen.focus_next()

    @on(OptionList.OptionSelected, "#goal-suggestions")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.input.focus()
        if self.accept() is not None:
            self.screen.focus_next()

    def on_descendant_focus(self) -> None:
        self._refresh_suggestions()

    def on_descendant_blur(self) -> None:
        self._hide_suggestions()

    def _hide_suggestions(self) -> None:
        self.query_one(OptionList).remove_class("-visible")

    def _refresh_suggestions(self) -> None:
        suggestions = self.query_one(OptionList)
        goal = self.goal()
        if not self.input.has_focus or not self.text or (goal is not None and _accepts(goal)):
            self._hide_suggestions()
            return
        found = suggest_goals(self._goals, self.text)
        suggestions.set_options(
            Option(self._prompt(row), id=str(row["goal_id"])) for row in found.iter_rows(named=True)
        )
        if found.height:
            suggestions.highlighted = 0
        suggestions.set_class(found.height > 0, "-visible")

    @staticmethod
    def _prompt(goal: dict[str, Any]) -> Text:
        text = Text.assemble((safe_plain(goal["goal_id"]), "bold"), "  ", describe_goal(goal))
        if not _accepts(goal) and goal.get("measured_by"):
            text.append(safe_plain(f" via {goal['measured_by']}"), style="italic")
        return text

    def _show_info(self) -> None:
        goal = self.goal()
        if goal is None:
            text = ""
        elif self.redirected_from is not None:
            text = f"{describe_goal(goal)}, counts for KR {self.redirected_from}"
        elif not _accepts(goal):
            text = (
                f"{describe_goal(goal)} is measured by KPI {goal['measured_by']}: "
                "Tab checks in there"
            )
        else:
            text = describe_goal(goal)
        text = safe_plain(text)
        info = self.query_one("#goal-info", Static)
        if str(info.content) != text:
            info.update(text)
        info.display = bool(text)
