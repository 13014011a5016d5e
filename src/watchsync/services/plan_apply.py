"""Apply a plan through the sync layer: push every workout, then schedule only what changed.

A plan (known by its name) owns the calendar entries it made, remembered in the store: applying it
again compares the plan with those entries only, so sessions the plan no longer holds are removed,
the same workout on another day is moved, a different workout on the same day replaces the old
one, and entries made by other plans or by hand are left alone. Applied again, a plan changes the
calendar from the athlete's today on: the days gone by keep their sessions (done, missed or
pending), so an edited plan never re-scores last month. Re-applying an unchanged plan changes
nothing but checks its entries from today on against the calendar (one read per month): an entry
removed in Garmin Connect, or of a workout deleted there, is restored (``restored`` lines; probe
server13). ``dry_run`` computes the changes from the store without queueing or calling Garmin.

The plan is linted first (:func:`watchsync.plan.lint.lint_plan`, for the service's athlete): a plan
with lint errors is refused with :class:`PlanRefused` (the lint report in it) unless ``force`` (or
``force = true`` in the plan file, the way to force a plan dropped into the daemon's inbox).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from watchsync.errors import InputError
from watchsync.garmin.sync import DrainResult, PushPlan, SyncService
from watchsync.model.enums import find_sport
from watchsync.model.workout import Workout
from watchsync.plan.diff import CalendarItem, Change, ChangeKind, plan_diff
from watchsync.plan.lint import LintReport, lint_plan
from watchsync.plan.model import Plan, ScheduledSession
from watchsync.prepare import workout_key
from watchsync.store import Store

Progress = Callable[[int, int], None]


class PlanRefused(InputError):
    """A plan with lint errors, not applied; ``report`` is its lint report, ``lines`` its errors."""

    def __init__(self, plan: Plan, report: LintReport) -> None:
        self.report = report
        self.lines = [issue.format(plan.label) for issue in report.errors]
        super().__init__(f"{plan.label}: {len(self.lines)} lint error(s), the plan is not applied "
                         "(fix them, or apply with --force):\n" + "\n".join(self.lines))


def check_plan(plan: Plan, service: SyncService, force: bool = False) -> LintReport:
    """The plan's lint report for the service's athlete; :class:`PlanRefused` on errors unless ``force``;
    an :class:`~watchsync.errors.InputError` for a plan written for another athlete (never forced)."""
    if plan.athlete is not None and plan.athlete != service.athlete.name:
        raise InputError(f"{plan.label}: the plan is for athlete {plan.athlete!r}, not {service.athlete.name!r} "
                         "(a plan's identity includes its athlete)")
    report = lint_plan(plan, athlete=service.athlete)
    if report.errors and not (force or plan.force):
        raise PlanRefused(plan, report)
    return report


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did (or would do): workout pushes, calendar changes, and the drain's outcome."""

    pushes: tuple[PushPlan, ...]
    changes: tuple[Change, ...]
    drained: DrainResult | None
    warnings: tuple[str, ...] = ()  # other plans' sessions in this plan's weeks, sessions on past days

    def lines(self) -> list[str]:
        """One line per push that is not ``unchanged``, per calendar change and per entry restored."""
        pushed = [f"{p.action} workout {p.name}" for p in self.pushes if p.action != "unchanged"]
        restored = [f"restored {o.day}: {o.key} (removed in Garmin Connect)" for o in
                    (self.drained.outcomes if self.drained else []) if o.op == "schedule" and o.action == "restored"]
        return pushed + [change.describe() for change in self.changes] + restored


def apply_plan(plan: Plan, service: SyncService, start: date | None = None, *, dry_run: bool = False,
               progress: Progress | None = None, force: bool = False) -> ApplyResult:
    """Push and schedule ``plan`` for ``service.athlete``, then send it; see the module docstring."""
    result = queue_plan(plan, service, start, dry_run=dry_run, force=force)
    return result if dry_run else replace(result, drained=service.drain(progress=progress))


