"""Report values as short display strings (shared by the terminal and HTML renderers)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import TYPE_CHECKING

from watchsync.describe import format_seconds
from watchsync.model.enums import Sport, find_sport
from watchsync.model.units import METERS_PER_FOOT, METERS_PER_YARD, Units, format_distance

if TYPE_CHECKING:  # annotations only: `analyze` formats percentages without loading the report model
    from watchsync.compliance.summary import Totals, WeekSummary
    from watchsync.report.model import ComplianceReport, SessionRow

#: Flags most worth a coach's eye first; the rest keep their order after these.
FLAG_PRIORITY: tuple[str, ...] = ("missed", "too hard", "long-run spike", "check the data", "volume", "hard steps",
                                  "reported RPE", "ACWR", "monotony", "easy share")

MISSING = "–"
SECONDS_PER_HOUR = 3600.0


def percent(share: float | None) -> str:
    """``0.853`` → ``85%``; ``None`` → ``–``; a rounding residue below 0 is ``0%``, not ``-0%``."""
    return MISSING if share is None else f"{max(share, 0.0):.0%}"


def runs(done: int, planned: int, *, known: bool = True) -> str:
    """How often a step ran: ``2/4`` when the workout planned it another number of times, else ``4``;
    ``–`` when the steps were only laid along the timer (no laps: how often each ran is not known)."""
    if not known:
        return MISSING
    return f"{done}/{planned}" if planned and planned != done else str(done)


def number(value: float | None, digits: int = 2) -> str:
    """A plain number with ``digits`` decimals; ``None`` → ``–``."""
    return MISSING if value is None else f"{value:.{digits}f}"


def hours(seconds: float) -> str:
    """``5400`` → ``1.5 h``."""
    return f"{seconds / SECONDS_PER_HOUR:.1f} h"


#: Running time without heart rate shown beside the easy share from this much (below, it reads "0.0 h").
NO_HR_SHOWN_S = 180.0


def hr_basis(hr_seconds: float, no_hr_seconds: float) -> str:
    """`` of 6.1 h with HR, 1.2 h without`` when some running time had no heart rate (the easy share leaves
    it out), else nothing: a week whose strap died must not read as all easy."""
    if no_hr_seconds < NO_HR_SHOWN_S:
        return ""
    return f" of {hours(hr_seconds)} with HR, {hours(no_hr_seconds)} without"


#: The units distances are shown in while a report is rendered (the athlete's: see :func:`display_units`).
_DISPLAY_UNITS: ContextVar[Units] = ContextVar("display_units", default=Units.METRIC)


@contextmanager
def display_units(units: Units) -> Iterator[None]:
    """Render distances in ``units`` (an imperial athlete's report in miles) within the block."""
    token = _DISPLAY_UNITS.set(units)
    try:
        yield
    finally:
        _DISPLAY_UNITS.reset(token)


def kilometres(meters: float) -> str:
    """``12345`` → ``12.3 km`` (``7.7 mi`` while an imperial report renders)."""
    return format_distance(meters, _DISPLAY_UNITS.get())


def ascent(meters: float) -> str:
    """``412`` → ``412 m`` (``1352 ft`` while an imperial report renders)."""
    if _DISPLAY_UNITS.get() is Units.IMPERIAL:
        return f"{meters / METERS_PER_FOOT:.0f} ft"
    return f"{meters:.0f} m"


def _bare_distance(meters: float, family: str = "run") -> str:
    """The number of :func:`family_distance` without its unit (``37.6`` of ``37.6 / 40.0 km``)."""
    return family_distance(family, meters).rsplit(" ", 1)[0]


def family_distance(family: str, meters: float) -> str:
    """A sport family's distance as its athletes count it: a swim in metres (``850 m``; yards while an
    imperial report renders: ``930 yd``, never ``0.5 mi``), every other family as :func:`kilometres`."""
    if family != "swim":
        return kilometres(meters)
    if _DISPLAY_UNITS.get() is Units.IMPERIAL:
        return f"{meters / METERS_PER_YARD:.0f} yd"
    return f"{meters:.0f} m"


def step_band(channel: str | None, low: float | None, high: float | None, family: str = "run") -> str:
    """A step's band as its sport reads it: a speed band as pace per km or mile (per 100 m in a swim, per 100 yd
    while an imperial report renders, as its swims are counted in yards; probe coach14) or as km/h (mph) on a
    bike; ``open`` without one."""
    if channel is None or low is None or high is None:
        return "open"
    if channel == "speed" and low > 0:
        from watchsync.describe import describe_target
        from watchsync.model.workout import SpeedTarget

        shown = _DISPLAY_UNITS.get()
        return describe_target(SpeedTarget(low=low, high=high), shown, swim=family == "swim",
                               yards=family == "swim" and shown is Units.IMPERIAL, speed=family == "bike")
    units = {"heart_rate": "bpm", "speed": "m/s", "power": "W", "cadence": "rpm"}
    return f"{low:.0f}-{high:.0f} {units.get(channel, '')}".strip()


#: A step whose band had readings over less of the time it could be scored than this share (heart rate or
#: GPS missing) says so beside its percentages: 89 % in target over 28 s of a 13-min step is no verdict.
MEASURED_SHOWN_BELOW = 0.5


def thinly_measured(channel: str | None, scored_seconds: float, measurable_seconds: float) -> bool:
    """Whether a step with a band had readings over less than :data:`MEASURED_SHOWN_BELOW` of the time it
    could be scored (its time after the heart rate's lag and grace; 0 in an older score: not known)."""
    return channel is not None and measurable_seconds > 0 and scored_seconds < MEASURED_SHOWN_BELOW * measurable_seconds


def day_label(day: date) -> str:
    """``Tue 03-04``."""
    return day.strftime("%a %m-%d")


def amount(row: SessionRow, value: float | None) -> str:
    """A session's planned or done amount in its primary metric."""
    if value is None:
        return MISSING
    if row.metric != "distance":
        return format_seconds(value)
    return family_distance((find_sport(row.sport) or Sport.OTHER).family, value)  # a swim's yards as yards (coach14)


def volume(row: SessionRow) -> str:
    """``40m / 45m (89%)``: done / planned and the ratio, as far as they exist."""
    if row.planned is None:
        return amount(row, row.done)
    if row.done is None:
        return f"{MISSING} / {amount(row, row.planned)}"
    return f"{amount(row, row.done)} / {amount(row, row.planned)} ({percent(row.ratio)})"


def rpe(row: SessionRow) -> str:
    """Reported / prescribed session RPE: ``4.5 / 3.3``."""
    if row.rpe_reported is None and row.rpe_prescribed is None:
        return MISSING
    return f"{number(row.rpe_reported, 1)} / {number(row.rpe_prescribed, 1)}"


def flag_rank(flag: str) -> int:
    """Where a flag goes in a ranked list (missed, too hard, long-run spike first)."""
    return next((i for i, word in enumerate(FLAG_PRIORITY) if word in flag), len(FLAG_PRIORITY))


def ranked(flags: Sequence[str]) -> list[str]:
    """``flags`` most important first (stable for equal ranks)."""
    return sorted(flags, key=flag_rank)


def is_future(week: WeekSummary, today: date) -> bool:
    """A week that starts after ``today``: only what is planned is shown."""
    return week.week_start > today


def week_order(weeks: Sequence[WeekSummary], today: date) -> list[WeekSummary]:
    """Weeks to show: this week and the past newest first, then the weeks to come in date order."""
    current = [w for w in weeks if not is_future(w, today)]
    return [*reversed(current), *(w for w in weeks if is_future(w, today))]


def distance_tile(done: Mapping[str, float], planned: Mapping[str, float], *,
                  future: bool = False) -> tuple[str, str]:
    """(figure, caption) of a week's distance tile: the run family's kilometres (else the first family's),
    the other families beside them, never added in (``28.7 km``, ``run, done of 42.5 km · bike 38.3 / 18.9 km``)."""
    families = list(dict.fromkeys([*done, *planned]))
    main = "run" if "run" in families or not families else families[0]
    others = [family for family in families if family != main]
    if future:
        rest = " · ".join(f"{family} {family_distance(family, planned[family])}" for family in others
                          if family in planned)
        return family_distance(main, planned.get(main, 0.0)), f"{main} planned" + (f" · {rest} planned" if rest else "")
    rest = distances({f: done[f] for f in others if f in done}, {f: planned[f] for f in others if f in planned})
    return (family_distance(main, done.get(main, 0.0)),
            f"{main}, done of {family_distance(main, planned.get(main, 0.0))}" + (f" · {rest}" if others else ""))


def distances(by_family: Mapping[str, float], planned: Mapping[str, float] | None = None) -> str:
    """``run 37.6 / 40.0 km · ski 28.0 km``: each sport family apart, never added together."""
    planned = planned or {}
    families = list(dict.fromkeys([*by_family, *planned]))
    if not families:
        return MISSING
    parts = []
    for family in families:
        done, plan = by_family.get(family), planned.get(family)
        if plan is None:
            parts.append(f"{family} {family_distance(family, done or 0.0)}")
        else:
            parts.append(f"{family} {_bare_distance(done or 0.0, family)} / {family_distance(family, plan)}")
    return " · ".join(parts)


def short_history(week_start: date, history_from: date | None, today: date, min_days: int) -> bool:
    """Whether a week's ACWR stands on fewer than ``min_days`` days of history: the days from the
    athlete's first activity (``ComplianceReport.acwr_from``, the same in every view) to the week's
    end, or to today in the week under way."""
    end = min(week_start + timedelta(days=6), today)
    return history_from is None or (end - history_from).days + 1 < min_days


def planned_time(totals: Totals) -> str:
    """``18.0 h planned to date (31.7 h in all)`` while sessions are still to come, else ``31.7 h planned``:
    the time done compares to the sessions due by today."""
    to_date = totals.planned_seconds_to_date
    if to_date is None or to_date >= totals.planned_seconds:
        return f"{hours(totals.planned_seconds)} planned"
    return f"{hours(to_date)} planned to date ({hours(totals.planned_seconds)} in all)"


def week_ascent(report: ComplianceReport, monday: date) -> float:
    """Metres climbed in the activities done in the week of ``monday`` (a trail runner's and a ski tourer's
    other volume), each activity once."""
    done = {row.activity_id: row.ascent_m or 0.0 for row in report.sessions
            if row.activity_id and row.done_on is not None and 0 <= (row.done_on - monday).days < 7}
    return sum(done.values())


def week_label(focus: str, note: str | None, sessions: int) -> str:
    """What a plan says of its week, for the coach: ``deload week: less volume, no quality session``,
    ``rest week: travel``; a build week's note alone; empty when the plan says nothing."""
    if sessions == 0:
        return "rest week" + (f": {note}" if note else "")
    if focus == "deload":
        return "deload week: less volume, no quality session" + (f" ({note})" if note else "")
    return note or ""


def week_end(week: WeekSummary) -> date:
    """The Sunday of ``week``."""
    return week.week_start + timedelta(days=6)
