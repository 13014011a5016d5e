"""One home for every training rule that more than one view uses (docs/plans.md, docs/compliance.md).

``show``, ``plan show``, ``plan lint``, the plan generator, the calendar export and the compliance
report all measure a planned workout and judge a step with the functions here, so they agree:

* **Planned time and distance** (:func:`planned_seconds`, :func:`planned_meters`): timed steps
  exactly; distance steps at the sport's planning speed (:func:`planning_speed`, :class:`Speeds`,
  :func:`speeds_for`: the athlete's easy running speed for runs, 80 % of the swim threshold speed
  (CSS) for swims when the athlete has one, a typical easy speed of the sport otherwise; an
  indoor ride's timed steps no distance); a lap-button (open) step counts :data:`LAP_BUTTON_SECONDS`;
  a set of reps 3 s a rep.
* **RPE of a step** (:func:`step_rpe`): the high end of its RPE target, else of its RPE cue; a
  step written in zones, shares or a run's pace stands for the RPE its target's band is on the RPE
  scale (:func:`target_rpe`, :func:`planned_rpe`: session RPE and load of plans and reports).
* **Easy, moderate, hard** (:func:`intensity_band`): RPE ≤ 4 easy, 5–6 moderate, ≥ 7 hard. Without
  an RPE, warm-up, cool-down, recovery and rest steps, steps without a target (drills, strength,
  walking back) and steps whose target ends in zone 2 (:func:`easy_by_target`: ``Z2 HR``, 70-85 %
  LTHR) are easy; a zone or share target takes the band of the RPE it stands for (``Z4 HR``: RPE
  7-8, hard); other targeted interval steps hard, other targeted steps moderate.
* **The easy ceiling** (:func:`easy_hr_ceiling`, :func:`easy_speed_ceiling`): the heart rate or
  speed an easy run stays under, from what is known of the athlete: the top of the easy RPE band
  (89 % of LTHR, Friel); without an LTHR 74 % of heart-rate reserve when the resting HR is given,
  else 79 % of max HR (Daniels' easy running); for pace, 87 % of threshold speed.
* **The long-run spike** (:func:`long_run_spikes`): a run longer than 110 % of the longest run of
  the previous 30 days (Frandsen et al., BJSM 2025), measured in minutes of (timer) time, because
  plans are written in time and a trail runner's pace depends on the terrain.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from watchsync.model.athlete import (
    DEFAULT_RPE_HR_PCT_LTHR,
    DEFAULT_RPE_SPEED_PCT,
    HR_MIN_HARD_STEP_SECONDS,
    TargetPreference,
)
from watchsync.model.enums import Intensity

# The workout model (pydantic) is imported inside the functions that judge a step or a workout: their
# caller holds one already, and the rules about athletes and runs (``analyze``) never load it.
if TYPE_CHECKING:
    from watchsync.model.athlete import Athlete
    from watchsync.model.workout import Step, Workout

#: FIT records a running cadence in strides a minute (one foot), Garmin shows steps a minute (both
#: feet, twice as many). A running cadence target above this is in steps a minute (``170-180spm``),
#: one at or below it in strides a minute (``85-90rpm``): no one runs at 120 steps or 120 strides.
RUN_STRIDES_MAX = 120.0

#: Strides add up to a few minutes (6-8 x 20-30 s); short fast reps past this are a session of their own
#: (a 16 x 30/30 is 8 minutes at RPE 8: hard, probe review13), in plans and in compliance alike.
STRIDES_MAX_SECONDS = 240.0
#: Planned time of a lap-button step (a jog back down a hill, a drill done "until done"): 60 s.
LAP_BUTTON_SECONDS = 60.0
#: Steps at or below this RPE are easy (CR-10; Seiler's zone 1 ends at RPE 4).
EASY_MAX_RPE = 4.0
#: Steps above :data:`EASY_MAX_RPE` and at or below this RPE are moderate; above it hard.
MODERATE_MAX_RPE = 6.0
#: Typical easy speeds in m/s per sport family, for distance steps and estimates (runs use the athlete's).
FAMILY_SPEED: dict[str, float] = {"run": 2.8, "bike": 7.0, "swim": 0.67, "ski": 3.5}
#: Speeds in m/s of a distance step without a pace or speed target, in a sport with no :data:`FAMILY_SPEED`
#: (by sport value): an erg at 2:30/500 m in a cardio workout (``rowing`` reads as cardio); else
#: :data:`WALKING_SPEED` (walks and hikes read as other; a sled push or a carry in a strength workout).
DISTANCE_STEP_SPEED: dict[str, float] = {"cardio": 500 / 150}
#: Walking at 5 km/h (m/s).
WALKING_SPEED = 5 / 3.6
#: Easy swimming at 80 % of the swim threshold (CSS) speed: the share easy running takes of the
#: threshold speed (``Athlete.easy_speed``), the RPE 3-4 pace band (78-87 %) being the same for swims.
EASY_SHARE_OF_CSS_SPEED = 0.80
#: Intensities that count as easy when a step carries no RPE.
EASY_INTENSITIES = frozenset({Intensity.WARMUP, Intensity.COOLDOWN, Intensity.RECOVERY, Intensity.REST})
#: A run longer than this share of the reference is a long-run spike.
LONG_RUN_SPIKE_RATIO = 1.10
#: The reference is the longest run of this many days before the run.
LONG_RUN_LOOKBACK_DAYS = 30

#: Without an LTHR but with a resting HR: easy running tops out at 74 % of heart-rate reserve (Daniels'
#: easy intensity is 59-74 % of VO2max; %HRR tracks %VO2 reserve, Swain & Leutholtz 1997).
EASY_HRR_SHARE = 0.74
#: With a max HR only: easy running tops out at 79 % of max HR (Daniels' easy running, 65-79 %).
EASY_MAX_HR_SHARE = 0.79

#: Hard steps shorter than this are not judged (nor targeted) by heart rate (model.athlete).
HR_MIN_STEP_SECONDS = HR_MIN_HARD_STEP_SECONDS

Band = Literal["easy", "moderate", "hard"]


@dataclass(frozen=True)
class EasyCeiling:
    """The top of easy effort on one channel (bpm or m/s) and how it was derived."""

    channel: Literal["heart_rate", "speed"]
    value: float
    source: str


def easy_hr_ceiling(athlete: Athlete, easy_max_rpe: float = EASY_MAX_RPE) -> EasyCeiling | None:
    """The easy HR ceiling from what is known of ``athlete`` (module docstring); None without a max HR."""
    known = athlete.model_fields_set
    if athlete.lthr is not None:
        key = int(easy_max_rpe)
        override = athlete.rpe.get(key) if athlete.targets is not TargetPreference.PACE else None
        percent = override.high if override else DEFAULT_RPE_HR_PCT_LTHR[key][1]
        return EasyCeiling("heart_rate", percent * athlete.lthr / 100, f"{percent:g}% of LTHR {athlete.lthr}")
    if "resting_hr" in known and "max_hr" in known:
        reserve = athlete.max_hr - athlete.resting_hr
        return EasyCeiling("heart_rate", athlete.resting_hr + EASY_HRR_SHARE * reserve,
                           f"{100 * EASY_HRR_SHARE:g} % of heart-rate reserve {athlete.resting_hr}-{athlete.max_hr}")
    if "max_hr" in known:
        return EasyCeiling("heart_rate", EASY_MAX_HR_SHARE * athlete.max_hr,
                           f"{100 * EASY_MAX_HR_SHARE:g} % of max HR {athlete.max_hr}")
    return None


def easy_speed_ceiling(athlete: Athlete, easy_max_rpe: float = EASY_MAX_RPE) -> EasyCeiling | None:
    """The fastest easy running speed: the top of the easy RPE pace band; None without a threshold pace."""
    if not athlete.threshold_pace:
        return None
    key = int(easy_max_rpe)
    override = athlete.rpe.get(key) if athlete.targets is TargetPreference.PACE else None
    percent = override.high if override else DEFAULT_RPE_SPEED_PCT[key][1]
    return EasyCeiling("speed", percent / 100 * 1000 / athlete.threshold_pace,
                       f"{percent:g} % of threshold speed")


def step_rpe(step: Step) -> float | None:
    """The step's RPE (high end of its RPE target, else of its RPE cue), or None."""
    from watchsync.model.workout import RpeTarget  # loaded already: ``step`` is one of its models

    rpe = step.target if isinstance(step.target, RpeTarget) else step.rpe
    return rpe.high if rpe is not None else None


