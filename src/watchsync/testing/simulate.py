"""Simulated activities: the FIT file a watch would record if an athlete ran a planned workout.

For tests and the demo. One record per second; heart rate follows the effort of each step as a
first-order response (time constant ``HR_TIME_CONSTANT_S``) plus noise; one lap per executed step
carrying ``wkt_step_index`` (the step's number in the compiled FIT workout); an embedded copy of
the workout; a session with totals and ``workout_rpe`` (RPE × 10). Behaviours model the usual ways
athletes deviate from the plan. All non-record messages go through fit-tool; records are encoded
in bulk with numpy against the record definition fit-tool builds (fit-tool spends ~0.6 ms per
record, which makes an hour of data take seconds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Literal, TypedDict

import numpy as np
from fit_tool.definition_message import DefinitionMessage
from fit_tool.fit_file import FitFile
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.fit_file_header import FitFileHeader
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.set_message import SetMessage
from fit_tool.profile.profile_type import (
    Activity as FitActivityType,
)
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    LapTrigger,
    Manufacturer,
    SessionTrigger,
    SetType,
)
from fit_tool.record import Record
from fit_tool.utils.crc import crc16
from numpy.typing import NDArray

from watchsync.compliance.steps import execution_order, steps_by_index
from watchsync.formats.fit_codes import INTENSITY_CODES, SPORT_CODES, exercise_codes
from watchsync.formats.fit_workout_write import write_fit_workout
from watchsync.model.athlete import DEFAULT_RPE_HR_PCT_LTHR, DEFAULT_RPE_SPEED_PCT, Athlete
from watchsync.model.workout import (
    DistanceDuration,
    HeartRateTarget,
    Intensity,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
    step_seconds,
)
from watchsync.rules import is_easy, speeds_for

Behaviour = Literal["follows", "too_hard", "cut_short", "skips_intervals", "late", "swapped_bike"]
FloatArray = NDArray[np.float64]

HR_TIME_CONSTANT_S = 40.0
HR_NOISE_BPM = 1.0
SPEED_NOISE = 0.05  # m/s
START_HR_ABOVE_REST = 25  # bpm: standing at the door, ready to go
#: A lap-button step lasts this long (uniform), around the 60 s the plan counts (rules.LAP_BUTTON_SECONDS):
#: a runner who follows a drills session is not told it ran 130 % of its volume.
LAP_BUTTON_SECONDS = (45, 75)
#: Families whose sessions move nowhere: the watch records no speed nor distance for them.
STATIONARY_FAMILIES = frozenset({"strength", "mobility"})
SURGE_ABOVE_CEILING_BPM = 8.0
SURGE_SPEED_FACTOR = 1.08
TOO_HARD_RPE_BONUS = 1.5
EASY_RPE = RpeTarget(low=3, high=3)
SWAP_SPORT = Sport.CYCLING
BIKE_SPEED = 7.5  # m/s
BIKE_CADENCE = 88.0
EASY_RPE_MAX = 4.0
#: Effort by intensity when a step has neither an HR/speed target nor an RPE: (% LTHR, % threshold speed).
INTENSITY_EFFORT: dict[Intensity, tuple[float, float]] = {
    Intensity.WARMUP: (80, 75), Intensity.COOLDOWN: (80, 75), Intensity.RECOVERY: (78, 70),
    Intensity.REST: (70, 40), Intensity.ACTIVE: (87, 82), Intensity.INTERVAL: (97, 100),
    Intensity.OTHER: (85, 80),
}
_RECORD_LOCAL_ID = 1  # fit-tool's builder uses local id 0 for everything else
_NUMPY_TYPES = {"UINT8": "u1", "UINT16": "<u2", "UINT32": "<u4", "SINT8": "i1", "SINT16": "<i2",
                "SINT32": "<i4"}


class SimulationSummary(TypedDict):
    """What the simulated activity contains, for assertions and the demo."""

    sport: str
    start: datetime
    duration_s: float
    distance_m: float
    avg_hr: int
    workout_rpe: float | None


@dataclass(frozen=True, slots=True)
class SimulatedActivity:
    """An activity FIT file and its summary."""

    fit: bytes
    summary: SimulationSummary


@dataclass(frozen=True, slots=True)
class _LapPlan:
    """One lap as executed: per-second effort (the HR the body tends to) and speed."""

    step_index: int | None
    intensity: Intensity
    rpe: float | None
    effort_hr: FloatArray
    speed: FloatArray


def late_start(planned: date, days_late: int, at: time = time(7, 0)) -> datetime:
    """Start time of an activity done ``days_late`` days after its planned date (UTC)."""
    return datetime.combine(planned + timedelta(days=days_late), at, tzinfo=UTC)


def simulate_activity(
    workout: Workout,
    athlete: Athlete,
    *,
    start: datetime,
    behaviour: Behaviour = "follows",
    seed: int = 0,
    above_ceiling_share: float = 0.25,
    completed_share: float = 0.60,
    embedded: bool = True,
) -> SimulatedActivity:
    """Simulate ``athlete`` executing the resolved ``workout`` from ``start``.

    ``above_ceiling_share``: for ``too_hard``, the share of each easy step (outside repeat blocks)
    spent above its HR ceiling.
    ``completed_share``: for ``cut_short``, the share of the planned time done before stopping.
    ``embedded``: the file carries the workout, as a watch records a run started from one; False: a
    plain activity without a workout (``swapped_bike`` never carries one).
    """
    rng = np.random.default_rng(seed)
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    if behaviour == "swapped_bike":
        sport = SWAP_SPORT
        laps = [_bike_lap(workout, athlete, rng)]
    else:
        sport = workout.sport
        laps = _workout_laps(workout, athlete, behaviour, rng, above_ceiling_share)
        if behaviour == "cut_short":
            laps = _cut(laps, completed_share)
    columns = _samples(laps, athlete, sport, start, rng)
    rpe = _reported_rpe(laps, behaviour)
    recorded = workout if embedded and behaviour != "swapped_bike" else None
    sets = _set_messages(workout, start, laps, numbered=recorded is not None) if behaviour != "swapped_bike" else []
    data = _encode(sport, start, laps, columns, rpe, recorded, serial=seed + 1, sets=sets)
    duration = float(len(columns["timestamp"]))
    summary = SimulationSummary(
        sport=sport.value,
        start=start,
        duration_s=duration,
        distance_m=float(np.sum(columns["speed"])),
        avg_hr=round(float(np.mean(columns["heart_rate"]))),
        workout_rpe=rpe,
    )
    return SimulatedActivity(fit=data, summary=summary)


# --- what the athlete does ----------------------------------------------------------------------


def _workout_laps(workout: Workout, athlete: Athlete, behaviour: Behaviour, rng: np.random.Generator,
                  above_ceiling_share: float) -> list[_LapPlan]:
    laps: list[_LapPlan] = []
    for planned in execution_order(workout):
        step = planned.step
        effort_step = _easy_version(step) if behaviour == "skips_intervals" and planned.in_repeat else step
        hr, speed = _effort(effort_step, athlete, workout.sport.family)
        seconds = _step_seconds(step, speed, rng)
        effort_hr = np.full(seconds, hr)
        speeds = np.full(seconds, speed)
        if behaviour == "too_hard" and is_easy(step, EASY_RPE_MAX) and not planned.in_repeat:
            _add_surge(effort_hr, speeds, _ceiling(step, hr), above_ceiling_share)
        rpe = _mid(effort_step.rpe) if effort_step.rpe else None
        laps.append(_LapPlan(planned.index, step.intensity, rpe, effort_hr, speeds))
    return laps


def _easy_version(step: Step) -> Step:
    """The step as an easy run (no target, RPE 3)."""
    return Step(intensity=step.intensity, duration=step.duration, rpe=EASY_RPE)


def _effort(step: Step, athlete: Athlete, family: str = "run") -> tuple[float, float]:
    """(HR the step drives towards in bpm, speed in m/s: the sport family's own, a swim's at swimming
    speed, as the planned estimate counts it)."""
    lthr = athlete.effective_lthr
    threshold_speed = (speeds_for(athlete).get(family) or athlete.easy_speed) / 0.80
    hr_pct, speed_pct = INTENSITY_EFFORT[step.intensity]
    if step.rpe is not None:
        hr_pct = _rpe_centre(step.rpe, DEFAULT_RPE_HR_PCT_LTHR)
        speed_pct = _rpe_centre(step.rpe, DEFAULT_RPE_SPEED_PCT)
    hr = hr_pct * lthr / 100
    speed = speed_pct * threshold_speed / 100
    if isinstance(step.target, HeartRateTarget):
        hr = (step.target.low + step.target.high) / 2
    if isinstance(step.target, SpeedTarget):
        speed = (step.target.low + step.target.high) / 2
    return hr, speed


def _rpe_centre(rpe: RpeTarget, table: dict[int, tuple[float, float]]) -> float:
    low = table[max(1, math.floor(rpe.low))][0]
    high = table[min(10, math.ceil(rpe.high))][1]
    return (low + high) / 2


def _mid(rpe: RpeTarget) -> float:
    return (rpe.low + rpe.high) / 2


def _ceiling(step: Step, effort_hr: float) -> float:
    if isinstance(step.target, HeartRateTarget):
        return step.target.high
    return effort_hr + 3


def _step_seconds(step: Step, speed: float, rng: np.random.Generator) -> int:
    duration = step.duration
    if isinstance(duration, TimeDuration):
        return max(1, round(duration.seconds))
    if isinstance(duration, DistanceDuration):
        return max(1, round(duration.meters / speed))
    if isinstance(duration, RepsDuration):
        return max(1, round(step_seconds(step)))  # the planned estimate: compliance compares with it
    return int(rng.integers(LAP_BUTTON_SECONDS[0], LAP_BUTTON_SECONDS[1] + 1))


def _add_surge(effort_hr: FloatArray, speeds: FloatArray, ceiling: float, share: float) -> None:
    """Drift above ``ceiling`` at the end of the step so that HR spends ``share`` of it above.

    HR needs ``delay`` seconds to climb from the step's effort to the ceiling, so the surge starts
    that much earlier than the wanted time above.
    """
    seconds = len(effort_hr)
    surge_hr = ceiling + SURGE_ABOVE_CEILING_BPM
    settled = float(effort_hr[0])
    delay = HR_TIME_CONSTANT_S * math.log((surge_hr - settled) / (surge_hr - ceiling))
    begin = max(0, round(seconds * (1 - share) - delay))
    effort_hr[begin:] = surge_hr
    speeds[begin:] *= SURGE_SPEED_FACTOR


def _cut(laps: list[_LapPlan], share: float) -> list[_LapPlan]:
    """Stop after ``share`` of the planned time: later laps dropped, the last one shortened."""
    remaining = max(1, round(sum(len(lap.effort_hr) for lap in laps) * share))
    kept: list[_LapPlan] = []
    for lap in laps:
        if remaining <= 0:
            break
        kept.append(replace(lap, effort_hr=lap.effort_hr[:remaining], speed=lap.speed[:remaining]))
        remaining -= len(lap.effort_hr)
    return kept


def _bike_lap(workout: Workout, athlete: Athlete, rng: np.random.Generator) -> _LapPlan:
    """An easy ride as long as the planned workout, instead of it."""
    seconds = round(workout.estimated_seconds(default_step_seconds=sum(LAP_BUTTON_SECONDS) / 2,
                                              seconds_per_meter=1 / athlete.easy_speed))
    hr, _ = _effort(Step(rpe=EASY_RPE), athlete)
    speed = np.full(seconds, BIKE_SPEED) + rng.normal(0, 0.3, seconds)
    return _LapPlan(None, Intensity.ACTIVE, _mid(EASY_RPE), np.full(seconds, hr), speed)


def _reported_rpe(laps: list[_LapPlan], behaviour: Behaviour) -> float | None:
    """Session RPE the athlete reports: the time-weighted step RPE, higher when done too hard."""
    rated = [(lap.rpe, len(lap.effort_hr)) for lap in laps if lap.rpe is not None]
    if not rated:
        return None
    mean = sum(rpe * seconds for rpe, seconds in rated) / sum(seconds for _, seconds in rated)
    if behaviour == "too_hard":
        mean += TOO_HARD_RPE_BONUS
    return float(min(10, max(1, round(mean))))


# --- what the watch records ---------------------------------------------------------------------


def _samples(laps: list[_LapPlan], athlete: Athlete, sport: Sport, start: datetime,
             rng: np.random.Generator) -> dict[str, FloatArray]:
    effort = np.concatenate([lap.effort_hr for lap in laps])
    seconds = len(effort)
    heart_rate = _first_order(effort, float(athlete.resting_hr + START_HR_ABOVE_REST), HR_TIME_CONSTANT_S)
    heart_rate = np.clip(np.round(heart_rate + rng.normal(0, HR_NOISE_BPM, seconds)), 30, athlete.max_hr)
    speed = np.clip(np.concatenate([lap.speed for lap in laps]) + rng.normal(0, SPEED_NOISE, seconds), 0.3, None)
    speed = np.round(speed, 3) if sport.family not in STATIONARY_FAMILIES else np.zeros(seconds)
    if sport.family == "bike":
        cadence = np.round(BIKE_CADENCE + rng.normal(0, 3, seconds))
    elif sport.family in STATIONARY_FAMILIES:
        cadence = np.zeros(seconds)
    else:
        cadence = np.round(75 + 4.5 * speed)  # strides per minute, as FIT stores running cadence
    return {
        "timestamp": start.timestamp() + np.arange(seconds, dtype=np.float64),
        "heart_rate": heart_rate,
        "speed": speed,
        "distance": np.concatenate(([0.0], np.cumsum(speed)[:-1])),
        "cadence": cadence,
    }


def _first_order(effort: FloatArray, level: float, tau: float) -> FloatArray:
    """Response of a first-order system to a piecewise-constant input, closed form per piece."""
    out = np.empty_like(effort)
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(effort)) + 1, [len(effort)]))
    for begin, end in pairwise(bounds):
        target = effort[begin]
        elapsed = np.arange(1, end - begin + 1, dtype=np.float64)
        out[begin:end] = target + (level - target) * np.exp(-elapsed / tau)
        level = float(out[end - 1])
    return out


# --- encoding -----------------------------------------------------------------------------------


def _encode(sport: Sport, start: datetime, laps: list[_LapPlan], columns: dict[str, FloatArray],
            rpe: float | None, workout: Workout | None, serial: int, sets: list[SetMessage]) -> bytes:
    start_ms = round(start.timestamp() * 1000)
    end_ms = start_ms + len(columns["timestamp"]) * 1000
    head = FitFileBuilder(auto_define=True)
    head.add(_file_id(start_ms, serial))
    head.add(_timer_event(start_ms, EventType.START))
    tail = FitFileBuilder(auto_define=True)
    if workout is not None:
        tail.add_all(_workout_messages(workout))
    tail.add(_timer_event(end_ms, EventType.STOP_ALL))
    tail.add_all(sets)
    tail.add_all(_lap_messages(sport, start_ms, laps, columns))
    tail.add(_session(sport, start_ms, end_ms, len(laps), columns, rpe))
    tail.add(_activity(end_ms, len(columns["timestamp"])))
    body = b"".join([*(r.to_bytes() for r in head.records), _records(columns),
                     *(r.to_bytes() for r in tail.records)])
    header: bytes = FitFileHeader(records_size=len(body), gen_crc=True).to_bytes()
    checksum: int = crc16(header + body)
    return header + body + checksum.to_bytes(2, "little")


def _file_id(start_ms: int, serial: int) -> FileIdMessage:
    message = FileIdMessage()
    message.type = FileType.ACTIVITY
    message.manufacturer = Manufacturer.DEVELOPMENT.value
    message.product = 0
    message.serial_number = serial
    message.time_created = start_ms
    return message


def _timer_event(timestamp_ms: int, kind: EventType) -> EventMessage:
    message = EventMessage()
    message.timestamp = timestamp_ms
    message.event = Event.TIMER
    message.event_type = kind
    return message


def _workout_messages(workout: Workout) -> list[Any]:
    """The compiled workout's messages (all but its file_id), as devices embed them."""
    records = FitFile.from_bytes(write_fit_workout(workout)).records
    return [r.message for r in records
            if not isinstance(r.message, DefinitionMessage | FileIdMessage)]


