"""Check a plan against the base-building rules (docs/plans.md): issues with week/day, weekly totals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from watchsync import rules as training_rules
from watchsync.describe import format_table
from watchsync.model.athlete import Athlete
from watchsync.model.units import METERS_PER_MILE, Units, default_pace_unit
from watchsync.plan.model import DAY_NAMES, Plan, WeekFocus
from watchsync.plan.rules import PlanRules
from watchsync.plan.spike import HISTORY_DAY, RunLog
from watchsync.plan.stats import SessionFacts
from watchsync.plan.totals import PlacedFacts, WeekTotals, placed_facts, week_totals


class Severity(StrEnum):
    """Errors fail ``plan lint``; warnings are advice."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One broken rule at one place (``day`` is 0 = Monday; None for a whole week)."""

    severity: Severity
    rule: str
    message: str
    week: int
    day: int | None = None
    line: int = 0

    def format(self, path: str) -> str:
        """``path:line: error: week 3 day sun: problem [rule]``."""
        day = f" day {DAY_NAMES[self.day]}" if self.day is not None else ""
        return f"{path}:{self.line}: {self.severity}: week {self.week}{day}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class LintReport:
    """The issues of a plan and its weekly totals."""

    issues: tuple[Issue, ...]
    weeks: tuple[WeekTotals, ...]

    @property
    def errors(self) -> list[Issue]:
        """The issues of severity error."""
        return [issue for issue in self.issues if issue.severity is Severity.ERROR]

    def rules_broken(self) -> set[str]:
        """The rule names with at least one issue."""
        return {issue.rule for issue in self.issues}


def lint_plan(plan: Plan, rules: PlanRules | None = None, athlete: Athlete | None = None) -> LintReport:
    """Every rule violation of ``plan`` plus its weekly totals (distances at the athlete's easy speed)."""
    rules = rules or PlanRules()
    facts = placed_facts(plan, athlete)
    totals = week_totals(plan, facts)
    checks: list[Callable[[Plan, list[PlacedFacts], list[WeekTotals], PlanRules], Iterator[Issue]]] = [
        _weekly_growth, _deload_cadence, _deload_depth, _easy_share, _long_run_spike, _hard_days,
        _beside_long_run, _rest_days, _counts]
    issues = [issue for check in checks for issue in check(plan, facts, totals, rules)]
    issues.sort(key=lambda issue: (issue.week, -1 if issue.day is None else issue.day, issue.rule))
    return LintReport(tuple(issues), tuple(totals))


def format_report(report: LintReport, path: str, units: Units = Units.METRIC) -> str:
    """The issues, one a line, then the weekly totals as a table."""
    lines = [issue.format(path) for issue in report.issues]
    summary = f"{len(report.errors)} error(s), {len(report.issues) - len(report.errors)} warning(s)"
    return "\n".join([*lines, format_totals(report, units), summary])


def format_totals(report: LintReport, units: Units = Units.METRIC) -> str:
    """The weekly totals as a table (running distance in miles for an imperial athlete)."""
    per = METERS_PER_MILE / 1000 if units is Units.IMPERIAL else 1.0
    rows = [[str(t.week), t.focus.value, str(t.sessions), f"{t.minutes:.0f}", f"{t.run_minutes:.0f}",
             f"{t.run_km / per:.1f}", f"{100 * t.easy_share:.0f}%",
             f"{t.easy_run_minutes:.0f}/{t.moderate_run_minutes:.0f}/{t.hard_run_minutes:.0f}",
             f"{t.load:.0f}", f"{t.long_run_minutes:.0f}", str(t.rest_days)] for t in report.weeks]
    table = format_table(["week", "focus", "sessions", "min", "run min", "run " + default_pace_unit("run", units),
                          "easy", "easy/mod/hard min", "sRPE load", "long run", "rest days"], rows)
    return table


def _line(plan: Plan, week: int, day: int | None = None) -> int:
    target = plan.weeks[week - 1]
    sessions = target.day_sessions(day) if day is not None else ()
    return sessions[0].line if sessions and sessions[0].line else target.line


