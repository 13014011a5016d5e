"""Garmin Connect commands: login, logout, whoami, push, list, schedule, unschedule, delete, sync, server.

Exit codes: 0 done, 1 something failed (or waits for a retry), 2 bad usage or configuration, 3 a
person must log in (re-authentication needed or an MFA code).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchsync.cli.common import CliError, add_athlete_option, athlete_from, config_from, login_needed, print_json

if TYPE_CHECKING:
    from watchsync.config import Config
    from watchsync.garmin.client import GarminClient
    from watchsync.garmin.sync import DrainResult, SyncService
    from watchsync.model.workout import Workout

EMAIL_VARIABLE = "WATCHSYNC_GARMIN_EMAIL"
PASSWORD_VARIABLE = "WATCHSYNC_GARMIN_PASSWORD"
MFA_NEEDED = "MFA code needed: run `watchsync login --mfa-code CODE`"
EXIT_LOGIN = 3


def register(commands: Any) -> None:
    """Add the Garmin Connect commands to the sub-command parser."""
    login = commands.add_parser("login", help="log in to Garmin Connect and save the tokens")
    add_athlete_option(login)
    login.add_argument("--mfa-code", metavar="CODE", help="finish a login that is waiting for its MFA code")
    login.add_argument("--shared-account", action="store_true",
                       help="allow this athlete to use a Garmin account another athlete already uses")
    login.set_defaults(handler=run_login)

    logout = commands.add_parser("logout", help="delete the saved Garmin tokens")
    add_athlete_option(logout)
    logout.set_defaults(handler=run_logout)

    whoami = commands.add_parser("whoami", help="the Garmin account the saved tokens belong to")
    add_athlete_option(whoami)
    whoami.add_argument("--json", action="store_true", help="as JSON")
    whoami.set_defaults(handler=run_whoami)

    push = commands.add_parser("push", help="create or update workouts on Garmin Connect (unchanged: no call)")
    push.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="workout files or folders")
    add_athlete_option(push)
    push.add_argument("--dry-run", action="store_true", help="say what would change, judged by the local state only")
    push.add_argument("--force", action="store_true",
                      help="send even unchanged workouts, overwriting what was edited on Garmin Connect (drift)")
    push.add_argument("--json", action="store_true", help="results as JSON")
    push.set_defaults(handler=run_push)

    listing = commands.add_parser("list", help="what is on Garmin Connect: workouts and the calendar")
    add_athlete_option(listing)
    listing.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD", help="calendar start (today)")
    listing.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="calendar end (4 weeks on)")
    listing.add_argument("--json", action="store_true", help="as JSON")
    listing.set_defaults(handler=run_list)

    for name, verb in (("schedule", "put a workout on the Garmin calendar (pushing it first if needed)"),
                       ("unschedule", "remove a workout from a day of the Garmin calendar")):
        command = commands.add_parser(name, help=verb)
        command.add_argument("file", type=Path, metavar="FILE")
        command.add_argument("--date", type=_day, required=True, metavar="YYYY-MM-DD",
                             help="the calendar day, on the athlete's clock")
        add_athlete_option(command)
        command.add_argument("--json", action="store_true", help="the result as JSON")
        command.set_defaults(handler=run_schedule if name == "schedule" else run_unschedule)

    delete = commands.add_parser("delete", help="delete a workout (and its calendar entries) from Garmin Connect")
    delete.add_argument("file", type=Path, metavar="FILE")
    add_athlete_option(delete)
    delete.add_argument("--json", action="store_true", help="the result as JSON")
    delete.set_defaults(handler=run_delete)

    sync = commands.add_parser("sync", help="compare local state with Garmin Connect, repair, send what waits")
    add_athlete_option(sync)
    sync.add_argument("--json", action="store_true", help="results as JSON")
    sync.set_defaults(handler=run_sync)

    server = commands.add_parser("server", help="run the local Garmin-Connect-compatible server (loopback)")
    server.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    server.add_argument("--state", type=Path, metavar="FILE", help="keep the server's state in this JSON file")
    server.add_argument("--faults", metavar="SPEC", help="inject faults, e.g. 429=0.2,500=0.1,drop=0.05")
    server.add_argument("--account", action="append", default=[], metavar="EMAIL",
                        help="one more account (password local-password), e.g. one per athlete; repeatable")
    server.add_argument("--list-legs", action="store_true",
                        help="list a multisport activity's legs beside it (Garmin lists the parent alone)")
    server.set_defaults(handler=run_server)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


# plumbing ----------------------------------------------------------------------------------------

@contextmanager
def garmin_errors(athlete: str | None = None) -> Iterator[None]:
    """Garmin failures as one-line CLI errors; a needed login exits 3 (its hint naming ``athlete``)."""
    from watchsync.garmin.errors import AuthRequired, GarminError

    try:
        yield
    except AuthRequired as error:
        raise CliError(login_needed(str(error), athlete), EXIT_LOGIN) from None
    except GarminError as error:
        raise CliError(str(error)) from None


def make_client(config: Config, athlete: str) -> GarminClient:
    from watchsync.config import ConfigError
    from watchsync.services.garmin import client_for

    try:
        return client_for(config, athlete)
    except ConfigError as error:
        raise CliError(str(error), 2) from None


@contextmanager
def sync_service(args: argparse.Namespace) -> Iterator[SyncService]:
    """The athlete's sync service over the state store (closed afterwards)."""
    from watchsync.garmin.sync import SyncService
    from watchsync.store import Store, StoreError

    config = config_from(args)
    athlete = athlete_from(args, config)
    client = make_client(config, athlete.name)
    try:
        store = Store.open(config.store_path)
    except StoreError as error:
        raise CliError(str(error)) from None
    with store, garmin_errors(athlete.name):
        yield SyncService(store, lambda: client, athlete)


