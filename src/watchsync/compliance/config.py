"""Compliance thresholds, all configurable; defaults and their sources are in docs/compliance.md."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from watchsync import rules


class ComplianceConfig(BaseModel):
    """Every threshold used by matching, scoring and load monitoring."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # matching
    early_days: int = Field(default=1, ge=0, description="an activity may come this many days early")
    late_days: int = Field(default=5, ge=0, description="... or this many days late")
    # cross-training done instead of a planned easy run (compliance/substitution.py)
    substitute_cross_training: bool = Field(default=True, description="count it as the run, not a miss")
    substitution_days: int = Field(default=1, ge=0, description="within this many days of the run")
    substitution_families: tuple[str, ...] = ("bike", "swim", "ski", "other")

    # volume (TrainingPeaks' compliance colours), ratios of done / planned
    green_low: float = 0.80
    green_high: float = 1.20
    yellow_low: float = 0.50
    yellow_high: float = 1.50

    # intensity
    hr_lag_seconds: float = Field(default=180.0, ge=0, description="HR ignored from the activity start")
    hr_step_grace_seconds: float = Field(default=30.0, ge=0, description="HR ignored at each step start")
    power_smoothing_seconds: int = Field(default=3, ge=1, description="rolling mean for power targets")
    max_sample_gap_seconds: float = Field(default=60.0, gt=0, description="longest time one record counts while "
                                          "the timer runs (a longer silence is a data gap)")
    easy_rpe_max: float = Field(default=rules.EASY_MAX_RPE, description="steps at or below this RPE are easy")
    too_hard_share: float = Field(default=0.15, description="flag when easy time above ceiling exceeds")

    # load
    load_metric: Literal["trimp", "srpe"] = "trimp"
    trimp_sex: Literal["male", "female"] = "male"
    acwr_acute_days: int = Field(default=7, ge=1)
    acwr_chronic_days: int = Field(default=28, ge=2)
    acwr_flag: float = 1.5
    acwr_min_history_days: int = Field(default=28, ge=0, description="no ACWR flag before this history")
    monotony_warn: float = 1.5
    monotony_critical: float = 2.0
    easy_share_target: float = 0.80
    long_run_spike_ratio: float = rules.LONG_RUN_SPIKE_RATIO
    long_run_lookback_days: int = Field(default=rules.LONG_RUN_LOOKBACK_DAYS, ge=1)
