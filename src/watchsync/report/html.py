"""The compliance report as one self-contained HTML page: inline CSS and SVG, no scripts, no URLs.

Sections: headline numbers, weekly volume, intensity distribution, compliance calendar, load and
ACWR trend, the flags (ranked: missed, too hard, long-run spike first), a weekly table (this week and
the past newest first, then the weeks to come, planned only) and the session list with a step
drill-down per done session. Phone-first: one column below 700 px, tables turn into cards below
600 px (readable at 390 px); a print stylesheet; every text and badge colour meets WCAG AA.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from watchsync.report import charts, values
from watchsync.report.model import ComplianceReport, DayStatus, SessionRow

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#212529;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1100px;margin:0 auto;padding:12px}
h1{font-size:1.35rem;margin:.3rem 0}
h2{font-size:1.05rem;margin:0 0 .5rem}
.sub{color:#6c757d;margin:0 0 .8rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(108px,1fr));gap:8px;margin-bottom:12px}
.tile{background:#fff;border-radius:10px;padding:8px 10px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.tile b{display:block;font-size:1.15rem;white-space:nowrap}
.tile span{color:#6c757d;font-size:.8rem;line-height:1.25;display:block}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px}
.card{background:#fff;border-radius:10px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08);margin-bottom:12px;
 min-width:0}
svg.chart{display:block;width:100%;height:auto;max-width:560px}
svg.calendar{max-width:420px}
.legend{display:flex;flex-wrap:wrap;gap:6px 12px;margin:.5rem 0 0;padding:0;list-style:none;font-size:.85rem}
.legend i,.badge{display:inline-block;border-radius:4px}
.legend i{width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.badge{padding:1px 8px;font-size:.8rem;font-weight:600}
details{margin-top:.2rem;font-size:.85rem}
details table{font-size:.8rem}
.sub,.tile span,th{color:#495057}
ul.flags{margin:0;padding-left:1.2rem}
ul.flags li{margin:.15rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e9ecef;vertical-align:top}
th{font-weight:600;color:#495057;white-space:nowrap}
td:first-child{white-space:nowrap}
td.flags{color:#c92a2a}
tr.future td{color:#495057;font-style:italic}
@media (max-width:600px){
 main{padding:8px}
 table.cards thead{display:none}
 table.cards tr{display:block;border-bottom:1px solid #dee2e6;padding:6px 0}
 table.cards td{display:flex;justify-content:space-between;gap:12px;border:0;padding:2px 4px}
 table.cards td::before{content:attr(data-label);color:#6c757d;font-weight:600}
 table.cards td.flags{display:block}
 table.cards td.flags::before{display:block}
 table.cards td.flags:empty{display:none}
 table.cards td:first-child{font-weight:700}
 .tiles{grid-template-columns:repeat(2,1fr)}
 .grid{grid-template-columns:1fr}
}
@media print{
 body{background:#fff;font-size:11pt}
 main{max-width:none;padding:0}
 .card,.tile{box-shadow:none;border:1px solid #ced4da;break-inside:avoid}
 .grid{grid-template-columns:1fr 1fr}
 details>summary{display:none}
 details>*{display:block}
 a{color:inherit;text-decoration:none}
}
"""
SESSION_COLUMNS = ("Day", "Workout", "Status", "Done / planned", "In target", "RPE done / plan", "Flags")
WEEK_COLUMNS = ("Week", "Completion", "Time done / planned", "Distance by sport", "Easy", "Load", "ACWR",
                "Monotony", "Flags")
LEGEND: tuple[tuple[DayStatus, str], ...] = (
    ("green", "80–120 % of plan"), ("yellow", "50–79 % or 121–150 %"), ("orange", "< 50 % or > 150 %"),
    ("red", "missed"), ("pending", "still open"), ("unplanned", "unplanned activity"), ("rest", "rest"))
BANDS = "".join(f"tr.{status} td:first-child{{box-shadow:inset 5px 0 0 {colour};padding-left:12px}}"
                for status, colour in charts.STATUS_COLOURS.items())


def render_html(report: ComplianceReport) -> str:
    """The whole page as a string (UTF-8 when written), distances in the athlete's units."""
    with values.display_units(report.units):
        return _render_html(report)


def _render_html(report: ComplianceReport) -> str:
    weeks = report.summary.weeks
    period = f"{weeks[0].week_start} – {weeks[-1].week_start + timedelta(days=6)}" if weeks else "no sessions"
    title = f"Compliance report: {report.athlete}"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(period)} · as of {report.today} · load metric {report.load_metric.upper()}</p>',
        _tiles(report),
        '<div class="grid">',
        _card("volume", "Weekly volume: planned vs done", charts.volume_chart(weeks)),
        _card("intensity", "Intensity distribution",
              charts.intensity_chart(weeks, report.easy_share_target, report.today)),
        _card("calendar", "Compliance calendar", charts.calendar_chart(report) + _legend()),
        _card("load", "Load and ACWR", charts.load_chart(report) + _acwr_note(report)),
        "</div>",
        _card("flags", "Flags", _flags(report)),
        _card("weeks", "Weeks", _week_table(report)),
        _card("sessions", "Sessions", _session_table(_sessions_in_order(report))),
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}{BANDS}</style>",
        "</head>",
        "<body><main>",
        *body,
        "</main></body>",
        "</html>",
        "",
    ])


def _card(anchor: str, heading: str, content: str) -> str:
    return f'<section class="card" id="{anchor}"><h2>{escape(heading)}</h2>{content}</section>'


