"""A workout → a TOML file: text-syntax strings where they read back, model tables elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tomli_w

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text.scan import parse_duration, parse_target
from watchsync.formats.text.write import format_duration, format_target, number_text
from watchsync.model.workout import Exercise, Intensity, LapButton, OpenTarget, Repeat, Sport, Step, Target, Workout


def format_toml(workout: Workout) -> str:
    """The workout as a TOML file (``[[steps]]`` tables, text-syntax strings where they read back)."""
    data: dict[str, Any] = {"name": workout.name, "sport": workout.sport.value}
    if workout.description is not None:
        data["description"] = workout.description
    if workout.tags:
        data["tags"] = list(workout.tags)
    if workout.pool_length is not None:
        data["pool_length"] = workout.pool_length
        data["pool_length_unit"] = workout.pool_length_unit
    data["steps"] = [_block_table(block, workout.sport) for block in workout.steps]
    return tomli_w.dumps(data)


def _block_table(block: Step | Repeat, sport: Sport) -> dict[str, Any]:
    if isinstance(block, Repeat):
        table: dict[str, Any] = {"repeat": block.count}
        if block.name is not None:
            table["name"] = block.name
        if block.skip_last_rest:
            table["skip_last_rest"] = True
        if block.until is not None:
            table["until"] = block.until.model_dump()
        table["steps"] = [_block_table(inner, sport) for inner in block.steps]
        return table
    return _step_table(block, sport)


def _step_table(step: Step, sport: Sport) -> dict[str, Any]:
    table: dict[str, Any] = {}
    if step.intensity is not Intensity.ACTIVE:
        table["intensity"] = step.intensity.value
    if not isinstance(step.duration, LapButton):
        text = format_duration(step.duration)
        readable = _reads_back(lambda: parse_duration(text, sport=sport) == step.duration)
        table["duration"] = text if readable else step.duration.model_dump()
    if not isinstance(step.target, OpenTarget):
        table["target"] = _target_value(step.target, sport)
    if step.rpe is not None:
        table["rpe"] = _target_value(step.rpe, sport)
    if step.name is not None:
        table["name"] = step.name
    if step.notes is not None:
        table["notes"] = step.notes
    if step.exercise is not None:
        table["exercise"] = _exercise_value(step.exercise)
    shown = step.weight_shown()
    if shown is not None and shown[1] == "lb":
        table["weight"] = f"{number_text(shown[0])}lb"
    elif step.weight_kg is not None:
        table["weight_kg"] = step.weight_kg
    if step.secondary is not None:
        table["secondary"] = _target_value(step.secondary, sport)
    if step.ramp is not None:
        table["ramp"] = step.ramp
    if step.planned is not None:
        text = format_duration(step.planned)
        readable = _reads_back(lambda: parse_duration(text, sport=sport) == step.planned)
        table["planned"] = text if readable else step.planned.model_dump()
    if step.prompts:
        table["prompts"] = [prompt.model_dump() for prompt in step.prompts]
    if step.stroke is not None:
        table["stroke"] = step.stroke
    if step.equipment is not None:
        table["equipment"] = step.equipment
    return table


def _target_value(target: Target, sport: Sport) -> str | dict[str, Any]:
    text = format_target(target)
    return text if _reads_back(lambda: parse_target(text, sport=sport) == (target, None)) \
        else target.model_dump(exclude_none=True)


def _exercise_value(exercise: Exercise) -> str | dict[str, Any]:
    from watchsync.formats import exercises

    key = f"{exercise.category}/{exercise.name}"
    return key if exercises.find_exercise(key) == exercise else exercise.model_dump()


def _reads_back(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except WorkoutFormatError:
        return False
