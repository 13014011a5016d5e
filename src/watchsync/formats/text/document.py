"""A text document → a workout: header lines, sections, repeat blocks and their step lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from pydantic import ValidationError

from watchsync.formats.errors import WorkoutFormatError, raise_collected
from watchsync.formats.text.scan import scan
from watchsync.formats.text.step import MAX_NAME, Context, step_line
from watchsync.formats.text.tokens import Where
from watchsync.formats.text.words import SECTION_INTENSITY, folded_words, section_intensity
from watchsync.formats.validation import validation_message
from watchsync.model.units import METERS_PER_YARD
from watchsync.model.workout import DistanceDuration, Intensity, Repeat, Sport, Step, Workout, parse_sport

#: Headers that title a section even when no steps follow them (never a workout's name).
SECTION_TITLES = frozenset({*SECTION_INTENSITY, "main", "main set", "set", "intervals", "repeats", "drills",
                            "strides", "press lap"})
META_LINE = re.compile(r"^\s*(name|sport|description|tags|pool(?:\s+length)?)\s*:(.*)$", re.IGNORECASE)
#: A Markdown separator (``---``), which intervals.icu ignores (quick guide, "Formatting text").
SEPARATOR = re.compile(r"^\s*(?:-{3,}|\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?)\s*$")  # also a table's |---|---|
#: Characters copied from forums and word processors, read as what they stand for (one for one, so
#: that columns stay): Unicode spaces as a space; after a digit a dash before a number as ``-``
#: (``85–90%``, ``Z2–Z3``) and curly quotes as minutes/seconds (``5’``, ``30”``).
_UNICODE_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_DIGIT_DASH = re.compile(r"(?<=[\d%])(\s*)[\u2012\u2013\u2014\u2212](?=\s*[Zz]?\d)")
_DIGIT_QUOTE = re.compile(r"(?<=\d)[\u2019\u2032\u201d\u2033]")
_QUOTES = {"\u2019": "'", "\u2032": "'", "\u201d": '"', "\u2033": '"'}
#: Full-width brackets (Chinese and Japanese texts) as ASCII ones.
_FULL_WIDTH = str.maketrans({"\uff08": "(", "\uff09": ")"})
POOL_LENGTH = re.compile(r"^\s*(\d{1,4}(?:\.\d{1,3})?)\s*(m|mtr|meters?|metres?|y|yd|yds|yards?)\s*$", re.IGNORECASE)
#: List bullets other than ``-``: intervals.icu reads such lines as text (generators write them on purpose).
_BULLETS = frozenset("•*–—·▪◦")
#: A repeat header's name longer than this many words is a sentence (a generator's notes).
PROSE_WORDS = 6
#: ``4x`` in a header; also ``4x:`` and ``(4x)``.
REPEAT_COUNT = re.compile(r"(?<!\S)\(?(\d{1,9})\s*[x×]\)?:?(?=\s|$)", re.IGNORECASE)
MAX_NOTES = 1000  # a step's notes, as the model holds them
#: An HTML tag (``<b>``, ``</p>``, ``<span class="d-none">``); ``<!>`` (a timed prompt) is none.
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
#: A heading between dashes (``--- Coaching (Delahaije) ---``, ``-- Main set --``): a header line, no step.
DASHED_HEADING = re.compile(r"^\s*-{2,}\s*([^\s-](?:.*[^\s-])?)\s*-{2,}\s*$")
#: A Markdown heading (``## Great Workout``): the workout's name when nothing else names it.
MARKDOWN_HEADING = re.compile(r"#{1,6}\s+(\S.{0,200})$")
#: A count glued to a length in a header (``Strides 6x20s``, ``4x400m``): no repeat, said.
GLUED_COUNT = re.compile(r"(?<!\S)(\d{1,3})\s*[x×]\s*\d+(?:\.\d+)?\s*[a-z'\"]*(?=[\s,.;:)]|$)", re.IGNORECASE)
#: A count written otherwise in a header (``Main Set x3``, ``Repeat 3 times``, ``3 sets``): no repeat, said.
SPELLED_COUNT = re.compile(r"(?<![^\s(])(?:[x×]\s?(\d{1,3})|(\d{1,3})\s*(?:times|sets|rounds|reps|repeats"
                           r"|repetitions|mal|veces|fois|volte|keer|rondas|series|runden|tours|giri|serie|rondes|rondi"
                           r"|wiederholungen|repeticiones))"  # "(3 Rondas)" (icu17), "Strides (4 reps)" (review17)
                           r"(?=[\s,.;:)]|$)", re.IGNORECASE)


@dataclass(slots=True)
class Section:
    """An open section: its header's intensity and, for ``Nx`` headers, the repeat being filled."""

    intensity: Intensity | None
    count: int | None = None
    name: str | None = None
    line: int = 0
    col: int = 0
    header: str = ""
    steps: list[Step | Repeat] = field(default_factory=list)
    lines: int = 0
    text: str = ""
    blank_warned: bool = False
    dashless_below: str | None = None  # the first line under it that is a step without its dash

    def prose(self) -> bool:
        """Whether a repeat header is a sentence that holds a count (``3 x (1 min at 152 W + 2 mins at
        106 W).``, ``Do 4x 30s all out``), not a title with its count (``Main set 6x``, ``Strides 5x``)."""
        name = self.name or ""
        return any(c.isdigit() for c in name) or len(name.split()) > PROSE_WORDS \
            or not (self.text.startswith(self.header) or self.text.endswith(self.header))

    def titles(self) -> bool:
        """Whether the header is a section title (``Warmup``, ``Main set``), not a line of prose."""
        return " ".join(folded_words(self.text)) in SECTION_TITLES


