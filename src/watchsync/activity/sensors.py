"""Record columns cleaned for analysis: invalid sensor values are missing data, one row per second.

FIT marks a missing value with the base type's invalid value (decoders return it as missing), but
devices also write values that are no reading: heart rate 0 (no strap: Zwift, head units) and 255,
power 65535 and cadence 255 written as numbers. Those become NaN. Power 0 and cadence 0 are real
readings (coasting), heart rate 0 never is.

Records whose timestamp lies more than a week from the middle of the rest are corrupt and dropped.
Records are put in time order and records sharing a timestamp (some devices write two per second,
e.g. one with position and one with heart rate) are merged into one row holding each column's last
known value, so that every second counts once. Records without a timestamp cannot be placed in time
and are dropped.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from watchsync.activity.model import FloatArray, Records

#: Heart rates outside (MIN, MAX) are no reading: 0 (no strap) and 255 (uint8 invalid).
HEART_RATE_MIN = 0.0
HEART_RATE_MAX = 255.0
#: Records further than this from the middle of the file's records are corrupt (no activity lasts a
#: week: see `watchsync.activity.sessions.MAX_SESSION_S`) and dropped.
MAX_RECORD_SPREAD_S = 7 * 86400.0
#: uint16 / uint8 invalid markers when a device writes them as values.
POWER_INVALID = 65535.0
CADENCE_INVALID = 255.0


def valid_heart_rate(heart_rate: FloatArray) -> FloatArray:
    """`heart_rate` with 0, 255 and anything outside them as NaN."""
    with np.errstate(invalid="ignore"):
        ok = (heart_rate > HEART_RATE_MIN) & (heart_rate < HEART_RATE_MAX)
    return np.where(ok, heart_rate, np.nan)


def clean_records(records: Records) -> Records:
    """Invalid sensor values as NaN, rows in time order, one row per timestamp (see the module)."""
    columns = {f.name: getattr(records, f.name) for f in fields(Records)}
    columns["heart_rate"] = valid_heart_rate(columns["heart_rate"])
    with np.errstate(invalid="ignore"):
        columns["power"] = np.where(columns["power"] >= POWER_INVALID, np.nan, columns["power"])
        columns["cadence"] = np.where(columns["cadence"] >= CADENCE_INVALID, np.nan, columns["cadence"])
    timestamp = columns["timestamp"]
    if len(timestamp) and (np.isnan(timestamp).any() or not np.all(np.diff(timestamp) > 0)):
        columns = _one_row_per_time(columns)
    timestamp = columns["timestamp"]
    if len(timestamp) and timestamp[-1] - timestamp[0] > MAX_RECORD_SPREAD_S:
        bulk = float(np.median(timestamp))  # a corrupt timestamp (a flipped byte) lands years away
        near = np.abs(timestamp - bulk) <= MAX_RECORD_SPREAD_S
        columns = {name: column[near] for name, column in columns.items()}
    return Records(**columns)


def _one_row_per_time(columns: dict[str, FloatArray]) -> dict[str, FloatArray]:
    timestamp = columns["timestamp"]
    keep = ~np.isnan(timestamp)
    order = np.flatnonzero(keep)[np.argsort(timestamp[keep], kind="stable")]
    times = timestamp[order]
    if not len(times):
        return {name: column[:0] for name, column in columns.items()}
    starts = np.concatenate(([True], np.diff(times) > 0))
    group = np.cumsum(starts) - 1
    groups = int(group[-1]) + 1
    merged = {"timestamp": times[starts]}
    for name, column in columns.items():
        if name == "timestamp":
            continue
        values = column[order]
        known = np.flatnonzero(~np.isnan(values))
        out = np.full(groups, np.nan)
        # the last known value of each group: first occurrence when walking backwards
        reverse = known[::-1]
        unique, first = np.unique(group[reverse], return_index=True)
        out[unique] = values[reverse[first]]
        merged[name] = out
    return merged
