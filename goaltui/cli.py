"""The command line. Every command but the dashboard runs headless: none imports Textual."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import NoReturn

from goaltui import __version__
from goaltui.config import DEMO_AS_OF, Config, default_db, demo_db_path, load_config
from goaltui.i18n import _, choose_language, ngettext, use_language
from goaltui.model.errors import DatabaseError, GoaltuiError, ValidationError
from goaltui.model.period import set_fiscal_year_start
from goaltui.store.engine import FileStore, PgStore, Store, is_pg_url, open_store
from goaltui.textsafe import safe_plain


@dataclass(frozen=True)
class Context:
    """What every command needs: the database, the as-of date and the user's config."""

    db: Path
    as_of: date
    demo: bool
    config: Config
    store: Store
    """The database `db` names, on its engine (a PostgreSQL URL: team mode)."""


def _iso_date(text: str) -> date:
    # The rule book's dates (YYYY-MM-DD within the supported range), as at every other door.
    from goaltui.store.rules import parse_date

    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError(_("an empty path names nothing"))
    return Path(text)


def _db(text: str) -> Path | str:
    # A database is a file path or a PostgreSQL URL (team mode).
    return text if is_pg_url(text) else _path(text)


def _number(text: str) -> float:
    # The rule book's numbers, as for a check-in's value.
    from goaltui.store.rules import parse_number

    try:
        number = parse_number(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if number is None:
        raise argparse.ArgumentTypeError(_("a number is needed"))
    return number


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands repeat the shared options so they can follow the command name; SUPPRESS keeps
    # a sub-command from overwriting what was given before it.
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--db",
        type=_db,
        default=default,
        metavar="FILE|URL",
        help=_(
            "database file or postgresql:// URL (default: $GOALTUI_DB, the config's "
            "database, the user data dir)"
        ),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help=_("use the demo organisation's own database, as of its demo date"),
    )
    parser.add_argument(
        "--as-of",
        type=_iso_date,
        default=default,
        metavar="YYYY-MM-DD",
        help=_("compute everything as of this date (default: today; the demo's date with --demo)"),
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `goaltui` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="goaltui",
        description=_(
            "A keyboard-driven terminal dashboard for KPIs and OKRs. "
            "Without a command, opens the dashboard."
        ),
    )
    parser.add_argument("--version", action="version", version=f"goaltui {__version__}")
    _common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _common(sub, top=False)
        return sub

    init = command("init", _("create an empty goaltui database"))
    init.add_argument(
        "--fiscal-year-start",
        type=int,
        choices=range(1, 13),
        metavar="MONTH",
        help=_(
            "store the organisation's first fiscal month (1-12; quarters and years count from it)"
        ),
    )

    imp = command("import", _("load a folder of CSV files or an .xlsx workbook"))
    imp.add_argument("path", type=_path, help=_("folder of CSV files, or an .xlsx workbook"))
    imp.add_argument("--replace", action="store_true", help=_("start over instead of merging"))
    imp.add_argument(
        "--encoding",
        metavar="NAME",
        help=_(
            "read every CSV file in this encoding (e.g. cp949, windows-1252) instead of "
            "deciding it from each file's bytes"
        ),
    )

    exp = command("export", _("write the database back to the interchange format"))
    exp.add_argument("dir", type=_path, help=_("folder to write the CSV files to"))

    chk = command("checkin", _("record one measurement of a KPI or key result"))
    chk.add_argument("goal_id", help=_("a KPI id or key result id"))
    chk.add_argument("value", help=_("the measured value (for ratio: the numerator), e.g. 1,250.5"))
    chk.add_argument(
        "--date", type=_iso_date, help=_("the day it is for (default: the as-of date)")
    )
    chk.add_argument("--denominator", help=_("only for ratio goals"))
    chk.add_argument("--confidence", help=_("0-10: how likely the target is met"))
    chk.add_argument("--note", help=_("a comment"))
    chk.add_argument("--author", help=_("unit id of the person checking in"))

    rep = command("report", _("print each goal's actual, target, achievement, status and score"))
    rep.add_argument("--unit", help=_("only this unit and the units below it"))
    rep.add_argument("--history", action="store_true", help=_("every period, not only the current"))
    rep.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")
    rep.add_argument(
        "--period", metavar="LABEL", help=_("with --format md: the review of this quarter or year")
    )

    carry = command(
        "carry-over", _("continue the unfinished objectives of a period in a later one")
    )
    carry.add_argument("source", metavar="FROM", help=_("period label, e.g. 2026-Q3"))
    carry.add_argument("target", metavar="TO", help=_("a later period label, e.g. 2026-Q4"))
    carry.add_argument("--unit", help=_("only objectives of this unit and the units below it"))

    close = command("close", _("grade a period's objectives and refuse later check-ins into it"))
    close.add_argument("period", metavar="PERIOD", help=_("period label, e.g. 2026-Q3"))
    close.add_argument("--unit", help=_("only objectives of this unit and the units below it"))

    reopen = command("reopen", _("take check-ins into a closed period again"))
    reopen.add_argument("period", metavar="PERIOD", help=_("period label, e.g. 2026-Q3"))

    grade = command("grade", _("override the frozen grade of a key result, with a reason"))
    grade.add_argument("kr_id", metavar="KR_ID", help=_("a key result of a closed period"))
    grade.add_argument("score", type=_number, metavar="SCORE", help=_("the grade, 0 to 1"))
    grade.add_argument("--note", help=_("why the grade differs from the score"))

    due = command("due", _("list the goals whose check-in is due, by owner"))
    due.add_argument("--unit", help=_("only this unit and the units below it"))
    due.add_argument(
        "--within",
        default="0",
        metavar="DAYS",
        help=_("also goals due within this many days after the as-of date (default 0)"),
    )
    due.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")

    lint = command("lint", _("check goals against the guide's criteria for good KPIs and OKRs"))
    lint.add_argument("--unit", help=_("only this unit and the units below it"))
    lint.add_argument("--format", choices=["table", "csv", "json"], default="table")
    periods = lint.add_mutually_exclusive_group()
    periods.add_argument(
        "--period",
        metavar="LABEL",
        help=_("check this period (2026-11, 2026-Q3, 2026) instead of those containing as-of"),
    )
    periods.add_argument(
        "--all", action="store_true", dest="all_periods", help=_("check every period")
    )

    srv = command("serve", _("serve the dashboard to browsers; every tab runs its own dashboard"))
    srv.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default: loopback)")
    )
    srv.add_argument("--port", type=int, default=8000, help=_("port to listen on (default 8000)"))
    return parser


