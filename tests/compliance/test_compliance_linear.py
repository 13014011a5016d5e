"""Matching, long-run spikes and weekly summaries: the sweeps give what the old pairwise loops gave.

The ``_reference_*`` functions are the pairwise (quadratic) implementations as they were before the
sweeps replaced them, kept verbatim as an oracle. Random seasons (dense and sparse weeks, several
sports, Garmin links, activities on the same day, short and long windows) go through both; the
results must be equal, model for model. A last check counts the pairs matching looks at: a pairwise
loop looks at sessions × activities.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import pytest

from watchsync import rules
from watchsync.compliance import match as match_module
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.load import ActivityLoad, LongRunSpike, Run, long_run_spikes
from watchsync.compliance.match import Match, MatchResult, PlannedSession, match_sessions
from watchsync.compliance.substitution import is_easy_run, substitute_cross_training
from watchsync.compliance.summary import PlanSummary, Totals, WeekSummary, summarize
from watchsync.model.workout import DistanceDuration, Sport, Step, TimeDuration, Workout
from watchsync.rules import is_spike

FIRST = date(2024, 1, 1)
SPORTS = (Sport.RUNNING, Sport.TRAIL_RUNNING, Sport.CYCLING, Sport.POOL_SWIM, Sport.STRENGTH)


# --- the reference: the pairwise implementations as they were ---------------------------------


def _reference_match(planned: list[PlannedSession], activities: list[ActivitySummary], *, today: date,
                     config: ComplianceConfig) -> MatchResult:
    matches: list[Match] = []
    free_sessions = sorted(planned, key=lambda s: (s.date, s.id))
    free_activities = sorted(activities, key=lambda a: (a.start, a.id))
    for linked in (True, False):
        accept = _linked if linked else _same_family
        matches += _reference_pair(free_sessions, free_activities, accept, linked, config)
        done_sessions = {m.session.id for m in matches}
        done_activities = {m.activity.id for m in matches}
        free_sessions = [s for s in free_sessions if s.id not in done_sessions]
        free_activities = [a for a in free_activities if a.id not in done_activities]
    matches, free_activities = _reference_split_runs(matches, free_activities, config)
    return MatchResult(
        matches=sorted(matches, key=lambda m: (m.session.date, m.session.id)),
        missed=[s for s in free_sessions if (today - s.date).days > config.late_days],
        pending=[s for s in free_sessions if (today - s.date).days <= config.late_days],
        unplanned=free_activities,
    )


def _reference_split_runs(matches: list[Match], free: list[ActivitySummary], config: ComplianceConfig,
                          ) -> tuple[list[Match], list[ActivitySummary]]:
    """Each free activity against every match: the first match of its day and family takes it while
    short of green and within yellow."""
    pieces: list[list[ActivitySummary]] = [[] for _ in matches]
    left = []
    for activity in free:
        same = [i for i, m in enumerate(matches) if m.activity.start.date() == activity.start.date()
                and m.activity.sport.family == activity.sport.family]
        if same:
            match, planned = matches[same[0]], rules.planned_seconds(matches[same[0]].session.workout)
            done = match.activity.duration_s + sum(a.duration_s for a in pieces[same[0]])
            if planned > 0 and done < config.green_low * planned and done + activity.duration_s <= (
                    config.yellow_high * planned):
                pieces[same[0]].append(activity)
                continue
        left.append(activity)
    return [m.model_copy(update={"also": p}) if p else m for m, p in zip(matches, pieces, strict=True)], left


def _linked(session: PlannedSession, activity: ActivitySummary) -> bool:
    return session.remote_workout_id is not None and activity.associated_workout_id == session.remote_workout_id


def _same_family(session: PlannedSession, activity: ActivitySummary) -> bool:
    return session.workout.sport.family == activity.sport.family


def _reference_pair(sessions: list[PlannedSession], activities: list[ActivitySummary],
                    accept: Callable[[PlannedSession, ActivitySummary], bool], linked: bool,
                    config: ComplianceConfig) -> list[Match]:
    candidates = []
    for s_order, session in enumerate(sessions):
        for a_order, activity in enumerate(activities):
            days = (activity.start.date() - session.date).days
            if -config.early_days <= days <= config.late_days and accept(session, activity):
                planned_s = rules.planned_seconds(session.workout)  # a day off: the closer planned time first
                unlike = (abs(math.log(activity.duration_s / planned_s)) if planned_s > 0 and activity.duration_s > 0
                          else math.inf)  # on its own day too: two sessions of a day go by length (coach12)
                candidates.append((abs(days), unlike, s_order, a_order, days))
    used_sessions: set[int] = set()
    used_activities: set[int] = set()
    chosen = []
    for _, _, s_order, a_order, _days in sorted(candidates):
        if s_order in used_sessions or a_order in used_activities:
            continue
        used_sessions.add(s_order)
        used_activities.add(a_order)
        chosen.append([s_order, a_order])
    known = {(c[2], c[3]): c for c in candidates}
    swapped = True  # sessions of one day swap activities when both fit their lengths better (review17)
    while swapped:
        swapped = False
        for first in chosen:
            for second in chosen:
                if first is second or sessions[first[0]].date != sessions[second[0]].date:
                    continue
                now = known[(first[0], first[1])], known[(second[0], second[1])]
                then = known.get((first[0], second[1])), known.get((second[0], first[1]))
                if then[0] is not None and then[1] is not None and (then[0][0], then[1][0]) == (now[0][0], now[1][0]) \
                        and then[0][1] + then[1][1] < now[0][1] + now[1][1] - 1e-9:
                    first[1], second[1] = second[1], first[1]
                    swapped = True
    return [Match(session=sessions[s], activity=activities[a], linked=linked, days_late=known[(s, a)][4])
            for s, a in chosen]


def _reference_spikes(runs: list[Run], ratio: float, lookback_days: int) -> list[LongRunSpike]:
    spikes = []
    first_day = min((r.day for r in runs), default=None)
    for run in sorted(runs, key=lambda r: r.day):
        window = [r.minutes for r in runs if run.day - timedelta(days=lookback_days) <= r.day < run.day]
        longest = max(window, default=None)
        if longest is not None and is_spike(run.minutes, longest, ratio):
            spikes.append(LongRunSpike(activity_id=run.id, day=run.day, minutes=run.minutes,
                                       previous_longest_minutes=longest, ratio=run.minutes / longest,
                                       short_history=first_day is not None
                                       and run.day - first_day < timedelta(days=lookback_days)))
    return spikes


def _in_week(monday: date, day: date) -> bool:
    return 0 <= (day - monday).days < 7


def _reference_weeks(planned: list[PlannedSession], matched: MatchResult, loads: list[ActivityLoad],
                     summary: PlanSummary, config: ComplianceConfig, easy_speed: float) -> list[Totals]:
    """Each week's totals through the old per-week list filters, over the same weeks."""
    from watchsync.compliance.summary import _totals

    totals = []
    for week in summary.weeks:
        in_week = partial(_in_week, week.week_start)
        restricted = MatchResult(
            matches=[m for m in matched.matches if in_week(m.session.date)],
            missed=[s for s in matched.missed if in_week(s.date)],
            pending=[s for s in matched.pending if in_week(s.date)],
            unplanned=[a for a in matched.unplanned if in_week(a.start.date())])
        totals.append(_totals([s for s in planned if in_week(s.date)], restricted,
                              [load for load in loads if in_week(load.day)], easy_speed, config))
    return totals


