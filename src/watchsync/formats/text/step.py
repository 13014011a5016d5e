"""One ``- ...`` step line → a step (or a strength-set repeat), and the intensity rules of steps."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text.scan import Item, parse_duration, scan
from watchsync.formats.text.tokens import SWIM_SPORTS, Where, ZeroLength, build
from watchsync.formats.text.words import RECOVERY_WORDS, REST_WORDS, folded_words, section_intensity
from watchsync.model.workout import (
    CadenceTarget,
    DistanceDuration,
    Exercise,
    Intensity,
    LapButton,
    OpenTarget,
    PacePercentTarget,
    PaceTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerZoneTarget,
    Prompt,
    Repeat,
    RepsDuration,
    Sport,
    Step,
    TimeDuration,
    target_family,
)

EXERCISE_SPORTS = frozenset({Sport.STRENGTH, Sport.CARDIO})
_LAP_BUTTON = LapButton()  # immutable: one shared by every lap-button step
MAX_NAME = 200


@dataclass(slots=True)
class Context:
    """Where a step line sits: its section's intensity, and its place in a repeat block."""

    section: Intensity | None = None
    in_repeat: bool = False
    index: int = 0


def infer_intensity(context: Context, cue: str, rpe_high: float | None) -> Intensity:
    """The intensity a step gets without an ``@tag`` (rules in :mod:`watchsync.formats.text`)."""
    if context.section is not None:  # most steps: the section says it, no words to fold
        return context.section
    words = folded_words(cue)
    if words[:1] and words[0] in REST_WORDS:
        return Intensity.REST
    if context.in_repeat:
        if RECOVERY_WORDS.intersection(words):
            return Intensity.RECOVERY
        if rpe_high is not None and rpe_high <= 2 and context.index > 0:
            return Intensity.RECOVERY
        return Intensity.INTERVAL
    if words[:1] and (named := section_intensity(words)) in (Intensity.WARMUP, Intensity.COOLDOWN):
        return named  # "- Warm up 10m 47-75% LTHR", "- Calentamiento 30m Z1 HR": as a header would say
    return Intensity.ACTIVE


@dataclass(slots=True)
class _Parts:
    """A step line's pieces, each at most once (two targets of different kinds: primary, secondary)."""

    where: Where
    tag: Item | None = None
    length: Item | None = None
    lap: Item | None = None
    sets: Item | None = None
    repeat: Item | None = None
    target: Item | None = None
    secondary: Item | None = None
    rpe: Item | None = None
    weight: Item | None = None
    exercise: Item | None = None
    set_rest: Item | None = None
    stroke: Item | None = None
    equipment: Item | None = None
    ramp: Item | None = None
    cue: list[Item] = field(default_factory=list)

    def add(self, item: Item) -> None:
        if item.kind == "cue":  # the most items: words
            if self.ramp is None and item.text.lower() == "ramp":
                self.ramp = item
                return
            self.cue.append(item)
            return
        if item.kind == "option":  # "power=3s": left out of the cue, said
            self.where.warn(item.col, f"{item.text!r} (intervals.icu's smoothing of the target) is left out: the "
                            "watch smooths power and heart rate its own way")
            return
        if item.kind == "target" and self.target is not None and self.secondary is None \
                and target_family(item.value) != target_family(self.target.value):
            if _zone_label(item, self.target):
                self.cue.append(Item("cue", item.text, item.col, item.text))
                self.where.warn(item.col, f"{item.text!r} after the step's target {self.target.text!r} is read as "
                                "text (a label such as 'Z2 Aerobic Base'), not as a second, power target",
                                f"'{item.text} Power' for a second, power target")
                return
            if isinstance(self.target.value, CadenceTarget):  # cadence is the secondary one
                item, self.target = self.target, item
            self.secondary = item
            return
        taken: Item | None = getattr(self, item.kind)
        if item.kind in ("length", "sets"):
            taken = self.length or self.sets
        if taken is not None and item.kind == "length" and taken is self.length \
                and bool(_SPACED_UNIT.match(item.text)) != bool(_SPACED_UNIT.match(taken.text)):
            self._length_as_text(item, taken)  # "2 m klus mezi 5m Z4": the glued one is the length
            return
        if taken is not None and (item.kind in ("target", "rpe") or self._remark_length(item, taken)) \
                and any(taken.col < cue.col < item.col for cue in self.cue):
            self.cue.append(Item("cue", item.text, item.col, item.text))  # "55% FTP con 2x30s 80% FTP",
            what = "length" if item.kind == "length" else "target"  # "6km Z1 HR; if fresh extend to 8km": remarks
            self.where.warn(item.col, f"{item.text!r} after the words following the step's {what} "
                            f"{taken.text!r} is read as text")
            return
        if taken is not None:
            what = {"length": "a length", "target": "a target", "rpe": "an RPE", "tag": "an intensity",
                    "weight": "a weight", "exercise": "an exercise", "lap": "press lap", "sets": "a length",
                    "repeat": "a repeat count", "stroke": "a stroke", "equipment": "equipment"}[item.kind]
            expected = ("one per step; a second target must be of another kind" if item.kind == "target"
                        else f"one {item.kind if item.kind != 'sets' else 'length'} per step")
            minutes = next((text for text in (taken.text, item.text) if _BARE_MINUTES.match(text)), None)
            if item.kind == "length" and minutes is not None and self.where.sport in SWIM_SPORTS:
                expected += f"; {minutes!r} is {minutes[:-1]} minutes: {minutes[:-1]}mtr for metres"
            raise self.where.error(item.col, f"{item.text!r}: the step already has {what} {taken.text!r}", expected)
        setattr(self, item.kind, item)

    def _remark_length(self, item: Item, taken: Item) -> bool:
        """A second length that may be a remark's (``; if fresh extend to 8km``): after a length, not after
        sets (``3x12 Squat 30m``), nor after a swim's ``100m`` (minutes, most likely meant as metres)."""
        return item.kind == "length" and taken is self.length and not (
            self.where.sport in SWIM_SPORTS and _BARE_MINUTES.match(taken.text))

    def _length_as_text(self, item: Item, taken: Item) -> None:
        """Of two lengths, one written with a space between number and unit (``2 m``) is cue text:
        writers space units on purpose so that intervals.icu reads them as text."""
        text, length = (item, taken) if _SPACED_UNIT.match(item.text) else (taken, item)
        self.length = length
        bisect.insort(self.cue, Item("cue", text.text, text.col, text.text), key=lambda cue: cue.col)
        _unsay(self.where, text.col)  # "1000 m is 16h40m" no longer holds: it is text (probe coach11)
        self.where.warn(text.col, f"{text.text!r} is read as text: the step's length is {length.text!r}",
                        f"{text.text.replace(' ', '')} (no space) if it is the length")


