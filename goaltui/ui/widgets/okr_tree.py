"""The OKR pane: the current unit's objectives with their key results as a tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree

from goaltui.humanize import quantity
from goaltui.i18n import N_, _, ngettext, translated
from goaltui.metrics.scorecard import Scorecard
from goaltui.model.enums import STATUS_WORDS
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.hints import where_the_data_is
from goaltui.ui.render import palette, score_text, status_color, status_text
from goaltui.ui.widgets.due_table import due_mark

TITLE_WIDTH = 48
"""Widest key-result title before it is cut (the goal detail shows it whole)."""

GoalRef = tuple[str, str]
"""(kind, id): kind is `objective` or `kr`."""


class OkrTree(Tree[GoalRef]):
    """Objectives with their score, the objective they align to, and their key results with
    baseline -> actual -> target, last confidence and last check-in date."""

    HELP = N_(
        "Objectives and key results of the current unit. {okr-open} on a key result opens it; "
        "on an objective, folds it. Scores: green >= 0.7, yellow >= 0.4, red below."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "select_cursor", N_("Open"), id="okr-open", tooltip=N_("Open the key result")
        ),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(_("OKRs"), **kwargs)  # type: ignore[arg-type]
        self.show_root = False
        self.guide_depth = 2
        self._shown: tuple[Scorecard, str] | None = None
        self._grades: pl.DataFrame | None = None
        self._shown_width = 0
        self._kept: str | None = None
        self.dropped: tuple[str, ...] = ()
        """Columns of the key results' lines that did not fit the width (the detail line under
        the tree shows them for the highlighted key result)."""

    def on_resize(self) -> None:
        # Title widths depend on the pane's width, which is 0 while the tab is hidden: lay the
        # lines out again once the pane has its real width.
        if self._shown is not None and self.size.width != self._shown_width:
            self.show(*self._shown, keep=self._kept)
            if self.cursor_node is not None:
                # The detail line names what the lines now leave out.
                self.post_message(Tree.NodeHighlighted(self.cursor_node))

    @property
    def goal_id(self) -> str | None:
        """The highlighted key result, if a key result is highlighted."""
        node = self.cursor_node
        if node is None or node.data is None or node.data[0] != "kr":
            return None
        return node.data[1]

    def show(
        self,
        scorecard: Scorecard,
        unit_id: str,
        *,
        keep: str | None = None,
        grades: pl.DataFrame | None = None,
    ) -> GoalRef | None:
        """List the objectives of `unit_id` whose period contains the as-of date, with the
        frozen grades of closed ones (`grades`: the grades table); the cursor goes to `keep`
        (or the first objective). Returns what the cursor is on."""
        if grades is None and self._shown is not None and self._shown[0] is scorecard:
            grades = self._grades
        self._grades = grades
        graded = graded_rows(grades)
        self._shown, self._shown_width = (scorecard, unit_id), self.size.width
        keep = keep or (
            self.cursor_node.data[1] if self.cursor_node and self.cursor_node.data else None
        )
        theme = palette(self.app)
        objectives = scorecard.objectives.filter(pl.col("unit_id") == unit_id).sort("objective_id")
        titles = dict(
            zip(
                scorecard.dataset.objectives["id"].to_list(),
                scorecard.dataset.objectives["title"].to_list(),
                strict=True,
            )
        )
        krs = scorecard.goals.filter(
            (pl.col("kind") == "kr")
            & pl.col("objective_id").is_in(objectives["objective_id"].implode())
        )
        # A closed period's frozen grades stand before the live scores, in one column.
        shown_ids = {("objective", o) for o in objectives["objective_id"]}
        shown_ids |= {("kr", k) for k in krs["goal_id"]}
        grade_cells = {
            ref: grade_text(row, theme, note=False)
            for ref, row in graded.items()
            if ref in shown_ids
        }
        grade_width = max([c.cell_len + 1 for c in grade_cells.values()] + [0])
        any_due = bool(set(krs["goal_id"].to_list()) & set(scorecard.due_ids))
        layout = _layout(
            krs, scorecard.korean, self.size.width - (2 if any_due else 0) - grade_width
        )
        self.dropped = layout.dropped
        self.clear()
        target_node = None
        lines = []  # the tree's lines, in order: every node is expanded
        for objective in objectives.iter_rows(named=True):
            label = score_text(objective["score"], objective["band"], theme)
            label.append(" ")
            label.append(safe_plain(objective["title"]), style="bold")
            label = (
                _graded(grade_cells.get(("objective", objective["objective_id"])), grade_width)
                + label
            )
            parent = objective.get("parent_id")
            if parent:
                aligned = safe_plain(titles.get(parent, parent))
                label.append("  ")
                label.append(
                    _("aligns to: {objective}").format(objective=aligned), style="italic dim"
                )
            # Cut with an ellipsis at the pane's edge, never silently.
            label.truncate(max(20, self.size.width - LINE_MARGIN + 2), overflow="ellipsis")
            node = self.root.add(label, data=("objective", objective["objective_id"]), expand=True)
            lines.append(node)
            if objective["objective_id"] == keep:
                target_node = node
            for kr in krs.filter(pl.col("objective_id") == objective["objective_id"]).iter_rows(
                named=True
            ):
                label = _kr_label(kr, theme, layout)
                if kr["goal_id"] in scorecard.due_ids:
                    label = due_mark(theme) + label
                elif any_due:
                    label = Text("  ") + label  # in line with the marked ones
                label = _graded(grade_cells.get(("kr", kr["goal_id"])), grade_width) + label
                leaf = node.add_leaf(label, data=("kr", kr["goal_id"]))
                lines.append(leaf)
                if kr["goal_id"] == keep:
                    target_node = leaf
        if not objectives.height:
            hint = where_the_data_is(scorecard)
            said = _("No objectives in this period.")
            self.root.add_leaf(Text(said if hint is None else f"{said} {hint}", style="dim"))
        if target_node is None and self.root.children:
            target_node = self.root.children[0]
        if target_node is not None:
            # By line: a node just added has no line of its own until the tree is laid out.
            self.cursor_line = lines.index(target_node) if target_node in lines else 0
            self._kept = target_node.data[1] if target_node.data else None
            return target_node.data
        return None


def graded_rows(grades: pl.DataFrame | None) -> dict[GoalRef, dict[str, object]]:
    """The grades table's rows by (kind, goal id)."""
    if grades is None:
        return {}
    return {(row["kind"], row["goal_id"]): row for row in grades.iter_rows(named=True)}


