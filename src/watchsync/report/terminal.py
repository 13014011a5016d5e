"""The compliance report as text tables, one per week, with coloured status bands and flags.

Colour is ANSI SGR and only on request: :func:`wants_color` says yes for a TTY or ``FORCE_COLOR``
and no for ``NO_COLOR``, pipes and files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import TextIO

from watchsync.compliance.summary import Totals, WeekSummary
from watchsync.report import values
from watchsync.report.model import ComplianceReport, SessionRow, SessionStatus

RESET = "\x1b[0m"
STATUS_SGR: dict[SessionStatus, str] = {
    "green": "\x1b[1;97;42m",
    "yellow": "\x1b[1;30;43m",
    "orange": "\x1b[1;30;48;5;208m",
    "red": "\x1b[1;97;41m",
    "pending": "\x1b[1;30;47m",
    "unplanned": "\x1b[1;97;44m",
}
FLAG_SGR = "\x1b[33m"
HEADING_SGR = "\x1b[1m"
COLUMNS = ("day", "workout", "status", "done / planned", "in target", "RPE done/plan", "flags")


def wants_color(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour for a TTY or when ``FORCE_COLOR`` is set; never for ``NO_COLOR`` or a pipe/file."""
    if environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def render_terminal(report: ComplianceReport, *, color: bool) -> str:
    """Report heading, plan totals, then one table per week with its totals and flags."""
    paint = _Paint(color)
    weeks = report.summary.weeks
    period = f"{weeks[0].week_start} to {weeks[-1].week_start + timedelta(days=6)}" if weeks else "no sessions"
    lines = [paint(HEADING_SGR, f"Compliance: {report.athlete}, {period} (as of {report.today})"),
             *_totals_lines(report.summary.totals, report)]
    for number, week in enumerate(weeks):
        lines += ["", paint(HEADING_SGR, f"Week of {week.week_start}")]
        lines += ["  " + line for line in [*_totals_lines(week.totals, report), _load_line(week, number, report)]]
        lines += ["  " + line for line in _table(report.sessions_in_week(week.week_start), paint)]
        lines += ["  " + paint(FLAG_SGR, f"! {flag}") for flag in week.flags]
    return "\n".join(lines) + "\n"


class _Paint:
    """Wraps text in an SGR sequence when colour is on."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, sgr: str, text: str) -> str:
        return f"{sgr}{text}{RESET}" if self.enabled and text else text


def _totals_lines(totals: Totals, report: ComplianceReport) -> list[str]:
    sessions = [f"completion {values.percent(totals.completion)} ({totals.done} of {totals.done + totals.missed})"]
    if totals.pending:
        sessions.append(f"{totals.pending} pending")
    if totals.unplanned:
        sessions.append(f"{totals.unplanned} unplanned")
    volume = [f"time {values.hours(totals.done_seconds)} / {values.hours(totals.planned_seconds)} planned",
              f"distance {values.kilometres(totals.done_meters)} / {values.kilometres(totals.planned_meters)}",
              f"easy {values.percent(totals.easy_share)} (target {values.percent(report.easy_share_target)})"
              + _heart_rate_time(totals)]
    return ["sessions  " + " · ".join(sessions), "volume    " + " · ".join(volume)]


def _heart_rate_time(totals: Totals) -> str:
    """Over how much time the easy share is, and how much time had no heart rate."""
    if not totals.no_hr_seconds:
        return ""
    return f" of {values.hours(totals.hr_seconds)} with HR, {values.hours(totals.no_hr_seconds)} without"


def _load_line(week: WeekSummary, number: int, report: ComplianceReport) -> str:
    short = " (short history)" if (number + 1) * 7 < report.acwr_min_history_days and week.acwr is not None else ""
    return (f"load      {week.load:.0f} {report.load_metric.upper()} · ACWR {values.number(week.acwr)}{short}"
            f" · monotony {values.number(week.monotony)}")


def _table(rows: list[SessionRow], paint: _Paint) -> list[str]:
    """Aligned on the plain text; colour wraps the padded status cell so widths stay right."""
    if not rows:
        return ["(nothing planned or done)"]
    cells = [[values.day_label(r.day), r.name, r.status, values.volume(r), values.percent(r.in_target),
              values.rpe(r), "; ".join(r.flags)] for r in rows]
    widths = [max(len(line[i]) for line in [list(COLUMNS), *cells]) for i in range(len(COLUMNS))]
    status_column = COLUMNS.index("status")
    out = ["  ".join(h.ljust(w) for h, w in zip(COLUMNS, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    for row, line in zip(rows, cells, strict=True):
        padded = [cell.ljust(width) for cell, width in zip(line, widths, strict=True)]
        padded[status_column] = paint(STATUS_SGR[row.status], padded[status_column])
        out.append("  ".join(padded).rstrip())
    return out