#: A zone written bare (``Z2``, ``Z2-Z3``): a power zone in intervals.icu, in every sport.
_BARE_ZONE = re.compile(r"^z\d(?:-z?\d)?$", re.IGNORECASE)


def _zone_label(item: Item, first: Item) -> bool:
    """A bare zone after a heart-rate or pace target (``- 30m 68% HR Z2 Aerobic Base``, an Italian
    generator's label): the writer names the zone the step is in, not a second, power target a
    runner's watch would alert on (probe icu16)."""
    return target_family(first.value) in ("hr", "pace") and target_family(item.value) == "power" \
        and _BARE_ZONE.match(item.text) is not None


def _collect(body: str, start: int, where: Where) -> _Parts:
    """The step line's pieces, with the readings that look at a piece and the one after it (each item's
    kind is looked at once: most items are plain words)."""
    items = _cue_before_length(list(scan(body, start, where)), where)
    has_sets = "sets" in [item.kind for item in items]  # a list comprehension: no generator to run
    if has_sets:  # sets beside a length may be text (the sets become words)
        items = _sets_beside_a_length(items, where)
        has_sets = "sets" in [item.kind for item in items]
    parts = _Parts(where)
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        kind = item.kind
        if kind == "cue":
            if not has_sets and item.text.lower() not in _CUE_KEYWORDS and (
                    following is None or (following.kind != "target" and not following.text.isdecimal())):
                parts.cue.append(item)  # a plain word (most items): no reading of _cue_reading concerns it, and
                index += 1              # _Parts.add appends it (a "ramp" is a keyword)
                continue
            taken = _cue_reading(item, following, parts, has_sets, where)
            if taken:
                index += taken
                continue
        elif kind == "length" and following is not None:
            if following.kind == "length" and isinstance(item.value, TimeDuration) \
                    and isinstance(following.value, TimeDuration) \
                    and body[item.col - 1 + len(item.text):following.col - 1].isspace() \
                    and _descending(item.text, following.text):
                item = _joined(item, following, where)  # "1h 30m": one length written in two pieces
                index += 1
            elif following.kind == "cue" and _length_as_cue(item, following, parts, items):
                index += 2 if following.text.lower() == "rest" else 1
                continue
        elif kind == "target" and following is not None:
            if _target_reading(item, following, parts, where):
                index += 1
                continue
        elif kind == "sets" and following is not None and following.kind == "cue" \
                and following.text.lower() in _UNIT_SECONDS:
            item, length = _repeated_length(item, following, where)  # "- 5 x 3 min": 5 times a 3-minute step
            parts.add(length)
            index += 1
        parts.add(item)
        index += 1
    if parts.target is None and parts.rpe is None:
        _warn_a_kind_without_a_value(parts)
    return parts


def _warn_a_kind_without_a_value(parts: _Parts) -> None:
    """``- 20s Fast Pace``: the word of a target's kind with no value is no target (probe icu16); after
    a number it is a value that did not read (``>5:35/km Pace``, said where that token is)."""
    for before, cue in zip([None, *parts.cue], parts.cue, strict=False):
        if cue.text.rstrip(",.;:!?").upper() == "CSS" and parts.where.sport in SWIM_SPORTS:  # "- 200mtr CSS" (icu21)
            parts.where.warn(cue.col, "'CSS' is text: the step has no target",
                             "'100% Pace' for the swim's pace at its CSS (the swim threshold pace)")
            return
        if cue.text.rstrip(",.;:!?") == "Pace":
            if before is None or not any(char.isdigit() for char in before.text):
                parts.where.warn(cue.col, "'Pace' without a value is text: the step has no target",
                                 "a pace target like Z5 Pace, 110% Pace or 3:30/km Pace")
            return


#: Words :func:`_cue_reading` reads on their own (``MMP 120%``, ``ramp``; ``HR`` before a target).
_CUE_KEYWORDS = frozenset({"hr", "mmp", "ramp"})


def _cue_reading(item: Item, following: Item | None, parts: _Parts, has_sets: bool, where: Where) -> int:
    """How many items a word and the one after it make something else than cue text (0: cue text): the rest
    between sets (``rest 60s``, ``(rest 90s)``), a ``ramp`` keyword before the length; slips are said.

    Only in a line with sets, for a word of :data:`_CUE_KEYWORDS`, or before a target or a number does it
    do anything (``_collect`` skips it otherwise: keep the two in step)."""
    lower = item.text.lower()
    if has_sets and following is not None and _rest_word(item.text) and isinstance(following.value, TimeDuration):
        parts.set_rest = following  # "rest 60s", "pause 60s", "descanso 90s": the rest between sets
        return 2
    if has_sets and parts.set_rest is None and (rest := _bracketed_rest(item, where)) is not None:
        parts.set_rest = rest  # "- 3x10 Bench press (rest 90s)": the rest, not a remark
        return 1
    if following is not None and following.kind == "cue" and following.text.isdecimal() and _near_rpe(item.text):
        where.warn(item.col, f"{item.text!r} is read as text, and the step has no RPE",
                   f"RPE {following.text}")  # "- 10m RPEE 2"
    if following is not None and following.kind == "target" and lower == "hr" \
            and isinstance(following.value, _POWER_SHARES):
        where.warn(following.col, f"'HR {following.text}' is a power target: 'HR' before it is text (as in "
                   "intervals.icu)", f"'{following.text} HR' for heart rate")  # "- 10m HR Z2"
    if lower == "mmp" and following is not None and isinstance(following.value, PowerPercentFtpTarget):
        raise where.error(item.col, "MMP targets (% of a mean-maximal power) are not supported",  # "- 5m MMP 120%"
                          "% FTP, watts or a power zone")
    if lower == "ramp" and parts.length is None and parts.sets is None \
            and (following is None or following.kind != "length"):
        parts.cue.append(item)  # "- Ramp warm-up 10m 50-75%": the step's text; the keyword follows a length
        return 1
    return 0


def _length_as_cue(item: Item, following: Item, parts: _Parts, items: list[Item]) -> bool:
    """Whether a length and the word after it are cue text: a rest appended to a step that has its length
    (``30s rest``), a climb beside the step's length (``1000m D+``)."""
    where = parts.where
    if following.text.lower() == "rest" and (parts.length or parts.sets) is not None \
            and isinstance(item.value, TimeDuration):
        _appended_rest(parts, item, following, where)  # "- 200mtr 95% Pace 30s rest"
        return True
    if _one_word_of(following.text, _CLIMB_WORDS) \
            and any(other.kind == "length" for other in items if other is not item):
        _unsay(where, item.col)  # "1000m" is no 16-hour step here: "- 1h30m Z2 HR 1000m D+", a climb
        where.warn(item.col, f"'{item.text} {following.text}' is read as text: a climb, not the step's length")
        parts.cue.append(Item("cue", item.text, item.col, item.text))
        return True
    return False


