"""Time to first paint of the dashboard against a hello-world Textual app, in the same run,
and the keypress paths of a check-in in a real terminal.

    python scripts/bench_ui.py --db big.duckdb [--runs 5] [--keys-only]

Headless: a child process runs the app under `run_test` and prints when its first frame was
painted (and, for goaltui, when the data was on screen); the clock starts before the child is
spawned, so imports count. In a terminal: tmux runs the real command and the pane is polled until
the first frame shows. Prints medians and the ratio to hello-world (budget: within 2.5x).

Keypress paths (tmux, on a copy of the database): first screen with figures; `c` until the form
shows (and whether the digits typed in the same burst as `c` all reached the value field);
ctrl+s until the goal's row shows the new figure; another process's `goaltui checkin` until the
open dashboard shows it (from the command's exit, and from its start).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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

GOALTUI = """
import asyncio, sys, time
from datetime import date
from pathlib import Path
from goaltui.ui.app import GoalApp

class Timed(GoalApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(lambda: print("paint", time.time(), flush=True))
    def _publish(self):
        super()._publish()
        if self.scorecard is not None:
            self.call_after_refresh(lambda: (print("data", time.time(), flush=True), self.exit()))

app = Timed(db=Path(sys.argv[1]), as_of=date.fromisoformat(sys.argv[2]), watch=False)
asyncio.run(app.run_async(headless=True, size=(120, 40)))
"""


def headless(code: str, *args: str) -> dict[str, float]:
    """Run `code` in a fresh interpreter; seconds from spawn to each printed stamp."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    ).stdout
    stamps: dict[str, float] = {}
    for line in out.splitlines():
        name, _, value = line.partition(" ")
        if name in ("paint", "data"):
            stamps[name] = float(value) - start
    return stamps


def in_tmux(command: str, marker: str, timeout: float = 60.0) -> float:
    """Seconds from starting `command` in a 120x40 tmux pane until `marker` shows in it."""
    session = f"bench{os.getpid()}"
    start = time.time()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command], check=True
    )
    try:
        while time.time() - start < timeout:
            pane = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if marker in pane:
                return time.time() - start
            time.sleep(0.005)
        raise TimeoutError(f"{marker!r} never appeared")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _aggregation(db: Path, goal: str) -> str:
    """The aggregation of KPI `goal` in the database at `db`."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql("SELECT aggregation FROM kpis WHERE id = $g", params={"g": goal}).fetchall()
    finally:
        con.close()
    return str(rows[0][0]) if rows else ""


def _env() -> str:
    """The command prefix that hands this process's PYTHONPATH to a program tmux starts (the
    tmux server's own environment may be another's)."""
    path = os.environ.get("PYTHONPATH")
    return f"env PYTHONPATH={shlex.quote(path)} " if path else ""


def _pane(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    ).stdout


def _until(session: str, ready: Callable[[str], bool], timeout: float = 30.0) -> float:
    """Poll the pane until `ready(pane)`; the time.time() it became true."""
    deadline = time.time() + timeout
    pane = ""
    while time.time() < deadline:
        pane = _pane(session)
        if ready(pane):
            return time.time()
        time.sleep(0.003)
    raise TimeoutError(f"the pane never showed what was expected:\n{pane}")


def _row(pane: str, name: str) -> str:
    return next((line for line in pane.splitlines() if f" {name} " in line), "")


def keypress_paths(db: Path, as_of: str, runs: int, goal: str, name: str) -> None:
    """The check-in paths in a real terminal, on a copy of `db`; prints medians."""
    goaltui = shutil.which("goaltui") or f"{sys.executable} -m goaltui"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / db.name
        shutil.copyfile(db, copy)
        session = f"keys{os.getpid()}"
        start = time.time()
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "120",
                "-y",
                "40",
                f"{_env()}{goaltui} --db {copy} --as-of {as_of}",
            ],
            check=True,
        )
        send = ["tmux", "send-keys", "-t", session]
        # Every new value must move the goal's figure: downwards for a `min` goal.
        step = -1111 if _aggregation(copy, goal) == "min" else 1111
        try:
            first = _until(session, lambda p: "Units below" in p and "track" in p, 60) - start
            time.sleep(2.0)  # let the trends and findings that follow the figures settle
            forms, rows, others, others_spawn, lost = [], [], [], [], 0
            for i in range(runs):
                digits = str(400000 + step * (2 * i + 1))
                before = _row(_pane(session), name)
                t0 = time.time()
                subprocess.run([*send, "c", *digits], check=True)
                forms.append(_until(session, lambda p: "Confidence" in p) - t0)
                try:
                    _until(session, lambda p, d=digits: f"Value        {d}" in p, 2.0)
                except TimeoutError:
                    lost += 1  # typed again, so that the save can be timed all the same
                    subprocess.run([*send, *digits], check=True)
                    _until(session, lambda p, d=digits: f"Value        {d}" in p)
                t1 = time.time()
                subprocess.run([*send, "C-s"], check=True)
                rows.append(
                    _until(
                        session,
                        lambda p, b=before: "Confidence" not in p and _row(p, name) not in ("", b),
                        120,
                    )
                    - t1
                )
                time.sleep(1.5)
                before = _row(_pane(session), name)
                t2 = time.time()
                subprocess.run(
                    [
                        *goaltui.split(),
                        "checkin",
                        goal,
                        str(400000 + step * (2 * i + 2)),
                        "--db",
                        str(copy),
                        "--as-of",
                        as_of,
                        "--date",
                        as_of,
                    ],
                    check=True,
                    capture_output=True,
                )
                t3 = time.time()
                seen = _until(session, lambda p, b=before: _row(p, name) not in ("", b), 120)
                others.append(seen - t3)
                others_spawn.append(seen - t2)
                time.sleep(1.0)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    med = statistics.median
    print(f"keypress paths in tmux 120x40, median of {runs} (goal {goal}):")
    print(f"  first screen with figures      {first * 1000:7.0f} ms   (budget 1500 ms)")
    print(f"  c until the form shows         {med(forms) * 1000:7.0f} ms   (budget 100 ms)")
    print(f"  digits typed with c, lost      {lost:7d} of {runs} bursts")
    print(f"  ctrl+s until the row changes   {med(rows) * 1000:7.0f} ms   (budget 150 ms)")
    print(
        f"  other process's checkin shown  {med(others) * 1000:7.0f} ms after it exited, "
        f"{med(others_spawn) * 1000:.0f} ms after it started   (budget 1500 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-11-16")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--goal", default="k00000", help="a KPI of the root unit, listed first")
    parser.add_argument("--name", default="Indicator 0", help="that KPI's name")
    parser.add_argument("--keys-only", action="store_true", help="only the keypress paths")
    args = parser.parse_args()
    if shutil.which("tmux"):
        keypress_paths(args.db, args.as_of, args.runs, args.goal, args.name)
    if args.keys_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        hello_file = Path(tmp) / "hello.py"
        hello_file.write_text(HELLO_TTY)
        hello_paint, goal_paint, goal_data = [], [], []
        for _ in range(args.runs):
            hello_paint.append(headless(HELLO)["paint"])
            stamps = headless(GOALTUI, str(args.db), args.as_of)
            goal_paint.append(stamps["paint"])
            goal_data.append(stamps["data"])
        h, g, d = (statistics.median(x) for x in (hello_paint, goal_paint, goal_data))
        print(f"headless, median of {args.runs} (process spawn to frame):")
        print(f"  hello-world first paint   {h * 1000:7.0f} ms")
        print(f"  goaltui first paint       {g * 1000:7.0f} ms   ratio {g / h:4.2f}x (budget 2.5x)")
        print(f"  goaltui data on screen    {d * 1000:7.0f} ms   ratio {d / h:4.2f}x")
        if shutil.which("tmux"):
            # A session that outlives the measured ones keeps the tmux server up between runs.
            keeper = f"keep{os.getpid()}"
            subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep 600"], check=True)
            goaltui = shutil.which("goaltui") or f"{sys.executable} -m goaltui"
            hello_cmd = f"{sys.executable} {hello_file}"
            th, tg = [], []
            for _ in range(args.runs):
                th.append(in_tmux(hello_cmd, "hello world"))
                tg.append(
                    in_tmux(f"{_env()}{goaltui} --db {args.db} --as-of {args.as_of}", "as of")
                )
            subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)
            mh, mg = statistics.median(th), statistics.median(tg)
            print(f"tmux 120x40, median of {args.runs} (command start to first frame on screen):")
            print(f"  hello-world               {mh * 1000:7.0f} ms")
            print(f"  goaltui                   {mg * 1000:7.0f} ms   ratio {mg / mh:4.2f}x")


if __name__ == "__main__":
    main()
