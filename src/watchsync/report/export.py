"""Machine-readable renderings: the whole report as JSON, sessions or weeks as CSV.

JSON is the report model itself under a format name and version, so it loads back with
``ComplianceReport.model_validate``. CSV numbers are raw (seconds, metres, shares 0..1); text
cells that a spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from watchsync.report.model import ComplianceReport

JSON_FORMAT = "watchsync-compliance-report"
JSON_VERSION = 1
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SESSION_FIELDS = ("week_start", "day", "session_id", "activity_id", "done_on", "name", "sport", "status", "metric",
                  "planned", "done", "ratio", "in_target", "easy_above", "rpe_prescribed", "rpe_reported",
                  "days_late", "flags", "substitute", "easy_basis", "activity_title", "ascent_m")
WEEK_FIELDS = ("week_start", "planned_sessions", "done", "missed", "pending", "unplanned", "completion",
               "planned_seconds", "done_seconds", "planned_meters", "done_meters", "easy_share", "hr_seconds",
               "no_hr_seconds", "load", "acwr", "monotony", "strain", "flags", "run_meters", "planned_seconds_to_date")
TEXT_FIELDS = frozenset({"name", "flags", "activity_title"})  # a Garmin name is the athlete's text too


def render_json(report: ComplianceReport) -> str:
    """``{"format": ..., "version": 1, "report": {...}}``, indented, dates as ISO strings."""
    document = {"format": JSON_FORMAT, "version": JSON_VERSION, "report": report.model_dump(mode="json")}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_csv(report: ComplianceReport, *, level: Literal["sessions", "weeks"] = "sessions") -> str:
    """One row per session (default) or per week, with a header row; flags joined by ``"; "``."""
    rows = _session_rows(report) if level == "sessions" else _week_rows(report)
    fields = SESSION_FIELDS if level == "sessions" else WEEK_FIELDS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(key, value) for key, value in row.items()})
    return out.getvalue()


def _session_rows(report: ComplianceReport) -> list[dict[str, object]]:
    rows = []
    for week in report.summary.weeks:
        for session in report.sessions_in_week(week.week_start):
            fields = session.model_dump(exclude={"steps"})
            rows.append({"week_start": week.week_start, **fields, "flags": "; ".join(session.flags),
                         "easy_basis": " ".join(session.easy_basis)})
    return rows


def _week_rows(report: ComplianceReport) -> list[dict[str, object]]:
    return [{"week_start": week.week_start,
             **week.totals.model_dump(exclude={"planned_meters_by_family", "done_meters_by_family"}),
             "load": week.load, "acwr": week.acwr, "monotony": week.monotony, "strain": week.strain,
             "flags": "; ".join(week.flags), "run_meters": week.totals.done_meters_by_family.get("run", 0.0)}
            for week in report.summary.weeks]


def _cell(key: str, value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if key in TEXT_FIELDS and isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
