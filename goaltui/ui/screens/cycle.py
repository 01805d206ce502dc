"""The quarterly cycle's screens: the preview of a carry-over (nothing is written until it is
confirmed) and the review of a period, with its markdown text ready for the review meeting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import polars as pl
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from goaltui.cycle import CarryPlan, ReviewData
from goaltui.humanize import quantity
from goaltui.i18n import N_, _, ngettext, translated
from goaltui.model.errors import GoaltuiError
from goaltui.store.dataset import Dataset
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.render import BAND_VARIABLES, palette, score_text
from goaltui.ui.widgets.okr_tree import grade_words

# --------------------------------------------------------------------------------------------
# Carry-over preview


COMMITMENT_WORDS = {"aspirational": N_("aspirational"), "committed": N_("committed")}
"""How an objective's commitment reads for people (marked; translated where shown)."""


def _commitment(value: str | None) -> str:
    value = value or "aspirational"
    return translated(COMMITMENT_WORDS[value]) if value in COMMITMENT_WORDS else value


def carry_preview_text(plan: CarryPlan, dataset: Dataset, *, korean: bool) -> Text:
    """What carrying over will create: each new objective (id, title, unit) and its key results
    with the baseline they will get, all as literal text."""
    units = dict(dataset.units.select("id", "name").iter_rows())
    kpi_units = dict(dataset.kpis.select("id", "unit").iter_rows())
    text = Text()
    for objective in plan.objectives.iter_rows(named=True):
        if text:
            text.append("\n")
        text.append("+ ", style="bold")
        text.append(safe_plain(objective["id"]), style="bold")
        text.append("  ")
        text.append(safe_plain(objective["title"]), style="bold")
        unit_id = objective["unit_id"]
        text.append("\n    ")
        text.append(
            _("unit {unit} ({unit_id}), {commitment}, continues {old}").format(
                unit=safe_plain(units.get(unit_id) or unit_id),
                unit_id=safe_plain(unit_id),
                commitment=_commitment(objective["commitment"]),
                old=safe_plain(objective["carried_from"]),
            ),
            style="dim",
        )
        if objective["parent_id"]:
            text.append("\n    ")
            text.append(
                _("aligns to {parent}").format(parent=safe_plain(objective["parent_id"])),
                style="dim italic",
            )
        krs = plan.key_results.filter(pl.col("objective_id") == objective["id"])
        for kr in krs.iter_rows(named=True):
            unit = kr["unit"] or kpi_units.get(kr["kpi_id"] or "")
            baseline = quantity(kr["baseline"], unit, korean=korean) or _("none")
            target = quantity(kr["target"], unit, korean=korean) or _("none")
            text.append("\n    + ")
            text.append(safe_plain(kr["id"]))
            text.append("  ")
            text.append(safe_plain(kr["title"]))
            text.append("\n        ")
            text.append(
                _("baseline {baseline} -> target {target}, weight {weight}").format(
                    baseline=safe_plain(baseline),
                    target=safe_plain(target),
                    weight=f"{kr['weight'] if kr['weight'] is not None else 1:g}",
                ),
                style="dim",
            )
    return text


class CarryOverPreview(ModalScreen[bool]):
    """The objectives and key results a carry-over will create. Enter or ctrl+s answers True
    (carry them over), Escape False (nothing is written)."""

    CSS_PATH = "cycle.tcss"
    AUTO_FOCUS = "#carry-list"
    HELP = N_(
        "What carrying over will create, before anything is written: each new objective and "
        "its key results with the baseline they start from (the old key result's actual at "
        "the period's end). Enter or ctrl+s carries them over; Escape cancels."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer(True)", N_("Carry over"), id="carry.confirm"),
        Binding(
            "ctrl+s", "answer(True)", N_("Carry over"), id="carry.save", show=False, priority=True
        ),
        Binding("escape", "answer(False)", N_("Cancel"), id="carry.cancel"),
    ]

    def __init__(self, plan: CarryPlan, dataset: Dataset, *, korean: bool) -> None:
        super().__init__()
        self.plan = plan
        """What will be created."""
        self._listing = carry_preview_text(plan, dataset, korean=korean)

    def compose(self) -> ComposeResult:
        plan = self.plan
        objectives, krs = plan.objectives.height, plan.key_results.height
        with Vertical(id="carry-dialog"):
            yield Static(
                Text(
                    _("Carry over unfinished objectives from {source} to {target}").format(
                        source=plan.source, target=plan.target
                    ),
                    style="bold",
                ),
                id="carry-title",
            )
            yield Static(
                Text(
                    _(
                        "New objectives: {objectives}, new key results: {krs}. Nothing is "
                        "written until you confirm."
                    ).format(objectives=objectives, krs=krs)
                ),
                id="carry-summary",
            )
            with VerticalScroll(id="carry-list"):
                yield Static(self._listing, id="carry-items")
            yield Static(
                Text(_("Enter or ctrl+s: carry over   Escape: cancel"), style="dim"),
                id="carry-keys",
            )

    def action_answer(self, answer: bool) -> None:
        """Close with `answer`."""
        self.dismiss(answer)


