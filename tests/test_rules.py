"""The RPE a step's target stands for (``rules.target_rpe``), and what plans and reports make of it."""

from __future__ import annotations

import pytest

from watchsync import rules
from watchsync.compliance.score import compare_rpe
from watchsync.formats.text import parse_text
from watchsync.plan.stats import session_facts

THRESHOLD_SPEED = 1000 / 270  # 4:30/km; the planning (easy) speed is 80 % of it


def _step_rpe(line: str, sport: str = "running") -> tuple[float, float] | None:
    step = parse_text(f"name: T\nsport: {sport}\n- {line}\n").flat_steps()[0]
    return rules.target_rpe(step, step_family(sport), 0.8 * THRESHOLD_SPEED)


def step_family(sport: str) -> str:
    return {"running": "run", "cycling": "bike", "lap_swimming": "swim"}[sport]


@pytest.mark.parametrize(("line", "sport", "expected"), [
    ("40m Z2 HR", "running", (3, 4)),  # Friel's zone 2 is the RPE scale's 3-4 band
    ("8m Z4 HR", "running", (7, 8)),
    ("5m Z1-Z2 HR", "running", (1, 4)),
    ("6m Z4 Pace", "running", (7, 8)),
    ("20m Z2", "cycling", (3, 4)),  # a bare zone is power: Coggan's zone 2
    ("3m Z5", "cycling", (9, 9)),
    ("20m 88-94%", "cycling", (5, 8)),  # Coggan 3 (76-90 %) to 4 (91-105 %)
    ("30m 75-84% LTHR", "running", (1, 2)),
    ("8m 95-100% LTHR", "running", (7, 8)),
    ("10m 70-79% HR", "running", (1, 4)),  # max HR: 79 % of max is 88 % of LTHR, the easy band's top
    ("8m 4:25-4:35/km Pace", "running", (7, 8)),  # about threshold pace: 98-102 % of its speed
    ("40m 6:00-6:15/km Pace", "running", (1, 2)),  # 72-75 % of threshold speed
])
def test_a_target_reads_as_the_rpe_band_it_is_on_the_rpe_scale(line: str, sport: str,
                                                                 expected: tuple[float, float]) -> None:
    assert _step_rpe(line, sport) == expected


@pytest.mark.parametrize("line", ["40m 130-145bpm HR", "20m 180-200W", "10m 85-90rpm", "10m RPE 6", "10m"])
def test_targets_that_need_the_athlete_and_no_targets_stand_for_no_rpe(line: str) -> None:
    assert _step_rpe(line, "cycling" if "W" in line or "rpm" in line else "running") is None


def test_planned_rpe_takes_the_written_rpe_first() -> None:
    step = parse_text("name: T\nsport: running\n- 10m Z4 HR RPE 6\n").flat_steps()[0]
    assert rules.planned_rpe(step, "run") == (6, 6)


ZONE_EASY = parse_text("name: Z1\nsport: running\n- 60m Z1 HR\n")
ZONE_THRESHOLD = parse_text("name: Z4\nsport: running\n- 15m Z1 HR\n3x\n- 10m Z4 HR\n- 3m Z1 HR\n\n- 6m Z1 HR\n")
PACE_THRESHOLD = parse_text("name: Thr\nsport: running\n- 15m RPE 3\n3x\n- 8m 4:25-4:35/km Pace threshold\n"
                            "- 2m RPE 2\n\n- 10m RPE 2\n")


def test_a_zone_written_plan_weighs_a_threshold_hour_above_an_easy_hour() -> None:
    # probe coach12: both read 4.0 a minute, the "unrated" session RPE
    easy, threshold = session_facts(ZONE_EASY), session_facts(ZONE_THRESHOLD)
    assert easy.minutes == threshold.minutes == 60
    assert easy.session_rpe == 1.5 and easy.load == 90  # zone 1 is RPE 1-2
    assert threshold.session_rpe == pytest.approx((30 * 1.5 + 30 * 7.5) / 60)  # 30 min of Z1, 30 min of Z4
    assert threshold.load > 2 * easy.load


def test_a_pace_written_threshold_session_is_prescribed_harder_than_its_easy_steps() -> None:
    # probe coach12: "Run threshold 3x8" read 2.5, the mean of its RPE-rated jogs only
    prescribed = compare_rpe(PACE_THRESHOLD, None, easy_speed=0.8 * THRESHOLD_SPEED).prescribed
    minutes = {"warm-up": 15, "reps": 24, "jogs": 6, "cool-down": 10}
    expected = (minutes["warm-up"] * 3 + minutes["reps"] * 7.5 + minutes["jogs"] * 2 + minutes["cool-down"] * 2) / 55
    assert prescribed == pytest.approx(expected)


