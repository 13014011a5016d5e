"""Each sport is planned at its own speed: swims at the swimmer's CSS, never at running speed; every
view (show's estimate, plan totals, the calendar export, the compliance volume) agrees."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

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
    """An athlete with a swim threshold (CSS); the profile field comes with the swim-CSS work."""
    try:
        return Athlete.model_validate({"name": "sam", "swim_threshold_pace": css_seconds_per_100m})
    except ValidationError:  # a profile without the field yet: give it the attribute rules read
        athlete = Athlete(name="sam")
        object.__setattr__(athlete, "swim_threshold_pace", css_seconds_per_100m)
        return athlete


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
    volume = volume_score(SWIM, None, easy_speed=speeds)  # the report's planned volume
    assert volume.planned == pytest.approx(expected)


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
    assert report.sessions[0].planned == pytest.approx(rules.planned_seconds(SWIM, speeds))
    assert report.summary.totals.planned_seconds == pytest.approx(session_facts(SWIM, speeds).seconds)
