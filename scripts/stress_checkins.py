"""Stress goaltui's file store: many writers check in at once beside a report loop and a
dashboard-like reader; every check-in said saved must be found on disk.

    PYTHONPATH=. python scripts/stress_checkins.py [--writers 8] [--checkins 40] [--rounds 3]
        [--spawn] [--goaltui DIR]

--goaltui runs the storm's processes with another checkout's goaltui (e.g. an older commit, to
show what it lost); --spawn starts one `python -m goaltui checkin` process per check-in (the
per-check-in time then includes starting Python). Prints, per round and in total: check-ins said
saved, stored, lost, failed, and the median and 95th-percentile seconds per check-in.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.checkin_storm import child_env, stored_ids, storm  # noqa: E402
from tests.store_helpers import write_source  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--checkins", type=int, default=40, help="check-ins per writer per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spawn", action="store_true", help="one process per check-in")
    parser.add_argument("--goaltui", type=Path, default=REPO, help="checkout whose goaltui runs")
    parser.add_argument("--lock-timeout", type=float, default=120)
    args = parser.parse_args()
    checkout = args.goaltui.resolve()
    env = child_env(checkout, args.lock_timeout)
    total_saved = total_stored = total_failed = 0
    seconds: list[float] = []
    lost_rounds = 0
    for round_no in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "stress.duckdb"
            source = write_source(Path(tmp) / "src")
            subprocess.run(
                [sys.executable, "-m", "goaltui", "import", str(source), "--db", str(db)],
                env=env,
                cwd=checkout,
                check=True,
                capture_output=True,
            )
            # The processes run in the checkout: `python -c` puts the working folder first.
            result = storm(
                db,
                writers=args.writers,
                checkins=args.checkins,
                env=env,
                spawn=args.spawn,
                cwd=checkout,
            )
            stored = stored_ids(db, env, cwd=checkout) & set(result.saved)
        lost = len(result.saved) - len(stored)
        lost_rounds += lost > 0
        total_saved += len(result.saved)
        total_stored += len(stored)
        total_failed += len(result.failed)
        seconds += result.seconds
        print(
            f"round {round_no}: saved {len(result.saved)}, stored {len(stored)}, lost {lost}, "
            f"failed {len(result.failed)}, reader runs {result.reader_runs} "
            f"(failures {len(result.reader_failures)}), median {result.median:.3f} s, "
            f"p95 {result.p95:.3f} s",
            flush=True,
        )
        for failure in sorted(set(result.failed + result.reader_failures))[:3]:
            print(f"    {failure.splitlines()[-1] if failure else failure}")
    p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else 0.0
    print(
        f"total ({args.writers} writers, {args.rounds} rounds): saved {total_saved}, "
        f"stored {total_stored}, lost {total_saved - total_stored} in {lost_rounds} rounds, "
        f"failed {total_failed}; per check-in median {statistics.median(seconds):.3f} s, "
        f"p95 {p95:.3f} s"
    )
    return 1 if total_saved != total_stored else 0


if __name__ == "__main__":
    sys.exit(main())
