"""The workout model: one structure that every format reads into and writes from.

Durations and targets are tagged unions (field ``kind``) so that TOML, JSON and the text syntax map
onto them directly. Targets come in two families: *prescriptive* ones a coach writes (RPE, zones,
percentages of an athlete's thresholds) and *concrete* ones (bpm, m/s, W, rpm, open) that a device
understands. :mod:`watchsync.resolve` turns the first into the second for one athlete.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from watchsync.model.enums import SPORT_ALIASES as SPORT_ALIASES
from watchsync.model.enums import SPORT_FAMILY as SPORT_FAMILY
from watchsync.model.enums import Intensity as Intensity
from watchsync.model.enums import Sport as Sport
from watchsync.model.enums import parse_sport as parse_sport
from watchsync.model.units import KG_PER_POUND

#: The most rounds a repeat holds.
MAX_REPEAT_COUNT = 200

class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def replaced(self, **changes: Any) -> Self:
        """``model_copy(update=changes)`` (as unvalidated as that) the short way, for these frozen models
        with neither extra fields nor private attributes: one new dict, every unchanged value shared."""
        cls = self.__class__
        copied = cls.__new__(cls)
        _set(copied, "__dict__", {**self.__dict__, **changes})
        # set.union takes the dict's keys as they are ("| changes.keys()" makes a set of them first)
        _set(copied, "__pydantic_fields_set__", self.__pydantic_fields_set__.union(changes))
        _set(copied, "__pydantic_extra__", None)
        _set(copied, "__pydantic_private__", None)
        return copied


_set = object.__setattr__  # past the frozen models' own __setattr__


# --- durations -----------------------------------------------------------------------------------


class TimeDuration(_Frozen):
    """Ends after a number of seconds."""

    kind: Literal["time"] = "time"
    seconds: float = Field(gt=0, le=86_400)


class DistanceDuration(_Frozen):
    """Ends after a distance in metres."""

    kind: Literal["distance"] = "distance"
    meters: float = Field(gt=0, le=1_000_000)


class LapButton(_Frozen):
    """Ends when the athlete presses the lap button."""

    kind: Literal["lap_button"] = "lap_button"


class RepsDuration(_Frozen):
    """Ends after a number of repetitions (strength)."""

    kind: Literal["reps"] = "reps"
    reps: int = Field(gt=0, le=1000)


class HeartRateDuration(_Frozen):
    """Ends when heart rate goes below (``until HR < 130``) or above a value in bpm."""

    kind: Literal["hr_below", "hr_above"]
    bpm: int = Field(ge=30, le=250)


class CaloriesDuration(_Frozen):
    """Ends after a number of kilocalories."""

    kind: Literal["calories"] = "calories"
    kcal: int = Field(gt=0, le=10_000)


Duration = Annotated[
    TimeDuration | DistanceDuration | LapButton | RepsDuration | HeartRateDuration | CaloriesDuration,
    Field(discriminator="kind"),
]


# --- targets -------------------------------------------------------------------------------------


class _Range(_Frozen):
    """A low..high range; a single value is stored with low == high."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError(f"range low {self.low:g} is above high {self.high:g}")
        return self


class OpenTarget(_Frozen):
    """No target."""

    kind: Literal["open"] = "open"


class RpeTarget(_Range):
    """Rate of perceived exertion on the CR-10 scale (1..10)."""

    kind: Literal["rpe"] = "rpe"
    low: float = Field(ge=1, le=10)
    high: float = Field(ge=1, le=10)


class _Zone(_Frozen):
    """A zone number of the athlete's zones, or a zone range ``zone..zone_high`` (``Z1-Z2 HR``)."""

    zone: int = Field(ge=1, le=7)
    zone_high: int | None = Field(default=None, ge=1, le=7)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.zone_high is not None and self.zone_high < self.zone:
            raise ValueError(f"zone range Z{self.zone}-Z{self.zone_high} is reversed")
        return self

    @property
    def top(self) -> int:
        """The highest zone of the range (the zone itself for one zone)."""
        return self.zone_high if self.zone_high is not None else self.zone


class HeartRateZoneTarget(_Zone):
    """A heart-rate zone (1..7) of the athlete's zones, or a range of them."""

    kind: Literal["hr_zone"] = "hr_zone"


class HeartRateTarget(_Range):
    """Heart rate in bpm (concrete)."""

    kind: Literal["hr_bpm"] = "hr_bpm"
    low: float = Field(ge=30, le=250)
    high: float = Field(ge=30, le=250)


