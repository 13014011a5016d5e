"""Weekly and plan summaries: completion, volumes, easy share and load flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.load import ActivityLoad, acwr
from watchsync.compliance.match import PlannedSession, match_sessions
from watchsync.compliance.summary import summarize
from watchsync.model.workout import DistanceDuration, Sport, Step, TimeDuration, Workout

MONDAY = date(2025, 3, 3)


def _load(day: date, load: float, *, id: str | None = None, meters: float | None = None,
          easy: float | None = None, hr: float | None = None, family: str = "run",
          seconds: float = 3600) -> ActivityLoad:
    return ActivityLoad(activity_id=id or f"a{day}", day=day, sport_family=family, duration_s=seconds,
                        distance_m=meters, srpe=None, trimp=load, easy_seconds=easy, hr_seconds=hr)


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def test_completion_and_planned_versus_done_volume() -> None:
    workout = Workout(name="w", sport=Sport.RUNNING, steps=[Step(duration=TimeDuration(seconds=1800))])
    track = Workout(name="t", sport=Sport.RUNNING, steps=[Step(duration=DistanceDuration(meters=5000))])
    planned = [PlannedSession(id=f"s{i}", date=MONDAY + timedelta(days=i), workout=w)
               for i, w in enumerate([workout, track, workout])]
    done = [ActivitySummary(id="a0", sport=Sport.RUNNING, start=datetime.combine(MONDAY, time(7), UTC),
                            duration_s=2000, distance_m=6000)]
    result = match_sessions(planned, done, today=MONDAY + timedelta(days=7))
    loads = [_load(MONDAY, 50, id="a0", meters=6000, easy=1500, hr=2000)]
    summary = summarize(planned, result, loads, easy_speed=2.5)
    week = summary.weeks[0].totals
    assert (week.planned_sessions, week.done, week.missed, week.pending) == (3, 1, 1, 1)
    assert week.completion == 1 / 2  # the third session's window is still open
    assert week.planned_seconds == 1800 + 5000 / 2.5 + 1800
    assert week.planned_meters == 1800 * 2.5 + 5000 + 1800 * 2.5
    assert (week.done_seconds, week.done_meters) == (3600, 6000)
    assert week.easy_share == 1500 / 2000
    assert any("easy share 75%" in flag for flag in summary.weeks[0].flags)
    assert summary.totals == week


def test_the_easy_share_is_of_running_alone() -> None:
    """An easy swim or spin never lifts a week of hard running over the 80 % line (the ceiling is a runner's)."""
    loads = [_load(MONDAY, 50, id="run", easy=400, hr=2000),
             _load(MONDAY, 40, id="swim", easy=3400, hr=3500, family="swim"),
             _load(MONDAY + timedelta(days=1), 40, id="ride", easy=3600, hr=3600, family="bike"),
             _load(MONDAY + timedelta(days=2), 30, id="run-no-hr", seconds=1200).model_copy(
                 update={"no_hr_seconds": 1200.0}),
             _load(MONDAY + timedelta(days=3), 20, id="ride-no-hr", family="bike").model_copy(
                 update={"no_hr_seconds": 3600.0})]
    week = summarize([], match_sessions([], [], today=MONDAY + timedelta(days=7)), loads).weeks[0]
    assert week.totals.easy_share == pytest.approx(400 / 2000)  # not (400 + 3400 + 3600) / 9100
    assert (week.totals.hr_seconds, week.totals.no_hr_seconds) == (2000, 1200)  # running time, with and without
    assert any("easy share 20%" in flag for flag in week.flags)


def test_monotony_flags_warn_and_critical() -> None:
    # Week 1: the same load every day but one → SD small → monotony far above 2 (critical).
    # Week 2: one long day and rest → monotony 0.41, no flag.
    loads = [_load(d, 100) for d in _days(MONDAY, 6)] + [_load(MONDAY + timedelta(days=6), 90)]
    loads.append(_load(MONDAY + timedelta(days=13), 100))
    weeks = summarize([], match_sessions([], [], today=MONDAY), loads).weeks
    assert any("critical" in flag for flag in weeks[0].flags)
    assert not any("monotony" in flag for flag in weeks[1].flags)
    assert weeks[1].monotony is not None and weeks[1].monotony < 1.5


def test_acwr_flag_needs_28_days_of_history() -> None:
    # Four weeks at 30 a day, then a week at 100: acute jumps over 1.5 × chronic in week five.
    steady = [_load(d, 30) for d in _days(MONDAY, 28)]
    spike = [_load(d, 100) for d in _days(MONDAY + timedelta(days=28), 7)]
    weeks = summarize([], match_sessions([], [], today=MONDAY), steady + spike).weeks
    assert weeks[4].acwr is not None and weeks[4].acwr >= 1.5
    assert any("ACWR" in flag for flag in weeks[4].flags)
    early = summarize([], match_sessions([], [], today=MONDAY),
                      [_load(MONDAY, 30)] + [_load(d, 100) for d in _days(MONDAY + timedelta(days=7), 7)]).weeks
    assert early[1].acwr is not None and early[1].acwr >= 1.5
    assert not any("ACWR" in flag for flag in early[1].flags)


def test_long_run_spike_is_flagged_in_its_week_for_runs_only() -> None:
    # the spike is measured in (timer) minutes, as plan lint measures it
    loads = [_load(MONDAY, 50, seconds=3600), _load(MONDAY + timedelta(days=6), 80, seconds=4200),
             _load(MONDAY + timedelta(days=8), 80, seconds=3 * 3600, family="bike")]
    summary = summarize([], match_sessions([], [], today=MONDAY), loads)
    assert [f for f in summary.weeks[0].flags if "long-run" in f] != []
    assert not any("long-run" in f for f in summary.weeks[1].flags)
    assert any(f.startswith("week of 2025-03-03: long-run spike 2025-03-09") for f in summary.flags)


def test_a_multi_session_summary_states_whole_bpm_and_watts() -> None:
    from watchsync.compliance.activities import combine

    start = datetime.combine(MONDAY, time(7), UTC)
    swim = ActivitySummary(id="t-1", sport=Sport.OPEN_WATER_SWIM, start=start, duration_s=1000, avg_hr=140.0)
    bike = ActivitySummary(id="t-2", sport=Sport.CYCLING, start=start + timedelta(seconds=1100), duration_s=2000,
                           avg_hr=151.0, avg_power=201.0)
    whole = combine("t", [swim, bike])
    assert whole.avg_hr == 147.0  # (140 x 1000 + 151 x 2000) / 3000 = 147.33
    assert whole.avg_power is None  # the bike's watts are no figure of a swim and a ride
    second = bike.model_copy(update={"id": "t-3", "avg_power": 180.0, "duration_s": 1000})
    assert combine("r", [bike, second]).avg_power == 194.0  # (201 x 2000 + 180 x 1000) / 3000


def test_the_week_not_over_yet_takes_todays_acwr_and_no_monotony() -> None:
    days = _days(MONDAY, 18)  # two full weeks, then Monday to Thursday of the third
    loads = [_load(day, 60.0 + 10 * (i % 3)) for i, day in enumerate(days)]
    thursday = days[-1]
    result = match_sessions([], [], today=thursday)
    daily = [60.0 + 10 * (i % 3) for i in range(18)] + [0.0, 0.0, 0.0]
    ratios = acwr(daily)
    *past, current = summarize([], result, loads, today=thursday).weeks
    assert current.week_start == thursday - timedelta(days=3)
    assert current.acwr == pytest.approx(ratios[17])  # as of Thursday, not of a Sunday to come
    assert current.monotony is None and current.strain is None
    assert past[-1].acwr == pytest.approx(ratios[13]) and past[-1].monotony is not None
    assert summarize([], result, loads).weeks[-1].acwr == pytest.approx(ratios[20])  # no today: the week's end


def test_a_multi_session_files_elapsed_time_is_never_below_its_timer() -> None:
    from watchsync.compliance.activities import combine

    start = datetime.combine(MONDAY, time(10), UTC)
    # the first session's timer counts records from before its own start (a fenix 2 multisport file)
    first = ActivitySummary(id="m-1", sport=Sport.OTHER, start=start, duration_s=11738, elapsed_s=11740)
    second = ActivitySummary(id="m-2", sport=Sport.RUNNING, start=start + timedelta(seconds=9023), duration_s=2295,
                             elapsed_s=2295)
    whole = combine("m", [first, second])
    assert whole.duration_s == 11738 + 2295
    assert whole.elapsed_s == whole.duration_s  # not 9023 + 2295


def test_the_acwr_is_seeded_with_the_first_days_load_not_a_rest_monday() -> None:
    # probe coach14: the series began with 0 on the first Monday, a rest day: every ratio inflated for weeks
    first = MONDAY + timedelta(days=1)
    daily = [80.0 if i % 7 != 5 else 0.0 for i in range(34)]
    loads = [_load(first + timedelta(days=i), value) for i, value in enumerate(daily) if value]
    weeks = summarize([], match_sessions([], [], today=MONDAY), loads).weeks
    ratios = acwr(daily)  # from the Tuesday of the first activity, seeded with its load
    assert [w.acwr for w in weeks] == pytest.approx([ratios[5], ratios[12], ratios[19], ratios[26], ratios[33]])


def test_given_the_athletes_history_a_week_has_its_ratio_whatever_weeks_are_summarised() -> None:
    from watchsync.compliance.acwr_series import AcwrSeries

    history = [_load(d, 40.0 + 7 * (i % 4)) for i, d in enumerate(_days(MONDAY + timedelta(days=2), 60))]
    series = AcwrSeries(history, "trimp")
    last_weeks = [load for load in history if load.day >= MONDAY + timedelta(weeks=6)]
    alone = summarize([], match_sessions([], [], today=MONDAY), last_weeks, ratios=series).weeks
    whole = summarize([], match_sessions([], [], today=MONDAY), history).weeks
    assert [w.acwr for w in alone] == pytest.approx([w.acwr for w in whole[6:]])
    assert series.ratio(MONDAY + timedelta(days=1)) is None  # before the first activity: no ratio
    rest = series.ratio(MONDAY + timedelta(days=71))  # ten rest days after the last activity
    daily = [load.load("trimp") for load in history] + [0.0] * 10
    assert rest == pytest.approx(acwr(daily)[-1])
