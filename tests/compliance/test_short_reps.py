"""Short hard reps get no HR target the watch would alarm on: open (cue kept) or pace when the athlete
has a threshold pace; long hard steps keep their HR band. Through ``resolve`` and ``watchsync show``."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchsync.cli import main
from watchsync.formats.load import load_workout
from watchsync.formats.text import parse_text
from watchsync.model.athlete import Athlete
from watchsync.model.workout import HeartRateTarget, OpenTarget, SpeedTarget, Step, Workout
from watchsync.resolve import resolve

REPO = Path(__file__).resolve().parents[2]
HILLS = load_workout(REPO / "workouts" / "runs" / "hill-repeats.txt")
HR_ONLY = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171)
WITH_PACE = HR_ONLY.model_copy(update={"threshold_pace": 270.0})
MIXED = parse_text("name: Mixed\nsport: running\n\n- 10m RPE 3\n- 60s RPE 8 fast\n- 5m RPE 7 threshold\n"
                   "- 400mtr RPE 8 track rep\n- 2000mtr RPE 7 long rep\n", "<test>")


def _steps(workout: Workout) -> list[Step]:
    return workout.flat_steps()


def test_a_60s_rpe8_hill_rep_gets_an_open_target_and_keeps_its_cue() -> None:
    resolved = resolve(HILLS, HR_ONLY)
    reps = [s for s in _steps(resolved) if s.rpe is not None and s.rpe.high >= 8]
    assert reps and all(isinstance(s.target, OpenTarget) for s in reps)
    assert all("RPE 8" in (s.notes or "") and s.name == "uphill, strong but controlled" for s in reps)


def test_with_a_threshold_pace_a_short_rep_gets_the_rpe_pace_band() -> None:
    rep = _steps(resolve(MIXED, WITH_PACE))[1]
    assert isinstance(rep.target, SpeedTarget)
    threshold = 1000 / 270
    assert rep.target.low == pytest.approx(0.95 * threshold, rel=0.01)  # RPE 8 = 95-103 % of threshold speed
    assert rep.target.high == pytest.approx(1.03 * threshold, rel=0.01)


@pytest.mark.parametrize(("index", "kind"), [(0, HeartRateTarget), (1, OpenTarget), (2, HeartRateTarget),
                                             (3, OpenTarget), (4, HeartRateTarget)])
def test_only_hard_steps_too_short_for_heart_rate_lose_their_hr_band(index: int, kind: type) -> None:
    assert isinstance(_steps(resolve(MIXED, HR_ONLY))[index].target, kind)


def test_show_prints_the_short_rep_open_with_its_cue(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("[athletes.anna]\nmax_hr = 188\nresting_hr = 48\nlthr = 171\n")
    assert main(["--config", str(config), "show", str(REPO / "workouts" / "runs" / "hill-repeats.txt")]) == 0
    rep_lines = [line for line in capsys.readouterr().out.splitlines() if "RPE 8" in line]
    assert rep_lines and all(" open " in line and "bpm" not in line for line in rep_lines)


def test_a_short_hard_rep_on_a_bike_gets_no_running_pace_band() -> None:
    ride = parse_text("name: Bike sprints\nsport: cycling\n\n- 15m RPE 3\n6x\n- 60s RPE 8 fast\n- 2m RPE 2\n",
                      "<test>")
    reps = [s for s in _steps(resolve(ride, WITH_PACE)) if s.rpe is not None and s.rpe.high >= 8]
    assert reps and all(isinstance(s.target, OpenTarget) for s in reps)


@pytest.mark.parametrize(("text", "sport"), [("- 60s RPE 8 uphill, strong", "running"),
                                             ("- 60s RPE 8 strong | on the hill", "running"),
                                             ("- 60s RPE 8 strong", "trail_running")])
def test_a_rep_up_a_hill_or_on_a_trail_gets_no_flat_pace_band(text: str, sport: str) -> None:
    workout = parse_text(f"name: h\nsport: {sport}\n{text}\n", "<test>")
    [rep] = _steps(resolve(workout, WITH_PACE))
    assert isinstance(rep.target, OpenTarget)  # a flat-ground pace would alarm "too slow" all the way up
    [flat] = _steps(resolve(parse_text("name: f\nsport: running\n- 60s RPE 8 strong\n", "<test>"), WITH_PACE))
    assert isinstance(flat.target, SpeedTarget)


def test_hill_reps_without_a_target_skipped_at_easy_heart_rate_are_flagged_not_green(tmp_path: Path) -> None:
    """journey8 #8: the reps have no band (a flat pace means nothing uphill), but a rep run at easy
    heart rate is a skipped rep: the report says so; reps run hard say nothing."""
    from datetime import UTC, datetime

    from watchsync.activity import decode_activity
    from watchsync.compliance.score import score_intensity
    from watchsync.testing.simulate import simulate_activity

    hills = resolve(HILLS, HR_ONLY)
    flags = {}
    for behaviour in ("follows", "skips_intervals"):
        fit = simulate_activity(hills, HR_ONLY, start=datetime(2026, 12, 1, 7, tzinfo=UTC), behaviour=behaviour).fit
        path = tmp_path / f"{behaviour}.fit"
        path.write_bytes(fit)
        intensity = score_intensity(hills, decode_activity(fit))
        [rep] = [step for step in intensity.steps if step.hr_judged]
        assert rep.hr_judged == 6 and rep.easy_ceiling is not None
        flags[behaviour] = rep.hr_easy
    assert flags == {"follows": 0, "skips_intervals": 6}


def test_a_by_feel_runners_skipped_hill_reps_are_flagged_by_their_easy_ceiling() -> None:
    # a runner with targets = "rpe" skipped the hills (45 min easy) and read green without a word, while the
    # same file was flagged for an HR-target runner: the workout had no easy band to judge by (probe coach13)
    from datetime import UTC, datetime

    from watchsync.activity import decode_activity
    from watchsync.compliance.score import score_intensity
    from watchsync.testing.simulate import simulate_activity

    by_feel = HR_ONLY.model_copy(update={"targets": "rpe"})
    hills = resolve(HILLS, by_feel)
    fit = simulate_activity(hills, by_feel, start=datetime(2026, 12, 1, 7, tzinfo=UTC), behaviour="skips_intervals").fit
    assert not [s for s in score_intensity(hills, decode_activity(fit)).steps if s.hr_judged]  # no band: no judge
    [rep] = [s for s in score_intensity(hills, decode_activity(fit), athlete=by_feel).steps if s.hr_judged]
    assert rep.hr_judged == 6 and rep.hr_easy == 6
