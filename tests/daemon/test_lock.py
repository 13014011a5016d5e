"""The daemon lock: one holder per state directory, named in the refusal, dropped when its holder ends."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from watchsync.daemon.lock import LOCK_FILE, DaemonLock, DaemonLocked

TAKE_IN_CHILD = """
import sys
from pathlib import Path
from watchsync.daemon.lock import DaemonLock, DaemonLocked
try:
    DaemonLock(Path(sys.argv[1])).acquire()
except DaemonLocked as error:
    print(error)
    sys.exit(3)
print("taken")
"""


def take_in_child(state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", TAKE_IN_CHILD, str(state)], capture_output=True, text=True,
                          check=False, timeout=30)


def test_a_held_lock_refuses_another_process_naming_the_holder(tmp_path: Path) -> None:
    with DaemonLock(tmp_path):
        refused = take_in_child(tmp_path)
        assert refused.returncode == 3
        assert refused.stdout.strip() == (f"another watchsync daemon (pid {os.getpid()}) is running with the "
                                          f"state directory {tmp_path}")
        assert stat.S_IMODE((tmp_path / LOCK_FILE).stat().st_mode) == 0o600
    assert take_in_child(tmp_path).stdout.strip() == "taken"  # released on exit


def test_a_lock_left_by_an_ended_process_is_free(tmp_path: Path) -> None:
    assert take_in_child(tmp_path).returncode == 0  # the child ends holding it: the kernel drops it
    assert (tmp_path / LOCK_FILE).exists()
    with DaemonLock(tmp_path):
        pass


def test_one_process_cannot_take_it_twice(tmp_path: Path) -> None:
    with DaemonLock(tmp_path), pytest.raises(DaemonLocked):
        DaemonLock(tmp_path).acquire()  # a second open file: flock refuses it too
