"""The text step syntax: intervals.icu workout text plus RPE, bpm, strength and HR-duration steps.

A file is header lines (``name:``, ``sport:``, optional ``description:`` and ``tags: a, b``), then
sections. A section header is any other line that does not start with ``-``; ``Nx`` in it starts
a repeat block. A section ends at the next header or blank line. ``#`` starts a comment line.
A step is ``- [cue] [length] [target] [cue] [| notes]`` in any order::

    name: Hill repeats
    sport: trail_running
    Warmup
    - 15m RPE 3 easy, conversational
    Main set 6x
    - 60s RPE 8 uphill
    - RPE 2 jog back down press lap

Lengths: ``10m`` (minutes), ``30s``, ``1h2m30s``, ``1m30``, ``5'``, ``30"``, ``2km``, ``400mtr``,
``1mi``, ``100yd``, ``press lap``, ``until HR < 130``, ``12 reps``, ``200kcal``. ``5k`` is not a
length: it stays cue text ("5k pace"); write ``5km``. ``m`` always means minutes.

Targets: ``RPE 3``/``RPE 3-4``; ``Z2 HR``, ``Z2 Pace``, ``Z2 Power`` and bare ``Z2`` (power for
cycling, HR otherwise); ``70% HR`` (of max), ``95% LTHR``, ``78-82% Pace``, ``75% FTP`` and bare
``75%`` (cycling only); ``5:00/km Pace`` (``/mi``, ``/100m`` ... too; a range may be written in
either order); ``140-150bpm``, ``220w``, ``90rpm``, ``3.2-3.5m/s``. An RPE next to another target
goes to ``Step.rpe``; a cadence beside another target (``75% 90rpm``) goes to the notes, as the
model holds one target. ``ramp 50-75%`` keeps the range (watches cannot ramp) and "ramp" in the cue.

Strength: ``- 3x12 Squat 20kg rest 60s`` is a 3-set repeat of a 12-rep step (weights in kg or
lb) with an optional rest step between sets; ``- 45s Plank`` is a timed hold. Exercise names are
looked up in Garmin's catalogue (``CATEGORY/EXERCISE`` also works). Rep steps require a known
exercise; timed steps of strength and cardio workouts take one when their cue names one.

Intensity of a step, first rule that applies: an explicit ``@interval`` / ``@recovery`` / ... tag;
the section header's first word (Warmup, Cooldown, Recovery, Rest); a cue starting with "rest" →
rest; inside a repeat, a cue with a recovery word (recover, recovery, jog, walk, easy, float) or an
RPE of at most 2 on any step but the block's first → recovery, anything else → interval; else
active. Text after ``|`` is the step's notes; a cue longer than 200 characters becomes the notes.
A step with both a length and ``press lap`` ends on the lap button and keeps the length in its
notes. Nested repeats (other than strength sets inside a repeat) need TOML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from watchsync.formats.errors import WorkoutFormatError, raise_collected
from watchsync.model.athlete import METERS_PER_MILE
from watchsync.model.workout import (
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Duration,
    Exercise,
    HeartRateDuration,
    HeartRatePercentLthrTarget,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PacePercentTarget,
    PaceTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    Target,
    TimeDuration,
    Workout,
    parse_sport,
)

CYCLING_SPORTS = frozenset({Sport.CYCLING, Sport.INDOOR_CYCLING})
EXERCISE_SPORTS = frozenset({Sport.STRENGTH, Sport.CARDIO})
MAX_NAME = 200
SECTION_INTENSITY: dict[str, Intensity] = {
    "warmup": Intensity.WARMUP, "warm up": Intensity.WARMUP,
    "cooldown": Intensity.COOLDOWN, "cool down": Intensity.COOLDOWN,
    "recovery": Intensity.RECOVERY, "rest": Intensity.REST,
}
RECOVERY_WORDS = frozenset({"recover", "recovery", "jog", "walk", "easy", "float"})
META_KEYS = ("name", "sport", "description", "tags")
LENGTH_UNITS = "s, m, h, km, mtr, mi, yd, bpm, w, rpm, m/s, kcal, kg or lb"
TARGET_WORDS = "HR, LTHR, Pace or FTP"
_CUE_SUFFIXES = frozenset({"st", "nd", "rd", "th", "k"})
_PACE_UNIT_METERS = {"km": 1000.0, "mi": METERS_PER_MILE}
_LB_KG = 0.45359237
_YARD_M = 0.9144

_NUM = r"\d{1,9}(?:\.\d{1,17})?"
_END = r"(?=[\s,;]|$)"
_PACE_VALUE = r"(\d{1,9}):(\d{1,9}(?:\.\d{1,17})?)"
_PACE_UNIT = r"km|mi|\d{1,9}mtr|\d{1,9}m|\d{1,9}y"
_META = re.compile(r"^\s*(name|sport|description|tags)\s*:(.*)$", re.IGNORECASE)
_REPEAT_COUNT = re.compile(r"(?<!\S)(\d{1,9})\s*[x×](?=\s|$)", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
_WORDS = re.compile(r"[a-z]+")
_DIGITS = re.compile(r"\d+")
# leftover tokens that look like a mistyped length or target (see _suspicious)
_TOO_LONG = re.compile(r"^-?\d{10}")
_NEGATIVE = re.compile(r"^-\d")
_GLUED_RPE = re.compile(r"^rpe\d")
_PACE_LIKE = re.compile(r"^\d+:\d")
_NUMBER_WITH_UNIT = re.compile(r"^\d+(?:\.\d+)?([a-z]+)$")
_ASCII_DIGITS = re.compile(r"[0-9]{1,9}(?![0-9])")
_ASCII_SPACE = "".join(c for c in map(chr, range(128)) if c.isspace())  # what \s matches in ASCII


class TextSyntaxLimit(ValueError):
    """A workout the text syntax cannot express (use TOML); raised by :func:`format_text`."""


class _Item(NamedTuple):
    """One recognised piece of a step line (a tuple: built for every token, so cheap to make)."""

    kind: str  # tag, length, lap, sets, target, rpe, weight, exercise, cue
    value: Any
    col: int
    text: str


@dataclass
class _Where:
    path: str
    line: int
    sport: Sport

    def error(self, col: int, problem: str, expected: str | None = None) -> WorkoutFormatError:
        return WorkoutFormatError(self.path, self.line, col, problem, expected)


def _build[M: BaseModel](where: _Where, col: int, token: str, model: type[M], **values: Any) -> M:
    """``model(**values)``, with a validation failure reported at ``col``."""
    try:
        return model(**values)
    except ValidationError as error:
        raise where.error(col, f"{token!r}: {validation_message(error.errors()[0])}") from None


_BOUNDS = {"less_than_equal": ("le", "at most"), "greater_than_equal": ("ge", "at least"),
           "greater_than": ("gt", "above"), "less_than": ("lt", "below")}


def validation_message(first: ErrorDetails) -> str:
    """One pydantic error detail in plain words (``seconds must be at most 86400``)."""
    field_name = str(first["loc"][-1]) if first["loc"] else "value"
    if first["type"] in _BOUNDS:
        key, words = _BOUNDS[first["type"]]
        bound = first.get("ctx", {}).get(key)
        return f"{field_name} must be {words} {bound:g}" if isinstance(bound, float | int) else str(first["msg"])
    return str(first["msg"]).removeprefix("Value error, ")


# --- lengths ------------------------------------------------------------------------------------


def _positive(where: _Where, col: int, token: str, value: float) -> float:
    if value <= 0:
        raise where.error(col, f"length {token!r} must be above zero")
    return value


def _time(where: _Where, col: int, m: re.Match[str]) -> Duration:
    hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
    total = _positive(where, col, m.group(0), hours * 3600 + minutes * 60 + seconds)
    return _build(where, col, m.group(0), TimeDuration, seconds=total)


def _distance(where: _Where, col: int, m: re.Match[str]) -> Duration:
    value = _positive(where, col, m.group(0), float(m.group(1)))
    scale = {"km": 1000.0, "mtr": 1.0, "mi": METERS_PER_MILE, "yd": _YARD_M}[m.group(2).lower()]
    return _build(where, col, m.group(0), DistanceDuration, meters=value * scale)


def _until(where: _Where, col: int, m: re.Match[str]) -> Duration:
    kind = "hr_below" if m.group(1) == "<" else "hr_above"
    bpm = float(m.group(2))
    return _build(where, col, m.group(0), HeartRateDuration, kind=kind, bpm=bpm)


def _reps(where: _Where, col: int, m: re.Match[str]) -> Duration:
    _positive(where, col, m.group(0), int(m.group(1)))
    return _build(where, col, m.group(0), RepsDuration, reps=int(m.group(1)))


def _kcal(where: _Where, col: int, m: re.Match[str]) -> Duration:
    _positive(where, col, m.group(0), int(m.group(1)))
    return _build(where, col, m.group(0), CaloriesDuration, kcal=int(m.group(1)))


# --- targets ------------------------------------------------------------------------------------


def _range(m: re.Match[str], first: int = 1) -> tuple[float, float]:
    low = float(m.group(first))
    high = m.group(first + 1)
    return low, float(high) if high else low


def _rpe(where: _Where, col: int, m: re.Match[str]) -> RpeTarget:
    low, high = _range(m)
    for value in (low, high):
        if not 1 <= value <= 10:
            raise where.error(col, f"RPE {value:g} is outside the scale", "1 to 10")
    return _build(where, col, m.group(0), RpeTarget, low=low, high=high)


def _zone(where: _Where, col: int, m: re.Match[str]) -> Target:
    if m.group(2):
        raise where.error(col, f"zone ranges like {m.group(0)!r} are not supported", "one zone, e.g. Z2 HR")
    kind = (m.group(3) or "").lower()
    if not kind:
        kind = "power" if where.sport in CYCLING_SPORTS else "hr"
    model: type[BaseModel] = {"hr": HeartRateZoneTarget, "pace": PaceZoneTarget,
                              "power": PowerZoneTarget}[kind]
    target = _build(where, col, m.group(0), model, zone=int(m.group(1)))
    assert isinstance(target, HeartRateZoneTarget | PaceZoneTarget | PowerZoneTarget)
    return target


def _pace_seconds(where: _Where, col: int, token: str, minutes: str, seconds: str) -> float:
    if float(seconds) >= 60:
        raise where.error(col, f"bad pace {token!r}: seconds must be below 60", "m:ss, e.g. 5:00/km")
    return int(minutes) * 60 + float(seconds)


def _pace(where: _Where, col: int, m: re.Match[str]) -> Target:
    token = m.group(0)
    first = _pace_seconds(where, col, token, m.group(1), m.group(2))
    second = _pace_seconds(where, col, token, m.group(3), m.group(4)) if m.group(3) else first
    unit = m.group(5).lower()
    per_km = 1000.0 / _pace_unit_meters(unit)
    fast, slow = sorted((first * per_km, second * per_km))
    return _build(where, col, token, PaceTarget, fast=fast, slow=slow)


def _pace_unit_meters(unit: str) -> float:
    if unit in _PACE_UNIT_METERS:
        return _PACE_UNIT_METERS[unit]
    number = _DIGITS.match(unit)
    assert number is not None
    scale = _YARD_M if unit.endswith("y") else 1.0
    return max(int(number.group(0)), 1) * scale


def _percent(where: _Where, col: int, m: re.Match[str]) -> Target:
    low, high = _range(m)
    word = (m.group(3) or "").lower()
    if word == "mmp":
        raise where.error(col, "MMP targets are not supported", TARGET_WORDS)
    if not word:
        if where.sport not in CYCLING_SPORTS:
            raise where.error(col, f"{m.group(0)!r} needs a unit word after the %", TARGET_WORDS)
        word = "ftp"
    model: type[BaseModel] = {
        "hr": HeartRatePercentMaxTarget, "lthr": HeartRatePercentLthrTarget,
        "pace": PacePercentTarget, "ftp": PowerPercentFtpTarget, "power": PowerPercentFtpTarget,
    }[word]
    target = _build(where, col, m.group(0), model, low=low, high=high)
    assert isinstance(target, HeartRatePercentMaxTarget | HeartRatePercentLthrTarget | PacePercentTarget
                      | PowerPercentFtpTarget)
    return target


def _ranged(model: type[HeartRateTarget | PowerTarget | CadenceTarget | SpeedTarget],
            ) -> Callable[[_Where, int, re.Match[str]], Target]:
    def parse(where: _Where, col: int, m: re.Match[str]) -> Target:
        low, high = _range(m)
        return _build(where, col, m.group(0), model, low=low, high=high)
    return parse


def _weight(where: _Where, col: int, m: re.Match[str]) -> float:
    value = float(m.group(1))
    return value if m.group(2).lower() == "kg" else value * _LB_KG


# --- the step-line scanner ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    parse: Callable[[_Where, int, re.Match[str]], Any]
    keys: frozenset[str]  # every ASCII character a match can have at its :class:`_Rules` key position


def _rule(kind: str, pattern: str, parse: Callable[[_Where, int, re.Match[str]], Any], keys: str,
          flags: int = re.IGNORECASE | re.ASCII) -> _Rule:
    cased = keys + keys.swapcase() if flags & re.IGNORECASE else keys
    return _Rule(kind, re.compile(pattern + _END, flags), parse, frozenset(cased))


class _Rules:
    """Rules in the order they are tried, indexed by the character at a key position of the text.

    The index only skips rules that cannot match there; for a non-ASCII key (where case-insensitive
    matching goes beyond ASCII) every rule is tried. The key "" is the end of the text.
    """

    def __init__(self, *rules: _Rule) -> None:
        self.every = rules
        self._by_key = {key: tuple(rule for rule in rules if key in rule.keys)
                        for key in ["", *map(chr, range(128))]}

    def at(self, key: str) -> tuple[_Rule, ...]:
        """The rules that may match with ``key`` at their key position, in order."""
        return self._by_key.get(key, self.every)


def _keep(_where: _Where, _col: int, m: re.Match[str]) -> str:
    return m.group(0)


def _sets(where: _Where, col: int, m: re.Match[str]) -> tuple[int, RepsDuration]:
    sets = int(m.group(1))
    if not 1 <= sets <= 200:
        raise where.error(col, f"{m.group(0)!r}: sets must be 1 to 200")
    _positive(where, col, m.group(0), int(m.group(2)))
    return sets, _build(where, col, m.group(0), RepsDuration, reps=int(m.group(2)))


#: Rules whose match starts with ``@`` or a letter, keyed by that first character.
_WORD_RULES = _Rules(
    _rule("tag", r"@(\w+)", lambda _w, _c, m: m.group(1).lower(), "@"),
    _rule("exercise", r"([A-Z][A-Z0-9_]*)/([A-Z0-9_]+)", _keep, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", flags=0),
    _rule("lap", r"press\s+lap", lambda _w, _c, _m: LapButton(), "p"),
    _rule("length", rf"until\s+hr\s*([<>])\s*({_NUM})", _until, "u"),
    _rule("rpe", rf"rpe\s*({_NUM})(?:\s*-\s*({_NUM}))?", _rpe, "r"),
    _rule("target", r"z(\d{1,9})(?:\s*-\s*z?(\d{1,9}))?(?:\s+(hr|pace|power))?", _zone, "z"),
)
#: Rules whose (non-empty) match starts with a decimal digit, keyed by the character after the digits.
_NUMBER_RULES = _Rules(
    _rule("sets", r"(\d{1,9})\s*x\s*(\d{1,9})", _sets, "x" + _ASCII_SPACE),
    _rule("length", r"(\d{1,9})\s*reps?", _reps, "r" + _ASCII_SPACE),
    _rule("length", r"(\d{1,9})\s*kcal", _kcal, "k" + _ASCII_SPACE),
    _rule("target", rf"{_PACE_VALUE}(?:\s*/\s*(?:{_PACE_UNIT}))?(?:\s*-\s*{_PACE_VALUE})?"
                    rf"\s*/\s*({_PACE_UNIT})(?:\s+pace)?", _pace, ":"),
    _rule("target", rf"({_NUM})%?(?:\s*-\s*({_NUM}))?%(?:\s*(hr|lthr|pace|ftp|power|mmp))?", _percent,
          ".%-" + _ASCII_SPACE),
    _rule("target", rf"({_NUM})(?:\s*(?:bpm)?\s*-\s*({_NUM}))?\s*bpm", _ranged(HeartRateTarget),
          ".b-" + _ASCII_SPACE),
    _rule("target", rf"({_NUM})w?(?:\s*-\s*({_NUM}))?w", _ranged(PowerTarget), ".w-" + _ASCII_SPACE),
    _rule("target", rf"({_NUM})(?:\s*(?:rpm)?\s*-\s*({_NUM}))?\s*rpm", _ranged(CadenceTarget),
          ".r-" + _ASCII_SPACE),
    _rule("target", rf"({_NUM})(?:\s*-\s*({_NUM}))?\s*m/s", _ranged(SpeedTarget), ".m-" + _ASCII_SPACE),
    _rule("weight", rf"({_NUM})\s*(kg|lbs?)", _weight, ".kl" + _ASCII_SPACE),
    _rule("length", rf"({_NUM})(km|mtr|mi|yd)", _distance, ".kmy"),
    _rule("length", rf"(?=\d)(?:({_NUM})h)?(?:({_NUM})m(?!tr|i))?(?:({_NUM})s)?", _time, ".hms"),
    _rule("length", r"()(\d{1,9})m(\d{1,9})", _time, "m"),
    _rule("length", r"()(?:(\d{1,9})')?(?:(\d{1,9})\")?", _time, "'\""),
)


def _suspicious(where: _Where, col: int, token: str) -> None:
    """Reject leftover tokens that look like a mistyped length or target, not like cue text."""
    bare = token.strip(",.;:!?()")
    lower = bare.lower()
    if lower not in ("rpe", "until") and _DIGITS.search(bare) is None:
        return  # a plain word: every other check needs a digit
    if _TOO_LONG.match(bare):
        raise where.error(col, f"number too long in {bare!r}", "at most 9 digits")
    if _NEGATIVE.match(bare):
        raise where.error(col, f"negative length {bare!r}", "a positive length like 10m")
    if lower == "rpe" or _GLUED_RPE.match(lower):
        raise where.error(col, f"RPE needs a value: {bare!r}", "RPE 1 to 10, e.g. RPE 3 or RPE 3-4")
    if lower == "until":
        raise where.error(col, "'until' needs a heart rate", "until HR < 130 or until HR > 150")
    if _PACE_LIKE.match(bare):
        raise where.error(col, f"bad pace {bare!r}", "m:ss/km or m:ss/mi, e.g. 5:00/km Pace")
    unit = _NUMBER_WITH_UNIT.match(lower)
    if unit and unit.group(1) == "x":
        raise where.error(col, f"repeat count {bare!r} belongs on a header line", "a line like 'Main set 6x'")
    if unit and unit.group(1) not in _CUE_SUFFIXES:
        raise where.error(col, f"unknown unit {unit.group(1)!r} in {bare!r}", LENGTH_UNITS)


def _candidate_rules(body: str, pos: int) -> tuple[_Rule, ...]:
    """The rules that may match at ``pos`` (the start of a token), in the order they are tried."""
    if not body[pos].isdecimal():
        return _WORD_RULES.at(body[pos])
    digits = _ASCII_DIGITS.match(body, pos)
    if digits is None:  # other decimal digits, or more than 9
        return _NUMBER_RULES.every
    return _NUMBER_RULES.at(body[digits.end():digits.end() + 1])


def _scan(body: str, start: int, where: _Where) -> Iterator[_Item]:
    """Recognised pieces of ``body`` from index ``start``; unrecognised tokens come back as cue."""
    pos = start
    while True:
        token = _TOKEN.search(body, pos)
        if token is None:
            return
        pos = token.start()
        col = pos + 1
        for rule in _candidate_rules(body, pos):
            m = rule.pattern.match(body, pos)
            if m and m.end() > pos:
                yield _Item(rule.kind, rule.parse(where, col, m), col, m.group(0))
                pos = m.end()
                while pos < len(body) and body[pos] in ",;":
                    pos += 1
                break
        else:
            _suspicious(where, col, token.group(0))
            yield _Item("cue", token.group(0), col, token.group(0))
            pos = token.end()


# --- steps --------------------------------------------------------------------------------------


@dataclass
class _Context:
    """Where a step line sits: its section's intensity, and its place in a repeat block."""

    section: Intensity | None = None
    in_repeat: bool = False
    index: int = 0


