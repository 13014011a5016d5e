"""The notifier alone: one message per key (also across restarts), the rate limit, redaction, failing targets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from watchsync.daemon import notifications
from watchsync.daemon.notifications import Notice, Notifier, Target, apprise_targets
from watchsync.daemon.status import GLOBAL, NOTIFY_HELD_KEY
from watchsync.store import Store
from watchsync.testing.notify_sink import running_sink


class Recorder:
    def __init__(self, fail_first: int = 0) -> None:
        self.got: list[tuple[str, str]] = []
        self.calls = 0
        self.fail_first = fail_first
        self.lock = threading.Lock()

    def send(self, title: str, body: str) -> bool:
        with self.lock:
            self.calls += 1
            if self.calls <= self.fail_first:
                return False
            self.got.append((title, body))
            return True


def _wait(condition: object, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recorder: Recorder, per_hour: int,
            now: list[float]) -> Iterator[Notifier]:
    """A started notifier of ``per_hour`` messages an hour on the clock ``now[0]``, looking at its
    budget every 0.05 s; stopped afterwards."""
    monkeypatch.setattr(notifications, "BUDGET_RECHECK_SECONDS", 0.05)
    with Store.open(tmp_path / "s.sqlite3") as store:
        notifier = Notifier(store, [Target("#1", recorder.send)], max_per_hour=per_hour, clock=lambda: now[0])
        notifier.start()
        yield notifier


def test_one_message_per_key_even_after_a_restart(tmp_path: Path) -> None:
    recorder = Recorder()
    with Store.open(tmp_path / "s.sqlite3") as store:
        notifier = Notifier(store, [Target("#1 test", recorder.send)])
        notifier.start()
        assert notifier.submit(Notice("rejected:a:x.txt", "x rejected", "why"))
        assert not notifier.submit(Notice("rejected:a:x.txt", "x rejected", "why (again)"))
        _wait(lambda: recorder.got)
        notifier.stop()
    with Store.open(tmp_path / "s.sqlite3") as store:
        again = Notifier(store, [Target("#1 test", recorder.send)])
        assert not again.submit(Notice("rejected:a:x.txt", "x rejected", "why"))
    assert recorder.got == [("x rejected", "why")]


def test_the_rate_limit_holds_messages_back_without_dropping_them(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    recorder, now = Recorder(), [0.0]
    with limited(tmp_path, monkeypatch, recorder, 5, now) as notifier:  # 5 an hour, the last kept for urgent ones
        for n in range(5):
            notifier.submit(Notice(f"k{n}", f"t{n}", "b"))
        _wait(lambda: len(recorder.got) == 4)
        time.sleep(0.3)
        assert len(recorder.got) == 4
        held = notifier._store.kv_get(GLOBAL, NOTIFY_HELD_KEY)  # what `watchsync status` shows
        assert isinstance(held, dict) and held["waiting"] == 1
        now[0] = 3601.0  # an hour later the fifth goes out
        _wait(lambda: len(recorder.got) == 5)
        _wait(lambda: notifier._store.kv_get(GLOBAL, NOTIFY_HELD_KEY) is None)
        notifier.stop()
    assert [t for t, _ in recorder.got] == ["t0", "t1", "t2", "t3", "t4"]


def test_a_burst_of_news_leaves_room_for_an_urgent_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first start's backlog of report news used the whole hour: a rejected file then waited an hour."""
    recorder, now = Recorder(), [0.0]
    with limited(tmp_path, monkeypatch, recorder, 5, now) as notifier:
        for n in range(8):
            notifier.submit(Notice(f"news{n}", f"news {n}", "b"))
        _wait(lambda: len(recorder.got) == 4)
        notifier.submit(Notice("rejected", "file rejected", "b", urgent=True))
        _wait(lambda: len(recorder.got) == 5)
        time.sleep(0.3)
        notifier.stop()
    assert [t for t, _ in recorder.got] == ["news 0", "news 1", "news 2", "news 3", "file rejected"]


def test_secrets_are_redacted_and_a_failing_target_is_retried_alone(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifications, "RETRY_SECONDS", 0.01)
    flaky, steady = Recorder(fail_first=1), Recorder()

    def broken(title: str, body: str) -> bool:
        raise ConnectionError("target down")

    with Store.open(tmp_path / "s.sqlite3") as store:
        notifier = Notifier(store, [Target("#1", flaky.send), Target("#2", steady.send), Target("#3", broken)])
        notifier.start()
        notifier.submit(Notice("k", "login failed", "refresh_token=abcDEF123456789012345678901234567890 rejected"))
        _wait(lambda: flaky.got and steady.got)
        notifier.stop()
    assert steady.got == flaky.got == [("login failed", "refresh_token=[redacted] rejected")]
    assert steady.calls == 1 and flaky.calls == 2


def test_apprise_json_targets_post_to_the_sink_and_bad_urls_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with running_sink() as sink:
        targets = apprise_targets([sink.url, "nonsense-without-scheme", "json://user:hunter2secret@127.0.0.1:9/x"],
                                  None)
        assert [t.label for t in targets] == ["#1 json", "#2 json"]
        assert targets[0].send("hello", "world")
        assert not targets[1].send("hello", "world")  # nothing listens on port 9
        assert [(m["title"], m["message"]) for m in sink.received()] == [("hello", "world")]
    assert "urls #2" in caplog.text and "hunter2secret" not in caplog.text


def test_a_notice_still_waiting_at_shutdown_is_sent_by_the_next_run(tmp_path: Path) -> None:
    first, second = Recorder(), Recorder()
    with Store.open(tmp_path / "s.sqlite3") as store:
        notifier = Notifier(store, [Target("#1", first.send)], max_per_hour=1)
        notifier.start()
        notifier.submit(Notice("a", "first", "b"))
        notifier.submit(Notice("b", "held back by the rate limit", "b"))
        _wait(lambda: first.got)
        notifier.stop()
        again = Notifier(store, [Target("#1", second.send)])
        again.start()
        assert not again.submit(Notice("a", "first", "b"))
        assert again.submit(Notice("b", "held back by the rate limit", "b"))
        _wait(lambda: second.got)
        again.stop()
    assert [t for t, _ in first.got] == ["first"] and [t for t, _ in second.got] == ["held back by the rate limit"]


def test_urgent_notices_overtake_waiting_news_and_a_cleared_one_is_not_sent(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    recorder, now = Recorder(), [0.0]
    with limited(tmp_path, monkeypatch, recorder, 1, now) as notifier:
        for n in range(3):  # a backlog of news fills the hour's budget
            notifier.submit(Notice(f"news{n}", f"news {n}", "b"))
        _wait(lambda: len(recorder.got) == 1)
        notifier.submit(Notice("parked:a:1", "a needs a login", "b", urgent=True, current=lambda: True))
        notifier.submit(Notice("parked:b:1", "b needs a login", "b", urgent=True, current=lambda: False))  # fixed
        notifier.submit(Notice("unreachable:1", "Garmin unreachable", "b", urgent=True))
        now[0] = 3601.0
        _wait(lambda: len(recorder.got) == 2)
        now[0] = 7202.0
        _wait(lambda: len(recorder.got) == 3)
        now[0] = 10803.0
        _wait(lambda: len(recorder.got) == 4)
        now[0] = 14404.0
        _wait(lambda: len(recorder.got) == 5)
        notifier.stop()
    assert [t for t, _ in recorder.got] == ["news 0", "a needs a login", "Garmin unreachable", "news 1", "news 2"]