def grade_words(grade: dict[str, object], *, note: bool = True) -> str:
    """`graded 0.70`, or with an override `graded 0.70 (override 0.80: reason)`, for a grades
    row (its frozen score as `score` or `frozen`, plus `override` and `note`)."""
    frozen = grade["frozen"] if "frozen" in grade else grade.get("score")
    override, reason = grade.get("override"), grade.get("note")
    score = f"{frozen:.2f}" if isinstance(frozen, float) else "-"
    if not isinstance(override, float):
        return _("graded {score}").format(score=score)
    if note and isinstance(reason, str) and reason:
        return _("graded {score} (override {override}: {note})").format(
            score=score, override=f"{override:.2f}", note=safe_plain(reason)
        )
    return _("graded {score} (override {override})").format(score=score, override=f"{override:.2f}")


def grade_text(grade: dict[str, object], theme: dict[str, str], *, note: bool = True) -> Text:
    """A frozen grade, set apart from a live score: in the theme's accent, in brackets."""
    style = f"bold {theme.get('accent', '')}".strip()
    # A span, not the text's base style: a label built on it must not take the accent.
    return Text().append(f"[{grade_words(grade, note=note)}]", style=style)


def _graded(cell: Text | None, width: int) -> Text:
    # The grade column: the cell padded to the widest grade shown, nothing when none is.
    return _cell(cell.copy() if cell is not None else Text(), width) if width else Text()


def _cell(text: Text, width: int) -> Text:
    # Pad or cut to a display width, so the key results' figures line up under each other
    # whatever mix of Hangul and Latin their titles have.
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


def _status_width() -> int:
    """The status column: the widest status word (in the current language) and a gap before
    what follows."""
    return max(cell_len(word) for word in STATUS_WORDS.values()) + 2


SCORE_WIDTH = 16
"""The score bar and its number, and the space after them."""

