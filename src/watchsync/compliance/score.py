"""Scoring one done session against its plan: volume colour, time in target per step, RPE.

Intensity: each step's time is split into inside / above / below its target band, on the channel
its target names (HR, speed, power, cadence), over the time the timer runs (each record counts until
the next, pauses excluded, see `watchsync.activity.timeline`); records without a valid value (no HR)
are not scored. Steps are found from laps' ``wkt_step_index`` when
the watch ran the workout, else by walking the planned steps along the activity's time (distance
steps along its distance). Heart rate lags effort, so HR samples are ignored during the first
``hr_lag_seconds`` of the *activity* and the first ``hr_step_grace_seconds`` of *every step*.
"Easy run done too hard" is flagged when more than ``too_hard_share`` of the scored time of the
easy steps outside repeat blocks is above their ceiling (recoveries between intervals are left out:
their HR is still coming down from the interval before).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from watchsync import rules
from watchsync.activity.model import Activity, FloatArray, Length, Records
from watchsync.activity.sessions import timed_records
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.sets import SetTally, set_tallies
from watchsync.compliance.steps import PlannedStep, execution_order
from watchsync.formats.fit_workout_read import workout_from_messages
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    CadenceTarget,
    DistanceDuration,
    Duration,
    HeartRateTarget,
    Intensity,
    LapButton,
    PowerTarget,
    RepsDuration,
    SpeedTarget,
    Sport,
    Step,
    Target,
    TimeDuration,
    Workout,
)

Colour = Literal["green", "yellow", "orange", "red"]
Channel = Literal["heart_rate", "speed", "power", "cadence"]
DEFAULT_EASY_SPEED = rules.FAMILY_SPEED["run"]  # m/s, as Athlete.easy_speed without a threshold pace


class VolumeScore(BaseModel):
    """Done vs planned on the planned primary metric (seconds or metres)."""

    model_config = ConfigDict(frozen=True)

    metric: Literal["duration", "distance"]
    planned: float
    done: float
    ratio: float | None
    colour: Colour


class StepScore(BaseModel):
    """Time in target of one workout step, over all its executions (laps)."""

    model_config = ConfigDict(frozen=True)

    index: int
    name: str | None
    easy: bool
    in_repeat: bool
    #: Prescribed hard (RPE 7 up, or the RPE its target stands for), not moderate: what flags call "hard steps"
    #: (None: not known, an older score).
    hard: bool | None = None
    channel: Channel | None
    low: float | None
    high: float | None
    executions: int
    seconds: float
    scored_seconds: float
    inside: float | None
    above: float | None
    below: float | None
    planned_executions: int = 0  # how often the workout runs the step (0: not known, an older score)
    exercise: str | None = None  # a strength step's exercise (CATEGORY/NAME)
    reps_done: int | None = None  # repetitions the watch's sets counted (scored by sets only)
    reps_planned: int | None = None  # a reps step's repetitions over all its planned runs
    hr_judged: int = 0  # runs of a hard step without a band whose heart rate was read (a hill rep)
    hr_easy: int = 0  # ... that never rose above the workout's easy heart-rate ceiling
    easy_ceiling: float | None = None  # that ceiling (bpm): the top of the workout's easy bands
    label: str | None = None  # the step's number in `watchsync show` (2.1); None in an older score
    #: The time the step's band could be scored (after the heart rate's lag and grace), readings or not:
    #: ``scored_seconds`` well below it means readings were missing (0: not known, an older score).
    measurable_seconds: float = 0.0

    @property
    def number(self) -> str:
        """The step's number as the coach sees it in ``watchsync show`` (FIT's number + 1 in an older score)."""
        return self.label or str(self.index + 1)


class IntensityScore(BaseModel):
    """Per-step time in target and the too-hard flag."""

    model_config = ConfigDict(frozen=True)

    alignment: Literal["laps", "lap order", "time", "sets"]
    steps: list[StepScore]
    inside: float | None
    easy_above: float | None
    too_hard: bool


class RpeComparison(BaseModel):
    """Prescribed (time-weighted step RPE) vs reported session RPE, CR-10."""

    model_config = ConfigDict(frozen=True)

    prescribed: float | None
    reported: float | None
    difference: float | None
    #: The RPE of the hardest step (its range's middle): a session's rating after hard work lies between
    #: the time-weighted mean and it (probe coach13).
    hardest: float | None = None


# --- volume -------------------------------------------------------------------------------------


def planned_volume(workout: Workout, config: ComplianceConfig,
                   easy_speed: rules.SpeedLike = DEFAULT_EASY_SPEED) -> tuple[Literal["duration", "distance"], float]:
    """The primary metric: duration unless every step with a length is a distance step, a swim's rests at the
    wall (rest steps not written in metres or yards) left aside: a coach who prescribes yards reads the yards
    (a swim of 124 % of its yards read 167 % by the timer, its wall rests included; probe coach14)."""
    steps = workout.flat_steps()
    if workout.sport.family == "swim":
        steps = [s for s in steps if isinstance(s.duration, DistanceDuration) or s.intensity is not Intensity.REST]
    if steps and all(isinstance(s.duration, DistanceDuration) for s in steps):
        return "distance", workout.estimated_meters()
    return "duration", rules.planned_seconds(workout, easy_speed)


#: Sport families whose session is a routine done within whatever else the athlete did (strength,
#: mobility, yoga): more time than planned is no overdone session.
ROUTINE_FAMILIES = frozenset({"strength", "mobility"})


def volume_colour(ratio: float, config: ComplianceConfig) -> Colour:
    """TrainingPeaks' bands: green 80–120 %, yellow 50–80 % / 120–150 %, orange beyond."""
    if config.green_low <= ratio <= config.green_high:
        return "green"
    if config.yellow_low <= ratio <= config.yellow_high:
        return "yellow"
    return "orange"


