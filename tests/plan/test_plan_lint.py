"""Lint: one hand-written bad plan per rule, each caught at the right week/day; weekly totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchsync.plan.lint import Severity, format_report, lint_plan
from watchsync.plan.parse import load_plan
from watchsync.rules import planned_meters

DATA = Path(__file__).parent / "data" / "lint"
PLANS = Path(__file__).resolve().parents[2] / "workouts" / "plans"

# fixture → (rule, severity, week, day or None)
CASES = {
    "weekly-growth": ("weekly-growth", Severity.WARNING, 2, None),
    "deload-cadence": ("deload-cadence", Severity.WARNING, 4, None),
    "deload-depth": ("deload-depth", Severity.WARNING, 2, None),
    "easy-share": ("easy-share", Severity.ERROR, 1, None),
    "long-run-spike": ("long-run-spike", Severity.ERROR, 2, 6),
    "hard-days": ("hard-days", Severity.ERROR, 1, 4),
    "long-run-neighbour": ("long-run-neighbour", Severity.WARNING, 1, 5),
    "rest-day": ("rest-day", Severity.ERROR, 1, None),
    "core": ("core", Severity.WARNING, 1, None),
    "strength": ("strength", Severity.WARNING, 1, None),
    "drills": ("drills", Severity.WARNING, 1, None),
    "strides": ("strides", Severity.WARNING, 1, None),
    "cross": ("cross", Severity.WARNING, 1, None),
}


def test_the_good_fixture_has_no_issue() -> None:
    assert lint_plan(load_plan(DATA / "good.toml")).issues == ()


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_fixture_breaks_exactly_its_rule(name: str) -> None:
    rule, severity, week, day = CASES[name]
    report = lint_plan(load_plan(DATA / f"{name}.toml"))
    assert report.rules_broken() == {rule}
    issue = report.issues[0]
    assert (issue.severity, issue.week, issue.day) == (severity, week, day)
    assert bool(report.errors) == (severity is Severity.ERROR)
    assert issue.line > 1
    assert f"{name}.toml:{issue.line}: {severity.value}: week {week}" in issue.format(f"{name}.toml")


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_plans_pass_lint(path: Path) -> None:
    assert lint_plan(load_plan(path)).issues == ()


def test_weekly_totals_add_up_from_the_workouts() -> None:
    plan = load_plan(DATA / "good.toml")
    report = lint_plan(plan)
    week = report.weeks[0]
    workouts = [s.workout for sessions in plan.weeks[0].days.values() for s in sessions]
    expected = sum(w.estimated_seconds(60.0) for w in workouts) / 60
    runs = [w for w in workouts if w.sport.family == "run"]
    assert week.minutes == pytest.approx(expected)
    assert week.run_minutes == pytest.approx(sum(w.estimated_seconds(60.0) for w in runs) / 60)
    assert week.run_km == pytest.approx(sum(planned_meters(w) for w in runs) / 1000)
    # hills: 6 x 60 s at RPE 8; strides: 6 x 20 s at RPE 9 -> hard running minutes
    assert week.hard_run_minutes == pytest.approx(6 + 2)
    assert week.easy_share == pytest.approx(1 - 8 / week.run_minutes)
    assert week.long_run_minutes == 90
    assert week.rest_days == 1
    assert week.load > week.minutes  # session RPE above 1 for every session
    text = format_report(report, "good.toml")
    assert text.endswith("0 error(s), 0 warning(s)")
    assert f"{week.minutes:.0f}" in text.splitlines()[2]


def test_a_deload_week_heavier_than_the_build_week_is_said_to_be_above_it(tmp_path: Path) -> None:
    text = (DATA / "deload-depth.toml").read_text().replace('library = "../../../../workouts"',
                                                               f'library = "{DATA.parents[3] / "workouts"}"')
    heavier = text.replace('sun = ["runs/long-easy-90.txt"]\n', "", 1)  # the build week loses its long run
    (tmp_path / "heavier.toml").write_text(heavier)
    report = lint_plan(load_plan(tmp_path / "heavier.toml"))
    [issue] = [i for i in report.issues if i.rule == "deload-depth"]
    assert "% above week 1" in issue.message and "-" not in issue.message.split("%")[0]
    one_core = heavier.replace('fri = ["strength/core-5min.txt"]\n', "", 1)  # one core session in week 1
    (tmp_path / "one-core.toml").write_text(one_core)
    [core] = [i.message for i in lint_plan(load_plan(tmp_path / "one-core.toml")).issues if i.rule == "core"]
    assert core.startswith("1 core session this week")


def _one_week(tmp_path: Path, days: str, name: str = "p.toml") -> Path:
    library = DATA.parents[3] / "workouts"
    path = tmp_path / name
    path.write_text(f'name = "p"\nlibrary = "{library}"\n{days}')
    return path


def test_intervals_with_targets_and_no_rpe_are_hard_and_strides_at_rpe_8_are_not(tmp_path: Path) -> None:
    """probe plan12: ``4x 8m Z4 HR`` on Friday and ``6x 1km 3:50/km Pace`` on Saturday broke no hard-days
    rule (hard only by tag or RPE), while strides at RPE 8 made a day hard and the same at RPE 9 did not."""
    intervals = ('[[weeks]]\n[[weeks.days.fri]]\ntext = """\nname: Tempo\nsport: running\n4x\n- 8m Z4 HR\n'
                 '- 2m Z1 HR\n"""\n[[weeks.days.sat]]\ntext = """\nname: Track\nsport: running\n6x\n'
                 '- 1km 3:50/km Pace\n- 2m Z1 HR\n"""\n')
    rules = lint_plan(load_plan(_one_week(tmp_path, intervals))).rules_broken()
    assert "hard-days" in rules
    strides = ('[[weeks]]\n[[weeks.days.sat]]\ntext = """\nname: Strides\nsport: running\n- 30m RPE 3\n6x\n'
               '- 20s RPE {rpe}\n- 1m RPE 2\n"""\n[weeks.days]\nsun = "runs/long-easy-90.txt"\n')
    for rpe in (8, 9):
        report = lint_plan(load_plan(_one_week(tmp_path, strides.format(rpe=rpe), f"s{rpe}.toml")))
        assert "long-run-neighbour" not in report.rules_broken(), rpe


