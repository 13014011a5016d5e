"""What the local Garmin Connect server knows: workouts, schedules, activities and tokens.

Thread-safe; persisted as one JSON file (atomic replace) when a path is given, with activity FIT
files beside it in ``<state>.fit/``. Ids come from separate ranges so that a workout id used as a
schedule id is a 404, as it would be on Garmin.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from watchsync.model.enums import Sport

OWNER_ID = 12345678  # the profile id of the default account
FIRST_IDS = {"workout": 100_000_001, "schedule": 500_000_001, "activity": 9_000_000_001, "step": 1,
             "calendar": 1_700_000_000_001}
#: Garmin's DI access tokens last about 4 h, its refresh tokens about 30 days (docs/garmin.md).
ACCESS_TOKEN_SECONDS = 4 * 3600
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600

#: Garmin activity type keys → ids (activity-service/activity/activityTypes).
ACTIVITY_TYPES: dict[str, int] = {
    "running": 1, "cycling": 2, "hiking": 3, "other": 4, "mountain_biking": 5, "trail_running": 6,
    "street_running": 7, "track_running": 8, "walking": 9, "road_biking": 10, "indoor_cardio": 11,
    "strength_training": 13, "treadmill_running": 18, "indoor_cycling": 25, "lap_swimming": 27,
    "open_water_swimming": 28, "indoor_rowing": 32, "yoga": 163, "hiit": 180, "backcountry_skiing": 203,
    "backcountry_skiing_snowboarding_ws": 169, "skate_skiing_ws": 170, "cross_country_skiing_ws": 171,
    "rowing_v2": 237, "mobility": 255, "multi_sport": 89, "transition": 83,
    # ids of Garmin's activityTypes list (pe-st/garmin-connect-export json/activityTypes.json, probe server11):
    # Garmin has no key "cardio" (indoor cardio is indoor_cardio, 11)
}


#: Garmin's activity type of an upload, by the model sport of its file (the athlete may change it later).
CONNECT_TYPE_OF_SPORT: dict[Sport, str] = {
    Sport.RUNNING: "running", Sport.TRAIL_RUNNING: "trail_running", Sport.TREADMILL: "treadmill_running",
    Sport.CYCLING: "cycling", Sport.INDOOR_CYCLING: "indoor_cycling", Sport.POOL_SWIM: "lap_swimming",
    Sport.OPEN_WATER_SWIM: "open_water_swimming", Sport.XC_SKIING: "cross_country_skiing_ws",
    Sport.SKI_MOUNTAINEERING: "backcountry_skiing", Sport.STRENGTH: "strength_training", Sport.YOGA: "yoga",
    Sport.MOBILITY: "mobility", Sport.CARDIO: "indoor_cardio", Sport.OTHER: "other",
}


@dataclass(frozen=True)
class Leg:
    """One session of a multisport upload: Garmin keeps it as a child activity of the ``multi_sport`` one."""

    activity_type: str
    offset_s: float  # from the first session's start
    duration_s: float
    distance_m: float


def connect_type_of(fit_bytes: bytes) -> str:
    """The type Garmin gives an uploaded FIT file: its first session's sport, ``multi_sport`` when its
    sessions are of several sports ("running" when unreadable)."""
    legs = legs_of(fit_bytes)
    if not legs:
        return "running"
    sports = {leg.activity_type for leg in legs if leg.activity_type != "transition"}
    return "multi_sport" if len(sports) > 1 else legs[0].activity_type


def legs_of(fit_bytes: bytes) -> list[Leg]:
    """The sessions of an uploaded FIT file as Garmin's legs ([] when unreadable: a test's broken file)."""
    from watchsync.activity import decode_activity
    from watchsync.compliance.activities import sport_from_names

    try:
        activity = decode_activity(fit_bytes)
    except Exception:
        return []
    timed = [s for s in activity.sessions if s.start_time is not None]
    if not timed:
        return []
    first = min(s.start_time for s in timed if s.start_time is not None)
    return [Leg("transition" if s.sport == "transition" else
                CONNECT_TYPE_OF_SPORT[sport_from_names(s.sport, s.sub_sport)],
                (s.start_time - first).total_seconds() if s.start_time else 0.0,
                s.total_timer_time or 0.0, s.total_distance or 0.0) for s in timed]


@dataclass(frozen=True)
class NewActivity:
    """An activity as a test or the demo hands it to the server."""

    fit_bytes: bytes
    start_time: datetime
    activity_type: str | None = None  # None: from the file's sport, as Garmin types an upload
    name: str = ""
    duration_s: float = 0.0
    distance_m: float = 0.0
    associated_workout_id: int | None = None
    direct_workout_rpe: int | None = None
    owner: int = OWNER_ID
    #: Entered by hand in Connect: no FIT file (its download answers 404), a type and a duration given.
    manual: bool = False

    def __post_init__(self) -> None:
        if self.manual:
            if self.fit_bytes or self.activity_type is None or self.duration_s <= 0:
                raise ValueError("a manual activity has no FIT file, and needs its activity_type and duration_s")
        elif not self.fit_bytes:
            raise ValueError("an activity needs its FIT file (or manual: true)")
        if self.activity_type is None:
            object.__setattr__(self, "activity_type", connect_type_of(self.fit_bytes))
        if self.activity_type not in ACTIVITY_TYPES:
            raise ValueError(f"unknown activity type {self.activity_type!r}")
        if self.direct_workout_rpe is not None and not 0 <= self.direct_workout_rpe <= 100:
            raise ValueError("direct_workout_rpe is RPE x 10 (0..100)")
        if self.duration_s < 0 or self.distance_m < 0:
            raise ValueError("duration and distance must not be negative")


def garmin_time(moment: datetime, *, separator: str = "T") -> str:
    """Garmin's timestamp text: ``2024-05-01T07:30:00.0``."""
    return moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + (".0" if separator == "T" else "")


