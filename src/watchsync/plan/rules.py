"""The base-building rules' thresholds, shared by the generator and the linter (docs/plans.md)."""

from __future__ import annotations

from dataclasses import dataclass

from watchsync import rules


@dataclass(frozen=True)
class PlanRules:
    """Thresholds of the base-building rules; defaults follow docs/plans.md."""

    max_weekly_growth: float = 0.10
    max_build_streak: int = 3
    deload_drop_min: float = 0.20
    deload_drop_max: float = 0.30
    min_easy_share: float = 0.80
    long_run_spike: float = rules.LONG_RUN_SPIKE_RATIO
    spike_window_days: int = rules.LONG_RUN_LOOKBACK_DAYS
    min_rest_days: int = 1
    min_core: int = 2
    min_strength: int = 2
    min_drills: int = 1
    max_drills: int = 2
    min_strides: int = 1
    max_strides: int = 2
    min_cross: int = 1
