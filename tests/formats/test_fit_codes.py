"""FIT codes: the generated exercise table against Garmin's catalogue and FIT profile; sport inversion."""

from __future__ import annotations

import pytest
from fit_tool.profile.profile_type import Sport as FitSport
from fit_tool.profile.profile_type import SubSport as FitSubSport
from garmin_fit_sdk import Profile
from garminconnect.exercises import EXERCISES

from watchsync.formats.fit_codes import SPORT_CODES, exercise_codes, exercise_from_codes, sport_from_codes
from watchsync.model.workout import Exercise, Sport

FIT_TYPES = Profile["types"]


def test_every_connect_exercise_has_fit_numbers_that_name_it() -> None:
    for entry in EXERCISES:
        exercise = Exercise(category=entry["category"], name=entry["exercise"] or entry["category"])
        category_id, name_id = exercise_codes(exercise)
        category = FIT_TYPES["exercise_category"][category_id]
        assert category.upper() == exercise.category
        if name_id is None:  # Connect's generic entry: the category stands for itself
            assert exercise.name == exercise.category
        else:
            fit_name = FIT_TYPES[f"{category}_exercise_name"][name_id]
            assert fit_name.upper() == exercise.name.removeprefix("_")
            assert exercise_from_codes(category_id, name_id) == exercise


def test_unknown_exercise_codes() -> None:
    with pytest.raises(KeyError, match="unknown exercise category 'JUGGLING'"):
        exercise_codes(Exercise(category="JUGGLING", name="JUGGLING"))
    assert exercise_from_codes(60_000, 1) is None
    squat = FIT_TYPES["exercise_category"]
    squat_id = next(number for number, name in squat.items() if name == "squat")
    assert exercise_from_codes(squat_id, None) == Exercise(category="SQUAT", name="SQUAT")


@pytest.mark.parametrize("sport", list(Sport))
def test_written_sport_codes_read_back_as_the_same_sport(sport: Sport) -> None:
    fit_sport, sub_sport = SPORT_CODES[sport]
    assert sport_from_codes(fit_sport.value, sub_sport.value) is sport


@pytest.mark.parametrize(("fit_sport", "sub_sport", "sport"), [
    (FitSport.RUNNING, FitSubSport.INDOOR_RUNNING, Sport.TREADMILL),
    (FitSport.RUNNING, None, Sport.RUNNING),
    (FitSport.RUNNING, FitSubSport.TRACK, Sport.RUNNING),
    (FitSport.CYCLING, FitSubSport.GENERIC, Sport.CYCLING),
    (FitSport.CYCLING, FitSubSport.VIRTUAL_ACTIVITY, Sport.INDOOR_CYCLING),
    (FitSport.SWIMMING, None, Sport.POOL_SWIM),
    (FitSport.TRAINING, FitSubSport.GENERIC, Sport.CARDIO),
    (FitSport.ROWING, None, Sport.CARDIO),  # as the workout alias "rowing"
])
def test_other_fit_sports_map_to_the_nearest_model_sport(fit_sport: FitSport, sub_sport: FitSubSport | None,
                                                         sport: Sport) -> None:
    assert sport_from_codes(fit_sport.value, sub_sport.value if sub_sport else None) is sport
    assert sport_from_codes(None, None) is Sport.OTHER
