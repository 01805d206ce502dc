"""`goaltui serve` in a real headless browser (Debian's chromium driven by Playwright): two tabs
draw the dashboard, answer keys, and a check-in made in one tab appears in the other.

The terminal is drawn on a canvas, so the page has no text to read: the tests look at the
pixels of screenshots and at the database the tabs write to."""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import polars as pl
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from goaltui.store.dataset import load_dataset
from tests.store_helpers import make_demo_db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AS_OF = "2026-11-16"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
T = TypeVar("T")

# Counts the pixels of a screenshot that are drawn in a saturated green or orange: the
# achievement bars and status words of the KPI table, which appear once the data is loaded.
COUNT_STATUS_PIXELS = """async (png) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    const green = g > 150 && r < 120 && b < 150;
    const orange = r > 200 && g > 120 && g < 190 && b < 80;
    if (green || orange) count += 1;
  }
  return count;
}"""


def wait_for(condition: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def status_pixels(page: Page) -> int:
    png = base64.b64encode(page.screenshot()).decode("ascii")
    return int(page.evaluate(COUNT_STATUS_PIXELS, png))


def settle(page: Page) -> bytes:
    """Wait until two screenshots in a row are the same; the last one."""
    last = [page.screenshot()]

    def settled() -> bytes | None:
        shot = page.screenshot()
        same = shot == last[0]
        last[0] = shot
        return shot if same else None

    return wait_for(settled, "the tab to stop changing")


def wait_until_drawn(page: Page) -> bytes:
    """Wait until the tab shows the loaded dashboard and has stopped changing; its screenshot."""
    page.wait_for_selector("body.-first-byte", timeout=30_000)
    wait_for(lambda: status_pixels(page) > 500, "the KPI table's status colours")
    return settle(page)


class Served:
    """A running `goaltui serve` and the dashboard processes it reports."""

    def __init__(self, process: subprocess.Popen[str], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    def tab_pids(self) -> list[int]:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [int(pid) for pid in re.findall(r"tab opened: dashboard process (\d+)", text)]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return make_demo_db(tmp_path)


@contextmanager
def serving(db: str, log: Path, *, banner_says: str = "") -> Iterator[Served]:
    """`goaltui serve --db DB` on a free port until the block ends (then Ctrl-C), its stderr
    in `log`, once its banner names the URL (and `banner_says`) and the page answers."""
    port = free_port()
    command = [sys.executable, "-m", "goaltui", "serve", "--db", db]
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            [*command, "--as-of", AS_OF, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
            env={**os.environ, "LANG": "C.UTF-8"},
        )
    assert process.stdout is not None
    banner = process.stdout.readline()
    url = f"http://127.0.0.1:{port}"
    assert url in banner and banner_says in banner, banner

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    wait_for(answers, "the server to answer")
    try:
        yield Served(process, url, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def served(database: Path, tmp_path: Path) -> Iterator[Served]:
    with serving(str(database), tmp_path / "serve.log") as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One Chromium for the tests of a module. No wider: while Playwright's sync API runs, its
    event loop is the thread's, and no asyncio test could run beside it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[Browser]:
    """The module's Chromium; the pages a test opened are closed after it."""
    yield chromium
    for context in chromium.contexts:
        context.close()


def checkins(db: Path) -> int:
    return load_dataset(db).checkins.height


def check_in(page: Page, value: str) -> None:
    """From the dashboard's first screen (its first goal highlighted, hb-csat on the demo): `c`
    opens the form for that goal in its value field; the value, ctrl+s."""
    page.locator(".xterm-helper-textarea").focus()
    shown = status_pixels(page)
    page.keyboard.press("c")
    # The form is modal: it dims the dashboard behind it, status colours included.
    wait_for(lambda: status_pixels(page) < shown / 4, "the check-in form")
    settle(page)
    page.keyboard.type(value, delay=20)
    settle(page)
    page.keyboard.press("Control+s")


def test_two_tabs_draw_answer_keys_and_see_each_others_check_ins(
    served: Served, browser: Browser, database: Path, tmp_path: Path
) -> None:
    before = checkins(database)
    known = load_dataset(database).checkins["id"].to_list()
    one = browser.new_page(viewport=VIEWPORT)
    two = browser.new_page(viewport=VIEWPORT)
    one.goto(served.url)
    two.goto(served.url)
    wait_until_drawn(one)
    two_before = wait_until_drawn(two)
    pids = served.tab_pids()
    assert len(set(pids)) == 2, "each tab runs its own dashboard process"
    assert os.getpid() not in pids and served.process.pid not in pids

    check_in(one, "4.1")  # on hb-csat, the goal the dashboard opens on
    wait_for(lambda: checkins(database) == before + 1, "tab 1's check-in in the database")
    # Tab 2 learns of it from the file and redraws: its figures change without a key pressed.
    wait_for(lambda: two.screenshot() != two_before, "tab 2 to show the new check-in")
    wait_until_drawn(two)
    # Tab 2 answers keys too: `2` shows its OKR pane.
    drawn = two.screenshot()
    two.locator(".xterm-helper-textarea").focus()
    two.keyboard.press("2")
    wait_for(lambda: two.screenshot() != drawn, "tab 2 to show its OKR pane")
    rows = load_dataset(database).checkins.filter(~pl.col("id").is_in(known))
    assert list(zip(rows["goal_id"], rows["value"], strict=True)) == [("hb-csat", 4.1)]


def test_a_tab_process_that_does_not_quit_is_killed_when_its_tab_closes(
    served: Served, browser: Browser
) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(served.url)
    page.wait_for_selector("body.-first-byte", timeout=30_000)
    [pid] = wait_for(served.tab_pids, "the tab's dashboard process")
    # A dashboard that cannot answer the request to quit (stopped), as a hung one would not.
    os.kill(pid, signal.SIGSTOP)
    page.close()
    wait_for(lambda: not alive(pid), "the server to end the stopped dashboard", timeout=15)