def _target_reading(item: Item, following: Item, parts: _Parts, where: Where) -> bool:
    """Whether a target is cue text for the word after it (``6% incline``); slips are said (``Z1 LTHR``,
    ``70% HRmax``: a power zone or share before a heart-rate word)."""
    if following.kind != "cue":
        return False
    value, lower = item.value, following.text.lower()
    if isinstance(value, PowerZoneTarget) and lower == "lthr":
        where.warn(item.col, f"{item.text!r} is a power zone: 'LTHR' after it is text (as in intervals.icu)",
                   f"'{item.text} HR' for a heart-rate zone")  # "- 10m Z1 LTHR" (forum t/4725)
    if isinstance(value, _POWER_SHARES) and lower[:2] == "hr" and lower != "hr":
        kind = "zone" if isinstance(value, PowerZoneTarget) else "% of FTP"
        where.warn(item.col, f"{item.text!r} is a power {kind}: {following.text!r} after it is text (as in "
                   "intervals.icu)", f"'{item.text} HR' for heart rate")  # "- 5m 70% HRmax"
    if isinstance(value, PowerPercentFtpTarget) and _first_word_of(following.text, _INCLINE_WORDS):
        where.warn(item.col, f"'{item.text} {following.text}' is read as text: a treadmill's incline is no watch "
                   f"target (intervals.icu reads {item.text!r} as power)")  # "- 5m 6% incline 5:30/km Pace"
        parts.cue.append(Item("cue", item.text, item.col, item.text))
        return True
    effort_words = _EFFORT_WORDS if where.sport.family == "bike" else _EFFORT_WORDS | _INTENSITY_WORDS
    if isinstance(value, PowerPercentFtpTarget) and item.text.endswith("%") \
            and _first_word_of(following.text, effort_words):
        where.warn(item.col, f"'{item.text} {following.text}' is read as text: a share of effort is a feeling, no "
                   f"watch target (intervals.icu reads {item.text!r} as power)", "an RPE like RPE 8 for a felt "
                   "effort")  # "- 6x30s 85% effort" (an XC ski plan): the author's perceived effort (probe icu17)
        parts.cue.append(Item("cue", item.text, item.col, item.text))
        return True
    return False


#: Words after a bare percentage that make it a felt effort (``85% effort``), folded.
_EFFORT_WORDS = frozenset({"effort", "efforts", "esfuerzo", "sforzo", "anstrengung", "inspanning"})
#: ... and outside rides ("90% intensity" is a ride's share of FTP as some write it, a run's effort; probes
#: review15, review16).
_INTENSITY_WORDS = frozenset({"intensity", "intensidad", "intensite", "intensita", "intensiteit"})


def _sets_beside_a_length(items: list[Item], where: Where) -> list[Item]:
    """Outside strength and cardio, ``NxM`` on a line that has its own length is cue text, as in
    intervals.icu (``- fins 4x25 m side kick 50mtr``, ``- 2x20 workout 20m 90%``): warned."""
    kinds = [item.kind for item in items]
    if where.sport in EXERCISE_SPORTS or "sets" not in kinds or "exercise" in kinds:
        return items

    def rest_word(index: int) -> bool:
        return 0 <= index < len(items) and items[index].text.lower() == "rest"

    lengths = [item for index, item in enumerate(items)  # "rest 60s", "30s rest": the rest between sets
               if item.kind == "length" and not rest_word(index - 1) and not rest_word(index + 1)]
    if not lengths:
        return items
    kept = []
    for item in items:
        if item.kind == "sets":
            where.warn(item.col, f"{item.text!r} is read as text: the step's length is {lengths[0].text!r}")
            item = Item("cue", item.text, item.col, item.text)
        kept.append(item)
    return kept


def _near_rpe(word: str) -> bool:
    """A slip of ``RPE`` (``RPEE``, ``RP``, ``PRE``): one letter added, dropped, changed or two swapped;
    ``rep`` is a word of its own."""
    lower = word.lower()
    if lower in ("rpe", "rep") or not lower.isalpha() or not 2 <= len(lower) <= 4:
        return False
    if len(lower) == 3:
        return sum(a != b for a, b in zip(lower, "rpe", strict=True)) == 1 or sorted(lower) == sorted("rpe")
    longer, shorter = (lower, "rpe") if len(lower) == 4 else ("rpe", lower)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def _cue_before_length(items: list[Item], where: Where) -> list[Item]:
    """A target (or RPE) before the length that one after it says again is the step's cue text:
    intervals.icu's Add Step dialog writes the description first (``- Zone 4 HR 1m Z4 HR``,
    ``- 90RPM 1m 90rpm``); one of another kind before the length stays a target, as in intervals.icu."""
    first, targeted = None, False  # most lines: no target before the length, nothing to do
    for index, item in enumerate(items):
        if item.kind == "length":
            first = index
            break
        targeted = targeted or item.kind == "target" or item.kind == "rpe"
    if first is None or not targeted:
        return items

    def kind(item: Item) -> str | None:
        if item.kind == "target":
            return target_family(item.value)
        return "rpe" if item.kind == "rpe" else None

    after = {kind(item): item for item in items[first + 1:] if kind(item) is not None}
    read = list(items)
    for index, item in enumerate(items[:first]):
        family = kind(item)
        again = after.get(family) if family is not None else None
        if again is not None:
            read[index] = Item("cue", item.text, item.col, item.text)
            where.warn(item.col, f"{item.text!r} before the length is read as text: the step's target is "
                       f"{again.text!r}")
    return read


#: Words after a percentage that make it a treadmill's incline (``6% incline``), folded.
_INCLINE_WORDS = frozenset({"incline", "grade", "gradient", "steigung", "pendiente", "inclinacion", "pente",
                            "pendenza", "helling"})
#: Words after a length that make it a climb (``1000m D+``, ``800m vert``), folded; "d+" folds to "d".
_CLIMB_WORDS = frozenset({"d", "vert", "vertical", "elev", "elevation", "gain", "ascent", "hm", "climb", "climbing",
                          "denivele", "dislivello", "desnivel"})


def _unsay(where: Where, col: int) -> None:
    """Take back the warnings already given about the token at ``col`` of this line (it is read as text)."""
    if where.warnings is not None:
        where.warnings[:] = [w for w in where.warnings if (w.line, w.col) != (where.line, col)]