def infer_intensity(context: _Context, cue: str, rpe_high: float | None) -> Intensity:
    """The intensity a step gets without an ``@tag`` (rules in the module docstring)."""
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

    where: _Where
    tag: _Item | None = None
    length: _Item | None = None
    lap: _Item | None = None
    sets: _Item | None = None
    target: _Item | None = None
    rpe: _Item | None = None
    weight: _Item | None = None
    exercise: _Item | None = None
    set_rest: _Item | None = None
    cadence: _Item | None = None  # beside another target: the model holds one, so it goes to the notes
    cue: list[_Item] = field(default_factory=list)

    def add(self, item: _Item) -> None:
        if item.kind == "cue":
            self.cue.append(item)
            return
        if (item.kind == "target" and self.target is not None and self.cadence is None
                and isinstance(item.value, CadenceTarget) != isinstance(self.target.value, CadenceTarget)):
            item, self.cadence = ((self.target, item) if isinstance(item.value, CadenceTarget)
                                  else (item, self.target))
            self.target = None
        taken: _Item | None = getattr(self, item.kind)
        if item.kind in ("length", "sets"):
            taken = self.length or self.sets
        if taken is not None:
            what = {"length": "a length", "target": "a target", "rpe": "an RPE", "tag": "an intensity",
                    "weight": "a weight", "exercise": "an exercise", "lap": "press lap",
                    "sets": "a length"}[item.kind]
            raise self.where.error(item.col, f"{item.text!r}: the step already has {what} {taken.text!r}",
                                   "one per step")
        setattr(self, item.kind, item)


