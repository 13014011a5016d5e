"""FIT workout file → workout model (fitdecode, tolerant: CRCs are not checked).

Raw values are read by field number and FIT's offsets removed here: HR ≤ 100 is % of max HR
(→ ``hr_pct_max``), above it bpm + 100; power ≤ 1000 is % of FTP (→ ``power_pct_ftp``), above it
W + 1000; a non-zero ``target_value`` is a zone. Averaged variants (``power_3s``, ``power_lap``,
``heart_rate_lap``, ``speed_lap``, …) read as their plain target. An ``RPE n`` cue at the start of
the notes (as :mod:`watchsync.resolve` writes it) becomes the step's ``rpe``.

What the model cannot hold is kept as text instead of being dropped:

- conditional repeats (``repeat_until_hr_greater_than``, ``…_time``, ``…_power_…``) become a Repeat
  of at most :data:`CONDITIONAL_REPEAT_MAX_COUNT` runs whose name states the condition
  (``Rep – until HR > 80% max``): the athlete stops early by hand;
- end conditions without a model duration (power thresholds, TSS, HR in % of max) become a
  lap-button step with the condition appended to the notes;
- targets without a model target (grade, resistance, swim stroke, cadence zones) become open
  targets, noted likewise.

``num_valid_steps`` is ignored: writers disagree on whether it counts repeat steps. FIT cannot say
``skip_last_rest``; it reads as False.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fitdecode
from fit_tool.profile.profile_type import FileType
from fit_tool.profile.profile_type import WorkoutStepDuration as Dur
from fit_tool.profile.profile_type import WorkoutStepTarget as Tgt
from pydantic import ValidationError

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.fit_codes import (
    CM_PER_METER,
    EXERCISE_WEIGHT_SCALE,
    HR_OFFSET,
    INTENSITY_BY_CODE,
    MM_PER_METER,
    MS_PER_SECOND,
    POWER_OFFSET,
    exercise_from_codes,
    sport_from_codes,
)
from watchsync.model.workout import (
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Duration,
    Exercise,
    HeartRateDuration,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Step,
    Target,
    TimeDuration,
    Workout,
)

CONDITIONAL_REPEAT_MAX_COUNT = 10
_MAX_NAME = 200
EXPECTED = "a FIT workout file"

_FILE_ID, _WORKOUT, _WORKOUT_STEP = 0, 26, 27
# field numbers
_FILE_TYPE = 0
_WKT_SPORT, _WKT_NAME, _WKT_SUB_SPORT, _WKT_DESCRIPTION = 4, 8, 11, 17
(_STEP_NAME, _DURATION_TYPE, _DURATION_VALUE, _TARGET_TYPE, _TARGET_VALUE, _CUSTOM_LOW, _CUSTOM_HIGH,
 _INTENSITY, _NOTES) = range(9)
_EXERCISE_CATEGORY, _EXERCISE_NAME, _EXERCISE_WEIGHT = 10, 11, 12
_MESSAGE_INDEX = 254
_MESSAGE_INDEX_MASK = 0x0FFF
_UNKNOWN_EXERCISE_CATEGORY = 65534

_RPE_CUE = re.compile(r"^RPE (\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?(?=\s|\.|$)")

_HR_TARGETS = {Tgt.HEART_RATE.value, Tgt.HEART_RATE_LAP.value}
_SPEED_TARGETS = {Tgt.SPEED.value, Tgt.SPEED_LAP.value}
_POWER_TARGETS = {Tgt.POWER.value, Tgt.POWER_3S.value, Tgt.POWER_10S.value, Tgt.POWER_30S.value,
                  Tgt.POWER_LAP.value}
_REPEAT_DURATIONS = {kind.value for kind in Dur if kind.name.startswith("REPEAT_UNTIL")}
_TIME_DURATIONS = {Dur.TIME.value, Dur.REPETITION_TIME.value, Dur.TIME_ONLY.value}
_POWER_LESS = {Dur.POWER_LESS_THAN: "power", Dur.POWER_3S_LESS_THAN: "3s power",
               Dur.POWER_10S_LESS_THAN: "10s power", Dur.POWER_30S_LESS_THAN: "30s power",
               Dur.POWER_LAP_LESS_THAN: "lap power"}
_POWER_GREATER = {Dur.POWER_GREATER_THAN: "power", Dur.POWER_3S_GREATER_THAN: "3s power",
                  Dur.POWER_10S_GREATER_THAN: "10s power", Dur.POWER_30S_GREATER_THAN: "30s power",
                  Dur.POWER_LAP_GREATER_THAN: "lap power"}

Fields = dict[int, Any]


@dataclass(frozen=True)
class _Entry:
    """A decoded block and the message_index of its first step message."""

    start: int
    block: Step | Repeat


def read_fit_workout(data: bytes | Path, messages: list[str] | None = None) -> Workout:
    """Import a FIT workout file; raises :class:`WorkoutFormatError` when it is not one."""
    path = str(data) if isinstance(data, Path) else "<bytes>"
    try:
        raw = data.read_bytes() if isinstance(data, Path) else data
    except OSError as error:
        raise WorkoutFormatError(path, 1, 1, f"cannot read file: {error.strerror}", EXPECTED) from None
    if not raw:
        raise WorkoutFormatError(path, 1, 1, "file is empty", EXPECTED)
    messages = _decode(raw, path)
    file_ids = messages.get(_FILE_ID, [])
    file_type = file_ids[0].get(_FILE_TYPE) if file_ids else None
    if file_type != FileType.WORKOUT.value:
        raise WorkoutFormatError(path, 1, 1, f"FIT file type is {_enum_name(FileType, file_type)}, not workout",
                                 EXPECTED)
    workouts = messages.get(_WORKOUT, [{}])
    step_fields = messages.get(_WORKOUT_STEP, [])
    if not step_fields:
        raise WorkoutFormatError(path, 1, 1, "FIT workout has no workout_step messages", EXPECTED)
    fallback_name = data.stem if isinstance(data, Path) else "FIT workout"
    return _workout(workouts[0], step_fields, path, fallback_name)


def _decode(raw: bytes, path: str) -> dict[int, list[Fields]]:
    messages: dict[int, list[Fields]] = {}
    try:
        reader = fitdecode.FitReader(io.BytesIO(raw), check_crc=fitdecode.CrcCheck.DISABLED,
                                     error_handling=fitdecode.ErrorHandling.RAISE)
        with reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    fields = {field.def_num: field.raw_value for field in frame.fields}
                    messages.setdefault(frame.global_mesg_num, []).append(fields)
    except fitdecode.FitError as error:
        raise WorkoutFormatError(path, 1, 1, f"not a readable FIT file: {error}", EXPECTED) from None
    return messages


def _enum_name(enum: Any, value: object) -> str:
    """Lower-case FIT name of an enum value, or the number when this profile does not know it."""
    if value is None:
        return "missing"
    try:
        return str(enum(value).name.lower())
    except ValueError:
        return str(value)


def _workout(fields: Fields, step_fields: list[Fields], path: str, fallback_name: str) -> Workout:
    indexed = sorted(((_message_index(f, position), f) for position, f in enumerate(step_fields)),
                     key=lambda pair: pair[0])
    entries: list[_Entry] = []
    for index, step in indexed:
        try:
            if step.get(_DURATION_TYPE) in _REPEAT_DURATIONS:
                _close_repeat(entries, index, step)
            else:
                entries.append(_Entry(index, _step(step)))
        except (ValueError, ValidationError) as error:
            raise WorkoutFormatError(path, 1, 1, f"workout_step {index}: {_reason(error)}", EXPECTED) from None
    try:
        return Workout(
            name=_text(fields.get(_WKT_NAME), _MAX_NAME) or fallback_name,
            sport=sport_from_codes(fields.get(_WKT_SPORT), fields.get(_WKT_SUB_SPORT)),
            description=_text(fields.get(_WKT_DESCRIPTION)),
            steps=[entry.block for entry in entries],
        )
    except ValidationError as error:
        raise WorkoutFormatError(path, 1, 1, f"workout: {_reason(error)}", EXPECTED) from None


def _message_index(fields: Fields, position: int) -> int:
    """The step's message_index (its low 12 bits; the top bit flags a selected step), else its position."""
    value = fields.get(_MESSAGE_INDEX)
    return value & _MESSAGE_INDEX_MASK if isinstance(value, int) else position


