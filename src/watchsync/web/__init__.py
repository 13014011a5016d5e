"""The coach's dashboard: a read-only, server-rendered web app the daemon serves (Starlette + Jinja2).

Every number on it comes from the same library calls as ``watchsync report`` and ``watchsync
status`` (:func:`watchsync.services.report.store_report`, the daemon's status): nothing is computed
twice. Loopback by default; any other listen address needs a password (stored hashed).

Modules: :mod:`.auth` (listen check, password hashing, basic auth), :mod:`.app` (routes and pages),
:mod:`.views` (what each page shows), :mod:`.hr_chart`, :mod:`.ics`, :mod:`.server` (uvicorn on a
thread). Nothing is imported here, so the daemon loads the web stack only when ``[web]`` is set.
"""
