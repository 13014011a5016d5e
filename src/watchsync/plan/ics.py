"""iCalendar export of a plan (RFC 5545): one all-day event per session, steps and RPE cues inside."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from watchsync.describe import format_seconds, step_rows
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.plan.model import Plan
from watchsync.plan.stats import session_facts
from watchsync.resolve import ResolveError, resolve

PRODID = "-//watchsync//base-building plan//EN"


def plan_to_ics(plan: Plan, athlete: Athlete, start: date | None = None,
                stamp: datetime | None = None) -> bytes:
    """The plan as an iCalendar file; targets resolved for ``athlete``; ``start`` overrides the plan's."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", plan.name)
    stamp = stamp or datetime.now(UTC)
    slug = re.sub(r"[^a-z0-9]+", "-", plan.name.lower()).strip("-") or "plan"
    per_day: dict[date, int] = {}
    for scheduled in plan.sessions(start):
        index = per_day[scheduled.date] = per_day.get(scheduled.date, 0) + 1
        minutes = session_facts(scheduled.workout, athlete.easy_speed).minutes
        event = Event()
        event.add("uid", f"{slug}-{scheduled.date.isoformat()}-{index}@watchsync")
        event.add("dtstamp", stamp)
        event.add("dtstart", scheduled.date)
        event.add("dtend", scheduled.date + timedelta(days=1))
        event.add("summary", f"{scheduled.workout.name} ({format_seconds(60 * round(minutes))})")
        event.add("description", workout_description(scheduled.workout, athlete, scheduled.session.note))
        event.add("categories", [scheduled.workout.sport.value])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def workout_description(workout: Workout, athlete: Athlete, note: str | None) -> str:
    """The description of a calendar event: note, description, then each step with its target."""
    try:
        shown = resolve(workout, athlete)
    except ResolveError:
        shown = workout
    lines = [line for line in (note, workout.description) if line]
    for row in step_rows(shown, athlete.units):
        indent = "  " * row.depth
        if row.intensity == "repeat":
            lines.append(f"{indent}{row.label}. {row.duration} {row.cue}".rstrip())
            continue
        target = "" if row.target == "open" else f" @ {row.target}"
        cue = f" – {row.cue}" if row.cue else ""
        lines.append(f"{indent}{row.label}. {row.intensity} {row.duration}{target}{cue}")
    return "\n".join(lines)
