"""iCalendar export, parsed back with icalendar and checked against RFC 5545 essentials."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar

from watchsync.model.athlete import Athlete
from watchsync.plan.ics import plan_to_ics
from watchsync.plan.parse import load_plan

PLAN = Path(__file__).parent / "data" / "lint" / "good.toml"


def test_one_all_day_event_per_session_with_rfc5545_essentials() -> None:
    plan = load_plan(PLAN)
    data = plan_to_ics(plan, Athlete(name="anna", lthr=170), start=date(2026, 3, 2))
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    events = calendar.walk("VEVENT")
    sessions = list(plan.sessions(date(2026, 3, 2)))
    assert len(events) == len(sessions)
    assert len({str(e["UID"]) for e in events}) == len(events)
    for event, scheduled in zip(events, sessions, strict=True):
        assert isinstance(event["DTSTAMP"].dt, datetime)
        assert event["DTSTART"].dt == scheduled.date  # a date, not a datetime: all-day
        assert not isinstance(event["DTSTART"].dt, datetime)
        assert (event["DTEND"].dt - event["DTSTART"].dt).days == 1
        assert str(event["SUMMARY"]).startswith(scheduled.workout.name)
    assert data.count(b"DTSTART;VALUE=DATE:") == len(sessions)
    assert b"\r\n" in data


def test_descriptions_carry_steps_rpe_cues_and_the_athletes_heart_rate() -> None:
    plan = load_plan(PLAN)
    events = Calendar.from_ical(plan_to_ics(plan, Athlete(name="anna", lthr=170), date(2026, 3, 2))).walk("VEVENT")
    hills = next(e for e in events if str(e["SUMMARY"]).startswith("Hill repeats"))
    description = str(hills["DESCRIPTION"])
    assert "RPE 8" in description
    low, high = round(0.85 * 170), round(0.89 * 170)  # RPE 3 = 85-89 % of LTHR
    assert f"warmup 15m @ {low}-{high} bpm" in description
    rep = next(line for line in description.splitlines() if "RPE 8" in line)
    assert "bpm" not in rep  # a 60-s rep is too short for an HR target: its cue only
    assert "6x" in description


def test_uids_are_stable_across_exports() -> None:
    plan = load_plan(PLAN)
    athlete = Athlete(name="anna")
    first = Calendar.from_ical(plan_to_ics(plan, athlete, date(2026, 3, 2), datetime(2026, 1, 1, tzinfo=UTC)))
    again = Calendar.from_ical(plan_to_ics(plan, athlete, date(2026, 3, 2)))
    assert [str(e["UID"]) for e in first.walk("VEVENT")] == [str(e["UID"]) for e in again.walk("VEVENT")]


def test_a_session_whose_minutes_change_keeps_its_uid_and_is_revised(tmp_path: Path) -> None:
    text = ('name = "Block, with; care"\nathlete = "anna"\nstart = 2026-03-02\n[[weeks]]\n[[weeks.days.tue]]\n'
            'text = """\nname: Easy run {minutes} min\nsport: running\n- {minutes}m RPE 3\n"""\n')
    athlete = Athlete(name="anna")
    path = tmp_path / "p.toml"
    path.write_text(text.format(minutes=56))
    before = plan_to_ics(load_plan(path), athlete)
    path.write_text(text.format(minutes=60))
    after = Calendar.from_ical(plan_to_ics(load_plan(path), athlete, previous=before))
    [old], [new] = Calendar.from_ical(before).walk("VEVENT"), after.walk("VEVENT")
    assert str(new["UID"]) == str(old["UID"])
    assert (str(new["SUMMARY"]), int(new["SEQUENCE"])) == ("Easy run 60 min (1h00m)", 1)
    assert b"X-WR-CALNAME:Block\\, with\\; care (anna)\r\n" in before  # escaped (RFC 5545 3.3.11)


def test_a_sessions_summary_gives_its_time_to_the_second_as_show_does(tmp_path: Path) -> None:
    # a 4m30s core routine read "(4m)" in the feed: round(4.5) is 4 (probe coach14)
    workout = tmp_path / "core.txt"
    workout.write_text("name: Core 5 min\nsport: strength\n- 45s Plank\n- 15s rest\n- 45s Side plank\n- 15s rest\n"
                       "- 45s Dead bug\n- 15s rest\n- 45s Glute bridge\n- 45s Bird dog\n", encoding="utf-8")
    plan = tmp_path / "plan.toml"
    plan.write_text('name = "core"\nstart = 2030-03-04\n[[weeks]]\n[[weeks.days.tue]]\nworkout = "core.txt"\n',
                    encoding="utf-8")
    data = plan_to_ics(load_plan(plan), Athlete(name="anna", lthr=170), start=date(2030, 3, 4))
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Core 5 min (4m30s)"
