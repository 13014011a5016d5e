"""Resolution: a workout plus one athlete → the same workout with concrete targets.

Pure: no I/O. RPE, zones and percentages become bpm, m/s or W ranges for this athlete; the RPE cue
stays visible in each step's notes (and as its name when the step has none). Single values widen to
ranges, because watches alarm on every 1-bpm deviation.
"""

from __future__ import annotations

import math
import re

from watchsync.errors import InputError
from watchsync.model.athlete import (
    DEFAULT_RPE_HR_PCT_LTHR,
    DEFAULT_RPE_SPEED_PCT,
    HARD_MIN_RPE,
    HR_MIN_HARD_STEP_SECONDS,
    RPE_NO_HR_ALERT,
    RPE_WORDS,
    Athlete,
    Band,
    TargetPreference,
)
from watchsync.model.workout import (
    CONCRETE_TARGETS,
    CadenceTarget,
    DistanceDuration,
    HeartRatePercentLthrTarget,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PacePercentTarget,
    PaceTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    Target,
    TimeDuration,
    Workout,
)

#: Friel's seven running HR zones (1, 2, 3, 4, 5a, 5b, 5c) as % of LTHR, intervals.icu's default, used
#: when the athlete lists no zones.
DEFAULT_HR_ZONES_PCT_LTHR: dict[int, tuple[float, float]] = {
    1: (70, 84), 2: (85, 89), 3: (90, 94), 4: (95, 99), 5: (100, 102), 6: (103, 106), 7: (107, 115),
}
#: Seven pace zones as % of threshold speed (intervals.icu's default running zones, rounded), used
#: when the athlete lists no pace zones; swims use the same shares of the CSS speed.
DEFAULT_PACE_ZONES_SPEED_PCT: dict[int, tuple[float, float]] = {
    1: (65, 77), 2: (78, 87), 3: (88, 94), 4: (95, 100), 5: (101, 103), 6: (104, 111), 7: (112, 125),
}
#: Coggan's seven power zones as % of FTP (intervals.icu's default), for power zone ranges when the
#: athlete lists no power zones (a single zone stays a zone: the watch knows its own).
DEFAULT_POWER_ZONES_PCT_FTP: dict[int, tuple[float, float]] = {
    1: (1, 55), 2: (56, 75), 3: (76, 90), 4: (91, 105), 5: (106, 120), 6: (121, 150), 7: (151, 200),
}
SWIM_SPORTS = frozenset({Sport.POOL_SWIM, Sport.OPEN_WATER_SWIM})
#: HR zones a watch has (FIT ``target_hr_zone``, Garmin Connect ``zoneNumber``): 1..5.
WATCH_ZONES = 5

HR_HALF_WIDTH_BPM = 3
SPEED_HALF_WIDTH = 0.02
POWER_HALF_WIDTH = 0.05
CADENCE_HALF_WIDTH = 2
#: Speed (m/s) at which a hard distance rep is timed for the short-rep rule: a brisk 4:00/km, so
#: only reps clearly under the HR rise time count as short.
SHORT_REP_SPEED = 1000 / 240


class ResolveError(InputError):
    """A target cannot be made concrete for this athlete (e.g. pace % without a threshold pace)."""


#: Sports whose RPE targets stay cues: heart rate in a circuit or a pose does not measure the effort
#: the way it does in an endurance sport, and the athlete's bands are running ones.
RPE_ONLY_SPORTS = frozenset({Sport.STRENGTH, Sport.YOGA, Sport.MOBILITY})


