"""The activity's sport from the decoder's names equals the FIT-code mapping, for every FIT name.

:func:`watchsync.compliance.activities.sport_from_names` reads names without importing the FIT
profile; the source of truth stays :func:`watchsync.formats.fit_codes.sport_from_codes` over the
codes fit-tool's enums give those names.
"""

from __future__ import annotations

from fit_tool.profile.profile_type import Sport as FitSport
from fit_tool.profile.profile_type import SubSport as FitSubSport

from watchsync.compliance.activities import sport_from_names
from watchsync.formats.fit_codes import sport_from_codes
from watchsync.model.workout import Sport


def _code(enum: type[FitSport] | type[FitSubSport], name: str | None) -> int | None:
    if name is None:
        return None
    if name.isdigit():
        return int(name)
    member = enum.__members__.get(name.upper())
    return None if member is None else int(member.value)


def test_every_fit_sport_and_sub_sport_name_maps_as_the_codes_do() -> None:
    sports = [*(name.lower() for name in FitSport.__members__), None, "not-a-sport", "1", "254", "RUNNING"]
    subs = [*(name.lower() for name in FitSubSport.__members__), None, "not-a-sub-sport", "0", "3", "Trail"]
    checked = 0
    for sport in sports:
        for sub in subs:
            expected = sport_from_codes(_code(FitSport, sport), _code(FitSubSport, sub))
            assert sport_from_names(sport, sub) == expected, (sport, sub)
            checked += 1
    assert checked > 9000
    assert sport_from_names("running", "trail") is Sport.TRAIL_RUNNING  # the table is not all "other"


def test_an_e_bike_ride_is_a_ride_from_fit_as_from_connect() -> None:
    from watchsync.compliance.activities import _connect_sport

    assert sport_from_names("e_biking", "e_bike_mountain") is Sport.CYCLING
    assert _connect_sport("e_bike_mountain") is Sport.CYCLING


def test_rowing_and_gym_machines_are_cardio_as_the_workout_aliases_read() -> None:
    from watchsync.model.enums import find_sport

    for sport, sub in (("rowing", None), ("fitness_equipment", "elliptical"), ("fitness_equipment", "indoor_rowing"),
                       ("fitness_equipment", "stair_climbing")):
        assert sport_from_names(sport, sub) is Sport.CARDIO, (sport, sub)
    assert find_sport("rowing") is Sport.CARDIO and find_sport("elliptical") is Sport.CARDIO
    from watchsync.compliance.activities import _connect_sport
    assert _connect_sport("indoor_rowing") is Sport.CARDIO and _connect_sport("elliptical") is Sport.CARDIO
