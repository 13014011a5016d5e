"""Decode throughput of watchsync.activity.decode_activity vs plain fitdecode, and peak memory.

Run: .venv/bin/python bench/analyze_decode.py   (fixtures: ../shared/fixtures/fit or $WATCHSYNC_FIXTURES)
For every fixture with records, both decoders run in the same process, interleaved (taking turns
at going first), the median of at least 3 runs each; fitdecode (the peer) iterates all frames with
default options. Ends with a RESULT line: ours over fitdecode on the files fitfast reads (goal >= 30x).
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


def fitfast_floor_table() -> tuple[float, str]:
    """Ours over ``fitfast.records`` (the raw columnar decode) per file fitfast reads, fit/ and fit2/;
    returns the worst ratio and its file (issue 14's goal: within 3x on every fixture)."""
    import fitfast

    print(f"\n{'file':38} {'fitfast.records':>16} {'ours':>10} {'ratio':>7}")
    worst = (0.0, "")
    for path in sorted([*FIXTURES.glob("*.fit"), *FIXTURES.parent.joinpath("fit2").glob("*.fit")]):
        data = path.read_bytes()
        try:
            fitfast.records(data)
        except Exception:
            continue
        if decode_activity(data).decoder != "fitfast":
            continue
        floor, ours = paired_times(lambda: fitfast.records(data), lambda: decode_activity(data))  # noqa: B023
        ratio = ours / floor
        worst = max(worst, (ratio, path.name))
        print(f"{path.name:38} {floor * 1e3:13.2f} ms {ours * 1e3:7.2f} ms {ratio:6.1f}x")
    return worst


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
    worst, worst_file = fitfast_floor_table()
    memory_table()
    result("decode vs fitdecode (fitfast-read files)", "decode_activity", "peer fitdecode all frames",
           f"{ratio:.1f}x faster", f">= {RATIO_GOAL:g}x", ratio >= RATIO_GOAL)
    result("decode vs fitfast.records (worst fixture)", f"decode_activity on {worst_file}",
           "floor fitfast.records", f"{worst:.1f}x slower", f"<= {FLOOR_GOAL:g}x", worst <= FLOOR_GOAL)


if __name__ == "__main__":
    main()
