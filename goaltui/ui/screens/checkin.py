"""The check-in form: one measurement typed in, checked as it is typed, committed to disk before
the form closes. `CheckinEditor` is the form itself (the check-in round reuses it);
`CheckinForm` shows it as a modal screen."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import polars as pl
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from goaltui.humanize import KOREAN_SUFFIX, has_hangul
from goaltui.i18n import N_, _, is_korean
from goaltui.model import Checkin, GoaltuiError, Period, PeriodUnit, ValidationError
from goaltui.store import rules
from goaltui.store.checkins import checkin_problems
from goaltui.store.dataset import Dataset
from goaltui.textsafe import safe_plain
from goaltui.ui.render import put_plain
from goaltui.ui.screens.confirm import dismiss_asking
from goaltui.ui.widgets.footer import GoalFooter
from goaltui.ui.widgets.goal_field import GoalField, find_goal

FIELDS = ("goal", "value", "date", "denominator", "confidence", "note")
"""The form's fields in order; each is an Input with this id."""

# checkin_problems names Checkin fields; the form names its inputs.
_FIELD_OF_PROBLEM = {"goal_id": "goal", "supersedes": "form", "author": "form"}


def parse_number(text: str, *, percent: bool = False) -> float | None:
    """`1250`, `1,250`, `14'500`, `-3.5` -> a float (the rule book's numbers; `73%` when
    `percent`, the goal being measured in %); empty text -> None; ValueError(reason)
    otherwise."""
    return rules.parse_number(text, percent=percent)


def parse_day(text: str, today: date) -> date:
    """`YYYY-MM-DD` -> a date (the rule book's dates) on or before `today`; ValueError with the
    reason otherwise."""
    day = rules.parse_date(text)
    if day > today:
        raise ValueError(_("after today ({today})").format(today=today.isoformat()))
    return day


def format_number(value: float) -> str:
    """`1250.0` -> `1,250`, `0.125` -> `0.125`: thousands separators, no trailing zeros."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


# Exact values (never rounded like the dashboard's 12.5억 원): the person checks what they typed.
_ENGLISH_UNITS = {"count": "", "%": "%"}


def with_unit(value: float, unit: str | None, *, korean: bool) -> str:
    """`1,250원`, `12건`, `80%`, `45 days`: the exact value and its unit, Korean units for
    Korean data."""
    suffix = (KOREAN_SUFFIX if korean else {}).get(unit or "")
    if suffix is None and korean and has_hangul(unit or ""):
        suffix = unit  # the goal's own counting word: `4,200명`
    if suffix is None:
        suffix = _ENGLISH_UNITS.get(unit or "", f" {unit}" if unit else "")
    return f"{format_number(value)}{suffix}"


def period_of(goal: Mapping[str, Any], day: date) -> Period | None:
    """The period of `goal` (a catalog row) that `day` falls in."""
    try:
        unit = PeriodUnit(str(goal.get("period_unit")))
    except ValueError:
        return None
    return Period.containing(unit, day)


def describe_checkin(checkin: Checkin, goals: pl.DataFrame) -> str:
    """`분기 매출 1,250 KRW for 2026-Q4`: the goal's name, the value with its unit, the period."""
    goal = find_goal(goals, checkin.goal_id)
    name = str(goal["name"]) if goal is not None and goal["name"] else checkin.goal_id
    if checkin.value is None:
        value = _("retracted")
    elif checkin.denominator is not None:
        value = f"{format_number(checkin.value)} / {format_number(checkin.denominator)}"
    else:
        unit = goal.get("measure_unit") if goal is not None else None
        value = with_unit(checkin.value, unit, korean=is_korean())
    period = period_of(goal, checkin.date) if goal is not None else None
    return _("{goal} {value} for {period}").format(
        goal=name, value=value, period=period.label if period else checkin.date.isoformat()
    )


def saved_message(checkin: Checkin, goals: pl.DataFrame) -> str:
    """The notification after a save: `Saved: 분기 매출 1,250 KRW for 2026-Q4`."""
    return _("Saved: {checkin}").format(checkin=describe_checkin(checkin, goals))


def describe_error(error: BaseException) -> str:
    """Why a save failed, in one or a few lines a person can act on."""
    if isinstance(error, ValidationError):
        return "; ".join(error.problems)
    if isinstance(error, GoaltuiError):
        return str(error)
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class FormReading:
    """What the form's texts say: the check-in they describe and what is wrong with them."""

    checkin: Checkin | None
    """The check-in to save; None when the goal or the date cannot be read."""
    reasons: dict[str, str] = field(default_factory=dict)
    """Field name (or `form`) -> why it is invalid; empty when the check-in can be saved."""
    goal: dict[str, Any] | None = None
    """The catalog row of the goal typed, when it is a goal."""


