"""The FIT file without its records parses like the whole file; defects fitfast fails on are caught first."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import fitfast
import pytest
from fitdecode.utils import compute_crc

from watchsync.activity import FitDecodeError, decode_activity, fast
from watchsync.activity.messages import MESSAGE_KINDS
from watchsync.activity.slim import MESSAGE_NUMBERS, FitfastUnfit, message_numbers, slim

FIXTURES = Path(
    os.environ.get("WATCHSYNC_FIXTURES") or Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "fit"
)
KEEP = message_numbers(MESSAGE_KINDS)
RECORD, LAP, FILE_ID = 20, 19, 0
UINT32, UINT8, ENUM = 0x86, 0x02, 0x00
UNKNOWN_FIELD = 203
UNDEFINED_BASE_TYPE = 0x1D  # base type number 29: FIT defines 0..16


def fixture_bytes(name: str) -> bytes:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"FIT fixtures not found at {FIXTURES}")
    return path.read_bytes()


def fitfast_readable() -> list[str]:
    names = []
    for path in sorted(FIXTURES.glob("*.fit")):
        try:
            fitfast.count(path.read_bytes())
        except fitfast.FitDecodeError:
            continue
        names.append(path.name)
    return names or ["Activity.fit"]


# --- building small FIT files -----------------------------------------------------------------


def definition(local: int, number: int, fields: list[tuple[int, int, int]]) -> bytes:
    head = bytes([0x40 | local, 0, 0]) + number.to_bytes(2, "little") + bytes([len(fields)])
    return head + b"".join(bytes(field) for field in fields)


def data(local: int, payload: bytes) -> bytes:
    return bytes([local]) + payload


def compressed(local: int, offset: int, payload: bytes) -> bytes:
    return bytes([0x80 | local << 5 | offset]) + payload


def fit_file(*messages: bytes) -> bytes:
    body = b"".join(messages)
    header = bytes([14, 0x10]) + (2132).to_bytes(2, "little") + len(body).to_bytes(4, "little") + b".FIT"
    header += int(compute_crc(header)).to_bytes(2, "little")
    return header + body + int(compute_crc(header + body)).to_bytes(2, "little")


def u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def run_with_laps(*laps: bytes) -> bytes:
    """file_id, 100 records (most of the file) and the given messages (lap: timestamp, total_elapsed_time)."""
    return fit_file(
        definition(0, FILE_ID, [(0, 1, ENUM)]),
        data(0, bytes([4])),
        definition(1, RECORD, [(253, 4, UINT32), (3, 1, UINT8)]),
        *(data(1, u32(1_000_000_000 + i) + bytes([100 + i])) for i in range(100)),
        definition(2, LAP, [(253, 4, UINT32), (7, 4, UINT32)]),
        *laps,
    )


def test_message_numbers_are_the_fit_profiles() -> None:
    from fitdecode.profile import MESG_NUM_DEVELOPER_DATA_ID, MESG_NUM_FIELD_DESCRIPTION, MESSAGE_TYPES

    by_name = {kind.name: number for number, kind in MESSAGE_TYPES.items()}
    assert {name: by_name[name] for name in MESSAGE_NUMBERS} == MESSAGE_NUMBERS
    assert set(MESSAGE_KINDS) <= set(MESSAGE_NUMBERS)
    assert message_numbers(["lap"]) == {by_name["lap"], MESG_NUM_DEVELOPER_DATA_ID, MESG_NUM_FIELD_DESCRIPTION}


# --- the slim copy ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", fitfast_readable())
def test_slim_copy_parses_like_the_whole_file(name: str) -> None:
    whole = fixture_bytes(name)
    copy = slim(whole, KEEP, max_kept_share=1.0)
    assert copy is not None
    parsed, expected = fitfast.parse(copy), fitfast.parse(whole)
    assert "record" not in parsed
    for kind in MESSAGE_KINDS:
        assert parsed.get(kind) == expected.get(kind), kind


@pytest.mark.parametrize("name", ["activity-large-fenxi2-multisport.fit", "garmin-edge-500-activity.fit"])
def test_record_heavy_files_are_slimmed(name: str) -> None:
    whole = fixture_bytes(name)
    copy = slim(whole, KEEP)
    assert copy is not None and len(copy) < len(whole) / 10


def test_a_file_of_mostly_kept_messages_is_parsed_whole() -> None:
    laps = [data(2, u32(1_000_000_003 + i) + u32(60_000)) for i in range(200)]
    assert slim(run_with_laps(*laps), KEEP) is None
    assert slim(run_with_laps(*laps), KEEP, max_kept_share=1.0) is not None


def test_a_kept_message_with_a_compressed_timestamp_parses_the_whole_file() -> None:
    lap = u32(1_000_000_003) + u32(60_000)
    plain = run_with_laps(data(2, lap))
    assert slim(plain, KEEP) is not None
    tricky = run_with_laps(data(2, lap), compressed(2, 5, lap))
    assert slim(tricky, KEEP) is None
    assert fast.decode(tricky).messages["lap"] == fitfast.parse(tricky)["lap"]


def test_runs_of_records_with_normal_and_compressed_headers_are_dropped_exactly() -> None:
    """Records under normal and compressed-timestamp headers (their time offsets differ byte by byte),
    in runs of every length between kept laps, are all dropped; the copy parses like the whole file."""
    record = definition(1, RECORD, [(253, 4, UINT32), (3, 1, UINT8)])
    messages = [definition(0, FILE_ID, [(0, 1, ENUM)]), data(0, bytes([4])), record]
    messages.append(definition(2, LAP, [(253, 4, UINT32), (7, 4, UINT32)]))
    second = 1_000_000_000
    for run in [1, 2, 3, 7, 8, 9, 17, 40, 150]:  # runs shorter and longer than the scan's doubling windows
        for i in range(run):
            second += 1
            if i % 3 == 2:
                messages.append(compressed(1, second % 32, u32(second) + bytes([100 + i % 50])))
            else:
                messages.append(data(1, u32(second) + bytes([100 + i % 50])))
        messages.append(data(2, u32(second) + u32(run * 1000)))
    whole = fit_file(*messages)
    copy = slim(whole, KEEP)
    assert copy is not None and len(copy) < len(whole) / 2
    parsed, expected = fitfast.parse(copy), fitfast.parse(whole)
    assert "record" not in parsed and len(parsed["lap"]) == 9
    for kind in MESSAGE_KINDS:
        assert parsed.get(kind) == expected.get(kind), kind


# --- defects fitfast fails on ----------------------------------------------------------------------


def test_truncated_segment_is_unfit_for_fitfast() -> None:
    whole = run_with_laps(data(2, u32(1_000_000_003) + u32(60_000)))
    with pytest.raises(FitfastUnfit, match="runs past the end"):
        slim(whole[:-5], KEEP)
    with pytest.raises(FitfastUnfit):
        slim(fixture_bytes("activity-unexpected-eof.fit"), KEEP)


def test_undefined_base_type_of_an_unknown_field_is_unfit_once_a_message_uses_it() -> None:
    odd = definition(3, RECORD, [(UNKNOWN_FIELD, 4, UNDEFINED_BASE_TYPE)])
    assert slim(run_with_laps(odd), KEEP) is not None
    with pytest.raises(FitfastUnfit, match="undefined base type"):
        slim(run_with_laps(odd, data(3, u32(7))), KEEP)


def test_undefined_base_type_of_a_profile_field_is_left_to_fitfast() -> None:
    whole = run_with_laps(definition(3, RECORD, [(3, 1, UNDEFINED_BASE_TYPE)]), data(3, bytes([150])))
    assert slim(whole, KEEP) is not None
    assert decode_activity(whole).decoder == "fitfast"


def test_undefined_base_type_is_salvaged_without_a_rust_panic(capfd: pytest.CaptureFixture[str]) -> None:
    whole = run_with_laps(definition(3, RECORD, [(UNKNOWN_FIELD, 4, UNDEFINED_BASE_TYPE)]), data(3, u32(7)))
    activity = decode_activity(whole)
    assert activity.decoder == "fitdecode" and len(activity.records) >= 3
    assert any("undefined base type" in warning for warning in activity.warnings)
    assert "panicked" not in capfd.readouterr().err


def test_data_headers_flipped_into_definitions_do_not_panic(capfd: pytest.CaptureFixture[str]) -> None:
    original = fixture_bytes("Activity.fit")
    for position in range(len(original) // 2):  # definitions and the first records
        flipped = bytearray(original)
        flipped[position] ^= 0x40  # at a data message header: now a definition of garbage
        with contextlib.suppress(FitDecodeError):
            decode_activity(bytes(flipped))
    assert "panicked" not in capfd.readouterr().err
