"""Reading plan files: forms of days and sessions, dates, and one-line errors with file:line week day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watchsync.plan.library import Library
from watchsync.plan.model import PlanError
from watchsync.plan.parse import load_plan

LIBRARY = Library(Path(__file__).resolve().parents[2] / "workouts")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str, library: Library | None = LIBRARY) -> str:
    with pytest.raises(PlanError) as caught:
        load_plan(write(tmp_path, text), library)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_days_take_strings_lists_tables_names_and_inline_text(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, '''name = "p"
start = 2026-03-02
[[weeks]]
focus = "deload"
note = "easy week"
[weeks.days]
tue = "runs/easy-30.txt"
wed = ["Easy run 45 min", { workout = "core-5min", note = "after the run" }]
[[weeks]]
[[weeks.days.sat]]
text = """
name: Shakeout
sport: running
- 20m RPE 2 easy
"""
'''), LIBRARY)
    sessions = list(plan.sessions())
    assert [(s.date, s.workout.name) for s in sessions] == [
        (date(2026, 3, 3), "Easy run 30 min"), (date(2026, 3, 4), "Easy run 45 min"),
        (date(2026, 3, 4), "5-minute core"), (date(2026, 3, 14), "Shakeout")]
    assert sessions[2].session.note == "after the run"
    assert plan.weeks[0].note == "easy week" and plan.weeks[1].focus.value == "build"
    assert [s.session.line for s in sessions] == [7, 8, 8, 10]


def test_a_plan_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # probe journey10: a plan saved by a Windows editor (UTF-8 with BOM) was "invalid TOML: Invalid statement"
    path = tmp_path / "plan.toml"
    plan = b'name = "p"\nstart = 2026-03-02\n[[weeks]]\n[weeks.days]\ntue = "runs/easy-30.txt"\n'
    path.write_bytes(b"\xef\xbb\xbf" + plan)
    assert [s.workout.name for s in load_plan(path, LIBRARY).sessions()] == ["Easy run 30 min"]


def test_start_at_apply_time_places_calendar_weeks(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, 'name = "p"\n[[weeks]]\n[weeks.days]\nsun = "runs/easy-30.txt"\n'), LIBRARY)
    with pytest.raises(PlanError, match="no start date"):
        list(plan.sessions())
    assert [s.date for s in plan.sessions(date(2026, 3, 5))] == [date(2026, 3, 8)]


@pytest.mark.parametrize(("text", "expected"), [
    ('name = "p"\n[[weeks]]\n[weeks.days]\ntue = "runs/nope.txt"\n',
     "plan.toml:4: week 1 day tue: unknown workout 'runs/nope.txt'"),
    ('name = "p"\n[[weeks]]\n[[weeks.days.sun]]\nworkout = "runs/long-easy-90.txt"\n'
     '[[weeks.days.sun]]\nworkout = "runs/long-easy-90.txt"\n',
     "plan.toml:5: week 1 day sun: 2 long runs on one day"),
    ('name = "p"\n[[weeks]]\n[weeks.days]\ntue = ["runs/easy-30.txt", "strength/core-5min.txt", '
     '"runs/easy-30.txt"]\n',
     "plan.toml:4: week 1 day tue: 'Easy run 30 min' twice on one day: watchsync puts a workout on a day's "
     "calendar once"),
    ('name = "p"\nstart = 2026-03-04\n[[weeks]]\n[weeks.days]\nmon = "runs/easy-30.txt"\n',
     "plan.toml:5: week 1 day mon: 2026-03-02 is before the plan start 2026-03-04 (date outside the plan)"),
    ('name = "p"\n[[weeks]]\n[weeks.days]\ntues = "runs/easy-30.txt"\n',
     "plan.toml:4: week 1: unknown day 'tues'"),
    ('name = "p"\n[[weeks]]\nfocus = "taper"\n', "plan.toml:2: week 1: focus 'taper' is not build or deload"),
    ('name = "p"\n[[weeks]]\n[weeks.days]\ntue = { workout = "runs/easy-30.txt", text = "x" }\n',
     "plan.toml:4: week 1 day tue: a session needs either workout"),
    ('name = "p"\nweeks = [\n', "plan.toml:2: invalid TOML"),
    ('[[weeks]]\n', "plan.toml:1: the plan needs a name"),
    ('name = "p"\nstart = "soon"\n[[weeks]]\n', "plan.toml:2: start 'soon' is not a date"),
    ('name = "p"\ncolour = "red"\n[[weeks]]\n', "plan.toml:2: unknown key 'colour'"),
])
def test_errors_name_file_line_week_and_day(tmp_path: Path, text: str, expected: str) -> None:
    message = error_of(tmp_path, text)
    assert message.startswith(str(tmp_path / expected.split(":", 1)[0]) + ":" + expected.split(":", 1)[1])


def test_inline_text_errors_point_at_the_plan_line_and_column(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'name = "p"\n[[weeks]]\n[[weeks.days.tue]]\ntext = """\nname: x\n'
                                 'sport: running\n- 10m RPE 3\n- 10m RPE 13\n"""\n')
    assert message.startswith(f"{tmp_path / 'plan.toml'}:8:")
    assert "week 1 day tue:" in message


def test_a_broken_library_workout_is_reported_with_its_own_location(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text("name: bad\nsport: running\n- 10m RPE 42\n")
    message = error_of(tmp_path, 'name = "p"\nlibrary = "."\n[[weeks]]\n[weeks.days]\nfri = "bad.txt"\n', None)
    assert "plan.toml:5: week 1 day fri: workout 'bad.txt' is invalid:" in message
    assert "bad.txt:3:" in message


def test_the_newest_version_of_an_archived_file_is_the_library_s_whatever_its_name(tmp_path: Path) -> None:
    # probe review13: an earlier install kept the first version under the plain name and stamped later ones
    import os

    old, new = tmp_path / "tempo.txt", tmp_path / "tempo.20261125T101500.txt"
    old.write_text("name: Tempo 30\nsport: running\n- 30m RPE 6\n")
    new.write_text("name: Tempo 40\nsport: running\n- 40m RPE 6\n")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_500_000, 1_700_500_000))
    assert [w.name for _ref, w in Library(tmp_path, newest_only=True).workouts()] == ["Tempo 40"]
    assert len(Library(tmp_path).workouts()) == 2