def intensity_band(step: Step, easy_max_rpe: float = EASY_MAX_RPE) -> Band:
    """Easy, moderate or hard (see the module docstring)."""
    from watchsync.model.workout import OpenTarget

    rpe = step_rpe(step)
    if rpe is not None:
        return rpe_band(rpe, easy_max_rpe)
    if step.intensity in EASY_INTENSITIES or step.target is None or isinstance(step.target, OpenTarget):
        return "easy"
    if easy_by_target(step, ""):  # "- 40m Z2 HR", "- 3m Z1 HR" between reps: easy, as plans count it (coach12)
        return "easy"
    rated = target_rpe(step, "")  # "- 30m Z5 HR", "- 20m 95-100% LTHR": the RPE its target stands for (review17)
    if rated is not None:
        return rpe_band((rated[0] + rated[1]) / 2, easy_max_rpe)  # its middle, as plans and the report rate it
    return "hard" if step.intensity is Intensity.INTERVAL else "moderate"


def athlete_band(step: Step, family: str, athlete: Athlete, easy_max_rpe: float = EASY_MAX_RPE) -> Band:
    """:func:`intensity_band` of a resolved step, its bpm, m/s or watts read against ``athlete``'s
    thresholds (a missed ``95-100% LTHR`` session, 162-171 bpm once resolved, is hard; review17)."""
    from watchsync.model.workout import HeartRateTarget, PowerTarget, SpeedTarget

    if step_rpe(step) is None and step.intensity not in EASY_INTENSITIES \
            and isinstance(step.target, HeartRateTarget | SpeedTarget | PowerTarget) \
            and (rated := target_rpe(step, family, None, athlete)) is not None:
        return rpe_band((rated[0] + rated[1]) / 2, easy_max_rpe)
    return intensity_band(step, easy_max_rpe)


