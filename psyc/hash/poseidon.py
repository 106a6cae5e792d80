"""Poseidon over Goldilocks with plonky2's conventions.

* ``permute``: the width-12 permutation (4 full, 22 partial, 4 full rounds, x^7).
* ``hash_no_pad``: overwrite-mode sponge, rate 8, no padding: each chunk of up to 8
  inputs overwrites lanes 0.. of the state, then the state is permuted; the digest is
  lanes 0..3. The empty input hashes to [0, 0, 0, 0] (no permutation is run).
* ``hash_or_noop``: inputs of at most 4 elements are zero-padded and used directly as
  the digest; longer inputs go through ``hash_no_pad``.
* ``two_to_one(a, b)``: permute([a0..a3, b0..b3, 0, 0, 0, 0]) and take lanes 0..3.

Until this process has loaded the numba kernels, small jobs run without them
(:mod:`psyc.hash.poseidon_plain`: Python for a state, NumPy for a batch): importing numba
and loading the cached kernels costs about a second, more than a verifier's or ``psyc
check``'s few thousand permutations. Past a budget, or for a big batch, the kernels load
and take over. :func:`permute_reference` is the plain textbook form, kept as a test oracle.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from functools import cache
from types import ModuleType

from psyc.field.goldilocks import P
from psyc.hash.constants import (
    DIGEST_LEN,
    RATE,
    SBOX_EXPONENT,
    TOTAL_ROUNDS,
    WIDTH,
    is_full_round,
    mds_matrix,
    round_constants,
)
from psyc.hash.poseidon_plain import permute as _plain_permute
from psyc.util.lazy import LazyModule

# NumPy only for batches: `psyc check` folds a few hashes and needs none (0.17 s import)
np = LazyModule("numpy")

Digest = list[int]


_KERNELS = "psyc.hash.poseidon_kernels"
# Permutations done without numba before the kernels pay off (~0.4 ms each in Python,
# 0.06-0.4 ms in NumPy batches, against ~1 s to load numba and the kernels): scalar ones
# (a prover's witness generation loads the kernels anyway: keep its waste small), all.
_PLAIN_BUDGET = 1000
_PLAIN_TOTAL_BUDGET = 10_000
_PLAIN_BATCH_MAX = 4096  # permutations in one batch call
_NUMPY_MIN_ROWS = 8  # below this a batch runs state by state in Python (measured crossover)
_plain = {"scalar": 0, "total": 0}
_U64 = "uint64"  # (a dtype name: this module imports no NumPy until a batch needs it)


def _plain_ok(n: int, scalar: bool = False) -> bool:
    """Run ``n`` more permutations without the kernels? (counted when yes)"""
    if _KERNELS in sys.modules or n > _PLAIN_BATCH_MAX or _plain["total"] + n > _PLAIN_TOTAL_BUDGET:
        return False
    if scalar and _plain["scalar"] >= _PLAIN_BUDGET:
        return False
    _plain["total"] += n
    _plain["scalar"] += scalar
    return True


def _plain_rows(states: np.ndarray) -> np.ndarray:
    """Permute each row of an (n, 12) uint64 array without numba."""
    if len(states) < _NUMPY_MIN_ROWS:
        return np.array([_plain_permute([int(v) for v in row]) for row in states], dtype=np.uint64).reshape(-1, WIDTH)
    from psyc.hash.poseidon_numpy import permute_rows

    return permute_rows(states)


def kernels_loaded() -> bool:
    """Whether this process has loaded the numba kernels (every hash then runs in them)."""
    return _KERNELS in sys.modules


@cache
def _kernels() -> ModuleType:
    """The numba kernels, imported on the first hash: importing numba and loading the
    cached kernels is most of a `psyc check`'s time, and checking a program hashes nothing."""
    return importlib.import_module(_KERNELS)


def _check_elements(xs: Sequence[int], what: str) -> None:
    # min/max run in C (a verifier's transcript checks ~130 states); the loop names the value
    if xs and min(xs) >= 0 and max(xs) < 1 << 64:
        return
    for x in xs:
        if not 0 <= x < 1 << 64:
            raise ValueError(f"{what}: element {x} is not a 64-bit field value")


def permute(state: Sequence[int]) -> list[int]:
    if len(state) != WIDTH:
        raise ValueError(f"Poseidon state has {WIDTH} elements, got {len(state)}")
    _check_elements(state, "permute")
    kernels = sys.modules.get(_KERNELS)
    if kernels is None:
        if _plain_ok(1, scalar=True):
            return _plain_permute(state)
        kernels = _kernels()
    # the kernels loaded: one state through them directly (NumPy is loaded with them; the
    # lazy module's lookups cost more than the permutation: ~10 -> ~6 µs a call)
    st = sys.modules["numpy"].array(state, dtype=_U64)
    kernels.permute_inplace(st)
    return st.tolist()


