"""Load workout files of any supported kind, refusing oversized, binary, non-UTF-8 or empty ones."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from watchsync.formats.errors import WorkoutFormatError
from watchsync.model.enums import find_sport
from watchsync.model.workout import Sport, Workout

if TYPE_CHECKING:
    from watchsync.formats.text.document import Defaults

#: The athlete's sport: a value, or a function that reads it when a text needs it.
AthleteSport = Sport | str | Callable[[], str | None] | None
MAX_BYTES = 1 << 20
TEXT_SUFFIXES = frozenset({".txt", ".workout"})
WORKOUT_SUFFIXES = frozenset({*TEXT_SUFFIXES, ".toml", ".fit"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # all but tab, newline, form feed, return
_BOM = "\ufeff"
_READ_CHUNK = 1 << 16


#: Where a text without a ``name:`` line (and no free-text line to name it) gets its name from; the
#: message said is ``<path>: name from the file name``.
FILE_NAME_SOURCE = "the file name"

#: Garmin Connect workout JSON: read when named explicitly (``import``, ``validate FILE.json``), never
#: picked up from a folder, where other JSON files live.
CONNECT_SUFFIX = ".json"
#: What a folder scan reads: workout files and Garmin Connect workout JSON.
FOLDER_SUFFIXES = frozenset({*WORKOUT_SUFFIXES, CONNECT_SUFFIX})


def load_workout(path: Path | str, max_bytes: int = MAX_BYTES, *, sport: Sport | None = None,
                 athlete_sport: AthleteSport = None, pace_units: Mapping[str, str] | None = None,
                 messages: list[str] | None = None) -> Workout:
    """Parse one workout file, chosen by suffix; raises :class:`WorkoutFormatError` on any problem.

    A text without a ``sport:`` line takes ``sport`` (``--sport``), else the sport its folder is
    named after (``run/``, ``bike/``, ``swim/`` ...), else ``athlete_sport``; one without a
    ``name:`` line its first free-text line, else the file name; a pace written without a unit is in
    ``pace_units[family]`` (the athlete's setting), else the sport's usual unit. ``athlete_sport`` may be a
    function and ``pace_units`` a lazy mapping: they are read only when a text needs them. Which was used,
    and warnings
    about probable slips (``file:line:col: warning: ...``), are appended to ``messages``.
    A parser bug becomes a one-line error too (naming the file and asking for a report): bad input
    must never show a traceback.
    """
    path = path if isinstance(path, Path) else Path(path)  # a Path keeps its parsed parts (3.12 parses lazily)
    try:
        defaults = _defaults(path, sport, athlete_sport)
        defaults.pace_units = pace_units if pace_units is not None else {}
        return _parse_file(path, max_bytes, defaults, messages)
    except WorkoutFormatError:
        raise
    except Exception as error:
        raise WorkoutFormatError(str(path), 1, 1, f"watchsync could not parse this file ({type(error).__name__}: "
                                 f"{error}); please report it as a bug") from error


def _defaults(path: Path, sport: Sport | None, athlete_sport: AthleteSport) -> Defaults:
    from watchsync.formats.text.document import Defaults

    defaults = Defaults(name=path.stem, name_source=FILE_NAME_SOURCE)
    folder_name = path.parent.name
    folder = find_sport(folder_name)  # as folder_sport, the parent path made once
    if sport is not None:
        defaults.sport, defaults.sport_source = sport, "--sport"
    elif folder is not None:
        defaults.sport, defaults.sport_source = folder, f"the folder {folder_name!r}"
    else:  # read only when the text has no sport line
        defaults.sport_lookup = lambda: _athlete_sport(athlete_sport)
    return defaults


def _athlete_sport(athlete_sport: AthleteSport) -> tuple[Sport, str] | None:
    chosen = athlete_sport() if callable(athlete_sport) else athlete_sport
    return None if chosen is None else (Sport(chosen), "the athlete's sport setting")


def folder_sport(path: Path) -> Sport | None:
    """The sport the file's folder is named after (``run``, ``cycling``, ``swim``, ``bike`` ...), if any."""
    return find_sport(path.parent.name)  # no exception for the many folders named after no sport


def _parse_file(path: Path, max_bytes: int, defaults: Defaults, messages: list[str] | None) -> Workout:
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in WORKOUT_SUFFIXES and suffix != CONNECT_SUFFIX:
        if not path.exists():  # "--workout 'Easy run 45 min'": a name, not a file
            raise WorkoutFormatError(name, 1, 1, "no such workout file", "the path of a workout file")
        raise WorkoutFormatError(name, 1, 1, f"unknown workout file type {path.suffix or '(none)'!r}",
                                 ", ".join(sorted({*WORKOUT_SUFFIXES, CONNECT_SUFFIX})))
    data = _read(path, max_bytes)
    if suffix == ".fit":
        from watchsync.formats.fit_workout import read_fit_workout  # deferred: fit-tool is slow to import

        return read_fit_workout(path, messages)
    text = decode_text(data, name)
    if suffix == CONNECT_SUFFIX:
        from watchsync.formats.connect_json_read import read_connect_file

        workouts = read_connect_file(text, name, messages)
        if len(workouts) > 1:
            raise WorkoutFormatError(name, 1, 1, f"a multi-sport workout of {len(workouts)} segments",
                                     "`watchsync import` to split it into one workout file per segment")
        return workouts[0]
    if suffix == ".toml":
        from watchsync.formats.toml_workout import parse_toml

        if is_plan_text(text):
            raise WorkoutFormatError(name, 1, 1, "this is a plan file, not a workout",
                                     "a workout file; check plans with `watchsync plan lint`")

        warnings: list[WorkoutFormatError] = []
        workout = parse_toml(text, name, warnings)
        _say_warnings(warnings, messages)
        return workout
    from watchsync.formats.text.document import parse_text  # from a module, not a package: no fromlist handling

    warnings = []
    notes: list[str] = []
    workout = parse_text(text, name, defaults=defaults, warnings=warnings, notes=notes)
    if messages is not None:
        messages.extend(f"{name}: {note}" for note in notes)
    _say_warnings(warnings, messages)
    return workout


def _say_warnings(warnings: list[WorkoutFormatError], messages: list[str] | None) -> None:
    """Append ``file:line:col: warning: ...`` for each warning about a probable slip to ``messages``."""
    if messages is not None:
        messages.extend(f"{w.path}:{w.line}:{w.col}: warning: {w.problem}" + (f" (did you mean {w.expected}?)"
                                                                               if w.expected else "")
                        for w in warnings)


def _read(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    try:
        data = _read_at_most(path, max_bytes + 1)
    except OSError as error:
        raise WorkoutFormatError(name, 1, 1, f"cannot read the file: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise WorkoutFormatError(name, 1, 1, f"file is larger than {max_bytes} bytes",
                                 "a workout file, not a data dump")
    return data


def _read_at_most(path: Path, limit: int) -> bytes:
    """The file's bytes up to ``limit``, read until end of file.

    Plain file-descriptor reads: a buffered file object costs more syscalls (isatty, lseek) and
    objects than reading a small file does, and ``read(n)`` allocates ``n`` bytes up front, so the
    first read asks for the size ``fstat`` reports (0 for pipes and /proc files) and later ones for
    at most :data:`_READ_CHUNK`; a regular file that reads short has ended (no second read to see it).
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        status = os.fstat(fd)
        regular = stat.S_ISREG(status.st_mode)
        wanted = status.st_size + 1
        parts: list[bytes] = []
        got = 0
        while got < limit:
            asked = min(wanted, limit - got)
            part = os.read(fd, asked)
            parts.append(part)
            got += len(part)
            if not part or (regular and len(part) < asked):  # a regular file reads short only at its end
                break
            wanted = _READ_CHUNK
        return b"".join(parts)
    finally:
        os.close(fd)


#: Byte-order marks of UTF-16 (Windows Notepad's "Unicode"): a text so marked is read as what it says it is.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, path: str) -> str:
    """UTF-8 text of a workout file (a leading BOM is dropped; UTF-16 with its BOM is read too), or an error at
    the first bad byte."""
    try:
        text = data.decode("utf-16" if data.startswith(_UTF16_BOMS) else "utf-8")
    except UnicodeDecodeError as error:
        if data.startswith(_UTF16_BOMS):
            raise WorkoutFormatError(path, 1, 1, "UTF-16 text with a broken byte (a cut file?)",
                                     "the file saved as UTF-8") from None
        valid = data[: error.start].decode("utf-8")
        _reject_controls(valid, path)
        line, col = _line_col(valid)
        # a byte 0x80-0xff alone is what Latin-1 / Windows-1252 editors write for é, ü, ° (probe journey11)
        raise WorkoutFormatError(path, line, col, f"not UTF-8 text (byte 0x{data[error.start]:02x}: saved in another "
                                 "encoding, such as Latin-1 or Windows-1252?)", "the file saved as UTF-8") from None
    text = text.removeprefix(_BOM)
    _reject_controls(text, path)
    if not text.strip():
        raise WorkoutFormatError(path, 1, 1, "empty file", "a workout")
    return text


def _reject_controls(text: str, path: str) -> None:
    control = _CONTROL.search(text)
    if control is not None:
        line, col = _line_col(text[: control.start()])
        raise WorkoutFormatError(path, line, col, f"binary data (control character 0x{ord(control.group()):02x})",
                                 "a text file")


def _line_col(before: str) -> tuple[int, int]:
    """1-based line and column of the character that follows ``before``."""
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


_PLAN_TABLE = re.compile(r"^\s*(\[\[weeks\]\]|weeks\s*=)", re.MULTILINE)


def is_plan_text(text: str) -> bool:
    """True for a TOML plan file (it has a ``[[weeks]]`` array), which holds sessions, not steps."""
    return _PLAN_TABLE.search(text) is not None


def is_plan_file(path: Path) -> bool:
    """True when ``path`` is a readable TOML plan file."""
    if path.suffix.lower() != ".toml":
        return False
    try:
        return is_plan_text(path.read_text("utf-8", errors="replace"))
    except OSError:
        return False


def load_workouts(paths: Iterable[Path], max_bytes: int = MAX_BYTES, *, sport: Sport | None = None,
                  athlete_sport: AthleteSport = None, pace_units: Mapping[str, str] | None = None,
                  messages: list[str] | None = None) -> list[tuple[Path, Workout | WorkoutFormatError]]:
    """Each file's workout or error; directories are searched recursively, skipping dotfiles and plans.

    ``sport``, ``athlete_sport`` and ``messages`` as for :func:`load_workout`.
    """
    results: list[tuple[Path, Workout | WorkoutFormatError]] = []
    for path in _expand(paths):
        try:
            results.append((path, load_workout(path, max_bytes, sport=sport, athlete_sport=athlete_sport,
                                               pace_units=pace_units, messages=messages)))
        except WorkoutFormatError as error:
            results.append((path, error))
    return results


def _expand(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            out.append(path)
            continue
        found = (p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES)
        visible = (p for p in found if not any(part.startswith(".") for part in p.relative_to(path).parts))
        out.extend(sorted(p for p in visible if not is_plan_file(p)))
    return out