def rpe_band(rpe: float, easy_max_rpe: float = EASY_MAX_RPE) -> Band:
    """Easy, moderate or hard for an RPE (the module docstring's bands)."""
    return "easy" if rpe <= easy_max_rpe else "moderate" if rpe <= MODERATE_MAX_RPE else "hard"


def easy_by_target(step: Step, family: str, run_speed: SpeedLike | None = None) -> bool:
    """Whether a step without an RPE is easy by its target as written: the RPE its target stands for
    (:func:`target_rpe`) is in the easy band: zones 1-2 (heart rate, pace, power), up to 89 % of LTHR,
    79 % of max HR, 87 % of threshold pace, 75 % of FTP, a run's pace no faster than 87 % of threshold
    speed; a pace-written plan (``9:00-9:45/mi Pace``) is easy running, not moderate (probe coach11)."""
    rated = target_rpe(step, family, run_speed)
    return rated is not None and rated[1] <= EASY_MAX_RPE


#: Coggan's power zones as RPE ranges: Z1-Z4 as the RPE scale's bands, VO2max 9, anaerobic and above 10.
POWER_ZONE_RPE: dict[int, tuple[float, float]] = {1: (1, 2), 2: (3, 4), 3: (5, 6), 4: (7, 8), 5: (9, 9), 6: (10, 10),
                                                  7: (10, 10)}
#: The tops of Coggan's power zones 1-6 in % of FTP.
POWER_ZONE_TOPS_PCT_FTP = (55.0, 75.0, 90.0, 105.0, 120.0, 150.0)
#: LTHR is about 89 % of max HR (Friel: 85-90 %): a share of max HR is read on the RPE scale's LTHR
#: column, so the easy band's top (89 % of LTHR) is 79 % of max HR, Daniels' easy running.
LTHR_OVER_MAX_HR = 0.89


def _rpe_of_share(percent: float, scale: dict[int, tuple[float, float]]) -> tuple[float, float]:
    """The RPE pair (1-2, 3-4 ...) whose band of the RPE scale holds ``percent`` (above the top: 9-10); the
    bands are whole percents (85-89, 90-94), so a share up to half a percent above a top is in that band
    (89.1 % of LTHR is a whole-bpm 147 of 165: still easy; probe review18)."""
    for rpe in range(2, 11, 2):
        if percent <= scale[rpe][1] + 0.5:
            return rpe - 1.0, float(rpe)
    return 9.0, 10.0


