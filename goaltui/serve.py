"""`goaltui serve`: the dashboard in the browser (textual-serve), one dashboard process per tab.

Headless: this module never imports Textual. Each browser tab's websocket starts its own
`python -m goaltui` process on the same database, so tabs share nothing but the database, the
way two terminals do.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from goaltui.i18n import _
from goaltui.model.errors import GoaltuiError

log = logging.getLogger("goaltui.serve")

TEMPLATES = Path(__file__).parent / "web"
"""The page template: textual-serve's own, without the web font link, with a CJK monospace font."""

QUIT_GRACE_SECONDS = 3.0
"""How long a tab's process may take to quit after its browser tab went away before it is killed."""


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dashboard_argv(
    *, db: str | None, demo: bool, as_of: str | None, python: str = sys.executable
) -> list[str]:
    """The command line of one tab's dashboard: the options `serve` was given, passed on as they
    came (a database path or URL is not touched; $GOALTUI_DB reaches the process by inheritance)."""
    argv = [python, "-m", "goaltui"]
    if db is not None:
        argv += ["--db", db]
    if demo:
        argv.append("--demo")
    if as_of is not None:
        argv += ["--as-of", as_of]
    return argv


class TabProcess(AppService):
    """One browser tab's dashboard process, started without a shell and always reaped.

    textual-serve asks the app to quit when the tab's websocket closes and then waits for it
    without limit, so an app process that does not answer (hung, or stuck redrawing as Textual
    apps have been seen to be when their tab went away during start-up) would stay for good.
    This one waits a few seconds, then kills the process."""

    def __init__(self, argv: Sequence[str], **kwargs: object) -> None:
        super().__init__(" ".join(argv), **kwargs)  # type: ignore[arg-type]
        self.argv = list(argv)

    @property
    def pid(self) -> int | None:
        """The process id of the dashboard, once started."""
        return self._process.pid if self._process is not None else None

    async def _open_app_process(
        self, width: int = 80, height: int = 24
    ) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the dashboard to quit; kill it when it has not ended within the grace period."""
        process = self._process
        task = self._task
        if task is None or process is None:
            return
        with contextlib.suppress(Exception):
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        with contextlib.suppress(Exception):
            await self.send_meta({"type": "quit"})
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), QUIT_GRACE_SECONDS)
        except TimeoutError:
            log.warning("dashboard process %s did not quit; killing it", process.pid)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        with contextlib.suppress(Exception):
            await task
        self._task = None


class DashboardServer(Server):
    """textual-serve's server, starting a `TabProcess` for every websocket."""

    def __init__(self, argv: Sequence[str], *, host: str, port: int, banner: str) -> None:
        super().__init__(
            " ".join(argv), host=host, port=port, title="goaltui", templates_path=TEMPLATES
        )
        self.argv = list(argv)
        self.banner = banner
        self.sockets: set[web.WebSocketResponse] = set()
        """The open tabs' websockets, closed when the server stops so that every tab is reaped."""

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="goaltui serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        print(self.banner, flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        for websocket in list(self.sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        tab: TabProcess | None = None
        self.sockets.add(websocket)
        try:
            await websocket.prepare(request)
            tab = TabProcess(
                self.argv,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            await tab.start(width, height)
            log.info("tab opened: dashboard process %s", tab.pid)
            await self._process_messages(websocket, tab)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one tab's failure must not stop the server
            log.exception(error)
        finally:
            self.sockets.discard(websocket)
            if tab is not None:
                await tab.stop()
                log.info("tab closed: dashboard process %s ended", tab.pid)
        return websocket


def database_label(db: str | None, demo: bool) -> str:
    """How the banner names the database: a URL without its password."""
    if demo:
        return "the demo database"
    if db is None:
        return "the default database"
    parts = urlsplit(db)
    if parts.scheme and parts.password is not None:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    return db


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def serve(
    *,
    host: str,
    port: int,
    db: str | None,
    demo: bool,
    as_of: str | None,
) -> int:
    """Serve the dashboard on http://host:port until interrupted; return the exit status."""
    if not is_loopback(host):
        print(
            _(
                "goaltui serve: warning: listening on {host}, not only on this machine: anyone "
                "who can reach this address opens the dashboard with this user's access to the "
                "database"
            ).format(host=host),
            file=sys.stderr,
        )
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{port}"
    banner = _(
        "goaltui serve: open {url} in a browser (each tab runs its own dashboard on "
        "{database}); Ctrl+C stops"
    ).format(url=url, database=database_label(db, demo))
    server = DashboardServer(
        dashboard_argv(db=db, demo=demo, as_of=as_of), host=host, port=port, banner=banner
    )
    # textual-serve installs its Ctrl+C and SIGTERM handlers on the current event loop.
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        server.serve()
    except OSError as error:
        raise GoaltuiError(
            _("cannot listen on {host}:{port}: {reason}").format(
                host=host, port=port, reason=error.strerror or error
            )
        ) from None
    return 0