def _with_header_text(step: Step, section: Section) -> Step:
    """The first step under a header that says more than a section title (``Test 30 min a tope -
    apretá LAP al minuto 10``): the header's words lead its notes, where the watch shows them, as
    intervals.icu shows the header above its steps. A repeat's header is its name instead."""
    text = section.text.strip(" :-–#")
    if section.count is not None or not text or section.titles() or META_LINE.match(section.text):
        return step
    if step.notes and text in step.notes:
        return step
    notes = f"{text}. {step.notes}" if step.notes else text
    return step.model_copy(update={"notes": notes[:MAX_NOTES]})


def section_header(text: str, where: Where) -> Section:
    """The section a header line opens (a repeat block when it holds ``Nx``)."""
    intensity = section_intensity(folded_words(text))
    count_match = REPEAT_COUNT.search(text)
    if count_match is None:
        return Section(intensity, line=where.line, text=text.strip())
    col = count_match.start() + 1
    count = int(count_match.group(1))
    if not 1 <= count <= 200:
        raise where.error(col, f"repeat count {count_match.group(0)!r} must be 1 to 200")
    name = " ".join((text[: count_match.start()] + " " + text[count_match.end():]).split()).rstrip(" :-–") or None
    if name is not None and len(name) > MAX_NAME:
        raise where.error(1, f"section name is longer than {MAX_NAME} characters")
    return Section(intensity, count, name, where.line, col, count_match.group(0).strip(), text=text.strip())


#: The shortest first line read as wrapped when the next goes on with its sentence (editors wrap at 72-80).
WRAPPED_LINE_MIN = 60