def target_rpe(step: Step, family: str, run_speed: SpeedLike | None = None,
               athlete: Athlete | None = None) -> tuple[float, float] | None:
    """The RPE range a step's target stands for on the RPE scale (README, "Athletes and RPE"), for a
    step written in zones, shares or a run's pace without an RPE: heart-rate and pace zone *n* is RPE
    2n-1..2n (Friel's zones are the scale's bands), power zones by Coggan, a share of LTHR, threshold
    pace or FTP by the band that holds it, a run's pace against the planning speed (80 % of
    threshold). Targets in beats, m/s or watts (a resolved workout's: ``95-100% LTHR`` is 162-171 bpm
    there) are read as shares of ``athlete``'s LTHR (else max HR), threshold pace or CSS and FTP; None
    without the athlete, and for cadence (probes coach12, review17)."""
    from watchsync.model.workout import (
        HeartRatePercentLthrTarget,
        HeartRatePercentMaxTarget,
        HeartRateZoneTarget,
        PacePercentTarget,
        PaceTarget,
        PaceZoneTarget,
        PowerPercentFtpTarget,
        PowerZoneTarget,
    )

    target = step.target
    if athlete is not None and (shares := _athlete_shares(step, family, athlete)) is not None:
        kind, low_pct, high_pct = shares
        if kind == "ftp":
            return POWER_ZONE_RPE[_power_zone(low_pct)][0], POWER_ZONE_RPE[_power_zone(high_pct)][1]
        scale = DEFAULT_RPE_HR_PCT_LTHR if kind == "lthr" else DEFAULT_RPE_SPEED_PCT
        return _rpe_of_share(low_pct, scale)[0], _rpe_of_share(high_pct, scale)[1]
    if isinstance(target, HeartRateZoneTarget | PaceZoneTarget):
        low, high = min(target.zone, 5), min(target.zone_high or target.zone, 5)
        return 2.0 * low - 1, 2.0 * high
    if isinstance(target, PowerZoneTarget):
        return POWER_ZONE_RPE[target.zone][0], POWER_ZONE_RPE[target.zone_high or target.zone][1]
    if isinstance(target, PowerPercentFtpTarget):
        return POWER_ZONE_RPE[_power_zone(float(target.low))][0], POWER_ZONE_RPE[_power_zone(float(target.high))][1]
    if isinstance(target, HeartRatePercentLthrTarget | HeartRatePercentMaxTarget):
        # the athlete's own LTHR to max HR when known (85 % of max is 93 % of anna's LTHR 171 of 188)
        share = (1.0 if not isinstance(target, HeartRatePercentMaxTarget)
                 else athlete.max_hr / athlete.lthr if athlete is not None and athlete.lthr and athlete.max_hr
                 else 1 / LTHR_OVER_MAX_HR)
        return (_rpe_of_share(float(target.low) * share, DEFAULT_RPE_HR_PCT_LTHR)[0],
                _rpe_of_share(float(target.high) * share, DEFAULT_RPE_HR_PCT_LTHR)[1])
    threshold_speed = (planning_speed(family, run_speed) or 0.0) / 0.8 if family == "run" else 0.0
    if isinstance(target, PacePercentTarget):
        low_pct, high_pct = float(target.low), float(target.high)
    elif isinstance(target, PaceTarget) and threshold_speed:
        low_pct, high_pct = (100 * 1000 / target.slow / threshold_speed, 100 * 1000 / target.fast / threshold_speed)
    else:
        return None
    return _rpe_of_share(low_pct, DEFAULT_RPE_SPEED_PCT)[0], _rpe_of_share(high_pct, DEFAULT_RPE_SPEED_PCT)[1]


def _power_zone(percent: float) -> int:
    """Coggan's power zone of a share of FTP."""
    return next((n for n, top in enumerate(POWER_ZONE_TOPS_PCT_FTP, 1) if percent <= top), 7)