LINE_MARGIN = 6
"""The tree's guides in front of a key result and the room a scrollbar may take."""


@dataclass(frozen=True)
class KrLayout:
    """The columns of the key results' lines at the tree's width: what did not fit is dropped
    (the baseline first, then the last check-in date, then confidence) and named in
    `dropped`, and the titles get what is left."""

    title: int
    figures: int
    baseline: bool
    confidence: bool
    last: bool
    korean: bool
    dropped: tuple[str, ...]


def _layout(krs: pl.DataFrame, korean: bool, width: int) -> KrLayout:
    rows = list(krs.iter_rows(named=True))
    full = max([cell_len(_figures(kr, korean, baseline=True)) for kr in rows] + [10]) + 2
    short = max([cell_len(_figures(kr, korean, baseline=False)) for kr in rows] + [8]) + 2
    longest = max([cell_len(safe_plain(kr["name"])) for kr in rows] + [10])
    # The score, the title (at least some of it) and the status always show; then the actual
    # and target, the baseline, confidence and the last check-in date, as the width allows.
    room = width - LINE_MARGIN - SCORE_WIDTH - _status_width() - 2
    title_floor = min(longest, 16)
    dropped: list[str] = []
    if room - title_floor >= full:
        figures, baseline = full, True
    elif room - min(longest, 8) >= short:
        figures, baseline = short, False
        dropped.append(N_("baseline"))
    else:
        figures, baseline = 0, False
        dropped.append(N_("baseline, actual and target"))
    room -= figures
    confidence = room - title_floor >= 8
    room -= 8 if confidence else 0
    last = room - title_floor >= 11
    room -= 11 if last else 0
    dropped += [] if confidence else [N_("confidence")]
    dropped += [] if last else [N_("last check-in")]
    title = max(min(longest, 6), min(longest, room, TITLE_WIDTH))
    return KrLayout(title, figures, baseline, confidence, last, korean, tuple(dropped))


def _figures(kr: dict[str, object], korean: bool, *, baseline: bool) -> str:
    unit = kr["measure_unit"] if isinstance(kr["measure_unit"], str) else None
    shown = ("baseline", "actual", "target") if baseline else ("actual", "target")
    return safe_plain(
        " -> ".join(
            quantity(value, unit, korean=korean) if isinstance(value, float) else _("n/a")
            for value in (kr.get(name) for name in shown)
        )
    )


def _kr_label(kr: dict[str, object], theme: dict[str, str], layout: KrLayout) -> Text:
    score = kr["score"] if isinstance(kr["score"], float) else None
    band = kr["band"] if isinstance(kr["band"], str) else None
    label = score_text(score, band, theme)
    label.append(" ")
    label.append_text(_cell(safe_text(kr["name"]), layout.title))
    # Columns with a gap of their own: a figure never runs into the status after it.
    if layout.figures:
        figures = _figures(kr, layout.korean, baseline=layout.baseline)
        label.append_text(_cell(Text(f"  {figures}", style="dim"), layout.figures))
    label.append_text(_cell(Text("  "), 2))
    status = kr["status"] if isinstance(kr["status"], str) else None
    label.append_text(_cell(status_text(status, theme), _status_width()))
    # Wide terminals show confidence and the last check-in on the line; the detail line under
    # the tree always shows them for the highlighted key result.
    if layout.confidence:
        confidence = kr.get("last_confidence")
        shown = (
            _("conf {value}").format(value=f"{confidence:g}")
            if isinstance(confidence, float)
            else ""
        )
        label.append_text(_cell(Text(shown, "dim"), 8))
    last = kr.get("last_checkin_date")
    if layout.last and last is not None:
        label.append(f" {last}", style="dim")
    return label


