"""One ``- ...`` step line → a step (or a strength-set repeat), and the intensity rules of steps."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from watchsync.formats.text.scan import Item, scan
from watchsync.formats.text.tokens import Where, build
from watchsync.model.workout import (
    CadenceTarget,
    Exercise,
    Intensity,
    LapButton,
    OpenTarget,
    Repeat,
    RepsDuration,
    Sport,
    Step,
    TimeDuration,
)

EXERCISE_SPORTS = frozenset({Sport.STRENGTH, Sport.CARDIO})
MAX_NAME = 200
RECOVERY_WORDS = frozenset({"recover", "recovery", "jog", "walk", "easy", "float"})
_WORDS = re.compile(r"[a-z]+")


@dataclass
class Context:
    """Where a step line sits: its section's intensity, and its place in a repeat block."""

    section: Intensity | None = None
    in_repeat: bool = False
    index: int = 0


def infer_intensity(context: Context, cue: str, rpe_high: float | None) -> Intensity:
    """The intensity a step gets without an ``@tag`` (rules in :mod:`watchsync.formats.text`)."""
    words = _WORDS.findall(cue.lower())
    if context.section is not None:
        return context.section
    if words[:1] == ["rest"]:
        return Intensity.REST
    if context.in_repeat:
        if RECOVERY_WORDS.intersection(words):
            return Intensity.RECOVERY
        if rpe_high is not None and rpe_high <= 2 and context.index > 0:
            return Intensity.RECOVERY
        return Intensity.INTERVAL
    return Intensity.ACTIVE


@dataclass
class _Parts:
    """A step line's pieces, each at most once."""

    where: Where
    tag: Item | None = None
    length: Item | None = None
    lap: Item | None = None
    sets: Item | None = None
    target: Item | None = None
    rpe: Item | None = None
    weight: Item | None = None
    exercise: Item | None = None
    set_rest: Item | None = None
    cadence: Item | None = None  # beside another target: the model holds one, so it goes to the notes
    cue: list[Item] = field(default_factory=list)

    def add(self, item: Item) -> None:
        if item.kind == "cue":
            self.cue.append(item)
            return
        if (item.kind == "target" and self.target is not None and self.cadence is None
                and isinstance(item.value, CadenceTarget) != isinstance(self.target.value, CadenceTarget)):
            item, self.cadence = ((self.target, item) if isinstance(item.value, CadenceTarget)
                                  else (item, self.target))
            self.target = None
        taken: Item | None = getattr(self, item.kind)
        if item.kind in ("length", "sets"):
            taken = self.length or self.sets
        if taken is not None:
            what = {"length": "a length", "target": "a target", "rpe": "an RPE", "tag": "an intensity",
                    "weight": "a weight", "exercise": "an exercise", "lap": "press lap",
                    "sets": "a length"}[item.kind]
            raise self.where.error(item.col, f"{item.text!r}: the step already has {what} {taken.text!r}",
                                   "one per step")
        setattr(self, item.kind, item)


def _collect(body: str, start: int, where: Where) -> _Parts:
    items = list(scan(body, start, where))
    has_sets = any(item.kind == "sets" for item in items)
    parts = _Parts(where)
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if (has_sets and item.kind == "cue" and item.text.lower() == "rest" and following is not None
                and isinstance(following.value, TimeDuration)):
            parts.set_rest = following
            index += 2
            continue
        parts.add(item)
        index += 1
    return parts


