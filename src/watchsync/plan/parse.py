"""Read plan files (TOML) into a :class:`~watchsync.plan.model.Plan`, with one-line errors.

::

    name = "Base 6 weeks"
    athlete = "anna"                 # optional
    start = 2026-03-02               # optional; else given at apply time
    library = ".."                   # optional; default: workouts/ for workouts/plans/*.toml
    force = true                     # optional: apply even with lint errors
    [history]                        # optional seed for the rules
    weekly_minutes = [240, 250, 260, 255]
    longest_run_minutes = 80

    [[weeks]]
    focus = "build"                  # build | deload
    [[weeks.days.tue]]
    workout = "drills/pre-run-drills.txt"   # library path or workout name
    [[weeks.days.tue]]
    text = \"\"\"
    name: Easy run 40 min
    sport: trail_running
    - 40m RPE 3-4 easy
    \"\"\"
    note = "flat loop"

A day may also be a string or a list of strings and ``{workout = ..., note = ...}`` tables.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from watchsync.errors import InputError
from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text import parse_text
from watchsync.formats.toml_workout import Position, key_positions
from watchsync.model.workout import Workout
from watchsync.plan.library import Library, UnknownWorkout
from watchsync.plan.model import DAY_NAMES, History, Plan, PlanError, Session, Week, WeekFocus
from watchsync.plan.stats import session_facts
from watchsync.prepare import workout_key

_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_PLAN_KEYS = {"name", "athlete", "start", "description", "library", "history", "weeks", "force"}
_WEEK_KEYS = {"focus", "note", "days"}
_SESSION_KEYS = {"workout", "text", "note"}
_HISTORY_KEYS = {"weekly_minutes", "longest_run_minutes"}


def load_plan(path: Path | str, library: Library | None = None) -> Plan:
    """Read and validate the plan file ``path``; raises :class:`PlanError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is no TOML statement
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(str(path), 1, f"cannot read the plan: {error}") from None
    return parse_plan(text, path, library)


def parse_plan(text: str, path: Path, library: Library | None = None) -> Plan:
    """Parse plan ``text`` read from ``path`` (used for messages and the default library)."""
    label = str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_WHERE.search(message)
        line, col = (int(where.group(1)), int(where.group(2))) if where else (max(1, len(text.splitlines())), None)
        problem = _TOML_AT_END.sub("", _TOML_WHERE.sub("", message))
        raise PlanError(label, line, f"invalid TOML: {problem}", col=col) from None
    return _Reader(label, path, text, raw, library).plan()


class _Reader:
    def __init__(self, label: str, path: Path, text: str, raw: dict[str, Any],
                 library: Library | None) -> None:
        self.label, self.path, self.raw = label, path, raw
        self.source_lines = text.splitlines()
        self.positions = key_positions(text)
        self.library = library or self._library()

    def at(self, *key: str | int) -> int:
        """Line of the key path ``key`` (or of its nearest known parent)."""
        for end in range(len(key), 0, -1):
            position: Position | None = self.positions.get(key[:end])
            if position is not None:
                return position.line
        return 1

    def fail(self, line: int, problem: str, week: int | None = None, day: int | None = None) -> PlanError:
        return PlanError(self.label, line, problem, week=week, day=day)

    def _library(self) -> Library:
        folder = self.raw.get("library")
        if folder is None:
            return Library.for_plan(self.path)
        if not isinstance(folder, str):
            raise self.fail(self.at("library"), "library must be a folder path (a string)")
        root = (self.path.parent / folder).resolve()
        if not root.is_dir():
            where = "" if Path(folder).is_absolute() else \
                f" (a relative library is relative to the plan file's folder, {self.path.parent.resolve()})"
            raise self.fail(self.at("library"), f"library folder {folder!r} does not exist{where}")
        return Library(root)

    def plan(self) -> Plan:
        for key in self.raw:
            if key not in _PLAN_KEYS:
                raise self.fail(self.at(key), f"unknown key {key!r} (expected one of "
                                                    f"{', '.join(sorted(_PLAN_KEYS))})")
        name = self.raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(self.at("name"), "the plan needs a name (name = \"...\")")
        weeks = self.raw.get("weeks")
        if not isinstance(weeks, list) or not weeks:
            raise self.fail(self.at("weeks"), "the plan needs weeks ([[weeks]] tables)")
        plan = Plan(
            name=name.strip(), weeks=tuple(self.week(number, week) for number, week in enumerate(weeks, 1)),
            athlete=self.optional_text("athlete"), start=self.start(),
            description=self.optional_text("description"), history=self.history(), source=self.path,
            force=self.force())
        if plan.start is not None:
            for _ in plan.sessions():
                pass  # raises for a session before the start date
        return plan

    def force(self) -> bool:
        """``force = true``: apply even with lint errors (the coach's explicit choice, e.g. via the inbox)."""
        value = self.raw.get("force", False)
        if not isinstance(value, bool):
            raise self.fail(self.at("force"), "force must be true or false")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(self.at(key), f"{key} must be a string")
        return value

    def start(self) -> date | None:
        value = self.raw.get("start")
        if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(self.at("start"), f"start {value!r} is not a date (expected YYYY-MM-DD)")

    def history(self) -> History | None:
        value = self.raw.get("history")
        if value is None:
            return None
        line = self.at("history")
        if not isinstance(value, dict) or set(value) - _HISTORY_KEYS:
            raise self.fail(line, f"history takes only {', '.join(sorted(_HISTORY_KEYS))}")
        weekly = value.get("weekly_minutes", [])
        longest = value.get("longest_run_minutes")
        if not isinstance(weekly, list) or not all(_minutes(v) for v in weekly):
            raise self.fail(line, "history.weekly_minutes must be a list of minutes (numbers ≥ 0)")
        if longest is not None and (not _minutes(longest) or longest <= 0):
            raise self.fail(line, "history.longest_run_minutes must be a positive number of minutes")
        return History(tuple(float(v) for v in weekly), None if longest is None else float(longest))

    def week(self, number: int, raw: object) -> Week:
        line = self.at("weeks", number - 1)
        if not isinstance(raw, dict):
            raise self.fail(line, "a week must be a table ([[weeks]])", number)
        for key in raw:
            if key not in _WEEK_KEYS:
                raise self.fail(line, f"unknown week key {key!r} (expected focus, note, days)", number)
        focus = raw.get("focus", WeekFocus.BUILD.value)
        if focus not in {f.value for f in WeekFocus}:
            raise self.fail(line, f"focus {focus!r} is not build or deload", number)
        note = raw.get("note")
        if note is not None and not isinstance(note, str):
            raise self.fail(line, "a week note must be a string", number)
        days = raw.get("days", {})
        if not isinstance(days, dict):
            raise self.fail(line, "days must be a table of mon..sun", number)
        parsed: dict[int, tuple[Session, ...]] = {}
        for day_name, value in days.items():
            if day_name not in DAY_NAMES:
                raise self.fail(self.at("weeks", number - 1, "days", day_name),
                                f"unknown day {day_name!r} (expected {', '.join(DAY_NAMES)})", number)
            day = DAY_NAMES.index(day_name)
            sessions = tuple(self.session(number, day, index, item)
                             for index, item in enumerate(value if isinstance(value, list) else [value]))
            self.check_day(number, day, sessions)
            if sessions:
                parsed[day] = sessions
        return Week(WeekFocus(focus), parsed, note, line)

    def session(self, week: int, day: int, index: int, raw: object) -> Session:
        where = ("weeks", week - 1, "days", DAY_NAMES[day])
        line = self.at(*where, index)
        item = {"workout": raw} if isinstance(raw, str) else raw
        if not isinstance(item, dict):
            raise self.fail(line, "a session is a workout reference or a table with workout/text/note", week, day)
        unknown = set(item) - _SESSION_KEYS
        if unknown:
            raise self.fail(line, f"unknown session key {sorted(unknown)[0]!r} (expected workout, text, note)",
                            week, day)
        note, ref, text = item.get("note"), item.get("workout"), item.get("text")
        if note is not None and not isinstance(note, str):
            raise self.fail(line, "a session note must be a string", week, day)
        if (ref is None) == (text is None) or not isinstance(ref or text, str):
            raise self.fail(line, "a session needs either workout = \"path or name\" or text = \"\"\"...\"\"\"",
                            week, day)
        if isinstance(ref, str):
            return Session(self.library_workout(ref, line, week, day), ref=ref, note=note, line=line)
        assert isinstance(text, str)
        offset = self.text_offset(self.positions.get((*where, index, "text")))
        return Session(self.inline_workout(text, offset, line, week, day), text=text, note=note, line=line)

    def text_offset(self, position: Position | None) -> int | None:
        """Line offset of an inline text: its first line is the one after a lone opening quote."""
        if position is None:
            return None
        opener = self.source_lines[position.value_line - 1][position.value_col - 1:].strip()
        return position.value_line if opener in ('"""', "'''") else position.value_line - 1

    def library_workout(self, ref: str, line: int, week: int, day: int) -> Workout:
        try:
            path = self.library.find(ref)
        except UnknownWorkout as error:
            raise self.fail(line, str(error), week, day) from None
        try:
            return self.library.load(path)
        except InputError as error:
            raise self.fail(line, f"workout {ref!r} is invalid: {_first_line(error)}", week, day) from None

    def inline_workout(self, text: str, offset: int | None, line: int, week: int, day: int) -> Workout:
        try:
            return parse_text(text, self.label, line_offset=offset or 0, header_required=False,
                              name=f"Week {week} {DAY_NAMES[day]}")
        except WorkoutFormatError as error:
            expected = f" (expected {error.expected})" if error.expected else ""
            if offset is None:
                raise self.fail(line, f"inline workout line {error.line}: {error.problem}{expected}",
                                week, day) from None
            raise PlanError(self.label, error.line, f"{error.problem}{expected}", week=week, day=day,
                            col=error.col) from None

    def check_day(self, week: int, day: int, sessions: tuple[Session, ...]) -> None:
        long_runs = [s for s in sessions if session_facts(s.workout).is_long_run]
        if len(long_runs) > 1:
            raise self.fail(long_runs[1].line, f"{len(long_runs)} long runs on one day (at most one)", week, day)
        seen: set[str] = set()
        for session in sessions:
            key = workout_key(session.workout)
            if key in seen:  # the calendar keeps a workout once a day: the second would be lost
                raise self.fail(session.line, f"{session.workout.name!r} twice on one day: watchsync puts a "
                                "workout on a day's calendar once; give the second session a workout of its "
                                "own (another name, e.g. '... PM')", week, day)
            seen.add(key)


def _minutes(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0]
