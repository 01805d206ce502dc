"""`goaltui serve` without a browser: what each tab runs, loopback, warnings, a busy port."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from goaltui.serve import dashboard_argv, database_label, is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("goals.example.com", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_each_tab_runs_the_dashboard_with_the_options_as_they_came() -> None:
    url = "postgresql://kim@db.example.com:5432/goals"
    assert dashboard_argv(db=url, demo=False, as_of="2026-11-16", python="py") == [
        "py", "-m", "goaltui", "--db", url, "--as-of", "2026-11-16",
    ]  # fmt: skip
    assert dashboard_argv(db=None, demo=True, as_of=None, python="py") == [
        "py", "-m", "goaltui", "--demo",
    ]  # fmt: skip
    assert dashboard_argv(db=None, demo=False, as_of=None, python="py") == ["py", "-m", "goaltui"]


def test_the_banner_never_shows_a_password() -> None:
    assert database_label("postgresql://kim:s3cret@db/goals", False) == (
        "postgresql://kim:***@db/goals"
    )
    assert database_label("/data/goals.duckdb", False) == "/data/goals.duckdb"
    assert database_label(None, True) == "the demo database"


def test_a_non_loopback_host_is_warned_about_and_a_busy_port_is_a_clear_error(
    tmp_path: Path,
) -> None:
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "goaltui",
                "serve",
                "--db",
                str(tmp_path / "g.duckdb"),
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, done.stderr
    assert "warning: listening on 0.0.0.0, not only on this machine" in done.stderr
    assert f"goaltui: cannot listen on 0.0.0.0:{port}" in done.stderr
    assert "Traceback" not in done.stderr
