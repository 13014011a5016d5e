"""A live iCalendar feed of an athlete's planned sessions, from the store's schedules.

UIDs are the stored session ids (``<workout key>@<date>@<athlete>``), so a calendar subscribed to
the feed keeps each event across refreshes and sees a moved session as a removal plus an addition.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vText

from watchsync.describe import format_seconds
from watchsync.model.athlete import Athlete
from watchsync.plan.ics import workout_description
from watchsync.rules import planned_seconds, speeds_for
from watchsync.services.report import planned_from_store
from watchsync.store import Store

PRODID = "-//watchsync//dashboard feed//EN"


def athlete_feed(store: Store, athlete: Athlete, *, stamp: datetime | None = None,
                 since: date | None = None) -> bytes:
    """Every planned session of ``athlete`` (from ``since`` on, when given) as an RFC 5545 calendar."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", vText(f"watchsync: {athlete.name}"))
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    for session in planned_from_store(store, athlete.name, start=since):
        event = Event()
        event.add("uid", f"{session.id}@{athlete.name}@watchsync")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.date)
        event.add("dtend", session.date + timedelta(days=1))
        seconds = planned_seconds(session.workout, speeds_for(athlete))  # swims at the athlete's CSS, as the report
        event.add("summary", f"{session.workout.name} ({format_seconds(60 * round(seconds / 60))})")
        event.add("description", workout_description(session.workout, athlete, None))
        event.add("categories", [session.workout.sport.value])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
