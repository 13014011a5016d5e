"""A workout prepared for one athlete: resolved once, then its FIT bytes, Connect JSON and content hash.

Intake, ``push`` and ``compile`` all start from :func:`prepare`, so one file is resolved once
however many outputs it feeds. The FIT bytes and the Connect JSON are made on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from hashlib import sha256
from typing import Any

from watchsync.formats.connect_json import content_hash, workout_to_connect
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.resolve import resolve


def workout_key(workout: Workout) -> str:
    """A workout's identity: its name in lowercase with every run of non-alphanumerics as ``-``."""
    slug = re.sub(r"[\W_]+", "-", workout.name.lower()).strip("-")
    return slug or "workout-" + sha256(workout.name.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class PreparedWorkout:
    """``workout`` as written and resolved for ``athlete``, with its key and content hash."""

    workout: Workout
    resolved: Workout
    athlete: Athlete = field(repr=False)
    key: str
    content_hash: str

    @cached_property
    def fit(self) -> bytes:
        """The FIT workout file (deterministic bytes for the same workout and athlete)."""
        from watchsync.formats.fit_workout import write_fit_workout

        return write_fit_workout(self.resolved)

    @cached_property
    def connect(self) -> dict[str, Any]:
        """Garmin Connect workout JSON carrying the ``[ws:<hash>]`` marker."""
        from watchsync.rules import speeds_for

        return workout_to_connect(self.resolved, marker=self.content_hash, speeds=speeds_for(self.athlete))


def prepare(workout: Workout | PreparedWorkout, athlete: Athlete) -> PreparedWorkout:
    """Resolve ``workout`` for ``athlete`` (``ResolveError`` when it cannot be made concrete).

    An already prepared workout for the same athlete is returned as it is.
    """
    if isinstance(workout, PreparedWorkout):
        if workout.athlete == athlete:
            return workout
        workout = workout.workout
    resolved = resolve(workout, athlete)
    return PreparedWorkout(workout, resolved, athlete, workout_key(workout), content_hash(resolved))