def _athlete_shares(step: Step, family: str, athlete: Athlete) -> tuple[str, float, float] | None:
    """A target in bpm, m/s or W as shares of the athlete's threshold: ("lthr", ...) (max HR read as
    LTHR / 0.9), ("speed", ...) of threshold speed or CSS, ("ftp", ...); None for other targets."""
    from watchsync.model.workout import HeartRateTarget, PowerTarget, SpeedTarget

    target = step.target
    if isinstance(target, HeartRateTarget):
        lthr = athlete.lthr or (athlete.max_hr * LTHR_OVER_MAX_HR if athlete.max_hr else None)
        return ("lthr", 100 * target.low / lthr, 100 * target.high / lthr) if lthr else None
    if isinstance(target, SpeedTarget):
        # seconds per km at threshold: the run's, or ten times the CSS (per 100 m) for swims
        pace = athlete.swim_threshold_pace * 10 if family == "swim" and athlete.swim_threshold_pace \
            else athlete.threshold_pace if family == "run" else None
        return ("speed", target.low * pace / 10, target.high * pace / 10) if pace else None  # 100 * v / (1000 / p)
    if isinstance(target, PowerTarget) and athlete.ftp:
        return "ftp", 100 * target.low / athlete.ftp, 100 * target.high / athlete.ftp
    return None


def planned_rpe(step: Step, family: str, run_speed: SpeedLike | None = None,
                athlete: Athlete | None = None) -> tuple[float, float] | None:
    """The step's RPE range: its RPE target or cue, else what its target stands for (:func:`target_rpe`)."""
    from watchsync.model.workout import RpeTarget

    rpe = step.target if isinstance(step.target, RpeTarget) else step.rpe
    return (rpe.low, rpe.high) if rpe is not None else target_rpe(step, family, run_speed, athlete)


def is_easy(step: Step, easy_max_rpe: float = EASY_MAX_RPE) -> bool:
    """Whether ``step`` is easy running (its HR should stay under the easy ceiling)."""
    return intensity_band(step, easy_max_rpe) == "easy"


@dataclass(frozen=True)
class Speeds:
    """Planning speeds in m/s per sport family (missing families use :data:`FAMILY_SPEED`)."""

    by_family: tuple[tuple[str, float], ...]

    def get(self, family: str) -> float | None:
        """The family's speed, else the default of :data:`FAMILY_SPEED`."""
        return dict(self.by_family).get(family, FAMILY_SPEED.get(family))

    @property
    def run(self) -> float:
        """The easy running speed."""
        return self.get("run") or FAMILY_SPEED["run"]


#: A run speed (m/s, the other sports at their defaults) or every family's speed.
SpeedLike = float | Speeds


def speeds_for(athlete: Athlete | None) -> Speeds:
    """The athlete's planning speeds: easy running speed; swims at 80 % of the CSS speed when the
    profile has a swim threshold; the other families at their typical easy speeds."""
    if athlete is None:
        return Speeds(())
    found: list[tuple[str, float]] = [("run", athlete.easy_speed)]
    css = athlete.swim_threshold_pace  # seconds per 100 m
    if css:
        found.append(("swim", EASY_SHARE_OF_CSS_SPEED * 100 / css))
    return Speeds(tuple(found))


def planning_speed(family: str, run_speed: SpeedLike | None = None) -> float | None:
    """Speed (m/s) at which a sport family's distance and time are estimated; None when unknown."""
    if isinstance(run_speed, Speeds):
        return run_speed.get(family)
    if family == "run" and run_speed:
        return run_speed
    return FAMILY_SPEED.get(family)


def planned_step_seconds(step: Step, family: str, run_speed: SpeedLike | None = None,
                         sport: str | None = None) -> float:
    """Planned seconds of one step of a workout of sport family ``family`` (and sport value ``sport``).

    In a family with no planning speed (cardio, other, strength, mobility) a distance step takes its
    pace or speed target's middle, else :data:`DISTANCE_STEP_SPEED` of ``sport``, else :data:`WALKING_SPEED`.
    """
    from watchsync.model.workout import step_seconds

    speed = planning_speed(family, run_speed)
    if speed:
        return step_seconds(step, LAP_BUTTON_SECONDS, 1 / speed)
    pace = target_seconds_per_meter(step) or 1 / DISTANCE_STEP_SPEED.get(sport or "", WALKING_SPEED)
    return step_seconds(step, LAP_BUTTON_SECONDS, pace)


