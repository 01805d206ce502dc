"""The dashboard's latency budgets in a real terminal (tmux), at one or more database sizes.

    python scripts/bench_ui.py --db 1M=big.duckdb --db 10M=bigger.duckdb [--runs 5]
    python scripts/bench_ui.py --db 1M=big.duckdb --paint   # also first paint vs hello-world

Every path runs on a copy of each database, in a 120x40 tmux pane polled every few
milliseconds; each figure is the median of `--runs` runs and is printed with its budget and
whether it meets it, then how it grows from the first size to the last:

- first screen with figures: command start until the KPI pane shows statuses and the units
  below (a fresh process each run);
- `c` until the check-in form shows, and whether the digits typed in the same burst as `c`
  all reached the value field (none may be lost);
- ctrl+s until the goal's row shows the new figure (the form closed);
- another process's `goaltui checkin` until the open dashboard shows it, counted from the
  command's exit (the watch interval included).

goaltui's bytecode is written first, as an installed goaltui has it (see bench.py).

A path that never completes counts as a failure with the pane it was stuck on printed. The
machine's load (uptime) is printed before and after: on a shared machine the figures move with
it.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HELLO = """
import sys, time
from textual.app import App
from textual.widgets import Static

class Hello(App[None]):
    def compose(self):
        yield Static("hello world")
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        print("paint", time.time(), flush=True)
        self.exit()

if __name__ == "__main__":
    import asyncio
    asyncio.run(Hello().run_async(headless=True, size=(120, 40)))
"""

HELLO_TTY = """
from textual.app import App
from textual.widgets import Static

class Hello(App[None]):
    def compose(self):
        yield Static("hello world")

Hello().run()
"""

BUDGETS = {
    "first": {"1M": 1500.0, "10M": 5000.0},
    "form": {"": 100.0},
    "digits": {"": 100.0},
    "row": {"": 150.0, "10M": 300.0},
    "other": {"": 1500.0},
    "whole": {},
}
"""Milliseconds each figure may take, by size label ("" for any size)."""

LABELS = {
    "first": "first screen with figures",
    "form": "c until the form shows",
    "digits": "c until the digits typed show",
    "row": "ctrl+s until the row changes",
    "other": "another process's checkin shown",
    "whole": "whole organisation's roll-ups shown",
}

STUCK = 120.0
"""Seconds after which a path counts as never completing."""


def budget(figure: str, size: str) -> float:
    """The budget of `figure` at `size` in milliseconds."""
    by_size = BUDGETS[figure]
    return by_size.get(size, by_size.get("", by_size.get("1M", float("inf"))))


class Stuck(Exception):
    """The pane never showed what a path waits for."""

    def __init__(self, pane: str) -> None:
        super().__init__("the pane never showed what was expected")
        self.pane = pane


@dataclass
class Figures:
    """The measured paths at one database size, in milliseconds."""

    size: str
    runs: dict[str, list[float]] = field(default_factory=dict)
    lost: int = 0
    bursts: int = 0

    def add(self, figure: str, ms: float) -> None:
        self.runs.setdefault(figure, []).append(ms)

    def median(self, figure: str) -> float | None:
        values = self.runs.get(figure)
        return statistics.median(values) if values else None


def _env() -> str:
    """The command prefix that hands this process's PYTHONPATH to a program tmux starts (the
    tmux server's own environment may be another's)."""
    path = os.environ.get("PYTHONPATH")
    return f"env PYTHONPATH={shlex.quote(path)} " if path else ""


def _goaltui() -> str:
    return shutil.which("goaltui") or f"{sys.executable} -m goaltui"


def _pane(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    ).stdout


def _until(session: str, ready: Callable[[str], bool], timeout: float = STUCK) -> float:
    """Poll the pane until `ready(pane)`; the time.time() it became true. Raises Stuck."""
    deadline = time.time() + timeout
    pane = ""
    while time.time() < deadline:
        pane = _pane(session)
        if ready(pane):
            return time.time()
        time.sleep(0.003)
    raise Stuck(pane)


def _start(session: str, command: str) -> float:
    start = time.time()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True
    )
    return start


def _stop(session: str) -> None:
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _figures_shown(pane: str) -> bool:
    return "Units below" in pane and "track" in pane


def _whole_shown(pane: str) -> bool:
    """The organisation tree's badges: the whole organisation's figures are in."""
    return "✓" in pane


def _row(pane: str, name: str) -> str:
    """The KPI table's line of the goal called `name` (the first line naming it: the table is
    above the notifications)."""
    return next((line for line in pane.splitlines() if f" {name} " in line), "")


def _typed(pane: str) -> str | None:
    """What the check-in form's value field holds, as the pane shows it (None: no form)."""
    found = re.search(r"Value\s+([0-9][0-9.,]*)?", pane)
    if found is None:
        return None
    return found.group(1) or ""