@dataclass(slots=True)
class _Document:
    """Parser state for one text document."""

    path: str
    line_offset: int
    sport: Sport | None
    meta: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    blocks: list[Step | Repeat] = field(default_factory=list)
    section: Section | None = None
    errors: list[WorkoutFormatError] = field(default_factory=list)
    warnings: list[WorkoutFormatError] = field(default_factory=list)
    free_text: list[str] = field(default_factory=list)
    body_started: bool = False
    pool: tuple[float, str] | None = None  # the pool length as written and its unit ("m", "yd")
    heading: str | None = None  # the first Markdown heading before the steps ("## Great Workout")
    opening: bool = False  # the first free-text line came before the steps (a name, not a footnote)
    dashless: tuple[int, str] | None = None  # the first line that is a step without its "- " (line, step)
    free_line: int = 0  # the source line of the last free-text line

    def pace_units(self, chosen: Mapping[str, str] | None) -> Mapping[str, str] | None:
        """The pace units of the text's lines: in a yard pool a swim pace without a unit is per 100 yd."""
        return {**(chosen or {}), "swim": "100y"} if self.pool is not None and self.pool[1] == "yd" else chosen

    def _continues_the_opening(self, section: Section) -> bool:
        """Whether the line goes on with the opening line's sentence, wrapped (``...throughout the`` /
        ``main block. The strides...``): right under it, starting in lower case, the opening as long as
        a wrapped line and ending mid-sentence (probe icu16); a title over a note (``Tempo Tuesday`` /
        ``warm up well...``) is not one."""
        return self.opening and len(self.free_text) == 1 and not self.body_started \
            and len(self.free_text[0]) >= WRAPPED_LINE_MIN and section.line == self.free_line + 1 \
            and section.text[:1].islower() \
            and not self.free_text[0].rstrip().endswith((".", "!", "?", ":", ";"))

    def close_section(self) -> None:
        section, self.section = self.section, None
        if section is None:
            return
        if section.count is None:
            if section.lines == 0 and section.text and not section.titles():
                self.opening = self.opening or (not self.free_text and not self.body_started)
                if self._continues_the_opening(section):
                    self.free_text[0] += " " + section.text  # a wrapped first sentence, named as one
                else:
                    self.free_text.append(section.text)  # a line of prose, not a section of steps
                self.free_line = section.line
            glued = GLUED_COUNT.search(section.text) if section.lines else None
            if glued is not None:  # "Strides 6x20s" over its steps: they run once
                self.warnings.append(WorkoutFormatError(
                    self.path, section.line, glued.start() + 1, f"{glued.group(0)!r} in a header is no repeat: the "
                    "steps under it run once", f"'{glued.group(1)}x' on its own for a repeat"))
            spelled = SPELLED_COUNT.search(section.text) if section.lines and glued is None else None
            if spelled is not None:  # "Main Set x3", "Repeat 3 times": intervals.icu reads "3x" alone
                count = spelled.group(1) or spelled.group(2)
                self.warnings.append(WorkoutFormatError(
                    self.path, section.line, spelled.start() + 1, f"{spelled.group(0)!r} in a header is no repeat "
                    "count: the steps under it run once", f"'{count}x' for a repeat"))
            return
        if section.lines == 0 and section.prose():  # "4 x (50 Drill in Z1 + 10 sec rests)," in a generator's
            self.free_text.append(section.text)    # notes: text, as intervals.icu reads it
            self.warnings.append(WorkoutFormatError(self.path, section.line, section.col,
                                                    f"{section.header!r} in a line with no step lines under it: the "
                                                    "line is kept as text, not a repeat", "'- ' step lines under it"))
        elif section.lines == 0:  # "Main set 6x" with nothing under it: a repeat that lost its steps
            hint = "'- ' step lines under the header"
            if section.dashless_below is not None:  # "4x" over "10m 70%": the steps lost their dashes
                hint = f"'- {section.dashless_below}': the lines under it are steps without their '- '"
            self.errors.append(WorkoutFormatError(self.path, section.line, section.col,
                                                  f"repeat {section.header!r} has no steps", hint))
        elif section.steps:
            self.blocks.append(Repeat(count=section.count, steps=section.steps, name=section.name))

    def open_section(self, section: Section, dashless: str | None = None) -> None:
        """Close the open section and open ``section``; a bare ``Nx`` line right under a header with no
        steps (``Técnica (Drills)`` then ``6x``) repeats under that header's name and intensity."""
        previous = self.section
        if dashless is not None and self.dashless is None:
            self.dashless = (section.line, dashless)
        if dashless is not None and previous is not None and previous.count is not None and previous.lines == 0 \
                and previous.dashless_below is None:
            previous.dashless_below = dashless
        if (previous is not None and previous.count is None and previous.lines == 0 and previous.text
                and section.count is not None and section.name is None and not META_LINE.match(previous.text)):
            section.name = previous.text if len(previous.text) <= MAX_NAME else None
            section.intensity = section.intensity or previous.intensity
            self.section = None  # the header titles the repeat: neither free text nor a section of its own
        self.close_section()
        self.section = section

    def add_step(self, line: str, start: int, where: Where) -> None:
        section = self.section
        if self._a_note(line, start, where):
            return
        if section is None:
            context = Context()
        else:
            context = Context(section.intensity, section.count is not None, section.lines)
            section.lines += 1
        block = step_line(line, start, where, context)
        if block is None:
            return
        if self.pool is not None:  # a pool swim's distances in whole lengths
            self._whole_lengths(block, where, start)
        if section is not None and section.lines == 1 and isinstance(block, Step):
            block = _with_header_text(block, section)
        repeated = section is not None and section.count is not None
        said = section_intensity(folded_words(block.name or "")) if repeated and isinstance(block, Step) else None
        if repeated and said in (Intensity.WARMUP, Intensity.COOLDOWN):  # "- 10m cooldown" in a "5x" block
            assert section is not None and said is not None
            where.warn(start + 1, f"a {said.value} step inside the {section.header} block is repeated "
                       f"{section.count} times", "a blank line or a 'Cooldown' header before it to end the block")
        (section.steps if section is not None and repeated else self.blocks).append(block)

    def _a_note(self, line: str, start: int, where: Where) -> bool:
        """A bullet of notes (``Hydratation`` / ``- 1L+ pour 90min effort``, ``Plan B`` / ``- Si pluie: indoor 45min
        Z2``: a generator's notes sections after the cool-down, probe icu20): under a header that names notes, fuel
        or a route, words then a length in spelled-out minutes, seconds or kcal, which watchsync otherwise reads as a
        step. Kept as the workout's description, said. A finisher under ``Core`` or ``Walk`` stays steps (review19)."""
        section = self.section
        if section is None or section.count is not None or section.intensity is not None:
            return False  # most step lines: under no header, a repeat or a section title
        body = line[start:]
        spelled = _PROSE_LENGTH.search(body)
        if spelled is None or _ICU_LENGTH.search(body) is not None \
                or folded_words(section.text)[:1] not in ([word] for word in _NOTES_WORDS):
            return False
        text = body.strip()
        section.lines += 1
        self.free_text.append(f"{section.text}: {text}" if section.lines == 1 else text)
        where.warn(start + 1 + spelled.start(1), f"{text!r} under {section.text!r} is read as a note (the "
                   f"description), not a step of {spelled.group(1)!r}",
                   f"the length first under another header for a step ('- {spelled.group(2)}"
                   f"{_ICU_UNIT.get(spelled.group(3)[0].lower(), 'kcal')} ...')")
        return True

    def _whole_lengths(self, block: Step | Repeat, where: Where, col: int) -> None:
        """Warn when a swim's distance is no whole number of the pool's lengths (``300mtr`` in a 25 yd pool)."""
        step = block if isinstance(block, Step) else block.steps[0] if block.steps else None
        if self.pool is None or not isinstance(step, Step) or not isinstance(step.duration, DistanceDuration):
            return
        length, unit = self.pool
        lengths = step.duration.meters / (length * (METERS_PER_YARD if unit == "yd" else 1.0))
        # a pool written to the centimetre (33.33m for 33 1/3 m) holds its lengths to that rounding
        if abs(lengths - round(lengths)) > max(1e-6, round(lengths) * 0.005 / length):
            from watchsync.describe import describe_duration  # deferred: the athlete model, for a warning only

            where.warn(col + 1, f"{describe_duration(step.duration, yards=True)} is {lengths:.2f} "
                       f"lengths of the {length:g} {unit} pool",
                       "a whole number of lengths")

    def meta_line(self, key: str, value: str, where: Where, value_col: int) -> None:
        if self.body_started and key != "pool":  # intervals.icu's guides put the pool line anywhere
            raise where.error(1, f"header line '{key}:' after the steps", "header lines first")
        if key in self.meta:
            raise where.error(1, f"'{key}:' given twice", "each header line once")
        self.meta[key] = (value.strip(), where.line, value_col)
        if key == "sport":
            self.sport = _sport(value.strip(), where, value_col)
        if key == "pool":
            pool = _pool_length(value)
            if pool is None:
                raise where.error(value_col, f"pool length {value.strip()!r} is not a length",
                                  "e.g. 'pool: 25m' or 'pool: 25yd'")
            self.pool = pool


