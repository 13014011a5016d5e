"""JSON loads back into the same report; CSV rows carry the report's numbers; no spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from watchsync.compliance import PlannedSession, match_sessions
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport, Step, TimeDuration, Workout
from watchsync.report import ComplianceReport, build_report, render_csv, render_json
from watchsync.testing.report_sample import sample_report

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return sample_report(LIBRARY, ATHLETE, date(2025, 3, 3))


def test_json_round_trips(report: ComplianceReport) -> None:
    document = json.loads(render_json(report))
    assert (document["format"], document["version"]) == ("watchsync-compliance-report", 1)
    assert ComplianceReport.model_validate(document["report"]) == report


def test_csv_has_a_row_per_session_with_its_values(report: ComplianceReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [(r["day"], r["status"], r["name"]) for r in rows] == [
        (str(s.day), s.status, s.name) for s in report.sessions]
    for row, session in zip(rows, report.sessions, strict=True):
        assert row["flags"] == "; ".join(session.flags)
        for key in ("planned", "done", "ratio", "in_target"):
            value = getattr(session, key)
            assert (row[key] == "") if value is None else float(row[key]) == pytest.approx(value, rel=1e-5)


def test_weekly_csv_adds_up_to_the_plan_totals(report: ComplianceReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report, level="weeks"))))
    assert [r["week_start"] for r in rows] == [str(w.week_start) for w in report.summary.weeks]
    totals = report.summary.totals
    assert sum(float(r["done_seconds"]) for r in rows) == pytest.approx(totals.done_seconds, rel=1e-5)
    assert sum(int(r["missed"]) for r in rows) == totals.missed


def test_a_name_that_looks_like_a_formula_is_neutralised() -> None:
    monday = date(2025, 3, 3)
    workout = Workout(name='=HYPERLINK("x","y")', sport=Sport.RUNNING, steps=[Step(duration=TimeDuration(seconds=60))])
    session = PlannedSession(id="s", date=monday, workout=workout)
    today = monday + timedelta(days=10)
    report = build_report([session], match_sessions([session], [], today=today), [], {}, athlete="x", today=today)
    (row,) = csv.DictReader(io.StringIO(render_csv(report)))
    assert row["name"] == "'" + workout.name
    done = report.sessions[0].model_copy(update={"status": "green", "activity_title": "=cmd|' /C calc'!A0"})
    (row,) = csv.DictReader(io.StringIO(render_csv(report.model_copy(update={"sessions": [done]}))))
    assert row["activity_title"] == "'=cmd|' /C calc'!A0"  # Garmin's activity name is the athlete's text


def test_time_done_compares_to_the_time_planned_to_date() -> None:
    from watchsync.report import render_terminal

    monday = date(2025, 3, 3)
    workout = Workout(name="Easy", sport=Sport.RUNNING, steps=[Step(duration=TimeDuration(seconds=3600))])
    sessions = [PlannedSession(id=f"s{day}", date=monday + timedelta(days=day), workout=workout) for day in (0, 2, 9)]
    today = monday + timedelta(days=3)
    report = build_report(sessions, match_sessions(sessions, [], today=today), [], {}, athlete="x", today=today)
    totals = report.summary.totals
    assert (totals.planned_seconds, totals.planned_seconds_to_date) == (3 * 3600, 2 * 3600)
    assert "time 0.0 h / 2.0 h planned to date (3.0 h in all)" in render_terminal(report, color=False)
    weeks = csv.DictReader(io.StringIO(render_csv(report, level="weeks")))
    (row,) = [r for r in weeks if r["week_start"] == str(monday)]
    assert float(row["planned_seconds_to_date"]) == 2 * 3600