def permute_reference(state: Sequence[int]) -> list[int]:
    """Textbook permutation on Python ints (slow; an oracle for the kernels)."""
    s = [x % P for x in state]
    mds = mds_matrix()
    for r in range(TOTAL_ROUNDS):
        rc = round_constants()[r]
        s = [(x + c) % P for x, c in zip(s, rc, strict=True)]
        if is_full_round(r):
            s = [pow(x, SBOX_EXPONENT, P) for x in s]
        else:
            s[0] = pow(s[0], SBOX_EXPONENT, P)
        s = [sum(mds[i][j] * s[j] for j in range(WIDTH)) % P for i in range(WIDTH)]
    return s


def permute_many(states: np.ndarray) -> np.ndarray:
    """Permute each row of an (n, 12) uint64 array (returns a new array)."""
    out = np.array(states, dtype=np.uint64, copy=True)
    if out.ndim != 2 or out.shape[1] != WIDTH:
        raise ValueError(f"permute_many expects shape (n, {WIDTH}), got {out.shape}")
    if _plain_ok(len(out)):
        return _plain_rows(out)
    _kernels().permute_batch(out)
    return out


def hash_no_pad(xs: Sequence[int]) -> Digest:
    _check_elements(xs, "hash_no_pad")
    state = [0] * WIDTH
    for start in range(0, len(xs), RATE):
        chunk = xs[start : start + RATE]
        state[: len(chunk)] = chunk
        state = permute(state)
    return state[:DIGEST_LEN]


def hash_or_noop(xs: Sequence[int]) -> Digest:
    if len(xs) <= DIGEST_LEN:
        _check_elements(xs, "hash_or_noop")
        return [x % P for x in xs] + [0] * (DIGEST_LEN - len(xs))
    return hash_no_pad(xs)


def two_to_one(a: Sequence[int], b: Sequence[int]) -> Digest:
    if len(a) != DIGEST_LEN or len(b) != DIGEST_LEN:
        raise ValueError("two_to_one takes two 4-element digests")
    return permute([*a, *b, 0, 0, 0, 0])[:DIGEST_LEN]


def hash_or_noop_rows(rows: np.ndarray) -> np.ndarray:
    """Digest of every row of an (n, m) uint64 matrix: an (n, 4) array."""
    return _hash_leaves(rows, columns=False)


def hash_or_noop_columns(cols: np.ndarray) -> np.ndarray:
    """Digest of every column of an (m, n) uint64 matrix: an (n, 4) array."""
    return _hash_leaves(cols, columns=True)


def _hash_leaves(matrix: np.ndarray, columns: bool) -> np.ndarray:
    matrix = np.ascontiguousarray(matrix, dtype=np.uint64)
    if matrix.ndim != 2:
        raise ValueError(f"hash_or_noop_{'columns' if columns else 'rows'} expects a 2-D matrix")
    n, m = matrix.shape[::-1] if columns else matrix.shape
    if _plain_ok(n * -(-m // RATE) if m > DIGEST_LEN else 0):
        return _plain_leaves(matrix.T if columns else matrix)
    out = np.empty((n, DIGEST_LEN), dtype=np.uint64)
    (_kernels().hash_or_noop_columns if columns else _kernels().hash_or_noop_rows)(matrix, out)
    return out


def _plain_leaves(rows: np.ndarray) -> np.ndarray:
    """``hash_or_noop`` of every row, without numba (all rows in one sponge batch)."""
    n, m = rows.shape
    if m <= DIGEST_LEN:
        out = np.zeros((n, DIGEST_LEN), dtype=np.uint64)
        out[:, :m] = rows % np.uint64(P)
        return out
    state = np.zeros((n, WIDTH), dtype=np.uint64)
    for start in range(0, m, RATE):
        chunk = rows[:, start : start + RATE]
        state[:, : chunk.shape[1]] = chunk
        state = _plain_rows(state)
    return state[:, :DIGEST_LEN].copy()


def two_to_one_pairs(children: np.ndarray) -> np.ndarray:
    """Compress rows (2i, 2i+1) of a (2n, 4) digest array into an (n, 4) array."""
    children = np.ascontiguousarray(children, dtype=np.uint64)
    if _plain_ok(children.shape[0] // 2):
        states = np.zeros((children.shape[0] // 2, WIDTH), dtype=np.uint64)
        states[:, :DIGEST_LEN] = children[0::2]
        states[:, DIGEST_LEN : 2 * DIGEST_LEN] = children[1::2]
        return _plain_rows(states)[:, :DIGEST_LEN].copy()
    out = np.empty((children.shape[0] // 2, DIGEST_LEN), dtype=np.uint64)
    _kernels().compress_pairs(children, out)
    return out
