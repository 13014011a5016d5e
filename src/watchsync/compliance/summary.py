"""Weekly and plan-level compliance summaries (weeks start on Monday).

Completion counts sessions whose window has closed or that were done: done / (done + missed);
pending sessions are left out. "Done" time and distance are all activities of the week, planned
or not; time is the timer (moving) time. The easy share is easy time over the time with a valid
heart rate only (a ride without a strap adds nothing to either); the time without heart rate is
reported beside it. The load series (for ACWR, monotony, strain) uses ``config.load_metric`` per day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from watchsync import rules
from watchsync.compliance.acwr_series import AcwrSeries
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.load import ActivityLoad, Run, long_run_spikes, monotony
from watchsync.compliance.match import MatchResult, PlannedSession
from watchsync.compliance.score import DEFAULT_EASY_SPEED
from watchsync.model.workout import Workout

RUN_FAMILY = "run"
DAYS_PER_WEEK = 7


class Totals(BaseModel):
    """Counts and volumes shared by weekly and plan summaries."""

    model_config = ConfigDict(frozen=True)

    planned_sessions: int
    done: int
    missed: int
    pending: int
    unplanned: int
    completion: float | None
    planned_seconds: float
    planned_meters: float
    done_seconds: float
    done_meters: float
    #: The share of running time with heart rate spent under the easy ceiling (runs only: a ride's or a swim's
    #: heart rate is not judged against the running ceiling), and that running time with and without heart rate.
    easy_share: float | None
    hr_seconds: float = 0.0
    no_hr_seconds: float = 0.0
    #: Distance per sport family (run, bike, swim, ski, ...): sports are never added together.
    planned_meters_by_family: dict[str, float] = {}
    done_meters_by_family: dict[str, float] = {}
    #: The planned time of the sessions due by today (None without a today): what the time done compares to.
    planned_seconds_to_date: float | None = None


class WeekSummary(BaseModel):
    """One week: totals, load indicators and flags."""

    model_config = ConfigDict(frozen=True)

    week_start: date
    totals: Totals
    load: float
    acwr: float | None
    monotony: float | None
    strain: float | None
    flags: list[str]


class PlanSummary(BaseModel):
    """The whole plan: totals over all weeks and every flag raised."""

    model_config = ConfigDict(frozen=True)

    totals: Totals
    weeks: list[WeekSummary]
    flags: list[str]


def summarize(planned: list[PlannedSession], matched: MatchResult, loads: list[ActivityLoad],
              config: ComplianceConfig | None = None, easy_speed: rules.SpeedLike = DEFAULT_EASY_SPEED,
              today: date | None = None, ratios: AcwrSeries | None = None,
              history: Sequence[ActivityLoad] | None = None) -> PlanSummary:
    """Weekly summaries from the first to the last planned or done week, and the plan totals.

    A week's ACWR is its last day's; the week holding ``today`` (not over yet) takes today's and has
    no monotony or strain (Foster's are of a whole week: the days to come would count as rest).
    ``ratios``: the athlete's ACWR over their whole history (else one over ``loads``), so that a week
    has the same ratio whichever weeks are summarised; ``history`` (the loads of that whole history) the
    same for the long-run spikes, whose 30-day look-back a week's view cut short (probe review19).
    """
    config = config or ComplianceConfig()
    days = [s.date for s in planned] + [load.day for load in loads]
    if not days:
        return PlanSummary(totals=_totals(planned, matched, loads, easy_speed, config, today=today), weeks=[],
                           flags=[])
    first, last = _monday(min(days)), _monday(max(days))
    daily = _daily_loads(loads, first, last + timedelta(days=DAYS_PER_WEEK - 1), config)
    if ratios is None:
        ratios = AcwrSeries(loads, config.load_metric, config.acwr_acute_days, config.acwr_chronic_days)
    runs = [Run(load.activity_id, load.day, load.duration_s / 60) for load in (loads if history is None else history)
            if load.sport_family == RUN_FAMILY and load.duration_s > 0]
    spikes = long_run_spikes(runs, config.long_run_spike_ratio, config.long_run_lookback_days)
    volumes = _Volumes(easy_speed)
    planned_by_week = _by_week(planned, lambda s: s.date)
    loads_by_week = _by_week(loads, lambda load: load.day)
    spikes_by_week = _by_week(spikes, lambda s: s.day)
    matched_by_week = _matched_by_week(matched)
    weeks = []
    week = first
    while week <= last:
        offset = (week - first).days
        week_daily = daily[offset:offset + DAYS_PER_WEEK]
        running = today is not None and week <= today < week + timedelta(days=DAYS_PER_WEEK)
        days_known = (today - week).days + 1 if today is not None and running else DAYS_PER_WEEK
        end_day = week + timedelta(days=days_known - 1)
        end_ratio = ratios.ratio(end_day)
        week_monotony = None if running else monotony(week_daily)  # once: pstdev is exact (fractions), hence slow
        flags = _load_flags(week_monotony, end_ratio, ratios.history_days(end_day), config)
        flags += [f"long-run spike {s.day}: {s.minutes:.0f} min is {s.ratio:.0%} of the longest "
                  f"run of the previous {config.long_run_lookback_days} days ({s.previous_longest_minutes:.0f} min)"
                  + (" (short history)" if s.short_history else "")
                  for s in spikes_by_week.get(week, [])]
        totals = _totals(planned_by_week.get(week, []), matched_by_week.get(week, _EMPTY),
                         loads_by_week.get(week, []), easy_speed, config, volumes, today=today)
        if totals.easy_share is not None and totals.easy_share < config.easy_share_target:
            flags.append(f"easy share {totals.easy_share:.0%} is below {config.easy_share_target:.0%}")
        weeks.append(WeekSummary(week_start=week, totals=totals, load=sum(week_daily), acwr=end_ratio,
                                 monotony=week_monotony,
                                 strain=None if week_monotony is None else sum(week_daily) * week_monotony,
                                 flags=flags))
        week += timedelta(days=DAYS_PER_WEEK)
    return PlanSummary(totals=_totals(planned, matched, loads, easy_speed, config, volumes, today=today), weeks=weeks,
                       flags=[f"week of {w.week_start}: {flag}" for w in weeks for flag in w.flags])


_EMPTY = MatchResult(matches=[], missed=[], pending=[], unplanned=[])


class _Volumes:
    """Planned (seconds, meters) of each workout (:mod:`watchsync.rules`), worked out once per workout
    object (a season plans the same few workouts hundreds of times)."""

    def __init__(self, easy_speed: rules.SpeedLike) -> None:
        self._easy_speed = easy_speed
        self._known: dict[int, tuple[Workout, float, float]] = {}  # the workout is kept: its id stays its own

    def of(self, workout: Workout) -> tuple[float, float]:
        known = self._known.get(id(workout))
        if known is None:
            known = (workout, rules.planned_seconds(workout, self._easy_speed),
                     rules.planned_meters(workout, self._easy_speed))
            self._known[id(workout)] = known
        return known[1], known[2]


def _by_week[T](items: Iterable[T], day_of: Callable[[T], date]) -> dict[date, list[T]]:
    """``items`` grouped by the Monday of their day, each group in the items' order."""
    groups: dict[date, list[T]] = defaultdict(list)
    for item in items:
        groups[_monday(day_of(item))].append(item)
    return groups


def _matched_by_week(matched: MatchResult) -> dict[date, MatchResult]:
    """One :class:`MatchResult` per week (sessions by their planned day, unplanned by the activity's)."""
    matches = _by_week(matched.matches, lambda m: m.session.date)
    missed = _by_week(matched.missed, lambda s: s.date)
    pending = _by_week(matched.pending, lambda s: s.date)
    unplanned = _by_week(matched.unplanned, lambda a: a.start.date())
    return {week: MatchResult.model_construct(matches=matches.get(week, []), missed=missed.get(week, []),
                                              pending=pending.get(week, []), unplanned=unplanned.get(week, []))
            for week in {*matches, *missed, *pending, *unplanned}}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _daily_loads(loads: list[ActivityLoad], first: date, last: date, config: ComplianceConfig) -> list[float]:
    per_day: dict[date, float] = defaultdict(float)
    for load in loads:
        per_day[load.day] += load.load(config.load_metric)
    return [per_day[first + timedelta(days=i)] for i in range((last - first).days + 1)]


def _load_flags(value: float | None, ratio: float | None, history_days: int,
                config: ComplianceConfig) -> list[str]:
    """Flags of a week with monotony ``value`` whose last day has ACWR ``ratio``."""
    flags = []
    if ratio is not None and ratio >= config.acwr_flag and history_days >= config.acwr_min_history_days:
        flags.append(f"ACWR {ratio:.2f} is at or above {config.acwr_flag:g} (informational)")
    if value is not None and value >= config.monotony_critical:
        flags.append(f"monotony {value:.2f} is at or above {config.monotony_critical:g} (critical)")
    elif value is not None and value >= config.monotony_warn:
        flags.append(f"monotony {value:.2f} is at or above {config.monotony_warn:g}")
    return flags


def _totals(planned: list[PlannedSession], matched: MatchResult, loads: list[ActivityLoad],
            easy_speed: rules.SpeedLike, config: ComplianceConfig, volumes: _Volumes | None = None, *,
            today: date | None = None) -> Totals:
    """Totals of these sessions and activities; ``volumes`` remembers each workout's estimates."""
    volumes = _Volumes(easy_speed) if volumes is None else volumes
    done, missed = len(matched.matches), len(matched.missed)
    runs = [load for load in loads if load.sport_family == RUN_FAMILY]  # the easy share is of running
    hr_seconds = sum(load.hr_seconds or 0.0 for load in runs)
    easy_seconds = sum(load.easy_seconds or 0.0 for load in runs)
    return Totals(
        planned_sessions=len(planned),
        done=done,
        missed=missed,
        pending=len(matched.pending),
        unplanned=len(matched.unplanned),
        completion=done / (done + missed) if done + missed else None,
        planned_seconds=sum(volumes.of(s.workout)[0] for s in planned),
        planned_meters=sum(volumes.of(s.workout)[1] for s in planned),
        done_seconds=sum(load.duration_s for load in loads),
        done_meters=sum(load.distance_m or 0.0 for load in loads),
        easy_share=easy_seconds / hr_seconds if hr_seconds > 0 else None,
        hr_seconds=hr_seconds,
        no_hr_seconds=sum(load.no_hr_seconds or 0.0 for load in runs),
        planned_meters_by_family=_by_family(
            (s.workout.sport.family, volumes.of(s.workout)[1]) for s in planned),
        done_meters_by_family=_by_family((load.sport_family, load.distance_m or 0.0) for load in loads),
        planned_seconds_to_date=None if today is None else
        sum(volumes.of(s.workout)[0] for s in planned if s.date <= today),
    )


def _by_family(amounts: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Metres per sport family, families without distance left out, run first then by name."""
    sums: dict[str, float] = defaultdict(float)
    for family, meters in amounts:
        sums[family] += meters
    return {family: sums[family] for family in sorted(sums, key=lambda f: (f != RUN_FAMILY, f)) if sums[family] > 0}