def load(path: Path) -> Workout:
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import load_workout

    try:
        return load_workout(path)
    except WorkoutFormatError as error:
        raise CliError(str(error)) from None


def enqueue(service: SyncService, workout: Workout, path: Path, *, force: bool = False) -> str:
    from watchsync.errors import InputError

    try:
        return service.enqueue_push(workout, path, force=force)
    except InputError as error:
        raise CliError(f"{path}:1:1: {error}") from None


def drain(service: SyncService) -> DrainResult:
    """Send what waits, with a progress bar on a terminal."""
    from tqdm import tqdm

    with tqdm(total=0, unit="op", desc="Garmin", file=sys.stderr, disable=not sys.stderr.isatty(),
              leave=False) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return service.drain(progress=progress)


def finish(result: DrainResult) -> int:
    """Report failures on stderr; the exit code of a command that drained (its own work was all tried)."""
    for failure in result.failures:
        when = f" on {failure.day}" if failure.day else ""
        retry = " (will be retried)" if failure.status == "retry" else ""
        print(f"watchsync: {failure.op} {failure.key}{when}: {failure.message}{retry}", file=sys.stderr)
    if result.parked is not None:
        raise CliError(f"{result.parked} (queued work is kept)", EXIT_LOGIN)
    if result.remaining and not result.failures:  # earlier work waiting for its retry time
        print(f"watchsync: {result.remaining} earlier operation(s) still wait for a retry", file=sys.stderr)
    return 1 if result.failures else 0


# login -------------------------------------------------------------------------------------------

def run_login(args: argparse.Namespace) -> int:
    """Log in with email and password (or finish with an MFA code), then release a parked queue."""
    from watchsync.store import Store, StoreError

    config = config_from(args)
    athlete = athlete_from(args, config)
    client = make_client(config, athlete.name)
    # the working login a refused or failed one must not cost (probe docs12: a login to another athlete's
    # account deleted this athlete's tokens; probe review16: one whose profile fetch dropped left the other
    # account's tokens in place), and a credential login again is what Garmin rate-limits
    kept = client.token_file.read_bytes() if client.token_file.is_file() else None
    accepted = False
    try:
        with garmin_errors(athlete.name):
            if args.mfa_code:
                client.resume_mfa(args.mfa_code)
            else:
                email, password = _credentials()
                prompt = _ask_mfa_code if sys.stdin.isatty() else None
                if client.login_with_credentials(email, password, mfa_code_prompt=prompt) == "needs_mfa":
                    raise CliError(MFA_NEEDED, EXIT_LOGIN)
            who = client.whoami()
        from watchsync.garmin.accounts import SharedAccount, check_account, record_account

        try:
            with Store.open(config.store_path) as store:
                try:
                    check_account(store, athlete.name, who, shared=args.shared_account)
                except SharedAccount as error:
                    raise CliError(str(error), 2) from None
                record_account(store, athlete.name, who, shared=args.shared_account)
                store.unpark(athlete.name)
        except StoreError as error:
            raise CliError(str(error)) from None
        accepted = True
    finally:
        if not accepted:
            _restore_tokens(client.token_file, kept)
    print(f"logged in to Garmin Connect as {who['display_name']} for athlete {athlete.name}")
    return 0


