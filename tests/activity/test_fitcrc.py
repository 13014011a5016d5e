"""The word-table FIT CRC agrees with fitdecode's reference and with real files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fitdecode.utils import compute_crc
from hypothesis import given, settings
from hypothesis import strategies as st

from watchsync.activity.fitcrc import fit_crc

FIXTURES = Path(
    os.environ.get("WATCHSYNC_FIXTURES") or Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "fit"
)


@given(st.binary(min_size=1, max_size=300))
def test_matches_fitdecode(data: bytes) -> None:
    assert fit_crc(data) == compute_crc(data)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=512, max_size=6000))
def test_matches_fitdecode_on_the_chunked_tree_path(data: bytes) -> None:
    """Past 256 words the CRC is computed in chunks merged pairwise (any length, odd or even)."""
    assert fit_crc(data) == compute_crc(data)


def test_empty_input_is_zero() -> None:
    assert fit_crc(b"") == 0


@pytest.mark.parametrize("name", ["Activity.fit", "garmin-fenix-5-run.fit", "unterminated-strings.fit"])
def test_reproduces_the_crc_stored_in_a_file(name: str) -> None:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"FIT fixtures not found at {FIXTURES}")
    data = path.read_bytes()
    assert fit_crc(data[:-2]) == int.from_bytes(data[-2:], "little")
