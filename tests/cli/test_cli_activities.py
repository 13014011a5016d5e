"""``activities sync``, ``analyze`` and ``report`` through the real command line, against the local server."""

from __future__ import annotations

import csv
import io
import json
import os
import types
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from garmin_fit_sdk import Decoder, Stream

from watchsync.cli import main
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.resolve import resolve
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.simulate import Behaviour, simulate_activity

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO.parent / "shared" / "fixtures" / "fit")
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171)
WORKOUT_TEXT = "name: Easy 12\nsport: running\n\n- 12m RPE 3 easy\n"
TODAY = date.today()
MONDAY = TODAY - timedelta(days=TODAY.weekday() + 14)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("WATCHSYNC_CONFIG", "WATCHSYNC_ENDPOINT", "WATCHSYNC_STATE_DIR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


@pytest.fixture
def workout_file(tmp_path: Path) -> Path:
    path = tmp_path / "easy-12.txt"
    path.write_text(WORKOUT_TEXT, encoding="utf-8")
    return path


def configure(tmp_path: Path, server: LocalGarminServer) -> list[str]:
    """A config aimed at ``server`` with tokens it accepts; the global options to pass."""
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "{server.url}"\nmax_retries = 0\n\n'
                      f"[athletes.anna]\nmax_hr = 188\nresting_hr = 48\nlthr = 171\n", encoding="utf-8")
    state = tmp_path / "state"
    fake_token_dir(state / "tokens" / "anna", server.url)
    return ["--config", str(config), "--state-dir", str(state)]


def simulate(workout_file: Path, day: date, behaviour: Behaviour = "follows", seed: int = 0) -> bytes:
    workout = resolve(load_workout(workout_file), ATHLETE)
    start = datetime.combine(day, time(6, 30), UTC)
    return simulate_activity(workout, ATHLETE, start=start, behaviour=behaviour, seed=seed).fit


def upload(server: LocalGarminServer, fit: bytes, day: date) -> int:
    return server.add_activity(fit, start_time=datetime.combine(day, time(6, 30), UTC))


def plan_schedule(tmp_path: Path, workout_file: Path, day: date) -> None:
    """Put the workout on the store's calendar (as the sync layer does when it schedules)."""
    workout = resolve(load_workout(workout_file), ATHLETE)
    with Store.open(tmp_path / "state" / "watchsync.sqlite3") as store:
        store.upsert_workout("anna", "easy-12", content_hash="h", payload=workout.model_dump(mode="json"))
        store.add_schedule("anna", "easy-12", day)


# --- analyze -----------------------------------------------------------------------------------


def test_analyze_a_file_that_is_not_fit_is_one_line_and_exit_1(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "notes.fit"
    bogus.write_text("just some text, long enough to have a header\n")

    assert main(["analyze", str(bogus)]) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bogus) in err and "not a FIT file" in err


def test_analyze_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "nope.fit")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.fit" in err and "cannot read" in err


def test_analyze_prints_the_summary_and_step_compliance(tmp_path: Path, workout_file: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(workout_file, TODAY, behaviour="too_hard"))

    assert main(["analyze", str(fit), "--workout", str(workout_file)]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"{fit}: running, {TODAY:%Y-%m-%d} 06:30, 12m")
    assert "against 'Easy 12': volume green" in out and "steps aligned by laps" in out
    assert "easy run done too hard" in out
    assert out.splitlines()[-3].split()[:4] == ["step", "name", "target", "laps"]


def test_analyze_numbers_steps_as_show_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    intervals = tmp_path / "intervals.txt"
    intervals.write_text("name: Surges\nsport: running\n\nWarmup\n- 5m Z2 HR\n\n3x\n- 1m Z4 HR\n- 1m Z1 HR\n\n"
                         "Cooldown\n- 5m Z1 HR\n", encoding="utf-8")
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(intervals, TODAY))

    assert main(["show", str(intervals)]) == 0
    shown = [line.split()[0] for line in capsys.readouterr().out.splitlines()[3:] if line[:1].isdigit()
             or line.startswith("  ")]
    assert main(["analyze", str(fit)]) == 0
    table = capsys.readouterr().out.split("step  name")[1].splitlines()[2:]

    assert [row.split()[0] for row in table] == ["1", "2.1", "2.2", "3"]
    assert [label for label in shown if label != "2"] == ["1", "2.1", "2.2", "3"]