def _holds(digits: str) -> Callable[[str], bool]:
    return lambda pane: _typed(pane) == digits


def _moved(name: str, before: str) -> Callable[[str], bool]:
    return lambda pane: _row(pane, name) not in ("", before)


def _saved(name: str, before: str) -> Callable[[str], bool]:
    return lambda pane: "Confidence" not in pane and _row(pane, name) not in ("", before)


def _contains(marker: str) -> Callable[[str], bool]:
    return lambda pane: marker in pane


def _values(db: Path, goal: str, as_of: str) -> tuple[float, float]:
    """Where the check-ins' values start and how they move, so that every new value moves the
    goal's figure: below the month's lowest so far for a `min` goal, above its highest for a
    `max` goal (the history may hold such values already), else large and growing."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        aggregation = con.sql(
            "SELECT aggregation FROM kpis WHERE id = $g", params={"g": goal}
        ).fetchall()[0][0]
        low, high = con.sql(
            "SELECT min(value), max(value) FROM checkins WHERE goal_id = $g "
            "AND date >= date_trunc('month', $d::DATE) AND date <= $d::DATE",
            params={"g": goal, "d": as_of},
        ).fetchall()[0]
    finally:
        con.close()
    if aggregation == "min":
        return (float(int(low)), -1.0) if low is not None else (400000.0, -1111.0)
    if aggregation == "max":
        return (float(int(high) + 1), 1.0) if high is not None else (400000.0, 1111.0)
    return 400000.0, 1111.0


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _stuck(what: str, error: Stuck) -> None:
    print(f"  STUCK: {what} did not complete within {STUCK:.0f} s; the pane:")
    for line in error.pane.splitlines():
        print(f"    |{line}")


def first_screens(db: Path, as_of: str, runs: int, figures: Figures) -> None:
    """Start the dashboard `runs` times; from the command's start until figures show."""
    session = f"first{os.getpid()}"
    for _ in range(runs):
        start = _start(session, f"{_env()}{_goaltui()} --db {db} --as-of {as_of}")
        try:
            figures.add("first", (_until(session, _figures_shown) - start) * 1000)
            figures.add("whole", (_until(session, _whole_shown) - start) * 1000)
        except Stuck as error:
            figures.add("first", float("inf"))
            _stuck("the first screen", error)
        finally:
            _stop(session)


def keypress_paths(
    db: Path, as_of: str, runs: int, goal: str, name: str, figures: Figures, settle: float
) -> None:
    """`c`, ctrl+s and another process's check-in, `runs` times each, in one dashboard."""
    session = f"keys{os.getpid()}"
    send = ["tmux", "send-keys", "-t", session]
    # Every new value must move the goal's figure: downwards for a `min` goal.
    base, step = _values(db, goal, as_of)
    _start(session, f"{_env()}{_goaltui()} --db {db} --as-of {as_of}")
    try:
        _until(session, _whole_shown)
        time.sleep(settle)  # the trends and findings that follow the figures
        for i in range(runs):
            digits = _number(base + step * (2 * i + 1))
            before = _row(_pane(session), name)
            t0 = time.time()
            subprocess.run([*send, "c", *digits], check=True)
            figures.add("form", (_until(session, lambda p: "Confidence" in p) - t0) * 1000)
            figures.bursts += 1
            # Late is not lost: wait long for the digits, then read what the field holds.
            try:
                shown = _until(session, _holds(digits), 30.0)
                figures.add("digits", (shown - t0) * 1000)
            except Stuck as error:
                figures.lost += 1
                print(f"  LOST: typed c{digits}, the value field holds {_typed(error.pane)!r}")
                # Typed again into an emptied field, so that the save can be timed all the same.
                subprocess.run([*send, *(["BSpace"] * 24), *digits], check=True)
                _until(session, _holds(digits))
            t1 = time.time()
            subprocess.run([*send, "C-s"], check=True)
            try:
                seen = _until(
                    session,
                    _saved(name, before),
                )
                figures.add("row", (seen - t1) * 1000)
            except Stuck as error:
                figures.add("row", float("inf"))
                _stuck(f"ctrl+s number {i + 1}", error)
                return
            time.sleep(1.5)
            before = _row(_pane(session), name)
            other = [
                *_goaltui().split(),
                "checkin",
                goal,
                _number(base + step * (2 * i + 2)),
                "--db",
                str(db),
                "--as-of",
                as_of,
                "--date",
                as_of,
            ]
            subprocess.run(other, check=True, capture_output=True)
            t3 = time.time()
            try:
                seen = _until(session, _moved(name, before))
                figures.add("other", (seen - t3) * 1000)
            except Stuck as error:
                figures.add("other", float("inf"))
                _stuck(f"another process's check-in number {i + 1}", error)
                return
            time.sleep(1.0)
    except Stuck as error:
        _stuck("the keypress paths", error)
    finally:
        _stop(session)


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return "stuck" if value == float("inf") else f"{value:.0f} ms"


