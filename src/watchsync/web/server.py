"""The dashboard served by uvicorn on a thread of the daemon: started after the daemon, stopped before it."""

from __future__ import annotations

import logging
import threading
import time

import uvicorn

from watchsync.config import Config
from watchsync.store import Store
from watchsync.web.app import StatusSource, create_app
from watchsync.web.auth import WebConfigError, check_listen

logger = logging.getLogger(__name__)

START_SECONDS = 10.0


class WebServer:
    """``[web] listen`` served on a thread; ``WebConfigError`` when it cannot be served safely or at all."""

    def __init__(self, config: Config, store: Store, status: StatusSource) -> None:
        self.host, self.port = check_listen(config.web)
        secret = config.web.password_hash.get_secret_value() if config.web.password_hash else None
        self._stopping = threading.Event()
        self._app = create_app(config, store, status, password_hash=secret, stopping=self._stopping)
        self._server = uvicorn.Server(uvicorn.Config(
            self._app, host=self.host, port=self.port, log_level="warning", access_log=False, lifespan="off",
            timeout_graceful_shutdown=1, server_header=False))
        self._thread = threading.Thread(target=self._server.run, name="watchsync-web", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._bound_port()}/"

    def start(self) -> None:
        """Serve, and return once the socket listens (``WebConfigError`` when it cannot be bound)."""
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise WebConfigError(f"[web] listen = \"{self.host}:{self.port}\": the dashboard could not start "
                                     "(address in use or not available here)")
            time.sleep(0.02)
        logger.info("dashboard at %s", self.url)

    def stop(self, timeout: float = 3.0) -> None:
        self._stopping.set()
        self._server.should_exit = True
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _bound_port(self) -> int:
        for server in getattr(self._server, "servers", []):
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self.port
