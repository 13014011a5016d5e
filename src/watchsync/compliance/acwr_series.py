"""The acute:chronic workload ratio of every day, over the athlete's whole history.

The daily series starts on the day of the athlete's first activity and is seeded with that day's load
(:func:`watchsync.compliance.load.acwr`), so a day's ratio is the same in every view that shows it (the
season, one week, the digest): no view starts it on a Monday of its own with a load of 0, which
inflates every ratio for weeks (probe coach14). Days after the last activity are rest days (load 0),
worked out in closed form; days before the first have no ratio. Linear in the days of history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from watchsync.compliance.load import ActivityLoad, ewma


class AcwrSeries:
    """Each day's EWMA acute and chronic loads from the first day of history; ``ratio`` and ``history_days``
    answer for any day."""

    def __init__(self, loads: Iterable[ActivityLoad], metric: Literal["trimp", "srpe"], acute_days: int = 7,
                 chronic_days: int = 28) -> None:
        per_day: dict[date, float] = defaultdict(float)
        for load in loads:
            per_day[load.day] += load.load(metric)
        self.first_day: date | None = min(per_day, default=None)
        self._decay = (1 - 2 / (acute_days + 1), 1 - 2 / (chronic_days + 1))
        daily = [per_day[self.first_day + timedelta(days=i)]
                 for i in range((max(per_day) - self.first_day).days + 1)] if self.first_day else []
        self._acute, self._chronic = ewma(daily, acute_days), ewma(daily, chronic_days)

    def ratio(self, day: date) -> float | None:
        """The ratio at the end of ``day`` (``None`` before the history or while the chronic load is 0)."""
        if self.first_day is None or day < self.first_day:
            return None
        index = (day - self.first_day).days
        last = len(self._acute) - 1
        rest = max(0, index - last)  # rest days after the last activity: each decays both averages
        acute = self._acute[min(index, last)] * self._decay[0] ** rest
        chronic = self._chronic[min(index, last)] * self._decay[1] ** rest
        return acute / chronic if chronic > 0 else None

    def history_days(self, day: date) -> int:
        """The days of history up to and including ``day`` (0 before the first)."""
        return 0 if self.first_day is None else max(0, (day - self.first_day).days + 1)