def test_analyze_says_when_the_workout_is_of_another_sport_or_no_file(tmp_path: Path, workout_file: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(workout_file, TODAY))
    ride = tmp_path / "ride.txt"
    ride.write_text("name: Ride\nsport: cycling\n- 12m RPE 3\n", encoding="utf-8")
    assert main(["analyze", str(fit), "--workout", str(ride)]) == 0
    assert "an activity of sport running scored against a cycling workout" in capsys.readouterr().err
    assert main(["analyze", str(fit), "--workout", "Easy 12"]) == 1  # a workout's name, not its file
    assert "Easy 12:1:1: no such workout file" in capsys.readouterr().err


def test_analyze_json_scores_against_the_given_workout(tmp_path: Path, workout_file: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(workout_file, TODAY, behaviour="cut_short"))

    assert main(["analyze", str(fit), "--workout", str(workout_file), "--json"]) == 0

    result = json.loads(capsys.readouterr().out)
    assert result["decoder"] == "fitfast" and result["salvaged"] is False
    assert result["summary"]["sport"] == "running"
    assert result["compliance"]["volume"]["colour"] == "yellow"  # 60 % of the plan
    assert result["compliance"]["intensity"]["steps"][0]["channel"] == "heart_rate"
    assert result["load"]["trimp"] > 0


def test_analyze_without_workout_uses_the_one_the_watch_ran(capsys: pytest.CaptureFixture[str]) -> None:
    ride = FIXTURES / "hrv-activity.fit"
    if not ride.is_file():
        pytest.skip(f"fixture {ride} not found")

    assert main(["analyze", str(ride), "--json"]) == 0

    compliance = json.loads(capsys.readouterr().out)["compliance"]
    assert compliance["intensity"]["alignment"] == "laps"
    assert len(compliance["intensity"]["steps"]) > 1
    # the laps show 4 of the first block's 20 steps run and none after: said, as the report says it (score6 #2)
    planned = sum(s["planned_executions"] for s in compliance["intensity"]["steps"] if not s["easy"])
    ran = sum(min(s["executions"], s["planned_executions"]) for s in compliance["intensity"]["steps"] if not s["easy"])
    assert compliance["step_flags"] == [f"hard steps not run: {planned - ran} of {planned}"] and planned - ran > 10
    assert main(["analyze", str(ride)]) == 0
    assert f"! hard steps not run: {planned - ran} of {planned}" in capsys.readouterr().out


def test_analyze_a_fit_without_workout_prints_only_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    run = FIXTURES / "activity-small-fenix2-run.fit"
    if not run.is_file():
        pytest.skip(f"fixture {run} not found")

    assert main(["analyze", str(run), "--json"]) == 0

    result = json.loads(capsys.readouterr().out)
    assert result["compliance"] is None
    assert result["summary"]["distance_m"] == pytest.approx(9000, rel=0.05)  # PROVENANCE: 9.0 km


def test_analyze_a_fit_without_session_is_summarised_from_its_records(
        capsys: pytest.CaptureFixture[str]) -> None:
    sigma = FIXTURES / "nick.fit"
    if not sigma.is_file():
        pytest.skip(f"fixture {sigma} not found")

    assert main(["analyze", str(sigma), "--json"]) == 0

    result = json.loads(capsys.readouterr().out)
    assert result["salvaged"] is True and result["warnings"]
    assert result["summary"]["elapsed_s"] == pytest.approx(4 * 3600 + 39 * 60, abs=120)  # PROVENANCE: 4h39
    # the timer ran 3h59m of it: 8 timer stop/start pairs in the file (what Garmin's decoder reads)
    messages, _ = Decoder(Stream.from_file(str(sigma))).read()
    timer = [(e["timestamp"].timestamp(), e["event_type"]) for e in messages["event_mesgs"] if e["event"] == "timer"]
    paused = sum(t2 - t1 for (t1, k1), (t2, k2) in pairwise(timer) if k1 == "stop" and k2 == "start")
    assert result["summary"]["duration_s"] == pytest.approx(result["summary"]["elapsed_s"] - paused, abs=2)
    assert result["summary"]["avg_hr"] is not None


