"""The FIT CRC-16 with numpy: words through a 65,536-entry table, chunks side by side, merged as a tree.

A 16-bit CRC's state after two more bytes depends only on `state ^ word`, so one table built from
the byte table of FIT's CRC-16 (reflected polynomial 0xA001, as in the FIT SDK) covers a word.
FIT's CRC (initial value 0, no final xor) is linear: the CRC of two pieces joined is
`feed[crc(first)] ^ crc(second)`, `feed` being the state after as many zero words as the second
piece has. So the data is cut into short chunks whose CRCs
are computed side by side (one numpy step per word of a chunk), then neighbours are merged pairwise
(one numpy step per level of the tree, with the feed table for that level's piece length). A few
kilobytes take about twenty numpy steps; fitdecode's per-nibble loop is ~100x slower.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import NDArray

CHUNK_WORDS = 8
#: Below this many words one Python loop over the table beats numpy's per-step cost.
SMALL_WORDS = 256
_STATES = 1 << 16
_POLYNOMIAL = 0xA001  # CRC-16/ARC reflected; tests check the result against fitdecode's reference CRC
Table = NDArray[np.uint16]


@cache
def _word_table() -> Table:
    byte_table = np.array([_byte_crc(b) for b in range(256)], dtype=np.uint32)
    words = np.arange(_STATES, dtype=np.uint32)
    after_low = byte_table[words & 0xFF]
    table: Table = (byte_table[(after_low ^ (words >> 8)) & 0xFF] ^ (after_low >> 8)).astype(np.uint16)
    return table


def _byte_crc(byte: int) -> int:
    """The CRC state after one byte fed into a zero state."""
    crc = byte
    for _ in range(8):
        crc = (crc >> 1) ^ _POLYNOMIAL if crc & 1 else crc >> 1
    return crc


@cache
def _word_list() -> list[int]:
    listed: list[int] = _word_table().tolist()
    return listed


@cache
def _zero_feed(level: int) -> Table:
    """For every state, the state after ``CHUNK_WORDS * 2**level`` zero words."""
    if level:
        half = _zero_feed(level - 1)
        return half[half]
    table = _word_table()
    states = np.arange(_STATES, dtype=np.uint16)
    for _ in range(CHUNK_WORDS):
        states = table[states]
    return states


def fit_crc(data: bytes) -> int:
    """CRC of `data` as FIT defines it (initial value 0)."""
    if len(data) % 2:
        data = b"\x00" + data  # leading zero bytes leave a zero-initialised CRC unchanged
    words = np.frombuffer(data, dtype="<u2")
    if len(words) < SMALL_WORDS:
        listed = _word_list()
        crc = 0
        for word in words.tolist():
            crc = listed[crc ^ word]
        return crc
    chunks = 1 << (-(-len(words) // CHUNK_WORDS) - 1).bit_length()  # a power of two: a whole tree
    levels = chunks.bit_length() - 1
    padded = np.zeros(chunks * CHUNK_WORDS, dtype=np.uint16)  # zeros in front: the CRC is unchanged
    padded[len(padded) - len(words) :] = words
    table = _word_table()
    state = np.zeros(chunks, dtype=np.uint16)
    for column in np.ascontiguousarray(padded.reshape(chunks, CHUNK_WORDS).T):
        state = table[state ^ column]
    for level in range(levels):  # pairs of pieces of CHUNK_WORDS * 2**level words each
        state = _zero_feed(level)[state[0::2]] ^ state[1::2]
    return int(state[0])