def _restore_tokens(path: Path, kept: bytes | None) -> None:
    """The token file as it was before a login that did not go through (the MFA state is left alone)."""
    now = path.read_bytes() if path.is_file() else None
    if now == kept:
        return
    if kept is None:
        path.unlink(missing_ok=True)
        return
    from watchsync.files import write_atomically

    write_atomically(path, kept, mode=0o600)


def _credentials() -> tuple[str, str]:
    import getpass

    interactive = sys.stdin.isatty()
    email = os.environ.get(EMAIL_VARIABLE) or (input("Garmin email: ").strip() if interactive else "")
    password = os.environ.get(PASSWORD_VARIABLE) or (getpass.getpass("Garmin password: ") if interactive else "")
    if not email or not password:
        raise CliError(f"Garmin email and password needed: set {EMAIL_VARIABLE} and {PASSWORD_VARIABLE}, "
                       "or run `watchsync login` in a terminal", 2)
    return email, password


def _ask_mfa_code() -> str:
    return input("MFA code: ").strip()


def run_logout(args: argparse.Namespace) -> int:
    config = config_from(args)
    athlete = athlete_from(args, config)
    client = make_client(config, athlete.name)
    had_tokens = client.token_file.exists()
    client.logout()
    print(f"logged out: Garmin tokens of athlete {athlete.name} deleted" if had_tokens
          else f"athlete {athlete.name} was not logged in: nothing to delete")
    return 0


def run_whoami(args: argparse.Namespace) -> int:
    with sync_service(args) as service:
        who = service.client.whoami()
        parked = service.store.parked_reason(service.athlete.name)
    if args.json:
        print_json({"athlete": service.athlete.name, **who, "parked": parked})
    else:
        print(f"{who['display_name']} ({who['full_name']}), profile {who['profile_id']}, "
              f"athlete {service.athlete.name}")
        if parked:
            print(f"queue parked: {parked}")
    return 0


# workouts and calendar ---------------------------------------------------------------------------

def run_push(args: argparse.Namespace) -> int:
    """Push every workout under the paths; file errors are reported and the rest still pushed."""
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import load_workouts
    from watchsync.prepare import workout_key

    loaded = load_workouts(args.paths)
    if not loaded:
        raise CliError("no workout files found (looked for *.txt, *.toml, *.fit, *.json)")
    errors = [str(result) for _path, result in loaded if isinstance(result, WorkoutFormatError)]
    workouts: dict[str, tuple[Path, Workout]] = {}
    for path, workout in loaded:
        if isinstance(workout, WorkoutFormatError):
            continue
        key = workout_key(workout)
        if key in workouts:
            errors.append(f"{path}:1:1: same workout name as {workouts[key][0]} ({workout.name!r}); skipped")
        else:
            workouts[key] = (path, workout)
    with sync_service(args) as service:
        drained: DrainResult | None = None
        replaced = [said for path, workout in workouts.values() if (said := _replaces(service, path, workout))]
        if args.dry_run:
            rows = _dry_run(service, workouts)
        else:
            rows, drained = _push(service, workouts, errors, force=args.force)
    for error in errors:
        print(error, file=sys.stderr)
    for said in replaced:
        print(said, file=sys.stderr)
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            remote = f"  Garmin id {row['workout_id']}" if row.get("workout_id") else ""
            verb = "sent" if row["action"] in ("created", "updated", "adopted") else "goes"  # parked: not sent yet
            sport = (f"  ({verb} as Garmin sport {row['garmin_sport']}: Garmin has no workouts of this sport)"
                     if row.get("garmin_sport") and row["action"] != "unchanged" else "")  # said when sent
            print(f"{row['action']:<10} {row['name']}  ({row['path']}){remote}{sport}")
        for outcome in drained.outcomes if drained is not None else []:  # a workout deleted in Connect, made again
            if outcome.op == "schedule" and outcome.action == "restored":
                print(f"restored   {outcome.key} on {outcome.day}: the calendar entry had gone with the workout "
                      "deleted in Garmin Connect")
    code = 1 if errors else 0
    return code if drained is None else max(code, finish(drained))


