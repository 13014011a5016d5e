"""Rejected files waiting in an athlete's ``rejected/`` folder, each with intake's explanation.

Shared by the dashboard's status page and the notifications (one message per rejected file, or one for
the files found rejected in the same look).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watchsync.config import Config
from watchsync.daemon.intake_files import ERROR_SUFFIX, REJECTED, processed_versions, superseded
from watchsync.daemon.status import collect_status

#: The explanation shown is cut to this many characters (the note itself stays complete on disk).
MAX_REASON = 2000


@dataclass(frozen=True)
class RejectedFile:
    """A rejected file: its name in ``rejected/``, when it was rejected and why."""

    name: str
    rejected_at: str
    reason: str
    #: False while the note is not (completely) written yet: intake moves the file, then writes it.
    explained: bool = True


def rejected_files(inbox: Path | None) -> list[RejectedFile]:
    """Every file in ``inbox/rejected/`` with the text of its ``.error.txt`` note, oldest first; one
    whose fix went through to ``processed/`` since is left out."""
    if inbox is None:
        return []
    folder = inbox / REJECTED
    try:
        entries = [e for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    except OSError:
        return []
    notes = {e.name for e in entries if e.name.endswith(ERROR_SUFFIX)}
    versions = processed_versions(inbox)
    found = []
    for entry in entries:
        if entry.name.endswith(ERROR_SUFFIX):
            continue
        note = f"{entry.name}{ERROR_SUFFIX}"
        try:
            text = (folder / note).read_text("utf-8", errors="replace") if note in notes else ""
            reason = _reason(text)
            # the note is written at rejection; the file itself keeps its own mtime through the move
            written = (folder / note).stat() if note in notes else entry.stat(follow_symlinks=False)
            moment = datetime.fromtimestamp(written.st_mtime, UTC)
        except OSError:
            continue
        if superseded(versions, entry.name, written.st_mtime):
            continue  # fixed since: the copy left behind waits for nothing
        explained = any(line.startswith("  ") and line.strip() for line in text.splitlines())
        found.append(RejectedFile(entry.name, moment.isoformat(timespec="seconds"),
                                  reason[:MAX_REASON] or "no explanation written", explained))
    return sorted(found, key=lambda f: (f.rejected_at, f.name))


@dataclass(frozen=True)
class StrayEntry:
    """A file or folder at the top of the shared inbox that no athlete's inbox takes in."""

    name: str
    modified: float
    problem: str


def stray_entries(config: Config) -> list[StrayEntry]:
    """What lies in ``[daemon] inbox`` outside every athlete's folder: a file at its top, or a folder
    of a name no athlete has. Nothing takes those in: they are said (log, notice), never lost."""
    from watchsync.daemon.inbox import is_ignored_name

    root = config.daemon.inbox
    if root is None:
        return []
    theirs = {name for name in config.athletes if config.inbox_dir(name) == root / name}
    try:
        entries = [e for e in os.scandir(root) if not is_ignored_name(e.name) and e.name not in theirs]
    except OSError:
        return []
    folders = ", ".join(sorted(theirs)) or "none"
    found = []
    for entry in entries:
        try:
            modified = entry.stat(follow_symlinks=False).st_mtime
            folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        problem = (f"a folder of no athlete in the configuration (athletes' folders: {folders})" if folder
                   else f"a file at the top of the inbox, where nothing is taken in: move it into an athlete's "
                        f"folder ({folders})")
        found.append(StrayEntry(entry.name + ("/" if folder else ""), modified, problem))
    return sorted(found, key=lambda e: e.name)


def _reason(note: str) -> str:
    """The problems of a rejection note (its indented lines), without the header and the hint."""
    problems = [line.strip() for line in note.splitlines() if line.startswith("  ") and line.strip()]
    return "; ".join(problems) if problems else note.strip()


def dashboard_status(config: Config) -> dict[str, Any]:
    """``watchsync status`` as JSON, plus each athlete's rejected files with their explanation."""
    status = collect_status(config).as_json()
    status["rejected"] = {name: [asdict(f) for f in rejected_files(config.inbox_dir(name))]
                          for name in config.athletes}
    return status
