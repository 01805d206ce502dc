"""Pilot tests of what a new user met on a real organisation and on the demo (issue 15): each
test names the symptom it keeps away."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Input, Static, TabbedContent

from goaltui.config import DEMO_AS_OF, Config
from goaltui.model.enums import STATUS_WORDS
from goaltui.model.types import Checkin
from goaltui.ui.app import GoalApp
from goaltui.ui.screens.checkin import FIELDS, CheckinForm
from goaltui.ui.screens.help import HelpScreen, help_intro
from goaltui.ui.widgets.children_table import ChildrenTable
from goaltui.ui.widgets.header import DashboardHeader
from goaltui.ui.widgets.kpi_table import KpiTable
from goaltui.ui.widgets.okr_tree import OkrTree, pace_note
from goaltui.ui.widgets.org_tree import OrgTree
from goaltui.ui.widgets.quality_table import QualityTable
from tests.ui_helpers import SIZE, copy_db, demo_app, pick_in_palette, record_notifications, settle


def _detail(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


async def test_okr_status_never_runs_into_the_figures(demo_db: Path) -> None:
    """Symptom 1: "3,900,000 CHFoff track"; every status word stands apart from the target."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        for unit in ("marketing", "product", "sales"):
            screen.unit_id = unit
            await pilot.press("2")
            await settle(pilot)
            tree = screen.query_one(OkrTree)
            for objective in tree.root.children:
                for leaf in objective.children:
                    line = str(leaf.label)
                    words = [w for w in STATUS_WORDS.values() if w in line]
                    assert words, line
                    before = line[: line.index(words[0])]
                    assert before.endswith("  "), line


async def test_a_score_beside_a_worse_status_is_explained(demo_db: Path) -> None:
    """Symptom 1: a green or yellow score next to a red status says why (the pace rule)."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        scorecard = screen.scorecard
        assert scorecard is not None
        behind = scorecard.goals.filter(
            (pl.col("kind") == "kr")
            & pl.col("status").is_in(["at_risk", "off_track"])
            & (pl.col("score") >= 0.4)
            & pl.col("is_current")
        ).sort("goal_id")
        assert behind.height
        kr = behind.row(0, named=True)
        note = pace_note(kr)
        assert note is not None and f"{kr['score']:.2f}" in note
        screen.focus_goal(kr["goal_id"], unit_id=kr["unit_id"], kind="kr")
        await settle(pilot)
        assert note in _detail(screen.query_one("#okr-detail", Static))


def _svg_line_texts(svg: str, line: int) -> list[str]:
    """The text pieces an SVG screenshot draws on terminal line `line`, as written."""
    pattern = rf'<text [^>]*clip-path="url\(#terminal-[0-9-]*line-{line}\)">([^<]*)</text>'
    return [piece.replace("&#160;", " ") for piece in re.findall(pattern, svg)]


async def test_header_words_keep_their_spaces_in_a_screenshot(demo_db: Path) -> None:
    """Symptom 10: the header read "goaltuidemo" and "goaltuias of" in screenshots (an SVG
    renderer drops the spaces a styled piece begins with)."""
    app = GoalApp(db=demo_db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, demo=True, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pieces = _svg_line_texts(app.export_screenshot(), 0)
        # Each word is a piece of its own, placed by its column: the gaps are drawn as gaps.
        assert pieces[:3] == ["goaltui", "demo", "as of 2026-11-16"]
        assert not [piece for piece in pieces if piece[:1] == " " and piece.strip()]
        # ... and the breadcrumb stands apart from the months: "2026-Q4)  주식회사 허밍버즈".
        header = str(app.dashboard.query_one(DashboardHeader).render())
        assert "2026-Q4)  " in header


def test_table_report_fits_the_terminal_width(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Symptom 10: the `table` report was 160 columns wide piped into an 80-column terminal."""
    from goaltui.report import load_report, render_report

    dataset = load_report(demo_db, DEMO_AS_OF, history=False)
    monkeypatch.setenv("COLUMNS", "80")
    narrow = render_report(dataset, DEMO_AS_OF, unit=None, history=False, fmt="table")
    assert max(cell_len(line) for line in narrow.splitlines()) <= 80
    # What did not fit is named, the rest is all there.
    assert "columns left out for the width: trend, unit, goal" in narrow
    assert "status" in narrow.splitlines()[2] and "achievement" in narrow.splitlines()[2]
    monkeypatch.setenv("COLUMNS", "200")
    wide = render_report(dataset, DEMO_AS_OF, unit=None, history=False, fmt="table")
    assert "left out" not in wide and "trend" in wide.splitlines()[2]