def _replaces(service: SyncService, path: Path, workout: Workout) -> str | None:
    """A warning when ``workout`` changes the Garmin workout another file made (one name, one workout:
    a coach's second file with a generic first line replaced a ride with a swim, unsaid; probe icu19)."""
    from watchsync.prepare import workout_key

    row = service.store.get_workout(service.athlete.name, workout_key(workout))
    if row is None or row.deleted or row.source_path is None or service.plan_push(workout).action == "unchanged":
        return None
    other = Path(row.source_path)
    if other.resolve() == path.resolve():
        return None
    before = str(row.payload.get("sport") or "")
    sport = f", a {before} workout, with a {workout.sport.value} one" if before and before != workout.sport.value \
        else ""
    return (f"{path}:1:1: warning: replaces workout {workout.name!r}, which {other} made (the same name){sport} "
            "(give this file another name: line to keep both)")


def _dry_run(service: SyncService, workouts: dict[str, tuple[Path, Workout]]) -> list[dict[str, Any]]:
    rows = []
    for path, workout in workouts.values():
        plan = service.plan_push(workout)
        action = "unchanged" if plan.action == "unchanged" else f"would {plan.action}"
        rows.append({"path": str(path), "key": plan.key, "name": plan.name, "action": action})
    return rows


def _push(service: SyncService, workouts: dict[str, tuple[Path, Workout]],
          errors: list[str], *, force: bool = False) -> tuple[list[dict[str, Any]], DrainResult]:
    queued: dict[str, tuple[Path, Workout]] = {}
    for key, (path, workout) in workouts.items():
        try:
            enqueue(service, workout, path.resolve(), force=force)  # the file wherever push runs (review18)
        except CliError as error:
            errors.append(str(error))
        else:
            queued[key] = (path, workout)
    result = drain(service)
    outcomes = {o.key: o for o in result.outcomes if o.op == "push"}
    waiting = {item.workout_key for item in service.store.list_outbox(service.athlete.name) if item.op == "push"}
    rows = []
    for key, (path, workout) in queued.items():
        row = service.store.get_workout(service.athlete.name, key)
        outcome = outcomes.get(key)
        if outcome is None:
            action, problem = ("queued" if key in waiting else "unchanged"), None
        elif outcome.status == "done":
            action, problem = outcome.action, None
        else:
            action, problem = outcome.status, outcome.message
        rows.append({"path": str(path), "key": key, "name": workout.name, "action": action,
                     "workout_id": row.remote_id if row else None, "error": problem,
                     "garmin_sport": _garmin_sport_note(workout)})
    return rows, result


def _garmin_sport_note(workout: Workout) -> str | None:
    """The Connect sport type used when Garmin has no workout sport of our own kind (else None)."""
    from watchsync.formats.connect_json import GARMIN_SPORT, SPORT_FROM_GARMIN

    garmin = GARMIN_SPORT.get(workout.sport)
    return garmin if garmin is not None and SPORT_FROM_GARMIN.get(garmin) is not workout.sport else None


def run_list(args: argparse.Namespace) -> int:
    """The athlete's Garmin workouts (marked ones with their local key) and calendar entries."""
    from datetime import timedelta

    from watchsync.formats.connect_json import find_marker
    from watchsync.garmin.sync_ops import edited_on_garmin

    with sync_service(args) as service:
        start = args.start or service.athlete.today()
        end = args.end or start + timedelta(days=27)
        if end < start:
            raise CliError("--to is before --from", 2)
        rows = {row.remote_id: row for row in service.store.list_workouts(service.athlete.name)
                if row.remote_id is not None and not row.deleted}
        workouts = []
        for summary in service.client.iter_workouts():
            workout_id = int(summary["workoutId"])
            row = rows.get(workout_id)
            marker = find_marker(summary.get("description"))
            state = ("not from watchsync" if marker is None and row is None else
                     "unknown here" if row is None else
                     "changed on Garmin (push --force overwrites)"
                     if edited_on_garmin(service.store, service.athlete.name, row, summary) else "in sync")
            workouts.append({"workout_id": workout_id, "name": summary.get("workoutName"),
                             "sport": (summary.get("sportType") or {}).get("sportTypeKey"),
                             "key": row.key if row else None, "state": state})
        calendar = [{"date": item.get("date"), "type": item.get("itemType"), "id": item.get("id"),
                     "workout_id": item.get("workoutId"), "title": item.get("title")}
                    for item in service.client.calendar_items(start, end)]
    if args.json:
        print_json({"athlete": service.athlete.name, "workouts": workouts,
                    "calendar": {"from": start.isoformat(), "to": end.isoformat(), "items": calendar}})
        return 0
    print(f"workouts on Garmin Connect ({len(workouts)}):")
    for entry in workouts:
        key = f"  [{entry['key']}]" if entry["key"] else ""
        print(f"  {entry['workout_id']:>10}  {entry['sport'] or '?':<18} {entry['name']}{key}  {entry['state']}")
    print(f"calendar {start} .. {end} ({len(calendar)}):")
    for item in calendar:
        ident = f"  (id {item['id']})" if item["id"] is not None else ""
        print(f"  {item['date']}  {item['type'] or '?':<8} {item['title'] or ''}{ident}")
    return 0


