"""The coach's dashboard: a read-only, server-rendered web app the daemon serves (Starlette + Jinja2).

Every number on it comes from the same library calls as ``watchsync report`` and ``watchsync
status`` (:func:`watchsync.services.report.store_report`, the daemon's status): nothing is computed
twice. Loopback by default; any other listen address needs a password (stored hashed).
"""

from watchsync.web.app import create_app
from watchsync.web.auth import WebConfigError, check_listen, hash_password, verify_password
from watchsync.web.server import WebServer

__all__ = ["WebConfigError", "WebServer", "check_listen", "create_app", "hash_password", "verify_password"]
