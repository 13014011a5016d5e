"""One workout recorded by two devices is one workout; the pieces of a split session are not copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watchsync.compliance import duplicates
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.duplicates import copy_ids, duplicate_recordings
from watchsync.model.workout import Sport

START = datetime(2022, 12, 19, 23, 59, 52, tzinfo=UTC)


def recording(number: int, offset_s: float, minutes: float, **fields: object) -> ActivitySummary:
    return ActivitySummary(id=str(number), sport=fields.pop("sport", Sport.INDOOR_CYCLING),  # type: ignore[arg-type]
                           start=START + timedelta(seconds=offset_s), duration_s=minutes * 60,
                           **fields)  # type: ignore[arg-type]


def test_two_recordings_of_one_ride_keep_the_one_with_more_data() -> None:
    # probe fit13: a Garmin head unit (no distance indoors) and Zwift, 99 % of either shared
    garmin = recording(1, 0, 63.2, elapsed_s=3825, avg_hr=142, avg_power=180)
    zwift = recording(2, 31, 63.5, elapsed_s=3814, avg_hr=143, avg_power=185, distance_m=40_700)
    assert duplicate_recordings([garmin, zwift]) == {"2": [garmin]}


def test_the_recording_linked_to_the_garmin_workout_is_kept_over_more_data() -> None:
    watch = recording(1, 60, 50, associated_workout_id=77, avg_hr=150)
    phone = recording(2, 0, 52, avg_hr=150, distance_m=10_000, ascent_m=80)
    assert duplicate_recordings([phone, watch]) == {"1": [phone]}


@pytest.mark.parametrize(("offset_min", "copy"), [(0, True), (20, True), (31, False), (45, False), (61, False)])
def test_recordings_are_one_workout_when_they_share_half_of_the_shorter(offset_min: int, copy: bool) -> None:
    first, second = recording(1, 0, 60), recording(2, offset_min * 60, 60)
    assert bool(duplicate_recordings([first, second])) is copy


def test_a_short_recording_inside_a_long_one_is_a_copy_and_later_ones_are_still_seen() -> None:
    long = recording(1, 0, 300, avg_hr=140)  # a 5-h ride
    phone = recording(2, 3600, 20)  # the phone ran 20 min of it
    later = recording(3, 4 * 3600, 30)  # and again later, after a shorter unrelated activity ended
    assert copy_ids(duplicate_recordings([long, phone, later])) == {"2", "3"}


def test_consecutive_pieces_and_transitions_are_never_copies() -> None:
    pieces = [recording(1, 0, 25, elapsed_s=26 * 60), recording(2, 26 * 60, 25), recording(3, 3 * 3600, 25)]
    transition = recording(4, 60, 1, transition=True)
    assert duplicate_recordings([*pieces, transition]) == {}


def test_the_sweep_compares_each_recording_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # issue #14: no pairwise loop, a sorted sweep by start
    calls = 0
    share = duplicates._overlap_share

    def counted(*args: object) -> float:
        nonlocal calls
        calls += 1
        return share(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(duplicates, "_overlap_share", counted)
    season = [recording(n, n * 600, 45 if n % 3 else 240) for n in range(3000)]
    copies = duplicate_recordings(reversed(season))
    assert calls == len(season) - 1
    assert sum(len(group) for group in copies.values()) + len(copies) <= len(season)


def test_two_sports_two_legs_of_one_file_and_entries_typed_by_hand_are_never_copies() -> None:
    # probe review19: a brick run inside the ride's paused elapsed time, a fenix multisport file's first leg whose
    # elapsed time ran on over the run leg, and two sessions entered by hand at the form's default time
    ride = recording(1, 0, 90, elapsed_s=132 * 60, sport=Sport.CYCLING, associated_workout_id=5, avg_hr=140)
    brick = recording(2, 93 * 60, 30, sport=Sport.RUNNING, associated_workout_id=6, avg_hr=150)
    day = START + timedelta(days=1)
    legs = [ActivitySummary(id="9#1", sport=Sport.RUNNING, start=day, duration_s=3600, elapsed_s=11_738),
            ActivitySummary(id="9#3", sport=Sport.RUNNING, start=day + timedelta(hours=2.5), duration_s=2300)]
    manual = [recording(3, 0, 30, sport=Sport.STRENGTH, manual=True), recording(4, 0, 45, sport=Sport.STRENGTH,
                                                                                 manual=True)]
    assert duplicate_recordings([ride, brick, *legs, *manual]) == {}
    # the same sport still is one workout recorded twice
    assert copy_ids(duplicate_recordings([ride, recording(7, 60, 88, sport=Sport.CYCLING)])) == {"7"}
