"""What applying a plan changes on the calendar: add, remove, move or replace scheduled workouts.

Pure logic for ``plan apply``: planned sessions and the calendar's scheduled items are compared by
date and by workout key (the sync layer's content hash of the resolved workout). Items already in
place are kept; the same workout on another date is moved; a different workout on the same date is
replaced; the rest is added or removed. Re-applying an unchanged plan gives no changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from watchsync.model.workout import Workout
from watchsync.plan.model import Plan


class ChangeKind(StrEnum):
    """What a change does."""

    ADD = "add"
    REMOVE = "remove"
    MOVE = "move"
    REPLACE = "replace"


@dataclass(frozen=True)
class CalendarItem:
    """A workout scheduled on the calendar: its schedule id, date and workout key."""

    schedule_id: str
    date: date
    workout_key: str
    name: str = ""


@dataclass(frozen=True)
class Change:
    """One calendar change; ``workout``/``key`` for add and replace, ``item`` for the others."""

    kind: ChangeKind
    date: date
    workout: Workout | None = None
    key: str | None = None
    item: CalendarItem | None = None

    def describe(self) -> str:
        """``move 2026-03-03 → 2026-03-04: Easy run 40 min`` and the like."""
        name = self.workout.name if self.workout else (self.item.name if self.item else "")
        if self.kind is ChangeKind.MOVE and self.item is not None:
            return f"move {self.item.date} → {self.date}: {name}"
        if self.kind is ChangeKind.REPLACE and self.item is not None:
            return f"replace {self.date}: {self.item.name or self.item.workout_key} → {name}"
        return f"{self.kind.value} {self.date}: {name}"


@dataclass(frozen=True)
class _Planned:
    date: date
    key: str
    workout: Workout


def plan_diff(plan: Plan, calendar_items: Iterable[CalendarItem], key: Callable[[Workout], str],
              start: date | None = None, *, since: date | None = None) -> list[Change]:
    """The changes that make ``calendar_items`` (the plan's managed items) match ``plan``; with
    ``since``, only on days from ``since`` on (the sessions and items before it are left as they are)."""
    planned = [_Planned(s.date, key(s.workout), s.workout) for s in plan.sessions(start)
               if since is None or s.date >= since]
    items = sorted((item for item in calendar_items if since is None or item.date >= since),
                   key=lambda item: (item.date, item.schedule_id))
    # 1. exactly in place
    planned, items = _drop_pairs(planned, items, lambda p, i: p.date == i.date and p.key == i.workout_key)
    changes: list[Change] = []
    # 2. the same workout on another date: move (pairs in date order)
    moved: list[tuple[_Planned, CalendarItem]] = []
    for wanted in list(planned):
        match = next((i for i in items if i.workout_key == wanted.key), None)
        if match is not None:
            moved.append((wanted, match))
            planned.remove(wanted)
            items.remove(match)
    changes += [Change(ChangeKind.MOVE, p.date, p.workout, p.key, i) for p, i in moved]
    # 3. a different workout on the same date: replace
    for wanted in list(planned):
        match = next((i for i in items if i.date == wanted.date), None)
        if match is not None:
            changes.append(Change(ChangeKind.REPLACE, wanted.date, wanted.workout, wanted.key, match))
            planned.remove(wanted)
            items.remove(match)
    changes += [Change(ChangeKind.ADD, p.date, p.workout, p.key) for p in planned]
    changes += [Change(ChangeKind.REMOVE, i.date, item=i) for i in items]
    return sorted(changes, key=lambda change: (change.date, change.kind.value))


def _drop_pairs(planned: list[_Planned], items: Sequence[CalendarItem],
                same: Callable[[_Planned, CalendarItem], bool]) -> tuple[list[_Planned], list[CalendarItem]]:
    left = list(items)
    unmatched = []
    for wanted in planned:
        match = next((i for i in left if same(wanted, i)), None)
        if match is None:
            unmatched.append(wanted)
        else:
            left.remove(match)
    return unmatched, left
