"""FRI kernels: combining committed polynomials and folding, on (n, 2) extension arrays."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from psyc.field.ext_kernels import ext_mul_u64
from psyc.field.field_kernels import add_u64, mul_u64, sub_u64


@njit(parallel=True, cache=True)
def combine_rows(coeffs: np.ndarray, alpha_powers: np.ndarray, out: np.ndarray):
    """out[j] += sum_i alpha_powers[i] * coeffs[i, j]  (coeffs base (m, n); out ext (n, 2))."""
    m = coeffs.shape[0]
    n = coeffs.shape[1]
    chunk = 1024
    for c in prange((n + chunk - 1) // chunk):
        for j in range(c * chunk, min(n, (c + 1) * chunk)):
            acc0 = out[j, 0]
            acc1 = out[j, 1]
            for i in range(m):
                v = coeffs[i, j]
                acc0 = add_u64(acc0, mul_u64(alpha_powers[i, 0], v))
                acc1 = add_u64(acc1, mul_u64(alpha_powers[i, 1], v))
            out[j, 0] = acc0
            out[j, 1] = acc1


@njit(cache=True)
def divide_by_linear(poly: np.ndarray, z0: np.uint64, z1: np.uint64, out: np.ndarray):
    """out = (poly(X) - poly(z)) / (X - z) by synthetic division; returns poly(z).

    poly and out are (n, 2) extension coefficient arrays; out[n-1] is set to 0.
    """
    n = poly.shape[0]
    q0 = np.uint64(0)
    q1 = np.uint64(0)
    for k in range(n - 1, -1, -1):
        # q_{k-1} = p_k + z * q_k ; the last value produced is p(z)
        if k < n - 1:
            out[k, 0] = q0
            out[k, 1] = q1
        else:
            out[k, 0] = 0
            out[k, 1] = 0
        t0, t1 = ext_mul_u64(z0, z1, q0, q1)
        q0 = add_u64(poly[k, 0], t0)
        q1 = add_u64(poly[k, 1], t1)
    return q0, q1


# scaled_add and fold_coeffs are serial: the FRI prover calls them a handful of times on at
# most a trace's length of coefficients (~1 ms of work), while parallel=True cost ~4 s of
# compile each on a first run (issue 11)
@njit(cache=True)
def scaled_add(acc: np.ndarray, poly: np.ndarray, s0: np.uint64, s1: np.uint64):
    """acc += s * poly for (n, 2) arrays and an extension scalar s."""
    for j in range(acc.shape[0]):
        t0, t1 = ext_mul_u64(s0, s1, poly[j, 0], poly[j, 1])
        acc[j, 0] = add_u64(acc[j, 0], t0)
        acc[j, 1] = add_u64(acc[j, 1], t1)


@njit(cache=True)
def fold_coeffs(coeffs: np.ndarray, arity: int, beta0: np.uint64, beta1: np.uint64, out: np.ndarray):
    """out[j] = sum_k beta^k coeffs[j*arity + k]: f(X) = sum_k X^k f_k(X^arity) -> sum_k beta^k f_k."""
    n_out = out.shape[0]
    for j in range(n_out):
        acc0 = np.uint64(0)
        acc1 = np.uint64(0)
        for k in range(arity - 1, -1, -1):
            t0, t1 = ext_mul_u64(acc0, acc1, beta0, beta1)
            acc0 = add_u64(t0, coeffs[j * arity + k, 0])
            acc1 = add_u64(t1, coeffs[j * arity + k, 1])
        out[j, 0] = acc0
        out[j, 1] = acc1


@njit(cache=True)
def ext_powers(base0: np.uint64, base1: np.uint64, n: int):
    out = np.empty((n, 2), dtype=np.uint64)
    a0 = np.uint64(1)
    a1 = np.uint64(0)
    for i in range(n):
        out[i, 0] = a0
        out[i, 1] = a1
        a0, a1 = ext_mul_u64(a0, a1, base0, base1)
    return out


@njit(cache=True)
def sub_scalar_inplace(poly: np.ndarray, v0: np.uint64, v1: np.uint64):
    poly[0, 0] = sub_u64(poly[0, 0], v0)
    poly[0, 1] = sub_u64(poly[0, 1], v1)
