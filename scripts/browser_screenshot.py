"""Save screenshots/browser.png: the demo dashboard served by `goaltui serve`, in chromium.

Usage: python scripts/browser_screenshot.py [--out screenshots/browser.png]
Needs /usr/bin/chromium (Debian's `chromium`) and the Python package playwright.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "browser.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.duckdb"
        subprocess.run(
            [sys.executable, "-m", "goaltui", "--db", str(db), "import", str(ROOT / "data/demo")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "goaltui", "serve", "--db", str(db)]
        server = subprocess.Popen(
            [*command, "--as-of", "2026-11-16", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "LANG": "C.UTF-8"},
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(url)
                page.wait_for_selector("body.-first-byte", timeout=60_000)
                page.locator(".xterm-helper-textarea").focus()  # the footer shows the keys
                last = b""
                while (shot := page.screenshot()) != last:  # until the dashboard has settled
                    last = shot
                    time.sleep(0.5)
                args.out.write_bytes(shot)
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
