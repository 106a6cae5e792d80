"""Poseidon without numba: plain Python for one state (:mod:`.poseidon_numpy` for a batch).

A verifier or ``psyc check`` hashes a few thousand states at most: importing numba and
loading its cached kernels costs about a second of CPU, more than these paths spend on
the whole job (docs/benchmarks.md, "Cold start and latency"). Both compute exactly
:func:`psyc.hash.poseidon.permute_reference`; ``tests/test_poseidon.py`` checks them
against it and against the kernels.

* :func:`permute`: the rounds loop over the round-constant table. The linear layer is
  circulant (plus one diagonal term), so it is one big-int product: the 12 lanes are
  packed 80 bits apart into one integer and multiplied by the packed circulant row; the
  product's lanes i and i + 12 add up to output lane i (a cyclic convolution; each lane
  < 2^74, so lanes never overlap). The partial rounds keep the state packed (only lane 0
  goes through the S-box) and carry only lane 0's round constant
  (:func:`psyc.hash.constants.pushed_round_constants`); each folds every lane back below
  2^65 with ``2^64 ≡ 2^32 − 1`` lane-wise, never leaving the big integer.
* :func:`psyc.hash.poseidon_numpy.permute_rows`: an (n, 12) uint64 batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from psyc.field.goldilocks import P
from psyc.hash.constants import HALF_FULL_ROUNDS, SBOX_EXPONENT, WIDTH, mds_matrix, pushed_round_constants

_LANE_BITS = 80  # ≥ 74 (a layer output: < 2^65 times the row sum 2^8.05) and ≥ 64 + 16 for the fold
_LANE = (1 << _LANE_BITS) - 1
_SHIFTS = tuple(_LANE_BITS * i for i in range(WIDTH))
_STATE_BITS = WIDTH * _LANE_BITS
_STATE_MASK = (1 << _STATE_BITS) - 1
_LOW64 = sum(((1 << 64) - 1) << s for s in _SHIFTS)
_HIGH16 = sum(((1 << (_LANE_BITS - 64)) - 1) << s for s in _SHIFTS)
_EPSILON = (1 << 32) - 1  # 2^64 mod p


def _pack(a0: int, a1: int, a2: int, a3: int, a4: int, a5: int, a6: int, a7: int, a8: int, a9: int, a10: int,
          a11: int) -> int:
    """12 lanes (each < 2^80) as one integer, lane i at bit 80·i."""
    return (a0 | a1 << 80 | a2 << 160 | a3 << 240 | a4 << 320 | a5 << 400 | a6 << 480 | a7 << 560 | a8 << 640
            | a9 << 720 | a10 << 800 | a11 << 880)


@cache
def _tables() -> tuple:
    """Packed constants: the circulant row, reordered so that lanes i and i + 12 of its
    product with a packed state add up to output lane i; the diagonal term (lane 0 only);
    the full rounds' constants; the first partial round's constants, packed; lane 0's
    constant of every partial round."""
    mds = mds_matrix()
    diag = mds[0][0] - mds[1][1]  # only M[0][0] carries a diagonal term (plonky2: [8, 0, …])
    assert all(mds[i][i] == mds[1][1] for i in range(1, WIDTH)), "linear layer is not circulant + diag[0]"
    circ = [mds[0][k] - (diag if k == 0 else 0) for k in range(WIDTH)]
    # out_i = Σ_j circ[(j − i) mod 12]·x_j = Σ_j c_((i − j) mod 12)·x_j with c_k = circ[−k mod 12]
    conv = _pack(*(circ[-k % WIDTH] for k in range(WIDTH)))
    full, first, part = pushed_round_constants()
    return conv, diag, full[:HALF_FULL_ROUNDS], _pack(*first), part, full[HALF_FULL_ROUNDS:]


def permute(state: Sequence[int]) -> list[int]:
    """The Poseidon permutation of 12 field elements (any values below 2^64 in, canonical out)."""
    conv, diag, first, first_partial, partial, last = _tables()
    lane, shifts, mask, low64, high16, eps = _LANE, _SHIFTS, _STATE_MASK, _LOW64, _HIGH16, _EPSILON
    x = _pack(*state)
    for rcs in first:
        s = [pow(((x >> sh) & lane) + c, SBOX_EXPONENT, P) for sh, c in zip(shifts, rcs, strict=True)]
        y = _pack(*s) * conv
        x = (y & mask) + (y >> _STATE_BITS) + diag * s[0]
    x += first_partial
    for c0 in partial:
        # lane-wise fold: every lane h·2^64 + l → l + h·(2^32 − 1) (< 2^65, no borrow)
        x = (x & low64) + ((x >> 64) & high16) * eps
        x0 = x & lane
        t = pow(x0 + c0, SBOX_EXPONENT, P)
        y = (x + (t - x0)) * conv
        x = (y & mask) + (y >> _STATE_BITS) + diag * t
    for rcs in last:
        s = [pow(((x >> sh) & lane) + c, SBOX_EXPONENT, P) for sh, c in zip(shifts, rcs, strict=True)]
        y = _pack(*s) * conv
        x = (y & mask) + (y >> _STATE_BITS) + diag * s[0]
    return [((x >> sh) & lane) % P for sh in shifts]
