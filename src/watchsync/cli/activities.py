"""Activity commands: ``activities sync``, ``analyze`` and ``report``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchsync.cli.common import (
    CliError,
    add_athlete_option,
    athlete_from,
    config_from,
    login_needed,
    print_json,
    progress_bar,
)

if TYPE_CHECKING:
    from watchsync.compliance.activities import ActivitySummary
    from watchsync.compliance.load import ActivityLoad
    from watchsync.compliance.match import PlannedSession
    from watchsync.model.athlete import Athlete
    from watchsync.model.units import Units
    from watchsync.plan.model import Plan
    from watchsync.prepare import PreparedWorkout
    from watchsync.services.activities import Analysis, SessionScore
    from watchsync.store import Store

#: Exit code when Garmin needs a new login (as the Garmin commands use).
EXIT_REAUTH = 3


def register(commands: Any) -> None:
    """Add the activity commands to the sub-command parser."""
    activities = commands.add_parser("activities", help="activities from Garmin Connect")
    actions = activities.add_subparsers(dest="action", metavar="ACTION", required=True)
    sync = actions.add_parser("sync", help="fetch, analyse and score new activities")
    sync.add_argument("--since", type=_day, metavar="DATE", help="list from this date (default: 10 days before "
                      "where the last sync stopped, 42 on the day's first sync; the very first: 42 days, or "
                      "back to the first planned session)")
    add_athlete_option(sync)
    sync.add_argument("--json", action="store_true", help="the fetched activities and counts as JSON")
    sync.set_defaults(handler=run_sync)

    analyze = commands.add_parser("analyze", help="summary and step-by-step compliance of an activity FIT file")
    analyze.add_argument("file", type=Path, metavar="FILE.fit")
    analyze.add_argument("--workout", type=Path, metavar="W", help="the planned workout file to score against")
    add_athlete_option(analyze)
    analyze.add_argument("--json", action="store_true", help="results as JSON")
    analyze.set_defaults(handler=run_analyze)

    report = commands.add_parser("report", help="compliance report: planned sessions vs activities")
    add_athlete_option(report)
    scope = report.add_mutually_exclusive_group()
    scope.add_argument("--week", type=_day, metavar="DATE", help="only the week (Mon-Sun) holding DATE")
    scope.add_argument("--plan", type=Path, metavar="FILE", help="planned sessions from a plan file "
                       "instead of the store's schedules")
    output = report.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the report as JSON")
    output.add_argument("--csv", action="store_true", help="one CSV row per session")
    report.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML page")
    report.set_defaults(handler=run_report)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def _open_store(path: Path) -> Store:
    from watchsync.store import Store, StoreError

    try:
        return Store.open(path)
    except StoreError as error:
        raise CliError(str(error)) from None


# --- activities sync ------------------------------------------------------------------------------


def run_sync(args: argparse.Namespace) -> int:
    """Fetch new activities; exit 1 when any of them could not be analysed."""
    from watchsync.config import ConfigError
    from watchsync.daemon.status import LAST_ACTIVITY_SYNC_KEY, now_text
    from watchsync.garmin.errors import AuthRequired, GarminError
    from watchsync.services.activities import sync_activities
    from watchsync.services.garmin import client_for

    config = config_from(args)
    athlete = athlete_from(args, config)
    try:
        client = client_for(config, athlete.name)
    except ConfigError as error:
        raise CliError(str(error), 2) from None
    with _open_store(config.store_path) as store, progress_bar("activities") as progress:
        try:
            result = sync_activities(store, client, athlete, fit_dir=config.state_dir / "activities",
                                     since=args.since, today=athlete.today(), progress=progress)
        except AuthRequired as error:
            raise CliError(login_needed(str(error), athlete.name), EXIT_REAUTH) from None
        except (GarminError, OSError) as error:
            raise CliError(f"activities sync stopped: {error}") from None
        store.kv_set(athlete.name, LAST_ACTIVITY_SYNC_KEY, now_text())  # `watchsync status` shows it
    if args.json:
        print_json({"fetched": [asdict(fetched) for fetched in result.fetched], "skipped": result.skipped,
                    "failed": len(result.errors), "removed": result.removed, "rated": result.rated, "legs": result.legs,
                    "since": result.since,
                    "until": result.until, "cursor": result.cursor})
        return 1 if result.errors else 0
    for fetched in result.fetched:
        outcome = fetched.error or (f"{fetched.session_id}: {fetched.status}" if fetched.session_id else "unplanned")
        print(f"{fetched.activity_id}  {fetched.start:%Y-%m-%d %H:%M}  {fetched.sport or '?'}  {outcome}")
        for warning in fetched.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
    for activity_id in result.removed:
        print(f"{activity_id}  deleted at Garmin: forgotten (no longer counted)")
    for activity_id in result.rated:
        print(f"{activity_id}  rated in Garmin Connect since: scored again with its RPE")
    cursor = result.cursor.isoformat() if result.cursor else "none"
    print(f"{len(result.fetched)} new, {result.skipped} already stored, {len(result.errors)} failed"
          + (f", {len(result.removed)} deleted at Garmin" if result.removed else "")
          + (f", {result.legs} multisport legs (in their parent's file)" if result.legs else "") + " "
          f"(listed {result.since}..{result.until}; cursor {cursor})", file=sys.stderr)
    return 1 if result.errors else 0


# --- analyze --------------------------------------------------------------------------------------


def run_analyze(args: argparse.Namespace) -> int:
    """Print an activity's summary and, against a workout, its step-by-step compliance."""
    from watchsync.activity import FitDecodeError
    from watchsync.compliance.activities import NotAnActivity
    from watchsync.compliance.analysis import analysis_document
    from watchsync.services.analysis import analyze_activity

    config = config_from(args)
    athlete = athlete_from(args, config)
    workout = _planned_workout(args.workout, athlete) if args.workout else None
    try:
        scored = analyze_activity(args.file, athlete, workout)  # the library's use case, as documented
    except FitDecodeError as error:
        raise CliError(str(error)) from None
    except NotAnActivity as error:  # it names the file
        raise CliError(str(error)) from None
    analysis, score = scored.analysis, scored.score
    if args.athlete is None and len(config.athletes) > 1:  # the zones and load are this athlete's
        print(f"watchsync: scored for {athlete.name}, the config's first athlete (--athlete NAME for another)",
              file=sys.stderr)
    if workout is not None and scored.sport_mismatch is not None:
        print(f"watchsync: {scored.sport_mismatch}: another sport's numbers", file=sys.stderr)
    if args.json:
        document = analysis_document(analysis)
        print_json({"summary": document.pop("summary"), "load": document.pop("load"),
                    "decoder": analysis.activity.decoder, "salvaged": analysis.activity.salvaged,
                    "warnings": [*analysis.warnings, *([f"{scored.sport_mismatch}: another sport's numbers"]
                                                       if workout is not None and scored.sport_mismatch else [])],
                    "compliance": score.model_dump(mode="json") if score else None,
                    **document})
        return 0
    from watchsync.report.values import display_units

    print("\n".join(_summary_lines(args.file, analysis, athlete.units)))
    if score is not None:
        family = analysis.scored_for(workout.workout.sport if workout else analysis.summary.sport).summary.sport.family
        with display_units(athlete.units):  # paces per mile for an imperial athlete
            print("\n".join(["", *_score_lines(score, family)]))
    return 0


