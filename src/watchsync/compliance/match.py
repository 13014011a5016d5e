"""Matching done activities with planned sessions.

Rules (DESIGN "Compliance"): same sport family, activity date within ``-early_days..+late_days`` of
the planned date, at most one activity per session and one session per activity. Garmin's explicit
link (the activity's ``associatedWorkoutId`` equals the session's remote workout id) wins first;
the rest pair up greedily by the smallest date distance; ties go to the session whose planned time is
closest to the activity's (a session done a day early or late between two planned ones goes to the
one it resembles), then to the earlier planned session, then to the earlier activity. Unmatched
sessions are *missed* once their window has closed (``today`` is after the planned date +
``late_days``), *pending* until then; unmatched activities are *unplanned*.
A session done in pieces (a split run: two runs on the day, the first short of the plan) takes the
other pieces as ``Match.also`` (see :func:`_split_runs`); pieces follow each other: a workout recorded
twice at the same time is one (:mod:`watchsync.compliance.duplicates`, left out before matching).
Triathlon transitions are never matched nor listed as unplanned; a session of a multi-session file
(``ActivitySummary.session``) takes Garmin's workout link only when its sport family is the workout's.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from watchsync import rules
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.model.workout import Workout


class PlannedSession(BaseModel):
    """A workout planned on a date; ``remote_workout_id`` is its Garmin Connect workout id if pushed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    date: date
    workout: Workout
    remote_workout_id: int | None = None


class Match(BaseModel):
    """A planned session and the activity that did it."""

    model_config = ConfigDict(frozen=True)

    session: PlannedSession
    activity: ActivitySummary
    linked: bool
    days_late: int
    substitute: bool = False  # cross-training done instead of the planned run (substitution.py)
    #: More activities of the session's sport on the activity's day that make up its volume (a split run).
    also: list[ActivitySummary] = []


class MatchResult(BaseModel):
    """Outcome of matching one athlete's plan against their activities."""

    model_config = ConfigDict(frozen=True)

    matches: list[Match]
    missed: list[PlannedSession]
    pending: list[PlannedSession]
    unplanned: list[ActivitySummary]


def match_sessions(planned: list[PlannedSession], activities: list[ActivitySummary], *, today: date,
                   config: ComplianceConfig | None = None) -> MatchResult:
    """Pair activities with planned sessions (see the module docstring for the rules)."""
    config = config or ComplianceConfig()
    matches: list[Match] = []
    free_sessions = sorted(planned, key=lambda s: (s.date, s.id))
    free_activities = sorted((a for a in activities if not a.transition), key=lambda a: (a.start, a.id))
    for linked in (True, False):
        accept = _linked if linked else _same_family
        matches += _pair(free_sessions, free_activities, accept, linked, config)
        done_sessions = {m.session.id for m in matches}
        done_activities = {m.activity.id for m in matches}
        free_sessions = [s for s in free_sessions if s.id not in done_sessions]
        free_activities = [a for a in free_activities if a.id not in done_activities]
    matches, free_activities = _split_runs(matches, free_activities, config)
    window_closed = [s for s in free_sessions if (today - s.date).days > config.late_days]
    still_open = [s for s in free_sessions if (today - s.date).days <= config.late_days]
    return MatchResult(
        matches=sorted(matches, key=lambda m: (m.session.date, m.session.id)),
        missed=window_closed,
        pending=still_open,
        unplanned=free_activities,
    )


def _split_runs(matches: list[Match], free: list[ActivitySummary], config: ComplianceConfig,
                ) -> tuple[list[Match], list[ActivitySummary]]:
    """A session done in pieces: an unmatched activity of its sport family on the day its activity was
    done joins the match (``also``) while the session is short of its green band, and as long as
    the pieces stay within the yellow band."""
    by_day: dict[tuple[date, str], int] = {}
    for number, match in enumerate(matches):
        by_day.setdefault((match.activity.start.date(), match.activity.sport.family), number)
    if not by_day:
        return matches, free
    planned_time = _PlannedTime()
    joined: dict[int, list[ActivitySummary]] = {}
    left = []
    for activity in free:
        place = by_day.get((activity.start.date(), activity.sport.family))
        if place is not None:
            match = matches[place]
            planned = planned_time.of(match.session.workout)
            done = match.activity.duration_s + sum(a.duration_s for a in joined.get(place, []))
            if planned > 0 and done < config.green_low * planned \
                    and done + activity.duration_s <= config.yellow_high * planned:
                joined.setdefault(place, []).append(activity)
                continue
        left.append(activity)
    if not joined:
        return matches, free
    return [m.model_copy(update={"also": joined[n]}) if n in joined else m for n, m in enumerate(matches)], left


