"""The dashboard of the real daemon after a simulated fortnight, in headless Chromium at 1280 and 390 px.

Screenshots are kept under ``build/screenshots/`` (look at them); the checks: every athlete on the
overview, the calendar painted with the sessions' colours, an activity page with its steps and HR
chart, no console errors, and WCAG AA contrast for every text.
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cdp_browser import CONTRAST_SCRIPT, Browser

from conftest import Fortnight
from watchsync.formats.text import parse_text
from watchsync.report.charts import STATUS_COLOURS
from watchsync.resolve import resolve
from watchsync.testing.simulate import simulate_activity

pytestmark = pytest.mark.slow

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = Browser()
    try:
        yield chromium
    finally:
        chromium.close()


def _hex(rgb: str) -> str:
    r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _pages(fortnight: Fortnight) -> dict[str, str]:
    html = urllib.request.urlopen(fortnight.url + "athletes/anna", timeout=30).read().decode()
    activity = re.search(r'href="(/athletes/anna/activities/\d+)"', html)
    assert activity, "the calendar links no activity"
    return {"overview": "", "calendar": "athletes/anna", "week": "athletes/anna/week/" + _a_past_monday(html),
            "season": "athletes/anna/season", "activity": activity.group(1).lstrip("/"), "status": "status"}


def _a_past_monday(html: str) -> str:
    mondays = re.findall(r'href="/athletes/anna/week/(\d{4}-\d\d-\d\d)"', html)
    return mondays[1] if len(mondays) > 1 else mondays[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_renders_without_console_errors_and_with_aa_contrast(fortnight: Fortnight, browser: Browser,
                                                                        width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in _pages(fortnight).items():
        browser.errors.clear()
        browser.open(fortnight.url + path, width)
        png = browser.screenshot(SHOTS / f"{name}-{width}.png")
        assert len(png) > 10_000, name
        assert browser.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
        contrast = browser.evaluate(CONTRAST_SCRIPT)
        assert contrast["checked"] > 10, name
        assert contrast["failures"] == [], name
        assert browser.errors == [], name


def test_the_overview_lists_every_athlete_with_health(fortnight: Fortnight, browser: Browser) -> None:
    browser.open(fortnight.url, 1280)
    cards = browser.evaluate("[...document.querySelectorAll('section.athlete')].map(s => [s.dataset.athlete, "
                             "s.innerText])")
    assert [name for name, _ in cards] == ["anna", "ben"]
    text = dict(cards)
    assert "completion" in text["anna"] and "easy" in text["anna"]
    assert "rejected files 2 waiting" in text["anna"]
    assert "Auth: ok" in text["anna"]
    assert "re-authentication" in text["ben"] or "login" in text["ben"]


def test_the_calendar_shows_each_session_in_its_colour(fortnight: Fortnight, browser: Browser) -> None:
    browser.open(fortnight.url + "athletes/anna", 1280)
    sessions = browser.evaluate("[...document.querySelectorAll('.cal .session')].map(e => "
                                "[e.dataset.status, getComputedStyle(e).borderLeftColor])")
    assert len(sessions) > 20
    for status, colour in sessions:
        assert _hex(colour) == STATUS_COLOURS[status], status
    statuses = {status for status, _ in sessions}
    assert {"green", "red", "pending"} <= statuses, statuses


def _a_banded_activity(fortnight: Fortnight) -> str:
    """An activity page whose steps have heart-rate bands (a run's; a strength session has none)."""
    html = urllib.request.urlopen(fortnight.url + "athletes/anna", timeout=30).read().decode()
    for link in dict.fromkeys(re.findall(r'href="/(athletes/anna/activities/\d+)"', html)):
        page = urllib.request.urlopen(fortnight.url + link, timeout=30).read().decode()
        if 'class="band"' in page:
            return link
    raise AssertionError("no activity page with a heart-rate band")


def test_an_activity_page_shows_its_steps_and_the_hr_chart(fortnight: Fortnight, browser: Browser) -> None:
    browser.open(fortnight.url + _a_banded_activity(fortnight), 390)
    steps = browser.evaluate("[...document.querySelectorAll('tr.step')].map(r => r.innerText)")
    assert steps, "no steps on the activity page"
    assert all("%" in step or "–" in step for step in steps)
    chart = browser.evaluate("(() => { const s = document.querySelector('svg[data-chart=hr]'); return s && "
                             "[s.querySelectorAll('polyline.hr-line').length, s.querySelectorAll('g.band').length,"
                             " s.getBoundingClientRect().width]; })()")
    assert chart is not None and chart[0] == 1 and chart[1] >= 1 and 300 < chart[2] <= 390


def test_the_status_page_explains_each_rejected_file(fortnight: Fortnight, browser: Browser) -> None:
    browser.open(fortnight.url + "status", 1280)
    rejected = browser.evaluate("[...document.querySelectorAll('.rejected:not(.warned)')].map(e => [e.dataset.file, "
                                "e.innerText])")
    assert sorted(name for name, _ in rejected) == ["broken-intervals.txt", "leaky-notes.txt"]
    assert any("RPE 11" in text for _, text in rejected)


def test_a_page_reloads_by_itself_keeping_its_scroll_when_an_activity_arrives(fortnight: Fortnight,
                                                                              browser: Browser) -> None:
    browser.open(fortnight.url + "athletes/anna", 390, height=700)
    browser.evaluate("window.scrollTo(0, 900); window.__before_reload = true; window.scrollY")
    done_before = browser.evaluate("document.querySelectorAll('a.session').length")
    assert browser.evaluate("window.scrollY") == 900
    time.sleep(2.5)  # nothing changed: no reload
    assert browser.evaluate("window.__before_reload === true")
    workout = resolve(parse_text("name: Shakeout\nsport: running\n- 20m RPE 2\n", "shakeout.txt"), fortnight.anna)
    begin = datetime.now().replace(microsecond=0) - timedelta(hours=2)
    run = simulate_activity(workout, fortnight.anna, start=begin, behaviour="follows", seed=99)
    fortnight.server.add_activity(run.fit, start_time=begin, activity_type="running", name="Shakeout",
                                  duration_s=run.summary["duration_s"], distance_m=run.summary["distance_m"])
    deadline = time.monotonic() + 60
    while browser.evaluate("window.__before_reload === true"):
        assert time.monotonic() < deadline, "the page never reloaded"
        time.sleep(0.3)
    time.sleep(0.5)
    assert browser.evaluate("window.scrollY") == 900
    assert browser.evaluate("document.querySelectorAll('a.session').length") == done_before + 1