def volume_score(workout: Workout, activity: ActivitySummary | None, config: ComplianceConfig | None = None,
                 easy_speed: rules.SpeedLike = DEFAULT_EASY_SPEED) -> VolumeScore:
    """Volume colour of a session; ``activity=None`` (missed) is red."""
    config = config or ComplianceConfig()
    metric, planned = planned_volume(workout, config, easy_speed)
    if activity is None:
        return VolumeScore(metric=metric, planned=planned, done=0.0, ratio=None, colour="red")
    if metric == "distance" and not activity.distance_m:  # no distance recorded (entered by hand): by its time
        metric, planned = "duration", rules.planned_seconds(workout, easy_speed)  # (0 m read 0 %; review19)
    done = activity.duration_s if metric == "duration" else activity.distance_m or 0.0
    ratio = done / planned if planned > 0 else None
    colour: Colour = "green" if ratio is None else volume_colour(ratio, config)
    if ratio is not None and ratio > config.green_high and workout.sport.family in ROUTINE_FAMILIES:
        colour = "green"  # the 5-minute core routine done within a gym hour is done, not overdone (coach12)
    return VolumeScore(metric=metric, planned=planned, done=done, ratio=ratio, colour=colour)


# --- RPE ----------------------------------------------------------------------------------------


def prescribed_rpe(workout: Workout, config: ComplianceConfig | None = None,
                   easy_speed: rules.SpeedLike = DEFAULT_EASY_SPEED, athlete: Athlete | None = None) -> float | None:
    """Time-weighted mean of the steps' RPE (range midpoints; a step written in zones, shares or a run's
    pace stands for its target's RPE, :func:`watchsync.rules.planned_rpe`); ``None`` when no step has one."""
    config = config or ComplianceConfig()
    family = workout.sport.family
    rated = [(s, rpe) for s in workout.flat_steps()
             if (rpe := rules.planned_rpe(s, family, easy_speed, athlete)) is not None]
    weighted = [((low + high) / 2, rules.planned_step_seconds(s, family, easy_speed)) for s, (low, high) in rated]
    total = sum(seconds for _, seconds in weighted)
    return sum(rpe * seconds for rpe, seconds in weighted) / total if total > 0 else None