def test_analyze_a_fit_file_of_a_type_the_profile_does_not_name_says_its_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from garmin_fit_sdk import Encoder

    encoder = Encoder()  # Garmin's "locations" files are FIT type 8, which the profile does not name
    encoder.write_mesg({"mesg_num": 0, "type": 8, "manufacturer": "garmin", "product": 1,
                        "time_created": datetime(2024, 5, 1, tzinfo=UTC)})
    locations = tmp_path / "Lctns.fit"
    locations.write_bytes(encoder.close())
    assert main(["analyze", str(locations)]) == 1
    assert capsys.readouterr().err == f"watchsync: {locations}: not an activity (a FIT file of type 8)\n"


def test_analyze_a_workout_file_says_it_is_not_an_activity(capsys: pytest.CaptureFixture[str]) -> None:
    workout = FIXTURES / "WorkoutRepeatSteps.fit"
    if not workout.is_file():
        pytest.skip(f"fixture {workout} not found")

    assert main(["analyze", str(workout)]) == 1

    err = capsys.readouterr().err
    assert err == f"watchsync: {workout}: not an activity (a FIT workout file: `watchsync import` reads it)\n"


def test_a_workout_file_cut_before_its_crc_is_read_by_import_as_analyze_says(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workout = FIXTURES / "WorkoutRepeatSteps.fit"
    if not workout.is_file():
        pytest.skip(f"fixture {workout} not found")
    cut = tmp_path / "cut.fit"
    cut.write_bytes(workout.read_bytes()[:-2])

    assert main(["analyze", str(cut)]) == 1
    assert "`watchsync import` reads it" in capsys.readouterr().err
    assert main(["import", str(cut), "-o", str(tmp_path / "cut")]) == 0
    assert main(["import", str(workout), "-o", str(tmp_path / "whole")]) == 0

    assert f"{cut}: the file ends before its CRC (cut short?): read without checking it" in capsys.readouterr().err
    assert (tmp_path / "cut" / "cut.txt").read_text() == (tmp_path / "whole" / "WorkoutRepeatSteps.txt").read_text()


def test_analyze_with_a_bad_workout_file_names_its_line(tmp_path: Path, workout_file: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(workout_file, TODAY))
    bad = tmp_path / "bad.txt"
    bad.write_text("name: bad\nsport: running\n- 10m RPE 11\n")

    assert main(["analyze", str(fit), "--workout", str(bad)]) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{bad}:3:" in err


# --- activities sync -----------------------------------------------------------------------------


def test_activities_sync_fetches_scores_and_is_idempotent(tmp_path: Path, server: LocalGarminServer,
                                                          workout_file: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    options = configure(tmp_path, server)
    day = TODAY - timedelta(days=2)
    plan_schedule(tmp_path, workout_file, day)
    planned = upload(server, simulate(workout_file, day), day)
    extra = upload(server, simulate(workout_file, TODAY - timedelta(days=1), seed=1), TODAY - timedelta(days=1))

    assert main([*options, "activities", "sync"]) == 0
    first = capsys.readouterr()
    assert main([*options, "activities", "sync"]) == 0
    second = capsys.readouterr()

    lines = first.out.splitlines()
    assert lines[0].startswith(f"{planned}  {day:%Y-%m-%d} 06:30  running  easy-12@{day}: green")
    assert lines[1].startswith(f"{extra}  ") and lines[1].endswith("unplanned")
    assert "2 new, 0 already stored, 0 failed" in first.err
    assert second.out == "" and "0 new, 2 already stored" in second.err
    assert (tmp_path / "state" / "activities" / "anna" / f"{planned}.fit").is_file()


def test_activities_sync_reports_a_corrupt_file_and_exits_1(tmp_path: Path, server: LocalGarminServer,
                                                            workout_file: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    options = configure(tmp_path, server)
    broken = upload(server, b"\x00" * 64, TODAY - timedelta(days=1))
    fine = upload(server, simulate(workout_file, TODAY), TODAY)

    assert main([*options, "activities", "sync"]) == 1

    out = capsys.readouterr().out
    assert f"{broken} " in out and "not a FIT file" in out
    assert f"{fine} " in out


def test_activities_sync_with_revoked_tokens_asks_for_a_login(tmp_path: Path, server: LocalGarminServer,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import garminconnect.api.base

    monkeypatch.setattr(garminconnect.api.base, "time", types.SimpleNamespace(sleep=lambda _s: None))
    options = configure(tmp_path, server)
    server.revoke_tokens()

    assert main([*options, "activities", "sync"]) == 3

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "watchsync login" in err


def test_activities_sync_rejects_a_bad_date(tmp_path: Path, server: LocalGarminServer,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*configure(tmp_path, server), "activities", "sync", "--since", "last week"])
    assert exit_info.value.code == 2
    assert "'last week' is not a date" in capsys.readouterr().err


# --- report --------------------------------------------------------------------------------------


@pytest.fixture
def synced(tmp_path: Path, server: LocalGarminServer, workout_file: Path,
           capsys: pytest.CaptureFixture[str]) -> list[str]:
    """A store with three planned sessions (done, cut short, missed) and their activities."""
    options = configure(tmp_path, server)
    done, short, missed = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3), MONDAY + timedelta(days=8)
    for day in (done, short, missed):
        plan_schedule(tmp_path, workout_file, day)
    upload(server, simulate(workout_file, done), done)
    upload(server, simulate(workout_file, short, behaviour="cut_short", seed=1), short)
    assert main([*options, "activities", "sync", "--since", MONDAY.isoformat()]) == 0
    capsys.readouterr()
    return options


def test_report_prints_a_table_per_week(synced: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*synced, "report"]) == 0

    out = capsys.readouterr().out
    assert "\x1b[" not in out  # not a terminal: no colour
    assert f"Week of {MONDAY}" in out and f"Week of {MONDAY + timedelta(days=7)}" in out
    statuses = [line.split()[4] for line in out.splitlines() if "Easy 12" in line]
    assert statuses == ["red", "green", "yellow"]  # newest week first


def test_report_colour_when_forced(synced: list[str], monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert main([*synced, "report"]) == 0
    assert "\x1b[" in capsys.readouterr().out


def test_report_json_csv_and_html(synced: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*synced, "report", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["report"]["summary"]["totals"]["done"] == 2
    assert document["report"]["summary"]["totals"]["missed"] == 1

    page = tmp_path / "report.html"
    assert main([*synced, "report", "--csv", "--html", str(page)]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert sorted(row["status"] for row in rows) == ["green", "red", "yellow"]
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "Easy 12" in html
    assert page.stat().st_mode & 0o777 == 0o600  # an athlete's health data, as the daemon keeps its files
    assert "http://" not in html and "https://" not in html
    assert f"wrote {page}" in captured.err


def test_report_one_week(synced: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*synced, "report", "--week", (MONDAY + timedelta(days=9)).isoformat(), "--json"]) == 0

    report = json.loads(capsys.readouterr().out)["report"]
    assert [w["week_start"] for w in report["summary"]["weeks"]] == [(MONDAY + timedelta(days=7)).isoformat()]
    assert [row["status"] for row in report["sessions"]] == ["red"]


def test_report_against_a_plan_file(synced: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(f'name = "two easy runs"\nstart = {MONDAY.isoformat()}\n\n[[weeks]]\nfocus = "build"\n\n'
                    f'[[weeks.days.tue]]\ntext = """\n{WORKOUT_TEXT}"""\n\n'
                    f'[[weeks.days.sat]]\ntext = """\n{WORKOUT_TEXT}"""\n', encoding="utf-8")

    assert main([*synced, "report", "--plan", str(plan), "--json"]) == 0

    sessions = json.loads(capsys.readouterr().out)["report"]["sessions"]
    by_day = {row["day"]: row["status"] for row in sessions}
    # Thursday's run is two days early for Saturday (window -1/+5) and Tuesday is already done
    assert by_day == {(MONDAY + timedelta(days=1)).isoformat(): "green",
                      (MONDAY + timedelta(days=3)).isoformat(): "unplanned",
                      (MONDAY + timedelta(days=5)).isoformat(): "red"}
    assert all(row["session_id"] is None or row["session_id"].startswith("plan:") for row in sessions)


def test_report_with_a_broken_plan_file_is_one_line(synced: list[str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('name = "broken"\nstart = 2025-01-06\n[[weeks]\n', encoding="utf-8")

    assert main([*synced, "report", "--plan", str(plan)]) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{plan}:3" in err


def test_analyze_says_whose_zones_it_scored_with_when_the_config_has_several_athletes(
        tmp_path: Path, workout_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(workout_file, TODAY))
    config = tmp_path / "two.toml"
    config.write_text("[athletes.anna]\nmax_hr = 190\n[athletes.bob]\nmax_hr = 180\n")
    assert main(["--config", str(config), "analyze", str(fit)]) == 0
    assert "scored for anna, the config's first athlete (--athlete NAME for another)" in capsys.readouterr().err
    assert main(["--config", str(config), "analyze", str(fit), "--athlete", "bob"]) == 0
    assert "scored for" not in capsys.readouterr().err


def test_analyze_a_multisport_file_against_a_ride_scores_its_ride_and_says_no_sport_mismatch(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sys
    sys.path.insert(0, str(Path(__file__).parents[1] / "activity"))
    from fitbuild import ActivitySpec, FitSport, Sample, SessionSpec, build

    start = datetime(2025, 3, 3, 7, tzinfo=UTC).timestamp()
    legs = [SessionSpec(FitSport.CYCLING, start, 1800.0, 1800.0, distance=15000.0),
            SessionSpec(FitSport.RUNNING, start + 1800, 1200.0, 1200.0, distance=4000.0)]
    fit = tmp_path / "duathlon.fit"
    fit.write_bytes(build(ActivitySpec(sessions=legs, samples=[Sample(start + t, heart_rate=130) for t in range(3000)],
                                       end=start + 3000, legs=True)))
    ride = tmp_path / "ride.txt"
    ride.write_text("name: Ride\nsport: cycling\n- 30m RPE 3\n", encoding="utf-8")

    assert main(["analyze", str(fit), "--workout", str(ride), "--json"]) == 0
    captured = capsys.readouterr()
    assert "another sport's numbers" not in captured.err  # the file is "other"; its ride was scored
    volume = json.loads(captured.out)["compliance"]["volume"]
    assert volume["done"] == pytest.approx(1800, abs=2)  # the ride's 30 minutes, not the file's 50


def test_analyze_gives_a_swims_pace_band_per_100_m_as_show_does(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    swim = Path(__file__).parents[2] / "workouts" / "cross" / "swim-30.txt"
    swimmer = ATHLETE.model_copy(update={"swim_threshold_pace": 110.0})
    workout = resolve(load_workout(swim), swimmer)
    fit = tmp_path / "swim.fit"
    fit.write_bytes(simulate_activity(workout, swimmer, start=datetime.combine(TODAY, time(6, 30), UTC)).fit)

    assert main(["analyze", str(fit)]) == 0
    out = capsys.readouterr().out
    assert "/100m" in out and "m/s" not in out


def test_an_imperial_athlete_reads_miles_and_feet_in_analyze_and_show(tmp_path: Path, workout_file: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[athletes.sam]\nmax_hr = 185\nlthr = 168\nunits = "imperial"\nthreshold_pace = "7:30/mi"\n',
                      encoding="utf-8")
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(workout_file, TODAY))

    assert main(["--config", str(config), "analyze", str(fit)]) == 0
    facts = capsys.readouterr().out.splitlines()[0]
    assert " mi," in facts and " km" not in facts
    assert main(["--config", str(config), "show", str(workout_file)]) == 0
    assert "estimated: 12m, " in (out := capsys.readouterr().out) and " mi (" in out


@pytest.mark.parametrize(("name", "said"), [("fit2/muktihari_activity_poolswim.fit", ", 500 yd, pool 25 yd"),
                                          ("fit/activity_poolswim_with_hr.fit", ", 1700 m, pool 25 m")])
def test_a_pool_swim_counts_in_its_pools_unit_for_every_athlete(tmp_path: Path, name: str, said: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    # probe coach10: an imperial swimmer read "0.48 mi, pool 22.86 m" for 20 lengths of a 25-yd pool
    fit = FIXTURES.parent / name
    if not fit.is_file():
        pytest.skip(f"fixture {fit} not found")
    config = tmp_path / "config.toml"
    config.write_text('[athletes.sam]\nmax_hr = 185\nunits = "imperial"\n', encoding="utf-8")
    assert main(["--config", str(config), "analyze", str(fit)]) == 0
    facts = capsys.readouterr().out.splitlines()[0]
    assert said in facts and " mi" not in facts
    from watchsync.model.units import Units
    from watchsync.report import values
    with values.display_units(Units.IMPERIAL):
        assert values.distances({"swim": 777.24, "run": 8046.72}) == "swim 850 yd · run 5.0 mi"
    assert values.distances({"swim": 850.0}, {"swim": 1000.0}) == "swim 850 / 1000 m"


def test_report_on_a_damaged_store_is_one_line_not_a_traceback(tmp_path: Path, server: LocalGarminServer,
                                                              workout_file: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    options = configure(tmp_path, server)
    plan_schedule(tmp_path, workout_file, TODAY)
    database = tmp_path / "state" / "watchsync.sqlite3"
    data = bytearray(database.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page after the first destroyed: it opens, then fails
    database.write_bytes(bytes(data))

    for command in (["report"], ["activities", "sync"]):
        code = main([*options, *command])
        err = capsys.readouterr().err
        assert code != 0 and "Traceback" not in err, command
        assert err.startswith("watchsync: ") and err.count("\n") <= 2, err


def test_analyze_json_names_set_categories_whichever_decoder_read_them(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # probe docs11: fitfast gives an array's enums as numbers: "28" where the salvaged copy said "squat"
    import json

    fit = tmp_path / "strength.fit"
    fit.write_bytes(simulate(REPO / "workouts" / "strength" / "strength-5min.txt", TODAY))
    assert main(["analyze", str(fit), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["decoder"] == "fitfast"
    categories = {done["category"] for done in document["sets"] if done["category"] is not None}
    assert categories and all(not category.isdigit() for category in categories), categories
    assert "squat" in categories


def test_analyze_json_says_a_workout_of_another_sport_in_its_warnings(
        tmp_path: Path, workout_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate(workout_file, date(2025, 3, 3)))
    ride = tmp_path / "ride.txt"
    ride.write_text("name: Ride\nsport: cycling\n- 30m RPE 3\n", encoding="utf-8")

    assert main(["analyze", str(fit), "--workout", str(ride), "--json"]) == 0
    captured = capsys.readouterr()
    said = "an activity of sport running scored against a cycling workout: another sport's numbers"
    assert said in captured.err and said in json.loads(captured.out)["warnings"]  # not stderr alone (probe fit11)