class HeartRatePercentMaxTarget(_Range):
    """Heart rate as % of the athlete's maximum."""

    kind: Literal["hr_pct_max"] = "hr_pct_max"
    low: float = Field(gt=0, le=110)
    high: float = Field(gt=0, le=110)


class HeartRatePercentLthrTarget(_Range):
    """Heart rate as % of the athlete's lactate-threshold heart rate."""

    kind: Literal["hr_pct_lthr"] = "hr_pct_lthr"
    low: float = Field(gt=0, le=130)
    high: float = Field(gt=0, le=130)


class PaceTarget(_Frozen):
    """Pace range in seconds per km; ``fast`` is the lower number. ``per`` is the distance the pace
    was written per (``mi``, ``100m``, ``100y``, ``400m`` ...; None: per km), so that it is written
    back as written: a pace per mile in seconds per km has more decimals than a text keeps."""

    kind: Literal["pace"] = "pace"
    fast: float = Field(gt=60, le=3600)
    slow: float = Field(gt=60, le=3600)
    per: str | None = Field(default=None, pattern=r"^(?:mi|\d{1,9}(?:mtr|m|y))$")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.fast > self.slow:
            raise ValueError("pace range: the fast pace must be the smaller time per km")
        return self


class PacePercentTarget(_Range):
    """Speed as % of the athlete's threshold pace (intervals.icu ``78-82% Pace``; CSS for swims)."""

    kind: Literal["pace_pct"] = "pace_pct"
    low: float = Field(gt=0, le=200)
    high: float = Field(gt=0, le=200)


class PaceZoneTarget(_Zone):
    """A pace zone (1..7) of the athlete's zones (swim zones for swims), or a range of them."""

    kind: Literal["pace_zone"] = "pace_zone"


class SpeedTarget(_Range):
    """Speed in m/s (concrete)."""

    kind: Literal["speed"] = "speed"
    low: float = Field(gt=0, le=40)
    high: float = Field(gt=0, le=40)


class PowerTarget(_Range):
    """Power in watts (concrete)."""

    kind: Literal["power"] = "power"
    low: float = Field(ge=0, le=3000)
    high: float = Field(gt=0, le=3000)


class PowerPercentFtpTarget(_Range):
    """Power as % of FTP."""

    kind: Literal["power_pct_ftp"] = "power_pct_ftp"
    low: float = Field(gt=0, le=1000)  # FIT's workout_power holds % of FTP up to 1000 (sprints pass 300)
    high: float = Field(gt=0, le=1000)


class PowerZoneTarget(_Zone):
    """A power zone (1..7), or a range of them."""

    kind: Literal["power_zone"] = "power_zone"


class CadenceTarget(_Range):
    """Cadence in rpm / steps per minute (concrete)."""

    kind: Literal["cadence"] = "cadence"
    low: float = Field(gt=0, le=300)
    high: float = Field(gt=0, le=300)


Target = Annotated[
    OpenTarget
    | RpeTarget
    | HeartRateZoneTarget
    | HeartRateTarget
    | HeartRatePercentMaxTarget
    | HeartRatePercentLthrTarget
    | PaceTarget
    | PacePercentTarget
    | PaceZoneTarget
    | SpeedTarget
    | PowerTarget
    | PowerPercentFtpTarget
    | PowerZoneTarget
    | CadenceTarget,
    Field(discriminator="kind"),
]

def target_family(target: Target) -> str:
    """What a target measures: ``hr``, ``pace`` (speed), ``power``, ``cadence``, ``rpe`` or ``open``."""
    kind = target.kind
    if kind.startswith("hr"):
        return "hr"
    if kind.startswith("pace") or kind == "speed":
        return "pace"
    if kind.startswith("power"):
        return "power"
    return kind


#: Targets a device understands without an athlete profile.
CONCRETE_TARGETS = (OpenTarget, HeartRateTarget, HeartRateZoneTarget, SpeedTarget, PowerTarget,
                    PowerZoneTarget, CadenceTarget)


# --- steps ---------------------------------------------------------------------------------------


class Exercise(_Frozen):
    """A Garmin exercise: category and name keys as in ``garminconnect.exercises``.

    A step that names only a category (Garmin allows it) is the category's generic exercise: its
    name is the category repeated (an empty name is read so).
    """

    category: str
    name: str

    @model_validator(mode="before")
    @classmethod
    def _generic(cls, data: object) -> object:
        if isinstance(data, dict) and not data.get("name") and data.get("category"):
            return {**data, "name": data["category"]}
        return data


