"""Regenerate screenshots/*.svg by driving the dashboard on the demo organisation with Pilot, in
English (`kpi-pane.svg`) and in Korean (`kpi-pane-ko.svg`).

python scripts/screenshots.py            # writes screenshots/*.svg
python scripts/screenshots.py --png      # also PNGs beside them (needs rsvg-convert)
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path

from goaltui.config import DEMO_AS_OF, Config
from goaltui.cycle import grade_key_result
from goaltui.store.demo import demo_source
from goaltui.store.importer import import_path
from goaltui.ui.app import GoalApp
from goaltui.ui.widgets.kpi_table import KpiTable

SIZE = (172, 45)
"""Wide enough for every KPI column (the snapshot tests cover 120x40 and 80x24)."""
ROOT = Path(__file__).resolve().parents[1]


LANGUAGES = {"en": "", "ko": "-ko"}
"""Each language of the screenshots, and the suffix of its file names."""


async def capture(out: Path, language: str) -> list[Path]:
    """Drive the app through each pane, reading `language`, and save one SVG per pane."""
    suffix = LANGUAGES[language]
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        import_path(db, demo_source())
        app = GoalApp(
            db=db,
            as_of=DEMO_AS_OF,
            today=DEMO_AS_OF,
            demo=True,
            watch=False,
            config=Config(language=language),
        )
        async with app.run_test(size=SIZE) as pilot:

            async def settle() -> None:
                await app.workers.wait_for_complete()
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()

            def shot(name: str, title: str) -> None:
                path = Path(app.save_screenshot(f"{name}{suffix}.svg", path=str(out)))
                saved.append(path)
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {title}")

            await settle()
            app.clear_notifications()
            app.dashboard.unit_id = "sales"
            await settle()
            shot("kpi-pane", "KPI pane, sales team")
            app.dashboard.unit_id = "product"
            await settle()
            await pilot.press("2")
            await settle()
            shot("okr-pane", "OKR pane, product team")
            app.dashboard.unit_id = "hb"
            await pilot.press("3")
            await settle()
            shot("quality-pane", "Quality pane, whole organisation")
            await pilot.press("4")
            await settle()
            shot("due-pane", "Due pane: who owes a check-in, whole organisation")
            await pilot.press("1")
            app.dashboard.unit_id = "cs"
            await settle()
            table = app.dashboard.query_one(KpiTable)
            table.focus()
            await pilot.press("enter")
            await settle()
            shot("goal-detail", "Goal detail")
            await pilot.press("escape")
            await settle()
            table.focus()
            await pilot.press("c")
            await settle()
            shot("checkin-form", "Check-in form")
            await pilot.press("escape")
            await settle()
            app.clear_notifications()
            app.request_carry_over("2026-Q3", "2026-Q4")
            await settle()
            shot("carry-over-preview", "Carry-over preview: what continues in 2026-Q4")
            await pilot.press("escape")
            await settle()
            app.request_close("2026-Q3")
            await settle()
            await pilot.press("y")
            await settle()
            grade_key_result(db, "product-2026q3-kr1", 0.8, note="late, but the team uses it")
            app.clear_notifications()
            app.open_review("2026-Q3", "hb")
            await settle()
            shot("review", "Review of the closed 2026-Q3, whole organisation")
            await pilot.press("escape")
            app.dashboard.unit_id = "sales"
            await settle()
            table.focus()
            await pilot.press("n", *"Demos")
            app.screen.query_one("#target").focus()
            await pilot.press(*"1,25", "ctrl+s")
            await settle()
            shot("kpi-form", "Adding a KPI: a refusal beside its field")
            await pilot.press("escape", "y")
            app.dashboard.unit_id = "product"
            await settle()
            await pilot.press("2", "down", "E")
            await settle()
            shot("kr-form", "Editing a key result")
            await pilot.press("escape")
            await settle()
            goal = app.dashboard.query_one(KpiTable)
            await pilot.press("1")
            app.dashboard.unit_id = "cs"
            await settle()
            goal.focus()
            await pilot.press("E")
            await settle()
            target = app.screen.query_one("#target")
            target.focus()
            await pilot.press("end", "ctrl+u", *"4.6", "ctrl+s")
            await settle()
            goal.focus()
            await pilot.press("enter")
            await settle()
            app.screen.query_one("#definition-history").scroll_visible(animate=False)
            await settle()
            shot("definition-history", "Goal detail: the history of its definition")
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--png", action="store_true", help="also write PNGs (rsvg-convert)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    saved = [svg for language in LANGUAGES for svg in asyncio.run(capture(args.out, language))]
    if args.png:
        converter = shutil.which("rsvg-convert")
        if converter is None:
            raise SystemExit("rsvg-convert not found: apt-get install librsvg2-bin fonts-noto-cjk")
        for svg in saved:
            subprocess.run(
                [converter, "-w", "1400", str(svg), "-o", str(svg.with_suffix(".png"))], check=True
            )


if __name__ == "__main__":
    main()