def resolve(workout: Workout, athlete: Athlete) -> Workout:
    """Return ``workout`` with every target concrete for ``athlete`` and RPE cues in the notes.

    Swims take % Pace and pace zones from the swim threshold (CSS), runs from the threshold pace;
    other sports have none (refused). A target resolves to the kind the author wrote (a power target
    to watts, never to HR). A single HR or power zone stays the watch's zone unless the athlete lists
    explicit zones; zone ranges and HR zones 6-7 (which watches lack) become bands from the default tables. In strength,
    yoga and mobility an RPE stays a cue (open target): a running heart-rate band means nothing there;
    in a swim an RPE is the CSS pace band (the same shares of its speed as a run's of the threshold),
    else a cue: wrist heart rate fails under water and a running band is no swimming band. An
    athlete who takes pace bands gets heart-rate bands in sports with no threshold pace (a ride, a ski).
    """
    if workout.sport.family not in THRESHOLD_PACE_FAMILIES:
        _refuse_shares_of_pace(workout.steps, workout.sport, "")
    if workout.sport in SWIM_SPORTS:
        athlete = _swimmer(athlete)
        if athlete.targets is not TargetPreference.RPE:  # no running HR band under water: the CSS pace band,
            athlete = athlete.model_copy(update={  # else the cue alone; the rpe table is the running one's
                "targets": TargetPreference.PACE if athlete.threshold_pace else TargetPreference.RPE, "rpe": {}})
    elif workout.sport.family not in THRESHOLD_PACE_FAMILIES and athlete.targets == TargetPreference.PACE:
        # a runner's pace band on a bike or skis is no band at all (probe coach11): the heart-rate band,
        # from the default scale (the athlete's rpe table is written in shares of the running pace)
        athlete = athlete.model_copy(update={"targets": TargetPreference.HR, "rpe": {}})
    if workout.sport in RPE_ONLY_SPORTS and athlete.targets is not TargetPreference.RPE:
        athlete = athlete.model_copy(update={"targets": TargetPreference.RPE})
    blocks = [_resolve_block(block, athlete, str(i + 1)) for i, block in enumerate(workout.steps)]
    return short_hard_reps(workout, workout.replaced(steps=blocks), athlete)


#: Sport families with a threshold pace of their own: running's (``threshold_pace``) and swimming's (the CSS).
THRESHOLD_PACE_FAMILIES = frozenset({"run", "swim"})


def _refuse_shares_of_pace(blocks: list[Step | Repeat], sport: Sport, prefix: str) -> None:
    """A % Pace or pace-zone target in a sport with no threshold pace of its own (a ride, a ski, a row)
    is refused: the running threshold would put a runner's band on the watch (intervals.icu keeps a
    threshold pace per sport)."""
    for number, block in enumerate(blocks, start=1):
        where = f"{prefix}{number}"
        if isinstance(block, Repeat):
            _refuse_shares_of_pace(block.steps, sport, f"{where}.")
            continue
        for target in (block.target, block.secondary):
            if isinstance(target, PacePercentTarget | PaceZoneTarget):
                kind = "% Pace target" if isinstance(target, PacePercentTarget) else "pace zone"
                raise ResolveError(f"step {where}: a {kind} in a {sport.value} workout: watchsync knows a running "
                                   "threshold pace and a swim CSS, not a threshold of this sport (write an absolute "
                                   "pace like 2:00/km Pace, or a heart-rate or power target)")


def short_hard_reps(written: Workout, resolved: Workout, athlete: Athlete) -> Workout:
    """``resolved`` with no HR band on hard RPE steps too short for heart rate to rise to it: a run
    gets the RPE's pace band when the athlete has a threshold pace, anything else an open target;
    the cue stays in the step's name and notes (docs/compliance.md, "Short hard reps")."""
    run = written.sport.family == "run" and written.sport is not Sport.TRAIL_RUNNING  # terrain sets a trail's pace
    steps = [_short_block(w, r, athlete, run) for w, r in zip(written.steps, resolved.steps, strict=True)]
    return resolved if _same(steps, resolved.steps) else resolved.replaced(steps=steps)


def _same(blocks: list[Step | Repeat], before: list[Step | Repeat]) -> bool:
    """Every block is the very object it was (nothing changed, no copy needed)."""
    return all([block is old for block, old in zip(blocks, before, strict=True)])  # a list: no generator frame


