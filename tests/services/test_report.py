"""Planned sessions from the store or a plan file, and compliance reports built from the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.load import ActivityLoad
from watchsync.garmin.client import GarminClient
from watchsync.model.athlete import Athlete
from watchsync.model.workout import HeartRateTarget, RpeTarget, Sport, Step, TimeDuration, Workout
from watchsync.plan.model import Plan, Session, Week, WeekFocus
from watchsync.resolve import resolve
from watchsync.services.activities import sync_activities
from watchsync.services.report import (
    PlanViewError,
    planned_from_plan,
    planned_from_store,
    session_key,
    store_report,
    stored_activities,
    workout_from_payload,
)
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.simulate import Behaviour, simulate_activity

ATHLETE = Athlete(name="bo", max_hr=190, resting_hr=50, lthr=172)
MONDAY = date(2025, 3, 3)
TODAY = MONDAY + timedelta(days=16)


def run(minutes: int, name: str, rpe: float = 3) -> Workout:
    """A one-step run at an RPE (unresolved)."""
    step = Step(duration=TimeDuration(seconds=minutes * 60), target=RpeTarget(low=rpe, high=rpe))
    return Workout(name=name, sport=Sport.RUNNING, steps=[step])


EASY = resolve(run(12, "Easy 12"), ATHLETE)
STEADY = resolve(run(10, "Steady 10", rpe=5), ATHLETE)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state.sqlite3") as opened:
        yield opened


def schedule(store: Store, key: str, workout: Workout, day: date, remote_id: int | None = None) -> None:
    store.upsert_workout(ATHLETE.name, key, content_hash=key, payload=workout.model_dump(mode="json"))
    if remote_id is not None:
        store.set_remote_id(ATHLETE.name, key, remote_id)
    store.add_schedule(ATHLETE.name, key, day)


def fetch_activities(store: Store, tmp_path: Path,
                     done: list[tuple[Workout, date, Behaviour]]) -> list[int]:
    """Simulate ``done`` at the local server and sync them into ``store``; returns the activity ids."""
    with running_server() as server:
        ids = [_upload(server, workout, day, behaviour, seed) for seed, (workout, day, behaviour) in enumerate(done)]
        client = GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url)
        sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=MONDAY - timedelta(days=7),
                        today=TODAY)
    return ids


def _upload(server: LocalGarminServer, workout: Workout, day: date, behaviour: Behaviour, seed: int) -> int:
    start = datetime.combine(day, time(18, 0), UTC)
    simulated = simulate_activity(workout, ATHLETE, start=start, behaviour=behaviour, seed=seed)
    return server.add_activity(simulated.fit, start_time=start, duration_s=simulated.summary["duration_s"])


def test_planned_sessions_join_schedules_with_their_workouts(store: Store) -> None:
    schedule(store, "easy", EASY, MONDAY, remote_id=42)
    schedule(store, "steady", STEADY, MONDAY + timedelta(days=2))
    schedule(store, "gone", EASY, MONDAY + timedelta(days=3))
    store.mark_deleted(ATHLETE.name, "gone")
    schedule(store, "easy", EASY, MONDAY + timedelta(days=4))
    removed = store.get_schedule(ATHLETE.name, "easy", MONDAY + timedelta(days=4))
    assert removed is not None
    store.set_schedule(removed.id, "removed")

    sessions = planned_from_store(store, ATHLETE.name)

    assert [(s.id, s.date, s.workout, s.remote_workout_id) for s in sessions] == [
        (session_key("easy", MONDAY), MONDAY, EASY, 42),
        (session_key("steady", MONDAY + timedelta(days=2)), MONDAY + timedelta(days=2), STEADY, None),
    ]
    assert [s.id for s in planned_from_store(store, ATHLETE.name, start=MONDAY + timedelta(days=1))] == [
        session_key("steady", MONDAY + timedelta(days=2))]


def test_a_stored_payload_that_is_no_workout_is_a_clear_error(store: Store) -> None:
    store.upsert_workout(ATHLETE.name, "broken", content_hash="x", payload={"workoutName": "not our model"})
    store.add_schedule(ATHLETE.name, "broken", MONDAY)

    with pytest.raises(PlanViewError, match=r"workout 'broken' of athlete 'bo': stored workout is not a workout"):
        planned_from_store(store, ATHLETE.name)
    with pytest.raises(PlanViewError, match="somewhere"):
        workout_from_payload({}, "somewhere")


def test_plan_file_sessions_are_resolved_and_get_distinct_ids() -> None:
    week = Week(focus=WeekFocus.BUILD, days={1: (Session(run(12, "Easy 12")), Session(run(10, "Steady", 5)))})
    plan = Plan(name="p", weeks=(week, week), start=MONDAY)

    sessions = planned_from_plan(plan, ATHLETE)

    assert [s.date for s in sessions] == [MONDAY + timedelta(days=d) for d in (1, 1, 8, 8)]
    assert len({s.id for s in sessions}) == 4
    assert sessions[0].workout == EASY
    assert all(isinstance(s.workout.flat_steps()[0].target, HeartRateTarget) for s in sessions)


def test_store_report_shows_done_missed_pending_and_unplanned(store: Store, tmp_path: Path) -> None:
    schedule(store, "easy", EASY, MONDAY)
    schedule(store, "steady", STEADY, MONDAY + timedelta(days=2))  # never done, window closed
    schedule(store, "easy", EASY, TODAY - timedelta(days=1))  # not done yet, window open
    done, extra = fetch_activities(store, tmp_path, [(EASY, MONDAY, "follows"),
                                                     (STEADY, MONDAY + timedelta(days=9), "follows")])

    report = store_report(store, ATHLETE, today=TODAY)

    statuses = {(row.day, row.status) for row in report.sessions}
    assert statuses == {(MONDAY, "green"), (MONDAY + timedelta(days=2), "red"),
                        (TODAY - timedelta(days=1), "pending"), (MONDAY + timedelta(days=9), "unplanned")}
    green = next(row for row in report.sessions if row.status == "green")
    stored = {row.session_key: row for row in store.list_compliance(ATHLETE.name)}[session_key("easy", MONDAY)]
    assert green.activity_id == str(done) and stored.activity_id == done
    assert green.in_target == stored.scores["intensity"]["inside"]
    [unplanned] = [row for row in report.sessions if row.status == "unplanned"]
    assert unplanned.activity_id == str(extra)
    assert unplanned.name == "Running (unplanned running)"  # the local server names it as Garmin does
    assert report.summary.totals.done == 1 and report.summary.totals.missed == 1


def test_plan_sessions_are_scored_again_from_the_stored_fit(store: Store, tmp_path: Path) -> None:
    schedule(store, "easy", EASY, MONDAY)
    fetch_activities(store, tmp_path, [(EASY, MONDAY, "too_hard")])
    stored_inside = store.list_compliance(ATHLETE.name)[0].scores["intensity"]["inside"]
    plan = Plan(name="p", weeks=(Week(focus=WeekFocus.BUILD, days={0: (Session(run(12, "Easy 12")),)}),),
                start=MONDAY)

    report = store_report(store, ATHLETE, today=TODAY, planned=planned_from_plan(plan, ATHLETE))

    [row] = report.sessions
    assert row.session_id is not None and row.session_id.startswith("plan:")
    assert row.in_target == pytest.approx(stored_inside)
    assert any("too hard" in flag for flag in row.flags)


def test_without_its_fit_file_a_replanned_session_has_no_intensity(store: Store, tmp_path: Path) -> None:
    fetch_activities(store, tmp_path, [(EASY, MONDAY, "follows")])
    for activity in stored_activities(store, ATHLETE.name):
        assert activity.fit_path is not None
        activity.fit_path.unlink()
    plan = Plan(name="p", weeks=(Week(focus=WeekFocus.BUILD, days={0: (Session(run(12, "Easy 12")),)}),),
                start=MONDAY)

    [row] = store_report(store, ATHLETE, today=TODAY, planned=planned_from_plan(plan, ATHLETE)).sessions

    assert row.status == "green" and row.in_target is None


def test_a_week_report_keeps_only_that_week(store: Store, tmp_path: Path) -> None:
    second_monday = MONDAY + timedelta(days=7)
    schedule(store, "easy", EASY, MONDAY)
    schedule(store, "steady", STEADY, second_monday + timedelta(days=1))
    fetch_activities(store, tmp_path, [(EASY, MONDAY, "follows"), (STEADY, second_monday + timedelta(days=1),
                                                                   "follows")])
    whole = store_report(store, ATHLETE, today=TODAY)

    week = store_report(store, ATHLETE, today=TODAY, week=second_monday + timedelta(days=3))

    assert [w.week_start for w in week.summary.weeks] == [second_monday]
    assert [row.day for row in week.sessions] == [second_monday + timedelta(days=1)]
    assert [d.day for d in week.days] == [second_monday + timedelta(days=i) for i in range(7)]
    assert week.summary.totals == week.summary.weeks[0].totals
    assert week.summary.totals.planned_sessions == 1
    whole_week = next(w for w in whole.summary.weeks if w.week_start == second_monday)
    assert week.summary.weeks[0].acwr == pytest.approx(whole_week.acwr)  # history before the week still counts


def test_a_week_report_counts_a_session_done_late_in_the_next_week_as_the_whole_report_does(
        store: Store, tmp_path: Path) -> None:
    sunday = MONDAY + timedelta(days=6)
    schedule(store, "easy", EASY, sunday)
    fetch_activities(store, tmp_path, [(EASY, sunday + timedelta(days=2), "follows")])  # done on Tuesday
    whole = store_report(store, ATHLETE, today=TODAY)
    week = store_report(store, ATHLETE, today=TODAY, week=MONDAY)
    [row] = week.sessions
    assert row.status != "red" and row.activity_id is not None
    assert [r.status for r in whole.sessions if r.day == sunday] == [row.status]
    assert week.summary.totals.done == 1 and week.summary.totals.missed == 0


def test_a_week_report_never_takes_a_run_that_next_weeks_session_claims(store: Store, tmp_path: Path) -> None:
    friday, next_tuesday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=8)
    schedule(store, "easy-fri", EASY, friday)  # skipped
    schedule(store, "easy-tue", EASY, next_tuesday)  # done on its day, within Friday's late window
    fetch_activities(store, tmp_path, [(EASY, next_tuesday, "follows")])
    whole = store_report(store, ATHLETE, today=TODAY)
    for monday in (MONDAY, MONDAY + timedelta(days=7)):
        week = store_report(store, ATHLETE, today=TODAY, week=monday)
        assert [(r.day, r.status, r.activity_id) for r in week.sessions] == [
            (r.day, r.status, r.activity_id) for r in whole.sessions if 0 <= (r.day - monday).days < 7]
    [friday_row] = store_report(store, ATHLETE, today=TODAY, week=MONDAY).sessions
    assert friday_row.status == "red"  # missed, as the season says: not "done 4 days late"


def test_a_week_with_nothing_in_it_has_zero_totals_not_the_windows(store: Store, tmp_path: Path) -> None:
    schedule(store, "easy", EASY, MONDAY)
    schedule(store, "steady", STEADY, MONDAY + timedelta(days=2))
    fetch_activities(store, tmp_path, [(EASY, MONDAY, "follows"), (STEADY, MONDAY + timedelta(days=2), "follows")])
    empty_week = MONDAY + timedelta(days=14)  # the plan ended: nothing planned, nothing done (probe-web4)

    week = store_report(store, ATHLETE, today=TODAY, week=empty_week)

    assert week.sessions == [] and week.summary.weeks == []
    totals = week.summary.totals
    assert (totals.planned_sessions, totals.done, totals.planned_seconds, totals.done_seconds) == (0, 0, 0, 0)
    assert totals.completion is None and totals.easy_share is None


def test_stored_activities_filter_by_local_day_not_utc_day(store: Store, tmp_path: Path) -> None:
    east = timezone(timedelta(hours=3))
    local_start = datetime.combine(MONDAY, time(1, 30), east)  # Sunday evening in UTC
    with running_server() as server:
        simulated = simulate_activity(EASY, ATHLETE, start=local_start)
        activity_id = server.add_activity(simulated.fit, start_time=local_start)
        client = GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url)
        sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=MONDAY - timedelta(days=2),
                        today=TODAY)

    assert [a.summary.id for a in stored_activities(store, ATHLETE.name, start=MONDAY, end=MONDAY)] == [
        str(activity_id)]
    assert stored_activities(store, ATHLETE.name, start=MONDAY + timedelta(days=1)) == []
    assert stored_activities(store, ATHLETE.name, end=MONDAY - timedelta(days=1)) == []


def test_a_report_holds_the_cyclic_collector_off_only_while_it_builds(store: Store,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import watchsync.services.report as report_module
    from watchsync.report.build import build_report as real

    seen: list[bool] = []

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(report_module, "build_report", spy)
    assert gc.isenabled()
    store_report(store, ATHLETE, today=TODAY)
    assert seen == [False] and gc.isenabled()

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(report_module, "build_report", broken)
    with pytest.raises(RuntimeError):
        store_report(store, ATHLETE, today=TODAY)
    assert gc.isenabled()  # on again after a failure too
    gc.disable()
    try:
        monkeypatch.setattr(report_module, "build_report", real)
        store_report(store, ATHLETE, today=TODAY)
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


def test_hill_reps_run_at_easy_heart_rate_flag_the_session(store: Store, tmp_path: Path) -> None:
    from watchsync.formats.load import load_workout

    hills = resolve(load_workout(Path(__file__).parents[2] / "workouts" / "runs" / "hill-repeats.txt"), ATHLETE)
    schedule(store, "hills", hills, MONDAY)
    schedule(store, "hills", hills, MONDAY + timedelta(days=7))
    fetch_activities(store, tmp_path, [(hills, MONDAY, "follows"),
                                       (hills, MONDAY + timedelta(days=7), "skips_intervals")])

    done, skipped = [row for row in store_report(store, ATHLETE, today=TODAY).sessions if row.session_id]
    assert not any(flag.startswith("hard steps done easy") for flag in done.flags)
    assert any(flag.startswith("hard steps done easy: 6 of 6 hard runs without a target never rose above")
               for flag in skipped.flags), skipped.flags


@pytest.mark.parametrize(("metric", "expected"), [(None, 0.0), ("srpe", 120.0)])
def test_an_athlete_without_a_strap_can_take_the_srpe_load(store: Store, tmp_path: Path, metric: str | None,
                                                           expected: float) -> None:
    # a no-HR beginner's load read 0 all season though each run had a reported RPE (probe coach11)
    schedule(store, "easy", EASY, MONDAY)
    [activity_id] = fetch_activities(store, tmp_path, [(EASY, MONDAY, "follows")])
    row = store.get_activity(activity_id)
    assert row is not None
    load = {**row.summary["load"], "srpe": 120.0, "trimp": None}  # as a run without heart rate, RPE 4, is stored
    store.upsert_activity(ATHLETE.name, activity_id, row.start_time, summary={**row.summary, "load": load})
    athlete = ATHLETE.model_copy(update={"load_metric": metric})
    report = store_report(store, athlete, today=TODAY)
    assert report.load_metric == (metric or "trimp")
    assert sum(point.load for point in report.days) == expected


def store_activity(store: Store, number: int, start: datetime, minutes: float, *, sport: Sport = Sport.CYCLING,
                   elapsed: float | None = None, trimp: float | None = None, **fields: object) -> None:
    """An analysed activity stored as the sync stores it (its summary and load rows)."""
    summary = ActivitySummary(id=str(number), sport=sport, start=start, duration_s=minutes * 60,
                              elapsed_s=elapsed, **fields)  # type: ignore[arg-type]
    load = ActivityLoad(activity_id=str(number), day=start.date(), sport_family=sport.family,
                        duration_s=minutes * 60, distance_m=summary.distance_m, srpe=None, trimp=trimp,
                        easy_seconds=None, hr_seconds=minutes * 60 if trimp else None)
    store.upsert_activity(ATHLETE.name, number, start.astimezone(UTC), sport=sport.value, summary={
        "summary": summary.model_dump(mode="json"), "load": load.model_dump(mode="json")})


def ride(minutes: int, name: str) -> Workout:
    step = Step(duration=TimeDuration(seconds=minutes * 60), target=RpeTarget(low=3, high=3))
    return resolve(Workout(name=name, sport=Sport.CYCLING, steps=[step]), ATHLETE)


def test_a_ride_recorded_by_two_devices_is_one_ride_counted_once(store: Store) -> None:
    # probe fit13: Zwift and a Garmin head unit recorded the same rides: "done in 2 pieces" at 141 %, an
    # extra unplanned ride, the week's time and load doubled
    denver = timezone(timedelta(hours=-7))
    monday, tuesday = (datetime.combine(MONDAY + timedelta(days=d), time(17, 0), denver) for d in (0, 1))
    schedule(store, "ride-90", ride(90, "Ride HR 90"), MONDAY)
    schedule(store, "ride-steps", ride(65, "Ride steps"), MONDAY + timedelta(days=1))
    garmin = {"avg_hr": 142, "avg_power": 180}  # indoors the head unit has no distance
    zwift = {"avg_hr": 143, "avg_power": 185, "distance_m": 40_700.0, "title": "Zwift - Watopia"}
    store_activity(store, 1, monday - timedelta(seconds=8), 63.75, elapsed=3825, trimp=102.3, **garmin)
    store_activity(store, 2, monday + timedelta(seconds=23), 63.5, elapsed=3814, trimp=101.8, **zwift)
    store_activity(store, 3, tuesday + timedelta(minutes=9), 50.7, elapsed=3043, trimp=117.7, **garmin)
    store_activity(store, 4, tuesday + timedelta(minutes=10), 50.5, elapsed=3032, trimp=117.2, **zwift)

    report = store_report(store, ATHLETE, today=TODAY)

    assert [(row.day, row.activity_id) for row in report.sessions] == [(MONDAY, "2"), (MONDAY + timedelta(days=1), "4")]
    first, second = report.sessions
    assert first.ratio == pytest.approx(63.5 / 90)
    assert not any("pieces" in flag for flag in first.flags)
    assert 'recorded twice (also cycling at 16:59, 64 min): counted once' in first.flags
    assert 'recorded twice (also cycling at 17:09, 51 min): counted once' in second.flags
    week = report.summary.weeks[0]
    assert week.totals.done_seconds == pytest.approx((63.5 + 50.5) * 60)
    assert week.load == pytest.approx(101.8 + 117.2)
    assert week.totals.done_meters_by_family == {"bike": pytest.approx(81_400.0)}
    assert week.totals.unplanned == 0
    assert store_report(store, ATHLETE, today=TODAY, week=MONDAY).sessions == report.sessions


def test_the_pieces_of_a_split_run_follow_each_other_a_copy_overlaps_them(store: Store) -> None:
    morning = datetime.combine(MONDAY, time(7, 0), UTC)
    schedule(store, "easy", resolve(run(50, "Easy 50"), ATHLETE), MONDAY)
    store_activity(store, 1, morning, 25, sport=Sport.RUNNING, elapsed=26 * 60, avg_hr=140)
    store_activity(store, 2, morning + timedelta(minutes=25, seconds=30), 25, sport=Sport.RUNNING, avg_hr=140)
    store_activity(store, 3, morning + timedelta(minutes=26), 24, sport=Sport.RUNNING)  # the phone's copy

    [row] = store_report(store, ATHLETE, today=TODAY).sessions

    assert row.ratio == pytest.approx(1.0)  # 25 + 25 of 50 planned, not 148 % in three pieces
    assert "done in 2 pieces: also 25 min at 07:25" in row.flags
    assert "recorded twice (also running at 07:26, 24 min): counted once" in row.flags


def _ewma_ratio(daily: list[float]) -> float:
    """The last day's EWMA 7/28 ratio, seeded with the first day's load (docs/compliance.md)."""
    acute = chronic = daily[0]
    for load in daily[1:]:
        acute, chronic = acute + (load - acute) / 4, chronic + 2 * (load - chronic) / 29
    return acute / chronic


def test_a_days_acwr_and_its_short_history_mark_are_the_same_in_every_view(store: Store) -> None:
    # probe coach14: `report --week` seeded the ratio with 0 on the first Monday of its own few weeks
    # (1.05 "short history" where the season said 1.01), and the season seeded it with 0 on a rest Monday
    from watchsync.report import render_terminal

    first = MONDAY + timedelta(days=2)  # the athlete's first activity: a Wednesday
    daily = {first + timedelta(days=i): float(40 + 13 * (i % 5)) for i in range(0, 55) if i % 7 not in (2, 5)}
    for number, (day, trimp) in enumerate(sorted(daily.items()), 1):
        store_activity(store, number, datetime.combine(day, time(7, 0), UTC), trimp, sport=Sport.RUNNING,
                       trimp=trimp)
    today = first + timedelta(days=54)
    for week in range(8):
        schedule(store, f"easy-{week}", EASY, MONDAY + timedelta(weeks=week, days=3))

    whole = store_report(store, ATHLETE, today=today)
    for week_start in (MONDAY + timedelta(weeks=n) for n in (1, 6)):
        alone = store_report(store, ATHLETE, today=today, week=week_start)
        sunday = week_start + timedelta(days=6)
        [shown] = [w.acwr for w in whole.summary.weeks if w.week_start == week_start]
        expected = _ewma_ratio([daily.get(first + timedelta(days=i), 0.0) for i in range((sunday - first).days + 1)])
        assert shown == pytest.approx(expected)
        assert alone.summary.weeks[0].acwr == pytest.approx(expected)
        assert [d.acwr for d in alone.days] == [d.acwr for d in whole.days if 0 <= (d.day - week_start).days < 7]
        short = week_start < MONDAY + timedelta(weeks=4)
        for report in (whole, alone):
            line = next(line for line in render_terminal(report, color=False).splitlines()
                        if line.strip().startswith("load") and f"ACWR {expected:.2f}" in line)
            assert ("(short history)" in line) is short, line


def test_a_long_run_spike_is_the_same_in_the_weeks_view_and_the_whole_report(store: Store) -> None:
    # probe review19: `report --week` read 28 days before its Monday, the spike rule looks back 30: a 40-min long run
    # 29 days before a 70-min one was out of the week's view, which then called the 70-min run no spike
    week = MONDAY + timedelta(weeks=6)
    store_activity(store, 1, datetime.combine(week - timedelta(days=29), time(7, 0), UTC), 40, sport=Sport.RUNNING)
    for number, days in enumerate((20, 12, 5), 2):  # shorter runs in between
        store_activity(store, number, datetime.combine(week - timedelta(days=days), time(7, 0), UTC), 30,
                       sport=Sport.RUNNING)
    store_activity(store, 9, datetime.combine(week, time(7, 0), UTC), 70, sport=Sport.RUNNING)
    today = week + timedelta(days=3)

    def spikes(report: Any) -> list[str]:
        return [flag for w in report.summary.weeks if w.week_start == week for flag in w.flags
                if flag.startswith("long-run spike")]

    whole, alone = store_report(store, ATHLETE, today=today), store_report(store, ATHLETE, today=today, week=week)
    assert spikes(whole) and spikes(alone) == spikes(whole)
