"""Poseidon constants for Goldilocks, exactly as plonky2 defines them.

Loaded from ``poseidon_goldilocks.json`` (a copy of the project's known-answer vector
file, which also carries plonky2's round constants and MDS matrix).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

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