# --- generated seasons -------------------------------------------------------------------------


def _season(seed: int, weeks: int) -> tuple[list[PlannedSession], list[ActivitySummary], list[ActivityLoad]]:
    rng = random.Random(seed)
    workouts = {sport: Workout(name=sport.value, sport=sport, steps=[Step(duration=TimeDuration(seconds=1800)),
                                                                      Step(duration=DistanceDuration(meters=2000))])
                for sport in SPORTS}
    planned: list[PlannedSession] = []
    activities: list[ActivitySummary] = []
    loads: list[ActivityLoad] = []
    for week in range(weeks):
        per_week = rng.choice((0, 2, 5, 7, 10))  # empty weeks, and weeks with two sessions a day
        for n in range(per_week):
            day = FIRST + timedelta(weeks=week, days=rng.randrange(7))
            sport = rng.choice(SPORTS)
            remote = rng.choice((None, None, 100 + rng.randrange(30)))
            planned.append(PlannedSession(id=f"s{week}-{n}", date=day, workout=workouts[sport],
                                          remote_workout_id=remote))
            if rng.random() < 0.8:
                done_sport = sport if rng.random() < 0.85 else rng.choice(SPORTS)
                link = remote if remote is not None and rng.random() < 0.5 else rng.choice((None, 100 + n))
                shifted = day + timedelta(days=rng.randint(-3, 7))
                _add(activities, loads, rng, f"a{week}-{n}", shifted, done_sport, link)
        for n in range(rng.choice((0, 0, 1, 3))):  # unplanned
            _add(activities, loads, rng, f"u{week}-{n}", FIRST + timedelta(weeks=week, days=rng.randrange(7)),
                 rng.choice(SPORTS), None)
    rng.shuffle(planned)
    rng.shuffle(activities)
    return planned, activities, loads