def _collect(body: str, start: int, where: _Where) -> _Parts:
    items = list(_scan(body, start, where))
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
    found = _named_exercise(words)
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


def _named_exercise(words: list[str]) -> Exercise | None:
    """The exercise named by the longest leading run of ``words`` ("Goblet squat slow" → goblet squat)."""
    from watchsync.formats import exercises  # deferred: the catalogue loads on first use

    for count in range(len(words), 0, -1):
        found = exercises.find_exercise(" ".join(words[:count]))
        if found is not None:
            return found
    return None


def _intensity(parts: _Parts, context: _Context, cue: str, rpe_high: float | None) -> Intensity:
    if parts.tag is None:
        return infer_intensity(context, cue, rpe_high)
    try:
        return Intensity(parts.tag.value)
    except ValueError:
        raise parts.where.error(parts.tag.col, f"unknown intensity {parts.tag.text!r}",
                                ", ".join(f"@{i.value}" for i in Intensity)) from None


def _step_line(line: str, start: int, where: _Where, context: _Context) -> Step | Repeat:
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
    step = _build(where, col, body.strip(), Step, intensity=_intensity(parts, context, cue, rpe_high),
                  duration=duration, target=target or OpenTarget(), name=name, notes=notes,
                  rpe=rpe if parts.target else None, exercise=exercise,
                  weight_kg=parts.weight.value if parts.weight else None)
    if parts.sets is None:
        return step
    rest = [Step(intensity=Intensity.REST, duration=parts.set_rest.value)] if parts.set_rest else []
    return Repeat(count=parts.sets.value[0], steps=[step, *rest], skip_last_rest=bool(rest))


