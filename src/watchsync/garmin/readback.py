"""Read-back: does Garmin's stored workout execute as the one sent?

Only what the watch executes is compared: the sport, the pool length, the steps in order with their
kind and type, end conditions (value and ``lt``/``gt``), targets (primary and secondary, zone or
range; none and ``no.target`` alike), repeat counts (or a repeat's time), strokes and strength
exercises. Everything else is cosmetic and only logged: names (Garmin cuts them at 256 UTF-16 units,
ending in ...), descriptions (repeat groups keep none), step orders, display orders, ids, estimates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Garmin keeps workout names of up to this many UTF-16 code units; a longer one it cuts, silently,
#: to ``NAME_LIMIT - 3`` units and ends with ``...`` (garmin_mcp PR #352; the ellipsis: a Garmin GET
#: answer, kaiord's ``WorkoutEdgeCasesOutput.gcn``).
NAME_LIMIT = 256
_CUT_MARK = "..."

_ITERATIONS = 7  # the end condition of a repeat group done a number of times
_TARGET_FIELDS = (("targetType", "workoutTargetTypeKey", "zoneNumber", "targetValueOne", "targetValueTwo"),
                  ("secondaryTargetType", "workoutTargetTypeKey", "secondaryZoneNumber", "secondaryTargetValueOne",
                   "secondaryTargetValueTwo"))


def garmin_name(name: str) -> str:
    """``name`` as Garmin stores it: at most 256 UTF-16 code units, a cut one ending in ``...``
    (never half a surrogate pair)."""
    if len(name.encode("utf-16-le")) <= 2 * NAME_LIMIT:
        return name
    units, room = 0, NAME_LIMIT - len(_CUT_MARK)
    for index, char in enumerate(name):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > room:
            return name[:index] + _CUT_MARK
    return name


@dataclass
class ReadBack:
    """Semantic differences refuse the push; cosmetic ones are only worth a log line."""

    semantic: list[str] = field(default_factory=list)
    cosmetic: list[str] = field(default_factory=list)

    def summary(self, limit: int = 3) -> str:
        """The semantic differences on one line."""
        shown = "; ".join(self.semantic[:limit])
        return shown + (f" (+{len(self.semantic) - limit} more)" if len(self.semantic) > limit else "")


def compare_executed(sent: dict[str, Any], stored: dict[str, Any]) -> ReadBack:
    """Differences between the workout JSON sent and the one Garmin answers with."""
    result = ReadBack()
    if garmin_name(str(sent.get("workoutName") or "")) != (stored.get("workoutName") or ""):
        result.cosmetic.append(f"name {sent.get('workoutName')!r} sent, {stored.get('workoutName')!r} stored")
    if (sent.get("description") or None) != (stored.get("description") or None):
        result.cosmetic.append("description differs (Garmin cut or changed it)")
    _same(result, "workout: sport", _key(sent.get("sportType"), "sportTypeId"),
          _key(stored.get("sportType"), "sportTypeId"))
    _same(result, "workout: pool length", _pool(sent), _pool(stored))
    ours, theirs = list(_walk(_segments(sent))), list(_walk(_segments(stored)))
    if len(ours) != len(theirs):
        result.semantic.append(f"workout: {len(ours)} steps sent, {len(theirs)} stored")
    for position, (mine, garmins) in enumerate(zip(ours, theirs, strict=False), start=1):
        _compare_step(result, position, mine, garmins)
    return result


def _compare_step(result: ReadBack, position: int, sent: tuple[int, dict[str, Any]],
                  stored: tuple[int, dict[str, Any]]) -> None:
    (depth, ours), (their_depth, theirs) = sent, stored
    where = f"step {position}"
    _same(result, f"{where}: nesting", depth, their_depth)
    _same(result, f"{where}: kind", ours.get("type"), theirs.get("type"))
    _same(result, f"{where}: step type", _key(ours.get("stepType"), "stepTypeId"),
          _key(theirs.get("stepType"), "stepTypeId"))
    if ours.get("description") != theirs.get("description"):
        result.cosmetic.append(f"{where}: description {ours.get('description')!r} sent, "
                               f"{theirs.get('description')!r} stored")
    if ours.get("type") == "RepeatGroupDTO":
        _same(result, f"{where}: repeat count", ours.get("numberOfIterations"), theirs.get("numberOfIterations"))
        ends_on = _key(ours.get("endCondition"), "conditionTypeId")
        if ends_on not in (None, _ITERATIONS):  # a repeat until a time: the condition and its seconds
            _same(result, f"{where}: repeat end condition", ends_on,
                  _key(theirs.get("endCondition"), "conditionTypeId"))
            _same_number(result, f"{where}: repeat endConditionValue", ours.get("endConditionValue"),
                         theirs.get("endConditionValue"))
        _same(result, f"{where}: repeat children", len(ours.get("workoutSteps") or []),
              len(theirs.get("workoutSteps") or []))
        return
    condition = _key(ours.get("endCondition"), "conditionTypeId")
    _same(result, f"{where}: end condition", condition, _key(theirs.get("endCondition"), "conditionTypeId"))
    if condition != 1:  # a lap-button step's number means nothing to the watch
        _same_number(result, f"{where}: endConditionValue", ours.get("endConditionValue"),
                     theirs.get("endConditionValue"))
    if ours.get("endConditionCompare") or theirs.get("endConditionCompare"):
        _same(result, f"{where}: endConditionCompare", ours.get("endConditionCompare"),
              theirs.get("endConditionCompare"))
    for type_field, _key_field, zone, one, two in _TARGET_FIELDS:
        target = _key(ours.get(type_field), "workoutTargetTypeId")
        stored_target = _key(theirs.get(type_field), "workoutTargetTypeId")
        target, stored_target = target or 1, stored_target or 1  # none and "no.target": the same to the watch
        _same(result, f"{where}: {type_field}", target, stored_target)
        if target in (None, 1):
            continue
        _same(result, f"{where}: {zone}", ours.get(zone), theirs.get(zone))
        if ours.get(zone) is None:
            _same_number(result, f"{where}: {one}", ours.get(one), theirs.get(one))
            _same_number(result, f"{where}: {two}", ours.get(two), theirs.get(two))
    _same(result, f"{where}: stroke", _key(ours.get("strokeType"), "strokeTypeId") or 0,
          _key(theirs.get("strokeType"), "strokeTypeId") or 0)
    for exercise_field in ("category", "exerciseName"):
        _same(result, f"{where}: {exercise_field}", ours.get(exercise_field), theirs.get(exercise_field))
    _same_number(result, f"{where}: weightValue", _weight(ours), _weight(theirs))


def _same(result: ReadBack, what: str, sent: Any, stored: Any) -> None:
    if sent != stored:
        result.semantic.append(f"{what} {sent!r} sent, {stored!r} stored")


def _same_number(result: ReadBack, what: str, sent: Any, stored: Any) -> None:
    if sent is None or stored is None:
        if sent is not None or stored is not None:
            result.semantic.append(f"{what} {sent!r} sent, {stored!r} stored")
        return
    if not math.isclose(float(sent), float(stored), rel_tol=1e-6, abs_tol=1e-6):
        result.semantic.append(f"{what} {sent!r} sent, {stored!r} stored")


def _weight(step: dict[str, Any]) -> Any:
    """A step's weight, None for none: Garmin stamps ``weightValue: -1`` on steps sent without one (a live-tested
    client, probe connect14), which the importer reads as no weight too."""
    value = step.get("weightValue")
    return None if isinstance(value, int | float) and value < 0 else value


def _key(value: Any, id_field: str) -> Any:
    return value.get(id_field) if isinstance(value, dict) else None


def _pool(workout: dict[str, Any]) -> tuple[float, Any] | None:
    length = workout.get("poolLength")
    if length is None:
        return None
    unit = workout.get("poolLengthUnit")
    return float(length), unit.get("unitKey") if isinstance(unit, dict) else None


def _segments(workout: dict[str, Any]) -> list[dict[str, Any]]:
    segments = workout.get("workoutSegments") or []
    return [step for segment in segments if isinstance(segment, dict) for step in segment.get("workoutSteps") or []]


def _walk(steps: list[dict[str, Any]], depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    for step in steps:
        yield depth, step
        if step.get("type") == "RepeatGroupDTO":
            yield from _walk(step.get("workoutSteps") or [], depth + 1)
