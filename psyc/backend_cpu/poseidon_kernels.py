"""The generated numba Poseidon module (see templates/poseidon.py.j2)."""

from __future__ import annotations

from psyc.hash.constants import (
    HALF_FULL_ROUNDS,
    PARTIAL_ROUNDS,
    RATE,
    TOTAL_ROUNDS,
    WIDTH,
    mds_matrix,
    round_constants,
)
from psyc.util.codegen import load_generated_module, render


def _source() -> str:
    flat = [c for rc in round_constants() for c in rc]
    return render(
        "poseidon.py.j2",
        width=WIDTH,
        rate=RATE,
        rounds=TOTAL_ROUNDS,
        half_full=HALF_FULL_ROUNDS,
        partial=PARTIAL_ROUNDS,
        round_constants=flat,
        mds=[list(row) for row in mds_matrix()],
    )


_module = load_generated_module("poseidon", _source())

permute_inplace = _module.permute_inplace
permute_batch = _module.permute_batch
hash_or_noop_rows = _module.hash_or_noop_rows
hash_or_noop_columns = _module.hash_or_noop_columns
compress_pairs = _module.compress_pairs
grind = _module.grind
gate_trace = _module.gate_trace
