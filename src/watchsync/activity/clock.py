"""Device-relative timestamps ("system time") re-based on a real time the file gives.

FIT date_time values below 0x10000000 are not dates (they would fall in 1990-1998) but seconds since
the device powered on: old watches (Forerunner 60/70 class) write their whole activity that way.
Read as dates they put the activity in 1990. The file usually knows one real time for one of those
relative ones:

- ``file_id.time_created`` as a real date (UTC): the relative times are shifted so the activity
  starts then;
- ``activity.local_timestamp`` (always a real local wall-clock time) against ``activity.timestamp``:
  the relative times are shifted onto the local wall clock (UTC offset unknown: ``clock="local"``).

With neither, the times stay relative (``clock="device"``) and the activity's start must come from
elsewhere (Garmin Connect's start). Only values below the limit move; real dates stay as they are.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from watchsync.activity.model import Clock
from watchsync.activity.raw import Message, RawDecode

FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
#: Unix seconds of FIT's 0x10000000: date_time values below it are device-relative.
SYSTEM_TIME_LIMIT = FIT_EPOCH + 0x10000000
#: Fields holding a date_time that is relative when the device's clock is (local_timestamp never is).
TIME_FIELDS = ("timestamp", "start_time", "time_created")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        return None
    return float(value)


def is_relative(value: float | None) -> bool:
    """True for a date_time (Unix s) that is device-relative."""
    return value is not None and value < SYSTEM_TIME_LIMIT


def rebase_clock(raw: RawDecode) -> tuple[Clock, list[str]]:
    """Shift `raw`'s device-relative times in place onto a real clock; (clock, notes)."""
    messages = raw.messages
    timestamps = raw.columns.get("timestamp")
    candidates = [_number(m.get("start_time")) for m in messages.get("session", [])]
    candidates += [_number(m.get("timestamp")) for m in messages.get("activity", [])]
    if timestamps is not None and len(timestamps) and not np.isnan(timestamps).all():
        candidates.append(float(np.nanmin(timestamps)))
    known = [c for c in candidates if c is not None]
    if not known or not any(is_relative(c) for c in known):
        return "utc", []
    shift, clock, source = _shift(messages, min(c for c in known if is_relative(c)))
    if shift is None:
        return "device", ["timestamps are device-relative (seconds since power-on) and the file gives no real "
                          "time: its start is unknown"]
    for kind in messages.values():
        for message in kind:
            for name in TIME_FIELDS:
                value = _number(message.get(name))
                if is_relative(value):
                    message[name] = value + shift  # type: ignore[operator]
    if timestamps is not None:
        with np.errstate(invalid="ignore"):
            raw.columns["timestamp"] = np.where(timestamps < SYSTEM_TIME_LIMIT, timestamps + shift, timestamps)
    if raw.hr is not None:
        anchors = raw.hr.anchor_unix
        raw.hr = replace(raw.hr, anchor_unix=np.where(anchors < SYSTEM_TIME_LIMIT, anchors + shift, anchors))
    return clock, [f"timestamps are device-relative (seconds since power-on); real times taken from {source}"]


def _shift(messages: dict[str, list[Message]], first_relative: float) -> tuple[float | None, Clock, str]:
    """(seconds to add to relative times, the clock they are then on, where the real time came from)."""
    for file_id in messages.get("file_id", []):
        created = _number(file_id.get("time_created"))
        if created is not None and not is_relative(created):
            return created - first_relative, "utc", "file_id.time_created"
    for info in messages.get("activity", []):
        stamp, local = _number(info.get("timestamp")), _number(info.get("local_timestamp"))
        if is_relative(stamp) and local is not None and not is_relative(local):
            return local - stamp, "local", "activity.local_timestamp (local time)"  # type: ignore[operator]
    return None, "device", ""
