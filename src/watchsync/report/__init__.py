"""watchsync.report: compliance reports for the terminal, a self-contained HTML page, JSON and CSV."""

from watchsync.report.build import build_report
from watchsync.report.export import render_csv, render_json
from watchsync.report.html import render_html
from watchsync.report.model import ComplianceReport, DayPoint, SessionRow
from watchsync.report.terminal import render_terminal, wants_color

__all__ = [
    "ComplianceReport",
    "DayPoint",
    "SessionRow",
    "build_report",
    "render_csv",
    "render_html",
    "render_json",
    "render_terminal",
    "wants_color",
]
