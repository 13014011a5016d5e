"""What the benches share: interleaved rounds, medians and the RESULT line with its verdict.

Not a bench itself (``make bench`` runs ``bench/[!_]*.py``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved(actions: dict[str, Callable[[], object]], rounds: int,
                clock: Callable[[], float] = time.perf_counter) -> dict[str, list[float]]:
    """Seconds of each action in each of ``rounds`` rounds; the order rotates every round."""
    times: dict[str, list[float]] = {label: [] for label in actions}
    labels = list(actions)
    for number in range(rounds):
        shift = number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            start = clock()
            actions[label]()
            times[label].append(clock() - start)
    return times


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {label: statistics.median(values) for label, values in times.items()}


def verdict(met: bool) -> str:
    return "MET" if met else "MISSED"


def result(metric: str, ours: str, peer: str, ratio: str, goal: str, met: bool) -> str:
    """The line every bench ends with, one per metric: ours, the peer or floor, the ratio, the verdict."""
    line = f"RESULT {metric}: ours {ours} | {peer} | ratio {ratio} | goal {goal}: {verdict(met)}"
    print(line)
    return line
