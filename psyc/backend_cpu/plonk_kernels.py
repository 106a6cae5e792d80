"""Plonk kernels: the permutation argument's products and partial products, the logUp
running sum, division by Z_H. (The permutation and logUp vanishing terms are generated
from their definitions and run by the tape VM, :mod:`psyc.backend_cpu.gate_vm`.)"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from psyc.backend_cpu.field_kernels import (
    ONE,
    add_u64,
    inv_u64,
    mul_u64,
)
from psyc.backend_cpu.field_kernels import _batch_inverse_kernel as batch_inverse_kernel


@njit(inline="always", cache=True)
def _chunk_num_den(wires, sigmas, k_is, j0, j1, i, x, beta, gamma):
    """prod_{j0 <= j < j1} (w_j + beta k_j x + gamma) and prod (w_j + beta sigma_j + gamma) at row i."""
    num = ONE
    den = ONE
    for j in range(j0, j1):
        w = wires[j, i]
        num = mul_u64(num, add_u64(add_u64(w, mul_u64(beta, mul_u64(k_is[j], x))), gamma))
        den = mul_u64(den, add_u64(add_u64(w, mul_u64(beta, sigmas[j, i])), gamma))
    return num, den


@njit(parallel=True, cache=True)
def chunk_products(wires, sigmas, k_is, xs, beta, gamma, chunk, nums, dens):
    """nums[c, i] = prod_{j in chunk c} (w_j + beta k_j x_i + gamma); dens likewise with sigma_j."""
    num_routed = wires.shape[0]
    n = wires.shape[1]
    num_chunks = nums.shape[0]
    for i in prange(n):
        x = xs[i]
        for c in range(num_chunks):
            num, den = _chunk_num_den(
                wires, sigmas, k_is, c * chunk, min(num_routed, (c + 1) * chunk), i, x, beta, gamma
            )
            nums[c, i] = num
            dens[c, i] = den


@njit(cache=True)
def z_and_partial_products(nums, dens_inv, z, pps):
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
def divide_by_zh(values, zh_inv):
    """values[a, i] *= zh_inv[i] = 1 / Z_H(x_i)."""
    for a in range(values.shape[0]):
        for i in prange(values.shape[1]):
            values[a, i] = mul_u64(values[a, i], zh_inv[i])


__all__ = [
    "batch_inverse_kernel",
    "chunk_products",
    "divide_by_zh",
    "inv_u64",
    "z_and_partial_products",
]


@njit(cache=True)
def running_sum(increments, out):
    """out[0] = 0, out[i+1] = out[i] + increments[i]; returns the wrap-around total."""
    acc = np.uint64(0)
    for i in range(increments.shape[0]):
        out[i] = acc
        acc = add_u64(acc, increments[i])
    return acc