def _short_block(written: Step | Repeat, resolved: Step | Repeat, athlete: Athlete, run: bool) -> Step | Repeat:
    if isinstance(written, Repeat) and isinstance(resolved, Repeat):
        inner = [_short_block(w, r, athlete, run) for w, r in zip(written.steps, resolved.steps, strict=True)]
        return resolved if _same(inner, resolved.steps) else resolved.replaced(steps=inner)
    if not (isinstance(written, Step) and isinstance(resolved, Step) and isinstance(written.target, RpeTarget)
            and isinstance(resolved.target, HeartRateTarget) and _too_short_for_hr(written)):
        return resolved
    flat = run and not HILL_WORDS.intersection(re.findall(r"\w+", f"{written.name} {written.notes}".lower()))
    target = _short_hard_target(written.target, athlete) if flat else OpenTarget()  # uphill: no flat pace
    return resolved.replaced(target=target)


#: Words of a step that runs up a hill, where a flat-ground pace band would alarm all the way up.
HILL_WORDS = frozenset({"hill", "hills", "uphill", "climb", "climbing", "incline", "côte", "cuesta", "subida",
                        "berg", "bergauf", "bergop", "salita", "backe", "bakke", "mäki"})


def _swimmer(athlete: Athlete) -> Athlete:
    """The athlete with the swim threshold (per 100 m) and swim zones standing in for the running ones."""
    zones = athlete.swim_pace_zones
    return athlete.model_copy(update={
        "threshold_pace": athlete.swim_threshold_pace * 10 if athlete.swim_threshold_pace else None,
        "pace_zones": [Band(low=b.low * 10, high=b.high * 10) for b in zones] if zones else None,
        "name": athlete.name,
    })


def band_notes(resolved: Workout, athlete: Athlete) -> list[str]:
    """What in a resolved workout no body of ``athlete`` can do: a heart-rate band above their max HR
    (``- 15m 182-198bpm`` for a max of 188, a tool's fixture: the watch would alert for the whole step;
    probe icu18)."""
    notes: list[str] = []

    def visit(blocks: list[Step | Repeat], prefix: str) -> None:
        for number, block in enumerate(blocks, 1):
            where = f"{prefix}{number}"
            if isinstance(block, Repeat):
                visit(block.steps, f"{where}.")
                continue
            for target in (block.target, block.secondary):
                # a single value of max HR is widened to max ± 3 bpm: no note for the widening (probe review16)
                if not isinstance(target, HeartRateTarget) or (
                        target.high <= athlete.max_hr + HR_HALF_WIDTH_BPM and target.low <= athlete.max_hr):
                    continue  # "189-191bpm" for a max of 188 is wholly above it, said (probe review17)
                band = f"step {where}: {target.low:g}-{target.high:g} bpm"
                if target.low > athlete.max_hr:
                    notes.append(f"{band} is above {athlete.name}'s max HR {athlete.max_hr}: the watch alerts all "
                                 "through the step")
                else:
                    notes.append(f"{band} reaches above {athlete.name}'s max HR {athlete.max_hr}: its top "
                                 f"{target.high - athlete.max_hr:g} bpm cannot be reached")

    visit(resolved.steps, "")
    return notes


def zones_as_bands(workout: Workout, athlete: Athlete) -> Workout:
    """A copy of a resolved ``workout`` for scoring: a single heart-rate zone the watch keeps (``- 40m Z2
    HR``) as the athlete's default band of that zone (Friel's shares of LTHR), with the RPE the zone
    stands for when the step has none (zone 2 is RPE 3-4, easy). Time in target was "–" on every zone
    run (probe coach13). A workout without such a step is returned as it is."""
    def convert(block: Step | Repeat) -> Step | Repeat:
        if isinstance(block, Repeat):
            return block.model_copy(update={"steps": [convert(inner) for inner in block.steps]})
        target = block.target
        if not isinstance(target, HeartRateZoneTarget) or target.top > len(DEFAULT_HR_ZONES_PCT_LTHR):
            return block
        lthr = athlete.effective_lthr
        band = _hr(DEFAULT_HR_ZONES_PCT_LTHR[target.zone][0] * lthr / 100,
                   DEFAULT_HR_ZONES_PCT_LTHR[target.top][1] * lthr / 100)
        rpe = block.rpe or RpeTarget(low=min(10, 2 * target.zone - 1), high=min(10, 2 * target.top))
        return block.model_copy(update={"target": band, "rpe": rpe})

    if not any(isinstance(step.target, HeartRateZoneTarget) for step in workout.flat_steps()):
        return workout
    return workout.model_copy(update={"steps": [convert(block) for block in workout.steps]})


