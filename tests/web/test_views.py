"""The dashboard's page data (views) from a store filled as the daemon fills it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.test_report import ATHLETE, EASY, MONDAY, fetch_activities, schedule
from watchsync.describe import readable_time
from watchsync.store import Store
from watchsync.web import views
from watchsync.web.views import PAUSE_SHOWN_SECONDS


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state.sqlite3") as opened:
        yield opened


def _with_pause(summary: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The stored summary with ``seconds`` of pauses added to its elapsed time."""
    activity = summary["summary"]
    return {**summary, "summary": {**activity, "elapsed_s": activity["duration_s"] + seconds}}


def test_a_planned_run_shows_its_band_and_its_pauses_when_they_count(store: Store, tmp_path: Path) -> None:
    schedule(store, "easy", EASY, MONDAY)
    [planned_id, unplanned_id] = fetch_activities(store, tmp_path, [  # the second one has no session: unplanned
        (EASY, MONDAY, "follows"), (EASY, MONDAY + timedelta(days=1), "follows")])

    planned = views.activity(store, ATHLETE, str(planned_id))
    assert planned.session is not None and planned.banded and planned.elapsed_s is None
    assert planned.row.activity_title == "Running"  # Garmin's name of the run that did the session
    unplanned = views.activity(store, ATHLETE, str(unplanned_id))
    assert unplanned.session is None and not unplanned.banded  # no step, no band: the caption says so

    for pause, shown in ((PAUSE_SHOWN_SECONDS - 1, False), (1800.0, True)):
        row = store.get_activity(planned_id)
        assert row is not None
        store.upsert_activity(ATHLETE.name, planned_id, row.start_time, summary=_with_pause(row.summary, pause))
        view = views.activity(store, ATHLETE, str(planned_id))
        assert (view.elapsed_s is not None) == shown, view.elapsed_s
    assert view.elapsed_s == pytest.approx(row.summary["summary"]["duration_s"] + 1800.0)


def test_status_times_read_as_on_the_overview() -> None:
    assert readable_time("2026-12-04T09:54:41+00:00") == "2026-12-04 09:54 UTC"
    assert readable_time("2026-12-04T10:54:41+01:00 Garmin unreachable: refused") == \
        "2026-12-04 09:54 UTC Garmin unreachable: refused"
    assert readable_time("2026 plans: not a time") == "2026 plans: not a time"
    assert readable_time(None) is None


def test_the_activity_page_numbers_steps_as_show_does(store: Store, tmp_path: Path) -> None:
    from watchsync.formats.text import parse_text
    from watchsync.resolve import resolve

    surges = resolve(parse_text("name: Surges\nsport: running\n\nWarmup\n- 5m Z2 HR\n\n3x\n- 1m Z4 HR\n- 1m Z1 HR\n"
                                "\nCooldown\n- 5m Z1 HR\n"), ATHLETE)
    schedule(store, "surges", surges, MONDAY)
    [activity_id] = fetch_activities(store, tmp_path, [(surges, MONDAY, "follows")])

    view = views.activity(store, ATHLETE, str(activity_id))

    assert [step.number for step in view.steps] == ["1", "2.1", "2.2", "3"]
    assert [step.index for step in view.steps] == [0, 1, 2, 4]  # the FIT numbers link rows to chart bands


def test_an_imperial_athletes_week_page_gives_miles(store: Store, tmp_path: Path) -> None:
    import re

    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.model.units import Units
    from watchsync.web.app import create_app

    schedule(store, "easy", EASY, MONDAY)
    fetch_activities(store, tmp_path, [(EASY, MONDAY, "follows")])
    config = default_config(state_dir=tmp_path)
    for units, shown in ((Units.METRIC, {"km"}), (Units.IMPERIAL, {"mi"})):
        athlete = ATHLETE.model_copy(update={"units": units, "timezone": "UTC"})
        app = create_app(config.model_copy(update={"athletes": {athlete.name: athlete}}), store,
                         lambda: {"alive": False, "athletes": []})
        page = TestClient(app).get(f"/athletes/{athlete.name}/week/{MONDAY.isoformat()}")
        assert page.status_code == 200
        assert set(re.findall(r"\d (km|mi)\b", page.text)) == shown, units


