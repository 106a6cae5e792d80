"""Python threads for serial ``nogil`` kernels: the split of an index range across cores.

Why not numba's ``prange``: a parallel kernel goes through numba's parfor passes and makes
numba compile its callees again for the loop body, which is most of the compile time of
the kernels that use it (issue 11: a first run spent minutes compiling). A serial kernel
that takes ``lo, hi`` and releases the GIL is compiled once, and Python threads give the
same speed on large inputs; small inputs stay on the calling thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache


@cache
def pool() -> tuple[ThreadPoolExecutor, int]:
    """The shared pool and its size (the cores, or ``NUMBA_NUM_THREADS`` where set)."""
    threads = max(1, min(os.cpu_count() or 1, int(os.environ.get("NUMBA_NUM_THREADS", "0")) or 64))
    return ThreadPoolExecutor(threads, thread_name_prefix="psyc-kernel"), threads


def ranges(n: int, align: int = 1, min_per_thread: int = 1) -> list[tuple[int, int]]:
    """[0, n) in ``align``-aligned pieces, one per thread, none shorter than
    ``min_per_thread`` (below that a thread costs more than it saves)."""
    _, threads = pool()
    pieces = max(1, min(threads, n // max(1, min_per_thread)))
    step = max(1, -(-n // pieces // align)) * align
    return [(lo, min(n, lo + step)) for lo in range(0, n, step)] or [(0, 0)]


def run_ranges(kernel: Callable, n: int, *args: object, align: int = 1, min_per_thread: int = 1) -> list:
    """``kernel(*args, lo, hi)`` for the pieces of [0, n) (:func:`ranges`), on the pool's
    threads when there are several; the results in order."""
    parts = ranges(n, align, min_per_thread)
    if len(parts) == 1:
        return [kernel(*args, *parts[0])]
    executor, _ = pool()
    return [f.result() for f in [executor.submit(kernel, *args, lo, hi) for lo, hi in parts]]
