"""The root of every error watchsync raises on purpose, and the kind that blames the user's input.

Everything watchsync reports derives from :class:`WatchsyncError`. :class:`InputError` is a problem
in something a person wrote (a workout or plan file, a config setting, a FIT file handed in): its
message names the file, line and problem, and the daemon rejects the file with it. Any other
exception is a bug or a fault of this host: it is logged as an internal error and never blamed on a
coach's file.
"""

from __future__ import annotations


class WatchsyncError(Exception):
    """Base of every error watchsync raises on purpose."""


class InputError(WatchsyncError):
    """Something a person wrote is wrong; the message says where and what."""
