"""watchsync.report: compliance reports for the terminal, a self-contained HTML page, JSON and CSV.

The names below load their module on first use: a command that needs one display helper
(``analyze``) does not import every renderer.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from watchsync.report.build import build_report
    from watchsync.report.export import render_csv, render_json
    from watchsync.report.html import render_html
    from watchsync.report.model import ComplianceReport, DayPoint, SessionRow
    from watchsync.report.terminal import render_terminal, wants_color

_HOMES: dict[str, str] = {
    "build_report": "build", "render_csv": "export", "render_json": "export", "render_html": "html",
    "ComplianceReport": "model", "DayPoint": "model", "SessionRow": "model", "render_terminal": "terminal",
    "wants_color": "terminal",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
