"""TOML workout files: structured steps (validated by pydantic) or embedded text syntax.

::

    name = "Hills"
    sport = "trail_running"
    steps = [
      { duration = "15m", target = "RPE 3", intensity = "warmup" },
      { repeat = 6, steps = [{ duration = "60s", target = "RPE 8" }, { target = "RPE 2" }] },
    ]

A step table holds ``intensity``, ``duration`` and ``target`` (text-syntax strings such as
``"10m"`` / ``"RPE 3 Z2 HR"``, or model tables such as ``{ kind = "time", seconds = 600 }``),
``rpe``, ``name``, ``notes``, ``exercise`` (a name or ``CATEGORY/EXERCISE``; a
``{ category, name }`` table is taken as is), ``weight`` (``"20kg"``/``"45lb"``) or ``weight_kg``.
A repeat table holds ``repeat`` (the count), ``steps``, ``name`` and ``skip_last_rest``; repeats
nest up to :data:`MAX_REPEAT_DEPTH` levels. Instead of ``steps``, ``text = '''...'''`` embeds the
text syntax; its line numbers are reported relative to the TOML file (exact when the string
starts on the line after its opening quotes).

Its jobs live in :mod:`~watchsync.formats.toml_read` (TOML → workout, errors placed at their keys
by :func:`key_positions` of :mod:`~watchsync.formats.toml_positions`, as tomllib keeps no positions),
:mod:`~watchsync.formats.toml_schema` (the tables) and :mod:`~watchsync.formats.toml_write`
(workout → TOML); this module is their public face.
"""

from __future__ import annotations

from watchsync.formats.toml_positions import Position, key_positions
from watchsync.formats.toml_read import parse_toml
from watchsync.formats.toml_write import format_toml
from watchsync.model.workout import MAX_REPEAT_DEPTH

__all__ = ["MAX_REPEAT_DEPTH", "Position", "format_toml", "key_positions", "parse_toml"]
