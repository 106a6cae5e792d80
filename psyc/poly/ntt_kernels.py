"""Radix-2 NTT kernels (numba).

The core is a decimation-in-frequency transform: natural-order input, bit-reversed
output. That is exactly the row order Merkle commitments want, so committing an LDE
never pays for an explicit bit reversal. Twiddle tables are laid out so that stage
``h`` (half-size) reads ``tw[h : 2h]`` contiguously: ``tw[h + k] = w_{2h}^k``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from psyc.field.field_kernels import add_u64, mul_u64, sub_u64

# Stages whose butterflies span at most BLOCK elements run block by block in cache.
LOG_BLOCK = 12
BLOCK = 1 << LOG_BLOCK


@njit(inline="always", cache=True)
def _dif_stages(a, tw, base, size, h):
    """Run the DIF stages of half-size h, h/2, ..., 1 on a[base : base + size]."""
    while h >= 1:
        for start in range(base, base + size, 2 * h):
            for k in range(h):
                w = tw[h + k]
                x = a[start + k]
                y = a[start + k + h]
                a[start + k] = add_u64(x, y)
                a[start + k + h] = mul_u64(sub_u64(x, y), w)
        h >>= 1


@njit(cache=True)
def dif_serial(a: np.ndarray, tw: np.ndarray):
    n = a.shape[0]
    _dif_stages(a, tw, 0, n, n >> 1)


@njit(parallel=True, cache=True)
def dif_parallel(a: np.ndarray, tw: np.ndarray):
    """One long transform, parallel inside each stage; small stages blocked in cache."""
    n = a.shape[0]
    h = n >> 1
    log_h = 0
    while (1 << log_h) < h:
        log_h += 1
    while h > BLOCK // 2 and h >= 1:
        mask = h - 1
        for j in prange(n >> 1):
            k = j & mask
            i0 = ((j >> log_h) << (log_h + 1)) + k
            x = a[i0]
            y = a[i0 + h]
            a[i0] = add_u64(x, y)
            a[i0 + h] = mul_u64(sub_u64(x, y), tw[h + k])
        h >>= 1
        log_h -= 1
    if h >= 1:
        size = 2 * h
        for blk in prange(n // size):
            _dif_stages(a, tw, blk * size, size, h)


@njit(parallel=True, cache=True)
def dif_batch(mat: np.ndarray, tw: np.ndarray):
    """Independent DIF transforms of every row of a (m, n) matrix, one row per task."""
    for r in prange(mat.shape[0]):
        dif_serial(mat[r], tw)


@njit(cache=True)
def _bit_reverse_index(i, log_n):
    r = 0
    for _ in range(log_n):
        r = (r << 1) | (i & 1)
        i >>= 1
    return r


@njit(parallel=True, cache=True)
def bit_reverse_permutation(src: np.ndarray, dst: np.ndarray, log_n: int):
    for i in prange(src.shape[0]):
        dst[_bit_reverse_index(i, log_n)] = src[i]


@njit(parallel=True, cache=True)
def bit_reverse_rows(src: np.ndarray, dst: np.ndarray, log_n: int):
    """Bit-reverse the column order of each row of a (m, n) matrix."""
    m = src.shape[0]
    n = src.shape[1]
    for r in prange(m):
        for i in range(n):
            dst[r, _bit_reverse_index(i, log_n)] = src[r, i]


@njit(inline="always", cache=True)
def _scale_row_by_powers(src, dst, shift, start):
    """dst[i] = src[i] * start * shift^i, zero-padding dst beyond len(src)."""
    acc = start
    for i in range(src.shape[0]):
        dst[i] = mul_u64(src[i], acc)
        acc = mul_u64(acc, shift)
    for i in range(src.shape[0], dst.shape[0]):
        dst[i] = 0


@njit(parallel=True, cache=True)
def scale_rows_by_powers(src: np.ndarray, dst: np.ndarray, shift: np.uint64, start: np.uint64):
    """dst[r, i] = src[r, i] * start * shift^i (zero-padding dst beyond src's width)."""
    for r in prange(src.shape[0]):
        _scale_row_by_powers(src[r], dst[r], shift, start)


@njit(parallel=True, cache=True)
def coset_lde_batch(coeffs: np.ndarray, out: np.ndarray, tw: np.ndarray, shift: np.uint64):
    """out[r] = bit-reversed evaluations of coeffs[r] on shift * <w_N>, N = out width."""
    for r in prange(coeffs.shape[0]):
        _scale_row_by_powers(coeffs[r], out[r], shift, np.uint64(1))
        dif_serial(out[r], tw)


@njit(parallel=True, cache=True)
def transpose(src: np.ndarray, dst: np.ndarray):
    """dst = src.T for uint64 matrices, in cache-sized tiles."""
    m = src.shape[0]
    n = src.shape[1]
    tile = 64
    ntiles_j = (n + tile - 1) // tile
    for tj in prange(ntiles_j):
        j0 = tj * tile
        j1 = min(j0 + tile, n)
        for i0 in range(0, m, tile):
            i1 = min(i0 + tile, m)
            for i in range(i0, i1):
                for j in range(j0, j1):
                    dst[j, i] = src[i, j]
