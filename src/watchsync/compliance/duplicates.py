"""One workout recorded twice: two devices (Zwift and a head unit, a watch and a phone) at the same time.

Two activities of one athlete whose ``[start, start + elapsed]`` overlap by at least
``DUPLICATE_OVERLAP`` of the shorter one's length are one workout (an athlete does one thing at a
time; the pieces of a split session follow each other, they never overlap). One recording is kept for
matching, volume, load and distance: the one carrying Garmin's workout link, else the one with more
data (heart rate, power, distance, ascent), else the longer timer, else the earlier start, then the
smaller id. The others are its copies, shown beside it ("recorded twice") and counted nowhere.

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
    groups: list[list[ActivitySummary]] = []
    reach: tuple[ActivitySummary, datetime, int] | None = None  # the one ending last so far, its end, its group
    for activity in sorted(activities, key=lambda a: (a.start, a.id)):
        if activity.transition:
            continue
        end = _end(activity)
        if reach is not None and _overlap_share(reach[0], reach[1], activity, end) >= DUPLICATE_OVERLAP:
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
