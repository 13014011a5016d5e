"""The FIT CRC-16 with numpy: words through a 65,536-entry table, chunks side by side.

A 16-bit CRC's state after two more bytes depends only on `state ^ word`, so one table built from
fitdecode's reference implementation covers a word. FIT's CRC (initial value 0, no final xor) is
linear, so the data is cut into chunks whose CRCs are computed in parallel (one numpy step per
word of a chunk) and chained: the CRC after a chunk is `feed[state] ^ crc(chunk)`, `feed` being
the state after a chunk of zeros. fitdecode's per-nibble loop is ~100x slower.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from fitdecode.utils import compute_crc
from numpy.typing import NDArray

CHUNK_WORDS = 64
SMALL_WORDS = 4 * CHUNK_WORDS
_STATES = 1 << 16


@cache
def _word_table() -> NDArray[np.uint16]:
    byte_table = np.array([compute_crc(bytes([b])) for b in range(256)], dtype=np.uint32)
    words = np.arange(_STATES, dtype=np.uint32)
    after_low = byte_table[words & 0xFF]
    table: NDArray[np.uint16] = (byte_table[(after_low ^ (words >> 8)) & 0xFF] ^ (after_low >> 8)).astype(np.uint16)
    return table


@cache
def _word_list() -> list[int]:
    listed: list[int] = _word_table().tolist()
    return listed


@cache
def _zero_feed() -> list[int]:
    """State after `CHUNK_WORDS` zero words, for every state."""
    table = _word_table()
    states = np.arange(_STATES, dtype=np.uint16)
    for _ in range(CHUNK_WORDS):
        states = table[states]
    feed: list[int] = states.tolist()
    return feed


def fit_crc(data: bytes) -> int:
    """CRC of `data` as FIT defines it (initial value 0)."""
    if len(data) % 2:
        data = b"\x00" + data  # leading zero bytes leave a zero-initialised CRC unchanged
    words = np.frombuffer(data, dtype="<u2")
    if len(words) < SMALL_WORDS:  # a few words: one Python loop beats numpy's per-step cost
        listed = _word_list()
        crc = 0
        for word in words.tolist():
            crc = listed[crc ^ word]
        return crc
    pad = -len(words) % CHUNK_WORDS
    chunks = np.concatenate((np.zeros(pad, dtype=np.uint16), words)).reshape(-1, CHUNK_WORDS)
    table = _word_table()
    state = np.zeros(len(chunks), dtype=np.uint16)
    for column in chunks.T:
        state = table[state ^ column]
    feed = _zero_feed()
    crc = 0
    for chunk_crc in state.tolist():
        crc = feed[crc] ^ chunk_crc
    return crc
