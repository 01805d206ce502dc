"""A hostile organisation: names, titles, units and notes that look like Rich or Textual markup,
and terminal control sequences. Shared by the report, lint and dashboard tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from goaltui.store.dataset import Dataset
from goaltui.store.importer import import_path
from tests import builders as b

AS_OF = date(2026, 11, 16)

CLEAR = "\x1b[2J"
"""CSI erase display: blanks the screen on every repaint."""
RETITLE = "\x1b]0;owned\x07"
"""OSC: changes the window or pane title."""
C1_CSI = "\x9b31m"
"""C1 CSI (one character), red text in terminals that read C1 controls."""

QUIT = "[@click=app.quit]q[/]"
CLOSE = "[/]"
LINK = "[link=file:///etc/passwd]passwd[/link]"
BOLD = "[b]bold"
DEAL = "Deal [#123]"
ESCAPES = f"Esc{CLEAR}clear{RETITLE}title{C1_CSI}red"
"""A name holding each kind of control sequence."""
SHOWN_ESCAPES = "Esc\\x1b[2Jclear\\x1b]0;owned\\x07title\\x9b31mred"
"""ESCAPES as every output shows it: each control character as a visible escape."""

MARKUP_NAMES = [CLOSE, LINK, QUIT, BOLD, DEAL]
"""Names that are markup if read as markup; each must show exactly as written."""

CONTROL_CHARACTERS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]
"""What must never reach a terminal from data (newline aside, which output keeps or flattens)."""


def screenshot_name(folder: Path) -> str:
    """A unit name that, read as markup, makes a click save a screenshot into `folder`."""
    return f"[@click=app.screenshot('x.svg','{folder}')]Sales team[/]"


def has_control(text: str) -> bool:
    """Whether `text` holds a control character other than newline."""
    return any(char in text for char in CONTROL_CHARACTERS)


# --- in memory, for the headless report and lint tests ---------------------------------------


def hostile_dataset(folder: Path) -> Dataset:
    """Units, KPIs, an objective and key results named with MARKUP_NAMES and ESCAPES."""
    units = [b.unit("org", kind="org", name=screenshot_name(folder))]
    units += [b.unit(f"u{i}", "org", name=name) for i, name in enumerate([*MARKUP_NAMES, ESCAPES])]
    kpis = [
        {**b.kpi(f"k{i}", unit_id=f"u{i}"), "name": name}
        for i, name in enumerate([*MARKUP_NAMES, ESCAPES])
    ]
    kpis.append({**b.kpi("k9", unit="[b]won" + CLEAR), "name": "unit of measure"})
    objectives = [{**b.objective("o1"), "title": f"{LINK} {ESCAPES}"}]
    key_results = [
        {**b.key_result("kr1"), "title": DEAL},
        {**b.key_result("kr2"), "title": QUIT + RETITLE},
    ]
    checkins = [b.checkin(f"k{i}", date(2026, 11, 2), 40.0 + i) for i in range(len(kpis))]
    checkins.append(b.checkin("k9", date(2026, 11, 2), 7.0))
    checkins += [b.checkin("kr1", date(2026, 11, 2), 3.0), b.checkin("kr2", date(2026, 11, 2), 4.0)]
    return b.dataset(
        units=units, kpis=kpis, objectives=objectives, key_results=key_results, checkins=checkins
    )


# --- on disk, for the dashboard --------------------------------------------------------------


UNIT_NAMES = {"t1": CLOSE, "t2": LINK, "t3": QUIT, "t4": BOLD, "t5": DEAL}
KPI_NAMES = {"k0": CLOSE, "k1": LINK, "k2": QUIT, "k3": BOLD, "k4": DEAL, "k5": "k5"}
"""KPI ids and names of the hostile database (k5 gets ESCAPES written into the file)."""
NOTE = f"{CLOSE} note {QUIT}"


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def make_hostile_db(folder: Path, shots: Path) -> Path:
    """A database whose root unit is `screenshot_name(shots)`, whose units, KPIs, objectives,
    key results and notes carry markup, and where unit t6, KPI k5, key result kr2 and a note
    carry ESCAPES. The control characters are written into the file after the import, as
    another tool (or an older goaltui) might have: the import itself refuses them."""
    source = folder / "hostile-src"
    source.mkdir()
    units = [["org", screenshot_name(shots), "", "org"]]
    units += [[uid, name, "org", "team"] for uid, name in UNIT_NAMES.items()]
    units.append(["t6", "escapes", "org", "team"])
    _write(source / "units.csv", ["id", "name", "parent_id", "kind"], units)
    kpi_header = ["id", "unit_id", "name", "unit", "direction", "aggregation", "period"]
    kpi_header += ["target_mode", "target", "parent_id", "category", "description"]
    kpis = [
        [kid, "org", name, "[b]won" if kid == "k3" else "count", "at_least", "sum", "month", *rest]
        for kid, name in KPI_NAMES.items()
        for rest in [["absolute", 100, "", "", f"{CLOSE} description"]]
    ]
    _write(source / "kpis.csv", kpi_header, kpis)
    _write(
        source / "objectives.csv",
        ["id", "unit_id", "title", "period", "parent_id", "description"],
        [["o1", "org", f"{CLOSE} objective {LINK}", "2026-Q4", "", ""]],
    )
    kr_header = ["id", "objective_id", "title", "unit", "direction", "aggregation"]
    kr_header += ["target_mode", "target", "baseline", "weight", "kpi_id"]
    _write(
        source / "key_results.csv",
        kr_header,
        [
            [
                "kr1",
                "o1",
                f"{CLOSE} kr {DEAL}",
                "count",
                "at_least",
                "sum",
                "absolute",
                10,
                0,
                1,
                "",
            ],
            ["kr2", "o1", "kr2", "count", "at_least", "sum", "absolute", 10, 0, 1, ""],
        ],
    )
    checkin_header = ["id", "goal_id", "date", "value", "denominator", "confidence", "note"]
    checkin_header += ["author", "supersedes", "recorded_at"]
    checkins: list[list[object]] = [
        [f"c{i}", kid, "2026-11-02", 40 + i, "", 5, NOTE, "t3", "", "2026-11-02T10:00:00"]
        for i, kid in enumerate(KPI_NAMES)
    ]
    checkins.append(["c9", "kr1", "2026-11-02", 3, "", 7, LINK, "t1", "", "2026-11-02T10:00:00"])
    _write(source / "checkins.csv", checkin_header, checkins)
    _write(source / "targets.csv", ["goal_id", "period", "target"], [])
    db = folder / "hostile.duckdb"
    import_path(db, source)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE units SET name = ? WHERE id = 't6'", [ESCAPES])
        con.execute("UPDATE kpis SET name = ? WHERE id = 'k5'", [ESCAPES])
        con.execute("UPDATE key_results SET title = ? WHERE id = 'kr2'", [QUIT + RETITLE])
        con.execute("UPDATE checkins SET note = ? WHERE id = 'c5'", [f"note {ESCAPES}"])
    return db
