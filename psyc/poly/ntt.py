"""Number-theoretic transforms, coset transforms and low-degree extensions.

Conventions: a polynomial is its coefficient vector ``c`` (``c[i]`` multiplies x^i);
``ntt(c)[i] = c(w^i)`` with ``w = primitive_root_of_unity(log2 n)``. Batches are
(m, n) matrices with one polynomial per row. ``*_bitrev`` variants return evaluations
in bit-reversed order, the order Merkle commitments use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from psyc.field.goldilocks import MULTIPLICATIVE_GENERATOR, P, inv, primitive_root_of_unity
from psyc.field.vector import as_field_array, canonicalize_vec, powers_vec, scale_vec
from psyc.util.lazy import LazyModule

if TYPE_CHECKING:
    from numpy.typing import ArrayLike  # what as_field_array accepts: arrays, ints, nested lists

# the kernels (numba) load on the first transform, not on import
nk = LazyModule("psyc.poly.ntt_kernels")

#: The coset shift used for every LDE (ARCHITECTURE.md).
COSET_SHIFT: int = MULTIPLICATIVE_GENERATOR
# Single transforms at least this long use the intra-transform parallel kernel.
_PARALLEL_THRESHOLD = 1 << 14


def log2_strict(n: int) -> int:
    if n <= 0 or n & (n - 1):
        raise ValueError(f"length must be a power of two, got {n}")
    return n.bit_length() - 1


@lru_cache(maxsize=64)
def twiddles(log_n: int, inverse: bool = False) -> np.ndarray:
    """Stage-major twiddle table for a 2^log_n DIF transform (read-only)."""
    n = 1 << log_n
    tw = np.zeros(max(n, 1), dtype=np.uint64)
    h = 1
    while h < n:
        w = primitive_root_of_unity(h.bit_length())  # w_{2h}
        if inverse:
            w = inv(w)
        tw[h : 2 * h] = powers_vec(w, h)
        h <<= 1
    tw.flags.writeable = False
    return tw


def _prepare(values, copy: bool = True) -> np.ndarray:
    arr = as_field_array(values)
    arr = np.array(arr, dtype=np.uint64, copy=True) if copy else np.ascontiguousarray(arr)
    return arr


def _dif_inplace(arr: np.ndarray, inverse: bool) -> None:
    """DIF on the last axis of a 1-D or 2-D contiguous array, in place."""
    log_n = log2_strict(arr.shape[-1])
    if log_n == 0:  # no butterfly runs, but outputs must still be canonical
        arr[...] = canonicalize_vec(arr)
        return
    tw = twiddles(log_n, inverse)
    if arr.ndim == 1:
        (nk.dif_parallel if arr.shape[0] >= _PARALLEL_THRESHOLD else nk.dif_serial)(arr, tw)
    else:
        nk.dif_batch(arr, tw)


def bit_reverse(values: ArrayLike) -> np.ndarray:
    """Permute the last axis into bit-reversed index order (an involution)."""
    arr = np.ascontiguousarray(as_field_array(values))
    log_n = log2_strict(arr.shape[-1])
    out = np.empty_like(arr)
    if arr.ndim == 1:
        nk.bit_reverse_permutation(arr, out, log_n)
    else:
        nk.bit_reverse_rows(arr.reshape(-1, arr.shape[-1]), out.reshape(-1, arr.shape[-1]), log_n)
    return out


def reverse_index_bits(i: int, log_n: int) -> int:
    return int(format(i, f"0{log_n}b")[::-1], 2) if log_n else 0


def ntt(coeffs: ArrayLike, bitrev_output: bool = False) -> np.ndarray:
    """Evaluations of one polynomial (1-D) or of each row (2-D) on <w_n>."""
    arr = _prepare(coeffs)
    _dif_inplace(arr, inverse=False)
    return arr if bitrev_output else bit_reverse(arr)


def intt(evals: ArrayLike, bitrev_input: bool = False) -> np.ndarray:
    """Coefficients from evaluations on <w_n> (natural order unless ``bitrev_input``)."""
    arr = _prepare(evals) if not bitrev_input else bit_reverse(evals)
    _dif_inplace(arr, inverse=True)
    arr = bit_reverse(arr)
    n_inv = inv(arr.shape[-1])
    return scale_vec(arr, n_inv)


def coset_ntt(coeffs: ArrayLike, shift: int = COSET_SHIFT, bitrev_output: bool = False) -> np.ndarray:
    """Evaluations on the coset shift * <w_n>."""
    arr = _prepare(coeffs)
    scaled = _scale_by_powers(arr, shift)
    _dif_inplace(scaled, inverse=False)
    return scaled if bitrev_output else bit_reverse(scaled)


def coset_intt(evals: ArrayLike, shift: int = COSET_SHIFT, bitrev_input: bool = False) -> np.ndarray:
    """Coefficients from evaluations on shift * <w_n>."""
    coeffs = intt(evals, bitrev_input=bitrev_input)
    return _scale_by_powers(coeffs, inv(shift))


def _scale_by_powers(arr: np.ndarray, shift: int) -> np.ndarray:
    two_d = arr.reshape(-1, arr.shape[-1])
    out = np.empty_like(two_d)
    nk.scale_rows_by_powers(two_d, out, np.uint64(shift % P), np.uint64(1))
    return out.reshape(arr.shape)


def lde_batch(coeffs: ArrayLike, rate_bits: int, shift: int = COSET_SHIFT) -> np.ndarray:
    """Low-degree extension of each row of an (m, n) coefficient matrix.

    Returns an (m, n << rate_bits) matrix of evaluations on ``shift * <w_N>`` in
    bit-reversed order (row ``brev(i)`` holds the value at ``shift * w_N^i``).
    """
    c = np.ascontiguousarray(as_field_array(coeffs))
    if c.ndim == 1:
        c = c.reshape(1, -1)
    m, n = c.shape
    log_big = log2_strict(n) + rate_bits
    out = np.empty((m, 1 << log_big), dtype=np.uint64)
    nk.coset_lde_batch(c, out, twiddles(log_big), np.uint64(shift % P))
    return out


def lde(coeffs: ArrayLike, rate_bits: int, shift: int = COSET_SHIFT) -> np.ndarray:
    """Low-degree extension of one polynomial, bit-reversed (see :func:`lde_batch`)."""
    c = np.ascontiguousarray(as_field_array(coeffs))
    n = c.shape[0]
    big = np.zeros(n << rate_bits, dtype=np.uint64)
    big[:n] = c
    scaled = _scale_by_powers(big, shift)
    _dif_inplace(scaled, inverse=False)
    return scaled


def transpose(mat: np.ndarray) -> np.ndarray:
    """Fast parallel transpose of a uint64 matrix."""
    src = np.ascontiguousarray(mat)
    out = np.empty((src.shape[1], src.shape[0]), dtype=np.uint64)
    nk.transpose(src, out)
    return out
