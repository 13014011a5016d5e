"""TOML workout files: structured steps (validated by pydantic) or embedded text syntax.

::

    name = "Hills"
    sport = "trail_running"
    steps = [
      { duration = "15m", target = "RPE 3", intensity = "warmup" },
      { repeat = 6, steps = [{ duration = "60s", target = "RPE 8" }, { target = "RPE 2" }] },
    ]

A step table holds ``intensity``, ``duration`` and ``target`` (text-syntax strings such as
``"10m"`` / ``"RPE 3 Z2 HR"``, or model tables such as ``{ kind = "time", seconds = 600 }``),
``rpe``, ``name``, ``notes``, ``exercise`` (a name or ``CATEGORY/EXERCISE``; a
``{ category, name }`` table is taken as is), ``weight`` (``"20kg"``/``"45lb"``) or ``weight_kg``.
A repeat table holds ``repeat`` (the count), ``steps``, ``name`` and ``skip_last_rest``; repeats
nest up to :data:`MAX_REPEAT_DEPTH` levels. Instead of ``steps``, ``text = '''...'''`` embeds the
text syntax; its line numbers are reported relative to the TOML file (exact when the string
starts on the line after its opening quotes).

tomllib keeps no positions, so errors are placed by :func:`key_positions`, a small scanner that
walks the (already validated) TOML source and records where every key and array element starts.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, NamedTuple

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from watchsync.formats import text as text_syntax
from watchsync.formats.errors import WorkoutFormatError, raise_collected
from watchsync.model.workout import (
    Duration,
    Exercise,
    Intensity,
    LapButton,
    OpenTarget,
    Repeat,
    RpeTarget,
    Sport,
    Step,
    Target,
    Workout,
    parse_sport,
)

MAX_REPEAT_DEPTH = 3
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)$")
_WEIGHT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(kg|lbs?)\s*$", re.IGNORECASE)
_LB_KG = 0.45359237

Path_ = tuple[str | int, ...]


# --- where keys are ------------------------------------------------------------------------------


class Position(NamedTuple):
    """1-based line and column of a key (or array element) and of its value."""

    line: int
    col: int
    value_line: int
    value_col: int


@dataclass
class _Scanner:
    """Walks valid TOML text recording positions; never validates (tomllib did)."""

    text: str
    i: int = 0
    positions: dict[Path_, Position] = field(default_factory=dict)
    current_aot: dict[Path_, int] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]

    def where(self, index: int) -> tuple[int, int]:
        line = _bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def record(self, path: Path_, key_index: int, value_index: int) -> None:
        self.positions.setdefault(path, Position(*self.where(key_index), *self.where(value_index)))

    def skip(self, newlines: bool) -> None:
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in " \t\r" or (newlines and char == "\n"):
                self.i += 1
            elif char == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                return

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip(False)
            char = self.text[self.i]
            if char in "\"'":
                end = self._string_end(self.i)
                parts.append(tomllib.loads(f"k = {self.text[self.i:end]}")["k"])
                self.i = end
            else:
                m = re.compile(r"[A-Za-z0-9_-]+").match(self.text, self.i)
                assert m is not None
                parts.append(m.group(0))
                self.i = m.end()
            self.skip(False)
            if self.text[self.i] != ".":
                return parts
            self.i += 1

    def _string_end(self, start: int) -> int:
        text = self.text
        quote = text[start]
        if text.startswith(quote * 3, start):
            end = start + 3
            while True:
                if quote == '"' and text[end] == "\\":
                    end += 2
                    continue
                if text.startswith(quote * 3, end):
                    end += 3
                    while end < len(text) and text[end] == quote:
                        end += 1
                    return end
                end += 1
        end = start + 1
        while text[end] != quote:
            end += 2 if quote == '"' and text[end] == "\\" else 1
        return end + 1

    def value(self, path: Path_) -> None:
        char = self.text[self.i]
        if char in "\"'":
            self.i = self._string_end(self.i)
        elif char == "[":
            self.i += 1
            index = 0
            while True:
                self.skip(True)
                if self.text[self.i] == "]":
                    self.i += 1
                    return
                self.record((*path, index), self.i, self.i)
                self.value((*path, index))
                index += 1
                self.skip(True)
                if self.text[self.i] == ",":
                    self.i += 1
        elif char == "{":
            self.i += 1
            while True:
                self.skip(False)
                if self.text[self.i] == "}":
                    self.i += 1
                    return
                self.pair(path)
                self.skip(False)
                if self.text[self.i] == ",":
                    self.i += 1
        else:
            m = re.compile(r"[^,\]}\n#]*").match(self.text, self.i)
            assert m is not None
            self.i = m.end()

    def pair(self, table: Path_) -> None:
        start = self.i
        path = (*table, *self.key())
        self.skip(False)
        self.i += 1  # '='
        self.skip(False)
        self.record(path, start, self.i)
        self.value(path)

    def resolve(self, names: list[str]) -> Path_:
        path: Path_ = ()
        for name in names:
            path = (*path, name)
            if path in self.current_aot:
                path = (*path, self.current_aot[path])
        return path

    def header(self) -> Path_:
        start = self.i
        array = self.text.startswith("[[", self.i)
        self.i += 2 if array else 1
        names = self.key()
        self.i += 2 if array else 1
        if not array:
            table = self.resolve(names)
            self.record(table, start, start)
            return table
        parent = self.resolve(names[:-1])
        array_path = (*parent, names[-1])
        self.record(array_path, start, start)
        index = self.current_aot.get(array_path, -1) + 1
        for known in [p for p in self.current_aot if p[: len(array_path)] == array_path and p != array_path]:
            del self.current_aot[known]
        self.current_aot[array_path] = index
        self.record((*array_path, index), start, start)
        return (*array_path, index)

    def document(self) -> dict[Path_, Position]:
        table: Path_ = ()
        while True:
            self.skip(True)
            if self.i >= len(self.text):
                return self.positions
            if self.text[self.i] == "[":
                table = self.header()
            else:
                self.pair(table)


def _bisect_right(starts: list[int], index: int) -> int:
    low, high = 0, len(starts)
    while low < high:
        middle = (low + high) // 2
        if starts[middle] <= index:
            low = middle + 1
        else:
            high = middle
    return low


def key_positions(source: str) -> dict[Path_, Position]:
    """Position of every key and array element of valid TOML ``source``, by key path."""
    return _Scanner(source).document()


# --- the file schema -----------------------------------------------------------------------------


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FileTable(_Table):
    name: str
    sport: str
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    steps: list[dict[str, Any]] | None = None
    text: str | None = None


class _StepTable(_Table):
    intensity: Intensity = Intensity.ACTIVE
    duration: str | dict[str, Any] | None = None
    target: str | dict[str, Any] | None = None
    rpe: str | int | float | dict[str, Any] | None = None
    name: str | None = None
    notes: str | None = None
    exercise: str | dict[str, Any] | None = None
    weight: str | None = None
    weight_kg: int | float | None = None


class _RepeatTable(_Table):
    repeat: int
    steps: list[dict[str, Any]]
    name: str | None = None
    skip_last_rest: bool = False


_EXPECTED: dict[str, str] = {
    "duration": 'a length like "10m" or a table like { kind = "time", seconds = 600 }',
    "target": 'a target like "RPE 3" or "Z2 HR", or a table like { kind = "hr_zone", zone = 2 }',
    "rpe": '"RPE 3", "3-4" or a number 1 to 10',
    "exercise": 'an exercise name like "Goblet squat" or "SQUAT/GOBLET_SQUAT"',
    "weight": '"20kg" or "45lb"',
    "intensity": ", ".join(i.value for i in Intensity),
    "steps": "an array of step or repeat tables",
    "tags": "an array of strings",
}
_MULTILINE_OPEN = re.compile(r"(\"\"\"|''')\s*")


@dataclass
class _Reader:
    """Turns parsed TOML into a workout, raising errors placed at their keys."""

    path: str
    source: str
    sport: Sport = Sport.OTHER

    @cached_property
    def positions(self) -> dict[Path_, Position]:
        """Where every key is; scanned on first use (an error or embedded text), not per valid file."""
        return key_positions(self.source)

    def place(self, path: Path_) -> Position:
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, Position(1, 1, 1, 1))

    def error(self, path: Path_, problem: str, expected: str | None = None, *, at_value: bool = False
              ) -> WorkoutFormatError:
        position = self.place(path)
        line, col = (position.value_line, position.value_col) if at_value else (position.line, position.col)
        return WorkoutFormatError(self.path, line, col, f"{_dotted(path)}: {problem}" if path else problem,
                                  expected)

    def text_value[T](self, path: Path_, parse: Callable[[int, int], T]) -> T:
        """``parse(line, col)`` of the text-syntax value at ``path``, its errors named and placed there.

        The value is parsed at (1, 1) first; only a failing one is parsed again at its real place,
        so valid files never need the key scan.
        """
        with self.naming(path):
            try:
                return parse(1, 1)
            except WorkoutFormatError:
                at = self.place(path)
                return parse(at.value_line, at.value_col)

    @contextmanager
    def naming(self, path: Path_) -> Iterator[None]:
        """Prefix errors of a text-syntax value with its key path."""
        try:
            yield
        except WorkoutFormatError as error:
            raise WorkoutFormatError(error.path, error.line, error.col, f"{_dotted(path)}: {error.problem}",
                                     error.expected) from None

    def checked[T](self, base: Path_, data: object, validate: Callable[[], T]) -> T:
        """``validate()``, with pydantic errors turned into errors at the offending keys."""
        try:
            return validate()
        except ValidationError as error:
            raise_collected(self.located_errors(base, error, data))
            raise AssertionError("a ValidationError without errors") from None

    def located_errors(self, base: Path_, error: ValidationError, data: object) -> list[WorkoutFormatError]:
        out: list[WorkoutFormatError] = []
        seen: set[Path_] = set()
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
                out.append(self.error(located, f"wrong value {detail['input']!r}", _EXPECTED.get(key),
                                      at_value=True))
            elif kind.endswith("_type") or kind in ("union_tag_invalid", "model_type"):
                got = type(detail["input"]).__name__
                out.append(self.error(located, f"wrong type ({got})", _EXPECTED.get(key), at_value=True))
            else:
                out.append(self.error(located, text_syntax.validation_message(detail), at_value=True))
        return out

    def workout(self, data: dict[str, Any]) -> Workout:
        table = self.checked((), data, lambda: _FileTable.model_validate(data))
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
                                                      steps=blocks))

    def embedded(self, table: _FileTable, text: str) -> Workout:
        at = self.place(("text",))
        line = self.source.splitlines()[at.value_line - 1]
        starts_on_next_line = _MULTILINE_OPEN.fullmatch(line, at.value_col - 1) is not None
        offset = at.value_line if starts_on_next_line else at.value_line - 1
        workout = text_syntax.parse_text(text, self.path, line_offset=offset, header_required=False,
                                         name=table.name, sport=self.sport)
        update: dict[str, object] = {}
        if table.description is not None:
            update["description"] = table.description
        if table.tags:
            update["tags"] = table.tags
        merged = {**workout.model_dump(), **update}
        return self.checked((), merged, lambda: Workout.model_validate(merged))

    def blocks(self, path: Path_, tables: list[dict[str, Any]], depth: int) -> list[Step | Repeat]:
        out: list[Step | Repeat] = []
        errors: list[WorkoutFormatError] = []
        for index, table in enumerate(tables):
            try:
                out.append(self.block((*path, index), table, depth))
            except WorkoutFormatError as error:
                errors.extend(error.errors)
        raise_collected(errors)
        return out

    def block(self, path: Path_, table: dict[str, Any], depth: int) -> Step | Repeat:
        if "repeat" not in table:
            return self.step(path, self.checked(path, table, lambda: _StepTable.model_validate(table)))
        repeat = self.checked(path, table, lambda: _RepeatTable.model_validate(table))
        if not 1 <= repeat.repeat <= 200:
            raise self.error((*path, "repeat"), f"repeat count {repeat.repeat} must be 1 to 200",
                             at_value=True)
        if depth >= MAX_REPEAT_DEPTH:
            raise self.error((*path, "repeat"), f"repeats nest too deep (at most {MAX_REPEAT_DEPTH} levels)")
        if not repeat.steps:
            raise self.error((*path, "steps"), "a repeat needs steps", "at least one step table",
                             at_value=True)
        steps = self.blocks((*path, "steps"), repeat.steps, depth + 1)
        return Repeat(count=repeat.repeat, steps=steps, name=repeat.name, skip_last_rest=repeat.skip_last_rest)

    def step(self, path: Path_, table: _StepTable) -> Step:
        duration = self.duration(path, table.duration)
        target, rpe = self.target(path, table.target)
        if table.rpe is not None:
            if rpe is not None:
                raise self.error((*path, "rpe"), "an RPE is already given in 'target'")
            rpe = self.rpe(path, table.rpe)
        exercise = self.exercise(path, table.exercise)
        weight_kg = self.weight(path, table)
        weight_key = "weight" if table.weight is not None else "weight_kg"
        try:
            return Step(intensity=table.intensity, duration=duration, target=target, rpe=rpe,
                        name=table.name, notes=table.notes, exercise=exercise, weight_kg=weight_kg)
        except ValidationError as error:
            detail = error.errors()[0]
            key = str(detail["loc"][0]) if detail["loc"] else ""
            key = weight_key if key == "weight_kg" or "weight" in detail["msg"] else key
            raise self.error((*path, key) if key else path, text_syntax.validation_message(detail)) from None

    def duration(self, path: Path_, value: str | dict[str, Any] | None) -> Duration:
        if value is None:
            return LapButton()
        if isinstance(value, dict):
            return self.checked((*path, "duration"), value, lambda: _adapters()[0].validate_python(value))
        return self.text_value((*path, "duration"), lambda line, col: text_syntax.parse_duration(
            value, path=self.path, line=line, col=col, sport=self.sport))

    def target(self, path: Path_, value: str | dict[str, Any] | None) -> tuple[Target, RpeTarget | None]:
        if value is None:
            return OpenTarget(), None
        if isinstance(value, dict):
            return self.checked((*path, "target"), value, lambda: _adapters()[1].validate_python(value)), None
        return self.text_value((*path, "target"), lambda line, col: text_syntax.parse_target(
            value, path=self.path, line=line, col=col, sport=self.sport))

    def rpe(self, path: Path_, value: str | int | float | dict[str, Any]) -> RpeTarget:
        if isinstance(value, dict):
            return self.checked((*path, "rpe"), value, lambda: RpeTarget.model_validate(value))
        text = str(value).strip()
        written = text if text.lower().startswith("rpe") else f"RPE {text}"
        parsed, _ = self.text_value((*path, "rpe"), lambda line, col: text_syntax.parse_target(
            written, path=self.path, line=line, col=col))
        if not isinstance(parsed, RpeTarget):
            raise self.error((*path, "rpe"), f"{value!r} is not an RPE", _EXPECTED["rpe"], at_value=True)
        return parsed

    def exercise(self, path: Path_, value: str | dict[str, Any] | None) -> Exercise | None:
        from watchsync.formats import exercises  # deferred: the catalogue loads on first use

        if value is None:
            return None
        if isinstance(value, dict):
            return self.checked((*path, "exercise"), value, lambda: Exercise.model_validate(value))
        found = exercises.find_exercise(value)
        if found is None:
            close = exercises.suggest(value)
            hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
            raise self.error((*path, "exercise"), f"unknown exercise {value!r}{hint}", _EXPECTED["exercise"],
                             at_value=True)
        return found

    def weight(self, path: Path_, table: _StepTable) -> float | None:
        if table.weight is not None and table.weight_kg is not None:
            raise self.error((*path, "weight"), "give either 'weight' or 'weight_kg'")
        if table.weight is None:
            return None if table.weight_kg is None else float(table.weight_kg)
        m = _WEIGHT.match(table.weight)
        if m is None:
            raise self.error((*path, "weight"), f"bad weight {table.weight!r}", _EXPECTED["weight"],
                             at_value=True)
        return float(m.group(1)) * (1.0 if m.group(2).lower() == "kg" else _LB_KG)


@cache
def _adapters() -> tuple[TypeAdapter[Duration], TypeAdapter[Target]]:
    """Validators for model-form durations and targets (built on first use: ~20 ms)."""
    return TypeAdapter[Duration](Duration), TypeAdapter[Target](Target)


def _located(base: Path_, loc: tuple[str | int, ...], data: object, *, missing: bool) -> Path_:
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


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# --- public API ----------------------------------------------------------------------------------


def _syntax_error(path: str, source: str, error: tomllib.TOMLDecodeError) -> WorkoutFormatError:
    message = str(error)
    m = _TOML_POSITION.search(message)
    if m:
        return WorkoutFormatError(path, int(m.group(1)), int(m.group(2)), _TOML_POSITION.sub("", message),
                                  "valid TOML")
    lines = source.splitlines() or [""]
    return WorkoutFormatError(path, len(lines), len(lines[-1]) + 1, _TOML_AT_END.sub("", message) +
                              " at the end of the file", "valid TOML")


def parse_toml(source: str, path: str = "<toml>") -> Workout:
    """Parse a TOML workout; raises :class:`WorkoutFormatError` (or ``WorkoutErrors``)."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(path, source, error) from None
    return _Reader(path, source).workout(data)


