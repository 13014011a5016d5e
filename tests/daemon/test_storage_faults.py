"""Storage faults against the real daemon and real SQLite: a full disk, a damaged store, a read-only folder.

The full-disk test mounts a small tmpfs as the state directory (needs root and mount(8), as in CI);
elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_e2e_daemon import Daemon, by_name, daemon_for, names_in, wait_for, workout_text, write_config

from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir, running_server

pytestmark = pytest.mark.slow

TMPFS_BYTES = 3 * 1024 * 1024


@contextlib.contextmanager
def small_tmpfs(where: Path) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("the full-disk test mounts a tmpfs: it needs root (it runs in CI)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0700", "tmpfs", str(where)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the full-disk test is skipped")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    return filler


def notified(daemon: Daemon, prefix: str, timeout: float = 30.0) -> str:
    """The first notification starting with ``prefix`` (read from the daemon's notify socket)."""
    deadline = time.monotonic() + timeout
    daemon.notify.settimeout(0.1)
    while not any(m.startswith(prefix) for m in daemon.messages):
        with contextlib.suppress(TimeoutError):
            daemon.messages.append(daemon.notify.recv(4096).decode())
        if time.monotonic() > deadline:
            raise AssertionError(f"no {prefix} from the daemon; got {daemon.messages}; log:\n{daemon.log_text()}")
    return next(m for m in daemon.messages if m.startswith(prefix))


def status_of(config: Path, state: Path) -> tuple[int, dict[str, object]]:
    done = subprocess.run([sys.executable, "-m", "watchsync", "status", "--json", "--config", str(config),
                           "--state-dir", str(state)], capture_output=True, text=True, check=False)
    return done.returncode, json.loads(done.stdout)


def test_a_full_disk_rejects_no_file_and_everything_is_pushed_once_space_returns(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "state") as state, running_server() as server, \
            daemon_for(tmp_path, server, ["anna"], tokens=["anna"]) as daemon:
        inbox = tmp_path / "inbox" / "anna"
        (inbox / "first.txt").write_text(workout_text("First"))
        wait_for(lambda: "First" in by_name(server), "the first workout at the server")
        with Store.open(state / "watchsync.sqlite3") as store:  # an empty WAL: the next write needs new space
            store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill(state)

        names = [f"full{number}.txt" for number in range(6)]
        for number, name in enumerate(names):
            (inbox / name).write_text(workout_text(f"Full {number}"))
        notified(daemon, "STATUS=unhealthy: ")
        code, shown = status_of(daemon.config, state)
        assert code == 1 and "full" in str(shown["store"]), shown
        time.sleep(3)  # several retries while the disk stays full
        assert names_in(inbox / "rejected") == []
        assert set(names) <= set(names_in(inbox))  # all kept in the inbox
        log = daemon.log_text()
        assert "full" in log and "stays in the inbox" in log and "cannot rollback" not in log

        filler.unlink()
        wait_for(lambda: {f"Full {n}" for n in range(6)} <= set(by_name(server)), "every file pushed", timeout=90)
        wait_for(lambda: set(names) <= set(names_in(inbox / "processed")), "every file processed", timeout=30)
        wait_for(lambda: status_of(daemon.config, state)[0] == 0, "status healthy again", timeout=30)
        # the daemon itself says so (its main loop looks about once a second while a fault lasts)
        wait_for(lambda: "the store can be written again" in daemon.log_text(), "the daemon resuming", timeout=30)
        assert [m for m in daemon.messages if m.startswith("STATUS=unhealthy")]
        assert notified(daemon, "STATUS=serving")
        assert [w["workoutName"] for w in server.workouts()].count("Full 0") == 1
        assert names_in(inbox / "rejected") == []
        assert daemon.stop()[0] == 0


def damage(store_path: Path) -> None:
    """Overwrite pages in the middle of the database (its header stays intact)."""
    with sqlite3.connect(store_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(store_path.read_bytes())
    page = 4096
    assert len(data) > 12 * page
    data[6 * page:10 * page] = b"\x5a" * (4 * page)
    store_path.write_bytes(bytes(data))


def test_a_damaged_store_is_refused_at_start_and_recovered_by_the_documented_command(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with running_server() as server:
        config = write_config(tmp_path / "config.toml", server, tmp_path / "inbox", ["anna"])
        fake_token_dir(state / "tokens" / "anna", server.url)
        base = [sys.executable, "-m", "watchsync"]
        where = ["--config", str(config), "--state-dir", str(state)]
        with Store.open(state / "watchsync.sqlite3") as store:
            for number in range(300):
                store.upsert_workout("anna", f"w{number:03}", content_hash=f"h{number}",
                                     payload={"name": f"W {number}", "pad": "x" * 200})
        assert subprocess.run([*base, "store", "backup", *where], capture_output=True, check=False).returncode == 0
        with Store.open(state / "watchsync.sqlite3") as store:
            store.upsert_workout("anna", "after-backup", content_hash="late", payload={"name": "Late"})
        damage(state / "watchsync.sqlite3")

        checked = subprocess.run([*base, "store", "check", *where], capture_output=True, text=True, check=False)
        assert checked.returncode == 1 and "damaged" in checked.stdout and "store recover" in checked.stdout
        with tempfile.TemporaryDirectory(prefix="ws-") as short:
            started = subprocess.run([*base, "daemon", *where], capture_output=True, text=True, timeout=60,
                                     env={**os.environ, "NOTIFY_SOCKET": str(Path(short) / "none")}, check=False)
        assert started.returncode == 1, started.stderr
        assert "the state database is damaged" in started.stderr and "watchsync store recover" in started.stderr
        assert "serving" not in started.stderr

        recovered = subprocess.run([*base, "store", "recover", *where], capture_output=True, text=True, check=False)
        assert recovered.returncode == 0, recovered.stderr
        assert "started from backup" in recovered.stdout and "moved aside" in recovered.stdout
        assert subprocess.run([*base, "store", "check", "--full", *where], capture_output=True,
                              check=False).returncode == 0
        with Store.open(state / "watchsync.sqlite3", check=True) as store:
            keys = {row.key for row in store.list_workouts("anna")}
        assert {f"w{number:03}" for number in range(300)} <= keys  # the backup fills what the damage took
        assert list(state.glob("watchsync.sqlite3.damaged-*"))  # the damaged file is kept


def test_a_read_only_state_directory_is_named_as_such(tmp_path: Path) -> None:
    from watchsync.store import StoreFault

    with small_tmpfs(tmp_path / "state") as state:
        remounted = subprocess.run(["mount", "-o", "remount,ro", str(state)], capture_output=True, check=False)
        if remounted.returncode != 0:
            pytest.skip("cannot remount the tmpfs read-only here")
        with pytest.raises(StoreFault) as caught:
            Store.open(state / "watchsync.sqlite3")
        assert caught.value.kind == "read-only" and "the state directory is read-only" in str(caught.value)
        assert "unable to open" not in str(caught.value).split("(")[0]
