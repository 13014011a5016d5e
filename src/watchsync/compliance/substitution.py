"""Cross-training done instead of a planned easy run counts as a substitution, not a miss.

"Cross-training is your friend" (the plans' rules, Tanaka 1994): an aerobic ride, swim or ski done
instead of an easy run keeps the aerobic work with less impact. After matching, each easy run left
missed or pending is paired with an unplanned activity of a cross-training family
(``config.substitution_families``) within ``config.substitution_days`` of its date (the nearest
first, then the earlier session); the pair becomes a match marked ``substitute``. Only easy runs
are substituted: at least 80 % of the planned time easy (:func:`watchsync.rules.is_easy`), not a
long run (tag ``long``), since a ride does not prepare the legs for the long run's impact, and not a
skill session (tags ``technique``, ``drills``, ``strides``, ``downhill``: running form is their point,
which a ski tour does not train; a 110-minute tour was "Downhill technique done, 314 %", probe coach10),
and not a session still to come (dated after ``today``; of today only by an activity of today: a
Friday ski tour is no Saturday run until Saturday has passed without one, probes coach11, review15).
Configurable: ``config.substitute_cross_training`` (on by default), ``substitution_days`` (1),
``substitution_families``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from watchsync import rules
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.match import Match, MatchResult
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Step, Workout

#: A planned run is easy when at least this share of its planned time is easy.
EASY_RUN_SHARE = 0.8
#: Tags of runs no cross-training stands in for: the long run (impact) and skill sessions (running form).
NOT_SUBSTITUTED_TAGS = frozenset({"long", "technique", "drills", "strides", "downhill"})


def is_easy_run(workout: Workout, athlete: Athlete | None = None) -> bool:
    """A run that a cross-training session may stand in for (module docstring); ``athlete`` reads a
    resolved step's bpm or m/s (``70-85% LTHR`` once resolved) against their thresholds."""
    if workout.sport.family != "run" or NOT_SUBSTITUTED_TAGS.intersection(tag.lower() for tag in workout.tags):
        return False
    steps = workout.flat_steps()

    def easy(step: Step) -> bool:
        return rules.athlete_band(step, "run", athlete) == "easy" if athlete is not None else rules.is_easy(step)

    total = sum(rules.planned_step_seconds(s, "run") for s in steps)
    easy_seconds = sum(rules.planned_step_seconds(s, "run") for s in steps if easy(s))
    return total > 0 and easy_seconds >= EASY_RUN_SHARE * total


def substitute_cross_training(matched: MatchResult, config: ComplianceConfig | None = None,
                              today: date | None = None, athlete: Athlete | None = None) -> MatchResult:
    """``matched`` with cross-training substitutions for missed or pending easy runs (up to ``today``)."""
    config = config or ComplianceConfig()
    if not config.substitute_cross_training:
        return matched
    open_runs = sorted((s for s in [*matched.missed, *matched.pending]
                        if is_easy_run(s.workout, athlete) and (today is None or s.date <= today)),
                       key=lambda s: (s.date, s.id))
    passed = (lambda day: True) if today is None else (lambda day: day < today)
    by_day: dict[date, list[ActivitySummary]] = defaultdict(list)  # the free activities, by day
    for activity in matched.unplanned:
        if activity.sport.family in config.substitution_families:
            by_day[activity.start.date()].append(activity)
    taken: set[str] = set()
    pairs: list[Match] = []
    for session in open_runs:
        # until its day has passed, a session is stood in for only by what was done on its day: Saturday's
        # run may still be run on Saturday after Friday's ski tour (probe review15)
        offsets = range(-config.substitution_days, config.substitution_days + 1) if passed(session.date) else (0,)
        near = [(abs(offset), activity.start, activity.id, activity) for offset in offsets
                for activity in by_day.get(session.date + timedelta(days=offset), ()) if activity.id not in taken]
        if not near:
            continue
        activity = min(near, key=lambda candidate: candidate[:3])[3]
        legs = _other_legs(activity, by_day[activity.start.date()], taken)
        taken.update([activity.id, *(leg.id for leg in legs)])
        pairs.append(Match(session=session, activity=activity, linked=False,
                           days_late=(activity.start.date() - session.date).days, substitute=True, also=legs))
    if not pairs:
        return matched
    done = {m.session.id for m in pairs}
    used = {a.id for m in pairs for a in (m.activity, *m.also)}
    return MatchResult(
        matches=sorted([*matched.matches, *pairs], key=lambda m: (m.session.date, m.session.id)),
        missed=[s for s in matched.missed if s.id not in done],
        pending=[s for s in matched.pending if s.id not in done],
        unplanned=[a for a in matched.unplanned if a.id not in used])


def _other_legs(activity: ActivitySummary, free: list[ActivitySummary], taken: set[str]) -> list[ActivitySummary]:
    """The free cross-training legs of ``activity``'s multisport file (``<id>#2``, ``<id>#3``): one workout of bike
    and row legs stands in for the run as a whole (one leg read "13m57s / 45m (31%)"; probe fit14)."""
    if "#" not in activity.id:
        return []
    file_id = activity.id.partition("#")[0]
    return sorted((leg for leg in free if leg is not activity and leg.id not in taken
                   and leg.id.partition("#")[0] == file_id), key=lambda leg: leg.start)