def compare_rpe(workout: Workout, reported: float | None, config: ComplianceConfig | None = None,
                easy_speed: rules.SpeedLike = DEFAULT_EASY_SPEED, athlete: Athlete | None = None) -> RpeComparison:
    """Prescribed vs reported RPE (reported as CR-10, i.e. FIT/Connect value / 10); ``athlete`` reads a
    resolved workout's bpm, m/s and watts as shares of their thresholds."""
    prescribed = prescribed_rpe(workout, config, easy_speed, athlete)
    difference = None if prescribed is None or reported is None else reported - prescribed
    family = workout.sport.family
    hardest = max(((low + high) / 2 for s in workout.flat_steps()
                   if (rated := rules.planned_rpe(s, family, easy_speed, athlete)) is not None
                   for low, high in [rated]), default=None)
    return RpeComparison(prescribed=prescribed, reported=reported, difference=difference, hardest=hardest)


# --- intensity ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Span:
    """One execution of a step: ``[begin, end)`` on the alignment's clock, and its timer seconds."""

    index: int
    begin: float
    end: float
    seconds: float


@dataclass
class _Tally:
    executions: int = 0
    seconds: float = 0.0
    scored: float = 0.0
    measurable: float = 0.0
    inside: float = 0.0
    above: float = 0.0
    hr_judged: int = 0  # runs of a hard step with no band whose heart rate was read
    hr_easy: int = 0  # ... of which the heart rate never rose above the workout's easy ceiling


#: A run of a hard step with no band (a hill rep) this long or longer is judged by its heart rate:
#: a real effort lifts it above the workout's easy band within a minute.
OPEN_HARD_MIN_SECONDS = 60.0
#: The first seconds of such a run are not read: the heart rate of the recovery before lingers.
OPEN_HARD_GRACE_SECONDS = 20.0


#: A lap shorter than this (timer seconds) is a step skipped with two presses of the lap button, not
#: an execution of it.
MIN_EXECUTION_SECONDS = 5.0


def score_intensity(workout: Workout, activity: Activity, config: ComplianceConfig | None = None,
                    athlete: Athlete | None = None) -> IntensityScore:
    """Time in target per step of the resolved ``workout`` as executed in ``activity``; with ``athlete``
    a watch's heart-rate zone is scored as the athlete's band of it (:func:`watchsync.resolve.zones_as_bands`).

    Steps come from the laps' ``wkt_step_index`` when the watch ran this workout (the copy the
    activity carries has the same steps); otherwise the planned steps are laid along the time the
    timer ran (a pause moves every later step on), distance steps along the recorded distance.
    """
    config = config or ComplianceConfig()
    if athlete is not None and athlete.max_hr:
        from watchsync.resolve import zones_as_bands

        workout = zones_as_bands(workout, athlete)
    order = execution_order(workout)
    planned = {p.index: p for p in order}
    ceiling = easy_hr_ceiling(workout, config)
    if ceiling is None and athlete is not None and (known := rules.easy_hr_ceiling(athlete, config.easy_rpe_max)):
        ceiling = known.value  # a by-feel runner's open steps: the athlete's ceiling judges skipped reps (coach13)
    times_planned = Counter(p.index for p in order)
    if activity.sets and any(p.step.exercise is not None for p in order):
        by_sets = set_tallies(order, activity, numbered=ran_this_workout(workout, activity))
        if by_sets is not None:
            return _score_by_sets(planned, times_planned, by_sets, config)
    records, weights = timed_records(activity, config.max_sample_gap_seconds)
    by_lap = any(lap.wkt_step_index is not None for lap in activity.laps) and ran_this_workout(workout, activity)
    in_order = None if by_lap else _laps_in_step_order(order, activity)
    if by_lap or in_order is not None:  # laps are placed in wall time
        clock, start = records.timestamp, _activity_start(activity, records)
        spans = list(_lap_spans(activity)) if in_order is None else in_order
    else:  # steps are laid along the running timer
        clock, start = _timer_clock(weights), 0.0
    walled = by_lap or in_order is not None
    lengths = _active_lengths(activity, records, clock, walled)
    if not walled:  # a pool swim's distance steps end with their lengths
        spans = list(_time_spans(workout, records, clock, float(weights.sum()), config, lengths))
    tallies: dict[int, _Tally] = {}
    for span in spans:
        if span.index not in planned or (by_lap and span.seconds < MIN_EXECUTION_SECONDS):
            continue  # a lap of a few seconds is a step skipped with the lap button: not run, not scored
        tally = tallies.setdefault(span.index, _Tally())
        _tally_span(tally, span, planned[span.index].step, records, clock, weights, start, config,
                    running=workout.sport.family == "run", lengths=lengths, ceiling=ceiling)
    # every planned step, the ones never reached (a workout stopped early) with no execution
    judge = _Judge(config.easy_rpe_max, athlete, workout.sport.family)
    steps = [_step_score(planned[index], tallies.get(index, _Tally()), config, times_planned[index], ceiling, judge)
             for index in sorted(planned)]
    easy = [s for s in steps if s.easy and not s.in_repeat and s.scored_seconds > 0]
    easy_total = sum(s.scored_seconds for s in easy)
    easy_above = (sum((s.above or 0.0) * s.scored_seconds for s in easy) / easy_total
                  if easy_total > 0 else None)
    scored_total = sum(s.scored_seconds for s in steps)
    inside = (sum((s.inside or 0) * s.scored_seconds for s in steps) / scored_total
              if scored_total > 0 else None)
    return IntensityScore(
        alignment="laps" if by_lap else "lap order" if in_order is not None else "time",
        steps=steps,
        inside=inside,
        easy_above=easy_above,
        too_hard=easy_above is not None and easy_above > config.too_hard_share,
    )


