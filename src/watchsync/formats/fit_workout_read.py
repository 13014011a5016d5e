"""FIT ``workout`` / ``workout_step`` messages → workout model: the one decoder of workout steps.

Two callers: :func:`read_fit_workout` imports a workout file (decoded with fitdecode; a CRC that
does not match is said, never refused; developer fields are kept apart, so they never shift a standard field), and
:func:`watchsync.compliance.embedded` scores an activity against the workout embedded in it, whose
steps the activity decoder already hands over as dicts. Both go through :func:`workout_from_messages`,
which takes messages keyed by FIT profile field name with raw values (enums as numbers or profile
names, durations and targets unscaled).

Raw values, per the FIT profile: time in ms, distance in cm, speed in mm/s. Heart rate above 100 is
bpm + 100, at most 100 is % of max HR (→ ``hr_pct_max``). Power above 1000 is W + 1000; at most
1000 is % of FTP for ``power`` targets (the profile's ``custom_target_power`` sub-field) but plain
watts for the averaged kinds (``power_3s``, ``power_10s``, ``power_30s``, ``power_lap``), which have
no such sub-field: that is what devices write (the Edge 530 fixture ``hrv-activity.fit`` has
``power_3s`` 136–186 for zone 2 of a 248 W FTP). Averaged kinds read as their plain target.
A non-zero ``target_value`` is a zone (the watch's own zone); ``custom_target_value_*`` are used
when it is 0 — or, with ``bounds=True`` (scoring), also beside a zone, since a watch executing a
workout writes the zone's bounds there. A custom range written high→low is normalised, with a note.

What the model cannot hold is kept as text instead of being dropped:

- conditional repeats (``repeat_until_hr_greater_than``, ``…_time``, ``…_power_…``) become a Repeat
  with ``until`` (written back to FIT as they were) and a count: the rounds its time or distance holds
  when each round's is known (:func:`~watchsync.model.workout.rounds_until`), else
  :data:`CONDITIONAL_REPEAT_MAX_COUNT`; Garmin Connect gets a time repeat as one, the others as
  that count with the condition in words; the
  kinds the model has no form for (last-lap power, TSS) keep the condition in the repeat's name
  (``Rep – until TSS 5``);
- end conditions without a model duration (power thresholds, TSS, HR in % of max) become a
  lap-button step with the condition appended to the notes;
- targets without a model target (grade, resistance, cadence zones) become open targets, noted
  likewise. A ``swim_stroke`` target becomes the step's stroke; ``equipment`` its equipment.

A developer field named like RPE/effort on a step becomes the step's RPE; one named like a
description or notes fills the workout description or step notes when the standard field is empty.
An ``RPE n`` cue at the start of the notes (as :mod:`watchsync.resolve` writes it) becomes the
step's ``rpe``. ``num_valid_steps`` is ignored: writers disagree on whether it counts repeat steps.
FIT cannot say ``skip_last_rest``; it reads as False.
"""

from __future__ import annotations

import collections
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.fit_profile import FILE_TYPE_WORKOUT, DisplayMeasure, SwimStroke, WorkoutEquipment
from watchsync.formats.fit_profile import Intensity as FitIntensity
from watchsync.formats.fit_profile import WorkoutStepDuration as Dur
from watchsync.formats.fit_profile import WorkoutStepTarget as Tgt
from watchsync.formats.fit_units import (
    CM_PER_METER,
    EXERCISE_WEIGHT_SCALE,
    HR_OFFSET,
    MM_PER_METER,
    MS_PER_SECOND,
    POWER_OFFSET,
)
from watchsync.model.workout import (
    MAX_WORKOUT_NAME,
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Duration,
    Equipment,
    Exercise,
    HeartRateDuration,
    HeartRatePercentLthrTarget,
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
    RepeatUntil,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    Stroke,
    Target,
    TimeDuration,
    Workout,
    rounds_until,
    target_family,
)

CONDITIONAL_REPEAT_MAX_COUNT = 10
_MAX_NAME = 200
_MAX_NOTES = 1000
EXPECTED = "a FIT workout file"
METERS_PER_YARD = 0.9144

_FILE_ID, _WORKOUT, _WORKOUT_STEP, _WORKOUT_SESSION, _EXERCISE_TITLE = 0, 26, 27, 158, 264
#: Standard field numbers → FIT profile names (what fitdecode's def_num means per message).
_FILE_ID_FIELDS = {0: "type"}
_WORKOUT_FIELDS = {4: "sport", 8: "wkt_name", 11: "sub_sport", 14: "pool_length", 15: "pool_length_unit",
                   17: "wkt_description"}
_STEP_FIELDS = {254: "message_index", 0: "wkt_step_name", 1: "duration_type", 2: "duration_value",
                3: "target_type", 4: "target_value", 5: "custom_target_value_low", 6: "custom_target_value_high",
                7: "intensity", 8: "notes", 9: "equipment", 10: "exercise_category", 11: "exercise_name",
                12: "exercise_weight", 13: "weight_display_unit", 19: "secondary_target_type",
                20: "secondary_target_value",
                21: "secondary_custom_target_value_low", 22: "secondary_custom_target_value_high"}
