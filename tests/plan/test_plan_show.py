"""The week-by-week table."""

from __future__ import annotations

from pathlib import Path

from watchsync.plan.parse import load_plan
from watchsync.plan.show import format_plan_table

PLAN = Path(__file__).parent / "data" / "lint" / "good.toml"


def test_table_rows_hold_sessions_minutes_and_easy_share() -> None:
    plan = load_plan(PLAN)
    lines = format_plan_table(plan).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("week  focus"))
    rows = [line.split() for line in lines[header + 2: header + 2 + len(plan.weeks)]]
    for number, (row, week) in enumerate(zip(rows, plan.weeks, strict=True), start=1):
        workouts = [s.workout for sessions in week.days.values() for s in sessions]
        total = sum(w.estimated_seconds(60.0) for w in workouts) / 60
        assert row[:4] == [str(number), week.focus.value, str(len(workouts)), f"{total:.0f}"]
    assert rows[0][5] == f"{100 * (1 - 8 / 230):.0f}%"  # 8 hard minutes (hills, strides) of 230
    assert "  mon  rest" in lines
    assert any(line.startswith("  thu  Hill repeats (base phase) (37 min)") for line in lines)


def test_json_dates_count_from_the_monday_of_a_mid_week_start_and_the_long_run_is_the_tagged_one(
        tmp_path: Path) -> None:
    """probe plan12: a Wednesday start put Wednesday on Friday in `plan show --json` (``plan ics`` was
    right), and the "long run" column showed a 43-min strides run over a 30-min long run."""
    from watchsync.plan.show import plan_json
    from watchsync.plan.totals import placed_facts, week_totals

    library = Path(__file__).resolve().parents[2] / "workouts"
    path = tmp_path / "midweek.toml"
    path.write_text(f'name = "m"\nlibrary = "{library}"\nstart = 2027-03-24\n[[weeks]]\n[weeks.days]\n'
                    'wed = "runs/easy-30.txt"\nsat = "runs/strides-40.txt"\nsun = { text = """\nname: Long\n'
                    'sport: running\ntags: long\n- 30m RPE 3\n""" }\n')
    plan = load_plan(path)
    assert [(s["day"], s["date"]) for s in plan_json(plan)["sessions"]] == [
        ("wed", "2027-03-24"), ("sat", "2027-03-27"), ("sun", "2027-03-28")]
    assert [s.date.isoformat() for s in plan.sessions()] == ["2027-03-24", "2027-03-27", "2027-03-28"]
    [week] = week_totals(plan, placed_facts(plan))
    assert week.long_run_minutes == 30.0