def parse_duration(text: str, *, path: str = "<text>", line: int = 1, col: int = 1,
                   sport: Sport = Sport.OTHER) -> Duration:
    """A single length written as in a step line (``"10m"``, ``"2km"``, ``"press lap"``, ...)."""
    items = _single(text, path, line, col, sport, "a length like 10m, 2km, press lap or until HR < 130")
    if len(items) != 1 or items[0].kind not in ("length", "lap"):
        raise WorkoutFormatError(path, line, col, f"{text!r} is not a length",
                                 "a length like 10m, 2km, press lap or until HR < 130")
    value: Duration = items[0].value
    return value


def parse_target(text: str, *, path: str = "<text>", line: int = 1, col: int = 1,
                 sport: Sport = Sport.OTHER) -> tuple[Target, RpeTarget | None]:
    """A target (and an RPE written beside it) as in a step line: ``"RPE 3 Z2 HR"`` → (zone, RPE)."""
    expected = "a target like RPE 3, Z2 HR, 70% HR, 5:00/km Pace, 140-150bpm or 220w"
    items = _single(text, path, line, col, sport, expected)
    rpe = [item.value for item in items if item.kind == "rpe"]
    concrete = [item.value for item in items if item.kind == "target"]
    if len(rpe) + len(concrete) != len(items) or len(rpe) > 1 or len(concrete) > 1 or not items:
        raise WorkoutFormatError(path, line, col, f"{text!r} is not a target", expected)
    if concrete:
        return concrete[0], rpe[0] if rpe else None
    only: RpeTarget = rpe[0]
    return only, None


