"""The generated numba Poseidon module (see templates/poseidon.py.j2), and the batch entry
points: serial kernels that release the GIL, run on a few threads.

Threads, not numba's ``prange``: a parallel kernel makes numba compile its callees again
for the loop body and for the kernel, and the permutation is the costly part to compile
(issue 11: a first run spent minutes there). Small batches stay on the calling thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from psyc.field import field_kernels
from psyc.field.goldilocks import P
from psyc.hash.constants import (
    HALF_FULL_ROUNDS,
    PARTIAL_ROUNDS,
    RATE,
    TOTAL_ROUNDS,
    WIDTH,
    mds_matrix,
    round_constants,
)
from psyc.util import threads
from psyc.util.codegen import load_generated_module, render


def _source() -> str:
    flat = [c for rc in round_constants() for c in rc]
    return render(
        "psyc.hash",
        "poseidon.py.j2",
        width=WIDTH,
        rate=RATE,
        rounds=TOTAL_ROUNDS,
        half_full=HALF_FULL_ROUNDS,
        partial=PARTIAL_ROUNDS,
        round_constants=flat,
        mds=[list(row) for row in mds_matrix()],
    )


# the generated kernels inline the shared field kernels: their source names the module
_module = load_generated_module("poseidon", _source(), salt=Path(field_kernels.__file__).read_bytes())

LANES = _module.LANES
permute_inplace = _module.permute_inplace
gate_trace = _module.gate_trace

_PERMUTE, _HASH_COLUMNS, _COMPRESS = 0, 1, 2
_MIN_PER_THREAD = 1 << 10  # items: below this a thread costs more than it saves


def _run(mode: int, src: np.ndarray, out: np.ndarray, n: int) -> None:
    threads.run_ranges(_module.sponge_range, n, mode, src, out, align=LANES, min_per_thread=_MIN_PER_THREAD)


def permute_batch(states: np.ndarray) -> None:
    """Permute every row of a C-contiguous (n, 12) uint64 array in place (outputs canonical)."""
    _run(_PERMUTE, states, states, states.shape[0])


def hash_or_noop_columns(cols: np.ndarray, out: np.ndarray) -> None:
    """out[i] = hash_or_noop(cols[:, i]) for a C-contiguous (m, n) matrix; out is (n, 4)."""
    m, n = cols.shape
    if m <= 4:
        t, p = cols.T, np.uint64(P)
        out[:, :m] = np.where(t < p, t, t - p)  # a short leaf is its own digest (canonical)
        out[:, m:] = 0
        return
    _run(_HASH_COLUMNS, cols, out, n)


def hash_or_noop_rows(rows: np.ndarray, out: np.ndarray) -> None:
    """out[i] = hash_or_noop(rows[i]) for an (n, m) matrix; out is (n, 4)."""
    hash_or_noop_columns(np.ascontiguousarray(rows.T), out)


def compress_pairs(children: np.ndarray, out: np.ndarray) -> None:
    """out[i] = two_to_one(children[2i], children[2i+1]) for (2n, 4) -> (n, 4)."""
    _run(_COMPRESS, children, out, out.shape[0])


def grind(base_state: np.ndarray, prefix: np.ndarray, pow_bits: int, start: int, count: int) -> int:
    """Smallest nonce in [start, start+count) passing the proof-of-work rule, -1 if none
    (see psyc.iop.challenger). Threads search consecutive pieces, one round at a time, so
    the first hit is the smallest and little work is wasted past it."""
    pool, n_threads = threads.pool()
    piece = 1 << 12
    if n_threads == 1 or count <= piece:
        return int(_module.grind(base_state, prefix, pow_bits, start, count))
    for lo in range(start, start + count, n_threads * piece):
        jobs = [
            pool.submit(_module.grind, base_state, prefix, pow_bits, b, min(piece, start + count - b))
            for b in range(lo, min(start + count, lo + n_threads * piece), piece)
        ]
        for nonce in (int(f.result()) for f in jobs):
            if nonce >= 0:
                return nonce
    return -1
