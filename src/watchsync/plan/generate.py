"""Build a base-building plan from the library's workouts, following the rules of docs/plans.md.

Week layout (the same every week): the rest day; the long run on Sunday (Saturday when Sunday is
the rest day); the other runs spread over the remaining days: the one farthest from the long run
the quality session (hills, alternating with downhill technique; an easy run in deload weeks), of
the others the first with drills before an easy run, the last the run with strides, the rest easy
runs. Cross-training goes on the
days without a run, core and strength routines on fixed days around them.

Volume: week 1 totals ``hours`` (at most ``1 + growth`` times the recent weekly average when a
history is given); each build week targets the last build week's actual total × (1 + growth);
a deload week targets it × (1 − drop). The long run grows by the same rate, never beyond 110 % of
the longest run of the previous 30 days; easy runs (whole minutes) fill the rest of the target,
at most 80 % of the long run and never beyond the spike limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path

from watchsync import rules as training_rules
from watchsync.errors import InputError
from watchsync.formats.text import parse_text
from watchsync.model.workout import Sport, Workout, parse_sport
from watchsync.plan.library import Library
from watchsync.plan.model import DAY_NAMES, History, Plan, Session, Week, WeekFocus
from watchsync.plan.rules import PlanRules
from watchsync.plan.spike import HISTORY_DAY, RunLog
from watchsync.plan.stats import CROSS_FAMILIES, SessionFacts, session_facts

MIN_EASY_MINUTES = 20
MIN_LONG_MINUTES = 30  # the long-run template's warm-up, cool-down and 10 min
#: Week 1 must reach this share of the hours asked, else the settings contradict each other.
WEEK1_MIN_SHARE = 0.9
#: Easy runs stay clearly shorter than the week's long run.
EASY_MAX_SHARE_OF_LONG = 0.8
LONG_RUN_FIXED_MINUTES = 20  # warm-up 15 + cool-down 5 of the long-run template
MAX_CROSS_PER_WEEK = 2
DEFAULT_HOURS = 5.0
DEFAULT_LONG_RUN_MINUTES = 70.0


class GenerateError(InputError):
    """The options cannot produce a plan that keeps the rules (one line, says what to change)."""


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate; ``None`` hours / long run come from the history, else the defaults."""

    library: Path
    weeks: int = 6
    start: date | None = None
    runs_per_week: int = 4
    hours: float | None = None
    long_run_minutes: float | None = None
    cross_training: tuple[str, ...] = ("bike",)
    rest_day: str = "mon"
    deload_every: int = 4
    deload_drop: float = 0.25
    growth: float | None = None
    name: str | None = None
    athlete: str | None = None
    history: History | None = None
    rules: PlanRules = field(default_factory=PlanRules)
    #: The athlete's planning speeds (``rules.speeds_for``), as ``plan show`` and ``plan lint`` time the
    #: sessions; None: the default speeds (a swim timed at 0.67 m/s here and at the athlete's CSS there
    #: made a generated plan fail its own lint, probe plan12).
    speeds: training_rules.SpeedLike | None = None

    def __post_init__(self) -> None:
        if isinstance(self.library, str):  # a path given as text, as everywhere else in the library
            object.__setattr__(self, "library", Path(self.library))


@dataclass(frozen=True)
class _Targets:
    """What a week aims at, in minutes; ``run`` is None when only the total is known (week 1);
    ``easy_max`` caps each easy run (a deload week's are never longer than the last build week's)."""

    total: float
    run: float | None
    long: float
    long_max: float
    easy_max: float | None = None


@dataclass(frozen=True)
class _Built:
    """A generated week and its actual minutes."""

    week: Week
    total: float
    run: float
    long: float
    runs: tuple[tuple[int, float], ...]  # (day index, minutes) of every run
    easy: int = 0  # minutes of each easy run

    def targets(self, rate: float, long_max: float, run_rate: float | None = None,
                easy_max: float | None = None) -> _Targets:
        """The next week's targets: this week's minutes times ``rate`` (running: ``run_rate``)."""
        return _Targets(self.total * rate, self.run * (rate if run_rate is None else run_rate),
                        self.long * rate, long_max, easy_max)


@dataclass(frozen=True)
class _Picks:
    """The library sessions the generator uses, by role."""

    drills: Session
    strides: Session
    quality: tuple[Session, ...]
    core: Session
    strength: Session
    cross: tuple[tuple[Session, ...], ...]  # per requested sport, its candidates