def target_seconds_per_meter(step: Step) -> float | None:
    """The middle of the step's pace or speed target in seconds per metre (None without one)."""
    from watchsync.model.workout import PaceTarget, SpeedTarget

    target = step.target
    if isinstance(target, PaceTarget):
        return (target.fast + target.slow) / 2000
    if isinstance(target, SpeedTarget):
        return (1 / target.low + 1 / target.high) / 2
    return None


def planned_seconds(workout: Workout, run_speed: SpeedLike | None = None) -> float:
    """Planned seconds of ``workout`` (see the module docstring); ``run_speed`` is the athlete's.
    A distance step of a sport with no planning speed is timed as :func:`planned_step_seconds` says."""
    speed = planning_speed(workout.sport.family, run_speed)
    if speed:
        return workout.estimated_seconds(LAP_BUTTON_SECONDS, 1 / speed)
    family, sport = workout.sport.family, workout.sport.value
    return workout.total(lambda step: planned_step_seconds(step, family, run_speed, sport))


def planned_meters(workout: Workout, run_speed: SpeedLike | None = None) -> float:
    """Planned metres of ``workout``: distance steps exactly, timed steps at the planning speed; an
    indoor ride's timed steps none (a trainer without a speed sensor records no distance: a ride done
    read "bike 0.0 / 11.7 mi", probe coach11)."""
    from watchsync.model.enums import Sport

    speed = None if workout.sport is Sport.INDOOR_CYCLING else planning_speed(workout.sport.family, run_speed)
    return workout.estimated_meters(speed)


def planned_step_meters(step: Step, family: str, run_speed: SpeedLike | None = None) -> float:
    """Planned metres of one step."""
    from watchsync.model.workout import step_meters

    return step_meters(step, planning_speed(family, run_speed))


@dataclass(frozen=True)
class Spike:
    """A run longer than ``ratio`` × the longest run of the lookback window before it."""

    index: int
    day: date
    amount: float
    previous_longest: float


def long_run_spikes(runs: Sequence[tuple[date, float]], ratio: float = LONG_RUN_SPIKE_RATIO,
                    lookback_days: int = LONG_RUN_LOOKBACK_DAYS) -> list[Spike]:
    """Runs (``(day, amount)``, any order) longer than ``ratio`` × the longest run of the
    ``lookback_days`` days before their day (same-day runs do not count); ``index`` points into ``runs``.

    A sorted sweep with a monotonic queue: O(n log n) for the sort, linear after it.
    """
    order = sorted(range(len(runs)), key=lambda i: runs[i][0])
    window: deque[tuple[date, float]] = deque()  # (day, amount), amounts decreasing
    spikes: list[Spike] = []
    added = 0
    for position, index in enumerate(order):
        day, amount = runs[index]
        while added < position and runs[order[added]][0] < day:
            _push(window, runs[order[added]])
            added += 1
        while window and window[0][0] < day - timedelta(days=lookback_days):
            window.popleft()
        if window and is_spike(amount, window[0][1], ratio):
            spikes.append(Spike(index, day, amount, window[0][1]))
    return sorted(spikes, key=lambda s: (s.day, s.index))


def is_spike(amount: float, reference: float | None, ratio: float = LONG_RUN_SPIKE_RATIO) -> bool:
    """Whether a run of ``amount`` is above ``ratio`` × ``reference`` (exactly at the limit is not)."""
    return reference is not None and reference > 0 and amount > reference * ratio + 1e-6


def spike_limit(reference: float, ratio: float = LONG_RUN_SPIKE_RATIO) -> float:
    """The longest run that is not a spike against ``reference``."""
    return reference * ratio


def longest_in_window(runs: Iterable[tuple[date, float]], day: date,
                      lookback_days: int = LONG_RUN_LOOKBACK_DAYS) -> float | None:
    """The longest run in the ``lookback_days`` days before ``day`` (not counting ``day``)."""
    inside = [amount for when, amount in runs if day - timedelta(days=lookback_days) <= when < day]
    return max(inside, default=None)


def _push(window: deque[tuple[date, float]], run: tuple[date, float]) -> None:
    while window and window[-1][1] <= run[1]:
        window.pop()
    window.append(run)
