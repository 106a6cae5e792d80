"""Quadratic-extension (x^2 - 7) arithmetic as numba kernels on (n, 2) uint64 arrays."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from psyc.field.field_kernels import (
    ONE,
    ZERO,
    add_u64,
    canon_u64,
    inv_u64,
    mul_u64,
    neg_u64,
    sub_u64,
)

W = np.uint64(7)


@njit(inline="always", cache=True)
def ext_mul_u64(a0: np.uint64, a1: np.uint64, b0: np.uint64, b1: np.uint64):
    c0 = add_u64(mul_u64(a0, b0), mul_u64(W, mul_u64(a1, b1)))
    c1 = add_u64(mul_u64(a0, b1), mul_u64(a1, b0))
    return c0, c1


@njit(inline="always", cache=True)
def ext_inv_u64(a0: np.uint64, a1: np.uint64):
    norm = sub_u64(mul_u64(a0, a0), mul_u64(W, mul_u64(a1, a1)))
    n_inv = inv_u64(norm)
    return mul_u64(a0, n_inv), neg_u64(mul_u64(a1, n_inv))


@njit(parallel=True, cache=True)
def _ext_add_kernel(a, b, out):
    for i in prange(a.shape[0]):
        out[i, 0] = add_u64(a[i, 0], b[i, 0])
        out[i, 1] = add_u64(a[i, 1], b[i, 1])


@njit(parallel=True, cache=True)
def _ext_sub_kernel(a, b, out):
    for i in prange(a.shape[0]):
        out[i, 0] = sub_u64(a[i, 0], b[i, 0])
        out[i, 1] = sub_u64(a[i, 1], b[i, 1])


@njit(parallel=True, cache=True)
def _ext_mul_kernel(a, b, out):
    for i in prange(a.shape[0]):
        c0, c1 = ext_mul_u64(a[i, 0], a[i, 1], b[i, 0], b[i, 1])
        out[i, 0] = c0
        out[i, 1] = c1


@njit(parallel=True, cache=True)
def _ext_scale_base_kernel(a, s, out):
    """out[i] = a[i] * s[i] with s a base-field vector."""
    for i in prange(a.shape[0]):
        out[i, 0] = mul_u64(a[i, 0], s[i])
        out[i, 1] = mul_u64(a[i, 1], s[i])


@njit(cache=True)
def _ext_batch_inverse_kernel(a, out):
    n = a.shape[0]
    acc0, acc1 = ONE, ZERO
    for i in range(n):
        x0 = canon_u64(a[i, 0])
        x1 = canon_u64(a[i, 1])
        if x0 == ZERO and x1 == ZERO:
            return False
        out[i, 0] = acc0
        out[i, 1] = acc1
        acc0, acc1 = ext_mul_u64(acc0, acc1, x0, x1)
    inv0, inv1 = ext_inv_u64(acc0, acc1)
    for i in range(n - 1, -1, -1):
        x0 = a[i, 0]
        x1 = a[i, 1]
        out[i, 0], out[i, 1] = ext_mul_u64(out[i, 0], out[i, 1], inv0, inv1)
        inv0, inv1 = ext_mul_u64(inv0, inv1, x0, x1)
    return True