def test_running_may_not_jump_where_cross_training_makes_room(tmp_path: Path) -> None:
    # probe plan12: running +57 % in a week passed because rides were cut and the total fell
    weeks = ('[[weeks]]\n[weeks.days]\ntue = "runs/easy-45.txt"\nwed = ["cross/bike-outdoor-60.txt"]\n'
             'thu = ["cross/bike-outdoor-60.txt"]\nsun = "runs/long-easy-90.txt"\n'
             '[[weeks]]\n[weeks.days]\ntue = "runs/easy-60.txt"\nthu = "runs/easy-60.txt"\n'
             'sun = "runs/long-easy-90.txt"\n')
    [issue] = [i for i in lint_plan(load_plan(_one_week(tmp_path, weeks))).issues if i.rule == "weekly-growth"]
    assert issue.message.startswith("running 210 min is 56 % above 135 min of week 1")


def test_sixteen_thirty_second_reps_are_a_session_not_strides() -> None:
    # probe review13: any step of 30 s or less at RPE 6+ had become a stride, so a 30/30 VO2max session was easy
    from watchsync.formats.text import parse_text
    from watchsync.plan.stats import session_facts

    thirty = parse_text("name: t\nsport: running\n- 15m RPE 3\nMain set 16x\n- 30s RPE 8\n- 30s RPE 2\n\n- 10m RPE 3\n")
    strides = parse_text("name: s\nsport: running\n- 30m RPE 3\n6x\n- 20s RPE 8\n- 1m RPE 2\n\n- 5m RPE 2\n")
    assert session_facts(thirty).hard and not session_facts(strides).hard


@pytest.mark.parametrize(("line", "easy"), [
    ("- 45m 9:00-9:45/mi Pace", True),  # an imperial runner's easy run, paced (probe coach11)
    ("- 45m 5:40-6:10/km Pace", True),
    ("- 20m 4:40/km Pace", False),  # tempo: faster than the easy band's top (87 % of threshold speed)
    ("- 45m Z2 HR", True), ("- 45m Z1-Z2 HR", True), ("- 20m Z3 HR", False),
    ("- 45m 70-85% LTHR", True), ("- 20m 90-95% LTHR", False), ("- 45m 75% Pace", True),
    ("- 60m 65% FTP", True), ("- 20m 88% FTP", False),
])
def test_a_step_without_an_rpe_is_easy_by_its_target(line: str, easy: bool) -> None:
    from watchsync.formats.text import parse_text
    from watchsync.model.athlete import Athlete
    from watchsync.plan.stats import session_facts
    from watchsync.rules import speeds_for

    runner = Athlete(name="r", threshold_pace="4:30/km", max_hr=190, lthr=170)
    facts = session_facts(parse_text(f"name: t\nsport: running\n{line}\n"), speeds_for(runner))
    assert (facts.easy_seconds == facts.seconds) is easy