async def test_go_from_the_palette_keeps_the_okr_pane(demo_db: Path) -> None:
    """Symptom 2: `go:` dropped the user onto the KPI pane while the OKR pane was open."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#tabs Tab#--content-tab-okrs")  # as a person clicks the tab
        await settle(pilot)
        await pick_in_palette(pilot, "go: 제품팀", "제품팀")
        await settle(pilot)
        screen = app.dashboard
        assert screen.unit_id == "product"
        assert screen.query_one(TabbedContent).active == "okrs"
        assert screen.focused is screen.query_one(OkrTree)


async def test_leaving_the_round_keeps_the_okr_pane(demo_db: Path) -> None:
    """Symptom 2: leaving the check-in round (C, Escape) dropped the user onto the KPI pane."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        screen.unit_id = "product"
        await pilot.click("#tabs Tab#--content-tab-okrs")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert app.screen is not screen
        await pilot.press("escape")
        await settle(pilot)
        if app.screen is not screen:  # the round's summary
            await pilot.press("escape")
            await settle(pilot)
        assert app.screen is screen
        assert screen.query_one(TabbedContent).active == "okrs"
        assert screen.focused is screen.query_one(OkrTree)


async def test_two_shows_the_okr_pane_and_focuses_its_tree(demo_db: Path) -> None:
    """Symptom 2: `2` showed the OKR pane but left the keys elsewhere."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        await pilot.press("2")
        await settle(pilot)
        tree = screen.query_one(OkrTree)
        assert screen.query_one(TabbedContent).active == "okrs"
        assert screen.focused is tree
        before = tree.cursor_line
        await pilot.press("down")
        assert tree.cursor_line == before + 1


OKR_ONLY = {
    "units.csv": """id,name,parent_id,kind
ag,Muster AG,,org
vertrieb,Vertrieb,ag,team
technik,Technik,ag,team
""",
    "kpis.csv": "id,unit_id,name,unit,direction,aggregation,period,target_mode,target\n",
    "objectives.csv": """id,unit_id,title,period
o1,vertrieb,Neue Märkte erschließen,2025-Q2
o2,vertrieb,Umsatz nachhaltig steigern,2026-Q4
o3,technik,Plattform stabilisieren,2026-Q4
""",
    "key_results.csv": "id,objective_id,title,unit,direction,aggregation,target_mode,target,"
    """baseline,weight,kpi_id
k1,o1,Drei Partner gewinnen,count,at_least,last,absolute,3,0,1,
k2,o2,Jahresumsatz 3.9 Mio. CHF,CHF,at_least,last,absolute,3900000,3000000,1,
k3,o3,Verfügbarkeit 99.9 %,%,at_least,last,absolute,99.9,99,1,
""",
    "checkins.csv": """goal_id,date,value
k1,2025-04-20,1
k1,2025-05-20,2
k2,2026-10-20,3200000
k2,2026-11-10,3300000
k3,2026-11-05,99.5
""",
}


@pytest.fixture(scope="session")
def okr_only_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The organisation with only OKRs, imported once per test session."""
    from goaltui.store.importer import import_path

    folder = tmp_path_factory.mktemp("okr-only")
    for name, text in OKR_ONLY.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = tmp_path_factory.mktemp("okr-only-db") / "okr.duckdb"
    import_path(path, folder)
    return path


@pytest.fixture
def okr_only_db(okr_only_template: Path, tmp_path: Path) -> Path:
    """A private copy of the organisation with only OKRs for one test."""
    return copy_db(okr_only_template, tmp_path)


def _app(db: Path, as_of: date) -> GoalApp:
    return GoalApp(db=db, as_of=as_of, today=DEMO_AS_OF, demo=False, watch=False)


