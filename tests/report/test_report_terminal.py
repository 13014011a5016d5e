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


def _week_blocks(text: str) -> dict[str, str]:
    parts = re.split(r"^Week of (\d{4}-\d{2}-\d{2})$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_plain_output_has_no_escape_codes_and_one_block_per_week(report: ComplianceReport) -> None:
    text = render_terminal(report, color=False)
    assert "\x1b" not in text
    blocks = _week_blocks(text)
    assert list(blocks) == [str(w.week_start) for w in report.summary.weeks]
    for week in report.summary.weeks:
        block = blocks[str(week.week_start)]
        for row in report.sessions_in_week(week.week_start):
            assert row.name in block and row.status in block
        for flag in week.flags:
            assert f"! {flag}" in block


def test_table_columns_line_up(report: ComplianceReport) -> None:
    for block in _week_blocks(render_terminal(report, color=False)).values():
        lines = block.splitlines()
        header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("day "))
        rows = [line for line in lines[header + 2:] if line.startswith("  ") and not line.startswith("  !")]
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
        line = next(line for line in text.splitlines() if row.name in line and " red " in line)
        assert line.rstrip().endswith("missed")


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
