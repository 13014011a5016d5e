"""Human-readable descriptions of steps, durations and targets (tables, iCalendar, reports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from watchsync.model.athlete import Units, format_pace
from watchsync.model.units import METERS_PER_MILE, METERS_PER_YARD, whole_yards

# The workout model's classes are imported where a step or target is described (the caller holds one
# already): `format_seconds` and `format_table` alone load no workout model (``analyze``).
if TYPE_CHECKING:
    from watchsync.model.workout import (
        Duration,
        HeartRateZoneTarget,
        PaceZoneTarget,
        PowerZoneTarget,
        Repeat,
        Step,
        Target,
        Workout,
    )


def format_seconds(seconds: float) -> str:
    """``3725`` → ``1h02m05s``; ``600`` → ``10m``; ``45`` → ``45s``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes:02d}m" if hours else (f"{minutes}m" if minutes else ""),
             f"{secs:02d}s" if secs and (hours or minutes) else (f"{secs}s" if secs else "")]
    return "".join(parts) or "0s"


def _distance(meters: float) -> str:
    """A distance as written: ``400 m``, ``5 km``, or ``2 mi`` for a length written in miles (a mile is
    1609.344 m, never a whole number of metres)."""
    miles = meters / METERS_PER_MILE
    if abs(meters - round(meters)) > 1e-6 and abs(miles * 100 - round(miles * 100)) < 1e-6:
        return f"{round(miles, 2):g} mi"  # "0.5 mi", not "804.672 m"
    if meters < 1000:
        return f"{meters:g} m"
    return f"{meters / 1000:g} km"


def describe_duration(duration: Duration, *, yards: bool = False) -> str:
    """A duration as a coach would write it (in a yard pool, a whole number of yards as yards)."""
    from watchsync.model.workout import (
        CaloriesDuration,
        DistanceDuration,
        HeartRateDuration,
        LapButton,
        RepsDuration,
        TimeDuration,
    )

    match duration:
        case TimeDuration(seconds=seconds):
            return format_seconds(seconds)
        case DistanceDuration(meters=meters):
            if yards and (counted := whole_yards(meters)) is not None:
                return f"{counted} yd"
            return _distance(meters)
        case LapButton():
            return "lap button"
        case RepsDuration(reps=reps):
            return f"{reps} reps"
        case HeartRateDuration(kind="hr_below", bpm=bpm):
            return f"until HR < {bpm}"
        case HeartRateDuration(bpm=bpm):
            return f"until HR > {bpm}"
        case CaloriesDuration(kcal=kcal):
            return f"{kcal} kcal"
    return "?"


def _span(low: float, high: float, unit: str) -> str:
    return f"{low:g}{unit}" if low == high else f"{low:g}-{high:g}{unit}"


def _zones(target: HeartRateZoneTarget | PaceZoneTarget | PowerZoneTarget) -> str:
    return str(target.zone) if target.zone_high is None else f"{target.zone}-{target.zone_high}"


def _pace(seconds_per_km: float, units: Units, swim: bool, yards: bool = False, rowing: bool = False) -> str:
    if rowing:  # a rower (rowing reads as cardio) thinks per 500 m, as the erg shows it
        whole = round(seconds_per_km / 2)
        return f"{whole // 60}:{whole % 60:02d}/500m"
    if swim:  # swimmers think per 100 m (per 100 yd in a yard pool)
        whole = round(seconds_per_km / 10 * (METERS_PER_YARD if yards else 1))
        return f"{whole // 60}:{whole % 60:02d}/100{'yd' if yards else 'm'}"
    return format_pace(seconds_per_km, units)


def describe_step_target(step: Step, units: Units = Units.METRIC, swim: bool = False, yards: bool = False,
                         speed: bool = False, rowing: bool = False) -> str:
    """The step's target with its ramp direction and secondary target: ``100-150 W ramp down + 85-95 rpm``."""
    text = describe_target(step.target, units, swim, yards, speed, rowing)
    if step.ramp is not None:
        text += f" ramp {step.ramp}"
    if step.secondary is not None:
        text += f" + {describe_target(step.secondary, units, swim, yards, speed, rowing)}"
    return text


def _speed(metres_per_second: float, units: Units) -> str:
    per_hour = metres_per_second * 3.6 / (METERS_PER_MILE / 1000 if units is Units.IMPERIAL else 1)
    return f"{per_hour:.1f}"