class ServerState:
    """All mutable state of one server, guarded by one lock."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._path = path
        self._secret = secrets.token_bytes(32)
        self.workouts: dict[int, dict[str, Any]] = {}
        self.schedules: dict[int, dict[str, Any]] = {}
        self.activities: dict[int, dict[str, Any]] = {}
        #: Calendar items that are not watchsync's: race events (``"id": null``), weigh-ins, Garmin Coach.
        self.other_items: list[dict[str, Any]] = []
        self._fit: dict[int, bytes] = {}
        self._next = dict(FIRST_IDS)
        self._access: dict[str, str] = {}  # jti -> "ok" | "expired"
        self._refresh: dict[str, tuple[int, float]] = {}  # refresh token -> (owner, expires at)
        self._offset = 0.0  # seconds the server's clock is ahead of the real one (tests travel in time)
        if path is not None and path.exists():
            self._load(path)

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    # ids and persistence ---------------------------------------------------------------------------

    def new_id(self, kind: str) -> int:
        with self._lock:
            value = self._next[kind]
            self._next[kind] = value + 1
            return value

    def save(self) -> None:
        """Write the state atomically (no-op without a path)."""
        if self._path is None:
            return
        with self._lock:
            data = {
                "secret": self._secret.hex(),
                "next": self._next,
                "workouts": list(self.workouts.values()),
                "schedules": list(self.schedules.values()),
                "activities": list(self.activities.values()),
                "other_items": self.other_items,
                "access": self._access,
                "refresh": {token: list(value) for token, value in sorted(self._refresh.items())},
            }
            text = json.dumps(data, separators=(",", ":"))
            tmp = self._path.with_name(f".{self._path.name}.{secrets.token_hex(4)}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self._path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self._secret = bytes.fromhex(data["secret"])
            self._next.update(data["next"])
            self.workouts = {w["workoutId"]: w for w in data["workouts"]}
            self.schedules = {s["workoutScheduleId"]: s for s in data["schedules"]}
            self.activities = {a["activityId"]: a for a in data["activities"]}
            self.other_items = list(data.get("other_items", []))
            for entry in [*self.workouts.values(), *self.activities.values()]:
                entry.setdefault("ownerId", OWNER_ID)  # state files of a one-account server
            self._access = dict(data["access"])
            refresh = data["refresh"]
            self._refresh = ({token: (int(owner), float(until)) for token, (owner, until) in refresh.items()}
                             if isinstance(refresh, dict) else
                             {token: (OWNER_ID, time.time() + REFRESH_TOKEN_SECONDS) for token in refresh})
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a watchsync server state file ({error})") from None
        for activity_id in self.activities:
            blob = self._fit_path(activity_id)
            if blob is not None and blob.exists():
                self._fit[activity_id] = blob.read_bytes()

    def _fit_path(self, activity_id: int) -> Path | None:
        if self._path is None:
            return None
        return self._path.with_name(self._path.name + ".fit") / f"{activity_id}.fit"

    # tokens ----------------------------------------------------------------------------------------

    def now(self) -> float:
        """The server's clock (real time plus any :meth:`travel`)."""
        return time.time() + self._offset

    def travel(self, seconds: float) -> None:
        """Move the server's clock forward: tokens and MFA sessions age without waiting."""
        with self._lock:
            self._offset += seconds

    def issue_tokens(self, client_id: str, owner: int = OWNER_ID, *, expired: bool = False) -> dict[str, Any]:
        """A DI-style token answer: a signed JWT access token (4 h) and an opaque refresh token (30 days)."""
        now = int(self.now())
        jti = secrets.token_hex(8)
        claims = {"client_id": client_id, "iat": now, "jti": jti, "sub": owner,
                  "exp": now + (-60 if expired else ACCESS_TOKEN_SECONDS)}
        refresh = "rt-" + secrets.token_urlsafe(24)
        with self._lock:
            self._access[jti] = "ok"
            self._refresh[refresh] = (owner, now + REFRESH_TOKEN_SECONDS)
            self.save()
        return {"access_token": self._jwt(claims), "refresh_token": refresh, "token_type": "Bearer",
                "expires_in": ACCESS_TOKEN_SECONDS, "refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
                "scope": "CONNECT_READ CONNECT_WRITE"}

    def web_session(self, owner: int) -> str:
        """A ``JWT_WEB`` cookie value (the browser session of the JWT_WEB fallback), 4 h like a token."""
        now = int(self.now())
        jti = secrets.token_hex(8)
        with self._lock:
            self._access[jti] = "ok"
            self.save()
        return self._jwt({"iat": now, "jti": jti, "sub": owner, "exp": now + ACCESS_TOKEN_SECONDS, "web": True})

    def access_owner(self, token: str) -> int | None:
        """The account (profile id) of a token this server signed that is neither expired nor revoked."""
        claims = self._verified_claims(token)
        if claims is None or claims.get("exp", 0) < self.now():
            return None
        with self._lock:
            if self._access.get(str(claims.get("jti"))) != "ok":
                return None
        owner = claims.get("sub", OWNER_ID)
        return owner if isinstance(owner, int) else None

    def access_ok(self, token: str) -> bool:
        return self.access_owner(token) is not None

    def rotate(self, refresh_token: str, client_id: str) -> dict[str, Any] | None:
        """Trade a refresh token (single use, 30 days) for new tokens; None when unknown or expired."""
        with self._lock:
            found = self._refresh.pop(refresh_token, None)
            if found is None or found[1] < self.now():
                self.save()
                return None
            return self.issue_tokens(client_id, found[0])

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access = dict.fromkeys(self._access, "expired")
            self.save()

    def revoke_tokens(self) -> None:
        with self._lock:
            self._access.clear()
            self._refresh.clear()
            self.save()

    def _jwt(self, claims: dict[str, Any]) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(claims).encode())
        signature = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def _verified_claims(self, token: str) -> dict[str, Any] | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(_b64(expected), parts[2]):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except ValueError:
            return None
        return claims if isinstance(claims, dict) else None

    # workouts and schedules ------------------------------------------------------------------------

    def put_workout(self, workout: dict[str, Any], workout_id: int | None = None,
                    owner: int = OWNER_ID, display_name: str = "local-runner") -> dict[str, Any]:
        """Store a checked workout (new when ``workout_id`` is None); KeyError for an unknown id."""
        with self._lock:
            now = garmin_time(datetime.now(UTC))
            if workout_id is None:
                workout_id, created = self.new_id("workout"), now
            else:
                created = self.workouts[workout_id]["createdDate"]
            orders, groups = iter(range(1, 1 << 30)), iter(range(1, 1 << 30))  # through the whole workout
            for segment in workout["workoutSegments"]:
                self._number_steps(segment["workoutSteps"])
                _renumber(segment["workoutSteps"], orders, groups, None)
            workout.update(workoutId=workout_id, ownerId=owner, createdDate=created, updatedDate=now,
                           author={"userProfilePk": owner, "displayName": display_name})
            self.workouts[workout_id] = workout
            self.save()
            return copy.deepcopy(workout)

    def _number_steps(self, steps: list[dict[str, Any]]) -> None:
        for step in steps:
            step["stepId"] = self.new_id("step")
            if "workoutSteps" in step:
                self._number_steps(step["workoutSteps"])

    def delete_workout(self, workout_id: int) -> None:
        """Remove a workout and its calendar entries; KeyError when unknown."""
        with self._lock:
            del self.workouts[workout_id]
            for schedule_id in [s for s, entry in self.schedules.items() if entry["workoutId"] == workout_id]:
                del self.schedules[schedule_id]
            self.save()

    def add_schedule(self, workout_id: int, day: date) -> dict[str, Any]:
        with self._lock:
            schedule_id = self.new_id("schedule")
            self.schedules[schedule_id] = {"workoutScheduleId": schedule_id, "workoutId": workout_id,
                                           "calendarDate": day.isoformat(),
                                           "createdDate": garmin_time(datetime.now(UTC))}
            self.save()
            return self.schedule_view(schedule_id)

    def schedule_view(self, schedule_id: int) -> dict[str, Any]:
        """A schedule as Garmin answers it: the whole workout inside, no top-level ``workoutId``, a
        date-only ``createdDate`` (docs/garmin.md); KeyError when unknown."""
        with self._lock:
            entry = self.schedules[schedule_id]
            workout = self.workouts[entry["workoutId"]]
            return {"workoutScheduleId": schedule_id, "workout": copy.deepcopy(workout),
                    "calendarDate": entry["calendarDate"], "createdDate": entry["createdDate"][:10],
                    "ownerId": workout["ownerId"], "newName": None, "consumer": None, "atpPlanTypeId": None,
                    "associatedActivityId": None, "associatedActivityDateTime": None, "priority": None,
                    "tpType": None, "race": False, "protected": False, "itp": False, "nameChanged": False}

    def delete_schedule(self, schedule_id: int) -> None:
        with self._lock:
            del self.schedules[schedule_id]
            self.save()

    def add_other_item(self, item_type: str, day: date, title: str | None, owner: int) -> dict[str, Any]:
        """A calendar item that is not a workout schedule, shaped as in Garmin's month answers."""
        with self._lock:
            ident = None if item_type == "event" else self.new_id("calendar")  # Garmin gives events no id
            item: dict[str, Any] = {"id": ident, "groupId": None, "trainingPlanId": None, "itemType": item_type,
                                    "title": title, "date": day.isoformat(), "ownerId": owner}
            if item_type == "event":
                item["activityTypeId"] = 1
            elif item_type == "fbtAdaptiveWorkout":
                item["sportTypeKey"] = "running"
            self.other_items.append(item)
            self.save()
            return {key: value for key, value in item.items() if key != "ownerId"}

    # activities ------------------------------------------------------------------------------------

    def add_activity(self, new: NewActivity) -> int:
        start = new.start_time if new.start_time.tzinfo else new.start_time.replace(tzinfo=UTC)
        with self._lock:
            activity_id = self.new_id("activity")
            kind = new.activity_type or connect_type_of(new.fit_bytes)  # set by NewActivity: never None here
            entry = self._activity_entry(activity_id, new, kind, start, new.duration_s, new.distance_m)
            entry["manualActivity"] = new.manual
            self.activities[activity_id] = entry
            if kind == "multi_sport":  # Garmin keeps each session as a leg, a child of this one
                legs = legs_of(new.fit_bytes)
                entry["childIds"] = [self.new_id("activity") for _ in legs]
                entry["parent"] = True  # Garmin's multisport list item (activity_multisport_overview.json)
                for leg_id, leg in zip(entry["childIds"], legs, strict=True):
                    child = self._activity_entry(leg_id, replace(new, name=""), leg.activity_type,
                                                 start + timedelta(seconds=leg.offset_s), leg.duration_s,
                                                 leg.distance_m)
                    self.activities[leg_id] = {**child, "parentId": activity_id}
            if not new.manual:
                self._fit[activity_id] = new.fit_bytes
                blob = self._fit_path(activity_id)
                if blob is not None:
                    blob.parent.mkdir(exist_ok=True)
                    blob.write_bytes(new.fit_bytes)
            self.save()
            return activity_id

    @staticmethod
    def _activity_entry(activity_id: int, new: NewActivity, kind: str, start: datetime, duration_s: float,
                        distance_m: float) -> dict[str, Any]:
        return {
            "activityId": activity_id,
            "activityName": new.name or f"{kind.replace('_', ' ').title()}",
            "startTimeLocal": garmin_time(start.replace(tzinfo=None), separator=" "),
            "startTimeGMT": garmin_time(start.astimezone(UTC).replace(tzinfo=None), separator=" "),
            "activityType": {"typeId": ACTIVITY_TYPES[kind], "typeKey": kind},
            "duration": float(duration_s),
            "distance": float(distance_m),
            "associatedWorkoutId": new.associated_workout_id,
            "directWorkoutRpe": new.direct_workout_rpe,
            "ownerId": new.owner,
            "parentId": None,  # a real list item's fields (pe-st/garmin-connect-export activitylist-service.json;
            "parent": False,   # a multisport parent's: activity_multisport_overview.json)
        }

    def fit_bytes(self, activity_id: int) -> bytes | None:
        """The activity's original file: a leg's is its parent's whole file (garmin-health-data #72); None
        for an activity entered by hand (gcexport.py: "there is no original file")."""
        with self._lock:
            parent = self.activities[activity_id].get("parentId")
            return self._fit.get(parent if isinstance(parent, int) else activity_id)

    def delete_activity(self, activity_id: int) -> None:
        """Remove an activity and its file (the athlete deleted it in Connect: a duplicate, a mistake)."""
        with self._lock:
            gone = self.activities.pop(activity_id)
            for leg_id in gone.get("childIds", []):  # its legs go with it
                self.activities.pop(leg_id, None)
            parent = self.activities.get(gone.get("parentId"))  # type: ignore[arg-type]
            if parent is not None:  # a leg deleted alone leaves its parent's legs
                parent["childIds"] = [leg for leg in parent.get("childIds", []) if leg != activity_id]
            self._fit.pop(activity_id, None)
            blob = self._fit_path(activity_id)
            if blob is not None:
                blob.unlink(missing_ok=True)
            self.save()


