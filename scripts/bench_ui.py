"""Time to first paint of the dashboard against a hello-world Textual app, in the same run.

    python scripts/bench_ui.py --db big.duckdb [--runs 5]

Headless: a child process runs the app under `run_test` and prints when its first frame was
painted (and, for goaltui, when the data was on screen); the clock starts before the child is
spawned, so imports count. In a terminal: tmux runs the real command and the pane is polled until
the first frame shows. Prints medians and the ratio to hello-world (budget: within 2.5x).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
from goaltui.ui.messages import ScorecardReady

class Timed(GoalApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(lambda: print("paint", time.time(), flush=True))
    def on_scorecard_ready(self, message):
        super().on_scorecard_ready(message)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-11-16")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
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
                tg.append(in_tmux(f"{goaltui} --db {args.db} --as-of {args.as_of}", "as of"))
            subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)
            mh, mg = statistics.median(th), statistics.median(tg)
            print(f"tmux 120x40, median of {args.runs} (command start to first frame on screen):")
            print(f"  hello-world               {mh * 1000:7.0f} ms")
            print(f"  goaltui                   {mg * 1000:7.0f} ms   ratio {mg / mh:4.2f}x")


if __name__ == "__main__":
    main()
