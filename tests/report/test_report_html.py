"""The HTML page: self-contained, every chart present with one group per week, escaping, phone-ready."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from watchsync.compliance import PlannedSession, match_sessions
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport, Step, TimeDuration, Workout
from watchsync.report import ComplianceReport, build_report, render_html
from watchsync.testing.report_sample import sample_report

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
CHARTS = ("volume", "intensity", "calendar", "load")


class _Elements(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(page)
    return parser.tags


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return sample_report(LIBRARY, ATHLETE, date(2025, 3, 3))


@pytest.fixture(scope="module")
def page(report: ComplianceReport) -> str:
    return render_html(report)


def test_the_page_is_self_contained_and_phone_ready(page: str) -> None:
    tags = _parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in tags
    assert "://" not in page
    assert not [t for t, a in tags if t in ("script", "link", "img", "iframe") or "src" in a or "href" in a]
    assert "@media (max-width:600px)" in page


def test_every_chart_is_there_once_and_is_well_formed_svg(page: str) -> None:
    charts = [str(a["data-chart"]) for t, a in _parse(page) if t == "svg"]
    assert sorted(charts) == sorted(CHARTS)
    for svg in re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL):
        ET.fromstring(svg)


def _attribute(parent: ET.Element, path: str, name: str) -> str:
    """Attribute ``name`` of the first element at ``path`` under ``parent`` (which must exist)."""
    found = parent.find(path)
    assert found is not None, path
    return found.get(name, "")


def _chart(page: str, name: str) -> ET.Element:
    (svg,) = [s for s in re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL) if f'data-chart="{name}"' in s]
    return ET.fromstring(svg)


def test_volume_bars_carry_each_weeks_planned_and_done_hours(report: ComplianceReport, page: str) -> None:
    groups = _chart(page, "volume").findall("g[@class='week']")
    assert [g.get("data-week") for g in groups] == [str(w.week_start) for w in report.summary.weeks]
    for group, week in zip(groups, report.summary.weeks, strict=True):
        assert float(group.get("data-planned-hours", "")) == pytest.approx(week.totals.planned_seconds / 3600,
                                                                           abs=0.01)
        assert float(group.get("data-done-hours", "")) == pytest.approx(week.totals.done_seconds / 3600, abs=0.01)
        planned, done = (float(_attribute(group, f"rect[@class='{kind}']", "height")) for kind in ("planned", "done"))
        assert (planned > done) == (week.totals.planned_seconds > week.totals.done_seconds)


def test_intensity_bars_show_the_easy_share_against_the_target_line(report: ComplianceReport, page: str) -> None:
    svg = _chart(page, "intensity")
    assert _attribute(svg, "line[@class='target']", "data-target") == f"{report.easy_share_target:.2f}"
    for group, week in zip(svg.findall("g[@class='week']"), report.summary.weeks, strict=True):
        assert week.totals.easy_share is not None
        assert float(group.get("data-easy-share", "")) == pytest.approx(week.totals.easy_share, abs=0.001)
        easy = float(_attribute(group, "rect[@class='easy']", "height"))
        hard = float(_attribute(group, "rect[@class='hard']", "height"))
        assert easy / (easy + hard) == pytest.approx(week.totals.easy_share, abs=0.01)


def test_calendar_has_one_cell_per_day_coloured_by_status(report: ComplianceReport, page: str) -> None:
    cells = _chart(page, "calendar").findall("g[@class='day']")
    assert [(c.get("data-date"), c.get("data-status")) for c in cells] == [
        (str(d.day), d.status) for d in report.days]
    fills = {c.get("data-status"): _attribute(c, "rect", "fill") for c in cells}
    assert len(set(fills.values())) == len(fills)  # every status its own colour
    assert {"green", "yellow", "orange", "red", "pending", "unplanned", "rest"} <= set(fills)


def test_load_chart_marks_every_week_and_draws_the_acwr_line(report: ComplianceReport, page: str) -> None:
    svg = _chart(page, "load")
    marks = svg.findall("g[@class='week']")
    assert [m.get("data-week") for m in marks] == [str(w.week_start) for w in report.summary.weeks]
    for mark, week in zip(marks, report.summary.weeks, strict=True):
        assert float(mark.get("data-load", "")) == pytest.approx(week.load, abs=0.1)
    lines = svg.findall("polyline")
    assert sum(int(line.get("data-points", "0")) for line in lines) >= len([d for d in report.days if d.acwr])
    assert len(svg.findall("rect[@class='load']")) == len([d for d in report.days if d.load > 0])


def test_the_load_chart_stops_at_today_and_labels_each_week_with_the_tables_acwr(report: ComplianceReport) -> None:
    from watchsync.report import charts

    weeks = [w.week_start for w in report.summary.weeks]
    today = weeks[1] + timedelta(days=2)  # a Wednesday: this week shows today's ratio, the next is planned
    midweek = report.model_copy(update={"today": today})
    svg = ET.fromstring(charts.load_chart(midweek))
    marks = {m.get("data-week"): m for m in svg.findall("g[@class='week']")}
    ratio = {d.day: d.acwr for d in report.days}
    assert marks[str(weeks[0])].get("data-acwr") == f"{ratio[weeks[0] + timedelta(days=6)]:.3f}"  # its Sunday
    assert marks[str(weeks[1])].get("data-acwr") == f"{ratio[today]:.3f}"  # today's, not Sunday's
    assert all(marks[str(w)].get("data-acwr") == "" and "planned" in (marks[str(w)].findtext("title") or "")
               for w in weeks[2:])
    points = sum(int(line.get("data-points", "0")) for line in svg.findall("polyline"))
    assert points <= len([d for d in report.days if d.day <= today and d.acwr is not None]) + 1
    intensity = ET.fromstring(charts.intensity_chart(report.summary.weeks, report.easy_share_target, today))
    future = [g for g in intensity.findall("g[@class='week']") if g.get("data-week") > str(today)]
    assert future and all(g.get("data-future") == "true" and "planned" in (g.findtext("title") or "") for g in future)


def test_session_list_has_a_row_per_session_with_its_flags(report: ComplianceReport, page: str) -> None:
    rows = [a for t, a in _parse(page) if t == "tr" and "data-status" in a]
    weeks = [w.week_start for w in report.summary.weeks]
    newest_first = [s for monday in reversed(weeks) for s in report.sessions_in_week(monday)]  # today is past them
    assert [(a["data-date"], a["data-status"]) for a in rows] == [(str(s.day), s.status) for s in newest_first]
    for flag in (f for s in report.sessions for f in s.flags):
        assert flag in page


def test_names_are_escaped() -> None:
    monday = date(2025, 3, 3)
    workout = Workout(name="<script>alert('x')</script> & co", sport=Sport.RUNNING,
                      steps=[Step(duration=TimeDuration(seconds=600))])
    session = PlannedSession(id="s", date=monday, workout=workout)
    today = monday + timedelta(days=10)
    report = build_report([session], match_sessions([session], [], today=today), [], {},
                          athlete="<img src=x>", today=today)
    page = render_html(report)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x&gt;" in page


def test_an_empty_report_renders_a_page() -> None:
    day = date(2025, 3, 3)
    page = render_html(build_report([], match_sessions([], [], today=day), [], {}, athlete="x", today=day))
    assert sorted(str(a["data-chart"]) for t, a in _parse(page) if t == "svg") == sorted(CHARTS)
