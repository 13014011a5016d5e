"""Cut a FIT file down to the messages the model reads besides `record`, still a valid FIT file.

`fitfast.parse` turns every message into a dict, and an activity is mostly `record`
messages, which `fitfast.records` already returns as columns. Parsing a copy without
them skips that cost. Every definition message and segment boundary is kept, so the
kept messages decode exactly as in the whole file; a kept message with a compressed
timestamp header (its time may come from a dropped one) makes it parse the whole file.

The walk also spots what fitfast is known to fail on without reading the file:
a segment running past the end of the data, and a field outside the profile
declared with an undefined base type (a Rust panic in fitfast, usually from a
corrupt definition).
"""

from __future__ import annotations

from collections.abc import Iterable

from watchsync.activity.fitcrc import fit_crc
from watchsync.activity.hrbytes import HR_MESSAGE, HrGather, HrLayout
from watchsync.errors import WatchsyncError

_SIGNATURE = b".FIT"
_HEADER_SIZES = (12, 14)
_COMPRESSED = 0x80
_DEFINITION = 0x40
_DEVELOPER = 0x20
_BASE_TYPE_NUMBER = 0x1F
_LAST_BASE_TYPE = 0x10  # uint64z
_DROP, _KEEP, _FATAL = 0, 1, 2
_UNDEFINED = b"\x01"
#: Maps each base type byte to 1 if its base type number is undefined, else 0.
_BASE_TYPE_CHECK = bytes(int(b & _BASE_TYPE_NUMBER > _LAST_BASE_TYPE) for b in range(256))




def _data_headers(local: int) -> bytes:
    """Every header byte of a data message of local type ``local``: normal, and compressed-timestamp
    (local types 0–3, the time offset in the low 5 bits)."""
    compressed = range(_COMPRESSED | local << 5, (_COMPRESSED | local << 5) + 32) if local < 4 else range(0)
    return bytes([local, *compressed])


#: Per local message type, the header bytes of its data messages (a run of them is skipped at once).
_RUN_HEADERS = [_data_headers(local) for local in range(16)]
_RUN_SETS = [frozenset(headers) for headers in _RUN_HEADERS]


class FitfastUnfit(WatchsyncError):
    """The file has a defect fitfast fails on; only the tolerant decoder can read it."""


#: Global message numbers of the FIT profile, for the kinds the activity model reads (written out:
#: importing a FIT profile costs more start-up than a small file's decode; a test checks them
#: against fitdecode's profile).
MESSAGE_NUMBERS = {"file_id": 0, "sport": 12, "session": 18, "lap": 19, "record": 20, "event": 21, "workout": 26,
                   "workout_step": 27, "activity": 34, "length": 101, "hr": 132, "set": 225}
#: The messages that declare developer fields: kept whenever anything is.
FIELD_DESCRIPTION, DEVELOPER_DATA_ID = 206, 207


def message_numbers(names: Iterable[str]) -> frozenset[int]:
    """Global message numbers of the named kinds, plus the messages developer fields need."""
    return frozenset({*(MESSAGE_NUMBERS[name] for name in names), FIELD_DESCRIPTION, DEVELOPER_DATA_ID})


def slim(data: bytes, keep: frozenset[int], *, max_kept_share: float = 0.5, hr: HrGather | None = None) -> bytes | None:
    """`data` with only the data messages of the `keep` kinds.

    With ``hr``, `hr` messages are left out of the copy and noted in ``hr`` instead (see
    `watchsync.activity.hrbytes`).

    None if that cannot be vouched for, or if more than `max_kept_share` of the
    file would be kept (then parsing the whole file is cheaper: the copy's CRC is
    computed in Python).

    Raises `FitfastUnfit` for the defects listed in the module docstring.
    """
    segments: list[tuple[bytes, bytes]] = []
    exact = True
    start = 0
    while start < len(data):
        header = data[start : start + _HEADER_SIZES[-1]]
        if len(header) < _HEADER_SIZES[0] or header[0] not in _HEADER_SIZES or header[8:12] != _SIGNATURE:
            return None
        body_start = start + header[0]
        body_end = body_start + int.from_bytes(header[4:8], "little")
        if body_end + 2 > len(data):
            raise FitfastUnfit(f"FIT segment at byte {start} runs past the end of the file")
        walked = _slim_body(data, body_start, body_end, keep, hr)
        if walked is None:
            return None
        body, body_exact = walked
        exact &= body_exact
        segments.append((header, body))
        start = body_end + 2
    if not exact or sum(len(body) for _, body in segments) > len(data) * max_kept_share:
        return None
    return b"".join(_segment(header, body) for header, body in segments)


def _segment(header: bytes, body: bytes) -> bytes:
    """A segment with a 12-byte header (no header CRC) and its file CRC."""
    head = bytes([_HEADER_SIZES[0]]) + header[1:4] + len(body).to_bytes(4, "little") + _SIGNATURE
    return head + body + fit_crc(head + body).to_bytes(2, "little")


