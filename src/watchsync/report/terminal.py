"""The compliance report as text tables, one per week, with coloured status bands and flags.

Colour is ANSI SGR and only on request: :func:`wants_color` says yes for a TTY or ``FORCE_COLOR``
and no for ``NO_COLOR``, pipes and files.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
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
COLUMNS = ("day", "workout", "status", "done / planned", "in", "RPE")
#: Terminal width the report keeps within.
WIDTH = 80
#: The workout column is never cut below this.
MIN_NAME = 12


def wants_color(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour for a TTY or when ``FORCE_COLOR`` is set; never for ``NO_COLOR`` or a pipe/file."""
    if environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def render_terminal(report: ComplianceReport, *, color: bool) -> str:
    """Report heading, plan totals, then one table per week with its totals and flags, all within
    :data:`WIDTH` columns: this week and the past newest first, then the weeks to come (planned only);
    distances in the athlete's units."""
    with values.display_units(report.units):
        return _render_terminal(report, color=color)


def _render_terminal(report: ComplianceReport, *, color: bool) -> str:
    paint = _Paint(color)
    weeks = report.summary.weeks
    period = f"{weeks[0].week_start} to {values.week_end(weeks[-1])}" if weeks else "no sessions"
    lines = [*_wrap(paint(HEADING_SGR, f"Compliance: {report.athlete}, {period} (as of {report.today})")),
             *(line for text in _totals_lines(report.summary.totals, report, future=False)
               for line in _wrap(text, "", " " * 10))]
    for week in values.week_order(weeks, report.today):
        future = values.is_future(week, report.today)
        title = f"Week of {week.week_start}" + (" (planned)" if future else "")
        lines += ["", paint(HEADING_SGR, title)]
        head = _totals_lines(week.totals, report, future=future)
        if not future:
            head.append(_load_line(week, report))
        lines += [line for text in head for line in _wrap(text, "  ", "            ")]
        lines += ["  " + line for line in _table(report.sessions_in_week(week.week_start), paint)]
        for flag in values.ranked(week.flags):
            lines += [paint(FLAG_SGR, line) for line in _wrap(f"! {flag}", "  ", "    ")]
    return "\n".join(lines) + "\n"


class _Paint:
    """Wraps text in an SGR sequence when colour is on."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, sgr: str, text: str) -> str:
        return f"{sgr}{text}{RESET}" if self.enabled and text else text


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """``text`` in lines of at most :data:`WIDTH` columns (ANSI sequences are never split: they only
    wrap whole lines here)."""
    if "\x1b[" in text:
        return [first + text]
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [""]


def _totals_lines(totals: Totals, report: ComplianceReport, *, future: bool) -> list[str]:
    if future:
        return [f"planned   {totals.planned_sessions} sessions · {values.hours(totals.planned_seconds)} · "
                + values.distances(totals.planned_meters_by_family)]
    sessions = [f"completion {values.percent(totals.completion)} ({totals.done} of {totals.done + totals.missed})"]
    if totals.pending:
        sessions.append(f"{totals.pending} pending")
    if totals.unplanned:
        sessions.append(f"{totals.unplanned} unplanned")
    volume = [f"time {values.hours(totals.done_seconds)} / {values.planned_time(totals)}",
              f"easy {values.percent(totals.easy_share)} (target {values.percent(report.easy_share_target)})"
              + values.hr_basis(totals.hr_seconds, totals.no_hr_seconds)]
    return ["sessions  " + " · ".join(sessions), "volume    " + " · ".join(volume),
            "distance  " + values.distances(totals.done_meters_by_family, totals.planned_meters_by_family)]




def _load_line(week: WeekSummary, report: ComplianceReport) -> str:
    short = " (short history)" if week.acwr is not None and values.short_history(
        week.week_start, report.acwr_from, report.today, report.acwr_min_history_days) else ""
    return (f"load      {week.load:.0f} {report.load_metric.upper()} · ACWR {values.number(week.acwr)}{short}"
            f" · monotony {values.number(week.monotony)}")


def _table(rows: list[SessionRow], paint: _Paint) -> list[str]:
    """Aligned on the plain text; colour wraps the padded status cell so widths stay right. The
    workout name is cut to what fits; each session's flags follow it on lines of their own."""
    if not rows:
        return ["(nothing planned or done)"]
    cells = [[values.day_label(r.day), r.name, r.status, values.volume(r), values.percent(r.in_target),
              values.rpe(r)] for r in rows]
    widths = [max(len(line[i]) for line in [list(COLUMNS), *cells]) for i in range(len(COLUMNS))]
    name_column = COLUMNS.index("workout")
    room = WIDTH - 2 - sum(w for i, w in enumerate(widths) if i != name_column) - 2 * (len(COLUMNS) - 1)
    widths[name_column] = max(MIN_NAME, min(widths[name_column], room))
    for line in cells:
        line[name_column] = _cut(line[name_column], widths[name_column])
    status_column = COLUMNS.index("status")
    out = ["  ".join(h.ljust(w) for h, w in zip(COLUMNS, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    indent = " " * (widths[0] + 2)
    for row, line in zip(rows, cells, strict=True):
        padded = [cell.ljust(width) for cell, width in zip(line, widths, strict=True)]
        padded[status_column] = paint(STATUS_SGR[row.status], padded[status_column])
        out.append("  ".join(padded).rstrip())
        for flag in values.ranked(row.flags):
            out += textwrap.wrap(f"! {flag}", WIDTH - 2, initial_indent=indent, subsequent_indent=indent + "  ",
                                 break_on_hyphens=False)
    return out


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