def _set_messages(workout: Workout, start: datetime, laps: list[_LapPlan], *, numbered: bool) -> list[SetMessage]:
    """A strength workout's sets as a watch writes them: one per lap of an exercise (active: the
    planned reps and weight, the exercise's category) or of a rest; numbered with their step when the
    watch ran the workout. No sets for a workout without exercises."""
    steps = steps_by_index(workout)
    if not any(step.exercise is not None for step in steps.values()):
        return []
    messages = []
    begin = round(start.timestamp() * 1000)
    for number, lap in enumerate(laps):
        seconds = len(lap.effort_hr)
        step = steps.get(lap.step_index) if lap.step_index is not None else None
        message = SetMessage()
        message.message_index = number
        message.start_time = begin
        message.timestamp = begin + seconds * 1000
        message.duration = float(seconds)
        message.set_type = SetType.REST if lap.intensity is Intensity.REST else SetType.ACTIVE
        if step is not None and step.exercise is not None and lap.intensity is not Intensity.REST:
            message.category = [exercise_codes(step.exercise)[0]]
            if isinstance(step.duration, RepsDuration):
                message.repetitions = step.duration.reps
            if step.weight_kg is not None:
                message.weight = step.weight_kg
        if numbered and lap.step_index is not None:
            message.workout_step_index = lap.step_index
        messages.append(message)
        begin += seconds * 1000
    return messages


