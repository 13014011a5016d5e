"""Where a step line is, the token rules, and what each token of a step line means."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.validation import validation_message
from watchsync.model.units import CARDIO_PACE_KEY, CARDIO_PACE_UNIT, KG_PER_POUND, METERS_PER_MILE, default_pace_unit
from watchsync.model.workout import (
    CadenceTarget,
    CaloriesDuration,
    DistanceDuration,
    Duration,
    HeartRateDuration,
    HeartRatePercentLthrTarget,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    LapButton,
    OpenTarget,
    PacePercentTarget,
    PaceTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    Target,
    TimeDuration,
    WeightUnit,
)


@dataclass(slots=True)
class Where:
    """A line of a file, the sport its workout is for, and where warnings about it are collected."""

    path: str
    line: int
    sport: Sport
    warnings: list[WorkoutFormatError] | None = None
    pace_units: Mapping[str, str] | None = None  # family -> unit of a pace written without one (read lazily)

    def error(self, col: int, problem: str, expected: str | None = None) -> WorkoutFormatError:
        return WorkoutFormatError(self.path, self.line, col, problem, expected)

    def warn(self, col: int, problem: str, expected: str | None = None) -> None:
        """Note something that parses but is probably not what the author meant."""
        if self.warnings is not None:
            self.warnings.append(self.error(col, problem, expected))


DAY_SECONDS = 86_400


def build[M: BaseModel](where: Where, col: int, token: str, model: type[M], **values: Any) -> M:
    """``model(**values)``, with a validation failure reported at ``col``."""
    if model is TimeDuration and values.get("seconds", 0) > DAY_SECONDS:  # "26h40m": a generator read 1600m
        raise where.error(col, f"{quoted(token)} is longer than a day", "a step of at most 24h ('m' is minutes; "
                          "'mtr' is metres)")
    try:  # model(**values) is this validation, through one more Python call (BaseModel.__init__)
        built: M = model.__pydantic_validator__.validate_python(values)
        return built
    except ValidationError as error:
        raise where.error(col, f"{quoted(token)}: {validation_message(error.errors()[0])}") from None


#: Quoted text in an error message is cut to this many characters, so that the problem after it shows.
QUOTE_CHARS = 80


def quoted(text: str) -> str:
    """``repr(text)``, its middle left out when it is long (``'- 10m RPE 3 aaa…aaa'``)."""
    if len(text) <= QUOTE_CHARS:
        return repr(text)
    keep = QUOTE_CHARS // 2
    return repr(f"{text[:keep]}…{text[-keep // 2:]}")


#: Where a token may end: a space, a comma or semicolon, a bracket (``Z2 HR)``, ``Z1(含``), the end of
#: the line, or a sentence's closing punctuation before a space or the end (``85rpm.``, ``Z2 HR.``;
#: never the point of ``10.5km``).
_END = r"(?=[\s,;()]|[.:!?](?:\s|$)|$)"


@dataclass(frozen=True)
class Rule:
    """One kind of token: ``parse(where, col, match)`` turns a match of ``pattern`` into its value."""

    kind: str
    source: str  # the regular expression, compiled on first use: a text tries few of the rules
    flags: int
    parse: Callable[[Where, int, re.Match[str]], Any]
    keys: frozenset[str]  # every ASCII character a match can have at its :class:`Rules` key position

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, self.flags)


def rule(kind: str, pattern: str, parse: Callable[[Where, int, re.Match[str]], Any], keys: str,
         flags: int = re.IGNORECASE | re.ASCII) -> Rule:
    """A rule whose pattern must end at a token boundary; ``keys`` are matched in either case if ignored."""
    cased = keys + keys.swapcase() if flags & re.IGNORECASE else keys
    return Rule(kind, pattern + _END, flags, parse, frozenset(cased))


class Rules:
    """Rules in the order they are tried, indexed by the character at a key position of the text.

    The index only skips rules that cannot match there; for a non-ASCII key (where case-insensitive
    matching goes beyond ASCII) every rule is tried. The key "" is the end of the text.
    """

    def __init__(self, *rules: Rule) -> None:
        self.every = rules
        by_key = _EveryRuleElsewhere({key: tuple(rule for rule in rules if key in rule.keys)
                                      for key in ["", *map(chr, range(128))]})
        by_key.every = rules
        #: The rules that may match with ``key`` at their key position, in order (a dict lookup: the
        #: scanner asks once per token).
        self.at: Callable[[str], tuple[Rule, ...]] = by_key.__getitem__


class _EveryRuleElsewhere(dict[str, tuple[Rule, ...]]):
    """The rules by key; a key it does not hold (not ASCII) gets every rule."""

    every: tuple[Rule, ...] = ()

    def __missing__(self, key: str) -> tuple[Rule, ...]:
        return self.every


SWIM_SPORTS = frozenset({Sport.POOL_SWIM, Sport.OPEN_WATER_SWIM})
TARGET_WORDS = "HR, LTHR, Pace or FTP"
_PACE_UNIT_METERS = {"km": 1000.0, "mi": METERS_PER_MILE}
#: A time written as ``<N>m`` with at least this many minutes looks like metres (``400m`` = 6h40m).
SLIP_MINUTES = 100
SLIP_SURE_MINUTES = 360
_DISTANCE_SCALE = {"km": 1000.0, "kms": 1000.0, "mtr": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0,
                   "mi": METERS_PER_MILE, "mile": METERS_PER_MILE, "miles": METERS_PER_MILE,
                   "yd": 0.9144, "yds": 0.9144, "yrd": 0.9144, "y": 0.9144, "yard": 0.9144, "yards": 0.9144}
_TIME_WORD_SECONDS = {"m": 60.0, "s": 1.0, "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
                      "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
                      "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0}
_YARD_M = 0.9144

#: The paces the model holds (seconds per km, as `PaceTarget`'s bounds).
PACE_FASTEST_S, PACE_SLOWEST_S = 60.0, 3600.0
_NUM = r"\d{1,9}(?:\.\d{1,17})?"
_DISTANCE_UNITS = "kms|km|mtr|miles|mile|mi|yards|yard|yds|yd|yrd|y|meters|meter|metres|metre"
_PACE_VALUE = r"(\d{1,9}):(\d{1,9}(?:\.\d{1,17})?)"
_PACE_UNIT = r"km|mi|\d{1,9}mtr|\d{1,9}m|\d{1,9}yd|\d{1,9}y"
_DIGITS = re.compile(r"\d+")
_ASCII_SPACE = "".join(c for c in map(chr, range(128)) if c.isspace())  # what \s matches in ASCII


# --- lengths ------------------------------------------------------------------------------------


def _positive(where: Where, col: int, token: str, value: float) -> float:
    if value <= 0:
        raise where.error(col, f"length {token!r} must be above zero")
    return value


@dataclass(frozen=True)
class ZeroLength:
    """A time or distance of zero (``0.0km``, ``0s``): a rest's length in generated texts (it ends on
    the lap button), an error anywhere else; the step line decides (:mod:`watchsync.formats.text.step`)."""

    text: str

    def error(self, where: Where, col: int) -> WorkoutFormatError:
        return where.error(col, f"length {self.text!r} must be above zero")


def _time(where: Where, col: int, m: re.Match[str]) -> Duration | ZeroLength:
    token, (h, mins, s) = m.group(0), m.groups()
    hours, minutes, seconds = float(h) if h else 0.0, float(mins) if mins else 0.0, float(s) if s else 0.0
    if hours == minutes == seconds == 0:
        return ZeroLength(token)
    total = _positive(where, col, token, hours * 3600 + minutes * 60 + seconds)
    if not hours and not seconds and token[-1:] in ("m", "M") and _looks_like_metres(where, minutes):
        where.warn(col, f"{token!r} is {_clock(total)} ('m' means minutes)", f"{token[:-1]}mtr for metres")
    return build(where, col, token, TimeDuration, seconds=total)


def _looks_like_metres(where: Where, minutes: float) -> bool:
    """``<N>m`` that reads like metres: N of 100 or more that is a round distance (a multiple of 50:
    ``400m``, ``1000m``) or more than 6 hours, or in a pool a multiple of 25 (``50m``); a long run of
    ``168m`` (2h48m) is minutes."""
    if where.sport is Sport.POOL_SWIM and minutes % 25 == 0:
        return True
    return minutes >= SLIP_MINUTES and (minutes % 50 == 0 or minutes > SLIP_SURE_MINUTES)


def _clock(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60} minutes"


def _time_word(where: Where, col: int, m: re.Match[str]) -> Duration | ZeroLength:
    if float(m.group(1)) == 0:
        return ZeroLength(m.group(0))
    total = _positive(where, col, m.group(0), float(m.group(1)) * _TIME_WORD_SECONDS[m.group(2).lower()])
    if m.group(2).lower() == "m" and _looks_like_metres(where, total / 60):
        where.warn(col, f"{m.group(0)!r} is {_clock(total)} ('m' means minutes)", f"{m.group(1)}mtr for metres")
    return build(where, col, m.group(0), TimeDuration, seconds=total)


def _distance(where: Where, col: int, m: re.Match[str]) -> Duration | ZeroLength:
    if float(m.group(1)) == 0:
        return ZeroLength(m.group(0))
    value = _positive(where, col, m.group(0), float(m.group(1)))
    scale = _DISTANCE_SCALE[m.group(2).lower()]
    return build(where, col, m.group(0), DistanceDuration, meters=value * scale)


def _until(where: Where, col: int, m: re.Match[str]) -> Duration:
    kind = "hr_below" if m.group(1).lower() in ("<", "below", "under") else "hr_above"
    bpm = float(m.group(2))
    return build(where, col, m.group(0), HeartRateDuration, kind=kind, bpm=bpm)


def _reps(where: Where, col: int, m: re.Match[str]) -> Duration:
    _positive(where, col, m.group(0), int(m.group(1)))
    return build(where, col, m.group(0), RepsDuration, reps=int(m.group(1)))


def _kcal(where: Where, col: int, m: re.Match[str]) -> Duration:
    _positive(where, col, m.group(0), int(m.group(1)))
    return build(where, col, m.group(0), CaloriesDuration, kcal=int(m.group(1)))


# --- targets ------------------------------------------------------------------------------------


def _range(m: re.Match[str], first: int = 1) -> tuple[float, float]:
    """The range's values in ascending order (a range may be written either way: ``ramp 60-40%``)."""
    low = float(m.group(first))
    high = float(m.group(first + 1)) if m.group(first + 1) else low
    return (low, high) if low <= high else (high, low)


