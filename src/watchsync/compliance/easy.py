"""Was an easy run easy? The judgement for every athlete, whatever their watch showed them.

The easy steps of the planned workout (RPE ≤ ``easy_rpe_max``, outside repeat blocks of reps: a
run/walk's repeats, easy throughout, count) are judged on
the first basis the data and the athlete's profile allow, and the judgement says which:

* **heart rate** against the athlete's easy ceiling (:func:`watchsync.rules.easy_hr_ceiling`: 89 %
  of LTHR, else 74 % of heart-rate reserve, else 79 % of max HR), over the same steps, lag and
  grace as the intensity score; the run is too hard when more than ``too_hard_share`` of the easy
  time is above the ceiling;
* **pace**, for runs recorded without heart rate, against the fastest easy speed
  (:func:`watchsync.rules.easy_speed_ceiling`, 87 % of threshold speed), same share;
* **reported RPE** (Garmin's post-workout RPE) against the prescription, for sessions prescribed
  easy throughout (strides aside: the session RPE of a hill session speaks of its hills): too hard
  when it is above both the easy band and the highest RPE prescribed for the easy steps.

A warm-up or cool-down held to a band above easy (its low end above the HR ceiling, the fastest easy
speed or 75 % of FTP: an Edge's warm-up at 113-130 % of FTP) is no easy step.
Targets on the watch do not matter: an athlete who trains by feel (open targets, cue only) is judged
by the same ceiling as one who runs to an HR band. A run is flagged when any basis says too hard.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict

from watchsync import rules
from watchsync.activity.model import Activity
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.score import easy_limits, easy_step, score_intensity, target_band
from watchsync.compliance.steps import prescribed_easy
from watchsync.model.athlete import Athlete, format_pace
from watchsync.model.workout import HeartRateTarget, Intensity, Repeat, RpeTarget, SpeedTarget, Step, Target, Workout

Basis = Literal["heart_rate", "pace", "rpe"]
#: Lowest bpm of the judging band (the model's lowest HR target): only the ceiling matters.
FLOOR_BPM = 30.0
#: Slowest m/s of the judging band: walking the climbs is never too hard.
FLOOR_SPEED = 0.01
#: Steps this short (strides) do not make a session hard for the RPE basis (the plans' stride rule).
STRIDE_SECONDS = 30.0
STRIDES_MAX_SECONDS = rules.STRIDES_MAX_SECONDS


class EasyJudgement(BaseModel):
    """The judgement of a planned run's easy steps; ``bases`` are the ones the data allowed."""

    model_config = ConfigDict(frozen=True)

    bases: list[Basis]
    ceiling: float | None = None  # bpm (heart_rate) or m/s (pace)
    ceiling_source: str | None = None
    easy_seconds: float = 0.0  # scored easy time on the measured basis
    above: float | None = None  # share of it above the ceiling
    prescribed_rpe: float | None = None
    reported_rpe: float | None = None
    too_hard: bool = False
    reasons: list[str] = []
    #: The whole session is prescribed easy (an easy run), not a quality session with easy parts
    #: (a hill session's warm-up and cool-down).
    easy_session: bool = True
    running: bool = True  # a run (else "easy session", "easy parts" as for a run)

    @property
    def message(self) -> str:
        """``easy run done too hard (heart rate: 38% of easy time above 152 bpm, 89% of LTHR 171)``."""
        if not self.bases:
            return "easy steps not judged: no heart rate, pace or reported RPE to judge them by"
        what = ("easy run" if self.running else "easy session") if self.easy_session else "easy parts"
        if not self.too_hard:
            return f"{what} done easy (judged by {', '.join(b.replace('_', ' ') for b in self.bases)})"
        return f"{what} done too hard (" + "; ".join(self.reasons) + ")"


def judge_easy(workout: Workout, activity: Activity, athlete: Athlete, reported_rpe: float | None,
               config: ComplianceConfig | None = None) -> EasyJudgement | None:
    """The judgement of ``workout``'s easy steps as done in ``activity``; None without easy steps."""
    config = config or ComplianceConfig()
    limits = easy_limits(athlete, config.easy_rpe_max)
    # the steps of a run/walk's repeat too: "8x / - 5m RPE 3 run / - 1m walk" with no step outside it (review17)
    easy = [s for block in workout.steps
            for s in ([block] if isinstance(block, Step) else _steps_of(block) if _run_walk(block.steps, config, limits)
                      else [])
            if _judged(s, config, limits)]
    if not easy:
        return None
    prescribed = max((r for r in (rules.step_rpe(s) for s in easy) if r is not None), default=None)
    bases: list[Basis] = []
    reasons: list[str] = []
    measured = _measured(workout, activity, athlete, config, limits)
    ceiling = source = above = None
    seconds = 0.0
    too_hard = False
    if measured is not None:
        basis, ceiling, source, above, seconds = measured
        bases.append(basis)
        if above is not None and above > config.too_hard_share:
            too_hard = True
            # whole beats at or below the ceiling are easy: 153.6 is "above 153 bpm", 154 counting above (fit12)
            unit = f"{math.floor(ceiling)} bpm" if basis == "heart_rate" else format_pace(1000 / ceiling, athlete.units)
            reasons.append(f"{basis.replace('_', ' ')}: {above:.0%} of easy time above {unit}, {source}")
    easy_session = _easy_session(workout, config, limits)
    if reported_rpe is not None and easy_session:
        bases.append("rpe")
        limit = max(config.easy_rpe_max, prescribed or 0.0)
        if reported_rpe > limit:
            too_hard = True
            reasons.append(f"reported RPE {reported_rpe:g} above {limit:g}, the top of the easy prescription")
    return EasyJudgement(bases=bases, ceiling=ceiling, ceiling_source=source, easy_seconds=seconds, above=above,
                         prescribed_rpe=prescribed, reported_rpe=reported_rpe, too_hard=too_hard, reasons=reasons,
                         easy_session=easy_session, running=workout.sport.family == "run")