def is_resolved(workout: Workout) -> bool:
    """True when every target is one a device understands without a profile."""
    return all(isinstance(step.target, CONCRETE_TARGETS) for step in workout.flat_steps())


def rpe_cue(rpe: RpeTarget) -> str:
    """``RPE 3 – conversational`` (or ``RPE 3-4 – conversational``)."""
    low, high = f"{rpe.low:g}", f"{rpe.high:g}"  # as _fmt writes them (a cue per RPE step of every compile)
    value = low if low == high else f"{low}-{high}"
    return f"RPE {value} – {RPE_WORDS[max(1, min(10, math.floor(rpe.low)))]}"


#: An RPE at the start of notes: ``RPE 3``, ``rpe 2-3``.
_LEADING_RPE = re.compile(r"\s*RPE\s*(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?", re.IGNORECASE)


def states_rpe(notes: str, rpe: RpeTarget) -> bool:
    """Whether ``notes`` already open with this RPE (``RPE 3 conversational``, ``RPE 2-3.``): an
    imported step's own cue, which must not gain the cue again on every compile."""
    match = _LEADING_RPE.match(notes)
    if match is None:
        return False
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) else low
    return (low, high) == (rpe.low, rpe.high)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _resolve_block(block: Step | Repeat, athlete: Athlete, where: str) -> Step | Repeat:
    if isinstance(block, Repeat):
        steps = [_resolve_block(b, athlete, f"{where}.{i + 1}") for i, b in enumerate(block.steps)]
        return block.replaced(steps=steps)
    return _resolve_step(block, athlete, where)


def _resolve_step(step: Step, athlete: Athlete, where: str) -> Step:
    rpe = step.target if isinstance(step.target, RpeTarget) else step.rpe
    try:
        target = _concrete(step.target, athlete)
        secondary = _concrete(step.secondary, athlete) if step.secondary is not None else None
    except ResolveError as error:
        raise ResolveError(f"step {where}: {error}") from None
    if isinstance(target, OpenTarget) and secondary is not None and not isinstance(secondary, OpenTarget):
        target, secondary = secondary, None  # an RPE left open: the cadence beside it is the step's target
    if isinstance(secondary, OpenTarget) or isinstance(target, OpenTarget):
        secondary = None  # nothing to be secondary to
    update: dict[str, object] = {"target": target, "rpe": rpe, "secondary": secondary,
                                 "ramp": step.ramp if not isinstance(target, OpenTarget) else None}
    if rpe is not None:
        cue = rpe_cue(rpe)
        notes = step.notes or ""
        if cue not in notes and not (notes and states_rpe(notes, rpe)):  # no notes (most steps): none to read
            update["notes"] = f"{cue}. {notes}".strip() if notes else cue
        if not step.name:
            update["name"] = cue
    return step.replaced(**update)


