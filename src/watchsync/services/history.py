"""Recent training from the store's analysed activities, to seed a plan (:class:`History`)."""

from __future__ import annotations

from datetime import date, timedelta

from watchsync.plan.model import History
from watchsync.services.report import stored_activities
from watchsync.store import Store

HISTORY_WEEKS = 4
SPIKE_WINDOW_DAYS = 30


def history_from_store(store: Store, athlete: str, start: date, weeks: int = HISTORY_WEEKS, *,
                       today: date | None = None) -> History | None:
    """Weekly minutes of up to ``weeks`` complete calendar weeks (oldest first) and the longest run of
    the 30 days before ``start``; None when the store has no activity in that time.

    The weeks end before the one holding ``start`` or, when sooner, the one holding ``today``: a week
    still running is no history (its long run may be yet to come). Weeks before the one holding the
    athlete's first stored activity are left out (the athlete was not on watchsync yet, not resting),
    and so is that first week unless it starts on its Monday: a week synced in part is no week's training
    (probe coach12). Without a complete week the history holds only the longest run.
    """
    until = min(start, today) if today is not None else start
    end_monday = until - timedelta(days=until.weekday())
    first_monday = end_monday - timedelta(weeks=weeks)
    first = min(first_monday, start - timedelta(days=SPIKE_WINDOW_DAYS))
    activities = [a.summary for a in stored_activities(store, athlete, start=first, end=start - timedelta(days=1))]
    if not activities:
        return None
    earliest = store.first_activity_start(athlete)
    if earliest is not None:
        earliest_day = min(earliest.date(), activities[0].start.date())  # UTC and local day: the earlier
        earliest_monday = earliest_day - timedelta(days=earliest_day.weekday())
        whole_monday = earliest_monday + timedelta(weeks=1 if earliest_day > earliest_monday else 0)
        first_monday = min(max(first_monday, whole_monday), end_monday)
    count = (end_monday - first_monday).days // 7
    weekly = [0.0] * count
    for summary in activities:
        index = (summary.start.date() - first_monday).days // 7
        if 0 <= index < count:
            weekly[index] += summary.duration_s / 60
    window = start - timedelta(days=SPIKE_WINDOW_DAYS)
    runs = [s.duration_s / 60 for s in activities if s.sport.family == "run" and s.start.date() >= window]
    return History(tuple(round(m, 1) for m in weekly), round(max(runs), 1) if runs else None,
                   weeks_from=first_monday if count else None)
