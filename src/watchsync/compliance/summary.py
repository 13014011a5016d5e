"""Weekly and plan-level compliance summaries (weeks start on Monday).

Completion counts sessions whose window has closed or that were done: done / (done + missed);
pending sessions are left out. "Done" time and distance are all activities of the week, planned
or not. The load series (for ACWR, monotony, strain) uses ``config.load_metric`` per day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import partial

from pydantic import BaseModel, ConfigDict

from watchsync import rules
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.load import ActivityLoad, Run, acwr, long_run_spikes, monotony, strain
from watchsync.compliance.match import MatchResult, PlannedSession
from watchsync.compliance.score import DEFAULT_EASY_SPEED

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
    easy_share: float | None
    #: Distance per sport family (run, bike, swim, ski, ...): sports are never added together.
    planned_meters_by_family: dict[str, float] = {}
    done_meters_by_family: dict[str, float] = {}


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
              config: ComplianceConfig | None = None, easy_speed: rules.SpeedLike = DEFAULT_EASY_SPEED) -> PlanSummary:
    """Weekly summaries from the first to the last planned or done week, and the plan totals."""
    config = config or ComplianceConfig()
    days = [s.date for s in planned] + [load.day for load in loads]
    if not days:
        return PlanSummary(totals=_totals(planned, matched, loads, easy_speed, config), weeks=[], flags=[])
    first, last = _monday(min(days)), _monday(max(days))
    daily = _daily_loads(loads, first, last + timedelta(days=DAYS_PER_WEEK - 1), config)
    ratios = acwr(daily, config.acwr_acute_days, config.acwr_chronic_days)
    runs = [Run(load.activity_id, load.day, load.duration_s / 60) for load in loads
            if load.sport_family == RUN_FAMILY and load.duration_s > 0]
    spikes = long_run_spikes(runs, config.long_run_spike_ratio, config.long_run_lookback_days)
    weeks = []
    week = first
    while week <= last:
        offset = (week - first).days
        in_week = partial(_in_week, week)
        week_daily = daily[offset:offset + DAYS_PER_WEEK]
        end_ratio = ratios[offset + DAYS_PER_WEEK - 1]
        flags = _load_flags(week_daily, end_ratio, offset + DAYS_PER_WEEK, config)
        flags += [f"long-run spike {s.day}: {s.minutes:.0f} min is {s.ratio:.0%} of the longest "
                  f"run of the previous {config.long_run_lookback_days} days ({s.previous_longest_minutes:.0f} min)"
                  + (" (short history)" if s.short_history else "")
                  for s in spikes if in_week(s.day)]
        totals = _totals([s for s in planned if in_week(s.date)], _restrict(matched, in_week),
                         [load for load in loads if in_week(load.day)], easy_speed, config)
        if totals.easy_share is not None and totals.easy_share < config.easy_share_target:
            flags.append(f"easy share {totals.easy_share:.0%} is below {config.easy_share_target:.0%}")
        weeks.append(WeekSummary(week_start=week, totals=totals, load=sum(week_daily), acwr=end_ratio,
                                 monotony=monotony(week_daily), strain=strain(week_daily), flags=flags))
        week += timedelta(days=DAYS_PER_WEEK)
    return PlanSummary(totals=_totals(planned, matched, loads, easy_speed, config), weeks=weeks,
                       flags=[f"week of {w.week_start}: {flag}" for w in weeks for flag in w.flags])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _in_week(monday: date, day: date) -> bool:
    return 0 <= (day - monday).days < DAYS_PER_WEEK


def _daily_loads(loads: list[ActivityLoad], first: date, last: date, config: ComplianceConfig) -> list[float]:
    per_day: dict[date, float] = defaultdict(float)
    for load in loads:
        per_day[load.day] += load.load(config.load_metric)
    return [per_day[first + timedelta(days=i)] for i in range((last - first).days + 1)]


def _load_flags(week_daily: list[float], ratio: float | None, history_days: int,
                config: ComplianceConfig) -> list[str]:
    flags = []
    if ratio is not None and ratio >= config.acwr_flag and history_days >= config.acwr_min_history_days:
        flags.append(f"ACWR {ratio:.2f} is at or above {config.acwr_flag:g} (informational)")
    value = monotony(week_daily)
    if value is not None and value >= config.monotony_critical:
        flags.append(f"monotony {value:.2f} is at or above {config.monotony_critical:g} (critical)")
    elif value is not None and value >= config.monotony_warn:
        flags.append(f"monotony {value:.2f} is at or above {config.monotony_warn:g}")
    return flags


def _restrict(matched: MatchResult, in_week: Callable[[date], bool]) -> MatchResult:
    return MatchResult(
        matches=[m for m in matched.matches if in_week(m.session.date)],
        missed=[s for s in matched.missed if in_week(s.date)],
        pending=[s for s in matched.pending if in_week(s.date)],
        unplanned=[a for a in matched.unplanned if in_week(a.start.date())],
    )


def _totals(planned: list[PlannedSession], matched: MatchResult, loads: list[ActivityLoad],
            easy_speed: rules.SpeedLike, config: ComplianceConfig) -> Totals:
    done, missed = len(matched.matches), len(matched.missed)
    hr_seconds = sum(load.hr_seconds or 0.0 for load in loads)
    easy_seconds = sum(load.easy_seconds or 0.0 for load in loads)
    return Totals(
        planned_sessions=len(planned),
        done=done,
        missed=missed,
        pending=len(matched.pending),
        unplanned=len(matched.unplanned),
        completion=done / (done + missed) if done + missed else None,
        planned_seconds=sum(rules.planned_seconds(s.workout, easy_speed) for s in planned),
        planned_meters=sum(rules.planned_meters(s.workout, easy_speed) for s in planned),
        done_seconds=sum(load.duration_s for load in loads),
        done_meters=sum(load.distance_m or 0.0 for load in loads),
        easy_share=easy_seconds / hr_seconds if hr_seconds > 0 else None,
        planned_meters_by_family=_by_family(
            (s.workout.sport.family, rules.planned_meters(s.workout, easy_speed)) for s in planned),
        done_meters_by_family=_by_family((load.sport_family, load.distance_m or 0.0) for load in loads),
    )


def _by_family(amounts: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Metres per sport family, families without distance left out, run first then by name."""
    sums: dict[str, float] = defaultdict(float)
    for family, meters in amounts:
        sums[family] += meters
    return {family: sums[family] for family in sorted(sums, key=lambda f: (f != RUN_FAMILY, f)) if sums[family] > 0}
