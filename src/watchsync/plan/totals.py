"""Per-session facts and weekly totals of a plan (time, distance estimate, intensity, load)."""

from __future__ import annotations

from dataclasses import dataclass

from watchsync.model.athlete import Athlete
from watchsync.plan.model import Plan, Session, WeekFocus
from watchsync.plan.stats import SessionFacts, session_facts
from watchsync.rules import speeds_for


@dataclass(frozen=True)
class PlacedFacts:
    """One session's facts with its place in the plan (weeks from 1, days 0 = Monday)."""

    week: int
    day: int
    session: Session
    facts: SessionFacts


@dataclass(frozen=True)
class WeekTotals:
    """The sums of one week."""

    week: int
    focus: WeekFocus
    sessions: int
    minutes: float
    run_minutes: float
    run_km: float
    easy_run_minutes: float
    moderate_run_minutes: float
    hard_run_minutes: float
    load: float
    long_run_minutes: float
    rest_days: int

    @property
    def easy_share(self) -> float:
        """Share of running time at easy intensity (1.0 for a week without running)."""
        return self.easy_run_minutes / self.run_minutes if self.run_minutes else 1.0


def placed_facts(plan: Plan, athlete: Athlete | None = None) -> list[PlacedFacts]:
    """Facts of every session in plan order; running speed from ``athlete`` when given."""
    speed = speeds_for(athlete)
    return [PlacedFacts(number, day, session, session_facts(session.workout, speed, athlete))
            for number, week in enumerate(plan.weeks, start=1)
            for day in sorted(week.days)
            for session in week.days[day]]


def week_totals(plan: Plan, facts: list[PlacedFacts]) -> list[WeekTotals]:
    """One :class:`WeekTotals` per week of ``plan`` from its :func:`placed_facts`."""
    totals = []
    for number, week in enumerate(plan.weeks, start=1):
        mine = [p.facts for p in facts if p.week == number]
        runs = [f for f in mine if f.is_run]
        totals.append(WeekTotals(
            week=number, focus=week.focus, sessions=sum(1 for f in mine if not f.day_off),  # "- OFF": none
            minutes=sum(f.minutes for f in mine),
            run_minutes=sum(f.minutes for f in runs),
            run_km=sum(f.meters for f in runs) / 1000,
            easy_run_minutes=sum(f.easy_seconds for f in runs) / 60,
            moderate_run_minutes=sum(f.moderate_seconds for f in runs) / 60,
            hard_run_minutes=sum(f.hard_seconds for f in runs) / 60,
            load=sum(f.load for f in mine),
            # the run tagged long (a strides run can be longer than a beginner's long run), else the longest
            long_run_minutes=max((f.minutes for f in runs if f.is_long_run), default=0.0)
            or max((f.minutes for f in runs), default=0.0),
            rest_days=sum(1 for day in range(7)
                          if all(p.facts.day_off for p in facts if p.week == number and p.day == day)),
        ))
    return totals
