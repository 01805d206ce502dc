"""The Due pane: the goals of the current unit's subtree that owe a check-in, most overdue
first; a goal more than twice its cadence late is listed again under its owner's parent unit."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from goaltui.humanize import overdue_words
from goaltui.i18n import N_, _, translated
from goaltui.metrics.due import escalations
from goaltui.metrics.scorecard import Scorecard
from goaltui.model.enums import CADENCE_WORDS
from goaltui.textsafe import safe_plain, safe_text
from goaltui.ui.render import palette
from goaltui.ui.widgets.tables import highlighted_key

ESCALATED = "\x1f"
"""Separates goal id and unit id in the key of an escalated row (ids never hold it)."""

NAME_WIDTH = 24
"""Widest goal name shown (Enter opens the goal, whose detail shows it whole)."""
OWNER_WIDTH = 18
"""Widest owner shown (an escalated row adds where it came from)."""

DUE_MARK = "!"
"""The mark of a goal that owes a check-in in the KPI table and the OKR tree (ASCII: the
ambiguous-width symbols shift Korean columns)."""


def due_mark(theme: dict[str, str], after: str = " ") -> Text:
    """`! ` in the off-track colour, put before the name of a goal that owes a check-in (with
    `after` following the mark, e.g. a count)."""
    return Text(f"{DUE_MARK}{after}", style=f"bold {theme.get('status-off-track', '')}".strip())


class DueTable(DataTable[Text | str]):
    """Who owes a check-in below the current unit: how late, its owner, the goal, its cadence
    and due date (the goal detail, on Enter, has the last check-in)."""

    HELP = N_(
        "Goals of the current unit and the units below that owe a check-in: due one cadence "
        "after their last check-in in the current period (or after the period's start). A goal "
        "more than twice its cadence late (in bold) is listed again under its owner's parent "
        "unit. "
        "{enter}: open the goal. {checkin}: check in; the row leaves the list once saved."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Open"), id="due-open", tooltip=N_("Open the goal")),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]

    @property
    def goal_id(self) -> str | None:
        """The goal of the highlighted row, if any."""
        key = highlighted_key(self)
        return None if key is None else key.split(ESCALATED)[0]

    def show(self, scorecard: Scorecard, unit_id: str) -> None:
        """List the due goals of `unit_id`'s subtree, and the escalated goals whose owner's
        parent is in it, by due date; the cursor stays on the goal it was on."""
        keep = self.goal_id
        inside = scorecard.subtree(unit_id).implode()
        due = scorecard.due
        rows = pl.concat(
            [
                due.filter(pl.col("unit_id").is_in(inside)).with_columns(
                    from_unit=pl.lit(None, pl.String)
                ),
                escalations(due)
                .filter(pl.col("unit_id").is_in(inside))
                .with_columns(from_unit=pl.col("parent_unit_id")),
            ]
        ).sort("due", "goal_id", "from_unit", nulls_last=False)
        names = scorecard.unit_names
        theme = palette(self.app)
        late = theme.get("status-off-track", "")
        today = theme.get("status-at-risk", "")
        self.clear(columns=True)
        for key, label, width in (
            ("overdue", N_("Overdue"), None),
            ("owner", N_("Owner"), OWNER_WIDTH),
            ("name", N_("Goal"), NAME_WIDTH),
            ("cadence", N_("Cadence"), None),
            ("due", N_("Due"), None),
        ):
            self.add_column(translated(label), key=key, width=width)
        for row in rows.iter_rows(named=True):
            days = row["days_overdue"]
            # Bold: more than twice the cadence late (the owner's parent unit sees it too).
            words = overdue_words(days)
            style = f"bold {late}" if row["escalated"] else late if days > 0 else today
            owner = safe_text(names.get(row["unit_id"], row["unit_id"]))
            key = row["goal_id"]
            if row["from_unit"] is not None:
                from_name = names.get(row["from_unit"], row["from_unit"])
                owner.append(" " + _("(from {unit})").format(unit=safe_plain(from_name)), "dim")
                key = f"{key}{ESCALATED}{row['unit_id']}"
            name = safe_text(row["name"])
            name.overflow, name.no_wrap = "ellipsis", True
            self.add_row(
                Text(words, style=style.strip()),
                owner,
                name,
                translated(CADENCE_WORDS.get(row["cadence"], row["cadence"] or "")),
                row["due"].isoformat(),
                key=key,
            )
        if keep is not None and keep in {k.value for k in self.rows}:
            self.move_cursor(row=self.get_row_index(keep))

    def drop_goal(self, goal_id: str) -> None:
        """Take `goal_id`'s rows off the list at once (it was just checked in); the next load
        recomputes the list exactly."""
        for row_key in list(self.rows):
            value = row_key.value
            if value is not None and value.split(ESCALATED)[0] == goal_id:
                self.remove_row(row_key)