class Prompt(_Frozen):
    """A text prompt shown ``at_seconds`` into a step (intervals.icu ``33^Relax <!>``)."""

    at_seconds: int = Field(ge=0, le=86_400)
    text: str = Field(min_length=1, max_length=200)


#: Swim strokes (Garmin Connect's stroke types; FIT ``swim_stroke``).
Stroke = Literal["any", "free", "back", "breast", "fly", "im", "drill", "mixed"]
#: Swim equipment (Garmin Connect's equipment types; FIT ``workout_equipment``).
Equipment = Literal["fins", "kickboard", "paddles", "pull_buoy", "snorkel"]
#: Direction of a ramp: ``up`` = intensity rises through the step, ``down`` = it falls.
RampDirection = Literal["up", "down"]
#: The unit a weight is shown in on the watch and in Garmin Connect (``weight_kg`` holds the value).
WeightUnit = Literal["kg", "lb"]


class Step(_Frozen):
    """One step of a workout.

    ``secondary`` is a second target the watch also shows (Garmin's secondary target, e.g. a
    cadence beside power); ``ramp`` marks a target range the author wrote as a ramp (watches hold
    the range); ``planned`` is the length written next to ``press lap`` (intervals.icu's
    placeholder), used for estimates only; ``prompts`` are timed text prompts. ``weight_kg`` is
    the weight in kilograms whatever ``weight_unit`` (the unit shown: pounds when written so).
    """

    type: Literal["step"] = "step"
    intensity: Intensity = Intensity.ACTIVE
    duration: Duration = Field(default_factory=LapButton)
    target: Target = Field(default_factory=OpenTarget)
    secondary: Target | None = None
    ramp: RampDirection | None = None
    name: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=1000)
    rpe: RpeTarget | None = None
    exercise: Exercise | None = None
    weight_kg: float | None = Field(default=None, ge=0, le=500)
    weight_unit: WeightUnit | None = None  # None: kilograms; "lb" when the author wrote pounds
    planned: TimeDuration | DistanceDuration | None = Field(default=None, discriminator="kind")
    prompts: list[Prompt] = Field(default_factory=list, max_length=50)
    stroke: Stroke | None = None
    equipment: Equipment | None = None

    def weight_shown(self) -> tuple[float, WeightUnit] | None:
        """The weight in the unit it is shown in (pounds to 1 decimal), or None without a weight."""
        if self.weight_kg is None:
            return None
        if self.weight_unit == "lb":
            return round(self.weight_kg / KG_PER_POUND, 1), "lb"
        return self.weight_kg, "kg"

    @staticmethod
    def prompt_clock(seconds: int) -> str:
        """``33`` → ``0:33``; ``3600`` → ``60:00`` (minutes:seconds into the step)."""
        return f"{seconds // 60}:{seconds % 60:02d}"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.weight_kg is not None and self.exercise is None:
            raise ValueError("a weight needs an exercise")
        if self.weight_unit is not None and self.weight_kg is None:
            raise ValueError("a weight unit needs a weight")
        if self.secondary is not None and (isinstance(self.secondary, OpenTarget | RpeTarget)
                                           or target_family(self.secondary) == target_family(self.target)
                                           or isinstance(self.target, OpenTarget)):
            raise ValueError("a secondary target needs a primary target of another kind (and is not RPE)")
        if self.ramp is not None and isinstance(self.target, OpenTarget):
            raise ValueError("a ramp needs a target range")
        if self.planned is not None and not isinstance(self.duration, LapButton):
            raise ValueError("a planned length belongs to a lap-button step")
        return self


class RepeatUntil(_Frozen):
    """A FIT conditional repeat: the block repeats until ``kind`` passes ``value`` (in ``unit``).

    Units: ``bpm`` or ``pct_max`` (heart rate), ``s``, ``m``, ``kcal``, ``w`` or ``pct_ftp`` (power).
    Garmin Connect has no such repeat: it gets the ``count`` and the condition in words.
    """

    kind: Literal["hr_above", "hr_below", "time", "distance", "calories", "power_above", "power_below"]
    value: float = Field(gt=0, le=1_000_000)
    unit: Literal["bpm", "pct_max", "s", "m", "kcal", "w", "pct_ftp"]

    def describe(self) -> str:
        """``HR > 80% max``, ``power < 250 W``, ``600 s``."""
        sign = ">" if self.kind.endswith("above") else "<"
        amount = {"bpm": f"{self.value:g} bpm", "pct_max": f"{self.value:g}% max", "w": f"{self.value:g} W",
                  "pct_ftp": f"{self.value:g}% FTP", "s": f"{self.value:g} s", "m": f"{self.value:g} m",
                  "kcal": f"{self.value:g} kcal"}[self.unit]
        if self.kind.startswith("hr"):
            return f"HR {sign} {amount}"
        if self.kind.startswith("power"):
            return f"power {sign} {amount}"
        return amount


