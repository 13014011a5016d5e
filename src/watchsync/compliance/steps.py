"""Planned steps as a watch executes them: FIT step numbers, execution order, easy steps.

The numbering is that of the FIT workout file (:mod:`watchsync.formats.fit_workout_write`):
depth-first, a repeat block's own step placed after its block. FIT cannot skip a block's last rest,
so a watch runs every repeat in full. Executed laps carry this number in ``wkt_step_index``.
Each step also has the label ``watchsync show`` gives it (``2.1``: the first step of the second
block), which reports print: the FIT number is the watch's, not the coach's.
"""

from __future__ import annotations

from dataclasses import dataclass

from watchsync import rules
from watchsync.model.enums import Intensity
from watchsync.model.workout import Repeat, Step, Workout


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One executed occurrence of a step: its FIT step number, whether it sits in a repeat of reps
    (``in_repeat``: a repeat with a step that is not easy, whose recoveries run on the reps' heart rate;
    a run/walk's repeats, easy throughout, are judged as any easy step: probe coach11), and its label
    in ``watchsync show``'s table."""

    index: int
    step: Step
    in_repeat: bool
    label: str


def execution_order(workout: Workout) -> list[PlannedStep]:
    """Every step in the order a watch runs it (repeats expanded), with FIT step numbers."""
    order, _ = _number(workout.steps, 0, in_repeat=False, prefix="")
    return order


def steps_by_index(workout: Workout) -> dict[int, Step]:
    """FIT step number → step (repeat steps have no entry)."""
    return {planned.index: planned.step for planned in execution_order(workout)}


def step_labels(workout: Workout) -> dict[int, str]:
    """FIT step number → the step's label in ``watchsync show`` (``2.1``)."""
    return {planned.index: planned.label for planned in execution_order(workout)}


def all_easy(blocks: list[Step | Repeat]) -> bool:
    """Whether every step of ``blocks`` (repeats looked into) is prescribed easy: a run/walk, not reps and
    recoveries. A step counts with an easy RPE, or as a recovery or rest: a rep with neither (``15s hill
    sprint``, no target) is easy only by default, and its recoveries run on its heart rate (probe review15)."""
    return all(all_easy(block.steps) if isinstance(block, Repeat) else prescribed_easy(block) for block in blocks)


def prescribed_easy(step: Step, easy_max_rpe: float = rules.EASY_MAX_RPE) -> bool:
    """A step prescribed easy: a recovery or rest, an easy RPE, or a target in the easy band."""
    if step.intensity in (Intensity.RECOVERY, Intensity.REST):
        return True
    rpe = rules.step_rpe(step)
    if rpe is None:  # "8x / - 5m Z2 HR / - 1m Z1 HR": a run/walk in zones (probe review17)
        return rules.easy_by_target(step, "")
    return rpe <= easy_max_rpe


def _number(blocks: list[Step | Repeat], first: int, *, in_repeat: bool,
            prefix: str) -> tuple[list[PlannedStep], int]:
    """Execution order of ``blocks`` numbered from ``first`` (labels under ``prefix``); also the next
    free number."""
    order: list[PlannedStep] = []
    index = first
    for position, block in enumerate(blocks, start=1):
        if isinstance(block, Step):
            order.append(PlannedStep(index, block, in_repeat, f"{prefix}{position}"))
            index += 1
        else:
            reps = in_repeat or not all_easy(block.steps)
            inner, index = _number(block.steps, index, in_repeat=reps, prefix=f"{prefix}{position}.")
            order.extend(inner * block.count)
            index += 1  # the repeat step itself
    return order, index
