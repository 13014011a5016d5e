"""Terminal tables: one per week, aligned with or without colour; colour only where it belongs."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest

from watchsync.compliance import match_sessions
from watchsync.model.athlete import Athlete
from watchsync.report import ComplianceReport, build_report, render_terminal, wants_color
from watchsync.report.terminal import STATUS_SGR
from watchsync.testing.report_sample import sample_report

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return sample_report(LIBRARY, ATHLETE, date(2025, 3, 3))


ROW = re.compile(r"^  [A-Z][a-z]{2} \d\d-\d\d  ")


def _week_blocks(text: str) -> dict[str, str]:
    parts = re.split(r"^Week of (\d{4}-\d{2}-\d{2})(?: \(planned\))?$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_plain_output_has_no_escape_codes_and_one_block_per_week(report: ComplianceReport) -> None:
    text = render_terminal(report, color=False)
    assert "\x1b" not in text
    blocks = _week_blocks(text)
    assert sorted(blocks) == sorted(str(w.week_start) for w in report.summary.weeks)
    for week in report.summary.weeks:
        block = blocks[str(week.week_start)]
        for row in report.sessions_in_week(week.week_start):
            assert row.name[:10] in block and row.status in block
        for flag in week.flags:
            assert f"! {flag}" in _flat(block)


def test_table_columns_line_up(report: ComplianceReport) -> None:
    for block in _week_blocks(render_terminal(report, color=False)).values():
        lines = block.splitlines()
        header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("day "))
        rows = [line for line in lines[header + 2:] if ROW.match(line)]
        column = lines[header].index("status")
        assert rows
        assert all(line[column - 2:column] == "  " and line[column] != " " for line in rows)


def test_colour_wraps_each_status_and_stripping_it_gives_the_plain_text(report: ComplianceReport) -> None:
    coloured = render_terminal(report, color=True)
    assert ANSI.sub("", coloured) == render_terminal(report, color=False)
    for row in report.sessions:
        assert re.search(re.escape(STATUS_SGR[row.status]) + row.status + r" *\x1b\[0m", coloured)


def test_a_missed_session_is_shown_as_missed(report: ComplianceReport) -> None:
    text = render_terminal(report, color=False)
    missed = [r for r in report.sessions if r.status == "red"]
    assert missed
    for row in missed:
        lines = text.splitlines()
        at = next(i for i, line in enumerate(lines) if row.name[:10] in line and " red " in line)
        assert lines[at + 1].strip() == "! missed"


def test_an_empty_report_still_renders() -> None:
    day = date(2025, 3, 3)
    empty = build_report([], match_sessions([], [], today=day), [], {}, athlete="nobody", today=day)
    assert "no sessions" in render_terminal(empty, color=False).splitlines()[0]


def test_colour_follows_tty_force_color_and_no_color() -> None:
    leader, follower = os.openpty()
    try:
        with open(follower, "w", closefd=False) as tty:
            assert wants_color(tty, {}) is True
            assert wants_color(tty, {"NO_COLOR": "1"}) is False
    finally:
        os.close(leader)
        os.close(follower)
    pipe = io.StringIO()
    assert wants_color(pipe, {}) is False
    assert wants_color(pipe, {"FORCE_COLOR": "1"}) is True
    assert wants_color(pipe, {"FORCE_COLOR": "0"}) is False


def test_every_line_fits_80_columns_even_with_long_names_and_flags(report: ComplianceReport) -> None:
    long = report.model_copy(update={"sessions": [
        row.model_copy(update={"name": row.name + " with a very long name from a coach's library",
                               "flags": [*row.flags, "a flag long enough to need wrapping " * 4]})
        for row in report.sessions]})
    for shown in (report, long):
        text = render_terminal(shown, color=False)
        assert max(len(line) for line in text.splitlines()) <= 80
        assert "a flag long enough" in text or shown is report


def test_newest_week_first_and_future_weeks_show_only_the_plan(report: ComplianceReport) -> None:
    weeks = report.summary.weeks
    today = weeks[1].week_start  # the second week is "this week": one past, the rest to come
    text = render_terminal(report.model_copy(update={"today": today}), color=False)
    order = re.findall(r"^Week of (\S+)( \(planned\))?$", text, flags=re.MULTILINE)
    assert [day for day, _ in order] == [str(weeks[1].week_start), str(weeks[0].week_start),
                                         *(str(w.week_start) for w in weeks[2:])]
    assert all(bool(planned) == (day > str(today)) for day, planned in order)
    future = _week_blocks(text)[str(weeks[2].week_start)]
    assert "ACWR" not in future and "easy" not in future.split("day ")[0] and "planned   " in future


def test_flags_are_ranked_missed_and_too_hard_first() -> None:
    from watchsync.report import values

    flags = ["done 2 days late", "volume 60% of plan", "easy run done too hard (heart rate: 30%)", "missed",
             "long-run spike 2025-03-09: 100 min"]
    assert values.ranked(flags)[:3] == ["missed", "easy run done too hard (heart rate: 30%)",
                                        "long-run spike 2025-03-09: 100 min"]


def test_an_imperial_athletes_report_gives_miles_in_the_terminal_and_the_page(report: ComplianceReport) -> None:
    from watchsync.model.units import Units
    from watchsync.report import render_html

    def units(text: str) -> set[str]:
        return set(re.findall(r"\d (km|mi)\b", text))

    imperial = report.model_copy(update={"units": Units.IMPERIAL})
    assert units(render_terminal(report, color=False)) == {"km"}
    assert units(render_terminal(imperial, color=False)) == {"mi"}
    assert units(render_html(imperial)) == {"mi"}
    assert units(render_terminal(report, color=False)) == {"km"}  # the units were that render's only


def test_short_history_counts_the_days_to_today_in_the_week_under_way() -> None:
    from watchsync.report.values import short_history

    first = date(2026, 11, 2)  # a Monday
    # the fourth week, under way on its Wednesday: 24 days of history, short of 28
    assert short_history(date(2026, 11, 23), first, date(2026, 11, 25), 28)
    assert not short_history(date(2026, 11, 23), first, date(2026, 11, 29), 28)  # its Sunday: 28 days
    assert short_history(date(2026, 11, 9), first, date(2026, 12, 30), 28)  # a past second week: 14 days


def test_the_easy_share_says_its_running_time_without_heart_rate_from_three_minutes(report: ComplianceReport) -> None:
    for no_hr, shown in ((0.0, False), (120.0, False), (1800.0, True)):
        update = {"hr_seconds": 7200.0, "no_hr_seconds": no_hr}
        weeks = [week.model_copy(update={"totals": week.totals.model_copy(update=update)})
                 for week in report.summary.weeks]
        summary = report.summary.model_copy(update={"weeks": weeks,
                                                    "totals": report.summary.totals.model_copy(update=update)})
        text = " ".join(render_terminal(report.model_copy(update={"summary": summary}), color=False).split())
        assert ("of 2.0 h with HR, 0.5 h without" in text) is shown
        assert "0.0 h without" not in text  # a few seconds without a reading are not worth a word


def test_a_share_rounding_below_zero_is_0_percent_not_minus_0() -> None:
    # a swim step's "below" share 1 - inside - above read "-0%" (probe fit12)
    from watchsync.report.values import percent

    assert (percent(1 - 0.28 - 0.72), percent(-1e-12), percent(0.853), percent(None)) == ("0%", "0%", "85%", "–")
