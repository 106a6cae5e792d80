"""Reusable hypothesis strategies for Goldilocks tests.

``felts``  -- canonical field elements in [0, p), biased towards edge values.
``u64s``   -- any 64-bit value in [0, 2^64), biased towards non-canonical edge values
              (the kernels must accept [p, 2^64) and reduce it).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

P = 2**64 - 2**32 + 1
U64_MAX = 2**64 - 1

FELT_EDGES = (0, 1, P - 1, 2**32, 2**32 - 1, P - 2)
NONCANONICAL_EDGES = (P, P + 1, 2**64 - 1, 2**64 - 2**32)

felts = st.one_of(st.sampled_from(FELT_EDGES), st.integers(min_value=0, max_value=P - 1))
nonzero_felts = felts.filter(lambda x: x != 0)
u64s = st.one_of(
    st.sampled_from(NONCANONICAL_EDGES + FELT_EDGES),
    st.integers(min_value=0, max_value=U64_MAX),
    st.integers(min_value=P, max_value=U64_MAX),
)
nonzero_u64s = u64s.filter(lambda x: x % P != 0)


def u64_lists(min_size: int = 0, max_size: int = 16, elements=u64s):
    return st.lists(elements, min_size=min_size, max_size=max_size)


def u64_pair_lists(min_size: int = 0, max_size: int = 16, elements=u64s):
    """Two equal-length lists of 64-bit values."""
    return st.integers(min_value=min_size, max_value=max_size).flatmap(
        lambda n: st.tuples(
            st.lists(elements, min_size=n, max_size=n), st.lists(elements, min_size=n, max_size=n)
        )
    )


def arr(values) -> np.ndarray:
    """Python ints below 2^64 -> uint64 array (no reduction)."""
    return np.array(values, dtype=np.uint64)


def ints(a: np.ndarray) -> list:
    """uint64 array -> (nested) list of Python ints."""
    return np.asarray(a).tolist()