class Repeat(_Frozen):
    """A block of steps done ``count`` times (at most, with ``until``: a FIT conditional repeat); blocks nest."""

    type: Literal["repeat"] = "repeat"
    count: int = Field(ge=1, le=MAX_REPEAT_COUNT)
    steps: list[Step | Repeat] = Field(min_length=1)
    name: str | None = Field(default=None, max_length=200)
    skip_last_rest: bool = False
    until: RepeatUntil | None = None


Block = Annotated[Step | Repeat, Field(discriminator="type")]


#: Workout names as long as Garmin Connect keeps them (256 UTF-16 units).
MAX_WORKOUT_NAME = 256
#: The words of a day-off marker step (``- OFF``, ``- Rest day``, ``- Ruhetag``), folded.
DAY_OFF_WORDS = frozenset({"off", "rest", "day", "ruhetag", "descanso", "repos", "riposo", "rustdag", "hvile",
                           "vila"})
POOL_LENGTH_UNITS = ("m", "yd")


class Workout(_Frozen):
    """A structured workout; ``pool_length`` (with its unit) is the pool of a pool swim."""

    name: str = Field(min_length=1, max_length=MAX_WORKOUT_NAME)
    sport: Sport
    description: str | None = Field(default=None, max_length=2000)
    tags: list[str] = Field(default_factory=list)
    pool_length: float | None = Field(default=None, gt=0, le=1000)
    pool_length_unit: Literal["m", "yd"] = "m"
    steps: list[Block] = Field(min_length=1)

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.pool_length is not None and self.sport is not Sport.POOL_SWIM:
            raise ValueError("a pool length belongs to a pool swim (sport pool_swim)")
        if self.sport.family != "swim" and _any_swim_only(self.steps):  # FIT's swim_stroke target, on a run
            raise ValueError(f"a stroke or swim equipment belongs to a swim (pool_swim, open_water_swim), not to "
                             f"sport {self.sport.value}")
        depth = repeat_depth(self.steps)
        if depth > MAX_REPEAT_DEPTH:
            raise ValueError(f"repeats nest {depth} levels deep (at most {MAX_REPEAT_DEPTH})")
        executed = executed_step_count(self.steps)
        if executed > MAX_EXECUTED_STEPS:
            raise ValueError(f"the workout expands to {executed} executed steps "
                             f"(at most {MAX_EXECUTED_STEPS}: check the repeat counts)")
        return self

    def flat_steps(self) -> list[Step]:
        """Every step in execution order, repeats expanded (bounded by MAX_EXECUTED_STEPS)."""
        return list(_expand(self.steps))

    def is_day_off(self) -> bool:
        """A workout of nothing but a day-off marker (an AI coach library's ``- OFF``, ``- Rest day``): steps
        without a length, target or exercise named only rest/off words. A plan's day holding only such
        workouts is a rest day (probes icu18, review16)."""
        steps = self.flat_steps()
        return bool(steps) and all(
            isinstance(step.duration, LapButton) and isinstance(step.target, OpenTarget | None)
            and step.exercise is None
            and bool(words := re.findall(r"[^\W\d_]+", (step.name or "").casefold())) and set(words) <= DAY_OFF_WORDS
            for step in steps)

    def estimated_seconds(self, default_step_seconds: float = 0.0,
                          seconds_per_meter: float | None = None) -> float:
        """Planned time: timed steps exactly, distance steps at ``seconds_per_meter`` when given.

        Lap-button steps count their planned length when they have one, other open-ended steps
        ``default_step_seconds``; reps count 3 s each.
        """
        return _total(self.steps, lambda step: step_seconds(step, default_step_seconds, seconds_per_meter))

    def total(self, measure: Callable[[Step], float]) -> float:
        """The sum of ``measure`` over the steps as executed (each repeat's steps ``count`` times)."""
        return _total(self.steps, measure)

    def estimated_meters(self, meters_per_second: float | None = None) -> float:
        """Planned distance: distance steps exactly, timed steps at ``meters_per_second`` when given."""
        return _total(self.steps, lambda step: step_meters(step, meters_per_second))