def describe_target(target: Target, units: Units = Units.METRIC, swim: bool = False, yards: bool = False,
                    speed: bool = False, rowing: bool = False) -> str:
    """A target as text: ``145-152 bpm``, ``4:30-4:50/km`` (``1:40-1:45/100m`` for swims, per 100 yd in a
    yard pool; ``2:03-2:07/500m`` with ``rowing``; ``25.0-30.0 km/h`` with ``speed``, for riders), ``RPE 3``."""
    from watchsync.model.workout import (
        CadenceTarget,
        HeartRatePercentLthrTarget,
        HeartRatePercentMaxTarget,
        HeartRateTarget,
        HeartRateZoneTarget,
        OpenTarget,
        PacePercentTarget,
        PaceTarget,
        PaceZoneTarget,
        PowerPercentFtpTarget,
        PowerTarget,
        PowerZoneTarget,
        RpeTarget,
        SpeedTarget,
    )

    match target:
        case OpenTarget():
            return "open"
        case RpeTarget():
            return f"RPE {_span(target.low, target.high, '')}"
        case HeartRateTarget():
            return f"{_span(target.low, target.high, '')} bpm"
        case HeartRateZoneTarget():
            return f"HR zone {_zones(target)}"
        case HeartRatePercentMaxTarget():
            return f"{_span(target.low, target.high, '%')} HRmax"
        case HeartRatePercentLthrTarget():
            return f"{_span(target.low, target.high, '%')} LTHR"
        case PaceTarget():
            return f"{_pace(target.fast, units, swim, yards, rowing)}-{_pace(target.slow, units, swim, yards, rowing)}"
        case PacePercentTarget():
            return f"{_span(target.low, target.high, '%')} threshold pace"
        case PaceZoneTarget():
            return f"pace zone {_zones(target)}"
        case SpeedTarget() if speed:
            unit = "mph" if units is Units.IMPERIAL else "km/h"
            return f"{_speed(target.low, units)}-{_speed(target.high, units)} {unit}"
        case SpeedTarget():
            fast, slow = 1000 / target.high, 1000 / target.low
            return f"{_pace(fast, units, swim, yards, rowing)}-{_pace(slow, units, swim, yards, rowing)}"
        case PowerTarget():
            return f"{_span(target.low, target.high, '')} W"
        case PowerPercentFtpTarget():
            return f"{_span(target.low, target.high, '%')} FTP"
        case PowerZoneTarget():
            return f"power zone {_zones(target)}"
        case CadenceTarget():
            return f"{_span(target.low, target.high, '')} rpm"
    return "?"


@dataclass(frozen=True)
class StepRow:
    """One line of a step table; ``depth`` > 0 inside repeats."""

    label: str
    intensity: str
    duration: str
    target: str
    cue: str
    depth: int


def step_rows(workout: Workout, units: Units = Units.METRIC) -> list[StepRow]:
    """The workout as table rows, repeats as a header row followed by their indented steps."""
    rows: list[StepRow] = []
    yards = workout.pool_length is not None and workout.pool_length_unit == "yd"
    _rows(workout.steps, rows, units, 0, "", workout.sport.family == "swim", yards, workout.sport.family == "bike",
          workout.sport.value == "cardio")
    return rows


def _rows(blocks: list[Step | Repeat], rows: list[StepRow], units: Units, depth: int, prefix: str,
          swim: bool = False, yards: bool = False, speed: bool = False, rowing: bool = False) -> None:
    from watchsync.model.workout import Repeat, Step

    for index, block in enumerate(blocks, start=1):
        label = f"{prefix}{index}"
        if isinstance(block, Repeat):
            cue = "; ".join(filter(None, [block.name, "last rest skipped" if block.skip_last_rest else ""]))
            rows.append(StepRow(label, "repeat", f"{block.count}x", "", cue, depth))
            _rows(block.steps, rows, units, depth + 1, f"{label}.", swim, yards, speed, rowing)
            continue
        cue = block.name or ""
        if block.notes and block.notes != block.name:  # notes that open with the name say it once
            cue = f"{cue} – {block.notes}" if cue and not block.notes.startswith(cue) else block.notes
        extras = [f"{block.stroke} stroke" if block.stroke else "", block.equipment or "",
                  *(f"at {Step.prompt_clock(p.at_seconds)}: {p.text}" for p in block.prompts),
                  f"planned {describe_duration(block.planned, yards=yards)}" if block.planned else ""]
        cue = "; ".join(filter(None, [cue, *extras]))
        if block.exercise is not None:
            shown = block.weight_shown()
            weight = f" @ {shown[0]:g} {shown[1]}" if shown and shown[0] else ""
            cue = f"{block.exercise.category}/{block.exercise.name}{weight}" + (f" – {cue}" if cue else "")
        rows.append(StepRow(label, block.intensity.value, describe_duration(block.duration, yards=yards),
                            describe_step_target(block, units, swim, yards, speed, rowing), cue, depth))


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table (no colour, safe for logs and pipes)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def utc_minutes(moment: datetime) -> str:
    """A moment as people read it in the status, the dashboard and messages: ``2026-12-04 03:40 UTC``."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def readable_time(text: object) -> object:
    """A stored ISO time (``2026-12-04T03:40:12+00:00``) as :func:`utc_minutes` gives it; a stored error
    (``<time> <message>``) with its time so; anything else as it is."""
    if not isinstance(text, str) or not text[:4].isdigit():
        return text
    when, space, rest = text.partition(" ")
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return text
    return utc_minutes(moment) + space + rest
