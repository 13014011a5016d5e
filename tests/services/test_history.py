"""History seeding from analysed activities in the store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.load import activity_load
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport
from watchsync.services.history import history_from_store
from watchsync.store import Store

ANNA = Athlete(name="anna")
START = date(2030, 3, 4)  # a Monday


def add(store: Store, number: int, day: date, sport: Sport, minutes: float) -> None:
    summary = ActivitySummary(id=str(number), sport=sport, start=datetime.combine(day, datetime.min.time()),
                              duration_s=minutes * 60)
    load = activity_load(summary, None, ANNA)
    store.upsert_activity("anna", number, summary.start.replace(tzinfo=UTC), sport=sport.value,
                          summary={"summary": summary.model_dump(mode="json"), "load": load.model_dump(mode="json")})


def test_weekly_minutes_and_the_longest_run_of_the_last_30_days(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        assert history_from_store(store, "anna", START) is None
        add(store, 1, START - timedelta(days=40), Sport.TRAIL_RUNNING, 150)  # too old for both
        add(store, 2, START - timedelta(days=27), Sport.RUNNING, 95)  # week -4, in the 30 days
        add(store, 3, START - timedelta(days=10), Sport.CYCLING, 120)  # week -2, not a run
        add(store, 4, START - timedelta(days=3), Sport.TRAIL_RUNNING, 60)  # week -1
        add(store, 5, START - timedelta(days=1), Sport.RUNNING, 30)  # week -1
        add(store, 6, START, Sport.RUNNING, 200)  # the start day itself is not history
        history = history_from_store(store, "anna", START)
    assert history is not None
    assert history.weekly_minutes == (95.0, 0.0, 120.0, 90.0)
    assert history.longest_run_minutes == 95.0


def test_weeks_before_the_first_activity_and_the_unfinished_week_are_no_history(tmp_path: Path) -> None:
    # probe coach12: a runner on watchsync for three weeks, the next block generated on a Saturday for Monday
    saturday = START - timedelta(days=2)
    with Store.open(tmp_path / "s.sqlite3") as store:
        add(store, 1, START - timedelta(weeks=3), Sport.RUNNING, 60)  # Monday of week -3: her first activity
        add(store, 2, START - timedelta(weeks=3, days=-6), Sport.TRAIL_RUNNING, 150)  # its Sunday
        add(store, 3, START - timedelta(weeks=2), Sport.RUNNING, 200)  # week -2
        add(store, 4, START - timedelta(days=5), Sport.RUNNING, 45)  # this week, still running
        history = history_from_store(store, "anna", START, today=saturday)
        assert history is not None
        assert history.weekly_minutes == (210.0, 200.0)  # weeks -3 and -2: no week -4 (before her), no week -1
        assert history.weeks_from == START - timedelta(weeks=3)
        assert history.longest_run_minutes == 200.0  # the unfinished week's runs count here
        # the same store read on the start day itself: week -1 is over and counts
        assert history_from_store(store, "anna", START, today=START).weekly_minutes == (210.0, 200.0, 45.0)


def test_a_first_week_synced_in_part_is_left_out(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite3") as store:
        add(store, 1, START - timedelta(weeks=3, days=-3), Sport.RUNNING, 40)  # Thursday of week -3
        add(store, 2, START - timedelta(weeks=2), Sport.RUNNING, 300)  # week -2
        history = history_from_store(store, "anna", START, today=START)
        assert history is not None and history.weekly_minutes == (300.0, 0.0)  # week -1 empty: rested
    with Store.open(tmp_path / "t.sqlite3") as store:  # a new athlete: a Tuesday of week -1 only
        add(store, 3, START - timedelta(days=6), Sport.RUNNING, 70)
        history = history_from_store(store, "anna", START, today=START)
    assert history is not None
    assert (history.weekly_minutes, history.weeks_from, history.longest_run_minutes) == ((), None, 70.0)
    assert history.recent_weekly_minutes is None
