"""A single length or target written as in a step line (for TOML values and command options)."""

from __future__ import annotations

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text_scan import Item, scan
from watchsync.formats.text_where import Where
from watchsync.model.workout import Duration, RpeTarget, Sport, Target


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


def _single(text: str, path: str, line: int, col: int, sport: Sport, expected: str) -> list[Item]:
    where = Where(path, line, sport)
    try:
        return list(scan(text, 0, where))
    except WorkoutFormatError as error:
        raise WorkoutFormatError(path, line, col, f"{text!r}: {error.problem}", error.expected or expected
                                 ) from None