def _sport(value: str, where: Where, col: int) -> Sport:
    try:
        return parse_sport(value)
    except ValueError:
        raise where.error(col, f"unknown sport {value!r}", "one of " + ", ".join(s.value for s in Sport)
                          ) from None


@dataclass
class Defaults:
    """What a text falls back to where it has no ``name:`` / ``sport:`` line (intervals.icu texts have
    none: name and sport live outside the text there); ``*_source`` says where each came from."""

    name: str | None = None
    name_source: str = ""
    sport: Sport | None = None
    sport_source: str = ""
    pace_units: Mapping[str, str] = field(default_factory=dict)  # sport family -> unit of a bare "5:00 Pace"
    #: Without ``sport``: finds ``(sport, source)`` when a text turns out to need one (the athlete's
    #: setting, whose reading loads the configuration); asked at most once.
    sport_lookup: Callable[[], tuple[Sport, str] | None] | None = None

    def fallback_sport(self) -> Sport | None:
        """``sport``, looked up first if it is not known yet."""
        if self.sport is None and self.sport_lookup is not None:
            lookup, self.sport_lookup = self.sport_lookup, None
            found = lookup()
            if found is not None:
                self.sport, self.sport_source = found
        return self.sport


def parse_text(text: str, path: str = "<text>", *, line_offset: int = 0, header_required: bool = False,
               name: str | None = None, sport: Sport | str | None = None, defaults: Defaults | None = None,
               warnings: list[WorkoutFormatError] | None = None, notes: list[str] | None = None) -> Workout:
    """Parse a text workout; raises :class:`WorkoutFormatError` (``WorkoutErrors`` for several).

    Without a ``name:`` line the name is the first free-text line (a line that is not a step and
    heads no steps), else ``defaults.name``; without a ``sport:`` line the sport is
    ``defaults.sport``. ``name``/``sport`` are shorthands for those defaults; ``header_required``
    demands both lines. Warnings (plausibility, e.g. ``400m`` = 400 minutes) are appended to
    ``warnings``; which default was used to ``notes``. ``line_offset`` shifts reported lines (text
    embedded in TOML).
    """
    if isinstance(sport, str):  # "running", "trail", as a `sport:` line reads it
        sport = _sport(sport, Where(path, line_offset + 1, Sport.OTHER, None, None), 1)
    defaults = defaults or Defaults(name=name, sport=sport)
    doc = _Document(path, line_offset, None)
    lines = text.splitlines()
    if "pool" in text or "Pool" in text or "POOL" in text:  # a pool line after the steps sets their pace unit
        doc.pool = _pool_anywhere(lines)
    for index, raw in enumerate(lines):
        if not raw.isascii():
            raw = _plain_characters(raw)
        if "**" in raw:  # Markdown bold ("**Main Set 4x**", "**Z2 HR**"), which intervals.icu ignores
            raw = raw.replace("**", "  ")
        if "<" in raw:  # HTML tags ("<b>Main Set 5x</b>"), formatting intervals.icu ignores: blanked, columns kept
            raw = HTML_TAG.sub(lambda tag: " " * len(tag.group(0)), raw)
        if "*" in raw or "_" in raw:
            raw = _without_emphasis(raw)
        # only a step line reads the sport: a text with its own `sport:` line never looks up the fallback
        dashed = raw.lstrip().startswith("-")
        fallback = defaults.fallback_sport() if doc.sport is None and dashed else None
        sport_now = doc.sport or fallback or Sport.OTHER
        units = defaults.pace_units if doc.pool is None else doc.pace_units(defaults.pace_units)  # no pool: as given
        where = Where(path, line_offset + index + 1, sport_now, doc.warnings, units)
        if dashed and "," in raw:
            raw = _decimal_commas(raw, where)
        try:
            _document_line(doc, raw, where, defaults if not header_required else Defaults())
        except WorkoutFormatError as error:
            doc.errors.append(error)
            if doc.section is not None:
                doc.section.lines += 1
    doc.close_section()
    workout = _workout(doc, len(lines), defaults if not header_required else Defaults(), notes)
    raise_collected(doc.errors)
    if warnings is not None:
        warnings.extend(doc.warnings)
    assert workout is not None
    return workout


