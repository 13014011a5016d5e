"""A workout → the text syntax (lengths and targets spelt as in a step line); :class:`TextSyntaxLimit`."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

from watchsync.errors import InputError
from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text.document import META_LINE, REPEAT_COUNT, SECTION_TITLES, parse_text, section_header
from watchsync.formats.text.scan import scan
from watchsync.formats.text.step import (
    _GLUED_LENGTH,
    _PROMPT_AT,
    EXERCISE_SPORTS,
    Context,
    infer_intensity,
    is_remark,
    named_exercise,
)
from watchsync.formats.text.tokens import Where, pace_unit_meters
from watchsync.formats.text.words import folded_words
from watchsync.model.units import whole_yards
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
)


def number_text(value: float) -> str:
    """``value`` in the fewest characters that read back (``10.0`` → ``10``, no exponent)."""
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.6f}".rstrip("0")
    return text.removesuffix(".0").rstrip(".")


#: True while :func:`format_text` writes a workout for a yard pool: its distances are written in yards.
_IN_YARD_POOL: ContextVar[bool] = ContextVar("in_yard_pool", default=False)


def format_duration(duration: Duration) -> str:
    """The step-line spelling of a length (``parse_duration`` reads it back); in a yard pool a whole
    number of yards is written in yards (``400yd``, as its author wrote it, not ``365.76mtr``)."""
    match duration:
        case TimeDuration(seconds=seconds):
            if seconds != int(seconds):
                return f"{number_text(seconds)}s"
            hours, rest = divmod(int(seconds), 3600)
            minutes, secs = divmod(rest, 60)
            return "".join(f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v)
        case DistanceDuration(meters=meters):
            if _IN_YARD_POOL.get() and (yards := whole_yards(meters)) is not None:
                return f"{yards}yd"
            if meters % 1000 == 0:
                return f"{number_text(meters / 1000)}km"
            return f"{number_text(meters)}mtr"
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
    return f"{number_text(low)}{unit}" if low == high else f"{number_text(low)}-{number_text(high)}{unit}"


def _zones(target: HeartRateZoneTarget | PaceZoneTarget | PowerZoneTarget) -> str:
    return f"Z{target.zone}" if target.zone_high is None else f"Z{target.zone}-Z{target.zone_high}"


def _reversed(target: Target) -> str:
    """A range written the other way round (the parser sorts ranges; ``ramp`` keeps the direction)."""
    if isinstance(target, PaceTarget):
        return f"{_pace_text(target.slow, target.per)}-{_pace_text(target.fast, target.per)}/{target.per or 'km'} Pace"
    if isinstance(target, HeartRateZoneTarget | PaceZoneTarget | PowerZoneTarget):
        word = format_target(target).rsplit(" ", 1)[1]
        return f"Z{target.top}-Z{target.zone} {word}" if target.zone_high is not None else f"Z{target.zone} {word}"
    text = format_target(target)
    low, high = getattr(target, "low", None), getattr(target, "high", None)
    if low is None or high is None or low == high:
        return text
    return text.replace(f"{number_text(low)}-{number_text(high)}", f"{number_text(high)}-{number_text(low)}", 1)


def _pace_text(seconds_per_km: float, per: str | None = None) -> str:
    """``m:ss`` (decimals kept to the millisecond) per km, or per ``per`` (the unit it was written in)."""
    total = round(seconds_per_km * pace_unit_meters(per) / 1000 if per else seconds_per_km, 3)
    minutes = int(total // 60)
    seconds = number_text(round(total - minutes * 60, 3))
    return f"{minutes}:{'0' if len(seconds.split('.')[0]) < 2 else ''}{seconds}"


def format_target(target: Target, *, reverse: bool = False) -> str:
    """The step-line spelling of a target ("" for an open target); ``reverse`` writes a range high→low
    (a falling ramp; for paces slow→fast is the rising one, so it reverses the other way)."""
    if reverse:
        return _reversed(target)
    match target:
        case OpenTarget():
            return ""
        case RpeTarget(low=low, high=high):
            return f"RPE {_span(low, high)}"
        case HeartRateZoneTarget():
            return f"{_zones(target)} HR"
        case PaceZoneTarget():
            return f"{_zones(target)} Pace"
        case PowerZoneTarget():
            return f"{_zones(target)} Power"
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
        case PaceTarget(fast=fast, slow=slow, per=per):
            pace = _pace_text(fast, per) if fast == slow else f"{_pace_text(fast, per)}-{_pace_text(slow, per)}"
            return f"{pace}/{per or 'km'} Pace"
        case SpeedTarget(low=low, high=high):
            return _span(low, high, "m/s")
        case PowerTarget(low=low, high=high):
            return _span(low, high, "w")
        case CadenceTarget(low=low, high=high):
            return _span(low, high, "rpm")
    raise TypeError(f"unknown target {target!r}")


class TextSyntaxLimit(InputError):
    """A workout the text syntax cannot express (use TOML); raised by :func:`format_text`."""


def _check_plain(text: str, what: str, sport: Sport) -> None:
    """``text`` must read back as cue words only (no lengths, targets, tags or notes)."""
    where = Where("<format>", 1, sport)
    try:
        items = list(scan(text, 0, where))
    except WorkoutFormatError:
        items = []
    if "|" in text or "\n" in text or text.startswith("-") or not items or any(item.kind != "cue" for item in items) \
            or " ".join(item.text for item in items) != text or "<!>" in text or _PROMPT_AT.search(text) \
            or any(item.text.lower() == "ramp" for item in items) \
            or any(_GLUED_LENGTH.search(item.text) for item in items if not is_remark(item.text)):
        raise TextSyntaxLimit(f"{what} {text!r} would not read back as plain text")


def _exercise_words(step: Step, sport: Sport) -> str:
    """The name (plus an explicit exercise key when the name does not name it)."""
    name = step.name or ""
    if name:
        _check_plain(name, "step name", sport)
    looked_up = sport in EXERCISE_SPORTS or isinstance(step.duration, RepsDuration)
    named = named_exercise(name.split()) if looked_up else None
    if step.exercise is None:
        if named is not None:
            raise TextSyntaxLimit(f"step name {name!r} names an exercise the step does not have")
        return name
    if named == step.exercise:
        return name
    return f"{step.exercise.category}/{step.exercise.name} {name}".strip()


def _step_text(step: Step, context: Context, sport: Sport, sets: Repeat | None = None) -> str:
    if isinstance(step.target, RpeTarget) and step.rpe is not None:
        raise TextSyntaxLimit("a step with an RPE target cannot carry a second RPE")
    if step.weight_kg is not None and step.exercise is None:
        raise TextSyntaxLimit("a weight needs an exercise")
    try:
        name = _exercise_words(step, sport)
        prefixed = bool(step.prompts)
    except TextSyntaxLimit:
        if not _prompt_cue_fits(step):
            raise
        name, prefixed = step.name or "", True  # "First at 0s <!> 10m 65%": a prompt prefix is read verbatim
    rpe = step.target if isinstance(step.target, RpeTarget) else step.rpe
    if sets is not None:
        assert isinstance(step.duration, RepsDuration)
        length = f"{sets.count}x{step.duration.reps}"
    elif step.planned is not None:
        length = f"{format_duration(step.planned)} press lap"
    else:
        length = format_duration(step.duration)
    pieces = [] if not prefixed else [name, *(f"{p.at_seconds}^{_prompt(p.text)}" for p in step.prompts), "<!>"]
    pieces += [length, "ramp" if step.ramp else "",
               format_target(step.target, reverse=(step.ramp == "down") != isinstance(step.target, PaceTarget)
                             if step.ramp else False)]
    if step.secondary is not None:
        pieces.append(format_target(step.secondary))
    if step.rpe is not None:
        pieces.append(format_target(step.rpe))
    if not prefixed:
        pieces.append(name)
    pieces += [f"stroke={step.stroke}" if step.stroke else "", f"equipment={step.equipment}" if step.equipment else ""]
    shown = step.weight_shown()
    if shown is not None:
        pieces.append(f"{number_text(round(shown[0], 3))}{shown[1]}")  # to the gram: not 122.49999999999999kg
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


def _prompt_cue_fits(step: Step) -> bool:
    """Can the step's name go before ``<!>`` (the text of timed prompts, which is not scanned, nor looked
    up as an exercise)? Not for a step with an exercise or reps, nor with what ends or splits that text."""
    name = step.name or ""
    return (bool(name) and step.exercise is None and not isinstance(step.duration, RepsDuration)
            and name == name.strip() and not name.startswith("-")
            and "<!>" not in name and "|" not in name and "\n" not in name and not _PROMPT_AT.search(name))


def _prompt(text: str) -> str:
    if "<!>" in text or "|" in text or "\n" in text or _PROMPT_AT.search(text) or text != text.strip():
        raise TextSyntaxLimit(f"prompt {text!r} would not read back")
    return text


def _one_step_repeat(block: Repeat) -> bool:
    """A repeat of one plain step, which a step line writes as ``- 6x 30s 130%``."""
    return (len(block.steps) == 1 and isinstance(block.steps[0], Step) and block.name is None
            and block.until is None and not block.skip_last_rest and not _strength_sets(block))


def _strength_sets(block: Repeat) -> bool:
    """Is ``block`` the ``- 3x12 Squat rest 60s`` shorthand?"""
    first = block.steps[0]
    if block.name is not None or block.until is not None or not isinstance(first, Step) \
            or not isinstance(first.duration, RepsDuration):
        return False
    if first.exercise is None:
        return False
    if len(block.steps) == 1:
        return not block.skip_last_rest
    rest = block.steps[1]
    return (len(block.steps) == 2 and block.skip_last_rest and isinstance(rest, Step)
            and rest == Step(intensity=Intensity.REST, duration=rest.duration)
            and isinstance(rest.duration, TimeDuration))


def _block_lines(block: Step | Repeat, context: Context, sport: Sport) -> str:
    if isinstance(block, Step):
        return _step_text(block, context, sport)
    if _one_step_repeat(block):  # "- 6x 30s 130%" inside a block: the step line says its own count
        [step] = block.steps
        assert isinstance(step, Step)
        line = _step_text(step, context, sport)
        head, marker, rest = line.partition(" <!> ")
        return f"{head}{marker}{block.count}x {rest}" if marker else f"- {block.count}x {line[2:]}"
    if not _strength_sets(block):
        raise TextSyntaxLimit("nested repeats (other than strength sets) need TOML")
    first = block.steps[0]
    assert isinstance(first, Step)
    return _step_text(first, context, sport, sets=block)


def _repeat_lines(repeat: Repeat, sport: Sport) -> list[str]:
    if repeat.until is not None:
        raise TextSyntaxLimit(f"a conditional repeat (until {repeat.until.describe()}) needs TOML")
    if repeat.skip_last_rest:
        raise TextSyntaxLimit("skip_last_rest is written in text only on one exercise's set line "
                              "(`- 3x8 X rest 60s`); a repeat of several steps needs TOML")
    if repeat.name is not None:
        _check_header(repeat.name)
    title = f"{repeat.name} {repeat.count}x" if repeat.name else f"{repeat.count}x"
    section = section_header(title, Where("<format>", 1, sport))
    lines = [title]
    for index, block in enumerate(repeat.steps):
        lines.append(_block_lines(block, Context(section.intensity, True, index), sport))
    return lines


def _check_header(name: str) -> None:
    if (not name or name != " ".join(name.split()) or name.startswith(("-", "#")) or META_LINE.match(name)
            or REPEAT_COUNT.search(name)):
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
        pending.append(_block_lines(block, Context(section), workout.sport))
    if pending:
        yield pending


def format_text(workout: Workout) -> str:
    """The workout as a text file; raises :class:`TextSyntaxLimit` for what only TOML can express."""
    in_yard_pool = _IN_YARD_POOL.set(workout.pool_length is not None and workout.pool_length_unit == "yd")
    try:
        return _format_text(workout)
    finally:
        _IN_YARD_POOL.reset(in_yard_pool)


def _format_text(workout: Workout) -> str:
    lines = [f"name: {_meta_value(workout.name, 'name')}", f"sport: {workout.sport.value}"]
    if workout.pool_length is not None:
        lines.append(f"pool: {number_text(workout.pool_length)}{workout.pool_length_unit}")
    prose: list[str] = []
    if workout.description and "\n" in workout.description:
        prose = _prose_lines(workout.description)
    elif workout.description:
        lines.append(f"description: {_meta_value(workout.description, 'description')}")
    if workout.tags:
        if any("," in tag or tag != tag.strip() or not tag for tag in workout.tags):
            raise TextSyntaxLimit("tags with commas or surrounding spaces need TOML")
        lines.append(f"tags: {', '.join(workout.tags)}")
    if prose:  # a description of several lines: free-text lines, each read back as one
        lines += ["", *prose]
    for group in _top_groups(workout):
        lines.append("")
        lines.extend(group)
    text = "\n".join(lines) + "\n"
    try:  # the text's own rules (a strength set names its exercise...) may refuse what the model holds
        parse_text(text, "<format>")
    except WorkoutFormatError as error:
        raise TextSyntaxLimit(f"the text would not read back (line {error.line}: {error.problem})") from None
    return text


def _prose_lines(description: str) -> list[str]:
    """The lines of a description as free text; each must read back as a line of prose, not as a
    header, a step, a section or a repeat."""
    lines = description.split("\n")
    for line in lines:
        stripped = " ".join(folded_words(line))
        if (not line or line != line.strip() or line.startswith(("-", "#")) or META_LINE.match(line)
                or REPEAT_COUNT.search(line) or stripped in SECTION_TITLES or "\r" in line):
            raise TextSyntaxLimit(f"description line {line!r} does not read back as a line of free text")
    return lines


def _meta_value(value: str, key: str) -> str:
    if "\n" in value or "\r" in value or value != value.strip():
        raise TextSyntaxLimit(f"{key} {value!r} does not fit on one header line")
    return value
