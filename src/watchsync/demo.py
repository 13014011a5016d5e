"""``make demo``: the main job end to end on embedded defaults, unattended.

Compiles the workout library for the example athlete of ``config.example.toml`` and writes the FIT
files under ``build/demo/``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from watchsync.compile import Compiled, compile_paths, output_path
from watchsync.config import default_config
from watchsync.describe import format_seconds, format_table
from watchsync.model.athlete import Athlete

REPO = Path(__file__).resolve().parents[2]


def compile_library(library: Path, out_dir: Path, athlete: Athlete) -> int:
    """Compile every workout in ``library``; print a summary table; return the number of failures."""
    rows: list[list[str]] = []
    failures = 0
    started = time.perf_counter()
    for result in compile_paths([library], athlete):
        if not isinstance(result, Compiled):
            failures += 1
            print(result.error, file=sys.stderr)
            continue
        target = output_path(result.path, [library], out_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(result.fit)
        resolved = result.resolved
        seconds = resolved.estimated_seconds(default_step_seconds=60, seconds_per_meter=1 / athlete.easy_speed)
        rows.append([str(result.path.relative_to(library)), resolved.sport.value,
                     str(len(resolved.flat_steps())), format_seconds(seconds), f"{len(result.fit)} B"])
    elapsed = time.perf_counter() - started
    print(format_table(["workout", "sport", "steps", "time", "FIT"], rows))
    print(f"compiled {len(rows)} workouts for {athlete.name} in {elapsed:.2f} s "
          f"-> {out_dir} ({failures} failed)")
    return failures


def main(argv: list[str] | None = None) -> int:
    """Run the demo."""
    parser = argparse.ArgumentParser(prog="watchsync-demo", description=__doc__)
    parser.add_argument("--library", type=Path, default=REPO / "workouts")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "demo")
    args = parser.parse_args(argv)
    config = default_config(state_dir=args.out / "state")
    athlete = config.athlete()
    print(f"== 1. Compile the workout library for {athlete.name} (LTHR {athlete.effective_lthr})")
    failures = compile_library(args.library, args.out / "fit", athlete)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