def _issue(plan: Plan, severity: Severity, rule: str, message: str, week: int,
           day: int | None = None) -> Issue:
    return Issue(severity, rule, message, week, day, _line(plan, week, day))


def _weekly_growth(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
                   rules: PlanRules) -> Iterator[Issue]:
    history = plan.history.recent_weekly_minutes if plan.history else None
    reference, where = history, "the recent weekly average"
    running: float | None = None  # the impact a runner's legs take: running time grows by the same rule
    limit = 100 * rules.max_weekly_growth
    for total in totals:
        if total.focus is not WeekFocus.BUILD:
            continue
        if reference and total.minutes > reference * (1 + rules.max_weekly_growth) + 1e-6:
            growth = 100 * (total.minutes / reference - 1)
            yield _issue(plan, Severity.WARNING, "weekly-growth",
                         f"{total.minutes:.0f} min is {_percent(growth, limit)} above {reference:.0f} min of {where} "
                         f"(limit {limit:.0f} % a week)", total.week)
        elif running and total.run_minutes > running * (1 + rules.max_weekly_growth) + 1e-6:
            growth = 100 * (total.run_minutes / running - 1)  # cross-training cut to make room: +57 % of running
            yield _issue(plan, Severity.WARNING, "weekly-growth",
                         f"running {total.run_minutes:.0f} min is {_percent(growth, limit)} above {running:.0f} min "
                         f"of {where} (limit {limit:.0f} % a week)", total.week)
        reference, where, running = total.minutes, f"week {total.week}", total.run_minutes


def _percent(growth: float, limit: float) -> str:
    """``12 %``; ``10.2 %`` when the whole number would read as the limit itself ("10 % above, limit 10 %")."""
    return f"{growth:.1f} %" if round(growth) <= limit else f"{growth:.0f} %"


def _deload_cadence(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
                    rules: PlanRules) -> Iterator[Issue]:
    streak = 0
    for total in totals:
        streak = streak + 1 if total.focus is WeekFocus.BUILD else 0
        if streak == rules.max_build_streak + 1:
            yield _issue(plan, Severity.WARNING, "deload-cadence",
                         f"{streak} build weeks in a row: make every 3rd or 4th week a deload week",
                         total.week)


def _deload_depth(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
                  rules: PlanRules) -> Iterator[Issue]:
    builds = [t for t in totals if t.focus is WeekFocus.BUILD]
    for total in totals:
        before = [t for t in builds if t.week < total.week]
        if total.focus is not WeekFocus.DELOAD or not before or not before[-1].minutes:
            continue
        reference = before[-1]
        drop = 1 - total.minutes / reference.minutes
        if not rules.deload_drop_min - 1e-9 <= drop <= rules.deload_drop_max + 1e-9:
            yield _issue(plan, Severity.WARNING, "deload-depth",
                         f"deload week is {100 * abs(drop):.0f} % {'below' if drop >= 0 else 'above'} week "
                         f"{reference.week} "
                         f"({total.minutes:.0f} vs {reference.minutes:.0f} min); aim for "
                         f"{100 * rules.deload_drop_min:.0f}-{100 * rules.deload_drop_max:.0f} % less",
                         total.week)


def _easy_share(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
                rules: PlanRules) -> Iterator[Issue]:
    for total in totals:
        if total.easy_share < rules.min_easy_share - 1e-9:
            yield _issue(plan, Severity.ERROR, "easy-share",
                         f"only {100 * total.easy_share:.0f} % of running time is easy "
                         "(RPE ≤ 4, or a target in the easy band: zone 1-2, an easy pace or share); "
                         f"keep at least {100 * rules.min_easy_share:.0f} %", total.week)