#: Words for the rest between sets (``rest 60s``, ``pause 60s``, ``descanso 90s``, ``récup 90s``), folded.
_SET_REST_WORDS = REST_WORDS | {"recup", "recupero", "recuperacion", "recuperacao", "recovery"}
_BRACKETED_REST = re.compile(r"^\(\s*(?:(?P<word>[^\W\d_]+)\s+(?P<time>\S+?)"
                             r"|(?P<time2>\S+?)\s+(?P<word2>[^\W\d_]+))\s*\)[,.;:]?$")


def _rest_word(text: str) -> bool:
    return _one_word_of(text, _SET_REST_WORDS) if text[:1].isalpha() else False


def _bracketed_rest(item: Item, where: Where) -> Item | None:
    """The rest between sets a remark in brackets gives (``(rest 90s)``, ``(90s Pause)``), or None."""
    m = _BRACKETED_REST.match(item.text)
    if m is None or not _rest_word(m.group("word") or m.group("word2")):
        return None
    text = m.group("time") or m.group("time2")
    try:
        rest = parse_duration(text, path=where.path, line=where.line, col=item.col, sport=where.sport)
    except WorkoutFormatError:
        return None
    return Item("length", rest, item.col, text) if isinstance(rest, TimeDuration) else None


#: Repeats of a length in bare ``m`` (minutes) adding up to this long are said: likely metres (probe icu17).
LONG_REPEATED_SECONDS = 3 * 3600
_UNIT_SECONDS = {"min": 60.0, "mins": 60.0, "minutes": 60.0, "minute": 60.0, "m": 60.0, "sec": 1.0, "secs": 1.0,
                 "seconds": 1.0, "second": 1.0, "s": 1.0, "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "hours": 3600.0}


def _appended_rest(parts: _Parts, length: Item, word: Item, where: Where) -> None:
    """A rest appended to a step that has its length: intervals.icu accepts it and exports no rest
    step (it only adds to the planned time), so it stays the step's cue text, with a warning."""
    text = f"{length.text} {word.text}"
    parts.cue.append(Item("cue", text, length.col, text))
    where.warn(length.col, f"{text!r} after the step's length is not a rest step (as in intervals.icu)",
               f"a line of its own, '- {text}', for a rest on the watch")


#: A length in minutes written as ``<N>m``: in a pool, often meant as metres.
_BARE_MINUTES = re.compile(r"^\d+m$", re.IGNORECASE)
#: A length written with a space between its number and its unit (``2 m``, ``10 min``).
_SPACED_UNIT = re.compile(r"^\d+(?:\.\d+)?\s+\S")
_UNIT_LETTERS = re.compile(r"[a-z]+|\d$")
_UNIT_RANK = {**dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3),
              **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 2),
              **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1)}


def _descending(first: str, second: str) -> bool:
    """Whether two time pieces make one length: hours, then minutes, then seconds, each once
    (``1h 30m``, ``1h30 15s``); ``10m 5m`` or ``30s 30s`` is two lengths, not a sum."""
    def ranks(text: str) -> list[int]:
        found = _UNIT_LETTERS.findall(text.lower())  # a trailing digit: the unit below the last ("1h30")
        named = [_UNIT_RANK.get(unit, 0) for unit in found if not unit.isdigit()]
        return named + ([named[-1] - 1] if named and found[-1].isdigit() else [])
    before, after = ranks(first), ranks(second)
    return bool(before and after) and min(before) > max(after)


def _joined(first: Item, second: Item, where: Where) -> Item:
    text = f"{first.text} {second.text}"
    seconds = first.value.seconds + second.value.seconds
    return Item("length", build(where, first.col, text, TimeDuration, seconds=seconds), first.col, text)


def _hours_of_repeated_minutes(parts: _Parts) -> None:
    """``- 4x 60m strides``: four hours, said as ``4 x 60 m`` is (probe review15)."""
    repeat, length = parts.repeat, parts.length
    if repeat is None or length is None or not isinstance(length.value, TimeDuration) \
            or not _BARE_MINUTES.match(length.text):
        return
    total = int(repeat.value * length.value.seconds)
    if total >= LONG_REPEATED_SECONDS:
        minutes = length.text[:-1]
        parts.where.warn(length.col, f"'{repeat.text} {length.text}' is {repeat.value} times {minutes} minutes "
                         f"({total // 3600}h{total % 3600 // 60:02d}m in all)", f"{minutes}mtr for metres")


def _repeated_length(sets: Item, unit: Item, where: Where) -> tuple[Item, Item]:
    """``5 x 3 min`` read as sets of 3 "reps" and a unit word: a repeat count and a time length."""
    count, reps = sets.value
    seconds = reps.reps * _UNIT_SECONDS[unit.text.lower()]
    if unit.text.lower() == "m" and (count * seconds >= LONG_REPEATED_SECONDS or where.sport in SWIM_SPORTS):
        where.warn(unit.col, f"'{sets.text} {unit.text}' is {count} times {reps.reps} minutes "
                   f"({int(count * seconds) // 3600}h{int(count * seconds) % 3600 // 60:02d}m in all)",
                   f"{reps.reps}mtr for metres")
    length = build(where, sets.col, f"{sets.text} {unit.text}", TimeDuration, seconds=seconds)
    return Item("repeat", count, sets.col, sets.text), Item("length", length, unit.col, unit.text)


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
    if found is None and not required and words:
        _misspelt(parts, words)
    if found is not None or not required:
        return found, cue
    if not words:
        anchor = parts.sets or parts.length
        assert anchor is not None
        problem = ("a strength step needs an exercise" if parts.where.sport in EXERCISE_SPORTS
                   else "reps need an exercise of Garmin's catalogue")  # "- 12 reps" in a run: no strength step
        raise parts.where.error(anchor.col, problem, "e.g. '- 3x12 Squat'")
    close = exercises.suggest(cue)
    hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
    raise parts.where.error(parts.cue[0].col, f"unknown exercise {cue!r}{hint}",
                            "a name from Garmin's exercise catalogue or CATEGORY/EXERCISE")


#: Words after a number that count rounds, not an exercise's reps (``- 5 rounds of fun``).
_COUNT_WORDS = frozenset({"round", "rounds", "time", "times", "set", "sets", "lap", "laps", "x", "rondas", "series",
                          "tours", "runden"})


