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


def newest_versions(paths: list[Path]) -> list[Path]:
    """Of each file's archived versions (``hills.txt``, ``hills.20261125T101500.txt`` ... in one folder), the
    newest by modification time: the plain name holds the newest since this version of watchsync, the
    first one before it (an archive of an earlier install, probe review13)."""
    newest: dict[tuple[Path, str, str], tuple[float, Path]] = {}
    for path in paths:
        key = (path.parent, unstamped(path.stem), path.suffix)
        when = path.stat().st_mtime
        if key not in newest or (when, path.name == key[1] + key[2]) > (newest[key][0],
                                                                        newest[key][1].name == key[1] + key[2]):
            newest[key] = (when, path)
    return [path for _when, path in newest.values()]


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