def _rpe(where: Where, col: int, m: re.Match[str]) -> RpeTarget:
    low, high = _range(m)
    for value in (low, high):
        if not 1 <= value <= 10:
            raise where.error(col, f"RPE {value:g} is outside the scale", "1 to 10")
    return build(where, col, m.group(0), RpeTarget, low=low, high=high)


def _zone(where: Where, col: int, m: re.Match[str]) -> Target:
    """``Z2``, ``Z1-Z2 HR``, ``z2-z3 Pace``: a bare zone is a power zone in every sport (intervals.icu)."""
    low, high = int(m.group(1)), int(m.group(2)) if m.group(2) else None
    if high is not None and high < low:
        low, high = high, low
    kind = (m.group(3) or "power").lower()
    model: type[BaseModel] = {"hr": HeartRateZoneTarget, "pace": PaceZoneTarget,
                              "power": PowerZoneTarget}[kind]
    target = build(where, col, m.group(0), model, zone=low, zone_high=None if high == low else high)
    assert isinstance(target, HeartRateZoneTarget | PaceZoneTarget | PowerZoneTarget)
    return target


def _pace_seconds(where: Where, col: int, token: str, minutes: str, seconds: str) -> float:
    if float(seconds) >= 60:
        raise where.error(col, f"bad pace {token!r}: seconds must be below 60", "m:ss, e.g. 5:00/km")
    return int(minutes) * 60 + float(seconds)


