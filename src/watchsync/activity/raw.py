"""The decoder-neutral intermediate form both decoders produce (typed by `watchsync.activity.messages`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from watchsync.activity.hr import HrColumns
from watchsync.activity.model import FloatArray

#: A message's fields by profile name (fields outside the profile may be kept under their number).
Message = dict[str | int, Any]


@dataclass
class RawDecode:
    """What a decoder extracted, before typing."""

    messages: dict[str, list[Message]] = field(default_factory=dict)
    columns: dict[str, FloatArray] = field(default_factory=dict)
    hr: HrColumns | None = None  # `hr` messages read as columns (else in ``messages["hr"]``)