def _add(activities: list[ActivitySummary], loads: list[ActivityLoad], rng: random.Random, id: str, day: date,
         sport: Sport, link: int | None) -> None:
    start = datetime.combine(day, time(rng.randrange(5, 21), rng.randrange(60)), UTC)
    distance = rng.choice((None, 0.0, float(rng.randrange(1000, 40000)), 10000.0))  # ties on purpose
    seconds = float(rng.randrange(600, 10800))
    activities.append(ActivitySummary(id=id, sport=sport, start=start, duration_s=seconds, distance_m=distance,
                                      associated_workout_id=link))
    hr = rng.choice((None, seconds))
    loads.append(ActivityLoad(activity_id=id, day=day, sport_family=sport.family, duration_s=seconds,
                              distance_m=distance, srpe=rng.choice((None, 300.0)), trimp=rng.random() * 200,
                              easy_seconds=None if hr is None else hr * rng.random(), hr_seconds=hr))


CONFIGS = (ComplianceConfig(), ComplianceConfig(early_days=0, late_days=0),
           ComplianceConfig(early_days=3, late_days=10, long_run_lookback_days=7, long_run_spike_ratio=1.0))


@pytest.mark.parametrize("seed", range(12))
def test_matching_equals_the_pairwise_reference(seed: int) -> None:
    planned, activities, _ = _season(seed, weeks=30)
    config = CONFIGS[seed % len(CONFIGS)]
    today = FIRST + timedelta(weeks=25)  # some sessions still pending, some activities after today
    expected = _reference_match(planned, activities, today=today, config=config)
    got = match_sessions(planned, activities, today=today, config=config)
    assert got == expected
    assert got.matches  # the season really pairs something


@pytest.mark.parametrize("seed", range(12))
def test_long_run_spikes_equal_the_pairwise_reference(seed: int) -> None:
    rng = random.Random(seed)
    runs = [Run(f"r{i}", FIRST + timedelta(days=rng.randrange(200)), rng.choice((0.0, 50.0, 100.0,
                                                                                float(rng.randrange(1, 300)))))
            for i in range(rng.randrange(1, 400))]
    for ratio, lookback in ((1.10, 30), (1.0, 1), (1.5, 7), (0.5, 90)):
        assert long_run_spikes(runs, ratio, lookback) == _reference_spikes(runs, ratio, lookback)