@dataclass(frozen=True)
class _Layout:
    """Which weekday does what (0 = Monday)."""

    rest: int
    long: int
    drills: tuple[int, ...]
    quality: int | None
    strides: int
    easy: tuple[int, ...]
    cross: tuple[int, ...]
    core: tuple[int, ...]
    strength: tuple[int, ...]
    free: tuple[int, ...] = ()  # days without a run (nor the rest day)


#: Week 1 this many minutes short of the hours asked is said in a note (whole minutes round a little off).
WEEK1_NOTE_MINUTES = 5.0


def generate_plan(options: GenerateOptions) -> Plan:
    """A plan of ``options.weeks`` weeks that passes :func:`watchsync.plan.lint.lint_plan`."""
    _check(options)
    picks = _pick(Library(options.library), options)
    layout = _layout(options)
    growth = options.growth if options.growth is not None else options.rules.max_weekly_growth
    history = options.history
    recent = history.recent_weekly_minutes if history else None
    notes: list[str] = []
    target = 60 * options.hours if options.hours is not None else recent or 60 * DEFAULT_HOURS
    capped: float | None = None  # week 1's hours, when the history caps them
    if recent and target > recent * (1 + growth) + 1e-6:
        capped = recent * (1 + growth)
        if options.hours is not None:
            notes.append(f"week 1 holds {recent * (1 + growth) / 60:.1f} h, not the {options.hours:g} h asked: at most "
                         f"{100 * growth:.0f} % above the recent weekly average ({recent / 60:.1f} h)")
        target = recent * (1 + growth)
    long_target = options.long_run_minutes or (history.longest_run_minutes if history else None) \
        or DEFAULT_LONG_RUN_MINUTES
    log = RunLog(options.rules.spike_window_days)
    seeded = history is not None and history.longest_run_minutes is not None
    if history is not None and history.longest_run_minutes is not None:
        log.add(HISTORY_DAY, history.longest_run_minutes)
    weeks: list[Week] = []
    targets = _Targets(total=target, run=None, long=long_target, long_max=long_target)
    last_build: _Built | None = None
    for number in range(1, options.weeks + 1):
        focus = WeekFocus.DELOAD if number % options.deload_every == 0 else WeekFocus.BUILD
        builder = _WeekBuilder(number, focus, picks, layout, log, options.rules, seeded or number > 1,
                               _speed(options))
        if last_build is None:
            try:
                built = builder.build(targets)
            except GenerateError as error:
                if capped is None:
                    raise
                raise GenerateError(f"{error}; week 1 is capped at {capped / 60:.1f} h, {100 * growth:.0f} % above "
                                    f"the recent weekly average ({(recent or 0) / 60:.1f} h), whatever the hours "
                                    "asked: --growth raises the cap") from None  # probe review18
            notes += _long_run_notes(options, built, log)
            long_text = f"{built.long:.0f}"
            article = "an" if long_text.startswith("8") or long_text in ("11", "18") else "a"  # an 85-min, an 11-min
            why = (f"with {options.runs_per_week} runs and {article} {long_text}-min long run (easy runs at most "
                   f"{100 * EASY_MAX_SHARE_OF_LONG:.0f} % of it)")
            if options.hours is not None and built.total < WEEK1_MIN_SHARE * target:  # asked, not the default
                raise GenerateError(
                    f"week 1 holds only {built.total / 60:.1f} h of the {target / 60:.1f} h asked {why}: ask for "
                    "fewer hours, more runs, more cross-training or a longer long run")
            if built.total < target - WEEK1_NOTE_MINUTES:
                notes.append(f"week 1 holds {built.total / 60:.2f} h, not the {target / 60:.2f} h aimed at: at most "
                             f"that {why}; a longer long run or more runs fill it")
        elif focus is WeekFocus.BUILD:
            built = _build_week(builder, last_build, growth)
            if built.total < last_build.total - 0.5:  # a whole minute less, as the note says it
                notes.append(f"week {number} holds {last_build.total - built.total:.0f} min less than the "
                             f"build week before it: its cross-training sports are shorter ones, and running "
                             f"grows at most {100 * growth:.0f} % a week")
        else:
            built = _deload(builder, last_build, options)
        weeks.append(built.week)
        notes += [note for note in builder.notes if note not in notes]
        for day, minutes in built.runs:
            log.add(day, minutes)
        if focus is WeekFocus.BUILD:
            last_build = built
    if set(layout.cross) & _run_days(layout):
        notes.append(f"{options.runs_per_week} runs a week leave {len(layout.free)} day(s) without a run: "
                     "cross-training shares a day with an easy run")
    return Plan(name=options.name or default_name(options), weeks=tuple(weeks),
                athlete=options.athlete, start=options.start, history=history,
                description=_description(options, growth), notes=tuple(notes))