def _pace(where: Where, col: int, m: re.Match[str]) -> Target:
    token = m.group(0)
    first = _pace_seconds(where, col, token, m.group(1), m.group(2))
    second = _pace_seconds(where, col, token, m.group(3), m.group(4)) if m.group(3) else first
    unit = m.group(5).lower() if m.lastindex == 5 else _default_pace_unit(where)
    unit = unit.removesuffix("d") if unit.endswith("yd") else unit  # "/100yd" is "/100y"
    per_km = 1000.0 / pace_unit_meters(unit)
    fast, slow = sorted((first * per_km, second * per_km))
    out_of_range = ((fast, "slower than", PACE_FASTEST_S) if fast <= PACE_FASTEST_S
                    else (slow, "at most", PACE_SLOWEST_S) if slow > PACE_SLOWEST_S else None)
    if out_of_range is not None:
        value, words, bound = out_of_range
        per = "" if unit == "km" else f" (per {unit})"
        clock = Step.prompt_clock
        raise where.error(col, f"{token!r}{per} is {clock(round(value))}/km: a pace must be {words} "
                          f"{clock(round(bound))}/km", "a pace like 5:00/km, or 1:45/100m for a swim")
    if not token.lower().rstrip().endswith("pace") and " pace" not in token.lower():
        written = re.sub(r"\s*min\s*/", "/", token, flags=re.IGNORECASE)  # "5:50-6:10 min/km": 5:50-6:10/km
        where.warn(col, f"{token!r} without 'Pace' is read as a pace target; intervals.icu may send no target "
                   "for it (a third party's live test found a bare pace dropped)", f"'{written} Pace'")
    return build(where, col, token, PaceTarget, fast=fast, slow=slow, per=None if unit == "km" else unit)


