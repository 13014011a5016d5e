"""The dashboard's numbers are the report's and the status's; the .ics feed is live with stable UIDs."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from conftest import Fortnight
from watchsync.services.report import planned_from_store
from watchsync.store import Store

pytestmark = pytest.mark.slow
WEB = Path(__file__).resolve().parents[2] / "src" / "watchsync" / "web"


def _get(fortnight: Fortnight, path: str) -> str:
    return urllib.request.urlopen(fortnight.url + path, timeout=30).read().decode()


def _cli(fortnight: Fortnight, *args: str, codes: tuple[int, ...] = (0,)) -> str:
    config = fortnight.state.parent / "config.toml"
    result = subprocess.run([sys.executable, "-m", "watchsync", "--config", str(config), "--state-dir",
                             str(fortnight.state), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode in codes, result.stderr
    return result.stdout


def _tiles(html: str) -> list[str]:
    return re.findall(r'<div class="tile"><b>([^<]*)</b>', html)


def test_the_week_page_shows_the_numbers_of_watchsync_report(fortnight: Fortnight) -> None:
    for day in (date.today().isoformat(), "2026-01-05"):
        report = json.loads(_cli(fortnight, "report", "--athlete", "anna", "--week", day, "--json"))["report"]
        totals = report["summary"]["totals"]
        html = _get(fortnight, f"athletes/anna/week/{day}")
        completion = "–" if totals["completion"] is None else f"{totals['completion']:.0%}"
        easy = "–" if totals["easy_share"] is None else f"{totals['easy_share']:.0%}"
        run_done = totals["done_meters_by_family"].get("run", 0.0)  # run km: other sports beside, never added
        assert _tiles(html) == [completion, f"{totals['done_seconds'] / 3600:.1f} h", f"{run_done / 1000:.1f} km",
                                easy]
        for family, meters in totals["done_meters_by_family"].items():
            if family != "run":
                assert f"{family} {meters / 1000:.1f}" in html
        for session in report["sessions"]:
            assert session["name"] in html


def test_the_overview_lists_an_athletes_flags_most_important_first(fortnight: Fortnight) -> None:
    """The card shows its first six flags: cut in day order, the too-hard run was the one hidden (coach9 #7)."""
    from html import unescape

    from watchsync.report.values import flag_rank

    card = _get(fortnight, "").split('<ul class="flags">', 1)
    assert len(card) == 2, "anna's card lists flags"
    shown = [unescape(item) for item in re.findall(r"<li>([^<]*)</li>", card[1].split("</ul>", 1)[0])]
    assert shown and [flag_rank(flag) for flag in shown] == sorted(flag_rank(flag) for flag in shown)


def test_a_week_to_come_shows_only_what_is_planned(fortnight: Fortnight) -> None:
    next_monday = date.fromordinal(date.today().toordinal() + 7 - date.today().weekday())
    report = json.loads(_cli(fortnight, "report", "--athlete", "anna", "--week", next_monday.isoformat(),
                             "--json"))["report"]
    totals = report["summary"]["totals"]
    assert totals["planned_sessions"] > 0, totals  # the fortnight's plan runs two weeks on
    html = _get(fortnight, f"athletes/anna/week/{next_monday}")
    assert f"week of {next_monday} (planned)" in html
    run_planned = totals["planned_meters_by_family"].get("run", 0.0)
    assert _tiles(html) == [str(totals["planned_sessions"]), f"{totals['planned_seconds'] / 3600:.1f} h",
                            f"{run_planned / 1000:.1f} km"]
    assert "done of" not in html and "Load and ACWR" not in html and "easy running (target" not in html
    far = _get(fortnight, "athletes/anna/week/2099-06-01")  # beyond the plan: says so
    assert "Nothing is planned this week yet." in far and _tiles(far) == ["0", "0.0 h", "0.0 km"]
    now = _get(fortnight, f"athletes/anna/week/{date.today()}")
    assert "(planned)" not in now.split("</h1>")[0] and "Load and ACWR" in now


def test_the_season_table_gives_weeks_to_come_no_load_nor_acwr(fortnight: Fortnight) -> None:
    html = _get(fortnight, "athletes/anna/season")
    rows = re.findall(r'<tr data-week="([\d-]+)">(.*?)</tr>', html, re.S)
    cells = {week: dict(re.findall(r'<td data-label="(Load|ACWR)">([^<]*)</td>', row)) for week, row in rows}
    future = [week for week in cells if date.fromisoformat(week) > date.today()]
    past = [week for week in cells if date.fromisoformat(week) <= date.today()]
    assert future and past, cells  # the fortnight's plan runs two weeks on
    assert all(cells[week] == {"Load": "–", "ACWR": "–"} for week in future), cells
    assert all(cells[week]["Load"] != "–" for week in past), cells
    first = min(cells)  # the fortnight's history starts two weeks ago: its ACWR rests on a short history
    assert re.search(rf'<tr data-week="{first}">.*?<td data-label="ACWR">[^<]*<small>\(short history\)</small>',
                     html, re.S), html


def test_the_status_page_shows_what_watchsync_status_says(fortnight: Fortnight) -> None:
    status = json.loads(_cli(fortnight, "status", "--json", codes=(0, 1)))  # 1: ben needs attention
    html = _get(fortnight, "status")
    for athlete in status["athletes"]:
        assert f'data-athlete="{athlete["name"]}"' in html
        assert f"{athlete['outbox_depth']} waiting" in html
        assert athlete["auth"].replace("`", "&#96;") in html or athlete["auth"] in html
    assert status["heartbeat"] and re.search(r"\d{4}-\d\d-\d\dT\d\d:", status["heartbeat"])  # ISO in the JSON
    times = re.findall(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d[^<\s]*(?: UTC)?", html)
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", t) for t in times), times  # as on /


def test_the_ics_feed_lists_every_planned_session_with_stable_uids(fortnight: Fortnight) -> None:
    first, second = (Calendar.from_ical(urllib.request.urlopen(fortnight.url + "athletes/anna.ics", timeout=30).read())
                     for _ in range(2))
    uids = [str(event["uid"]) for event in first.walk("VEVENT")]
    assert uids == [str(event["uid"]) for event in second.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    with Store.open(fortnight.state / "watchsync.sqlite3") as store:
        planned = planned_from_store(store, "anna")
    assert sorted(uids) == sorted(f"{session.id}@anna@watchsync" for session in planned)


def test_unknown_pages_are_404_not_errors(fortnight: Fortnight) -> None:
    for path in ("athletes/nobody", "athletes/anna/week/notaday", "athletes/anna/activities/1",
                 "athletes/anna/week/0001-01-01", "athletes/anna/week/9999-12-31"):  # no 500 at the calendar's ends
        with pytest.raises(urllib.error.HTTPError) as answer:
            _get(fortnight, path)
        assert answer.value.code == 404


def test_the_dashboard_never_imports_the_daemon() -> None:
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("watchsync.daemon"), path
