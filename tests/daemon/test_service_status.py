"""``watchsync status``: per-athlete state and daemon liveness read from the store and the inboxes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchsync.cli import main
from watchsync.config import Config, load_config
from watchsync.daemon.status import (
    EXIT_NOT_RUNNING,
    GLOBAL,
    HEARTBEAT_KEY,
    LAST_ACTIVITY_SYNC_KEY,
    LAST_PUSH_KEY,
    NOTIFY_HELD_KEY,
    PID_KEY,
    collect_status,
    format_status,
    record_error,
)
from watchsync.garmin.tokens import TOKEN_FILE
from watchsync.store import Store


@pytest.fixture
def config(tmp_path: Path) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(f'[daemon]\ninbox = "{tmp_path / "inbox"}"\n[athletes.anna]\n[athletes.bob]\n')
    made = load_config(path, state_dir=tmp_path / "state")
    token_dir = made.token_dir("anna")
    token_dir.mkdir(parents=True)
    (token_dir / TOKEN_FILE).write_text("{}")
    return made


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_status_of_each_athlete(config: Config) -> None:
    rejected = config.inbox_dir("bob")
    assert rejected is not None
    (rejected / "rejected").mkdir(parents=True)
    for name in ("a.txt", "a.txt.error.txt", "b.toml", "b.toml.error.txt"):
        (rejected / "rejected" / name).write_text("x")
    with Store.open(config.store_path) as store:
        store.upsert_workout("bob", "easy", content_hash="h", payload={})
        store.upsert_workout("bob", "tempo", content_hash="t", payload={})
        first = store.enqueue("bob", "push", "easy", now=datetime(2030, 1, 1, 8, tzinfo=UTC))
        store.enqueue("bob", "push", "tempo", now=datetime(2030, 1, 2, 8, tzinfo=UTC))
        store.park("bob", "re-authentication needed: run `watchsync login`")
        store.kv_set("anna", LAST_PUSH_KEY, "2030-01-01T09:00:00+00:00")
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, "2030-01-01T09:05:00+00:00")
        record_error(store, "bob", "Garmin rejected the request (HTTP 400): bad step")
    status = collect_status(config)
    anna, bob = status.athletes
    assert (anna.auth, anna.outbox_depth, anna.oldest_item, anna.rejected_waiting) == ("ok", 0, None, 0)
    assert (anna.last_push, anna.last_activity_sync, anna.last_error) == (
        "2030-01-01T09:00:00+00:00", "2030-01-01T09:05:00+00:00", None)
    assert bob.auth == "re-authentication needed: run `watchsync login`"
    assert (bob.outbox_depth, bob.oldest_item) == (2, first.created_at.isoformat(timespec="seconds"))
    assert bob.last_error is not None and bob.last_error.endswith("bad step")
    assert bob.rejected_waiting == 2
    assert not status.alive
    text = format_status(status)
    assert "never started" in text and "2 waiting, oldest 2030-01-01 08:00 UTC" in text  # as the dashboard
    assert "last push       2030-01-01 09:00 UTC" in text and "T09:00" not in text  # shows them; --json keeps ISO


def test_athlete_without_tokens_is_not_logged_in(config: Config) -> None:
    assert collect_status(config).athletes[1].auth.startswith("not logged in")


def test_status_creates_no_store_where_there_is_none(config: Config) -> None:
    """A health check run by another user, or at a misspelt state directory, leaves nothing behind."""
    status = collect_status(config)
    assert not config.store_path.exists()
    assert status.store.startswith(f"none yet at {config.store_path}") and status.exit_code == EXIT_NOT_RUNNING
    assert [athlete.outbox_depth for athlete in status.athletes] == [0, 0]


@pytest.mark.parametrize(("pid", "age", "alive"), [
    (os.getpid(), timedelta(seconds=3), True),
    (os.getpid(), timedelta(seconds=90), True),  # it writes every 30 s (an SD card pays each fsync)
    (os.getpid(), timedelta(minutes=5), False),  # hung: no heartbeat for too long
    (None, timedelta(seconds=3), False),  # killed: pid gone
])
def test_daemon_alive_needs_a_live_pid_and_a_fresh_heartbeat(config: Config, pid: int | None, age: timedelta,
                                                             alive: bool) -> None:
    now = datetime.now(UTC)
    with Store.open(config.store_path) as store:
        store.kv_set(GLOBAL, PID_KEY, pid if pid is not None else dead_pid())
        store.kv_set(GLOBAL, HEARTBEAT_KEY, (now - age).isoformat())
    status = collect_status(config, now=now)
    assert status.alive is alive
    assert (status.pid == os.getpid()) is alive
    assert ("daemon: running" in format_status(status)) is alive


def test_notifications_held_back_by_the_hourly_limit_are_in_the_status(config: Config) -> None:
    """A coach could not see that messages were being held (probe coach9 #9): a running daemon's held
    notices are counted; a stopped one's are not (its notifier no longer holds them)."""
    now = datetime.now(UTC)
    with Store.open(config.store_path) as store:
        store.kv_set(GLOBAL, PID_KEY, os.getpid())
        store.kv_set(GLOBAL, HEARTBEAT_KEY, now.isoformat())
        store.kv_set(GLOBAL, NOTIFY_HELD_KEY, {"waiting": 7, "next": "2026-12-04T19:45:00+00:00"})
    status = collect_status(config, now=now)
    assert (status.notifications_held, status.notifications_next) == (7, "2026-12-04T19:45:00+00:00")
    assert "notifications: 7 held back by the hourly limit, the next at" in format_status(status)
    assert status.as_json()["notifications_held"] == 7
    stale = collect_status(config, now=now + timedelta(hours=1))
    assert (stale.notifications_held, stale.notifications_next) == (0, None)


def test_status_command_prints_json(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(config.store_path).close()  # a state directory the daemon has used
    assert main(["status", "--json", "--config", config.source, "--state-dir", str(config.state_dir)]) == 3
    shown = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in shown["athletes"]] == ["anna", "bob"] and shown["alive"] is False
    assert (shown["exit_code"], shown["store"]) == (3, "ok")


def beating(config: Config) -> None:
    with Store.open(config.store_path) as store:
        store.kv_set(GLOBAL, PID_KEY, os.getpid())
        store.kv_set(GLOBAL, HEARTBEAT_KEY, datetime.now(UTC).isoformat())


def test_status_exit_code_is_a_health_check(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    beating(config)
    (config.token_dir("bob") / TOKEN_FILE).parent.mkdir(parents=True)
    (config.token_dir("bob") / TOKEN_FILE).write_text("{}")
    argv = ["status", "--config", config.source, "--state-dir", str(config.state_dir)]
    assert main(argv) == 0
    with Store.open(config.store_path) as store:
        store.park("bob", "re-authentication needed: run `watchsync login`")
    assert main(argv) == 1
    assert "re-authentication needed" in capsys.readouterr().out


def test_status_names_a_damaged_store(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    beating(config)
    with Store.open(config.store_path) as store:
        for number in range(400):
            store.upsert_workout("anna", f"w{number}", content_hash="h", payload={"pad": "x" * 300})
        store.backup(config.state_dir / "copy.sqlite3")
    data = bytearray((config.state_dir / "copy.sqlite3").read_bytes())
    data[4096 * 5:4096 * 7] = b"Z" * 8192  # damaged pages, header intact
    for suffix in ("-wal", "-shm"):
        (config.state_dir / f"watchsync.sqlite3{suffix}").unlink(missing_ok=True)
    config.store_path.write_bytes(bytes(data))
    code = main(["status", "--config", config.source, "--state-dir", str(config.state_dir)])
    out = capsys.readouterr().out
    assert code in (1, 3) and "the state database is damaged" in out and "store recover" in out


def test_last_push_is_recorded_per_item_so_a_killed_daemon_still_shows_it(config: Config) -> None:
    done_at = datetime(2030, 1, 3, 7, 30, tzinfo=UTC)
    with Store.open(config.store_path) as store:
        store.upsert_workout("anna", "easy", content_hash="h", payload={})
        item = store.enqueue("anna", "push", "easy", now=done_at - timedelta(minutes=1))
        store.mark_done(item.id, now=done_at)  # what the drain does per item; no summary written (SIGKILL)
        store.upsert_workout("anna", "old", content_hash="o", payload={})
        superseded = store.enqueue("anna", "push", "old", now=done_at)
        store.enqueue("anna", "push", "old", now=done_at + timedelta(hours=1))  # supersedes: no push happened
    assert superseded.state == "pending"
    anna = collect_status(config).athletes[0]
    assert anna.last_push == "2030-01-03T07:30:00+00:00"


def test_a_rejected_file_fixed_since_waits_for_nothing(config: Config) -> None:
    from watchsync.daemon.rejected import rejected_files

    inbox = config.inbox_dir("anna")
    assert inbox is not None
    (inbox / "rejected").mkdir(parents=True)
    (inbox / "processed").mkdir()
    for name in ("fixed.txt", "fixed.txt.error.txt", "still.txt", "still.txt.error.txt"):
        (inbox / "rejected" / name).write_text("x")
        os.utime(inbox / "rejected" / name, (1_000_000, 1_000_000))
    (inbox / "processed" / "fixed.20261204T101500.txt").write_text("the fix")  # saved after the rejection
    (inbox / "processed" / "still.txt").write_text("an older version")
    os.utime(inbox / "processed" / "still.txt", (999_000, 999_000))
    assert collect_status(config).athletes[0].rejected_waiting == 1
    assert [f.name for f in rejected_files(inbox)] == ["still.txt"]


def test_an_error_that_calls_to_garmin_got_past_says_so_in_status() -> None:
    from watchsync.daemon.status import AthleteStatus, DaemonStatus, format_status

    def athlete(name: str, auth: str, push: str | None) -> AthleteStatus:
        return AthleteStatus(name, auth, 0, None, push, None, "2026-12-04T10:00:00+00:00 Garmin unreachable", 0)

    text = format_status(DaemonStatus(True, 1, None, [
        athlete("anna", "ok", "2026-12-04T11:00:00+00:00"),  # pushed since: an old error
        athlete("ben", "ok", "2026-12-04T09:00:00+00:00"),   # nothing since: the error stands
        athlete("kai", "re-authentication needed: run `watchsync login --athlete kai`", "2026-12-04T11:00:00+00:00"),
    ]))
    errors = [line for line in text.splitlines() if "last error" in line]
    assert [line.endswith("(cleared: calls to Garmin worked since, the last 2026-12-04 11:00 UTC)")
            for line in errors] == [True, False, False]


def test_files_waiting_in_a_stopped_daemons_inbox_are_counted(config: Config) -> None:
    # probe journey10: 13 files waited in the inbox while `status` said "outbox 0 waiting"
    inbox = config.inbox_dir("anna")
    assert inbox is not None
    (inbox / "processed").mkdir(parents=True)
    for name in ("tempo.txt", "plan.toml", ".hidden.txt", "tempo.txt.swp", "copy.part"):
        (inbox / name).write_text("x")
    (inbox / "processed" / "old.txt").write_text("x")
    status = collect_status(config)
    [anna] = [a for a in status.athletes if a.name == "anna"]
    assert anna.inbox_waiting == 2
    assert "  inbox           2 file(s) not taken in yet" in format_status(status)
