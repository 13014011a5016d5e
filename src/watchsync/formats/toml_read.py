"""TOML source → a workout, each error placed at the key (or value) it is about."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from pydantic import TypeAdapter, ValidationError

from watchsync.formats.errors import WorkoutFormatError, raise_collected
from watchsync.formats.text.document import parse_text
from watchsync.formats.text.scan import parse_duration, parse_target
from watchsync.formats.toml_positions import KeyPath, Position, key_positions
from watchsync.formats.toml_schema import EXPECTED, FileTable, RepeatTable, StepTable
from watchsync.formats.validation import validation_message
from watchsync.model.units import KG_PER_POUND
from watchsync.model.workout import (
    MAX_REPEAT_DEPTH,
    Duration,
    Exercise,
    LapButton,
    OpenTarget,
    PacePercentTarget,
    PaceZoneTarget,
    Repeat,
    RepeatUntil,
    RpeTarget,
    Sport,
    Step,
    Target,
    WeightUnit,
    Workout,
    parse_sport,
)

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)$")
#: Sport families with a threshold pace of their own (``% Pace`` and pace zones resolve there).
_PACE_SHARE_FAMILIES = frozenset({"run", "swim"})
_WEIGHT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(kg|lbs?)\s*$", re.IGNORECASE)
_MULTILINE_OPEN = re.compile(r"(\"\"\"|''')\s*")


def parse_toml(source: str, path: str = "<toml>", warnings: list[WorkoutFormatError] | None = None) -> Workout:
    """Parse a TOML workout; raises :class:`WorkoutFormatError` (or ``WorkoutErrors``).

    The text syntax's warnings about probable slips in a ``duration``, ``target`` or ``text`` value
    (``"1000m"`` in a run is 16h40m) are appended to ``warnings``, placed at that value.
    """
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(path, source, error) from None
    reader = _Reader(path, source)
    workout = reader.workout(data)
    if warnings is not None:
        warnings.extend(reader.warnings)
    return workout


def _syntax_error(path: str, source: str, error: tomllib.TOMLDecodeError) -> WorkoutFormatError:
    message = str(error)
    m = _TOML_POSITION.search(message)
    if m:
        problem = _TOML_POSITION.sub("", message)
        if problem == "Illegal character '\\n'":  # tomllib's words for a string not closed on its line
            problem += ": a string not closed on its line (a missing quote?)"
        return WorkoutFormatError(path, int(m.group(1)), int(m.group(2)), problem, "valid TOML")
    lines = source.splitlines() or [""]
    return WorkoutFormatError(path, len(lines), len(lines[-1]) + 1, _TOML_AT_END.sub("", message) +
                              " at the end of the file", "valid TOML")


@dataclass
class _Reader:
    """Turns parsed TOML into a workout, raising errors placed at their keys."""

    path: str
    source: str
    sport: Sport = Sport.OTHER
    warnings: list[WorkoutFormatError] = field(default_factory=list)

    @cached_property
    def positions(self) -> dict[KeyPath, Position]:
        """Where every key is; scanned on first use (an error or embedded text), not per valid file."""
        return key_positions(self.source)

    def place(self, path: KeyPath) -> Position:
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, Position(1, 1, 1, 1))

    def error(self, path: KeyPath, problem: str, expected: str | None = None, *, at_value: bool = False
              ) -> WorkoutFormatError:
        position = self.place(path)
        line, col = (position.value_line, position.value_col) if at_value else (position.line, position.col)
        return WorkoutFormatError(self.path, line, col, f"{_dotted(path)}: {problem}" if path else problem,
                                  expected)

    def text_value[T](self, path: KeyPath, parse: Callable[[int, int, list[WorkoutFormatError]], T]) -> T:
        """``parse(line, col, warnings)`` of the text-syntax value at ``path``, its errors and warnings
        named and placed there.

        The value is parsed at (1, 1) first; only a failing one is parsed again at its real place,
        so valid files without warnings never need the key scan.
        """
        found: list[WorkoutFormatError] = []
        with self.naming(path):
            try:
                value = parse(1, 1, found)
            except WorkoutFormatError:
                at = self.place(path)
                found.clear()
                value = parse(at.value_line, at.value_col, found)
        if found:
            at = self.place(path)
            self.warnings.extend(WorkoutFormatError(self.path, at.value_line, at.value_col,
                                                    f"{_dotted(path)}: {w.problem}", w.expected) for w in found)
        return value

    @contextmanager
    def naming(self, path: KeyPath) -> Iterator[None]:
        """Prefix errors of a text-syntax value with its key path."""
        try:
            yield
        except WorkoutFormatError as error:
            raise WorkoutFormatError(error.path, error.line, error.col, f"{_dotted(path)}: {error.problem}",
                                     error.expected) from None

    def checked[T](self, base: KeyPath, data: object, validate: Callable[[], T]) -> T:
        """``validate()``, with pydantic errors turned into errors at the offending keys."""
        try:
            return validate()
        except ValidationError as error:
            raise_collected(self.located_errors(base, error, data))
            raise AssertionError("a ValidationError without errors") from None

    def located_errors(self, base: KeyPath, error: ValidationError, data: object) -> list[WorkoutFormatError]:
        out: list[WorkoutFormatError] = []
        seen: set[KeyPath] = set()
        for detail in error.errors():
            located = _located(base, detail["loc"], data, missing=detail["type"] == "missing")
            if located in seen:
                continue
            seen.add(located)
            key = str(located[-1]) if located else ""
            kind = detail["type"]
            if kind == "extra_forbidden":
                out.append(self.error(located, "unknown key"))
            elif kind == "missing":
                out.append(self.error(located, "missing key"))
            elif kind == "enum":
                out.append(self.error(located, f"wrong value {detail['input']!r}", EXPECTED.get(key),
                                      at_value=True))
            elif kind.endswith("_type") or kind in ("union_tag_invalid", "model_type"):
                got = type(detail["input"]).__name__
                out.append(self.error(located, f"wrong type ({got})", EXPECTED.get(key), at_value=True))
            else:
                out.append(self.error(located, validation_message(detail), at_value=True))
        return out

    def workout(self, data: dict[str, Any]) -> Workout:
        table = self.checked((), data, lambda: FileTable.model_validate(data))
        try:
            self.sport = parse_sport(table.sport)
        except ValueError:
            raise self.error(("sport",), f"unknown sport {table.sport!r}",
                             "one of " + ", ".join(s.value for s in Sport), at_value=True) from None
        if (table.steps is None) == (table.text is None):
            raise self.error((), "give either 'steps' or 'text'", "one of the two keys")
        if table.text is not None:
            return self.embedded(table, table.text)
        steps = table.steps or []
        if not steps:
            raise self.error(("steps",), "no steps", "at least one step table", at_value=True)
        blocks = self.blocks(("steps",), steps, 0)
        return self.checked((), data, lambda: Workout(name=table.name, sport=self.sport,
                                                      description=table.description, tags=table.tags,
                                                      pool_length=table.pool_length,
                                                      pool_length_unit=table.pool_length_unit, steps=blocks))

    def embedded(self, table: FileTable, text: str) -> Workout:
        at = self.place(("text",))
        line = self.source.splitlines()[at.value_line - 1]
        starts_on_next_line = _MULTILINE_OPEN.fullmatch(line, at.value_col - 1) is not None
        offset = at.value_line if starts_on_next_line else at.value_line - 1
        workout = parse_text(text, self.path, line_offset=offset, header_required=False,
                              name=table.name, sport=self.sport, warnings=self.warnings)
        update: dict[str, object] = {}
        if table.description is not None:
            update["description"] = table.description
        if table.tags:
            update["tags"] = table.tags
        if table.pool_length is not None:
            update.update(pool_length=table.pool_length, pool_length_unit=table.pool_length_unit)
        merged = {**workout.model_dump(), **update}
        return self.checked((), merged, lambda: Workout.model_validate(merged))

    def blocks(self, path: KeyPath, tables: list[dict[str, Any]], depth: int) -> list[Step | Repeat]:
        out: list[Step | Repeat] = []
        errors: list[WorkoutFormatError] = []
        for index, table in enumerate(tables):
            try:
                out.append(self.block((*path, index), table, depth))
            except WorkoutFormatError as error:
                errors.extend(error.errors)
        raise_collected(errors)
        return out

    def block(self, path: KeyPath, table: dict[str, Any], depth: int) -> Step | Repeat:
        if "repeat" not in table:
            return self.step(path, self.checked(path, table, lambda: StepTable.model_validate(table)))
        repeat = self.checked(path, table, lambda: RepeatTable.model_validate(table))
        if not 1 <= repeat.repeat <= 200:
            raise self.error((*path, "repeat"), f"repeat count {repeat.repeat} must be 1 to 200",
                             at_value=True)
        if depth >= MAX_REPEAT_DEPTH:
            raise self.error((*path, "repeat"), f"repeats nest too deep (at most {MAX_REPEAT_DEPTH} levels)")
        if not repeat.steps:
            raise self.error((*path, "steps"), "a repeat needs steps", "at least one step table",
                             at_value=True)
        steps = self.blocks((*path, "steps"), repeat.steps, depth + 1)
        until = repeat.until
        return self.checked((*path, "until") if until is not None else path, until or {},
                            lambda: Repeat(count=repeat.repeat, steps=steps, name=repeat.name,
                                           skip_last_rest=repeat.skip_last_rest,
                                           until=RepeatUntil.model_validate(until) if until is not None else None))

    def step(self, path: KeyPath, table: StepTable) -> Step:
        duration = self.duration(path, table.duration)
        target, rpe = self.target(path, table.target)
        if table.rpe is not None:
            if rpe is not None:
                raise self.error((*path, "rpe"), "an RPE is already given in 'target'")
            rpe = self.rpe(path, table.rpe)
        exercise = self.exercise(path, table.exercise)
        weight_kg, weight_unit = self.weight(path, table)
        weight_key = "weight" if table.weight is not None else "weight_kg"
        secondary = self.target((*path, "secondary"), table.secondary)[0] if table.secondary is not None else None
        planned = self.duration((*path, "planned"), table.planned) if table.planned is not None else None
        try:
            return Step(intensity=table.intensity, duration=duration, target=target, rpe=rpe,
                        name=table.name, notes=table.notes, exercise=exercise, weight_kg=weight_kg,
                        weight_unit=weight_unit, secondary=secondary, ramp=table.ramp, planned=planned,
                        prompts=table.prompts, stroke=table.stroke, equipment=table.equipment)
        except ValidationError as error:
            detail = error.errors()[0]
            key = str(detail["loc"][0]) if detail["loc"] else ""
            key = weight_key if key == "weight_kg" or "weight" in detail["msg"] else key
            raise self.error((*path, key) if key else path, validation_message(detail)) from None

    def duration(self, path: KeyPath, value: str | dict[str, Any] | None) -> Duration:
        """The step's ``duration`` (or, for a path ending in ``planned``, that key)."""
        key = path if path and path[-1] == "planned" else (*path, "duration")
        if value is None:
            return LapButton()
        if isinstance(value, dict):
            return self.checked(key, value, lambda: _adapters()[0].validate_python(value))
        return self.text_value(key, lambda line, col, warnings: parse_duration(
            value, path=self.path, line=line, col=col, sport=self.sport, warnings=warnings))

    def target(self, path: KeyPath, value: str | dict[str, Any] | None) -> tuple[Target, RpeTarget | None]:
        """The step's ``target`` (or, for a path ending in ``secondary``, that key)."""
        key = path if path and path[-1] == "secondary" else (*path, "target")
        if value is None:
            return OpenTarget(), None
        if isinstance(value, dict):
            found: tuple[Target, RpeTarget | None] = (
                self.checked(key, value, lambda: _adapters()[1].validate_python(value)), None)
        else:
            found = self.text_value(key, lambda line, col, warnings: parse_target(
                value, path=self.path, line=line, col=col, sport=self.sport, warnings=warnings))
        self.no_share_of_pace(key, found[0])
        return found

    def no_share_of_pace(self, key: KeyPath, target: Target) -> None:
        """Refuse a ``% Pace`` or pace-zone target in a ride, ski, row or gym workout at its value, as the text
        syntax does (probe fitwkt7: ``validate`` passed an imported ride's ``Z2 Pace`` that ``compile`` refused)."""
        if self.sport is Sport.OTHER or self.sport.family in _PACE_SHARE_FAMILIES:
            return  # a sport not known: resolve says it
        if isinstance(target, PacePercentTarget | PaceZoneTarget):
            kind = "% Pace target" if isinstance(target, PacePercentTarget) else "pace zone"
            raise self.error(key, f"a {kind} in a {self.sport.value} workout: watchsync knows a running threshold "
                             "pace and a swim CSS, not a threshold of this sport",
                             "an absolute pace like 2:00/km Pace, or a heart-rate or power target", at_value=True)

    def rpe(self, path: KeyPath, value: str | int | float | dict[str, Any]) -> RpeTarget:
        if isinstance(value, dict):
            return self.checked((*path, "rpe"), value, lambda: RpeTarget.model_validate(value))
        text = str(value).strip()
        written = text if text.lower().startswith("rpe") else f"RPE {text}"
        parsed, _ = self.text_value((*path, "rpe"), lambda line, col, warnings: parse_target(
            written, path=self.path, line=line, col=col, warnings=warnings))
        if not isinstance(parsed, RpeTarget):
            raise self.error((*path, "rpe"), f"{value!r} is not an RPE", EXPECTED["rpe"], at_value=True)
        return parsed

    def exercise(self, path: KeyPath, value: str | dict[str, Any] | None) -> Exercise | None:
        from watchsync.formats import exercises  # deferred: the catalogue loads on first use

        if value is None:
            return None
        if isinstance(value, dict):
            return self.checked((*path, "exercise"), value, lambda: Exercise.model_validate(value))
        found = exercises.find_exercise(value)
        if found is None:
            close = exercises.suggest(value)
            hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
            raise self.error((*path, "exercise"), f"unknown exercise {value!r}{hint}", EXPECTED["exercise"],
                             at_value=True)
        return found

    def weight(self, path: KeyPath, table: StepTable) -> tuple[float | None, WeightUnit | None]:
        """The weight in kilograms, and ``"lb"`` when it was written in pounds (shown so)."""
        if table.weight is not None and table.weight_kg is not None:
            raise self.error((*path, "weight"), "give either 'weight' or 'weight_kg'")
        if table.weight is None:
            return None if table.weight_kg is None else float(table.weight_kg), None
        m = _WEIGHT.match(table.weight)
        if m is None:
            raise self.error((*path, "weight"), f"bad weight {table.weight!r}", EXPECTED["weight"],
                             at_value=True)
        if m.group(2).lower() == "kg":
            return float(m.group(1)), None
        return float(m.group(1)) * KG_PER_POUND, "lb"


@cache
def _adapters() -> tuple[TypeAdapter[Duration], TypeAdapter[Target]]:
    """Validators for model-form durations and targets (built on first use: ~20 ms)."""
    return TypeAdapter[Duration](Duration), TypeAdapter[Target](Target)


def _located(base: KeyPath, loc: tuple[str | int, ...], data: object, *, missing: bool) -> KeyPath:
    """``base`` + the parts of a pydantic ``loc`` that are real keys or indices of ``data``."""
    path = base
    node = data
    for part in loc:
        in_table = isinstance(node, dict) and part in node
        in_array = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_table or in_array):
            continue  # a union member or model name, not a key
        node = node[part]  # type: ignore[index]
        path = (*path, part)
    if missing and loc:
        path = (*path, loc[-1])
    return path


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
