"""Plans a coach can trust, through the command line and the daemon's intake: identity, calendar UIDs,
a plan file that survives a move, and lint before apply."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from watchsync.daemon.intake import AthleteInbox, Intake
from watchsync.daemon.intake_files import ERROR_SUFFIX
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.plan.parse import load_plan
from watchsync.store import Store
from watchsync.testing.garmin.server import LocalGarminServer

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "workouts"
START = date(2030, 3, 4)  # a Monday
Run = Callable[..., tuple[int, str, str]]
#: Week 2's long run is 150 % of week 1's: a long-run-spike error.
SPIKY = f"""name = "Spiky"
athlete = "anna"
start = {START}
library = "{LIBRARY}"

[[weeks]]
focus = "build"
[[weeks.days.sun]]
text = \"\"\"
name: Long 60
sport: trail_running
tags: long
- 60m RPE 3
\"\"\"

[[weeks]]
focus = "build"
[[weeks.days.sun]]
text = \"\"\"
name: Long 90
sport: trail_running
tags: long
- 90m RPE 3
\"\"\"
"""


@pytest.fixture
def server(garmin_server: LocalGarminServer) -> LocalGarminServer:
    return garmin_server


@pytest.fixture
def run(cli_for: Callable[[str], Run]) -> Run:
    return cli_for('[athletes.anna]\nmax_hr = 188\nresting_hr = 48\nlthr = 171\n'
                   '[athletes.ben]\nmax_hr = 190\nresting_hr = 50\ntargets = "rpe"\n')


def _generate(run: Run, output: Path, *extra: str) -> None:
    code, _, err = run("plan", "generate", "--start", START.isoformat(), "--library", str(LIBRARY), "-o",
                       str(output), *extra)
    assert code == 0, err


def _uids(path: Path) -> list[str]:
    return [str(event["UID"]) for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


# --- identity and calendar export ----------------------------------------------------------------


def test_generated_plans_are_named_per_block_and_athlete_and_name_is_honoured(run: Run, tmp_path: Path) -> None:
    _generate(run, tmp_path / "a.toml", "--athlete", "anna")
    _generate(run, tmp_path / "b.toml", "--athlete", "anna", "--name", "Spring base")
    assert load_plan(tmp_path / "a.toml").name == f"Base building from {START} (anna)"
    assert load_plan(tmp_path / "b.toml").name == "Spring base"


def test_two_athletes_calendar_exports_share_no_uid(run: Run, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    _generate(run, plan, "--name", "Shared block")
    assert run("plan", "ics", str(plan), "--athlete", "anna", "-o", str(tmp_path / "anna.ics"))[0] == 0
    assert run("plan", "ics", str(plan), "--athlete", "ben", "-o", str(tmp_path / "ben.ics"))[0] == 0
    anna, ben = _uids(tmp_path / "anna.ics"), _uids(tmp_path / "ben.ics")
    assert len(anna) == len(ben) > 20 and len(set(anna)) == len(anna)
    assert not set(anna) & set(ben)


def test_uids_are_per_session_and_sequence_counts_revisions(run: Run, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    _generate(run, plan, "--weeks", "4")
    ics = tmp_path / "plan.ics"
    assert run("plan", "ics", str(plan), "-o", str(ics))[0] == 0
    before = {str(e["UID"]): e for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")}
    assert {int(e["SEQUENCE"]) for e in before.values()} == {0}
    # remove the first session of week 2's Tuesday and lengthen week 1's long run
    text = plan.read_text()
    week2 = text.index("# --- week 2 ---")
    removed_at = text.index("[[weeks.days.tue]]", week2)
    removed_end = text.index("[[weeks.days", removed_at + 5)
    text = text[:removed_at] + text[removed_end:]
    long_name = next(line for line in text.splitlines() if line.startswith("name: Long easy run"))
    minutes = int(long_name.split()[4])
    first_long = text.index(long_name)
    main_step = text.index(f"- {minutes - 20}m RPE 3-4", first_long)
    text = text[:main_step] + f"- {minutes - 18}m RPE 3-4" + text[main_step + len(f"- {minutes - 20}m RPE 3-4"):]
    plan.write_text(text.replace(long_name, f"name: Long easy run {minutes + 2} min", 1))
    assert run("plan", "ics", str(plan), "-o", str(ics))[0] == 0
    after = {str(e["UID"]): e for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")}
    assert len(after) == len(before) - 1
    assert set(after) <= set(before)  # no session got a new identity; the lengthened long run neither
    lengthened = [uid for uid, event in after.items()
                  if str(event["SUMMARY"]).startswith(f"Long easy run {minutes + 2}")]
    assert [int(after[uid]["SEQUENCE"]) for uid in lengthened] == [1]  # revised, not a second event
    assert all(int(event["SEQUENCE"]) == 0 for uid, event in after.items() if uid not in lengthened)
    # an unchanged session keeps its SEQUENCE; a session whose steps changed is revised once more
    text = plan.read_text().replace("- 5m RPE 2 easy jog or walk", "- 6m RPE 2 easy jog or walk", 1)
    plan.write_text(text)
    assert run("plan", "ics", str(plan), "-o", str(ics))[0] == 0
    revised = {str(e["UID"]): int(e["SEQUENCE"]) for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")}
    assert set(revised) == set(after)
    assert {uid: sequence for uid, sequence in revised.items() if sequence} == {lengthened[0]: 2}


# --- a plan file that survives a move --------------------------------------------------------------


def test_a_generated_plan_works_after_a_move(run: Run, tmp_path: Path) -> None:
    plan = tmp_path / "drafts" / "plan.toml"
    _generate(run, plan)
    moved = tmp_path / "elsewhere" / "deep" / "plan.toml"
    moved.parent.mkdir(parents=True)
    shutil.move(plan, moved)
    code, out, err = run("plan", "lint", str(moved))
    assert code == 0, out + err
    assert run("plan", "show", str(moved))[0] == 0


def test_a_missing_relative_library_says_what_it_is_relative_to(run: Run, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('name = "x"\nlibrary = "../workouts"\n[[weeks]]\n[[weeks.days.tue]]\nworkout = "a.txt"\n')
    code, _, err = run("plan", "lint", str(plan))
    assert code == 1
    assert "relative to the plan file's folder" in err and str(tmp_path.resolve()) in err


def test_the_daemon_takes_a_generated_plan_moved_into_the_inbox(run: Run, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    _generate(run, plan, "--athlete", "anna")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.move(plan, inbox / "plan.toml")
    with _intake(tmp_path, inbox) as (intake, store):
        intake.accept("anna", inbox / "plan.toml")
        assert (inbox / "processed" / "plan.toml").exists()
        assert len(store.list_schedules("anna")) > 20


# --- lint before apply ---------------------------------------------------------------------------------


def test_apply_refuses_a_plan_with_lint_errors_unless_forced(run: Run, tmp_path: Path,
                                                             server: LocalGarminServer) -> None:
    plan = tmp_path / "spiky.toml"
    plan.write_text(SPIKY)
    code, _, err = run("plan", "apply", str(plan))
    assert code == 1
    assert "1 lint error(s), the plan is not applied" in err and "[long-run-spike]" in err and "week 2" in err
    assert server.workouts() == [] and server.schedules() == []  # nothing reached Garmin
    code, out, err = run("plan", "apply", str(plan), "--force", "--dry-run")
    assert code == 0 and "warning: would be applied despite" in err and server.schedules() == []
    code, out, err = run("plan", "apply", str(plan), "--force")
    assert code == 0, err
    assert "warning: applied despite" in err and "long-run-spike" in err
    assert "add" in out and [s for s in server.schedules()] and len(server.workouts()) == 2


def test_the_daemon_rejects_a_plan_with_lint_errors_with_the_lint_report_beside_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "spiky.toml").write_text(SPIKY)
    with _intake(tmp_path, inbox) as (intake, store):
        intake.accept("anna", inbox / "spiky.toml")
        assert (inbox / "rejected" / "spiky.toml").exists()
        assert store.list_schedules("anna") == [] and store.list_outbox("anna") == []
    note = (inbox / "rejected" / ("spiky.toml" + ERROR_SUFFIX)).read_text()
    assert "spiky.toml:" in note and "error: week 2 day sun" in note and "[long-run-spike]" in note
    assert "force = true" in note and "long run" in note  # the way past the error, and the weekly totals


class _intake:
    def __init__(self, tmp_path: Path, inbox: Path) -> None:
        self.store = Store.open(tmp_path / "intake-state" / "store.sqlite3")
        athlete = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171)
        unused = GarminClient(tmp_path / "tokens", "http://127.0.0.1:9")  # intake never calls Garmin
        sync = SyncService(self.store, lambda: unused, athlete)
        self.intake = Intake(self.store, {"anna": AthleteInbox(athlete, inbox, sync)}, tmp_path / "intake-state",
                             on_queued=lambda _: None)

    def __enter__(self) -> tuple[Intake, Store]:
        return self.intake, self.store

    def __exit__(self, *_: object) -> None:
        self.store.close()


def test_apply_refuses_a_plan_written_for_another_athlete(run: Run, tmp_path: Path,
                                                          server: LocalGarminServer) -> None:
    plan = tmp_path / "plan.toml"
    _generate(run, plan, "--athlete", "ben")
    code, _, err = run("plan", "apply", str(plan), "--athlete", "anna", "--force")
    assert code == 1 and "the plan is for athlete 'ben', not 'anna'" in err
    assert server.workouts() == []


def test_apply_and_report_take_the_athlete_the_plan_names(run: Run, tmp_path: Path, server: LocalGarminServer) -> None:
    plan = tmp_path / "plan.toml"
    _generate(run, plan, "--athlete", "ben")
    code, _, err = run("plan", "apply", str(plan), "--force")  # ben's plan: ben's login, not the first athlete's
    assert code == 3 and "not logged in: run `watchsync login --athlete ben`" in err
    code, out, _ = run("report", "--plan", str(plan), "--json")
    assert code == 0 and json.loads(out)["report"]["athlete"] == "ben"
    code, _, err = run("report", "--plan", str(plan), "--athlete", "anna")
    assert code == 1 and "the plan is for athlete 'ben', not 'anna' (--athlete ben)" in err


def test_the_daemon_applies_a_plan_with_lint_errors_the_coach_forced_in_the_file(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "spiky.toml").write_text(SPIKY.replace('name = "Spiky"', 'name = "Spiky"\nforce = true'))
    with _intake(tmp_path, inbox) as (intake, store):
        intake.accept("anna", inbox / "spiky.toml")
        assert (inbox / "processed" / "spiky.toml").exists()
        assert len(store.list_schedules("anna")) == 2
    bad = inbox / "bad.toml"
    bad.write_text(SPIKY.replace('name = "Spiky"', 'name = "Spiky"\nforce = "yes"'))
    with _intake(tmp_path, inbox) as (intake, _):
        intake.accept("anna", bad)
    assert "force must be true or false" in (inbox / "rejected" / ("bad.toml" + ERROR_SUFFIX)).read_text()
