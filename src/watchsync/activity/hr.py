"""Heart rate from `hr` messages (HRM-Swim/Tri store it there, not in `record`).

An anchor `hr` message carries `timestamp` + `fractional_timestamp` and one
`event_timestamp` (s, 1/1024 resolution); later ones pack up to 8 beats as
12-bit rolling counters in `event_timestamp_12`, paired with `filtered_bpm` (or, on some
devices, list them as whole `event_timestamp` values, read as the same counters).
HRM-Swim/Tri files hold thousands of them: the merge is numpy throughout.
Records without a heart rate get the mean of the beats since the previous record,
or else the last beat if it is at most `CARRY_SECONDS` old.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from watchsync.activity.model import FloatArray

Message = dict[str | int, Any]

TICKS_PER_SECOND = 1024
CARRY_SECONDS = 5.0
COUNTER_12 = 0x1000  # ticks a 12-bit counter holds before it wraps


#: The common packed message: 12 bytes holding 8 12-bit counters, with 8 bpm values.
_PACKED_BYTES = 12
_PACKED_BEATS = 8
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, eq=False)
class HrColumns:
    """`hr` messages as columns; messages are ordered by ``index`` (their place in the file).

    Anchors: ``anchor_index``, their time (Unix s), tick count and bpm (NaN without one). Packed
    beats: ``beat_order`` (message index, position in it), 12-bit ``counters`` and ``beat_bpm``.
    """

    anchor_index: IntArray
    anchor_unix: FloatArray
    anchor_ticks: IntArray
    anchor_bpm: FloatArray
    beat_order: IntArray
    counters: IntArray
    beat_bpm: FloatArray

    def __len__(self) -> int:
        return len(self.anchor_index) + len(self.counters)


def beats(hr_messages: list[Message] | HrColumns) -> tuple[FloatArray, FloatArray]:
    """(times in Unix s, bpm) of every beat sample in the `hr` messages, sorted by time.

    Counters are accumulated and timed with numpy: each packed counter advances its anchor's tick
    count by its difference to the previous counter, modulo 2^12. Beats before the first anchor
    (no time to count from) and beats without bpm are dropped.
    """
    c = hr_messages if isinstance(hr_messages, HrColumns) else columns(hr_messages)
    if not len(c.anchor_index):
        return np.zeros(0), np.zeros(0)
    segment = np.searchsorted(c.anchor_index, c.beat_order[:, 0], side="right") - 1
    timed = segment >= 0
    if not timed.all():
        segment, counters, order, bpm = segment[timed], c.counters[timed], c.beat_order[timed], c.beat_bpm[timed]
    else:
        counters, order, bpm = c.counters, c.beat_order, c.beat_bpm
    previous = np.empty_like(counters)
    previous[1:] = counters[:-1]
    starts = np.ones(len(counters), dtype=bool)
    starts[1:] = segment[1:] != segment[:-1]
    previous[starts] = c.anchor_ticks[segment[starts]] & (COUNTER_12 - 1)
    steps = (counters - previous) % COUNTER_12
    totals = np.cumsum(steps)
    segment_first = np.maximum.accumulate(np.where(starts, np.arange(len(steps)), 0))
    ticks = totals - (totals - steps)[segment_first] if len(steps) else totals  # ticks since the anchor
    times = c.anchor_unix[segment] + ticks / TICKS_PER_SECOND
    # anchors into the beats' message order (an anchor message holds no packed beats: it goes first)
    message_order = order[:, 0] * _PACKED_BEATS * 64 + order[:, 1]
    if len(message_order) > 1 and not np.all(message_order[1:] >= message_order[:-1]):
        in_order = np.argsort(message_order, kind="stable")
        times, bpm, message_order = times[in_order], bpm[in_order], message_order[in_order]
    at = np.searchsorted(message_order, c.anchor_index * _PACKED_BEATS * 64, side="left")
    all_times, all_bpm = np.insert(times, at, c.anchor_unix), np.insert(bpm, at, c.anchor_bpm)
    keep = ~np.isnan(all_bpm)
    if not keep.all():
        all_times, all_bpm = all_times[keep], all_bpm[keep]
    if len(all_times) > 1 and not np.all(all_times[1:] >= all_times[:-1]):
        by_time = np.argsort(all_times, kind="stable")
        all_times, all_bpm = all_times[by_time], all_bpm[by_time]
    return all_times, all_bpm


def counter_12(event_seconds: FloatArray) -> IntArray:
    """``event_timestamp`` values (seconds) as the 12-bit tick counters ``event_timestamp_12`` would hold."""
    return np.round(event_seconds * TICKS_PER_SECOND).astype(np.int64) % COUNTER_12


def columns(hr_messages: list[Message]) -> HrColumns:
    """Decoded `hr` messages (dicts) as `HrColumns`; the common 8-beat messages in one numpy pass."""
    anchors = [(i, float(m["timestamp"]) + _fraction(m), event[0], _first(m.get("filtered_bpm")))
               for i, m in enumerate(hr_messages)
               if _is_number(m.get("timestamp")) and len(event := _numbers(m.get("event_timestamp"))) == 1]
    anchor_at = {a[0] for a in anchors}
    regular: list[int] = []
    raw: list[bytes] = []
    bpm_rows: list[Any] = []
    odd: list[tuple[int, int, int, float]] = []
    for i, message in enumerate(hr_messages):
        if i in anchor_at:
            continue
        packed, bpm = message.get("event_timestamp_12"), message.get("filtered_bpm")
        if isinstance(packed, bytes) and len(packed) == _PACKED_BYTES and isinstance(bpm, list) \
                and len(bpm) == _PACKED_BEATS:
            regular.append(i)
            raw.append(packed)
            bpm_rows.append(bpm)
        elif isinstance(packed, bytes | tuple | list):
            values = _numbers(bpm)
            odd += [(i, k, c, b) for k, (c, b) in enumerate(zip(_unpack_12(packed), values, strict=False))]
        elif len(events := _numbers(message.get("event_timestamp"))):  # beats as whole event times
            counters_ = counter_12(np.asarray(events, dtype=np.float64)).tolist()
            odd += [(i, k, c, b) for k, (c, b) in enumerate(zip(counters_, _numbers(bpm), strict=False))]
    order = np.zeros((0, 2), dtype=np.int64)
    counters = np.zeros(0, dtype=np.int64)
    bpms = np.zeros(0, dtype=np.float64)
    if regular:
        counters = unpack_12(np.frombuffer(b"".join(raw), dtype=np.uint8).reshape(len(regular), _PACKED_BYTES)).ravel()
        bpms = _bpm_table(bpm_rows).ravel()
        order = np.column_stack((np.repeat(np.asarray(regular, dtype=np.int64), _PACKED_BEATS),
                                 np.tile(np.arange(_PACKED_BEATS), len(regular))))
    if odd:
        extra = np.asarray(odd, dtype=np.float64)
        order = np.concatenate((order, extra[:, :2].astype(np.int64)))
        counters = np.concatenate((counters, extra[:, 2].astype(np.int64)))
        bpms = np.concatenate((bpms, extra[:, 3]))
        by_message = np.lexsort((order[:, 1], order[:, 0]))
        order, counters, bpms = order[by_message], counters[by_message], bpms[by_message]
    return HrColumns(
        anchor_index=np.asarray([a[0] for a in anchors], dtype=np.int64),
        anchor_unix=np.asarray([a[1] for a in anchors], dtype=np.float64),
        anchor_ticks=np.round(np.asarray([a[2] for a in anchors], dtype=np.float64) * TICKS_PER_SECOND)
        .astype(np.int64),
        anchor_bpm=np.asarray([a[3] for a in anchors], dtype=np.float64),
        beat_order=order, counters=counters, beat_bpm=bpms)


def unpack_12(table: NDArray[np.uint8]) -> IntArray:
    """Rows of little-endian packed 12-bit values (two per three bytes) as an (n, values) array."""
    rows, width = table.shape
    count = width * 8 // 12
    padded = np.zeros((rows, -(-width // 3) * 3), dtype=np.int64)
    padded[:, :width] = table
    triples = padded.reshape(rows, -1, 3)
    low = triples[:, :, 0] | ((triples[:, :, 1] & 0x0F) << 8)
    high = (triples[:, :, 1] >> 4) | (triples[:, :, 2] << 4)
    values: IntArray = np.stack((low, high), axis=2).reshape(rows, -1)[:, :count]
    return values


def _first(value: Any) -> float:
    numbers = _numbers(value)
    return numbers[0] if numbers else np.nan


def _bpm_table(rows: list[Any]) -> FloatArray:
    try:
        table: FloatArray = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError):  # a missing value inside a row
        table = np.asarray([[v if _is_number(v) else np.nan for v in row] for row in rows], dtype=np.float64)
    return np.where(np.isfinite(table), table, np.nan)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fraction(message: Message) -> float:
    fraction = message.get("fractional_timestamp")
    return float(fraction) if fraction is not None and _is_number(fraction) else 0.0


def _numbers(value: Any) -> list[float]:
    items = value if isinstance(value, list | tuple) else [value]
    return [float(v) for v in items if _is_number(v)]


def _unpack_12(packed: bytes | tuple[Any, ...] | list[Any]) -> list[int]:
    """Little-endian packed 12-bit values (two per three bytes)."""
    raw = bytes(b for b in packed if isinstance(b, int) and 0 <= b <= 255)
    bits = int.from_bytes(raw, "little")
    return [(bits >> (12 * i)) & (COUNTER_12 - 1) for i in range(len(raw) * 8 // 12)]


def fill_heart_rate(timestamps: FloatArray, heart_rate: FloatArray,
                    hr_messages: list[Message] | HrColumns) -> FloatArray:
    """Fill NaN record heart rates from the beats in `hr` messages."""
    if not len(hr_messages) or len(timestamps) == 0 or not np.all(np.diff(timestamps) >= 0):
        return heart_rate
    times, bpm = beats(hr_messages)
    if len(times) == 0:
        return heart_rate
    merged = np.where(np.isnan(heart_rate), _interval_means(timestamps, times, bpm), heart_rate)
    return np.where(np.isnan(merged), _recent_beat(timestamps, times, bpm), merged)


def _interval_means(timestamps: FloatArray, times: FloatArray, bpm: FloatArray) -> FloatArray:
    """Mean bpm of the beats in (previous record, this record], rounded; NaN if none."""
    # `times` is sorted: the beats inside (first record - 1 s, last record] are one slice, and each
    # one's record is the first at or after it (the previous record is then before it)
    first = np.searchsorted(times, timestamps[0] - 1.0, side="right")
    last = np.searchsorted(times, timestamps[-1], side="right")
    slot = np.searchsorted(timestamps, times[first:last], side="left")
    counts = np.bincount(slot, minlength=len(timestamps))
    sums = np.bincount(slot, weights=bpm[first:last], minlength=len(timestamps))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.floor(sums / counts + 0.5)


def _recent_beat(timestamps: FloatArray, times: FloatArray, bpm: FloatArray) -> FloatArray:
    """bpm of the last beat at or before each record if at most `CARRY_SECONDS` old."""
    last = np.searchsorted(times, timestamps, side="right") - 1
    known = last >= 0
    fresh = known & (timestamps - times[np.maximum(last, 0)] <= CARRY_SECONDS)
    return np.where(fresh, bpm[np.maximum(last, 0)], np.nan)
