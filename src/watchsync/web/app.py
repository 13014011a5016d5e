"""The dashboard's routes (Starlette) and pages (Jinja2 templates): read-only, server-rendered.

``/`` coach overview · ``/athletes/<name>`` calendar · ``/athletes/<name>/week/<date>`` week ·
``/athletes/<name>/season`` season · ``/athletes/<name>/activities/<id>`` activity drill-down ·
``/status`` daemon health · ``/athletes/<name>.ics`` live calendar feed · ``/events`` server-sent
events (a page reloads, keeping its scroll position, when the data behind it changed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from watchsync.config import Config
from watchsync.describe import format_seconds, readable_time
from watchsync.model.athlete import Athlete, Units
from watchsync.report import charts, values
from watchsync.store import Store
from watchsync.web import views
from watchsync.web.auth import ASGIApp, BasicAuth, Message, Receive, Scope, Send
from watchsync.web.ics import athlete_feed

StatusSource = Callable[[], dict[str, Any]]
#: How often ``/events`` looks whether the data changed.
EVENT_SECONDS = 2.0
#: Every answer: nothing from elsewhere (the pages need none), no framing, no referrer.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                                 b"img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                                 b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
#: Health data: never kept by a shared cache (a reverse proxy), always revalidated by the browser.
PRIVATE_CACHE = (b"cache-control", b"private, no-cache")


class Dashboard:
    """The pages of one configuration over one store; ``status`` is the daemon's status as JSON."""

    def __init__(self, config: Config, store: Store, status: StatusSource, stopping: threading.Event) -> None:
        self.config = config
        self.store = store
        self.status = status
        self.stopping = stopping
        self.templates = Environment(loader=PackageLoader("watchsync.web", "templates"),
                                     autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        self.templates.globals.update(values=values, colour=views.session_colour, fmt_seconds=format_seconds,
                                      status_colours=charts.STATUS_COLOURS, svg=Markup,
                                      athletes=list(config.athletes))
        self.templates.filters["segment"] = url_segment
        self.templates.filters["clock"] = readable_time
        self.templates.globals["garmin_health"] = views.garmin_health

    def page(self, template: str, **context: Any) -> HTMLResponse:
        """A page rendered; an athlete's page gives distances in the athlete's units."""
        athlete = context.get("athlete")
        with values.display_units(athlete.units if isinstance(athlete, Athlete) else Units.METRIC):
            return HTMLResponse(self.templates.get_template(template).render(**context))

    def athlete(self, request: Request) -> Athlete:
        name = request.path_params["name"]
        if name not in self.config.athletes:
            raise views.NotFound(f"no athlete {name!r}")
        return self.config.athletes[name]

    def overview(self, request: Request) -> Response:
        status = self.status()
        cards = views.overview(self.store, list(self.config.athletes.values()), status)
        return self.page("overview.html", title="Athletes", cards=cards, status=status)

    def calendar(self, request: Request) -> Response:
        athlete = self.athlete(request)
        with values.display_units(athlete.units):
            view = views.calendar(self.store, athlete)
        return self.page("calendar.html", title=f"{athlete.name}: calendar", athlete=athlete, view=view)

    def week(self, request: Request) -> Response:
        athlete = self.athlete(request)
        try:
            day = date.fromisoformat(request.path_params["day"])
            day.fromordinal(day.toordinal() - 7 - views.REPORT_REACH_DAYS)  # its week, its neighbours, its history
            day.fromordinal(day.toordinal() + 7 + 6)
        except (ValueError, OverflowError):
            raise views.NotFound(f"not a date of a week the dashboard can show: {request.path_params['day']!r}") \
                from None
        with values.display_units(athlete.units):  # the view's bands and distances in the athlete's units
            view = views.week(self.store, athlete, day)
        return self.page("week.html", title=f"{athlete.name}: week of {view.monday}", athlete=athlete, view=view,
                         previous=view.monday and view.monday.fromordinal(view.monday.toordinal() - 7),
                         next=view.monday and view.monday.fromordinal(view.monday.toordinal() + 7))

    def season(self, request: Request) -> Response:
        athlete = self.athlete(request)
        with values.display_units(athlete.units):
            view = views.season(self.store, athlete)
        return self.page("season.html", title=f"{athlete.name}: season", athlete=athlete, view=view)

    def activity(self, request: Request) -> Response:
        athlete = self.athlete(request)
        with values.display_units(athlete.units):  # step bands per mile for an imperial athlete (probe coach11)
            view = views.activity(self.store, athlete, request.path_params["activity"])
        return self.page("activity.html", title=f"{athlete.name}: {view.row.name}", athlete=athlete, view=view)

    def status_page(self, request: Request) -> Response:
        status = self.status()
        return self.page("status.html", title="Status", status=status, rejected=status.get("rejected", {}))

    def feed(self, request: Request) -> Response:
        athlete = self.athlete(request)
        return Response(athlete_feed(self.store, athlete), media_type="text/calendar; charset=utf-8",
                        headers={"content-disposition": attachment_name(f"{athlete.name}.ics")})

    def signature(self) -> str:
        """Changes when an activity, a queue, an auth state or a rejected file changes (not on heartbeats)."""
        status = self.status()
        quiet = [{k: v for k, v in athlete.items()  # times of calls that worked move with every poll
                  if k not in ("last_activity_sync", "last_push", "last_contact", "error_cleared")}
                 for athlete in status.get("athletes", [])]
        seen = [len(self.store.list_activities(name)) for name in self.config.athletes]
        return hashlib.sha256(json.dumps([quiet, seen, status.get("alive")], default=str).encode()).hexdigest()

    async def events(self, request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            last = await asyncio.to_thread(self.signature)
            yield f"retry: 5000\nevent: hello\ndata: {last}\n\n"
            while not self.stopping.is_set() and not await request.is_disconnected():
                await asyncio.sleep(EVENT_SECONDS)
                now = await asyncio.to_thread(self.signature)
                if now != last:
                    last = now
                    yield f"event: changed\ndata: {now}\n\n"
                else:
                    yield ": still here\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store"})


