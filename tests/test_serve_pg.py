"""`goaltui serve` on a PostgreSQL URL, end to end over textual-serve's websocket (what the
browser page speaks, without the browser): the tab's own dashboard process draws the demo from
the server, LISTENs on it, and keys typed in the tab check in as the tab's login."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import psycopg

from tests.pg_server import PgServer, free_port

AS_OF = "2026-11-16"
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class Tab:
    """One browser tab's websocket: what the dashboard drew so far, as plain text."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.screen = ""

    async def until(self, condition: object, what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not (condition() if callable(condition) else str(condition) in self.screen):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            try:
                message = await self.socket.receive(timeout=min(left, 0.5))
            except TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.screen += ANSI.sub("", message.data.decode("utf-8", errors="replace"))
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                raise AssertionError(f"the tab closed while waiting for {what}")

    async def type(self, keys: str) -> None:
        await self.socket.send_json(["stdin", keys])


def listening(url: str) -> int:
    with psycopg.connect(url) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND usename = 'alice' AND query LIKE 'LISTEN%'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_tab_draws_the_server_s_dashboard_as_its_login_listens_and_answers_keys(
    pg_server: PgServer, team_db: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    admin = pg_server.url(team_db)
    command = [sys.executable, "-m", "goaltui", "serve", "--db", pg_server.url(team_db, "alice")]
    with log.open("w", encoding="utf-8") as sink:
        server = subprocess.Popen(
            [*command, "--as-of", AS_OF, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
            env={**os.environ, "LANG": "C.UTF-8"},
        )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner and "alice@127.0.0.1" in banner, banner
        asyncio.run(drive(port, admin))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


async def drive(port: int, admin: str) -> None:
    url = f"ws://127.0.0.1:{port}/ws?width=120&height=40"
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket = await session.ws_connect(url)
                break
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        async with socket:
            tab = Tab(socket)
            # The demo organisation's figures, read from the server, and the tab's own
            # process listening there for other people's writes.
            await tab.until("허밍버즈", "the dashboard")
            await tab.until(lambda: listening(admin) == 1, "the tab's LISTEN")
            # Keys reach the tab's app: `c` opens the check-in form.
            await tab.type("c")
            await tab.until("esc Cancel", "the check-in form")
