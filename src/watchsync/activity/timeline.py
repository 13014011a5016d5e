"""When the timer ran, and how many seconds of it each record stands for.

Volume, load and time in zones count the time the timer runs, not the wall clock: a watch paused at
a café (auto-pause or the stop button) writes `timer` stop/start events, and that time is no
training. The running intervals come from those events, clipped to the session; a session without
timer events runs from its start to its end. A session whose records stand for more running time
than its own timer, with no pause event, loses the stretches where they stand still
(`watchsync.activity.sessions`: the device auto-paused there and its converter kept no event).

A record stands for the time from its timestamp to the next record's (smart recording writes one
every few seconds while little changes), counted only while the timer runs and never for longer
than ``max_gap`` (default ``DEFAULT_MAX_GAP_S``): a longer silence with the timer running is a real
data gap (a lost sensor, a crashed recording), not training at the last value. Records share no
timestamp (see `watchsync.activity.sensors`), so each second counts once. The last record stands
for one second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from watchsync.activity.model import FloatArray, TimerEvent

#: Longest time one record counts for while the timer runs (s); smart recording stays well below.
DEFAULT_MAX_GAP_S = 60.0
LAST_SAMPLE_S = 1.0


@dataclass(frozen=True, slots=True, eq=False)
class Timeline:
    """Running intervals ``[starts[i], stops[i])`` of one session, in Unix seconds."""

    starts: FloatArray
    stops: FloatArray

    @property
    def running_seconds(self) -> float:
        """Total time the timer ran."""
        return float(np.sum(self.stops - self.starts))

    def running_before(self, times: FloatArray) -> FloatArray:
        """Seconds the timer ran from the first start up to each of ``times``."""
        if not len(self.starts):
            return np.zeros(len(times))
        edges = np.column_stack((self.starts, self.stops)).ravel()
        ran = np.concatenate(([0.0], np.cumsum(self.stops - self.starts)))
        totals = np.column_stack((ran[:-1], ran[1:])).ravel()
        result: FloatArray = np.interp(times, edges, totals)
        return result

    def without(self, begins: FloatArray, ends: FloatArray) -> Timeline:
        """The running intervals less the stretches ``[begins[i], ends[i])`` (sorted, not overlapping)."""
        points = np.concatenate((self.starts, self.stops, begins, ends))
        count, cuts = len(self.starts), len(begins)
        running = np.concatenate((np.ones(count), -np.ones(count), np.zeros(2 * cuts)))
        left_out = np.concatenate((np.zeros(2 * count), np.ones(cuts), -np.ones(cuts)))
        order = np.argsort(points, kind="stable")
        points = points[order]
        on = (np.cumsum(running[order]) > 0) & (np.cumsum(left_out[order]) <= 0)  # after each point
        kept = on[:-1] & (points[1:] > points[:-1])
        starts, stops = points[:-1][kept], points[1:][kept]
        apart = starts[1:] > stops[:-1]  # adjacent intervals join
        return Timeline(np.concatenate((starts[:1], starts[1:][apart])),
                        np.concatenate((stops[:-1][apart], stops[-1:])))

    def weights(self, timestamps: FloatArray, max_gap: float = DEFAULT_MAX_GAP_S) -> FloatArray:
        """Seconds of running timer each record stands for (``timestamps`` sorted, unique)."""
        if not len(timestamps):
            return np.zeros(0)
        ends = np.append(timestamps[1:], timestamps[-1] + LAST_SAMPLE_S)
        ends = np.minimum(ends, timestamps + max_gap)
        result: FloatArray = self.running_before(ends) - self.running_before(timestamps)
        return result


def timeline(events: Iterable[TimerEvent], begin: float, end: float) -> Timeline:
    """Running intervals within ``[begin, end]``; running at ``begin`` unless an event stopped it."""
    running = True
    started = begin
    starts: list[float] = []
    stops: list[float] = []
    for event in events:
        if event.time <= begin:
            running = event.running
            continue
        if event.time >= end:
            break
        if running and not event.running:
            starts.append(started)
            stops.append(event.time)
        elif event.running and not running:
            started = event.time
        running = event.running
    if running and end > started:
        starts.append(started)
        stops.append(end)
    return Timeline(np.asarray(starts, dtype=np.float64), np.asarray(stops, dtype=np.float64))


def whole(begin: float, end: float) -> Timeline:
    """A timer running from ``begin`` to ``end`` without a pause."""
    return Timeline(np.asarray([begin], dtype=np.float64), np.asarray([max(begin, end)], dtype=np.float64))
