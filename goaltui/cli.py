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
from goaltui.model.errors import DatabaseError, GoaltuiError, ValidationError


@dataclass(frozen=True)
class Context:
    """What every command needs: the database, the as-of date and the user's config."""

    db: Path
    as_of: date
    demo: bool
    config: Config


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names nothing")
    return Path(text)


def _number(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands repeat the shared options so they can follow the command name; SUPPRESS keeps
    # a sub-command from overwriting what was given before it.
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        type=_path,
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
    imp.add_argument("path", type=_path, help="folder of CSV files, or an .xlsx workbook")
    imp.add_argument("--replace", action="store_true", help="start over instead of merging")

    exp = command("export", "write the database back to the interchange format")
    exp.add_argument("dir", type=_path, help="folder to write the CSV files to")

    chk = command("checkin", "record one measurement of a KPI or key result")
    chk.add_argument("goal_id", help="a KPI id or key result id")
    chk.add_argument("value", type=_number, help="the measured value (for ratio: the numerator)")
    chk.add_argument("--date", type=_iso_date, help="the day it is for (default: the as-of date)")
    chk.add_argument("--denominator", type=_number, help="only for ratio goals")
    chk.add_argument("--confidence", type=_number, help="0-10: how likely the target is met")
    chk.add_argument("--note", help="a comment")
    chk.add_argument("--author", help="unit id of the person checking in")

    rep = command("report", "print each goal's actual, target, achievement, status and score")
    rep.add_argument("--unit", help="only this unit and the units below it")
    rep.add_argument("--history", action="store_true", help="every period, not only the current")
    rep.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")

    lint = command("lint", "check goals against the guide's criteria for good KPIs and OKRs")
    lint.add_argument("--unit", help="only this unit and the units below it")
    lint.add_argument("--format", choices=["table", "csv", "json"], default="table")
    return parser


def _context(args: argparse.Namespace) -> Context:
    config = load_config()
    demo = bool(args.demo)
    if args.db is not None and demo:
        raise GoaltuiError("--db and --demo cannot be used together")
    db = demo_db_path() if demo else (args.db or default_db_path(config))
    as_of = args.as_of or (DEMO_AS_OF if demo else date.today())
    try:
        db = db.expanduser()
    except RuntimeError:
        raise GoaltuiError(f"{db}: no such user, so no home folder to put it in") from None
    return Context(db=db, as_of=as_of, demo=demo, config=config)


def _prepare_demo(ctx: Context) -> None:
    if ctx.demo:
        from goaltui.store.demo import ensure_demo_db

        ensure_demo_db(ctx.db)


def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.store.dataset import load_dataset
    from goaltui.store.db import read_session, write_session
    from goaltui.store.schema import check_tables

    existed = ctx.db.exists()
    if existed:
        # Check before saying so: every table as goaltui writes it, and every row readable.
        with read_session(ctx.db) as con:
            try:
                check_tables(con)
            except DatabaseError as error:
                raise DatabaseError(f"{ctx.db}: {error}") from None
        load_dataset(ctx.db)
    else:
        with write_session(ctx.db):
            pass
    print(f"{'Opened existing' if existed else 'Created'} goaltui database {ctx.db}")
    return 0


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.store.importer import import_path

    _prepare_demo(ctx)
    summary = import_path(ctx.db, args.path, replace=args.replace)
    print(f"Imported {args.path} into {ctx.db}: {summary}")
    return 0


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.store.exporter import export_db

    _prepare_demo(ctx)
    summary = export_db(ctx.db, args.dir)
    print(f"Exported {ctx.db} to {args.dir}: {summary}")
    return 0


def cmd_checkin(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.model.types import Checkin
    from goaltui.store.checkins import append_checkin

    _prepare_demo(ctx)
    saved = append_checkin(
        ctx.db,
        Checkin(
            goal_id=args.goal_id,
            date=args.date or ctx.as_of,
            value=args.value,
            denominator=args.denominator,
            confidence=args.confidence,
            note=args.note,
            author=args.author,
        ),
        today=ctx.as_of,
    )
    print(f"Saved check-in {saved.id}: {saved.goal_id} = {saved.value:g} on {saved.date}")
    return 0


def cmd_report(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.report import load_report, render_report

    _prepare_demo(ctx)
    dataset = load_report(ctx.db, ctx.as_of, history=args.history)
    sys.stdout.write(
        render_report(dataset, ctx.as_of, unit=args.unit, history=args.history, fmt=args.format)
    )
    return 0


def cmd_lint(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.lint import render_lint
    from goaltui.store.dataset import load_dataset

    _prepare_demo(ctx)
    dataset = load_dataset(ctx.db)
    text, has_errors = render_lint(
        dataset, ctx.as_of, unit=args.unit, fmt=args.format, thresholds=ctx.config.quality
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


COMMANDS: dict[str | None, Callable[[Context, argparse.Namespace], int]] = {
    None: cmd_dashboard,
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "checkin": cmd_checkin,
    "report": cmd_report,
    "lint": cmd_lint,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `goaltui` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](_context(args), args)
    except ValidationError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"goaltui: {count} problem{'s' * (count != 1)}; nothing was written", file=sys.stderr)
        return 1
    except GoaltuiError as error:
        print(f"goaltui: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