def _single(text: str, path: str, line: int, col: int, sport: Sport, expected: str) -> list[_Item]:
    where = _Where(path, line, sport)
    try:
        return list(_scan(text, 0, where))
    except WorkoutFormatError as error:
        raise WorkoutFormatError(path, line, col, f"{text!r}: {error.problem}", error.expected or expected
                                 ) from None


# --- documents ----------------------------------------------------------------------------------


@dataclass
class _Section:
    """An open section: its header's intensity and, for ``Nx`` headers, the repeat being filled."""

    intensity: Intensity | None
    count: int | None = None
    name: str | None = None
    line: int = 0
    col: int = 0
    header: str = ""
    steps: list[Step | Repeat] = field(default_factory=list)
    lines: int = 0


def _header(text: str, where: _Where) -> _Section:
    words = _WORDS.findall(text.lower())
    intensity = SECTION_INTENSITY.get(" ".join(words[:2])) or SECTION_INTENSITY.get(" ".join(words[:1]))
    count_match = _REPEAT_COUNT.search(text)
    if count_match is None:
        return _Section(intensity)
    col = count_match.start() + 1
    count = int(count_match.group(1))
    if not 1 <= count <= 200:
        raise where.error(col, f"repeat count {count_match.group(0)!r} must be 1 to 200")
    name = " ".join((text[: count_match.start()] + " " + text[count_match.end():]).split()) or None
    if name is not None and len(name) > MAX_NAME:
        raise where.error(1, f"section name is longer than {MAX_NAME} characters")
    return _Section(intensity, count, name, where.line, col, count_match.group(0).strip())


