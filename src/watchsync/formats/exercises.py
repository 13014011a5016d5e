"""Garmin's strength-exercise catalogue: human names → (category, exercise) keys.

The catalogue is ``garminconnect.exercises`` copied to ``data/exercises.json`` by
``scripts/gen_exercises.py`` (importing garminconnect itself takes ~0.2 s), a strength list, completed
with the FIT profile's exercises it lacks (``data/fit_exercises.json``: the yoga poses, pilates and
mobility moves, cardio and warm-up moves of Garmin's editor, e.g. ``POSE/WARRIOR_ONE``; probe
connect12), known by their keys only: their one-word names ("Split", "Bicycle") would take the lead
word of a strength line ("Split squats"; probe review15). Names match
case-, space- and hyphen-insensitively, a trailing plural ``s`` is forgiven, a few everyday names
Garmin spells differently are aliased, and ``CATEGORY/EXERCISE`` names an entry explicitly.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from watchsync.model.workout import Exercise

#: Everyday name → Garmin's display name for the same movement.
ALIASES: dict[str, str] = {
    "glute bridge": "Hip Raise",
    "bridge": "Hip Raise",
    "bird dog": "Kneeling Superman",
    "single leg glute bridge": "Single-leg Hip Raise",
    "rdl": "Romanian Deadlift",
    "kb swing": "Kettlebell Swing",
}

_EXPLICIT = re.compile(r"^([A-Za-z0-9_]+)/([A-Za-z0-9_]+)$")


class _Catalogue(NamedTuple):
    by_key: dict[str, tuple[str, str]]  # normalized name -> (category, exercise)
    pairs: frozenset[tuple[str, str]]  # (category, exercise)
    names: dict[str, str]  # lower-case display name or alias -> display name


def normalize(text: str) -> str:
    """Lower-case letters and digits only: ``"Push-Up "`` → ``"pushup"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


@cache
def _catalogue() -> _Catalogue:
    source = files("watchsync").joinpath("data", "exercises.json").read_text(encoding="utf-8")
    rows: list[list[str]] = json.loads(source)["exercises"]
    by_key: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}
    for display, category, exercise in rows:
        by_key.setdefault(normalize(display), (category, exercise))
        names[display.lower()] = display
    for alias, display in ALIASES.items():
        by_key.setdefault(normalize(alias), by_key[normalize(display)])
        names[alias] = display
    pairs = {(row[1], row[2]) for row in rows} | set(fit_profile_pairs())
    return _Catalogue(by_key, frozenset(pairs), names)


def fit_profile_pairs() -> list[tuple[str, str]]:
    """Every (category, exercise) of the FIT profile, in its order."""
    text = files("watchsync").joinpath("data", "fit_exercises.json").read_text(encoding="utf-8")
    return [(category, exercise) for category, value in json.loads(text)["categories"].items()
            for exercise in value["names"]]


def known_pairs() -> frozenset[tuple[str, str]]:
    """Every (category, exercise) the catalogue holds (Garmin Connect's and the FIT profile's)."""
    return _catalogue().pairs


def find_exercise(text: str) -> Exercise | None:
    """The exercise named by ``text`` (display name, alias or ``CATEGORY/EXERCISE``), or None."""
    catalogue = _catalogue()
    explicit = _EXPLICIT.match(text.strip())
    if explicit:
        pair = (explicit.group(1).upper(), explicit.group(2).upper())
        return Exercise(category=pair[0], name=pair[1]) if pair in catalogue.pairs else None
    key = normalize(text)
    if not key:
        return None
    found = catalogue.by_key.get(key)
    if found is None and key.endswith("s"):
        found = catalogue.by_key.get(key[:-1])
    if found is None:  # "Thruster": the catalogue's "Thrusters"
        found = catalogue.by_key.get(key + "s")
    return None if found is None else Exercise(category=found[0], name=found[1])


def is_known(exercise: Exercise) -> bool:
    """Whether the catalogue has ``exercise`` (a category's generic exercise is the category twice)."""
    return (exercise.category, exercise.name) in _catalogue().pairs


def suggest(text: str, limit: int = 3, cutoff: float = 0.6) -> list[str]:
    """Display names close to ``text``, best first (for "did you mean" messages)."""
    names = _catalogue().names
    close = difflib.get_close_matches(text.strip().lower(), list(names), n=limit * 2, cutoff=cutoff)
    unique = list(dict.fromkeys(names[name] for name in close))
    return unique[:limit]
