"""FIT workout files: the public entry points of the writer and the reader.

:func:`write_fit_workout` encodes a resolved workout (:mod:`.fit_workout_write`);
:func:`read_fit_workout` imports a FIT workout from a device or another tool (:mod:`.fit_workout_read`).
"""

from watchsync.formats.fit_workout_read import read_fit_workout
from watchsync.formats.fit_workout_write import write_fit_workout

__all__ = ["read_fit_workout", "write_fit_workout"]
