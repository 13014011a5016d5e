"""Each session of an activity file on its own: its records, laps, lengths, times and totals.

A FIT activity holds one `session` message per sport: a triathlon has five (swim, transition, bike,
transition, run), a Garmin "bike + strength" file two; chained files repeat the header. Session
``i`` owns what lies from its start to the next session's start (the first also what comes before
it, the last what comes after), laps by ``first_lap_index``/``num_laps`` when the sessions give them.
A session repeated verbatim (the same activity chained twice) counts once.

Times: ``timer_s`` is the session's ``total_timer_time`` (moving time: what volume and load use),
``elapsed_s`` its ``total_elapsed_time``. Either is replaced when absurd (missing, 0 or negative,
far beyond the span of the records and of the session's own start and end, over a week, or a
timer above the elapsed time) by what the timer events and
records say, with a warning; a cut file without its session takes its finished laps' timer times plus
the timer's running time after the last of them. Totals the session lacks (distance, heart rate, power) come from the
records (average heart rate: the mean of the records' readings; average power: weighted by the
running time each record stands for), and session and record totals are cross-checked (a warning when they disagree).
Records that stand for more running time than the device's timer without a pause event to say where
it stopped (a converter's file: only `start` and `stop_all`) lose their standing stretches (auto-pause
as the device did it), or, when that does not reconcile them, a warning says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime

import numpy as np

from watchsync.activity.model import Activity, FloatArray, Lap, Length, Records, Session
from watchsync.activity.sensors import clean_records
from watchsync.activity.timeline import DEFAULT_MAX_GAP_S, LAST_SAMPLE_S, Timeline, timeline

#: A time total beyond this many times the records' span (plus `SPAN_SLACK_S`) is absurd.
SPAN_FACTOR = 1.5
SPAN_SLACK_S = 600.0
#: A session total beyond a week is taken only when its records span it (an expedition recorded as one
#: session, a track point an hour), and never beyond a month: such totals are corrupt values.
MAX_SESSION_S = 7 * 86400.0
MAX_SPANNED_SESSION_S = 31 * 86400.0
#: The share of a total beyond `MAX_SESSION_S` that the records must span for it to be taken.
SPANNED_SHARE = 0.99
#: Distance cross-check: session vs records disagree beyond both of these.
DISTANCE_TOLERANCE = 0.05
DISTANCE_SLACK_M = 200.0
#: A distance covered faster than this on average (m/s, 360 km/h) is corrupt data, not a sport.
MAX_SPEED_M_S = 100.0
#: Average running speeds (m/s) above which no runner holds as long (s): a few % above the world records
#: (2000 m in 4:44, 5000 m in 12:35, 10000 m in 26:11, half marathon in 57:31); the longest first.
RUN_SPEED_LIMITS = ((3000.0, 6.4), (1200.0, 6.7), (300.0, 7.2))
#: Records standing for more running time than the session's timer by more than both of these, with no
#: pause event, lose the stretches where they stand still (the device auto-paused there).
TIMER_EXCESS_SHARE = 0.01
TIMER_EXCESS_S = 60.0
#: The distance advancing slower than this (m/s) is standing still, as an auto-pause judges it.
STANDING_SPEED_M_S = 0.25
#: Average heart rate cross-check: session vs records disagree beyond this share.
HR_TOLERANCE = 0.10
_INVALID_UINT8 = 255
_INVALID_UINT16 = 65535


@dataclass(frozen=True, slots=True, eq=False)
class SessionPart:
    """One session of a file and what it owns; ``activity`` is a one-session view of the file."""

    number: int
    session: Session | None
    activity: Activity
    timeline: Timeline
    weights: FloatArray
    begin: float
    timer_s: float
    elapsed_s: float
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    avg_power: float | None
    max_power: float | None
    ascent_m: float | None  # the session's total ascent (the device's, from its barometer or map)
    hr_seconds: float
    no_hr_seconds: float
    warnings: tuple[str, ...]
    #: What the file's numbers contradict (a run faster than any runner), also among ``warnings``: the
    #: report flags them beside its verdicts.
    doubts: tuple[str, ...] = ()

    @property
    def start(self) -> datetime:
        """Start of the session (on the activity's clock, see `Activity.clock`)."""
        return datetime.fromtimestamp(self.begin, UTC)

    @property
    def is_transition(self) -> bool:
        """A triathlon transition: kept, never matched with a planned session."""
        return self.session is not None and self.session.sport == "transition"


def session_parts(activity: Activity, max_gap: float = DEFAULT_MAX_GAP_S) -> tuple[SessionPart, ...]:
    """The file's sessions in time order (one part from the records when it has no session)."""
    written = activity.records.timestamp
    activity = replace(activity, records=clean_records(activity.records))
    times = activity.records.timestamp
    distinct = _distinct_sessions(activity.sessions)
    sessions = _near_records(distinct, times)
    dropped = _dropped(written, times, len(distinct) - len(sessions))
    if not sessions:
        if not len(times):
            return ()
        part = _part(activity, 0, None, float(times[0]), float(times[-1]) + 1, tuple(activity.laps), max_gap)
        return (replace(part, warnings=(*dropped, *part.warnings)),)
    starts = [_begin(s, times) for s in sessions]
    cut = _unfinished_leg(activity, sessions[-1], starts[-1])
    bounds = [*starts[1:], np.inf if cut is None else cut]
    many = len(sessions) > 1 or cut is not None
    parts = []
    for number, (session, begin, bound) in enumerate(zip(sessions, starts, bounds, strict=True)):
        laps = _laps(activity.laps, sessions, number, begin, bound)
        parts.append(_part(activity, number, session, begin, bound, laps, max_gap, first=number == 0, many=many))
    if cut is not None:  # the leg the watch was in when the file was cut: its own part, of the sport it began as
        number = len(sessions)
        leg = activity.sports[number:number + 1]
        laps = tuple(lap for lap in activity.laps if lap.start_time is not None and lap.start_time.timestamp() >= cut)
        part = _part(replace(activity, sports=leg), number, None, cut, np.inf, laps, max_gap, first=False, many=True)
        note = f"session {number + 1}: the file ends before this part's session was written (cut short?); read from "\
               "its records"
        parts.append(replace(part, warnings=(note, *part.warnings)))
    if dropped:
        parts[0] = replace(parts[0], warnings=(*dropped, *parts[0].warnings))
    return tuple(parts)


def _dropped(written: FloatArray, kept: FloatArray, sessions: int) -> tuple[str, ...]:
    """What was left out for lying more than a week from the rest: a corrupt time, or another activity
    joined to this one in the file. Said, never silent."""
    far = int(np.count_nonzero(~np.isnan(written))) - len(kept) if len(written) else 0
    if len(written) and far > 0:  # rows merged for sharing a second are no loss: count the distinct times
        far = len(np.unique(written[~np.isnan(written)])) - len(kept)
    pieces = [f"{far} record{'s' if far != 1 else ''}" if far > 0 else "",
              f"{sessions} session{'s' if sessions != 1 else ''}" if sessions > 0 else ""]
    left_out = " and ".join(filter(None, pieces))
    if not left_out:
        return ()
    return (f"{left_out} more than a week from the rest of the file left out (a corrupt time, or another "
            "activity joined to this one)",)


#: Records running on this long after a damaged file's last session are a leg of their own.
UNFINISHED_LEG_MIN_S = 120.0


def _unfinished_leg(activity: Activity, last: Session, begin: float) -> float | None:
    """Where a cut-off file's unfinished leg begins: the end of its last session, when the file was
    salvaged and its records go on for minutes after it (a watch that died mid-triathlon wrote the
    legs it finished, then only records); None otherwise."""
    times = activity.records.timestamp
    if not activity.salvaged or not len(times) or last.start_time is None:
        return None
    end = last.timestamp.timestamp() if last.timestamp is not None else None
    if last.total_elapsed_time is not None:
        end = begin + last.total_elapsed_time
    if end is None or end <= begin or float(times[-1]) - end < UNFINISHED_LEG_MIN_S:
        return None
    return end


def _distinct_sessions(sessions: Sequence[Session]) -> list[Session]:
    """Sessions once each, by start time; one without a start only when it is the only one."""
    seen: set[tuple[object, ...]] = set()
    distinct = []
    for session in sessions:
        key = tuple(getattr(session, f.name) for f in fields(Session))
        if key not in seen:
            seen.add(key)
            distinct.append(session)
    if len(distinct) == 1:
        return distinct
    return sorted((s for s in distinct if s.start_time is not None), key=lambda s: s.start_time or datetime.min)


def _near_records(sessions: list[Session], times: FloatArray) -> list[Session]:
    """Without the sessions that start more than `MAX_SESSION_S` from every record (corrupt messages
    of a salvaged file: a start in 2075); all of them when none is near."""
    if not len(times) or len(sessions) < 2:
        return sessions
    low, high = float(times[0]) - MAX_SESSION_S, float(times[-1]) + MAX_SESSION_S
    near = [s for s in sessions if s.start_time is None or low <= s.start_time.timestamp() <= high]
    return near or sessions


def _begin(session: Session, times: FloatArray) -> float:
    if session.start_time is not None:
        return session.start_time.timestamp()
    return float(times[0]) if len(times) else 0.0


def _laps(laps: Sequence[Lap], sessions: list[Session], number: int, begin: float, bound: float) -> tuple[Lap, ...]:
    """Laps of session ``number``: by lap index when every session gives it, else by start time."""
    if all(s.first_lap_index is not None and s.num_laps is not None for s in sessions):
        session = sessions[number]
        first, count = session.first_lap_index or 0, session.num_laps or 0
        if first + count <= len(laps):
            return tuple(laps[first:first + count])
    lower = -np.inf if number == 0 else begin
    return tuple(lap for lap in laps if lap.start_time is not None and lower <= lap.start_time.timestamp() < bound)


def _lengths(lengths: Sequence[Length], lower: float, bound: float) -> tuple[Length, ...]:
    return tuple(x for x in lengths if x.start_time is not None and lower <= x.start_time.timestamp() < bound)


def _slice(records: Records, lower: float, bound: float) -> Records:
    lo, hi = np.searchsorted(records.timestamp, [lower, bound], side="left")
    return Records(**{f.name: getattr(records, f.name)[lo:hi] for f in fields(Records)})


def _part(activity: Activity, number: int, session: Session | None, begin: float, bound: float,
          laps: tuple[Lap, ...], max_gap: float, *, first: bool = True, many: bool = False) -> SessionPart:
    lower = -np.inf if first else begin
    records = _slice(activity.records, lower, bound)
    times = records.timestamp
    span = float(times[-1] - times[0]) + 1 if len(times) else 0.0
    label = f"session {number + 1}: " if many else ""
    warnings: list[str] = []
    window = session.timestamp.timestamp() - begin if session and session.timestamp else 0.0
    if 0 < window <= MAX_SESSION_S and _window_fits(window, span, session):
        span = max(span, window)  # sparse records (a length or a lap each) cover less than the session
    elapsed = _plausible(session.total_elapsed_time if session else None, span)
    end = begin + (elapsed if elapsed is not None else max(span, 0.0))
    opening = begin
    if len(times):
        end = min(max(end, float(times[-1]) + 1), bound)
        opening = min(begin, float(times[0]))  # records before the first session's start are its own
    line = timeline(activity.timer_events, opening, end)
    lengths = _lengths(activity.lengths, lower, bound)
    weights = _pool_weights(line, times) if lengths else line.weights(times, max_gap)
    timer = _plausible(session.total_timer_time if session else None, span)
    timer_said = False
    if timer is not None and elapsed is not None and timer > elapsed + 1:
        if elapsed + 1 >= span:  # the elapsed time covers the records: the timer is the absurd one
            warnings.append(f"{label}timer time {timer:.0f}s exceeds elapsed time {elapsed:.0f}s; the timer "
                            "time is taken from the timer events and records")
            timer, timer_said = None, True
        else:
            warnings.append(f"{label}timer time {timer:.0f}s exceeds elapsed time {elapsed:.0f}s; elapsed time "
                            "is taken as the span of the session")
            elapsed = None
    paused = any(opening < event.time < end for event in activity.timer_events)
    lap_timer = _lap_timer(laps, span, elapsed) if timer is None and not timer_said else None
    measured = timer is not None or lap_timer is not None  # the device's own timer, not the records'
    if lap_timer is not None:
        timer = lap_timer
        laps_end = _laps_end(laps) if session is None and activity.salvaged else None
        if laps_end is not None:  # a cut file: its laps are the finished ones, the records run on after them
            timer += _running_after(line, weights, times, paused, laps_end)
        if session is not None:
            warnings.append(f"{label}{_judged('total timer time', session.total_timer_time, span)}; {timer:.0f}s "
                            "taken from the laps' timer times")
    if timer is None:
        timer = _running_after(line, weights, times, paused, -np.inf)
        if session is not None and not timer_said:
            warnings.append(f"{label}{_judged('total timer time', session.total_timer_time, span)}; {timer:.0f}s "
                            "taken from the timer events and records")
    if elapsed is None:
        elapsed = max(end - opening, timer)
        if session is not None and session.total_elapsed_time != elapsed:
            warnings.append(f"{label}{_judged('total elapsed time', session.total_elapsed_time)}; "
                            f"{elapsed:.0f}s taken from the records")
    if measured and not paused and not lengths:
        line, weights = _auto_paused(line, weights, records, timer, max_gap, label, warnings)
    heart_rate, power = records.heart_rate, records.power
    if len(power) and not np.any(power > 0):  # zeros alone (a Connect IQ power field on a treadmill): no power
        power = np.full(len(power), np.nan)
    has_hr = ~np.isnan(heart_rate)
    hr_seconds = float(weights[has_hr].sum())
    distance = _distance(activity.records, records, lower, session, label, warnings, max(timer, elapsed))
    if distance is None:
        distance = _lap_distance(laps, max(timer, elapsed), label, warnings)
    given_hr = _valid(session.avg_heart_rate if session else None, _INVALID_UINT8)
    record_hr = _record_mean(heart_rate)
    timed_hr = _mean(heart_rate, weights)
    if given_hr is not None and timed_hr is not None and abs(given_hr - timed_hr) > HR_TOLERANCE * given_hr:
        warnings.append(f"{label}session average heart rate {given_hr:.0f} and records' {timed_hr:.0f} disagree; "
                        "the session's is used")
    sets = tuple(x for x in activity.sets if x.start_time is not None and lower <= x.start_time.timestamp() < bound)
    view = replace(activity, sessions=(session,) if session else (), laps=laps, records=records, lengths=lengths,
                   sets=sets)
    doubts = _doubts(_fit_sport(session, view), view, distance, timer, label)
    warnings += doubts
    return SessionPart(
        number=number, session=session, activity=view, timeline=line, weights=weights, begin=begin,
        timer_s=timer, elapsed_s=elapsed, distance_m=distance,
        avg_hr=given_hr if given_hr is not None else record_hr,
        max_hr=_valid(session.max_heart_rate if session else None, _INVALID_UINT8) or _max(heart_rate),
        avg_power=_session_or_records(session.avg_power if session else None, _mean(power, weights)),
        max_power=_session_or_records(session.max_power if session else None, _max(power)),
        ascent_m=_valid(session.total_ascent if session else None, _INVALID_UINT16, zero_ok=True),
        hr_seconds=hr_seconds, no_hr_seconds=float(weights.sum()) - hr_seconds, warnings=tuple(warnings),
        doubts=tuple(doubts))


def _fit_sport(session: Session | None, view: Activity) -> str | None:
    """The FIT sport of a part: its session's, else the one its laps or `sport` messages name."""
    if session is not None:
        return session.sport
    named = {lap.sport for lap in view.laps if lap.sport} or {sport for sport, _ in view.sports if sport}
    return named.pop() if len(named) == 1 else None


def _doubts(sport: str | None, view: Activity, distance: float | None, timer: float, label: str) -> list[str]:
    """What the file says that its numbers contradict: a run faster than any runner, a swim that is no
    pool swim by its numbers (no pool, no lengths, no distance: freediving, a swim in a pool not set)."""
    doubts = []
    if sport == "running" and distance and timer > 0:
        speed = distance / timer
        limit = next((top for seconds, top in RUN_SPEED_LIMITS if timer >= seconds), None)
        if limit is not None and speed > limit:
            pace = round(1000 / speed)
            doubts.append(f"{label}average {pace // 60}:{pace % 60:02d}/km over {timer / 60:.0f} min is faster "
                          "than any runner: a ride recorded as a run?")
    session = view.sessions[0] if view.sessions else None
    if sport == "swimming" and session is not None and session.sub_sport != "open_water" and timer > 0 \
            and not distance and not view.lengths and view.pool_length is None and not view.records.has_position:
        doubts.append(f"{label}a swim of {timer / 60:.0f} min with no pool length, no lengths and no distance "
                      "(freediving? a pool not set on the watch?): counted as a pool swim, check it")
    return doubts


def _session_or_records(given: int | None, recorded: float | None) -> float | None:
    """A session's power figure, or the records' when it has none, or says 0 W where they show power;
    a 0 W session whose records show no power has none (nothing measured it)."""
    value = _valid(given, _INVALID_UINT16, zero_ok=True)
    if value == 0 and recorded is not None and recorded > 0:
        return recorded
    if value == 0 and recorded is None:
        return None
    return _or(value, recorded)


def _pool_weights(line: Timeline, times: FloatArray) -> FloatArray:
    """Running seconds each record stands for in a pool swim: the watch writes one record per length
    (or rest), so a minute without one is no data gap; the first record also stands for the length
    before it (from the timer's start), the last for the time up to the timer's end."""
    weights = line.weights(times, np.inf)
    if len(times):
        ran = line.running_before(times[[0, -1]])
        weights[0] += float(ran[0])
        weights[-1] = line.running_seconds - float(ran[1])  # and the last one up to the timer's end
    return weights


def _auto_paused(line: Timeline, weights: FloatArray, records: Records, timer: float, max_gap: float,
                 label: str, warnings: list[str]) -> tuple[Timeline, FloatArray]:
    """The timeline and weights without the stretches where the records stand still, when the records
    stand for more running time than the session's timer says and no pause event says where it stopped
    (a converter keeps only the `start` and `stop_all` events of a device that auto-paused): the timer
    the device measured is what it ran. A warning when standing still does not account for the excess."""
    counted = float(weights.sum())
    tolerance = max(TIMER_EXCESS_S, TIMER_EXCESS_SHARE * timer)
    if counted <= timer + tolerance:
        return line, weights
    moving = line.without(*_standing(records))
    kept = moving.weights(records.timestamp, max_gap)
    if abs(float(kept.sum()) - timer) <= tolerance:
        return moving, kept
    warnings.append(f"{label}the records stand for {counted:.0f}s of running timer, the session's timer for "
                    f"{timer:.0f}s, and neither pause events nor standing still say where it stopped: heart-rate "
                    f"time, load and the steps count the records' {counted:.0f}s")
    return line, weights


def _standing(records: Records) -> tuple[FloatArray, FloatArray]:
    """The stretches ``[begins, ends)`` from a record to the next in which the distance advances slower
    than `STANDING_SPEED_M_S` (without a distance at either end: the record's speed is below it)."""
    times = records.timestamp
    ends = np.append(times[1:], times[-1:] + LAST_SAMPLE_S)
    advance = np.append(records.distance[1:], np.nan) - records.distance
    with np.errstate(invalid="ignore"):
        still = np.where(np.isnan(advance), records.speed < STANDING_SPEED_M_S,
                         advance < STANDING_SPEED_M_S * (ends - times))
    return times[still], ends[still]


def _lap_timer(laps: Sequence[Lap], span: float, elapsed: float | None) -> float | None:
    """The session's timer from its laps' timer times (what the device measured), when each lap has
    one and their sum is plausible; None otherwise."""
    timers = [lap.total_timer_time for lap in laps]
    if not timers or any(t is None or t < 0 for t in timers):
        return None
    total = _plausible(float(sum(t for t in timers if t is not None)), span)
    return None if total is None or (elapsed is not None and total > elapsed + 1) else total


def _laps_end(laps: Sequence[Lap]) -> float | None:
    """When the last of ``laps`` ended (its start plus its elapsed, else its timer, time); None when a lap
    lacks either."""
    ends = []
    for lap in laps:
        duration = lap.total_elapsed_time if lap.total_elapsed_time is not None else lap.total_timer_time
        if lap.start_time is None or duration is None:
            return None
        ends.append(lap.start_time.timestamp() + duration)
    return max(ends) if ends else None


def _running_after(line: Timeline, weights: FloatArray, times: FloatArray, paused: bool, after: float) -> float:
    """Seconds the timer ran from ``after`` on: by the timer events when they pause it, else by the
    running time the records from ``after`` on stand for (a data gap does not count)."""
    if paused:
        return line.running_seconds - float(line.running_before(np.asarray([after], dtype=np.float64))[0])
    return float(weights[times >= after].sum())


def _lap_distance(laps: Sequence[Lap], seconds: float, label: str, warnings: list[str]) -> float | None:
    """The laps' distance when neither the session nor the records give one (a treadmill's laps)."""
    distances = [lap.total_distance for lap in laps if lap.total_distance is not None]
    if not distances or sum(distances) <= 0:
        return None
    total = _believable(float(sum(distances)), seconds, f"{label}the laps' distance", warnings)
    if total is not None:
        warnings.append(f"{label}no session or record distance; {total:.0f} m taken from the laps")
    return total


def _window_fits(window: float, span: float, session: Session | None) -> bool:
    """Whether the session's ``timestamp`` can be its end: in a Summary-First file it is the file's
    creation time (Garmin's FIT team: never use it as the end; end = start + total elapsed time), which
    an exporting platform may write days later. Taken only within the session's own elapsed time, or
    without one, within the records' plausible span."""
    elapsed = session.total_elapsed_time if session else None
    if elapsed is not None and np.isfinite(elapsed) and elapsed > 0:
        return window <= elapsed + 1  # the session's own end, however sparse its records
    return span <= 1 or window <= SPAN_FACTOR * span + SPAN_SLACK_S


def _plausible(value: float | None, span: float) -> float | None:
    """A session time total, or None when it is missing or absurd (against the span of its records and
    of its own start and end, or beyond `MAX_SESSION_S` unless its records span it)."""
    if value is None or not np.isfinite(value) or value <= 0:
        return None
    if value > MAX_SESSION_S and not (value <= MAX_SPANNED_SESSION_S and span >= SPANNED_SHARE * value):
        return None
    if span > 1 and value > SPAN_FACTOR * span + SPAN_SLACK_S:
        return None
    return float(value)


def _judged(what: str, value: float | None, span: float | None = None) -> str:
    """``the session has no total timer time`` or ``total timer time 0s is implausible for 349s of records``."""
    if value is None:
        return f"the session has no {what}"
    return f"{what} {value:.0f}s is implausible" + (f" for {span:.0f}s of records" if span is not None else "")


def _distance(all_records: Records, records: Records, lower: float, session: Session | None, label: str,
              warnings: list[str], seconds: float) -> float | None:
    """The session's distance; from the records when it lacks one (cross-checked otherwise), unless
    the records' distance is faster than `MAX_SPEED_M_S` over the session (corrupt values)."""
    from_records = _record_distance(all_records, records, lower)
    from_records = _believable(from_records, seconds, f"{label}the records' distance", warnings)
    given = _believable(session.total_distance if session else None, seconds, f"{label}session distance",
                        warnings)
    tracked = int(np.count_nonzero(~np.isnan(records.distance))) >= 2  # one boundary record is no track
    if given is None or (given == 0 and from_records and tracked):
        if given == 0 and from_records and tracked:
            warnings.append(f"{label}session distance is 0 while the records cover {from_records:.0f} m; "
                            "the records' distance is used")
        return from_records
    if from_records is not None and abs(from_records - given) > max(DISTANCE_TOLERANCE * given, DISTANCE_SLACK_M):
        warnings.append(f"{label}session distance {given:.0f} m and records' {from_records:.0f} m disagree; "
                        "the session's is used")
    return given


def _believable(distance: float | None, seconds: float, what: str, warnings: list[str]) -> float | None:
    """``distance``, or None (with a warning) when covering it in ``seconds`` beats `MAX_SPEED_M_S`."""
    if distance is not None and distance > MAX_SPEED_M_S * max(seconds, 1.0):
        warnings.append(f"{what} {distance / 1000:.0f} km in {seconds:.0f}s is implausible; it is not used")
        return None
    return distance


def _record_distance(all_records: Records, records: Records, lower: float) -> float | None:
    distance = records.distance[~np.isnan(records.distance)]
    if not len(distance):
        return None
    before = all_records.distance[: np.searchsorted(all_records.timestamp, lower, side="left")]
    before = before[~np.isnan(before)]
    baseline = float(before.max()) if len(before) else 0.0
    if distance[0] < baseline:  # the distance restarts from 0 with this session
        baseline = 0.0
    return max(0.0, float(distance.max()) - baseline)


def _valid(value: int | None, invalid: int, zero_ok: bool = False) -> float | None:
    if value is None or value >= invalid or value < 0 or (value == 0 and not zero_ok):
        return None
    return float(value)


def _or(first: float | None, second: float | None) -> float | None:
    return second if first is None else first


def _record_mean(values: FloatArray) -> float | None:
    """Mean of the records' readings, as a decoder's records give it (each record counts once)."""
    known = values[~np.isnan(values)]
    return float(known.mean()) if len(known) else None


def _mean(values: FloatArray, weights: FloatArray) -> float | None:
    known = ~np.isnan(values)
    if not known.any():
        return None
    total = float(weights[known].sum())
    if total > 0:
        return float(np.sum(values[known] * weights[known]) / total)
    return float(values[known].mean())


def _max(values: FloatArray) -> float | None:
    return float(np.nanmax(values)) if (~np.isnan(values)).any() else None


#: The last activity timed and its answer: scoring a session asks for it once per basis (its steps,
#: the easy judgement by heart rate, then by pace), and an activity is immutable.
_last_timed: tuple[Activity, float, tuple[Records, FloatArray]] | None = None


def timed_records(activity: Activity, max_gap: float = DEFAULT_MAX_GAP_S) -> tuple[Records, FloatArray]:
    """The cleaned records of all sessions and the seconds of running timer each stands for."""
    global _last_timed
    last = _last_timed
    if last is not None and last[0] is activity and last[1] == max_gap:
        return last[2]
    answer = _timed_records(activity, max_gap)
    _last_timed = (activity, max_gap, answer)
    return answer


def _timed_records(activity: Activity, max_gap: float) -> tuple[Records, FloatArray]:
    parts = session_parts(activity, max_gap)
    if len(parts) == 1:
        return parts[0].activity.records, parts[0].weights
    if not parts:
        return clean_records(activity.records), np.zeros(len(activity.records))
    columns = {f.name: np.concatenate([getattr(p.activity.records, f.name) for p in parts]) for f in fields(Records)}
    return Records(**columns), np.concatenate([p.weights for p in parts])
