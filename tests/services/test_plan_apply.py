"""plan apply against the local Garmin server over HTTP: idempotent, and edits change only themselves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.plan.diff import ChangeKind
from watchsync.plan.parse import load_plan, parse_plan
from watchsync.services.plan_apply import apply_plan
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer

PLAN = Path(__file__).parents[1] / "plan" / "data" / "lint" / "good.toml"
START = date(2030, 3, 4)
SCHEDULE = "/workout-service/schedule/{id}"


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


@pytest.fixture
def service(tmp_path: Path, server: LocalGarminServer) -> Iterator[SyncService]:
    tokens = fake_token_dir(tmp_path / "tokens", server.url)
    with Store.open(tmp_path / "watchsync.sqlite3") as store:
        yield SyncService(store, lambda: GarminClient(tokens, server.url, sleep=lambda _s: None),
                          Athlete(name="anna", lthr=170))


def calendar(server: LocalGarminServer) -> list[tuple[str, str]]:
    names = {w["workoutId"]: w["workoutName"] for w in server.workouts()}
    return sorted((str(s["calendarDate"]), names[s["workoutId"]]) for s in server.schedules())


def writes(server: LocalGarminServer) -> tuple[int, int]:
    return server.stats.count("POST", SCHEDULE), server.stats.count("DELETE", SCHEDULE)


def test_apply_twice_gives_one_entry_per_session_and_an_edit_changes_only_itself(
        server: LocalGarminServer, service: SyncService) -> None:
    plan = load_plan(PLAN)
    expected = sorted((s.date.isoformat(), s.workout.name) for s in plan.sessions(START))
    first = apply_plan(plan, service, START)
    assert first.drained is not None and not first.drained.failures
    assert calendar(server) == expected
    before = writes(server)

    again = apply_plan(load_plan(PLAN), service, START)
    assert again.changes == () and calendar(server) == expected
    assert writes(server) == before

    text = PLAN.read_text()
    hills = 'thu = ["runs/hill-repeats.txt"]'
    at = text.index(hills)
    edited = text[:at] + 'thu = ["runs/fartlek.txt"]' + text[at + len(hills):]
    edited = edited.replace('sun = ["runs/easy-60.txt"]', 'thu = ["runs/easy-60.txt"]')
    dry = apply_plan(parse_plan(edited, PLAN), service, START, dry_run=True)
    assert [c.kind for c in dry.changes] == [ChangeKind.REPLACE, ChangeKind.MOVE]
    assert dry.changes[0].describe().endswith(": Hill repeats (base phase) → Fartlek 40 min")  # names, not keys
    assert writes(server) == before

    done = apply_plan(parse_plan(edited, PLAN), service, START)
    assert [c.kind for c in done.changes] == [ChangeKind.REPLACE, ChangeKind.MOVE]
    assert writes(server) == (before[0] + 2, before[1] + 2)
    now = sorted((s.date.isoformat(), s.workout.name) for s in parse_plan(edited, PLAN).sessions(START))
    assert calendar(server) == now
    assert len(now) == len(expected)


def _one_week_plan(name: str, day: str, workout: str) -> str:
    library = Path(__file__).resolve().parents[2] / "workouts"
    return (f'name = "{name}"\nlibrary = "{library}"\n[[weeks]]\nfocus = "build"\n'
            f'[[weeks.days.{day}]]\nworkout = "{workout}"\n')


def test_plans_own_only_their_entries_so_two_plans_share_a_week(server: LocalGarminServer,
                                                                service: SyncService) -> None:
    running = parse_plan(_one_week_plan("Running", "tue", "runs/easy-30.txt"), PLAN)
    strength = parse_plan(_one_week_plan("Strength", "wed", "strength/core-5min.txt"), PLAN)
    apply_plan(running, service, START)
    apply_plan(strength, service, START)
    assert calendar(server) == [("2030-03-05", "Easy run 30 min"), ("2030-03-06", "5-minute core")]
    moved = parse_plan(_one_week_plan("Running", "thu", "runs/easy-30.txt"), PLAN)
    result = apply_plan(moved, service, START)
    assert [c.kind for c in result.changes] == [ChangeKind.MOVE]
    assert calendar(server) == [("2030-03-06", "5-minute core"), ("2030-03-07", "Easy run 30 min")]


def _weeks_plan(name: str, workout: str, weeks: int) -> str:
    library = Path(__file__).resolve().parents[2] / "workouts"
    week = f'[[weeks]]\nfocus = "build"\n[[weeks.days.tue]]\nworkout = "{workout}"\n'
    return f'name = "{name}"\nlibrary = "{library}"\nforce = true\n' + week * weeks


def test_a_plan_applied_again_changes_the_calendar_from_today_on_never_the_days_gone_by(
        server: LocalGarminServer, service: SyncService) -> None:
    """journey8 #1: an edited plan (more volume) dropped again must not rewrite, nor re-score, what was done."""
    from datetime import timedelta

    today = service.athlete.today()
    start = today - timedelta(days=today.weekday() + 14)  # two weeks gone by, two to come
    first = apply_plan(parse_plan(_weeks_plan("Base", "runs/easy-30.txt", 4), PLAN), service, start)
    assert any("missed workouts" in warning for warning in first.warnings)  # a first apply puts them all on
    before = calendar(server)
    assert len(before) == 4

    again = apply_plan(parse_plan(_weeks_plan("Base", "runs/easy-45.txt", 4), PLAN), service, start)

    assert again.changes and all(change.date >= today for change in again.changes)
    after = calendar(server)
    assert [entry for entry in after if entry[0] < today.isoformat()] == \
        [entry for entry in before if entry[0] < today.isoformat()]  # last weeks' entries stand
    assert all(name == "Easy run 45 min" for day, name in after if day >= today.isoformat())
    assert len(after) == 4
    assert any("left as the calendar has them" in warning for warning in again.warnings)
    assert apply_plan(parse_plan(_weeks_plan("Base", "runs/easy-45.txt", 4), PLAN), service, start).changes == ()