def test_the_status_page_lists_files_taken_in_with_warnings(tmp_path: Path) -> None:
    import functools

    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.daemon.rejected import dashboard_status
    from watchsync.daemon.status import record_intake_warnings
    from watchsync.web.app import create_app

    config = default_config(state_dir=tmp_path)
    with Store.open(config.store_path) as opened:
        record_intake_warnings(opened, "anna", "intervals.txt",
                               ["intervals.txt:4:3: warning: '400m' is 6h40m ('m' means minutes)"])
        app = create_app(config, opened, functools.partial(dashboard_status, config))
        page = TestClient(app).get("/status").text
    assert "Taken in with warnings (1)" in page and "intervals.txt" in page and "6h40m" in page


def test_the_status_page_shows_an_error_a_later_call_got_past_as_cleared(tmp_path: Path) -> None:
    """journey11 #6: "Last error: re-authentication needed" stood next to "Auth ok" after the login was fixed."""
    import functools
    from datetime import UTC, datetime, timedelta

    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.daemon.rejected import dashboard_status
    from watchsync.daemon.status import calls_work, record_error
    from watchsync.garmin.tokens import TOKEN_FILE
    from watchsync.web.app import create_app

    config = default_config(state_dir=tmp_path)
    config.token_dir("anna").mkdir(parents=True)
    (config.token_dir("anna") / TOKEN_FILE).write_text("{}")  # logged in: auth ok
    with Store.open(config.store_path) as opened:
        record_error(opened, "anna", "re-authentication needed: run `watchsync login --athlete anna`")
        app = create_app(config, opened, functools.partial(dashboard_status, config))
        before = TestClient(app).get("/status").text
        later = (datetime.now(UTC) + timedelta(minutes=2)).replace(second=0, microsecond=0)
        calls_work(opened, "anna", later)  # the login from the new tokens worked
        after = TestClient(app).get("/status").text
    assert "re-authentication needed" in before and "cleared" not in before
    assert f"(cleared: calls to Garmin worked since, the last {later:%Y-%m-%d %H:%M} UTC)" in after


def test_a_ride_for_a_planned_run_shows_its_own_sport_and_no_run_steps(store: Store, tmp_path: Path) -> None:
    """probe coach10: a hike done for a planned trail run read "trail_running", and its page scored it
    against the run's HR band, though the report (and compliance.md) never score a substitute."""
    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.web.app import create_app

    schedule(store, "easy", EASY, MONDAY)
    [ride_id] = fetch_activities(store, tmp_path, [(EASY, MONDAY, "swapped_bike")])
    view = views.activity(store, ATHLETE, str(ride_id))
    assert view.row.substitute and view.intensity is None and view.steps == []
    assert (view.done_sport, view.row.sport) == ("cycling", EASY.sport.value)
    config = default_config(state_dir=tmp_path)
    app = create_app(config.model_copy(update={"athletes": {ATHLETE.name: ATHLETE}}), store,
                     lambda: {"alive": False, "athletes": []})
    page = TestClient(app).get(f"/athletes/{ATHLETE.name}/activities/{ride_id}").text
    assert f"cycling (planned {EASY.sport.value})" in page
    assert view.start_clock == "18:00" and f"{MONDAY:%m-%d} 18:00" in page  # probe coach10: no time of day
    assert "Cross-training done instead of the planned run: not scored against its steps." in page


def test_a_strength_activity_shows_the_reps_counted_of_those_planned(store: Store, tmp_path: Path) -> None:
    # probe coach10: the watch's reps (10, 8, 12) were read but no column showed them
    from watchsync.formats.load import load_workout
    from watchsync.resolve import resolve

    root = Path(__file__).resolve().parents[2]
    strength = resolve(load_workout(root / "workouts" / "strength" / "strength-5min.txt"), ATHLETE)
    schedule(store, "strength", strength, MONDAY)
    [activity_id] = fetch_activities(store, tmp_path, [(strength, MONDAY, "follows")])
    view = views.activity(store, ATHLETE, str(activity_id))
    reps = [step.reps for step in view.steps if step.reps]
    assert reps and all(done == planned for done, planned in (r.split("/") for r in reps))


