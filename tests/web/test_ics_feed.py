"""The dashboard's calendar feed estimates each session as the report does (swims at the athlete's CSS)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from icalendar import Calendar

from watchsync.describe import format_seconds
from watchsync.formats.load import load_workout
from watchsync.model.athlete import Athlete
from watchsync.rules import planned_seconds, speeds_for
from watchsync.store import Store
from watchsync.web.ics import athlete_feed

SWIM = Path(__file__).resolve().parents[2] / "workouts" / "cross" / "swim-30.txt"


def test_a_swims_duration_is_estimated_at_the_athletes_swim_pace(tmp_path: Path) -> None:
    athlete = Athlete(name="anna", lthr=170, swim_threshold_pace="2:30/100m")
    swim = load_workout(SWIM)
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.upsert_workout("anna", "easy-swim", content_hash="x", payload=swim.model_dump(mode="json"))
        store.add_schedule("anna", "easy-swim", date(2030, 1, 8))
        [event] = Calendar.from_ical(athlete_feed(store, athlete)).walk("VEVENT")
    minutes = round(planned_seconds(swim, speeds_for(athlete)) / 60)
    assert minutes != round(planned_seconds(swim, athlete.easy_speed) / 60)  # the run speed would say otherwise
    assert str(event["SUMMARY"]) == f"Easy swim ({format_seconds(60 * minutes)})"