def queue_plan(plan: Plan, service: SyncService, start: date | None = None, *, dry_run: bool = False,
               should_push: Callable[[Workout], bool] | None = None, force: bool = False) -> ApplyResult:
    """Queue the plan's pushes and calendar changes in the store (one transaction); send nothing.

    ``should_push`` decides which of the plan's workouts are pushed from the plan (default: all);
    the daemon leaves out workouts that a coach's own file owns. Lint errors refuse the plan
    (:class:`PlanRefused`) unless ``force``.
    """
    check_plan(plan, service, force)
    sessions = list(plan.sessions(start))
    athlete = service.athlete.name
    made = service.store.kv_get(athlete, plan_kv_key(plan)) or []
    names = {key: _stored_name(service, key) for key in {key for key, _day in made}}
    owned = [CalendarItem(f"{key}@{day}", date.fromisoformat(day), key, names[key]) for key, day in made]
    rows = service.store.list_schedules(athlete, states=("pending", "scheduled"))
    live = {(row.workout_key, row.date) for row in rows}
    items = [item for item in owned if (item.workout_key, item.date) in live]
    today = service.athlete.today()
    # applied again: the calendar changes from today on; days gone by keep what they had (done or not)
    since = today if made else None
    changes = tuple(plan_diff(plan, items, workout_key, start, since=since))
    kept = [[item.workout_key, item.date.isoformat()] for item in items if since is not None and item.date < since]
    if since is not None:
        past = sum(1 for session in sessions if session.date < since)
        sessions = [session for session in sessions if session.date >= since]
    workouts = {workout_key(s.workout): s.workout for s in sessions}
    if should_push is not None:
        workouts = {key: workout for key, workout in workouts.items() if should_push(workout)}
    pushes = tuple(service.plan_push(workout) for workout in workouts.values())
    warnings = overlapping_plans(plan, service, sessions)
    if since is not None and past:
        warnings += (f"{past} session(s) on days before today ({today}) left as the calendar has them: a plan "
                     "applied again changes the calendar from today on",)
    elif since is None and (past := sum(1 for session in sessions if session.date < today)):
        warnings += (f"{past} session(s) fall on days before today ({today}): they go on the calendar as "
                     "missed workouts unless the plan starts later (--start)",)
    if dry_run:
        return ApplyResult(pushes, changes, None, warnings)
    with service.store.transaction():
        for workout in workouts.values():
            service.enqueue_push(workout)
        for change in changes:
            if change.item is not None and change.kind is not ChangeKind.ADD:
                service.enqueue_unschedule(change.item.workout_key, change.item.date)
            if change.key is not None:
                service.enqueue_schedule(change.key, change.date)
        changed = {(c.item.workout_key, c.item.date) for c in changes if c.item is not None} \
            | {(c.key, c.date) for c in changes if c.key is not None}
        recorded = {(row.workout_key, row.date) for row in rows if row.state == "scheduled"}
        for item in items:  # the store says these are on the calendar: the drain looks (removed in Connect?)
            if since is not None and item.date >= since and (item.workout_key, item.date) in recorded - changed:
                service.enqueue_schedule(item.workout_key, item.date)
        service.store.kv_set(athlete, plan_kv_key(plan),
                             sorted([*kept, *([workout_key(s.workout), s.date.isoformat()] for s in sessions)]))
        service.store.kv_set(athlete, PLAN_WEEKS_PREFIX + plan.name, _week_entries(plan, start))
    return ApplyResult(pushes, changes, None, warnings)


def _week_entries(plan: Plan, start: date | None) -> list[list[object]]:
    """``[monday, focus, note, sessions]`` of each week of ``plan`` as applied (its start, or ``start``)."""
    first = start or plan.start
    if first is None:
        return []
    monday = first - timedelta(days=first.weekday())
    applied = datetime.now(UTC).isoformat(timespec="seconds")  # the plan applied last speaks for a shared week
    return [[(monday + timedelta(weeks=number)).isoformat(), week.focus.value, week.note,
             sum(len(sessions) for sessions in week.days.values()), applied]
            for number, week in enumerate(plan.weeks)]


class PlanWeek(NamedTuple):
    """A week as its plan describes it: its focus (``build``, ``deload``), note and number of sessions."""

    plan: str
    focus: str
    note: str | None
    sessions: int