@pytest.mark.parametrize("line", ["27m 4:25-4:35/km Pace", "27m 95-100% LTHR", "27m Z4 HR", "27m 98-102% Pace"])
def test_a_resolved_workout_is_prescribed_the_rpe_its_source_is(line: str) -> None:
    # the report, dashboard and analyze score the resolved workout, where pace is m/s and % LTHR bpm: a threshold
    # session read "prescribed RPE 2.0" there, 5.2 in plans (probe review17)
    from watchsync.model.athlete import Athlete
    from watchsync.resolve import resolve

    athlete = Athlete(name="anna", max_hr=188, lthr=171, threshold_pace="4:30/km")
    source = parse_text(f"name: T\nsport: running\n- 10m RPE 2\n- {line}\n- 10m RPE 2\n")
    speeds = rules.speeds_for(athlete)
    written = compare_rpe(source, None, easy_speed=speeds).prescribed
    resolved = compare_rpe(resolve(source, athlete), None, easy_speed=speeds, athlete=athlete).prescribed
    assert written == pytest.approx((20 * 2 + 27 * 7.5) / 47)
    assert resolved == pytest.approx(written)


def test_a_swims_resolved_pace_is_read_against_the_css() -> None:
    from watchsync.model.athlete import Athlete
    from watchsync.resolve import resolve

    swimmer = Athlete(name="sam", max_hr=185, swim_threshold_pace="1:40/100m")
    swim = parse_text("name: CSS\nsport: pool_swim\npool: 25m\n- 400mtr 98-102% Pace\n")
    step = resolve(swim, swimmer).flat_steps()[0]
    assert rules.target_rpe(step, "swim", athlete=swimmer) == (7, 8)


def test_a_share_of_max_hr_is_read_against_the_athletes_own_lthr_in_plans_as_in_the_report() -> None:
    # "- 40m 75-85% HR" was hard in plan lint (85 % of max read as 95.5 % of LTHR) and RPE 3.5 in the report
    # (resolved to 141-160 bpm, 93.6 % of anna's LTHR 171): one step, two readings (probe review18)
    from watchsync.model.athlete import Athlete
    from watchsync.resolve import resolve

    anna = Athlete(name="anna", max_hr=188, lthr=171, threshold_pace="4:30/km")
    workout = parse_text("name: Aerobic\nsport: running\n- 40m 75-85% HR\n")
    facts = session_facts(workout, rules.speeds_for(anna), anna)
    assert (facts.hard, facts.easy_seconds, facts.session_rpe) == (False, 2400, 3.5)  # RPE 1-6: its middle
    assert compare_rpe(resolve(workout, anna), None, easy_speed=rules.speeds_for(anna), athlete=anna).prescribed == 3.5
    resolved = resolve(workout, anna).flat_steps()[0]
    assert rules.target_rpe(resolved, "run", athlete=anna) == rules.target_rpe(workout.flat_steps()[0], "run",
                                                                               athlete=anna) == (1, 6)


def test_strides_written_as_a_pace_are_strides_outside_a_repeat_too() -> None:
    # "- 20s 3:30-3:40/km Pace" between easy steps made an easy run a hard session (probe review18)
    text = "name: Strides\nsport: running\n- 30m RPE 3\n" + "- 20s 3:30-3:40/km Pace\n- 40s RPE 2\n" * 6
    facts = session_facts(parse_text(text), 0.8 * THRESHOLD_SPEED)
    assert not facts.hard and facts.hard_seconds == 120


def test_alerts_and_substitution_read_a_resolved_step_against_the_athlete() -> None:
    # a missed "30m 95-100% LTHR" session (162-171 bpm once resolved) was no key session, and a resolved
    # "45m 70-85% LTHR" run no easy run cross-training could stand in for (probe review17)
    from watchsync.compliance.substitution import is_easy_run
    from watchsync.daemon.alerts import is_key_session
    from watchsync.model.athlete import Athlete
    from watchsync.resolve import resolve

    anna = Athlete(name="anna", max_hr=188, lthr=171, threshold_pace="4:30/km")
    threshold = resolve(parse_text("name: T\nsport: running\n- 10m RPE 2\n- 30m 95-100% LTHR\n"), anna)
    easy = resolve(parse_text("name: E\nsport: running\n- 45m 70-85% LTHR\n"), anna)
    assert is_key_session(threshold, anna) and not is_key_session(easy, anna)
    assert is_easy_run(easy, anna) and not is_easy_run(threshold, anna)
