"""Heart rate from `hr` messages (HRM-Swim/Tri store it there, not in `record`).

An anchor `hr` message carries `timestamp` + `fractional_timestamp` and one
`event_timestamp` (s, 1/1024 resolution); later ones pack up to 8 beats as
12-bit rolling counters in `event_timestamp_12`, paired with `filtered_bpm`.
Records without a heart rate get the mean of the beats since the previous record,
or else the last beat if it is at most `CARRY_SECONDS` old.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from watchsync.activity.model import FloatArray

Message = dict[str, Any]

TICKS_PER_SECOND = 1024
CARRY_SECONDS = 5.0
_COUNTER_12 = 0x1000


class _BeatClock:
    """Turns event-timestamp ticks into Unix seconds, relative to the last anchor."""

    def __init__(self) -> None:
        self.anchor_unix: float | None = None
        self.anchor_ticks = 0
        self.ticks = 0

    def anchor(self, unix: float, ticks: int) -> None:
        self.anchor_unix, self.anchor_ticks, self.ticks = unix, ticks, ticks

    def advance_12(self, value: int) -> float:
        """Accumulate one 12-bit counter value; return its time."""
        ticks = (self.ticks & ~(_COUNTER_12 - 1)) | value
        if ticks < self.ticks:
            ticks += _COUNTER_12
        self.ticks = ticks
        return self.unix(ticks)

    def unix(self, ticks: int) -> float:
        assert self.anchor_unix is not None
        return self.anchor_unix + (ticks - self.anchor_ticks) / TICKS_PER_SECOND


def beats(hr_messages: list[Message]) -> tuple[FloatArray, FloatArray]:
    """(times in Unix s, bpm) of every beat sample in the `hr` messages, sorted by time."""
    clock = _BeatClock()
    times: list[float] = []
    bpms: list[float] = []
    for message in hr_messages:
        for time, bpm in _message_beats(clock, message):
            times.append(time)
            bpms.append(bpm)
    order = np.argsort(np.asarray(times, dtype=np.float64), kind="stable")
    return np.asarray(times, dtype=np.float64)[order], np.asarray(bpms, dtype=np.float64)[order]


def _message_beats(clock: _BeatClock, message: Message) -> list[tuple[float, float]]:
    bpm = _numbers(message.get("filtered_bpm"))
    packed = message.get("event_timestamp_12")
    event = _numbers(message.get("event_timestamp"))
    anchor = message.get("timestamp")
    if isinstance(anchor, int | float) and len(event) == 1:
        fraction = message.get("fractional_timestamp")
        unix = anchor + (fraction if isinstance(fraction, int | float) and math.isfinite(fraction) else 0.0)
        clock.anchor(float(unix), round(event[0] * TICKS_PER_SECOND))
        return [(float(unix), bpm[0])] if bpm else []
    if clock.anchor_unix is None or not isinstance(packed, bytes | tuple | list):
        return []
    counters = _unpack_12(packed)
    return [(clock.advance_12(c), b) for c, b in zip(counters, bpm, strict=False)]


def _numbers(value: Any) -> list[float]:
    items = value if isinstance(value, list | tuple) else [value]
    return [
        float(v) for v in items if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]


def _unpack_12(packed: bytes | tuple[Any, ...] | list[Any]) -> list[int]:
    """Little-endian packed 12-bit values (two per three bytes)."""
    raw = bytes(b for b in packed if isinstance(b, int) and 0 <= b <= 255)
    bits = int.from_bytes(raw, "little")
    return [(bits >> (12 * i)) & (_COUNTER_12 - 1) for i in range(len(raw) * 8 // 12)]


def fill_heart_rate(timestamps: FloatArray, heart_rate: FloatArray, hr_messages: list[Message]) -> FloatArray:
    """Fill NaN record heart rates from the beats in `hr` messages."""
    if not hr_messages or len(timestamps) == 0 or not np.all(np.diff(timestamps) >= 0):
        return heart_rate
    times, bpm = beats(hr_messages)
    if len(times) == 0:
        return heart_rate
    merged = np.where(np.isnan(heart_rate), _interval_means(timestamps, times, bpm), heart_rate)
    return np.where(np.isnan(merged), _recent_beat(timestamps, times, bpm), merged)


def _interval_means(timestamps: FloatArray, times: FloatArray, bpm: FloatArray) -> FloatArray:
    """Mean bpm of the beats in (previous record, this record], rounded; NaN if none."""
    starts = np.concatenate(([timestamps[0] - 1.0], timestamps[:-1]))
    slot = np.searchsorted(timestamps, times, side="left")
    inside = slot < len(timestamps)
    inside[inside] &= times[inside] > starts[slot[inside]]
    counts = np.bincount(slot[inside], minlength=len(timestamps))
    sums = np.bincount(slot[inside], weights=bpm[inside], minlength=len(timestamps))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.floor(sums / counts + 0.5)


def _recent_beat(timestamps: FloatArray, times: FloatArray, bpm: FloatArray) -> FloatArray:
    """bpm of the last beat at or before each record if at most `CARRY_SECONDS` old."""
    last = np.searchsorted(times, timestamps, side="right") - 1
    known = last >= 0
    fresh = known & (timestamps - times[np.maximum(last, 0)] <= CARRY_SECONDS)
    return np.where(fresh, bpm[np.maximum(last, 0)], np.nan)
