"""What a session is and how much it weighs: kind, minutes, intensity split, hard or easy, load.

Rules used everywhere plans are built, checked or shown (see docs/plans.md):

* A step's RPE and whether it is easy, moderate or hard come from :mod:`watchsync.rules` (one
  rule for plans and compliance).
* A session is *hard* when the workout is tagged quality, hills or fartlek, a step reaches RPE 6, or its
  unrated steps in the hard band (intervals with a target) last 5 minutes,
  except strides: steps of RPE 6 or more (or unrated in the hard band) lasting 30 s or less, up to
  4 minutes of them in all, are relaxed accelerations inside an easy run and do not make a day hard.
* Planned time and distance come from :mod:`watchsync.rules` (lap-button steps, per-sport speeds).
"""

from __future__ import annotations

from dataclasses import dataclass

from watchsync import rules
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Step, TimeDuration, Workout
from watchsync.rules import FAMILY_SPEED, step_rpe

HARD_SESSION_RPE = 6.0
#: A step this short at RPE 6 or more is a stride (relaxed, "never a sprint": RPE 7-8 as often as 9), not hard work.
STRIDE_MIN_RPE = HARD_SESSION_RPE
STRIDE_MAX_SECONDS = 30.0
#: A session whose steps in the hard band (intervals with an HR, pace or power target and no RPE) last this
#: long is hard, as one with an RPE of 6 or more is: imported intervals carry targets, not RPEs.
HARD_BAND_MIN_SECONDS = 300.0
STRIDES_MAX_SECONDS = rules.STRIDES_MAX_SECONDS
HARD_TAGS = frozenset({"quality", "hills", "fartlek"})
#: Session RPE assumed for a workout without any RPE (e.g. a strength routine).
UNRATED_SESSION_RPE = 4.0
CROSS_FAMILIES = frozenset({"bike", "swim", "ski", "other"})


def is_stride(step: Step, family: str = "", run_speed: rules.SpeedLike | None = None) -> bool:
    """A short relaxed acceleration: 30 s or less at RPE 6 or more, written or what its target stands for
    (``- 20s 3:30-3:40/km Pace`` in a run; probe review18), or in the hard band without either."""
    if not (isinstance(step.duration, TimeDuration) and step.duration.seconds <= STRIDE_MAX_SECONDS):
        return False
    rpe = step_rpe(step)
    if rpe is None and (rated := rules.target_rpe(step, family, run_speed)) is not None:
        rpe = rated[1]
    return rpe >= STRIDE_MIN_RPE if rpe is not None else rules.intensity_band(step) == "hard"


@dataclass(frozen=True)
class SessionFacts:
    """The numbers and kinds of one workout, computed once."""

    family: str
    tags: frozenset[str]
    seconds: float
    easy_seconds: float
    moderate_seconds: float
    hard_seconds: float
    meters: float
    hard: bool
    session_rpe: float
    day_off: bool = False  # a day-off marker (``- OFF``): the day is a rest day

    @property
    def minutes(self) -> float:
        """Planned minutes."""
        return self.seconds / 60

    @property
    def is_run(self) -> bool:
        """A running session (road, trail, treadmill)."""
        return self.family == "run"

    @property
    def is_long_run(self) -> bool:
        """The week's long run: a run tagged ``long``."""
        return self.is_run and "long" in self.tags

    @property
    def is_core(self) -> bool:
        """A core routine (tagged ``core``)."""
        return "core" in self.tags

    @property
    def is_strength(self) -> bool:
        """A strength routine that is not a core routine (tagged ``strength``)."""
        return "strength" in self.tags and not self.is_core

    @property
    def is_drills(self) -> bool:
        """Running drills (tagged ``drills``)."""
        return "drills" in self.tags

    @property
    def is_strides(self) -> bool:
        """A run with strides (tagged ``strides``)."""
        return "strides" in self.tags

    @property
    def is_cross(self) -> bool:
        """Aerobic cross-training: cycling, swimming, skiing, other cardio."""
        return self.family in CROSS_FAMILIES

    @property
    def load(self) -> float:
        """Session RPE load estimate (Foster): RPE × minutes, in arbitrary units."""
        return self.session_rpe * self.minutes


