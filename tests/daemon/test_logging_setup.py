"""Journald-friendly logging: one line per event, priorities under systemd, secrets redacted."""

from __future__ import annotations

import io
import logging
import re
import secrets
from collections.abc import Iterator

import pytest

from watchsync.daemon.logging_setup import configure_logging, redact

NAME = "watchsync.test.logging"


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _log(under_systemd: bool, level: str = "info") -> tuple[io.StringIO, logging.Logger]:
    stream = io.StringIO()
    configure_logging(level, under_systemd=under_systemd, stream=stream)
    return stream, logging.getLogger(NAME)


def test_under_systemd_lines_carry_syslog_priority_and_no_timestamp() -> None:
    stream, log = _log(under_systemd=True)
    log.info("synced %d workouts", 3)
    log.warning("inbox missing")
    log.error("upload failed")
    log.debug("not shown at info level")
    assert stream.getvalue().splitlines() == [
        f"<6>{NAME}: synced 3 workouts",
        f"<4>{NAME}: inbox missing",
        f"<3>{NAME}: upload failed",
    ]


def test_on_a_terminal_lines_have_time_level_and_name() -> None:
    stream, log = _log(under_systemd=False, level="DEBUG")
    log.debug("hello")
    [line] = stream.getvalue().splitlines()
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d debug: {re.escape(NAME)}: hello", line), line


def test_systemd_is_detected_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    monkeypatch.setenv("INVOCATION_ID", "0123")
    stream = io.StringIO()
    configure_logging("info", stream=stream)
    logging.getLogger(NAME).info("x")
    assert stream.getvalue() == f"<6>{NAME}: x\n"


def test_multiline_messages_and_tracebacks_stay_on_one_line() -> None:
    stream, log = _log(under_systemd=True)
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        log.exception("failed\nbadly")
    [line] = stream.getvalue().splitlines()
    assert line.startswith(f"<3>{NAME}: failed\\nbadly")
    assert "RuntimeError: boom\\nsecond line" in line


def test_reconfiguring_replaces_the_handler() -> None:
    first, _ = _log(under_systemd=True)
    second, log = _log(under_systemd=True)
    log.info("once")
    assert (first.getvalue(), second.getvalue()) == ("", f"<6>{NAME}: once\n")


def test_unknown_level_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure_logging("loud", under_systemd=True, stream=io.StringIO())


def test_secrets_are_redacted_in_messages_arguments_and_tracebacks() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm5hIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlLXZhbHVl"
    token = secrets.token_urlsafe(32)
    stream, log = _log(under_systemd=True)
    log.info("headers %s", {"Authorization": f"Bearer {token}"})
    log.warning("login with password=%s failed", "hunter2")
    log.info("token file holds %s", jwt)
    try:
        raise ValueError(f"refresh_token={token}")
    except ValueError:
        log.exception("refresh failed")
    text = stream.getvalue()
    for secret in (token, "hunter2", jwt):
        assert secret not in text
    assert text.count("[redacted]") >= 4


@pytest.mark.parametrize(
    "text",
    [
        "moved /srv/watchsync/inbox/anna/Hills-Repeats_2026W12Base.toml to processed/",
        "workout 123456789 scheduled on 2026-11-25 [ws:0123456789ab]",
        "token_dir=/var/lib/watchsync/tokens/anna",
        "easy run 45m RPE 3, HR 140-150 bpm",
    ],
)
def test_ordinary_messages_are_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ('{"password": "two words", "user": "anna"}', '"user": "anna"'),
        ("api_key: abc123 next", "next"),
        ("digest " + "ab" * 20, "digest"),
    ],
)
def test_secret_looking_values_are_redacted(text: str, kept: str) -> None:
    result = redact(text)
    assert "[redacted]" in result and kept in result
    assert "two words" not in result and "abc123" not in result and "ab" * 20 not in result


@pytest.mark.parametrize(
    ("text", "secrets_in_it", "kept"),
    [
        ('{"di_token": "abc.def", "di_refresh_token": "r1x", "di_client_id": "GCM_DI"}', ["abc.def", "r1x"],
         '"di_client_id": "GCM_DI"'),
        ("access_token=a1b&refresh_token=r2c&grant_type=refresh_token", ["a1b", "r2c"], "grant_type=refresh_token"),
        ("service_ticket=ST-9q8 ticket=ST-7p6 done", ["ST-9q8", "ST-7p6"], "done"),
        ('{"mfa_code": "918273", "mfaVerificationCode": "564738", "serviceTicketId": "ST-5x"}',
         ["918273", "564738", "ST-5x"], "{"),
        ("mfa_code=111222 password=pa55 user=anna", ["111222", "pa55"], "user=anna"),
        ("Cookie: SESSION=s3ss; JWT_WEB=jw7; GARMIN-SSO=g4r then retried", ["s3ss", "jw7", "g4r"], "then retried"),
        ("headers {'Cookie': 'SESSION=s3ss; JWT_WEB=jw7', 'Accept': 'application/json'}", ["s3ss", "jw7"],
         "'Accept': 'application/json'"),
        ("Set-Cookie: SESSION=s3ss; Path=/; HttpOnly", ["s3ss"], "Set-Cookie: "),
    ],
)
def test_garminconnects_secret_names_and_every_cookie_are_redacted(text: str, secrets_in_it: list[str],
                                                                  kept: str) -> None:
    result = redact(text)
    assert [secret for secret in secrets_in_it if secret in result] == []
    assert kept in result


def test_garminconnects_failed_requests_reach_the_journal_as_warnings() -> None:
    import io
    import logging

    from watchsync.daemon.logging_setup import configure_logging

    stream = io.StringIO()
    handler = configure_logging("info", under_systemd=True, stream=stream)
    try:
        logging.getLogger("garminconnect.api._common").error("mobile+requests failed: ConnectionError")
        logging.getLogger("watchsync.daemon.worker").error("anna: queue parked")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("<4>garminconnect.api._common:")  # warning
    assert lines[1].startswith("<3>watchsync.daemon.worker:")  # error


def test_the_command_line_prints_no_raw_garminconnect_lines() -> None:
    import subprocess
    import sys

    code = ("import logging\nimport watchsync.garmin.client\n"
            "logging.getLogger('garminconnect.api._common').error('mobile+requests failed: ConnectionError')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "mobile+requests failed" not in done.stderr
