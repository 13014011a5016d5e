"""Heart rate against the target band over an activity, as inline SVG (ElementTree, like the report's charts).

The band of each step is drawn over the laps the watch recorded for it (``wkt_step_index``), the
same alignment the intensity score uses; the HR line is the recorded samples, thinned to at most
``MAX_POINTS`` for the page (no sample is altered).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np

from watchsync.activity.model import Activity
from watchsync.compliance.score import target_band
from watchsync.compliance.steps import step_labels, steps_by_index
from watchsync.model.workout import Workout

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 30
MAX_POINTS = 600
HR_COLOUR = "#c2255c"
BAND_COLOUR = "#2f9e44"
TEXT_COLOUR = "#495057"
GRID_COLOUR = "#e9ecef"


def hr_chart(activity: Activity, workout: Workout | None) -> str:
    """The chart as an SVG string; a note when the activity has no heart rate."""
    records = activity.records
    times, hr = records.timestamp, records.heart_rate
    known = ~np.isnan(hr)
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {WIDTH} {HEIGHT}",
                             "class": "chart hr", "role": "img", "data-chart": "hr"})
    ET.SubElement(svg, "title").text = "Heart rate and the target band of each step"
    if not known.any():
        _text(svg, WIDTH / 2, HEIGHT / 2, "no heart rate recorded", anchor="middle")
        return ET.tostring(svg, encoding="unicode")
    start, end = float(times[0]), float(times[-1]) if len(times) > 1 else float(times[0]) + 1
    bands = list(_bands(activity, workout))
    low = min([float(np.nanmin(hr))] + [b[2] for b in bands]) - 5
    high = max([float(np.nanmax(hr))] + [b[3] for b in bands]) + 5
    low, high = 10 * math.floor(low / 10), 10 * math.ceil(high / 10)

    def x(t: float) -> float:
        return LEFT + (t - start) / max(end - start, 1) * (WIDTH - LEFT - RIGHT)

    def y(v: float) -> float:
        return TOP + (high - v) / max(high - low, 1) * (HEIGHT - TOP - BOTTOM)

    for tick in range(int(low), int(high) + 1, 20 if high - low > 80 else 10):
        ET.SubElement(svg, "line", {"x1": str(LEFT), "x2": str(WIDTH - RIGHT), "y1": _f(y(tick)), "y2": _f(y(tick)),
                                    "stroke": GRID_COLOUR})
        _text(svg, LEFT - 4, y(tick) + 3, str(tick), anchor="end")
    minutes = (end - start) / 60
    step = next(s for s in (5, 10, 15, 30, 60, 120) if minutes / s <= 8)
    for minute in range(0, int(minutes) + 1, step):
        _text(svg, x(start + minute * 60), HEIGHT - BOTTOM + 14, f"{minute}′", anchor="middle")
    labels = step_labels(workout) if workout is not None else {}
    for index, begin, finish, band_low, band_high in bands:
        group = ET.SubElement(svg, "g", {"class": "band", "data-step": str(index),
                                         "data-low": f"{band_low:.0f}", "data-high": f"{band_high:.0f}"})
        label = labels.get(index, str(index + 1))
        ET.SubElement(group, "title").text = f"step {label}: target {band_low:.0f}–{band_high:.0f} bpm"
        width = max(x(finish) - x(begin), 1)
        ET.SubElement(group, "rect", {"x": _f(x(begin)), "y": _f(y(band_high)), "width": _f(width),
                                      "height": _f(y(band_low) - y(band_high)), "fill": BAND_COLOUR,
                                      "fill-opacity": "0.22"})
    keep = np.flatnonzero(known)
    if len(keep) > MAX_POINTS:
        keep = keep[np.linspace(0, len(keep) - 1, MAX_POINTS).astype(int)]
    points = " ".join(f"{x(float(times[i])):.1f},{y(float(hr[i])):.1f}" for i in keep)
    ET.SubElement(svg, "polyline", {"points": points, "fill": "none", "stroke": HR_COLOUR, "stroke-width": "1.5",
                                    "class": "hr-line"})
    _text(svg, LEFT, HEIGHT - 4, "minutes", anchor="start")
    return ET.tostring(svg, encoding="unicode")


def has_bands(activity: Activity, workout: Workout | None) -> bool:
    """Whether the chart draws a target band: a lap the watch recorded for a step with an HR target."""
    return bool(activity.records.heart_rate.size) and bool(_bands(activity, workout))


def _bands(activity: Activity, workout: Workout | None) -> list[tuple[int, float, float, float, float]]:
    """(step index, begin, end, low bpm, high bpm) of each lap whose step has an HR target."""
    if workout is None:
        return []
    steps = steps_by_index(workout)
    found = []
    for lap in activity.laps:
        if lap.wkt_step_index is None or lap.start_time is None or lap.wkt_step_index not in steps:
            continue
        band = target_band(steps[lap.wkt_step_index].target)
        if band is None or band[0] != "heart_rate":
            continue
        begin = lap.start_time.timestamp()
        found.append((lap.wkt_step_index, begin, begin + (lap.total_elapsed_time or 0.0), band[1], band[2]))
    return found


def _text(parent: ET.Element, x: float, y: float, text: str, *, anchor: str) -> None:
    ET.SubElement(parent, "text", {"x": _f(x), "y": _f(y), "text-anchor": anchor, "font-size": "12",
                                   "fill": TEXT_COLOUR}).text = text


def _f(value: float) -> str:
    return f"{value:.1f}"
