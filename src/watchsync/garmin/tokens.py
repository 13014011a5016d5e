"""Where Garmin tokens live on disk, and owner-only file handling (dir 0700, files 0600)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

TOKEN_FILE = "garmin_tokens.json"  # the name garminconnect reads and writes in a token directory
MFA_STATE_FILE = "garmin_mfa_state.json"  # a login waiting for its MFA code (holds SSO cookies)


def secure_dir(directory: Path) -> Path:
    """Create ``directory`` if needed and make it (and any token files in it) owner-only; folders it
    creates on the way (``<state>/tokens``) are owner-only too (``mkdir(parents=True)`` would leave
    them to the umask)."""
    missing = [folder for folder in (directory, *directory.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    for name in (TOKEN_FILE, MFA_STATE_FILE):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(directory / name, 0o600)
    return directory


def write_private(path: Path, text: str) -> None:
    """Atomically write ``text`` to ``path`` as a 0600 file, never readable by others meanwhile."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
