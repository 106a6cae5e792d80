"""Poseidon without numba for a batch: an (n, 12) uint64 array, one NumPy operation per
step over all states (the verifier's Merkle paths; see :mod:`.poseidon_plain` for why not
numba). Goldilocks products from 32-bit halves (NumPy has no 128-bit product); values
stay below 2^64 but not necessarily below p until the end. Computes exactly
:func:`psyc.hash.poseidon.permute_reference` (``tests/test_poseidon.py``)."""

from __future__ import annotations

from functools import cache

import numpy as np

from psyc.field.goldilocks import P
from psyc.hash.constants import HALF_FULL_ROUNDS, PARTIAL_ROUNDS, SBOX_EXPONENT, mds_matrix, round_constants

_EPSILON = (1 << 32) - 1  # 2^64 mod p
_U32 = np.uint64(32)
_M32 = np.uint64(0xFFFFFFFF)
_EPS = np.uint64(_EPSILON)
_PY_SBOX_ROWS = 128  # batches up to this size do the partial rounds' S-box in Python (measured)


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b mod p for any uint64 values (a wrap past 2^64 adds 2^64 mod p back)."""
    r = a + b
    r += _EPS * (r < b)
    return r


def _mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·b mod p (result < 2^64, maybe ≥ p): plonky2's reduce128 of the 32-bit-limb product."""
    al, ah, bl, bh = a & _M32, a >> _U32, b & _M32, b >> _U32
    ll, lh, hl, hh = al * bl, al * bh, ah * bl, ah * bh
    mid = lh + hl
    lo = ll + (mid << _U32)
    hi = hh + (mid >> _U32) + (lo < ll) + ((mid < lh).astype(np.uint64) << _U32)
    top, low_of_hi = hi >> _U32, hi & _M32
    t = lo - top
    t -= _EPS * (lo < top)
    return _add(t, low_of_hi * _EPS)


def _sbox(x: np.ndarray) -> np.ndarray:
    x2 = _mul(x, x)
    return _mul(_mul(x2, x), _mul(x2, x2))


@cache
def _np_tables() -> tuple[np.ndarray, np.ndarray]:
    return np.array(mds_matrix(), dtype=np.uint64), np.array(round_constants(), dtype=np.uint64)


def permute_rows(states: np.ndarray) -> np.ndarray:
    """Permute every row of an (n, 12) uint64 array (any uint64 values; a new array, canonical)."""
    mds, rc = _np_tables()
    s = np.ascontiguousarray(np.asarray(states, dtype=np.uint64).T)  # (12, n): one row per lane
    small = s.shape[1] <= _PY_SBOX_ROWS
    for r in range(len(rc)):
        s = _add(s, rc[r][:, None])
        if HALF_FULL_ROUNDS <= r < HALF_FULL_ROUNDS + PARTIAL_ROUNDS:
            if small:  # one lane: Python's pow beats ~90 NumPy calls on a short row
                s[0] = np.array([pow(v, SBOX_EXPONENT, P) for v in s[0].tolist()], dtype=np.uint64)
            else:
                s[0] = _sbox(s[0])
        else:
            s = _sbox(s)
        # the linear layer on 32-bit halves (sums < 2^42), recombined: H·2^32 + L with
        # H = h1·2^32 + h0 and 2^64 ≡ 2^32 − 1
        low, high = mds @ (s & _M32), mds @ (s >> _U32)
        s = _add((high & _M32) << _U32, low + (high >> _U32) * _EPS)
    p = np.uint64(P)
    s = np.where(s >= p, s - p, s)
    return np.ascontiguousarray(s.T)