#: A decimal comma in a length, weight or target (``8,5km``, ``1,5h``, ``85,5% LTHR``, ``62,5-70%``): one or two
#: decimals, the unit glued to them (three digits after a comma are a thousands separator: ``1,500mtr``).
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d{1,5}),(\d{1,2})"
                            r"(?=(?:km|kms|mtr|mi|yd|y|h|m|min|mins|s|sec|secs|kg|lbs?|bpm|w|rpm|%)(?![a-z])"
                            r"|[-–]\d{1,5}(?:,\d{1,2})?(?:%|[a-z]))", re.IGNORECASE)


def _decimal_commas(raw: str, where: Where) -> str:
    """A step line with its decimal commas read as points (columns kept), each said: German, French,
    Italian, Spanish and Portuguese writers put ``8,5km``, which the syntax (and intervals.icu) writes ``8.5km``."""
    def point(m: re.Match[str]) -> str:
        written = m.group(0)
        where.warn(m.start() + 1, f"{written!r} is read as {m.group(1)}.{m.group(2)} (a decimal comma)",
                   f"'{m.group(1)}.{m.group(2)}' with a point, as intervals.icu writes numbers")
        return f"{m.group(1)}.{m.group(2)}"
    return _DECIMAL_COMMA.sub(point, raw)


