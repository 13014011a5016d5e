"""A text document → a workout: header lines, sections, repeat blocks and their step lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from watchsync.formats.errors import WorkoutFormatError, raise_collected
from watchsync.formats.text.step import MAX_NAME, Context, step_line
from watchsync.formats.text.tokens import Where
from watchsync.formats.validation import validation_message
from watchsync.model.workout import Intensity, Repeat, Sport, Step, Workout, parse_sport

SECTION_INTENSITY: dict[str, Intensity] = {
    "warmup": Intensity.WARMUP, "warm up": Intensity.WARMUP,
    "cooldown": Intensity.COOLDOWN, "cool down": Intensity.COOLDOWN,
    "recovery": Intensity.RECOVERY, "rest": Intensity.REST,
}
META_LINE = re.compile(r"^\s*(name|sport|description|tags)\s*:(.*)$", re.IGNORECASE)
REPEAT_COUNT = re.compile(r"(?<!\S)(\d{1,9})\s*[x×](?=\s|$)", re.IGNORECASE)
_WORDS = re.compile(r"[a-z]+")


@dataclass
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


def section_header(text: str, where: Where) -> Section:
    """The section a header line opens (a repeat block when it holds ``Nx``)."""
    words = _WORDS.findall(text.lower())
    intensity = SECTION_INTENSITY.get(" ".join(words[:2])) or SECTION_INTENSITY.get(" ".join(words[:1]))
    count_match = REPEAT_COUNT.search(text)
    if count_match is None:
        return Section(intensity)
    col = count_match.start() + 1
    count = int(count_match.group(1))
    if not 1 <= count <= 200:
        raise where.error(col, f"repeat count {count_match.group(0)!r} must be 1 to 200")
    name = " ".join((text[: count_match.start()] + " " + text[count_match.end():]).split()) or None
    if name is not None and len(name) > MAX_NAME:
        raise where.error(1, f"section name is longer than {MAX_NAME} characters")
    return Section(intensity, count, name, where.line, col, count_match.group(0).strip())


@dataclass
class _Document:
    """Parser state for one text document."""

    path: str
    line_offset: int
    sport: Sport | None
    meta: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    blocks: list[Step | Repeat] = field(default_factory=list)
    section: Section | None = None
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

    def add_step(self, line: str, start: int, where: Where) -> None:
        section = self.section
        context = Context()
        if section is not None:
            context = Context(section.intensity, section.count is not None, section.lines)
            section.lines += 1
        block = step_line(line, start, where, context)
        (section.steps if section is not None and section.count is not None else self.blocks).append(block)

    def meta_line(self, key: str, value: str, where: Where, value_col: int) -> None:
        if self.body_started:
            raise where.error(1, f"header line '{key}:' after the steps", "header lines first")
        if key in self.meta:
            raise where.error(1, f"'{key}:' given twice", "each header line once")
        self.meta[key] = (value.strip(), where.line, value_col)
        if key == "sport":
            self.sport = _sport(value.strip(), where, value_col)


def _sport(value: str, where: Where, col: int) -> Sport:
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
        where = Where(path, line_offset + index + 1, doc.sport or Sport.OTHER)
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


def _document_line(doc: _Document, raw: str, where: Where) -> None:
    stripped = raw.strip()
    if not stripped:
        doc.close_section()
        return
    if stripped.startswith("#"):
        return
    meta = META_LINE.match(raw)
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
        doc.section = section_header(raw, where)


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