def test_the_overview_says_when_an_athlete_has_no_plan_yet(store: Store, tmp_path: Path) -> None:
    # probe coach10: an athlete with no plan and no activity showed empty tiles and nothing else
    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.web.app import create_app

    config = default_config(state_dir=tmp_path)
    app = create_app(config.model_copy(update={"athletes": {ATHLETE.name: ATHLETE}}), store,
                     lambda: {"alive": False, "athletes": []})
    assert "No plan yet" in TestClient(app).get("/").text
    schedule(store, "easy", EASY, MONDAY)
    assert "No plan yet" not in TestClient(app).get("/").text


def test_the_week_page_gives_the_metres_climbed_each_activity_once() -> None:
    # probe coach10: a trail runner and a ski tourer plan by vertical, and no page added it up
    from types import SimpleNamespace
    from typing import cast

    from watchsync.report import values
    from watchsync.report.model import ComplianceReport

    def row(activity: str | None, done: int | None, ascent: float | None) -> SimpleNamespace:
        return SimpleNamespace(activity_id=activity, done_on=MONDAY + timedelta(days=done) if done is not None
                               else None, ascent_m=ascent)

    report = cast(ComplianceReport, SimpleNamespace(sessions=[
        row("1", 0, 960.0), row("1", 0, 960.0),  # one activity that did two sessions: counted once
        row("2", 3, 1311.0), row("3", 8, 500.0), row(None, None, None), row("4", 2, None)]))
    assert values.week_ascent(report, MONDAY) == 2271.0


def test_an_imperial_athletes_activity_page_gives_step_paces_per_mile(store: Store, tmp_path: Path) -> None:
    # the steps' pace bands read per km on the page while the command line said per mile (probe coach11)
    import re

    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.formats.text import parse_text
    from watchsync.model.units import Units
    from watchsync.resolve import resolve
    from watchsync.web.app import create_app

    paced = resolve(parse_text("name: Paced\nsport: running\n\n- 20m 5:40-6:10/km Pace\n"), ATHLETE)
    schedule(store, "paced", paced, MONDAY)
    [activity_id] = fetch_activities(store, tmp_path, [(paced, MONDAY, "follows")])
    config = default_config(state_dir=tmp_path)
    for units, unit in ((Units.METRIC, "km"), (Units.IMPERIAL, "mi")):
        athlete = ATHLETE.model_copy(update={"units": units, "timezone": "UTC"})
        app = create_app(config.model_copy(update={"athletes": {athlete.name: athlete}}), store,
                         lambda: {"alive": False, "athletes": []})
        page = TestClient(app).get(f"/athletes/{athlete.name}/activities/{activity_id}").text
        assert set(re.findall(r"\d:\d\d/(km|mi)\b", page)) == {unit}, units


def test_an_activity_without_heart_rate_says_so_not_what_its_line_shows(store: Store, tmp_path: Path) -> None:
    # a runner without a strap: the caption told of a heart-rate line that was not there (probe coach11)
    import sys
    from datetime import UTC, datetime, time

    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.web.app import create_app

    sys.path.insert(0, str(Path(__file__).parents[1] / "activity"))
    from fitbuild import ActivitySpec, FitSport, Sample, SessionSpec, build

    schedule(store, "easy", EASY, MONDAY)
    [activity_id] = fetch_activities(store, tmp_path, [(EASY, MONDAY, "follows")])
    row = store.get_activity(activity_id)
    assert row is not None and row.fit_path is not None
    start = datetime.combine(MONDAY, time(18, 0), UTC).timestamp()
    Path(row.fit_path).write_bytes(build(ActivitySpec(  # the same run, recorded without a strap
        sessions=[SessionSpec(FitSport.RUNNING, start, 1800.0, 1800.0, distance=5000.0)],
        samples=[Sample(start + t, distance=t * 2.8) for t in range(1800)], end=start + 1800)))
    athlete = ATHLETE.model_copy(update={"timezone": "UTC"})
    config = default_config(state_dir=tmp_path)
    app = create_app(config.model_copy(update={"athletes": {athlete.name: athlete}}), store,
                     lambda: {"alive": False, "athletes": []})
    page = TestClient(app).get(f"/athletes/{athlete.name}/activities/{activity_id}").text
    assert "The file holds no heart rate" in page and "Line: heart rate" not in page


