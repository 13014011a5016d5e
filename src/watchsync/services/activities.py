"""Fetching activities from Garmin Connect into the store: download, analyse, score, record.

:func:`sync_activities` lists the athlete's activities by date (Garmin's list is by local date, 20
a page), skips the ids already stored, downloads each new one's original FIT into
``<fit_dir>/<athlete>/<id>.fit`` (atomic write; file 0600 and directory 0700, since GPS tracks
are private), analyses it and records the activity, its compliance against the matched planned
session and the cursor in one transaction. The cursor is
the latest local start date synced; the next run lists again from ``OVERLAP_DAYS`` (10) before it,
and the first run of each day from ``DEEP_OVERLAP_DAYS`` (42) before it, since an activity uploaded
late (a watch synced after a trip) appears under an earlier date; ids already stored are skipped
without a download, unless Connect now gives one an RPE it did not have (rated in the Connect app
after the sync stored it; the day's first sync asks for the RPE of the unrated ones of the last
``RATED_LATE_DAYS``, 7): that one is analysed and scored again from its stored file. The very
first run lists ``FIRST_SYNC_DAYS`` (42) back, or to the athlete's first planned session when the
plan began earlier (at most ``FIRST_SYNC_MAX_DAYS``, 120).

A multisport activity is listed once, as its parent (``multi_sport``); its download holds every leg, each
scored on its own. A listed leg (``parentId``: a list that shows the legs too) is skipped, as its data is in
the parent's file: each leg's download is that same file. An activity
entered by hand in Connect has no file (its download answers 404): it is recorded from Connect's
summary, with no error.

One bad activity never stops the sync: details or download missing (404), a download that is not a
FIT file, a FIT file nothing can be decoded from, or any other failure of its own is recorded on
that activity with its error (from Connect's own summary) and the sync goes on with the next; an
activity that cannot be scored (e.g. a stored planned workout that no longer validates) is recorded
with its analysis, no compliance, and that error. Salvaged files are recorded with their warnings.
Failures that concern Garmin as a whole (authentication, rate limits, outages) or this host (a
file that cannot be written) stop the sync; a later run carries on where it stopped.

The summary prefers Connect's local start time, ``associatedWorkoutId`` and ``directWorkoutRpe``
(from the list item, else the activity's details) and takes sport, duration (timer time), distance
and heart rate from the FIT file. Each session of a multi-session file is stored in the row's
record (``sessions``) and matched and scored as its own activity (``<id>#<n>``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchsync.activity.model import Activity, FitDecodeError
from watchsync.compliance.activities import ActivitySummary, manual_activity, summary_from_connect
from watchsync.compliance.analysis import Analysis, SessionAnalysis, analyse, athlete_config
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.duplicates import copy_ids, duplicate_recordings
from watchsync.compliance.load import ActivityLoad, activity_load
from watchsync.compliance.match import match_sessions
from watchsync.compliance.record import ActivityRecord, SessionRecord
from watchsync.errors import InputError
from watchsync.files import write_atomically
from watchsync.garmin.errors import AuthRequired, GarminError, NotFound, RateLimited, Transient
from watchsync.model.athlete import Athlete
from watchsync.services.scoring import SessionScore, score_session

if TYPE_CHECKING:  # analysing a file needs neither Garmin nor the store (start-up of `watchsync analyze`)
    from watchsync.garmin.client import GarminClient
    from watchsync.store import ActivityRow, Store

__all__ = ["Analysis", "SessionAnalysis", "SessionScore", "analyse", "athlete_config", "score_session",
           "sync_activities"]

CURSOR_KEY = "activities.cursor"
#: How far before the cursor each sync lists again: a watch that stays offline over a trip or a long
#: weekend uploads its activities after newer ones from a phone or a bike computer.
OVERLAP_DAYS = 10
#: Once a day the list reaches this far back instead: an activity uploaded weeks late (a watch left in
#: a drawer after a race, a phone that did not sync) is still found. Listing costs a page per 20
#: activities; ids already stored are skipped without a download.
DEEP_OVERLAP_DAYS = 42
DEEP_KEY = "activities.deep"
#: The first sync lists this far back, or to the athlete's first planned session when that is earlier
#: (a plan that began before the daemon was started: its done sessions are not "missed"), at most
#: ``FIRST_SYNC_MAX_DAYS`` back (probe coach11).
FIRST_SYNC_DAYS = DEEP_OVERLAP_DAYS
FIRST_SYNC_MAX_DAYS = 120
#: Connect fields only the activity's details carry (the list item may lack them).
DETAIL_FIELDS = ("associatedWorkoutId", "directWorkoutRpe")
#: The day's first sync asks Connect for the RPE of the stored, unrated activities of this many days
#: before today (rated in the Connect app after the sync stored them).
RATED_LATE_DAYS = 7  # a week: a run rated at the weekend (probe coach13)
#: An empty list answer while the store holds more activities of those days than this is not believed.
MAX_FORGOTTEN_ON_AN_EMPTY_LIST = 3
#: Failures that concern the whole account or this host, not one activity: the sync stops.
STOPPING_ERRORS = (AuthRequired, RateLimited, Transient, OSError)


@dataclass(frozen=True)
class FetchedActivity:
    """What one sync did with one new activity."""

    activity_id: int
    start: datetime
    sport: str | None
    fit_path: Path | None
    session_id: str | None = None
    status: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class FetchResult:
    """Outcome of one :func:`sync_activities` run."""

    since: date
    until: date
    listed: int = 0
    skipped: int = 0
    legs: int = 0  # multisport legs listed beside their parent: in the parent's file, not fetched
    fetched: list[FetchedActivity] = field(default_factory=list)
    cursor: date | None = None
    removed: list[int] = field(default_factory=list)  # ids deleted at Garmin, forgotten here
    rated: list[int] = field(default_factory=list)  # stored ids rated (RPE) in Connect since: scored again

    @property
    def errors(self) -> list[FetchedActivity]:
        return [a for a in self.fetched if a.error is not None]


def sync_activities(store: Store, client: GarminClient, athlete: Athlete, *, fit_dir: Path,
                    since: date | None = None, today: date, config: ComplianceConfig | None = None,
                    progress: Callable[[int, int], None] | None = None) -> FetchResult:
    """Fetch, analyse and record the athlete's new activities (see the module docstring).

    ``progress(done, total)`` is called after each new activity (e.g. a progress bar over a season).
    """
    config = athlete_config(athlete, config)
    cursor = _cursor(store, athlete.name)
    backfill = since is not None and (cursor is None or since < cursor - timedelta(days=OVERLAP_DAYS))
    deep = False
    if since is None:
        deep = cursor is not None and store.kv_get(athlete.name, DEEP_KEY) != today.isoformat()
        overlap = DEEP_OVERLAP_DAYS if deep else OVERLAP_DAYS
        since = cursor - timedelta(days=overlap) if cursor else _first_sync_since(store, athlete.name, today)
    result = FetchResult(since=since, until=today + timedelta(days=1), cursor=cursor)
    listed = list(client.iter_activities(result.since, result.until))
    if deep or cursor is None:
        store.kv_set(athlete.name, DEEP_KEY, today.isoformat())
    # one entry per id: an activity uploaded between two pages shifts the list, and one comes twice
    listed = list({int(item["activityId"]): item for item in listed}.values())
    result.listed = len(listed)
    result.removed = _forget_deleted(store, client, athlete.name, {int(item["activityId"]) for item in listed},
                                     result.since, today, fit_dir)
    legs = _legs(listed)
    result.legs = len(legs)
    new = [item for item in listed if store.get_activity(int(item["activityId"])) is None
           and int(item["activityId"]) not in legs]
    result.skipped = result.listed - len(new) - result.legs
    ask_since = today - timedelta(days=RATED_LATE_DAYS) if deep or cursor is None else None
    for item, row in _rated_since_stored(store, client, listed, legs, ask_since):
        fit_path = Path(row.fit_path) if row.fit_path else None
        if fit_path is not None and fit_path.is_file() and _fetch_one(
                store, client, athlete, item, fit_dir, config, bool(row.summary.get("backfill")), stored_fit=fit_path):
            result.rated.append(int(item["activityId"]))
    for done, item in enumerate(sorted(new, key=lambda i: (str(i.get("startTimeLocal")), int(i["activityId"]))), 1):
        fetched = _fetch_one(store, client, athlete, item, fit_dir, config, backfill)
        if fetched is None:  # deleted at Garmin between its list and its fetch (a duplicate removed)
            result.removed.append(int(item["activityId"]))
        else:
            result.fetched.append(fetched)
        result.cursor = _cursor(store, athlete.name)
        if progress is not None:
            progress(done, len(new))
    return result


def _first_sync_since(store: Store, athlete: str, today: date) -> date:
    """Where the first sync lists from: ``FIRST_SYNC_DAYS`` back, or the first planned session if earlier."""
    since = today - timedelta(days=FIRST_SYNC_DAYS)
    planned = store.list_schedules(athlete, start=today - timedelta(days=FIRST_SYNC_MAX_DAYS), end=since)
    return min([since, *(row.date for row in planned[:1])])


def _legs(listed: list[dict[str, Any]]) -> set[int]:
    """Ids of the listed multisport legs (a ``parentId``): the parent's file holds them (each leg's
    download is the parent's whole file: garmin-health-data #72), so fetching them would count the race
    once per leg (probe server12); a parent just outside the listed days is listed by the next sync,
    which starts days before the last one (``OVERLAP_DAYS``)."""
    legs = set()
    for item in listed:
        parent = item.get("parentId")
        if isinstance(parent, str) and parent.strip().isdigit():
            parent = int(parent)
        if isinstance(parent, int) and not isinstance(parent, bool) and parent != int(item["activityId"]):
            legs.add(int(item["activityId"]))
    return legs


def _forget_deleted(store: Store, client: GarminClient, athlete: str, listed: set[int], since: date, today: date,
                    fit_dir: Path) -> list[int]:
    """Forget the stored activities of the listed days that Garmin no longer has: the athlete deleted them
    (a watch and a phone's duplicate, a mistake), and they must not count (volume, load, a session done).
    The list alone is not trusted (an activity deleted while the sync pages through it shifts the pages,
    probe review13): each missing one is forgotten only when its details answer 404 too. Their FIT files
    go with them (GPS tracks the athlete removed)."""
    from watchsync.services.report import stored_activities

    missing = sorted({int(stored.summary.id.split("#")[0])
                      for stored in stored_activities(store, athlete, start=since, end=today)} - listed)
    if missing and not listed and len(missing) > MAX_FORGOTTEN_ON_AN_EMPTY_LIST:
        return []  # an empty answer is no sign of many deletions: kept, asked again next time
    gone = [activity_id for activity_id in missing if _details(client, activity_id) is None]
    for activity_id in gone:
        store.delete_activity(activity_id)
        (fit_dir / athlete / f"{activity_id}.fit").unlink(missing_ok=True)
    return gone


def _rated_since_stored(store: Store, client: GarminClient, listed: list[dict[str, Any]], legs: set[int],
                        ask_since: date | None) -> list[tuple[dict[str, Any], ActivityRow]]:
    """Listed activities already stored whose RPE Connect now gives otherwise: the athlete rated the run
    in the Connect app after the sync stored it (an sRPE athlete's load, the "easy done too hard" check;
    probe review16). A list item that carries an RPE is compared as it is; an unrated one of the days
    from ``ask_since`` (the day's first sync) is asked for its details, a few calls a day."""
    found = []
    for item in listed:
        activity_id = int(item["activityId"])
        row = store.get_activity(activity_id) if activity_id not in legs else None
        stored = (row.summary.get("summary") or {}) if row is not None else {}
        if row is None or not stored or not row.fit_path:
            continue  # an activity entered by hand has no file to score again (and is rated as entered)
        connect: dict[str, Any] = dict(item)
        if item.get("directWorkoutRpe") is None:
            day = str(item.get("startTimeLocal") or "")[:10]
            if stored.get("workout_rpe") is not None or ask_since is None or day < ask_since.isoformat():
                continue
            details = _details(client, activity_id)
            connect = {**(details or {}), **item}
        rpe = summary_from_connect(connect).workout_rpe
        if rpe is not None and rpe != stored.get("workout_rpe"):
            if connect.get("associatedWorkoutId") is None and stored.get("associated_workout_id") is not None:
                # a list item without the link: the stored one stands (probe review18)
                connect["associatedWorkoutId"] = stored["associated_workout_id"]
            found.append((connect, row))
    return found


def _fetch_one(store: Store, client: GarminClient, athlete: Athlete, item: Mapping[str, Any], fit_dir: Path,
               config: ComplianceConfig, backfill: bool = False,
               stored_fit: Path | None = None) -> FetchedActivity | None:
    """Fetch, analyse and record one listed activity (from ``stored_fit`` when it is stored already);
    None when Garmin no longer has it."""
    activity_id = int(item["activityId"])
    connect: dict[str, Any] = dict(item)
    fit_path: Path | None = None
    try:
        connect = _with_details(client, item) if stored_fit is None else connect  # complete already
        if stored_fit is not None:
            fit_path, data = stored_fit, stored_fit.read_bytes()
        else:
            data = client.download_activity_fit(activity_id)
            fit_path = _keep_fit(fit_dir / athlete.name, activity_id, data)
        analysis = analyse(str(activity_id), data, athlete, connect=connect, config=config)
    except STOPPING_ERRORS:
        raise
    except NotFound as error:
        details = _details(client, activity_id)
        if details is None:  # its details are gone too: deleted, not an activity without a file
            return None
        connect = {**details, **item}
        if manual_activity(connect):  # entered by hand in Connect: Garmin has no file for it (gcexport.py)
            return _record_failure(store, athlete, connect, None, None, config, backfill,
                                   warnings=("entered by hand in Garmin Connect: no FIT file, recorded from "
                                             "Connect's summary",))
        said = str(error).strip()  # Garmin's 404 may say nothing at all (probe server12)
        return _record_failure(store, athlete, connect, fit_path, f"activity {activity_id}: Garmin has no original "
                               f"FIT file for it (404{': ' + said if said else ''})", config, backfill)
    except Exception as error:
        return _record_failure(store, athlete, connect, fit_path, _problem(activity_id, error), config, backfill)
    unscored: str | None = None
    try:
        scores = _score_if_planned(store, athlete, analysis, config)
    except Exception as error:
        scores, unscored = [], _problem(activity_id, error, "not scored")
    start_utc = _utc_start(analysis, connect)
    sessions = [SessionRecord(summary=s.summary, load=s.load) for s in analysis.sessions] \
        if len(analysis.sessions) > 1 else []  # each session is read back as its own activity
    stored = _stored_summary(analysis.summary, analysis.load, analysis.activity, unscored, sessions, backfill)
    with store.transaction():
        store.upsert_activity(athlete.name, activity_id, start_utc, sport=analysis.summary.sport.value,
                              fit_path=str(fit_path), summary=stored)
        store.mark_analysed(activity_id)
        for score in scores:
            store.set_compliance(athlete.name, score.session_id, score.day, score.volume.colour,
                                 score.model_dump(mode="json"), activity_id=activity_id)
        _advance_cursor(store, athlete.name, analysis.summary.start.date())
    return FetchedActivity(activity_id, analysis.summary.start, analysis.summary.sport.value, fit_path,
                           ", ".join(s.session_id for s in scores) or None,
                           scores[0].volume.colour if scores else None, error=unscored, warnings=analysis.warnings)


def _details(client: GarminClient, activity_id: int) -> dict[str, Any] | None:
    """The activity's details; None when Garmin answers 404 (deleted: a manual activity has details, no file)."""
    try:
        return client.get_activity(activity_id)
    except NotFound:
        return None


def _problem(activity_id: int, error: Exception, what: str = "") -> str:
    """One line naming the activity and what went wrong with it."""
    if isinstance(error, FitDecodeError):
        detail = error.message  # without the "<bytes>" label
    elif isinstance(error, InputError | ValueError | GarminError):
        detail = str(error)
    else:
        detail = f"{type(error).__name__}: {error}"
    return f"activity {activity_id}: {what + ': ' if what else ''}{detail}"


def _with_details(client: GarminClient, item: Mapping[str, Any]) -> dict[str, Any]:
    """The list item, completed from the activity's details when it lacks the workout link or RPE
    (a key missing or null: the details may still hold it)."""
    if all(item.get(key) is not None for key in DETAIL_FIELDS):
        return dict(item)
    details = client.get_activity(int(item["activityId"]))
    return {**details, **item}


def _score_if_planned(store: Store, athlete: Athlete, analysis: Analysis,
                      config: ComplianceConfig) -> list[SessionScore]:
    """Match the activity's sessions among the stored sessions and activities around its day; score the matched.
    Of a workout recorded twice only the recording kept (:mod:`watchsync.compliance.duplicates`) is matched."""
    from watchsync.services.report import planned_from_store, stored_activities

    parts: list[Analysis | SessionAnalysis] = list(analysis.sessions) or [analysis]
    days = [part.summary.start.date() for part in parts]
    planned = planned_from_store(store, athlete.name, start=min(days) - timedelta(days=config.late_days),
                                 end=max(days) + timedelta(days=config.early_days))
    if not planned:
        return []
    first = min(s.date for s in planned) - timedelta(days=config.early_days)
    last = max(s.date for s in planned) + timedelta(days=config.late_days)
    ids = {part.summary.id for part in parts}  # stored already when scored again (a late RPE)
    others = [a.summary for a in stored_activities(store, athlete.name, start=first, end=last)
              if a.summary.id not in ids]
    candidates = [*others, *(p.summary for p in parts)]
    copies = copy_ids(duplicate_recordings(candidates))  # a workout recorded twice is matched once (probe fit13)
    matched = match_sessions(planned, [c for c in candidates if c.id not in copies], today=max(days), config=config)
    by_id = {m.activity.id: m.session for m in matched.matches}
    return [score_session(by_id[p.summary.id], p, athlete, config) for p in parts if p.summary.id in by_id]


def _record_failure(store: Store, athlete: Athlete, connect: Mapping[str, Any], fit_path: Path | None,
                    error: str | None, config: ComplianceConfig, backfill: bool = False,
                    warnings: tuple[str, ...] = ()) -> FetchedActivity:
    """Record an activity from Connect's summary alone: its file failed (``error``), or it has none."""
    activity_id = int(connect["activityId"])
    summary = summary_from_connect(connect)
    load = activity_load(summary, None, athlete, config)
    with store.transaction():
        store.upsert_activity(athlete.name, activity_id, _connect_utc_start(connect, summary),
                              sport=summary.sport.value, fit_path=str(fit_path) if fit_path else None,
                              summary=_stored_summary(summary, load, None, error, backfill=backfill,
                                                      warnings=warnings))
        store.mark_analysed(activity_id)
        _advance_cursor(store, athlete.name, summary.start.date())
    return FetchedActivity(activity_id, summary.start, summary.sport.value, fit_path, error=error, warnings=warnings)


def _stored_summary(summary: ActivitySummary, load: ActivityLoad, activity: Activity | None,
                    error: str | None = None, sessions: list[SessionRecord] | None = None,
                    backfill: bool = False, warnings: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``summary`` JSON of an activity row (read back by :mod:`watchsync.services.report`)."""
    return ActivityRecord(
        summary=summary, load=load, decoder=activity.decoder if activity else None,
        salvaged=activity.salvaged if activity else False,
        warnings=list(activity.warnings) if activity else list(warnings),
        error=error, sessions=sessions or [], backfill=backfill).model_dump(mode="json")


def _utc_start(analysis: Analysis, connect: Mapping[str, Any]) -> datetime:
    """The row's start: Connect's GMT start when it gives one, as the summary's local start is
    Connect's (a watch whose clock is off by years must not drop the row from a week's report), else
    the file's first session start on a real clock."""
    if _connect_gmt(connect) is not None:
        return _connect_utc_start(connect, analysis.summary)
    starts = [s.start_time for s in analysis.activity.sessions if s.start_time is not None]
    if analysis.activity.clock != "utc":  # device-relative times: the file's start is no UTC time
        starts = []
    return min(starts) if starts else _connect_utc_start(connect, analysis.summary)


def _connect_gmt(connect: Mapping[str, Any]) -> str | None:
    gmt = connect.get("startTimeGMT") or (connect.get("summaryDTO") or {}).get("startTimeGMT")
    return gmt if isinstance(gmt, str) else None


def _connect_utc_start(connect: Mapping[str, Any], summary: ActivitySummary) -> datetime:
    """Connect's GMT start (naive text in UTC); the local start taken as UTC when it is missing."""
    gmt = _connect_gmt(connect)
    moment = datetime.fromisoformat(gmt) if gmt is not None else summary.start
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _cursor(store: Store, athlete: str) -> date | None:
    value = store.kv_get(athlete, CURSOR_KEY)
    return date.fromisoformat(value) if isinstance(value, str) else None


def _advance_cursor(store: Store, athlete: str, day: date) -> None:
    cursor = _cursor(store, athlete)
    if cursor is None or day > cursor:
        store.kv_set(athlete, CURSOR_KEY, day.isoformat())


def _keep_fit(directory: Path, activity_id: int, data: bytes) -> Path:
    """Store an activity's FIT file owner-only (it holds GPS tracks) in an owner-only directory."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    return write_atomically(directory / f"{activity_id}.fit", data, mode=0o600)