def _without_emphasis(raw: str) -> str:
    """A header wrapped in Markdown emphasis (``*Main Set 5x*``, ``_Main Set 5x_``) without its marks
    (columns kept); step lines and inner underscores (``GOBLET_SQUAT``) are left alone."""
    stripped = raw.strip()
    if len(stripped) < 3 or stripped[0] not in "*_" or stripped[-1] != stripped[0] or stripped.startswith("- "):
        return raw
    start, end = raw.index(stripped[0]), raw.rindex(stripped[0])
    return f"{raw[:start]} {raw[start + 1:end]} {raw[end + 1:]}"


def _pool_anywhere(lines: list[str]) -> tuple[float, str] | None:
    """The pool length of the text's first pool line, wherever it is (checked where it stands)."""
    for raw in lines:
        meta = META_LINE.match(raw)
        if meta and meta.group(1).lower().startswith("pool") and (pool := _pool_length(meta.group(2))):
            return pool
    return None


def _pool_length(value: str) -> tuple[float, str] | None:
    """``25m`` → ``(25.0, "m")``, ``25yd``/``25y`` → ``(25.0, "yd")``; None for anything else."""
    given = POOL_LENGTH.match(value)
    return None if given is None else (float(given.group(1)), "m" if given.group(2).lower().startswith("m") else "yd")


def _plain_characters(raw: str) -> str:
    raw = _UNICODE_SPACES.sub(" ", raw).translate(_FULL_WIDTH)
    raw = _DIGIT_DASH.sub(lambda m: m.group(1) + "-", raw)
    return _DIGIT_QUOTE.sub(lambda m: _QUOTES[m.group(0)], raw)


def _document_line(doc: _Document, raw: str, where: Where, defaults: Defaults) -> None:
    if "---" in raw and SEPARATOR.match(raw):
        return  # "---": a Markdown separator, ignored as intervals.icu ignores it
    stripped = raw.strip()
    if not stripped:
        if doc.section is not None and doc.section.lines == 0 and (
                (doc.section.count is not None and not doc.section.prose()) or doc.section.titles()):
            if doc.section.count is not None and not doc.section.blank_warned:
                doc.section.blank_warned = True
                where.warn(1, f"a blank line after the repeat header {doc.section.text!r}: watchsync repeats the "
                           f"steps below it up to the next blank line {doc.section.count} times, intervals.icu is "
                           "reported to run them once",
                           "no blank line between the header and its steps")
            return  # "Main Set 5x" or "Warmup", a blank line, then its steps: they still belong to it
        doc.close_section()
        return
    if stripped.startswith("#"):
        doc.close_section()  # a comment or Markdown heading ends a repeat block, as any header does
        heading = MARKDOWN_HEADING.match(stripped)
        # "## Warmup", "## Main set 3x": a section's header (its steps warm-up steps, its count a repeat), never
        # the name (probe icu19); a first "# Recovery" (one #, before any step) names the workout (review18)
        inner = " " * (raw.index("#") + (heading.start(1) if heading else 0)) + (heading.group(1) if heading else "")
        title = section_header(inner, where) if heading is not None else None
        first_title = stripped.startswith("# ") and doc.heading is None and not doc.body_started \
            and not doc.free_text
        if title is not None and not first_title and (title.titles() or (title.count is not None
                                                                         and not title.prose())):
            doc.open_section(title)
            return
        if heading is not None and doc.heading is None and not doc.body_started and not doc.free_text:
            doc.heading = heading.group(1).strip()
        return
    step = stripped.startswith("-")
    # a step line ("- 10m ...") is no header line ("name: ...") and, with one dash, no dashed heading
    meta = META_LINE.match(raw) if not step else None
    if meta and (not doc.body_started or meta.group(1).lower() in ("name", "sport")
                 or meta.group(1).lower().startswith("pool")):
        key = "pool" if meta.group(1).lower().startswith("pool") else meta.group(1).lower()  # "pool length:"
        value = meta.group(2)
        doc.meta_line(key, value, where, meta.start(2) + 1 + len(value) - len(value.lstrip()))  # past its spaces
        return
    dashed = DASHED_HEADING.match(raw) if stripped.startswith("--") else None
    if dashed is not None:  # "--- Coaching notes ---": a heading over text, no step (probe icu19)
        raw = " " * dashed.start(1) + dashed.group(1)
        doc.open_section(section_header(raw, where))
        return
    if step and not doc.body_started and doc.sport is None and defaults.fallback_sport() is None:
        doc.errors.append(WorkoutFormatError(doc.path, where.line, 1, "no sport for this workout",
                                             _SPORT_HINT))
    if step:
        doc.body_started = True
        start = raw.index("-") + 1
        doc.add_step(raw, start, where)
    else:
        # only a line opening with a digit or a list's mark can be a step without its dash
        dashless = _warn_if_a_step(stripped, raw.index(stripped[0]) + 1, where) \
            if stripped[0].isdigit() or stripped[0] in _LIST_BULLETS else None
        doc.open_section(section_header(raw, where), dashless)