def _target_rpe(step: Step, family: str, run_speed: rules.SpeedLike, athlete: Athlete | None) -> float | None:
    """The middle of the RPE range a step's target stands for (:func:`watchsync.rules.target_rpe`), as the
    report prescribes it: ``Z4 HR`` 7.5 (hard), ``Z3 HR`` 5.5 (moderate), ``75-85% HR`` 4.5 (probe review18)."""
    band = rules.target_rpe(step, family, run_speed, athlete)
    return (band[0] + band[1]) / 2 if band is not None else None


def session_facts(workout: Workout, run_speed: rules.SpeedLike = FAMILY_SPEED["run"],
                  athlete: Athlete | None = None) -> SessionFacts:
    """Classify ``workout`` and measure it; ``run_speed`` (m/s) converts running distance and time;
    ``athlete`` reads a share of max HR against their own LTHR. A day-off marker (``- OFF``) is no
    training: no time, no load (:meth:`Workout.is_day_off`)."""
    family = workout.sport.family
    if workout.is_day_off():
        return SessionFacts(family=family, tags=frozenset(workout.tags), seconds=0.0, easy_seconds=0.0,
                            moderate_seconds=0.0, hard_seconds=0.0, meters=0.0, hard=False, session_rpe=0.0,
                            day_off=True)
    speed = rules.planning_speed(family, run_speed)
    split = {"easy": 0.0, "moderate": 0.0, "hard": 0.0}
    rated_seconds = rated_rpe_seconds = 0.0
    hard = bool(HARD_TAGS & set(workout.tags))
    hard_band = 0.0  # unrated steps in the hard band, strides aside
    strides = 0.0  # short fast reps: strides while they add up to a few minutes
    for step in workout.flat_steps():
        seconds = rules.planned_step_seconds(step, family, run_speed, workout.sport.value)
        rpe = step_rpe(step)
        # "- 8m Z4 HR", "- 30m 4:25-4:35/km Pace" stand for RPE 7-8: load, band and a hard session as if
        # written so (probes coach12, review17)
        rated = rpe if rpe is not None else _target_rpe(step, family, run_speed, athlete)
        band = rules.intensity_band(step)
        if band != "easy" and rpe is None and rules.easy_by_target(step, family, run_speed):
            band = "easy"  # "- 45m Z2 HR", "- 45m 9:00-9:45/mi Pace": easy running, though no RPE says so
        elif rpe is None and rated is not None and step.intensity not in rules.EASY_INTENSITIES:
            band = rules.rpe_band(rated)
        split[band] += seconds
        if is_stride(step, family, run_speed):
            strides += seconds
        elif rpe is not None or (rated is not None and step.intensity not in rules.EASY_INTENSITIES):
            hard = hard or (rated or 0.0) >= HARD_SESSION_RPE  # a warm-up's zone makes no hard session
        elif band == "hard":
            hard_band += seconds
        if rated is not None:
            rated_seconds += seconds
            rated_rpe_seconds += seconds * rated
    # "4x 8m Z4 HR": hard, though no RPE says so; 16 x 30 s at RPE 8 is no strides
    hard = hard or hard_band >= HARD_BAND_MIN_SECONDS or strides > STRIDES_MAX_SECONDS
    total = sum(split.values())
    return SessionFacts(
        family=family, tags=frozenset(workout.tags), seconds=total,
        easy_seconds=split["easy"], moderate_seconds=split["moderate"], hard_seconds=split["hard"],
        meters=rules.planned_meters(workout, run_speed) if speed else 0.0, hard=hard,
        session_rpe=rated_rpe_seconds / rated_seconds if rated_seconds else UNRATED_SESSION_RPE)