async def test_an_organisation_with_only_okrs_opens_on_its_okrs(okr_only_db: Path) -> None:
    """Symptom 3: an organisation with only OKRs opened on an empty KPI pane with no hint; the
    first focus must be in a list with rows, so the arrows do something."""
    app = _app(okr_only_db, DEMO_AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        tabs = screen.query_one(TabbedContent)
        tree = screen.query_one(OkrTree)
        assert tabs.active == "okrs"
        # The top has no objectives of its own: the units below take the keys.
        children = screen.query_one(ChildrenTable)
        assert screen.focused is children and children.row_count == 2
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.unit_id == "vertrieb"
        assert tabs.active == "okrs"
        await pilot.press("2")
        assert app.dashboard.focused is tree
        assert tree.goal_id is None
        await pilot.press("down")
        assert tree.goal_id == "k2"
        # The empty KPI pane says where the goals are, with the key that goes there.
        await pilot.press("1")
        await settle(pilot)
        hint = _detail(screen.query_one("#kpi-empty", Static))
        assert "no KPIs" in hint and "OKR pane (2)" in hint


async def test_an_as_of_without_data_says_where_the_data_is(okr_only_db: Path) -> None:
    """Symptom 3: an as-of date with no data showed empty panes without a word."""
    app = _app(okr_only_db, date(2024, 11, 15))
    said = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        expected = "No check-ins in 2024-11; data runs 2025-04 .. 2026-11"
        assert any(expected in message for message in said), said
        tree = app.dashboard.query_one(OkrTree)
        assert expected in str(tree.root.children[0].label)


async def test_palette_period_takes_a_typed_label_and_latest_with_data(
    okr_only_db: Path,
) -> None:
    """Symptom 3: `period:` in the palette could not take `2025-Q2`; "latest with data"."""
    app = _app(okr_only_db, date(2024, 11, 15))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.unit_id = "vertrieb"
        await pick_in_palette(pilot, "period: 2025-Q2", "period: 2025-Q2")
        await settle(pilot)
        assert app.as_of == date(2025, 6, 30)
        tree = app.dashboard.query_one(OkrTree)
        assert any("Neue Märkte" in str(node.label) for node in tree.root.children)
        await pick_in_palette(pilot, "period: 2025-05-01", "period: 2025-05-01")
        await settle(pilot)
        assert app.as_of == date(2025, 5, 1)
        await pick_in_palette(pilot, "period: latest with data", "latest with data")
        await settle(pilot)
        assert app.as_of == date(2026, 11, 10)


async def test_goal_of_another_period_switches_the_period(okr_only_db: Path) -> None:
    """Symptom 4: `goal:` to a goal of another period changed the unit but not the period,
    left the cursor elsewhere and said nothing."""
    app = _app(okr_only_db, DEMO_AS_OF)
    said = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_in_palette(pilot, "goal: Drei Partner", "Drei Partner gewinnen")
        await settle(pilot)
        screen = app.dashboard
        assert app.as_of == date(2025, 6, 30)
        assert screen.unit_id == "vertrieb"
        assert screen.query_one(TabbedContent).active == "okrs"
        tree = screen.query_one(OkrTree)
        assert screen.focused is tree and tree.goal_id == "k1"
        assert any("2025-Q2" in message for message in said), said


async def test_quality_rows_fit_the_pane_and_name_their_period(demo_db: Path) -> None:
    """Symptom 8: the "What" column was cut at the pane's edge, findings did not say which
    period, and one objective title in three quarters gave three identical rows."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.dashboard.query_one(QualityTable)
        assert table.row_count >= 5
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths <= table.size.width
        keys = [k.value for k in table.columns]
        assert keys == ["rule", "severity", "subject", "period", "message"]
        seen = set()
        rule = ""
        for row_key in table.rows:
            cells = [str(cell) for cell in table.get_row(row_key)]
            rule = cells[0] or rule
            assert cells[3], cells  # every finding is about a period
            line = (rule, cells[2], cells[3], cells[4])
            assert line not in seen, line
            seen.add(line)


async def test_keys_typed_fast_across_the_form_land_in_their_fields(demo_db: Path) -> None:
    """Symptom 6: value, Tab, Tab, confidence, Tab, note sent at once (a paste, a fast typist)
    all landed in the value field ("25000006race test")."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        screen.unit_id = "cs"
        await settle(pilot)
        table = screen.query_one(KpiTable)
        table.focus()
        goal_id = table.goal_id
        assert goal_id is not None
        # All at once, as a terminal delivers a paste or a fast typist's keys: no pause between
        # them for the form to catch up (pilot.press waits after every key).
        for key in ["c", *"2500000", "tab", "tab", "6", "tab", *"race test"]:
            name = {"\t": "tab", " ": "space"}.get(key, key)
            app.post_message(events.Key(name, "\t" if name == "tab" else key))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CheckinForm)
        values = {name: form.query_one(f"#{name}", Input).value for name in FIELDS}
        assert values["goal"] == goal_id
        assert (values["value"], values["confidence"], values["note"]) == (
            "2500000",
            "6",
            "race test",
        )


