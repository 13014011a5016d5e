"""The vectorised HR-beat merge against a plain one-beat-at-a-time reading of the same messages."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from watchsync.activity.hr import TICKS_PER_SECOND, _interval_means, beats, fill_heart_rate


def pack(counters: list[int]) -> bytes:
    bits = sum((c & 0xFFF) << (12 * i) for i, c in enumerate(counters))
    return bits.to_bytes((len(counters) * 12 + 7) // 8, "little")


def plain(messages: list[dict[str, object]]) -> list[tuple[float, float]]:
    """The definition, beat by beat: each counter advances the anchor's ticks modulo 2^12."""
    found: list[tuple[float, float]] = []
    anchor_unix = anchor_ticks = ticks = None
    for m in messages:
        if "event_timestamp" in m:
            anchor_unix = float(m["timestamp"]) + float(m.get("fractional_timestamp", 0.0))  # type: ignore[arg-type]
            anchor_ticks = ticks = round(m["event_timestamp"][0] * TICKS_PER_SECOND)  # type: ignore[index]
            found.append((anchor_unix, float(m["filtered_bpm"][0])))  # type: ignore[index]
            continue
        if anchor_unix is None or ticks is None or anchor_ticks is None:
            continue
        raw = m["event_timestamp_12"]
        assert isinstance(raw, bytes)
        bits = int.from_bytes(raw, "little")
        for k, bpm in enumerate(m["filtered_bpm"]):  # type: ignore[arg-type]
            if k >= len(raw) * 8 // 12:
                break
            value = (bits >> (12 * k)) & 0xFFF
            ticks = ticks + (value - ticks) % 0x1000
            found.append((anchor_unix + (ticks - anchor_ticks) / TICKS_PER_SECOND, float(bpm)))
    return sorted(found, key=lambda pair: pair[0])


@st.composite
def hr_messages(draw: st.DrawFn) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = []
    if draw(st.booleans()):  # beats before any anchor are dropped
        messages.append({"event_timestamp_12": pack([5, 6]), "filtered_bpm": [90, 91]})
    time, ticks = 1_600_000_000, draw(st.integers(0, 50_000))
    for _ in range(draw(st.integers(1, 3))):
        messages.append({"timestamp": time, "fractional_timestamp": 0.25, "event_timestamp": [ticks / 1024],
                         "filtered_bpm": [draw(st.integers(40, 200))]})
        for _ in range(draw(st.integers(0, 6))):
            count = draw(st.sampled_from([8, 8, 8, 2, 5]))
            steps = draw(st.lists(st.integers(0, 4000), min_size=count, max_size=count))
            counters = []
            for step in steps:
                ticks += step
                counters.append(ticks & 0xFFF)
            messages.append({"event_timestamp_12": pack(counters),
                             "filtered_bpm": draw(st.lists(st.integers(40, 200), min_size=count, max_size=count))})
        time += draw(st.integers(60, 600))
        ticks += draw(st.integers(0, 100_000))
    return messages


@settings(max_examples=150, deadline=None)
@given(hr_messages())
def test_vectorised_beats_match_the_plain_reading(messages: list[dict[str, object]]) -> None:
    times, bpm = beats(messages)  # type: ignore[arg-type]
    expected = plain(messages)
    np.testing.assert_allclose(times, [t for t, _ in expected], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(bpm, [b for _, b in expected])


def test_records_without_heart_rate_get_the_beats_since_the_previous_record() -> None:
    anchor = {"timestamp": 100, "fractional_timestamp": 0.0, "event_timestamp": [0.0], "filtered_bpm": [100]}
    packed = {"event_timestamp_12": pack([512, 1024, 2048, 3072]), "filtered_bpm": [110, 120, 130, 140]}
    timestamps = np.array([100.0, 101.0, 102.0, 103.0, 110.0])
    filled = fill_heart_rate(timestamps, np.full(5, np.nan), [anchor, packed])  # type: ignore[list-item]
    # beats at 100, 100.5, 101, 102, 103 s: record 101 takes 110 and 120 (mean 115), 110 s is 7 s stale
    np.testing.assert_array_equal(filled[:4], [100, 115, 130, 140])
    assert np.isnan(filled[4])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=30),
       st.lists(st.tuples(st.integers(-20, 420), st.integers(40, 200)), max_size=60))
def test_interval_means_are_the_mean_of_the_beats_since_the_previous_record(
        record_steps: list[int], beat_list: list[tuple[int, int]]) -> None:
    """Each record gets the rounded mean of the beats in (previous record, this record] (the first record:
    (its time - 1 s, its time]); repeated record times and beats outside every interval included."""
    timestamps = np.cumsum(np.asarray(record_steps, dtype=np.float64) / 4)
    pairs = sorted((t / 4, float(b)) for t, b in beat_list)
    times, bpm = np.asarray([t for t, _ in pairs]), np.asarray([b for _, b in pairs])
    got = _interval_means(timestamps, times, bpm)
    for i, stamp in enumerate(timestamps):
        start = timestamps[i - 1] if i else stamp - 1.0
        inside = [b for t, b in pairs if start < t <= stamp]
        if inside:
            assert got[i] == np.floor(sum(inside) / len(inside) + 0.5)
        else:
            assert np.isnan(got[i])


def test_beats_listed_as_whole_event_times_read_as_the_packed_counters() -> None:
    anchor = {"timestamp": 100, "fractional_timestamp": 0.0, "event_timestamp": [0.0], "filtered_bpm": [100]}
    bpm = [110, 120, 130, 140, 150]
    packed = {"event_timestamp_12": pack([512, 1024, 2048, 3072, 5120 & 0xFFF]), "filtered_bpm": bpm}
    listed = {"event_timestamp": [0.5, 1.0, 2.0, 3.0, 5.0], "filtered_bpm": bpm}  # the counter wraps at 4 s
    times, values = beats([anchor, listed])  # type: ignore[list-item]
    np.testing.assert_allclose(times, [100, 100.5, 101, 102, 103, 105])
    packed_times, packed_values = beats([anchor, packed])  # type: ignore[list-item]
    np.testing.assert_allclose(times, packed_times)
    np.testing.assert_array_equal(values, packed_values)