def _default_pace_unit(where: Where) -> str:
    """The unit of a pace written without one: the athlete's for the sport's family, else the family's
    usual one; in a cardio workout (``rowing`` reads as cardio) per 500 m, a rowing machine's pace, as
    intervals.icu keeps a pace unit per sport (``2:05 Pace`` at /km would be twice a world record)."""
    key = CARDIO_PACE_KEY if where.sport is Sport.CARDIO else where.sport.family
    chosen = where.pace_units.get(key) if where.pace_units is not None else None
    if chosen is None and where.sport is Sport.CARDIO:
        return CARDIO_PACE_UNIT
    return chosen or default_pace_unit(key)


def pace_unit_meters(unit: str) -> float:
    """The metres a pace is written per: ``km``, ``mi``, ``<n>mtr``/``<n>m`` (metres), ``<n>y`` (yards)."""
    if unit in _PACE_UNIT_METERS:
        return _PACE_UNIT_METERS[unit]
    number = _DIGITS.match(unit)
    assert number is not None
    scale = _YARD_M if unit.endswith("y") else 1.0
    return max(int(number.group(0)), 1) * scale


def _percent(where: Where, col: int, m: re.Match[str]) -> Target:
    low, high = _range(m)
    if low == high == 0:
        return OpenTarget()  # "- 10s 0% Pace": no target, a rest (see step._zero_target_rest)
    word = (m.group(3) or "").lower()
    if word == "mmp":
        raise where.error(col, "MMP targets (% of a mean-maximal power) are not supported",
                          "% FTP, watts or a power zone")
    word = word or "ftp"  # a bare % is of FTP in every sport (intervals.icu)
    model: type[BaseModel] = {
        "hr": HeartRatePercentMaxTarget, "lthr": HeartRatePercentLthrTarget,
        "pace": PacePercentTarget, "ftp": PowerPercentFtpTarget, "power": PowerPercentFtpTarget,
    }[word]
    target = build(where, col, m.group(0), model, low=low, high=high)
    assert isinstance(target, HeartRatePercentMaxTarget | HeartRatePercentLthrTarget | PacePercentTarget
                      | PowerPercentFtpTarget)
    return target


def _ranged(model: type[HeartRateTarget | PowerTarget | CadenceTarget | SpeedTarget],
            ) -> Callable[[Where, int, re.Match[str]], Target]:
    def parse(where: Where, col: int, m: re.Match[str]) -> Target:
        low, high = _range(m)
        return build(where, col, m.group(0), model, low=low, high=high)
    return parse


