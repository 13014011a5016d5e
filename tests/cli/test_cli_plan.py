"""The plan commands through ``watchsync.cli.main``; apply against the local Garmin server over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from watchsync.plan.parse import load_plan
from watchsync.testing.garmin.faults import Faults
from watchsync.testing.garmin.server import LocalGarminServer

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "workouts"
START = date(2026, 11, 30)  # a Monday
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def server(garmin_server: LocalGarminServer) -> LocalGarminServer:
    return garmin_server


@pytest.fixture
def run(cli_for: Callable[[str], Run]) -> Run:
    return cli_for('[athletes.anna]\nmax_hr = 188\nresting_hr = 48\nlthr = 171\n'
                   'threshold_pace = "4:30/km"\nftp = 230\n')


def test_generate_writes_a_plan_that_lints_clean(run: Run, tmp_path: Path) -> None:
    output = tmp_path / "plans" / "p.toml"
    code, _, err = run("plan", "generate", "--weeks", "8", "--start", START.isoformat(), "--library", str(LIBRARY),
                       "--runs-per-week", "4", "--cross-training", "bike,xc_ski", "-o", str(output))
    assert code == 0, err
    plan = load_plan(output)
    assert len(plan.weeks) == 8 and plan.start == START
    code, out, _ = run("plan", "lint", str(output))
    assert code == 0
    assert "0 error(s)" in out


def test_generate_refuses_contradictory_settings(run: Run) -> None:
    code, _, err = run("plan", "generate", "--library", str(LIBRARY), "--hours", "12", "--runs-per-week", "3",
                       "--long-run", "45m")
    assert code == 1
    assert err.startswith("watchsync: ") and len(err.strip().splitlines()) == 1


def test_lint_refuses_a_plan_for_an_athlete_the_config_lacks(run: Run, tmp_path: Path) -> None:
    typo = tmp_path / "karl.toml"
    typo.write_text(f'name = "Base"\nathlete = "karl"\nstart = "{START}"\nlibrary = "{LIBRARY}"\n'
                    '[[weeks]]\nfocus = "build"\n[[weeks.days.tue]]\nworkout = "runs/easy-30.txt"\n')
    code, _, err = run("plan", "lint", str(typo))
    assert code == 2 and "karl" in err  # as `plan apply` refuses it, before anything is linted
    named = tmp_path / "anna.toml"
    named.write_text(typo.read_text().replace('"karl"', '"anna"'))
    assert run("plan", "lint", str(named))[0] == 0


def test_lint_exits_1_on_a_rule_error(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "two hard days"\nstart = "{START}"\nlibrary = "{LIBRARY}"\n'
                   '[[weeks]]\nfocus = "build"\n[[weeks.days.tue]]\nworkout = "runs/hill-repeats.txt"\n'
                   '[[weeks.days.wed]]\nworkout = "runs/fartlek.txt"\n')
    code, out, _ = run("plan", "lint", str(bad))
    assert code == 1
    assert "week 1" in out and "hard" in out


def test_unknown_workout_names_file_line_week_and_day(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "typo"\nlibrary = "{LIBRARY}"\n[[weeks]]\nfocus = "build"\n'
                   '[[weeks.days.thu]]\nworkout = "runs/no-such-run.txt"\n')
    code, _, err = run("plan", "show", str(bad))
    assert code == 1
    assert (f"{bad}:5" in err or f"{bad}:6" in err) and "week 1" in err and "thu" in err


def test_show_prints_the_week_table(run: Run) -> None:
    code, out, _ = run("plan", "show", str(LIBRARY / "plans" / "base-6-weeks.toml"))
    assert code == 0
    assert [line.split()[0] for line in out.splitlines() if line[:1].isdigit()][:6] == list("123456")


def test_ics_is_valid_icalendar_with_one_event_per_session(run: Run, tmp_path: Path) -> None:
    plan_file = LIBRARY / "plans" / "base-4-weeks.toml"
    output = tmp_path / "plan.ics"
    assert run("plan", "ics", str(plan_file), "-o", str(output), "--start", START.isoformat())[0] == 0
    calendar = Calendar.from_ical(output.read_bytes())
    events = calendar.walk("VEVENT")
    sessions = list(load_plan(plan_file).sessions(START))
    assert len(events) == len(sessions)
    assert len({str(event["UID"]) for event in events}) == len(events)
    assert "RPE" in str(events[0]["DESCRIPTION"])
    assert min(event.decoded("DTSTART") for event in events) >= START


def _schedule_count(server: LocalGarminServer) -> int:
    return len(server.schedules())


def _writes(server: LocalGarminServer, route: str) -> int:
    return sum(n for (method, template), n in server.stats.requests.items()
               if method in {"POST", "DELETE"} and template.startswith(route))


def test_apply_twice_then_edit_two_sessions(run: Run, server: LocalGarminServer, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.toml"
    shutil.copy(LIBRARY / "plans" / "base-4-weeks.toml", plan_file)
    text = plan_file.read_text().replace('library = "..', f'library = "{LIBRARY}"')
    if 'library = "' not in text:
        text = f'library = "{LIBRARY}"\n' + text
    plan_file.write_text(text)
    sessions = list(load_plan(plan_file).sessions(START))

    code, out, err = run("plan", "apply", str(plan_file), "--start", START.isoformat(), "--dry-run")
    assert code == 0, err
    assert server.schedules() == [] and "would " in out

    assert run("plan", "apply", str(plan_file), "--start", START.isoformat())[0] == 0
    assert _schedule_count(server) == len(sessions)
    before = dict(server.stats.requests)
    assert run("plan", "apply", str(plan_file), "--start", START.isoformat())[0] == 0
    assert _schedule_count(server) == len(sessions)
    assert _writes(server, "/workout-service/schedule") == sum(
        n for (m, t), n in before.items() if m in {"POST", "DELETE"} and t.startswith("/workout-service/schedule"))

    # Move the first session of week 2 by a day and swap one library workout for another: two changes.
    plan = load_plan(plan_file)
    week2 = plan.weeks[1]
    day = min(week2.days)
    assert day < 6
    edited = plan_file.read_text()
    week2_at = edited.index("# --- week 2 ---")
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    head, tail = edited[:week2_at], edited[week2_at:]
    tail = tail.replace(f"[[weeks.days.{names[day]}]]", f"[[weeks.days.{names[day + 1]}]]", 1)
    week3_at = tail.index("# --- week 3 ---")
    tail = tail[:week3_at] + tail[week3_at:].replace("strength/core-5min.txt", "cross/yoga-30.txt", 1)
    plan_file.write_text(head + tail)
    schedules_before = _writes(server, "/workout-service/schedule")
    code, out, err = run("plan", "apply", str(plan_file), "--start", START.isoformat())
    assert code == 0, err
    assert _schedule_count(server) == len(sessions)
    assert _writes(server, "/workout-service/schedule") - schedules_before == 4  # 2 removed + 2 added
    assert len(out.strip().splitlines()) >= 2


def test_a_block_regenerated_with_more_weeks_replaces_the_first_and_a_renamed_one_is_warned_of(
        run: Run, server: LocalGarminServer, tmp_path: Path) -> None:
    def generate(weeks: int, output: Path, *extra: str) -> list[tuple[str, str]]:
        code, _, err = run("plan", "generate", "--weeks", str(weeks), "--start", START.isoformat(),
                           "--library", str(LIBRARY), "-o", str(output), *extra)
        assert code == 0, err
        code, _, err = run("plan", "apply", str(output))
        assert code == 0, err
        return sorted((s.workout.name, s.date.isoformat()) for s in load_plan(output).sessions())

    generate(6, tmp_path / "six.toml")
    expected = generate(8, tmp_path / "eight.toml")  # the coach's edit: the same block, 8 weeks
    names = {w["workoutId"]: w["workoutName"] for w in server.workouts()}
    assert sorted((names[s["workoutId"]], s["calendarDate"]) for s in server.schedules()) == expected

    other = tmp_path / "other.toml"
    code, _, err = run("plan", "generate", "--weeks", "4", "--start", START.isoformat(), "--library", str(LIBRARY),
                       "--name", "Second block", "-o", str(other))
    assert code == 0, err
    code, _, err = run("plan", "apply", str(other), "--dry-run")
    assert code == 0, err
    assert (f"warning: plan 'Base building from {START} (anna)' also has " in err
            and "in this plan's weeks" in err), err


def test_a_reapply_while_earlier_changes_wait_says_so_and_exits_1(run: Run, server: LocalGarminServer,
                                                                   tmp_path: Path) -> None:
    plan_file = tmp_path / "p.toml"
    code, _, err = run("plan", "generate", "--weeks", "4", "--start", START.isoformat(), "--library", str(LIBRARY),
                       "-o", str(plan_file))
    assert code == 0, err
    assert run("plan", "apply", str(plan_file))[0] == 0
    on_calendar = len(server.schedules())
    text = plan_file.read_text()
    at = text.rindex("[[weeks.days.sun]]")  # the last long run moves to Saturday
    plan_file.write_text(text[:at] + "[[weeks.days.sat]]" + text[at + len("[[weeks.days.sun]]"):])
    server.set_faults(Faults(server_error=1.0))  # Garmin failing: the move waits for a retry
    code, _, err = run("plan", "apply", str(plan_file))
    assert code == 1 and "will be retried" in err
    server.set_faults(Faults())
    code, out, err = run("plan", "apply", str(plan_file))  # before the retry time: nothing is sent yet
    assert code == 1
    assert out.strip() == "nothing new to change; the calendar checks and earlier changes wait for a retry (see below)"
    assert "earlier operation(s) still wait for a retry" in err
    assert len(server.schedules()) == on_calendar


def test_a_dry_run_of_a_plan_already_applied_says_nothing_would_change(run: Run, tmp_path: Path) -> None:
    # it printed "would nothing to change: the calendar already matches the plan" (probe coach14)
    plan_file = tmp_path / "p.toml"
    assert run("plan", "generate", "--weeks", "4", "--start", START.isoformat(), "--library", str(LIBRARY),
               "-o", str(plan_file))[0] == 0
    assert run("plan", "apply", str(plan_file))[0] == 0
    code, out, _ = run("plan", "apply", str(plan_file), "--dry-run")
    assert code == 0 and out.strip().startswith("nothing would change: the store already holds the plan")


def test_a_plan_starting_in_the_past_is_noted_and_its_past_sessions_warned_of(run: Run, tmp_path: Path) -> None:
    from datetime import timedelta

    today = date.today()
    monday = today - timedelta(days=today.weekday() + 14)
    plan_file = tmp_path / "past.toml"
    code, _, err = run("plan", "generate", "--weeks", "4", "--start", monday.isoformat(), "--library", str(LIBRARY),
                       "-o", str(plan_file))
    assert code == 0 and f"note: the plan starts on {monday}, in the past" in err
    past = sum(1 for session in load_plan(plan_file).sessions() if session.date < today)
    code, _, err = run("plan", "apply", str(plan_file), "--dry-run")
    assert code == 0 and f"warning: {past} session(s) fall on days before today" in err


def test_generate_starts_on_the_monday_after_the_athletes_day_not_the_servers(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watchsync.model.athlete import Athlete

    monkeypatch.setattr(Athlete, "today", lambda self: date(2030, 3, 3))  # a Sunday where the athlete is
    output = tmp_path / "p.toml"
    code, _, err = run("plan", "generate", "--library", str(LIBRARY), "-o", str(output))
    assert code == 0, err
    assert load_plan(output).start == date(2030, 3, 4)
    assert "in the past" not in err


def test_every_plan_generate_example_of_the_help_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    # probe docs11: `watchsync --help` showed `--start 2030-01-06`, a Sunday, which plan generate refuses
    import shlex

    from watchsync.cli import EXAMPLES, main

    monkeypatch.chdir(tmp_path)
    commands = [line.strip() for text in EXAMPLES.values() for line in text.splitlines()
                if line.strip().startswith("watchsync plan generate")]
    assert commands
    for command in commands:
        arguments = shlex.split(command)[1:]
        assert main([*arguments, "--state-dir", str(tmp_path / "state")]) == 0, (command, capsys.readouterr().err)


def test_generate_seeds_from_the_complete_weeks_the_store_holds_and_says_which(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime, timedelta

    from watchsync.compliance.activities import ActivitySummary
    from watchsync.compliance.load import activity_load
    from watchsync.model.athlete import Athlete
    from watchsync.model.workout import Sport
    from watchsync.store import Store

    # probe coach12: three weeks on watchsync (6.5 h each), the next block generated on a Saturday
    monkeypatch.setattr(Athlete, "today", lambda self: START - timedelta(days=2))
    with Store.open(tmp_path / "state" / "watchsync.sqlite3") as store:
        number = 0
        for week in (3, 2, 1):
            for day, minutes in enumerate((60, 50, 70, 0, 60, 40, 110)):
                moment = datetime.combine(START - timedelta(weeks=week, days=-day), datetime.min.time()) \
                    + timedelta(hours=8)
                if (week == 1 and day > 4) or not minutes:
                    continue  # this week's weekend is still to come
                number += 1
                summary = ActivitySummary(id=str(number), sport=Sport.RUNNING, start=moment, duration_s=minutes * 60)
                store.upsert_activity("anna", number, moment.replace(tzinfo=UTC), sport="running",
                                      summary={"summary": summary.model_dump(mode="json"), "load": activity_load(
                                          summary, None, Athlete(name="anna")).model_dump(mode="json")})
    output = tmp_path / "next.toml"
    code, _, err = run("plan", "generate", "--weeks", "4", "--library", str(LIBRARY), "--hours", "7",
                       "--long-run", "2h", "-o", str(output))
    assert code == 0, err
    monday = START - timedelta(weeks=3)
    assert f"note: history: 2 complete weeks from {monday}, 6.5 h a week on average; the longest run" in err
    plan = load_plan(output)
    assert plan.history is not None and plan.history.weekly_minutes == (390.0, 390.0)
    assert f"# from the store: the 2 complete weeks from {monday}" in output.read_text("utf-8")
    assert "not the 7 h asked" not in err  # 7 h is within 10 % of the 6.5 h done