@dataclass
class _Document:
    """Parser state for one text document."""

    path: str
    line_offset: int
    sport: Sport | None
    meta: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    blocks: list[Step | Repeat] = field(default_factory=list)
    section: _Section | None = None
    errors: list[WorkoutFormatError] = field(default_factory=list)
    body_started: bool = False

    def close_section(self) -> None:
        section, self.section = self.section, None
        if section is None or section.count is None:
            return
        if section.lines == 0:
            self.errors.append(WorkoutFormatError(self.path, section.line, section.col,
                                                  f"repeat {section.header!r} has no steps",
                                                  "'- ' step lines under the header"))
        elif section.steps:
            self.blocks.append(Repeat(count=section.count, steps=section.steps, name=section.name))

    def add_step(self, line: str, start: int, where: _Where) -> None:
        section = self.section
        context = _Context()
        if section is not None:
            context = _Context(section.intensity, section.count is not None, section.lines)
            section.lines += 1
        block = _step_line(line, start, where, context)
        (section.steps if section is not None and section.count is not None else self.blocks).append(block)

    def meta_line(self, key: str, value: str, where: _Where, value_col: int) -> None:
        if self.body_started:
            raise where.error(1, f"header line '{key}:' after the steps", "header lines first")
        if key in self.meta:
            raise where.error(1, f"'{key}:' given twice", "each header line once")
        self.meta[key] = (value.strip(), where.line, value_col)
        if key == "sport":
            self.sport = _sport(value.strip(), where, value_col)


def _sport(value: str, where: _Where, col: int) -> Sport:
    try:
        return parse_sport(value)
    except ValueError:
        raise where.error(col, f"unknown sport {value!r}", "one of " + ", ".join(s.value for s in Sport)
                          ) from None


def parse_text(text: str, path: str = "<text>", *, line_offset: int = 0, header_required: bool = True,
               name: str | None = None, sport: Sport | None = None) -> Workout:
    """Parse a text workout; raises :class:`WorkoutFormatError` (``WorkoutErrors`` for several).

    For text embedded in another file (TOML), ``line_offset`` shifts reported lines and
    ``header_required=False`` lets ``name``/``sport`` stand in for missing header lines.
    """
    doc = _Document(path, line_offset, None if header_required else sport)
    lines = text.splitlines()
    for index, raw in enumerate(lines):
        where = _Where(path, line_offset + index + 1, doc.sport or Sport.OTHER)
        try:
            _document_line(doc, raw, where)
        except WorkoutFormatError as error:
            doc.errors.append(error)
            if doc.section is not None:
                doc.section.lines += 1
    doc.close_section()
    workout = _workout(doc, len(lines), None if header_required else name)
    raise_collected(doc.errors)
    assert workout is not None
    return workout


def _document_line(doc: _Document, raw: str, where: _Where) -> None:
    stripped = raw.strip()
    if not stripped:
        doc.close_section()
        return
    if stripped.startswith("#"):
        return
    meta = _META.match(raw)
    if meta and (not doc.body_started or meta.group(1).lower() in ("name", "sport")):
        doc.meta_line(meta.group(1).lower(), meta.group(2), where, meta.start(2) + 1 + _lead(meta.group(2)))
        return
    if not doc.body_started and doc.sport is None and "sport" not in doc.meta:
        doc.errors.append(WorkoutFormatError(doc.path, where.line, 1, "missing 'sport:' header line",
                                             "'sport: running' (or another sport) before the steps"))
    doc.body_started = True
    if stripped.startswith("-"):
        start = raw.index("-") + 1
        doc.add_step(raw, start, where)
    else:
        doc.close_section()
        doc.section = _header(raw, where)


def _lead(value: str) -> int:
    return len(value) - len(value.lstrip())


