"""Poseidon without numba for a batch: an (n, 12) uint64 array, one NumPy operation per
step over all states (the verifier's Merkle paths; see :mod:`.poseidon_plain` for why not
numba). Goldilocks products from 32-bit halves (NumPy has no 128-bit product); values
stay below 2^64 but not necessarily below p until the end. Computes exactly
:func:`psyc.hash.poseidon.permute_reference` (``tests/test_poseidon.py``).

A verifier's batches are small (20-250 states, one per query and tree), so a call costs
about one microsecond per NumPy operation whatever its size: the rounds are written for
few operations. The S-box is three products (x², then x³ and x⁴ as one stacked product,
then x⁷), squaring has its own shorter product, and the partial rounds carry only lane
0's round constant (:func:`psyc.hash.constants.pushed_round_constants`: the other lanes'
constants are pushed through the linear layer into the next full round's), added in the
S-box itself.
"""

from __future__ import annotations

from functools import cache
from itertools import repeat

import numpy as np

from psyc.field.goldilocks import P
from psyc.hash.constants import HALF_FULL_ROUNDS, SBOX_EXPONENT, mds_matrix, pushed_round_constants

_EPSILON = (1 << 32) - 1  # 2^64 mod p
_U32 = np.uint64(32)
_M32 = np.uint64(0xFFFFFFFF)
_EPS = np.uint64(_EPSILON)
_ONE = np.uint64(1)
_U63 = np.uint64(63)
_SMALL = 64  # up to this many states: the partial rounds' S-box in Python, the linear layer in integers (measured)


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b mod p for any uint64 values (a wrap past 2^64 adds 2^64 mod p back)."""
    r = a + b
    r += (r < b).astype(np.uint64) * _EPS  # (``where=`` is slower on these sizes: measured)
    return r


def _reduce(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """hi·2^64 + lo mod p (< 2^64, maybe ≥ p): plonky2's reduce128, 2^64 ≡ 2^32 − 1 and
    2^96 ≡ −1."""
    top = hi >> _U32
    t = lo - top
    t -= (lo < top).astype(np.uint64) * _EPS
    return _add(t, (hi & _M32) * _EPS)


def _mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·b mod p (result < 2^64, maybe ≥ p) from the 32-bit-limb product."""
    al, ah, bl, bh = a & _M32, a >> _U32, b & _M32, b >> _U32
    ll, lh = al * bl, al * bh
    mid = lh + ah * bl
    lo = ll + (mid << _U32)
    hi = ah * bh + (mid >> _U32) + (lo < ll) + ((mid < lh).astype(np.uint64) << _U32)
    return _reduce(lo, hi)


def _square(a: np.ndarray) -> np.ndarray:
    """a² mod p: :func:`_mul` with the two middle products as one doubled."""
    al, ah = a & _M32, a >> _U32
    ll, lh = al * al, al * ah
    mid = lh << _ONE  # the carry out of the doubling is bit 63 of lh
    lo = ll + (mid << _U32)
    hi = ah * ah + (mid >> _U32) + (lo < ll) + ((lh >> _U63) << _U32)
    return _reduce(lo, hi)


def _sbox(x: np.ndarray) -> np.ndarray:
    """x^7 of every element: x², then (x³, x⁴) as one product of stacked operands, then x³·x⁴."""
    x2 = _square(x)
    x34 = _mul(np.stack((x2, x2)), np.stack((x, x2)))
    return _mul(x34[0], x34[1])


@cache
def _np_tables() -> tuple:
    """The dense linear layer (as integers and as floats), the full rounds' constants, the
    first partial round's and lane 0's constant of each later partial round
    (:func:`pushed_round_constants`)."""
    full_rc, first_rc, part_rc = pushed_round_constants()
    full = [np.array(r, dtype=np.uint64)[:, None] for r in full_rc]
    first = np.array(first_rc, dtype=np.uint64)[:, None]
    mds = np.array(mds_matrix(), dtype=np.uint64)
    return mds, mds.astype(np.float64), full, first, part_rc


def _linear(mds: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The linear layer on 32-bit halves (sums < 2^42), recombined: H·2^32 + L with
    H = h1·2^32 + h0 and 2^64 ≡ 2^32 − 1. ``mds`` as floats: both halves in one float
    product, exact (every sum < 2^42 < 2^53) and faster than NumPy's integer product on
    more than a few dozen states."""
    n = s.shape[1]
    if mds.dtype == np.float64:
        halves = np.empty((s.shape[0], 2 * n))
        halves[:, :n] = s & _M32
        halves[:, n:] = s >> _U32
        both = (mds @ halves).astype(np.uint64)
        low, high = both[:, :n], both[:, n:]
    else:
        low, high = mds @ (s & _M32), mds @ (s >> _U32)
    return _add((high & _M32) << _U32, low + (high >> _U32) * _EPS)


def permute_rows(states: np.ndarray) -> np.ndarray:
    """Permute every row of an (n, 12) uint64 array (any uint64 values; a new array, canonical)."""
    mds_int, mds_float, full, first, part = _np_tables()
    s = np.ascontiguousarray(np.asarray(states, dtype=np.uint64).T)  # (12, n): one row per lane
    n = s.shape[1]
    small = n <= _SMALL
    mds = mds_int if small else mds_float
    for rc in full[:HALF_FULL_ROUNDS]:
        s = _linear(mds, _sbox(_add(s, rc)))
    s = _add(s, first)
    for c in part:
        if small:  # one lane: Python's pow beats ~70 NumPy calls on a short row
            s[0] = list(map(pow, map(int.__add__, s[0].tolist(), repeat(c, n)), repeat(SBOX_EXPONENT, n), repeat(P, n)))
        else:
            s[0] = _sbox(_add(s[0], np.uint64(c)))
        s = _linear(mds, s)
    for rc in full[HALF_FULL_ROUNDS:]:
        s = _linear(mds, _sbox(_add(s, rc)))
    p = np.uint64(P)
    s -= (s >= p).astype(np.uint64) * p
    return np.ascontiguousarray(s.T)