def _unknown_counted_exercise(parts: _Parts, count: Item) -> None:
    """A count before words that name no exercise of the catalogue, in a strength or cardio workout: said as the
    unknown exercise it is (the line read "'10 Pass-throughs' is not a length")."""
    from watchsync.formats import exercises

    name = " ".join(item.text for item in parts.cue[1:])
    close = exercises.suggest(name)
    hint = f"; did you mean {' or '.join(repr(found) for found in close)}?" if close else ""
    raise parts.where.error(parts.cue[1].col, f"unknown exercise {name!r} (for {count.text} reps){hint}",
                            "a name from Garmin's exercise catalogue or CATEGORY/EXERCISE, or a length "
                            f"({count.text}s, {count.text}m) for a timed step")


#: How close a timed strength step's text must be to a catalogue name to be taken for a misspelling.
MISSPELT_CUTOFF = 0.8
#: The longest exercise name looked for at the start of such a text, in words.
MISSPELT_WORDS = 4


def _misspelt(parts: _Parts, words: list[str]) -> None:
    """Warn when a timed strength step's text is nearly an exercise (``- 45s Plnak``): it stays text,
    and the watch shows no exercise."""
    from watchsync.formats import exercises

    if set(folded_words(" ".join(words))) & (REST_WORDS | RECOVERY_WORDS):
        return  # "- 15s rest", "- 30s easy jog": a rest between exercises, no exercise misspelt
    for count in range(min(len(words), MISSPELT_WORDS), 0, -1):  # each try compares with the whole catalogue
        close = exercises.suggest(" ".join(words[:count]), limit=1, cutoff=MISSPELT_CUTOFF)
        if close:
            text = " ".join(words[:count])
            parts.where.warn(parts.cue[0].col, f"{text!r} is no exercise watchsync knows: the step has none, "
                             "its text stays the cue", repr(close[0]))
            return


#: What reads as a target inside a bracketed remark: ``72%``, ``140 bpm``, ``Z3``, ``250W``, ``1:50/100m`` (a word
#: alone, ``(conversational pace)``, is a cue).
_TARGET_IN_REMARK = re.compile(r"\d\s*%|\d\s*bpm\b|\bz\d\b|\d\s*w\b|\d:\d\d\s*/", re.IGNORECASE)


def _targets_in_brackets(parts: _Parts, where: Where) -> None:
    """Warn when a step without a target has targets only in a bracketed remark (``- 400mtr (1° 72%,
    2° 75%, 3° 78% Pace)``, probe icu15): the remark is cue text, so the watch gets no target."""
    for item in parts.cue:
        if item.text.startswith("(") and _TARGET_IN_REMARK.search(item.text):
            where.warn(item.col, f"{item.text!r} is a remark in brackets, read as text: the step has no target",
                       "the target outside the brackets, e.g. '- 400mtr 72-78% Pace'")
            return


#: A cadence in a bracketed remark (``(95 rpm)``, ``(85-90rpm)``).
_CADENCE_IN_REMARK = re.compile(r"\(\s*\d{2,3}(?:\s*-\s*\d{2,3})?\s*(?:rpm|spm)\b", re.IGNORECASE)


def _cadence_in_brackets(parts: _Parts, where: Where) -> None:
    """Warn when a step's cadence is in a bracketed remark (``- 25m 55% FTP (95 rpm)``, probe icu19): the
    remark is cue text, so the watch gets no cadence target beside the step's target."""
    for item in parts.cue:
        if item.text.startswith("(") and (found := _CADENCE_IN_REMARK.match(item.text)) is not None:
            cadence = found.group(0)[1:].strip()
            where.warn(item.col, f"{item.text!r} is a remark in brackets, read as text: the watch gets no cadence "
                       "target", f"'{cadence}' outside the brackets, a second target beside the first")
            return


#: Sport families with a threshold pace watchsync knows (running's, a swim's CSS): the others refuse
#: ``% Pace`` and pace zones, here where the line is known (``resolve`` refuses them too, for every format).
_PACE_SHARE_FAMILIES = frozenset({"run", "swim"})


def _no_share_of_pace(parts: _Parts, where: Where) -> None:
    """Refuse a ``% Pace`` or pace-zone target in a ride, ski, row or gym workout (probe icu15: ``validate``
    passed such a file that ``compile`` then refused at ``:1:1``)."""
    if where.sport is Sport.OTHER or where.sport.family in _PACE_SHARE_FAMILIES:
        return  # a sport not known yet: resolve says it
    for item in (parts.target, parts.secondary):
        if item is not None and isinstance(item.value, PacePercentTarget | PaceZoneTarget):
            kind = "% Pace target" if isinstance(item.value, PacePercentTarget) else "pace zone"
            raise where.error(item.col, f"a {kind} in a {where.sport.value} workout: watchsync knows a running "
                              "threshold pace and a swim CSS, not a threshold of this sport",
                              "an absolute pace like 2:00/km Pace, or a heart-rate or power target")


def _one_word_of(text: str, words: frozenset[str]) -> bool:
    """Whether ``text`` is one word (folded) of ``words``: a set lookup, not a search of the set."""
    folded = folded_words(text)
    return len(folded) == 1 and folded[0] in words


def _first_word_of(text: str, words: frozenset[str]) -> bool:
    """Whether the first word of ``text`` (folded) is one of ``words``."""
    folded = folded_words(text)
    return bool(folded) and folded[0] in words


def _joined_cue(prompt_cue: str, cue: str) -> str:
    """The cue before a step's timed prompts and the step's own cue text, either possibly empty."""
    return f"{prompt_cue} {cue}" if prompt_cue and cue else prompt_cue or cue


def _cue_text(parts: _Parts) -> str:
    """The free text of a step, without dashes that only separate it from a target ("RPE 9 - all out")."""
    return " ".join([item.text for item in parts.cue if item.text != "@"]).strip(" -–—")


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
    value = {"work": "interval", "warm": "warmup", "cool": "cooldown"}.get(parts.tag.value, parts.tag.value)
    try:
        return Intensity(value)
    except ValueError:
        raise parts.where.error(parts.tag.col, f"unknown intensity {parts.tag.text!r}",
                                ", ".join(f"intensity={i.value}" for i in Intensity)) from None


_STROKES = {"any": "any", "free": "free", "freestyle": "free", "back": "back", "backstroke": "back",
            "breast": "breast", "breaststroke": "breast", "fly": "fly", "butterfly": "fly", "im": "im",
            "drill": "drill", "mixed": "mixed"}
