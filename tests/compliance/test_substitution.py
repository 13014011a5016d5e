"""Cross-training done instead of a planned easy run is a substitution, not a miss; distances are
reported per sport family, never added together."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from watchsync.cli import main
from watchsync.compliance.activities import ActivitySummary
from watchsync.compliance.config import ComplianceConfig
from watchsync.compliance.load import ActivityLoad
from watchsync.compliance.match import PlannedSession, match_sessions
from watchsync.compliance.substitution import is_easy_run, substitute_cross_training
from watchsync.compliance.summary import summarize
from watchsync.formats.text import parse_text
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport
from watchsync.report import render_terminal
from watchsync.report.build import build_report
from watchsync.resolve import resolve
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.simulate import simulate_activity

EASY = parse_text("name: Easy 40\nsport: trail_running\n\n- 40m RPE 3 easy\n", "<t>")
LONG = parse_text("name: Long 90\nsport: trail_running\ntags: long\n\n- 90m RPE 3 easy\n", "<t>")
HILLS = parse_text("name: Hills\nsport: trail_running\n\n- 10m RPE 3\n6x\n- 3m RPE 8 up\n- 3m RPE 2 down\n", "<t>")
DAY = date(2025, 3, 4)
TODAY = DAY + timedelta(days=10)


def _ride(day: date, activity_id: str = "r1", sport: Sport = Sport.CYCLING) -> ActivitySummary:
    return ActivitySummary(id=activity_id, sport=sport, start=datetime.combine(day, time(17)), duration_s=2700,
                           distance_m=20000)


def test_only_easy_runs_may_be_substituted() -> None:
    assert is_easy_run(EASY) and not is_easy_run(LONG) and not is_easy_run(HILLS)


@pytest.mark.parametrize("tags", ["technique, downhill", "drills", "Technique", "easy, strides, base"])
def test_no_cross_training_stands_in_for_a_running_skill_session(tags: str) -> None:
    # probe coach10: a 110-min ski tour was "Downhill technique done, 314 %", a hike "Pre-run drills done, 733 %"
    skill = parse_text(f"name: Downhill technique\nsport: trail_running\ntags: {tags}\n\n- 35m RPE 3 easy\n", "<t>")
    assert not is_easy_run(skill)
    matched = substitute_cross_training(match_sessions([PlannedSession(id="skill", date=DAY, workout=skill)],
                                                       [_ride(DAY, sport=Sport.SKI_MOUNTAINEERING)], today=TODAY))
    assert matched.matches == [] and [s.id for s in matched.missed] == ["skill"]


@pytest.mark.parametrize(("offset", "substituted"), [(0, True), (1, True), (2, False)])
def test_a_ride_near_a_missed_easy_run_stands_in_for_it(offset: int, substituted: bool) -> None:
    planned = [PlannedSession(id="run", date=DAY, workout=EASY)]
    matched = substitute_cross_training(match_sessions(planned, [_ride(DAY + timedelta(days=offset))], today=TODAY))
    assert (len(matched.matches) == 1 and matched.matches[0].substitute) is substituted
    assert (matched.missed == [] and matched.unplanned == []) is substituted


def test_a_session_still_to_come_is_not_done_by_the_day_before_s_ride() -> None:
    # a Friday ski tour made Saturday's run "done 1 day early" on Friday (probe coach11); on Sunday,
    # with no run on Saturday, it stands in for it
    planned = [PlannedSession(id="run", date=DAY, workout=EASY)]
    friday = DAY - timedelta(days=1)
    on_friday = substitute_cross_training(match_sessions(planned, [_ride(friday)], today=friday), today=friday)
    assert on_friday.matches == [] and [s.id for s in on_friday.pending] == ["run"]
    on_the_day = substitute_cross_training(match_sessions(planned, [_ride(friday)], today=DAY), today=DAY)
    assert on_the_day.matches == []  # the run may still be run today (probe review15)
    ridden_today = substitute_cross_training(match_sessions(planned, [_ride(DAY)], today=DAY), today=DAY)
    assert [m.session.id for m in ridden_today.matches] == ["run"]  # a ride today instead of today's run
    later = DAY + timedelta(days=1)
    on_sunday = substitute_cross_training(match_sessions(planned, [_ride(friday)], today=later), today=later)
    assert [m.session.id for m in on_sunday.matches] == ["run"] and on_sunday.matches[0].substitute


def test_substitution_is_configurable_and_never_takes_a_long_run_or_a_hard_session() -> None:
    planned = [PlannedSession(id="long", date=DAY, workout=LONG), PlannedSession(id="hills", date=DAY, workout=HILLS)]
    matched = substitute_cross_training(match_sessions(planned, [_ride(DAY)], today=TODAY))
    assert matched.matches == [] and len(matched.missed) == 2
    off = ComplianceConfig(substitute_cross_training=False)
    easy = [PlannedSession(id="run", date=DAY, workout=EASY)]
    assert substitute_cross_training(match_sessions(easy, [_ride(DAY)], today=TODAY), off).matches == []
    swims_only = ComplianceConfig(substitution_families=("swim",))
    assert substitute_cross_training(match_sessions(easy, [_ride(DAY)], today=TODAY), swims_only).matches == []


def test_the_report_counts_it_done_with_a_substitution_flag() -> None:
    planned = [PlannedSession(id="run", date=DAY, workout=EASY)]
    matched = substitute_cross_training(match_sessions(planned, [_ride(DAY)], today=TODAY))
    report = build_report(planned, matched, [], {}, athlete="a", today=TODAY)
    row = report.sessions[0]
    assert row.status == "green" and row.substitute and report.summary.totals.missed == 0
    assert "cycling instead of the planned run (cross-training substitution)" in row.flags


def test_weekly_distance_is_per_sport_family() -> None:
    loads = [ActivityLoad(activity_id="run", day=DAY, sport_family="run", duration_s=3600, distance_m=37_600,
                          srpe=None, trimp=None, easy_seconds=None, hr_seconds=None),
             ActivityLoad(activity_id="ski", day=DAY + timedelta(days=1), sport_family="ski", duration_s=9000,
                          distance_m=28_000, srpe=None, trimp=None, easy_seconds=None, hr_seconds=None)]
    planned = [PlannedSession(id="run", date=DAY, workout=EASY)]
    summary = summarize(planned, match_sessions(planned, [], today=TODAY), loads)
    totals = summary.weeks[0].totals
    assert totals.done_meters_by_family == {"run": 37_600, "ski": 28_000}
    assert list(totals.planned_meters_by_family) == ["run"]
    report = build_report(planned, match_sessions(planned, [], today=TODAY), loads, {}, athlete="a", today=TODAY)
    assert "distance  run 37.6 / " in render_terminal(report, color=False)
    assert "ski 28.0 km" in render_terminal(report, color=False)


@pytest.fixture
def server() -> Iterator[LocalGarminServer]:
    with running_server() as started:
        yield started


def test_through_sync_and_report_a_ride_for_a_planned_easy_run_is_not_a_miss(
        tmp_path: Path, server: LocalGarminServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    athlete = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171)
    day = date.today() - timedelta(days=8)
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "{server.url}"\nmax_retries = 0\n\n'
                      "[athletes.anna]\nmax_hr = 188\nresting_hr = 48\nlthr = 171\n")
    state = tmp_path / "state"
    fake_token_dir(state / "tokens" / "anna", server.url)
    resolved = resolve(EASY, athlete)
    with Store.open(state / "watchsync.sqlite3") as store:
        store.upsert_workout("anna", "easy-40", content_hash="h", payload=resolved.model_dump(mode="json"))
        store.add_schedule("anna", "easy-40", day)
    start = datetime.combine(day, time(17), UTC)
    ride = simulate_activity(resolved, athlete, start=start, behaviour="swapped_bike").fit
    server.add_activity(ride, start_time=start, activity_type="cycling")
    options = ["--config", str(config), "--state-dir", str(state)]
    assert main([*options, "activities", "sync", "--since", day.isoformat()]) == 0
    capsys.readouterr()
    assert main([*options, "report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["report"]
    assert report["summary"]["totals"]["missed"] == 0 and report["summary"]["totals"]["unplanned"] == 0
    row = report["sessions"][0]
    assert row["substitute"] is True and row["status"] in ("green", "yellow")


def test_a_multisport_files_cross_training_legs_stand_in_for_the_run_together() -> None:
    # a bike/row/bike/row file (pyroparse's fixture, probe fit14) stood in with its first leg: "13m57s / 45m (31%)"
    # orange, the other three legs "not in the plan"; the four make 56m42s, 126 %
    start = datetime.combine(DAY, time(17, 53))
    legs, at = [], start
    for number, (sport, seconds) in enumerate(((Sport.INDOOR_CYCLING, 837), (Sport.CARDIO, 840),
                                               (Sport.INDOOR_CYCLING, 766), (Sport.CARDIO, 959)), 1):
        legs.append(ActivitySummary(id=f"m#{number}", sport=sport, start=at, duration_s=seconds))
        at += timedelta(seconds=seconds)
    planned = [PlannedSession(id="run", date=DAY, workout=parse_text("name: Easy 45\nsport: running\n- 45m RPE 3\n"))]
    matched = substitute_cross_training(match_sessions(planned, legs, today=TODAY), today=TODAY)
    [match] = matched.matches
    assert match.substitute and [a.id for a in (match.activity, *match.also)] == ["m#1", "m#2", "m#3", "m#4"]
    assert matched.unplanned == []
    [row] = build_report(planned, matched, [], {}, athlete="a", today=TODAY).sessions
    assert row.ratio == pytest.approx(3402 / 2700) and row.status == "yellow"