# --------------------------------------------------------------------------------------------
# Review of a period


STATE_WORDS = {
    "closed": N_("closed, graded"),
    "ended": N_("ended, not closed yet"),
    "running": N_("running"),
}
"""How the review names the state of its period."""

BAND_WORDS = {"red": N_("red"), "yellow": N_("yellow"), "green": N_("green")}


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def distribution_text(data: ReviewData, theme: dict[str, str]) -> Text:
    """`Grades: 1 red, 0 yellow, 3 green of 4 objectives`, each band in its colour."""
    counts = data.counts
    text = Text()
    text.append(_("Grades") if data.state == "closed" else _("Scores"), style="bold")
    text.append(": ")
    for i, band in enumerate(("red", "yellow", "green")):
        if i:
            text.append(", ")
        color = theme.get(BAND_VARIABLES[band], "")
        text.append(f"{counts[band]} {translated(BAND_WORDS[band])}", style=f"bold {color}".strip())
    text.append(" ")
    text.append(
        ngettext("of {n} objective", "of {n} objectives", data.rows.height).format(
            n=data.rows.height
        )
    )
    flagged = data.rows.filter(pl.col("review")).height
    if flagged:
        text.append("  ")
        text.append(
            ngettext(
                "{n} committed objective below 1.0 to review",
                "{n} committed objectives below 1.0 to review",
                flagged,
            ).format(n=flagged),
            style=f"bold {theme.get('status-off-track', '')}".strip(),
        )
    return text


def review_table(data: ReviewData, theme: dict[str, str]) -> Table:
    """Each unit's objectives in unit tree order: score, grade, commitment, band, review flag."""
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
    table.add_column(_("unit / objective"), ratio=3)
    table.add_column(_("commitment"), no_wrap=True)
    table.add_column(_("score"), no_wrap=True)
    table.add_column(_("grade"), ratio=1)
    table.add_column(_("review"), no_wrap=True)
    unit_seen: str | None = None
    for row in data.rows.iter_rows(named=True):
        if row["unit_id"] != unit_seen:
            unit_seen = row["unit_id"]
            label = Text("  " * (row["depth"] or 0))
            label.append(safe_plain(row["unit_name"] or row["unit_id"]), style="bold")
            label.append(f" ({safe_plain(row['unit_id'])})", style="dim")
            table.add_row(label)
        title = Text("  " * ((row["depth"] or 0) + 1))
        title.append(safe_plain(row["id"]), style="dim")
        title.append(" ")
        title.append_text(safe_text(row["title"]))
        grade = Text()
        if row["frozen"] is not None or row["override"] is not None:
            grade.append(grade_words(row), style="bold")
        else:
            grade.append(_("not graded"), style="dim")
        flag = Text()
        if row["review"]:
            flag.append(_("to review"), style=f"bold {theme.get('status-off-track', '')}".strip())
        table.add_row(
            title,
            Text(_commitment(row["commitment"])),
            score_text(row["score"], row["band"], theme),
            grade,
            flag,
        )
    return table


@dataclass(frozen=True)
class SavedReview:
    """Where the review text went, or why it could not be written."""

    path: Path
    error: str | None


