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

    @property
    def file_id(self) -> FileInfo | None:
        """The first segment's `file_id` (the one that says what the file is)."""
        return self.file_ids[0] if self.file_ids else None

    @property
    def total_elapsed_time(self) -> float:
        """Sum of the sessions' elapsed time in seconds (0 without sessions)."""
        return sum(s.total_elapsed_time or 0.0 for s in self.sessions)
