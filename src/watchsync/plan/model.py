"""The plan model: a plan is weeks, a week is days, a day is sessions, a session is one workout.

Weeks are calendar weeks (Monday to Sunday); week 1 is the week that holds the start date, so the
same day names keep their order whatever the start date. Sessions on days before the start date
are outside the plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from watchsync.errors import InputError
from watchsync.model.workout import Workout

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PlanError(InputError):
    """A problem in a plan: ``file:line: week W day D: problem`` on one line."""

    def __init__(self, path: str, line: int, problem: str, *, week: int | None = None,
                 day: int | None = None, col: int | None = None) -> None:
        self.path, self.line, self.col, self.problem = path, line, col, problem
        self.week, self.day = week, day
        where = f"{path}:{line}" + (f":{col}" if col else "")
        context = "".join([f"week {week} " if week else "",
                           f"day {DAY_NAMES[day]} " if day is not None else ""]).strip()
        super().__init__(f"{where}: {context + ': ' if context else ''}{problem}")


class WeekFocus(StrEnum):
    """What a week is for."""

    BUILD = "build"
    DELOAD = "deload"


@dataclass(frozen=True)
class Session:
    """One planned workout on a day: a library reference (``ref``) or an inline text workout."""

    workout: Workout
    ref: str | None = None
    text: str | None = None
    note: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Week:
    """One calendar week; ``days`` maps a weekday (0 = Monday) to its sessions in order."""

    focus: WeekFocus
    days: dict[int, tuple[Session, ...]]
    note: str | None = None
    line: int = 0

    def day_sessions(self, day: int) -> tuple[Session, ...]:
        """The sessions of weekday ``day`` (empty on a rest day)."""
        return self.days.get(day, ())


@dataclass(frozen=True)
class History:
    """Recent training that seeds a plan: weekly minutes of the last weeks (oldest first) and the
    longest run of the 30 days before the start, in minutes."""

    weekly_minutes: tuple[float, ...] = ()
    longest_run_minutes: float | None = None
    #: The Monday of the first week of ``weekly_minutes`` when known (from the store; not written to a plan).
    weeks_from: date | None = None

    @property
    def recent_weekly_minutes(self) -> float | None:
        """Mean weekly minutes of the recorded weeks."""
        return sum(self.weekly_minutes) / len(self.weekly_minutes) if self.weekly_minutes else None


class ScheduledSession(NamedTuple):
    """A session placed on its date."""

    date: date
    session: Session
    workout: Workout
    week: int
    day: int


@dataclass(frozen=True)
class Plan:
    """A training plan."""

    name: str
    weeks: tuple[Week, ...]
    athlete: str | None = None
    start: date | None = None
    description: str | None = None
    history: History | None = None
    source: Path | None = None
    notes: tuple[str, ...] = ()  # what the generator could not do as asked, and why
    force: bool = False  # apply even with lint errors (``force = true`` in the file)

    @property
    def label(self) -> str:
        """The plan's file name for messages."""
        return str(self.source) if self.source else "<plan>"

    def day_index(self, week: int, day: int) -> int:
        """Days since the Monday of week 1 (weeks counted from 1)."""
        return (week - 1) * 7 + day

    def sessions(self, start: date | None = None) -> Iterator[ScheduledSession]:
        """Every session with its date, in date order; ``start`` overrides the plan's own. A day-off marker
        (``- OFF``) is no session: nothing goes on the calendar, the report misses nothing (probe review17)."""
        first = start or self.start
        if first is None:
            raise PlanError(self.label, 1, "no start date: set `start = YYYY-MM-DD` in the plan or give one")
        monday = first - timedelta(days=first.weekday())
        for number, week in enumerate(self.weeks, start=1):
            for day in sorted(week.days):
                when = monday + timedelta(days=self.day_index(number, day))
                for session in week.days[day]:
                    if when < first:
                        raise PlanError(self.label, session.line or week.line,
                                        f"{when} is before the plan start {first} (date outside the plan)",
                                        week=number, day=day)
                    if not session.workout.is_day_off():
                        yield ScheduledSession(when, session, session.workout, number, day)
