"""A plan as text: one row per week (sessions, planned minutes, easy share), then each week's days."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import timedelta
from typing import Any

from watchsync.describe import format_table
from watchsync.model.athlete import Athlete
from watchsync.plan.model import DAY_NAMES, Plan
from watchsync.plan.totals import placed_facts, week_totals


def format_plan_table(plan: Plan, athlete: Athlete | None = None) -> str:
    """The week-by-week table followed by the sessions of each day with their minutes."""
    facts = placed_facts(plan, athlete)
    rows = [[str(t.week), t.focus.value, str(t.sessions), f"{t.minutes:.0f}", f"{t.run_minutes:.0f}",
             f"{100 * t.easy_share:.0f}%", f"{t.long_run_minutes:.0f}", str(t.rest_days)]
            for t in week_totals(plan, facts)]
    start = f", starts {plan.start}" if plan.start else ""
    lines = [f"{plan.name}{start}", "",
             format_table(["week", "focus", "sessions", "min", "run min", "easy", "long run", "rest days"], rows)]
    for number, week in enumerate(plan.weeks, start=1):
        note = f" – {week.note}" if week.note else ""
        lines += ["", f"week {number} ({week.focus.value}){note}"]
        for day, name in enumerate(DAY_NAMES):
            sessions = [p for p in facts if p.week == number and p.day == day]
            listed = " · ".join(f"{p.session.workout.name} ({p.facts.minutes:.0f} min)" for p in sessions
                                if not p.facts.day_off)  # "- OFF": a rest day, no session (probe review18)
            lines.append(f"  {name}  {listed or 'rest'}")
    return "\n".join(lines)


def plan_json(plan: Plan, athlete: Athlete | None = None) -> dict[str, Any]:
    """What :func:`format_plan_table` shows, as JSON-ready data (dates when the plan has a start)."""
    facts = placed_facts(plan, athlete)
    # weeks are calendar weeks: week 1 is the one holding the start (a Wednesday start's Wednesday is its own)
    monday = plan.start - timedelta(days=plan.start.weekday()) if plan.start else None
    weeks = [asdict(t) if is_dataclass(t) else dict(vars(t)) for t in week_totals(plan, facts)]
    sessions = [{"week": p.week, "day": DAY_NAMES[p.day], "name": p.session.workout.name,
                 "minutes": round(p.facts.minutes, 1),
                 "date": (monday + timedelta(days=plan.day_index(p.week, p.day))).isoformat() if monday else None}
                for p in facts]
    return {"name": plan.name, "start": plan.start.isoformat() if plan.start else None, "weeks": weeks,
            "sessions": sessions}
