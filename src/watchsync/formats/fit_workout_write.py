"""Resolved workout → FIT workout file bytes (fit-tool).

Layout, as Garmin devices write it: ``file_id`` (type workout), one ``workout`` message, then one
``workout_step`` per step with an explicit ``message_index``. A repeat is its own step placed after
its block (``repeat_until_steps_cmplt``, pointing at the block's first step, target = run count);
``num_valid_steps`` counts every step message, repeat steps included. Raw FIT units and offsets
(ms, cm, mm/s, bpm + 100, W + 1000) are applied by fit-tool's sub-field setters, which is why each
``duration_type`` / ``target_type`` is set before its value. ``time_created`` and the serial number
derive from a hash of the workout, so the same workout always gives the same bytes and different
workouts give different files. Strings longer than FIT's 254 bytes are cut at a character boundary.
A secondary target goes to the ``secondary_*`` fields; a swim stroke is the step's
``swim_stroke`` target (its secondary one when the step has another target, its notes when the step
has two; "any" stroke is no target), equipment the ``equipment`` field, the pool length ``pool_length`` (metres) with
``pool_length_unit``; a ramp and timed prompts are spelt out in the notes (watches hold a range).
FIT has no "skip the last rest" flag: ``skip_last_rest`` is not written, so the step numbering stays
the one Garmin Connect and :mod:`watchsync.compliance.steps` use.

fit-tool's file validator is not run per file: the model bounds every value to what its FIT field
holds, so its findings depend only on this module's code, which the tests decode with Garmin's SDK
for every duration, target, sport and exercise kind (an exhaustive sweep of the validator over those
kinds found nothing; it cost a third of the encode time).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from fit_tool.fit_file import FitFile
from fit_tool.fit_file_builder import FitFileBuilder, calc_records_size
from fit_tool.fit_file_header import FitFileHeader, ProtocolVersion
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    DisplayMeasure,
    FileType,
    Manufacturer,
    SwimStroke,
    WorkoutEquipment,
    WorkoutStepDuration,
    WorkoutStepTarget,
)
from fit_tool.profile.profile_type import FitBaseUnit as WeightUnit
from fit_tool.record import Record

from watchsync.formats.connect_json import step_notes
from watchsync.formats.fit_codes import HR_OFFSET, INTENSITY_CODES, POWER_OFFSET, SPORT_CODES, exercise_codes
from watchsync.model.workout import (
    CONCRETE_TARGETS,
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Duration,
    HeartRateDuration,
    HeartRateTarget,
    HeartRateZoneTarget,
    LapButton,
    OpenTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepeatUntil,
    RepsDuration,
    SpeedTarget,
    Step,
    Target,
    TimeDuration,
    Workout,
)

SWIM_STROKES: dict[str, SwimStroke] = {"free": SwimStroke.FREESTYLE, "back": SwimStroke.BACKSTROKE,
                                       "breast": SwimStroke.BREASTSTROKE, "fly": SwimStroke.BUTTERFLY,
                                       "drill": SwimStroke.DRILL, "mixed": SwimStroke.MIXED, "im": SwimStroke.IM}
EQUIPMENT: dict[str, WorkoutEquipment] = {"fins": WorkoutEquipment.SWIM_FINS,
                                          "kickboard": WorkoutEquipment.SWIM_KICKBOARD,
                                          "paddles": WorkoutEquipment.SWIM_PADDLES,
                                          "pull_buoy": WorkoutEquipment.SWIM_PULL_BUOY,
                                          "snorkel": WorkoutEquipment.SWIM_SNORKEL}
METERS_PER_YARD = 0.9144
MAX_STRING_BYTES = 254  # FIT string fields hold 255 bytes including the terminating NUL
#: Derived ``time_created`` values fall in 2010..2020: clearly synthetic, never in the future.
DERIVED_TIME_BASE = datetime(2010, 1, 1, tzinfo=UTC)
DERIVED_TIME_SPAN_SECONDS = 10 * 365 * 86_400


#: The FIT protocol of the files written (Garmin's SDK encoder: 2.0).
PROTOCOL_VERSION = ProtocolVersion(2, 0)


def write_fit_workout(workout: Workout, *, time_created: datetime | None = None,
                      serial_number: int | None = None) -> bytes:
    """Encode a resolved workout as a FIT workout file.

    Raises ``ValueError`` naming the step (``step 2.1``) when a target is not concrete or an
    exercise is not in the FIT profile.
    """
    created, serial = time_created, serial_number
    if created is None or serial is None:  # derived from the workout: hash it only when needed
        digest = hashlib.sha256(workout.model_dump_json().encode()).digest()
        created = created if created is not None else _derived_time(digest)
        serial = serial if serial is not None else int.from_bytes(digest[8:12]) or 1
    steps: list[WorkoutStepMessage] = []
    _add_blocks(workout.steps, steps, "")

    builder = FitFileBuilder(auto_define=True)
    builder.add(_file_id(created, serial))
    builder.add(_workout_message(workout, len(steps)))
    builder.add_all(steps)
    return fit_bytes(builder.records)


def fit_bytes(records: list[Record]) -> bytes:
    """The file of ``records`` with the header Garmin's own encoder writes: 14 bytes with their CRC, protocol
    2.0 (fit-tool 0.9.16's default, "2.3", is no FIT protocol; its 0.9.17 writes 2.0, as this does)."""
    header = FitFileHeader(records_size=calc_records_size(records), protocol_version=PROTOCOL_VERSION, gen_crc=True)
    data: bytes = FitFile(header, records).to_bytes()
    return data


def _derived_time(digest: bytes) -> datetime:
    offset = int.from_bytes(digest[:8]) % DERIVED_TIME_SPAN_SECONDS
    return datetime.fromtimestamp(DERIVED_TIME_BASE.timestamp() + offset, UTC)


def _file_id(created: datetime, serial: int) -> FileIdMessage:
    message = FileIdMessage()
    message.type = FileType.WORKOUT
    message.manufacturer = Manufacturer.DEVELOPMENT.value
    message.product = 0
    message.serial_number = serial
    message.time_created = round(created.timestamp()) * 1000  # fit-tool takes Unix milliseconds
    return message


def _workout_message(workout: Workout, step_count: int) -> WorkoutMessage:
    message = WorkoutMessage()
    message.workout_name = _fit_string(workout.name)
    sport, sub_sport = SPORT_CODES[workout.sport]
    message.sport = sport
    message.sub_sport = sub_sport
    message.num_valid_steps = step_count
    if workout.description:
        message.workout_description = _fit_string(workout.description)
    if workout.pool_length is not None:
        yards = workout.pool_length_unit == "yd"
        message.pool_length = workout.pool_length * (METERS_PER_YARD if yards else 1.0)  # metres, scale 100
        message.pool_length_unit = DisplayMeasure.STATUTE if yards else DisplayMeasure.METRIC
    return message


def _add_blocks(blocks: list[Step | Repeat], out: list[WorkoutStepMessage], prefix: str) -> None:
    for number, block in enumerate(blocks, start=1):
        where = f"{prefix}{number}"
        if isinstance(block, Step):
            out.append(_step_message(block, len(out), where))
        else:
            first_index = len(out)
            _add_blocks(block.steps, out, f"{where}.")
            out.append(_repeat_message(block, len(out), first_index))


def _repeat_message(repeat: Repeat, index: int, first_index: int) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    if repeat.name:
        message.workout_step_name = _fit_string(repeat.name)
    if repeat.until is not None:
        return _conditional_repeat(message, repeat.until, first_index)
    message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
    message.target_type = WorkoutStepTarget.OPEN
    message.duration_step = first_index
    message.target_repeat_steps = repeat.count
    return message


#: A conditional repeat's FIT duration type, and how its value is written (raw units, FIT offsets).
_UNTIL: dict[str, WorkoutStepDuration] = {
    "hr_above": WorkoutStepDuration.REPEAT_UNTIL_HR_GREATER_THAN,
    "hr_below": WorkoutStepDuration.REPEAT_UNTIL_HR_LESS_THAN,
    "time": WorkoutStepDuration.REPEAT_UNTIL_TIME,
    "distance": WorkoutStepDuration.REPEAT_UNTIL_DISTANCE,
    "calories": WorkoutStepDuration.REPEAT_UNTIL_CALORIES,
    "power_above": WorkoutStepDuration.REPEAT_UNTIL_POWER_GREATER_THAN,
    "power_below": WorkoutStepDuration.REPEAT_UNTIL_POWER_LESS_THAN,
}


def _conditional_repeat(message: WorkoutStepMessage, until: RepeatUntil, first_index: int) -> WorkoutStepMessage:
    """The raw FIT fields: the block's first step in ``duration_value``, the condition in ``target_value``."""
    message.duration_type = _UNTIL[until.kind]
    message.target_type = (WorkoutStepTarget.HEART_RATE if until.kind.startswith("hr")  # as the FIT SDK's example
                           else WorkoutStepTarget.POWER if until.kind.startswith("power") else WorkoutStepTarget.OPEN)
    message.duration_value = first_index
    if until.unit in ("s", "m"):
        # fit-tool scales these itself (repeat_until_time: s → ms, repeat_until_distance: m → cm)
        message.target_value = until.value
        return message
    raw = {"bpm": until.value + HR_OFFSET, "pct_max": until.value, "w": until.value + POWER_OFFSET,
           "pct_ftp": until.value, "kcal": until.value}[until.unit]
    message.target_value = round(raw)
    return message


def _step_message(step: Step, index: int, where: str) -> WorkoutStepMessage:
    if not isinstance(step.target, CONCRETE_TARGETS):
        raise ValueError(f"step {where}: target {step.target.kind!r} is not resolved; "
                         "resolve the workout for an athlete first")
    message = WorkoutStepMessage()
    message.message_index = index
    if step.name:
        message.workout_step_name = _fit_string(step.name)
    notes = step_notes(step)
    stroke = SWIM_STROKES.get(step.stroke) if step.stroke else None
    if stroke is not None and not isinstance(step.target, OpenTarget) and step.secondary is not None:
        notes = " · ".join(filter(None, [notes, f"{step.stroke} stroke"]))  # both target slots taken
    if notes:
        message.notes = _fit_string(notes)
    message.intensity = INTENSITY_CODES[step.intensity]
    _set_duration(message, step.duration)
    _set_target(message, step.target)
    if step.secondary is not None:
        if not isinstance(step.secondary, CONCRETE_TARGETS):
            raise ValueError(f"step {where}: secondary target {step.secondary.kind!r} is not resolved")
        _set_target(message, step.secondary, "secondary_")
    if stroke is not None:
        if isinstance(step.target, OpenTarget):
            message.target_type = WorkoutStepTarget.SWIM_STROKE
            message.target_stroke_type = stroke
        elif step.secondary is None:
            message.secondary_target_type = WorkoutStepTarget.SWIM_STROKE
            message.secondary_target_stroke_type = stroke
    if step.equipment is not None:
        message.equipment = EQUIPMENT[step.equipment]
    if step.exercise is not None:
        try:
            category, name = exercise_codes(step.exercise)
        except KeyError as error:
            raise ValueError(f"step {where}: {error.args[0]}") from None
        message.exercise_category = category
        if name is not None:
            message.exercise_name = name
    if step.weight_kg is not None:
        message.exercise_weight = step.weight_kg
        message.weight_display_unit = (WeightUnit.POUND if step.weight_unit == "lb" else WeightUnit.KILOGRAM).value
    return message


def _set_duration(message: WorkoutStepMessage, duration: Duration) -> None:
    """Type first, then the value through its sub-field (which applies the FIT scale)."""
    match duration:
        case TimeDuration(seconds=seconds):
            message.duration_type = WorkoutStepDuration.TIME
            message.duration_time = seconds
        case DistanceDuration(meters=meters):
            message.duration_type = WorkoutStepDuration.DISTANCE
            message.duration_distance = meters
        case LapButton():
            message.duration_type = WorkoutStepDuration.OPEN
        case RepsDuration(reps=reps):
            message.duration_type = WorkoutStepDuration.REPS
            message.duration_reps = reps
        case HeartRateDuration(kind=kind, bpm=bpm):
            message.duration_type = (WorkoutStepDuration.HR_LESS_THAN if kind == "hr_below"
                                     else WorkoutStepDuration.HR_GREATER_THAN)
            message.duration_hr = bpm + HR_OFFSET
        case CaloriesDuration(kcal=kcal):
            message.duration_type = WorkoutStepDuration.CALORIES
            message.duration_calories = kcal


def _set_target(message: WorkoutStepMessage, target: Target, prefix: str = "") -> None:
    """Type first; ``target_value`` 0 means the custom low/high range is used. ``prefix`` =
    ``secondary_`` sets the secondary target (the same fields under that prefix)."""

    def put(name: str, value: object) -> None:
        setattr(message, prefix + name, value)

    match target:
        case HeartRateZoneTarget(zone=zone):
            put("target_type", WorkoutStepTarget.HEART_RATE)
            put("target_hr_zone", zone)
        case PowerZoneTarget(zone=zone):
            put("target_type", WorkoutStepTarget.POWER)
            put("target_power_zone", zone)
        case HeartRateTarget(low=low, high=high):
            put("target_type", WorkoutStepTarget.HEART_RATE)
            put("target_value", 0)
            put("custom_target_heart_rate_low", round(low) + HR_OFFSET)
            put("custom_target_heart_rate_high", round(high) + HR_OFFSET)
        case SpeedTarget(low=low, high=high):
            put("target_type", WorkoutStepTarget.SPEED)
            put("target_value", 0)
            put("custom_target_speed_low", low)
            put("custom_target_speed_high", high)
        case PowerTarget(low=low, high=high):
            put("target_type", WorkoutStepTarget.POWER)
            put("target_value", 0)
            # a 0 W floor is "no lower bound" (0): offset, it would be 1000, the boundary between % and W
            put("custom_target_power_low", round(low) + POWER_OFFSET if round(low) > 0 else 0)
            put("custom_target_power_high", round(high) + POWER_OFFSET)
        case CadenceTarget(low=low, high=high):
            put("target_type", WorkoutStepTarget.CADENCE)
            put("target_value", 0)
            put("custom_target_cadence_low", round(low))
            put("custom_target_cadence_high", round(high))
        case OpenTarget():
            put("target_type", WorkoutStepTarget.OPEN)
            put("target_value", 0)


def _fit_string(text: str) -> str:
    encoded = text.replace("\x00", " ").encode()
    return encoded[:MAX_STRING_BYTES].decode(errors="ignore")

