"""What the coach is told, and when: the daemon's events turned into notices for :mod:`notifications`.

A thread looks every ``[notify] check_seconds`` at the same sources the dashboard and ``watchsync
status`` read, and submits one notice per event (the notifier drops a key it has sent before):

* a file rejected from an inbox (its name and the reason intake wrote; the files of one athlete found
  rejected in one look, a copied folder of bad files, in one message listing them), and one taken in with
  warnings (what ``watchsync validate`` says of it: ``- 400m`` read as 400 minutes);
* an athlete parked for re-authentication (once per park, again only after it was released);
* Garmin unreachable: calls failing (no answer, a server error, a rate limit) for ``unreachable_minutes``
  since the first failure after the last success, both kept in the store so a restart changes nothing
  (and "reachable again" once a call worked, when the first message went out; a login fixed likewise);
* a storage fault (the store cannot be read or written; the daemon's heartbeat reports it too);
* from the compliance report of this and last week (``store_report``, as ``watchsync report``):
  a key session missed (one with a hard step, or a long run), and done after all when an activity
  later does it (uploaded late, done late); an easy run done too hard, a session whose hard steps were
  run easy or not at all (a skipped interval session), a long-run spike;
* optionally a weekly digest per athlete at ``[notify] digest`` ("sun 20:00").
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from watchsync.compliance.config import ComplianceConfig
from watchsync.config import Config
from watchsync.daemon.notifications import Notice, Notifier
from watchsync.daemon.rejected import rejected_files, stray_entries
from watchsync.daemon.status import (
    FAILING_SINCE_KEY,
    GLOBAL,
    LAST_ACTIVITY_SYNC_KEY,
    intake_warnings,
    last_contact,
    now_text,
)
from watchsync.describe import utc_minutes
from watchsync.garmin.errors import NOT_LOGGED_IN
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Step, Workout
from watchsync.report import values
from watchsync.report.model import ComplianceReport, SessionRow
from watchsync.rules import athlete_band, intensity_band, planned_step_seconds
from watchsync.services.plan_apply import plan_weeks
from watchsync.services.report import planned_from_store, store_report
from watchsync.store import Store, StoreError

logger = logging.getLogger(__name__)

SINCE_KEY = "notify.since"
ACTIVE_PREFIX = "notify.active."
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The report is looked at again when activities change, the day changes, or after this long.
REPORT_EVERY = timedelta(minutes=10)
#: An activity loaded longer than this after it was done (a first start's sync, a backfill) is history, not news.
NEWS_AGE = timedelta(days=7)
#: A rejected file without its note after this long is told without one.
NOTE_GRACE = timedelta(minutes=1)
#: Files named in one message of rejections (the rest are counted); each reason's first line, cut.
MAX_LISTED = 20
REASON_CHARS = 160


def _first_line(reason: str) -> str:
    line = reason.strip().partition("\n")[0]
    return line if len(line) <= REASON_CHARS else line[:REASON_CHARS - 1] + "…"


def _when(row: SessionRow) -> str:
    """The day a session was done, and the day it was planned when that is another (as the dashboard lists
    it under the planned day): ``Wed 12-02 (planned Tue 12-01)``."""
    done = row.done_on or row.day
    return values.day_label(done) + (f" (planned {values.day_label(row.day)})" if done != row.day else "")


def _minutes(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


#: Hard time (planned, repeats counted) that makes a session key: hill repeats (6 x 1 min) are, an
#: easy run with strides (6 x 20 s) is not.
KEY_HARD_SECONDS = 5 * 60.0


def is_key_session(workout: Workout, athlete: Athlete | None = None) -> bool:
    """A session worth a message when missed: a long run, or one with at least five minutes of hard
    steps (the shared rule of hard; a resolved step's bpm, m/s or watts read against ``athlete``)."""
    if "long" in workout.tags:
        return True
    family = workout.sport.family

    def band(step: Step) -> str:
        return athlete_band(step, family, athlete) if athlete is not None else intensity_band(step)

    hard = sum(planned_step_seconds(step, family) for step in workout.flat_steps() if band(step) == "hard")
    return hard >= KEY_HARD_SECONDS


def parse_digest(text: str) -> tuple[int, int, int]:
    """``"sun 20:00"`` → (weekday 6, 20, 0); ``ValueError`` otherwise."""
    day, _, clock = text.strip().lower().partition(" ")
    hours, _, minutes = clock.partition(":")
    if day[:3] not in DAYS or not hours.isdigit() or not minutes.isdigit() \
            or int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"[notify] digest = {text!r}: expected a weekday and a time, e.g. \"sun 20:00\"")
    return DAYS.index(day[:3]), int(hours), int(minutes)


