"""Calendar diff for apply: nothing when in place, exactly the edited sessions otherwise."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from watchsync.formats.connect_json import content_hash
from watchsync.plan.diff import CalendarItem, ChangeKind, plan_diff
from watchsync.plan.parse import load_plan, parse_plan

PLAN = Path(__file__).parent / "data" / "lint" / "good.toml"
START = date(2026, 3, 2)


def calendar_of(path: Path) -> list[CalendarItem]:
    plan = load_plan(path)
    return [CalendarItem(f"s{i}", s.date, content_hash(s.workout), s.workout.name)
            for i, s in enumerate(plan.sessions(START))]


def test_an_applied_plan_has_no_changes() -> None:
    assert plan_diff(load_plan(PLAN), calendar_of(PLAN), content_hash, START) == []


def test_editing_two_sessions_changes_exactly_those_two() -> None:
    text = PLAN.read_text()
    first_thu = text.index('thu = ["runs/hill-repeats.txt"]')
    edited = (text[:first_thu] + 'thu = ["runs/fartlek.txt"]'
              + text[first_thu + len('thu = ["runs/hill-repeats.txt"]'):])
    edited = edited.replace('sun = ["runs/easy-60.txt"]', 'thu = ["runs/easy-60.txt"]')
    plan = parse_plan(edited, PLAN)
    changes = plan_diff(plan, calendar_of(PLAN), content_hash, START)
    assert [(c.kind, c.date) for c in changes] == [
        (ChangeKind.REPLACE, START + timedelta(days=3)),
        (ChangeKind.MOVE, START + timedelta(days=24)),
    ]
    move = changes[1]
    assert move.item is not None and move.item.date == START + timedelta(days=27)
    assert changes[0].workout is not None and changes[0].workout.name == "Fartlek 40 min"
    assert changes[0].describe() == "replace 2026-03-05: Hill repeats (base phase) → Fartlek 40 min"


def test_removed_and_added_sessions() -> None:
    plan = load_plan(PLAN)
    items = calendar_of(PLAN)
    extra = CalendarItem("old", START - timedelta(days=1), "feedfacecafe", "old")
    changes = plan_diff(plan, [*items[1:], extra], content_hash, START)
    assert [(c.kind, c.date) for c in changes] == [(ChangeKind.REMOVE, extra.date), (ChangeKind.ADD, items[0].date)]