class ReviewScreen(Screen[None]):
    """The review of one period for the current unit's subtree: the distribution of grades,
    each unit's objectives, and the review-meeting text, which `s` writes to a file."""

    CSS_PATH = "cycle.tcss"
    AUTO_FOCUS = "#review-body"
    HELP = N_(
        "The review of a period: how many objectives are red, yellow and green, each unit's "
        "objectives with score, grade and commitment (committed ones below 1.0 are flagged "
        "for review), and the review-meeting text. s saves that text to a file; Escape goes "
        "back."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="review.back"),
        Binding("s", "save", N_("Save text"), id="review.save"),
    ]

    @dataclass
    class Saved(Message):
        """The review text was written (or not)."""

        outcome: SavedReview

    def __init__(self, data: ReviewData, text: str, *, unit_name: str) -> None:
        super().__init__()
        self.data = data
        """The review shown."""
        self.text = text
        """The review-meeting text (markdown), as `goaltui report --format md --period` gives."""
        self._unit_name = unit_name

    def compose(self) -> ComposeResult:
        data = self.data
        theme = palette(self.app)
        title = Text(_("Review of {period}").format(period=data.period), style="bold", end="")
        title.append("  ")
        title.append(
            _("{state}, scores as of {day}; {unit} and the units below it").format(
                state=translated(STATE_WORDS[data.state]),
                day=data.scored_at.isoformat(),
                unit=safe_plain(self._unit_name),
            ),
            style="dim",
        )
        yield Static(title, id="review-title")
        with VerticalScroll(id="review-body"):
            yield Static(distribution_text(data, theme), id="review-distribution")
            yield Static(review_table(data, theme), id="review-table")
            yield Static(Text(_("Review-meeting text (s saves it)")), classes="section")
            yield Static(Text(self.text), id="review-text")
        yield Static(id="review-status")
        yield Input(id="review-path", placeholder=_("file to write the review text to"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#review-path").display = False

    def action_back(self) -> None:
        box = self.query_one("#review-path", Input)
        if box.display:
            box.display = False
            self.query_one("#review-body").focus()
            return
        self.dismiss(None)

    def action_save(self) -> None:
        box = self.query_one("#review-path", Input)
        box.value = f"review-{self.data.period}.md"
        box.display = True
        box.focus()
        self._status(Text(_("Type the file to write; Enter saves, Escape cancels.")))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "review-path":
            return
        event.stop()
        path = Path(event.value.strip() or f"review-{self.data.period}.md").expanduser()
        self._write_text(path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-save")
    def _write_text(self, path: Path) -> None:
        try:
            if path.is_dir():
                raise IsADirectoryError(21, "is a folder", str(path))
            path.write_text(self.text, encoding="utf-8")
        except OSError as error:
            reason = error.strerror or str(error)
            self.post_message(self.Saved(SavedReview(path, f"{reason}: {error.filename or path}")))
            return
        self.post_message(self.Saved(SavedReview(path.resolve(), None)))

    def on_review_screen_saved(self, message: ReviewScreen.Saved) -> None:
        outcome = message.outcome
        if outcome.error is not None:
            said = _("Could not save the review: {reason}").format(reason=safe_plain(outcome.error))
            self._status(Text(said, style=f"bold {palette(self.app).get('error', '')}".strip()))
            self.notify(said, title=_("Review"), severity="error", markup=False)
            return
        box = self.query_one("#review-path", Input)
        box.display = False
        self.query_one("#review-body").focus()
        lines = self.text.count("\n") + 1
        said = _("Saved the review of {period} to {path} ({lines} lines).").format(
            period=self.data.period, path=safe_plain(str(outcome.path)), lines=lines
        )
        self._status(Text(said))
        self.notify(said, title=_("Review"), markup=False)

    def _status(self, text: Text) -> None:
        self.query_one("#review-status", Static).update(text)


def describe_cycle_error(error: BaseException) -> str:
    """A cycle command's refusal, as a person reads it."""
    if isinstance(error, GoaltuiError):
        return safe_plain(str(error), multiline=True)
    return safe_plain(f"{type(error).__name__}: {error}", multiline=True)