def plan_weeks(store: Store, athlete: str) -> dict[date, PlanWeek]:
    """The weeks of the athlete's applied plans by Monday (a deload or a rest week is the plan's to say:
    the report only sees sessions, probe coach10); a week two plans share is the one applied last's."""
    weeks: dict[date, tuple[str, PlanWeek]] = {}
    for key, entries in store.kv_prefixed(athlete, PLAN_WEEKS_PREFIX).items():
        for entry in entries if isinstance(entries, list) else []:
            try:
                monday, focus, note, sessions, applied = [*entry, ""][:5]
                day = date.fromisoformat(monday)
                week = PlanWeek(key.removeprefix(PLAN_WEEKS_PREFIX), str(focus), note, int(sessions))
            except (TypeError, ValueError):
                continue  # an entry of another version: no label rather than an error
            if day not in weeks or str(applied) > weeks[day][0]:
                weeks[day] = (str(applied), week)
    return {day: week for day, (_applied, week) in weeks.items()}


def overlapping_plans(plan: Plan, service: SyncService, sessions: list[ScheduledSession]) -> tuple[str, ...]:
    """A line per other plan of the athlete that keeps sessions on this plan's dates (a plan is known
    by its name, so a renamed or regenerated block is a second plan beside the first): on the same days,
    or in its weeks in a sport family this plan has (a renamed run block on other weekdays: six runs a
    week, probe review15). A plan of other sports beside it on other days (yoga on Fridays beside the
    runs) is said nothing of: 51 sessions were said for 6 (probe coach11)."""
    if not sessions:
        return ()
    monday, sunday = sessions[0].date - timedelta(days=sessions[0].date.weekday()), \
        sessions[-1].date + timedelta(days=6 - sessions[-1].date.weekday())
    first, last = monday.isoformat(), sunday.isoformat()  # the plan's weeks
    own_days = {session.date.isoformat() for session in sessions}
    own_families = {session.workout.sport.family for session in sessions}
    # only the other plan's entries still on the calendar (a renamed plan removed some: "both are kept"
    # counted them all, probe journey10)
    live = {(row.workout_key, row.date.isoformat())
            for row in service.store.list_schedules(service.athlete.name, states=("pending", "scheduled"))}
    families: dict[str, str | None] = {}

    def family(workout_key: str) -> str | None:
        if workout_key not in families:
            row = service.store.get_workout(service.athlete.name, workout_key)
            sport = find_sport(str(row.payload.get("sport"))) if row is not None and isinstance(row.payload, dict) \
                else None
            families[workout_key] = sport.family if sport is not None else None
        return families[workout_key]

    lines = []
    for key, entries in sorted(service.store.kv_prefixed(service.athlete.name, PLAN_KV_PREFIX).items()):
        other = key.removeprefix(PLAN_KV_PREFIX)
        in_weeks = [(entry_key, day) for entry_key, day in entries or [] if first <= day <= last
                    and (entry_key, day) in live]
        alike = sum(1 for entry_key, _day in in_weeks if family(entry_key) in own_families)
        other_families = {family(entry_key) for entry_key, _day in in_weeks}
        own_alike = sum(1 for session in sessions if session.workout.sport.family in other_families)
        # mostly the same sports both ways: a renamed block; a gym or bike plan beside a run plan with one
        # strength session a week is no replacement of it, whichever came first (probes review16, review17)
        mostly_alike = 2 * alike >= len(in_weeks) and 2 * own_alike >= len(sessions)
        days = sorted(day for entry_key, day in in_weeks
                      if day in own_days or (mostly_alike and family(entry_key) in own_families))
        if other != plan.name and days:
            lines.append(f"plan {other!r} also has {len(days)} session(s) in this plan's weeks ({days[0]} to "
                         f"{days[-1]}): both are kept; apply the new block under the same name to replace it")
    return tuple(lines)


def _stored_name(service: SyncService, key: str) -> str:
    """The name of the athlete's workout ``key`` as stored (for change lines: ``A → B``, not a key)."""
    row = service.store.get_workout(service.athlete.name, key)
    name = row.payload.get("name") if row is not None and isinstance(row.payload, dict) else None
    return name if isinstance(name, str) else ""


#: The store's kv keys of the calendar entries each plan made: this prefix and the plan's name.
PLAN_KV_PREFIX = "plan.sessions:"
#: The store's kv keys of each plan's weeks (Monday, focus, note, sessions): this prefix and the plan's name.
PLAN_WEEKS_PREFIX = "plan.weeks:"


def plan_kv_key(plan: Plan) -> str:
    """Where the store keeps the calendar entries a plan made (the plan is known by its name)."""
    return PLAN_KV_PREFIX + plan.name
