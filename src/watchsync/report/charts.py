"""Inline SVG charts of a compliance report, built with ElementTree (escaping is the library's job).

Every chart has a fixed viewBox and scales to its container. Each week (or day) is a ``<g>`` with
``data-*`` attributes carrying its values and a ``<title>`` tooltip, so the charts are readable by
people, screen readers and tests alike.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date

from watchsync.compliance.summary import WeekSummary
from watchsync.report import values
from watchsync.report.model import ComplianceReport, DayPoint, DayStatus

#: Status colours; each meets WCAG 2.1 AA (4.5:1) with its text colour (:data:`STATUS_TEXT`).
STATUS_COLOURS: dict[DayStatus, str] = {
    "green": "#237032",
    "yellow": "#f2c12e",
    "orange": "#f08c00",
    "red": "#c92a2a",
    "pending": "#adb5bd",
    "unplanned": "#3b5bdb",
    "rest": "#eef0f3",
}
DARK_TEXT, LIGHT_TEXT = "#212529", "#ffffff"
#: Text drawn on each status colour (badges, calendar day numbers).
STATUS_TEXT: dict[DayStatus, str] = {status: DARK_TEXT if status in ("yellow", "orange", "pending", "rest")
                                     else LIGHT_TEXT for status in STATUS_COLOURS}
#: At most this many x-axis labels on a chart: a season (35 weeks) shows every 5th week.
MAX_LABELS = 8
#: Bars narrower than this (px of the viewBox) carry no value label.
MIN_LABELLED_SLOT = 24.0
PLANNED_COLOUR = "#ced4da"
DONE_COLOUR = "#1c7ed6"
EASY_COLOUR = "#2f9e44"
HARD_COLOUR = "#f08c00"
LOAD_COLOUR = "#a5d8ff"
ACWR_COLOUR = "#c2255c"
FLAG_COLOUR = "#e03131"
TEXT_COLOUR = "#495057"
GRID_COLOUR = "#e9ecef"

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 14, 14, 34
FONT = {"font-size": "10", "fill": TEXT_COLOUR}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CELL, GAP, CAL_LEFT, CAL_TOP = 44, 4, 52, 18


def volume_chart(weeks: Sequence[WeekSummary]) -> str:
    """Planned vs done hours per week, side by side."""
    svg = _svg("volume", "Planned and done training time per week")
    top = _nice_ceiling(max([w.totals.planned_seconds for w in weeks] + [w.totals.done_seconds for w in weeks]
                            + [1.0]) / values.SECONDS_PER_HOUR)
    _y_axis(svg, top, "h", LEFT)
    slot = _plot_width() / max(len(weeks), 1)
    for i, week in enumerate(weeks):
        planned_h = week.totals.planned_seconds / values.SECONDS_PER_HOUR
        done_h = week.totals.done_seconds / values.SECONDS_PER_HOUR
        group = _week_group(svg, week.week_start, f"Week of {week.week_start}: planned {planned_h:.1f} h, "
                            f"done {done_h:.1f} h", planned_hours=f"{planned_h:.2f}", done_hours=f"{done_h:.2f}")
        x = LEFT + i * slot + slot * 0.15
        bar = slot * 0.33
        for offset, hours, colour, kind in ((0.0, planned_h, PLANNED_COLOUR, "planned"),
                                            (bar + 2, done_h, DONE_COLOUR, "done")):
            height = _y(0, top) - _y(hours, top)
            ET.SubElement(group, "rect", {"class": kind, "x": _f(x + offset), "y": _f(_y(hours, top)),
                                          "width": _f(bar), "height": _f(height), "fill": colour, "rx": "2"})
            if slot >= MIN_LABELLED_SLOT * 2:
                _text(group, x + offset + bar / 2, _y(hours, top) - 3, f"{hours:.1f}", anchor="middle", size=9)
        if _labelled(i, len(weeks)):
            _text(group, LEFT + (i + 0.5) * slot, HEIGHT - BOTTOM + 14, _short(week.week_start), anchor="middle")
    _legend(svg, [(PLANNED_COLOUR, "planned"), (DONE_COLOUR, "done")])
    return _serialise(svg)


def intensity_chart(weeks: Sequence[WeekSummary], target: float, today: date | None = None) -> str:
    """Share of HR time at or below the easy ceiling per week, against the target line; weeks after
    ``today`` are planned only and show nothing."""
    svg = _svg("intensity", f"Easy share of running time with heart rate, per week (target {target:.0%})")
    _y_axis(svg, 100, "%", LEFT, step=25)
    slot = _plot_width() / max(len(weeks), 1)
    for i, week in enumerate(weeks):
        share = week.totals.easy_share
        future = today is not None and week.week_start > today
        label = "planned" if future else "no heart rate" if share is None else f"{share:.0%} easy"
        group = _week_group(svg, week.week_start, f"Week of {week.week_start}: {label}",
                            easy_share="" if share is None else f"{share:.3f}")
        x, bar = LEFT + i * slot + slot * 0.2, slot * 0.6
        if future:
            group.set("data-future", "true")
        elif share is None:
            if slot >= MIN_LABELLED_SLOT:
                _text(group, x + bar / 2, _y(50, 100), "no HR", anchor="middle")
        else:
            for low, high, colour, kind in ((0.0, share, EASY_COLOUR, "easy"), (share, 1.0, HARD_COLOUR, "hard")):
                ET.SubElement(group, "rect", {"class": kind, "x": _f(x), "y": _f(_y(high * 100, 100)),
                                              "width": _f(bar),
                                              "height": _f(_y(low * 100, 100) - _y(high * 100, 100)),
                                              "fill": colour})
            if slot >= MIN_LABELLED_SLOT:
                _text(group, x + bar / 2, _y(share * 50, 100) + 4, f"{share:.0%}", anchor="middle", size=10,
                      fill="#fff")
        if _labelled(i, len(weeks)):
            _text(group, LEFT + (i + 0.5) * slot, HEIGHT - BOTTOM + 14, _short(week.week_start), anchor="middle")
    line_y = _f(_y(target * 100, 100))
    ET.SubElement(svg, "line", {"class": "target", "x1": str(LEFT), "x2": str(WIDTH - RIGHT), "y1": line_y,
                                "y2": line_y, "stroke": "#212529", "stroke-width": "1.5",
                                "stroke-dasharray": "5 3", "data-target": f"{target:.2f}"})
    _legend(svg, [(EASY_COLOUR, "easy"), (HARD_COLOUR, "above easy")])
    ET.SubElement(svg, "line", {"x1": "170", "x2": "190", "y1": str(HEIGHT - 6), "y2": str(HEIGHT - 6),
                                "stroke": "#212529", "stroke-width": "1.5", "stroke-dasharray": "5 3"})
    _text(svg, 194, HEIGHT - 3, f"target {target:.0%}", size=9)
    return _serialise(svg)


def calendar_chart(report: ComplianceReport) -> str:
    """One cell per day, Monday to Sunday: one stripe per session in its own colour (a green ski tour
    beside a missed core session), the day's worst status as the cell's ``data-status``."""
    rows = max(1, math.ceil(len(report.days) / 7))
    width, height = CAL_LEFT + 7 * (CELL + GAP), CAL_TOP + rows * (CELL + GAP)
    svg = _svg("calendar", "Compliance calendar", width=width, height=height)
    for column, name in enumerate(WEEKDAYS):
        _text(svg, CAL_LEFT + column * (CELL + GAP) + CELL / 2, CAL_TOP - 6, name, anchor="middle")
    for index, point in enumerate(report.days):
        row, column = divmod(index, 7)
        if column == 0:
            _text(svg, CAL_LEFT - 6, CAL_TOP + row * (CELL + GAP) + CELL / 2 + 4, _short(point.day), anchor="end")
        names = [s.name if s.status == "unplanned" else f"{s.name} ({s.status})"  # its name says unplanned
                 for s in report.sessions if s.day == point.day]
        cell = ET.SubElement(svg, "g", {"class": "day", "data-date": str(point.day), "data-status": point.status})
        ET.SubElement(cell, "title").text = f"{values.day_label(point.day)}: " + ("; ".join(names) or "rest")
        x, y = CAL_LEFT + column * (CELL + GAP), CAL_TOP + row * (CELL + GAP)
        ET.SubElement(cell, "rect", {"x": str(x), "y": str(y), "width": str(CELL), "height": str(CELL),
                                     "rx": "6", "fill": STATUS_COLOURS[point.status]})
        sessions = [s for s in report.sessions if s.day == point.day]
        if len(sessions) > 1:
            stripe_width = CELL / len(sessions)
            for n, session in enumerate(sessions):
                stripe = ET.SubElement(cell, "rect", {"class": "session", "x": _f(x + n * stripe_width),
                                                      "y": str(y + 20),
                                                      "width": _f(stripe_width), "height": str(CELL - 20),
                                                      "fill": STATUS_COLOURS[session.status],
                                                      "data-status": session.status})
                ET.SubElement(stripe, "title").text = f"{session.name} ({session.status})"
        ink = STATUS_TEXT[point.status]
        _text(cell, x + 6, y + 15, str(point.day.day), size=12, fill=ink)
        if any(s.done_on == point.day for s in report.sessions):
            ET.SubElement(cell, "circle", {"class": "activity", "cx": str(x + CELL - 9), "cy": str(y + 9),
                                           "r": "4", "fill": ink})
        if point.day == report.today:
            ET.SubElement(cell, "rect", {"x": str(x + 1), "y": str(y + 1), "width": str(CELL - 2),
                                         "height": str(CELL - 2), "rx": "6", "fill": "none",
                                         "stroke": "#212529", "stroke-width": "2"})
    return _serialise(svg)


def load_chart(report: ComplianceReport) -> str:
    """Daily load (bars, left axis) and the EWMA acute:chronic ratio (line, right axis)."""
    days = report.days
    svg = _svg("load", f"Daily {report.load_metric.upper()} load and acute:chronic workload ratio")
    load_top = _nice_ceiling(max([d.load for d in days] + [1.0]))
    ratio_top = max(2.0, math.ceil(max([d.acwr or 0.0 for d in days] + [0.0]) * 2) / 2)
    _y_axis(svg, load_top, "", LEFT)
    slot = _plot_width() / max(len(days), 1)
    for i, point in enumerate(days):
        if point.load > 0:
            rect = ET.SubElement(svg, "rect", {"class": "load", "x": _f(LEFT + i * slot + slot * 0.15),
                                               "y": _f(_y(point.load, load_top)), "width": _f(slot * 0.7),
                                               "height": _f(_y(0, load_top) - _y(point.load, load_top)),
                                               "fill": LOAD_COLOUR, "data-date": str(point.day)})
            ET.SubElement(rect, "title").text = f"{point.day}: load {point.load:.0f}"
    for week_index in range(0, len(days), 7):
        _week_mark(svg, days[week_index:week_index + 7], LEFT + week_index * slot,
                   _labelled(week_index // 7, math.ceil(len(days) / 7)), today=report.today)
    flag_y = _f(_y(report.acwr_flag, ratio_top))
    ET.SubElement(svg, "line", {"class": "acwr-flag", "x1": str(LEFT), "x2": str(WIDTH - RIGHT), "y1": flag_y,
                                "y2": flag_y, "stroke": FLAG_COLOUR, "stroke-dasharray": "4 3",
                                "data-acwr-flag": f"{report.acwr_flag:g}"})
    _text(svg, WIDTH - RIGHT, _y(report.acwr_flag, ratio_top) - 3, f"ACWR {report.acwr_flag:g}", anchor="end",
          size=9, fill=FLAG_COLOUR)
    for tick in (0.0, 1.0, ratio_top):
        _text(svg, WIDTH - RIGHT + 2, _y(tick, ratio_top) + 3, f"{tick:g}", size=8, fill=ACWR_COLOUR)
    _acwr_lines(svg, [d for d in days if d.day <= report.today], slot, ratio_top, report.acwr_min_history_days)
    _legend(svg, [(LOAD_COLOUR, f"{report.load_metric.upper()} load"), (ACWR_COLOUR, "ACWR")])
    return _serialise(svg)


def _acwr_lines(svg: ET.Element, days: Sequence[DayPoint], slot: float, top: float, min_history: int) -> None:
    """The ratio as a polyline: faded and dashed before ``min_history`` days of data exist."""
    points = [(i, d.acwr) for i, d in enumerate(days) if d.acwr is not None]
    for kind, part in (("acwr early", [p for p in points if p[0] < min_history]),
                       ("acwr", [p for p in points if p[0] >= min_history - 1])):
        if len(part) < 2:
            continue
        coords = " ".join(f"{_f(LEFT + (i + 0.5) * slot)},{_f(_y(ratio, top))}" for i, ratio in part)
        attributes = {"class": kind, "points": coords, "fill": "none", "stroke": ACWR_COLOUR, "stroke-width": "2",
                      "data-points": str(len(part))}
        if kind != "acwr":
            attributes |= {"stroke-dasharray": "3 3", "opacity": "0.45"}
        ET.SubElement(svg, "polyline", attributes)


def _week_mark(svg: ET.Element, week: Sequence[DayPoint], x: float, labelled: bool = True, *,
               today: date) -> None:
    """A week's line and label: its load and the ACWR the report gives it (Sunday's, today's for this
    week); a week after today is planned: no ratio."""
    load = sum(d.load for d in week)
    reached = [d for d in week if d.day <= today]
    acwr = reached[-1].acwr if reached else None
    summary = f"load {load:.0f}, ACWR {values.number(acwr)}" if reached else "planned"
    group = _week_group(svg, week[0].day, f"Week of {week[0].day}: {summary}",
                        load=f"{load:.1f}", acwr="" if acwr is None else f"{acwr:.3f}")
    ET.SubElement(group, "line", {"x1": _f(x), "x2": _f(x), "y1": str(TOP), "y2": str(HEIGHT - BOTTOM),
                                  "stroke": "#adb5bd", "stroke-width": "0.8"})
    if labelled:
        _text(group, x + 3, HEIGHT - BOTTOM + 14, _short(week[0].day))


def _labelled(index: int, count: int) -> bool:
    """Whether the ``index``-th of ``count`` x-axis labels is drawn (at most :data:`MAX_LABELS`)."""
    return index % max(1, math.ceil(count / MAX_LABELS)) == 0


def _svg(name: str, title: str, width: int = WIDTH, height: int = HEIGHT) -> ET.Element:
    svg = ET.Element("svg", {"class": f"chart {name}", "data-chart": name, "viewBox": f"0 0 {width} {height}",
                             "role": "img", "aria-label": title, "font-family": "system-ui, sans-serif"})
    ET.SubElement(svg, "title").text = title
    return svg


def _week_group(parent: ET.Element, monday: date, title: str, **data: str) -> ET.Element:
    attributes = {"class": "week", "data-week": str(monday)}
    attributes |= {f"data-{key.replace('_', '-')}": value for key, value in data.items()}
    group = ET.SubElement(parent, "g", attributes)
    ET.SubElement(group, "title").text = title
    return group


def _y_axis(svg: ET.Element, top: float, unit: str, x: float, step: float | None = None) -> None:
    step = step or _nice_step(top)
    tick = 0.0
    while tick <= top + 1e-9:
        y = _y(tick, top)
        ET.SubElement(svg, "line", {"x1": str(x), "x2": str(WIDTH - RIGHT), "y1": _f(y), "y2": _f(y),
                                    "stroke": GRID_COLOUR})
        _text(svg, x - 4, y + 3, f"{tick:g}{unit}", anchor="end", size=9)
        tick += step


def _legend(svg: ET.Element, entries: list[tuple[str, str]]) -> None:
    x = LEFT
    for colour, label in entries:
        ET.SubElement(svg, "rect", {"x": str(x), "y": str(HEIGHT - 11), "width": "9", "height": "9", "fill": colour})
        _text(svg, x + 12, HEIGHT - 3, label, size=9)
        x += 18 + 6 * len(label)


def _text(parent: ET.Element, x: float, y: float, text: str, *, anchor: str = "start", size: int = 10,
          fill: str = TEXT_COLOUR) -> None:
    ET.SubElement(parent, "text", {"x": _f(x), "y": _f(y), "text-anchor": anchor, "font-size": str(size),
                                   "fill": fill}).text = text


def _plot_width() -> float:
    return WIDTH - LEFT - RIGHT


def _y(value: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _nice_step(top: float) -> float:
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return float(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))


def _nice_ceiling(value: float) -> float:
    step = _nice_step(value)
    return max(step, math.ceil(value / step) * step)


def _short(day: date) -> str:
    return day.strftime("%b %d")


def _f(value: float) -> str:
    return f"{value:.1f}"


def _serialise(svg: ET.Element) -> str:
    return ET.tostring(svg, encoding="unicode", short_empty_elements=False)
