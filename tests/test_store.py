"""The SQLite state store: schema and migrations, rows, outbox, concurrency and crash safety."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from watchsync.store import MIGRATIONS, Store, StoreError, migrate, retry_delay

T0 = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state" / "watchsync.db") as opened:
        yield opened


def add_workout(store: Store, key: str = "runs/easy.txt", digest: str = "aaaaaaaaaaaa") -> None:
    store.upsert_workout("anna", key, content_hash=digest, payload={"name": key}, now=T0)


# --- schema --------------------------------------------------------------------------------------


def test_a_new_store_is_migrated_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new" / "watchsync.db"
    Store.open(path).close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"workouts", "schedules", "outbox", "activities", "compliance", "kv"} <= tables
    raw.close()


def test_an_old_database_migrates_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store.open(path) as old:
        add_workout(old)
    next_version = [*MIGRATIONS, "ALTER TABLE workouts ADD COLUMN note TEXT;\n"
                                 "UPDATE workouts SET note = 'migrated';\n"]
    raw = sqlite3.connect(path, isolation_level=None)
    assert migrate(raw, next_version) == len(MIGRATIONS) + 1
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    assert raw.execute("SELECT key, note FROM workouts").fetchall() == [("runs/easy.txt", "migrated")]
    raw.close()


def test_a_failing_migration_leaves_the_database_at_its_old_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store.open(path).close()
    broken = [*MIGRATIONS, "ALTER TABLE workouts ADD COLUMN note TEXT;\nALTER TABLE nowhere ADD COLUMN x;\n"]
    raw = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        migrate(raw, broken)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    columns = [row[1] for row in raw.execute("PRAGMA table_info(workouts)")]
    assert "note" not in columns
    raw.close()


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    raw.close()
    with pytest.raises(StoreError, match="newer than this watchsync"):
        Store.open(path)


def test_a_file_that_is_not_a_database_gives_one_line(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: the state database is damaged") and "\n" not in message
    assert "watchsync store recover" in message


# --- workouts and schedules ----------------------------------------------------------------------


def test_upsert_workout_reports_changes_and_keeps_the_remote_id(store: Store) -> None:
    row, changed = store.upsert_workout("anna", "hills.txt", content_hash="111111111111",
                                        payload={"name": "Hills"}, source_path="inbox/anna/hills.txt", now=T0)
    assert changed and row.payload == {"name": "Hills"} and row.remote_id is None and row.updated_at == T0
    store.set_remote_id("anna", "hills.txt", 4242)
    again, changed = store.upsert_workout("anna", "hills.txt", content_hash="111111111111",
                                          payload={"name": "Hills"})
    assert not changed and again.remote_id == 4242
    edited, changed = store.upsert_workout("anna", "hills.txt", content_hash="222222222222",
                                           payload={"name": "Hills 2"})
    assert changed and edited.remote_id == 4242 and edited.content_hash == "222222222222"
    store.mark_deleted("anna", "hills.txt")
    assert store.list_workouts("anna") == []
    _, changed = store.upsert_workout("anna", "hills.txt", content_hash="222222222222", payload={})
    assert changed  # a deleted workout that comes back must be pushed again
    assert store.get_workout("bob", "hills.txt") is None


def test_writes_naming_a_missing_row_fail_clearly(store: Store) -> None:
    with pytest.raises(StoreError, match=r"no workout 'nope\.txt' for athlete 'anna'"):
        store.set_remote_id("anna", "nope.txt", 1)
    with pytest.raises(StoreError, match="no outbox item 99"):
        store.mark_done(99)


def test_schedules_are_idempotent_and_follow_their_states(store: Store) -> None:
    add_workout(store)
    day = date(2025, 3, 10)
    row, created = store.add_schedule("anna", "runs/easy.txt", day)
    assert created and row.state == "pending" and row.date == day
    same, created = store.add_schedule("anna", "runs/easy.txt", day)
    assert not created and same.id == row.id
    store.set_schedule(row.id, "scheduled", remote_schedule_id=777)
    store.set_schedule(row.id, "unscheduling")
    kept = store.get_schedule("anna", "runs/easy.txt", day)
    assert kept is not None and (kept.state, kept.remote_schedule_id) == ("unscheduling", 777)
    store.set_schedule(row.id, "removed")
    revived, created = store.add_schedule("anna", "runs/easy.txt", day)
    assert created and revived.state == "pending" and revived.remote_schedule_id is None
    store.add_schedule("anna", "runs/easy.txt", date(2025, 3, 20))
    window = store.list_schedules("anna", start=date(2025, 3, 11), end=date(2025, 3, 31))
    assert [s.date for s in window] == [date(2025, 3, 20)]
    assert store.list_schedules(states=("scheduled",)) == []


# --- outbox --------------------------------------------------------------------------------------


def test_next_due_waits_for_not_before_and_for_older_items_of_the_same_workout(store: Store) -> None:
    add_workout(store, "a.txt")
    add_workout(store, "b.txt")
    push_a = store.enqueue("anna", "push", "a.txt", payload={"hash": 1}, now=T0)
    schedule_a = store.enqueue("anna", "schedule", "a.txt", day=date(2025, 3, 10), now=T0)
    push_b = store.enqueue("anna", "push", "b.txt", now=T0 + timedelta(minutes=5))
    assert store.next_due(now=T0 - timedelta(seconds=1)) is None
    assert store.next_due(now=T0) == push_a
    failed = store.mark_failed(push_a.id, "HTTP 503", now=T0)
    assert failed.attempts == 1 and failed.last_error == "HTTP 503"
    assert T0 + timedelta(seconds=24) <= failed.not_before <= T0 + timedelta(seconds=36)
    # a's schedule waits behind a's failed push, which waits for its retry time; b is not due yet
    assert store.next_due(now=T0 + timedelta(seconds=10)) is None
    assert store.next_due("bob", now=T0 + timedelta(minutes=5)) is None
    retry = store.next_due(now=T0 + timedelta(minutes=5))
    assert retry is not None and retry.id == push_a.id
    store.mark_done(push_a.id, now=T0 + timedelta(minutes=6))
    due = store.next_due(now=T0 + timedelta(minutes=6))
    assert due is not None and due.id == schedule_a.id and due.date == date(2025, 3, 10)
    done = store.get_item(push_a.id)
    assert done.state == "done" and done.done_at == T0 + timedelta(minutes=6) and done.payload == {"hash": 1}
    assert [item.id for item in store.list_outbox()] == [schedule_a.id, push_b.id]
    store.mark_done(schedule_a.id)
    assert store.next_due(now=T0 + timedelta(minutes=6)) == push_b


def test_a_newer_operation_supersedes_the_waiting_one_it_overrides(store: Store) -> None:
    add_workout(store)
    key, day, other_day = "runs/easy.txt", date(2025, 3, 10), date(2025, 3, 11)
    push = store.enqueue("anna", "push", key, payload={"v": 1}, now=T0)
    schedule = store.enqueue("anna", "schedule", key, day=day, now=T0)
    kept = store.enqueue("anna", "schedule", key, day=other_day, now=T0)
    unschedule = store.enqueue("anna", "unschedule", key, day=day, now=T0)
    superseded = store.get_item(schedule.id)
    assert superseded.state == "done" and superseded.last_error == f"superseded by item {unschedule.id}"
    assert store.get_item(kept.id).state == "pending"  # another day
    delete = store.enqueue("anna", "delete", key, now=T0)
    assert store.get_item(push.id).state == "done"
    assert [item.id for item in store.list_outbox()] == [kept.id, unschedule.id, delete.id]
    assert store.has_waiting("anna", key, ("push", "delete"))
    assert not store.has_waiting("anna", key, ("schedule",), day=day)
    assert store.has_waiting("anna", key, ("unschedule",), day=day)
    # a runner that was carrying out a superseded item learns that it no longer counts
    assert store.mark_done(push.id, now=T0) is False
    assert store.mark_failed(push.id, "HTTP 503", now=T0).attempts == 0
    assert store.mark_done(delete.id, now=T0) is True
    assert store.mark_done(delete.id, now=T0) is False
    with pytest.raises(StoreError, match="no outbox item 999"):
        store.mark_done(999)


def test_a_held_schedule_holds_nothing_else_but_a_schedule_waits_for_its_push(store: Store) -> None:
    add_workout(store)
    key = "runs/easy.txt"
    held = store.enqueue("anna", "schedule", key, day=date(2025, 3, 10), now=T0)
    store.mark_failed(held.id, "HTTP 400", now=T0, not_before=T0 + timedelta(days=30))
    push = store.enqueue("anna", "push", key, now=T0)
    later = store.enqueue("anna", "schedule", key, day=date(2025, 3, 11), now=T0)
    assert store.next_due(now=T0) == push
    assert store.next_due_at("anna") == T0
    store.mark_done(push.id, now=T0)
    assert store.next_due(now=T0) == later
    store.mark_done(later.id, now=T0)
    assert store.next_due(now=T0) is None
    assert store.next_due_at("anna") == T0 + timedelta(days=30)
    assert store.next_due_at("bob") is None


def test_done_items_are_pruned_after_their_time(store: Store) -> None:
    add_workout(store)
    add_workout(store, "other.txt")
    old = store.enqueue("anna", "push", "runs/easy.txt", now=T0)
    store.mark_done(old.id, now=T0)
    recent = store.enqueue("anna", "push", "other.txt", now=T0)
    store.mark_done(recent.id, now=T0 + timedelta(days=2))
    waiting = store.enqueue("anna", "schedule", "runs/easy.txt", day=date(2025, 3, 10), now=T0)
    assert store.prune_done(T0 + timedelta(days=1), athlete="bob") == 0
    assert store.prune_done(T0 + timedelta(days=1), athlete="anna") == 1
    remaining = store.list_outbox(states=("pending", "done"))
    assert [item.id for item in remaining] == [recent.id, waiting.id]


def test_waiting_items_of_a_workout_are_found_by_index(store: Store) -> None:
    raw = sqlite3.connect(store.path)
    plan = raw.execute(  # the lookup next_due and has_waiting make for each candidate
        "EXPLAIN QUERY PLAN SELECT 1 FROM outbox WHERE athlete = ? AND workout_key = ?"
        " AND op IN ('push', 'delete') AND state != 'done'", ("anna", "runs/easy.txt")).fetchall()
    raw.close()
    details = [row[-1] for row in plan]
    assert any("INDEX outbox_by_workout" in detail for detail in details), details


def test_backoff_grows_and_is_capped() -> None:
    delays = [retry_delay(attempt).total_seconds() for attempt in range(1, 12)]
    assert 24 <= delays[0] <= 36 and 48 <= delays[1] <= 72
    assert all(delay <= 3600 * 1.2 for delay in delays) and delays[-1] >= 3600 * 0.8


def test_an_explicit_retry_time_wins(store: Store) -> None:
    add_workout(store)
    item = store.enqueue("anna", "push", "runs/easy.txt", now=T0)
    later = T0 + timedelta(hours=3)
    assert store.mark_failed(item.id, "429", now=T0, not_before=later).not_before == later


def test_park_holds_the_athletes_queue_until_unparked(store: Store) -> None:
    add_workout(store)
    store.upsert_workout("bob", "x.txt", content_hash="bbbbbbbbbbbb", payload={})
    held = store.enqueue("anna", "push", "runs/easy.txt", now=T0)
    other = store.enqueue("bob", "push", "x.txt", now=T0)
    store.park("anna", "re-authentication needed")
    assert store.parked_reason("anna") == "re-authentication needed"
    assert store.next_due(now=T0) == other
    later = store.enqueue("anna", "schedule", "runs/easy.txt", day=date(2025, 3, 4), now=T0)
    assert later.state == "parked" and store.get_item(held.id).state == "parked"
    assert store.next_due("anna", now=T0 + timedelta(days=1)) is None
    store.unpark("anna", now=T0 + timedelta(hours=1))
    assert store.parked_reason("anna") is None
    due = store.next_due("anna", now=T0 + timedelta(hours=1))
    assert due is not None and due.id == held.id and due.state == "pending"


# --- activities, compliance, kv ------------------------------------------------------------------


def test_activities_are_recorded_once_by_id(store: Store) -> None:
    row, inserted = store.upsert_activity("anna", 9001, T0, sport="running", summary={"km": 10})
    assert inserted and row.summary == {"km": 10} and row.analysed_at is None
    again, inserted = store.upsert_activity("anna", 9001, T0, fit_path="fit/9001.fit")
    assert not inserted and again.summary == {"km": 10} and again.sport == "running"
    assert again.fit_path == "fit/9001.fit"
    store.upsert_activity("anna", 9002, T0 + timedelta(days=1))
    assert [a.activity_id for a in store.list_activities("anna", unanalysed=True)] == [9001, 9002]
    store.mark_analysed(9001, now=T0 + timedelta(hours=2))
    assert [a.activity_id for a in store.list_activities("anna", unanalysed=True)] == [9002]
    assert [a.activity_id for a in store.list_activities(since=T0 + timedelta(hours=1))] == [9002]


def test_compliance_is_one_row_per_session(store: Store) -> None:
    store.upsert_activity("anna", 9001, T0)
    store.set_compliance("anna", "2025-03-03/easy", date(2025, 3, 3), "missed", {})
    store.set_compliance("anna", "2025-03-03/easy", date(2025, 3, 3), "green", {"volume": 0.98},
                         activity_id=9001)
    store.set_compliance("anna", "2025-03-09/long", date(2025, 3, 9), "yellow", {"volume": 0.7})
    rows = store.list_compliance("anna", start=date(2025, 3, 1), end=date(2025, 3, 5))
    assert [(r.session_key, r.status, r.activity_id, r.scores) for r in rows] == [
        ("2025-03-03/easy", "green", 9001, {"volume": 0.98})]
    assert len(store.list_compliance("anna")) == 2


def test_kv_holds_json_values_per_athlete(store: Store) -> None:
    assert store.kv_get("", "daemon_pid") is None
    store.kv_set("", "daemon_pid", 1234)
    store.kv_set("anna", "activity_cursor", {"after": "2025-03-01"})
    store.kv_set("anna", "activity_cursor", {"after": "2025-03-02"})
    assert store.kv_get("", "daemon_pid") == 1234
    assert store.kv_get("anna", "activity_cursor") == {"after": "2025-03-02"}
    assert store.kv_get("bob", "activity_cursor") is None
    store.kv_delete("", "daemon_pid")
    assert store.kv_get("", "daemon_pid") is None


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        store.kv_set("", "heartbeat", 1, now=datetime(2025, 3, 3, 6, 0))


# --- crash safety and concurrency ----------------------------------------------------------------


def test_an_interrupted_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError, match="crash"), store.transaction():
        add_workout(store)
        store.enqueue("anna", "push", "runs/easy.txt", now=T0)
        store.kv_set("anna", "last_error", "none")
        raise RuntimeError("crash half-way")
    assert store.get_workout("anna", "runs/easy.txt") is None
    assert store.list_outbox() == [] and store.kv_get("anna", "last_error") is None
    add_workout(store)  # the store is still usable afterwards
    assert store.get_workout("anna", "runs/easy.txt") is not None


def test_a_failed_inner_block_rolls_back_only_itself(store: Store) -> None:
    with store.transaction():
        add_workout(store, "kept.txt")
        with pytest.raises(KeyError), store.transaction():
            add_workout(store, "dropped.txt")
            raise KeyError("inner")
    assert [w.key for w in store.list_workouts()] == ["kept.txt"]


def test_an_operation_for_an_unknown_workout_is_rejected_whole(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.kv_set("anna", "touched", True)
        store.enqueue("anna", "push", "never-stored.txt", now=T0)
    assert store.list_outbox() == [] and store.kv_get("anna", "touched") is None


def test_two_connections_read_during_a_write_and_writes_wait_their_turn(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with Store.open(path) as daemon, Store.open(path) as cli:
        daemon.kv_set("", "heartbeat", "before")
        finished = threading.Event()

        def cli_write() -> None:
            cli.kv_set("", "cli", "written")
            finished.set()

        with daemon.transaction():
            daemon.kv_set("", "heartbeat", "during")
            assert cli.kv_get("", "heartbeat") == "before"  # readers see the last commit, unblocked
            writer = threading.Thread(target=cli_write)
            writer.start()
            time.sleep(0.3)
            assert not finished.is_set()  # waits on busy_timeout instead of failing
        writer.join(timeout=10)
        assert finished.is_set()
        assert cli.kv_get("", "heartbeat") == "during" and daemon.kv_get("", "cli") == "written"


def test_another_process_can_write_at_the_same_time(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with Store.open(path) as store:
        store.upsert_workout("anna", "w.txt", content_hash="cccccccccccc", payload={})
        child = subprocess.Popen([sys.executable, "-c", (
            "import sys; from pathlib import Path; from datetime import date, timedelta\n"
            "from watchsync.store import Store\n"
            "s = Store.open(Path(sys.argv[1]))\n"
            "for i in range(40): s.enqueue('anna', 'schedule', 'w.txt', day=date(2025, 1, 1) + timedelta(i))\n"
        ), str(path)])
        for i in range(40):
            store.enqueue("anna", "schedule", "w.txt", day=date(2026, 1, 1) + timedelta(i))
        assert child.wait(timeout=60) == 0
        assert len(store.list_outbox()) == 80


def test_threads_share_one_store(store: Store) -> None:
    def write(worker: int) -> None:
        for i in range(25):
            store.kv_set("", f"t{worker}-{i}", i)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(store.kv_get("", f"t{n}-24") == 24 for n in range(4))


# --- deferred sync -------------------------------------------------------------------------------


def test_deferred_sync_syncs_a_batch_once_and_other_threads_at_their_commit(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    fsyncs: list[str] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda handle: (fsyncs.append(threading.current_thread().name),
                                                     real(handle))[1])
    synchronous = store._db.execute("PRAGMA synchronous")
    assert synchronous.fetchone()[0] == 2  # FULL: SQLite syncs each commit itself
    with store.deferred_sync():
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1
        for number in range(5):
            add_workout(store, f"w{number}")
        assert fsyncs == []
        other = threading.Thread(target=add_workout, args=(store, "from-another-thread"), name="other")
        other.start()
        other.join()
        assert fsyncs == ["other"]  # not deferring: its commit is synced at once
    assert fsyncs == ["other", "MainThread"]  # the batch: one sync when the block ends
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert len(store.list_workouts("anna")) == 6


def test_deferred_sync_cannot_start_inside_a_transaction(store: Store) -> None:
    with store.transaction(), pytest.raises(StoreError, match="inside a transaction"), store.deferred_sync():
        pass
    add_workout(store)  # the store is still usable
    assert store.get_workout("anna", "runs/easy.txt") is not None


def test_a_store_opened_in_an_existing_shared_folder_leaves_the_folder_as_it_is(tmp_path: Path) -> None:
    """library3 #1: opening a store in /tmp-like folder set it to 0700."""
    import stat

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with Store.open(shared / "watchsync.sqlite3") as store:
        store.backup(shared / "backup.sqlite3")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "watchsync.sqlite3").stat().st_mode) == 0o600  # the data stays private
    with Store.open(tmp_path / "new" / "state" / "watchsync.sqlite3"):
        pass
    assert stat.S_IMODE((tmp_path / "new" / "state").stat().st_mode) == 0o700  # a folder it makes is private
