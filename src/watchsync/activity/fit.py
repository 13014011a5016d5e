"""Decode FIT activities: fitfast fast path first, fitdecode salvage on failure."""

from __future__ import annotations

from pathlib import Path

from watchsync.activity import fast
from watchsync.activity.fitcrc import fit_crc
from watchsync.activity.messages import build_activity
from watchsync.activity.model import Activity, FitDecodeError
from watchsync.activity.slim import FitfastUnfit

_SIGNATURE = b".FIT"
_SIGNATURE_AT = 8
_BYTES_LABEL = "<bytes>"
#: Exceptions that must never be swallowed (fitfast's Rust panics are BaseException).
_NOT_DECODE_ERRORS = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


def decode_activity(data: bytes | Path) -> Activity:
    """Decode FIT bytes or a FIT file into an `Activity`.

    Raises `FitDecodeError` (and nothing else) when the input is not FIT or no
    message at all can be decoded. Defective FIT files (bad CRC, truncated,
    trailing garbage) are salvaged: `salvaged=True` plus `warnings`.
    """
    label, payload = _load(data)
    _check_signature(label, payload)
    try:
        raw = fast.decode(_without_header_crc(payload))
    except BaseException as exc:  # fitdecode.FitDecodeError or a Rust panic
        if isinstance(exc, _NOT_DECODE_ERRORS):
            raise
        trimmed = _without_trailing_bytes(payload)
        if trimmed is not None:
            return trimmed
        reason = "the fast decoder cannot read it" if isinstance(exc, FitfastUnfit) else "fitfast rejected the file"
        return _salvage(label, payload, f"{reason} ({exc}); decoded with fitdecode")
    return build_activity(raw, "fitfast", salvaged=False, warnings=[])


def _without_header_crc(payload: bytes) -> bytes:
    """A one-segment file whose 14-byte header has no CRC (0x0000, as older devices write it) and whose
    file CRC is right, as the same file with a 12-byte header (and its CRC recomputed): fitfast checks
    such a file's CRC without its header and refuses it; the FIT CRC covers the header."""
    header_size = len(payload) and payload[0]
    if header_size != 14 or payload[12:14] != b"\0\0" or len(payload) < 16:
        return payload
    if header_size + int.from_bytes(payload[4:8], "little") + 2 != len(payload):
        return payload  # chained segments, or trailing bytes: left as they are
    if fit_crc(payload[:-2]) != int.from_bytes(payload[-2:], "little"):
        return payload
    twelve = bytes([12]) + payload[1:12] + payload[14:-2]
    return twelve + fit_crc(twelve).to_bytes(2, "little")


def _without_trailing_bytes(payload: bytes) -> Activity | None:
    """The file as its header declares it, when bytes that are not another FIT segment follow it
    (padding, garbage) and that part decodes: fast, instead of the tolerant decoder's slow walk."""
    header_size = payload[0]
    if header_size not in (12, 14) or len(payload) < header_size:
        return None
    end = header_size + int.from_bytes(payload[4:8], "little") + 2
    rest = payload[end:]
    if end < header_size + 2 or not rest or rest[8:12] == _SIGNATURE:
        return None
    try:
        raw = fast.decode(payload[:end])
    except BaseException as exc:
        if isinstance(exc, _NOT_DECODE_ERRORS):
            raise
        return None
    return build_activity(raw, "fitfast", salvaged=True,
                          warnings=[f"{len(rest)} bytes after the end of the FIT file were ignored"])


def _load(data: bytes | Path) -> tuple[str, bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        return _BYTES_LABEL, bytes(data)
    try:
        return str(data), Path(data).read_bytes()
    except OSError as exc:
        raise FitDecodeError(str(data), f"cannot read file ({exc.strerror or exc})") from None


def _check_signature(label: str, payload: bytes) -> None:
    if payload[_SIGNATURE_AT : _SIGNATURE_AT + len(_SIGNATURE)] != _SIGNATURE:
        detail = "empty input" if not payload else f"expected {_SIGNATURE.decode()!r} signature at byte 8"
        raise FitDecodeError(label, f"not a FIT file ({detail})")


def _salvage(label: str, payload: bytes, reason: str) -> Activity:
    from watchsync.activity import tolerant  # deferred: fitdecode is imported only for a defective file

    result = tolerant.decode(payload)
    if result.data_messages == 0:
        problems = "; ".join(result.problems) or "no data messages"
        raise FitDecodeError(label, f"no FIT messages could be decoded ({problems})")
    return build_activity(
        result.raw, "fitdecode", salvaged=bool(result.problems), warnings=[reason, *result.problems]
    )
