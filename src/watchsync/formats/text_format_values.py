"""Lengths and targets spelt as in a step line (the text parser reads them back)."""

from __future__ import annotations

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
    Target,
    TimeDuration,
)


def number_text(value: float) -> str:
    """``value`` in the fewest characters that read back (``10.0`` → ``10``, no exponent)."""
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.6f}".rstrip("0")
    return text.removesuffix(".0").rstrip(".")


def format_duration(duration: Duration) -> str:
    """The step-line spelling of a length (``parse_duration`` reads it back)."""
    match duration:
        case TimeDuration(seconds=seconds):
            if seconds != int(seconds):
                return f"{number_text(seconds)}s"
            hours, rest = divmod(int(seconds), 3600)
            minutes, secs = divmod(rest, 60)
            return "".join(f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v)
        case DistanceDuration(meters=meters):
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


def _pace_text(seconds_per_km: float) -> str:
    total = round(seconds_per_km, 3)
    minutes = int(total // 60)
    seconds = number_text(round(total - minutes * 60, 3))
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
