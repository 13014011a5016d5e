"""iCalendar export of a plan (RFC 5545): one all-day event per session, steps and RPE cues inside.

Identity: a session's UID is a hash of the athlete, the plan's name, the date, the workout's name
with its numbers left out (``Easy run 56 min`` and ``Easy run 60 min`` are the same session, made
longer) and its occurrence among such workouts that day, so it stays the same when other sessions are
added or removed or a session's minutes change (the event is revised, not doubled), and two
athletes' exports never share one (a coach's calendar keeps both).
SEQUENCE (RFC 5545 §3.8.7.4) counts revisions: given the previous export, an event whose content
changed gets the previous SEQUENCE + 1, an unchanged one keeps it, a new one starts at 0.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vText

from watchsync.describe import format_seconds, step_rows
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.plan.model import Plan
from watchsync.plan.stats import session_facts
from watchsync.resolve import ResolveError, resolve
from watchsync.rules import speeds_for

PRODID = "-//watchsync//base-building plan//EN"
#: The numbers of a workout name (its minutes, its kilometres), left out of a session's identity.
_NUMBERS = re.compile(r"\d+(?:[.,]\d+)?")


def plan_to_ics(plan: Plan, athlete: Athlete, start: date | None = None,
                stamp: datetime | None = None, previous: bytes | None = None) -> bytes:
    """The plan as an iCalendar file; targets resolved for ``athlete``; ``start`` overrides the plan's;
    ``previous`` (the last export) carries the SEQUENCE numbers on (module docstring)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    who = f" ({athlete.name})"
    calendar.add("x-wr-calname", vText(plan.name if plan.name.endswith(who) else plan.name + who))
    stamp = stamp or datetime.now(UTC)
    earlier = previous_events(previous)
    seen: dict[tuple[date, str], int] = {}
    for scheduled in plan.sessions(start):
        name = scheduled.workout.name
        kind = _NUMBERS.sub("#", name)
        occurrence = seen[(scheduled.date, kind)] = seen.get((scheduled.date, kind), 0) + 1
        minutes = session_facts(scheduled.workout, speeds_for(athlete)).minutes
        uid = session_uid(athlete.name, plan.name, scheduled.date, kind, occurrence)
        summary = f"{name} ({format_seconds(round(60 * minutes))})"  # 4m30s, not round(4.5) = 4m (coach14)
        description = _description(scheduled.workout, athlete, scheduled.session.note)
        content = _fingerprint(scheduled.date, summary, description)
        sequence = 0
        if uid in earlier:
            old_sequence, old_content = earlier[uid]
            sequence = old_sequence if old_content == content else old_sequence + 1
        event = Event()
        event.add("uid", uid)
        event.add("sequence", sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", scheduled.date)
        event.add("dtend", scheduled.date + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("categories", [scheduled.workout.sport.value])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def session_uid(athlete: str, plan: str, day: date, workout: str, occurrence: int) -> str:
    """The UID of one session (module docstring): stable per session, unique per athlete; ``workout``
    is the name with its numbers left out."""
    key = "\x1f".join([athlete, plan, day.isoformat(), workout, str(occurrence)])
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@watchsync"


def previous_events(data: bytes | None) -> dict[str, tuple[int, str]]:
    """UID → (SEQUENCE, content fingerprint) of an earlier export; empty when there is none or it
    is not a calendar."""
    if not data:
        return {}
    try:
        calendar = Calendar.from_ical(data)
    except ValueError:
        return {}
    found = {}
    for event in calendar.walk("VEVENT"):
        start = event.get("DTSTART")
        day = start.dt if start is not None else None
        if not isinstance(day, date):
            continue
        content = _fingerprint(day, str(event.get("SUMMARY", "")), str(event.get("DESCRIPTION", "")))
        found[str(event.get("UID"))] = (int(event.get("SEQUENCE", 0)), content)
    return found


def _fingerprint(day: date, summary: str, description: str) -> str:
    return hashlib.sha256(f"{day.isoformat()}\x1f{summary}\x1f{description}".encode()).hexdigest()


def _description(workout: Workout, athlete: Athlete, note: str | None) -> str:
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


def workout_description(workout: Workout, athlete: Athlete, note: str | None = None) -> str:
    """The description of a calendar event: note, description, then each step with its target."""
    return _description(workout, athlete, note)
