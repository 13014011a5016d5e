"""Tolerant path: fitdecode without CRC enforcement, keeping all that decodes."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import fitdecode
import numpy as np

from watchsync.activity.fitcrc import fit_crc
from watchsync.activity.messages import MESSAGE_KINDS, NATIVE_RECORD_FIELDS, RECORD_FIELDS
from watchsync.activity.raw import Message, RawDecode

FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
SEMICIRCLE_DEG = 180.0 / 2**31
_DATE_FIELDS = frozenset({"timestamp", "start_time", "time_created", "local_timestamp"})
_RECORD_INDEX = {name: i for i, name in enumerate(RECORD_FIELDS)}
#: Exceptions that must never be swallowed.
_NOT_DECODE_ERRORS = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)


@dataclass
class TolerantResult:
    """What the tolerant decoder kept, and what went wrong on the way."""

    raw: RawDecode
    data_messages: int
    problems: list[str] = field(default_factory=list)


def decode(data: bytes) -> TolerantResult:
    """Decode as far as possible; stop quietly at the first unreadable byte."""
    collector = _Collector()
    data = _sized_to_the_end(data, collector.problems)
    try:
        reader = fitdecode.FitReader(
            io.BytesIO(data),
            processor=fitdecode.DataProcessorBase(),
            check_crc=fitdecode.CrcCheck.READONLY,
            error_handling=fitdecode.ErrorHandling.IGNORE,
        )
        for frame in reader:
            collector.add(frame)
    except BaseException as exc:  # fitdecode raises many types on bad input
        if isinstance(exc, _NOT_DECODE_ERRORS):
            raise
        collector.problems.append(f"decoding stopped early ({type(exc).__name__}: {exc})")
    return TolerantResult(collector.result(), collector.data_messages, collector.problems)


def _sized_to_the_end(data: bytes, problems: list[str]) -> bytes:
    """A file whose header says it holds no data read to its end: a recording never finalized (a Zwift ride
    whose header still said 0 bytes was refused as undecodable; probe fit12). A cut file's larger size
    is read as it is, to the cut."""
    if len(data) < 12 or data[8:12] != b".FIT":
        return data
    header_size = data[0]
    declared = int.from_bytes(data[4:8], "little")
    if header_size not in (12, 14) or declared != 0 or len(data) <= header_size + 2:
        return data
    # the file's CRC closes the data when its last two bytes are the CRC of the rest; an unfinished file has none
    closed = fit_crc(data[:-2]) == int.from_bytes(data[-2:], "little")
    there = len(data) - header_size - (2 if closed else 0)
    problems.append(f"the header says {declared} bytes of data, the file holds {there}: read to its end")
    header = data[:4] + there.to_bytes(4, "little") + data[8:12]
    if header_size == 14:  # the header's own CRC, made again for the size written in (review18)
        header += fit_crc(header).to_bytes(2, "little")
    return header + data[header_size:]


class _Collector:
    """Accumulates fitdecode frames into a `RawDecode`."""

    def __init__(self) -> None:
        self.messages: dict[str, list[Message]] = {kind: [] for kind in MESSAGE_KINDS}
        self.rows: list[list[float]] = []
        self.data_messages = 0
        self.segments = 0
        self.problems: list[str] = []

    def add(self, frame: object) -> None:
        if isinstance(frame, fitdecode.FitHeader):
            self.segments += 1
            if frame.crc_matched is False:
                self.problems.append(f"header CRC mismatch in FIT segment {self.segments}")
        elif isinstance(frame, fitdecode.FitCRC):
            if not frame.matched:
                self.problems.append(f"file CRC mismatch in FIT segment {self.segments}")
        elif isinstance(frame, fitdecode.FitDataMessage):
            self.data_messages += 1
            self._add_data(frame)

    def _add_data(self, frame: fitdecode.FitDataMessage) -> None:
        if frame.name == "record":
            self.rows.append(_record_row(frame))
        elif frame.name in self.messages:
            self.messages[frame.name].append(_message(frame))

    def result(self) -> RawDecode:
        table = np.array(self.rows, dtype=np.float64).reshape(len(self.rows), len(RECORD_FIELDS))
        table[:, _RECORD_INDEX["timestamp"]] += FIT_EPOCH
        for name in ("position_lat", "position_long"):
            table[:, _RECORD_INDEX[name]] *= SEMICIRCLE_DEG
        columns = {name: table[:, i].copy() for name, i in _RECORD_INDEX.items()}
        return RawDecode(messages=self.messages, columns=columns)


def _record_row(frame: fitdecode.FitDataMessage) -> list[float]:
    row = [np.nan] * len(RECORD_FIELDS)
    declared: list[tuple[int, float]] = []
    for fd in frame.fields:
        index = _RECORD_INDEX.get(fd.name)
        if index is not None:
            if fd.value is not None:  # an invalid compressed_speed_distance expands to distance None (fit12)
                row[index] = _as_float(fd.value)
        elif isinstance(fd.field, fitdecode.types.DevField) and fd.field.native_field_num in NATIVE_RECORD_FIELDS:
            declared.append((_RECORD_INDEX[NATIVE_RECORD_FIELDS[fd.field.native_field_num]], _as_float(fd.value)))
    for index, value in declared:  # a developer field that declares itself power (Stryd): when none was written,
        if math.isnan(row[index]) or (row[index] == 0 and value > 0):  # or a 0 another field wrote (fit14)
            row[index] = value
    return row


def _message(frame: fitdecode.FitDataMessage) -> Message:
    """Field name -> value; a resolved sub-field goes back under its main field, raw."""
    message: Message = {}
    for fd in frame.fields:
        if fd.value is None:
            continue
        if fd.parent_field is not None:
            message[fd.parent_field.name] = fd.raw_value
        elif fd.name in _DATE_FIELDS:
            message[fd.name] = _as_float(fd.value) + FIT_EPOCH
        else:
            message[fd.name] = fd.value
    return message


def _as_float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")
    return float(value)
