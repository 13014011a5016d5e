"""`hr` messages read straight from the file's bytes into `HrColumns`, with numpy.

HRM-Swim/Tri files hold thousands of `hr` messages; turning each into a dict (fitfast.parse) costs
more than decoding every record. `watchsync.activity.slim` already walks every message: it notes
where the `hr` messages start and how their definitions lay them out (`HrLayout`), and this module
gathers their fields by offset. Only plain layouts are read this way (no developer fields, normal
headers); the caller falls back to the parsed messages otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from watchsync.activity.hr import TICKS_PER_SECOND, HrColumns, counter_12, unpack_12
from watchsync.activity.model import FloatArray

HR_MESSAGE = 132
FIT_EPOCH = 631065600
#: hr field numbers (FIT profile) and their scales.
TIMESTAMP, FRACTIONAL, TIME256, FILTERED_BPM, EVENT_TIMESTAMP, EVENT_TIMESTAMP_12 = 253, 0, 1, 6, 9, 10
FRACTIONAL_SCALE, TIME256_SCALE, EVENT_SCALE = 32768.0, 256.0, 1024.0
_INVALID = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}


@dataclass
class HrLayout:
    """One `hr` definition: byte order, its (field, size, base type) triples, and its messages' offsets."""

    little: bool
    fields: bytes
    positions: list[int] = field(default_factory=list)


@dataclass
class HrGather:
    """What the slim walk collected; ``usable`` turns False on anything this reader does not handle."""

    layouts: list[HrLayout] = field(default_factory=list)
    usable: bool = True
    _by_key: dict[tuple[bool, bytes], HrLayout] = field(default_factory=dict)

    def layout(self, little: bool, fields: bytes) -> HrLayout:
        """The layout of a definition (one per distinct layout: some devices repeat definitions)."""
        key = (little, fields)
        if key not in self._by_key:
            self._by_key[key] = HrLayout(little, fields)
            self.layouts.append(self._by_key[key])
        return self._by_key[key]

    def __len__(self) -> int:
        return sum(len(layout.positions) for layout in self.layouts)


def hr_columns(data: bytes, gather: HrGather) -> HrColumns:
    """The gathered messages as `HrColumns` (message index = offset in the file)."""
    array = np.frombuffer(data, dtype=np.uint8)
    parts = [_layout_columns(array, layout) for layout in gather.layouts if layout.positions]
    if not parts:
        empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
        return HrColumns(empty_i, empty_f, empty_i, empty_f, np.zeros((0, 2), dtype=np.int64), empty_i, empty_f)
    anchors = _joined([p.anchors for p in parts])
    beats_ = _joined([p.beats for p in parts])
    if sum(1 for p in parts if len(p.anchors[0])) > 1:  # layouts interleave in the file: back to file order
        by_offset = np.argsort(anchors[0], kind="stable")
        anchors = tuple(column[by_offset] for column in anchors)
    if sum(1 for p in parts if len(p.beats[0])) > 1:
        by_place = np.lexsort((beats_[1], beats_[0]))
        beats_ = tuple(column[by_place] for column in beats_)
    return HrColumns(
        anchor_index=anchors[0].astype(np.int64), anchor_unix=anchors[1],
        anchor_ticks=np.round(anchors[2] * TICKS_PER_SECOND).astype(np.int64), anchor_bpm=anchors[3],
        beat_order=np.column_stack((beats_[0], beats_[1])).astype(np.int64), counters=beats_[2].astype(np.int64),
        beat_bpm=beats_[3].astype(np.float64))


Columns = tuple[NDArray[Any], ...]


@dataclass(frozen=True)
class _Part:
    """One layout's anchors (offset, unix, event s, bpm) and beats (offset, position, counter, bpm)."""

    anchors: Columns
    beats: Columns


def _joined(parts: list[Columns]) -> Columns:
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(columns) for columns in zip(*parts, strict=True))


def _layout_columns(data: NDArray[np.uint8], layout: HrLayout) -> _Part:
    """The messages of one layout, each read as one row of bytes, split into fields by offset."""
    positions = np.asarray(layout.positions, dtype=np.int64)
    sizes = layout.fields[1::3]
    rows = data[positions[:, None] + np.arange(1, 1 + sum(sizes))]  # after the record header byte
    fields: dict[int, NDArray[np.uint8]] = {}
    offset = 0
    for number, size in zip(layout.fields[0::3], sizes, strict=True):
        fields[number] = rows[:, offset : offset + size]
        offset += size
    count = len(positions)
    stamp = _numbers(fields.get(TIMESTAMP), 4, layout.little, count)[:, 0] + FIT_EPOCH
    fraction = _numbers(fields.get(FRACTIONAL), 2, layout.little, count)[:, 0] / FRACTIONAL_SCALE
    if TIME256 in fields and FRACTIONAL not in fields:
        fraction = _numbers(fields[TIME256], 1, layout.little, count)[:, 0] / TIME256_SCALE
    events = _numbers(fields.get(EVENT_TIMESTAMP), 4, layout.little, count) / EVENT_SCALE
    bpm = _numbers(fields.get(FILTERED_BPM), 1, layout.little, count)
    valid_events = (~np.isnan(events)).sum(axis=1)
    is_anchor = ~np.isnan(stamp) & (valid_events == 1)
    event = np.nanmax(np.where(np.isnan(events), -np.inf, events), axis=1) if events.shape[1] else np.full(count, 0.0)
    first_bpm = bpm[:, 0] if bpm.shape[1] else np.full(count, np.nan)
    when = stamp + np.where(np.isnan(fraction), 0.0, fraction)
    anchors = (positions[is_anchor], when[is_anchor], event[is_anchor], first_bpm[is_anchor])
    packed = fields.get(EVENT_TIMESTAMP_12)
    if packed is None or not packed.shape[1]:
        return _Part(anchors, _event_beats(positions[~is_anchor], events[~is_anchor], bpm[~is_anchor]))
    packed_rows = ~is_anchor
    counters = unpack_12(packed[packed_rows])
    width = min(counters.shape[1], bpm.shape[1])
    counters, beat_bpm = counters[:, :width], bpm[packed_rows][:, :width]
    rows_count = len(counters)
    beats_ = (np.repeat(positions[packed_rows], width), np.tile(np.arange(width), rows_count),
              counters.ravel(), beat_bpm.ravel())
    return _Part(anchors, beats_)


def _event_beats(positions: NDArray[np.int64], events: FloatArray, bpm: FloatArray) -> Columns:
    """Beats listed as whole ``event_timestamp`` values (no packed field), as 12-bit tick counters."""
    width = min(events.shape[1], bpm.shape[1])
    events, bpm = events[:, :width], bpm[:, :width]
    valid = ~np.isnan(events)
    place = np.broadcast_to(np.arange(width), events.shape)
    counters = counter_12(events[valid])
    return (np.broadcast_to(positions[:, None], events.shape)[valid], place[valid], counters, bpm[valid])


def _numbers(raw: NDArray[np.uint8] | None, width: int, little: bool, count: int) -> FloatArray:
    """(messages, elements) of an unsigned field, invalid values as NaN; a missing field: one NaN column."""
    if raw is None or raw.shape[1] < width:
        return np.full((count, 1), np.nan)
    usable = raw.shape[1] // width * width
    values = np.ascontiguousarray(raw[:, :usable]).view(("<" if little else ">") + f"u{width}")
    numbers = values.astype(np.float64)
    numbers[values == _INVALID[width]] = np.nan
    return numbers
