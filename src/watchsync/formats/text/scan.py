"""The scanner of a step line (its tokens as items, leftovers as cue text), and single values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text.tokens import NUMBER_RULES, SWIM_SPORTS, WORD_RULES, Rule, Where, quoted
from watchsync.model.workout import Duration, RpeTarget, Sport, Target

LENGTH_UNITS = "s, m (minutes), h, km, mtr, mi, yd, bpm, w, rpm, m/s, kcal, kg or lb"
#: Letters after a number that make cue text, not a mistyped length: ordinals, thousands, and the
#: grams and millilitres of fuelling cues (``10g``, ``500ml``).
_CUE_SUFFIXES = frozenset({"st", "nd", "rd", "th", "k", "g", "mg", "ml", "l", "oz", "kj"})
_TOKEN = re.compile(r"\S+")
_DIGITS = re.compile(r"\d+")
# leftover tokens that look like a mistyped length or target (see _suspicious)
_TOO_LONG = re.compile(r"^-?\d{10}")
_NEGATIVE = re.compile(r"^-\d")
_GLUED_RPE = re.compile(r"^rpe\d")
_PACE_LIKE = re.compile(r"^\d+:\d")
_NUMBER_WITH_UNIT = re.compile(r"^\d+(?:\.\d+)?([a-z]+)$")
_ASCII_DIGIT_CHARS = "0123456789"
#: The most digits before the character that keys the number rules (``Rules.at``).
MAX_KEY_DIGITS = 9


#: The only words (letters alone) a token rule can start with: ``intensity=``, ``stroke=``,
#: ``equipment=``, ``power=``/``hr=``, ``press lap``, ``until HR``, ``RPE 3``; every other rule needs a
#: digit, ``@`` or ``/``.
RULE_WORDS = frozenset({"intensity", "stroke", "equipment", "press", "until", "rpe", "power", "hr"})


class Item(NamedTuple):
    """One recognised piece of a step line (a tuple: built for every token, so cheap to make)."""

    kind: str  # tag, length, lap, sets, target, rpe, weight, exercise, cue
    value: Any
    col: int
    text: str


#: ``Item(...)`` without the Python-level ``__new__`` a NamedTuple has (the scanner makes an item per token).
_new_item = tuple.__new__


def _suspicious(where: Where, col: int, token: str) -> None:
    """Reject leftover tokens that look like a mistyped length or target, not like cue text."""
    if token.startswith("(") or token.endswith(")"):
        return  # a remark in brackets ("(2min rest)", "(112-132 bpm)") is cue text, as in intervals.icu
    bare = token.strip(",.;:!?()")
    lower = bare.lower()
    if lower not in ("rpe", "until") and _DIGITS.search(bare) is None:
        return  # a plain word: every other check needs a digit
    if _TOO_LONG.match(bare):
        raise where.error(col, f"number too long in {quoted(bare)}", "at most 9 digits")
    if _NEGATIVE.match(bare):
        raise where.error(col, f"negative length {quoted(bare)}", "a positive length like 10m")
    if lower == "rpe" or _GLUED_RPE.match(lower):
        raise where.error(col, f"RPE needs a value: {quoted(bare)}", "RPE 1 to 10, e.g. RPE 3 or RPE 3-4")
    if lower == "until":
        raise where.error(col, "'until' needs a direction and a heart rate",
                          "until HR < 130 or until HR > 150 ('below' and 'above' too)")
    if _PACE_LIKE.match(bare):
        raise where.error(col, f"{quoted(bare)} is neither a length nor a pace", _clock_hint(bare))
    unit = _NUMBER_WITH_UNIT.match(lower)
    if unit and unit.group(1) == "x":
        raise where.error(col, f"repeat count {quoted(bare)} belongs on a header line", "a line like 'Main set 6x'")
    if unit and unit.group(1) not in _CUE_SUFFIXES:
        raise where.error(col, f"unknown unit {quoted(unit.group(1))} in {quoted(bare)}", LENGTH_UNITS)


def _clock_hint(clock: str) -> str:
    """What a clock-like token without a unit was meant as: a length (``1m30``, ``1h``) or a pace."""
    parts = clock.split(":")
    numbers = [int(part) for part in parts if part.isdigit() and len(part) <= 2]
    if len(numbers) != len(parts):
        numbers = []  # not a clock of two-digit parts: the pace forms only
    if len(numbers) == 3:  # h:mm:ss
        hours, minutes, seconds = numbers
        length = f"{hours}h" + (f"{minutes}m" if minutes or seconds else "") + (f"{seconds}s" if seconds else "")
    elif len(numbers) == 2:
        minutes, seconds = numbers
        length = f"{minutes}m" + (f"{seconds}s" if seconds else "")
    else:
        return "m:ss/km, m:ss/mi or a swim's m:ss/100m (/100yd), e.g. 5:00/km Pace"
    pace = f"{numbers[-2]}:{numbers[-1]:02d}" if len(numbers) == 2 else "5:00"
    return f"a length like {length}, or a pace with its unit like {pace}/km Pace (/mi, a swim's /100m)"


def _candidate_rules(body: str, pos: int, token: str) -> tuple[Rule, ...]:
    """The rules that may match at ``pos`` (in ``token``, the rest of the token from there), in the
    order they are tried."""
    if not body[pos].isdecimal():
        return WORD_RULES.at(body[pos])
    digits = len(token) - len(token.lstrip(_ASCII_DIGIT_CHARS))  # no regex: a string method is cheaper
    if not 0 < digits <= MAX_KEY_DIGITS:  # other decimal digits, or more than 9
        return NUMBER_RULES.every
    return NUMBER_RULES.at(body[pos + digits:pos + digits + 1])


def scan(body: str, start: int, where: Where) -> Iterator[Item]:
    """Recognised pieces of ``body`` from index ``start``; unrecognised tokens come back as cue."""
    pos = start
    while True:
        token = _TOKEN.search(body, pos)
        if token is None:
            return
        pos = token.start()
        col = pos + 1
        if body[pos] == "(" and not token.group(0).endswith(")"):
            remark = _remark_end(body, pos)
            if remark is not None:  # "(2 x 45s each side)": a remark in brackets is cue text as a whole
                yield _new_item(Item, ("cue", body[pos:remark], col, body[pos:remark]))
                pos = remark
                continue
        text = token.group(0)
        word = text.rstrip(",.;:!?")
        # plain words, most of a cue: no rule can match there (tested against every rule)
        if word.isalpha() and word.lower() not in RULE_WORDS:
            yield _new_item(Item, ("cue", text, col, text))
            pos = token.end()
            continue
        # "~5m": about 5m; "@5:00/km Pace": at that pace (the mark glued to what it marks)
        lead = _LEADS.get(body[pos])
        if lead is not None and not body[pos + 1:pos + 2].isdecimal():
            lead = None
        at = pos + 1 if lead else pos
        for rule in _candidate_rules(body, at, text[at - pos:]):
            m = rule.pattern.match(body, at)
            if m and m.end() > at and (lead is None or rule.kind == lead):
                yield _new_item(Item, (rule.kind, rule.parse(where, col, m), col, m.group(0)))
                pos = m.end()
                if body[pos:pos + 1] in _PUNCTUATION:  # most tokens end at a space: nothing to skip
                    pos = _after_punctuation(body, pos)
                break
        else:
            if where.sport in SWIM_SPORTS and _SEND_OFF.match(text) and (
                    text.startswith("@") or body[:pos].rstrip().lower().endswith((" on", " every", "@"))):
                where.warn(col, f"{quoted(text)} (a send-off) is read as text: a watch has no send-off",
                           "a rest step after the swim ('- 15s rest') for the time the send-off leaves")
                yield _new_item(Item, ("cue", text, col, text))  # "- 100mtr @1:45", "- 100mtr on 1:45"
                pos = token.end()
                continue
            _suspicious(where, col, text)
            if "%" in text and not text.startswith("(") and _DIGITS.search(text) is not None:
                where.warn(col, f"{quoted(text)} looks like a target but is not one: it is read as text",
                           "a range like 50-68% LTHR")  # "- 10m 50-68-% LTHR" (intervals.icu forum t/4725)
            elif _NEAR_TARGET.match(text):  # "- 10m Z5+", "- 10m <150bpm": no target either syntax has
                where.warn(col, f"{quoted(text)} looks like a target but is not one: it is read as text",
                           "a zone like Z5 HR or a range like 140-150bpm")
            elif _NEAR_PACE.match(text):  # "- 10m >5:35/km Pace" (a Danish plan generator's zone 1)
                where.warn(col, f"{quoted(text)} looks like a pace target but is not one (a watch has no bound): "
                           "it is read as text", "a range like " + ("1:50-2:00/100m Pace" if "/100" in text
                                                                    else "5:35-6:30/km Pace"))
            elif text in _BOUND_SIGNS and body[token.end():].lstrip()[:1].isdecimal():  # "- 10m > 5:35/km Pace"
                where.warn(col, f"{quoted(text)} is read as text: the target after it is a band around its value, "
                           "not a bound", "a range like 5:35-6:30/km Pace or 140-150bpm")
            elif (unit := _BARE_TARGET.match(body, token.start())) is not None:  # "- 2km 130-145 HR"
                number, kind = unit.groups()
                where.warn(col, f"{quoted(unit.group(0))} is not a target (no '%'): it is read as text, as in "
                           "intervals.icu", f"{number}% {kind}" + (f" or {number}bpm" if kind.upper() == "HR" else ""))
            yield _new_item(Item, ("cue", text, col, text))
            pos = token.end()


#: A swim's send-off (``@1:45``, ``on 1:45``): the time each repeat starts on, which a watch cannot run.
_SEND_OFF = re.compile(r"^@?\d{1,2}:\d{2}[,.;:]?$")

#: A token that reads as a target in no syntax: an open zone (``Z5+``), a bound (``<150bpm``, ``>250w``).
_NEAR_TARGET = re.compile(r"^(?:z\d\+|[<>≤≥]=?\d{2,4}(?:bpm|w|rpm|%)?|\d{2,4}(?:bpm|w)\+)[,.;:]?$", re.IGNORECASE)

#: A pace with a bound sign glued on (``>5:35/km``, ``<1:50/100m``): no target either syntax has.
_NEAR_PACE = re.compile(r"^[<>≤≥]=?\d{1,2}:\d{2}(?:/[a-z0-9]+)?[,.;:]?$", re.IGNORECASE)
_BOUND_SIGNS = frozenset({"<", ">", "≤", "≥", "<=", ">="})

#: Marks glued to a number and the kind of piece they may mark: ``~5m`` (about), ``@4:30/km Pace``.
_LEADS = {"~": "length", "@": "target"}

#: A number or range then a target's word without its ``%`` (a C# generator's ``130-145 HR``).
_BARE_TARGET = re.compile(r"(\d{1,3}(?:\.\d+)?(?:-\d{1,3}(?:\.\d+)?)?)\s+(HR|LTHR|Pace|FTP)(?=\s|$)",
                          re.IGNORECASE)


#: The punctuation that ends a token and is no cue text of its own: ``,`` ``;`` ``)``, and a sentence's
#: ``.`` ``:`` ``!`` ``?`` before a space or the end (as the rules' end, ``tokens._END``, allows).
_TRAILING = re.compile(r"(?:[,;)]|[.:!?](?=\s|$))*")
#: The characters :data:`_TRAILING` may skip (each on its own, never an empty string).
_PUNCTUATION = frozenset(",;).:!?")


def _after_punctuation(body: str, pos: int) -> int:
    """``pos`` past the punctuation that ends a token."""
    trailing = _TRAILING.match(body, pos)
    return trailing.end() if trailing is not None else pos


def _remark_end(body: str, pos: int) -> int | None:
    """The end of the token that closes the bracket opened at ``pos`` (None when none closes it)."""
    close = body.find(")", pos)
    if close < 0:
        return None
    end = _TOKEN.match(body, close)
    return end.end() if end is not None else close + 1


def parse_duration(text: str, *, path: str = "<text>", line: int = 1, col: int = 1,
                   sport: Sport = Sport.OTHER, warnings: list[WorkoutFormatError] | None = None) -> Duration:
    """A single length written as in a step line (``"10m"``, ``"2km"``, ``"press lap"``, ...); probable
    slips (``"1000m"`` in a run) are appended to ``warnings``."""
    items = _single(text, path, line, col, sport, "a length like 10m, 2km, press lap or until HR < 130", warnings)
    if len(items) != 1 or items[0].kind not in ("length", "lap"):
        raise WorkoutFormatError(path, line, col, f"{text!r} is not a length",
                                 "a length like 10m, 2km, press lap or until HR < 130")
    value: Duration = items[0].value
    return value


def parse_target(text: str, *, path: str = "<text>", line: int = 1, col: int = 1,
                 sport: Sport = Sport.OTHER, warnings: list[WorkoutFormatError] | None = None
                 ) -> tuple[Target, RpeTarget | None]:
    """A target (and an RPE written beside it) as in a step line: ``"RPE 3 Z2 HR"`` → (zone, RPE);
    probable slips are appended to ``warnings``."""
    expected = "a target like RPE 3, Z2 HR, 70% HR, 5:00/km Pace, 140-150bpm or 220w"
    items = _single(text, path, line, col, sport, expected, warnings)
    rpe = [item.value for item in items if item.kind == "rpe"]
    concrete = [item.value for item in items if item.kind == "target"]
    if len(rpe) + len(concrete) != len(items) or len(rpe) > 1 or len(concrete) > 1 or not items:
        raise WorkoutFormatError(path, line, col, f"{text!r} is not a target", expected)
    if concrete:
        return concrete[0], rpe[0] if rpe else None
    only: RpeTarget = rpe[0]
    return only, None


def _single(text: str, path: str, line: int, col: int, sport: Sport, expected: str,
            warnings: list[WorkoutFormatError] | None = None) -> list[Item]:
    where = Where(path, line, sport, warnings)
    try:
        return list(scan(text, 0, where))
    except WorkoutFormatError as error:
        raise WorkoutFormatError(path, line, col, f"{text!r}: {error.problem}", error.expected or expected
                                 ) from None