def read_form(
    texts: Mapping[str, str],
    *,
    goals: pl.DataFrame,
    dataset: Dataset,
    today: date,
    corrects: Checkin | None = None,
) -> FormReading:
    """Read the form's texts (field name -> text) into a check-in, with a reason per invalid
    field: the form's own parsing first, then the store's goal-level rules (checkin_problems)."""
    reasons: dict[str, str] = {}
    goal_id = texts.get("goal", "").strip()
    goal = find_goal(goals, goal_id) if goal_id else None
    if not goal_id:
        reasons["goal"] = _("choose a goal")
    elif goal is None:
        reasons["goal"] = _("unknown goal")
    elif goal.get("accepts_checkins") is False:
        reasons["goal"] = _("measured by KPI {kpi}: check in there").format(kpi=goal["measured_by"])

    in_percent = goal is not None and rules.takes_percent(
        goal.get("measure_unit"), goal.get("aggregation")
    )

    def number(name: str) -> float | None:
        try:
            return parse_number(texts.get(name, ""), percent=in_percent and name == "value")
        except ValueError as error:
            reasons[name] = str(error)
            return None

    value = number("value")
    if "value" not in reasons and value is None:
        reasons["value"] = _("a value is required")
    day: date | None = None
    try:
        day = parse_day(texts.get("date", ""), today)
    except ValueError as error:
        reasons["date"] = str(error)
    denominator = None
    if goal is not None and goal.get("aggregation") == "ratio":
        denominator = number("denominator")
        if "denominator" not in reasons and denominator is None:
            reasons["denominator"] = _("required for a ratio goal")
    # The range of a confidence and what a denominator of 0 allows are the rule book's, checked
    # with the goal's rules by checkin_problems below.
    confidence = number("confidence")
    note = texts.get("note", "").strip() or None
    if goal is None or day is None:
        return FormReading(None, reasons, goal)
    checkin = Checkin(
        goal_id=goal_id,
        date=day,
        value=value,
        denominator=denominator,
        confidence=confidence,
        note=note,
        author=corrects.author if corrects is not None else None,
        # Named so the store's rules see a correction (e.g. of an entry corrected already).
        supersedes=corrects.id if corrects is not None else None,
    )
    for key, why in checkin_problems(dataset, checkin, today=today).items():
        reasons.setdefault(_FIELD_OF_PROBLEM.get(key, key if key in FIELDS else "form"), why)
    return FormReading(checkin, reasons, goal)


@dataclass(frozen=True)
class SaveOutcome:
    """What the save worker reports: the stored check-in, or why it was not stored."""

    checkin: Checkin | None
    """The check-in as stored (with its id); None when the save failed."""
    error: str | None
    """Why the save failed, for people; None when it succeeded."""


def _initial_texts(goal_id: str | None, corrects: Checkin | None, as_of: date) -> dict[str, str]:
    if corrects is None:
        return {name: "" for name in FIELDS} | {"goal": goal_id or "", "date": as_of.isoformat()}

    def number(value: float | None) -> str:
        return "" if value is None else format_number(value)

    return {
        "goal": corrects.goal_id,
        "value": number(corrects.value),
        "date": corrects.date.isoformat(),
        "denominator": number(corrects.denominator),
        "confidence": number(corrects.confidence),
        "note": corrects.note or "",
    }