_SESSION_FIELDS = {254: "message_index", 0: "sport", 1: "sub_sport", 3: "first_step_index", 4: "pool_length",
                   5: "pool_length_unit"}
#: ``exercise_title``: the name a workout gives an exercise (its steps may carry none of their own).
_TITLE_FIELDS = {254: "message_index", 0: "exercise_category", 1: "exercise_name", 2: "wkt_step_name"}
_MESSAGE_FIELDS = {_FILE_ID: _FILE_ID_FIELDS, _WORKOUT: _WORKOUT_FIELDS, _WORKOUT_STEP: _STEP_FIELDS,
                   _WORKOUT_SESSION: _SESSION_FIELDS, _EXERCISE_TITLE: _TITLE_FIELDS}
_MESSAGE_INDEX_MASK = 0x0FFF
_UNKNOWN_EXERCISE_CATEGORY = 65534
_DISPLAY_POUND = 2  # fit_base_unit pound: the weight is shown in pounds (the value is in kilograms)

_RPE_CUE = re.compile(r"^RPE (\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?(?=\s|\.|$)")
_DEV_RPE = re.compile(r"rpe|perceived|exertion|effort", re.IGNORECASE)
_DEV_TEXT = re.compile(r"desc|note|instruction|comment", re.IGNORECASE)

_HR_TARGETS = {Tgt.HEART_RATE, Tgt.HEART_RATE_LAP}
_SPEED_TARGETS = {Tgt.SPEED, Tgt.SPEED_LAP}
_AVERAGED_POWER = {Tgt.POWER_3S, Tgt.POWER_10S, Tgt.POWER_30S, Tgt.POWER_LAP}
_POWER_TARGETS = {Tgt.POWER, *_AVERAGED_POWER}
#: Targets the watch averages, and over what (as Connect JSON's ``heart.rate.lap`` ... are said).
_AVERAGED = {Tgt.HEART_RATE_LAP: "the lap", Tgt.SPEED_LAP: "the lap", Tgt.POWER_LAP: "the lap",
             Tgt.POWER_3S: "3 s", Tgt.POWER_10S: "10 s", Tgt.POWER_30S: "30 s"}
_TIME_DURATIONS = {Dur.TIME, Dur.REPETITION_TIME, Dur.TIME_ONLY}
_POWER_LESS = {Dur.POWER_LESS_THAN: "power", Dur.POWER_3S_LESS_THAN: "3s power",
               Dur.POWER_10S_LESS_THAN: "10s power", Dur.POWER_30S_LESS_THAN: "30s power",
               Dur.POWER_LAP_LESS_THAN: "lap power"}
_POWER_GREATER = {Dur.POWER_GREATER_THAN: "power", Dur.POWER_3S_GREATER_THAN: "3s power",
                  Dur.POWER_10S_GREATER_THAN: "10s power", Dur.POWER_30S_GREATER_THAN: "30s power",
                  Dur.POWER_LAP_GREATER_THAN: "lap power"}
_STROKES: dict[SwimStroke, Stroke] = {SwimStroke.FREESTYLE: "free", SwimStroke.BACKSTROKE: "back",
                                      SwimStroke.BREASTSTROKE: "breast", SwimStroke.BUTTERFLY: "fly",
                                      SwimStroke.DRILL: "drill", SwimStroke.MIXED: "mixed", SwimStroke.IM: "im",
                                      SwimStroke.IM_BY_ROUND: "im"}
_EQUIPMENT: dict[WorkoutEquipment, Equipment] = {
    WorkoutEquipment.SWIM_FINS: "fins", WorkoutEquipment.SWIM_KICKBOARD: "kickboard",
    WorkoutEquipment.SWIM_PADDLES: "paddles", WorkoutEquipment.SWIM_PULL_BUOY: "pull_buoy",
    WorkoutEquipment.SWIM_SNORKEL: "snorkel"}

Fields = Mapping[str, Any]
_INTENSITY: dict[FitIntensity, Intensity] = {FitIntensity[i.name]: i for i in Intensity}


@dataclass
class Decoded:
    """A FIT file's workout messages by field name, and developer fields by their names."""

    file_ids: list[dict[str, Any]] = field(default_factory=list)
    workouts: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)  # workout_session: a multi-sport workout's legs
    titles: list[dict[str, Any]] = field(default_factory=list)  # exercise_title: names of the exercises
    crc_mismatch: bool = False  # a file CRC that does not match the bytes (the file is read all the same)
    crc_missing: bool = False  # the file ends before its CRC (cut short by those 2 bytes): read without it


@dataclass(frozen=True)
class _Entry:
    """A decoded block and the message_index of its first step message."""

    start: int
    block: Step | Repeat


def read_fit_workout(data: bytes | Path | str, messages: list[str] | None = None) -> Workout:
    """Import a FIT workout file; raises :class:`WorkoutFormatError` when it is not one, or when it is a
    multi-sport workout (:func:`read_fit_workouts` splits those).

    Normalisations and what was kept as text are appended to ``messages`` (``path: step 3: ...``).
    """
    workouts = read_fit_workouts(data, messages)
    if len(workouts) > 1:
        path = str(data) if isinstance(data, Path | str) else "<bytes>"
        raise WorkoutFormatError(path, 1, 1, f"a multi-sport workout of {len(workouts)} legs",
                                 "`watchsync import` to split it into one workout file per leg")
    return workouts[0]