def _renumber(steps: list[dict[str, Any]], orders: Iterator[int], groups: Iterator[int], group: int | None) -> None:
    """Number steps as Garmin stores them, whatever was sent: ``stepOrder`` depth-first through the
    workout (a multi-sport workout's segments one after the other), ``childStepId`` 1, 2 ... per
    repeat group in that order, each step in a group carrying its group's (none at the top level)."""
    for step in steps:
        step["stepOrder"] = next(orders)
        if "workoutSteps" in step:
            step["childStepId"] = next(groups)
            _renumber(step["workoutSteps"], orders, groups, step["childStepId"])
        else:
            step["childStepId"] = group


def summary(workout: dict[str, Any]) -> dict[str, Any]:
    """A workout as the list endpoint shows it: everything but the segments, the update time named
    ``updateDate`` there (``updatedDate`` in a workout's own answer; docs/garmin.md)."""
    return {("updateDate" if key == "updatedDate" else key): value for key, value in workout.items()
            if key != "workoutSegments"}


def activity_day(activity: dict[str, Any]) -> date:
    return date.fromisoformat(activity["startTimeLocal"][:10])


def month_grid(year: int, month0: int) -> tuple[date, date]:
    """First Sunday and last Saturday of the full weeks covering the month (0-based month)."""
    first = date(year, month0 + 1, 1)
    following = date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1)
    last = following - timedelta(days=1)
    return first - timedelta(days=(first.weekday() + 1) % 7), last + timedelta(days=(5 - last.weekday()) % 7)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
