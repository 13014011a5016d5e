"""Training load: session RPE, Banister TRIMP, EWMA acute:chronic ratio, monotony, strain, long-run spikes.

Formulas (sources in docs/compliance.md):

- sRPE (Foster 2001): CR-10 RPE × minutes.
- TRIMP (Banister 1991): Σ minutes × HRr × k·e^(b·HRr), HRr = (HR − HRrest) / (HRmax − HRrest) clipped
  to 0..1; k, b = 0.64, 1.92 (male) or 0.86, 1.67 (female).
- EWMA (Williams et al. 2017): EWMA_t = λ·load_t + (1 − λ)·EWMA_(t−1), λ = 2 / (N + 1), seeded with
  the first day's load; ACWR = EWMA_acute / EWMA_chronic.
- Monotony (Foster 1998): mean / population SD of the 7 daily loads; strain = weekly load × monotony.
- Long-run spike (Frandsen et al. 2025): a run longer than 110 % of the longest run of the previous
  30 days.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict

from watchsync import rules
from watchsync.activity.model import FloatArray, Records
from watchsync.activity.timeline import whole
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.model.athlete import DEFAULT_RPE_HR_PCT_LTHR, Athlete

TRIMP_CONSTANTS: dict[Literal["male", "female"], tuple[float, float]] = {
    "male": (0.64, 1.92),
    "female": (0.86, 1.67),
}
SECONDS_PER_MINUTE = 60.0


class ActivityLoad(BaseModel):
    """Load and time-at-easy of one done activity."""

    model_config = ConfigDict(frozen=True)

    activity_id: str
    day: date
    sport_family: str
    duration_s: float
    distance_m: float | None
    srpe: float | None
    trimp: float | None
    easy_seconds: float | None
    hr_seconds: float | None
    no_hr_seconds: float | None = None

    def load(self, metric: Literal["trimp", "srpe"]) -> float:
        """The load in the configured metric (0 when the activity lacks it)."""
        value = self.trimp if metric == "trimp" else self.srpe
        return value or 0.0


class Run(NamedTuple):
    """A run for the long-run spike check: its (timer) minutes (see :func:`watchsync.rules.long_run_spikes`)."""

    id: str
    day: date
    minutes: float


class LongRunSpike(BaseModel):
    """A run longer than ``ratio`` × the longest run of the lookback window."""

    model_config = ConfigDict(frozen=True)

    activity_id: str
    day: date
    minutes: float
    previous_longest_minutes: float
    ratio: float
    short_history: bool = False  # the data start less than a lookback window before the run


def srpe(rpe: float, minutes: float) -> float:
    """Session RPE load: CR-10 RPE × duration in minutes."""
    return rpe * minutes


def trimp(timestamps: FloatArray, heart_rate: FloatArray, resting_hr: float, max_hr: float,
          sex: Literal["male", "female"] = "male", max_gap_s: float = 5.0,
          weights: FloatArray | None = None) -> float:
    """Banister TRIMP summed sample by sample.

    With ``weights`` (seconds of running timer each record stands for, see
    `watchsync.activity.timeline`) each record with a heart rate counts its weight; without, each
    heart-rate sample counts until the next one, gaps capped at ``max_gap_s``.
    """
    known = ~np.isnan(heart_rate)
    if weights is not None:
        minutes, hr = weights[known] / SECONDS_PER_MINUTE, heart_rate[known]
    else:
        times, hr = timestamps[known], heart_rate[known]
        if len(times) < 2:
            return 0.0
        minutes, hr = np.clip(np.diff(times), 0, max_gap_s) / SECONDS_PER_MINUTE, hr[:-1]
    reserve = np.clip((hr - resting_hr) / (max_hr - resting_hr), 0.0, 1.0)
    k, b = TRIMP_CONSTANTS[sex]
    return float(np.sum(minutes * reserve * k * np.exp(b * reserve)))


def ewma(daily_loads: Sequence[float], days: int) -> list[float]:
    """Exponentially weighted moving average with λ = 2 / (days + 1), seeded with the first load."""
    decay = 2 / (days + 1)
    out: list[float] = []
    for load in daily_loads:
        out.append(load if not out else decay * load + (1 - decay) * out[-1])
    return out


def acwr(daily_loads: Sequence[float], acute_days: int = 7, chronic_days: int = 28) -> list[float | None]:
    """EWMA acute:chronic workload ratio per day (``None`` while the chronic load is 0)."""
    acute, chronic = ewma(daily_loads, acute_days), ewma(daily_loads, chronic_days)
    return [a / c if c > 0 else None for a, c in zip(acute, chronic, strict=True)]


def monotony(daily_loads: Sequence[float]) -> float | None:
    """Mean / population SD of daily loads (rest days count as 0); ``None`` when the SD is 0."""
    spread = statistics.pstdev(daily_loads)
    return statistics.fmean(daily_loads) / spread if spread > 0 else None


def strain(daily_loads: Sequence[float]) -> float | None:
    """Weekly load × monotony."""
    value = monotony(daily_loads)
    return None if value is None else sum(daily_loads) * value


def long_run_spikes(runs: Sequence[Run], ratio: float = rules.LONG_RUN_SPIKE_RATIO,
                    lookback_days: int = rules.LONG_RUN_LOOKBACK_DAYS) -> list[LongRunSpike]:
    """Runs longer than ``ratio`` × the longest run in the ``lookback_days`` before their day
    (the rule of :func:`watchsync.rules.long_run_spikes`, the one plan lint uses too).

    A run without earlier runs in the window has no baseline and is never a spike.
    """
    first_day = min((r.day for r in runs), default=None)
    spikes = []
    for spike in rules.long_run_spikes([(r.day, r.minutes) for r in runs], ratio, lookback_days):
        run = runs[spike.index]
        spikes.append(LongRunSpike(activity_id=run.id, day=run.day, minutes=run.minutes,
                                   previous_longest_minutes=spike.previous_longest,
                                   ratio=run.minutes / spike.previous_longest,
                                   short_history=first_day is not None
                                   and run.day - first_day < timedelta(days=lookback_days)))
    return spikes


def easy_ceiling_bpm(athlete: Athlete, config: ComplianceConfig) -> float:
    """Top of the easy HR band: :func:`watchsync.rules.easy_hr_ceiling` (the default scale on the
    estimated LTHR when the profile gives no heart-rate figure at all)."""
    ceiling = rules.easy_hr_ceiling(athlete, config.easy_rpe_max)
    if ceiling is not None:
        return ceiling.value
    return DEFAULT_RPE_HR_PCT_LTHR[int(config.easy_rpe_max)][1] * athlete.effective_lthr / 100


def activity_load(summary: ActivitySummary, records: Records | None, athlete: Athlete,
                  config: ComplianceConfig | None = None, *, weights: FloatArray | None = None) -> ActivityLoad:
    """sRPE when an RPE was reported; TRIMP, easy time and time with / without heart rate from the records.

    ``weights``: seconds of running timer each record stands for (pauses excluded, see
    `watchsync.activity.timeline`); without, the records are taken as one unpaused stretch.
    Only records with a valid heart rate count for TRIMP and easy time: a file without heart
    rate is never easy, and its whole timer time is time without heart rate.
    """
    config = config or ComplianceConfig()
    minutes = summary.duration_s / SECONDS_PER_MINUTE
    trimp_value = easy = hr_seconds = no_hr_seconds = None
    if records is not None and len(records):
        if weights is None:
            times = records.timestamp
            weights = whole(float(times[0]), float(times[-1]) + 1).weights(times, config.max_sample_gap_seconds)
        known = ~np.isnan(records.heart_rate)
        hr_seconds = float(weights[known].sum())
        no_hr_seconds = float(weights[~known].sum())
        if known.any():
            trimp_value = trimp(records.timestamp, records.heart_rate, athlete.resting_hr, athlete.max_hr,
                                config.trimp_sex, weights=weights)
            with np.errstate(invalid="ignore"):
                easy_hr = known & (records.heart_rate <= easy_ceiling_bpm(athlete, config))
            easy = float(weights[easy_hr].sum())
        else:
            hr_seconds = None
    if hr_seconds is None:  # no heart rate at all: the whole timer is without it, records or not
        no_hr_seconds = summary.duration_s
    return ActivityLoad(
        activity_id=summary.id,
        day=summary.start.date(),
        sport_family=summary.sport.family,
        duration_s=summary.duration_s,
        distance_m=summary.distance_m,
        srpe=srpe(summary.workout_rpe, minutes) if summary.workout_rpe is not None else None,
        trimp=trimp_value,
        easy_seconds=easy,
        hr_seconds=hr_seconds,
        no_hr_seconds=no_hr_seconds,
    )


def combine_loads(activity_id: str, loads: Sequence[ActivityLoad]) -> ActivityLoad:
    """The loads of a file's sessions as one (sums; a part without a value adds nothing)."""
    first = min(loads, key=lambda x: x.day)

    def total(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    families = {x.sport_family for x in loads}
    return ActivityLoad(
        activity_id=activity_id, day=first.day, sport_family=families.pop() if len(families) == 1 else "other",
        duration_s=sum(x.duration_s for x in loads), distance_m=total([x.distance_m for x in loads]),
        srpe=total([x.srpe for x in loads]), trimp=total([x.trimp for x in loads]),
        easy_seconds=total([x.easy_seconds for x in loads]), hr_seconds=total([x.hr_seconds for x in loads]),
        no_hr_seconds=total([x.no_hr_seconds for x in loads]))