def format_toml(workout: Workout) -> str:
    """The workout as a TOML file (``[[steps]]`` tables, text-syntax strings where they read back)."""
    data: dict[str, Any] = {"name": workout.name, "sport": workout.sport.value}
    if workout.description is not None:
        data["description"] = workout.description
    if workout.tags:
        data["tags"] = list(workout.tags)
    data["steps"] = [_block_table(block, workout.sport) for block in workout.steps]
    return tomli_w.dumps(data)


def _block_table(block: Step | Repeat, sport: Sport) -> dict[str, Any]:
    if isinstance(block, Repeat):
        table: dict[str, Any] = {"repeat": block.count}
        if block.name is not None:
            table["name"] = block.name
        if block.skip_last_rest:
            table["skip_last_rest"] = True
        table["steps"] = [_block_table(inner, sport) for inner in block.steps]
        return table
    return _step_table(block, sport)


def _step_table(step: Step, sport: Sport) -> dict[str, Any]:
    table: dict[str, Any] = {}
    if step.intensity is not Intensity.ACTIVE:
        table["intensity"] = step.intensity.value
    if not isinstance(step.duration, LapButton):
        text = text_syntax.format_duration(step.duration)
        readable = _reads_back(lambda: text_syntax.parse_duration(text, sport=sport) == step.duration)
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
    if step.weight_kg is not None:
        table["weight_kg"] = step.weight_kg
    return table


def _target_value(target: Target, sport: Sport) -> str | dict[str, Any]:
    text = text_syntax.format_target(target)
    return text if _reads_back(lambda: text_syntax.parse_target(text, sport=sport) == (target, None)) \
        else target.model_dump()


def _exercise_value(exercise: Exercise) -> str | dict[str, Any]:
    from watchsync.formats import exercises

    key = f"{exercise.category}/{exercise.name}"
    return key if exercises.find_exercise(key) == exercise else exercise.model_dump()


def _reads_back(check: Callable[[], bool]) -> bool:
    try:
        return check()
    except WorkoutFormatError:
        return False
