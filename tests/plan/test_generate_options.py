"""The generator honours every option or says why not (a note in the plan, printed by the CLI):
property tests, one per rule, over a spread of settings."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from watchsync.cli import main
from watchsync.model.workout import Workout
from watchsync.plan.generate import GenerateError, GenerateOptions, generate_plan
from watchsync.plan.lint import lint_plan
from watchsync.plan.model import DAY_NAMES, History, Plan, WeekFocus
from watchsync.plan.parse import load_plan

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
SPEED = {"run": 2.8, "bike": 7.0, "swim": 0.67, "ski": 3.5}
CROSS = {"bike", "swim", "ski", "other"}

options = st.fixed_dictionaries({
    "weeks": st.integers(4, 8),
    "runs_per_week": st.integers(3, 6),
    "hours": st.sampled_from([3.5, 4.5, 5.0, 6.0, 7.0, 8.0]),
    "long_run_minutes": st.sampled_from([50, 60, 75, 80, 90, 100]),
    "cross_training": st.sampled_from([("bike",), ("swim",), ("skimo",), ("xc_ski",), ("bike", "xc_ski"),
                                       ("xc_ski", "skimo", "swim")]),
    "rest_day": st.sampled_from(DAY_NAMES),
    "deload_every": st.sampled_from([3, 4]),
    "deload_drop": st.sampled_from([0.2, 0.25, 0.3]),
    "history": st.one_of(st.none(), st.builds(
        lambda weekly, longest: History((weekly,) * 4, longest),
        st.sampled_from([200.0, 280.0, 360.0]), st.sampled_from([45.0, 70.0, 95.0]))),
})


def minutes(workout: Workout) -> float:
    speed = SPEED.get(workout.sport.family)
    return workout.estimated_seconds(60.0, 1 / speed if speed else None) / 60


def _generate(chosen: dict[str, object]) -> Plan:
    try:
        return generate_plan(GenerateOptions(library=LIBRARY, **chosen))  # type: ignore[arg-type]
    except GenerateError as error:
        assert "\n" not in str(error)  # refused, with one line saying why
        assume(False)
        raise


def _runs(plan: Plan, number: int) -> list[tuple[int, Workout]]:
    return [(day, s.workout) for day, items in plan.weeks[number - 1].days.items() for s in items
            if s.workout.sport.family == "run"]


def _easy_runs(plan: Plan, number: int) -> list[float]:
    return [minutes(w) for _, w in _runs(plan, number) if w.name.startswith("Easy run ")]


def _long(plan: Plan, number: int) -> float:
    return max(minutes(w) for _, w in _runs(plan, number) if "long" in w.tags)


def _total(plan: Plan, number: int) -> float:
    return sum(minutes(s.workout) for items in plan.weeks[number - 1].days.values() for s in items)


def _noted(plan: Plan, words: str) -> bool:
    return any(words in note for note in plan.notes)


EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@EXAMPLES
@given(chosen=options)
def test_the_long_run_asked_is_week_ones_or_a_note_says_why(chosen: dict[str, object]) -> None:
    plan = _generate(chosen)
    asked = float(chosen["long_run_minutes"])  # type: ignore[arg-type]
    assert _long(plan, 1) == pytest.approx(asked, abs=1) or _noted(plan, f"not the {asked:.0f} min asked")


@EXAMPLES
@given(chosen=options)
def test_the_hours_asked_are_week_ones_or_a_note_says_why(chosen: dict[str, object]) -> None:
    plan = _generate(chosen)
    asked = 60 * float(chosen["hours"])  # type: ignore[arg-type]
    assert asked - 5 <= _total(plan, 1) <= asked * 1.05 + 1 or _noted(plan, f"not the {chosen['hours']:g} h asked") \
        or _noted(plan, "week 1 holds ")  # short by more than 5 minutes: said


@EXAMPLES
@given(chosen=options)
def test_deload_weeks_shorten_the_long_run_and_never_lengthen_easy_runs(chosen: dict[str, object]) -> None:
    plan = _generate(chosen)
    last_build = None
    for number, week in enumerate(plan.weeks, start=1):
        if week.focus is WeekFocus.BUILD:
            last_build = number
            continue
        assert last_build is not None
        assert _long(plan, number) <= 0.8 * _long(plan, last_build) + 1
        assert max(_easy_runs(plan, number), default=0) <= max(_easy_runs(plan, last_build), default=0)


@EXAMPLES
@given(chosen=options)
def test_build_weeks_never_shrink_or_a_note_says_why(chosen: dict[str, object]) -> None:
    plan = _generate(chosen)
    builds = [n for n, week in enumerate(plan.weeks, start=1) if week.focus is WeekFocus.BUILD]
    for before, after in pairwise(builds):
        assert _total(plan, after) >= _total(plan, before) - 1e-6 or _noted(plan, f"week {after} holds ")
        running = [sum(minutes(w) for _, w in _runs(plan, n)) for n in (before, after)]
        assert running[1] <= running[0] * 1.1 + 1  # running grows at most 10 % (+ rounding), whatever cross-trains


SPORTS_OF = {"bike": {"cycling", "indoor_cycling"}, "swim": {"pool_swim", "open_water_swim"},
             "skimo": {"ski_mountaineering"}, "xc_ski": {"xc_skiing"}}


@EXAMPLES
@given(chosen=options)
def test_each_cross_training_sport_asked_is_the_sport_scheduled(chosen: dict[str, object]) -> None:
    plan = _generate(chosen)
    allowed = set().union(*(SPORTS_OF[name] for name in chosen["cross_training"]))  # type: ignore[attr-defined]
    scheduled = {s.workout.sport.value for week in plan.weeks for items in week.days.values() for s in items
                 if s.workout.sport.family in CROSS}
    assert scheduled <= allowed


@EXAMPLES
@given(chosen=options)
def test_cross_training_is_on_a_day_without_a_run_or_a_note_says_why(chosen: dict[str, object]) -> None:
    plan = _generate(chosen)
    for week in plan.weeks:
        for items in week.days.values():
            families = {s.workout.sport.family for s in items}
            if families & CROSS and "run" in families:
                assert _noted(plan, "cross-training shares a day with an easy run")


@EXAMPLES
@given(chosen=options)
def test_no_hard_session_is_beside_the_long_run(chosen: dict[str, object]) -> None:
    assert "long-run-neighbour" not in lint_plan(_generate(chosen)).rules_broken()


@EXAMPLES
@given(chosen=options)
def test_rest_day_runs_per_week_and_deload_cadence_are_as_asked(chosen: dict[str, object]) -> None:
    plan = _generate(chosen)
    rest = DAY_NAMES.index(str(chosen["rest_day"]))
    every = int(chosen["deload_every"])  # type: ignore[call-overload]
    for number, week in enumerate(plan.weeks, start=1):
        assert not week.days.get(rest)
        assert len({day for day, _ in _runs(plan, number)}) == chosen["runs_per_week"]
        assert (week.focus is WeekFocus.DELOAD) == (number % every == 0)


def test_the_cli_prints_why_an_option_was_not_honoured(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("WATCHSYNC_STATE_DIR", str(tmp_path / "state"))
    output = tmp_path / "plan.toml"
    assert main(["plan", "generate", "--long-run", "80m", "--hours", "6", "--runs-per-week", "5",
                 "--start", "2030-03-04", "--library", str(LIBRARY), "-o", str(output)]) == 0
    err = capsys.readouterr().err
    plan = load_plan(output)
    long_run = _long(plan, 1)
    if long_run < 79:  # not honoured: the CLI and the file say why
        assert "note: week 1's long run is" in err and "not the 80 min asked" in err
        assert "# note: week 1's long run" in output.read_text()
    else:
        assert "long run" not in err


def test_a_deload_too_deep_with_one_cross_session_keeps_short_ones_before_it_cuts_the_runs() -> None:
    from datetime import date

    plan = generate_plan(GenerateOptions(library=LIBRARY, weeks=4, deload_every=3, cross_training=("bike", "xc_ski"),
                                         hours=6.0, long_run_minutes=90, start=date(2026, 12, 7)))
    deload = plan.weeks[2]
    assert deload.focus is WeekFocus.DELOAD
    run_minutes = [sum(minutes(w) for _, w in _runs(plan, number)) for number in (2, 3)]
    assert run_minutes[1] >= 0.6 * run_minutes[0]  # the full cross-training set cut running by 44 %
    cross = [s.workout for items in deload.days.values() for s in items if s.workout.sport.family in ("bike", "ski")]
    assert cross and all(minutes(w) <= 60 for w in cross)  # each sport's shortest workout
    assert _long(plan, 3) >= 0.6 * _long(plan, 2)
