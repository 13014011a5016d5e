"""Each sport is planned at its own speed: swims at the swimmer's CSS, never at running speed; every
view (show's estimate, plan totals, the calendar export, the compliance volume) agrees."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watchsync import rules
from watchsync.compliance.score import volume_score
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.plan.stats import session_facts

REPO = Path(__file__).resolve().parents[2]
SWIM = load_workout(REPO / "workouts" / "cross" / "swim-30.txt")
SWUM_METERS = 200 + 8 * 50 + 200
RESTS = 8 * 20


def swimmer(css_seconds_per_100m: float) -> Athlete:
    """An athlete with a swim threshold (CSS)."""
    return Athlete(name="sam", swim_threshold_pace=css_seconds_per_100m)


def test_the_library_swim_is_planned_at_the_default_swimming_speed_not_running_speed() -> None:
    seconds = rules.planned_seconds(SWIM, rules.speeds_for(Athlete(name="anna", threshold_pace="4:00/km")))
    assert seconds == pytest.approx(SWUM_METERS / rules.FAMILY_SPEED["swim"] + RESTS)
    assert seconds > 15 * 60  # at running speed it would be about 7 minutes


@pytest.mark.parametrize("css", [90.0, 105.0, 130.0])
def test_the_library_swim_is_planned_at_the_swimmers_own_time(css: float) -> None:
    athlete = swimmer(css)
    speeds = rules.speeds_for(athlete)
    expected = SWUM_METERS / (rules.EASY_SHARE_OF_CSS_SPEED * 100 / css) + RESTS
    assert rules.planned_seconds(SWIM, speeds) == pytest.approx(expected)
    assert session_facts(SWIM, speeds).seconds == pytest.approx(expected)  # plan show, lint, ics
    volume = volume_score(SWIM, None, easy_speed=speeds)  # the report's planned volume: the metres, rests aside
    assert (volume.metric, volume.planned) == ("distance", pytest.approx(SWUM_METERS))


def test_a_faster_swimmer_plans_less_time_and_runners_are_unchanged() -> None:
    fast, slow = rules.speeds_for(swimmer(90.0)), rules.speeds_for(swimmer(130.0))
    assert rules.planned_seconds(SWIM, fast) < rules.planned_seconds(SWIM, slow)
    assert fast.run == slow.run == Athlete(name="sam").easy_speed


def test_show_plan_show_and_report_agree_for_a_swim(tmp_path: Path) -> None:
    from watchsync.compliance.match import PlannedSession, match_sessions
    from watchsync.report.build import build_report

    athlete = swimmer(105.0)
    speeds = rules.speeds_for(athlete)
    day = date(2030, 3, 5)
    planned = [PlannedSession(id="s", date=day, workout=SWIM)]
    report = build_report(planned, match_sessions(planned, [], today=day), [], {}, athlete="sam", today=day,
                          easy_speed=speeds)
    assert report.sessions[0].planned == pytest.approx(SWUM_METERS)  # a swim of metres and wall rests: metres
    assert report.summary.totals.planned_seconds == pytest.approx(session_facts(SWIM, speeds).seconds)


def test_show_and_plan_show_plan_the_library_swim_at_the_swimmers_css(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from watchsync.cli import main

    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    config = tmp_path / "config.toml"
    config.write_text('[athletes.sam]\nmax_hr = 185\nswim_threshold_pace = "1:45/100m"\n')
    assert main(["--config", str(config), "show", str(REPO / "workouts" / "cross" / "swim-30.txt")]) == 0
    expected = SWUM_METERS / (rules.EASY_SHARE_OF_CSS_SPEED * 100 / 105) + RESTS  # about 20 minutes
    minutes, seconds = divmod(round(expected), 60)
    assert f"estimated: {minutes}m{seconds:02d}s" in capsys.readouterr().out
    plan = tmp_path / "plan.toml"
    plan.write_text(f'name = "swim"\nstart = 2030-03-04\nlibrary = "{REPO / "workouts"}"\n[[weeks]]\n'
                    '[[weeks.days.tue]]\nworkout = "cross/swim-30.txt"\n')
    assert main(["--config", str(config), "plan", "lint", str(plan)]) == 0
    totals = capsys.readouterr().out.splitlines()
    row = next(line for line in totals if line.split()[:2] == ["1", "build"])
    assert row.split()[3] == f"{expected / 60:.0f}"  # the week's minutes


def test_an_indoor_ride_plans_no_distance_an_outdoor_one_does() -> None:
    # "bike 0.0 / 11.7 mi" on the week of an indoor ride done in full: a trainer records no distance (probe coach11)
    indoor = load_workout(REPO / "workouts" / "cross" / "bike-indoor-45.toml")
    outdoor = load_workout(REPO / "workouts" / "cross" / "bike-outdoor-60.txt")
    assert rules.planned_meters(indoor) == 0.0
    assert rules.planned_meters(outdoor) == pytest.approx(60 * 60 * rules.FAMILY_SPEED["bike"], rel=0.2)
    assert session_facts(indoor).seconds == pytest.approx(45 * 60, rel=0.05)  # its time still counts