def _workout(doc: _Document, line_count: int, default_name: str | None) -> Workout | None:
    name = doc.meta["name"][0] if "name" in doc.meta else default_name
    end_line = doc.line_offset + max(line_count, 1)
    if not name:
        line, col = doc.meta["name"][1:] if "name" in doc.meta else (doc.line_offset + 1, 1)
        doc.errors.append(WorkoutFormatError(doc.path, line, col, "missing workout name",
                                             "a 'name: ...' header line"))
    if doc.sport is None and not doc.body_started and "sport" not in doc.meta:
        doc.errors.append(WorkoutFormatError(doc.path, doc.line_offset + 1, 1, "missing 'sport:' header line",
                                             "'sport: running' (or another sport)"))
    if not doc.blocks and not doc.errors:
        doc.errors.append(WorkoutFormatError(doc.path, end_line, 1, "the workout has no steps",
                                             "step lines starting with '- '"))
    if doc.errors or doc.sport is None or not name:
        return None
    tags = [tag.strip() for tag in doc.meta.get("tags", ("", 0, 0))[0].split(",") if tag.strip()]
    description = doc.meta.get("description", (None, 0, 0))[0] or None
    try:
        return Workout(name=name, sport=doc.sport, description=description, tags=tags, steps=doc.blocks)
    except ValidationError as error:
        first = error.errors()[0]
        if not first["loc"]:  # a whole-workout rule, such as the bound on executed steps
            doc.errors.append(WorkoutFormatError(doc.path, doc.line_offset + 1, 1, validation_message(first)))
            return None
        key = str(first["loc"][0])
        line, col = doc.meta.get(key, ("", end_line, 1))[1:]
        doc.errors.append(WorkoutFormatError(doc.path, line, col, f"{key}: {validation_message(first)}"))
        return None


# --- formatting ---------------------------------------------------------------------------------


def _num(value: float) -> str:
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.6f}".rstrip("0")
    return text.removesuffix(".0").rstrip(".")


def format_duration(duration: Duration) -> str:
    """The step-line spelling of a length (``parse_duration`` reads it back)."""
    match duration:
        case TimeDuration(seconds=seconds):
            if seconds != int(seconds):
                return f"{_num(seconds)}s"
            hours, rest = divmod(int(seconds), 3600)
            minutes, secs = divmod(rest, 60)
            return "".join(f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v)
        case DistanceDuration(meters=meters):
            if meters % 1000 == 0:
                return f"{_num(meters / 1000)}km"
            return f"{_num(meters)}mtr"
        case LapButton():
            return "press lap"
        case HeartRateDuration(kind=kind, bpm=bpm):
            return f"until HR {'<' if kind == 'hr_below' else '>'} {bpm}"
        case RepsDuration(reps=reps):
            return f"{reps} reps"
        case CaloriesDuration(kcal=kcal):
            return f"{kcal}kcal"
    raise TypeError(f"unknown duration {duration!r}")


def _span(low: float, high: float, unit: str = "") -> str:
    return f"{_num(low)}{unit}" if low == high else f"{_num(low)}-{_num(high)}{unit}"