#: Metres a second in one of each speed unit (a treadmill's km/h, a US treadmill's mph).
_SPEED_UNITS = {"km/h": 1 / 3.6, "kph": 1 / 3.6, "mph": 0.44704}


def _speed(where: Where, col: int, m: re.Match[str]) -> Target:
    low, high = _range(m)
    scale = _SPEED_UNITS[m.group(3).lower()]
    return build(where, col, m.group(0), SpeedTarget, low=low * scale, high=high * scale)


def _custom_zone(where: Where, col: int, m: re.Match[str]) -> Target:
    raise where.error(col, f"custom zones like {m.group(0)!r} are not supported",
                      "a zone (Z2, Z2 HR, Z2 Pace), a % or an absolute value")


def _repeat_count(where: Where, col: int, m: re.Match[str]) -> int:
    count = int(m.group(1))
    if not 1 <= count <= 200:
        raise where.error(col, f"repeat count {m.group(0)!r} must be 1 to 200")
    return count


def _weight(where: Where, col: int, m: re.Match[str]) -> tuple[float, WeightUnit]:
    """``20kg`` → ``(20.0, "kg")``; ``45lb`` → its kilograms and ``"lb"`` (shown in pounds)."""
    value = float(m.group(1))
    return (value, "kg") if m.group(2).lower() == "kg" else (value * KG_PER_POUND, "lb")


def _keep(_where: Where, _col: int, m: re.Match[str]) -> str:
    return m.group(0)


def _sets(where: Where, col: int, m: re.Match[str]) -> tuple[int, RepsDuration]:
    sets = int(m.group(1))
    if not 1 <= sets <= 200:
        raise where.error(col, f"{m.group(0)!r}: sets must be 1 to 200")
    _positive(where, col, m.group(0), int(m.group(2)))
    return sets, build(where, col, m.group(0), RepsDuration, reps=int(m.group(2)))


