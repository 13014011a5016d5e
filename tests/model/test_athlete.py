"""Athlete profiles: paces, bands, validation."""

import pytest
from pydantic import ValidationError

from watchsync.model.athlete import Athlete, Band, Units, format_pace, parse_pace


@pytest.mark.parametrize(("text", "seconds"), [("4:30/km", 270.0), ("5:00", 300.0), ("8:00/mi", 480 / 1.609344)])
def test_parse_pace(text: str, seconds: float) -> None:
    assert parse_pace(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["4:75/km", "fast", "0:00/km", "4:30/yd"])
def test_parse_pace_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_pace(text)


def test_format_pace_metric_and_imperial() -> None:
    assert format_pace(270) == "4:30/km"
    assert format_pace(parse_pace("8:00/mi"), Units.IMPERIAL) == "8:00/mi"


def test_profile_parses_strings_for_pace_zones_and_rpe() -> None:
    athlete = Athlete(name="a", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km",
                      hr_zones=["100-140", "141-150", "151-160", "161-170", "171-188"],
                      rpe={"3": "80-86% LTHR"})
    assert athlete.threshold_pace == 270
    assert athlete.hr_zones is not None and athlete.hr_zones[1] == Band(low=141, high=150)
    assert athlete.rpe[3] == Band(low=80, high=86)


@pytest.mark.parametrize("kwargs", [
    {"max_hr": 150, "resting_hr": 160},
    {"lthr": 200, "max_hr": 190},
    {"rpe": {"11": "90-95"}},
    {"targets": "watts"},
    {"unknown_key": 1},
])
def test_profile_rejects_inconsistent_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Athlete(name="a", **kwargs)  # type: ignore[arg-type]


def test_effective_lthr_estimates_from_max_when_missing() -> None:
    assert Athlete(name="a", max_hr=200).effective_lthr == 180
    assert Athlete(name="a", max_hr=200, lthr=170).effective_lthr == 170


def test_today_is_the_athletes_local_date() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    east, west = Athlete(name="e", timezone="Pacific/Kiritimati"), Athlete(name="w", timezone="Pacific/Pago_Pago")
    assert east.today() - west.today() in (timedelta(days=1), timedelta(days=2))  # UTC+14 vs UTC-11: 25 h apart
    assert now.date() - timedelta(days=1) <= west.today() <= now.date()


def test_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        Athlete(name="a", timezone="Mars/Olympus")
