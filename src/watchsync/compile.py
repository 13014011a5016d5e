"""The compiler: workout files → resolved workouts → FIT bytes, for one athlete."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.load import load_workouts
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Repeat, Sport, Step, Workout
from watchsync.prepare import prepare
from watchsync.resolve import ResolveError, band_notes


@dataclass(frozen=True)
class Compiled:
    """One workout compiled for one athlete."""

    path: Path
    workout: Workout
    resolved: Workout
    fit: bytes
    notes: tuple[str, ...] = ()  # where the watch will run the FIT file differently (fit_notes)


@dataclass(frozen=True)
class Failed:
    """A workout file that could not be compiled, with a one-line reason."""

    path: Path
    error: str


def compile_workout(workout: Workout, athlete: Athlete) -> tuple[Workout, bytes]:
    """Resolve ``workout`` for ``athlete`` and encode it as a FIT workout file."""
    prepared = prepare(workout, athlete)
    return prepared.resolved, prepared.fit


def compile_paths(paths: Iterable[Path], athlete: Athlete, sport: Sport | None = None,
                  messages: list[str] | None = None) -> Iterator[Compiled | Failed]:
    """Compile every workout file under ``paths``; failures are reported, never raised.

    Texts without a ``sport:`` line take ``sport``, else their folder's, else the athlete's sport;
    which was used, and warnings, are appended to ``messages`` (as ``load_workout`` says them).
    """
    for path, loaded in load_workouts(list(paths), sport=sport, athlete_sport=athlete.sport,
                                      pace_units=athlete.pace_unit_defaults(), messages=messages):
        if isinstance(loaded, WorkoutFormatError):
            yield Failed(path, str(loaded))
            continue
        try:
            resolved, fit = compile_workout(loaded, athlete)
        except ResolveError as error:
            yield Failed(path, f"{path}: {error}")  # a resolve error names its step, not a line
            continue
        yield Compiled(path, loaded, resolved, fit, tuple([*fit_notes(resolved), *band_notes(resolved, athlete)]))


def fit_notes(workout: Workout) -> list[str]:
    """What a FIT workout file cannot say of ``workout``, so the watch runs or shows it differently
    from Garmin Connect: FIT has no "skip the last rest" of a repeat, and its texts hold 254 bytes."""
    from watchsync.formats.connect_json import step_notes
    from watchsync.formats.fit_workout_write import MAX_STRING_BYTES

    notes: list[str] = []

    def cut(text: str | None, what: str) -> None:
        size = len(text.encode()) if text else 0
        if size > MAX_STRING_BYTES:
            notes.append(f"{what} cut to FIT's {MAX_STRING_BYTES} bytes from {size} (Garmin Connect gets it whole)")

    def visit(blocks: list[Step | Repeat], where: str) -> None:
        for number, block in enumerate(blocks, 1):
            place = f"{where}{number}"
            if isinstance(block, Step):
                cut(block.name, f"step {place} name")
                cut(step_notes(block), f"step {place} notes")
                continue
            if block.skip_last_rest:
                notes.append(f"repeat {place} ({block.count}x): the watch also runs the last rest of the "
                             "FIT file's repeat (FIT has no 'skip last rest'; Garmin Connect skips it)")
            visit(block.steps, f"{place}.")

    cut(workout.name, "the name")
    cut(workout.description, "the description")
    visit(workout.steps, "")
    return notes


def output_path(source: Path, roots: list[Path], out_dir: Path, suffix: str = ".fit") -> Path:
    """Where a compiled file goes: its path relative to the root it was found under, in ``out_dir``."""
    for root in roots:
        if root.is_dir() and source.is_relative_to(root):
            return out_dir / source.relative_to(root).with_suffix(suffix)
    return out_dir / source.with_suffix(suffix).name