def _run_days(layout: _Layout) -> set[int]:
    return {layout.long, layout.strides, *layout.easy, *((layout.quality,) if layout.quality is not None else ())}


def _long_run_notes(options: GenerateOptions, built: _Built, log: RunLog) -> list[str]:
    """Why week 1's long run is not the one asked for (the spike rule or the hours)."""
    asked = options.long_run_minutes
    if asked is None or built.long >= math.floor(asked + 1e-9):
        return []
    reference = log.longest_before(0)
    if reference and training_rules.is_spike(asked, reference, options.rules.long_run_spike):
        why = (f"{100 * options.rules.long_run_spike:.0f} % of the longest run of the last "
               f"{options.rules.spike_window_days} days ({reference:.0f} min)")
    else:
        why = (f"the hours hold no more with {options.runs_per_week} runs of at least {MIN_EASY_MINUTES} min "
               "and the fixed sessions: give more hours or fewer runs")
    return [f"week 1's long run is {built.long:.0f} min, not the {asked:.0f} min asked: at most {why}"]


def _build_week(builder: _WeekBuilder, last_build: _Built, growth: float) -> _Built:
    """A build week: the last build week × (1 + growth); never less time than it (easy runs make up
    for a shorter library session) unless that takes running past its own growth: the running load
    is what the weekly growth limit protects, so a shorter cross-training week is not made up by
    running more."""
    targets = last_build.targets(1 + growth, last_build.long * (1 + growth))
    built = builder.build(targets)
    for longest_cross in (False, True):
        shortfall = last_build.total - built.total
        if shortfall <= 0:
            break
        raised = replace(targets, total=targets.total + shortfall)  # running still grows at most `growth`
        built = builder.build(raised, longest_cross=longest_cross)
    return built


def default_name(options: GenerateOptions) -> str:
    """``Base building from 2026-03-02 (anna)``: a block of another start gets a name of its own, so
    applying it never moves the first block's sessions (a plan is known by its name per athlete);
    the same start regenerated (8 weeks instead of 6, more hours) is the same plan, replaced."""
    start = f" from {options.start}" if options.start else ""
    who = f" ({options.athlete})" if options.athlete else ""
    return f"Base building{start}{who}"


#: How light a deload week's fixed sessions are: the full set, one drills session and every cross-training
#: day at its sport's shortest workout, or one drills and one short cross-training session.
FULL, LIGHTER, LIGHTEST = 0, 1, 2
#: A deload week keeps at least this share of the last build week's long run when any of its forms can:
#: the long run is the base block's key session, and a deload cuts volume by a fifth to a third.
DELOAD_LONG_KEPT = 0.6


def _deload(builder: _WeekBuilder, last_build: _Built, options: GenerateOptions) -> _Built:
    """A deload week 20-30 % below the last build week: the lightest fixed sessions and the chosen drop
    first, then lighter and full fixed sessions (running stays the week's core: a deload that would
    fall too deep keeps short cross-training before it cuts the runs), then the smallest allowed drop."""
    rules = options.rules
    problem = "its fixed sessions do not fit"
    fallback: _Built | None = None  # a week in the band whose long run is cut deeper than a deload's
    for drop in dict.fromkeys((options.deload_drop, rules.deload_drop_min)):
        for light in (LIGHTEST, LIGHTER, FULL):
            try:
                targets = last_build.targets(1 - drop, last_build.long * (1 - rules.deload_drop_min), 1 - drop,
                                             easy_max=last_build.easy)
                built = builder.build(targets, light=light)
            except GenerateError as error:
                problem = str(error)
                continue
            actual = 1 - built.total / last_build.total
            if rules.deload_drop_min - 1e-9 <= actual <= rules.deload_drop_max + 1e-9:
                if built.long >= DELOAD_LONG_KEPT * last_build.long:
                    return built
                fallback = fallback or built  # kept cross-training and cut the long run 84 -> 32 min (plan12)
                continue
            problem = f"it would be {100 * actual:.0f} % below the last build week"
    if fallback is not None:
        return fallback
    raise GenerateError(f"week {builder.number}: no deload week {100 * rules.deload_drop_min:.0f}-"
                        f"{100 * rules.deload_drop_max:.0f} % below the last build week ({problem})")


