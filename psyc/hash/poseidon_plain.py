"""Poseidon without numba: plain Python for one state (:mod:`.poseidon_numpy` for a batch).

A verifier or ``psyc check`` hashes a few thousand states at most: importing numba and
loading its cached kernels costs about a second of CPU, more than these paths spend on
the whole job (docs/benchmarks.md, "Cold start and latency"). Both compute exactly
:func:`psyc.hash.poseidon.permute_reference`; ``tests/test_poseidon.py`` checks them
against it and against the kernels.

* :func:`permute`: the rounds loop over the round-constant table. The linear layer is
  circulant, so it is one big-int product: the 12 lanes are packed 80 bits apart into one
  integer, doubled (``X + X·2^(12·80)``) and multiplied by the packed circulant row; lanes
  11..22 of the product are the layer's output (each < 2^74, so lanes never overlap). The
  partial rounds keep the state packed (only lane 0 goes through the S-box) and fold each
  lane back below 2^65 with ``2^64 ≡ 2^32 − 1`` lane-wise, never leaving the big integer.
* :func:`psyc.hash.poseidon_numpy.permute_rows`: an (n, 12) uint64 batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from psyc.field.goldilocks import P
from psyc.hash.constants import (
    HALF_FULL_ROUNDS,
    PARTIAL_ROUNDS,
    SBOX_EXPONENT,
    WIDTH,
    mds_matrix,
    round_constants,
)

_LANE_BITS = 80  # ≥ 74 (a layer output: < 2^65 times the row sum 2^8.05) and ≥ 64 + 16 for the fold
_LANE = (1 << _LANE_BITS) - 1
_SHIFTS = tuple(_LANE_BITS * i for i in range(WIDTH))
_STATE_BITS = WIDTH * _LANE_BITS
_STATE_MASK = (1 << _STATE_BITS) - 1
_LOW64 = sum(((1 << 64) - 1) << s for s in _SHIFTS)
_HIGH16 = sum(((1 << (_LANE_BITS - 64)) - 1) << s for s in _SHIFTS)
_EPSILON = (1 << 32) - 1  # 2^64 mod p


@cache
def _tables() -> tuple:
    """Packed constants: the circulant row (reversed, so output lane i of the product with
    the doubled state is lane i + 11), the diagonal, the full rounds' constants and the
    partial rounds' (lane 0's constant, the other lanes' packed)."""
    mds = mds_matrix()
    diag = mds[0][0] - mds[1][1]  # only M[0][0] carries a diagonal term (plonky2: [8, 0, …])
    assert all(mds[i][i] == mds[1][1] for i in range(1, WIDTH)), "linear layer is not circulant + diag[0]"
    circ = [mds[0][k] - (diag if k == 0 else 0) for k in range(WIDTH)]
    crev = sum(c << (_LANE_BITS * (WIDTH - 1 - k)) for k, c in enumerate(circ))
    rc = round_constants()
    first = rc[:HALF_FULL_ROUNDS]
    partial = tuple(
        (r[0], sum(c << s for c, s in zip(r[1:], _SHIFTS[1:], strict=True)))
        for r in rc[HALF_FULL_ROUNDS : HALF_FULL_ROUNDS + PARTIAL_ROUNDS]
    )
    last = rc[HALF_FULL_ROUNDS + PARTIAL_ROUNDS :]
    return crev, diag, first, partial, last


def _linear(x: int, s0: int, crev: int, diag: int) -> int:
    """The linear layer of a packed state ``x`` (lane 0 = ``s0``): packed, lanes < 2^74."""
    return ((((x | (x << _STATE_BITS)) * crev) >> (_LANE_BITS * (WIDTH - 1))) & _STATE_MASK) + diag * s0


def _full_round(s: list[int], rcs: Sequence[int], crev: int, diag: int) -> list[int]:
    s = [pow(v + c, SBOX_EXPONENT, P) for v, c in zip(s, rcs, strict=True)]
    x = 0
    for v, sh in zip(s, _SHIFTS, strict=True):
        x |= v << sh
    x = _linear(x, s[0], crev, diag)
    return [((x >> sh) & _LANE) % P for sh in _SHIFTS]


def permute(state: Sequence[int]) -> list[int]:
    """The Poseidon permutation of 12 field elements (canonical ints in, canonical out)."""
    crev, diag, first, partial, last = _tables()
    s = list(state)
    for rcs in first:
        s = _full_round(s, rcs, crev, diag)
    x = 0
    for v, sh in zip(s, _SHIFTS, strict=True):
        x |= v << sh
    not_lane0 = _STATE_MASK ^ _LANE
    for c0, rest in partial:
        t = pow((x & _LANE) + c0, SBOX_EXPONENT, P)
        x = _linear((x & not_lane0) + t + rest, t, crev, diag)
        # lane-wise fold: every lane h·2^64 + l → l + h·(2^32 − 1) (< 2^65, no borrow)
        x = (x & _LOW64) + ((x >> 64) & _HIGH16) * _EPSILON
    s = [((x >> sh) & _LANE) % P for sh in _SHIFTS]
    for rcs in last:
        s = _full_round(s, rcs, crev, diag)
    return s