def _context(args: argparse.Namespace, *, fiscal: bool = True) -> Context:
    # Without `fiscal`, the command sets the first fiscal month itself (the report reads it
    # with its data, in one opening of the file).
    config = load_config()
    demo = bool(args.demo)
    if args.db is not None and demo:
        raise GoaltuiError(_("--db and --demo cannot be used together"))
    target = demo_db_path() if demo else (args.db or default_db(config))
    as_of = args.as_of or (DEMO_AS_OF if demo else date.today())
    try:
        store = open_store(target)
    except RuntimeError:
        raise GoaltuiError(
            _("{target}: no such user, so no home folder to put it in").format(target=target)
        ) from None
    db = store.path if isinstance(store, FileStore) else Path(store.label)
    if fiscal:
        _use_fiscal_year(store, config)
    return Context(db=db, as_of=as_of, demo=demo, config=config, store=store)


def fiscal_fallback(config: Config) -> int:
    """The first fiscal month when the database stores none (the organisation's own setting,
    shared by everyone on the database, comes first): the user's config, else January."""
    return config.fiscal_year_start or 1


def _use_fiscal_year(store: Store, config: Config) -> None:
    """Count quarters and years from the database's first fiscal month, else the fallback."""
    set_fiscal_year_start(store.stored_fiscal_year_start() or fiscal_fallback(config))


def _prepare_demo(ctx: Context) -> None:
    if ctx.demo:
        from goaltui.store.demo import ensure_demo_db

        ensure_demo_db(ctx.db)


