"""The command line. Every command but the dashboard runs headless: none imports Textual."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from goaltui import __version__
from goaltui.config import DEMO_AS_OF, Config, default_db_path, demo_db_path, load_config
from goaltui.model.errors import GoaltuiError, ValidationError
from goaltui.textsafe import safe_plain


@dataclass(frozen=True)
class Context:
    """What every command needs: the database, the as-of date and the user's config."""

    db: Path
    as_of: date
    demo: bool
    config: Config


def _iso_date(text: str) -> date:
    # The rule book's dates (YYYY-MM-DD within the supported range), as at every other door.
    from goaltui.store.rules import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands repeat the shared options so they can follow the command name; SUPPRESS keeps
    # a sub-command from overwriting what was given before it.
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        type=Path,
        default=default,
        metavar="FILE",
        help="database file (default: $GOALTUI_DB, the config's database, the user data dir)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="use the demo organisation's own database, as of its demo date",
    )
    parser.add_argument(
        "--as-of",
        type=_iso_date,
        default=default,
        metavar="YYYY-MM-DD",
        help="compute everything as of this date (default: today; the demo's date with --demo)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `goaltui` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="goaltui",
        description="A keyboard-driven terminal dashboard for KPIs and OKRs. "
        "Without a command, opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"goaltui {__version__}")
    _common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _common(sub, top=False)
        return sub

    command("init", "create an empty goaltui database")

    imp = command("import", "load a folder of CSV files or an .xlsx workbook")
    imp.add_argument("path", type=Path, help="folder of CSV files, or an .xlsx workbook")
    imp.add_argument("--replace", action="store_true", help="start over instead of merging")
    imp.add_argument(
        "--encoding",
        metavar="NAME",
        help="read every CSV file in this encoding (e.g. cp949, windows-1252) instead of "
        "deciding it from each file's bytes",
    )

    exp = command("export", "write the database back to the interchange format")
    exp.add_argument("dir", type=Path, help="folder to write the CSV files to")

    chk = command("checkin", "record one measurement of a KPI or key result")
    chk.add_argument("goal_id", help="a KPI id or key result id")
    chk.add_argument("value", help="the measured value (for ratio: the numerator), e.g. 1,250.5")
    chk.add_argument("--date", type=_iso_date, help="the day it is for (default: the as-of date)")
    chk.add_argument("--denominator", help="only for ratio goals")
    chk.add_argument("--confidence", help="0-10: how likely the target is met")
    chk.add_argument("--note", help="a comment")
    chk.add_argument("--author", help="unit id of the person checking in")

    rep = command("report", "print each goal's actual, target, achievement, status and score")
    rep.add_argument("--unit", help="only this unit and the units below it")
    rep.add_argument("--history", action="store_true", help="every period, not only the current")
    rep.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")

    due = command("due", "list the goals whose check-in is due, by owner")
    due.add_argument("--unit", help="only this unit and the units below it")
    due.add_argument(
        "--within",
        default="0",
        metavar="DAYS",
        help="also goals due within this many days after the as-of date (default 0)",
    )
    due.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")

    lint = command("lint", "check goals against the guide's criteria for good KPIs and OKRs")
    lint.add_argument("--unit", help="only this unit and the units below it")
    lint.add_argument("--format", choices=["table", "csv", "json"], default="table")
    periods = lint.add_mutually_exclusive_group()
    periods.add_argument(
        "--period",
        metavar="LABEL",
        help="check this period (2026-11, 2026-Q3, 2026) instead of those containing as-of",
    )
    periods.add_argument(
        "--all", action="store_true", dest="all_periods", help="check every period"
    )

    srv = command("serve", "serve the dashboard to browsers; every tab runs its own dashboard")
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    srv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    return parser


def _context(args: argparse.Namespace) -> Context:
    config = load_config()
    demo = bool(args.demo)
    if args.db is not None and demo:
        raise GoaltuiError("--db and --demo cannot be used together")
    db = demo_db_path() if demo else (args.db or default_db_path(config))
    as_of = args.as_of or (DEMO_AS_OF if demo else date.today())
    return Context(db=db.expanduser(), as_of=as_of, demo=demo, config=config)


def _prepare_demo(ctx: Context) -> None:
    if ctx.demo:
        from goaltui.store.demo import ensure_demo_db

        ensure_demo_db(ctx.db)


def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.store.db import write_session

    existed = ctx.db.exists()
    with write_session(ctx.db):
        pass
    print(safe_plain(f"{'Opened existing' if existed else 'Created'} goaltui database {ctx.db}"))
    return 0


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.store.importer import import_path

    _prepare_demo(ctx)
    summary = import_path(ctx.db, args.path, replace=args.replace, encoding=args.encoding)
    print(safe_plain(f"Imported {args.path} into {ctx.db}: {summary}"))
    return 0


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.store.exporter import export_db

    _prepare_demo(ctx)
    summary = export_db(ctx.db, args.dir)
    print(safe_plain(f"Exported {ctx.db} to {args.dir}: {summary}"))
    return 0


def cmd_checkin(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.model.types import Checkin
    from goaltui.store.checkins import append_checkin, read_checkin_numbers

    _prepare_demo(ctx)
    numbers = read_checkin_numbers(
        ctx.db,
        args.goal_id,
        {"value": args.value, "denominator": args.denominator, "confidence": args.confidence},
    )
    saved = append_checkin(
        ctx.db,
        Checkin(
            goal_id=args.goal_id,
            date=args.date or ctx.as_of,
            value=numbers["value"],
            denominator=numbers["denominator"],
            confidence=numbers["confidence"],
            note=args.note,
            author=args.author,
        ),
        today=ctx.as_of,
    )
    print(
        safe_plain(f"Saved check-in {saved.id}: {saved.goal_id} = {saved.value:g} on {saved.date}")
    )
    return 0


def cmd_report(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.report import load_report, render_report

    _prepare_demo(ctx)
    dataset = load_report(ctx.db, ctx.as_of, history=args.history)
    sys.stdout.write(
        render_report(dataset, ctx.as_of, unit=args.unit, history=args.history, fmt=args.format)
    )
    return 0


def cmd_due(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.due_report import load_due, parse_within, render_due

    within = parse_within(args.within)
    _prepare_demo(ctx)
    dataset = load_due(ctx.db, ctx.as_of)
    sys.stdout.write(render_due(dataset, ctx.as_of, unit=args.unit, within=within, fmt=args.format))
    return 0


def cmd_lint(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.lint import render_lint
    from goaltui.store.dataset import load_dataset

    _prepare_demo(ctx)
    dataset = load_dataset(ctx.db)
    text, has_errors = render_lint(
        dataset,
        ctx.as_of,
        unit=args.unit,
        fmt=args.format,
        thresholds=ctx.config.quality,
        period=args.period,
        everything=args.all_periods,
    )
    sys.stdout.write(text)
    return 1 if has_errors else 0


def cmd_dashboard(ctx: Context, args: argparse.Namespace) -> int:
    demo = ctx.demo
    db = ctx.db
    as_of = ctx.as_of
    notice = None
    if not demo and not db.exists():
        # No database yet: show the demo organisation in a database of its own, and say so.
        notice = (
            f"There is no goaltui database at {db} yet, so this is the demo organisation, in "
            f"a database of its own ({demo_db_path()}). Start yours with `goaltui import` or "
            "`goaltui init`."
        )
        demo, db = True, demo_db_path()
        as_of = args.as_of or DEMO_AS_OF
    if demo and not db.exists():
        from goaltui.store.demo import ensure_demo_db

        ensure_demo_db(db)
    from goaltui.ui.app import GoalApp

    GoalApp(db=db, as_of=as_of, demo=demo, config=ctx.config, notice=notice).run()
    return 0


def cmd_serve(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.serve import serve

    _prepare_demo(ctx)
    # Each tab's dashboard is given the options as they came; the tab resolves them itself.
    db = None if args.db is None else str(args.db)
    as_of = None if args.as_of is None else args.as_of.isoformat()
    return serve(host=args.host, port=args.port, db=db, demo=ctx.demo, as_of=as_of)


COMMANDS: dict[str | None, Callable[[Context, argparse.Namespace], int]] = {
    None: cmd_dashboard,
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "checkin": cmd_checkin,
    "report": cmd_report,
    "lint": cmd_lint,
    "due": cmd_due,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `goaltui` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](_context(args), args)
    # Messages quote data (names, cells, paths): their control characters are made visible.
    except ValidationError as error:
        for problem in error.problems:
            print(safe_plain(problem, multiline=True), file=sys.stderr)
        count = len(error.problems)
        print(f"goaltui: {count} problem{'s' * (count != 1)}; nothing was written", file=sys.stderr)
        return 1
    except GoaltuiError as error:
        print(f"goaltui: {safe_plain(error, multiline=True)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
