"""Plonk kernels: the permutation argument's partial products, the logUp running sum,
division by Z_H. (The permutation's factors and the permutation and logUp vanishing terms
are generated from their definitions and run by the tape VM, :mod:`psyc.backend_cpu.gate_vm`.)"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from psyc.field.field_kernels import (
    ONE,
    add_u64,
    inv_u64,
    mul_u64,
)
from psyc.field.field_kernels import _batch_inverse_kernel as batch_inverse_kernel


@njit(cache=True)
def z_and_partial_products(nums: np.ndarray, dens_inv: np.ndarray, z: np.ndarray, pps: np.ndarray):
    """Z(w^0) = 1, Z(w^{i+1}) = Z(w^i) prod_c q_c(i); pps[c, i] = Z(w^i) prod_{c' <= c} q_c'(i)."""
    num_chunks = nums.shape[0]
    n = nums.shape[1]
    acc = ONE
    for i in range(n):
        z[i] = acc
        for c in range(num_chunks):
            acc = mul_u64(acc, mul_u64(nums[c, i], dens_inv[c, i]))
            if c < num_chunks - 1:
                pps[c, i] = acc
    return acc  # must be 1 for a witness that satisfies the copy constraints


@njit(parallel=True, cache=True)
def divide_by_zh(values: np.ndarray, zh_inv: np.ndarray):
    """values[a, i] *= zh_inv[i] = 1 / Z_H(x_i)."""
    for a in range(values.shape[0]):
        for i in prange(values.shape[1]):
            values[a, i] = mul_u64(values[a, i], zh_inv[i])


__all__ = [
    "batch_inverse_kernel",
    "divide_by_zh",
    "inv_u64",
    "z_and_partial_products",
]


@njit(cache=True)
def running_sum(increments: np.ndarray, out: np.ndarray):
    """out[0] = 0, out[i+1] = out[i] + increments[i]; returns the wrap-around total."""
    acc = np.uint64(0)
    for i in range(increments.shape[0]):
        out[i] = acc
        acc = add_u64(acc, increments[i])
    return acc
