"""Report values as short display strings (shared by the terminal and HTML renderers)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from watchsync.describe import format_seconds

if TYPE_CHECKING:  # annotations only: `analyze` formats percentages without loading the report model
    from watchsync.report.model import SessionRow

MISSING = "–"
SECONDS_PER_HOUR = 3600.0


def percent(share: float | None) -> str:
    """``0.853`` → ``85%``; ``None`` → ``–``."""
    return MISSING if share is None else f"{share:.0%}"


def number(value: float | None, digits: int = 2) -> str:
    """A plain number with ``digits`` decimals; ``None`` → ``–``."""
    return MISSING if value is None else f"{value:.{digits}f}"


def hours(seconds: float) -> str:
    """``5400`` → ``1.5 h``."""
    return f"{seconds / SECONDS_PER_HOUR:.1f} h"


def kilometres(meters: float) -> str:
    """``12345`` → ``12.3 km``."""
    return f"{meters / 1000:.1f} km"


def day_label(day: date) -> str:
    """``Tue 03-04``."""
    return day.strftime("%a %m-%d")


def amount(row: SessionRow, value: float | None) -> str:
    """A session's planned or done amount in its primary metric."""
    if value is None:
        return MISSING
    return kilometres(value) if row.metric == "distance" else format_seconds(value)


def volume(row: SessionRow) -> str:
    """``40m / 45m (89%)``: done / planned and the ratio, as far as they exist."""
    if row.planned is None:
        return amount(row, row.done)
    if row.done is None:
        return f"{MISSING} / {amount(row, row.planned)}"
    return f"{amount(row, row.done)} / {amount(row, row.planned)} ({percent(row.ratio)})"


def rpe(row: SessionRow) -> str:
    """Reported / prescribed session RPE: ``4.5 / 3.3``."""
    if row.rpe_reported is None and row.rpe_prescribed is None:
        return MISSING
    return f"{number(row.rpe_reported, 1)} / {number(row.rpe_prescribed, 1)}"
