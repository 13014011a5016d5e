"""A workout file dropped again under a new name replaces its Garmin workout and calendar entry, never
adds one: daemon intake, then the real sync layer draining to the local Garmin server over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from watchsync.daemon.intake import AthleteInbox, Intake
from watchsync.daemon.status import intake_warnings
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer

DAY = date(2030, 3, 5)
PLAN = f"""name = "One run"
start = {DAY}

[[weeks]]
[[weeks.days.tue]]
workout = "easy.txt"
"""


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


@contextmanager
def _intake(tmp_path: Path, server: LocalGarminServer,
            **athlete: Any) -> Iterator[tuple[Store, SyncService, Intake, Path]]:
    """The daemon's intake of anna's inbox, its sync layer draining to the local Garmin server."""
    anna = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, **athlete)
    tokens = fake_token_dir(tmp_path / "tokens" / "anna", server.url)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with Store.open(tmp_path / "store.sqlite3") as store:
        sync = SyncService(store, lambda: GarminClient(tokens, server.url), anna)
        yield store, sync, Intake(store, {"anna": AthleteInbox(anna, inbox, sync)}, tmp_path / "state",
                                  on_queued=lambda _: None), inbox


def test_a_renamed_workout_replaces_the_old_one_and_its_calendar_entry(tmp_path: Path,
                                                                       server: LocalGarminServer) -> None:
    with _intake(tmp_path, server) as (_store, sync, intake, inbox):

        def drop(name: str, text: str) -> None:
            (inbox / name).write_text(text, encoding="utf-8")
            intake.accept("anna", inbox / name)
            assert (inbox / "processed" / name).exists()
            drained = sync.drain()
            assert not drained.failures and drained.remaining == 0 and drained.parked is None

        drop("easy.txt", "name: Easy 30\nsport: running\n- 30m RPE 3 easy\n")
        drop("plan.toml", PLAN)
        assert [w["workoutName"] for w in server.workouts()] == ["Easy 30"]
        assert len(server.schedules()) == 1

        drop("easy.txt", "name: Easy run 30 min\nsport: running\n- 30m RPE 3 easy\n")

        names = [w["workoutName"] for w in server.workouts()]
        assert names == ["Easy run 30 min"]
        schedules = server.schedules()
        assert len(schedules) == 1
        assert schedules[0]["workoutId"] == server.workouts()[0]["workoutId"]
        assert DAY.isoformat() in str(schedules[0])


def test_a_version_named_after_its_file_replaces_no_named_workout(tmp_path: Path, server: LocalGarminServer) -> None:
    """probe journey10: the tail of a file appended after it was taken (no name line: named after the
    file) counted as a rename and deleted the coach's workout at Garmin. It is kept now, and said."""
    with _intake(tmp_path, server, sport="running") as (store, sync, intake, inbox):
        for text in ("name: Tempo 40\nsport: running\n- 10m RPE 3\n- 20m RPE 7 tempo\n- 10m RPE 2\n",
                     "- 2m RPE 3 jog\n- 6m RPE 2 easy\n"):
            (inbox / "pieces.txt").write_text(text, encoding="utf-8")
            intake.accept("anna", inbox / "pieces.txt")
            assert sync.drain().remaining == 0
        assert sorted(w["workoutName"] for w in server.workouts()) == ["Tempo 40", "pieces"]
        [said] = [warning for entry in intake_warnings(store, "anna") for warning in entry["warnings"]]
        assert "this version has no name line (named 'pieces' after the file); the workout 'tempo-40'" in said


def test_a_plan_reads_the_newest_version_of_a_dropped_file(tmp_path: Path, server: LocalGarminServer) -> None:
    """probe journey10: processed/ kept the first version under the plain name, so a plan naming
    ``easy.txt`` scheduled a workout since renamed (skipped: deleted), and one naming it by its workout
    name was refused as ambiguous between the versions."""
    with _intake(tmp_path, server) as (_store, sync, intake, inbox):
        for name, text in (("easy.txt", "name: Easy 30\nsport: running\n- 30m RPE 3 easy\n"),
                           ("easy.txt", "name: Easy 35\nsport: running\n- 35m RPE 3 easy\n"),
                           ("plan.toml", PLAN),
                           ("byname.toml", PLAN.replace('"One run"', '"By name"').replace('"easy.txt"', '"Easy 35"')
                            .replace(f"start = {DAY}", f"start = {DAY + timedelta(days=7)}"))):
            (inbox / name).write_text(text, encoding="utf-8")
            intake.accept("anna", inbox / name)
            assert sync.drain().remaining == 0
        assert [w["workoutName"] for w in server.workouts()] == ["Easy 35"]
        assert (inbox / "processed" / "easy.txt").read_text(encoding="utf-8").startswith("name: Easy 35")
        assert len(server.schedules()) == 2 and not list((inbox / "rejected").glob("*.toml"))


def test_a_second_file_of_the_same_name_or_a_plans_inline_copy_replacing_a_files_workout_is_said(
        tmp_path: Path, server: LocalGarminServer) -> None:
    """probe journey10: two files named "Intervals" became one workout without a word (the calendar entry
    of the first ran the second), and a plan's inline "Easy 40" went back over the coach's file."""
    inline = (f'name = "Block"\nstart = {DAY}\n\n[[weeks]]\n[[weeks.days.thu]]\n'
              'text = """\nname: Easy 40\nsport: running\n- 40m RPE 3\n"""\n')
    with _intake(tmp_path, server) as (store, sync, intake, inbox):
        for name, text in (("track.txt", "name: Intervals\nsport: running\n6x\n- 3m RPE 8\n- 2m RPE 2\n"),
                           ("short.txt", "name: Intervals\nsport: running\n10x\n- 30s RPE 9\n- 90s RPE 2\n"),
                           ("easy40.txt", "name: Easy 40\nsport: running\n- 35m RPE 3\n"),
                           ("block.toml", inline)):
            (inbox / name).write_text(text, encoding="utf-8")
            intake.accept("anna", inbox / name)
            if name == "track.txt":
                sync.enqueue_schedule("intervals", DAY)  # the coach schedules the track session
                continue  # not sent before the next file is taken (a folder copied in): said all the same
            assert sync.drain().remaining == 0
        said = {entry["file"]: entry["warnings"] for entry in intake_warnings(store, "anna")}
    assert said["short.txt"] == [
        "short.txt: warning: replaces workout 'Intervals', which track.txt made (the same name); its "
        f"calendar entries ({DAY}) run this version now (give this file another name: line to keep both)"]
    assert said["block.toml"] == [
        "block.toml: warning: its workout 'Easy 40' replaces the one easy40.txt made (the same name)"]
