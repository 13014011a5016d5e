"""Logging for a daemon under journald: one line per event on stderr, secrets redacted.

Under systemd (``$JOURNAL_STREAM`` or ``$INVOCATION_ID`` set) each line is ``<N>name: message``
where ``<N>`` is the syslog priority journald reads (so ``journalctl -p warning`` works) and the
journal adds the timestamp. Elsewhere: ``2026-11-25 10:15:00 warning: name: message``.
Newlines (tracebacks included) are escaped as ``\\n`` so an event never spans lines.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import TextIO

REDACTED = "[redacted]"
SYSLOG_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}
#: A key whose value is secret: one of these words, alone or ending a longer name (``di_refresh_token``,
#: ``service_ticket``, ``refreshToken``), as garminconnect and HTTP name them.
SECRET_WORDS = (r"password|passwd|pwd|secret|token|ticket|ticketId|api_?key|authorization|mfa_?code"
                r"|verificationCode")

_AUTH_HEADER = re.compile(r"\b(Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=:%-]+", re.IGNORECASE)
_KEY_VALUE = re.compile(
    rf"""(?P<key>["']?\b[\w-]*?(?:{SECRET_WORDS})\b["']?\s*[=:]\s*(?:(?:Bearer|Basic|OAuth)\s+)?)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"',;&}]+))""",
    re.IGNORECASE,
)
#: A Cookie or Set-Cookie header: every ``name=value`` pair of it.
_COOKIES = re.compile(
    r"""(?P<key>["']?\b(?:set-)?cookie["']?\s*[=:]\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"',;}]+(?:;\s*[^\s"',;}]+)*))""",
    re.IGNORECASE,
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_LONG_HEX = re.compile(r"\b[0-9a-fA-F]{32,}\b")
_TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{32,}={0,2}")


def _redact_token_like(match: re.Match[str]) -> str:
    """Redact long base64-looking runs that mix digits and both cases; absolute paths are kept."""
    text = match.group(0)
    if text.startswith("/"):
        return text
    mixed = any(c.isdigit() for c in text) and any(c.isupper() for c in text) and any(c.islower() for c in text)
    return REDACTED if mixed else text


def _redact_value(match: re.Match[str]) -> str:
    """Keep the key (and quotes), replace the value."""
    quote = '"' if match.group("dq") is not None else "'" if match.group("sq") is not None else ""
    return f"{match.group('key')}{quote}{REDACTED}{quote}"


def redact(text: str) -> str:
    """Replace anything that looks like a secret (auth headers, key=value secrets, JWTs, long tokens)."""
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _COOKIES.sub(_redact_value, text)
    text = _KEY_VALUE.sub(_redact_value, text)
    text = _JWT.sub(REDACTED, text)
    text = _LONG_HEX.sub(REDACTED, text)
    return _TOKEN_LIKE.sub(_redact_token_like, text)


class RedactSecrets(logging.Filter):
    """Last line of defence: rewrite each record's message (and traceback) with secrets redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class LibraryFaultsAsWarnings(logging.Filter):
    """garminconnect logs each failed request at ERROR, a fault watchsync retries and reports itself
    (``will retry``, a parked queue): its records go to the journal as warnings, so that
    ``journalctl -p err`` lists watchsync's own errors only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("garminconnect") and record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class OneLineFormatter(logging.Formatter):
    """``<N>name: message`` for journald, or ``time level: name: message`` for a terminal; one line."""

    def __init__(self, *, under_systemd: bool) -> None:
        super().__init__(datefmt="%Y-%m-%d %H:%M:%S")
        self._under_systemd = under_systemd

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record).replace("\r", "").replace("\n", "\\n")
        if self._under_systemd:
            return f"<{_priority(record.levelno)}>{record.name}: {text}"
        return f"{self.formatTime(record, self.datefmt)} {record.levelname.lower()}: {record.name}: {text}"


def _priority(levelno: int) -> int:
    return next((prio for level, prio in sorted(SYSLOG_PRIORITY.items(), reverse=True) if levelno >= level), 7)


def running_under_systemd() -> bool:
    """True when stderr goes to the journal of a systemd service."""
    return bool(os.environ.get("JOURNAL_STREAM") or os.environ.get("INVOCATION_ID"))


def parse_level(level: int | str) -> int:
    """``"info"``/``"DEBUG"``/``20`` → a logging level; ValueError naming the valid choices otherwise."""
    if isinstance(level, int):
        return level
    value = logging.getLevelNamesMapping().get(level.strip().upper())
    if value is None:
        raise ValueError(f"unknown log level {level!r} (expected debug, info, warning, error or critical)")
    return value


def configure_logging(
    level: int | str, *, under_systemd: bool | None = None, stream: TextIO | None = None
) -> logging.Handler:
    """Send all logging to stderr (or ``stream``) one line per event, redacted; replaces a previous call's handler."""
    systemd = running_under_systemd() if under_systemd is None else under_systemd
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(OneLineFormatter(under_systemd=systemd))
    handler.addFilter(LibraryFaultsAsWarnings())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, OneLineFormatter)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(parse_level(level))
    return handler