def test_long_run_spikes_of_no_runs_and_of_one_day() -> None:
    assert long_run_spikes([]) == []
    same_day = [Run("a", FIRST, 60.0), Run("b", FIRST, 120.0)]
    assert long_run_spikes(same_day) == _reference_spikes(same_day, 1.1, 30) == []


@pytest.mark.parametrize("seed", range(8))
def test_weekly_summaries_equal_the_per_week_filters(seed: int) -> None:
    planned, activities, loads = _season(100 + seed, weeks=20)
    config = CONFIGS[seed % len(CONFIGS)]
    today = FIRST + timedelta(weeks=18)
    matched = match_sessions(planned, activities, today=today, config=config)
    summary = summarize(planned, matched, loads, config, easy_speed=2.7)
    assert [w.totals for w in summary.weeks] == _reference_weeks(planned, matched, loads, summary, config, 2.7)
    runs = [Run(load.activity_id, load.day, load.duration_s / 60) for load in loads
            if load.sport_family == "run" and load.duration_s > 0]
    spikes = _reference_spikes(runs, config.long_run_spike_ratio, config.long_run_lookback_days)
    spike_flags = [flag for week in summary.weeks for flag in week.flags if flag.startswith("long-run spike")]
    assert len(spike_flags) == len(spikes) > 0
    assert all(isinstance(w, WeekSummary) for w in summary.weeks)


def test_matching_looks_only_inside_the_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A season of 2,000 sessions and activities: a pairwise loop would judge 4,000,000 pairs."""
    planned, activities, _ = _season(7, weeks=400)
    judged = 0
    original = match_module._same_family

    def counting(session: PlannedSession, activity: ActivitySummary) -> bool:
        nonlocal judged
        judged += 1
        return original(session, activity)

    monkeypatch.setattr(match_module, "_same_family", counting)
    result = match_sessions(planned, activities, today=FIRST + timedelta(weeks=401))
    assert len(planned) > 1500 and len(activities) > 1500
    assert result.matches
    assert judged < 20 * len(planned)  # about a week of activities per session, not all of them


def _reference_substitution(matched: MatchResult, config: ComplianceConfig) -> MatchResult:
    """Each open easy run against every free cross-training activity (the rule of substitution.py)."""
    open_runs = sorted((s for s in [*matched.missed, *matched.pending] if is_easy_run(s.workout)),
                       key=lambda s: (s.date, s.id))
    free = [a for a in matched.unplanned if a.sport.family in config.substitution_families]
    pairs: list[Match] = []
    for session in open_runs:
        near = [a for a in free if abs((a.start.date() - session.date).days) <= config.substitution_days]
        if not near:
            continue
        activity = min(near, key=lambda a: (abs((a.start.date() - session.date).days), a.start, a.id))
        free = [a for a in free if a.id != activity.id]
        pairs.append(Match(session=session, activity=activity, linked=False,
                           days_late=(activity.start.date() - session.date).days, substitute=True))
    done, used = {m.session.id for m in pairs}, {m.activity.id for m in pairs}
    return MatchResult(matches=sorted([*matched.matches, *pairs], key=lambda m: (m.session.date, m.session.id)),
                       missed=[s for s in matched.missed if s.id not in done],
                       pending=[s for s in matched.pending if s.id not in done],
                       unplanned=[a for a in matched.unplanned if a.id not in used])


@pytest.mark.parametrize("seed", range(8))
def test_substitution_equals_the_pairwise_reference(seed: int) -> None:
    planned, activities, _ = _season(seed, weeks=30)
    config = ComplianceConfig(substitution_days=1 + seed % 3)
    matched = match_sessions(planned, activities, today=FIRST + timedelta(weeks=25), config=config)
    got = substitute_cross_training(matched, config)
    assert got == _reference_substitution(matched, config)
    assert any(m.substitute for m in got.matches)  # the season really substitutes something