def _description(options: GenerateOptions, growth: float) -> str:
    cross = ", ".join(options.cross_training)
    return (f"Generated: {options.runs_per_week} runs a week, rest day {options.rest_day}, cross-training "
            f"{cross}, build weeks +{100 * growth:.0f} %, a deload week every {options.deload_every} "
            f"weeks (-{100 * options.deload_drop:.0f} %).")


def _check(options: GenerateOptions) -> None:
    rules = options.rules
    problems = [
        (not 4 <= options.weeks <= 8, f"weeks {options.weeks} is not 4..8"),
        (not 3 <= options.runs_per_week <= 6, f"runs per week {options.runs_per_week} is not 3..6"),
        (options.hours is not None and not 2 <= options.hours <= 20, f"hours {options.hours} is not 2..20"),
        (options.long_run_minutes is not None and not 40 <= options.long_run_minutes <= 240,
         f"long run {options.long_run_minutes} min is not 40..240 min"),
        (options.rest_day not in DAY_NAMES, f"rest day {options.rest_day!r} is not one of {', '.join(DAY_NAMES)}"),
        (options.deload_every not in (3, 4), f"deload every {options.deload_every} weeks: use 3 or 4"),
        (not rules.deload_drop_min <= options.deload_drop <= rules.deload_drop_max,
         f"deload drop {options.deload_drop:g} is not {rules.deload_drop_min:g}..{rules.deload_drop_max:g}"),
        (options.growth is not None and not 0 < options.growth <= rules.max_weekly_growth,
         f"growth {options.growth} is not above 0 and at most {rules.max_weekly_growth:g}"),
        (not options.cross_training, "cross-training needs at least one sport (e.g. bike)"),
        (options.start is not None and options.start.weekday() != 0,
         f"start {options.start} is not a Monday (generated plans start on a Monday)"),
    ]
    for failed, problem in problems:
        if failed:
            raise GenerateError(problem)


def _speed(options: GenerateOptions) -> training_rules.SpeedLike:
    return options.speeds if options.speeds is not None else training_rules.FAMILY_SPEED["run"]


def _pick(library: Library, options: GenerateOptions) -> _Picks:
    found = [(ref, workout, session_facts(workout, _speed(options))) for ref, workout in library.workouts()]

    def role(what: str, test: Callable[[SessionFacts], bool], sports: frozenset[Sport] | None = None
             ) -> list[Session]:
        sessions = [Session(workout, ref=ref) for ref, workout, facts in found
                    if test(facts) and (sports is None or workout.sport in sports)]
        if not sessions:
            raise GenerateError(f"the library {library.root} has no {what} workout")
        return sessions

    cross = []
    for name in options.cross_training:
        try:
            sport = parse_sport(name)
        except ValueError:
            raise GenerateError(f"unknown cross-training sport {name!r} (e.g. bike, xc_ski, swim, skimo)") from None
        if sport.family not in CROSS_FAMILIES:
            raise GenerateError(f"{name!r} is not aerobic cross-training (use bike, xc_ski, swim, skimo, ...)")
        cross.append(tuple(role(f"{name} cross-training", _family_is(sport.family), _SAME_SPORT.get(sport,
                                                                                                  frozenset({sport})))))
    return _Picks(
        drills=role("drills (tag 'drills')", lambda f: f.is_run and f.is_drills)[0],
        strides=role("strides run (tag 'strides')", lambda f: f.is_run and f.is_strides and not f.hard)[0],
        quality=(role("hills run (tag 'hills')", lambda f: f.is_run and "hills" in f.tags)[0],
                 role("downhill technique run (tag 'downhill')",
                      lambda f: f.is_run and "downhill" in f.tags and not f.hard)[0]),
        core=role("core routine (tag 'core')", lambda f: f.is_core)[0],
        strength=role("strength routine (tag 'strength')", lambda f: f.is_strength)[0],
        cross=tuple(cross))