def _tiles(report: ComplianceReport) -> str:
    totals = report.summary.totals
    tiles = [
        (values.percent(totals.completion), f"completion ({totals.done} of {totals.done + totals.missed})"),
        (values.hours(totals.done_seconds), f"done of {values.planned_time(totals)}"),
        (values.kilometres(totals.done_meters_by_family.get("run", 0.0)),
         "run " + values.distances(totals.done_meters_by_family, totals.planned_meters_by_family)),
        (values.percent(totals.easy_share), f"easy (target {values.percent(report.easy_share_target)})"
         + values.hr_basis(totals.hr_seconds, totals.no_hr_seconds)),
        (str(len(report.summary.flags) + sum(len(s.flags) for s in report.sessions)), "flags"),
    ]
    return '<div class="tiles">' + "".join(
        f'<div class="tile"><b>{escape(value)}</b><span>{escape(label)}</span></div>' for value, label in tiles
    ) + "</div>"


def _legend() -> str:
    items = "".join(f'<li><i style="background:{charts.STATUS_COLOURS[status]}"></i>{escape(label)}</li>'
                    for status, label in LEGEND)
    return f'<ul class="legend">{items}<li>● activity done that day; a day of several sessions is striped, '\
           "one colour each</li></ul>"


def _acwr_note(report: ComplianceReport) -> str:
    return (f'<p class="sub">EWMA 7/28 days, informational; flagged at {report.acwr_flag:g} once '
            f"{report.acwr_min_history_days} days of history exist (dashed before).</p>")


def _flags(report: ComplianceReport) -> str:
    flags = values.ranked(report.summary.flags + [f"{values.day_label(s.day)} {s.name}: {flag}"
                                                  for s in report.sessions for flag in s.flags])
    if not flags:
        return "<p>No flags.</p>"
    return '<ul class="flags">' + "".join(f"<li>{escape(flag)}</li>" for flag in flags) + "</ul>"


def _week_table(report: ComplianceReport) -> str:
    rows = []
    for week in values.week_order(report.summary.weeks, report.today):
        t = week.totals
        if values.is_future(week, report.today):  # only what is planned: no ACWR, no "no HR"
            cells = [str(week.week_start), f"{t.planned_sessions} planned",
                     f"{values.hours(t.planned_seconds)} planned",
                     values.distances(t.planned_meters_by_family), "", "", "", "", ""]
            rows.append(_row(WEEK_COLUMNS, cells, f'class="future" data-week="{week.week_start}" data-future="true"'))
            continue
        cells = [str(week.week_start), f"{values.percent(t.completion)} ({t.done} of {t.done + t.missed})",
                 f"{values.hours(t.done_seconds)} / {values.hours(t.planned_seconds)}",
                 values.distances(t.done_meters_by_family, t.planned_meters_by_family),
                 values.percent(t.easy_share), f"{week.load:.0f}", values.number(week.acwr),
                 values.number(week.monotony), "; ".join(values.ranked(week.flags))]
        rows.append(_row(WEEK_COLUMNS, cells, f'data-week="{week.week_start}"'))
    return _table(WEEK_COLUMNS, rows)


def _sessions_in_order(report: ComplianceReport) -> list[SessionRow]:
    """Sessions week by week in the weeks' order (newest first, then the weeks to come)."""
    return [row for week in values.week_order(report.summary.weeks, report.today)
            for row in report.sessions_in_week(week.week_start)]


def badge(status: DayStatus) -> str:
    """A status badge: its colour and a text colour that meets WCAG AA on it."""
    return (f'<span class="badge {status}" style="background:{charts.STATUS_COLOURS[status]};'
            f'color:{charts.STATUS_TEXT[status]}">{escape(status)}</span>')


def _session_table(sessions: list[SessionRow]) -> str:
    rows = []
    for s in sessions:
        workout = escape(s.name) + _drill_down(s)
        cells = [values.day_label(s.day), workout, badge(s.status), values.volume(s), values.percent(s.in_target),
                 values.rpe(s), "; ".join(values.ranked(s.flags))]
        rows.append(_row(SESSION_COLUMNS, cells, f'class="{s.status}" data-status="{s.status}" data-date="{s.day}"',
                         raw=(SESSION_COLUMNS.index("Status"), SESSION_COLUMNS.index("Workout"))))
    return _table(SESSION_COLUMNS, rows)


STEP_COLUMNS = ("Step", "Name", "Target", "Runs", "Time", "In", "Above", "Below")


def _drill_down(session: SessionRow) -> str:
    """The step-by-step compliance of a done session (what ``analyze`` shows), folded."""
    if not session.steps:
        return ""
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in (
            str(step.index), step.name or "", step.target,
            values.runs(step.executions, step.planned_executions, known=step.runs_known),
            f"{step.seconds:.0f}s",
            values.percent(step.inside), values.percent(step.above), values.percent(step.below))) + "</tr>"
        for step in session.steps)
    head = "".join(f"<th>{escape(c)}</th>" for c in STEP_COLUMNS)
    return (f'<details class="steps" data-steps="{len(session.steps)}"><summary>{len(session.steps)} steps</summary>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>")


def _row(columns: tuple[str, ...], cells: list[str], attributes: str, raw: tuple[int, ...] = ()) -> str:
    tds = []
    for index, (label, cell) in enumerate(zip(columns, cells, strict=True)):
        kind = ' class="flags"' if label == "Flags" else ""
        content = cell if index in raw else escape(cell)
        tds.append(f'<td data-label="{escape(label)}"{kind}>{content}</td>')
    return f"<tr {attributes}>{''.join(tds)}</tr>"


def _table(columns: tuple[str, ...], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    return f'<div class="scroll"><table class="cards"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}' \
           "</tbody></table></div>"
