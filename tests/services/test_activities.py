"""Fetching activities into the store, against the local Garmin server over HTTP."""

from __future__ import annotations

import os
import types
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from watchsync.garmin.client import GarminClient
from watchsync.garmin.errors import AuthRequired, Transient
from watchsync.model.athlete import Athlete
from watchsync.model.workout import RpeTarget, Sport, Step, TimeDuration, Workout
from watchsync.resolve import resolve
from watchsync.services.activities import (
    CURSOR_KEY,
    DEEP_OVERLAP_DAYS,
    OVERLAP_DAYS,
    FetchResult,
    analyse,
    sync_activities,
    write_atomically,
)
from watchsync.services.report import session_key
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import Fault, LocalGarminServer
from watchsync.testing.garmin.wire import Drop, Request, Response, error_response
from watchsync.testing.simulate import Behaviour, simulate_activity

TODAY = date(2025, 6, 30)
FIXTURES = Path(os.environ.get("WATCHSYNC_FIXTURES") or Path(__file__).resolve().parents[3] / "shared" / "fixtures"
                / "fit")
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
LIST_ROUTE = ("GET", "/activitylist-service/activities/search/activities")
DOWNLOAD_ROUTE = ("GET", "/download-service/files/activity/{id}")


def easy_run(minutes: int, name: str = "Easy") -> Workout:
    """A resolved one-step easy run."""
    step = Step(duration=TimeDuration(seconds=minutes * 60), target=RpeTarget(low=3, high=4))
    return resolve(Workout(name=name, sport=Sport.RUNNING, steps=[step]), ATHLETE)


def morning(day: date, tz: timezone = UTC) -> datetime:
    return datetime.combine(day, time(7, 0), tz)


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


@pytest.fixture
def client(server: LocalGarminServer, tmp_path: Path) -> GarminClient:
    return GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url, sleep=lambda _s: None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state.sqlite3") as opened:
        yield opened


def upload(server: LocalGarminServer, workout: Workout, start: datetime, *, behaviour: Behaviour = "follows",
           seed: int = 0, associated_workout_id: int | None = None,
           direct_workout_rpe: int | None = None) -> tuple[int, bytes]:
    """Simulate the workout and hand the activity to the server; returns (id, FIT bytes)."""
    simulated = simulate_activity(workout, ATHLETE, start=start, behaviour=behaviour, seed=seed,
                                  completed_share=0.4)
    activity_id = server.add_activity(simulated.fit, start_time=start, duration_s=simulated.summary["duration_s"],
                                      distance_m=simulated.summary["distance_m"],
                                      associated_workout_id=associated_workout_id,
                                      direct_workout_rpe=direct_workout_rpe)
    return activity_id, simulated.fit


def plan(store: Store, key: str, workout: Workout, day: date, remote_id: int | None = None) -> None:
    store.upsert_workout(ATHLETE.name, key, content_hash=key, payload=workout.model_dump(mode="json"))
    if remote_id is not None:
        store.set_remote_id(ATHLETE.name, key, remote_id)
    store.add_schedule(ATHLETE.name, key, day)


def sync(store: Store, client: GarminClient, tmp_path: Path, since: date | None = None) -> FetchResult:
    return sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=since, today=TODAY)


def test_pages_through_every_activity_and_stores_each_fit(server: LocalGarminServer, client: GarminClient,
                                                          store: Store, tmp_path: Path) -> None:
    workout = easy_run(3)
    uploaded = dict(upload(server, workout, morning(TODAY - timedelta(days=i)), seed=i) for i in range(25))

    result = sync(store, client, tmp_path, since=TODAY - timedelta(days=30))

    assert result.listed == 25 and len(result.fetched) == 25 and not result.errors
    assert server.stats.count(*LIST_ROUTE) == 3  # 20 + 5, then an empty page ends the listing
    stored = store.list_activities(ATHLETE.name)
    assert sorted(row.activity_id for row in stored) == sorted(uploaded)
    for row in stored:
        assert row.fit_path == str(tmp_path / "fit" / "anna" / f"{row.activity_id}.fit")
        assert Path(row.fit_path).read_bytes() == uploaded[row.activity_id]
        assert row.analysed_at is not None
        assert row.summary["summary"]["sport"] == "running"
        assert row.summary["load"]["trimp"] > 0


