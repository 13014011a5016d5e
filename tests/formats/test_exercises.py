"""Garmin exercise lookup: everyday names, aliases, explicit keys, suggestions."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from watchsync.formats.exercises import find_exercise, suggest
from watchsync.model.workout import Exercise


@pytest.mark.parametrize(("text", "category", "name"), [
    ("Squat", "SQUAT", "SQUAT"),
    ("goblet  SQUAT", "SQUAT", "GOBLET_SQUAT"),
    ("Push-up", "PUSH_UP", "PUSH_UP"),
    ("push ups", "PUSH_UP", "PUSH_UP"),
    ("Plank", "PLANK", "PLANK"),
    ("Side plank", "PLANK", "SIDE_PLANK"),
    ("Glute bridge", "HIP_RAISE", "HIP_RAISE"),
    ("Bird dog", "HYPEREXTENSION", "KNEELING_SUPERMAN"),
    ("Dead bug", "HIP_STABILITY", "DEAD_BUG"),
    ("Lunges", "LUNGE", "LUNGE"),
    ("Calf raise", "CALF_RAISE", "CALF_RAISE"),
    ("Step up", "SQUAT", "STEP_UP"),
    ("Romanian deadlift", "DEADLIFT", "ROMANIAN_DEADLIFT"),
    ("SQUAT/GOBLET_SQUAT", "SQUAT", "GOBLET_SQUAT"),
])
def test_find_exercise(text: str, category: str, name: str) -> None:
    assert find_exercise(text) == Exercise(category=category, name=name)


@pytest.mark.parametrize("text", ["", "Squatt", "SQUAT/NOT_A_SQUAT", "FOO/BAR", "rest"])
def test_unknown_names(text: str) -> None:
    assert find_exercise(text) is None


def test_suggestions_are_close_display_names() -> None:
    assert suggest("Goblet sqat")[0] == "Goblet Squat"
    assert suggest("zzzzzz") == []


def test_every_catalogue_row_is_found_by_its_display_name_and_key() -> None:
    rows = json.loads(files("watchsync").joinpath("data", "exercises.json").read_text(encoding="utf-8"))
    assert len(rows["exercises"]) > 1000
    for display, category, name in rows["exercises"]:
        assert find_exercise(display) == Exercise(category=category, name=name), display
        assert find_exercise(f"{category}/{name}") == Exercise(category=category, name=name)


def test_catalogue_matches_garminconnect() -> None:
    from garminconnect import exercises

    rows = json.loads(files("watchsync").joinpath("data", "exercises.json").read_text(encoding="utf-8"))
    assert rows["exercises"] == [[e["name"], e["category"], e["exercise"]] for e in exercises.EXERCISES]


@pytest.mark.parametrize(("text", "category", "name"), [
    ("POSE/WARRIOR_ONE", "POSE", "WARRIOR_ONE"),
    ("MOVE/SAW", "MOVE", "SAW"),
    ("CORE/THE_HUNDRED", "CORE", "THE_HUNDRED"),
    ("HYPEREXTENSION/COBRA", "HYPEREXTENSION", "COBRA"),
])
def test_the_fit_profiles_yoga_pilates_and_mobility_moves_are_found(text: str, category: str, name: str) -> None:
    # garminconnect's list is a strength list: a yoga workout's poses were dropped or refused (probe connect12)
    from watchsync.formats.fit_codes import exercise_codes

    found = find_exercise(text)
    assert found == Exercise(category=category, name=name)
    assert exercise_codes(found)[1] is not None  # the watch gets the pose itself, not only its category


def test_every_fit_profile_exercise_is_known() -> None:
    from watchsync.formats.exercises import fit_profile_pairs, is_known

    pairs = fit_profile_pairs()
    assert len(pairs) > 1500 and all(is_known(Exercise(category=c, name=n)) for c, n in pairs)


@pytest.mark.parametrize(("text", "found"), [("Split squats", None), ("Bicycle crunches", None),
                                             ("Warrior One", None)])
def test_the_fit_profiles_moves_are_known_by_their_keys_not_their_one_word_names(text: str, found: None) -> None:
    # "3x10 Split squats" became SUSPENSION/SPLIT, "Bicycle crunches" CORE/BICYCLE, in silence (probe review15)
    from watchsync.formats.text.step import named_exercise

    assert named_exercise(text.split()) is found