async def test_the_note_field_takes_the_width_of_the_form(demo_db: Path) -> None:
    """Symptom 6: the note field was about 32 characters wide in a 100-column form."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, CheckinForm)
        note = form.query_one("#note", Input)
        assert note.size.width >= 60


async def test_help_is_built_from_the_live_bindings(demo_db: Path) -> None:
    """Symptom 11: `?` listed super+c but not Enter, Backspace or the arrows, and the help
    sentences named keys by hand, so a remapped key ([keys] in config.toml) was wrong there."""
    config = Config(keys={"checkin": "k", "period-previous": "comma", "up": "h"})
    app = GoalApp(db=demo_db, as_of=DEMO_AS_OF, today=DEMO_AS_OF, config=config, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {key for row in help_screen.rows for key in row[0].split(", ")}
        assert {"Enter", "Up arrow", "Down arrow", "k", ",", "h"} <= keys
        assert not any(key.startswith("super+") for key in keys)
        assert "c" not in keys and "Backspace" not in keys  # remapped away
        intro = help_intro(app.dashboard).plain
        assert "k checks in the highlighted goal" in intro
        assert ", and ] move the as-of date" in intro
        assert "h goes up" in intro
        assert "{" not in intro
    # Without a keymap: the keys as bound.
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        intro = help_intro(app.dashboard).plain
        assert "Enter drills into a unit" in intro and "Backspace goes up" in intro
        assert "c checks in" in intro and "^p jumps anywhere" in intro


async def test_nothing_is_cut_silently_at_80_by_24(demo_db: Path) -> None:
    """Symptom 7: at 80x24 the unit tree's counts were cut without an ellipsis ("✗1" for ✗10),
    the OKR status column and the children's "no data" / "OKR score" columns disappeared."""
    app = demo_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.dashboard
        scorecard = screen.scorecard
        assert scorecard is not None
        tree = screen.query_one(OrgTree)
        root = scorecard.rollup.filter(pl.col("unit_id") == "hb").row(0, named=True)
        label = str(tree.root.label)
        for mark, column in (("✓", "on_track"), ("~", "at_risk"), ("✗", "off_track")):
            count = root[f"subtree_{column}"]
            if count:
                assert f"{mark}{count}" in label, label
        assert cell_len(label) <= tree.size.width - 3
        children = screen.query_one(ChildrenTable)
        assert len(children.columns) == 8
        widths = sum(column.get_render_width(children) for column in children.columns.values())
        assert widths <= children.size.width
        screen.unit_id = "product"
        await pilot.press("2")
        await settle(pilot)
        okr = screen.query_one(OkrTree)
        for objective in okr.root.children:
            for leaf in objective.children:
                line = str(leaf.label)
                assert any(word in line for word in STATUS_WORDS.values()), line
                assert cell_len(line) <= okr.size.width - 4
        assert "too narrow for the lines, shown here" in _detail(
            screen.query_one("#okr-detail", Static)
        )


async def test_goal_detail_gives_the_score_and_the_forecast_in_words(demo_db: Path) -> None:
    """Symptom 5 (in part): the goal detail had no KR score or baseline, and the forecast was
    raw ("forecast 1528086 CHF against at least 1200000 CHF: 1.27 of target")."""
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        scorecard = screen.scorecard
        assert scorecard is not None
        krs = scorecard.goals.filter(
            (pl.col("kind") == "kr") & pl.col("forecast").is_not_null() & pl.col("is_current")
        ).sort("goal_id")
        kr = krs.row(0, named=True)
        screen.open_goal(kr["goal_id"])
        await settle(pilot)
        summary = _detail(app.screen.query_one("#summary", Static))
        assert f"KR score {kr['score']:.2f}" in summary
        assert "forecast " in summary and " target (" in summary
        assert "of target" not in summary
        assert not re.search(r"\d{5,}", summary), summary  # numbers as the panes show them


