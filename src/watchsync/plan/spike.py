"""The long-run spike reference of a plan being built or checked: the longest run of the previous N days.

The rule itself lives in :mod:`watchsync.rules` (shared with compliance); this is a day-indexed log.
"""

from __future__ import annotations

#: Day index at which a history's "longest run of the last 30 days" is counted: the day before day 0.
HISTORY_DAY = -1


class RunLog:
    """Run minutes by day index (days since the Monday of week 1), for window look-ups."""

    def __init__(self, window_days: int) -> None:
        self.window_days = window_days
        self._runs: list[tuple[int, float]] = []

    def copy(self) -> RunLog:
        """An independent copy (to try a week before committing it)."""
        twin = RunLog(self.window_days)
        twin._runs = list(self._runs)
        return twin

    def add(self, day: int, minutes: float) -> None:
        """Record a run of ``minutes`` on ``day``."""
        self._runs.append((day, minutes))

    def longest_before(self, day: int) -> float | None:
        """Longest run in the ``window_days`` days before ``day`` (not counting ``day``), if any."""
        inside = [minutes for when, minutes in self._runs if day - self.window_days <= when < day]
        return max(inside, default=None)  # the window of watchsync.rules.longest_in_window
