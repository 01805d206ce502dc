"""A throwaway PostgreSQL server for the tests: started once per test session, stopped at its end.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as an unprivileged
OS user (`postgres`, created when missing). It listens on 127.0.0.1 only, on a free port, with
its socket and data in a fresh temporary folder, and trusts local connections (it is reachable
from this machine alone and lives for one test run).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
"""The server's superuser (and, when running as root, the OS user that runs it)."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: `pg_config --bindir`, else the newest
    /usr/lib/postgresql/*/bin. Raises RuntimeError naming how to install them."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    candidates += [Path(p) for p in versions]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install them with "
        "`apt-get install -y postgresql`"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_os_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
        )


@dataclass
class PgServer:
    """A running server: connect with `url(database, user)`."""

    bindir: Path
    root: Path
    port: int
    os_user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A connection URL for `user` to `database` over TCP on loopback."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def _run(self, args: Sequence[str]) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.os_user is not None:
            command = ["runuser", "-u", self.os_user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout}")

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.os_user is not None:
            entry = pwd.getpwnam(self.os_user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(["initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8"])
        self.start_again()

    def start_again(self) -> None:
        """Start the server on its data folder (after `stop_only`), on the same port."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        log = self.root / "server.log"
        self._run(["pg_ctl", "-D", str(self.data), "-l", str(log), "-o", options, "-w", "start"])

    def stop_only(self) -> None:
        """Stop the server, every connection cut at once, keeping its data (and every commit it
        acknowledged: a fast shutdown writes them out)."""
        self._run(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def stop(self) -> None:
        try:
            self._run(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PgServer:
    """Start a fresh server (see the module's docstring); the caller stops it."""
    bindir = find_bindir()
    os_user = None
    if os.geteuid() == 0:
        _ensure_os_user(SUPERUSER)
        os_user = SUPERUSER
    root = Path(tempfile.mkdtemp(prefix="goaltui-pg-"))
    server = PgServer(bindir=bindir, root=root, port=free_port(), os_user=os_user)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server