def _score_by_sets(planned: dict[int, PlannedStep], times_planned: Counter[int], tallies: dict[int, SetTally],
                   config: ComplianceConfig) -> IntensityScore:
    """Every planned step with the sets the watch wrote for it: runs, time and repetitions (no band:
    a strength step's target is the exercise)."""
    steps = []
    for index in sorted(planned):
        step, tally = planned[index].step, tallies.get(index, SetTally())
        runs = times_planned[index]
        score = _step_score(planned[index], _Tally(tally.executions, tally.seconds), config, runs)
        reps = step.duration.reps * runs if isinstance(step.duration, RepsDuration) else None
        exercise = f"{step.exercise.category}/{step.exercise.name}" if step.exercise else None
        steps.append(score.model_copy(update={"exercise": exercise, "reps_planned": reps,
                                              "reps_done": tally.reps if tally.executions else 0}))
    return IntensityScore(alignment="sets", steps=steps, inside=None, easy_above=None, too_hard=False)


def ran_this_workout(workout: Workout, activity: Activity) -> bool:
    """Whether the laps' step numbers are this workout's: the workout the activity carries (the copy
    the watch ran) executes the same steps (the same lengths in the same order). Without a copy, the
    laps' numbers only have to exist in the workout."""
    planned = execution_order(workout)
    if activity.workout is None or not activity.workout.steps:
        known = {p.index for p in planned}
        return all(lap.wkt_step_index in known for lap in activity.laps if lap.wkt_step_index is not None)
    try:
        ran = execution_order(workout_from_messages(activity.workout.workout, activity.workout.steps,
                                                    bounds=True, sport=Sport.OTHER))
    except ValueError:
        return False
    return len(ran) == len(planned) and all(a.index == b.index and _same_length(a.step.duration, b.step.duration)
                                            for a, b in zip(ran, planned, strict=True))


def _same_length(ran: Duration, planned: Duration) -> bool:
    if isinstance(ran, TimeDuration) and isinstance(planned, TimeDuration):
        return abs(ran.seconds - planned.seconds) <= max(1.0, 0.01 * planned.seconds)
    if isinstance(ran, DistanceDuration) and isinstance(planned, DistanceDuration):
        return abs(ran.meters - planned.meters) <= max(1.0, 0.01 * planned.meters)
    return ran.kind == planned.kind