_EQUIPMENT = ("fins", "kickboard", "paddles", "pull_buoy", "snorkel")
_PROMPT_END = "<!>"
_PROMPT_AT = re.compile(r"(?<!\S)(\d{1,5})\^")
#: Power targets a heart-rate word beside them may have been meant as heart rate (``70% HRmax``, ``HR Z2``).
_POWER_SHARES = (PowerZoneTarget, PowerPercentFtpTarget)
_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_THOUSANDS = re.compile(r"^\d+(?:\.\d+)?k$", re.IGNORECASE)
_GROUPED_THOUSANDS = re.compile(r"^(\d{1,3}(?:,\d{3})+)([a-z]+)[,.;:]?$", re.IGNORECASE)
#: A token holding a length that is not a length on its own: ``10x100mtr``, ``5min.``, ``(20m)``.
_GLUED_LENGTH = re.compile(r"(?:(\d{1,3})x)?(\d+(?:\.\d+)?(?:mtr|km|mi|yd|min|mins|sec|secs|m|s|h))(?![a-z])",
                           re.IGNORECASE)


def _choice(item: Item | None, choices: dict[str, str] | tuple[str, ...], what: str, where: Where) -> Any:
    if item is None:
        return None
    value = choices.get(item.value) if isinstance(choices, dict) else (item.value if item.value in choices
                                                                      else None)
    if value is None:
        raise where.error(item.col, f"unknown {what} {item.text!r}",
                          ", ".join(f"{what}={c}" for c in dict.fromkeys(choices)))
    return value


def _prompts(line: str, start: int, where: Where) -> tuple[str, int, str, list[Prompt]]:
    """Timed prompts ``cue 33^Relax 60^Push <!>``: (the line, where the step proper starts, cue, prompts).

    Prompts written after the step (``- 10m 80% 30^Push <!>``, nothing after ``<!>``) leave the text
    before them as the step proper: the line comes back with the prompts blanked out (columns kept).
    """
    end = line.find(_PROMPT_END, start)
    if end < 0:
        marker = _PROMPT_AT.search(line, start) if "^" in line else None  # most lines: no prompt mark
        if marker is not None and "|" not in line[start:marker.start()]:
            raise where.error(marker.start() + 1, f"timed prompt {marker.group(0)!r} without its end",
                              "'<!>' after the last prompt, e.g. '- Go 30^Relax <!> 5m 80%'")
        return line, start, "", []
    text = line[start:end]
    pieces = _PROMPT_AT.split(text)
    cue, prompts = pieces[0].strip(), []
    for at, words in zip(pieces[1::2], pieces[2::2], strict=True):
        if words.strip():
            prompts.append(build(where, start + 1, at + "^", Prompt, at_seconds=int(at), text=words.strip()))
    after = end + len(_PROMPT_END)
    first = _PROMPT_AT.search(line, start, end)
    if first is not None and not line[after:].partition("|")[0].strip():
        return line[:first.start()] + " " * (after - first.start()) + line[after:], start, "", prompts
    return line, after, cue, prompts


def _ramp(parts: _Parts) -> str | None:
    """``up`` / ``down`` for a ``ramp`` step: as written, with paces rising as their time falls."""
    if parts.ramp is None:
        return None
    if parts.target is None:
        raise parts.where.error(parts.ramp.col, "'ramp' needs a target range", "e.g. ramp 50-75%")
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", parts.target.text.replace(":", "."))]
    if isinstance(parts.target.value, PaceTarget):
        numbers = [-n for n in numbers]
    return "down" if len(numbers) >= 2 and numbers[1] < numbers[0] else "up"