def test_another_plans_entries_count_as_kept_only_while_they_are_on_the_calendar(server: LocalGarminServer,
                                                                                  service: SyncService) -> None:
    # probe journey10: "plan 'Dec block' also has 3 session(s) ...: both are kept" counted entries that a
    # later apply had taken off the calendar
    apply_plan(parse_plan(_one_week_plan("Dec block", "tue", "runs/easy-30.txt"), PLAN), service, START)
    renamed = parse_plan(_one_week_plan("December block", "tue", "runs/easy-30.txt"), PLAN)
    warnings = apply_plan(renamed, service, START).warnings
    assert any("plan 'Dec block' also has 1 session(s)" in line for line in warnings)
    for schedule in service.store.list_schedules("anna", states=("pending", "scheduled")):
        service.enqueue_unschedule(schedule.workout_key, schedule.date)  # the entry goes (by hand, or a plan)
    service.drain()
    again = parse_plan(_one_week_plan("December block", "tue", "runs/easy-30.txt"), PLAN)
    assert not any("Dec block" in line for line in apply_plan(again, service, START).warnings)


def test_a_plan_beside_another_on_other_days_of_its_weeks_is_no_overlap(server: LocalGarminServer,
                                                                          service: SyncService) -> None:
    # probe coach11: a yoga plan on Fridays beside the run plan was told "51 session(s) on this plan's days",
    # every run of its weeks, and advised to replace the run plan
    apply_plan(parse_plan(_one_week_plan("Runs", "tue", "runs/easy-30.txt"), PLAN), service, START)
    beside = apply_plan(parse_plan(_one_week_plan("Yoga", "fri", "cross/yoga-30.txt"), PLAN), service, START)
    assert not any("also has" in line for line in beside.warnings)
    same_day = apply_plan(parse_plan(_one_week_plan("Other", "tue", "cross/yoga-30.txt"), PLAN), service, START)
    assert any("plan 'Runs' also has 1 session(s)" in line for line in same_day.warnings)
    # a renamed run block on other weekdays of the same weeks: six runs a week (probe review15)
    renamed = apply_plan(parse_plan(_one_week_plan("Runs again", "wed", "runs/easy-45.txt"), PLAN), service, START)
    assert any("plan 'Runs' also has 1 session(s)" in line for line in renamed.warnings)


