"""Typed result of decoding a FIT activity (or any FIT file) and the decode error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from watchsync.errors import InputError

FloatArray = NDArray[np.float64]
Decoder = Literal["fitfast", "fitdecode"]
#: How the file's timestamps relate to real time: "utc" (FIT date_time), "local" (device-relative
#: times re-based on ``activity.local_timestamp``: the local wall clock, UTC offset unknown) or
#: "device" (seconds since the device powered on; no real time known).
Clock = Literal["utc", "local", "device"]


#: Time zones are whole quarter hours within ±14 h; a local timestamp may be a minute off its UTC one.
ZONE_STEP_S = 900
ZONE_SLACK_S = 300  # a watch whose clock is 2 min off still says +2:00 (a real FR645, probe fit12)
MAX_UTC_OFFSET_S = 14 * 3600


class FitDecodeError(InputError):
    """The input is not FIT data, or nothing in it could be decoded."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One `file_id` message (a chained file has one per FIT segment)."""

    type: str | None
    manufacturer: str | None
    product: int | None
    time_created: datetime | None


@dataclass(frozen=True, slots=True)
class Session:
    """One `session` message; times in s, distance in m, HR in bpm."""

    start_time: datetime | None
    sport: str | None
    sub_sport: str | None
    total_elapsed_time: float | None
    total_timer_time: float | None
    total_distance: float | None
    avg_heart_rate: int | None
    max_heart_rate: int | None
    total_calories: int | None
    workout_rpe_raw: int | None
    workout_feel: int | None
    timestamp: datetime | None = None
    avg_power: int | None = None
    max_power: int | None = None
    first_lap_index: int | None = None
    num_laps: int | None = None
    pool_length: float | None = None
    num_active_lengths: int | None = None
    total_ascent: int | None = None  # metres climbed, as the device measured them

    @property
    def workout_rpe(self) -> float | None:
        """RPE on its 1–10 scale (the FIT field stores RPE × 10)."""
        return None if self.workout_rpe_raw is None else self.workout_rpe_raw / 10


@dataclass(frozen=True, slots=True)
class Lap:
    """One `lap` message; `wkt_step_index` links it to the executed workout step."""

    start_time: datetime | None
    total_elapsed_time: float | None
    total_timer_time: float | None
    total_distance: float | None
    avg_heart_rate: int | None
    max_heart_rate: int | None
    wkt_step_index: int | None
    intensity: str | None
    avg_power: int | None = None
    max_power: int | None = None
    sport: str | None = None  # FIT sport and sub-sport names: a file without sessions has only its laps'
    sub_sport: str | None = None


@dataclass(frozen=True, slots=True)
class Length:
    """One `length` message of a pool swim; `length_type` is "active" or "idle" (a rest)."""

    start_time: datetime | None
    total_elapsed_time: float | None
    total_timer_time: float | None
    length_type: str | None
    swim_stroke: str | None
    total_strokes: int | None


@dataclass(frozen=True, slots=True)
class StrengthSet:
    """One `set` message of a strength activity: an ``active`` set (its reps, weight in kg and the
    exercise category the watch named or guessed) or a ``rest``; ``wkt_step_index`` links it to the
    workout step it ran (only when the watch ran a workout)."""

    start_time: datetime | None
    duration: float | None
    set_type: str | None
    repetitions: int | None
    weight: float | None
    category: str | None  # FIT exercise_category name, else its number as text
    wkt_step_index: int | None


@dataclass(frozen=True, slots=True)
class TimerEvent:
    """A `timer` event: the timer starts (`running`) or stops (not `running`) at `time` (Unix s)."""

    time: float
    running: bool


@dataclass(frozen=True, slots=True)
class ActivityInfo:
    """The `activity` message: when the activity ended, in UTC and on the local wall clock."""

    timestamp: datetime | None
    local_timestamp: datetime | None
    total_timer_time: float | None
    num_sessions: int | None


@dataclass(frozen=True, slots=True, eq=False)
class Records:
    """All `record` messages as equal-length float64 columns, NaN where missing.

    Units: timestamp in Unix seconds, speed m/s, distance m, altitude m,
    heart_rate bpm, cadence rpm/spm, power W, positions in degrees.
    """

    timestamp: FloatArray
    heart_rate: FloatArray
    speed: FloatArray
    distance: FloatArray
    altitude: FloatArray
    cadence: FloatArray
    power: FloatArray
    position_lat: FloatArray
    position_long: FloatArray

    def __len__(self) -> int:
        return len(self.timestamp)

    @property
    def has_heart_rate(self) -> bool:
        """True if any record carries a heart rate."""
        return bool(np.any(~np.isnan(self.heart_rate)))

    @property
    def has_position(self) -> bool:
        """True if any record carries a GPS position."""
        return bool(np.any(~np.isnan(self.position_lat)))


@dataclass(frozen=True, slots=True)
class Workout:
    """The workout embedded in an activity, or the content of a workout file.

    Values are raw FIT values (enums as profile names, durations/targets unscaled:
    time in ms, distance in cm, HR/power with their +100 / +1000 offsets).
    """

    workout: dict[str, Any]
    steps: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True, eq=False)
class Activity:
    """Everything decoded from one FIT file, plus how it was decoded."""

    file_ids: tuple[FileInfo, ...]
    sessions: tuple[Session, ...]
    laps: tuple[Lap, ...]
    records: Records
    workout: Workout | None
    decoder: Decoder
    salvaged: bool
    warnings: tuple[str, ...]
    lengths: tuple[Length, ...] = ()
    timer_events: tuple[TimerEvent, ...] = ()
    info: ActivityInfo | None = None
    clock: Clock = "utc"
    sets: tuple[StrengthSet, ...] = ()
    #: (sport, sub_sport) of each `sport` message: what each leg was started as, written at its start
    #: (the one sport a file has when the watch died before writing its session)
    sports: tuple[tuple[str | None, str | None], ...] = ()

    @property
    def file_id(self) -> FileInfo | None:
        """The first segment's `file_id` (the one that says what the file is)."""
        return self.file_ids[0] if self.file_ids else None

    @property
    def pool_length(self) -> float | None:
        """A pool swim's pool in metres: the session's, else its distance over its active lengths (an
        export that left the field out), else the pool of the workout the watch ran."""
        for session in self.sessions:
            if session.pool_length:
                return session.pool_length
        for session in self.sessions:
            if session.total_distance and session.num_active_lengths and self.lengths:
                return round(session.total_distance / session.num_active_lengths, 2)
        ran = self.workout.workout.get("pool_length") if self.workout is not None else None
        return float(ran) if isinstance(ran, int | float) and ran > 0 else None

    @property
    def total_elapsed_time(self) -> float:
        """Sum of the sessions' elapsed time in seconds (0 without sessions)."""
        return sum(s.total_elapsed_time or 0.0 for s in self.sessions)

    @property
    def utc_offset(self) -> float | None:
        """Local time minus UTC in s, from `activity.local_timestamp` when it is a time zone."""
        info = self.info
        if self.clock != "utc" or info is None or info.timestamp is None or info.local_timestamp is None:
            return None
        offset = (info.local_timestamp - info.timestamp).total_seconds()
        zone = round(offset / ZONE_STEP_S) * ZONE_STEP_S
        return float(zone) if abs(offset - zone) <= ZONE_SLACK_S and abs(zone) <= MAX_UTC_OFFSET_S else None