def _long_run_spike(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
                    rules: PlanRules) -> Iterator[Issue]:
    log = RunLog(rules.spike_window_days)
    seeded = plan.history is not None and plan.history.longest_run_minutes is not None
    if seeded and plan.history and plan.history.longest_run_minutes:
        log.add(HISTORY_DAY, plan.history.longest_run_minutes)
    for placed in facts:
        if not placed.facts.is_run:
            continue
        day = plan.day_index(placed.week, placed.day)
        reference = log.longest_before(day)
        checked = seeded or placed.week > 1
        if checked and reference and training_rules.is_spike(placed.facts.minutes, reference, rules.long_run_spike):
            yield Issue(Severity.ERROR, "long-run-spike",
                        f"{placed.facts.minutes:.0f}-min run is {100 * placed.facts.minutes / reference:.0f} % "
                        f"of the longest run of the previous {rules.spike_window_days} days "
                        f"({reference:.0f} min); limit {100 * rules.long_run_spike:.0f} %",
                        placed.week, placed.day, placed.session.line or _line(plan, placed.week, placed.day))
        log.add(day, placed.facts.minutes)


def _hard_days(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
               rules: PlanRules) -> Iterator[Issue]:
    hard = sorted({(p.week, p.day) for p in facts if p.facts.hard},
                  key=lambda place: plan.day_index(*place))
    for (week_a, day_a), (week_b, day_b) in pairwise(hard):
        if plan.day_index(week_b, day_b) - plan.day_index(week_a, day_a) == 1:
            yield _issue(plan, Severity.ERROR, "hard-days",
                         f"hard sessions on two days in a row ({DAY_NAMES[day_a]} and {DAY_NAMES[day_b]}); "
                         "put an easy day between them", week_b, day_b)


def _beside_long_run(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
                     rules: PlanRules) -> Iterator[Issue]:
    """A hard session the day before or after a long run: both are the week's key sessions."""
    hard = {plan.day_index(p.week, p.day) for p in facts if p.facts.hard}
    for placed in facts:
        if not placed.facts.is_long_run:
            continue
        index = plan.day_index(placed.week, placed.day)
        for neighbour, when in ((index - 1, "the day before"), (index + 1, "the day after")):
            if neighbour in hard:
                week, day = divmod(neighbour, 7)
                yield _issue(plan, Severity.WARNING, "long-run-neighbour",
                             f"a hard session {when} the long run ({DAY_NAMES[placed.day]}); "
                             "keep an easy day between the week's key sessions", week + 1, day)


def _rest_days(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
               rules: PlanRules) -> Iterator[Issue]:
    for total in totals:
        if total.rest_days < rules.min_rest_days:
            yield _issue(plan, Severity.ERROR, "rest-day",
                         f"no full rest day (a day without any session); plan at least {rules.min_rest_days}",
                         total.week)


_COUNTED: tuple[tuple[str, str, Callable[[SessionFacts], bool]], ...] = (
    ("core", "core sessions", lambda f: f.is_core),
    ("strength", "strength sessions", lambda f: f.is_strength),
    ("drills", "drills sessions", lambda f: f.is_drills),
    ("strides", "strides sessions", lambda f: f.is_strides),
    ("cross", "cross-training sessions", lambda f: f.is_cross),
)


def _counts(plan: Plan, facts: list[PlacedFacts], totals: list[WeekTotals],
            rules: PlanRules) -> Iterator[Issue]:
    bounds = {"core": (rules.min_core, None), "strength": (rules.min_strength, None),
              "drills": (rules.min_drills, rules.max_drills), "strides": (rules.min_strides, rules.max_strides),
              "cross": (rules.min_cross, None)}
    for number in range(1, len(plan.weeks) + 1):
        for rule, label, test in _COUNTED:
            count = sum(1 for p in facts if p.week == number and test(p.facts))
            low, high = bounds[rule]
            if count < low or (high is not None and count > high):
                wanted = f"at least {low}" if high is None else f"{low} to {high}"
                yield _issue(plan, Severity.WARNING, rule,
                             f"{count} {label.removesuffix('s') if count == 1 else label} this week (want {wanted})",
                             number)