def _warn_if_a_step(text: str, col: int, where: Where) -> str | None:
    """A header line that is a length and a target (``10m 70%``) is a step line whose dash is missing:
    a header, as in intervals.icu, but said (it may end a repeat block or become the workout's name)."""
    bullet = _LIST_MARK.match(text)  # "• 10m 70%", "1. 10m 70%": a list's mark where the dash goes
    body = text[bullet.end():] if bullet else text
    if not body[:1].isdigit():
        return None  # "Warmup", "Main set 4x": the common headers cost nothing
    try:
        items = list(scan(body, 0, replace(where, warnings=None)))
    except WorkoutFormatError:
        return None
    if items and items[0].kind == "length" and any(item.kind in ("target", "rpe") for item in items):
        mark = f" ({bullet.group(0).strip()!r} is no step mark)" if bullet else ""
        where.warn(col, f"{text!r} reads as a section header, not a step{mark} (a step line starts with '- ')",
                   f"'- {body}'")
        return body
    return None


#: A list's mark before a line (a bullet, an en dash, ``1.``): not the ``- `` of a step line.
_LIST_MARK = re.compile(r"(?:[•*–—·▪◦]|\d{1,2}[.)])\s+")
_LIST_BULLETS = frozenset("•*–—·▪◦")  # the marks of _LIST_MARK that are no digit


_SPORT_HINT = ("a 'sport: running' line, --sport, a sport folder (run/, bike/, swim/ ...) "
               "or the athlete's sport setting")


#: Words, then a length in spelled-out minutes or seconds (``indoor 45min``, ``every 45 min``): prose in a notes bullet.
_PROSE_LENGTH = re.compile(r"[^\W\d_].*?(?<![\w.])((\d{1,4})\s*(min|mins|minutes?|secs?|seconds?|kcal))(?![\w])",
                           re.IGNORECASE)
_ICU_UNIT = {"m": "m", "s": "s"}  # a spelled-out unit's intervals.icu form, by its first letter
#: A header's first word (folded) that heads notes, fuel or a route, in the languages coaches' generators write:
#: ``Notes execution``, ``Plan B``, ``Hydratation``, ``Itinéraire``, ``Fueling`` (probe icu20).
_NOTES_WORDS = frozenset({
    "note", "notes", "nota", "notas", "notizen", "hinweise", "remarques", "remarks", "comments", "tips", "consejos",
    "conseils", "consigli", "plan", "fueling", "fuelling", "fuel", "nutrition", "nutricion", "alimentazione",
    "ernahrung", "verpflegung", "hydration", "hydratation", "hidratacion", "idratazione", "route", "itineraire",
    "parcours", "percorso", "ruta"})
#: A length in intervals.icu's own units (``30m``, ``45s``, ``1h``, ``400mtr``): a step, not prose.
_ICU_LENGTH = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:h|m|s|mtr|km|mi)(?![\w/])", re.IGNORECASE)


#: A first free-text line longer than this is prose (a generator's notes paragraph), not a title.
NAME_FROM_TEXT_MAX = 100
_SENTENCE_END = re.compile(r"[.!?:;](?=\s)|\s[–—-]\s")