def cmd_init(ctx: Context, args: argparse.Namespace) -> int:
    if isinstance(ctx.store, FileStore) and ctx.db.exists():
        from goaltui.store.dataset import load_dataset
        from goaltui.store.db import read_session
        from goaltui.store.schema import check_tables

        # Check before saying so: every table as goaltui writes it, and every row readable.
        with read_session(ctx.db) as con:
            try:
                check_tables(con)
            except DatabaseError as error:
                raise DatabaseError(f"{ctx.db}: {error}") from None
        load_dataset(ctx.db)
        created = False
    else:
        created = ctx.store.init()
    if args.fiscal_year_start is not None:
        ctx.store.store_fiscal_year_start(args.fiscal_year_start)
    print(
        safe_plain(
            (
                _("Created goaltui database {label}")
                if created
                else _("Opened existing goaltui database {label}")
            ).format(label=ctx.store.label)
        )
    )
    return 0


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.console import ProgressReport

    _prepare_demo(ctx)
    progress = ProgressReport("import")
    try:
        summary = ctx.store.import_path(
            args.path, replace=args.replace, encoding=args.encoding, progress=progress
        )
    finally:
        progress.close()
    print(
        safe_plain(
            _("Imported {path} into {label}: {summary}").format(
                path=args.path, label=ctx.store.label, summary=summary
            )
        )
    )
    return 0


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.console import ProgressReport

    _prepare_demo(ctx)
    progress = ProgressReport("export", stages=("read", "written"))
    try:
        summary = ctx.store.export(args.dir, progress=progress)
    finally:
        progress.close()
    print(
        safe_plain(
            _("Exported {label} to {folder}: {summary}").format(
                label=ctx.store.label, folder=args.dir, summary=summary
            )
        )
    )
    return 0


