"""The library's GarminSession against the local Garmin server over HTTP."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import watchsync
from watchsync.testing.garmin.helpers import fake_token_dir, running_server


def test_a_session_parked_for_a_login_resumes_once_the_tokens_log_in(tmp_path: Path) -> None:
    """library3 #2: tokens written after a call parked the queue ('not logged in'); every later call
    stayed parked, and `outcomes == []` read as success while nothing was sent."""
    workout = watchsync.parse_text("name: Easy 30\nsport: running\n- 30m RPE 3\n")
    with running_server() as server:
        config_file = tmp_path / "config.toml"
        config_file.write_text(f'[garmin]\nendpoint = "{server.url}"\nmax_retries = 0\n\n'
                               "[athletes.anna]\nmax_hr = 188\nlthr = 171\n", encoding="utf-8")
        config = watchsync.load_config(config_file, state_dir=tmp_path / "state")
        with watchsync.GarminSession.open(config, "anna") as session:
            first = session.schedule(workout, date(2030, 3, 4))
        assert first.parked is not None and "not logged in" in first.parked and server.schedules() == []

        fake_token_dir(config.token_dir("anna"), server.url)  # as `watchsync login` leaves them
        with watchsync.GarminSession.open(config, "anna") as session:
            later = session.send()
        assert later.parked is None and [o.status for o in later.outcomes] == ["done", "done"]
        assert [str(s["calendarDate"]) for s in server.schedules()] == ["2030-03-04"]


def test_analyze_activity_says_when_the_workout_is_of_another_sport(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from watchsync.testing.simulate import simulate_activity

    athlete = watchsync.default_config().athlete("anna")
    run = watchsync.prepare(watchsync.parse_text("name: Easy\nsport: running\n- 30m RPE 3\n"), athlete)
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate_activity(run.resolved, athlete, start=datetime(2026, 3, 2, 7, tzinfo=UTC)).fit)
    ride = watchsync.parse_text("name: Spin\nsport: cycling\n- 30m RPE 3\n")

    assert watchsync.analyze_activity(fit, athlete, run).sport_mismatch is None
    scored = watchsync.analyze_activity(fit, athlete, ride)
    assert scored.score is not None and scored.sport_mismatch == \
        "an activity of sport running scored against a cycling workout"


def test_a_workout_file_given_as_an_activity_is_refused_naming_the_file(tmp_path: Path) -> None:
    athlete = watchsync.default_config().athlete("anna")
    workout = tmp_path / "easy.fit"
    workout.write_bytes(watchsync.prepare(watchsync.parse_text("name: E\nsport: running\n- 30m RPE 3\n"), athlete).fit)
    try:
        watchsync.analyze_activity(workout, athlete)
    except watchsync.InputError as error:
        assert str(error).startswith(f"{workout}: not an activity")
    else:
        raise AssertionError("a workout file was analysed as an activity")


def test_a_datetime_schedules_on_its_date(tmp_path: Path) -> None:
    from datetime import datetime

    workout = watchsync.parse_text("name: Easy 30\nsport: running\n- 30m RPE 3\n")
    with running_server() as server:
        config = watchsync.default_config(state_dir=tmp_path / "state")
        config = config.model_copy(update={"garmin": config.garmin.model_copy(update={"endpoint": server.url})})
        fake_token_dir(config.token_dir("anna"), server.url)
        with watchsync.GarminSession.open(config, "anna") as session:
            sent = session.schedule(workout, datetime(2030, 3, 4, 18, 30))
        assert sent.parked is None and [str(s["calendarDate"]) for s in server.schedules()] == ["2030-03-04"]
