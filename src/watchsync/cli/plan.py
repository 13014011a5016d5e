"""Plan commands: generate, lint, show, apply, ics."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchsync.cli.common import CliError, add_athlete_option, athlete_from, config_from, print_json, progress_bar

if TYPE_CHECKING:
    from watchsync.model.athlete import Athlete
    from watchsync.plan.model import History, Plan

DEFAULT_LIBRARY = Path("workouts")


def register(commands: Any) -> None:
    """Add ``plan`` and its sub-commands."""
    plan = commands.add_parser("plan", help="base-building plans: generate, lint, show, apply, ics")
    actions = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)

    generate = actions.add_parser("generate", help="write a base-building plan file from the library")
    generate.add_argument("--weeks", type=int, default=6, choices=range(4, 9), metavar="4..8",
                          help="weeks in the block (default 6)")
    generate.add_argument("--start", type=_day, metavar="YYYY-MM-DD",
                          help="first day, a Monday (default: next Monday on the athlete's clock)")
    generate.add_argument("--runs-per-week", type=int, default=4, metavar="N",
                          help="runs a week, long run and strides run included (default 4)")
    generate.add_argument("--hours", type=float, help="week-1 total hours (default: from history, else 5)")
    generate.add_argument("--long-run", type=_minutes, metavar="DURATION", help="week-1 long run, e.g. 70m or 1h10m")
    generate.add_argument("--cross-training", default="bike", metavar="LIST",
                          help="comma-separated: bike, xc_ski, swim, skimo (default: bike)")
    generate.add_argument("--rest-day", default="mon", choices=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                          help="the day with no session (default mon)")
    generate.add_argument("--deload-every", type=int, default=4, choices=(3, 4),
                          help="a deload week every 3rd or 4th week (default 4)")
    generate.add_argument("--growth", type=float, help="weekly growth in build weeks (default 0.10)")
    generate.add_argument("--library", type=Path, help="workout library folder (default: ./workouts when there "
                          "is one, else the library shipped with watchsync)")
    generate.add_argument("--name", help="the plan's name, its identity per athlete (default: "
                                         "'Base building from START (ATHLETE)')")
    generate.add_argument("-o", "--output", type=Path, help="plan file to write (default: stdout)")
    add_athlete_option(generate)
    generate.set_defaults(handler=run_generate)

    lint = actions.add_parser("lint", help="check a plan against the base-building rules; weekly totals")
    lint.add_argument("file", type=Path, metavar="FILE")
    add_athlete_option(lint)
    lint.add_argument("--json", action="store_true", help="issues and weekly totals as JSON")
    lint.set_defaults(handler=run_lint)

    show = actions.add_parser("show", help="week-by-week table of a plan")
    show.add_argument("file", type=Path, metavar="FILE")
    add_athlete_option(show)
    show.add_argument("--json", action="store_true", help="weeks and sessions as JSON")
    show.set_defaults(handler=run_show)

    apply = actions.add_parser("apply", help="push and schedule a plan on Garmin Connect (idempotent)")
    apply.add_argument("file", type=Path, metavar="FILE")
    apply.add_argument("--start", type=_day, help="first day (overrides the file's start)")
    add_athlete_option(apply)
    apply.add_argument("--dry-run", action="store_true", help="print the changes; make no Garmin call")
    apply.add_argument("--force", action="store_true", help="apply even when `plan lint` finds errors")
    apply.add_argument("--json", action="store_true", help="the changes and warnings as JSON")
    apply.set_defaults(handler=run_apply)

    ics = actions.add_parser("ics", help="export a plan as an iCalendar file (all-day events)")
    ics.add_argument("file", type=Path, metavar="FILE")
    ics.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.ics",
                     help="the calendar file to write (an earlier export there keeps its events' SEQUENCE)")
    ics.add_argument("--start", type=_day, help="first day (overrides the file's start)")
    add_athlete_option(ics)
    ics.set_defaults(handler=run_ics)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def _minutes(text: str) -> float:
    from watchsync.errors import InputError
    from watchsync.formats.text import parse_duration
    from watchsync.model.workout import Sport, TimeDuration

    try:
        duration = parse_duration(text, path="--long-run", line=1, col=1, sport=Sport.RUNNING)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not isinstance(duration, TimeDuration):
        raise argparse.ArgumentTypeError(f"{text!r} is not a time (expected e.g. 70m or 1h10m)")
    return duration.seconds / 60


def load(path: Path) -> Plan:
    """A plan file, or a one-line error naming file, line, week and day."""
    from watchsync.plan.model import PlanError
    from watchsync.plan.parse import load_plan

    try:
        return load_plan(path)
    except PlanError as error:
        raise CliError(str(error)) from None


def run_generate(args: argparse.Namespace) -> int:
    """Write a plan file (or print it)."""
    from watchsync.plan.generate import GenerateError, GenerateOptions, generate_plan
    from watchsync.plan.write import write_plan_toml
    from watchsync.rules import speeds_for

    if args.library is None:
        args.library = _default_library()
    if not args.library.is_dir():
        raise CliError(f"{args.library}: workout library folder not found (use --library)", 2)
    athlete = athlete_from(args)
    today = athlete.today()  # the athlete's day, as `plan apply` takes it, not the server's
    options = GenerateOptions(
        library=args.library, weeks=args.weeks, start=args.start or _next_monday(today),
        runs_per_week=args.runs_per_week, hours=args.hours, long_run_minutes=args.long_run,
        cross_training=tuple(part.strip() for part in args.cross_training.split(",") if part.strip()),
        rest_day=args.rest_day, deload_every=args.deload_every, growth=args.growth,
        athlete=athlete.name, history=_history(args, today), name=args.name, speeds=speeds_for(athlete))
    try:
        plan = generate_plan(options)
    except GenerateError as error:
        raise CliError(str(error)) from None
    text = write_plan_toml(plan, str(args.library.resolve()))
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    if options.start is not None and options.start < today:
        print(f"note: the plan starts on {options.start}, in the past: applied as it is, its first sessions "
              "go on the calendar as missed workouts", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, "utf-8")
        print(f"wrote {args.output} ({len(plan.weeks)} weeks from {options.start})", file=sys.stderr)
    return 0


def _default_library() -> Path:
    """``./workouts`` when there is one (a checkout), else the library packaged with watchsync (a wheel)."""
    if DEFAULT_LIBRARY.is_dir():
        return DEFAULT_LIBRARY
    from importlib import resources

    shipped = Path(str(resources.files("watchsync").joinpath("data/workouts")))
    print(f"watchsync: using the workout library shipped with watchsync ({shipped})", file=sys.stderr)
    return shipped


def _next_monday(today: date) -> date:
    from datetime import timedelta

    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _history(args: argparse.Namespace, today: date) -> History | None:
    """Recent training from the compliance store, when there is one (up to the plan's start, else
    the athlete's ``today``)."""
    from watchsync.services.history import history_from_store
    from watchsync.store import Store, StoreError

    config = config_from(args)
    if not config.store_path.exists():
        return None
    try:
        with Store.open(config.store_path) as store:
            start = args.start or _next_monday(today)  # the plan's start, as generate takes it
            history = history_from_store(store, athlete_from(args, config).name, start, today=today)
    except StoreError:
        return None
    if history is not None:
        print(f"note: {_history_said(history)}", file=sys.stderr)
    return history


def _history_said(history: History) -> str:
    """Which weeks of the store seeded the plan, in one line."""
    longest = (f"the longest run of the 30 days before the start {history.longest_run_minutes:g} min"
               if history.longest_run_minutes is not None else "no run in the 30 days before the start")
    average = history.recent_weekly_minutes
    if average is None:
        return f"history: no complete week in the store yet (hours from --hours or the default); {longest}"
    count = len(history.weekly_minutes)
    return (f"history: {count} complete week{'s' if count > 1 else ''} from {history.weeks_from}, "
            f"{average / 60:.1f} h a week on average; {longest}")


def run_lint(args: argparse.Namespace) -> int:
    """Exit 1 on rule errors; warnings and weekly totals are printed."""
    from watchsync.plan.lint import format_report, lint_plan

    plan = load(args.file)
    athlete = _plan_athlete(args, plan)
    report = lint_plan(plan, athlete=athlete)
    if args.json:
        print_json({"issues": [issue.__dict__ for issue in report.issues],
                    "weeks": [week.__dict__ for week in report.weeks]})
    else:
        print(format_report(report, str(args.file), athlete.units))
    return 1 if report.errors else 0


def run_show(args: argparse.Namespace) -> int:
    """Print the week-by-week table."""
    from watchsync.plan.show import format_plan_table, plan_json

    plan = load(args.file)
    if args.json:
        print_json(plan_json(plan, _plan_athlete(args, plan)))
    else:
        print(format_plan_table(plan, _plan_athlete(args, plan)))
    return 0


def with_plan_athlete(args: argparse.Namespace, plan: Plan) -> argparse.Namespace:
    """``args`` with ``--athlete`` set to the athlete the plan names, when none was given."""
    if plan.athlete is not None and getattr(args, "athlete", None) is None:
        return argparse.Namespace(**{**vars(args), "athlete": plan.athlete})
    return args


def _plan_athlete(args: argparse.Namespace, plan: Plan) -> Athlete:
    """The athlete a plan is read for: ``--athlete``, else the one the plan names, else the config's
    first; a plan named for an athlete the config lacks, or for another than ``--athlete``, is refused
    as ``plan apply`` refuses it."""
    athlete = athlete_from(with_plan_athlete(args, plan))
    if plan.athlete is not None and plan.athlete != athlete.name:
        raise CliError(f"{plan.label}: the plan is for athlete {plan.athlete!r}, not {athlete.name!r}")
    return athlete


def run_apply(args: argparse.Namespace) -> int:
    """Push every workout and schedule every session; only changes are sent."""
    from watchsync.cli.garmin import finish, sync_service
    from watchsync.errors import InputError
    from watchsync.plan.model import PlanError
    from watchsync.services.plan_apply import PlanRefused, apply_plan

    plan = load(args.file)
    with sync_service(with_plan_athlete(args, plan)) as service:  # the plan's athlete unless --athlete
        if args.force or plan.force:
            from watchsync.plan.lint import lint_plan

            for issue in lint_plan(plan, athlete=service.athlete).errors:
                applied = "would be applied" if args.dry_run else "applied"
                print(f"warning: {applied} despite: {issue.format(str(args.file))}", file=sys.stderr)
        try:
            with progress_bar("Garmin") as progress:
                result = apply_plan(plan, service, args.start, dry_run=args.dry_run, progress=progress,
                                    force=args.force)
        except (PlanError, PlanRefused, InputError) as error:
            raise CliError(str(error)) from None
    lines = result.lines()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print_json({"dry_run": args.dry_run, "changes": lines, "warnings": list(result.warnings)})
    else:
        waiting = result.drained.remaining if result.drained is not None else 0
        done = ("nothing new to change; the calendar checks and earlier changes wait for a retry (see below)"
                if waiting else "nothing to change: the calendar already matches the plan")
        if args.dry_run and not lines:  # "would nothing to change" (probe coach14)
            done = "nothing would change: the store already holds the plan (a dry run does not read the calendar)"
        for line in lines or [done]:
            print(("would " if args.dry_run and lines else "") + line)
    if result.drained is None:
        return 0
    code = finish(result.drained)
    return code or (1 if result.drained.remaining else 0)  # not yet all on the calendar


def run_ics(args: argparse.Namespace) -> int:
    """Write the iCalendar file."""
    from watchsync.plan.ics import plan_to_ics
    from watchsync.plan.model import PlanError

    plan = load(args.file)
    previous = args.output.read_bytes() if args.output.is_file() else None
    try:
        data = plan_to_ics(plan, athlete_from(args), args.start, previous=previous)
    except PlanError as error:
        raise CliError(str(error)) from None
    args.output.write_bytes(data)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