def test_second_sync_adds_nothing_and_downloads_nothing(server: LocalGarminServer, client: GarminClient,
                                                        store: Store, tmp_path: Path) -> None:
    for i in range(3):
        upload(server, easy_run(3), morning(TODAY - timedelta(days=i)), seed=i)
    first = sync(store, client, tmp_path)
    downloads = server.stats.count(*DOWNLOAD_ROUTE)

    second = sync(store, client, tmp_path)

    assert len(first.fetched) == 3
    assert second.fetched == [] and second.skipped == 3
    assert server.stats.count(*DOWNLOAD_ROUTE) == downloads == 3
    assert client.calls["get_activity"] == 3
    assert len(store.list_activities(ATHLETE.name)) == 3


def test_cursor_remembers_where_it_stopped_and_relists_a_small_overlap(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    latest = TODAY - timedelta(days=3)
    upload(server, easy_run(3), morning(latest))
    first = sync(store, client, tmp_path)
    assert first.cursor == latest and store.kv_get(ATHLETE.name, CURSOR_KEY) == latest.isoformat()

    inside_overlap, _ = upload(server, easy_run(3), morning(latest - timedelta(days=OVERLAP_DAYS)), seed=1)
    before_overlap, _ = upload(server, easy_run(3), morning(latest - timedelta(days=OVERLAP_DAYS + 1)), seed=2)
    second = sync(store, client, tmp_path)

    assert second.since == latest - timedelta(days=OVERLAP_DAYS)
    assert [a.activity_id for a in second.fetched] == [inside_overlap]
    assert second.cursor == latest  # an older activity does not move the cursor back
    assert store.get_activity(before_overlap) is None

    third = sync(store, client, tmp_path, since=latest - timedelta(days=OVERLAP_DAYS + 5))
    assert [a.activity_id for a in third.fetched] == [before_overlap]


def test_the_first_sync_of_a_day_finds_an_activity_uploaded_weeks_late(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    latest = TODAY - timedelta(days=1)
    upload(server, easy_run(3), morning(latest))
    sync(store, client, tmp_path)  # today's first sync (no cursor yet): the deep look is done for today
    late, _ = upload(server, easy_run(3), morning(latest - timedelta(days=30)), seed=1)  # a watch synced late
    assert sync(store, client, tmp_path).fetched == []  # later the same day: the 10-day overlap only

    tomorrow = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", today=TODAY + timedelta(days=1))
    assert tomorrow.since == latest - timedelta(days=DEEP_OVERLAP_DAYS)
    assert [a.activity_id for a in tomorrow.fetched] == [late]
    again = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", today=TODAY + timedelta(days=1))
    assert again.since == latest - timedelta(days=OVERLAP_DAYS) and again.fetched == []


def test_first_sync_without_cursor_looks_back_six_weeks(server: LocalGarminServer, client: GarminClient,
                                                        store: Store, tmp_path: Path) -> None:
    recent, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=40)))
    upload(server, easy_run(3), morning(TODAY - timedelta(days=50)), seed=1)

    result = sync(store, client, tmp_path)

    assert result.since == TODAY - timedelta(days=42)  # as the README says (probe coach11: it was 28)
    assert [a.activity_id for a in result.fetched] == [recent]


def test_first_sync_reaches_back_to_a_plan_that_began_earlier(server: LocalGarminServer, client: GarminClient,
                                                              store: Store, tmp_path: Path) -> None:
    # a coach starts the daemon in week 7 of a plan: its first weeks' runs are done, not missed (probe coach11)
    plan(store, "easy-3", easy_run(3), TODAY - timedelta(days=49))
    early, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=49)))
    upload(server, easy_run(3), morning(TODAY - timedelta(days=60)), seed=1)  # before the plan: not listed

    result = sync(store, client, tmp_path)

    assert result.since == TODAY - timedelta(days=49)
    assert [a.activity_id for a in result.fetched] == [early] and result.fetched[0].session_id is not None


