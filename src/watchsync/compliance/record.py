"""What the store keeps of one fetched activity: its summary, load and how it was decoded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.load import ActivityLoad


class SessionRecord(BaseModel):
    """One session of a multi-session file: read back as an activity of its own."""

    model_config = ConfigDict(frozen=True)

    summary: ActivitySummary
    load: ActivityLoad


class ActivityRecord(BaseModel):
    """The ``summary`` JSON of a stored activity row (written at fetch, read by reports).

    ``error`` says why an activity could not be analysed (its summary then comes from Connect) or
    scored; ``decoder``, ``salvaged`` and ``warnings`` describe how its FIT file was read.
    ``sessions``: each session of a multi-session file (``summary``/``load`` are the whole file).
    ``backfill``: fetched by a sync that reached back beyond the cursor (history, not news).
    """

    model_config = ConfigDict(frozen=True)

    summary: ActivitySummary | None = None
    load: ActivityLoad | None = None
    decoder: str | None = None
    salvaged: bool = False
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None
    sessions: list[SessionRecord] = Field(default_factory=list)
    #: Fetched by a sync asked to reach back beyond the cursor (``activities sync --since``): a
    #: season loaded into the store, history rather than news for the coach's notifications.
    backfill: bool = False

    def activities(self) -> list[tuple[ActivitySummary, ActivityLoad]]:
        """What reports count: each session of a multi-session file, else the file itself."""
        if self.sessions:
            return [(s.summary, s.load) for s in self.sessions]
        return [(self.summary, self.load)] if self.summary is not None and self.load is not None else []