def _slim_body(data: bytes, position: int, end: int, keep: frozenset[int],
               hr: HrGather | None = None) -> tuple[bytes, bool] | None:
    """(kept bytes, whether they decode as in the whole file); None if the messages do not add up."""
    exact = True
    sizes = [-1] * 16
    actions = [_DROP] * 16
    layouts: list[HrLayout | None] = [None] * 16
    pieces: list[bytes] = []
    kept_from = position
    known: dict[bytes, tuple[int, int, int, int]] = {}  # some devices repeat a definition before every message
    try:
        while position < end:
            header = data[position]
            if header & (_COMPRESSED | _DEFINITION) == _DEFINITION:
                local = header & 0x0F
                start = position
                key = data[position:position + 6 + 3 * data[position + 5]]
                if key in known and not header & _DEVELOPER:
                    length, sizes[local], actions[local], number = known[key]
                    position += length
                else:
                    position, sizes[local], actions[local], number = _definition(data, position, keep)
                    known[key] = (position - start, sizes[local], actions[local], number)
                layouts[local] = None
                if hr is not None and number == HR_MESSAGE:
                    layouts[local] = _hr_layout(data, start, hr)
                    actions[local] = _DROP
                if actions[local] == _DROP:  # only the dropped kind's messages would use it
                    if kept_from < start:
                        pieces.append(data[kept_from:start])
                    kept_from = position
                continue
            local = (header >> 5) & 0x03 if header & _COMPRESSED else header & 0x0F
            size, action = sizes[local], actions[local]
            if size < 0:
                return None
            if action == _DROP:
                step = 1 + size
                after = position + step
                if after < end and data[after] in _RUN_SETS[local]:  # a run of records, most often
                    after = _run_end(data, after, end, step, _RUN_HEADERS[local])
                layout = layouts[local]
                if layout is not None and hr is not None:
                    if max(data[position:after:step]) & _COMPRESSED:
                        hr.usable = False
                    layout.positions.extend(range(position, after, step))
                if kept_from < position:
                    pieces.append(data[kept_from:position])
                position = kept_from = after
            elif action == _KEEP and not header & _COMPRESSED:
                position += 1 + size
            elif action == _KEEP:
                exact = False  # its time would come from the last timestamp, maybe a dropped one's
                position += 1 + size
            else:
                raise FitfastUnfit(f"message at byte {position} has a field of undefined base type")
    except IndexError:
        return None
    if position != end:
        return None
    pieces.append(data[kept_from:end])
    return b"".join(pieces), exact


def _run_end(data: bytes, position: int, end: int, step: int, headers: bytes) -> int:
    """Position after the run of messages (`step` bytes each, with one of ``headers``) from ``position``.

    A run of records is thousands of messages: their header bytes are compared as strided slices
    (C speed), in a window that doubles while the run goes on, instead of one by one.
    """
    window = 8
    while True:
        stop = min(end, position + step * window)
        run = data[position:stop:step]
        rest = len(run.lstrip(headers))
        if rest or stop == end:
            return position + step * (len(run) - rest)
        position, window = stop, window * 2


def _definition(data: bytes, position: int, keep: frozenset[int]) -> tuple[int, int, int, int]:
    """(position after it, data message size, action for its data messages, global message number)."""
    count = data[position + 5]
    after = position + 6 + 3 * count
    fields = data[position + 6 : after]
    size = sum(fields[1::3])
    if data[position] & _DEVELOPER:
        developer_count = data[after]
        size += sum(data[after + 2 : after + 1 + 3 * developer_count : 3])
        after += 1 + 3 * developer_count
    if after > len(data):
        raise IndexError(position)
    number = int.from_bytes(data[position + 3 : position + 5], "big" if data[position + 2] == 1 else "little")
    if _UNDEFINED in fields[2::3].translate(_BASE_TYPE_CHECK) and _undefined_base_type(number, fields):
        return after, size, _FATAL, number
    return after, size, _KEEP if number in keep else _DROP, number


def _hr_layout(data: bytes, position: int, hr: HrGather) -> HrLayout:
    count = data[position + 5]
    if data[position] & _DEVELOPER:
        hr.usable = False
    return hr.layout(data[position + 2] != 1, data[position + 6 : position + 6 + 3 * count])


def _undefined_base_type(number: int, fields: bytes) -> bool:
    """A sized field outside the profile with a base type number past the last defined one."""
    from fitdecode.profile import MESSAGE_TYPES  # deferred: only a (corrupt) undefined base type needs it

    kind = MESSAGE_TYPES.get(number)
    for i in range(0, len(fields), 3):
        field, size, base_type = fields[i : i + 3]
        if size and base_type & _BASE_TYPE_NUMBER > _LAST_BASE_TYPE and (kind is None or field not in kind.fields):
            return True
    return False