def test_a_corrupt_download_is_recorded_as_an_error_and_the_sync_goes_on(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    corrupt = server.add_activity(b"this is not a FIT file at all", start_time=morning(TODAY - timedelta(days=2)),
                                  duration_s=1800, direct_workout_rpe=50)
    good, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=1)))

    result = sync(store, client, tmp_path)

    assert [a.activity_id for a in result.errors] == [corrupt]
    assert "not a FIT file" in (result.errors[0].error or "")
    row = store.get_activity(corrupt)
    assert row is not None and "not a FIT file" in row.summary["error"]
    assert row.summary["summary"]["duration_s"] == 1800  # Connect's own summary stands in
    assert row.summary["load"]["srpe"] == pytest.approx(5 * 30)
    good_row = store.get_activity(good)
    assert good_row is not None and good_row.summary["error"] is None
    assert store.kv_get(ATHLETE.name, CURSOR_KEY) == (TODAY - timedelta(days=1)).isoformat()
    assert sync(store, client, tmp_path).fetched == []  # recorded: not downloaded again


def missing_on_garmin(server: LocalGarminServer, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Garmin answers 404 to GET ``path`` (an activity whose details or file went missing)."""
    real = server.dispatch

    def dispatch(request: Request) -> Response | Drop:
        return error_response(404, "not found") if request.path == path else real(request)

    monkeypatch.setattr(server, "dispatch", dispatch)


def test_an_activity_without_a_file_on_garmin_is_recorded_and_the_next_ones_synced(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    bad, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=3)))
    good, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=1)), seed=1)
    missing_on_garmin(server, monkeypatch, f"/download-service/files/activity/{bad}")  # details there: manual

    result = sync(store, client, tmp_path)

    assert [a.activity_id for a in result.fetched] == [bad, good]
    assert [a.activity_id for a in result.errors] == [bad]
    assert f"activity {bad}: " in (result.errors[0].error or "") and "not found" in (result.errors[0].error or "")
    bad_row, good_row = store.get_activity(bad), store.get_activity(good)
    assert bad_row is not None and "not found" in bad_row.summary["error"]
    assert good_row is not None and good_row.summary["error"] is None and good_row.summary["decoder"]
    assert sync(store, client, tmp_path).fetched == []  # recorded: the next poll does not fail on it again


def test_an_activity_deleted_at_garmin_is_forgotten_and_one_gone_before_its_fetch_never_stored(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """probe server11: a duplicate deleted at Garmin kept counting (run 27 km for 18, its load, a session
    green on it); one deleted between the list and the fetch (its details 404) was stored from its list
    item, doubling a 9-km run."""
    watch, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=3)))
    phone, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=3)), seed=1)
    assert [a.activity_id for a in sync(store, client, tmp_path).fetched] == [watch, phone]
    fit = tmp_path / "fit" / ATHLETE.name / f"{phone}.fit"
    assert fit.is_file()
    server.delete_activity(phone)  # garminconnect's delete_activity, as the athlete does in Connect
    result = sync(store, client, tmp_path)
    assert result.removed == [phone] and store.get_activity(phone) is None and store.get_activity(watch)
    assert not fit.exists()
    ghost, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=1)), seed=2)
    missing_on_garmin(server, monkeypatch, f"/activity-service/activity/{ghost}")  # listed, then deleted
    result = sync(store, client, tmp_path)
    assert result.fetched == [] and result.removed == [ghost] and store.get_activity(ghost) is None


@pytest.mark.parametrize(("fault", "path", "said"), [
    (Fault.TRUNCATE, "/download-service/", "answer broke off"),  # a download cut by the network
    (Fault.NOT_JSON, "/activity-service/", "not JSON"),  # GarminDB #245: a maintenance page with a 200
])
def test_a_broken_answer_stops_the_sync_and_the_activity_is_fetched_whole_next_time(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path, fault: Fault, path: str,
        said: str) -> None:
    """probe server11: both were recorded as the activity's own failure (no FIT, load 0) and never fetched
    again; the network's or Garmin's fault is tried again later."""
    activity, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=2)))
    server.inject(fault, count=50, path=path)  # broken on every try: the sync stops, nothing is recorded
    with pytest.raises(Transient, match=said):
        sync(store, client, tmp_path, since=TODAY - timedelta(days=5))
    assert store.get_activity(activity) is None
    server.clear_faults()
    server.inject(fault, count=1, path=path)  # broken once: the client's retry fetches it whole
    [fetched] = sync(store, client, tmp_path).fetched
    row = store.get_activity(activity)
    assert fetched.error is None and row is not None and row.summary["decoder"] and row.summary["load"]["trimp"]


def test_an_activity_missing_from_a_short_list_but_still_at_garmin_is_kept(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """probe review13: the list alone was trusted: an activity deleted while the sync paged through the list
    shifted the pages and an untouched one was forgotten (its FIT file too); an empty page forgot them all."""
    first, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=3)))
    second, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=2)), seed=1)
    sync(store, client, tmp_path)
    real = server.dispatch

    def short_list(request: Request) -> Response | Drop:  # the list answers without them; their details stay
        return Response(200, b"[]") if request.path.startswith("/activitylist-service/") else real(request)

    monkeypatch.setattr(server, "dispatch", short_list)
    assert sync(store, client, tmp_path).removed == []
    assert store.get_activity(first) and store.get_activity(second)
    assert (tmp_path / "fit" / ATHLETE.name / f"{first}.fit").is_file()


def test_a_run_whose_type_the_athlete_corrected_to_walking_in_connect_is_no_run(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    """probe server11: a walk recorded on the run profile and corrected to "walking" in Connect (Garmin keeps
    the FIT as it was) completed the planned easy run and added its km to running."""
    simulated = simulate_activity(easy_run(3), ATHLETE, start=morning(TODAY - timedelta(days=1)))
    walk = server.add_activity(simulated.fit, start_time=morning(TODAY - timedelta(days=1)), activity_type="walking",
                               duration_s=simulated.summary["duration_s"], distance_m=simulated.summary["distance_m"])
    run = server.add_activity(simulated.fit, start_time=morning(TODAY - timedelta(days=2)),
                              activity_type="trail_running")  # a Connect type of the same family: the FIT's stays
    fetched = {a.activity_id: a.sport for a in sync(store, client, tmp_path).fetched}
    assert fetched == {walk: "other", run: "running"}


def test_an_activity_that_cannot_be_scored_is_recorded_with_its_analysis(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    day = TODAY - timedelta(days=20)
    store.upsert_workout(ATHLETE.name, "old", content_hash="old", payload={"name": "Old", "sport": "jogging"})
    store.add_schedule(ATHLETE.name, "old", day)  # stored by an older watchsync: no longer a workout
    unscorable, _ = upload(server, easy_run(3), morning(day))
    later, _ = upload(server, easy_run(3), morning(TODAY - timedelta(days=1)), seed=1)  # far from that session

    result = sync(store, client, tmp_path)

    assert [a.activity_id for a in result.fetched] == [unscorable, later]
    assert [a.activity_id for a in result.errors] == [unscorable]
    assert "not scored" in (result.errors[0].error or "") and "stored workout is not a workout" in (
        result.errors[0].error or "")
    row = store.get_activity(unscorable)
    assert row is not None and row.summary["decoder"] and row.summary["load"]["trimp"] > 0
    assert "not scored" in row.summary["error"] and store.list_compliance(ATHLETE.name) == []
    assert store.get_activity(later) is not None


def test_a_truncated_fit_is_salvaged_and_recorded_with_a_warning(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    simulated = simulate_activity(easy_run(5), ATHLETE, start=morning(TODAY - timedelta(days=1)))
    activity_id = server.add_activity(simulated.fit[: len(simulated.fit) * 2 // 3],
                                      start_time=morning(TODAY - timedelta(days=1)))

    result = sync(store, client, tmp_path)

    assert not result.errors and result.fetched[0].warnings
    row = store.get_activity(activity_id)
    assert row is not None and row.summary["salvaged"] is True and row.summary["decoder"] == "fitdecode"
    assert row.summary["warnings"]


def test_a_fit_without_session_takes_connects_summary(server: LocalGarminServer, client: GarminClient,
                                                       store: Store, tmp_path: Path) -> None:
    sessionless = FIXTURES / "nick.fit"
    if not sessionless.is_file():
        pytest.skip(f"fixture {sessionless} not found")
    activity_id = server.add_activity(sessionless.read_bytes(), start_time=morning(TODAY - timedelta(days=1)),
                                      activity_type="cycling", duration_s=16_700, distance_m=80_000)

    result = sync(store, client, tmp_path)

    assert not result.errors
    row = store.get_activity(activity_id)
    assert row is not None and row.summary["salvaged"] is True
    summary = row.summary["summary"]
    assert (summary["sport"], summary["duration_s"], summary["distance_m"]) == ("cycling", 16_700, 80_000)
    assert row.summary["load"]["trimp"] > 0  # the records still carry heart rate


def test_garmins_workout_link_wins_over_the_nearer_session(server: LocalGarminServer, client: GarminClient,
                                                           store: Store, tmp_path: Path) -> None:
    done_on = TODAY - timedelta(days=2)
    linked, nearer = easy_run(5, "Linked"), easy_run(5, "Nearer")
    plan(store, "linked", linked, done_on - timedelta(days=2), remote_id=501)
    plan(store, "nearer", nearer, done_on, remote_id=502)
    activity_id, _ = upload(server, linked, morning(done_on), associated_workout_id=501)

    result = sync(store, client, tmp_path)

    assert result.fetched[0].session_id == session_key("linked", done_on - timedelta(days=2))
    rows = {row.session_key: row for row in store.list_compliance(ATHLETE.name)}
    assert list(rows) == [session_key("linked", done_on - timedelta(days=2))]
    assert rows[session_key("linked", done_on - timedelta(days=2))].activity_id == activity_id


def test_compliance_is_scored_against_the_matched_session(server: LocalGarminServer, client: GarminClient,
                                                          store: Store, tmp_path: Path) -> None:
    followed_day, cut_day = TODAY - timedelta(days=4), TODAY - timedelta(days=2)
    workout = easy_run(20)
    plan(store, "easy", workout, followed_day)
    plan(store, "easy", workout, cut_day)
    upload(server, workout, morning(followed_day))
    upload(server, workout, morning(cut_day), behaviour="cut_short")  # 40 % of the plan

    sync(store, client, tmp_path)

    rows = {row.date: row for row in store.list_compliance(ATHLETE.name)}
    assert rows[followed_day].status == "green"
    assert rows[cut_day].status == "orange"  # below 50 % of the planned time
    intensity = rows[followed_day].scores["intensity"]
    assert intensity["alignment"] == "laps" and intensity["inside"] > 0.8


def test_connect_local_start_and_reported_rpe_are_preferred(server: LocalGarminServer, client: GarminClient,
                                                            store: Store, tmp_path: Path) -> None:
    east = timezone(timedelta(hours=3))
    local_start = datetime.combine(TODAY - timedelta(days=1), time(1, 30), east)  # the day before in UTC
    activity_id, _ = upload(server, easy_run(5), local_start, direct_workout_rpe=70)

    sync(store, client, tmp_path)

    row = store.get_activity(activity_id)
    assert row is not None
    summary = row.summary["summary"]
    assert summary["start"] == local_start.replace(tzinfo=None).isoformat()
    assert summary["workout_rpe"] == 7.0
    assert row.start_time == local_start.astimezone(UTC)


def test_revoked_tokens_stop_the_sync_and_record_nothing(server: LocalGarminServer, client: GarminClient,
                                                         store: Store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import garminconnect.api.base

    monkeypatch.setattr(garminconnect.api.base, "time", types.SimpleNamespace(sleep=lambda _s: None))
    upload(server, easy_run(3), morning(TODAY - timedelta(days=1)))
    server.revoke_tokens()

    with pytest.raises(AuthRequired):
        sync(store, client, tmp_path)

    assert store.list_activities() == [] and store.kv_get(ATHLETE.name, CURSOR_KEY) is None


def test_analyse_without_connect_uses_the_fit_session(tmp_path: Path) -> None:
    start = morning(TODAY)
    simulated = simulate_activity(easy_run(10), ATHLETE, start=start, seed=3)

    analysis = analyse("a1", simulated.fit, ATHLETE)

    assert analysis.summary.start == start
    assert analysis.summary.duration_s == pytest.approx(simulated.summary["duration_s"])
    assert analysis.summary.workout_rpe == simulated.summary["workout_rpe"]
    assert analysis.load.trimp is not None and analysis.load.trimp > 0


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "a.fit"
    write_atomically(target, b"one")
    write_atomically(target, b"two")

    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["a.fit"]
    assert target.stat().st_mode & 0o777 == 0o644
    write_atomically(target, b"three", mode=0o600)
    assert (target.read_bytes(), target.stat().st_mode & 0o777) == (b"three", 0o600)


def test_activity_fit_files_are_owner_only(server: LocalGarminServer, client: GarminClient, store: Store,
                                           tmp_path: Path) -> None:
    old_dir = tmp_path / "fit" / "anna"
    old_dir.mkdir(parents=True, mode=0o755)  # made world-readable by an older watchsync
    os.chmod(old_dir, 0o755)
    upload(server, easy_run(3), morning(TODAY - timedelta(days=1)))

    [fetched] = sync(store, client, tmp_path).fetched

    assert fetched.fit_path is not None and fetched.fit_path.parent == old_dir
    assert (fetched.fit_path.stat().st_mode & 0o777, old_dir.stat().st_mode & 0o777) == (0o600, 0o700)


def test_a_list_item_with_a_null_link_is_completed_from_the_details(server: LocalGarminServer,
                                                                    client: GarminClient) -> None:
    from watchsync.compliance.activities import summary_from_connect
    from watchsync.services.activities import _with_details

    activity_id, _ = upload(server, easy_run(3), morning(TODAY), associated_workout_id=777, direct_workout_rpe=40)
    item = {**client.list_activities(TODAY, TODAY)[0], "associatedWorkoutId": None, "directWorkoutRpe": None}
    summary = summary_from_connect(_with_details(client, item))
    assert (summary.id, summary.associated_workout_id, summary.workout_rpe) == (str(activity_id), 777, 4.0)


def test_a_watch_whose_clock_is_years_off_still_counts_in_its_week(server: LocalGarminServer, client: GarminClient,
                                                                   store: Store, tmp_path: Path) -> None:
    """library3 #3: the row was kept by the file's start (2015) and the week's report, which reads rows
    from a day before the week on, left out an activity the full report matched."""
    from watchsync.services.report import store_report

    workout = easy_run(30)
    day = TODAY - timedelta(days=2)
    store.upsert_workout(ATHLETE.name, "easy", content_hash="h", payload=workout.model_dump(mode="json"))
    store.add_schedule(ATHLETE.name, "easy", day)
    fit = simulate_activity(workout, ATHLETE, start=datetime(2015, 3, 1, 7, tzinfo=UTC)).fit  # the watch's clock
    server.add_activity(fit, start_time=morning(day))  # Garmin's start: the phone's clock
    sync(store, client, tmp_path)

    week = store_report(store, ATHLETE, today=TODAY, week=day)
    assert [(row.day, row.status) for row in week.sessions] == [(day, "green")]
    assert [row.status for row in store_report(store, ATHLETE, today=TODAY).sessions] == ["green"]


def test_an_rpe_entered_in_connect_after_the_sync_is_taken_in_by_the_days_first_sync(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    # probe review16: the run was stored unrated and its RPE, given in the Connect app an hour later, was never
    # read: an sRPE athlete's load stayed 0 for good
    from watchsync.model.workout import HeartRateZoneTarget

    unrated = resolve(Workout(name="Z2", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=2400), target=HeartRateZoneTarget(zone=2))]), ATHLETE)
    activity_id, _ = upload(server, unrated, morning(TODAY))
    first = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", today=TODAY)
    assert [f.activity_id for f in first.fetched] == [activity_id] and first.rated == []
    row = store.get_activity(activity_id)
    assert row is not None and row.summary["summary"]["workout_rpe"] is None and row.summary["load"]["srpe"] is None

    server._state.activities[activity_id]["directWorkoutRpe"] = 40  # RPE 4, rated in the app afterwards
    later = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", today=TODAY)
    assert later.rated == [] and later.fetched == []  # the day's later syncs ask Garmin nothing more
    downloads = server.stats.count(*DOWNLOAD_ROUTE)
    # rated at the weekend, five days on: the day's first sync asks for the week's unrated runs (coach13)
    next_day = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", today=TODAY + timedelta(days=5))
    assert next_day.rated == [activity_id] and next_day.fetched == []
    assert server.stats.count(*DOWNLOAD_ROUTE) == downloads  # scored again from the stored file
    row = store.get_activity(activity_id)
    assert row is not None
    minutes = row.summary["summary"]["duration_s"] / 60
    assert row.summary["summary"]["workout_rpe"] == 4.0
    assert row.summary["load"]["srpe"] == pytest.approx(4.0 * minutes)
    assert len(store.list_activities(ATHLETE.name)) == 1
    again = sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", today=TODAY + timedelta(days=6))
    assert again.rated == []  # rated once: not scored again


def test_a_late_rpe_from_a_list_item_keeps_the_stored_workout_link(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    # a list item that carries the RPE but not associatedWorkoutId re-scored the run without its link (review18)
    from watchsync.model.workout import HeartRateZoneTarget
    from watchsync.services.activities import _rated_since_stored

    unrated = resolve(Workout(name="Z2", sport=Sport.RUNNING, steps=[
        Step(duration=TimeDuration(seconds=2400), target=HeartRateZoneTarget(zone=2))]), ATHLETE)
    activity_id, _ = upload(server, unrated, morning(TODAY), associated_workout_id=555)
    sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", today=TODAY)
    item = {"activityId": activity_id, "startTimeLocal": f"{TODAY} 07:00:00", "directWorkoutRpe": 40}
    [(connect, row)] = _rated_since_stored(store, client, [item], set(), None)
    assert connect["associatedWorkoutId"] == 555 and row.activity_id == activity_id


def test_a_run_recorded_by_a_watch_and_a_phone_is_scored_once_not_as_the_next_days_run(
        server: LocalGarminServer, client: GarminClient, store: Store, tmp_path: Path) -> None:
    # probe fit13: the second copy of Monday's ride was scored as Tuesday's session ("green", a day early)
    monday = TODAY - timedelta(days=7)
    workout = easy_run(40)
    plan(store, "easy-mon", workout, monday)
    plan(store, "easy-tue", workout, monday + timedelta(days=1))
    upload(server, workout, morning(monday), seed=1)
    upload(server, workout, morning(monday) + timedelta(seconds=30), seed=2)

    result = sync(store, client, tmp_path, since=monday - timedelta(days=1))

    assert sorted(str(a.session_id) for a in result.fetched) == sorted([session_key("easy-mon", monday), "None"])
    assert [row.session_key for row in store.list_compliance(ATHLETE.name)] == [session_key("easy-mon", monday)]
