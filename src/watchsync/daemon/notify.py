"""systemd service notifications (``sd_notify``) over ``$NOTIFY_SOCKET``, without a dependency.

Every function is a no-op returning False when not started by systemd with ``Type=notify``.
"""

from __future__ import annotations

import logging
import os
import socket

logger = logging.getLogger(__name__)


def sd_notify(message: str) -> bool:
    """Send one notification datagram (``READY=1``, ``STATUS=...``, ...); True when it was sent."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    elif not address.startswith("/"):
        logger.warning("ignoring NOTIFY_SOCKET=%r: only unix sockets are supported", address)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode("utf-8"), socket.MSG_DONTWAIT, address)  # never block the main loop
    except OSError as exc:
        logger.warning("cannot notify systemd on %s: %s", os.environ["NOTIFY_SOCKET"], exc.strerror or exc)
        return False
    return True


def ready() -> bool:
    """Tell systemd start-up is complete."""
    return sd_notify("READY=1")


def watchdog_ping() -> bool:
    """Keep the service watchdog (``WatchdogSec=``) from restarting us."""
    return sd_notify("WATCHDOG=1")


def stopping() -> bool:
    """Tell systemd a clean shutdown has begun."""
    return sd_notify("STOPPING=1")


def status(text: str) -> bool:
    """Set the one-line status shown by ``systemctl status`` (newlines become spaces)."""
    return sd_notify("STATUS=" + " ".join(text.splitlines()))


def watchdog_interval() -> float | None:
    """Seconds between watchdog pings (half of ``$WATCHDOG_USEC``), or None when no watchdog is set for us."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 2_000_000 if value > 0 else None