async def test_goal_log_marks_what_is_not_counted_and_keeps_its_state_column(
    demo_db: Path,
) -> None:
    """Symptom 5 (in part): check-ins after the as-of date were listed unmarked, and a long
    note pushed the State column out of the table."""
    from goaltui.model.types import Checkin
    from goaltui.store.checkins import append_checkin
    from goaltui.ui.screens.goal_detail import NOTE_WIDTH, CheckinLog

    note = "Umfrage verschoben; " * 10 + "\nzweite Zeile"
    append_checkin(
        demo_db,
        Checkin(goal_id="cs-csat", date=date(2026, 11, 10), value=4.6, note=note),
        today=DEMO_AS_OF,
    )
    app = GoalApp(db=demo_db, as_of=date(2026, 11, 12), today=DEMO_AS_OF, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.open_goal("cs-csat")
        await settle(pilot)
        log = app.screen.query_one(CheckinLog)
        columns = list(log.columns.values())
        assert [c.key.value for c in columns][3] == "state"
        state_edge = sum(column.get_render_width(log) for column in columns[:4])
        assert state_edge <= log.size.width
        rows = [[str(cell) for cell in log.get_row(key)] for key in log.rows]
        by_date = {row[0]: row for row in rows}
        assert by_date["2026-11-15"][3] == "not counted: after as-of"
        long_note = by_date["2026-11-10"][4]
        assert cell_len(long_note) <= NOTE_WIDTH and long_note.endswith("…")


async def test_the_kpi_table_drops_columns_by_priority_and_says_so(demo_db: Path) -> None:
    """Symptom 7: at 80x24 the KPI table's Status column was cut ("off tra")."""
    app = demo_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.dashboard
        screen.unit_id = "marketing"
        await settle(pilot)
        table = screen.query_one(KpiTable)
        columns = {column.key.value: column for column in table.columns.values()}
        assert {"name", "achievement", "status"} <= set(columns)
        widths = sum(column.get_render_width(table) for column in columns.values())
        assert widths <= table.scrollable_content_region.width
        status = columns["status"]
        for key in table.rows:
            cell = table.get_cell(key, "status")
            assert cell_len(str(cell)) <= status.content_width, cell
            name = str(table.get_cell(key, "name"))
            assert cell_len(name) <= columns["name"].content_width, name
        # What is left out is said, in the name's header.
        dropped = len(table.dropped)
        assert dropped and len(columns) + dropped == 10
        assert f"+{dropped} columns" in str(columns["name"].label)
    # A wide terminal shows every column and no hint.
    app = demo_app(demo_db)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        app.dashboard.unit_id = "marketing"
        await settle(pilot)
        table = app.dashboard.query_one(KpiTable)
        assert len(table.columns) == 10 and not table.dropped


async def test_goal_log_ties_a_correction_shows_notes_in_full_and_a_confidence_trend(
    demo_db: Path,
) -> None:
    """Symptom 5 (the rest): a correction looked like a duplicate row, a note of several lines
    showed one line and could not be read in full, and confidence had no history."""
    from goaltui.store.checkins import correct_checkin
    from goaltui.store.dataset import load_dataset
    from goaltui.ui.screens.goal_detail import CheckinLog

    goal = "hb-2026q4-kr3"
    entries = load_dataset(demo_db).checkins.filter(pl.col("goal_id") == goal)
    original = entries.filter(pl.col("date") == date(2026, 11, 12))["id"][0]
    note = "Android rating steady\nsecond line [b]not markup[/b]"
    correction = correct_checkin(
        demo_db,
        original,
        Checkin(goal_id=goal, date=date(2026, 11, 12), value=4.2, confidence=5, note=note),
        today=DEMO_AS_OF,
    ).id
    assert correction is not None
    app = demo_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.dashboard.open_goal(goal)
        await settle(pilot)
        screen = app.screen
        log = screen.query_one(CheckinLog)
        corrected = str(log.get_cell(original, "state"))
        correcting = str(log.get_cell(correction, "state"))
        assert corrected.startswith("corrected by 4.2"), corrected
        assert correcting.startswith("corrects 4.6"), correcting
        assert correcting.split(" -> ")[1].startswith("4.2"), correcting
        # The pair sits together: the correction directly above what it corrects.
        assert log.get_row_index(original) == log.get_row_index(correction) + 1
        # The highlighted entry's note, every line, literally; it follows the cursor.
        log.focus()
        log.move_cursor(row=log.get_row_index(correction))
        await pilot.pause()
        panel = _detail(screen.query_one("#log-note", Static))
        assert "Android rating steady\nsecond line [b]not markup[/b]" in panel
        await pilot.press("down", "down")
        await pilot.pause()
        assert "2026-10-22" in _detail(screen.query_one("#log-note", Static))
        # Confidence over time, oldest first; the corrected 8 no longer counts.
        trend = _detail(screen.query_one("#confidence", Static))
        assert trend.endswith("7 (10-08) -> 7 (10-22) -> 5 (11-12)"), trend
