"""Calendar months read once per drain: the check-before-schedule costs a call per month, not per session.

Scheduling is not idempotent at Garmin, so every schedule (and an unschedule without a known id)
first looks at the calendar of its day. A drain of a plan schedules many sessions in the same few
months; this cache reads each month on first use and then keeps it current with what the drain
itself does (entries it makes, entries it removes). Only the drain that holds the athlete's drain
lock writes this athlete's calendar through watchsync, so the view stays true for the drain's short
life; a new drain (a new cache) reads again. A request that may have reached Garmin without an
answer (any failed write) makes the month unknown again, so the next look reads it afresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from watchsync.garmin.client import GarminClient, item_id

Month = tuple[int, int]


class CalendarCache:
    """The calendar items of the months a drain looks at, each month read at most once."""

    def __init__(self, client: GarminClient) -> None:
        self._client = client
        self._months: dict[Month, list[dict[str, Any]]] = {}
        self.reads = 0

    def items_on(self, day: date) -> list[dict[str, Any]]:
        """Calendar items dated ``day`` (as :meth:`GarminClient.calendar_items` gives them)."""
        month = (day.year, day.month)
        if month not in self._months:
            self._months[month] = self._client.calendar_items(day.replace(day=1), _month_end(day))
            self.reads += 1
        return [item for item in self._months[month] if item.get("date") == day.isoformat()]

    def moved_to(self, schedule_id: int, day: date) -> date | None:
        """The other day of ``day``'s month the entry ``schedule_id`` is on now (the athlete moved it in
        Connect), if it is in that month at all."""
        for item in self.items_in_month(day):
            if item.get("itemType") == "workout" and item_id(item) == schedule_id \
                    and item.get("date") != day.isoformat():
                return date.fromisoformat(str(item["date"]))
        return None

    def items_in_month(self, day: date) -> list[dict[str, Any]]:
        """Calendar items of ``day``'s month (read once)."""
        self.items_on(day)
        return self._months[(day.year, day.month)]

    def added(self, schedule_id: int, workout_id: int, day: date) -> None:
        """Record an entry this drain put on the calendar (only in a month already read)."""
        items = self._months.get((day.year, day.month))
        if items is not None:
            items.append({"id": schedule_id, "itemType": "workout", "workoutId": workout_id,
                          "date": day.isoformat()})

    def removed(self, schedule_id: int, day: date) -> None:
        """Forget an entry this drain took off the calendar."""
        items = self._months.get((day.year, day.month))
        if items is not None:
            items[:] = [item for item in items if not (item.get("itemType") == "workout"
                                                       and item_id(item) == schedule_id)]

    def forget(self, day: date) -> None:
        """The month of ``day`` is unknown again (a write may have happened without an answer)."""
        self._months.pop((day.year, day.month), None)

    @contextmanager
    def writing(self, day: date) -> Iterator[None]:
        """Around a calendar write on ``day``: a failed write forgets the month (it may have happened)."""
        try:
            yield
        except BaseException:
            self.forget(day)
            raise


def _month_end(day: date) -> date:
    following = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