def _concrete(target: Target, athlete: Athlete) -> Target:
    match target:
        case RpeTarget():
            return _from_rpe(target, athlete)
        case HeartRateTarget():
            return _hr(target.low, target.high)
        case HeartRateZoneTarget():
            if athlete.hr_zones and target.top <= len(athlete.hr_zones):
                return _hr(athlete.hr_zones[target.zone - 1].low, athlete.hr_zones[target.top - 1].high)
            if target.zone_high is None and target.zone <= WATCH_ZONES:
                return target  # the watch's own zone: it knows the athlete's zones better than a default
            low, high = DEFAULT_HR_ZONES_PCT_LTHR[target.zone][0], DEFAULT_HR_ZONES_PCT_LTHR[target.top][1]
            return _hr(low * athlete.effective_lthr / 100, high * athlete.effective_lthr / 100)
        case HeartRatePercentMaxTarget():
            return _hr(target.low * athlete.max_hr / 100, target.high * athlete.max_hr / 100)
        case HeartRatePercentLthrTarget():
            lthr = athlete.effective_lthr
            return _hr(target.low * lthr / 100, target.high * lthr / 100)
        case PaceTarget():
            return _speed(1000 / target.slow, 1000 / target.fast)
        case PacePercentTarget():
            speed = _threshold_speed(athlete, "a % pace target")
            return _speed(speed * target.low / 100, speed * target.high / 100)
        case PaceZoneTarget():
            if athlete.pace_zones and target.top <= len(athlete.pace_zones):
                slowest, fastest = athlete.pace_zones[target.zone - 1], athlete.pace_zones[target.top - 1]
                return _speed(1000 / max(slowest.high, slowest.low), 1000 / min(fastest.low, fastest.high))
            speed = _threshold_speed(athlete, "a pace zone")
            low, high = DEFAULT_PACE_ZONES_SPEED_PCT[target.zone][0], DEFAULT_PACE_ZONES_SPEED_PCT[target.top][1]
            return _speed(speed * low / 100, speed * high / 100)
        case SpeedTarget():
            return _speed(target.low, target.high)
        case PowerTarget():
            return _power(target.low, target.high)
        case PowerPercentFtpTarget():
            if athlete.ftp is None:
                raise ResolveError(f"a % FTP target needs ftp in athlete {athlete.name!r}")
            return _power(target.low * athlete.ftp / 100, target.high * athlete.ftp / 100)
        case PowerZoneTarget():
            if athlete.power_zones and target.top <= len(athlete.power_zones):
                return _power(athlete.power_zones[target.zone - 1].low, athlete.power_zones[target.top - 1].high)
            if target.zone_high is None:
                return target  # the watch's own power zone
            if athlete.ftp is None:
                raise ResolveError(f"a power zone range needs ftp or power_zones in athlete {athlete.name!r}")
            low, high = DEFAULT_POWER_ZONES_PCT_FTP[target.zone][0], DEFAULT_POWER_ZONES_PCT_FTP[target.top][1]
            return _power(low * athlete.ftp / 100, high * athlete.ftp / 100)
        case CadenceTarget():
            if target.low == target.high:
                return CadenceTarget(low=target.low - CADENCE_HALF_WIDTH, high=target.high + CADENCE_HALF_WIDTH)
            return target
        case _:
            return OpenTarget()


def _from_rpe(rpe: RpeTarget, athlete: Athlete) -> Target:
    low_key, high_key = math.floor(rpe.low), math.ceil(rpe.high)
    preference = athlete.targets
    if preference == TargetPreference.PACE and athlete.threshold_pace is None:
        preference = TargetPreference.HR
    if preference == TargetPreference.RPE:
        return OpenTarget()
    if preference == TargetPreference.PACE:
        speed = _threshold_speed(athlete, "a pace-targeted RPE")
        low = _band(athlete, low_key, DEFAULT_RPE_SPEED_PCT)[0]
        high = _band(athlete, high_key, DEFAULT_RPE_SPEED_PCT)[1]
        return _speed(speed * low / 100, speed * high / 100)
    if low_key >= RPE_NO_HR_ALERT:
        return OpenTarget()  # HR lags behind strides and sprints: judge by feel, no alert
    lthr = athlete.effective_lthr
    low = _band(athlete, low_key, DEFAULT_RPE_HR_PCT_LTHR)[0]
    high = _band(athlete, high_key, DEFAULT_RPE_HR_PCT_LTHR)[1]
    return _hr(low * lthr / 100, high * lthr / 100)