def test_a_day_off_marker_in_a_plan_is_a_rest_day_not_training(tmp_path: Path) -> None:
    # an AI coach library's "- OFF" days made plan lint say "no full rest day" for a week of four (probe
    # icu18, review16)
    from watchsync.plan.totals import placed_facts, week_totals

    (tmp_path / "off.txt").write_text("name: Off Day\nsport: running\n- OFF\n", encoding="utf-8")
    (tmp_path / "easy.txt").write_text("name: Easy\nsport: running\n- 40m RPE 3\n", encoding="utf-8")
    days = {"mon": "off.txt", "tue": "easy.txt", "wed": "off.txt", "thu": "easy.txt", "fri": "off.txt",
            "sat": "easy.txt", "sun": "off.txt"}
    text = f'name = "p"\nlibrary = "{tmp_path}"\n[[weeks]]\nfocus = "build"\n' + "".join(
        f'[[weeks.days.{day}]]\nworkout = "{workout}"\n' for day, workout in days.items())
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(text, encoding="utf-8")
    plan = load_plan(plan_file)
    [week] = week_totals(plan, placed_facts(plan))
    assert (week.rest_days, week.minutes, week.sessions) == (4, 120, 3)
    assert not [issue for issue in lint_plan(plan).issues if issue.rule == "rest-day"]
    # nor a session: nothing on the calendar, nothing for the report to miss, no calendar event (probe review17)
    from datetime import date

    from watchsync.plan.ics import plan_to_ics

    sessions = list(plan.sessions(date(2030, 3, 4)))
    assert [s.workout.name for s in sessions] == ["Easy"] * 3
    from watchsync.model.athlete import Athlete

    assert b"Off Day" not in plan_to_ics(plan, Athlete(name="anna"), date(2030, 3, 4))
    from watchsync.plan.show import format_plan_table

    table = format_plan_table(plan)
    assert "Off Day" not in table and "  mon  rest" in table  # plan show: the day is a rest day


def test_a_continuous_run_in_zone_5_or_at_threshold_pace_is_hard_as_its_rpe(tmp_path: Path) -> None:
    # probe review17: load counted them at RPE 8-10, yet they were "moderate" and never a hard session: a Z5 run
    # the day before a threshold-pace run was no "hard days in a row"
    (tmp_path / "z5.txt").write_text("name: Z5\nsport: running\n- 10m Z1 HR\n- 30m Z5 HR\n- 10m Z1 HR\n")
    (tmp_path / "pace.txt").write_text("name: Thr\nsport: running\n- 10m RPE 2\n- 30m 4:25-4:35/km Pace\n"
                                       "- 10m RPE 2\n")
    (tmp_path / "e.txt").write_text("name: E\nsport: running\n- 40m RPE 3\n")
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(f'name = "p"\nlibrary = "{tmp_path}"\n[[weeks]]\nfocus = "build"\n[weeks.days]\n'
                         'tue = "z5.txt"\nwed = "pace.txt"\nthu = "e.txt"\nsat = "e.txt"\n')
    from watchsync.model.athlete import Athlete

    athlete = Athlete(name="anna", max_hr=188, lthr=171, threshold_pace="4:30/km", units="imperial")
    report = lint_plan(load_plan(plan_file), athlete=athlete)
    [hard_days] = [issue for issue in report.issues if issue.rule == "hard-days"]
    assert (hard_days.week, hard_days.day) == (1, 2)  # Wednesday, after Tuesday
    [week] = report.weeks
    assert (week.easy_run_minutes, week.moderate_run_minutes, week.hard_run_minutes) == (120, 0, 60)
    text = format_report(report, "plan.toml", athlete.units)
    assert "run mi" in text and "run km" not in text  # an imperial athlete's miles (probe review17)
    assert f"{week.run_km / 1.609344:.1f}" in text.splitlines()[-2]