def report(all_figures: list[Figures]) -> None:
    """Each figure at each size with its budget and pass/fail; growth first size -> last."""
    print()
    print(f"{'figure':34s} {'size':>5s} {'median':>10s} {'n':>3s} {'budget':>9s}  result")
    for figure, label in LABELS.items():
        for figs in all_figures:
            median = figs.median(figure)
            if median is None:
                continue
            limit = budget(figure, figs.size)
            if limit == float("inf"):
                n = len(figs.runs[figure])
                print(f"{label:34s} {figs.size:>5s} {_ms(median):>10s} {n:3d}   no budget")
                continue
            verdict = "PASS" if median <= limit else "FAIL"
            n = len(figs.runs[figure])
            print(
                f"{label:34s} {figs.size:>5s} {_ms(median):>10s} {n:3d} {limit:7.0f}ms  {verdict}"
            )
    for figs in all_figures:
        if figs.bursts:
            verdict = "PASS" if figs.lost == 0 else "FAIL"
            print(
                f"{'keystrokes lost after c':34s} {figs.size:>5s} {figs.lost:>7d} of {figs.bursts}"
                f" bursts   budget 0  {verdict}"
            )
    if len(all_figures) > 1:
        first, last = all_figures[0], all_figures[-1]
        print(f"growth {first.size} -> {last.size}:")
        for figure, label in LABELS.items():
            a, b = first.median(figure), last.median(figure)
            if a and b and a != float("inf") and b != float("inf"):
                print(f"  {label:34s} x{b / a:5.2f}  ({_ms(a)} -> {_ms(b)})")


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def headless(code: str, *args: str) -> dict[str, float]:
    """Run `code` in a fresh interpreter; seconds from spawn to each printed stamp."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    ).stdout
    stamps: dict[str, float] = {}
    for line in out.splitlines():
        name, _, value = line.partition(" ")
        if name == "paint":
            stamps[name] = float(value) - start
    return stamps


def first_paint(db: Path, as_of: str, runs: int) -> None:
    """Command start until the first frame shows in tmux, goaltui against a hello-world
    Textual app in the same run (budget: within 2.5x)."""
    with tempfile.TemporaryDirectory() as tmp:
        hello_file = Path(tmp) / "hello.py"
        hello_file.write_text(HELLO_TTY)
        session = f"paint{os.getpid()}"
        th: list[float] = []
        tg: list[float] = []
        for _ in range(runs):
            for command, marker, into in (
                (f"{sys.executable} {hello_file}", "hello world", th),
                (f"{_env()}{_goaltui()} --db {db} --as-of {as_of}", "as of", tg),
            ):
                start = _start(session, command)
                try:
                    into.append(_until(session, _contains(marker), 60) - start)
                finally:
                    _stop(session)
        mh, mg = statistics.median(th), statistics.median(tg)
        print(
            f"first frame in tmux, median of {runs}: hello-world {mh * 1000:.0f} ms, "
            f"goaltui {mg * 1000:.0f} ms, ratio {mg / mh:4.2f}x (budget 2.5x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db", action="append", required=True, help="SIZE=PATH (e.g. 1M=big.duckdb), repeatable"
    )
    parser.add_argument("--as-of", default="2026-11-16")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--goal", default="k00000", help="a KPI of the root unit, listed first")
    parser.add_argument("--name", default="Indicator 0", help="that KPI's name")
    parser.add_argument(
        "--settle",
        type=float,
        default=10.0,
        help="seconds to wait, once the whole organisation is shown, for its trends and findings",
    )
    parser.add_argument("--paint", action="store_true", help="also first paint vs hello-world")
    parser.add_argument("--copies", type=Path, default=None, help="where the copies go")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("bench_ui needs tmux")
    # Timed as installed: with goaltui's bytecode written (see bench.py).
    from bench import compile_goaltui

    print(f"goaltui bytecode written in {compile_goaltui()}")
    print(f"load before: {_uptime()}")
    # A session that outlives the measured ones keeps the tmux server up between runs.
    keeper = f"keep{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep 3600"], check=True)
    results: list[Figures] = []
    try:
        with tempfile.TemporaryDirectory(dir=args.copies) as tmp:
            for spec in args.db:
                size, _, path = spec.rpartition("=")
                size = size or Path(path).stem
                copy = Path(tmp) / f"{size}.duckdb"
                shutil.copyfile(path, copy)
                figures = Figures(size)
                print(f"{size}: {path} ({args.runs} runs per path)", flush=True)
                first_screens(copy, args.as_of, args.runs, figures)
                keypress_paths(
                    copy, args.as_of, args.runs, args.goal, args.name, figures, args.settle
                )
                if args.paint:
                    first_paint(copy, args.as_of, args.runs)
                results.append(figures)
                copy.unlink()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)
    report(results)
    print(f"load after: {_uptime()}")


if __name__ == "__main__":
    main()