#: A digest waits this long after its time for an activity sync, then goes saying the figures are stale.
DIGEST_SYNC_WAIT = timedelta(hours=12)
#: Last week's digest is still sent this long after its time (the week turned while Garmin was out of reach).
DIGEST_LAST_WEEK_REACH = timedelta(days=2)


#: The easy judgement's flags (:class:`watchsync.compliance.easy.EasyJudgement`): a run, a ride or swim, a
#: quality session's easy parts, each done too hard.
_EASY_TOO_HARD = ("easy run done too hard", "easy session done too hard", "easy parts done too hard")

class Alerts:
    """The event watcher: call :meth:`check` (its thread does, every ``check_seconds``)."""

    def __init__(self, config: Config, store: Store, notifier: Notifier, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config
        self.store = store
        self.notifier = notifier
        self._now = now
        self._started = now()
        self._digest = parse_digest(config.notify.digest) if config.notify.digest else None
        self._fault_since: str | None = None
        self._unexplained: dict[tuple[str, str], datetime] = {}
        self._report_seen: dict[str, tuple[tuple[int, int], date, datetime]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="watchsync-alerts", daemon=True)

    def _strays(self) -> None:
        """A file or folder in the shared inbox that no athlete's folder holds: once per version."""
        for stray in stray_entries(self.config):
            key = f"stray:{stray.name}:{stray.modified:.0f}"
            if self.notifier.already_sent(key):
                continue
            logger.warning("%s in %s: %s", stray.name, self.config.daemon.inbox, stray.problem)
            self.notifier.submit(Notice(key, f"watchsync: {stray.name} is not taken in",
                                        f"{stray.name} in {self.config.daemon.inbox}: {stray.problem}."))

    def _warned(self, name: str, since: datetime) -> None:
        """A file taken in with warnings (its workout went to Garmin as read): once per file and time."""
        for entry in intake_warnings(self.store, name):
            at, file, warnings = str(entry.get("at")), str(entry.get("file")), entry.get("warnings") or []
            if not at[:4].isdigit() or datetime.fromisoformat(at) < since:
                continue
            shown = "\n".join(f"- {warning}" for warning in warnings[:5])
            more = f"\n(+{len(warnings) - 5} more)" if len(warnings) > 5 else ""
            self.notifier.submit(Notice(
                f"warned:{name}:{file}:{at}", f"watchsync: {file} taken in with warnings ({name})",
                f"The file {file} in the inbox of {name} went to Garmin as read, with these warnings:\n"
                f"{shown}{more}\nIf it is not what was meant, fix the file and put it back."))

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.config.notify.check_seconds):
            self.check()

    def check(self) -> None:
        """One look at everything; never raises."""
        try:
            since = self._since()
            for name, athlete in self.config.athletes.items():
                self._rejected(name, since)
                self._warned(name, since)
                self._parked(name)
                self._from_report(athlete, since)
                self._weekly_digest(athlete)
            self._unreachable()
            self._strays()
            self._fault_since = None
        except (StoreError, sqlite3.Error) as error:
            self.storage_fault(str(error))
        except Exception as error:
            logger.error("notification check failed: %s: %s", type(error).__name__, error)

    def storage_fault(self, problem: str) -> None:
        """The store cannot be read or written: one message until it works again."""
        self._fault_since = self._fault_since or now_text()
        self.notifier.submit(Notice(f"storage:{self._fault_since}", "watchsync: storage fault",
                                    f"The state database cannot be used: {problem}. The daemon keeps files in "
                                    "the inbox and retries; check the disk and the state directory.", urgent=True))

    # --- events ---------------------------------------------------------------------------------

    def _since(self) -> datetime:
        """When notifications were first enabled for this state directory (older rejections are not news)."""
        stored = self.store.kv_get(GLOBAL, SINCE_KEY)
        if isinstance(stored, str):
            return datetime.fromisoformat(stored)
        self.store.kv_set(GLOBAL, SINCE_KEY, self._started.isoformat(timespec="seconds"))
        return self._started.replace(microsecond=0)

    def _rejected(self, name: str, since: datetime) -> None:
        """Files rejected since the last look: one message, or one for all of them (12 bad files copied at
        once gave 12 messages in one second, probe journey11); each keeps its own note beside it."""
        new = []
        for rejected in rejected_files(self.config.inbox_dir(name)):
            when = datetime.fromisoformat(rejected.rejected_at)
            if when < since:  # both to the second
                continue
            if not rejected.explained:  # intake writes the note right after the move: look again next round
                first_seen = self._unexplained.setdefault((name, rejected.name), self._now())
                if self._now() - first_seen < NOTE_GRACE:
                    continue
            key = f"rejected:{name}:{rejected.name}:{rejected.rejected_at}"
            if not self.notifier.already_sent(key):
                new.append((key, rejected))
        if len(new) == 1:
            key, rejected = new[0]
            self.notifier.submit(Notice(
                key, f"watchsync: {rejected.name} rejected ({name})",
                f"The file {rejected.name} in the inbox of {name} was rejected: {rejected.reason}\n"
                f"Fix it and put it back into the inbox; the note is in rejected/{rejected.name}.error.txt.",
                urgent=True))
        elif new:
            listed = [f"- {rejected.name}: {_first_line(rejected.reason)}" for _, rejected in new[:MAX_LISTED]]
            more = [f"- and {len(new) - MAX_LISTED} more (the status page lists them)"] if len(new) > MAX_LISTED else []
            self.notifier.submit(Notice(
                f"{new[0][0]}+{len(new)}", f"watchsync: {len(new)} files rejected ({name})",
                "\n".join([f"{len(new)} files in the inbox of {name} were rejected:", *listed, *more,
                           "Fix them and put them back into the inbox; each one's note is beside it in "
                           "rejected/ (<file>.error.txt)."]),
                urgent=True, covers=tuple(key for key, _ in new)))

    def _parked(self, name: str) -> None:
        reason = self.store.parked_reason(name)
        waiting = len(self.store.list_outbox(name)) if reason is not None else 0
        never = reason is not None and reason.startswith(NOT_LOGGED_IN.partition(":")[0])  # added, no token yet
        self._condition(f"parked:{name}", reason is not None,
                        f"watchsync: {name} needs a Garmin login (never logged in)" if never else
                        f"watchsync: {name} needs a new Garmin login",
                        f"{name}: {reason}. The queue is parked ({waiting} waiting); files are still taken in "
                        "and everything resumes after the login.",
                        cleared=(f"watchsync: {name} is logged in again", f"{name}'s queue goes on."))

    def _unreachable(self) -> None:
        """Calls failing for longer than the limit, timed from the store's facts (the first failure since the
        last success), never from the daemon's start: a restart inside an outage said "reachable again"
        and later gave its own time as the last contact (probe journey11). The all-clear follows a success."""
        limit = timedelta(minutes=max(self.config.notify.unreachable_minutes, 2 * self.config.daemon.poll_minutes))
        now = self._now()
        silent = []
        for name in self.config.athletes:
            failing = self.store.kv_get(name, FAILING_SINCE_KEY)
            if self.store.parked_reason(name) is not None or not isinstance(failing, str):
                continue  # a login problem is told as such; calls work
            if now - datetime.fromisoformat(failing) > limit:
                last = last_contact(self.store, name)
                silent.append(f"{name} (last contact {utc_minutes(last) if last else 'never'})")
        began = self.store.kv_get(GLOBAL, ACTIVE_PREFIX + "unreachable")
        worked = isinstance(began, str) and any(
            (last := last_contact(self.store, name)) is not None and last >= datetime.fromisoformat(began)
            .replace(microsecond=0) for name in self.config.athletes)
        self._condition("unreachable", bool(silent), "watchsync: Garmin unreachable",
                        f"Calls to Garmin have failed for more than {_minutes(limit)}: "
                        f"{', '.join(silent)}. Queued work waits and is retried; nothing is lost.",
                        cleared=("watchsync: Garmin reachable again", "Calls to Garmin work again; what waited "
                                 "is being sent.") if worked else None)

    def _from_report(self, athlete: Athlete, since: datetime) -> None:
        """Events of the athlete's report, when activities changed or the day did (or every 10 minutes).

        News are activities analysed since notifications were enabled, except those loaded more than
        ``NEWS_AGE`` after they were done (a first start's 42 days, a backfill's season: history, not
        news for the coach's phone). And sessions missed in the week before notifications were enabled
        or later.
        """
        today = athlete.today()
        rows = self.store.list_activities(athlete.name)
        analysed = sum(1 for row in rows if row.analysed_at is not None)  # a row is stored before it is scored
        seen = self._report_seen.get(athlete.name)
        now = self._now()
        if seen is not None and seen[0] == (len(rows), analysed) and seen[1] == today and now - seen[2] < REPORT_EVERY:
            return
        self._report_seen[athlete.name] = ((len(rows), analysed), today, now)
        fresh = {str(row.activity_id) for row in rows if row.analysed_at is not None and row.analysed_at >= since
                 and row.start_time >= row.analysed_at - NEWS_AGE}
        report = store_report(self.store, athlete, today=today)
        self._missed(athlete, report, since.date() - timedelta(days=7))
        self._done_after_all(athlete.name, report)
        self._flagged(athlete.name, report, fresh)

    def _missed(self, athlete: Athlete, report: ComplianceReport, first: date) -> None:
        """Key sessions missed: only once the activities were synced after the session's last day to be
        done (a fresh start, an outage or a parked login would otherwise tell a run not yet fetched)."""
        name = athlete.name
        synced = self.store.kv_get(name, LAST_ACTIVITY_SYNC_KEY)
        if not isinstance(synced, str):
            return
        known_until = datetime.fromisoformat(synced).date() - timedelta(days=1)  # whole days synced after
        late = ComplianceConfig().late_days
        missed = [row for row in report.sessions if row.status == "red" and row.session_id and row.day >= first
                  and row.day + timedelta(days=late) <= known_until]
        if not missed:
            return
        workouts = {s.id: s.workout for s in planned_from_store(self.store, name, start=first,
                                                                end=max(r.day for r in missed))}
        for row in missed:
            workout = workouts.get(row.session_id or "")
            if workout is not None and is_key_session(workout, athlete):
                self.notifier.submit(Notice(f"missed:{name}:{row.session_id}",
                                            f"watchsync: {name} missed a key session",
                                            f"{name} missed {row.name} planned on {values.day_label(row.day)}."))

    def _done_after_all(self, name: str, report: ComplianceReport) -> None:
        """A key session told as missed that an activity now does (a run uploaded late, done a day
        late): the coach is told it was done after all, once."""
        for row in report.sessions:
            if row.session_id is None or row.activity_id is None or row.status in ("red", "pending", "unplanned"):
                continue
            if not self.notifier.already_sent(f"missed:{name}:{row.session_id}"):
                continue
            when = values.day_label(row.done_on or row.day)
            late = f", {row.days_late} day{'s' if row.days_late != 1 else ''} late" if row.days_late else ""
            self.notifier.submit(Notice(f"done-after-all:{name}:{row.session_id}",
                                        f"watchsync: {name} did the key session after all",
                                        f"{name} did {row.name} (planned on {values.day_label(row.day)}) on "
                                        f"{when}{late}: it is no longer missed."))

    def _flagged(self, name: str, report: ComplianceReport, fresh: set[str]) -> None:
        """An easy run done too hard, a session whose hard steps were run easy or not at all, and a long-run
        spike, for activities that are news."""
        news = [row for row in report.sessions  # a multisport leg's id is its file's and "#<n>"
                if row.activity_id is not None and row.activity_id.partition("#")[0] in fresh]
        for row in news:
            doubts = "".join(f" But {flag[0].upper()}{flag[1:]}." for flag in row.flags
                             if flag.startswith("check the data"))  # a ride recorded as a run?
            for flag in row.flags:
                if flag.startswith(_EASY_TOO_HARD):  # not "hard steps done too hard"
                    what = {"easy parts": "easy parts were", "easy session": "easy session was"}.get(
                        flag[:12].strip(), "easy run was")
                    self.notifier.submit(Notice(f"too-hard:{name}:{row.activity_id}",
                                                f"watchsync: {name}'s {what} too hard",
                                                f"{name}, {_when(row)} {row.name}: "
                                                f"{flag}.{doubts}"))
            for flag in row.flags:  # a key session skipped or run easy: its hard steps not done as planned
                if flag.startswith(("hard steps done easy", "hard steps not run")):
                    self.notifier.submit(Notice(f"hard-steps:{name}:{row.activity_id}",
                                                f"watchsync: {name}'s key session was not done as planned",
                                                f"{name}, {_when(row)} {row.name}: "
                                                f"{flag}.{doubts}"))
                    break
        fresh_days = {row.done_on.isoformat() for row in news if row.done_on}
        for week in report.summary.weeks:
            for flag in week.flags:
                if flag.startswith("long-run spike") and flag.split()[2].rstrip(":") in fresh_days \
                        and "(short history)" not in flag:  # measured against too little history to tell
                    self.notifier.submit(Notice(f"spike:{name}:{flag.partition(':')[0]}",
                                                f"watchsync: long-run spike for {name}", f"{name}: {flag}."))

    def _weekly_digest(self, athlete: Athlete) -> None:
        """This week's digest once it is due and the activities were synced after that (a digest sent at
        start-up, before the first sync, said "0.0 h of 7.1 h" for a week trained, probe coach10); without
        a sync for ``DIGEST_SYNC_WAIT`` after it is due (an outage, a parked login) it goes all the same,
        saying so, and last week's too when the week turned meanwhile (probe review13)."""
        if self._digest is None:
            return
        weekday, hour, minute = self._digest
        now = athlete.now()  # "sun 20:00" on the athlete's clock, wherever the server is
        this_monday = now.date() - timedelta(days=now.weekday())
        synced_text = self.store.kv_get(athlete.name, LAST_ACTIVITY_SYNC_KEY)
        synced = datetime.fromisoformat(synced_text) if isinstance(synced_text, str) else None
        for monday in (this_monday - timedelta(days=7), this_monday):
            due = datetime.combine(monday + timedelta(days=weekday),
                                   datetime.min.time().replace(hour=hour, minute=minute), now.tzinfo)
            late = now - due
            if late < timedelta(0) or (monday != this_monday and late > DIGEST_LAST_WEEK_REACH):
                continue
            if synced is not None and synced >= due:
                self._send_digest(athlete, monday, now, None)
            elif late >= DIGEST_SYNC_WAIT:
                self._send_digest(athlete, monday, now, synced)

    def _send_digest(self, athlete: Athlete, monday: date, now: datetime, stale: datetime | None) -> None:
        """The digest of the week of ``monday``; ``stale``: the last sync, when none came after it was due."""
        key = f"digest:{athlete.name}:{monday}"
        if self.notifier.already_sent(key):
            return
        today = min(now.date(), monday + timedelta(days=6))
        report = store_report(self.store, athlete, today=today, week=monday)
        totals = report.summary.totals
        if not report.sessions and not totals.done_seconds:
            return  # no plan and no activity this week: nothing to tell
        flags = report.summary.flags + [f"{s.name}: {f}" for s in report.sessions for f in s.flags]
        plan_week = plan_weeks(self.store, athlete.name).get(monday)
        label = values.week_label(plan_week.focus, plan_week.note, plan_week.sessions) if plan_week else ""
        synced = (f"Activities were last synced {values.day_label(stale.date())}: the week's later ones "
                  "are not in these figures." if stale is not None else
                  "No activity has been synced yet: these figures hold none." if self.store.kv_get(
                      athlete.name, LAST_ACTIVITY_SYNC_KEY) is None else "")
        lines = [*([f"{label[0].upper()}{label[1:]}."] if label else []), *([synced] if synced else []),
                 f"Completion {values.percent(totals.completion)} ({totals.done} done, {totals.missed} missed, "
                 f"{totals.pending} open); {values.hours(totals.done_seconds)} done of {values.planned_time(totals)}; "
                 f"easy share of running {values.percent(totals.easy_share)} "
                 f"(target {values.percent(report.easy_share_target)}).",
                 *(f"- {flag}" for flag in flags[:8])]
        if len(flags) > 8:
            lines.append(f"- and {len(flags) - 8} more on the dashboard")
        self.notifier.submit(Notice(key, f"watchsync: {athlete.name}, week of {monday}", "\n".join(lines)))

    def _condition(self, name: str, active: bool, title: str, body: str,
                   cleared: tuple[str, str] | None = None) -> None:
        """A state that is on or off: one message each time it turns on, and (``cleared``: title,
        body) one when it turns off again, if the first was sent."""
        key = ACTIVE_PREFIX + name
        was = self.store.kv_get(GLOBAL, key)
        if active and was is None:
            began = self._now().isoformat()
            self.store.kv_set(GLOBAL, key, began)
            self.notifier.submit(Notice(f"{name}:{began}", title, body, urgent=True,
                                        current=lambda: self.store.kv_get(GLOBAL, key) == began))
        elif not active and was is not None:
            self.store.kv_delete(GLOBAL, key)
            if cleared is not None and self.notifier.already_sent(f"{name}:{was}"):
                self.notifier.submit(Notice(f"{name}:{was}:cleared", *cleared, urgent=True))