def _linked(session: PlannedSession, activity: ActivitySummary) -> bool:
    return (session.remote_workout_id is not None and activity.associated_workout_id == session.remote_workout_id
            and (activity.session is None or _same_family(session, activity)))


def _same_family(session: PlannedSession, activity: ActivitySummary) -> bool:
    return session.workout.sport.family == activity.sport.family


def _pair(sessions: list[PlannedSession], activities: list[ActivitySummary],
          accept: Callable[[PlannedSession, ActivitySummary], bool], linked: bool,
          config: ComplianceConfig) -> list[Match]:
    """Greedy one-to-one pairing by (date distance, session order, activity order).

    Only the activities whose day falls in a session's window are looked at (a bisect over the
    activities sorted by day), so the work is n log n plus the pairs inside the windows, not every
    session against every activity.
    """
    by_day = sorted((activity.start.date(), a_order) for a_order, activity in enumerate(activities))
    days_only = [day for day, _ in by_day]
    planned_time = _PlannedTime()
    candidates = []
    for s_order, session in enumerate(sessions):
        low = bisect_left(days_only, session.date - timedelta(days=config.early_days))
        high = bisect_right(days_only, session.date + timedelta(days=config.late_days))
        for day, a_order in by_day[low:high]:
            activity = activities[a_order]
            if accept(session, activity):
                days = (day - session.date).days
                # on the session's own day too: two runs planned on one day go by their lengths (a 100-min
                # long run was scored as the 50-min easy run, probe coach12)
                unlike = _unlike(planned_time.of(session.workout), activity.duration_s)
                if days and unlike > SKILL_UNLIKE_MAX and SKILL_TAGS.intersection(session.workout.tags):
                    continue  # a 60-min run three days later is no 15-min drills session done late (coach10)
                candidates.append((abs(days), unlike, s_order, a_order, days))
    used_sessions: set[int] = set()
    used_activities: set[int] = set()
    chosen: list[tuple[int, int]] = []
    for _, _, s_order, a_order, _days in sorted(candidates):
        if s_order in used_sessions or a_order in used_activities:
            continue
        used_sessions.add(s_order)
        used_activities.add(a_order)
        chosen.append((s_order, a_order))
    known = {(c[2], c[3]): c for c in candidates}
    chosen = _swapped_by_length(chosen, known, [session.date for session in sessions])
    return [Match(session=sessions[s_order], activity=activities[a_order], linked=linked,
                  days_late=known[(s_order, a_order)][4]) for s_order, a_order in chosen]


def _swapped_by_length(chosen: list[tuple[int, int]], known: dict[tuple[int, int], tuple[int, float, int, int, int]],
                       dates: list[date]) -> list[tuple[int, int]]:
    """Two sessions of one day swap activities when that fits both lengths better (the greedy pass takes
    the single closest pair first: a 45-min run went to the 60-min session and left the 90-min run to
    the 30-min one, 75 % and 300 % instead of 150 % and 150 %; probe review17). Only swaps that keep
    each session's date distance are made."""
    by_date: dict[date, list[int]] = {}
    for index, (s_order, _a_order) in enumerate(chosen):
        by_date.setdefault(dates[s_order], []).append(index)
    pairs = list(chosen)
    for indices in by_date.values():
        improved = len(indices) > 1
        while improved:
            improved = False
            for i, j in ((i, j) for n, i in enumerate(indices) for j in indices[n + 1:]):
                (s1, a1), (s2, a2) = pairs[i], pairs[j]
                here, there = known.get((s1, a2)), known.get((s2, a1))
                if here is None or there is None or here[0] != known[(s1, a1)][0] or there[0] != known[(s2, a2)][0]:
                    continue
                if here[1] + there[1] < known[(s1, a1)][1] + known[(s2, a2)][1] - 1e-9:
                    pairs[i], pairs[j] = (s1, a2), (s2, a1)
                    improved = True
    return pairs


#: Skill sessions (drills, technique) are done on another day only by an activity of about their length:
#: at most twice or half as long (their point is the form, not the time).
SKILL_TAGS = frozenset({"drills", "technique"})
SKILL_UNLIKE_MAX = math.log(2.0)


def _unlike(planned_s: float, done_s: float) -> float:
    """How far a done time is from a planned one, as a factor either way (0: the same)."""
    if planned_s <= 0 or done_s <= 0:
        return math.inf
    return abs(math.log(done_s / planned_s))


class _PlannedTime:
    """Planned seconds of each workout object, worked out once (a season plans the same few workouts)."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Workout, float]] = {}  # the workout is kept: its id stays its own

    def of(self, workout: Workout) -> float:
        known = self._known.get(id(workout))
        if known is None:
            known = self._known[id(workout)] = (workout, rules.planned_seconds(workout))
        return known[1]