def read_fit_workouts(data: bytes | Path | str, messages: list[str] | None = None) -> list[Workout]:
    """The workouts of a FIT workout file (its bytes, or its path as a ``Path`` or ``str``): one, or one
    per leg of a multi-sport workout (its ``workout_session`` messages: each leg's sport, pool and
    first step), named ``<name> (2/3 cycling)``."""
    data = Path(data) if isinstance(data, str) else data
    path = str(data) if isinstance(data, Path) else "<bytes>"
    try:
        raw = data.read_bytes() if isinstance(data, Path) else data
    except OSError as error:
        raise WorkoutFormatError(path, 1, 1, f"cannot read file: {error.strerror}", EXPECTED) from None
    if not raw:
        raise WorkoutFormatError(path, 1, 1, "file is empty", EXPECTED)
    decoded = decode_fit_messages(raw, path)
    file_type = decoded.file_ids[0].get("type") if decoded.file_ids else None
    if file_type != FILE_TYPE_WORKOUT:
        from fit_tool.profile.profile_type import FileType

        kind = _enum_name(FileType, file_type)
        raise WorkoutFormatError(path, 1, 1, _not_a_workout(kind),
                                 EXPECTED + ("; `watchsync analyze` reads an activity" if kind == "activity" else ""))
    if not decoded.steps:
        raise WorkoutFormatError(path, 1, 1, "FIT workout has no workout_step messages", EXPECTED)
    if len(decoded.workouts) > 1:  # a chained file, or several workout messages: never merged into one
        names = ", ".join(repr(w.get("wkt_name")) for w in decoded.workouts if w.get("wkt_name"))
        raise WorkoutFormatError(path, 1, 1, f"the file holds {len(decoded.workouts)} workouts"
                                 + (f" ({names})" if names else ""), "one workout a FIT file")
    head = decoded.workouts[0] if decoded.workouts else {}
    fallback = data.stem if isinstance(data, Path) else "FIT workout"
    if decoded.crc_mismatch and messages is not None:
        messages.append(f"{path}: the file's CRC does not match its contents (damaged on the way?); "
                        "read as it is: check the steps")
    if decoded.crc_missing and messages is not None:
        messages.append(f"{path}: the file ends before its CRC (cut short?): read without checking it")
    legs = _legs(head, _titled(decoded.steps, decoded.titles), decoded.sessions)
    workouts: list[Workout] = []
    for number, (leg_head, leg_steps) in enumerate(legs, start=1):
        notes: list[str] = []
        try:
            workout = workout_from_messages(leg_head, leg_steps, fallback_name=fallback, notes=notes)
        except ValueError as error:
            raise WorkoutFormatError(path, 1, 1, _reason(error), "values a watch can run") from None
        if len(legs) > 1:
            workout = workout.replaced(name=f"{workout.name} ({number}/{len(legs)} {workout.sport.value})"
                                       [:MAX_WORKOUT_NAME])
            notes = [f"leg {number}: {note}" for note in notes]
        if messages is not None:
            messages.extend(f"{path}: {note}" for note in notes)
        workouts.append(workout)
    return workouts