def _run_walk(blocks: list[Step | Repeat], config: ComplianceConfig, limits: dict[str, float]) -> bool:
    """Whether a repeat's steps are all prescribed easy (a run/walk, not reps and recoveries), by the
    athlete's limits too: ``8x / - 5m 70-85% LTHR / - 1m walk`` resolved to bpm (probe review18)."""
    def easy(step: Step) -> bool:
        return prescribed_easy(step, config.easy_rpe_max) or (
            rules.step_rpe(step) is None and target_band(step.target) is not None
            and easy_step(step, config.easy_rpe_max, limits))

    return all(_run_walk(b.steps, config, limits) if isinstance(b, Repeat) else easy(b) for b in blocks)


def _steps_of(block: Repeat) -> list[Step]:
    """A repeat's steps, each once (a run/walk's run and walk)."""
    return [s for inner in block.steps for s in ([inner] if isinstance(inner, Step) else _steps_of(inner))]


def _easy_session(workout: Workout, config: ComplianceConfig, limits: dict[str, float] | None = None) -> bool:
    """Whether the whole session is prescribed easy, so its reported session RPE speaks of the easy
    running: every step longer than a stride (30 s) is easy, and the strides add up to a few minutes at
    most, as plans count them (16 x 30 s at RPE 8 is a session of its own; probe review17)."""
    family = workout.sport.family
    strides = 0.0
    for step in workout.flat_steps():
        seconds = rules.planned_step_seconds(step, family)
        if easy_step(step, config.easy_rpe_max, limits):
            continue
        if seconds > STRIDE_SECONDS:
            return False
        strides += seconds
    return strides <= STRIDES_MAX_SECONDS


def _judged(step: Step, config: ComplianceConfig, limits: dict[str, float] | None = None) -> bool:
    """An easy step that was prescribed (an RPE or a target), not an untargeted drill or exercise, nor a
    warm-up held to a hard band (an Edge's warm-up at 113-130 % of FTP): a band whose low end is above
    the athlete's easy limit on its channel (``limits``) is not easy, whatever the step's intensity."""
    band = target_band(step.target)
    # a zone 1-2 target is prescribed easy though it has no band of its own here ("- 40m Z2 HR": the watch's
    # zone; probe coach12)
    prescribed = rules.step_rpe(step) is not None or band is not None or rules.easy_by_target(step, "")
    if band is not None and limits and band[0] in limits and band[1] > limits[band[0]]:
        return False
    return prescribed and step.exercise is None and easy_step(step, config.easy_rpe_max, limits)


def _measured(workout: Workout, activity: Activity, athlete: Athlete, config: ComplianceConfig,
              limits: dict[str, float]) -> tuple[Basis, float, str, float | None, float] | None:
    """(basis, ceiling, source, share above, scored seconds) on heart rate, else pace; None if neither."""
    candidates: list[tuple[Basis, rules.EasyCeiling | None]] = [
        ("heart_rate", rules.easy_hr_ceiling(athlete, config.easy_rpe_max))]
    if workout.sport.family == "run":
        candidates.append(("pace", rules.easy_speed_ceiling(athlete, config.easy_rpe_max)))
    for basis, ceiling in candidates:
        if ceiling is None:
            continue
        band: Target = (HeartRateTarget(low=FLOOR_BPM, high=max(FLOOR_BPM, ceiling.value))
                        if basis == "heart_rate" else SpeedTarget(low=FLOOR_SPEED, high=ceiling.value))
        judging = workout.model_copy(update={"steps": [_with_band(b, band, config, limits) for b in workout.steps]})
        score = score_intensity(judging, activity, config)
        if score.easy_above is None:
            continue
        seconds = sum(s.scored_seconds for s in score.steps if s.easy and not s.in_repeat)
        return basis, ceiling.value, ceiling.source, score.easy_above, seconds
    return None


def _with_band(block: Step | Repeat, band: Target, config: ComplianceConfig,
               limits: dict[str, float]) -> Step | Repeat:
    """An easy step with the judging ``band`` as its target; a step held to a band above easy is made a hard one
    (its time is no easy time), every other step left as it is."""
    if isinstance(block, Repeat):  # a repeat of reps keeps its own targets; a run/walk's easy steps are judged
        if not _run_walk(block.steps, config, limits):
            return block
        return block.model_copy(update={"steps": [_with_band(inner, band, config, limits) for inner in block.steps]})
    if not _judged(block, config, limits):
        if _judged(block, config):  # easy by its intensity, hard by its band: not easy time
            return block.model_copy(update={"intensity": Intensity.INTERVAL})
        return block
    rpe = block.target if isinstance(block.target, RpeTarget) else block.rpe
    if rpe is None:  # easy by its zone ("Z2 HR"): the judging band would make it a targeted, moderate step
        rpe = RpeTarget(low=1, high=config.easy_rpe_max)
    return block.model_copy(update={"target": band, "rpe": rpe})

