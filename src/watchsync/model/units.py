"""Units of measure: the athlete's display units and the lengths a pace is written per.

No pydantic: the text parser reads paces with these without loading the athlete model;
:mod:`watchsync.model.athlete` re-exports them.
"""

from __future__ import annotations

from enum import StrEnum


class Units(StrEnum):
    """Units for display and pace parsing."""

    METRIC = "metric"
    IMPERIAL = "imperial"


METERS_PER_MILE = 1609.344
METERS_PER_YARD = 0.9144
METERS_PER_FOOT = 0.3048
KG_PER_POUND = 0.45359237
#: A pace without a unit in a cardio workout (``rowing`` reads as cardio) is per 500 m, a rowing machine's,
#: as intervals.icu keeps a pace unit per sport, unless the athlete's ``pace_units.other`` says otherwise.
CARDIO_PACE_KEY, CARDIO_PACE_UNIT = "cardio", "500m"


def whole_yards(meters: float) -> int | None:
    """``meters`` as a whole number of yards when it is one exactly (``365.76`` → ``400``), else None."""
    yards = round(meters / METERS_PER_YARD)
    return yards if yards > 0 and yards * METERS_PER_YARD == meters else None


def format_distance(meters: float, units: Units = Units.METRIC, digits: int = 1) -> str:
    """``12345`` → ``12.3 km`` (``7.7 mi`` in imperial units)."""
    if units is Units.IMPERIAL:
        return f"{meters / METERS_PER_MILE:.{digits}f} mi"
    return f"{meters / 1000:.{digits}f} km"


def default_pace_unit(family: str, units: Units = Units.METRIC) -> str:
    """/100m for swims, /mi with imperial units, else /km."""
    if family == "swim":
        return "100m"
    return "mi" if units is Units.IMPERIAL else "km"
