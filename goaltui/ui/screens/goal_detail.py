"""One goal: its history as a chart, the full check-in log, its status in words, its cascade."""

from __future__ import annotations

import string
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar, cast

import polars as pl
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from goaltui.humanize import percent, quantity
from goaltui.i18n import N_, _, translated
from goaltui.metrics.scorecard import Scorecard, goal_history
from goaltui.model.enums import AGGREGATION_WORDS, PERIOD_UNIT_WORDS, STATUS_WORDS
from goaltui.model.period import Period
from goaltui.model.types import Checkin
from goaltui.store.dataset import Dataset
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.authoring import DefinitionHistoryReady
from goaltui.ui.messages import StateChanged
from goaltui.ui.render import palette, status_text
from goaltui.ui.screens.definition_history import history_text
from goaltui.ui.widgets.footer import GoalFooter
from goaltui.ui.widgets.header import DashboardHeader
from goaltui.ui.widgets.history_chart import HistoryChart
from goaltui.ui.widgets.tables import highlighted_key

if TYPE_CHECKING:
    from goaltui.ui.app import GoalApp

LOG_STATES = {
    "active": "",
    "corrected": N_("corrected"),
    "retracted": N_("retracted"),
    "correction": N_("correction"),
    "retraction": N_("retraction"),
}


class CheckinLog(DataTable[Text | str]):
    """Every check-in of the goal, newest first, corrections and retractions shown as such."""

    HELP = N_(
        "The goal's check-ins. e: correct the highlighted one, d: retract it, u: undo your last."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e", "screen.correct", N_("Correct"), id="log-correct", tooltip=N_("Correct this entry")
        ),
        Binding(
            "d", "screen.retract", N_("Retract"), id="log-retract", tooltip=N_("Retract this entry")
        ),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]

    @property
    def checkin_id(self) -> str | None:
        """The highlighted check-in's id."""
        return highlighted_key(self)