def _lap_messages(sport: Sport, start_ms: int, laps: list[_LapPlan],
                  columns: dict[str, FloatArray]) -> list[LapMessage]:
    fit_sport, fit_sub_sport = SPORT_CODES[sport]
    messages = []
    begin = 0
    for number, lap in enumerate(laps):
        end = begin + len(lap.effort_hr)
        message = LapMessage()
        message.message_index = number
        message.event = Event.LAP
        message.event_type = EventType.STOP
        message.start_time = start_ms + begin * 1000
        message.timestamp = start_ms + end * 1000
        message.sport = fit_sport
        message.sub_sport = fit_sub_sport
        message.intensity = INTENSITY_CODES[lap.intensity]
        message.lap_trigger = LapTrigger.SESSION_END if number == len(laps) - 1 else LapTrigger.TIME
        if lap.step_index is not None:
            message.workout_step_index = lap.step_index
        _set_totals(message, columns, begin, end)
        messages.append(message)
        begin = end
    return messages


def _set_totals(message: LapMessage | SessionMessage, columns: dict[str, FloatArray],
                begin: int, end: int) -> None:
    speed = columns["speed"][begin:end]
    heart_rate = columns["heart_rate"][begin:end]
    message.total_elapsed_time = float(end - begin)
    message.total_timer_time = float(end - begin)
    if np.any(speed):
        message.total_distance = float(np.sum(speed))
        message.avg_speed = float(np.mean(speed))
        message.max_speed = float(np.max(speed))
    message.avg_heart_rate = round(float(np.mean(heart_rate)))
    message.max_heart_rate = round(float(np.max(heart_rate)))
    if np.any(columns["cadence"][begin:end]):
        message.avg_cadence = round(float(np.mean(columns["cadence"][begin:end])))


