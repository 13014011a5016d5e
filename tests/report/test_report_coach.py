"""The report a coach reads: per-session colours, future weeks planned only, ranked flags, step
drill-down, season-scale charts with thinned labels, WCAG AA contrast, print stylesheet, phone width."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from watchsync.compliance import PlannedSession, match_sessions
from watchsync.compliance.activities import ActivitySummary
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport, Step, TimeDuration, Workout
from watchsync.report import ComplianceReport, build_report, charts, render_html, values
from watchsync.testing.report_sample import sample_report

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
MONDAY = date(2025, 3, 3)


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return sample_report(LIBRARY, ATHLETE, MONDAY)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_badge_and_day_number_meets_wcag_aa(report: ComplianceReport) -> None:
    for status, background in charts.STATUS_COLOURS.items():
        assert contrast(background, charts.STATUS_TEXT[status]) >= 4.5, status
    page = render_html(report)
    for background, text in re.findall(r'class="badge [a-z]+" style="background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})',
                                       page):
        assert contrast(background, text) >= 4.5
    assert contrast("#495057", "#ffffff") >= 4.5  # the grey of sub-headings and labels


def test_a_day_of_several_sessions_shows_each_in_its_own_colour() -> None:
    ski = Workout(name="Ski tour", sport=Sport.SKI_MOUNTAINEERING, steps=[Step(duration=TimeDuration(seconds=3600))])
    core = Workout(name="Core", sport=Sport.STRENGTH, steps=[Step(duration=TimeDuration(seconds=300))])
    planned = [PlannedSession(id="ski", date=MONDAY, workout=ski), PlannedSession(id="core", date=MONDAY, workout=core)]
    done = ActivitySummary(id="a", sport=Sport.SKI_MOUNTAINEERING, start=f"{MONDAY}T09:00:00", duration_s=3600)
    today = MONDAY + timedelta(days=10)
    report = build_report(planned, match_sessions(planned, [done], today=today), [], {}, athlete="a", today=today)
    svg = ET.fromstring(charts.calendar_chart(report))
    day = next(g for g in svg.iter("g") if g.get("data-date") == str(MONDAY))
    stripes = [r.get("data-status") for r in day.iter("rect") if r.get("class") == "session"]
    assert sorted(stripes) == ["green", "red"]  # the ski tour is not painted red by the missed core


def test_future_weeks_show_only_what_is_planned(report: ComplianceReport) -> None:
    weeks = report.summary.weeks
    early = report.model_copy(update={"today": weeks[0].week_start})
    page = render_html(early)
    future_rows = re.findall(r'<tr class="future" data-week="([0-9-]+)" data-future="true">(.*?)</tr>', page)
    assert [day for day, _ in future_rows] == [str(w.week_start) for w in weeks[1:]]
    for _, cells in future_rows:
        assert "planned" in cells and "no HR" not in cells
    svg = ET.fromstring(charts.intensity_chart(weeks, 0.8, weeks[0].week_start))
    future = [g for g in svg.iter("g") if g.get("data-future") == "true"]
    assert len(future) == len(weeks) - 1
    assert all("no HR" not in "".join(g.itertext()).replace(g.findtext("title") or "", "") for g in future)


def test_flags_are_ranked_and_sessions_drill_down_to_their_steps(report: ComplianceReport) -> None:
    page = render_html(report)
    listed = re.findall(r"<li>(.*?)</li>", page.split('id="flags"')[1].split("</section>")[0])
    ranks = [values.flag_rank(flag) for flag in listed]
    assert ranks == sorted(ranks) and listed
    done = [s for s in report.sessions if s.steps]
    assert done
    assert page.count('<details class="steps"') == len(done)
    for session in done:
        assert f'data-steps="{len(session.steps)}"' in page


def test_a_season_of_35_weeks_thins_its_labels_so_nothing_overlaps() -> None:
    first = date(2025, 1, 6)
    easy = Workout(name="Easy", sport=Sport.RUNNING, steps=[Step(duration=TimeDuration(seconds=2700))])
    planned = [PlannedSession(id=f"s{i}", date=first + timedelta(days=7 * i + 1), workout=easy) for i in range(35)]
    today = first + timedelta(days=7 * 36)
    report = build_report(planned, match_sessions(planned, [], today=today), [], {}, athlete="a", today=today)
    assert len(report.summary.weeks) == 35
    for chart in (charts.volume_chart(report.summary.weeks), charts.intensity_chart(report.summary.weeks, 0.8),
                  charts.load_chart(report)):
        svg = ET.fromstring(chart)
        labels = sorted(float(t.get("x", 0)) for t in svg.iter("text")
                        if re.fullmatch(r"[A-Z][a-z]{2} \d\d", t.text or ""))
        assert 3 <= len(labels) <= charts.MAX_LABELS
        gaps = [b - a for a, b in pairwise(labels)]
        assert min(gaps) >= 36  # a "Mar 03" label at 10 px is about 33 px wide


def test_print_stylesheet_and_phone_width(report: ComplianceReport) -> None:
    page = render_html(report)
    assert "@media print{" in page and "break-inside:avoid" in page
    phone = page.split("@media (max-width:600px){")[1].split("}\n@media print")[0]
    assert "grid-template-columns:1fr" in phone and "table.cards tr{display:block" in phone
