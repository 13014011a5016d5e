"""The inbox watcher with real watchdog observers (inotify and polling) on temporary folders."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from watchsync.daemon.inbox import InboxError, InboxWatcher, is_ignored_name
from watchsync.daemon.intake_files import move_to_processed

WAIT = 10.0


@dataclass
class Intake:
    """Records what the watcher hands over; reads each file at delivery time like real intake does."""

    ready: list[tuple[str, Path, bytes, float]] = field(default_factory=list)
    rejected: list[tuple[str, Path, str]] = field(default_factory=list)
    concurrent: int = 0
    max_concurrent: int = 0
    cond: threading.Condition = field(default_factory=threading.Condition)
    delay: float = 0.0
    move_inbox: Path | None = None

    def on_ready(self, athlete: str, path: Path) -> None:
        with self.cond:
            self.concurrent += 1
            self.max_concurrent = max(self.max_concurrent, self.concurrent)
        time.sleep(self.delay)
        content = path.read_bytes()
        if self.move_inbox is not None:
            move_to_processed(path, self.move_inbox)
        with self.cond:
            self.concurrent -= 1
            self.ready.append((athlete, path, content, time.monotonic()))
            self.cond.notify_all()

    def on_rejected(self, athlete: str, path: Path, reason: str) -> None:
        with self.cond:
            self.rejected.append((athlete, path, reason))
            self.cond.notify_all()

    def wait_for(self, ready: int, rejected: int = 0, timeout: float = WAIT) -> None:
        with self.cond:
            done = self.cond.wait_for(lambda: len(self.ready) >= ready and len(self.rejected) >= rejected, timeout)
        assert done, f"waited for {ready} ready / {rejected} rejected, got {self.ready} / {self.rejected}"

    def names(self) -> list[str]:
        return sorted(path.name for _, path, _, _ in self.ready)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox" / "anna"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def intake() -> Intake:
    return Intake()


@contextmanager
def _watching(roots: dict[str, Path], intake: Intake, **options: float | bool | int) -> Iterator[InboxWatcher]:
    watcher = InboxWatcher(roots, on_ready=intake.on_ready, on_rejected=intake.on_rejected, **options)  # type: ignore[arg-type]
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()


def _settle(watcher: InboxWatcher, seconds: float) -> None:
    """Give late events a chance to arrive, then wait until everything seen is handled."""
    time.sleep(seconds)
    assert watcher.wait_idle(WAIT)


def test_slow_write_is_delivered_once_after_close_and_complete(inbox: Path, intake: Intake) -> None:
    chunks = [f"- {n}m RPE 3 chunk {n}\n".encode() * 40 for n in range(5)]
    with _watching({"anna": inbox}, intake, quiet_seconds=1.0) as watcher:
        with (inbox / "long.txt").open("wb") as out:
            for n, chunk in enumerate(chunks):
                time.sleep(0.3 if n else 0)
                out.write(chunk)
                out.flush()
        closed_at = time.monotonic()
        intake.wait_for(1)
        _settle(watcher, 1.5)
    [(athlete, path, content, delivered_at)] = intake.ready
    assert (athlete, path.name) == ("anna", "long.txt")
    assert content == b"".join(chunks)
    assert delivered_at >= closed_at
    assert delivered_at - closed_at < 0.6, "close-after-write must not wait for the quiet period"


def test_rename_into_inbox_is_delivered_without_waiting(tmp_path: Path, inbox: Path, intake: Intake) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text("name = 'easy'\n")
    staged = inbox / "tempo.txt.part"
    with _watching({"anna": inbox}, intake, quiet_seconds=5.0) as watcher:
        start = time.monotonic()
        os.rename(outside, inbox / "easy.toml")
        with staged.open("w") as out:
            out.write("- 20m RPE 6\n")
        os.rename(staged, inbox / "tempo.txt")
        intake.wait_for(2, timeout=4.0)
        elapsed = time.monotonic() - start
        _settle(watcher, 0.3)
    assert intake.names() == ["easy.toml", "tempo.txt"]
    assert elapsed < 4.0
    assert {content for _, _, content, _ in intake.ready} == {b"name = 'easy'\n", b"- 20m RPE 6\n"}


def test_temporary_hidden_and_editor_files_and_subfolders_are_ignored(inbox: Path, intake: Intake) -> None:
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3) as watcher:
        for name in [".hidden.toml", "a.tmp", "b.part", "c.toml.swp", "d.toml~", "#e.txt#", "4913", "f.TMP"]:
            (inbox / name).write_text("x")
        for folder in ["processed", "rejected", "drafts"]:
            (inbox / folder).mkdir()
            (inbox / folder / "inside.toml").write_text("x")
        (inbox / "real.toml").write_text("name = 'real'\n")
        intake.wait_for(1)
        _settle(watcher, 0.8)
    assert intake.names() == ["real.toml"]
    assert intake.rejected == []


def test_symlink_is_never_followed_and_reported_once(
    inbox: Path, intake: Intake, caplog: pytest.LogCaptureFixture
) -> None:
    target = Path("/etc/passwd")
    caplog.set_level(logging.WARNING, logger="watchsync.daemon.inbox")
    (inbox / "early.txt").symlink_to(target)
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3) as watcher:
        (inbox / "passwd.txt").symlink_to(target)
        (inbox / "after.txt").write_text("- 10m RPE 2\n")
        intake.wait_for(1)
        _settle(watcher, 0.8)
        watcher.rescan()
        _settle(watcher, 0.5)
    assert intake.names() == ["after.txt"]
    assert intake.rejected == []
    warnings = [r.getMessage() for r in caplog.records if "symlink" in r.getMessage()]
    assert len(warnings) == 2, warnings
    assert any("passwd.txt" in w for w in warnings) and any("early.txt" in w for w in warnings)


def test_oversize_and_unsupported_files_are_rejected_with_a_reason(inbox: Path, intake: Intake) -> None:
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3, max_bytes=100) as watcher:
        (inbox / "big.txt").write_bytes(b"x" * 101)
        (inbox / "limit.txt").write_bytes(b"x" * 100)
        (inbox / "plan.pdf").write_bytes(b"%PDF")
        intake.wait_for(1, rejected=2)
        _settle(watcher, 0.5)
    assert intake.names() == ["limit.txt"]
    reasons = {path.name: reason for _, path, reason in intake.rejected}
    assert reasons["big.txt"] == "file is 101 bytes, over the limit of 100"
    assert "'.pdf'" in reasons["plan.pdf"] and ".toml" in reasons["plan.pdf"]


def test_rescan_at_start_picks_up_existing_files(inbox: Path, intake: Intake) -> None:
    old = inbox / "old.toml"
    old.write_text("name = 'old'\n")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    (inbox / "fresh.fit").write_bytes(b"\x0e\x10")
    (inbox / ".swap.swp").write_text("x")
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3) as watcher:
        intake.wait_for(2)
        _settle(watcher, 0.5)
    assert intake.names() == ["fresh.fit", "old.toml"]


def test_rescan_takes_existing_files_in_the_order_they_arrived(inbox: Path, intake: Intake) -> None:
    """A plan dropped after the workout files it names is taken after them at start-up too."""
    arrivals = ["w2.txt", "a-plan.toml", "w1.txt", "b.txt"]  # not the order of their names
    for age, name in enumerate(reversed(arrivals), start=1):
        path = inbox / name
        path.write_text(f"# {name}\n")
        os.utime(path, (time.time() - 60 * age, time.time() - 60 * age))
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3) as watcher:
        intake.wait_for(len(arrivals))
        _settle(watcher, 0.3)
    assert [path.name for _, path, _, _ in intake.ready] == arrivals


def test_polling_observer_mode(tmp_path: Path, inbox: Path, intake: Intake) -> None:
    outside = tmp_path / "moved.toml"
    outside.write_text("name = 'moved'\n")
    options: dict[str, float | bool | int] = {"quiet_seconds": 0.3, "polling": True, "poll_seconds": 0.1}
    with _watching({"anna": inbox}, intake, **options) as watcher:
        with (inbox / "polled.txt").open("w") as out:
            for n in range(3):
                out.write(f"- {n}m RPE 2\n")
                out.flush()
                time.sleep(0.1)
        os.rename(outside, inbox / "moved.toml")
        (inbox / "ignored.tmp").write_text("x")
        intake.wait_for(2)
        _settle(watcher, 0.8)
    assert intake.names() == ["moved.toml", "polled.txt"]
    polled = next(content for _, path, content, _ in intake.ready if path.name == "polled.txt")
    assert polled == b"- 0m RPE 2\n- 1m RPE 2\n- 2m RPE 2\n"


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_each_file_delivered_exactly_once_under_many_events(inbox: Path, intake: Intake, polling: bool) -> None:
    names = [f"w{n:02}.txt" for n in range(12)]
    options: dict[str, float | bool | int] = {"quiet_seconds": 0.3, "polling": polling, "poll_seconds": 0.1}
    intake.delay = 0.01
    with _watching({"anna": inbox}, intake, **options) as watcher:
        for name in names:
            with (inbox / name).open("w") as out:
                for line in range(30):
                    out.write(f"- {line}s RPE 2\n")
                    out.flush()
            os.chmod(inbox / name, 0o600)
            with (inbox / name).open("rb") as reader:
                reader.read()
        intake.wait_for(len(names))
        _settle(watcher, 0.8)
    assert intake.names() == names
    assert intake.max_concurrent == 1
    assert all(content.count(b"\n") == 30 for _, _, content, _ in intake.ready)


def test_athletes_are_told_apart_and_resubmitted_files_come_back(tmp_path: Path, intake: Intake) -> None:
    anna, ben = tmp_path / "inbox" / "anna", tmp_path / "inbox" / "ben"
    with _watching({"anna": anna, "ben": ben}, intake, quiet_seconds=0.3) as watcher:
        assert anna.is_dir() and ben.is_dir(), "missing inbox folders are created"
        (anna / "a.txt").write_text("- 10m RPE 3\n")
        (ben / "b.txt").write_text("- 20m RPE 3\n")
        intake.wait_for(2)
        _settle(watcher, 0.5)
        moved = move_to_processed(anna / "a.txt", anna)
        _settle(watcher, 0.5)
        os.rename(moved, anna / "a.txt")
        intake.wait_for(3)
        _settle(watcher, 0.5)
    assert sorted((athlete, path.name) for athlete, path, _, _ in intake.ready) == [
        ("anna", "a.txt"),
        ("anna", "a.txt"),
        ("ben", "b.txt"),
    ]


def test_files_moved_away_by_intake_are_not_delivered_again(inbox: Path, intake: Intake) -> None:
    intake.move_inbox = inbox
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3) as watcher:
        for n in range(3):
            (inbox / f"s{n}.txt").write_text(f"- {n}m RPE 2\n")
        intake.wait_for(3)
        _settle(watcher, 0.8)
    assert intake.names() == ["s0.txt", "s1.txt", "s2.txt"]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["s0.txt", "s1.txt", "s2.txt"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="close-after-write events are inotify's")
def test_a_file_whose_writer_stalls_is_taken_when_it_is_closed_not_half_written(inbox: Path, intake: Intake) -> None:
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3) as watcher:
        with (inbox / "stalled.txt").open("w") as writer:  # a copy that stalls (Wi-Fi, SMB, a USB stick)
            writer.write("name: Hills\nsport: running\n- 10m RPE 3\n")
            writer.flush()
            time.sleep(1.2)  # four quiet periods without a change
            assert intake.ready == []
            writer.write("6x\n- 2m RPE 8\n- 2m RPE 2\n")
        intake.wait_for(1)
        _settle(watcher, 0.8)
    [(_athlete, _path, content, _at)] = intake.ready
    assert content.endswith(b"- 2m RPE 2\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="close-after-write events are inotify's")
@pytest.mark.parametrize(("settle", "gap"), [(None, 0.05), (1.0, 0.6)])
def test_a_file_written_in_two_closes_is_taken_whole(inbox: Path, intake: Intake, settle: float | None,
                                                      gap: float) -> None:
    """probe journey10: ``cat part1 > f; cat part2 >> f`` was taken at its first close; the tail became a
    workout of its own and replaced the coach's. A close makes a file ready once it stays unchanged
    for ``settle_seconds`` (0.25 s by default; raised for writers with longer gaps)."""
    options = {} if settle is None else {"settle_seconds": settle}
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3, **options) as watcher:
        target = inbox / "pieces.txt"
        target.write_text("name: Tempo 40\nsport: running\n- 10m RPE 3\nMain set 4x\n- 6m RPE 7 te")
        time.sleep(gap)
        with target.open("a") as tail:
            tail.write("mpo\n- 2m RPE 3 jog\n")
        intake.wait_for(1)
        _settle(watcher, 0.8)
    [(_athlete, _path, content, _at)] = intake.ready
    assert content.endswith(b"- 6m RPE 7 tempo\n- 2m RPE 3 jog\n")


@pytest.mark.parametrize("polling", [False, True])
def test_a_save_through_a_temporary_file_is_not_refused_before_its_rename(inbox: Path, intake: Intake,
                                                                           polling: bool) -> None:
    """probe journey10: atomicwrites (``tempfile.mkstemp(dir=<target folder>)``, then a rename) failed
    half the time: the temporary file was refused ("no extension") and moved away before its rename."""
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3, polling=polling, poll_seconds=0.1) as watcher:
        handle, name = tempfile.mkstemp(prefix="tmp", dir=inbox)
        with os.fdopen(handle, "w") as temporary:
            temporary.write("name: Easy\nsport: running\n- 30m RPE 3\n")
        time.sleep(0.6)  # long enough for the settle, far shorter than the grace
        os.replace(name, inbox / "easy.txt")
        intake.wait_for(1)
        _settle(watcher, 0.5)
    assert intake.names() == ["easy.txt"] and intake.rejected == []


def test_other_programs_working_files_are_ignored() -> None:
    for name in ["plan.txt.crdownload", "plan.txt.download", "plan.txt.1a2b.filepart", "plan.txt.partial",
                 "plan.txt.kate-swp",
                 "plan.txt.swo", "plan.txt.save", "plan.txt.bak", "plan.txt.orig", "plan.txt___jb_tmp___",
                 "plan.txt___jb_old___", "~$plan.txt", "Thumbs.db", "desktop.ini"]:
        assert is_ignored_name(name), name
    assert not is_ignored_name("plan.txt") and not is_ignored_name("save.txt")


def test_two_athletes_cannot_share_an_inbox(inbox: Path, intake: Intake) -> None:
    with pytest.raises(ValueError, match="share the inbox"):
        InboxWatcher({"anna": inbox, "ben": inbox / "."}, on_ready=intake.on_ready, on_rejected=intake.on_rejected)


def test_an_inbox_that_cannot_be_created_is_a_clear_error(tmp_path: Path, intake: Intake) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    watcher = InboxWatcher({"anna": blocker / "anna"}, on_ready=intake.on_ready, on_rejected=intake.on_rejected)
    with pytest.raises(InboxError, match=r"not-a-folder/anna: cannot watch the inbox of anna: "):
        watcher.start()
    watcher.stop()


def test_fifos_and_folders_in_an_inbox_get_one_log_line_each(
    inbox: Path, intake: Intake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="watchsync.daemon.inbox")
    os.mkfifo(inbox / "early.txt")
    with _watching({"anna": inbox}, intake, quiet_seconds=0.3) as watcher:
        os.mkfifo(inbox / "pipe.txt")
        (inbox / "drafts").mkdir()
        (inbox / "after.txt").write_text("- 10m RPE 2\n")
        intake.wait_for(1)
        _settle(watcher, 0.8)
        watcher.rescan()
        _settle(watcher, 0.5)
    assert intake.names() == ["after.txt"] and intake.rejected == []
    warnings = [r.getMessage() for r in caplog.records if "only regular files" in r.getMessage()]
    assert sorted(w.split()[1] for w in warnings) == ["FIFO", "FIFO", "folder"], warnings
    assert not any("processed" in w or "rejected" in w for w in warnings)


def test_a_file_kept_back_by_a_host_fault_is_delivered_again_until_it_goes_through(inbox: Path) -> None:
    from watchsync.daemon.inbox import RetryLater

    attempts: list[float] = []
    retrying: list[bool] = []
    done = threading.Event()

    def on_ready(athlete: str, path: Path) -> None:
        attempts.append(time.monotonic())
        retrying.append(watcher.retrying())
        if len(attempts) < 3:
            raise RetryLater("disk full")
        done.set()

    watcher = InboxWatcher({"anna": inbox}, on_ready=on_ready, on_rejected=lambda *_: None, quiet_seconds=0.2,
                           retry_seconds=0.3)
    (inbox / "kept.txt").write_text("- 10m RPE 2\n")
    watcher.start()
    try:
        assert done.wait(WAIT), attempts
    finally:
        watcher.stop()
    assert len(attempts) == 3 and attempts[2] - attempts[1] >= 2 * 0.3 * 0.9  # the backoff doubles
    assert retrying == [False, True, True] and not watcher.retrying()  # the daemon's "unhealthy" lasts that long


def test_an_inbox_folder_moved_away_and_made_again_is_watched_again(tmp_path: Path, intake: Intake) -> None:
    """probe journey10: ``mv inbox/ben inbox/ben-archive; mkdir inbox/ben``: the watch followed the old
    folder, and files dropped into the new one waited for a restart with nothing said."""
    ben = tmp_path / "inbox" / "ben"
    ben.mkdir(parents=True)
    with _watching({"ben": ben}, intake, quiet_seconds=0.3) as watcher:
        assert watcher.check_inboxes() is False  # nothing replaced: no new watch
        ben.rename(tmp_path / "inbox" / "ben-archive")
        ben.mkdir()
        assert watcher.check_inboxes() is True
        (ben / "after.txt").write_text("name: After\n")
        intake.wait_for(1)
        _settle(watcher, 0.5)
    assert intake.names() == ["after.txt"]


def test_a_symlinked_athlete_folder_is_watched_as_the_folder_it_names(tmp_path: Path, intake: Intake) -> None:
    # probe journey10: watched as the link itself, a symlinked inbox got no event after start-up
    real = tmp_path / "shared" / "ben"
    real.mkdir(parents=True)
    (tmp_path / "inbox").mkdir()
    link = tmp_path / "inbox" / "ben"
    link.symlink_to(real, target_is_directory=True)
    with _watching({"ben": link}, intake, quiet_seconds=0.3) as watcher:
        (link / "easy.txt").write_text("name: Easy\n")
        intake.wait_for(1)
        _settle(watcher, 0.5)
    assert intake.names() == ["easy.txt"]
    assert [path for _a, path, _c, _t in intake.ready] == [link / "easy.txt"]  # as the store knew it before


def test_one_inbox_that_cannot_be_watched_again_does_not_keep_the_others_unwatched(
        tmp_path: Path, intake: Intake, caplog: pytest.LogCaptureFixture) -> None:
    """probe review13: one inbox path blocked (a file where its folder was) stopped the re-watch of every
    inbox, logging three lines every five seconds."""
    ann, bob = tmp_path / "inbox" / "ann", tmp_path / "inbox" / "bob"
    ann.mkdir(parents=True)
    bob.mkdir()
    with _watching({"ann": ann, "bob": bob}, intake, quiet_seconds=0.3) as watcher:
        ann.rmdir()
        ann.write_text("not a folder")  # blocked: it cannot be made again
        bob.rename(tmp_path / "inbox" / "bob-old")
        bob.mkdir()
        assert watcher.check_inboxes() is True
        errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        assert any("cannot watch the inbox of ann" in error for error in errors)
        caplog.clear()
        assert watcher.check_inboxes() is False  # said once: nothing changed since
        assert not [r for r in caplog.records if r.levelname in ("ERROR", "WARNING")]
        (bob / "after.txt").write_text("name: After\n")
        intake.wait_for(1)
        _settle(watcher, 0.5)
    assert intake.names() == ["after.txt"]
