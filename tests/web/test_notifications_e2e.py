"""Notifications of the real daemon to a local apprise ``json://`` sink, after the simulated fortnight."""

from __future__ import annotations

import signal
import time
import urllib.request

import pytest

from conftest import BROKEN_FILES, PLANTED_SECRET, Fortnight, wait_for

pytestmark = pytest.mark.slow


def _titles(fortnight: Fortnight, word: str) -> list[str]:
    return [str(m["title"]) for m in fortnight.sink.received() if word in str(m["title"])]


def test_each_rejected_file_is_told_once_with_its_name_and_reason(fortnight: Fortnight) -> None:
    """One message per file, or one for the files rejected in the same look (probe journey11 #7)."""
    rejected = [f"{m['title']}\n{m['message']}" for m in fortnight.sink.received() if "rejected" in str(m["title"])]
    for name in BROKEN_FILES:
        assert sum(name in text for text in rejected) == 1, rejected
    texts = "\n".join(rejected)
    assert "broken-intervals.txt:4:6: RPE 11 is outside the scale" in texts
    assert "leaky-notes.txt:2:8: unknown sport" in texts


def test_no_message_carries_a_secret(fortnight: Fortnight) -> None:
    secret_value = PLANTED_SECRET.partition("=")[2]
    assert secret_value in (fortnight.inbox / "anna" / "rejected" / "leaky-notes.txt.error.txt").read_text()
    texts = [f"{m['title']}\n{m['message']}" for m in fortnight.sink.received()]
    assert fortnight.secrets and texts
    for text in texts:
        assert secret_value not in text
        assert all(secret not in text for secret in fortnight.secrets)
    assert any("[redacted]" in text for text in texts)  # the leaky reason was sent, cleaned


def test_the_coach_hears_of_the_parked_athlete_and_the_training_flags_once(fortnight: Fortnight) -> None:
    wait_for("the too-hard easy run", lambda: _titles(fortnight, "too hard"))
    # ben has no tokens at all: never logged in, not a "new" login (probe journey11)
    assert _titles(fortnight, "needs a") == ["watchsync: ben needs a Garmin login (never logged in)"]
    too_hard = [str(m["message"]) for m in fortnight.sink.received() if "too hard" in str(m["title"])]
    assert all("easy run done too hard" in message or "easy parts done too hard" in message for message in too_hard)
    assert len(set(too_hard)) == len(too_hard)  # one message per activity
    keys = [(m["title"], m["message"]) for m in fortnight.sink.received()]
    assert len(keys) == len(set(keys))


def test_retries_and_a_reload_send_nothing_again(fortnight: Fortnight) -> None:
    answered, created = fortnight.uploads
    assert answered > created > 0  # workout uploads were retried through 429s
    assert not [m for m in fortnight.sink.received() if "429" in str(m["message"]) or "retry" in str(m["message"])]
    before: list[object] = []
    while before != fortnight.sink.received():  # let the events of the fortnight settle
        before = fortnight.sink.received()
        time.sleep(2)
    fortnight.process.send_signal(signal.SIGHUP)  # restarts every part: inbox rescan, a fresh event watcher
    wait_for("the reload", lambda: "configuration reloaded" in fortnight.log_text())
    time.sleep(3)  # ten check rounds of the new watcher
    assert fortnight.sink.received() == before
    assert fortnight.process.poll() is None
    page = urllib.request.urlopen(fortnight.url, timeout=30).read().decode()  # the dashboard came back too
    assert 'data-athlete="anna"' in page
