"""Move an inbox file to ``processed/`` or ``rejected/`` (with an explanation beside it).

Moves are atomic renames within the inbox's filesystem; nothing is deleted and nothing is
overwritten: in ``rejected/`` a name already taken gets a timestamp (``name.20261125T101500.txt``),
then a counter; in ``processed/`` the newest version keeps the plain name and the one it replaces
takes the timestamp of its own time.
The one exception is watchsync's own note (it starts with :data:`REJECTION_HEADER`) of a rejected
file the coach took back to fix: the next rejection of that name replaces it, so the note beside a
file is always that file's.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from watchsync.files import unstamped

PROCESSED = "processed"
REJECTED = "rejected"
ERROR_SUFFIX = ".error.txt"

#: An error quoted in a note or a log line is cut to this many characters (a bad line may be megabytes).
EXCERPT_CHARS = 240
#: A problem in a rejection note is whole up to this length (only a pasted megabyte line is cut).
NOTE_LINE_CHARS = 1000

REJECTION_HEADER = "watchsync could not use this file:"
REJECTION_HINT = (
    "To fix it: correct the problems above (file:line:column, where given, points at each), then put the file back "
    "into the inbox folder; watchsync will pick it up again. This note can be deleted."
)


def move_to_processed(path: Path, inbox: Path) -> Path:
    """Move ``path`` into ``<inbox>/processed/`` under its own name and return where it went; a version
    already there takes the timestamp of its own time (``tempo.20261204T201822.txt``), so that the plain
    name is always the newest version (a plan naming ``tempo.txt`` read the oldest, probe journey10)."""
    folder = inbox / PROCESSED
    _archive_older(folder / path.name)
    return _move_into(path, folder)


def _archive_older(target: Path) -> None:
    """Move the file at ``target`` aside to a name stamped with its modification time (never overwriting)."""
    try:
        when = datetime.fromtimestamp(os.lstat(target).st_mtime)
    except FileNotFoundError:
        return
    with contextlib.suppress(FileNotFoundError):  # moved away meanwhile: the plain name is free all the same
        _replace_into_free_name(target, (c for c in _candidates(target, when) if c != target))


def move_to_rejected(path: Path, inbox: Path, errors: list[str]) -> Path:
    """Move ``path`` into ``<inbox>/rejected/``, write ``<name>.error.txt`` beside it, return the new path."""
    target = _move_into(path, inbox / REJECTED)
    if target.name != path.name:  # an earlier rejected file of that name is kept: say which copy this is
        errors = [*errors, "", f"(the file {path.name} is kept here as {target.name}: an earlier {path.name} "
                               "waits beside it)"]
    note = target.with_name(target.name + ERROR_SUFFIX)
    stale = _our_note(note)  # the note of an earlier file of this name, which the coach took back: replaced
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{note.name}.") if stale else \
        (_claim_free_name(note), None)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(rejection_note(errors))
    if temporary is not None:
        os.replace(temporary, note)
    return target


def _our_note(path: Path) -> bool:
    """Whether ``path`` is a note watchsync wrote (another file of that name is never replaced)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as note:
            return note.readline().rstrip("\n") == REJECTION_HEADER
    except OSError:
        return False


def rejection_note(errors: list[str]) -> str:
    """The plain-words explanation written beside a rejected file."""
    lines = [REJECTION_HEADER, "", *(f"  {excerpt(error, NOTE_LINE_CHARS)}" for error in errors), "",
             REJECTION_HINT, ""]
    return "\n".join(lines)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with the number left out said."""
    flat = text.replace("\r", " ").replace("\n", " ")
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}… ({len(flat) - limit} more characters)"


def _move_into(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return _replace_into_free_name(path, _candidates(folder / path.name))


def _replace_into_free_name(source: Path, candidates: Iterator[Path]) -> Path:
    """Move ``source`` to the first free name of ``candidates``: the name is reserved (O_EXCL never
    overwrites), then the empty reservation atomically replaced; the reservation goes if the move fails."""
    for candidate in candidates:
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        try:
            os.replace(source, candidate)
        except BaseException:
            os.unlink(candidate)
            raise
        return candidate
    raise AssertionError("unreachable: candidate names are unbounded")


def _claim_free_name(target: Path) -> int:
    """Create a new file at ``target`` (or a timestamped variant) and return its descriptor."""
    for candidate in _candidates(target):
        try:
            return os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
    raise AssertionError("unreachable: candidate names are unbounded")


def _candidates(target: Path, when: datetime | None = None) -> Iterator[Path]:
    """``name.ext``, then ``name.<timestamp>.ext`` (now, or ``when``), then ``name.<timestamp>-2.ext``, ..."""
    yield target
    stem, suffix = _split_name(target.name)
    stamp = (when or datetime.now()).strftime("%Y%m%dT%H%M%S")
    yield target.with_name(f"{stem}.{stamp}{suffix}")
    for counter in itertools.count(2):
        yield target.with_name(f"{stem}.{stamp}-{counter}{suffix}")


def original_name(name: str) -> str:
    """The inbox name of a moved file (``hills.20261125T101500.txt`` → ``hills.txt``)."""
    stem, suffix = _split_name(name)
    return unstamped(stem) + suffix


def processed_versions(inbox: Path) -> dict[str, float]:
    """The latest time each inbox name went through to ``processed/`` (its file's mtime): a rejected
    copy of that name older than it was fixed since and waits for nothing. One scan per call."""
    latest: dict[str, float] = {}
    try:
        with os.scandir(inbox / PROCESSED) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    name, when = original_name(entry.name), entry.stat().st_mtime
                    latest[name] = max(when, latest.get(name, when))
    except OSError:
        pass
    return latest


def superseded(versions: dict[str, float], name: str, rejected_at: float) -> bool:
    """Whether ``rejected/<name>`` was fixed since: a file of its inbox name went through to
    ``processed/`` after it was rejected (``versions``: :func:`processed_versions`)."""
    return versions.get(original_name(name), float("-inf")) >= rejected_at


def rejection_time(folder: Path, name: str) -> float | None:
    """When ``folder/name`` was rejected: its note's time (intake writes it then), else the file's."""
    for candidate in (folder / f"{name}{ERROR_SUFFIX}", folder / name):
        try:
            return candidate.stat().st_mtime
        except OSError:
            continue
    return None


def _split_name(name: str) -> tuple[str, str]:
    """``plan.error.txt`` → (``plan``, ``.error.txt``); ``hills.txt`` → (``hills``, ``.txt``)."""
    if name.endswith(ERROR_SUFFIX) and len(name) > len(ERROR_SUFFIX):
        return name[: -len(ERROR_SUFFIX)], ERROR_SUFFIX
    stem, dot, suffix = name.rpartition(".")
    return (stem, dot + suffix) if stem else (name, "")
