"""FIT raw-unit constants: scales and offsets of workout step values (no FIT profile import needed)."""

from __future__ import annotations

#: HR values above this are bpm + 100; at or below, % of max HR.
HR_OFFSET = 100
#: Power values above this are W + 1000; at or below, % of FTP.
POWER_OFFSET = 1000
#: Raw units per model unit.
MS_PER_SECOND = 1000
CM_PER_METER = 100
MM_PER_METER = 1000
EXERCISE_WEIGHT_SCALE = 100  # exercise_weight is kg × 100
