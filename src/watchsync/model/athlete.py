"""Athlete profiles: thresholds, optional explicit zones, target preference and the RPE scale."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from watchsync.model.units import CARDIO_PACE_KEY, CARDIO_PACE_UNIT
from watchsync.model.units import METERS_PER_MILE as METERS_PER_MILE
from watchsync.model.units import METERS_PER_YARD as METERS_PER_YARD
from watchsync.model.units import Units as Units
from watchsync.model.units import default_pace_unit as default_pace_unit


class TargetPreference(StrEnum):
    """What an RPE step compiles to on the watch."""

    HR = "hr"
    PACE = "pace"
    RPE = "rpe"  # cue only, open target


_PACE_RE = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*(?:/\s*(km|mi))?\s*$")


def parse_pace(text: str) -> float:
    """``"4:30/km"`` or ``"7:15/mi"`` → seconds per km."""
    match = _PACE_RE.match(text)
    if not match:
        raise ValueError(f"pace {text!r} is not m:ss/km or m:ss/mi")
    seconds = int(match.group(1)) * 60 + int(match.group(2))
    if seconds <= 0:
        raise ValueError(f"pace {text!r} must be positive")
    if match.group(3) == "mi":
        return seconds * 1000 / METERS_PER_MILE
    return float(seconds)


_SWIM_PACE_RE = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*(?:/\s*100\s*(m|y|yd))?\s*$")


def parse_swim_pace(text: str) -> float:
    """``"1:45/100m"`` (or ``"1:45"``, ``"1:36/100y"``) → seconds per 100 m."""
    match = _SWIM_PACE_RE.match(text)
    if not match:
        raise ValueError(f"swim pace {text!r} is not m:ss/100m or m:ss/100y")
    seconds = int(match.group(1)) * 60 + int(match.group(2))
    if seconds <= 0:
        raise ValueError(f"swim pace {text!r} must be positive")
    return seconds / METERS_PER_YARD if match.group(3) in ("y", "yd") else float(seconds)


def format_pace(seconds_per_km: float, units: Units = Units.METRIC) -> str:
    """Seconds per km → ``"4:30/km"`` (or per mile)."""
    per = seconds_per_km * METERS_PER_MILE / 1000 if units is Units.IMPERIAL else seconds_per_km
    whole = round(per)
    return f"{whole // 60}:{whole % 60:02d}/{'mi' if units is Units.IMPERIAL else 'km'}"


#: Units a pace may be written in (``/km`` ...), and the sport families that have paces.
PACE_UNITS = ("km", "mi", "100m", "100y", "500m", "400m", "250m")
PACE_FAMILIES = ("run", "swim", "bike", "ski", "other", "strength", "mobility")


class Band(BaseModel):
    """A low..high band in the unit of its context (bpm, % of a threshold, ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError(f"band {self.low:g}-{self.high:g} is reversed")
        return self

    @classmethod
    def parse(cls, text: str) -> Band:
        """``"85-89"`` / ``"85-89% LTHR"`` / ``"150"`` → Band (unit words are ignored)."""
        numbers = re.findall(r"\d+(?:\.\d+)?", text)
        if not 1 <= len(numbers) <= 2:
            raise ValueError(f"band {text!r} is not 'low-high'")
        low = float(numbers[0])
        return cls(low=low, high=float(numbers[-1]))


#: Default RPE scale (CR-10) as % of LTHR — Friel running zones (README, "Athletes and RPE").
DEFAULT_RPE_HR_PCT_LTHR: dict[int, tuple[float, float]] = {
    1: (70, 84), 2: (70, 84),
    3: (85, 89), 4: (85, 89),
    5: (90, 94), 6: (90, 94),
    7: (95, 102), 8: (95, 102),
    9: (103, 110), 10: (103, 110),
}

#: Default RPE scale as % of threshold *speed* (100 % = threshold pace), for pace-targeted athletes.
DEFAULT_RPE_SPEED_PCT: dict[int, tuple[float, float]] = {
    1: (65, 77), 2: (65, 77),
    3: (78, 87), 4: (78, 87),
    5: (88, 94), 6: (88, 94),
    7: (95, 103), 8: (95, 103),
    9: (104, 120), 10: (104, 120),
}

#: Short words for each RPE value, used in step cues ("RPE 3 – conversational").
RPE_WORDS: dict[int, str] = {
    1: "very easy", 2: "easy recovery", 3: "conversational", 4: "comfortable, can still talk",
    5: "steady", 6: "tempo, short sentences", 7: "comfortably hard", 8: "hard",
    9: "very hard", 10: "all out",
}

#: RPE at or above which heart rate lags too much for an HR alert (strides, sprints).
RPE_NO_HR_ALERT = 9
#: Hard steps (RPE ≥ 7) shorter than this get no HR target: heart rate takes minutes to rise to a
#: hard effort's band (Achten & Jeukendrup 2003), so the watch would alarm through every rep.
HR_MIN_HARD_STEP_SECONDS = 180
#: RPE from which a step is hard (the rules' bands: 7 and above).
HARD_MIN_RPE = 7


class Athlete(BaseModel):
    """One athlete's profile as written in the config's ``[athletes.NAME]`` table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    max_hr: int = Field(default=190, ge=100, le=240)
    resting_hr: int = Field(default=50, ge=25, le=120)
    lthr: int | None = Field(default=None, ge=80, le=230)
    threshold_pace: float | None = Field(default=None, description="seconds per km")
    swim_threshold_pace: float | None = Field(default=None, gt=30, le=600,
                                              description="CSS, seconds per 100 m (\"1:45/100m\")")
    sport: str | None = Field(default=None, description="default sport of texts that name none")
    pace_units: dict[str, str] = Field(default_factory=dict,
                                       description="sport family -> unit of a pace written without one")
    ftp: int | None = Field(default=None, ge=30, le=2000)
    sex: Literal["female", "male"] | None = Field(default=None, description="TRIMP constants (default male)")
    load_metric: Literal["trimp", "srpe"] | None = Field(
        default=None, description="the athlete's training load: trimp (heart rate, the default) or srpe "
        "(reported RPE x minutes: a runner without a heart-rate strap)")
    timezone: str | None = Field(default=None, description="IANA zone of the athlete's days (default: the host's)")
    targets: TargetPreference = TargetPreference.HR
    units: Units = Units.METRIC
    hr_zones: list[Band] | None = Field(default=None, description="explicit bpm zones 1..5")
    pace_zones: list[Band] | None = Field(default=None, description="explicit zones, seconds per km")
    swim_pace_zones: list[Band] | None = Field(default=None, description="explicit swim zones, seconds per 100 m")
    power_zones: list[Band] | None = Field(default=None, description="explicit watt zones")
    rpe: dict[int, Band] = Field(default_factory=dict, description="RPE -> band override")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r} (expected an IANA name such as Europe/Oslo)") from None
        return value

    @field_validator("threshold_pace", mode="before")
    @classmethod
    def _pace(cls, value: object) -> object:
        return parse_pace(value) if isinstance(value, str) else value

    @field_validator("swim_threshold_pace", mode="before")
    @classmethod
    def _swim_pace(cls, value: object) -> object:
        return parse_swim_pace(value) if isinstance(value, str) else value

    @field_validator("sport")
    @classmethod
    def _sport(cls, value: str | None) -> str | None:
        if value is not None:
            from watchsync.model.enums import parse_sport

            try:
                return parse_sport(value).value
            except ValueError:
                raise ValueError(f"unknown sport {value!r}") from None
        return value

    @field_validator("pace_units")
    @classmethod
    def _pace_units(cls, value: dict[str, str]) -> dict[str, str]:
        for family, unit in value.items():
            if family not in PACE_FAMILIES or unit not in PACE_UNITS:
                raise ValueError(f"pace_units: {family} = {unit!r} (expected a family of {', '.join(PACE_FAMILIES)} "
                                 f"and one of {', '.join(PACE_UNITS)})")
        return value

    def pace_unit_defaults(self) -> dict[str, str]:
        """:meth:`pace_unit` of every sport family (what a text parser takes for this athlete), and under
        ``cardio`` a rowing machine's (the ``other`` setting when given, else /500m)."""
        return {family: self.pace_unit(family) for family in (*PACE_FAMILIES, CARDIO_PACE_KEY)}

    def pace_unit(self, family: str) -> str:
        """The unit of a pace written without one in a ``family`` workout (intervals.icu's per-sport
        setting): the athlete's ``pace_units``, else /100m for swims, /mi for imperial units, /km."""
        if family == CARDIO_PACE_KEY:  # a cardio workout (rowing): the "other" setting, else a rower's /500m
            return self.pace_units.get("other", CARDIO_PACE_UNIT)
        if family in self.pace_units:
            return self.pace_units[family]
        return default_pace_unit(family, self.units)

    @field_validator("hr_zones", "pace_zones", "swim_pace_zones", "power_zones", mode="before")
    @classmethod
    def _zones(cls, value: object) -> object:
        if isinstance(value, list):
            return [Band.parse(v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("rpe", mode="before")
    @classmethod
    def _rpe(cls, value: object) -> object:
        if isinstance(value, dict):
            return {int(k): Band.parse(v) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.resting_hr >= self.max_hr:
            raise ValueError("resting_hr must be below max_hr")
        if self.lthr is not None and not self.resting_hr < self.lthr <= self.max_hr:
            raise ValueError("lthr must be between resting_hr and max_hr")
        for key in self.rpe:
            if not 1 <= key <= 10:
                raise ValueError(f"rpe scale key {key} is not 1..10")
        return self

    def today(self) -> date:
        """The athlete's current date: in their time zone when one is set, else the host's."""
        return self.now().date()

    def now(self) -> datetime:
        """The athlete's wall clock (aware): in their time zone when one is set, else the host's."""
        return datetime.now(ZoneInfo(self.timezone)) if self.timezone else datetime.now().astimezone()

    @property
    def effective_lthr(self) -> int:
        """LTHR, or the usual estimate of 90 % of max HR when none is given."""
        return self.lthr if self.lthr is not None else round(self.max_hr * 0.9)

    @property
    def easy_speed(self) -> float:
        """A typical easy-run speed in m/s (for distance/time estimates)."""
        if self.threshold_pace:
            return 1000 / self.threshold_pace * 0.80
        return 2.8
