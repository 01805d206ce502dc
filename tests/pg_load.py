"""Writers and open dashboards on one PostgreSQL server at once: every acknowledged check-in must
be in the database and on every dashboard.

Writers are processes, each a member with a login of its own on a unit of its own, adding
check-ins through the store for a number of seconds. Dashboards are processes running the real
dashboard app headless (Textual's run_test), following the server by LISTEN/NOTIFY as a viewer.
Once the writers stop, each dashboard is told what was acknowledged, waits until it has all of
it (or gives up after a while), and reports what it saw and when each check-in reached its
state. Used by scripts/load_pg.py (the full run) and the test suite (a short one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-16"
DAY = "2026-11-10"
VIEWER = "load_viewer"


def login(index: int) -> str:
    """The login of writer `index` (its unit is named the same)."""
    return f"load_w{index:02d}"


def _source(folder: Path, writers: int) -> Path:
    units = ["id,name,parent_id,kind", "org,Load Inc.,,org"]
    kpis = ["id,unit_id,name,unit,direction,aggregation,period,target_mode,target"]
    for i in range(writers):
        units.append(f"{login(i)},Writer {i},org,person")
        kpis.append(f"k{i:02d},{login(i)},Calls {i},count,at_least,sum,month,absolute,100")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text("\n".join(units) + "\n")
    (folder / "kpis.csv").write_text("\n".join(kpis) + "\n")
    (folder / "objectives.csv").write_text("id,unit_id,title,period\n")
    (folder / "key_results.csv").write_text(
        "id,objective_id,title,unit,direction,aggregation,target_mode,target\n"
    )
    return folder


def prepare(admin_url: str, writers: int) -> None:
    """Create the goaltui database at `admin_url` with one unit, KPI and member login per
    writer, and a viewer login for the dashboards."""
    from goaltui.store.engine import PgStore

    store = PgStore(admin_url)
    store.init()
    with tempfile.TemporaryDirectory(prefix="goaltui-load-") as scratch:
        store.import_path(_source(Path(scratch), writers))
    roles = {login(i): "goaltui_member" for i in range(writers)} | {VIEWER: "goaltui_viewer"}
    with psycopg.connect(admin_url, autocommit=True) as con:
        for name, role in roles.items():
            con.execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') "
                f"THEN CREATE ROLE {name} LOGIN; END IF; END $$"
            )
            con.execute(f"GRANT {role} TO {name}")
            if role == "goaltui_member":
                con.execute("UPDATE units SET login = %s WHERE id = %s", [name, name])


WRITER = """
import json, sys, time
from datetime import date
from goaltui.model.errors import GoaltuiError
from goaltui.model.types import Checkin
from goaltui.store.pg import append_pg_checkin

url, goal, go, seconds, out = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
day, today = date.fromisoformat("@DAY@"), date.fromisoformat("@AS_OF@")
acked, failed, attempts = [], [], 0
open(out + ".ready", "w").close()
while True:  # every writer starts at once, after its imports
    try:
        start = float(open(go).read())
        break
    except (OSError, ValueError):
        time.sleep(0.005)
while time.time() < start:
    time.sleep(0.001)
while time.time() < start + seconds:
    attempts += 1
    try:
        saved = append_pg_checkin(url, Checkin(goal_id=goal, date=day, value=1.0), today=today)
    except GoaltuiError as error:
        failed.append(str(error))
        continue
    acked.append([saved.id, time.time()])
with open(out, "w") as f:
    json.dump({"attempts": attempts, "acked": acked, "failed": failed}, f)
""".replace("@DAY@", DAY).replace("@AS_OF@", AS_OF)

DASHBOARD = """
import asyncio, json, sys, time
from datetime import date
from pathlib import Path
from goaltui.ui.app import GoalApp

url, ready, done, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
day = date.fromisoformat("@AS_OF@")

def seen(app):
    return set(app.dataset.checkins["id"].to_list()) if app.dataset is not None else set()

async def main():
    app = GoalApp(db=url, as_of=day, today=day)
    app.arrivals = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.scorecard is None or not app.caught_up:
            await pilot.pause(0.05)
        ready.write_text("ready")
        while not done.exists():
            await pilot.pause(0.05)
        expected = set(json.loads(done.read_text()))
        deadline = time.monotonic() + float(sys.argv[5])
        while not expected <= seen(app) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        out.write_text(json.dumps({
            "seen": sorted(seen(app) & expected),
            "arrivals": app.arrivals,
            "full_reads": app.full_reads,
        }))

