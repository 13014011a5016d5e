"""watchsync.compliance: matching done activities with the plan, scoring them, and training load."""

from watchsync.compliance.activities import ActivitySummary, summary_from_connect, summary_from_fit
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.embedded import score_against_embedded
from watchsync.compliance.load import ActivityLoad, activity_load
from watchsync.compliance.match import MatchResult, PlannedSession, match_sessions
from watchsync.compliance.score import compare_rpe, score_intensity, volume_score
from watchsync.compliance.summary import PlanSummary, WeekSummary, summarize

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