def cmd_checkin(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.model.types import Checkin
    from goaltui.store.checkins import goal_takes_percent, read_checkin_numbers
    from goaltui.store.rules import DATE_MIN

    _prepare_demo(ctx)
    numbers = read_checkin_numbers(
        {"value": args.value, "denominator": args.denominator, "confidence": args.confidence},
        lambda: goal_takes_percent(ctx.store.load_dataset(checkins_until=DATE_MIN), args.goal_id),
    )
    saved = ctx.store.append_checkin(
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
        safe_plain(
            _("Saved check-in {id}: {goal} = {value} on {date}").format(
                id=saved.id, goal=saved.goal_id, value=_shown_value(saved.value), date=saved.date
            )
        )
    )
    return 0


def _shown_value(value: float | None) -> str:
    # `2,700,000`, `0.125`: the number as typed, never `2.7e+06`.
    from goaltui.humanize import plain

    return "" if value is None else plain(value, 6)


def cmd_report(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.report import report_text

    _prepare_demo(ctx)
    if args.period is not None:
        from goaltui.cycle import review_markdown

        if args.format != "md" or args.history:
            raise GoaltuiError(_("--period gives the review text: use it with --format md alone"))
        _use_fiscal_year(ctx.store, ctx.config)
        sys.stdout.write(review_markdown(ctx.store, args.period, ctx.as_of, unit=args.unit))
        return 0
    text = report_text(
        ctx.store,
        ctx.as_of,
        unit=args.unit,
        history=args.history,
        fmt=args.format,
        fiscal_fallback=fiscal_fallback(ctx.config),
    )
    sys.stdout.write(text)
    return 0


def cmd_due(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.due_report import parse_within, render_due

    within = parse_within(args.within)
    _prepare_demo(ctx)
    from goaltui.metrics.due import due_buckets

    buckets = partial(due_buckets, as_of=ctx.as_of)
    dataset = ctx.store.load_dataset(checkins_until=ctx.as_of, aggregate=buckets, panes=False)
    sys.stdout.write(render_due(dataset, ctx.as_of, unit=args.unit, within=within, fmt=args.format))
    return 0


def cmd_lint(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.lint import render_lint
    from goaltui.metrics.engine import all_buckets
    from goaltui.metrics.quality import checkin_ranges, lint_scope

    _prepare_demo(ctx)
    scope = lint_scope(ctx.as_of, period=args.period, everything=args.all_periods)
    dataset = ctx.store.load_dataset(
        checkins_until=scope.measured_on,
        aggregate=all_buckets,
        outside=checkin_ranges,
        panes=False,
    )
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


def cmd_carry_over(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.cycle import carry_over

    _prepare_demo(ctx)
    created = carry_over(ctx.store, args.source, args.target, unit=args.unit)
    if not created:
        print(
            _("Nothing to carry over from {source} to {target}").format(
                source=args.source, target=args.target
            )
        )
    for new_id in created:
        print(new_id)
    return 0


def cmd_close(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.cycle import close_period

    _prepare_demo(ctx)
    result = close_period(ctx.store, args.period, unit=args.unit)
    print(
        _("Closed {period}: graded {objectives} and {key_results}").format(
            period=result.period,
            objectives=ngettext(
                "{count} objective", "{count} objectives", result.objectives
            ).format(count=f"{result.objectives:,}"),
            key_results=ngettext(
                "{count} key result", "{count} key results", result.key_results
            ).format(count=f"{result.key_results:,}"),
        )
    )
    if result.review:
        print(_("Committed objectives graded below 1.0 (to review):"))
        for item in result.review:
            print(f"  {item.objective_id} ({item.unit_id}) {item.grade:.2f} {item.title}")
    return 0


def cmd_reopen(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.cycle import reopen_period

    _prepare_demo(ctx)
    reopen_period(ctx.store, args.period)
    print(_("Reopened {period}: check-ins dated in it are taken again").format(period=args.period))
    return 0


def cmd_grade(ctx: Context, args: argparse.Namespace) -> int:
    from goaltui.cycle import grade_key_result

    _prepare_demo(ctx)
    grade_key_result(ctx.store, args.kr_id, args.score, note=args.note)
    print(_("Graded {kr}: {score}").format(kr=args.kr_id, score=f"{args.score:g}"))
    return 0


def cmd_dashboard(ctx: Context, args: argparse.Namespace) -> int:
    if isinstance(ctx.store, PgStore):
        if not ctx.store.exists():
            raise GoaltuiError(
                _(
                    "{db}: no goaltui database there (or the server cannot be reached); "
                    "create it with `goaltui init --db URL`"
                ).format(db=ctx.store.label)
            )
        from goaltui.ui.app import GoalApp

        GoalApp(db=ctx.store.url, as_of=ctx.as_of, config=ctx.config).run()
        return 0
    demo = ctx.demo
    db = ctx.db
    as_of = ctx.as_of
    notice = None
    if not demo and not db.exists():
        # No database yet: show the demo organisation in a database of its own, and say so.
        notice = _(
            "There is no goaltui database at {db} yet, so this is the demo organisation, in "
            "a database of its own ({demo}). Start yours with `goaltui import` or "
            "`goaltui init`."
        ).format(db=db, demo=demo_db_path())
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
    "carry-over": cmd_carry_over,
    "close": cmd_close,
    "reopen": cmd_reopen,
    "grade": cmd_grade,
    "serve": cmd_serve,
}


LEAVE_AT_ONCE = frozenset({"report"})
"""Commands that, run as the program, leave without the interpreter's teardown once their
output is flushed: a report has closed its database by then and has nothing left to clean up,
and tearing down polars and DuckDB takes about 0.1 s, longer than a small report."""


def _leave(code: int) -> NoReturn:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = 0  # the reader has all it wanted (as below)
    sys.stderr.flush()
    os._exit(code)


def apply_language() -> None:
    """Choose the language of this command (DESIGN.md, "Language") before anything is said, the
    parser's help included. A broken config file is reported by the command itself; until then
    the language comes from the environment."""
    try:
        configured = load_config().language
    except GoaltuiError:
        configured = None
    use_language(choose_language(configured))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `goaltui` command; returns the exit status. Run as the program
    (`argv` None), a command of LEAVE_AT_ONCE ends the process itself when it succeeds."""
    apply_language()
    args = build_parser().parse_args(argv)
    try:
        ctx = _context(args, fiscal=args.command != "report")
        code = COMMANDS[args.command](ctx, args)
        if argv is None and args.command in LEAVE_AT_ONCE:
            _leave(code)
        return code
    # Messages quote data (names, cells, paths): their control characters are made visible.
    except ValidationError as error:
        for problem in error.problems:
            print(safe_plain(problem, multiline=True), file=sys.stderr)
        count = len(error.problems)
        print(
            ngettext(
                "goaltui: {count} problem; nothing was written",
                "goaltui: {count} problems; nothing was written",
                count,
            ).format(count=count),
            file=sys.stderr,
        )
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