def create_app(config: Config, store: Store, status: StatusSource, *, password_hash: str | None = None,
               stopping: threading.Event | None = None) -> ASGIApp:
    """The dashboard as an ASGI app; with ``password_hash`` every request needs basic auth.

    ``stopping`` ends the open event streams (so the server can stop at once).
    """
    dashboard = Dashboard(config, store, status, stopping or threading.Event())

    async def not_found(request: Request, error: Exception) -> Response:
        return PlainTextResponse(f"{error}\n", status_code=404)

    app = Starlette(routes=[
        Route("/", dashboard.overview),
        Route("/status", dashboard.status_page),
        Route("/events", dashboard.events),
        Route("/athletes/{name}.ics", dashboard.feed),
        Route("/athletes/{name}", dashboard.calendar),
        Route("/athletes/{name}/season", dashboard.season),
        Route("/athletes/{name}/week/{day}", dashboard.week),
        Route("/athletes/{name}/activities/{activity}", dashboard.activity),
    ], exception_handlers={views.NotFound: not_found})
    return BasicAuth(_with_headers(app), user=config.web.user, password_hash=password_hash)


def _with_headers(app: ASGIApp) -> ASGIApp:
    """``app`` with :data:`SECURITY_HEADERS` on every response, and :data:`PRIVATE_CACHE` unless it says
    otherwise (``/events``: ``no-store``)."""
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *SECURITY_HEADERS]
                if not any(name.lower() == b"cache-control" for name, _value in headers):
                    headers.append(PRIVATE_CACHE)
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


def url_segment(value: object) -> str:
    """``value`` as one percent-encoded URL path segment (``ann#1`` → ``ann%231``; a multisport leg's
    ``123#2`` stays one id)."""
    return quote(str(value), safe="")


def attachment_name(filename: str) -> str:
    """A ``content-disposition`` value for ``filename`` whatever its characters (RFC 6266): an ASCII
    fallback and the UTF-8 name (``Jiří.ics`` cannot go into a Latin-1 header as it is)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%' else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
