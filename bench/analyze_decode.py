"""Decode throughput of watchsync.activity.decode_activity vs plain fitdecode, and peak memory.

Run: .venv/bin/python bench/analyze_decode.py   (fixtures: ../shared/fixtures/fit or $WATCHSYNC_FIXTURES)
For every fixture with records, both decoders run in the same process, interleaved (taking turns
at going first), the median of at least 3 runs each; fitdecode (the peer) iterates all frames with
default options. Then ours against the floor, ``fitfast.records`` alone, and against fitfast's
two passes (records + parse) per fixture of fit/ and fit2/. RESULT lines: ours over fitdecode on the
files fitfast reads (goal >= 30x); ours over fitfast.records on the worst fixture (goal <= 3x).
Without the fixtures it says so and skips. Peak memory of decoding the large
multisport file is measured in fresh child processes (peak RSS above the post-import level, so
Rust allocations count too; Linux /proc) and with tracemalloc (Python-side allocations only).
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fitdecode
from _timing import result

from watchsync.activity import decode_activity

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("WATCHSYNC_FIXTURES") or REPO_ROOT.parent / "shared" / "fixtures" / "fit")
LARGE = "activity-large-fenxi2-multisport.fit"
MIN_SECONDS = 0.3
RATIO_GOAL = 30.0

CHILD = """
import io, sys
from pathlib import Path
import fitdecode
from watchsync.activity import decode_activity

def peak_kib():  # VmHWM: this process's own peak RSS (ru_maxrss would include the parent's at fork)
    status = Path("/proc/self/status").read_text()
    return int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM:")))

data = Path(sys.argv[2]).read_bytes()
before = peak_kib()
if sys.argv[1] == "ours":
    activity = decode_activity(data)
elif sys.argv[1] == "fitdecode":
    for _ in fitdecode.FitReader(io.BytesIO(data)):
        pass
elif sys.argv[1] == "fitdecode-keep":
    frames = list(fitdecode.FitReader(io.BytesIO(data)))
print(peak_kib() - before)
"""


FLOOR_GOAL = 3.0  # ours within 3x the raw columnar decode on every fixture
LARGE_FLOOR_MS = 1.0  # files fitfast.records takes at least this long on (tens of kilobytes and up)


def fitdecode_all_frames(data: bytes) -> None:
    """The peer: plain fitdecode, every frame; a corrupt file ends where fitdecode gives up."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for _ in fitdecode.FitReader(io.BytesIO(data)):
                pass
        except fitdecode.FitError:
            pass


def paired_times(*runs: Callable[[], object]) -> list[float]:
    """Median wall time of each run, run interleaved (the order rotating) at least 3 times each and
    until MIN_SECONDS have passed in total, after one warm-up each."""
    for run in runs:
        run()
    times: list[list[float]] = [[] for _ in runs]
    while len(times[0]) < 3 or sum(map(sum, times)) < MIN_SECONDS:
        shift = len(times[0]) % len(runs)
        for index in [*range(shift, len(runs)), *range(shift)]:
            start = time.perf_counter()
            runs[index]()
            times[index].append(time.perf_counter() - start)
    return [statistics.median(values) for values in times]


def throughput_table() -> float:
    """Per-file rates; returns ours over fitdecode on the files fitfast reads."""
    print(f"{'file':38} {'records':>8} {'ours rec/s':>12} {'fitdecode rec/s':>16} {'ratio':>7}  decoder")
    totals: dict[str, list[float]] = {"fitfast": [0, 0.0, 0.0], "fitdecode": [0, 0.0, 0.0]}
    for path in sorted(FIXTURES.glob("*.fit")):
        data = path.read_bytes()
        activity = decode_activity(data)
        records = len(activity.records)
        if records == 0:
            continue
        ours, peer = paired_times(lambda: decode_activity(data), lambda: fitdecode_all_frames(data))  # noqa: B023
        for i, value in enumerate((records, ours, peer)):
            totals[activity.decoder][i] += value
        print(
            f"{path.name:38} {records:8d} {records / ours:12,.0f} {records / peer:16,.0f} "
            f"{peer / ours:6.1f}x  {activity.decoder}{' (salvaged)' if activity.salvaged else ''}"
        )
    for decoder, (count, t_ours, t_peer) in totals.items():
        label = f"ALL decoded by {decoder}"
        print(
            f"{label:38} {count:8.0f} {count / t_ours:12,.0f} {count / t_peer:16,.0f} {t_peer / t_ours:6.1f}x"
        )
    return totals["fitfast"][2] / totals["fitfast"][1]


