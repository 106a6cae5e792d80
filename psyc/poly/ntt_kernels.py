"""Radix-2 NTT kernels (numba).

The core is a decimation-in-frequency transform: natural-order input, bit-reversed
output. That is exactly the row order Merkle commitments want, so committing an LDE
never pays for an explicit bit reversal. Twiddle tables are laid out so that stage
``h`` (half-size) reads ``tw[h : 2h]`` contiguously: ``tw[h + k] = w_{2h}^k``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from psyc.field.field_kernels import (
    add_lanes_u64,
    add_u64,
    canon_lanes_u64,
    mul_lanes_u64,
    mul_u64,
    sub_lanes_u64,
    sub_u64,
)
from psyc.util import threads

# Stages whose butterflies span at most BLOCK elements run block by block in cache.
LOG_BLOCK = 12
BLOCK = 1 << LOG_BLOCK


@njit(inline="always", cache=True)
def _butterflies(lo, hi, tw):
    """lo[k], hi[k] = lo[k] + hi[k], (lo[k] - hi[k]) * tw[k] for k < len(tw) (any inputs,
    canonical outputs). On views, with a branch-free body, LLVM vectorises the loop
    (AVX-512: 3x the scalar loop with the i128 multiply, measured on a 2^17 transform)."""
    for k in range(tw.shape[0]):
        x = canon_lanes_u64(lo[k])
        y = canon_lanes_u64(hi[k])
        lo[k] = add_lanes_u64(x, y)
        hi[k] = mul_lanes_u64(sub_lanes_u64(x, y), tw[k])


@njit(inline="always", cache=True)
def _spread(lo, hi, tw):
    """:func:`_butterflies` where hi is zero: lo[k] stays, hi[k] = lo[k] * tw[k]."""
    for k in range(tw.shape[0]):
        x = canon_lanes_u64(lo[k])
        lo[k] = x
        hi[k] = mul_lanes_u64(x, tw[k])


@njit(inline="always", cache=True)
def _last_three_stages(a, tw):
    """The stages of half-size 4, 2, 1 on every block of 8 (len(a) a multiple of 8), the
    block in registers: the loop over blocks vectorises, where a stage's loop of h < 8
    butterflies would not. tw[4] = tw[2] = tw[1] = 1 (no multiply)."""
    w5, w6, w7, w3 = tw[5], tw[6], tw[7], tw[3]
    for b in range(a.shape[0] >> 3):
        s = b << 3
        a0 = canon_lanes_u64(a[s])
        a1 = canon_lanes_u64(a[s + 1])
        a2 = canon_lanes_u64(a[s + 2])
        a3 = canon_lanes_u64(a[s + 3])
        a4 = canon_lanes_u64(a[s + 4])
        a5 = canon_lanes_u64(a[s + 5])
        a6 = canon_lanes_u64(a[s + 6])
        a7 = canon_lanes_u64(a[s + 7])
        a0, a4 = add_lanes_u64(a0, a4), sub_lanes_u64(a0, a4)
        a1, a5 = add_lanes_u64(a1, a5), mul_lanes_u64(sub_lanes_u64(a1, a5), w5)
        a2, a6 = add_lanes_u64(a2, a6), mul_lanes_u64(sub_lanes_u64(a2, a6), w6)
        a3, a7 = add_lanes_u64(a3, a7), mul_lanes_u64(sub_lanes_u64(a3, a7), w7)
        a0, a2 = add_lanes_u64(a0, a2), sub_lanes_u64(a0, a2)
        a1, a3 = add_lanes_u64(a1, a3), mul_lanes_u64(sub_lanes_u64(a1, a3), w3)
        a4, a6 = add_lanes_u64(a4, a6), sub_lanes_u64(a4, a6)
        a5, a7 = add_lanes_u64(a5, a7), mul_lanes_u64(sub_lanes_u64(a5, a7), w3)
        a[s] = add_lanes_u64(a0, a1)
        a[s + 1] = sub_lanes_u64(a0, a1)
        a[s + 2] = add_lanes_u64(a2, a3)
        a[s + 3] = sub_lanes_u64(a2, a3)
        a[s + 4] = add_lanes_u64(a4, a5)
        a[s + 5] = sub_lanes_u64(a4, a5)
        a[s + 6] = add_lanes_u64(a6, a7)
        a[s + 7] = sub_lanes_u64(a6, a7)


# Compiled once and called (not inlined) by every transform kernel: inlined into the four
# kernels, with parallel copies for the prange bodies, it cost ~20 s more to compile cold.
@njit(cache=True)
def _dif_stages(a, tw, h, nz):
    """Run the DIF stages of half-size h, h/2, ..., 1 on a (len(a) a multiple of 2h),
    where every 2h-block of a is zero from its index nz on (nz >= 2h: no zeros). A stage
    with nz <= h only multiplies (the zero-padded first stages of an LDE): a block's halves
    are then both zero from nz on, so nz holds for the next stage."""
    n = a.shape[0]
    while h >= 8:
        t = tw[h : 2 * h]
        if nz <= h:
            for s in range(0, n, 2 * h):
                _spread(a[s : s + nz], a[s + h : s + h + nz], t[:nz])
        else:
            for s in range(0, n, 2 * h):
                _butterflies(a[s : s + h], a[s + h : s + 2 * h], t)
        h >>= 1
    if h == 4:
        _last_three_stages(a, tw)
        return
    while h >= 1:  # transforms of fewer than 8 points
        for start in range(0, n, 2 * h):
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
    _dif_stages(a, tw, n >> 1, n)


@njit(cache=True)
def _butterfly_chunk(a, tw, s, h, chunk):
    """The butterflies of a stage of half-size h at indices s .. s + chunk of one half."""
    k = s & (h - 1)
    _butterflies(a[s : s + chunk], a[s + h : s + h + chunk], tw[h + k : h + k + chunk])


# butterflies per task in the parallel transform's large stages
_CHUNK = 1 << 10


@njit(parallel=True, cache=True)
def dif_parallel(a: np.ndarray, tw: np.ndarray):
    """One long transform, parallel inside each stage; small stages blocked in cache."""
    n = a.shape[0]
    h = n >> 1
    while h > BLOCK // 2 and h >= 1:
        chunk = min(h, _CHUNK)
        per_block = h // chunk
        for t in prange((n // (2 * h)) * per_block):
            s = (t // per_block) * 2 * h + (t % per_block) * chunk
            _butterfly_chunk(a, tw, s, h, chunk)
        h >>= 1
    if h >= 1:
        size = 2 * h
        for blk in prange(n // size):
            _dif_stages(a[blk * size : (blk + 1) * size], tw, h, size)


# The row batches are serial kernels that release the GIL, split across threads from
# Python (psyc.util.threads): as prange kernels they took ~0.8 s more each to compile.
@njit(nogil=True, cache=True)
def dif_rows(mat: np.ndarray, tw: np.ndarray, lo: int, hi: int):
    """DIF transforms of rows lo .. hi of a (m, n) matrix."""
    n = mat.shape[1]
    for r in range(lo, hi):
        _dif_stages(mat[r], tw, n >> 1, n)


def dif_batch(mat: np.ndarray, tw: np.ndarray) -> None:
    """Independent DIF transforms of every row of a (m, n) matrix, on the pool's threads."""
    threads.run_ranges(dif_rows, mat.shape[0], mat, tw)


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


@njit(nogil=True, cache=True)
def coset_lde_rows(coeffs: np.ndarray, out: np.ndarray, tw: np.ndarray, shift: np.uint64, lo: int, hi: int):
    """:func:`coset_lde_batch` on rows lo .. hi."""
    for r in range(lo, hi):
        _scale_row_by_powers(coeffs[r], out[r], shift, np.uint64(1))
        _dif_stages(out[r], tw, out.shape[1] >> 1, coeffs.shape[1])  # zero from n on


def coset_lde_batch(coeffs: np.ndarray, out: np.ndarray, tw: np.ndarray, shift: np.uint64) -> None:
    """out[r] = bit-reversed evaluations of coeffs[r] on shift * <w_N>, N = out width."""
    threads.run_ranges(coset_lde_rows, coeffs.shape[0], coeffs, out, tw, shift)


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