def target_band(target: Target) -> tuple[Channel, float, float] | None:
    """(channel, low, high) of a concrete target; ``None`` when there is nothing to measure."""
    match target:
        case HeartRateTarget(low=low, high=high):
            return "heart_rate", low, high
        case SpeedTarget(low=low, high=high):
            return "speed", low, high
        case PowerTarget(low=low, high=high):
            return "power", low, high
        case CadenceTarget(low=low, high=high):
            return "cadence", low, high
        case _:
            return None


def _activity_start(activity: Activity, records: Records) -> float:
    session_starts = [s.start_time.timestamp() for s in activity.sessions if s.start_time is not None]
    if session_starts:
        return min(session_starts)
    timestamps = records.timestamp
    return float(np.nanmin(timestamps)) if len(timestamps) else 0.0


def _timer_clock(weights: FloatArray) -> FloatArray:
    """Seconds the timer had run before each record: the clock steps are laid along without laps."""
    clock: FloatArray = np.concatenate(([0.0], np.cumsum(weights)[:-1])) if len(weights) else np.zeros(0)
    return clock


def _laps_in_step_order(order: list[PlannedStep], activity: Activity) -> list[_Span] | None:
    """The laps as the planned steps in order, when the device numbers no laps (the watch's own copy is
    not known) and it recorded one lap per step, for a workout with lap-button steps (the runner's lap
    presses say where each step ended: a timer laid at 60 s per press would score the next rep as the
    cool-down) or a pool swim (a swimmer's lap per set and per rest: a 25-yd pool's 2 lengths are no
    50 m, and steps cut by metres put the cool-down into the main set, probe coach10); None otherwise."""
    laps = [lap for lap in activity.laps if lap.start_time is not None]
    pressed = any(isinstance(p.step.duration, LapButton) for p in order)
    if len(laps) != len(order) or any(lap.wkt_step_index is not None for lap in activity.laps) \
            or not (pressed or activity.lengths):
        return None
    return [_Span(planned.index, span.begin, span.end, span.seconds)
            for planned, span in zip(order, _lap_spans(activity, numbered=False), strict=True)]


def _lap_spans(activity: Activity, *, numbered: bool = True) -> Iterable[_Span]:
    """The laps that started, in time order, as spans of their step numbers (only the numbered ones when
    ``numbered``; -1 for a lap without a number)."""
    started = sorted(((lap.start_time.timestamp(), lap) for lap in activity.laps if lap.start_time is not None),
                     key=lambda pair: pair[0])
    for begin, lap in started:
        if numbered and lap.wkt_step_index is None:
            continue
        elapsed = lap.total_elapsed_time or 0.0
        timer = lap.total_timer_time if lap.total_timer_time is not None else elapsed
        yield _Span(lap.wkt_step_index if lap.wkt_step_index is not None else -1, begin, begin + elapsed, timer)


def _time_spans(workout: Workout, records: Records, clock: FloatArray, total: float,
                config: ComplianceConfig, lengths: _Lengths | None = None) -> Iterable[_Span]:
    """Planned steps laid along the running timer (``clock``, ``total`` seconds of it), distance steps
    by the recorded distance (a pool swim's by its lengths: a record written at a length's end would
    put every step a length late); a step the activity ended in counts up to its end."""
    if not len(clock) or total <= 0:
        return
    known = ~np.isnan(records.distance)
    times, distance = clock[known], np.fmax.accumulate(records.distance[known]) if known.any() else None
    if lengths is not None:  # each active length: the pool's metres from its start to its end
        times = np.column_stack((lengths.at, lengths.at + lengths.seconds)).ravel()
        done = np.arange(len(lengths.at), dtype=np.float64) * lengths.pool
        distance = np.column_stack((done, done + lengths.pool)).ravel()
    speed = records.speed
    if distance is None and len(speed) == len(clock) and (speed > 0).any():  # no distance: speed x time
        seconds = np.diff(np.append(clock, total))
        travelled = np.cumsum(np.nan_to_num(speed) * seconds)
        times, distance = clock, np.concatenate(([0.0], travelled[:-1]))
    cursor = 0.0
    for planned in execution_order(workout):
        if cursor >= total:
            return
        duration = planned.step.duration
        if isinstance(duration, TimeDuration):
            end = cursor + duration.seconds
        elif isinstance(duration, DistanceDuration) and distance is not None:
            at = float(np.interp(cursor, times, distance))
            end = _reached(at + duration.meters, times, distance, total)
        else:
            end = cursor + rules.LAP_BUTTON_SECONDS
        yield _Span(planned.index, cursor, end, min(end, total) - cursor)
        cursor = end


