"""Many writers checking in at once beside readers: every check-in said saved must be stored.

Writers are processes running the `goaltui checkin` command (`goaltui.cli.main`) over and over,
or, with `spawn=True`, one `python -m goaltui checkin` process per check-in. Beside them run a
`goaltui report` loop and a dashboard-like loop (reload whenever the file's fingerprint changes).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

AS_OF = "2026-11-16"

WRITER = """
import contextlib, io, json, sys, time
from goaltui.cli import main

db, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["checkin", "rev", str(i), "--date", "2026-11-01", "--note", f"{tag}-{i}",
                     "--db", db, "--as-of", "2026-11-16"])
    took = time.perf_counter() - start
    print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(),
                      "seconds": took}), flush=True)
"""

REPORTER = """
import contextlib, io, sys
from pathlib import Path
from goaltui.cli import main

db, stop = sys.argv[1], Path(sys.argv[2])
runs = failures = 0
while not stop.exists():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["report", "--format", "csv", "--db", db, "--as-of", "2026-11-16"])
    runs += 1
    if code != 0:
        failures += 1
        print(err.getvalue().strip(), file=sys.stderr, flush=True)
print(runs, failures, flush=True)
"""

DASHBOARD = """
import sys, time
from pathlib import Path
from goaltui.model.errors import GoaltuiError
from goaltui.store.dataset import load_dataset
from goaltui.store.db import fingerprint

db, stop = Path(sys.argv[1]), Path(sys.argv[2])
seen = None
runs = failures = 0
while not stop.exists():
    stamp = fingerprint(db)
    if stamp == seen:
        time.sleep(0.02)  # the dashboard's poll interval, shortened
        continue
    seen = stamp
    try:
        load_dataset(db)
    except GoaltuiError as error:
        failures += 1
        print(error, file=sys.stderr, flush=True)
    runs += 1
print(runs, failures, flush=True)
"""


@dataclass
class Storm:
    """What a storm did: check-ins said saved (their ids), failed ones, and reader figures."""

    saved: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    reader_runs: int = 0
    reader_failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0

    @property
    def p95(self) -> float:
        if len(self.seconds) < 2:
            return self.median
        return statistics.quantiles(self.seconds, n=20)[-1]


def _saved_id(out: str) -> str | None:
    # "Saved check-in <id>: rev = 3 on 2026-11-01"
    if not out.startswith("Saved check-in "):
        return None
    return out.split()[2].rstrip(":")


def storm(
    db: Path,
    *,
    writers: int,
    checkins: int,
    env: dict[str, str],
    spawn: bool = False,
    cwd: Path | None = None,
) -> Storm:
    """Run `writers` writers of `checkins` check-ins each against `db`, with a report loop and a
    dashboard loop beside them; return what was said saved and what the readers met."""
    result = Storm()
    lock = threading.Lock()
    stop = db.with_name(db.name + ".stop")
    stop.unlink(missing_ok=True)
    python = sys.executable
    readers = [
        subprocess.Popen(
            [python, "-c", code, str(db), str(stop)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code in (REPORTER, DASHBOARD)
    ]

    def record(code: int, out: str, err: str, seconds: float) -> None:
        saved = _saved_id(out) if code == 0 else None
        with lock:
            result.seconds.append(seconds)
            if saved is None:
                result.failed.append(err.strip() or out.strip())
            else:
                result.saved.append(saved)

    def spawned_writer(tag: int) -> None:
        for i in range(checkins):
            command = [python, "-m", "goaltui", "checkin", "rev", str(i), "--date", "2026-11-01"]
            command += ["--note", f"w{tag}-{i}", "--db", str(db), "--as-of", AS_OF]
            start = time.perf_counter()
            done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
            record(done.returncode, done.stdout, done.stderr, time.perf_counter() - start)

    def looping_writer(tag: int) -> None:
        done = subprocess.run(
            [python, "-c", WRITER, str(db), f"w{tag}", str(checkins)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
        )
        lines = done.stdout.splitlines()
        for line in lines:
            entry = json.loads(line)
            record(entry["code"], entry["out"], entry["err"], entry["seconds"])
        if done.returncode != 0 or len(lines) != checkins:
            with lock:
                result.failed.append(f"writer {tag} died: {done.stderr.strip()[-500:]}")

    threads = [
        threading.Thread(target=spawned_writer if spawn else looping_writer, args=(tag,))
        for tag in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.touch()
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        runs = out.split()
        result.reader_runs += int(runs[0]) if runs else 0
        if reader.returncode != 0 or err.strip():
            result.reader_failures.append(err.strip()[-500:] or f"exit {reader.returncode}")
    stop.unlink(missing_ok=True)
    return result


def stored_ids(db: Path, env: dict[str, str], cwd: Path | None = None) -> set[str]:
    """The ids of every check-in in `db`, read by a fresh process of the same goaltui."""
    code = (
        "import sys\nfrom pathlib import Path\nfrom goaltui.store.dataset import load_dataset\n"
        "print('\\n'.join(load_dataset(Path(sys.argv[1])).checkins['id'].to_list()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def child_env(pythonpath: Path, timeout: float) -> dict[str, str]:
    """The environment of the storm's processes: `pythonpath`'s goaltui, a generous lock wait."""
    return {**os.environ, "PYTHONPATH": str(pythonpath), "GOALTUI_LOCK_TIMEOUT": f"{timeout:g}"}