@dataclass(frozen=True)
class FloorRow:
    """One fixture against the floors: ``fitfast.records`` alone, and records + ``fitfast.parse``."""

    name: str
    ratio: float  # ours / fitfast.records
    bound: float  # (records + parse) / records: what any reader of sessions and laps pays with fitfast
    floor_ms: float


def fitfast_floor_table() -> list[FloorRow]:
    """Ours over ``fitfast.records`` (the raw columnar decode) per file fitfast reads, fit/ and fit2/.

    The third timing is ``fitfast.records`` plus ``fitfast.parse`` of the whole file: fitfast has no
    one-pass call for records and the other messages, so a decoder that returns sessions and laps
    pays at least a second pass; on sub-kilobyte files that pass alone costs several times the floor.
    """
    import fitfast

    def records_and_parse(data: bytes) -> None:
        fitfast.records(data)
        fitfast.parse(data)

    print(f"\n{'file':38} {'fitfast.records':>16} {'records+parse':>14} {'ours':>10} {'ratio':>7} {'bound':>6}")
    rows = []
    for path in sorted([*FIXTURES.glob("*.fit"), *FIXTURES.parent.joinpath("fit2").glob("*.fit")]):
        data = path.read_bytes()
        try:
            fitfast.records(data)
        except Exception:
            continue
        if decode_activity(data).decoder != "fitfast":
            continue
        floor, both, ours = paired_times(
            lambda: fitfast.records(data), lambda: records_and_parse(data), lambda: decode_activity(data)  # noqa: B023
        )
        rows.append(FloorRow(path.name, ours / floor, both / floor, floor * 1e3))
        print(f"{path.name:38} {floor * 1e3:13.3f} ms {both * 1e3:11.3f} ms {ours * 1e3:7.3f} ms "
              f"{ours / floor:6.1f}x {both / floor:5.1f}x")
    return rows


def child_peak_kib(mode: str, path: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path)], check=True, capture_output=True, text=True, env=env
    )
    return int(out.stdout.strip())


def memory_table() -> None:
    path = FIXTURES / LARGE
    data = path.read_bytes()
    tracemalloc.start()
    decode_activity(data)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\npeak memory decoding {LARGE} ({len(data) / 1e6:.1f} MB):")
    print(
        f"  ours      : +{child_peak_kib('ours', path) / 1024:6.1f} MiB RSS (tracemalloc: {traced / 2**20:.1f} MiB)"
    )
    print(
        f"  fitdecode : +{child_peak_kib('fitdecode', path) / 1024:6.1f} MiB RSS (streaming: frames dropped)"
    )
    print(f"  fitdecode : +{child_peak_kib('fitdecode-keep', path) / 1024:6.1f} MiB RSS (all frames kept)")


def main() -> None:
    if not FIXTURES.is_dir():
        print(f"SKIPPED: FIT fixtures not found at {FIXTURES} (set WATCHSYNC_FIXTURES)")
        return
    ratio = throughput_table()
    rows = fitfast_floor_table()
    memory_table()
    result("decode vs fitdecode (fitfast-read files)", "decode_activity", "peer fitdecode all frames",
           f"{ratio:.1f}x faster", f">= {RATIO_GOAL:g}x", ratio >= RATIO_GOAL)
    if not rows:
        print("SKIPPED: no fixture fitfast reads")
        return
    worst = max(rows, key=lambda row: row.ratio)
    result("decode vs fitfast.records (worst fixture)", f"decode_activity on {worst.name} "
           f"({worst.floor_ms:.3f} ms floor; records + parse alone: {worst.bound:.1f}x)",
           "floor fitfast.records", f"{worst.ratio:.1f}x slower", f"<= {FLOOR_GOAL:g}x", worst.ratio <= FLOOR_GOAL)
    within = [row for row in rows if row.ratio <= FLOOR_GOAL]
    large = [row for row in rows if row.floor_ms >= LARGE_FLOOR_MS]
    bounds = [row.bound for row in rows]
    print(f"within {FLOOR_GOAL:g}x of fitfast.records: {len(within)} of {len(rows)} fixtures; of the "
          f"{len(large)} whose floor is >= {LARGE_FLOOR_MS:g} ms the worst is "
          f"{max((row.ratio for row in large), default=0):.1f}x. Below that a fixed cost dominates: the second "
          f"fitfast pass (records + parse is {min(bounds):.1f}-{max(bounds):.1f}x the floor on every fixture) "
          "and building the typed model.")

if __name__ == "__main__":
    main()