def _planned_workout(path: Path, athlete: Athlete) -> PreparedWorkout:
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import load_workout
    from watchsync.prepare import prepare
    from watchsync.resolve import ResolveError

    try:
        return prepare(load_workout(path), athlete)
    except WorkoutFormatError as error:
        raise CliError(str(error)) from None
    except ResolveError as error:
        raise CliError(f"{path}: {error}") from None


def _summary_lines(path: Path, analysis: Analysis, units: Units) -> list[str]:
    activity = analysis.activity
    decoded = f"decoded with {activity.decoder}{' (salvaged)' if activity.salvaged else ''}"
    lines = [f"{path}: " + _facts(analysis.summary, units), f"  {decoded}; " + _loads(analysis.load)]
    if len(analysis.sessions) > 1:
        for session in analysis.sessions:
            role = " (transition)" if session.summary.transition else ""
            facts = f"{_facts(session.summary, units)}; {_loads(session.load)}"
            lines.append(f"  session {session.summary.session}{role}: {facts}")
    return [*lines, *(f"  warning: {warning}" for warning in analysis.warnings)]


def _facts(summary: ActivitySummary, units: Units) -> str:
    from watchsync.describe import format_seconds
    from watchsync.model.units import METERS_PER_FOOT, METERS_PER_YARD, Units, format_distance

    sport = summary.sport.value + (f"/{summary.sub_sport}" if summary.sub_sport not in (None, "generic") else "") \
        + (f" ({summary.fit_sport})" if summary.fit_sport and not summary.transition else "")
    time = f"{format_seconds(summary.duration_s)} timer"
    if summary.elapsed_s is not None and summary.elapsed_s - summary.duration_s >= 60:
        time += f" ({format_seconds(summary.elapsed_s)} elapsed)"
    facts = [sport, f"{summary.start:%Y-%m-%d %H:%M}", time]
    # a swim counts in metres or yards, never miles: a pool's own unit (a whole number of metres is a metre
    # pool, 22.86 a 25-yd one), open water the athlete's
    pool = summary.pool_length_m
    yard_pool = pool is not None and abs(pool - round(pool)) > 0.005 and abs(
        pool / METERS_PER_YARD - round(pool / METERS_PER_YARD)) < 0.01
    if summary.distance_m and summary.sport.family == "swim":
        yards = yard_pool if pool else units is Units.IMPERIAL
        facts.append(f"{summary.distance_m / METERS_PER_YARD:.0f} yd" if yards else f"{summary.distance_m:.0f} m")
    elif summary.distance_m:
        facts.append(format_distance(summary.distance_m, units, digits=2))
    if summary.ascent_m:
        feet = units is Units.IMPERIAL
        facts.append(f"ascent {summary.ascent_m / (METERS_PER_FOOT if feet else 1):.0f} {'ft' if feet else 'm'}")
    if pool:
        facts.append(f"pool {pool / METERS_PER_YARD:.0f} yd" if yard_pool else f"pool {pool:g} m")
    if summary.avg_hr is not None:
        facts.append(f"avg HR {summary.avg_hr:.0f}" + (f" (max {summary.max_hr:.0f})" if summary.max_hr else ""))
    if summary.avg_power is not None:
        facts.append(f"avg power {summary.avg_power:.0f} W")
    if summary.workout_rpe is not None:
        facts.append(f"RPE {summary.workout_rpe:g}")
    return ", ".join(facts)