def _reached(meters: float, times: FloatArray, distance: FloatArray, total: float) -> float:
    """The first time the (never falling) ``distance`` reaches ``meters``; ``total`` if it never does.
    A stop (a rest at the wall, a red light) holds the distance: the step ends when it was reached,
    before the stop, not after it."""
    index = int(np.searchsorted(distance, meters, side="left"))
    if index >= len(distance):
        return total
    if index == 0:
        return float(times[0])
    d0, d1, t0, t1 = distance[index - 1], distance[index], times[index - 1], times[index]
    return float(t0 + (t1 - t0) * (meters - d0) / (d1 - d0))


def _channel(records: Records, channel: Channel, smoothing: int) -> FloatArray:
    if channel == "speed":
        return _speed(records)
    values: FloatArray = getattr(records, channel)
    if channel == "power" and smoothing > 1 and len(values) >= 2:
        return trailing_mean(records.timestamp, values, smoothing)
    return values


def trailing_mean(timestamps: FloatArray, values: FloatArray, seconds: float) -> FloatArray:
    """Each reading's mean over the valid readings of the ``seconds`` up to it (Garmin's 3-s power:
    trailing, in seconds, not samples); a dropout (no reading) is left out of its neighbours' means
    and stays no reading itself."""
    valid = ~np.isnan(values)
    clock = timestamps if not np.isnan(timestamps).any() and np.all(np.diff(timestamps) >= 0) \
        else np.arange(len(values), dtype=np.float64)  # no usable clock: one reading a second
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(valid)))
    first = np.searchsorted(clock, clock - seconds, side="right")
    last = np.arange(1, len(values) + 1)
    count = counts[last] - counts[first]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = np.where(valid & (count > 0), (sums[last] - sums[first]) / count, np.nan)
    return mean


@dataclass(frozen=True)
class _Lengths:
    """A pool swim's active lengths: where each starts on the alignment's clock, its timer seconds
    and its speed (pool length over its time)."""

    at: FloatArray
    seconds: FloatArray
    speed: FloatArray
    pool: float


def _active_lengths(activity: Activity, records: Records, clock: FloatArray, by_lap: bool) -> _Lengths | None:
    """The active lengths of a pool swim, placed on ``clock`` (wall time with laps, else timer time);
    None without lengths or a pool length."""
    pool = activity.pool_length
    active = [length for length in activity.lengths if length.length_type == "active"
              and length.start_time is not None and (length.total_timer_time or 0.0) > 0]
    known = ~np.isnan(records.timestamp)
    if not pool or not active or (not by_lap and not known.any()):
        return None
    starts = np.array([length.start_time.timestamp() for length in active if length.start_time is not None])
    seconds = np.array([length.total_timer_time or 0.0 for length in active])
    at = starts if by_lap else _timer_starts(activity, active, records, clock)
    return _Lengths(at, seconds, pool / seconds, float(pool))


def _timer_starts(activity: Activity, active: list[Length], records: Records, clock: FloatArray) -> FloatArray:
    """Where each active length starts on the timer: after the timer time of every length before it
    (swum or rest: a pool swim's lengths cover its timer), when each length has one; else its wall
    time placed on the records' clock."""
    timers = [length.total_timer_time for length in activity.lengths]
    if all(timer is not None and timer >= 0 for timer in timers):
        before: FloatArray = np.concatenate(([0.0], np.cumsum(np.asarray(timers, dtype=np.float64))))
        index = {id(length): i for i, length in enumerate(activity.lengths)}
        placed: FloatArray = before[[index[id(length)] for length in active]]
        return placed
    known = ~np.isnan(records.timestamp)
    starts = np.array([length.start_time.timestamp() for length in active if length.start_time is not None])
    interpolated: FloatArray = np.interp(starts, records.timestamp[known], clock[known])
    return interpolated