class GoalDetailScreen(Screen[None]):
    """Detail of one KPI or key result."""

    CSS_PATH = "goal_detail.tcss"
    AUTO_FOCUS = "#log"
    HELP = N_(
        "One goal: its periods (bar = actual, | = target), its check-ins and its cascade. "
        "{detail-back} goes back; {checkin} checks in; in the log {log-correct} corrects, "
        "{log-retract} retracts; {undo} undoes your last check-in; {enter} in the cascade "
        "opens that goal."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", N_("Back"), id="detail-back", tooltip=N_("Back")),
        # The dashboard's ids: remapping `checkin` or `undo` in the config moves these too.
        Binding(
            "c",
            "checkin",
            N_("Check in"),
            id="checkin",
            priority=True,
            tooltip=N_("Check in this goal"),
        ),
        Binding("u", "app.undo", N_("Undo"), id="undo", tooltip=N_("Undo your last check-in")),
        Binding(
            "E",
            "edit",
            N_("Edit"),
            id="edit",
            priority=True,
            show=False,
            tooltip=N_("Edit this definition"),
        ),
    ]

    scorecard: reactive[Scorecard | None] = reactive(None, init=False, always_update=True)
    """The app's figures, as last received; replaced after every write or reload."""

    @dataclass
    class RetractRequested(Message):
        """Retract a check-in (after the user confirms)."""

        checkin_id: str

    @dataclass
    class LogRequested(Message):
        """Read this goal's check-in log (the App answers with LogReady)."""

        screen: GoalDetailScreen
        goal_id: str

    @dataclass
    class LogReady(Message, bubble=False):
        """A goal's check-in log as read from the database (checkin_log's columns)."""

        goal_id: str
        log: pl.DataFrame

    def __init__(self, goal_id: str, scorecard: Scorecard) -> None:
        super().__init__()
        self.goal_id = goal_id
        """The goal shown."""
        self.set_reactive(GoalDetailScreen.scorecard, scorecard)
        self._log = pl.DataFrame()
        self._log_context: tuple[Scorecard, dict[str, object], dict[str, str]] | None = None
        self._shown: tuple[Dataset, date] | None = None
        """The dataset and as-of date the log, cascade and history were drawn from."""

    def compose(self) -> ComposeResult:
        yield DashboardHeader(id="header")
        with VerticalScroll(id="detail-body"):
            yield Static(id="summary")
            yield Static(id="confidence")
            yield Label(_("History"), classes="section")
            yield HistoryChart(id="chart")
            with Horizontal(id="lower"):
                with Vertical(id="log-box"):
                    yield Label(_("Check-ins"), classes="section")
                    yield CheckinLog(id="log")
                    yield Static(id="log-note")
                with Vertical(id="cascade-box"):
                    yield Label(_("Cascade"), classes="section")
                    yield OptionList(id="cascade")
            yield Label(_("Changes to the definition"), classes="section")
            yield Static(id="definition-history")
        yield GoalFooter()

    def on_mount(self) -> None:
        self._refresh_all()
        self._request_history()

    def _request_history(self) -> None:
        # Read on demand, by an App worker: the dashboard never loads the history.
        kind = self._kind()
        if kind is not None:
            cast("GoalApp", self.app).request_definition_history(self, kind, self.goal_id)

    def _kind(self) -> str | None:
        scorecard = self.scorecard
        if scorecard is None:
            return None
        rows = scorecard.catalog.filter(pl.col("goal_id") == self.goal_id)
        return str(rows["kind"][0]) if rows.height else None

    def on_definition_history_ready(self, message: DefinitionHistoryReady) -> None:
        if message.row_id == self.goal_id:
            self.query_one("#definition-history", Static).update(history_text(message.changes))

    async def action_edit(self) -> None:
        kind = self._kind()
        if kind is not None:
            await cast("GoalApp", self.app).edit_definition(kind, self.goal_id)

    def on_state_changed(self, message: StateChanged) -> None:
        if message.scorecard is not self.scorecard:
            self.scorecard = message.scorecard

    def watch_scorecard(self) -> None:
        if self.is_mounted:
            self._refresh_all()

    def _refresh_all(self) -> None:
        scorecard = self.scorecard
        if scorecard is None:
            return
        header = self.query_one(DashboardHeader)
        header.as_of = scorecard.as_of
        catalog = scorecard.catalog.filter(pl.col("goal_id") == self.goal_id)
        if catalog.is_empty():
            self.query_one("#summary", Static).update(
                safe_text(_("No goal {goal!r}.").format(goal=self.goal_id))
            )
            return
        goal = catalog.row(0, named=True)
        names = scorecard.unit_names
        header.breadcrumb = (
            *(names.get(u, u) for u in scorecard.path(goal["unit_id"])),
            goal["name"],
        )
        self._show_summary(scorecard, goal)
        # The trends arrive as a second scorecard over the same dataset: only the summary changes.
        shown = self._shown
        if shown is not None and shown[0] is scorecard.dataset and shown[1] == scorecard.as_of:
            return
        self._shown = (scorecard.dataset, scorecard.as_of)
        # The log is read on demand: the dataset carries check-ins aggregated, not one by one.
        self._log_context = (scorecard, goal, names)
        self.post_message(self.LogRequested(self, self.goal_id))
        self._show_cascade(scorecard, goal)
        if shown is not None:
            self._request_history()  # the definition may have changed
        self._load_history(scorecard)

    def _show_summary(self, scorecard: Scorecard, goal: dict[str, object]) -> None:
        theme = palette(self.app)
        current = scorecard.goals.filter(pl.col("goal_id") == self.goal_id)
        text = Text()
        text.append(safe_plain(goal["name"]), style="bold")
        kind = _("kpi") if goal["kind"] == "kpi" else _("kr")
        text.append(safe_plain(f"   {kind} {self.goal_id}"), style="dim")
        unit = goal["measure_unit"] if isinstance(goal["measure_unit"], str) else None
        direction = _("at least") if goal["direction"] == "at_least" else _("at most")
        text.append(
            "\n"
            + _("{direction}, {aggregation} of check-ins per {period}").format(
                direction=direction,
                aggregation=translated(AGGREGATION_WORDS.get(str(goal["aggregation"]), "")),
                period=translated(PERIOD_UNIT_WORDS.get(str(goal["period_unit"]), "")),
            )
        )
        if goal["target_mode"] == "change_pct":
            text.append(_(", target as a percentage change on the previous period's actual"))
        if current.height:
            row = current.row(0, named=True)
            text.append("\n" + _("Now:") + " ")
            text.append_text(status_text(row["status"], theme))
            text.append("  " + _("in {period}").format(period=row["period"]))
            if row["actual"] is not None:
                actual = quantity(row["actual"], unit, korean=scorecard.korean)
                text.append("  " + _("actual {value}").format(value=safe_plain(actual)))
            if row["target"] is not None:
                target = quantity(row["target"], unit, korean=scorecard.korean)
                text.append("  " + _("target {value}").format(value=safe_plain(target)))
            if row.get("kind") == "kr" and isinstance(row.get("score"), float):
                text.append("\n")
                text.append_text(_score_words(row, unit, korean=scorecard.korean))
            expected = _expected_progress(row, unit, korean=scorecard.korean)
            if expected is not None:
                text.append("\n")
                text.append_text(expected)
            # The forecast in words with the numbers as the panes show them; the computed
            # sentence where there is no forecast to put so.
            forecast = forecast_words(row, unit, korean=scorecard.korean)
            explanation = row.get("explanation")
            words = forecast or safe_plain(explanation or _status_words(row), multiline=True)
            text.append(f"\n{words}", style="italic")
        else:
            text.append(
                "\n" + _("Not measured in the period containing the as-of date."), style="dim"
            )
        self.query_one("#summary", Static).update(text)

    def _show_log(
        self, scorecard: Scorecard, goal: dict[str, object], names: dict[str, str]
    ) -> None:
        table = self.query_one(CheckinLog)
        keep = table.checkin_id
        table.clear(columns=True)
        for key, label in (
            ("date", N_("Date")),
            ("value", N_("Value")),
            ("confidence", N_("Conf")),
            # The state before the free text: a long note never hides it.
            ("state", N_("State")),
            ("note", N_("Note")),
            ("author", N_("Author")),
            ("recorded_at", N_("Entered")),
        ):
            table.add_column(translated(label), key=key)
        unit = goal["measure_unit"] if isinstance(goal["measure_unit"], str) else None
        entries = {str(row["id"]): row for row in self._log.iter_rows(named=True)}

        def shown_value(row: dict[str, object] | None) -> str:
            if row is None or not isinstance(row["value"], float):
                return ""
            return quantity(row["value"], unit, korean=scorecard.korean)

        for row in self._log.iter_rows(named=True):
            state = row["state"]
            style = "strike dim" if state in ("corrected", "retracted") else ""
            value = (
                ""
                if row["value"] is None
                else quantity(row["value"], unit, korean=scorecard.korean)
            )
            if row.get("denominator") is not None:
                value = f"{row['value']:g} / {row['denominator']:g}"
            # Notes and names are data: Text cells, never markup strings.
            table.add_row(
                safe_text(row["date"], style),
                safe_text(value, style),
                safe_text("" if row["confidence"] is None else f"{row['confidence']:g}"),
                _state_cell(row, entries, shown_value, scorecard.as_of, goal),
                _short_note(row["note"]),
                safe_text(names.get(row["author"], row["author"] or "")),
                safe_text(str(row["recorded_at"])[:16]),
                key=row["id"],
            )
        if keep is not None and keep in self._log["id"].to_list():
            table.move_cursor(row=table.get_row_index(keep))
        self._show_note()
        trend = confidence_trend(self._log, scorecard.as_of)
        confidence = self.query_one("#confidence", Static)
        confidence.update(trend)
        confidence.display = bool(trend.plain)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, CheckinLog):
            self._show_note()

    def _show_note(self) -> None:
        """The highlighted entry's note in full, every line, under the log."""
        row = self._highlighted()
        panel = self.query_one("#log-note", Static)
        if row is None:
            panel.update("")
            return
        note = safe_plain(row["note"], multiline=True).strip()
        if not note:
            panel.update(
                Text(_("No note on the check-in of {date}.").format(date=row["date"]), style="dim")
            )
            return
        # The note is data: a Text of its own, never markup.
        header = _("Note of {date}:").format(date=row["date"])
        panel.update(Text.assemble((header, "dim"), "\n", note))

    def on_goal_detail_screen_log_ready(self, message: GoalDetailScreen.LogReady) -> None:
        if message.goal_id != self.goal_id or self._log_context is None:
            return
        self._log = message.log
        self._show_log(*self._log_context)

    def _show_cascade(self, scorecard: Scorecard, goal: dict[str, object]) -> None:
        catalog = scorecard.catalog
        options: list[Option] = []
        parent = goal.get("parent_id")
        if goal["kind"] == "kpi":
            if isinstance(parent, str):
                options += self._options(catalog.filter(pl.col("goal_id") == parent), _("parent"))
            options += self._options(
                catalog.filter((pl.col("parent_id") == self.goal_id) & (pl.col("kind") == "kpi")),
                _("child"),
            )
            options += self._options(catalog.filter(pl.col("kpi_id") == self.goal_id), _("used by"))
        else:
            kpi = goal.get("kpi_id")
            if isinstance(kpi, str):
                options += self._options(catalog.filter(pl.col("goal_id") == kpi), _("measured by"))
            objective = goal["objective_id"]
            options += self._options(
                catalog.filter(
                    (pl.col("objective_id") == objective) & (pl.col("goal_id") != self.goal_id)
                ),
                _("sibling"),
            )
            if isinstance(parent, str):
                options += self._options(
                    catalog.filter(pl.col("objective_id") == parent), _("parent objective")
                )
            children = scorecard.dataset.objectives.filter(pl.col("parent_id") == objective)["id"]
            options += self._options(
                catalog.filter(pl.col("objective_id").is_in(children.implode())), _("aligned below")
            )
        cascade = self.query_one("#cascade", OptionList)
        cascade.clear_options()
        if options:
            cascade.add_options(options)
        else:
            cascade.add_option(
                Option(Text(_("Nothing linked to this goal."), style="dim"), disabled=True)
            )

    @staticmethod
    def _options(rows: pl.DataFrame, relation: str) -> list[Option]:
        return [
            Option(Text.assemble((f"{relation}: ", "dim"), safe_plain(name)), id=goal_id)
            for goal_id, name in rows.select("goal_id", "name").iter_rows()
        ]

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def _load_history(self, scorecard: Scorecard) -> None:
        history = goal_history(scorecard.dataset, self.goal_id, scorecard.as_of)
        self.app.call_from_thread(
            self.query_one(HistoryChart).show, history, korean=scorecard.korean
        )

    # Actions

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and self.scorecard is not None:
            self.app.switch_screen(GoalDetailScreen(event.option.id, self.scorecard))

    def action_back(self) -> None:
        self.dismiss()

    async def action_checkin(self) -> None:
        # A call, not a message: the form must be open before the next key is handled.
        await cast("GoalApp", self.app).open_checkin(self.goal_id)

    def _highlighted(self) -> dict[str, object] | None:
        checkin_id = self.query_one(CheckinLog).checkin_id
        if checkin_id is None:
            return None
        rows = self._log.filter(pl.col("id") == checkin_id)
        return rows.row(0, named=True) if rows.height else None

    async def action_correct(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        if row["state"] != "active" and row["state"] != "correction":
            self.notify(
                _("Only a check-in that still counts can be corrected."), severity="warning"
            )
            return
        value = row["value"]
        await cast("GoalApp", self.app).open_checkin(
            str(row["goal_id"]),
            corrects=Checkin(
                goal_id=str(row["goal_id"]),
                date=row["date"],  # type: ignore[arg-type]
                value=value if isinstance(value, float) else None,
                denominator=row["denominator"],  # type: ignore[arg-type]
                confidence=row["confidence"],  # type: ignore[arg-type]
                note=row["note"],  # type: ignore[arg-type]
                author=row["author"],  # type: ignore[arg-type]
                id=str(row["id"]),
            ),
        )

    def action_retract(self) -> None:
        row = self._highlighted()
        if row is None:
            return
        if row["state"] != "active" and row["state"] != "correction":
            self.notify(_("This entry no longer counts; nothing to retract."), severity="warning")
            return
        self.post_message(self.RetractRequested(str(row["id"])))


NOTE_WIDTH = 24
"""The widest note in the check-in table: a long note never pushes the State column out (the
panel under the log shows the highlighted note in full)."""


def _short_note(note: object) -> Text:
    """A note's first line, cut with an ellipsis to NOTE_WIDTH (a note of several lines ends in
    an ellipsis too)."""
    plain = safe_plain(note, multiline=True)
    first, _newline, rest = plain.partition("\n")
    text = Text(first + (" …" if rest else ""))
    text.truncate(NOTE_WIDTH, overflow="ellipsis")
    return text


def _state_cell(
    row: dict[str, object],
    entries: dict[str, dict[str, object]],
    shown_value: Callable[[dict[str, object] | None], str],
    as_of: date,
    goal: dict[str, object],
) -> Text:
    """The State cell: a correction names what it corrects (`corrects 4.6 -> 9`, with the
    corrected entry's date when it differs), the corrected entry what corrected it, so the
    pair never reads as a duplicate."""
    state = str(row["state"])
    counted = _log_state(row, state, as_of, goal)
    if state in ("corrected", "retracted"):
        later = entries.get(str(row.get("superseded_by")))
        if later is None:
            return Text(counted, style="italic dim")
        if state == "corrected" and later["date"] == row["date"]:
            # The pair sits together (same date): the value says enough.
            words = _("corrected by {value}").format(value=shown_value(later))
        elif state == "corrected":
            words = _("corrected by {date} {value}").format(
                date=later["date"], value=shown_value(later)
            )
        else:
            words = _("retracted on {date}").format(date=later["date"])
        return safe_text(words, "italic dim")
    earlier = entries.get(str(row.get("supersedes")))
    if state in ("correction", "retraction") and earlier is not None:
        if state == "correction" and earlier["date"] == row["date"]:
            words = _("corrects {old} -> {new}").format(
                old=shown_value(earlier), new=shown_value(row)
            )
        elif state == "correction":
            words = _("corrects {date} {old} -> {new}").format(
                date=earlier["date"], old=shown_value(earlier), new=shown_value(row)
            )
        else:
            words = _("retracts {date} {value}").format(
                date=earlier["date"], value=shown_value(earlier)
            )
        if counted != translated(LOG_STATES[state]):
            words = _("{change}; {counted}").format(change=words, counted=counted)
        return safe_text(words, "italic bold")
    return safe_text(counted, "italic")


def confidence_trend(log: pl.DataFrame, as_of: date, *, last: int = 6) -> Text:
    """The confidence the check-ins gave, oldest to newest up to `as_of`, as a series:
    `Confidence: 7 (10-01) -> 6 (10-15) -> 4 (11-01)`; empty when none gave one."""
    if log.is_empty():
        return Text("")
    given = (
        log.filter(
            pl.col("state").is_in(["active", "correction"])
            & pl.col("confidence").is_not_null()
            & (pl.col("date") <= as_of)
        )
        .sort("date", "seq")
        .select("date", "confidence")
    )
    if given.is_empty():
        return Text("")
    years = {day.year for day in given["date"]}
    steps = [
        f"{confidence:g} ({day.isoformat()[5:] if len(years) == 1 else day.isoformat()})"
        for day, confidence in given.tail(last).iter_rows()
    ]
    text = Text.assemble((_("Confidence:") + " ", "bold"))
    if given.height > last:
        text.append(_("(last {count})").format(count=last) + " ", style="dim")
    text.append(" -> ".join(steps))
    return text


def _log_state(row: dict[str, object], state: str, as_of: date, goal: dict[str, object]) -> str:
    """The entry's state, and why a counted entry is not counted in the figures: dated after
    the as-of date, or outside its objective's period."""
    shown = translated(LOG_STATES.get(state, state))
    day = row.get("date")
    if state in ("corrected", "retracted") or not isinstance(day, date):
        return shown
    if day > as_of:
        return _("not counted: after as-of")
    label = goal.get("objective_period")
    if isinstance(label, str):
        with suppress(ValueError):
            period = Period.parse(label)
            if not period.contains(day):
                return _("not counted: outside {period}").format(period=period.label)
    return shown


def _score_words(row: dict[str, object], unit: str | None, *, korean: bool) -> Text:
    """A key result's OKR score and what it is measured from: `score 0.62 (from baseline 40)`."""
    score = row["score"]
    assert isinstance(score, float)
    text = Text(_("KR score "))
    text.append(f"{score:.2f}", style="bold")
    baseline = row.get("baseline")
    if isinstance(baseline, float):
        shown = safe_plain(quantity(baseline, unit, korean=korean))
        text.append(" " + _("(from baseline {baseline})").format(baseline=shown))
    else:
        text.append(" " + _("(no baseline: the share of the target reached)"))
    return text


def forecast_words(row: dict[str, object], unit: str | None, *, korean: bool) -> str | None:
    """The forecast in words with formatted numbers: `forecast 1.53M CHF, above the 1.2M CHF
    target (127%)`; None without a forecast or a target."""
    forecast, target = row.get("forecast"), row.get("target")
    achievement = row.get("forecast_achievement")
    if not (
        isinstance(forecast, float)
        and isinstance(target, float)
        and isinstance(achievement, float)
        and row.get("is_current")
    ):
        return None
    values = {
        "forecast": safe_plain(quantity(forecast, unit, korean=korean)),
        "target": safe_plain(quantity(target, unit, korean=korean)),
        "achievement": percent(achievement),
    }
    if row.get("direction") == "at_most":
        if achievement >= 1:
            return _("forecast {forecast}, within the {target} limit ({achievement})").format(
                **values
            )
        return _("forecast {forecast}, over the {target} limit ({achievement})").format(**values)
    if achievement >= 1:
        return _("forecast {forecast}, above the {target} target ({achievement})").format(**values)
    return _("forecast {forecast}, below the {target} target ({achievement})").format(**values)


def _status_words(row: dict[str, object]) -> str:
    status = str(row["status"])
    word = STATUS_WORDS.get(status, status)
    if status == "no_data":
        return _("No check-in yet in this period.")
    if status == "no_target":
        return _(
            "There is an actual but no usable target (a change target needs last period's actual)."
        )
    pace, elapsed = row.get("pace"), row.get("elapsed")
    if isinstance(pace, float) and isinstance(elapsed, float):
        return _("{status}: pace {pace} of target at {elapsed} of the period.").format(
            status=word, pace=f"{pace:.2f}", elapsed=f"{elapsed:.0%}"
        )
    return word


def _expected_progress(row: dict[str, object], unit: str | None, *, korean: bool) -> Text | None:
    """The baseline pace rule in words: `Expected 50% of the way from 40 to 60 by today, at 25%
    (actual 45).`; None for a goal paced by another rule."""
    expected, progress = row.get("expected_progress"), row.get("progress")
    baseline, target, actual = row.get("baseline"), row.get("target"), row.get("actual")
    if not (
        isinstance(expected, float)
        and isinstance(progress, float)
        and isinstance(baseline, float)
        and isinstance(target, float)
        and isinstance(actual, float)
    ):
        return None
    # One sentence, so a translation can order its parts; the two percentages stay bold.
    sentence = _(
        "Expected {expected} of the way from {baseline} to {target} by today, at {progress} "
        "(actual {actual})."
    )
    values = {
        "baseline": safe_plain(quantity(baseline, unit, korean=korean)),
        "target": safe_plain(quantity(target, unit, korean=korean)),
        "actual": safe_plain(quantity(actual, unit, korean=korean)),
    }
    bold = {"expected": percent(expected), "progress": percent(progress)}
    text = Text()
    for literal, field, _spec, _conv in string.Formatter().parse(sentence):
        text.append(literal)
        if field in bold:
            text.append(bold[field], style="bold")
        elif field is not None:
            text.append(values[field])
    return text
