"""Load on one PostgreSQL server: writer processes (members, each with its own login) and open
dashboards (real app processes, following the server by LISTEN/NOTIFY) for a while; afterwards
every check-in is counted (acknowledged = in the database = seen by each dashboard) and the
figures are printed: check-ins per second and acknowledgement-to-dashboard latency.

    PYTHONPATH=. python scripts/load_pg.py [--writers 20] [--dashboards 5] [--seconds 60]
        [--url postgresql://admin@host/db]

Without --url it starts a throwaway server of its own (tests/pg_server.py). Exit status 1 when
anything acknowledged was lost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.pg_load import run_load  # noqa: E402
from tests.pg_server import start_server  # noqa: E402


def _as(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--dashboards", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--url", help="an empty database, as a login that may create roles")
    args = parser.parse_args()
    server = None
    url = args.url
    if url is None:
        server = start_server()
        url = server.url()
    try:
        with tempfile.TemporaryDirectory(prefix="goaltui-load-") as folder:
            result = run_load(
                url,
                lambda login: _as(url, login),
                writers=args.writers,
                dashboards=args.dashboards,
                seconds=args.seconds,
                folder=Path(folder),
                log=lambda line: print(line, file=sys.stderr, flush=True),
            )
    finally:
        if server is not None:
            server.stop()
    print(
        f"{args.writers} writers, {args.dashboards} dashboards, one PostgreSQL server\n"
        + result.summary()
    )
    return 1 if result.lost else 0


if __name__ == "__main__":
    sys.exit(main())
