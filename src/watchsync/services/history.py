"""Recent training from the store's analysed activities, to seed a plan (:class:`History`)."""

from __future__ import annotations

from datetime import date, timedelta

from watchsync.plan.model import History
from watchsync.services.report import stored_activities
from watchsync.store import Store

HISTORY_WEEKS = 4
SPIKE_WINDOW_DAYS = 30


def history_from_store(store: Store, athlete: str, start: date, weeks: int = HISTORY_WEEKS) -> History | None:
    """Weekly minutes of the ``weeks`` calendar weeks before the one holding ``start`` (oldest first) and
    the longest run of the 30 days before ``start``; None when the store has no activity in that time."""
    monday = start - timedelta(days=start.weekday())
    first = min(monday - timedelta(weeks=weeks), start - timedelta(days=SPIKE_WINDOW_DAYS))
    activities = [a.summary for a in stored_activities(store, athlete, start=first, end=start - timedelta(days=1))]
    if not activities:
        return None
    weekly = [0.0] * weeks
    for summary in activities:
        index = (summary.start.date() - (monday - timedelta(weeks=weeks))).days // 7
        if 0 <= index < weeks:
            weekly[index] += summary.duration_s / 60
    window = start - timedelta(days=SPIKE_WINDOW_DAYS)
    runs = [s.duration_s / 60 for s in activities if s.sport.family == "run" and s.start.date() >= window]
    return History(tuple(round(m, 1) for m in weekly), round(max(runs), 1) if runs else None)
