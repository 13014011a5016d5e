"""Planned steps as a watch executes them: FIT step numbers, execution order, easy steps.

The numbering is that of the FIT workout file (:mod:`watchsync.formats.fit_workout_write`):
depth-first, a repeat block's own step placed after its block. FIT cannot skip a block's last rest,
so a watch runs every repeat in full. Executed laps carry this number in ``wkt_step_index``.
"""

from __future__ import annotations

from dataclasses import dataclass

from watchsync.model.workout import Repeat, Step, Workout


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One executed occurrence of a step: its FIT step number and whether it sits in a repeat."""

    index: int
    step: Step
    in_repeat: bool


def execution_order(workout: Workout) -> list[PlannedStep]:
    """Every step in the order a watch runs it (repeats expanded), with FIT step numbers."""
    order, _ = _number(workout.steps, 0, in_repeat=False)
    return order


def steps_by_index(workout: Workout) -> dict[int, Step]:
    """FIT step number → step (repeat steps have no entry)."""
    return {planned.index: planned.step for planned in execution_order(workout)}


def _number(blocks: list[Step | Repeat], first: int, *, in_repeat: bool) -> tuple[list[PlannedStep], int]:
    """Execution order of ``blocks`` numbered from ``first``; also the next free number."""
    order: list[PlannedStep] = []
    index = first
    for block in blocks:
        if isinstance(block, Step):
            order.append(PlannedStep(index, block, in_repeat))
            index += 1
        else:
            inner, index = _number(block.steps, index, in_repeat=True)
            order.extend(inner * block.count)
            index += 1  # the repeat step itself
    return order, index