def _speed(records: Records) -> FloatArray:
    """The records' speed; where a record has none or 0 while the distance grows (a treadmill run's
    footpod), the distance's rate to the next record."""
    speed = records.speed
    known = np.flatnonzero(~np.isnan(records.distance) & ~np.isnan(records.timestamp))
    if len(known) < 2:
        return speed
    seconds = np.diff(records.timestamp[known])
    rate = np.divide(np.diff(records.distance[known]), seconds, out=np.zeros(len(seconds)), where=seconds > 0)
    derived = np.full(len(speed), np.nan)
    derived[known[:-1]] = rate
    missing = (np.isnan(speed) | (speed <= 0)) & (derived > 0)
    return np.where(missing, derived, speed) if missing.any() else speed


def _tally_span(tally: _Tally, span: _Span, step: Step, records: Records, clock: FloatArray,
                weights: FloatArray, start: float, config: ComplianceConfig, *, running: bool = False,
                lengths: _Lengths | None = None, ceiling: float | None = None) -> None:
    if span.seconds >= MIN_EXECUTION_SECONDS:
        tally.executions += 1
    tally.seconds += span.seconds
    band = target_band(step.target)
    if band is None:
        if ceiling is not None and span.seconds >= OPEN_HARD_MIN_SECONDS and not rules.is_easy(
                step, config.easy_rpe_max):  # a hill rep: did the heart rate leave the easy band at all?
            lo, hi = np.searchsorted(clock, [span.begin + OPEN_HARD_GRACE_SECONDS, span.end], side="left")
            heart_rate = records.heart_rate[lo:hi]
            if len(heart_rate) and not np.isnan(heart_rate).all():
                tally.hr_judged += 1
                tally.hr_easy += int(float(np.nanmax(heart_rate)) <= ceiling)
        return
    channel, low, high = band
    if channel == "speed" and lengths is not None:  # a swim's pace: each active length as swum
        chosen = (lengths.at >= span.begin) & (lengths.at < span.end)
        seconds, speed = lengths.seconds[chosen], lengths.speed[chosen]
        tally.scored += float(seconds.sum())
        tally.measurable += float(seconds.sum())
        tally.inside += float(seconds[(speed >= low) & (speed <= high)].sum())
        tally.above += float(seconds[speed > high].sum())
        return
    first = span.begin
    if channel == "heart_rate":
        first = max(first + config.hr_step_grace_seconds, start + config.hr_lag_seconds)
    lo, hi = np.searchsorted(clock, [first, span.end], side="left")
    lo = max(int(lo) - 1, 0)  # the record before may run on into the span
    values = _channel(records, channel, config.power_smoothing_seconds)[lo:hi]
    if channel == "cadence" and running and high > rules.RUN_STRIDES_MAX:
        values = values * 2.0  # the records' strides a minute as the target's steps a minute
    within = _overlap(clock[lo:hi], weights[lo:hi], first, span.end)
    weight = np.where(np.isnan(values), 0.0, within)
    tally.measurable += float(within.sum())
    tally.scored += float(weight.sum())
    tally.inside += float(weight[(values >= low) & (values <= high)].sum())
    tally.above += float(weight[values > high].sum())


def _overlap(clock: FloatArray, weights: FloatArray, begin: float, end: float) -> FloatArray:
    """Seconds of each record's ``[clock, clock + weight)`` that fall in ``[begin, end)``: a record
    running past a step's end counts its rest in the next step, never twice nor beyond the step."""
    seconds: FloatArray = np.clip(np.minimum(clock + weights, end) - np.maximum(clock, begin), 0.0, weights)
    return seconds