#: Rules whose match starts with ``@`` or a letter, keyed by that first character.
WORD_RULES = Rules(
    rule("tag", r"@(\w+)", lambda _w, _c, m: m.group(1).lower(), "@"),
    rule("tag", r"intensity\s*=\s*(\w+)", lambda _w, _c, m: m.group(1).lower(), "i"),
    rule("stroke", r"stroke\s*=\s*(\w+)", lambda _w, _c, m: m.group(1).lower(), "s"),
    rule("equipment", r"equipment\s*=\s*(\w+)", lambda _w, _c, m: m.group(1).lower(), "e"),
    # intervals.icu's smoothing of a target (`power=3s`, `hr=1s`, `power=lap`): the watch uses its own
    rule("option", r"(?:power|hr)\s*=\s*(\w+)", lambda _w, _c, m: m.group(0), "ph"),
    rule("custom_zone", r"cz\d{1,9}(?:\s*-\s*c?z?\d{1,9})?(?:\s+(?:hr|pace|power))?", _custom_zone, "c"),
    rule("exercise", r"([A-Z][A-Z0-9_]*)/([A-Z0-9_]+)", _keep, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", flags=0),
    rule("lap", r"press\s+lap", lambda _w, _c, _m: LapButton(), "p"),
    rule("length", rf"until\s+hr\s*([<>]|(?:above|below|over|under)(?=\s))\s*({_NUM})", _until, "u"),
    rule("rpe", rf"rpe\s*({_NUM})(?:\s*-\s*({_NUM}))?(?:\s*/\s*10)?", _rpe, "r"),  # "RPE 6/10" too
    rule("target", r"z(\d{1,9})(?:\s*-\s*z?(\d{1,9}))?(?:\s+(hr|pace|power))?", _zone, "z"),
)
#: Rules whose (non-empty) match starts with a decimal digit, keyed by the character after the digits.
NUMBER_RULES = Rules(
    rule("sets", r"(\d{1,9})\s*[x×]\s*(\d{1,9})", _sets, "x×" + _ASCII_SPACE),  # "4 × 60 m" as "4 x 60 m"
    # "4 sets × 8 reps", "3 sets of 10": a strength writer's sets (probe icu17)
    rule("sets", r"(\d{1,9})\s*sets?\s*(?:[x×]|of)\s*(\d{1,9})(?:\s*reps?\b)?", _sets, "s" + _ASCII_SPACE),
    rule("repeat", r"(\d{1,9})\s*[x×](?!\()", _repeat_count, "x×" + _ASCII_SPACE),  # "3x(2/1)": text, as in icu
    # "3 sets of 45s Plank", "3 sets x 1 min": a count of sets of a timed hold, as "3x 45s" is
    rule("repeat", r"(\d{1,9})\s*sets?\s*(?:[x×]|of)(?=\s*\d)", _repeat_count, "s" + _ASCII_SPACE),
    rule("length", r"(\d{1,9})\s*reps?", _reps, "r" + _ASCII_SPACE),
    rule("length", r"(\d{1,9})\s*kcal", _kcal, "k" + _ASCII_SPACE),
    rule("target", rf"{_PACE_VALUE}(?:(?:\s*min)?\s*/\s*(?:{_PACE_UNIT}))?(?:\s*-\s*{_PACE_VALUE})?"  # "... min/km" too
                   rf"(?:\s*min)?\s*/\s*({_PACE_UNIT})(?:\s+pace)?", _pace, ":"),
    rule("target", rf"{_PACE_VALUE}(?:\s*-\s*{_PACE_VALUE})?\s+pace(?:\s*/\s*({_PACE_UNIT}))?", _pace, ":"),
    rule("target", rf"({_NUM})%?(?:\s*-\s*({_NUM}))?%(?:\s*(hr|lthr|pace|ftp|power|mmp))?", _percent,
         ".%-" + _ASCII_SPACE),
    rule("target", rf"({_NUM})(?:\s*(?:bpm)?\s*-\s*({_NUM}))?\s*bpm", _ranged(HeartRateTarget),
         ".b-" + _ASCII_SPACE),
    rule("target", rf"({_NUM})(?:\s*w)?(?:\s*-\s*({_NUM}))?\s*w", _ranged(PowerTarget), ".w-" + _ASCII_SPACE),
    rule("target", rf"({_NUM})(?:\s*(?:rpm|spm)?\s*-\s*({_NUM}))?\s*(?:rpm|spm)", _ranged(CadenceTarget),
         ".rs-" + _ASCII_SPACE),
    rule("target", rf"({_NUM})(?:\s*-\s*({_NUM}))?\s*m/s", _ranged(SpeedTarget), ".m-" + _ASCII_SPACE),
    rule("target", rf"({_NUM})(?:\s*(?:km/h|kph|mph))?(?:\s*-\s*({_NUM}))?\s*(km/h|kph|mph)", _speed,
         ".km-" + _ASCII_SPACE),
    rule("weight", rf"({_NUM})\s*(kg|lbs?)", _weight, ".kl" + _ASCII_SPACE),
    rule("length", rf"({_NUM})\s*({_DISTANCE_UNITS})", _distance,
         ".kmy" + _ASCII_SPACE),
    rule("length", rf"({_NUM})\s*(hours|hour|minutes|minute|mins|min|seconds|second|secs|sec)", _time_word,
         ".hms" + _ASCII_SPACE),
    # "hr" is hours only glued to its number ("1hr"): "Zone 4 HR 1m" and "below 150 HR" speak of heart rate
    rule("length", rf"({_NUM})(hrs|hr)", _time_word, ".h"),
    rule("length", rf"({_NUM})\s+([hms])", _time_word, "." + _ASCII_SPACE),
    rule("length", rf"(?=\d)(?:({_NUM})h)?(?:({_NUM})m(?!tr|i))?(?:({_NUM})s)?", _time, ".hms"),
    rule("length", r"()(\d{1,9})m(\d{1,9})", _time, "m"),
    rule("length", r"(\d{1,9})h(\d{1,9})()", _time, "h"),
    rule("length", r"()(?:(\d{1,9})')?(?:(\d{1,9})\")?", _time, "'\""),
    rule("length", r"()(\d{1,9})'(\d{1,9})", _time, "'"),  # 10'30: minutes and seconds, as 10m30
)
