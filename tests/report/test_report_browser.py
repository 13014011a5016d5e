"""The HTML report in a real headless Chromium at a phone viewport: DOM charts and a non-blank screenshot.

Chromium comes from ``scripts/ci-browser.sh`` (the Debian package); without it this test skips.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from watchsync.model.athlete import Athlete
from watchsync.report import ComplianceReport, render_html
from watchsync.report.charts import DONE_COLOUR, EASY_COLOUR
from watchsync.testing.report_sample import sample_report

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ATHLETE = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km")
PHONE = (390, 844)
BROWSERS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--force-device-scale-factor=1")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium installed: run scripts/ci-browser.sh as root (Debian package chromium)")


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return sample_report(LIBRARY, ATHLETE, date(2025, 3, 3))


@pytest.fixture(scope="module")
def rendered(report: ComplianceReport, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    """(DOM after load, screenshot PNG) of the report at the phone viewport."""
    browser = _browser()
    work = tmp_path_factory.mktemp("browser")
    page, shot = work / "report.html", work / "phone.png"
    page.write_text(render_html(report), encoding="utf-8")
    result = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={work / 'profile'}", f"--window-size={PHONE[0]},{PHONE[1]}",
         f"--screenshot={shot}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, shot.read_bytes()


def _pixels(png: bytes) -> tuple[int, int, NDArray[np.uint8]]:
    """Width, height and the (height, width, 3) RGB pixels of an 8-bit RGB/RGBA PNG (what Chromium writes)."""
    assert png.startswith(PNG_SIGNATURE)
    position, chunks = len(PNG_SIGNATURE), []
    width = height = channels = 0
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour_type in (2, 6)
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    rows = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, width * channels + 1)
    image = np.zeros((height, width * channels), dtype=np.uint8)
    above = np.zeros(width * channels, dtype=np.uint8)
    for y in range(height):
        image[y] = above = _unfilter(int(rows[y, 0]), rows[y, 1:], above, channels)
    return width, height, image.reshape(height, width, channels)[:, :, :3]


def _unfilter(kind: int, line: NDArray[np.uint8], above: NDArray[np.uint8], bpp: int) -> NDArray[np.uint8]:
    """Undo one scanline's PNG filter (None, Sub, Up, Average, Paeth); uint8 arithmetic wraps mod 256."""
    if kind == 0:
        return line.copy()
    if kind == 1:
        return np.cumsum(line.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
    if kind == 2:
        return line + above
    out = [int(v) for v in line]
    up = [int(v) for v in above]
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        corner = up[i - bpp] if i >= bpp else 0
        if kind == 3:
            out[i] = (out[i] + (left + up[i]) // 2) & 0xFF
            continue
        guess = left + up[i] - corner
        to_left, to_up, to_corner = abs(guess - left), abs(guess - up[i]), abs(guess - corner)
        nearest = left if to_left <= to_up and to_left <= to_corner else up[i] if to_up <= to_corner else corner
        out[i] = (out[i] + nearest) & 0xFF
    return np.array(out, dtype=np.uint8)


def _count(pixels: NDArray[np.uint8], hex_colour: str) -> int:
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return int(np.all(pixels == rgb, axis=-1).sum())


def test_the_dom_holds_every_chart_with_a_group_per_week(report: ComplianceReport,
                                                          rendered: tuple[str, bytes]) -> None:
    dom, _ = rendered
    for chart in ("volume", "intensity", "load"):
        svg = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', dom, flags=re.DOTALL)
        assert svg, chart
        for week in report.summary.weeks:
            assert f'data-week="{week.week_start}"' in svg.group(0)
            assert f"<title>Week of {week.week_start}:" in svg.group(0)
    calendar = re.search(r'<svg[^>]*data-chart="calendar".*?</svg>', dom, flags=re.DOTALL)
    assert calendar
    assert len(re.findall(r'<g class="day"', calendar.group(0))) == len(report.days)


def test_the_phone_screenshot_shows_the_page_and_its_charts(rendered: tuple[str, bytes]) -> None:
    _, png = rendered
    width, height, pixels = _pixels(png)
    assert (width, height) == PHONE
    assert float(pixels.mean(axis=-1).std()) > 20  # not a blank page
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50
    colours = {colour: _count(pixels, colour) for colour in (DONE_COLOUR, EASY_COLOUR)}
    assert all(count > 500 for count in colours.values()), colours  # done bars and easy-share bars are painted