def pace_note(kr: dict[str, Any]) -> str | None:
    """Why a key result's status is worse than its score's colour suggests: the score says how
    far it has come, the status whether that is enough for the time gone (DESIGN.md, the pace
    rules). None when the status needs no explaining."""
    score, status = kr.get("score"), kr.get("status")
    if score is None or status not in ("at_risk", "off_track"):
        return None
    kind = kr.get("pace_kind")
    if kind == "baseline" and kr.get("expected_progress") is not None:
        return _("score {score} but behind pace: expected {expected} by today").format(
            score=f"{score:.2f}", expected=f"{min(1.0, kr['expected_progress']):.2f}"
        )
    if kind == "sum" and kr.get("pace") is not None:
        return _(
            "score {score} so far, but at this pace the period ends at {pace} of the target"
        ).format(score=f"{score:.2f}", pace=f"{kr['pace']:.0%}")
    if kind == "level" and kr.get("achievement") is not None:
        return _(
            "score {score}: {achievement} of the target; on track needs 100%, at risk 80%"
        ).format(score=f"{score:.2f}", achievement=f"{kr['achievement']:.0%}")
    return None


def describe_node(
    scorecard: Scorecard,
    ref: GoalRef | None,
    theme: dict[str, str],
    dropped: tuple[str, ...] = (),
    *,
    grades: pl.DataFrame | None = None,
) -> Text:
    """The highlighted objective or key result in full: what the tree line may have cut, and
    its frozen grade with the override's reason when it was graded by judgement (the columns
    in `dropped` are named, so nothing is left out without a word)."""
    if ref is None:
        return Text("")
    text = _describe(scorecard, ref, theme, dropped)
    grade = graded_rows(grades).get(ref)
    if text and grade is not None:
        text.append("\n")
        text.append_text(grade_text(grade, theme))
        who, when = grade.get("graded_by"), grade.get("graded_at")
        if isinstance(who, str) and when is not None:
            text.append(" ")
            text.append(
                _("by {who} on {day}").format(who=safe_plain(who), day=str(when)[:10]),
                style="dim",
            )
    return text


def _describe(
    scorecard: Scorecard, ref: GoalRef, theme: dict[str, str], dropped: tuple[str, ...]
) -> Text:
    kind, goal_id = ref
    text = Text()
    if dropped:
        shown = ", ".join(translated(name) for name in dropped)
        hint = ngettext(
            "+{count} column too narrow for the lines, shown here: {names}",
            "+{count} columns too narrow for the lines, shown here: {names}",
            len(dropped),
        ).format(count=len(dropped), names=shown)
        text.append(hint + "\n", style="dim italic")
    if kind == "objective":
        rows = scorecard.objectives.filter(pl.col("objective_id") == goal_id)
        if rows.is_empty():
            return text
        objective = rows.row(0, named=True)
        text.append(safe_plain(objective["title"]), style="bold")
        text.append(
            "\n"
            + ngettext(
                "{period}, {count} key result, score ",
                "{period}, {count} key results, score ",
                objective["kr_count"],
            ).format(period=objective["period"], count=objective["kr_count"])
        )
        text.append_text(score_text(objective["score"], objective["band"], theme))
        return text
    rows = scorecard.goals.filter(pl.col("goal_id") == goal_id)
    if rows.is_empty():
        return text
    kr = rows.row(0, named=True)
    unit = kr["measure_unit"]
    korean = scorecard.korean
    text.append(safe_plain(kr["name"]), style="bold")
    text.append("\n" + _("baseline") + " ")
    text.append(safe_plain(quantity(kr["baseline"], unit, korean=korean) or _("none")))
    text.append("  " + _("actual") + " ")
    text.append(safe_plain(quantity(kr["actual"], unit, korean=korean) or _("none")))
    text.append("  " + _("target") + " ")
    text.append(safe_plain(quantity(kr["target"], unit, korean=korean) or _("none")))
    text.append("  ")
    text.append_text(status_text(kr["status"], theme))
    confidence = kr["last_confidence"]
    text.append(
        "\n" + _("last confidence {confidence}/10").format(confidence=f"{confidence:g}")
        if confidence is not None
        else "\n" + _("no confidence given")
    )
    last = kr["last_checkin_date"]
    text.append(
        _(", last check-in {date}").format(date=last)
        if last is not None
        else _(", no check-in yet")
    )
    note = pace_note(kr)
    if note is not None:
        text.append(f"\n{note}", style=f"bold {status_color(kr['status'], theme)}".strip())
    if kr.get("explanation"):
        text.append(f"\n{safe_plain(kr['explanation'], multiline=True)}", style="italic dim")
    return text
