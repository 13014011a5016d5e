"""Decoder-neutral intermediate form and its conversion to the typed model.

Both decoders produce a `RawDecode`: non-record messages as dicts keyed by
profile field name (enums as names, date_time fields as Unix seconds, sub-fields
folded back into their main field with the raw value) and record fields as
float64 columns keyed by profile field name.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np

from watchsync.activity.clock import rebase_clock
from watchsync.activity.hr import HrColumns, fill_heart_rate
from watchsync.activity.model import (
    Activity,
    ActivityInfo,
    Decoder,
    FileInfo,
    FloatArray,
    Lap,
    Length,
    Records,
    Session,
    StrengthSet,
    TimerEvent,
    Workout,
)
from watchsync.activity.raw import Message, RawDecode

#: Message kinds the model uses besides `record` (`hr`: beats merged into records).
MESSAGE_KINDS = ("file_id", "sport", "session", "lap", "workout", "workout_step", "hr", "activity", "length", "event",
                 "set")

#: `record` fields read from the file (speed and enhanced_speed merged, likewise altitude).
RECORD_FIELDS = (
    "timestamp",
    "heart_rate",
    "enhanced_speed",
    "speed",
    "distance",
    "enhanced_altitude",
    "altitude",
    "cadence",
    "power",
    "position_lat",
    "position_long",
)

#: `record` fields a developer field may declare itself to be (``native_field_num``): a Connect IQ
#: power meter's "Power" (Stryd) fills `power` when the device wrote none. Keys: FIT field numbers.
NATIVE_RECORD_FIELDS = {3: "heart_rate", 4: "cadence", 7: "power"}
RECORD_MESSAGE = 20


def native_developer_columns(descriptions: list[Message]) -> dict[str, str]:
    """Developer field name → the `record` field it declares itself to be (its ``field_description``'s
    ``native_mesg_num`` record and a ``native_field_num`` of :data:`NATIVE_RECORD_FIELDS`)."""
    found: dict[str, str] = {}
    for description in descriptions:
        native = NATIVE_RECORD_FIELDS.get(description.get("native_field_num"))  # type: ignore[arg-type]
        name = description.get("field_name")
        if native and isinstance(name, str) and description.get("native_mesg_num") in (RECORD_MESSAGE, "record"):
            found.setdefault(name, native)
    return found


WORKOUT_KEYS = ("wkt_name", "sport", "sub_sport", "num_valid_steps", "pool_length", "pool_length_unit")
STEP_KEYS = (
    "message_index",
    "wkt_step_name",
    "duration_type",
    "duration_value",
    "target_type",
    "target_value",
    "custom_target_value_low",
    "custom_target_value_high",
    "intensity",
    "notes",
    "exercise_category",
    "exercise_name",
    "exercise_weight",
    "equipment",
    "secondary_target_type",
    "secondary_target_value",
    "secondary_custom_target_value_low",
    "secondary_custom_target_value_high",
)


def build_activity(raw: RawDecode, decoder: Decoder, salvaged: bool, warnings: list[str]) -> Activity:
    """Turn a `RawDecode` into the typed `Activity` (device-relative times re-based, see `clock`)."""
    clock, notes = rebase_clock(raw)
    msgs = raw.messages
    infos = msgs.get("activity", [])
    return Activity(
        file_ids=tuple(_file_info(m) for m in msgs.get("file_id", [])),
        sessions=tuple(_session(m) for m in msgs.get("session", [])),
        laps=tuple(_lap(m) for m in msgs.get("lap", [])),
        records=_records(raw.columns, raw.hr if raw.hr is not None else msgs.get("hr", [])),
        workout=_workout(msgs.get("workout", []), msgs.get("workout_step", [])),
        decoder=decoder,
        salvaged=salvaged,
        warnings=tuple([*warnings, *notes]),
        lengths=tuple(_length(m) for m in msgs.get("length", [])),
        timer_events=_timer_events(msgs.get("event", [])),
        info=_info(infos[-1]) if infos else None,
        clock=clock,
        sets=tuple(_set(m) for m in msgs.get("set", [])),
        sports=tuple((_enum(m.get("sport")), _enum(m.get("sub_sport"))) for m in msgs.get("sport", [])),
    )


def _file_info(m: Message) -> FileInfo:
    return FileInfo(
        type=_enum(m.get("type")),
        manufacturer=_enum(m.get("manufacturer")),
        product=_int(m.get("product")),
        time_created=_time(m.get("time_created")),
    )


def _session(m: Message) -> Session:
    return Session(
        start_time=_time(m.get("start_time")),
        sport=_enum(m.get("sport")),
        sub_sport=_enum(m.get("sub_sport")),
        total_elapsed_time=_float(m.get("total_elapsed_time")),
        total_timer_time=_float(m.get("total_timer_time")),
        total_distance=_float(m.get("total_distance")),
        avg_heart_rate=_int(m.get("avg_heart_rate")),
        max_heart_rate=_int(m.get("max_heart_rate")),
        total_calories=_int(m.get("total_calories")),
        workout_rpe_raw=_int(m.get("workout_rpe")),
        workout_feel=_int(m.get("workout_feel")),
        timestamp=_time(m.get("timestamp")),
        avg_power=_int(m.get("avg_power")),
        max_power=_int(m.get("max_power")),
        first_lap_index=_int(m.get("first_lap_index")),
        num_laps=_int(m.get("num_laps")),
        pool_length=_float(m.get("pool_length")),
        num_active_lengths=_int(m.get("num_active_lengths")),
        total_ascent=_int(m.get("total_ascent")),
    )


def _lap(m: Message) -> Lap:
    return Lap(
        start_time=_time(m.get("start_time")) or _lap_start(m),
        total_elapsed_time=_float(m.get("total_elapsed_time")),
        total_timer_time=_float(m.get("total_timer_time")),
        total_distance=_float(m.get("total_distance")),
        avg_heart_rate=_int(m.get("avg_heart_rate")),
        max_heart_rate=_int(m.get("max_heart_rate")),
        wkt_step_index=_int(m.get("wkt_step_index")),
        intensity=_enum(m.get("intensity")),
        avg_power=_int(m.get("avg_power")),
        max_power=_int(m.get("max_power")),
        sport=_enum(m.get("sport")),
        sub_sport=_enum(m.get("sub_sport")),
    )


def _lap_start(m: Message) -> datetime | None:
    """A lap's start when it lacks one (a handheld's laps): its end (``timestamp``) less its elapsed time,
    else its timer time."""
    end = _float(m.get("timestamp"))
    elapsed = _float(m.get("total_elapsed_time"))
    duration = elapsed if elapsed is not None else _float(m.get("total_timer_time"))
    return None if end is None or duration is None or duration < 0 else _time(end - duration)


def _length(m: Message) -> Length:
    return Length(
        start_time=_time(m.get("start_time")),
        total_elapsed_time=_float(m.get("total_elapsed_time")),
        total_timer_time=_float(m.get("total_timer_time")),
        length_type=_enum(m.get("length_type")),
        swim_stroke=_enum(m.get("swim_stroke")),
        total_strokes=_int(m.get("total_strokes")),
    )


#: FIT's exercise_category "unknown" (65534) and invalid (65535): a set the watch could not name.
_NO_CATEGORY = (65534, 65535)


def _set(m: Message) -> StrengthSet:
    categories = m.get("category")
    first = categories[0] if isinstance(categories, list | tuple) and categories else categories
    category = None if first in _NO_CATEGORY else _enum(first)
    return StrengthSet(
        start_time=_time(m.get("start_time")),
        duration=_float(m.get("duration")),
        set_type=_enum(m.get("set_type")),
        repetitions=_int(m.get("repetitions")),
        weight=_float(m.get("weight")),
        category=category,
        wkt_step_index=_int(m.get("wkt_step_index")),
    )


#: `event_type` values of a `timer` event that stop the timer (start and everything else run it).
TIMER_STOPS = frozenset({"stop", "stop_all", "stop_disable", "stop_disable_all"})
TIMER_STARTS = frozenset({"start"})


def _timer_events(events: list[Message]) -> tuple[TimerEvent, ...]:
    timed = []
    for m in events:
        time, kind = _float(m.get("timestamp")), _enum(m.get("event_type"))
        if m.get("event") != "timer" or time is None or kind not in TIMER_STARTS | TIMER_STOPS:
            continue
        timed.append(TimerEvent(time, kind in TIMER_STARTS))
    return tuple(sorted(timed, key=lambda e: e.time))


def _info(m: Message) -> ActivityInfo:
    return ActivityInfo(
        timestamp=_time(m.get("timestamp")),
        local_timestamp=_time(m.get("local_timestamp")),
        total_timer_time=_float(m.get("total_timer_time")),
        num_sessions=_int(m.get("num_sessions")),
    )


def _workout(workouts: list[Message], steps: list[Message]) -> Workout | None:
    if not workouts and not steps:
        return None
    head = workouts[0] if workouts else {}
    return Workout(
        workout=_pick(head, WORKOUT_KEYS),
        steps=tuple(_pick(step, STEP_KEYS) for step in steps),
    )


def _records(columns: dict[str, FloatArray], hr_messages: list[Message] | HrColumns) -> Records:
    length = len(next(iter(columns.values()))) if columns else 0
    missing = np.full(length, np.nan)

    def col(name: str, fallback: str | None = None) -> FloatArray:
        main = columns.get(name, missing)
        if fallback is None or fallback not in columns:
            return main
        return np.where(np.isnan(main), columns[fallback], main)

    timestamp = col("timestamp")
    return Records(
        timestamp=timestamp,
        heart_rate=fill_heart_rate(timestamp, col("heart_rate"), hr_messages),
        speed=col("speed", "enhanced_speed"),  # fitfast's speed->enhanced_speed expansion loses 1 mm/s
        distance=col("distance"),
        altitude=col("enhanced_altitude", "altitude"),
        cadence=col("cadence"),
        power=col("power"),
        position_lat=col("position_lat"),
        position_long=col("position_long"),
    )


def _pick(m: Message, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: m[k] for k in keys if m.get(k) is not None}


def _float(value: object) -> float | None:
    if type(value) is float:  # the common case first: this runs for every field of every lap and length
        return value if value - value == 0.0 else None  # NaN and ±inf give NaN: None
    if type(value) is int:
        return float(value)
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _int(value: object) -> int | None:
    if type(value) is int:
        return value
    number = _float(value)
    return None if number is None else int(number)


def _enum(value: object) -> str | None:
    """Enum as its profile name; a value the profile does not know as its number."""
    if type(value) is str:
        return value
    number = _int(value)
    return None if number is None else str(number)


def _time(value: object) -> datetime | None:
    seconds = _float(value)
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError):
        return None