def _titled(steps: list[dict[str, Any]], titles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps, each exercise step without a name of its own named by the file's ``exercise_title``
    for its exercise (a builder that names its exercises there: "KB goblet squat (heavy)")."""
    names: dict[tuple[Any, Any], str] = {}
    for title in titles:
        text = _text(_joined_text(title.get("wkt_step_name")), _MAX_NAME)
        if text:
            names.setdefault((title.get("exercise_category"), title.get("exercise_name")), text)
    if not names:
        return steps
    return [step | {"wkt_step_name": names[key]}
            if not _text(_joined_text(step.get("wkt_step_name")), _MAX_NAME)
            and (key := (step.get("exercise_category"), step.get("exercise_name"))) in names else step
            for step in steps]


def _joined_text(value: object) -> object:
    """A string field fitdecode gives as a tuple of strings (an array of strings) as one string."""
    if isinstance(value, tuple | list):
        return " ".join(part for part in value if isinstance(part, str) and part)
    return value


def _legs(head: Fields, steps: list[dict[str, Any]], sessions: list[dict[str, Any]],
          ) -> list[tuple[Fields, list[dict[str, Any]]]]:
    """(workout fields, step messages) per leg: the steps from each session's first step to the
    next one's, with the session's sport and pool; the whole workout when it has fewer than two."""
    starts = sorted((first, session) for session in sessions
                    if isinstance(first := session.get("first_step_index"), int))
    if len(starts) < 2:
        return [(head, steps)]
    legs: list[tuple[Fields, list[dict[str, Any]]]] = []
    for number, (first, session) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else None
        leg_steps = [step for position, step in enumerate(steps)
                     if first <= (index := _message_index(step, position)) and (end is None or index < end)]
        leg_head = {**head, **{key: session[key] for key in ("sport", "sub_sport", "pool_length", "pool_length_unit")
                               if session.get(key) is not None}}
        if leg_steps:
            legs.append((leg_head, leg_steps))
    return legs or [(head, steps)]


def decode_fit_messages(raw: bytes, path: str) -> Decoded:
    """The file_id, workout and workout_step messages of a FIT file, by profile field name.

    Standard fields keep their raw values; developer fields go under ``"dev:<name>"`` keys.
    """
    import fitdecode  # deferred: only a workout file import needs it

    decoded = Decoded()
    raw, decoded.crc_missing = _with_blank_crc(raw)
    targets = {_FILE_ID: decoded.file_ids, _WORKOUT: decoded.workouts, _WORKOUT_STEP: decoded.steps,
               _WORKOUT_SESSION: decoded.sessions, _EXERCISE_TITLE: decoded.titles}
    try:
        reader = fitdecode.FitReader(io.BytesIO(raw), check_crc=fitdecode.CrcCheck.READONLY,
                                     error_handling=fitdecode.ErrorHandling.RAISE)
        with reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage) and frame.global_mesg_num in targets:
                    targets[frame.global_mesg_num].append(_named(frame, _MESSAGE_FIELDS[frame.global_mesg_num]))
                elif isinstance(frame, fitdecode.FitCRC) and frame.crc and not frame.matched:
                    decoded.crc_mismatch = True  # read all the same (a CRC of 0: none written)
    except fitdecode.FitError as error:
        raise WorkoutFormatError(path, 1, 1, f"not a readable FIT file: {error}", EXPECTED) from None
    return decoded


def _with_blank_crc(raw: bytes) -> tuple[bytes, bool]:
    """A one-segment file that ends after its data but before (the whole of) its 2-byte CRC, with a CRC
    of 0 ("none written", which the reader does not check) in its place, and True; ``raw`` and False
    otherwise (a file cut inside its data stays refused)."""
    header_size = raw[0] if raw else 0
    if header_size not in (12, 14) or len(raw) < header_size:
        return raw, False
    end = header_size + int.from_bytes(raw[4:8], "little")
    if not end <= len(raw) < end + 2:
        return raw, False
    return raw[:end] + bytes(2), True


def _named(frame: Any, names: dict[int, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for data in frame.fields:
        definition = data.field_def
        if definition is None:
            continue  # expanded from a component: its source field is read instead
        if definition.is_dev:
            fields[f"dev:{data.name}"] = data.value
        elif definition.def_num in names:
            fields[names[definition.def_num]] = data.raw_value
    return fields


def workout_from_messages(workout: Fields, steps: Sequence[Fields], *, fallback_name: str = "FIT workout",
                          notes: list[str] | None = None, bounds: bool = False,
                          sport: Sport | None = None) -> Workout:
    """The model workout of FIT ``workout`` and ``workout_step`` messages (see the module docstring).

    ``bounds`` reads a zone target's custom bounds as the target when the watch wrote them (scoring an
    executed workout); ``sport`` stands in for the workout message's sport (reading that needs the FIT
    profile's sport table). Raises ``ValueError`` (a ``ValidationError`` or a message naming the step).
    """
    said = notes if notes is not None else []
    ordered = sorted(((_message_index(f, position), f) for position, f in enumerate(steps)), key=lambda p: p[0])
    entries: list[_Entry] = []
    averaged: list[str] = []  # what each averaged target is averaged over (said once per kind, not per step)
    pace_zones = (sport or _sport(workout, [], [])).family in PACE_ZONE_FAMILIES
    for index, step in ordered:
        try:
            if _duration_type(step.get("duration_type")) in _REPEATS:
                _close_repeat(entries, index, step, said)
            else:
                remarks: list[str] = []
                entries.append(_Entry(index, _step(step, remarks, bounds, averaged, pace_zones)))
                said.extend(f"step {index}: {remark}" for remark in remarks)
        except ValueError as error:
            raise ValueError(f"workout_step {index}: {_reason(error)}") from None
    for over, count in collections.Counter(averaged).items():
        said.append(f"target averaged over {over} on {count} step(s) (imported as the plain target)")
    blocks = [entry.block for entry in entries]
    sport = sport or _sport(workout, said, blocks)
    pool = _pool(workout) if sport is Sport.POOL_SWIM else {}
    try:
        return Workout(
            name=_text(workout.get("wkt_name"), MAX_WORKOUT_NAME) or fallback_name,
            sport=sport,
            description=_text(workout.get("wkt_description"), 2000) or _dev_text(workout, 2000),
            steps=blocks,
            **pool,
        )
    except ValidationError as error:
        raise ValueError(f"workout: {_reason(error)}") from None


_REPEATS = {kind for kind in Dur if kind.name.startswith("REPEAT_UNTIL")}


def _lookup[K, V](table: dict[K, V], key: K | None) -> V | None:
    return table.get(key) if key is not None else None


def _sport(workout: Fields, notes: list[str], blocks: list[Step | Repeat]) -> Sport:
    """The model sport; a FIT sport or sub-sport it has no own value for is said in ``notes``. A plain
    ``training`` workout (no sub-sport) whose steps are strength exercises is strength (a third-party
    builder's strength workout, probe fitwkt6), else cardio, and said."""
    from fit_tool.profile.profile_type import Sport as FitSport
    from fit_tool.profile.profile_type import SubSport as FitSubSport

    from watchsync.formats.fit_codes import SPORT_BY_PAIR, SPORT_CODES, sport_from_codes

    code, sub_code = _code(FitSport, workout.get("sport")), _code(FitSubSport, workout.get("sub_sport"))
    sport = sport_from_codes(code, sub_code)
    written = (code, sub_code if sub_code is not None else FitSubSport.GENERIC.value)
    plain = written[1] == FitSubSport.GENERIC.value and SPORT_CODES[sport][0].value == code  # cycling/generic
    if code == FitSport.TRAINING.value and written[1] == FitSubSport.GENERIC.value:
        lifts = any(step.exercise is not None or isinstance(step.duration, RepsDuration) for step in _flat(blocks))
        sport = Sport.STRENGTH if lifts else sport
        notes.append(f"sport training (no sub-sport) imported as {sport.value}"
                     + (": its steps are strength exercises" if lifts else ""))
        return sport
    if code is not None and written not in SPORT_BY_PAIR and not plain:
        names = [_enum_name(FitSport, code), _enum_name(FitSubSport, written[1])]
        notes.append(f"sport {'/'.join(names)} imported as {sport.value}")
    return sport


def _flat(blocks: list[Step | Repeat]) -> list[Step]:
    return [step for block in blocks for step in (_flat(block.steps) if isinstance(block, Repeat) else [block])]


def _code(enum: type[Enum], value: object) -> int | None:
    """A raw enum value: the number itself, or the number of a profile name (unknown names: None)."""
    if isinstance(value, str):
        member = _enum(enum, value)
        return member.value if member is not None else None
    return value if isinstance(value, int) else None


def _enum[E: Enum](enum: type[E], value: object) -> E | None:
    """The member for a raw number or a profile name (``"heart_rate"``); None when unknown."""
    try:
        if isinstance(value, str):
            return enum[value.upper()]
        return enum(value) if isinstance(value, int) else None
    except (KeyError, ValueError):
        return None


def _duration_type(value: object) -> Dur | None:
    return _enum(Dur, value)


def _pool(workout: Fields) -> dict[str, Any]:
    length = workout.get("pool_length")
    if not isinstance(length, int | float) or length <= 0 or length == 0xFFFF:
        return {}
    meters = length / CM_PER_METER  # pool_length: scale 100, metres
    if _enum(DisplayMeasure, workout.get("pool_length_unit")) is DisplayMeasure.STATUTE:
        return {"pool_length": round(meters / METERS_PER_YARD, 2), "pool_length_unit": "yd"}
    return {"pool_length": round(meters, 2), "pool_length_unit": "m"}


def _message_index(fields: Fields, position: int) -> int:
    """The step's message_index (its low 12 bits; the top bit flags a selected step), else its position."""
    value = fields.get("message_index")
    return value & _MESSAGE_INDEX_MASK if isinstance(value, int) else position


def _reason(error: ValueError) -> str:
    if isinstance(error, ValidationError):  # "speed target low 2740.0 is not accepted: input should be ..."
        first = error.errors()[0]
        where = " ".join(str(part) for part in first["loc"] if not str(part).isdigit())
        value = first.get("input")
        shown = f" {value!r}" if isinstance(value, int | float | str) and not isinstance(value, bool) else ""
        message = str(first["msg"])
        message = message[:1].lower() + message[1:]
        model = re.sub(r"(?<!^)(?=[A-Z])", " ", str(error.title)).lower()  # "SpeedTarget" -> "speed target"
        return f"{model} {where}{shown} is not accepted: {message}" if where else f"{model}: {message}"
    return str(error)


def _not_a_workout(kind: str) -> str:
    """``a FIT activity file (not a workout)``, or for a type the FIT profile does not name (Garmin's
    locations files are type 8) ``a FIT file of type 8 (not a workout)``."""
    if kind == "missing":
        return "a FIT file without a file type (not a workout)"
    return f"a FIT file of type {kind} (not a workout)" if kind.isdigit() else f"a FIT {kind} file (not a workout)"


def _enum_name(enum: Any, value: object) -> str:
    """Lower-case FIT name of an enum value, or the number when this profile does not know it."""
    if value is None:
        return "missing"
    try:
        return str(enum(value).name.lower())
    except ValueError:
        return str(value)


def _close_repeat(entries: list[_Entry], index: int, fields: Fields, said: list[str]) -> None:
    """Fold the entries from the repeat's first step onwards into one Repeat block."""
    first = fields.get("duration_value")
    if not isinstance(first, int) or first >= index:
        raise ValueError(f"repeat points at step {first}, which does not come before it")
    cut = next((i for i, entry in enumerate(entries) if entry.start >= first), len(entries))
    if cut == len(entries) or entries[cut].start != first:
        raise ValueError(f"repeat points at step {first}, which does not start a block")
    block = [entry.block for entry in entries[cut:]]
    del entries[cut:]
    kind = _duration_type(fields.get("duration_type"))
    assert kind is not None
    name = _text(fields.get("wkt_step_name"), _MAX_NAME)
    value = fields.get("target_value")
    until = _repeat_until(kind, value)
    if kind is Dur.REPEAT_UNTIL_STEPS_CMPLT:
        count = value if isinstance(value, int) and 0 < value < 0xFFFFFFFF else None
        if count is None:
            said.append(f"step {index}: repeat count {'missing' if value is None else value} (imported as 1)")
        repeat = Repeat(count=count or 1, steps=block, name=name)
    elif until is not None:
        repeat = Repeat(count=rounds_until(block, until, CONDITIONAL_REPEAT_MAX_COUNT), steps=block, name=name,
                        until=until)
    else:
        condition = _repeat_condition(kind, value)
        said.append(f"step {index}: a repeat until {condition} (imported as {CONDITIONAL_REPEAT_MAX_COUNT} "
                    "rounds, the condition in its name: watchsync has no such repeat)")
        repeat = Repeat(count=CONDITIONAL_REPEAT_MAX_COUNT, steps=block,
                        name=f"{name or 'Repeat'} – until {condition}"[:_MAX_NAME])
    entries.append(_Entry(first, repeat))


def _repeat_until(kind: Dur, value: int | None) -> RepeatUntil | None:
    """The model's conditional repeat for a FIT one (None for the kinds it has no form for)."""
    if not value:
        return None
    match kind:
        case Dur.REPEAT_UNTIL_HR_GREATER_THAN | Dur.REPEAT_UNTIL_HR_LESS_THAN:
            above = kind is Dur.REPEAT_UNTIL_HR_GREATER_THAN
            return RepeatUntil(kind="hr_above" if above else "hr_below",
                               value=value - HR_OFFSET if value > HR_OFFSET else value,
                               unit="bpm" if value > HR_OFFSET else "pct_max")
        case Dur.REPEAT_UNTIL_POWER_GREATER_THAN | Dur.REPEAT_UNTIL_POWER_LESS_THAN:
            above = kind is Dur.REPEAT_UNTIL_POWER_GREATER_THAN
            return RepeatUntil(kind="power_above" if above else "power_below",
                               value=value - POWER_OFFSET if value > POWER_OFFSET else value,
                               unit="w" if value > POWER_OFFSET else "pct_ftp")
        case Dur.REPEAT_UNTIL_TIME:
            return RepeatUntil(kind="time", value=value / MS_PER_SECOND, unit="s")
        case Dur.REPEAT_UNTIL_DISTANCE:
            return RepeatUntil(kind="distance", value=value / CM_PER_METER, unit="m")
        case Dur.REPEAT_UNTIL_CALORIES:
            return RepeatUntil(kind="calories", value=value, unit="kcal")
    return None


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


def _target_text(target: Target) -> str:
    """A short description of a target for a note (``140-150 bpm``, ``zone 2``)."""
    low, high, zone = (getattr(target, name, None) for name in ("low", "high", "zone"))
    if zone is not None:
        return f"zone {zone}"
    return f"{low:g}-{high:g}" if isinstance(low, int | float) and isinstance(high, int | float) else target.kind


def _hr_text(raw: int) -> str:
    return f"{raw}% max" if raw <= HR_OFFSET else f"{raw - HR_OFFSET} bpm"


def _power_text(raw: int) -> str:
    return f"{raw}% FTP" if raw <= POWER_OFFSET else f"{raw - POWER_OFFSET} W"


def _step(fields: Fields, remarks: list[str], bounds: bool, averaged: list[str], pace_zones: bool = True) -> Step:
    duration = _duration(fields.get("duration_type"), fields.get("duration_value"), remarks)
    target, stroke = _target(fields, "", remarks, bounds, averaged, pace_zones)
    secondary, second_stroke = _target(fields, "secondary_", remarks, bounds, averaged, pace_zones)
    if isinstance(target, OpenTarget) or target_family(secondary) == target_family(target):
        if not isinstance(secondary, OpenTarget) and isinstance(target, OpenTarget):
            target, secondary = secondary, OpenTarget()
        else:
            if not isinstance(secondary, OpenTarget):
                remarks.append(f"secondary target {_target_text(secondary)} left out: of the target's own kind")
            secondary = OpenTarget()
    exercise = _exercise(fields, remarks)
    weight = fields.get("exercise_weight")
    weight = weight / EXERCISE_WEIGHT_SCALE if isinstance(weight, int | float) and weight != 0xFFFF else None
    if weight is not None and exercise is None:  # a custom exercise (category 65534) or none: the model holds no weight
        remarks.append(f"weight {weight:g} kg")
    text = _text(fields.get("notes"), _MAX_NOTES) or _dev_text(fields, _MAX_NOTES)
    notes = "; ".join(filter(None, [text, *remarks]))[:_MAX_NOTES] or None
    intensity = _enum(FitIntensity, fields.get("intensity"))
    return Step(
        intensity=_INTENSITY.get(intensity, Intensity.OTHER) if intensity is not None else Intensity.ACTIVE,
        duration=duration,
        target=target,
        secondary=None if isinstance(secondary, OpenTarget) else secondary,
        name=_text(fields.get("wkt_step_name"), _MAX_NAME),
        notes=notes,
        rpe=_dev_rpe(fields) or _rpe_from_cue(notes),
        exercise=exercise,
        weight_kg=weight if exercise is not None else None,
        weight_unit="lb" if exercise is not None and weight is not None
        and fields.get("weight_display_unit") == _DISPLAY_POUND else None,
        stroke=stroke or second_stroke,
        equipment=_lookup(_EQUIPMENT, _enum(WorkoutEquipment, fields.get("equipment"))),
    )


def _duration(duration_type: object, value: object, remarks: list[str]) -> Duration:
    kind = _duration_type(duration_type)
    if kind is None or not isinstance(value, int) or not value:
        if duration_type is not None and kind is None:
            remarks.append(f"unknown end condition {duration_type} (imported as lap button)")
        elif kind in (*_TIME_DURATIONS, Dur.DISTANCE, Dur.CALORIES, Dur.REPS):  # a re-encoder lost the value
            remarks.append(f"{kind.name.lower()} step without its {kind.name.lower()} (imported as lap button)")
        return LapButton()
    if kind in _TIME_DURATIONS:
        seconds = value / MS_PER_SECOND
        if kind is Dur.REPETITION_TIME:  # a send-off: the next repeat starts this long after this one did
            every = Step.prompt_clock(round(seconds))
            remarks.append(f"send-off every {every} (imported as a {every} rest)")
        return TimeDuration(seconds=seconds)
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
            remarks.append(f"end condition {kind.name.lower()} {value} (imported as lap button)")
    return LapButton()


def _target(fields: Fields, prefix: str, remarks: list[str], bounds: bool,
            averaged: list[str], pace_zones: bool = True) -> tuple[Target, Stroke | None]:
    """The (``prefix`` = ``secondary_``) target of a step, and a swim stroke when that is the target.

    Without ``pace_zones`` (a sport with no threshold pace: a ride, a row) the device's speed zone is
    an open target, said in ``remarks`` (and so in the step's notes).
    """
    raw_type = fields.get(f"{prefix}target_type")
    kind = _enum(Tgt, raw_type)
    zone = fields.get(f"{prefix}target_value")
    zone = zone if isinstance(zone, int) and zone not in (0, 0xFFFFFFFF) else 0
    low, high = (fields.get(f"{prefix}custom_target_value_{end}") for end in ("low", "high"))
    low = low if isinstance(low, int) and low != 0xFFFFFFFF else 0
    high = high if isinstance(high, int) and high != 0xFFFFFFFF else 0
    if kind is Tgt.SWIM_STROKE:
        return OpenTarget(), _lookup(_STROKES, _enum(SwimStroke, fields.get(f"{prefix}target_value")))
    if raw_type is None or kind is Tgt.OPEN or (not zone and not low and not high):
        return OpenTarget(), None
    one_sided = not high and kind in (*_HR_TARGETS, *_POWER_TARGETS, *_SPEED_TARGETS, Tgt.CADENCE)  # "at least"
    if low > high and not one_sided:
        remarks.append(f"{prefix.rstrip('_') + ' ' if prefix else ''}target range {low}-{high} written high to low"
                       " (read as a range)")
        low, high = high, low
    use_range = bool(low or high) and (not zone or bounds)
    if kind in _AVERAGED:  # the watch averages it; the model holds the plain target
        averaged.append(_AVERAGED[kind])
    if kind in _HR_TARGETS:
        if not use_range:
            return HeartRateZoneTarget(zone=zone), None
        return _offset_range(low, high, HR_OFFSET, HeartRateTarget, HeartRatePercentMaxTarget, "heart rate"), None
    if kind in _POWER_TARGETS:
        if not use_range:
            return PowerZoneTarget(zone=zone), None
        if kind in _AVERAGED_POWER and high <= POWER_OFFSET:
            return PowerTarget(low=max(low, 1), high=high), None  # plain watts (no % sub-field)
        return _offset_range(low, high, POWER_OFFSET, PowerTarget, PowerPercentFtpTarget, "power"), None
    if kind in _SPEED_TARGETS:
        if not use_range and not pace_zones:
            remarks.append(f"{prefix.rstrip('_') + ' ' if prefix else ''}target the device's speed zone {zone} "
                           "(imported as open: watchsync has pace zones for runs and swims only)")
            return OpenTarget(), None
        if not use_range:
            return PaceZoneTarget(zone=zone), None
        top = high / MM_PER_METER if high else _SPEED_TOP  # 0 is no bound on that side, as for HR and power
        return SpeedTarget(low=max(low, 1) / MM_PER_METER, high=top), None
    if kind is Tgt.CADENCE and use_range:
        return CadenceTarget(low=max(low, 1), high=high or _CADENCE_TOP), None
    bryton = _BRYTON_PERCENT.get(raw_type) if isinstance(raw_type, int) else None
    if bryton is not None and min(low, high) > _BRYTON_OFFSET:  # Bryton's % FTP, % LTHR, % max HR (probe fit13)
        return bryton(low=low - _BRYTON_OFFSET, high=high - _BRYTON_OFFSET), None
    what = _enum_name(Tgt, raw_type)
    remarks.append(f"{prefix.rstrip('_') + ' ' if prefix else ''}target {what} {zone or f'{low}-{high}'} "
                   "(imported as open)")
    return OpenTarget(), None


#: Target types of Bryton's workout files (no FIT profile type; values are percentages + 100,000): % FTP,
#: % LTHR, % max HR, as Bryton's web app encodes them (intervalssync 0.9.4 ``bryton/fit_encode.py``, from
#: Bryton's ``woParser.js``; files from Bryton Active and its web app, probe fit13).
_BRYTON_PERCENT: dict[int, type[PowerPercentFtpTarget] | type[HeartRatePercentLthrTarget]
                      | type[HeartRatePercentMaxTarget]] = {
    245: PowerPercentFtpTarget, 248: HeartRatePercentLthrTarget, 249: HeartRatePercentMaxTarget}
_BRYTON_OFFSET = 100_000


#: Sport families whose pace zones watchsync resolves (the running threshold pace, the swim CSS; as
#: ``resolve.THRESHOLD_PACE_FAMILIES``): a FIT speed zone in any other sport is imported as open.
PACE_ZONE_FAMILIES = frozenset({"run", "swim"})


#: The model's bounds of an absolute range, for the side a one-sided FIT range leaves open (0).
_OPEN_SIDE: dict[type[HeartRateTarget] | type[PowerTarget], tuple[float, float]] = {
    HeartRateTarget: (30.0, 250.0), PowerTarget: (0.0, 3000.0)}


#: The model's tops of speed (m/s) and cadence, for a range open at the top ("at least 90 rpm").
_SPEED_TOP, _CADENCE_TOP = 40.0, 300.0
#: The model's top of a percentage range, for a one-sided FIT range ("at least 80 % of max HR").
_PERCENT_TOP: dict[type[HeartRatePercentMaxTarget] | type[PowerPercentFtpTarget], float] = {
    HeartRatePercentMaxTarget: 110.0, PowerPercentFtpTarget: 1000.0}


def _offset_range(low: int, high: int, offset: int, absolute: type[HeartRateTarget] | type[PowerTarget],
                  percent: type[HeartRatePercentMaxTarget] | type[PowerPercentFtpTarget],
                  what: str) -> Target:
    if low > offset and high > offset:
        return absolute(low=low - offset, high=high - offset)
    if min(low, high) == offset < max(low, high):  # the offset itself beside an absolute bound: 0 W / 0 bpm
        low, high = (0 if low == offset else low), (0 if high == offset else high)
    if 0 in (low, high) and max(low, high) > offset:  # a one-sided range: 0 is "no bound" on that side
        floor, ceiling = _OPEN_SIDE[absolute]
        return absolute(low=low - offset if low else floor, high=high - offset if high else ceiling)
    if low <= offset and high <= offset:
        if not high:  # "at least low %": the open side is the model's top
            return percent(low=low, high=_PERCENT_TOP[percent])
        return percent(low=max(low, 1), high=high)
    raise ValueError(f"{what} range {low}-{high} mixes a percentage and an absolute value")


def _exercise(fields: Fields, remarks: list[str]) -> Exercise | None:
    category = fields.get("exercise_category")
    if not isinstance(category, int) or category == _UNKNOWN_EXERCISE_CATEGORY or category == 0xFFFF:
        return None
    from watchsync.formats.fit_codes import exercise_from_codes, exercise_name_known  # deferred: the FIT profile

    name = fields.get("exercise_name")
    named = name if isinstance(name, int) and name != 0xFFFF else None
    exercise = exercise_from_codes(category, named)
    if exercise is None:
        remarks.append(f"exercise category {category} name {name} (unknown to watchsync)")
    elif named is not None and not exercise_name_known(category, named):  # a file newer than the profile
        remarks.append(f"exercise {exercise.category} name {named} is unknown to watchsync (imported as any "
                       f"{exercise.category})")
    return exercise


def _dev_rpe(fields: Fields) -> RpeTarget | None:
    """An RPE written in a developer field (Stages Link and others), 1..10 (or 10..100 as tenths)."""
    for key, value in fields.items():
        if key.startswith("dev:") and _DEV_RPE.search(key) and isinstance(value, int | float) and value > 0:
            rpe = value / 10 if value > 10 else value
            if 1 <= rpe <= 10:
                return RpeTarget(low=rpe, high=rpe)
    return None


def _dev_text(fields: Fields, limit: int) -> str | None:
    for key, value in fields.items():
        if key.startswith("dev:") and _DEV_TEXT.search(key):
            text = _text(value, limit)
            if text:
                return text
    return None


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
    """A FIT string without padding, cut to the model's limit (FIT allows 254 bytes)."""
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ")[:limit].rstrip() or None