def run_schedule(args: argparse.Namespace) -> int:
    """Push the workout if needed, then put it on the calendar once."""
    workout = load(args.file)
    with sync_service(args) as service:
        key = enqueue(service, workout, args.file)
        queued = service.enqueue_schedule(key, args.date)
        result = drain(service)
        entry = service.store.get_schedule(service.athlete.name, key, args.date)
    done = entry is not None and entry.state == "scheduled"
    # recorded as scheduled: the drain looked at the calendar, and restored an entry removed in Connect
    actions = {o.action for o in result.outcomes if o.op == "schedule" and o.key == key and o.day == args.date}
    already = not queued and "restored" not in actions
    if args.json:
        print_json(_calendar_json(workout, args.date, "scheduled" if done else "failed", result, not already,
                                  schedule_id=entry.remote_schedule_id if entry and done else None))
    elif done:
        moved = next((action for action in actions if action.startswith("moved in Garmin Connect")), None)
        note = f" ({moved}: left there)" if moved else " (already on the calendar)" if already else \
            " (restored: it was removed in Garmin Connect)" if "restored" in actions else ""
        print(f"scheduled {workout.name} on {args.date}: schedule id {entry.remote_schedule_id if entry else ''}{note}")
    return finish(result)


def _calendar_json(workout: Workout, day: date | None, action: str, result: DrainResult, queued: bool,
                   **extra: Any) -> dict[str, Any]:
    """The result of schedule / unschedule / delete as one JSON object."""
    ok = not result.failures and result.parked is None
    return {"name": workout.name, "date": day.isoformat() if day else None,
            "action": action if ok else "failed", "already": not queued, **extra,
            "errors": [f.message for f in result.failures] + ([result.parked] if result.parked else [])}


def run_unschedule(args: argparse.Namespace) -> int:
    from watchsync.prepare import workout_key

    workout = load(args.file)
    with sync_service(args) as service:
        queued = service.enqueue_unschedule(workout_key(workout), args.date)
        result = drain(service)
    if args.json:
        print_json(_calendar_json(workout, args.date, "unscheduled", result, queued))
    elif not queued:
        print(f"{workout.name} was already removed from {args.date}")
    elif not result.failures and result.parked is None:
        print(f"removed {workout.name} from {args.date}")
    return finish(result)


def run_delete(args: argparse.Namespace) -> int:
    from watchsync.prepare import workout_key

    workout = load(args.file)
    with sync_service(args) as service:
        queued = service.enqueue_delete(workout_key(workout))
        result = drain(service)
    if args.json:
        print_json(_calendar_json(workout, None, "deleted", result, queued))
    elif not queued:
        print(f"{workout.name} was already deleted")
    elif not result.failures and result.parked is None:
        print(f"deleted {workout.name} from Garmin Connect")
    return finish(result)


def run_sync(args: argparse.Namespace) -> int:
    """Reconcile with Garmin, then send what waits."""
    with sync_service(args) as service:
        found = service.reconcile()
        result = drain(service)
    if args.json:
        print_json({**asdict(found), "outbox": [asdict(o) for o in result.outcomes], "remaining": result.remaining,
                    "parked": result.parked})
    else:
        for label, keys in (("adopted", found.adopted), ("re-created", found.recreated),
                            ("schedule recorded", found.schedules_recorded),
                            ("schedule queued again", found.schedules_requeued)):
            for key in keys:
                print(f"{label}: {key}")
        for drift in found.drift:
            print(f"drift: {drift}")
        done = sum(o.status == "done" for o in result.outcomes)
        print(f"{done} operations sent, {result.remaining} waiting")
    return finish(result)


def run_server(args: argparse.Namespace) -> int:
    """Serve the local Garmin Connect server in the foreground until interrupted."""
    from watchsync.testing.garmin.server import parse_faults, serve

    if args.faults:
        try:
            parse_faults(args.faults)
        except ValueError as error:
            raise CliError(f"--faults: {error}", 2) from None
    try:
        serve(args.port, args.state, args.faults, args.account, args.list_legs)
    except (OSError, ValueError) as error:
        raise CliError(f"server: {error}") from None
    return 0
