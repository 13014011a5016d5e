"""watchsync.activity: decoding executed activities (FIT) into typed, columnar data."""

from watchsync.activity.fit import decode_activity
from watchsync.activity.model import Activity, FileInfo, FitDecodeError, Lap, Records, Session, Workout

__all__ = [
    "Activity",
    "FileInfo",
    "FitDecodeError",
    "Lap",
    "Records",
    "Session",
    "Workout",
    "decode_activity",
]
