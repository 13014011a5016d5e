"""The week-by-week table."""

from __future__ import annotations

from pathlib import Path

from watchsync.plan.parse import load_plan
from watchsync.plan.show import format_plan_table

PLAN = Path(__file__).parent / "data" / "lint" / "good.toml"


def test_table_rows_hold_sessions_minutes_and_easy_share() -> None:
    plan = load_plan(PLAN)
    lines = format_plan_table(plan).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("week  focus"))
    rows = [line.split() for line in lines[header + 2: header + 2 + len(plan.weeks)]]
    for number, (row, week) in enumerate(zip(rows, plan.weeks, strict=True), start=1):
        workouts = [s.workout for sessions in week.days.values() for s in sessions]
        total = sum(w.estimated_seconds(60.0) for w in workouts) / 60
        assert row[:4] == [str(number), week.focus.value, str(len(workouts)), f"{total:.0f}"]
    assert rows[0][5] == f"{100 * (1 - 8 / 230):.0f}%"  # 8 hard minutes (hills, strides) of 230
    assert "  mon  rest" in lines
    assert any(line.startswith("  thu  Hill repeats (base phase) (37 min)") for line in lines)
