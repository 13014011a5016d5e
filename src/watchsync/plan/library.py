"""The workout library a plan refers to: find a workout by path (relative to the library root) or
by name (workout name or file stem), load it once."""

from __future__ import annotations

from pathlib import Path

from watchsync.errors import InputError
from watchsync.files import newest_versions
from watchsync.formats.load import load_workout
from watchsync.model.workout import Workout

WORKOUT_SUFFIXES = (".txt", ".toml")
PLANS_DIR = "plans"


class UnknownWorkout(InputError, LookupError):
    """No library workout matches a reference (or several do)."""


class Library:
    """Workouts under ``root`` (plans under ``root/plans`` are not workouts)."""

    def __init__(self, root: Path, *, newest_only: bool = False) -> None:
        """``newest_only``: an archive (the inbox's ``processed/``), whose older versions of a file
        (``tempo.20261204T201822.txt`` beside ``tempo.txt``) are no workouts of their own."""
        self.root = root
        self._newest_only = newest_only
        self._loaded: dict[Path, Workout] = {}
        self._names: dict[str, list[Path]] | None = None

    @classmethod
    def for_plan(cls, plan_path: Path) -> Library:
        """The default library of a plan file: ``workouts/`` for ``workouts/plans/x.toml``, else its folder."""
        folder = plan_path.resolve().parent
        return cls(folder.parent if folder.name == PLANS_DIR else folder)

    def find(self, ref: str) -> Path:
        """The file ``ref`` names: a path under the root, else a workout name or file stem."""
        if ref.endswith(WORKOUT_SUFFIXES):
            path = self.root / ref
            if path.is_file():
                return path
            raise UnknownWorkout(f"unknown workout {ref!r}: no such file under {self.root}")
        matches = self._index().get(ref.strip().lower(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(self.relative(p) for p in matches)
            raise UnknownWorkout(f"workout name {ref!r} is ambiguous ({names}); use the path")
        raise UnknownWorkout(f"unknown workout {ref!r}: no library file or workout has that name")

    def load(self, path: Path) -> Workout:
        """The workout in ``path`` (cached)."""
        if path not in self._loaded:
            self._loaded[path] = load_workout(path)
        return self._loaded[path]

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes (how plans refer to it)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def workouts(self) -> list[tuple[str, Workout]]:
        """Every workout of the library with its reference, sorted by reference; broken files skipped."""
        found = []
        for path in self._files():
            try:
                found.append((self.relative(path), self.load(path)))
            except InputError:
                continue
        return found

    def _files(self) -> list[Path]:
        found = [p for p in self.root.rglob("*") if p.suffix in WORKOUT_SUFFIXES and p.is_file()
                 and PLANS_DIR not in p.relative_to(self.root).parts[:1]]
        return sorted(newest_versions(found) if self._newest_only else found)

    def _index(self) -> dict[str, list[Path]]:
        if self._names is None:
            self._names = {}
            for ref, workout in self.workouts():
                path = self.root / ref
                for key in {workout.name.lower(), path.stem.lower()}:
                    self._names.setdefault(key, []).append(path)
        return self._names