def _exercise(parts: _Parts, required: bool) -> tuple[Exercise | None, str]:
    """The exercise the step names and the cue text left for its name."""
    from watchsync.formats import exercises

    cue = _cue_text(parts)
    if parts.exercise is not None:
        found = exercises.find_exercise(parts.exercise.text)
        if found is None:
            raise parts.where.error(parts.exercise.col, f"unknown exercise {parts.exercise.text!r}",
                                    "CATEGORY/EXERCISE from Garmin's catalogue")
        return found, cue
    words = [item.text for item in parts.cue]
    found = named_exercise(words)
    if found is not None or not required:
        return found, cue
    if not words:
        anchor = parts.sets or parts.length
        assert anchor is not None
        raise parts.where.error(anchor.col, "a strength step needs an exercise", "e.g. '- 3x12 Squat'")
    close = exercises.suggest(cue)
    hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
    raise parts.where.error(parts.cue[0].col, f"unknown exercise {cue!r}{hint}",
                            "a name from Garmin's exercise catalogue or CATEGORY/EXERCISE")


def _cue_text(parts: _Parts) -> str:
    """The free text of a step, without dashes that only separate it from a target ("RPE 9 - all out")."""
    return " ".join(item.text for item in parts.cue).strip(" -–—")


def named_exercise(words: list[str]) -> Exercise | None:
    """The exercise named by the longest leading run of ``words`` ("Goblet squat slow" → goblet squat)."""
    from watchsync.formats import exercises  # deferred: the catalogue loads on first use

    for count in range(len(words), 0, -1):
        found = exercises.find_exercise(" ".join(words[:count]))
        if found is not None:
            return found
    return None


def _intensity(parts: _Parts, context: Context, cue: str, rpe_high: float | None) -> Intensity:
    if parts.tag is None:
        return infer_intensity(context, cue, rpe_high)
    try:
        return Intensity(parts.tag.value)
    except ValueError:
        raise parts.where.error(parts.tag.col, f"unknown intensity {parts.tag.text!r}",
                                ", ".join(f"@{i.value}" for i in Intensity)) from None


def step_line(line: str, start: int, where: Where, context: Context) -> Step | Repeat:
    """One ``- ...`` line (``start`` indexes the text after the dash) → a step or a strength set."""
    body, _, notes_text = line.partition("|")
    parts = _collect(body, start, where)
    reps_step = parts.sets is not None or (parts.length is not None
                                           and isinstance(parts.length.value, RepsDuration))
    exercise, cue = None, _cue_text(parts)
    if reps_step or parts.exercise is not None or (where.sport in EXERCISE_SPORTS and parts.cue):
        exercise, cue = _exercise(parts, required=reps_step)
    if parts.weight is not None and exercise is None:
        raise where.error(parts.weight.col, f"weight {parts.weight.text!r} needs an exercise",
                          "e.g. '- 3x12 Squat 20kg'")
    duration: Any = parts.length.value if parts.length else LapButton()
    notes = notes_text.strip() or None
    if parts.lap is not None and parts.length is not None:
        notes = f"planned {parts.length.text}" + (f"; {notes}" if notes else "")
        duration = LapButton()
    if parts.cadence is not None:
        notes = f"cadence {parts.cadence.text}" + (f"; {notes}" if notes else "")
    if parts.sets is not None:
        duration = parts.sets.value[1]
    name: str | None = cue or None
    if name is not None and len(name) > MAX_NAME:
        if notes is not None:
            raise where.error(parts.cue[0].col, f"step name is longer than {MAX_NAME} characters",
                              "a shorter cue; put details after '|'")
        name, notes = None, cue
    rpe = parts.rpe.value if parts.rpe else None
    target = parts.target.value if parts.target else rpe
    rpe_high = rpe.high if rpe is not None else None
    col = parts.cue[0].col if parts.cue else start + 1
    step = build(where, col, body.strip(), Step, intensity=_intensity(parts, context, cue, rpe_high),
                  duration=duration, target=target or OpenTarget(), name=name, notes=notes,
                  rpe=rpe if parts.target else None, exercise=exercise,
                  weight_kg=parts.weight.value if parts.weight else None)
    if parts.sets is None:
        return step
    rest = [Step(intensity=Intensity.REST, duration=parts.set_rest.value)] if parts.set_rest else []
    return Repeat(count=parts.sets.value[0], steps=[step, *rest], skip_last_rest=bool(rest))
