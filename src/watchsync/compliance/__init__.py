"""watchsync.compliance: matching done activities with the plan, scoring them, and training load.

The names below load their module on first use, so importing one submodule (``analyze`` needs
only the activity summary and load) does not import them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from watchsync.compliance.activities import ActivitySummary, summary_from_connect, summary_from_fit
    from watchsync.compliance.config import ComplianceConfig
    from watchsync.compliance.embedded import score_against_embedded
    from watchsync.compliance.load import ActivityLoad, activity_load
    from watchsync.compliance.match import MatchResult, PlannedSession, match_sessions
    from watchsync.compliance.score import compare_rpe, score_intensity, volume_score
    from watchsync.compliance.summary import PlanSummary, WeekSummary, summarize

_HOMES: dict[str, str] = {
    "ActivitySummary": "activities", "summary_from_connect": "activities", "summary_from_fit": "activities",
    "ComplianceConfig": "config", "score_against_embedded": "embedded", "ActivityLoad": "load",
    "activity_load": "load", "MatchResult": "match", "PlannedSession": "match", "match_sessions": "match",
    "compare_rpe": "score", "score_intensity": "score", "volume_score": "score", "PlanSummary": "summary",
    "WeekSummary": "summary", "summarize": "summary",
}

__all__ = [
    "ActivityLoad",
    "ActivitySummary",
    "ComplianceConfig",
    "MatchResult",
    "PlanSummary",
    "PlannedSession",
    "WeekSummary",
    "activity_load",
    "compare_rpe",
    "match_sessions",
    "score_against_embedded",
    "score_intensity",
    "summarize",
    "summary_from_connect",
    "summary_from_fit",
    "volume_score",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