def step_line(line: str, start: int, where: Where, context: Context) -> Step | Repeat | None:
    """One ``- ...`` line (``start`` indexes the text after the dash) → a step, a strength set or a
    repeat; None for a line that is only a repeat count (``- 4x``), which repeats nothing (warned)."""
    prompt_cue = ""
    prompts: list[Prompt] = []
    if "^" in line or _PROMPT_END in line:  # timed prompts (most lines have none)
        line, start, prompt_cue, prompts = _prompts(line, start, where)
    body, _, notes_text = line.partition("|") if "|" in line[start:] else (line, "", "")
    parts = _collect(body, start, where)
    if parts.repeat is not None:  # the checks of a repeated step ("- 4x ...") only where there is one
        _hours_of_repeated_minutes(parts)
    if where.sport in EXERCISE_SPORTS:
        _count_as_reps(parts)
    if parts.repeat is not None and _only_a_count(parts):
        assert parts.repeat is not None
        if context.in_repeat:  # "2x" then "- 10x": a repeat inside a repeat, which the text cannot hold (icu19)
            where.warn(parts.repeat.col, f"'- {parts.repeat.text}' repeats nothing: a repeat inside a repeat "
                       "block is not possible in a text (as in intervals.icu); the steps below it run once in "
                       "each round", f"the {parts.repeat.value} rounds written out, or the workout in TOML, "
                       "which nests repeats")
            return None
        where.warn(parts.repeat.col, f"'- {parts.repeat.text}' repeats nothing: the steps below it are not "
                   "repeated (as in intervals.icu)", f"'{parts.repeat.text}' without the dash, on a line before them")
        return None
    zero_rest = parts.rpe is None and _zero_target_rest(parts)  # a step with an RPE is no zero-target rest
    if parts.length is not None and isinstance(parts.length.value, ZeroLength):
        _zero_length_rest(parts, zero_rest, where)
    reps_step = parts.sets is not None or (parts.length is not None
                                           and isinstance(parts.length.value, RepsDuration))
    exercise, cue = None, _cue_text(parts)
    if prompt_cue:
        cue = _joined_cue(prompt_cue, cue)
    if parts.sets is not None and parts.exercise is None and where.sport not in EXERCISE_SPORTS \
            and named_exercise([item.text for item in parts.cue]) is None:
        count, reps = parts.sets.value  # "- 2x20 sweetspot 88-93%" in a ride: no exercise, no length
        raise where.error(parts.sets.col, f"{parts.sets.text!r} is no length in a {where.sport.value} workout",
                          f"'{count}x' on a line of its own above '- {reps.reps}m ...' to repeat a step, or "
                          "sets of an exercise from Garmin's catalogue ('- 3x12 Squat')")
    if reps_step or parts.exercise is not None or (where.sport in EXERCISE_SPORTS and parts.cue):
        exercise, cue = _exercise(parts, required=reps_step)
        cue = _joined_cue(prompt_cue, cue)
    if parts.weight is not None and exercise is None:
        if not parts.cue:  # "- 1m 20kg": the weight of nothing
            raise where.error(parts.weight.col, f"weight {parts.weight.text!r} needs an exercise",
                              "e.g. '- 3x12 Squat 20kg'")
        # "- Thruster 12.5kg ×10 1m" (a timed step whose words are no exercise of the catalogue): text, said
        if where.sport in EXERCISE_SPORTS:
            where.warn(parts.weight.col, f"weight {parts.weight.text!r} is read as text: the step names no exercise "
                       "of Garmin's catalogue",
                       "a name from Garmin's catalogue before it, like '- 1m Thrusters 12.5kg'")
        else:  # exercises are looked up in strength and cardio (HIIT) workouts only
            where.warn(parts.weight.col, f"weight {parts.weight.text!r} is read as text: a {where.sport.value} step "
                       "has no exercise", "sport: strength (or hiit) for a workout of exercises")
        parts.cue = sorted([*parts.cue, parts.weight._replace(kind="cue")], key=lambda item: item.col)
        parts.weight = None
        cue = _joined_cue(prompt_cue, _cue_text(parts))
    if parts.length is None and parts.sets is None and parts.lap is None:
        _no_length(parts)
    if parts.length is not None and parts.target is None and parts.rpe is None:
        _bare_number_target(parts)
    duration: Any = parts.length.value if parts.length else _LAP_BUTTON
    planned = None
    notes = notes_text.strip() or None
    if parts.lap is not None and parts.length is not None:
        if not isinstance(duration, TimeDuration | DistanceDuration):
            raise where.error(parts.lap.col, f"press lap with {parts.length.text!r}",
                              "press lap alone, or with a time or distance as its planned length")
        duration, planned = _LAP_BUTTON, duration
    if parts.sets is not None:
        duration = parts.sets.value[1]
    name: str | None = cue or None
    if name is not None and len(name) > MAX_NAME:
        if notes is not None:
            raise where.error(parts.cue[0].col if parts.cue else start + 1,
                              f"step name is longer than {MAX_NAME} characters",
                              "a shorter cue; put details after '|'")
        name, notes = None, cue
    rpe = parts.rpe.value if parts.rpe else None
    if parts.target is not None and "freeride" in cue.lower() and "freeride" in folded_words(cue):  # ERG off
        where.warn(parts.target.col, f"{parts.target.text!r} on a freeride step is kept as its cue: the step "
                   "has no target (intervals.icu uses the range for the load estimate only)",
                   "no range on a freeride step, or no 'freeride' for a target")
        name = f"{name} {parts.target.text}" if name else parts.target.text
        parts.target, parts.secondary = parts.secondary, None  # a cadence beside it is the step's target
    if parts.target is not None or parts.secondary is not None:
        _no_share_of_pace(parts, where)
    for swim_only in (parts.stroke, parts.equipment):
        if swim_only is not None and where.sport is not Sport.OTHER and where.sport not in SWIM_SPORTS:
            raise where.error(swim_only.col, f"{swim_only.text!r} belongs to a swim, not a {where.sport.value} step",
                              "a pool_swim or open_water_swim workout")
    remarks = "(" in body  # a remark in brackets is a word starting with "(" (most lines have none)
    if remarks and parts.secondary is None and not isinstance(parts.target.value if parts.target else None,
                                                              CadenceTarget):
        _cadence_in_brackets(parts, where)
    if parts.target is None and rpe is None:
        if remarks:
            _targets_in_brackets(parts, where)
    elif parts.target is not None and where.sport in SWIM_SPORTS and isinstance(
            parts.target.value, PowerZoneTarget | PowerPercentFtpTarget):  # "- 300mtr Z1" (a coach's swim zone)
        where.warn(parts.target.col, f"{parts.target.text!r} is a power target, as in intervals.icu (a bare zone or "
                   "% is power in every sport): a swimmer has no power meter", f"'{parts.target.text} Pace' for "
                   "the swim's pace from the CSS")
    target = parts.target.value if parts.target else rpe
    rpe_high = rpe.high if rpe is not None else None
    col = parts.cue[0].col if parts.cue else start + 1
    if parts.tag is None and (zero_rest or context.section is not None):  # as _intensity would say
        intensity = Intensity.REST if zero_rest else context.section
    else:
        intensity = _intensity(parts, context, cue, rpe_high)
    # only what the line gives: a field left out costs the model nothing to validate
    given: dict[str, Any] = {"intensity": intensity, "duration": duration}
    if target is not None:
        given["target"] = target
    if parts.secondary is not None:
        given["secondary"] = parts.secondary.value
    if parts.ramp is not None:
        given["ramp"] = _ramp(parts)
    if name is not None:
        given["name"] = name
    if notes is not None:
        given["notes"] = notes
    if rpe is not None and parts.target is not None:
        given["rpe"] = rpe
    if exercise is not None:
        given["exercise"] = exercise
    if parts.weight is not None:
        given["weight_kg"], unit = parts.weight.value
        if unit == "lb":
            given["weight_unit"] = "lb"
    if planned is not None:
        given["planned"] = planned
    if parts.stroke is not None:
        given["stroke"] = _choice(parts.stroke, _STROKES, "stroke", where)
    if parts.equipment is not None:
        given["equipment"] = _choice(parts.equipment, _EQUIPMENT, "equipment", where)
    if prompts:
        given["prompts"] = prompts
    step = build(where, col, body.strip(), Step, **given)
    if parts.sets is not None:
        rest = [Step(intensity=Intensity.REST, duration=parts.set_rest.value)] if parts.set_rest else []
        return Repeat(count=parts.sets.value[0], steps=[step, *rest], skip_last_rest=bool(rest))
    if parts.repeat is not None:
        if parts.length is None and parts.lap is None and parts.exercise is None and exercise is None:
            where.warn(parts.repeat.col, f"'{parts.repeat.text}' repeats a step that ends on the lap button "
                       f"{parts.repeat.value} times", f"'{parts.repeat.value}m' for {parts.repeat.value} minutes, "
                       "or 'press lap' to say it")  # "- 20x RPE 3" for "- 20m RPE 3"
        return Repeat(count=parts.repeat.value, steps=[step])
    return step


def _count_as_reps(parts: _Parts) -> None:
    """In a strength or cardio workout, a count before an exercise of Garmin's catalogue, with no length, is
    its repetitions: ``- 12 Air squats`` and ``- 10x Push ups`` are 12 and 10 reps (said: intervals.icu reads
    the first as text and the second as a repeat of a lap-button step)."""
    if parts.length is not None or parts.sets is not None or parts.lap is not None or not parts.cue:
        return
    where = parts.where
    named = parts.cue[1:] if parts.repeat is None else parts.cue
    if not named or named_exercise([item.text for item in named]) is None:
        return  # "- 5 rounds of fun": no exercise, the count is no reps (the line is refused as before)
    if parts.repeat is not None and parts.repeat.col < parts.cue[0].col:
        count = parts.repeat
        parts.repeat = None
    elif parts.repeat is None and _COUNT.match(parts.cue[0].text):
        count = parts.cue.pop(0)
    else:
        return
    reps = int(count.text.rstrip("xX×"))
    parts.length = Item("length", build(where, count.col, count.text, RepsDuration, reps=reps), count.col, count.text)
    words = " ".join(item.text for item in parts.cue)
    where.warn(count.col, f"'{count.text}' before {words!r} is read as {reps} reps",
               f"'{reps} reps {words}' to say so (intervals.icu reads the count otherwise)")