#: Upper bound on executed steps (repeats multiplied out); far above any real workout.
MAX_EXECUTED_STEPS = 2000
#: A conditional repeat's estimated rounds leave room for this many rounds of a repeat around it (the
#: group alone cannot see it: 10 x [until 20 min of 3 s + 3 s] was refused as 4,000 steps, probe review13).
MAX_ROUNDS_NESTING = 10
#: Upper bound on repeats inside repeats, the same in every format (FIT files from watches and
#: Connect nest deeper than text can say; TOML and the model hold this many).
MAX_REPEAT_DEPTH = 5


# plain loops, not generators: these run on every workout the model validates


def _any_swim_only(blocks: list[Step | Repeat]) -> bool:
    """Whether a step (each once, repeats not multiplied out) has a stroke or swim equipment."""
    for b in blocks:
        if _any_swim_only(b.steps) if isinstance(b, Repeat) else b.stroke is not None or b.equipment is not None:
            return True
    return False


def repeat_depth(blocks: list[Step | Repeat]) -> int:
    """How many repeats deep the deepest step is (0: no repeat)."""
    depth = 0
    for b in blocks:
        if isinstance(b, Repeat):
            depth = max(depth, 1 + repeat_depth(b.steps))
    return depth


def executed_step_count(blocks: list[Step | Repeat]) -> int:
    """How many steps a watch runs through: repeats multiplied out, without expanding them."""
    count = 0
    for b in blocks:
        count += 1 if isinstance(b, Step) else b.count * executed_step_count(b.steps)
    return count


def rounds_until(blocks: list[Step | Repeat], until: RepeatUntil, otherwise: int) -> int:
    """The rounds of a conditional repeat ending on a time or a distance: as many as its time or distance
    holds when every step of a round has a known one, a rest no distance (a 10-minute block of 20 s + 10 s
    is 20 rounds, at most one more than it runs), else ``otherwise``; bounded by the model's limits."""
    measure: Callable[[Step], float]
    if until.kind == "time":
        measure = step_seconds
    elif until.kind == "distance":
        measure = step_meters
    else:
        return otherwise
    if any(measure(step) <= 0 and (measure is step_seconds or step.intensity is not Intensity.REST)
           for step in _expand(blocks)):
        return otherwise  # a round of unknown length (a rest covers no distance, as it should)
    per_round = _total(blocks, measure)
    if per_round <= 0:
        return otherwise
    rounds = math.ceil(until.value / per_round - 1e-9)
    room = MAX_EXECUTED_STEPS // max(executed_step_count(blocks), 1) // MAX_ROUNDS_NESTING
    return max(1, min(rounds, MAX_REPEAT_COUNT, room))


def _total(blocks: list[Step | Repeat], measure: Callable[[Step], float]) -> float:
    return sum(measure(b) if isinstance(b, Step) else b.count * _total(b.steps, measure) for b in blocks)


def step_meters(step: Step, meters_per_second: float | None = None) -> float:
    """Planned metres of one step (see :meth:`Workout.estimated_meters`); a timed rest covers none
    (a swimmer's 15 s at the wall)."""
    if step.planned is not None:
        step = step.model_copy(update={"duration": step.planned})
    if isinstance(step.duration, DistanceDuration):
        return step.duration.meters
    if isinstance(step.duration, TimeDuration) and meters_per_second and step.intensity is not Intensity.REST:
        return step.duration.seconds * meters_per_second
    return 0.0


def step_seconds(step: Step, default_step_seconds: float = 0.0,
                 seconds_per_meter: float | None = None) -> float:
    """Planned seconds of one step (see :meth:`Workout.estimated_seconds`)."""
    duration = step.planned or step.duration
    if isinstance(duration, TimeDuration):
        return duration.seconds
    if isinstance(duration, DistanceDuration) and seconds_per_meter:
        return duration.meters * seconds_per_meter
    if isinstance(duration, RepsDuration):
        return duration.reps * 3.0
    return default_step_seconds


def _expand(blocks: list[Step | Repeat]) -> list[Step]:
    out: list[Step] = []
    for block in blocks:
        if isinstance(block, Step):
            out.append(block)
        else:
            inner = _expand(block.steps)
            for _ in range(block.count):
                out.extend(inner)
    return out
