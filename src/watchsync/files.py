"""Writing files so that readers never see half of one, with the permissions asked for."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

#: The timestamp (and counter) an archived version carries before its suffix: ``hills.20261125T101500.txt``.
_STAMPED = re.compile(r"\.\d{8}T\d{6}(?:-\d+)?$")


def unstamped(stem: str) -> str:
    """``stem`` without an archive timestamp (``hills.20261125T101500`` → ``hills``)."""
    return _STAMPED.sub("", stem)


def is_older_version(path: Path) -> bool:
    """Whether ``path`` is an archived older version of a file kept beside it under its plain name
    (``processed/hills.20261125T101500.txt`` beside ``processed/hills.txt``)."""
    plain = unstamped(path.stem)
    return plain != path.stem and path.with_name(plain + path.suffix).exists()


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` (permissions ``mode``) through a temporary file and a rename (readers
    never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