def _too_short_for_hr(step: Step) -> bool:
    """A hard RPE step lasting less than HR needs to rise (timed, or a distance at threshold speed)."""
    rpe = step.target if isinstance(step.target, RpeTarget) else step.rpe
    if rpe is None or rpe.high < HARD_MIN_RPE:
        return False
    duration = step.planned or step.duration  # "- 1m RPE 8 press lap": a lap-button rep planned at 1 min (fit12)
    if isinstance(duration, TimeDuration):
        return duration.seconds < HR_MIN_HARD_STEP_SECONDS
    if isinstance(duration, DistanceDuration):
        return duration.meters / SHORT_REP_SPEED < HR_MIN_HARD_STEP_SECONDS
    return False


def _short_hard_target(rpe: RpeTarget, athlete: Athlete) -> Target:
    """A short hard rep's target: the RPE's pace band when the athlete has a threshold pace, else
    open (the cue stays in the step's name and notes)."""
    if athlete.threshold_pace is None:
        return OpenTarget()
    speed = 1000 / athlete.threshold_pace
    low = _band_of(athlete, math.floor(rpe.low), DEFAULT_RPE_SPEED_PCT, TargetPreference.PACE)[0]
    high = _band_of(athlete, math.ceil(rpe.high), DEFAULT_RPE_SPEED_PCT, TargetPreference.PACE)[1]
    return _speed(speed * low / 100, speed * high / 100)


def _band_of(athlete: Athlete, key: int, default: dict[int, tuple[float, float]],
             kind: TargetPreference) -> tuple[float, float]:
    """The athlete's RPE override when it is written for ``kind`` (the scale's unit), else the default."""
    return _band(athlete, key, default) if athlete.targets is kind else default[key]


def _band(athlete: Athlete, key: int, default: dict[int, tuple[float, float]]) -> tuple[float, float]:
    if key in athlete.rpe:
        band = athlete.rpe[key]
        return band.low, band.high
    return default[key]


def _threshold_speed(athlete: Athlete, what: str) -> float:
    if athlete.threshold_pace is None:
        raise ResolveError(f"{what} needs threshold_pace (swim_threshold_pace, the CSS, for swims) "
                           f"in athlete {athlete.name!r}")
    return 1000 / athlete.threshold_pace


def _hr(low: float, high: float) -> HeartRateTarget:
    low_bpm, high_bpm = round(low), round(high)
    if low_bpm == high_bpm:
        low_bpm, high_bpm = low_bpm - HR_HALF_WIDTH_BPM, high_bpm + HR_HALF_WIDTH_BPM
    target: HeartRateTarget = _HR_TARGET({"low": max(30, low_bpm), "high": min(250, high_bpm)})
    return target


def _speed(low: float, high: float) -> SpeedTarget:
    if math.isclose(low, high):
        low, high = low * (1 - SPEED_HALF_WIDTH), high * (1 + SPEED_HALF_WIDTH)
    target: SpeedTarget = _SPEED_TARGET({"low": round(low, 3), "high": round(high, 3)})
    return target


def _power(low: float, high: float) -> PowerTarget:
    if math.isclose(low, high):
        low, high = low * (1 - POWER_HALF_WIDTH), high * (1 + POWER_HALF_WIDTH)
    target: PowerTarget = _POWER_TARGET({"low": round(low), "high": round(high)})
    return target


#: The concrete targets' validation (``HeartRateTarget(low=..., high=...)`` is this, through one more
#: Python call, BaseModel.__init__): a target per step of every compile.
_HR_TARGET = HeartRateTarget.__pydantic_validator__.validate_python
_SPEED_TARGET = SpeedTarget.__pydantic_validator__.validate_python
_POWER_TARGET = PowerTarget.__pydantic_validator__.validate_python
