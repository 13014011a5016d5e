"""The easy-run judgement through the command line: ``analyze`` and ``activities sync`` + ``report``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from watchsync.cli import main
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.resolve import resolve
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.simulate import Behaviour, simulate_activity

#: The body that runs: an HR athlete's heart (a by-feel runner's watch shows no band, their heart is the same).
BODY = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171)
LONG_RUN = "name: Long easy run\nsport: trail_running\n\n- 10m RPE 2-3 warm up\n- 50m RPE 3 easy, conversational\n"
CONFIG = ('[athletes.ben]\nmax_hr = 188\nresting_hr = 48\ntargets = "rpe"\n\n'
          '[athletes.eva]\nmax_hr = 215\nresting_hr = 48\ntargets = "rpe"\n')
DAY = date.today() - timedelta(days=3)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("WATCHSYNC_CONFIG", "WATCHSYNC_ENDPOINT", "WATCHSYNC_STATE_DIR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


def _files(tmp_path: Path, behaviour: Behaviour) -> tuple[Path, Path, Path]:
    workout = tmp_path / "long.txt"
    workout.write_text(LONG_RUN, encoding="utf-8")
    fit = tmp_path / f"{behaviour}.fit"
    resolved = resolve(load_workout(workout), BODY)
    fit.write_bytes(simulate_activity(resolved, BODY, start=datetime.combine(DAY, time(7), UTC),
                                      behaviour=behaviour).fit)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return workout, fit, config


def test_analyze_flags_a_by_feel_runners_too_hard_easy_run_and_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workout, fit, config = _files(tmp_path, "too_hard")
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(workout), "--athlete", "ben"]) == 0
    out = capsys.readouterr().out
    assert "! easy run done too hard (heart rate:" in out and "74 % of heart-rate reserve 48-188" in out


def test_analyze_does_not_flag_the_same_run_for_a_runner_for_whom_it_is_easy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workout, fit, config = _files(tmp_path, "too_hard")
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(workout), "--athlete", "eva",
                 "--json"]) == 0
    easy = json.loads(capsys.readouterr().out)["compliance"]["easy"]
    assert easy["too_hard"] is False and easy["bases"][0] == "heart_rate"
    assert easy["ceiling"] == pytest.approx(48 + 0.74 * (215 - 48))


def test_analyze_does_not_flag_a_truly_easy_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workout, fit, config = _files(tmp_path, "follows")
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(workout), "--athlete", "ben"]) == 0
    out = capsys.readouterr().out
    assert "too hard" not in out and "easy run done easy (judged by heart rate, rpe)" in out


@pytest.mark.parametrize(("behaviour", "flagged"), [("too_hard", True), ("follows", False)])
def test_synced_and_reported_for_a_by_feel_runner(tmp_path: Path, server: LocalGarminServer, behaviour: Behaviour,
                                                  flagged: bool, capsys: pytest.CaptureFixture[str]) -> None:
    workout, fit, config = _files(tmp_path, behaviour)
    config.write_text(f'[garmin]\nendpoint = "{server.url}"\nmax_retries = 0\n\n{CONFIG}', encoding="utf-8")
    state = tmp_path / "state"
    fake_token_dir(state / "tokens" / "ben", server.url)
    ben = Athlete(name="ben", max_hr=188, resting_hr=48, targets="rpe")
    with Store.open(state / "watchsync.sqlite3") as store:
        store.upsert_workout("ben", "long", content_hash="h",
                             payload=resolve(load_workout(workout), ben).model_dump(mode="json"))
        store.add_schedule("ben", "long", DAY)
    server.add_activity(fit.read_bytes(), start_time=datetime.combine(DAY, time(7), UTC))
    options = ["--config", str(config), "--state-dir", str(state)]
    assert main([*options, "activities", "sync", "--athlete", "ben", "--since", DAY.isoformat()]) == 0
    capsys.readouterr()

    assert main([*options, "report", "--athlete", "ben", "--json"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out)["report"]["sessions"] if r["name"] == "Long easy run")
    assert any("easy run done too hard (heart rate" in flag for flag in row["flags"]) is flagged


@pytest.mark.parametrize(("behaviour", "flagged"), [("too_hard", True), ("follows", False)])
def test_the_daemons_poller_and_daily_summary_judge_a_by_feel_runners_easy_run(
        tmp_path: Path, server: LocalGarminServer, behaviour: Behaviour, flagged: bool) -> None:
    from watchsync.daemon.jobs import sync_athlete_activities, write_daily_summary
    from watchsync.garmin.client import GarminClient

    today = date.today()
    workout, _, _ = _files(tmp_path, behaviour)
    ben = Athlete(name="ben", max_hr=188, resting_hr=48, targets="rpe")
    start = datetime.combine(today, time(0, 30), UTC)
    fit = simulate_activity(resolve(load_workout(workout), BODY), BODY, start=start, behaviour=behaviour).fit
    server.add_activity(fit, start_time=start)
    tokens = fake_token_dir(tmp_path / "tokens" / "ben", server.url)
    with Store.open(tmp_path / "store.sqlite3") as store:
        store.upsert_workout("ben", "long", content_hash="h",
                             payload=resolve(load_workout(workout), ben).model_dump(mode="json"))
        store.add_schedule("ben", "long", today)
        result = sync_athlete_activities(store, GarminClient(tokens, server.url), ben, tmp_path / "state", today)
        assert [f.session_id for f in result.fetched] == [f"long@{today}"]
        summary = write_daily_summary(store, ben, tmp_path / "state", today).read_text()
    assert ("easy run done too hard (heart rate:" in " ".join(summary.split())) is flagged


def test_a_quality_sessions_too_hard_warm_up_is_its_easy_parts_not_an_easy_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hills = Path(__file__).resolve().parents[2] / "workouts" / "runs" / "hill-repeats.txt"
    fit = tmp_path / "hills.fit"
    fit.write_bytes(simulate_activity(resolve(load_workout(hills), BODY), BODY,
                                      start=datetime.combine(DAY, time(7), UTC), behaviour="too_hard").fit)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(hills), "--athlete", "ben"]) == 0
    out = capsys.readouterr().out
    assert "! easy parts done too hard (heart rate:" in out and "easy run done" not in out


def test_a_bpm_band_within_the_ceiling_is_judged_easy_only_never_also_hard(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "- 90m 130-150bpm steady" for an LTHR-170 runner (ceiling 151) run at 160-170 bpm read "easy run done too
    # hard" and "hard steps done too hard" for the one step (probe fit13): the step scores now ask the easy
    # judgement's rule
    steady = tmp_path / "steady.txt"
    steady.write_text("name: Steady\nsport: running\n- 90m 130-150bpm steady\n", encoding="utf-8")
    fast = tmp_path / "fast.txt"
    fast.write_text("name: Fast\nsport: running\n- 90m 160-170bpm\n", encoding="utf-8")
    fit = tmp_path / "fast.fit"
    fit.write_bytes(simulate_activity(load_workout(fast), BODY, start=datetime.combine(DAY, time(7), UTC),
                                      behaviour="follows").fit)
    config = tmp_path / "config.toml"
    config.write_text("[athletes.cara]\nmax_hr = 190\nresting_hr = 50\nlthr = 170\n", encoding="utf-8")
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(steady), "--athlete", "cara",
                 "--json"]) == 0
    compliance = json.loads(capsys.readouterr().out)["compliance"]
    assert compliance["easy"]["too_hard"] is True
    assert [step["easy"] for step in compliance["intensity"]["steps"]] == [True]
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(steady), "--athlete", "cara"]) == 0
    out = capsys.readouterr().out
    assert "! easy run done too hard" in out and "hard steps" not in out


@pytest.mark.parametrize("tempo", ["- 30m 95-100% LTHR", "- 30m 4:25-4:35/km Pace", "- 30m 160-168bpm", "- 30m Z4 HR"])
def test_a_threshold_session_jogged_is_hard_steps_done_easy_however_written(
        tempo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # resolved to bpm or m/s, a tempo step read "moderate steps done easy" and no key-session notice followed
    # (probe review19): it is hard by the athlete's LTHR and threshold pace
    easy = tmp_path / "easy.txt"
    easy.write_text("name: Easy\nsport: running\n- 10m Z1 HR\n- 30m Z2 HR\n- 10m Z1 HR\n", encoding="utf-8")
    planned = tmp_path / "tempo.txt"
    planned.write_text(f"name: Tempo\nsport: running\n- 10m Z1 HR\n{tempo}\n- 10m Z1 HR\n", encoding="utf-8")
    athlete = Athlete(name="tara", max_hr=190, resting_hr=50, lthr=171, threshold_pace="4:30/km")
    fit = tmp_path / "easy.fit"
    fit.write_bytes(simulate_activity(resolve(load_workout(easy), athlete), athlete,
                                      start=datetime.combine(DAY, time(7), UTC), behaviour="follows").fit)
    config = tmp_path / "config.toml"
    config.write_text('[athletes.tara]\nmax_hr = 190\nresting_hr = 50\nlthr = 171\nthreshold_pace = "4:30/km"\n',
                      encoding="utf-8")
    assert main(["--config", str(config), "analyze", str(fit), "--workout", str(planned), "--athlete", "tara"]) == 0
    assert "! hard steps done easy: 100% of their time below target" in capsys.readouterr().out