def _session(sport: Sport, start_ms: int, end_ms: int, lap_count: int, columns: dict[str, FloatArray],
             rpe: float | None) -> SessionMessage:
    message = SessionMessage()
    message.event = Event.SESSION
    message.event_type = EventType.STOP
    message.timestamp = end_ms
    message.start_time = start_ms
    message.sport, message.sub_sport = SPORT_CODES[sport]
    message.first_lap_index = 0
    message.num_laps = lap_count
    message.trigger = SessionTrigger.ACTIVITY_END
    _set_totals(message, columns, 0, len(columns["timestamp"]))
    if rpe is not None:
        message.workout_rpe = round(rpe * 10)
    return message


def _activity(end_ms: int, seconds: int) -> ActivityMessage:
    message = ActivityMessage()
    message.timestamp = end_ms
    message.total_timer_time = float(seconds)
    message.num_sessions = 1
    message.type = FitActivityType.MANUAL
    message.event = Event.ACTIVITY
    message.event_type = EventType.STOP
    return message


def _records(columns: dict[str, FloatArray]) -> bytes:
    """Definition + all record messages, encoded column-wise with fit-tool's field definitions."""
    values = {name: column * 1000 if name == "timestamp" else column  # fit-tool date_time fields take ms
              for name, column in columns.items()
              if name not in ("speed", "distance", "cadence") or np.any(column)}  # strength: none of them
    sample = RecordMessage(local_id=_RECORD_LOCAL_ID)
    for name, column in values.items():
        setattr(sample, name, float(column[0]))  # fit-tool defines the fields that have a value
    definition = DefinitionMessage.from_data_message(sample)
    sample.set_definition_message(definition)
    names = {sample.get_field_by_name(name).field_id: name for name in values}
    dtype = np.dtype([("header", "u1")] + [
        (names[fd.field_id], _NUMPY_TYPES[fd.base_type.name]) for fd in definition.field_definitions
    ])
    table = np.zeros(len(columns["timestamp"]), dtype=dtype)
    table["header"] = Record.from_message(sample).to_bytes()[0]
    for name, column in values.items():
        field = sample.get_field_by_name(name)
        scale = field.scale if field.scale is not None else 1.0
        offset = field.offset if field.offset is not None else 0.0
        table[name] = np.round((column + offset) * scale)
    return bytes(Record.from_message(definition).to_bytes()) + table.tobytes()