def test_a_gym_hour_entered_by_hand_does_the_core_routine_and_says_it_has_no_file(
        store: Store, tmp_path: Path) -> None:
    # probe coach12: "orange, volume 675 % of plan" every week and "no heart rate or laps", as if a sensor failed
    from datetime import UTC, datetime, time

    from starlette.testclient import TestClient

    from services.test_report import TODAY
    from watchsync.config import default_config
    from watchsync.formats.load import load_workout
    from watchsync.garmin.client import GarminClient
    from watchsync.resolve import resolve
    from watchsync.services.activities import sync_activities
    from watchsync.testing.garmin.helpers import fake_token_dir, running_server
    from watchsync.web.app import create_app

    root = Path(__file__).resolve().parents[2]
    strength = resolve(load_workout(root / "workouts" / "strength" / "strength-5min.txt"), ATHLETE)
    schedule(store, "strength", strength, MONDAY)
    schedule(store, "easy", EASY, MONDAY + timedelta(days=1))
    with running_server() as server:
        gym = server.add_activity(b"", start_time=datetime.combine(MONDAY, time(19, 0), UTC), manual=True,
                                  activity_type="strength_training", duration_s=2700, name="Gym")
        run = server.add_activity(b"", start_time=datetime.combine(MONDAY + timedelta(days=1), time(7, 0), UTC),
                                  manual=True, activity_type="running", duration_s=EASY.estimated_seconds() * 7)
        client = GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url)
        sync_activities(store, client, ATHLETE, fit_dir=tmp_path / "fit", since=MONDAY, today=TODAY)
    view = views.activity(store, ATHLETE, str(gym))
    assert view.manual and view.row.ratio is not None and view.row.ratio > 5
    assert (view.row.status, view.row.flags) == ("green", [])
    assert views.activity(store, ATHLETE, str(run)).row.status == "orange"  # a run done 7 times too long is not
    config = default_config(state_dir=tmp_path)
    app = create_app(config.model_copy(update={"athletes": {ATHLETE.name: ATHLETE}}), store,
                     lambda: {"alive": False, "athletes": []})
    page = TestClient(app).get(f"/athletes/{ATHLETE.name}/activities/{gym}").text
    assert "Entered by hand in Garmin Connect" in page and "no heart rate or laps" not in page


def test_the_week_page_gives_a_weeks_acwr_as_the_season_page_does(store: Store, tmp_path: Path) -> None:
    # probe coach14: the week page said "ACWR 1.05" (its own history began 28 days before the week) where
    # the season said 1.01, and "(short history)" for an athlete with 40 days of data
    import re
    from datetime import UTC, datetime, time

    from starlette.testclient import TestClient

    from services.test_report import store_activity
    from watchsync.config import default_config
    from watchsync.model.workout import Sport
    from watchsync.web.app import create_app

    first = MONDAY + timedelta(days=1)
    for number in range(60):
        day = first + timedelta(days=number)
        if number % 7 != 4:
            store_activity(store, number + 1, datetime.combine(day, time(7), UTC), 45, sport=Sport.RUNNING,
                           trimp=50.0 + 20 * (number % 3))
    for week in range(9):
        schedule(store, f"easy-{week}", EASY, MONDAY + timedelta(weeks=week, days=2))
    athlete = ATHLETE.model_copy(update={"timezone": "UTC"})
    config = default_config(state_dir=tmp_path)
    client = TestClient(create_app(config.model_copy(update={"athletes": {athlete.name: athlete}}), store,
                                   lambda: {"alive": False, "athletes": []}))
    season = client.get(f"/athletes/{athlete.name}/season").text
    for week_start in (MONDAY + timedelta(weeks=n) for n in (2, 7)):
        row = re.search(rf'<tr data-week="{week_start}">.*?data-label="ACWR">([^<]*)(<small>[^<]*)?', season,
                        re.S)
        assert row is not None
        page = client.get(f"/athletes/{athlete.name}/week/{week_start}").text
        assert f"Week of {week_start}: load " in page
        [ratio] = re.findall(rf"Week of {week_start}: load \d+, ACWR ([\d.]+)", page)
        assert ratio == row.group(1).strip()
        assert (row.group(2) is not None) is (week_start < MONDAY + timedelta(weeks=4))  # short history: 28 days