class CheckinEditor(Vertical):
    """The fields of one check-in, validated as they are typed, and the save.

    Posts `Saved` once the check-in is committed to disk, and `Skipped` when Tab is pressed on an
    empty value in a round (`skippable`). Cancelling is the screen's business."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            N_("Save"),
            id="checkin.save",
            tooltip=N_("Save this check-in; the form closes once it is on disk"),
        ),
        # Tab is a priority key: the App handles it in its own turn, after the keys typed before
        # it have reached their field and before the keys typed after it are handed on, so keys
        # sent at once (a paste, a fast typist) land each in its own field.
        Binding(
            "tab",
            "skip",
            N_("Skip (empty value)"),
            id="checkin.skip",
            priority=True,
            tooltip=N_("In a check-in round, Tab on an empty value skips the goal"),
        ),
        Binding(
            "tab",
            "next_field",
            N_("Next field"),
            id="checkin.next",
            priority=True,
            show=False,
            tooltip=N_("Move to the next field (in the goal field: take the suggestion)"),
        ),
    ]

    @dataclass
    class Saved(Message):
        """The check-in is committed to the database (as the store returned it, with its id)."""

        editor: CheckinEditor
        checkin: Checkin

        @property
        def control(self) -> CheckinEditor:
            return self.editor

    @dataclass
    class SaveRequested(Message):
        """Save `checkin` (as the correction of check-in `corrects`, when given): the App's
        worker writes it and answers with SaveAnswered. The form never touches the database."""

        editor: CheckinEditor
        checkin: Checkin
        corrects: str | None

        @property
        def control(self) -> CheckinEditor:
            return self.editor

    @dataclass
    class SaveAnswered(Message, bubble=False):
        """The App's answer to a SaveRequested: saved (with the stored check-in) or refused."""

        outcome: SaveOutcome

    @dataclass
    class Skipped(Message):
        """The person skipped this goal (Tab on an empty value in a round)."""

        editor: CheckinEditor
        goal_id: str

        @property
        def control(self) -> CheckinEditor:
            return self.editor

    def __init__(
        self,
        *,
        goals: pl.DataFrame,
        dataset: Dataset,
        as_of: date,
        today: date,
        goal_id: str | None = None,
        corrects: Checkin | None = None,
        previous: str | None = None,
        skippable: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._goals = goals
        self._dataset = dataset
        self._today = today
        self._corrects = corrects
        self._previous = previous
        self._skippable = skippable
        self._initial = _initial_texts(goal_id, corrects, as_of)
        # A correction keeps its goal; a round walks given goals.
        self._goal_locked = corrects is not None or skippable
        self._save_attempted = False
        self._saving = False
        self.reading = FormReading(None)
        """The latest reading of the fields."""

    def compose(self) -> ComposeResult:
        yield GoalField(self._goals, self._initial["goal"], locked=self._goal_locked)
        yield from self._row("value", _("Value"), _("e.g. 1,250"))
        yield from self._row("date", _("Date"), "YYYY-MM-DD")
        yield from self._row("denominator", _("Denominator"), _("for ratio goals"))
        yield from self._row("confidence", _("Confidence"), _("optional"))
        yield from self._row("note", _("Note"), _("optional"))
        yield Static(safe_plain(self._previous, multiline=True), id="previous", markup=False)
        yield Static("", id="checkin-status", markup=False)

    def _row(self, name: str, label: str, placeholder: str) -> ComposeResult:
        with Horizontal(classes="field-row", id=f"{name}-row"):
            yield Label(label, classes="field-label")
            # The rule book marks a field it refuses (-invalid); the widget's own validation
            # would clear that mark on every key and on leaving the field.
            yield Input(
                self._initial[name],
                id=name,
                compact=True,
                placeholder=placeholder,
                validate_on=(),
            )
            yield Static("", id=f"{name}-hint", classes="field-hint", markup=False)
            yield Static("", id=f"{name}-reason", classes="field-reason", markup=False)

    def on_mount(self) -> None:
        self.query_one("#previous").display = bool(self._previous)
        self._revalidate()
        self.query_one(self.first_field, Input).focus()

    @property
    def first_field(self) -> str:
        """The selector of the field the cursor starts in: the value when the goal is given."""
        return "#value" if self._initial["goal"] else "#goal"

    @property
    def texts(self) -> dict[str, str]:
        """The text of every field."""
        return {name: self.query_one(f"#{name}", Input).value for name in FIELDS}

    @property
    def is_dirty(self) -> bool:
        """Whether anything was typed since the form opened."""
        return self.texts != self._initial

    @property
    def is_saving(self) -> bool:
        """Whether a save is on its way to the database."""
        return self._saving

    @property
    def goal_id(self) -> str:
        """The goal id in the goal field."""
        return self.texts["goal"].strip()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._revalidate()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "note":
            self.action_save()
        else:
            self.screen.focus_next()

    def _revalidate(self) -> FormReading:
        texts = self.texts
        reading = read_form(
            texts,
            goals=self._goals,
            dataset=self._dataset,
            today=self._today,
            corrects=self._corrects,
        )
        self.reading = reading
        goal = reading.goal
        ratio = goal is not None and goal.get("aggregation") == "ratio"
        self.set_class(ratio, "-ratio")
        for name in FIELDS:
            shown = self._save_attempted or texts[name] != self._initial[name]
            reason = reading.reasons.get(name, "") if shown else ""
            put_plain(self, f"#{name}-reason", reason)
            self.query_one(f"#{name}", Input).set_class(bool(reason), "-invalid")
        unit = str(goal.get("measure_unit") or "") if goal is not None else ""
        put_plain(self, "#value-hint", _("numerator, {unit}").format(unit=unit) if ratio else unit)
        period = None
        if goal is not None and reading.checkin is not None:
            period = period_of(goal, reading.checkin.date)
        put_plain(self, "#date-hint", _("period {period}").format(period=period) if period else "")
        put_plain(self, "#confidence-hint", "0-10")
        general = reading.reasons.get("form", "")
        if not self._saving:
            if self._save_attempted and reading.reasons:
                self.show_status(general or _("Not saved: fix the fields marked"), error=True)
            elif general:
                self.show_status(general, error=True)
            else:
                self.show_status("")
        return reading

    def show_status(self, text: str, *, error: bool = False) -> None:
        """Put `text` on the status line under the fields."""
        put_plain(self, "#checkin-status", text, error=error)

    def action_save(self) -> None:
        """Save when every field is valid; otherwise show every reason and keep the form."""
        if self._saving:
            return
        self._save_attempted = True
        reading = self._revalidate()
        if reading.checkin is None or reading.reasons:
            first = next((name for name in FIELDS if name in reading.reasons), None)
            target = self.query_one(f"#{first}", Input) if first else None
            if target is not None and not target.disabled and target.display:
                target.focus()
            return
        self._saving = True
        self.show_status("Saving...")
        corrects = self._corrects.id if self._corrects is not None else None
        self.post_message(self.SaveRequested(self, reading.checkin, corrects))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Outside a round, Tab is no key of the editor's: it falls through to the screen.
        if action == "skip":
            return self._skippable
        return True

    async def _typed_so_far(self) -> None:
        """Wait until the focused field has handled every key handed to it before this one."""
        focused = self.screen.focused
        if focused is not None:
            handled = asyncio.Event()
            focused.call_later(handled.set)
            await handled.wait()

    async def action_skip(self) -> None:
        """In a round, Tab on an empty value skips the goal; anywhere else Tab moves on."""
        await self._typed_so_far()
        focused = self.screen.focused
        value = self.query_one("#value", Input)
        if not self._skippable or focused is not value or value.value.strip() or self._saving:
            self._next_field()
            return
        self.post_message(self.Skipped(self, self.goal_id))

    async def action_next_field(self) -> None:
        """Tab: the next field, once the keys typed before it are in this one."""
        await self._typed_so_far()
        self._next_field()

    def _next_field(self) -> None:
        goal_field = self.query_one(GoalField)
        if self.screen.focused is goal_field.query_one("#goal", Input):
            goal_field.accept()  # the exact id or the highlighted suggestion, if any
        self.screen.focus_next()

    def on_checkin_editor_save_answered(self, message: SaveAnswered) -> None:
        self._saving = False
        outcome = message.outcome
        if outcome.checkin is not None:
            self.show_status(_("Saved"))
            self.post_message(self.Saved(self, outcome.checkin))
        else:
            self.show_status(_("Not saved: {reason}").format(reason=outcome.error), error=True)


class CheckinForm(ModalScreen[Checkin | None]):
    """Enter one check-in (or correct one). Dismisses with the saved check-in once it is on
    disk, or None when cancelled."""

    CSS_PATH = "checkin.tcss"
    AUTO_FOCUS = ""
    # The editor focuses its first field itself; an App's AUTO_FOCUS must not leak in here.

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            N_("Cancel"),
            id="checkin.cancel",
            tooltip=N_("Close without saving; asks first when something was typed"),
        ),
    ]

    def __init__(
        self,
        *,
        goals: pl.DataFrame,
        dataset: Dataset,
        as_of: date,
        today: date,
        goal_id: str | None = None,
        corrects: Checkin | None = None,
        previous: str | None = None,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self._editor_args: dict[str, Any] = {
            "goals": goals,
            "dataset": dataset,
            "as_of": as_of,
            "today": today,
            "goal_id": goal_id,
            "corrects": corrects,
            "previous": previous,
        }
        self._corrects = corrects

    def compose(self) -> ComposeResult:
        with Vertical(id="checkin-dialog") as dialog:
            if self._corrects is not None:
                dialog.border_title = _("Correct the check-in of {date}").format(
                    date=self._corrects.date.isoformat()
                )
            else:
                dialog.border_title = _("Check in")
            yield CheckinEditor(**self._editor_args)
        yield GoalFooter()

    @property
    def editor(self) -> CheckinEditor:
        """The form's fields."""
        return self.query_one(CheckinEditor)

    def focus_first_field(self) -> None:
        """Put the cursor in the first field now (not on the next turn of the event loop), so
        that keys already typed land there."""
        editor = self.editor
        self.set_focus(editor.query_one(editor.first_field, Input))

    def action_cancel(self) -> None:
        """Close without saving; ask first when something was typed."""
        editor = self.editor
        if editor.is_saving:
            editor.show_status(_("Saving... the form closes when it is on disk"))
            return
        dismiss_asking(self, typed=editor.is_dirty)

    @on(CheckinEditor.Saved)
    def _saved(self, event: CheckinEditor.Saved) -> None:
        self.dismiss(event.checkin)