def _loads(load: ActivityLoad) -> str:
    from watchsync.describe import format_seconds

    loads = [f"TRIMP {load.trimp:.0f}" if load.trimp is not None else "TRIMP – (no heart rate)"]
    if load.srpe is not None:
        loads.append(f"sRPE {load.srpe:.0f}")
    if load.hr_seconds:
        loads.append(f"easy {(load.easy_seconds or 0) / load.hr_seconds:.0%} of heart-rate time")
    if load.no_hr_seconds and load.hr_seconds:
        loads.append(f"{format_seconds(load.no_hr_seconds)} without heart rate")
    return ", ".join(loads)


def _score_lines(score: SessionScore, family: str = "run") -> list[str]:
    from watchsync.describe import format_table
    from watchsync.report.values import percent, runs, step_band, thinly_measured

    volume, intensity, rpe = score.volume, score.intensity, score.rpe
    head = [f"against {score.workout!r}: volume {volume.colour} ({percent(volume.ratio)} of planned {volume.metric})",
            f"in target {percent(intensity.inside)} (steps aligned by {intensity.alignment})"]
    if intensity.alignment == "sets":
        exercises = [s for s in intensity.steps if s.exercise is not None]
        head[1] = (f"{sum(min(s.executions, s.planned_executions) for s in exercises)} of "
                   f"{sum(s.planned_executions for s in exercises)} sets done (the watch's sets)")
    if rpe.reported is not None and rpe.prescribed is not None:
        head.append(f"RPE {rpe.reported:g} reported vs {rpe.prescribed:.1f} prescribed")
    lines = [", ".join(head)]
    if score.easy is not None:
        lines.append(("! " if score.easy.too_hard else "") + score.easy.message)
    elif intensity.too_hard:
        lines.append(f"! easy run done too hard: {percent(intensity.easy_above)} of easy time above the ceiling")
    lines += [f"! {flag}" for flag in score.step_flags]  # as the report flags the session
    # steps numbered as `watchsync show` and the dashboard's activity page number them (2.1)
    if intensity.alignment == "sets":  # a strength workout: the watch's sets and their repetitions
        rows = [[s.number, s.name or s.exercise or "", runs(s.executions, s.planned_executions),
                 runs(s.reps_done or 0, s.reps_planned or 0) if s.reps_planned or s.reps_done else "–",
                 f"{s.seconds:.0f}s"] for s in intensity.steps]
        lines.append(format_table(["step", "name", "sets", "reps", "time"], rows))
        return lines
    known = intensity.alignment != "time"  # laid along the timer: how often each step ran is not known
    thin = [thinly_measured(s.channel, s.scored_seconds, s.measurable_seconds) for s in intensity.steps]
    rows = [[s.number, s.name or "", step_band(s.channel, s.low, s.high, family),
             runs(s.executions, s.planned_executions, known=known), f"{s.seconds:.0f}s",
             percent(s.inside) + ("*" if marked and s.inside is not None else ""), percent(s.above), percent(s.below)]
            for s, marked in zip(intensity.steps, thin, strict=True)]
    lines.append(format_table(["step", "name", "target", "laps", "time", "in", "above", "below"], rows))
    if any(marked and s.inside is not None for s, marked in zip(intensity.steps, thin, strict=True)):
        lines.append("* readings over less than half of the step's time (heart rate, GPS or power missing)")
    return lines


