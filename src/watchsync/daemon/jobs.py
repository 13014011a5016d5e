"""The poller: timed jobs on the ``schedule`` library, and the two jobs it runs.

* Activity sync every ``poll_minutes`` (and once at start): the poller only *asks*; each athlete's
  sync worker runs the sync between outbox operations, so one athlete's Garmin calls never overlap.
* The daily compliance summary at ``summary_time``: the week so far, written to
  ``<state_dir>/reports/<athlete>-<date>.txt`` and logged on one line.

A job that raises is logged and runs again at its next tick; the poller thread never dies of it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import schedule

from watchsync.files import write_atomically
from watchsync.garmin.client import GarminClient
from watchsync.model.athlete import Athlete
from watchsync.report import values
from watchsync.report.terminal import render_terminal
from watchsync.services.activities import FetchResult, sync_activities
from watchsync.services.report import store_report
from watchsync.store import Store

logger = logging.getLogger(__name__)

REPORTS_DIR = "reports"
ACTIVITIES_DIR = "activities"
#: Longest sleep between two looks at the schedule (so a changed clock is noticed).
MAX_IDLE_SECONDS = 60.0


class Poller:
    """A thread that runs ``sync_due`` every ``poll_seconds`` and ``daily(today)`` at ``daily_at`` (HH:MM)."""

    def __init__(self, *, poll_seconds: float, daily_at: str, sync_due: Callable[[], None],
                 daily: Callable[[date], None]) -> None:
        self._scheduler = schedule.Scheduler()
        self._scheduler.every(max(1, round(poll_seconds))).seconds.do(_guarded, "activity sync", sync_due)
        self._scheduler.every().day.at(daily_at).do(_guarded, "daily summary", lambda: daily(date.today()))
        self._sync_due = sync_due
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchsync-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        _guarded("activity sync", self._sync_due)
        while True:
            idle = self._scheduler.idle_seconds
            wait = MAX_IDLE_SECONDS if idle is None else min(max(idle, 0.0), MAX_IDLE_SECONDS)
            if self._stop.wait(wait):
                return
            self._scheduler.run_pending()


def _guarded(name: str, job: Callable[[], object]) -> None:
    try:
        job()
    except Exception as error:
        logger.error("%s failed: %s: %s", name, type(error).__name__, error)


def sync_athlete_activities(store: Store, client: GarminClient, athlete: Athlete, state_dir: Path,
                            today: date) -> FetchResult:
    """Fetch the athlete's new activities into the store (FIT files under ``state_dir/activities``)."""
    result = sync_activities(store, client, athlete, fit_dir=state_dir / ACTIVITIES_DIR, today=today)
    scored = sum(1 for fetched in result.fetched if fetched.status is not None)
    if result.fetched or result.errors:
        logger.info("activity sync for %s: %d new (%d matched a planned session, %d with errors), %d known",
                    athlete.name, len(result.fetched), scored, len(result.errors), result.skipped)
    for failed in result.errors:
        logger.warning("activity %d of %s: %s", failed.activity_id, athlete.name, failed.error)
    if result.rated:
        logger.info("activity sync for %s: %d rated in Connect since, scored again with the RPE (%s)", athlete.name,
                    len(result.rated), ", ".join(map(str, result.rated)))
    if result.removed:
        logger.info("activity sync for %s: %d deleted at Garmin, no longer counted (%s)", athlete.name,
                    len(result.removed), ", ".join(map(str, result.removed)))
    return result


def write_daily_summary(store: Store, athlete: Athlete, state_dir: Path, today: date) -> Path:
    """Write the week's compliance report for ``athlete``; log its headline; return the file."""
    report = store_report(store, athlete, today=today, week=today)
    target = state_dir / REPORTS_DIR / f"{athlete.name}-{today.isoformat()}.txt"
    write_atomically(target, render_terminal(report, color=False).encode("utf-8"), mode=0o600)
    totals = report.summary.totals
    monday = today - timedelta(days=today.weekday())
    logger.info("compliance of %s, week of %s: completion %s (%d done, %d missed, %d pending, %d unplanned),"
                " easy share %s; report %s", athlete.name, monday, values.percent(totals.completion), totals.done,
                totals.missed, totals.pending, totals.unplanned, values.percent(totals.easy_share), target)
    for flag in report.summary.flags:
        logger.warning("compliance of %s: %s", athlete.name, flag)
    return target
