"""One workout recorded twice: two devices (Zwift and a head unit, a watch and a phone) at the same time.

Two activities of one athlete and one sport family whose ``[start, start + elapsed]`` overlap by at
least ``DUPLICATE_OVERLAP`` of the shorter one's length are one workout (the pieces of a split session
follow each other, they never overlap). Never copies: two sports (a brick run inside the ride's paused
elapsed time), two sessions of one file (a multisport file's legs), an entry typed in by hand (no clock).
One recording is kept for matching, volume, load and distance: the one carrying Garmin's workout link,
else the one with more data (heart rate, power, distance, ascent), else the longer timer, else the earlier
start, then the smaller id. The others are its copies, shown beside it ("recorded twice") and counted nowhere.

A sorted sweep by start (n log n): each activity is compared with the earlier one that reaches
furthest, the only one it can overlap most.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from watchsync.compliance.activities import ActivitySummary

#: The share of the shorter recording that the two must share to be one workout (probe fit13: 99 %).
DUPLICATE_OVERLAP = 0.5


def duplicate_recordings(activities: Iterable[ActivitySummary]) -> dict[str, list[ActivitySummary]]:
    """The copies of each workout recorded more than once, by the id of the recording kept (by start)."""
    by_family: dict[str, list[ActivitySummary]] = {}
    for activity in activities:  # transitions, entries typed in by hand (no clock of their own) are no recordings
        if not activity.transition and not activity.manual:
            by_family.setdefault(activity.sport.family, []).append(activity)
    copies: dict[str, list[ActivitySummary]] = {}
    for family in by_family.values():  # a ride and the brick run inside its paused elapsed time are two workouts
        copies |= _copies(family)
    return copies


def _copies(activities: list[ActivitySummary]) -> dict[str, list[ActivitySummary]]:
    """:func:`duplicate_recordings` of activities of one sport family."""
    groups: list[list[ActivitySummary]] = []
    reach: tuple[ActivitySummary, datetime, int] | None = None  # the one ending last so far, its end, its group
    for activity in sorted(activities, key=lambda a: (a.start, a.id)):
        end = _end(activity)
        if reach is not None and not _same_file(reach[0], activity) \
                and _overlap_share(reach[0], reach[1], activity, end) >= DUPLICATE_OVERLAP:
            group = reach[2]
            groups[group].append(activity)
        else:
            group = len(groups)
            groups.append([activity])
        if reach is None or end > reach[1]:
            reach = (activity, end, group)
    copies = {}
    for group_of in groups:
        if len(group_of) > 1:
            kept = min(group_of, key=_preference)
            copies[kept.id] = [a for a in group_of if a is not kept]
    return copies


def _same_file(one: ActivitySummary, other: ActivitySummary) -> bool:
    """Sessions of one multi-session file (``<id>#1``, ``<id>#3``): its legs follow each other, never copies
    (a fenix's first leg whose elapsed time ran on over the run leg; probe review19)."""
    return "#" in one.id and one.id.partition("#")[0] == other.id.partition("#")[0]


def copy_ids(copies: dict[str, list[ActivitySummary]]) -> set[str]:
    """The ids of the recordings not counted."""
    return {copy.id for group in copies.values() for copy in group}


def _end(activity: ActivitySummary) -> datetime:
    return activity.start + timedelta(seconds=activity.elapsed_s or activity.duration_s)


def _overlap_share(earlier: ActivitySummary, earlier_end: datetime, later: ActivitySummary, later_end: datetime,
                   ) -> float:
    """The time two recordings share over the shorter one's length (0 when either has none)."""
    first_length = (earlier_end - earlier.start).total_seconds()
    length = min(first_length, (later_end - later.start).total_seconds())
    shared = (min(earlier_end, later_end) - later.start).total_seconds()
    return shared / length if length > 0 else 0.0


def _preference(activity: ActivitySummary) -> tuple[bool, int, float, datetime, str]:
    """Smallest first: linked to a Garmin workout, most channels, longest timer, earliest, smallest id."""
    channels = sum(value is not None and value > 0 for value in
                   (activity.avg_hr, activity.avg_power, activity.distance_m, activity.ascent_m))
    return (activity.associated_workout_id is None, -channels, -activity.duration_s, activity.start, activity.id)