_COUNT = re.compile(r"^\d{1,3}$")


def _only_a_count(parts: _Parts) -> bool:
    """``- 4x`` and nothing else: no step to repeat."""
    return parts.repeat is not None and not parts.cue and all(
        getattr(parts, name) is None for name in ("tag", "length", "lap", "sets", "target", "secondary", "rpe",
                                                   "weight", "exercise", "stroke", "equipment", "ramp"))


def _zero_target_rest(parts: _Parts) -> bool:
    """``- 20s 0`` or ``- 10s 0% Pace``: a length and a zero target is a rest (intervals.icu swim sets);
    the zero goes."""
    if (parts.length is None and parts.lap is None) or parts.rpe is not None:
        return False
    if parts.target is not None and isinstance(parts.target.value, OpenTarget):  # a "0%" target
        parts.target = None
        return True
    if parts.target is not None or [item.text for item in parts.cue] != ["0"]:
        return False
    parts.cue.clear()
    return True


def _zero_length_rest(parts: _Parts, zero_rest: bool, where: Where) -> None:
    """A length of zero (``- 0.0km 0% Pace Rest``, written by generators) is a rest that ends on the lap
    button, with a warning; on any other step it is an error."""
    length = parts.length
    if length is None or not isinstance(length.value, ZeroLength):
        return
    first_word = parts.cue[0].text.lower() if parts.cue else ""
    if not (zero_rest or (parts.tag is not None and parts.tag.value == "rest") or first_word.startswith("rest")):
        raise length.value.error(where, length.col)
    where.warn(length.col, f"{length.text!r}: a rest of zero length, read as ending on the lap button",
               "a rest's length, or 'press lap'")
    parts.length = None


def is_remark(text: str) -> bool:
    """A bracketed remark of several words (``(3 x 45s)``): cue text, never a mistyped length."""
    return text.startswith("(") and " " in text


#: The smallest bare number after a length taken for a target without its unit (a heart rate, watts).
BARE_TARGET_MIN = 30


def _bare_number_target(parts: _Parts) -> None:
    """Warn when a step with no target has a bare number right after its length (``- 3m 150``): a
    target without its unit, which intervals.icu reads as text too."""
    if parts.length is None or parts.target is not None or parts.rpe is not None:
        return
    after = [item for item in parts.cue if item.col > parts.length.col]
    if not after or not after[0].text.isdecimal():
        return
    number, value = after[0], int(after[0].text)

    def plural(item: Item) -> bool:
        return item.text.lower().rstrip(",.;:").endswith("s")

    # counts and ratios are text: "4 easy strides", "4 fast strides", "60 run 30 walk", "4 laps" (review15);
    # an effort word after the number is a target without its unit: "3m 8 hard", "5m 165 tempo" (review17)
    counting = any(plural(item) for item in after[1:4]) or (len(after) > 2 and after[2].text.isdecimal())
    effort = len(after) == 1 or (not counting and _first_word_of(after[1].text, _EFFORT_CUES))
    if value >= BARE_TARGET_MIN and effort:  # "- 3m 150", "- 3m 150 easy"; "- 5m 30 push up" is a count
        parts.where.warn(number.col, f"{number.text!r} after the length is read as text: the step has no target",
                         f"a unit: {number.text}bpm, {number.text}W, {number.text}% or {number.text}rpm")
    elif 1 <= value <= 10 and len(after) > 1 and effort:
        parts.where.warn(number.col, f"{number.text!r} before {after[1].text!r} is read as text: the step has no "
                         "target", f"RPE {number.text}")  # "- 2m 4 easy jog": an RPE without its word (probe coach11)


#: Words after a bare number that make it an effort: ``- 2m 4 easy jog`` is RPE 4 without its word.
_EFFORT_CUES = frozenset({"easy", "moderate", "steady", "conversational", "comfortable", "relaxed", "effort", "hard",
                          "tempo", "threshold", "jog", "recovery"})  # not "fast", "slow": "1 slow lap" is a count


#: A step whose whole text is a section word of at most this many words reads as a mislaid header.
SECTION_WORDS_MAX = 3


def _no_length(parts: _Parts) -> None:
    """A step with no length ends on the lap button, unless its cue holds what looks like a length."""
    for index, item in enumerate(parts.cue):
        if is_remark(item.text):
            continue  # "Plank hold (3 x 45s)": a remark in brackets is text, whatever it holds
        grouped = _GROUPED_THOUSANDS.match(item.text)
        if grouped is not None:  # "1,500mtr": a thousands separator, which no length has
            raise parts.where.error(item.col, f"{item.text!r} is not a length",
                                    f"{grouped.group(1).replace(',', '')}{grouped.group(2)} (no thousands separator)")
        glued = _GLUED_LENGTH.search(item.text)
        if glued is not None:
            count, length = glued.group(1), glued.group(2)
            hint = f"'{count}x {length}' (the step {count} times)" if count else f"a length like {length}"
            raise parts.where.error(item.col, f"{item.text!r} is not a length", hint)
        if _THOUSANDS.match(item.text):  # "5k": a race's distance, not a unit the syntax has
            raise parts.where.error(item.col, f"{item.text!r} is not a length",
                                    f"{item.text[:-1]}km (kilometres) or {item.text[:-1]}mtr")
        if _BARE_NUMBER.match(item.text):
            unit = parts.cue[index + 1].text if index + 1 < len(parts.cue) else ""
            if index == 0 and unit and parts.where.sport in EXERCISE_SPORTS and unit[:1].isalpha() \
                    and unit.lower() not in _COUNT_WORDS:
                _unknown_counted_exercise(parts, item)  # "- 10 Pass-throughs con PVC": reps of what? (icu21)
            raise parts.where.error(
                item.col, f"{(item.text + ' ' + unit).strip()!r} is not a length",
                f"a length like {item.text}m (minutes), {item.text}s, {item.text}km or {item.text}mtr, "
                "or 'press lap' for a step that ends on the lap button")
    words = folded_words(_cue_text(parts))
    if words and parts.target is None and parts.rpe is None and len(words) <= SECTION_WORDS_MAX \
            and section_intensity(words) in (Intensity.WARMUP, Intensity.COOLDOWN):  # "- Rest": a lap-button rest
        text = _cue_text(parts)  # "- Warmup", "- Cooldown": a label a generator wrote as a step
        parts.where.warn(parts.cue[0].col, f"'- {text}' has no length: a step that waits for the lap button",
                         f"'{text}' without the dash for a section header")
