"""Poseidon constants for Goldilocks, exactly as plonky2 defines them.

Loaded from ``poseidon_goldilocks.json`` (a copy of the project's known-answer vector
file, which also carries plonky2's round constants and MDS matrix).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from psyc.field.goldilocks import P

WIDTH = 12
RATE = 8
CAPACITY = 4
DIGEST_LEN = 4
HALF_FULL_ROUNDS = 4
PARTIAL_ROUNDS = 22
TOTAL_ROUNDS = 2 * HALF_FULL_ROUNDS + PARTIAL_ROUNDS
SBOX_EXPONENT = 7


@cache
def vector_file() -> dict:
    with resources.files("psyc.hash").joinpath("poseidon_goldilocks.json").open() as fh:
        return json.load(fh)


@cache
def round_constants() -> tuple[tuple[int, ...], ...]:
    rc = vector_file()["round_constants"]
    return tuple(tuple(rc[WIDTH * r : WIDTH * (r + 1)]) for r in range(TOTAL_ROUNDS))


@cache
def mds_matrix() -> tuple[tuple[int, ...], ...]:
    """Dense form M[i][j] of the circulant-plus-diagonal linear layer."""
    circ = vector_file()["mds_circ"]
    diag = vector_file()["mds_diag"]
    return tuple(
        tuple(circ[(j - i) % WIDTH] + (diag[i] if i == j else 0) for j in range(WIDTH)) for i in range(WIDTH)
    )


def is_full_round(r: int) -> bool:
    return r < HALF_FULL_ROUNDS or r >= HALF_FULL_ROUNDS + PARTIAL_ROUNDS


def _mat_vec(a: list[list[int]], v: list[int]) -> list[int]:
    return [sum(x * y for x, y in zip(row, v, strict=True)) % P for row in a]


def _mat_inverse(a: list[list[int]]) -> list[list[int]]:
    """The inverse of a square matrix mod p (Gauss-Jordan; the blocks inverted here are
    invertible because the MDS matrix's square submatrices all are)."""
    n = len(a)
    m = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(a)]
    for c in range(n):
        piv = next(r for r in range(c, n) if m[r][c])
        m[c], m[piv] = m[piv], m[c]
        inv = pow(m[c][c], P - 2, P)
        m[c] = [x * inv % P for x in m[c]]
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c]
                m[r] = [(x - f * y) % P for x, y in zip(m[r], m[c], strict=True)]
    return [row[n:] for row in m]


@cache
def fast_partial_rounds() -> dict:
    """The partial rounds rewritten with sparse matrices (the Poseidon paper's appendix B,
    as plonky2 does); the outputs are the same (tests/test_poseidon.py checks a model built
    on these against the reference). For a scalar kernel: 23 multiplies per partial round
    instead of the dense layer's 144 small ones (docs/benchmarks.md, "Poseidon on AVX2").
    A partial round is ``s += c; s0 = s0^7;
    s = M s``. Two identities:

    * constants: only lane 0 meets the S-box, so a constant ``b`` on lanes 1..11 passes it
      and becomes ``M b`` added before the next round; every partial round but the first
      keeps lane 0's constant only (the last round's leftover joins the next full round's).
    * matrices, from the last round back: the current matrix ``C = S·D`` with
      ``D = diag(1, Ĉ)`` (Ĉ: C without its first row and column) and the sparse
      ``S = [[C00, ŵ], [v, I]]``, ``ŵ = Ĉ^-T C[0, 1:]``, ``v = C[1:, 0]``. ``D`` leaves lane
      0 alone, so it commutes with the S-box and lane 0's constant and joins the previous
      round's matrix (``C = D·M``); the first round's ``D`` is applied once, after the
      first constant vector.

    Returns ``full_rc`` (the 8 full rounds' constants, the fifth row adjusted), ``first_rc``
    (12), ``init`` (Ĉ of the first round, 11×11), ``part_rc`` (lane 0's constant per
    partial round, 0 for the first), ``w`` (per round: C00 then ŵ, 12) and ``v`` (11)."""
    mds = [list(row) for row in mds_matrix()]
    n = PARTIAL_ROUNDS
    full_rc, first_rc, part_rc = pushed_round_constants()
    w: list[list[int]] = [[]] * n
    v: list[list[int]] = [[]] * n
    cur = mds
    for r in range(n - 1, -1, -1):
        inner = [row[1:] for row in cur[1:]]
        inv_t = [list(col) for col in zip(*_mat_inverse(inner), strict=True)]
        w[r] = [cur[0][0]] + _mat_vec(inv_t, cur[0][1:])
        v[r] = [row[0] for row in cur[1:]]
        if r:
            d = [[1] + [0] * (WIDTH - 1)] + [[0] + row for row in inner]
            cur = [[sum(d[i][k] * mds[k][j] for k in range(WIDTH)) % P for j in range(WIDTH)] for i in range(WIDTH)]
    return {
        "full_rc": [list(r) for r in full_rc],
        "first_rc": list(first_rc),
        "init": inner,
        "part_rc": list(part_rc),
        "w": w,
        "v": v,
    }


@cache
def pushed_round_constants() -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...], tuple[int, ...]]:
    """The round constants with the partial rounds' lanes 1..11 pushed forward (the first
    identity of :func:`fast_partial_rounds`, which works with the dense layer as well):
    ``(full_rc, first_rc, part_rc)`` — the 8 full rounds' constants (the fifth adjusted),
    the 12 constants of the first partial round and lane 0's constant of each partial
    round (0 for the first). A permutation with them is the same permutation; computing
    them takes well under a millisecond (the sparse matrices take ~0.1 s)."""
    mds = [list(row) for row in mds_matrix()]
    rc = [list(r) for r in round_constants()]
    h, n = HALF_FULL_ROUNDS, PARTIAL_ROUNDS
    consts = rc[h : h + n + 1]  # the partial rounds' and the next full round's
    for r in range(1, n):
        carried = _mat_vec(mds, [0] + consts[r][1:])
        consts[r] = [consts[r][0]] + [0] * (WIDTH - 1)
        consts[r + 1] = [(x + y) % P for x, y in zip(consts[r + 1], carried, strict=True)]
    full = tuple(tuple(r) for r in rc[:h] + [consts[n]] + rc[h + n + 1 :])
    return full, tuple(consts[0]), (0, *(consts[r][0] for r in range(1, n)))