# --- report ---------------------------------------------------------------------------------------


def run_report(args: argparse.Namespace) -> int:
    """Print the compliance report (terminal table, JSON or CSV); ``--html`` writes the page too."""
    from watchsync.files import write_atomically
    from watchsync.report import render_csv, render_html, render_json, render_terminal, wants_color
    from watchsync.services.report import PlanViewError, store_report

    config = config_from(args)
    from watchsync.cli.plan import load, with_plan_athlete

    plan = load(args.plan) if args.plan else None
    if plan is not None:
        args = with_plan_athlete(args, plan)  # a plan names its athlete: its sessions are theirs
    athlete = athlete_from(args, config)
    planned = _plan_sessions(plan, args.plan, athlete) if plan is not None else None
    with _open_store(config.store_path) as store:
        try:
            report = store_report(store, athlete, today=athlete.today(), planned=planned, week=args.week)
        except PlanViewError as error:
            raise CliError(f"{config.store_path}: {error}") from None
    if args.html:
        try:
            write_atomically(args.html, render_html(report).encode("utf-8"), mode=0o600)  # health data: owner only
        except OSError as error:
            raise CliError(f"{args.html}: cannot write the report ({error.strerror})") from None
    if args.json:
        sys.stdout.write(render_json(report))
    elif args.csv:
        sys.stdout.write(render_csv(report))
    else:
        sys.stdout.write(render_terminal(report, color=wants_color(sys.stdout)))
    if args.html:
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def _plan_sessions(plan: Plan, path: Path, athlete: Athlete) -> list[PlannedSession]:
    from watchsync.resolve import ResolveError
    from watchsync.services.report import planned_from_plan

    if plan.athlete is not None and plan.athlete != athlete.name:
        raise CliError(f"{path}: the plan is for athlete {plan.athlete!r}, not {athlete.name!r} (--athlete "
                       f"{plan.athlete})")
    try:
        sessions = planned_from_plan(plan, athlete)
    except ResolveError as error:
        raise CliError(f"{path}: {error}") from None
    if not sessions:
        raise CliError(f"{path}: the plan has no sessions")
    return sessions