def test_a_gym_plan_beside_a_run_plan_with_a_strength_session_is_no_replacement(server: LocalGarminServer,
                                                                                 service: SyncService) -> None:
    # probe review16: a gym plan on a day the run plan leaves empty was told to replace the run plan, which
    # holds one strength session a week among its runs
    week = (f'name = "Base"\nlibrary = "{Path(__file__).resolve().parents[2] / "workouts"}"\n[[weeks]]\n'
            'focus = "build"\n[[weeks.days.tue]]\nworkout = "runs/easy-30.txt"\n[[weeks.days.thu]]\n'
            'workout = "runs/easy-45.txt"\n[[weeks.days.sat]]\nworkout = "strength/strength-5min.txt"\n')
    apply_plan(parse_plan(week, PLAN), service, START)
    gym = apply_plan(parse_plan(_one_week_plan("Gym", "fri", "strength/strength-5min.txt"), PLAN), service, START)
    assert not any("also has" in line for line in gym.warnings)
    # the other order too: the run plan applied after the gym plan replaces nothing (probe review17)
    again = apply_plan(parse_plan(week.replace('name = "Base"', 'name = "Base 2"'), PLAN), service, START)
    assert not any("plan 'Gym'" in line for line in again.warnings)
    assert any("plan 'Base' also has" in line for line in again.warnings)  # a renamed block still is


def test_deload_and_rest_weeks_are_kept_and_shown_to_the_coach(server: LocalGarminServer, service: SyncService,
                                                                tmp_path: Path) -> None:
    """probe coach10: a plan's deload week and a rest week (no sessions, "travel") reached no page, report
    or digest: a planned rest week read like a forgotten one."""
    from starlette.testclient import TestClient

    from watchsync.config import default_config
    from watchsync.services.plan_apply import plan_weeks
    from watchsync.web.app import create_app

    library = Path(__file__).resolve().parents[2] / "workouts"
    text = (f'name = "Block"\nlibrary = "{library}"\n[[weeks]]\n[weeks.days]\ntue = "runs/easy-30.txt"\n'
            '[[weeks]]\nnote = "travel, no training"\n[weeks.days]\n'
            '[[weeks]]\nfocus = "deload"\n[weeks.days]\nthu = "runs/easy-30.txt"\n')
    apply_plan(parse_plan(text, PLAN), service, START)
    weeks = plan_weeks(service.store, "anna")
    assert [(monday.isoformat(), week.focus, week.note, week.sessions) for monday, week in sorted(weeks.items())] == [
        ("2030-03-04", "build", None, 1), ("2030-03-11", "build", "travel, no training", 0),
        ("2030-03-18", "deload", None, 1)]
    config = default_config(state_dir=tmp_path)
    athlete = service.athlete.model_copy(update={"timezone": "UTC"})
    app = create_app(config.model_copy(update={"athletes": {"anna": athlete}}), service.store,
                     lambda: {"alive": False, "athletes": []})
    client = TestClient(app)
    assert "rest week: travel, no training" in client.get("/athletes/anna/week/2030-03-11").text
    assert "deload week: less volume, no quality session" in client.get("/athletes/anna/week/2030-03-18").text
    assert "week-label" not in client.get("/athletes/anna/week/2030-03-04").text


def test_apply_again_restores_what_was_removed_in_connect(server: LocalGarminServer, service: SyncService) -> None:
    """probe server13: an entry removed in Connect, and the entries of a workout deleted there, are put back
    by the next apply (one calendar read per month), never doubled; "nothing to change" is not said."""
    plan = load_plan(PLAN)
    expected = sorted((s.date.isoformat(), s.workout.name) for s in plan.sessions(START))
    apply_plan(plan, service, START)
    client = service.client
    removed = next(e for e in server.schedules() if e["calendarDate"] == "2030-03-12")
    client.unschedule(removed["workoutScheduleId"])
    [core] = [w["workoutId"] for w in server.workouts() if w["workoutName"] == "5-minute core"]
    client.delete_workout(core)  # its entries go with it
    missing = len(expected) - len(server.schedules())
    assert missing > 1
    months = server.stats.count("GET", "/calendar-service/year/{year}/month/{month}")

    again = apply_plan(load_plan(PLAN), service, START)
    assert again.changes == () and again.drained is not None and not again.drained.failures
    assert calendar(server) == expected
    restored = [line for line in again.lines() if line.startswith("restored ")]
    assert len(restored) == missing  # each missing one, once
    assert "restored 2030-03-12: " in "\n".join(restored)
    assert server.stats.count("GET", "/calendar-service/year/{year}/month/{month}") - months <= 2  # Mar, Apr
    assert [w["workoutName"] for w in server.workouts()].count("5-minute core") == 1

    before = writes(server)
    third = apply_plan(load_plan(PLAN), service, START)
    assert third.lines() == [] and writes(server) == before and calendar(server) == expected
