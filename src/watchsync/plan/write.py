"""Write a plan as a TOML plan file (the format :mod:`watchsync.plan.parse` reads).

Values are encoded by tomli-w; the layout is fixed here so that every session is its own
``[[weeks.days.<day>]]`` table (one line per session for error messages, easy to edit).
"""

from __future__ import annotations

from typing import Any

import tomli_w

from watchsync.plan.model import DAY_NAMES, Plan, Session

HEADER = "# A watchsync plan file: see docs/plans.md for the format and the rules.\n"


def write_plan_toml(plan: Plan, library: str | None = None) -> str:
    """The plan file text; ``library`` is written when given (an absolute path survives a move of
    the plan file, e.g. into the daemon's inbox; a relative one is relative to the plan's folder)."""
    top = {"name": plan.name, "athlete": plan.athlete, "start": plan.start,
           "description": plan.description, "library": library, "force": plan.force or None}
    notes = "".join(f"# note: {note}\n" for note in plan.notes)
    parts = [HEADER + notes + _table({key: value for key, value in top.items() if value is not None})]
    if plan.history is not None:
        history: dict[str, Any] = {"weekly_minutes": [_number(m) for m in plan.history.weekly_minutes]}
        if plan.history.longest_run_minutes is not None:
            history["longest_run_minutes"] = _number(plan.history.longest_run_minutes)
        weeks = plan.history.weeks_from
        said = (f"# from the store: the {len(plan.history.weekly_minutes)} complete weeks from {weeks}\n"
                if weeks is not None else "")
        parts.append(said + _table({"history": history}))
    for number, week in enumerate(plan.weeks, start=1):
        header = {"focus": week.focus.value, **({"note": week.note} if week.note else {})}
        parts.append(f"# --- week {number} ---\n[[weeks]]\n" + _table(header))
        for day in sorted(week.days):
            for session in week.days[day]:
                parts.append(f"[[weeks.days.{DAY_NAMES[day]}]]\n" + _table(_session(session)))
    return "\n".join(parts)


def _table(values: dict[str, Any]) -> str:
    return tomli_w.dumps(values, multiline_strings=True)


def _session(session: Session) -> dict[str, str]:
    entry = {"workout": session.ref} if session.ref is not None else {"text": session.text or ""}
    if session.note:
        entry["note"] = session.note
    return entry


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 1)
