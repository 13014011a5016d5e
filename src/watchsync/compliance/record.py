"""What the store keeps of one fetched activity: its summary, load and how it was decoded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.load import ActivityLoad


class ActivityRecord(BaseModel):
    """The ``summary`` JSON of a stored activity row (written at fetch, read by reports).

    ``error`` says why an activity could not be analysed (its summary then comes from Connect) or
    scored; ``decoder``, ``salvaged`` and ``warnings`` describe how its FIT file was read.
    """

    model_config = ConfigDict(frozen=True)

    summary: ActivitySummary | None = None
    load: ActivityLoad | None = None
    decoder: str | None = None
    salvaged: bool = False
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None