def _reason(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(error)


def _duration_kind(duration_type: int) -> Dur | None:
    try:
        return Dur(duration_type)
    except ValueError:
        return None


def _close_repeat(entries: list[_Entry], index: int, fields: Fields) -> None:
    """Fold the entries from the repeat's first step onwards into one Repeat block."""
    first = fields.get(_DURATION_VALUE)
    if first is None or first >= index:
        raise ValueError(f"repeat points at step {first}, which does not come before it")
    cut = next((i for i, entry in enumerate(entries) if entry.start >= first), len(entries))
    if cut == len(entries) or entries[cut].start != first:
        raise ValueError(f"repeat points at step {first}, which does not start a block")
    block = [entry.block for entry in entries[cut:]]
    del entries[cut:]
    kind = Dur(fields[_DURATION_TYPE])
    name = _text(fields.get(_STEP_NAME), _MAX_NAME)
    value = fields.get(_TARGET_VALUE)
    if kind is Dur.REPEAT_UNTIL_STEPS_CMPLT:
        repeat = Repeat(count=value or 1, steps=block, name=name)
    else:
        condition = _repeat_condition(kind, value)
        repeat = Repeat(count=CONDITIONAL_REPEAT_MAX_COUNT, steps=block,
                        name=f"{name or 'Repeat'} – until {condition}"[:_MAX_NAME])
    entries.append(_Entry(first, repeat))


def _repeat_condition(kind: Dur, value: int | None) -> str:
    amount = value or 0
    match kind:
        case Dur.REPEAT_UNTIL_TIME:
            return f"{amount / MS_PER_SECOND:g} s"
        case Dur.REPEAT_UNTIL_DISTANCE:
            return f"{amount / CM_PER_METER:g} m"
        case Dur.REPEAT_UNTIL_CALORIES:
            return f"{amount} kcal"
        case Dur.REPEAT_UNTIL_HR_LESS_THAN:
            return f"HR < {_hr_text(amount)}"
        case Dur.REPEAT_UNTIL_HR_GREATER_THAN:
            return f"HR > {_hr_text(amount)}"
        case Dur.REPEAT_UNTIL_POWER_LESS_THAN:
            return f"power < {_power_text(amount)}"
        case Dur.REPEAT_UNTIL_POWER_GREATER_THAN:
            return f"power > {_power_text(amount)}"
        case Dur.REPEAT_UNTIL_POWER_LAST_LAP_LESS_THAN:
            return f"last lap power < {_power_text(amount)}"
        case Dur.REPEAT_UNTIL_MAX_POWER_LAST_LAP_LESS_THAN:
            return f"last lap max power < {_power_text(amount)}"
        case _:
            return f"TSS {amount / 10:g}"


def _hr_text(raw: int) -> str:
    return f"{raw}% max" if raw <= HR_OFFSET else f"{raw - HR_OFFSET} bpm"


def _power_text(raw: int) -> str:
    return f"{raw}% FTP" if raw <= POWER_OFFSET else f"{raw - POWER_OFFSET} W"


def _step(fields: Fields) -> Step:
    remarks: list[str] = []
    duration = _duration(fields.get(_DURATION_TYPE), fields.get(_DURATION_VALUE), remarks)
    target = _target(fields, remarks)
    exercise = _exercise(fields, remarks)
    weight = fields.get(_EXERCISE_WEIGHT)
    notes = "; ".join(filter(None, [_text(fields.get(_NOTES)), *remarks])) or None
    intensity = fields.get(_INTENSITY)
    return Step(
        intensity=INTENSITY_BY_CODE.get(intensity, Intensity.OTHER) if intensity is not None else Intensity.ACTIVE,
        duration=duration,
        target=target,
        name=_text(fields.get(_STEP_NAME), _MAX_NAME),
        notes=notes,
        rpe=_rpe_from_cue(notes),
        exercise=exercise,
        weight_kg=weight / EXERCISE_WEIGHT_SCALE if exercise is not None and weight is not None else None,
    )


def _duration(duration_type: int | None, value: int | None, remarks: list[str]) -> Duration:
    if duration_type is None or not value:
        return LapButton()
    if duration_type in _TIME_DURATIONS:
        return TimeDuration(seconds=value / MS_PER_SECOND)
    kind = _duration_kind(duration_type)
    match kind:
        case Dur.DISTANCE:
            return DistanceDuration(meters=value / CM_PER_METER)
        case Dur.CALORIES:
            return CaloriesDuration(kcal=value)
        case Dur.REPS:
            return RepsDuration(reps=value)
        case Dur.HR_LESS_THAN | Dur.HR_GREATER_THAN if value > HR_OFFSET:
            return HeartRateDuration(kind="hr_below" if kind is Dur.HR_LESS_THAN else "hr_above",
                                     bpm=value - HR_OFFSET)
        case Dur.HR_LESS_THAN | Dur.HR_GREATER_THAN:
            sign = "<" if kind is Dur.HR_LESS_THAN else ">"
            remarks.append(f"until HR {sign} {_hr_text(value)} (imported as lap button)")
        case Dur.OPEN:
            pass
        case _ if kind in _POWER_LESS:
            remarks.append(f"until {_POWER_LESS[kind]} < {_power_text(value)} (imported as lap button)")
        case _ if kind in _POWER_GREATER:
            remarks.append(f"until {_POWER_GREATER[kind]} > {_power_text(value)} (imported as lap button)")
        case Dur.TRAINING_PEAKS_TSS:
            remarks.append(f"until TSS {value / 10:g} (imported as lap button)")
        case _:
            remarks.append(f"unknown end condition {duration_type} (imported as lap button)")
    return LapButton()


def _target(fields: Fields, remarks: list[str]) -> Target:
    target_type = fields.get(_TARGET_TYPE)
    zone = fields.get(_TARGET_VALUE) or 0
    low, high = fields.get(_CUSTOM_LOW) or 0, fields.get(_CUSTOM_HIGH) or 0
    if target_type is None or target_type == Tgt.OPEN.value or (not zone and not low and not high):
        return OpenTarget()
    if target_type in _HR_TARGETS:
        if zone:
            return HeartRateZoneTarget(zone=zone)
        return _offset_range(low, high, HR_OFFSET, HeartRateTarget, HeartRatePercentMaxTarget, "heart rate")
    if target_type in _POWER_TARGETS:
        if zone:
            return PowerZoneTarget(zone=zone)
        return _offset_range(low, high, POWER_OFFSET, PowerTarget, PowerPercentFtpTarget, "power")
    if target_type in _SPEED_TARGETS:
        if zone:
            return PaceZoneTarget(zone=zone)
        return SpeedTarget(low=low / MM_PER_METER, high=high / MM_PER_METER)
    if target_type == Tgt.CADENCE.value and not zone:
        return CadenceTarget(low=low, high=high)
    remarks.append(f"target {_enum_name(Tgt, target_type)} {zone or f'{low}-{high}'} (imported as open)")
    return OpenTarget()


def _offset_range(low: int, high: int, offset: int, absolute: type[HeartRateTarget] | type[PowerTarget],
                  percent: type[HeartRatePercentMaxTarget] | type[PowerPercentFtpTarget],
                  what: str) -> Target:
    if low > offset and high > offset:
        return absolute(low=low - offset, high=high - offset)
    if low <= offset and high <= offset:
        return percent(low=low, high=high)
    raise ValueError(f"{what} range {low}-{high} mixes a percentage and an absolute value")


def _exercise(fields: Fields, remarks: list[str]) -> Exercise | None:
    category = fields.get(_EXERCISE_CATEGORY)
    if category is None or category == _UNKNOWN_EXERCISE_CATEGORY:
        return None
    exercise = exercise_from_codes(category, fields.get(_EXERCISE_NAME))
    if exercise is None:
        remarks.append(f"exercise category {category} name {fields.get(_EXERCISE_NAME)} (unknown to watchsync)")
    return exercise


def _rpe_from_cue(notes: str | None) -> RpeTarget | None:
    match = _RPE_CUE.match(notes or "")
    if match is None:
        return None
    low = float(match.group(1))
    high = float(match.group(2) or low)
    if not 1 <= low <= high <= 10:
        return None
    return RpeTarget(low=low, high=high)


def _text(value: object, limit: int | None = None) -> str | None:
    """A FIT string without padding, cut to the model's limit (FIT allows 254 bytes, names hold 200)."""
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ")[:limit].rstrip() or None
