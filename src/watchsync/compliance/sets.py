"""A strength workout scored by the `set` messages the watch wrote (one per set done, and per rest).

A watch that ran the workout numbers each set with its step (``wkt_step_index``); an activity
recorded without the workout has only the exercise category the watch named or guessed, and its
active sets are given, in order, to the planned steps of that category. Laps mean nothing here: a
strength activity has one lap, or none.
"""

from __future__ import annotations

from dataclasses import dataclass

from watchsync.activity.model import Activity, StrengthSet
from watchsync.compliance.steps import PlannedStep
from watchsync.model.workout import Intensity


@dataclass
class SetTally:
    """The sets of one planned step: how many, their time and their repetitions."""

    executions: int = 0
    seconds: float = 0.0
    reps: int = 0


def set_tallies(planned: list[PlannedStep], activity: Activity, *, numbered: bool) -> dict[int, SetTally] | None:
    """Step number → its sets; None when the activity's sets tell nothing about the steps.

    ``numbered``: the sets' step numbers are this workout's (the watch ran it).
    """
    active = [s for s in activity.sets if s.set_type == "active"]
    if not active:
        return None
    if numbered and all(s.wkt_step_index is not None for s in active):
        known = {p.index for p in planned}
        tallies: dict[int, SetTally] = {}
        for done in activity.sets:  # rest sets too: a rest step's runs
            if done.wkt_step_index in known:
                _add(tallies.setdefault(done.wkt_step_index, SetTally()), done)
        return tallies
    return _by_category(planned, active, [s for s in activity.sets if s.set_type == "rest"])


def _by_category(planned: list[PlannedStep], active: list[StrengthSet],
                 rests: list[StrengthSet]) -> dict[int, SetTally] | None:
    """Active sets to the planned steps of their category, in order; rest sets to the planned rests in
    order (they showed "0/2" beside eight rests recorded, probe coach10)."""
    from watchsync.formats.fit_codes import category_key  # deferred: the exercise catalogue

    open_steps = [p for p in planned if p.step.exercise is not None]
    tallies: dict[int, SetTally] = {}
    for done in active:
        key = category_key(done.category) if done.category else None
        match = next((p for p in open_steps if p.step.exercise is not None and p.step.exercise.category == key), None)
        if match is None:
            continue
        open_steps.remove(match)
        _add(tallies.setdefault(match.index, SetTally()), done)
    if not tallies:
        return None
    rest_steps = [p for p in planned if p.step.exercise is None and p.step.intensity is Intensity.REST]
    for step, done in zip(rest_steps, rests, strict=False):
        _add(tallies.setdefault(step.index, SetTally()), done)
    return tallies


def _add(tally: SetTally, done: StrengthSet) -> None:
    tally.executions += 1
    tally.seconds += done.duration or 0.0
    tally.reps += done.repetitions or 0
