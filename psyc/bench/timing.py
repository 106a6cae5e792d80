"""The one timer every benchmark uses: best wall time of ``repeat`` runs after a warm-up
(the machine is shared and noisy; the minimum is the least disturbed run)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn``, after one untimed warm-up call
    (which loads cached JIT code and touches memory)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best