asyncio.run(main())
"""


@dataclass
class LoadResult:
    """What a load run counted and measured."""

    seconds: float
    attempts: int = 0
    acknowledged: int = 0
    failed: list[str] = field(default_factory=list)
    in_db: int = 0
    seen: list[int] = field(default_factory=list)
    """Per dashboard: how many acknowledged check-ins it had at the end."""
    latencies: list[float] = field(default_factory=list)
    """Seconds from a writer's acknowledgement to a dashboard's state, over every dashboard."""
    full_reads: list[int] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Acknowledged check-ins missing from the database or from any dashboard."""
        missing = [self.acknowledged - self.in_db] + [self.acknowledged - s for s in self.seen]
        return max([0, *missing])

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    def summary(self) -> str:
        rate = self.acknowledged / self.seconds if self.seconds else 0.0
        lines = [
            f"writers ran {self.seconds:.0f} s: {self.attempts} attempted, "
            f"{self.acknowledged} acknowledged ({rate:.1f} check-ins/s), {len(self.failed)} failed",
            f"in the database: {self.in_db}",
            "seen by each dashboard: " + ", ".join(str(s) for s in self.seen),
            f"lost: {self.lost}",
            f"acknowledged -> dashboard state: p50 {self.percentile(0.5) * 1000:.0f} ms, "
            f"p95 {self.percentile(0.95) * 1000:.0f} ms, "
            f"max {max(self.latencies or [0]) * 1000:.0f} ms over {len(self.latencies)} arrivals",
            "full reads per dashboard: " + ", ".join(str(n) for n in self.full_reads),
        ]
        if self.failed:
            lines.append(f"first failure: {self.failed[0]}")
        return "\n".join(lines)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {timeout:.0f} s")
        time.sleep(0.05)


def run_load(
    admin_url: str,
    url_of: Callable[[str], str],
    *,
    writers: int,
    dashboards: int,
    seconds: float,
    folder: Path,
    patience: float = 10.0,
    log: Callable[[str], None] | None = None,
) -> LoadResult:
    """Prepare the database at `admin_url`, open `dashboards` dashboards, run `writers` writers
    for `seconds`, then count. `url_of(login)` is the database's URL for a login."""
    began = time.monotonic()

    def say(what: str) -> None:
        if log is not None:
            log(f"{time.monotonic() - began:6.1f} s  {what}")

    prepare(admin_url, writers)
    say("database prepared")
    env = child_env()
    done = folder / "acknowledged.json"
    boards: list[tuple[subprocess.Popen[bytes], Path, Path]] = []
    procs: list[subprocess.Popen[bytes]] = []
    for d in range(dashboards):
        ready, out = folder / f"ready-{d}", folder / f"dashboard-{d}.json"
        script = DASHBOARD.replace("@AS_OF@", AS_OF)
        argv = [url_of(VIEWER), str(ready), str(done), str(out), str(patience)]
        with (folder / f"dashboard-{d}.err").open("wb") as err:
            process = subprocess.Popen([sys.executable, "-c", script, *argv], env=env, stderr=err)
        boards.append((process, ready, out))
    try:
        go = folder / "go"
        outs = []
        for w in range(writers):
            out = folder / f"writer-{w}.json"
            argv = [str(go), str(seconds), str(out)]
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", WRITER, url_of(login(w)), f"k{w:02d}", *argv],
                    env=env,
                )
            )
            outs.append(out)
        for process, ready, out in boards:
            _wait(_started(process, ready), 120, "dashboard")
            if process.poll() is not None:
                raise RuntimeError(f"a dashboard ended early: {_tail(out)}")
        for out, process in zip(outs, procs, strict=True):
            _wait(_started(process, out.with_name(out.name + ".ready")), 120, "writer")
        say("dashboards and writers ready")
        scratch = go.with_name("go.tmp")
        scratch.write_text(str(time.time() + 0.1))
        scratch.rename(go)
        for process in procs:
            process.wait(timeout=seconds + 120)
        say("writers done")
        result = LoadResult(seconds=seconds)
        acked: dict[str, float] = {}
        for out in outs:
            data = json.loads(out.read_text())
            result.attempts += data["attempts"]
            result.failed += data["failed"]
            acked.update({i: t for i, t in data["acked"]})
        result.acknowledged = len(acked)
        with psycopg.connect(admin_url) as con:
            row = con.execute(
                "SELECT count(*) FROM checkins WHERE id = ANY(%s)", [list(acked)]
            ).fetchone()
            result.in_db = int(row[0]) if row else 0
        done.write_text(json.dumps(sorted(acked)))
        for process, _, out in boards:
            process.wait(timeout=patience + 60)
            if process.returncode != 0 or not out.exists():
                raise RuntimeError(f"a dashboard failed: {_tail(out)}")
            data = json.loads(out.read_text())
            result.seen.append(len(data["seen"]))
            result.full_reads.append(int(data["full_reads"]))
            result.latencies += [t - acked[i] for i, t in data["arrivals"] if i in acked]
        say("dashboards done")
        return result
    finally:
        for child in [*procs, *(board for board, _, _ in boards)]:
            if child.poll() is None:
                child.kill()
                child.wait()


def _started(process: subprocess.Popen[bytes], ready: Path) -> Callable[[], bool]:
    return lambda: ready.exists() or process.poll() is not None


def _tail(out: Path) -> str:
    errors = out.with_suffix(".err")
    return errors.read_text(errors="replace")[-2000:] if errors.exists() else ""