#: The sports a cross-training choice takes its workouts from: itself and its indoor or open-water
#: twin (a "bike" week may ride the trainer); never another sport of its family (XC skiing is no
#: ski-mountaineering tour: other gear, other terrain).
_SAME_SPORT: dict[Sport, frozenset[Sport]] = {
    **dict.fromkeys((Sport.CYCLING, Sport.INDOOR_CYCLING), frozenset({Sport.CYCLING, Sport.INDOOR_CYCLING})),
    **dict.fromkeys((Sport.POOL_SWIM, Sport.OPEN_WATER_SWIM), frozenset({Sport.POOL_SWIM, Sport.OPEN_WATER_SWIM})),
}


def _family_is(family: str) -> Callable[[SessionFacts], bool]:
    return lambda facts: facts.family == family


def _layout(options: GenerateOptions) -> _Layout:
    rest = DAY_NAMES.index(options.rest_day)
    long = 5 if rest == 6 else 6
    around = [(rest + offset) % 7 for offset in range(1, 7)]  # the week as seen from the rest day
    others = [day for day in around if day != long]
    spread = {2: (1, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}[options.runs_per_week - 1]
    runs = [others[i] for i in spread]
    quality = _away_from(long, runs) if len(runs) >= 3 else None
    plain = [day for day in runs if day != quality]  # the other runs, in the week's order from the rest day
    strides = plain[-1]
    drills = (plain[0],) if options.runs_per_week <= 4 else (plain[0], plain[1])
    easy = tuple(day for day in runs if day not in (quality, strides))
    free = [day for day in others if day not in runs]
    wanted = min(len(options.cross_training), MAX_CROSS_PER_WEEK)
    doubled = [day for day in easy if day not in drills] or list(easy)
    cross = tuple((free + doubled)[:wanted])
    return _Layout(rest=rest, long=long, drills=drills, quality=quality, strides=strides, easy=easy,
                   cross=cross, core=(around[0], around[3]), strength=(around[1], around[4]), free=tuple(free))


def _away_from(long: int, runs: list[int]) -> int:
    """The run day for the quality session: the farthest from the long run (the week's two key
    sessions with easy days between them), the middle run among equals."""
    def apart(day: int) -> int:
        gap = abs(day - long)
        return min(gap, 7 - gap)
    middle = runs[len(runs) // 2]
    return max(runs, key=lambda day: (apart(day), day == middle))


@cache
def _inline(text: str) -> Workout:
    return parse_text(text, "<generated>")


def easy_run_text(minutes: int) -> str:
    """The inline text of an easy run of ``minutes``."""
    return (f"name: Easy run {minutes} min\nsport: trail_running\n"
            "description: Easy aerobic running, conversational; walk steep climbs to stay under the ceiling.\n"
            f"tags: easy, base\n\n- {minutes}m RPE 3-4 easy, conversational\n")


def long_run_text(minutes: int) -> str:
    """The inline text of a long easy run of ``minutes`` (at least 30)."""
    return (f"name: Long easy run {minutes} min\nsport: trail_running\n"
            "description: The week's long run. Easy effort throughout; fuel every 30-40 minutes, "
            "walk the climbs.\ntags: easy, long, base\n\n"
            "Warmup\n- 15m RPE 2-3 relaxed start\n"
            f"Main\n- {minutes - LONG_RUN_FIXED_MINUTES}m RPE 3-4 easy, conversational, walk steep climbs\n"
            "Cooldown\n- 5m RPE 2 easy jog or walk\n")


class _WeekBuilder:
    """One week: fixed library sessions plus the long run and easy runs that fill the target."""

    def __init__(self, number: int, focus: WeekFocus, picks: _Picks, layout: _Layout, log: RunLog,
                 rules: PlanRules, checked: bool, speed: training_rules.SpeedLike) -> None:
        self.number, self.focus, self.picks, self.layout = number, focus, picks, layout
        self.log, self.rules, self.checked, self.speed = log, rules, checked, speed
        self.notes: list[str] = []  # what the week had to change, said in the plan's notes

    def within_spike(self, fixed: dict[int, list[Session]]) -> dict[int, list[Session]]:
        """``fixed`` with each library run longer than the spike rule allows (a 43-min strides run after
        a month whose longest run was 30 min) made an easy run of the longest the rule allows, or left
        out under 20 min, and said: refusing the plan left a runner starting a base block without one
        (probe docs11)."""
        if not self.checked:
            return fixed
        out: dict[int, list[Session]] = {}
        for day in sorted(fixed):
            for session in fixed[day]:
                facts = session_facts(session.workout, self.speed)
                reference = self.log.longest_before((self.number - 1) * 7 + day)
                if not (facts.is_run and reference and training_rules.is_spike(
                        facts.minutes, reference, self.rules.long_run_spike)):
                    out.setdefault(day, []).append(session)
                    continue
                limit = math.floor(training_rules.spike_limit(reference, self.rules.long_run_spike) + 1e-9)
                if limit >= MIN_EASY_MINUTES:
                    text = easy_run_text(limit)
                    out.setdefault(day, []).append(Session(_inline(text), text=text))
                note = (f"week {self.number}: {session.workout.name} ({facts.minutes:.0f} min) is longer than "
                        f"{100 * self.rules.long_run_spike:.0f} % of the longest recent run ({reference:.0f} min): "
                        + (f"an easy run of {limit} min instead" if limit >= MIN_EASY_MINUTES else "left out"))
                if note not in self.notes:
                    self.notes.append(note)
        return out

    def fixed(self, light: int, longest_cross: bool = False) -> dict[int, list[Session]]:
        """Library sessions by day; ``light`` (deload): :data:`LIGHTEST` one drills and one short
        cross-training session, :data:`LIGHTER` one drills and every cross-training day short;
        ``longest_cross``: each sport's longest workout (a build week that must not shrink)."""
        layout, picks, deload = self.layout, self.picks, self.focus is WeekFocus.DELOAD
        days: dict[int, list[Session]] = {}
        for day in layout.drills[:1] if light else layout.drills:
            days.setdefault(day, []).append(Session(picks.drills.workout, ref=picks.drills.ref,
                                                    note="before the easy run"))
        if layout.quality is not None and not deload:
            quality = picks.quality[(self.number - 1) % len(picks.quality)]
            days.setdefault(layout.quality, []).append(quality)
        days.setdefault(layout.strides, []).append(picks.strides)
        for index, day in enumerate(layout.cross[:1] if light >= LIGHTEST else layout.cross):
            options = picks.cross[(self.number - 1 + index) % len(picks.cross)]
            if light or longest_cross:
                choose = min if light else max
                pick = choose(options, key=lambda s: session_facts(s.workout, self.speed).seconds)
            else:
                pick = options[(self.number - 1) // len(picks.cross) % len(options)]
            days.setdefault(day, []).append(pick)
        return days

    def build(self, targets: _Targets, light: int = FULL, longest_cross: bool = False) -> _Built:
        """The week closest to ``targets`` within the rules (the run log is not touched)."""
        fixed = self.within_spike(self.fixed(light, longest_cross))
        fixed_facts = [session_facts(s.workout, self.speed) for sessions in fixed.values() for s in sessions]
        fixed_minutes = sum(f.minutes for f in fixed_facts) + self.routines_minutes()
        fixed_run = sum(f.minutes for f in fixed_facts if f.is_run)
        easy_days = list(self.layout.easy)
        if self.focus is WeekFocus.DELOAD and self.layout.quality is not None:
            easy_days = sorted([*easy_days, self.layout.quality])  # the quality day runs easy
        flex = targets.total - fixed_minutes
        if targets.run is not None:
            flex = min(flex, targets.run - fixed_run)
        long_minutes, easy = self.split(flex, len(easy_days), targets)
        if targets.easy_max is not None:
            easy = min(easy, math.floor(targets.easy_max + 1e-9))
        while True:
            if easy < MIN_EASY_MINUTES or long_minutes < MIN_LONG_MINUTES:
                reference = self.log.longest_before((self.number - 1) * 7) if self.checked else None
                if reference and training_rules.spike_limit(reference, self.rules.long_run_spike) < MIN_LONG_MINUTES:
                    raise GenerateError(  # not the hours: the history allows no run as long as a plan's shortest
                        f"week {self.number}: the longest recent run ({reference:.0f} min) allows no long run of "
                        f"{MIN_LONG_MINUTES}+ min ({100 * self.rules.long_run_spike:.0f} % rule): a base plan starts "
                        f"from runs of about {MIN_LONG_MINUTES} min (if the stored history misses longer runs, "
                        "sync them with `watchsync activities sync --since`)")
                need = fixed_minutes + MIN_LONG_MINUTES + MIN_EASY_MINUTES * len(easy_days)
                raise GenerateError(
                    f"week {self.number}: {targets.total / 60:.1f} h cannot hold its fixed sessions "
                    f"({fixed_minutes:.0f} min), a long run of {MIN_LONG_MINUTES}+ min and {len(easy_days)} "
                    f"easy run(s) of {MIN_EASY_MINUTES}+ min (needs {need / 60:.1f} h): give more hours "
                    "(or a longer history), fewer runs or less cross-training")
            days = self.assemble(fixed, easy_days, easy, long_minutes)
            over = self.spike(days)
            if over is None:
                break
            day, limit, is_easy = over
            if is_easy and limit < easy:
                easy = limit
            elif day == self.layout.long and limit < long_minutes:
                long_minutes = limit
                easy = min(easy, math.floor(EASY_MAX_SHARE_OF_LONG * long_minutes))
            else:
                raise GenerateError(f"week {self.number} {DAY_NAMES[day]}: a library run is longer than "
                                    f"{100 * self.rules.long_run_spike:.0f} % of the longest recent run: "
                                    "give a longer long run")
        runs = tuple(((self.number - 1) * 7 + day, facts.minutes) for day in sorted(days)
                     for facts in map(session_facts, (s.workout for s in days[day])) if facts.is_run)
        run = fixed_run + long_minutes + easy * len(easy_days)
        deload = self.focus is WeekFocus.DELOAD
        note = "deload: less volume, no quality session" if deload else None
        week = Week(self.focus, {d: tuple(s) for d, s in sorted(days.items())}, note)
        return _Built(week, fixed_minutes - fixed_run + run, run, long_minutes, runs, easy)

    @staticmethod
    def split(flex: float, easy_count: int, targets: _Targets) -> tuple[int, int]:
        """Whole minutes of (long run, each easy run) that fill ``flex`` minutes of running."""
        long_minutes = math.floor(min(targets.long, targets.long_max) + 1e-9)
        easy = math.floor((flex - long_minutes) / easy_count + 1e-9)
        if easy > EASY_MAX_SHARE_OF_LONG * long_minutes:
            long_minutes = math.floor(min(targets.long_max, flex / (1 + EASY_MAX_SHARE_OF_LONG * easy_count))
                                      + 1e-9)
            easy = min(math.floor(EASY_MAX_SHARE_OF_LONG * long_minutes),
                       math.floor((flex - long_minutes) / easy_count + 1e-9))
        if easy < MIN_EASY_MINUTES:
            long_minutes = math.floor(flex - MIN_EASY_MINUTES * easy_count + 1e-9)
            easy = MIN_EASY_MINUTES
        return long_minutes, easy

    def routines_minutes(self) -> float:
        return (len(self.layout.core) * session_facts(self.picks.core.workout, self.speed).minutes
                + len(self.layout.strength) * session_facts(self.picks.strength.workout, self.speed).minutes)

    def assemble(self, fixed: dict[int, list[Session]], easy_days: list[int], easy: int,
                 long_minutes: int) -> dict[int, list[Session]]:
        days = {day: list(sessions) for day, sessions in fixed.items()}
        for day in easy_days:
            text = easy_run_text(easy)
            sessions = days.setdefault(day, [])
            at = 1 if day in self.layout.drills else 0
            sessions.insert(at, Session(_inline(text), text=text))
        text = long_run_text(long_minutes)
        days.setdefault(self.layout.long, []).append(Session(_inline(text), text=text))
        for day in self.layout.core:
            days.setdefault(day, []).append(self.picks.core)
        for day in self.layout.strength:
            days.setdefault(day, []).append(self.picks.strength)
        return days

    def spike(self, days: dict[int, list[Session]]) -> tuple[int, int, bool] | None:
        """The first run over the spike limit: (day, limit in whole minutes, is an easy run)."""
        if not self.checked:
            return None
        log = self.log.copy()
        for day in sorted(days):
            for session in days[day]:
                facts = session_facts(session.workout, self.speed)
                if not facts.is_run:
                    continue
                index = (self.number - 1) * 7 + day
                reference = log.longest_before(index)
                if reference and training_rules.is_spike(facts.minutes, reference, self.rules.long_run_spike):
                    is_easy = session.text is not None and not facts.is_long_run
                    limit = training_rules.spike_limit(reference, self.rules.long_run_spike)
                    return day, math.floor(limit + 1e-9), is_easy
                log.add(index, facts.minutes)
        return None