def _pace_text(seconds_per_km: float) -> str:
    total = round(seconds_per_km, 3)
    minutes = int(total // 60)
    seconds = _num(round(total - minutes * 60, 3))
    return f"{minutes}:{'0' if len(seconds.split('.')[0]) < 2 else ''}{seconds}"


def format_target(target: Target) -> str:
    """The step-line spelling of a target ("" for an open target)."""
    match target:
        case OpenTarget():
            return ""
        case RpeTarget(low=low, high=high):
            return f"RPE {_span(low, high)}"
        case HeartRateZoneTarget(zone=zone):
            return f"Z{zone} HR"
        case PaceZoneTarget(zone=zone):
            return f"Z{zone} Pace"
        case PowerZoneTarget(zone=zone):
            return f"Z{zone} Power"
        case HeartRateTarget(low=low, high=high):
            return _span(low, high, "bpm")
        case HeartRatePercentMaxTarget(low=low, high=high):
            return f"{_span(low, high, '%')} HR"
        case HeartRatePercentLthrTarget(low=low, high=high):
            return f"{_span(low, high, '%')} LTHR"
        case PacePercentTarget(low=low, high=high):
            return f"{_span(low, high, '%')} Pace"
        case PowerPercentFtpTarget(low=low, high=high):
            return f"{_span(low, high, '%')} FTP"
        case PaceTarget(fast=fast, slow=slow):
            pace = _pace_text(fast) if fast == slow else f"{_pace_text(fast)}-{_pace_text(slow)}"
            return f"{pace}/km Pace"
        case SpeedTarget(low=low, high=high):
            return _span(low, high, "m/s")
        case PowerTarget(low=low, high=high):
            return _span(low, high, "w")
        case CadenceTarget(low=low, high=high):
            return _span(low, high, "rpm")
    raise TypeError(f"unknown target {target!r}")


def _check_plain(text: str, what: str, sport: Sport) -> None:
    """``text`` must read back as cue words only (no lengths, targets, tags or notes)."""
    where = _Where("<format>", 1, sport)
    try:
        items = list(_scan(text, 0, where))
    except WorkoutFormatError:
        items = []
    if "|" in text or "\n" in text or text.startswith("-") or not items or any(item.kind != "cue" for item in items) \
            or " ".join(item.text for item in items) != text:
        raise TextSyntaxLimit(f"{what} {text!r} would not read back as plain text")


def _exercise_words(step: Step, sport: Sport) -> str:
    """The name (plus an explicit exercise key when the name does not name it)."""
    name = step.name or ""
    if name:
        _check_plain(name, "step name", sport)
    looked_up = sport in EXERCISE_SPORTS or isinstance(step.duration, RepsDuration)
    named = _named_exercise(name.split()) if looked_up else None
    if step.exercise is None:
        if named is not None:
            raise TextSyntaxLimit(f"step name {name!r} names an exercise the step does not have")
        return name
    if named == step.exercise:
        return name
    return f"{step.exercise.category}/{step.exercise.name} {name}".strip()


def _step_text(step: Step, context: _Context, sport: Sport, sets: Repeat | None = None) -> str:
    if isinstance(step.target, RpeTarget) and step.rpe is not None:
        raise TextSyntaxLimit("a step with an RPE target cannot carry a second RPE")
    if step.weight_kg is not None and step.exercise is None:
        raise TextSyntaxLimit("a weight needs an exercise")
    name = _exercise_words(step, sport)
    rpe = step.target if isinstance(step.target, RpeTarget) else step.rpe
    if sets is not None:
        assert isinstance(step.duration, RepsDuration)
        length = f"{sets.count}x{step.duration.reps}"
    else:
        length = format_duration(step.duration)
    pieces = [length, format_target(step.target)]
    if step.rpe is not None:
        pieces.append(format_target(step.rpe))
    pieces.append(name)
    if step.weight_kg is not None:
        pieces.append(f"{_num(step.weight_kg)}kg")
    if sets is not None and len(sets.steps) == 2:
        rest = sets.steps[1]
        assert isinstance(rest, Step)
        pieces.append(f"rest {format_duration(rest.duration)}")
    if infer_intensity(context, step.name or "", rpe.high if rpe else None) != step.intensity:
        pieces.append(f"@{step.intensity.value}")
    line = "- " + " ".join(piece for piece in pieces if piece)
    if step.notes is not None:
        if "\n" in step.notes or step.notes != step.notes.strip() or not step.notes:
            raise TextSyntaxLimit(f"step notes {step.notes!r} would not read back")
        line += f" | {step.notes}"
    return line


def _strength_sets(block: Repeat) -> bool:
    """Is ``block`` the ``- 3x12 Squat rest 60s`` shorthand?"""
    first = block.steps[0]
    if block.name is not None or not isinstance(first, Step) or not isinstance(first.duration, RepsDuration):
        return False
    if first.exercise is None:
        return False
    if len(block.steps) == 1:
        return not block.skip_last_rest
    rest = block.steps[1]
    return (len(block.steps) == 2 and block.skip_last_rest and isinstance(rest, Step)
            and rest == Step(intensity=Intensity.REST, duration=rest.duration)
            and isinstance(rest.duration, TimeDuration))


def _block_lines(block: Step | Repeat, context: _Context, sport: Sport) -> str:
    if isinstance(block, Step):
        return _step_text(block, context, sport)
    if not _strength_sets(block):
        raise TextSyntaxLimit("nested repeats (other than strength sets) need TOML")
    first = block.steps[0]
    assert isinstance(first, Step)
    return _step_text(first, context, sport, sets=block)


def _repeat_lines(repeat: Repeat, sport: Sport) -> list[str]:
    if repeat.skip_last_rest:
        raise TextSyntaxLimit("skip_last_rest exists only for strength sets")
    if repeat.name is not None:
        _check_header(repeat.name)
    title = f"{repeat.name} {repeat.count}x" if repeat.name else f"{repeat.count}x"
    section = _header(title, _Where("<format>", 1, sport))
    lines = [title]
    for index, block in enumerate(repeat.steps):
        lines.append(_block_lines(block, _Context(section.intensity, True, index), sport))
    return lines


def _check_header(name: str) -> None:
    if (not name or name != " ".join(name.split()) or name.startswith(("-", "#")) or _META.match(name)
            or _REPEAT_COUNT.search(name)):
        raise TextSyntaxLimit(f"repeat name {name!r} would not read back as a header")


def _top_groups(workout: Workout) -> Iterator[list[str]]:
    """Blocks of lines, each a section to be separated by blank lines."""
    pending: list[str] = []
    pending_section: Intensity | None = None
    for block in workout.steps:
        if isinstance(block, Repeat) and not _strength_sets(block):
            if pending:
                yield pending
            pending, pending_section = [], None
            yield _repeat_lines(block, workout.sport)
            continue
        first = block if isinstance(block, Step) else block.steps[0]
        assert isinstance(first, Step)
        section = first.intensity if first.intensity in (Intensity.WARMUP, Intensity.COOLDOWN) else None
        if pending and section != pending_section:
            yield pending
            pending = []
        if not pending:
            pending_section = section
            if section is not None:
                pending.append("Warmup" if section is Intensity.WARMUP else "Cooldown")
        pending.append(_block_lines(block, _Context(section), workout.sport))
    if pending:
        yield pending


def format_text(workout: Workout) -> str:
    """The workout as a text file; raises :class:`TextSyntaxLimit` for what only TOML can express."""
    lines = [f"name: {_meta_value(workout.name, 'name')}", f"sport: {workout.sport.value}"]
    if workout.description:
        lines.append(f"description: {_meta_value(workout.description, 'description')}")
    if workout.tags:
        if any("," in tag or tag != tag.strip() or not tag for tag in workout.tags):
            raise TextSyntaxLimit("tags with commas or surrounding spaces need TOML")
        lines.append(f"tags: {', '.join(workout.tags)}")
    for group in _top_groups(workout):
        lines.append("")
        lines.extend(group)
    return "\n".join(lines) + "\n"


def _meta_value(value: str, key: str) -> str:
    if "\n" in value or "\r" in value or value != value.strip():
        raise TextSyntaxLimit(f"{key} {value!r} does not fit on one header line")
    return value