def easy_step(step: Step, easy_rpe_max: float, limits: dict[str, float] | None) -> bool:
    """Easy by its RPE, intensity or zone (:func:`watchsync.rules.is_easy`), or, with no RPE, by a band in
    bpm, m/s or watts whose top is within the athlete's easy limit (``limits``, :func:`easy_limits`): a resolved
    ``70-85% LTHR`` or ``5:30-6:00/km Pace`` easy run (probe review17). The easy judgement and the step scores
    ask this one rule (a 130-150 bpm run was both "too hard for easy" and "hard steps too hard"; probe fit13)."""
    if rules.is_easy(step, easy_rpe_max):
        return True
    band = target_band(step.target)
    # a resolved band is whole bpm: 89 % of LTHR 168 is 149.5, its band's top 150 (probe coach13)
    slack = 0.5 if band is not None and band[0] == "heart_rate" else 0.005 * (band[2] if band else 0.0)
    return (limits is not None and band is not None and rules.step_rpe(step) is None and band[0] in limits
            and band[2] <= limits[band[0]] + slack)


#: The top of easy power, as a share of FTP (the top of Coggan's zone 2, endurance).
EASY_POWER_SHARE = 0.75


def easy_limits(athlete: Athlete, easy_rpe_max: float) -> dict[str, float]:
    """Per channel, the value a band's top must not exceed for its step to be easy: the HR ceiling,
    the fastest easy speed, 75 % of FTP."""
    limits: dict[str, float] = {}
    for ceiling in (rules.easy_hr_ceiling(athlete, easy_rpe_max), rules.easy_speed_ceiling(athlete, easy_rpe_max)):
        if ceiling is not None:
            limits[ceiling.channel] = ceiling.value
    if athlete.ftp is not None:
        limits["power"] = EASY_POWER_SHARE * athlete.ftp
    return limits


def easy_hr_ceiling(workout: Workout, config: ComplianceConfig) -> float | None:
    """The top of the workout's easy heart-rate bands (its warm-up at RPE 3: 152 bpm), if it has any."""
    tops = [band[2] for step in workout.flat_steps() if rules.is_easy(step, config.easy_rpe_max)
            and (band := target_band(step.target)) is not None and band[0] == "heart_rate"]
    return max(tops) if tops else None


@dataclass(frozen=True)
class _Judge:
    """Whether a step is easy, or hard (not moderate), for the athlete when known: a resolved ``95-100% LTHR``
    or ``4:25-4:35/km Pace`` step, bpm and m/s now, is hard by the athlete's thresholds (probe review19)."""

    easy_rpe_max: float
    athlete: Athlete | None = None
    family: str = "run"

    @cached_property
    def limits(self) -> dict[str, float] | None:
        """The athlete's easy limits per channel (:func:`easy_limits`), None without an athlete."""
        return easy_limits(self.athlete, self.easy_rpe_max) if self.athlete is not None else None

    def easy(self, step: Step) -> bool:
        return easy_step(step, self.easy_rpe_max, self.limits)

    def hard(self, step: Step) -> bool:
        if self.athlete is not None:
            return rules.athlete_band(step, self.family, self.athlete, self.easy_rpe_max) == "hard"
        return rules.intensity_band(step, self.easy_rpe_max) == "hard"


def _step_score(planned: PlannedStep, tally: _Tally, config: ComplianceConfig, planned_executions: int,
                ceiling: float | None = None, judge: _Judge | None = None) -> StepScore:
    step = planned.step
    band = target_band(step.target)
    scored = tally.scored > 0
    judge = judge or _Judge(config.easy_rpe_max)
    return StepScore(
        index=planned.index,
        label=planned.label,
        name=step.name,
        easy=(easy := judge.easy(step)),
        hard=not easy and judge.hard(step),
        in_repeat=planned.in_repeat,
        channel=band[0] if band else None,
        low=band[1] if band else None,
        high=band[2] if band else None,
        executions=tally.executions,
        seconds=tally.seconds,
        scored_seconds=tally.scored,
        measurable_seconds=tally.measurable,
        inside=tally.inside / tally.scored if scored else None,
        above=tally.above / tally.scored if scored else None,
        below=(tally.scored - tally.inside - tally.above) / tally.scored if scored else None,
        planned_executions=planned_executions,
        hr_judged=tally.hr_judged,
        hr_easy=tally.hr_easy,
        easy_ceiling=ceiling if tally.hr_judged else None,
    )