def _short_name(line: str) -> str:
    """``line`` as a workout name: itself when short, else its first sentence (or its words up to
    :data:`NAME_FROM_TEXT_MAX` characters, with an ellipsis)."""
    if len(line) <= NAME_FROM_TEXT_MAX:
        return line
    end = _SENTENCE_END.search(line)
    if end is not None and 0 < end.start() <= NAME_FROM_TEXT_MAX:
        return line[:end.start()].rstrip()
    cut = line.rfind(" ", 0, NAME_FROM_TEXT_MAX)
    return line[:cut if cut > 0 else NAME_FROM_TEXT_MAX].rstrip(" ,;:–—-") + "…"


def _workout(doc: _Document, line_count: int, defaults: Defaults, notes: list[str] | None) -> Workout | None:
    end_line = doc.line_offset + max(line_count, 1)
    said: list[str] = []
    if "name" in doc.meta:
        name: str | None = doc.meta["name"][0]
    elif defaults.name and not defaults.name_source:
        name = defaults.name  # given by the file that embeds the text (TOML, plan)
    elif doc.heading is not None:
        name = doc.heading
        said.append("name from the Markdown heading")
    elif doc.free_text and (doc.opening or not defaults.name):
        opening = doc.free_text[0]
        name = _short_name(opening)
        if name == opening:
            doc.free_text.pop(0)
            said.append("name from the first free-text line")
        else:  # a coach's paragraph: named by its opening, kept whole in the description
            said.append("name from the start of the first free-text line, which stays whole in the description")
    else:
        name = defaults.name
        if name:
            said.append(f"name from {defaults.name_source or 'the caller'}")
    if not name:
        line, col = doc.meta["name"][1:] if "name" in doc.meta else (doc.line_offset + 1, 1)
        doc.errors.append(WorkoutFormatError(doc.path, line, col, "missing workout name",
                                             "a 'name: ...' line or a first line of free text"))
    sport = doc.sport
    if sport is None and "sport" not in doc.meta:
        sport = defaults.fallback_sport()
        if sport is not None:
            said.append(f"sport {sport.value} from {defaults.sport_source or 'the caller'}")
        elif not doc.body_started:
            doc.errors.append(WorkoutFormatError(doc.path, doc.line_offset + 1, 1, "no sport for this workout",
                                                 _SPORT_HINT))
    if not doc.blocks and not doc.errors:
        bullets = sorted({line[0] for line in doc.free_text if line[0] in _BULLETS})
        expected = "step lines starting with '- '"
        if doc.dashless is not None:  # "1. 10m 70%", "10m 70%": steps without their "- "
            expected += f" (line {doc.dashless[0]} reads as a step without it: '- {doc.dashless[1]}')"
        doc.errors.append(WorkoutFormatError(
            doc.path, end_line, 1, "the workout has no steps" + (
                f" (lines starting with {' or '.join(map(repr, bullets))} are text, as in intervals.icu)"
                if bullets else ""), expected))
    if doc.errors or sport is None or not name:
        return None
    tags = [tag.strip() for tag in doc.meta.get("tags", ("", 0, 0))[0].split(",") if tag.strip()]
    description = doc.meta.get("description", (None, 0, 0))[0] or "\n".join(doc.free_text) or None
    pool_fields: dict[str, object] = {}
    if doc.pool is not None:
        pool_fields = {"pool_length": doc.pool[0], "pool_length_unit": doc.pool[1]}
    try:
        workout = Workout(name=name, sport=sport, description=description, tags=tags, steps=doc.blocks,
                          **pool_fields)
    except ValidationError as error:
        first = error.errors()[0]
        if not first["loc"]:  # a whole-workout rule, such as the bound on executed steps
            doc.errors.append(WorkoutFormatError(doc.path, doc.line_offset + 1, 1, validation_message(first)))
            return None
        key = str(first["loc"][0])
        line, col = doc.meta.get(key, ("", end_line, 1))[1:]
        doc.errors.append(WorkoutFormatError(doc.path, line, col, f"{key}: {validation_message(first)}"))
        return None
    if workout.is_day_off():  # "- OFF", "- Rest day": a library's day off, no workout (probe icu18)
        doc.warnings.append(WorkoutFormatError(
            doc.path, doc.line_offset + 1, 1, "a day off as a workout: pushed on its own, the watch gets one step "
            "that waits for the lap button (a plan takes the day as a rest day and puts nothing on the calendar)",
            "no workout that day (a plan's empty day is a rest day)"))
    if notes is not None:
        notes.extend(said)
    return workout
