"""Plonk kernels: permutation-argument products and the non-gate vanishing terms."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from psyc.backend_cpu.field_kernels import (
    ONE,
    add_u64,
    inv_u64,
    mul_u64,
    sub_u64,
)
from psyc.backend_cpu.field_kernels import _batch_inverse_kernel as batch_inverse_kernel


@njit(parallel=True, cache=True)
def chunk_products(wires, sigmas, k_is, xs, beta, gamma, chunk, nums, dens):
    """nums[c, i] = prod_{j in chunk c} (w_j + beta k_j x_i + gamma); dens likewise with sigma_j."""
    num_routed = wires.shape[0]
    n = wires.shape[1]
    num_chunks = nums.shape[0]
    for i in prange(n):
        x = xs[i]
        for c in range(num_chunks):
            num = ONE
            den = ONE
            for j in range(c * chunk, min(num_routed, (c + 1) * chunk)):
                w = wires[j, i]
                num = mul_u64(num, add_u64(add_u64(w, mul_u64(beta, mul_u64(k_is[j], x))), gamma))
                den = mul_u64(den, add_u64(add_u64(w, mul_u64(beta, sigmas[j, i])), gamma))
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
def permutation_vanishing_terms(
    wires, sigmas, zs, pps, k_is, xs, l0, betas, gammas, chunk, blowup, alphas, alpha_offsets, out
):
    """out[a, i] += alpha_a^K * sum_t alpha_a^t P_t(x_i) for the permutation terms P_t.

    Terms, in order: for each challenge r, L0(x)(Z_r(x) - 1); then for each challenge r and
    chunk c, pp_{r,c}(x) den_{r,c}(x) - pp_{r,c-1}(x) num_{r,c}(x), with pp_{r,-1} = Z_r(x)
    and pp_{r,last} = Z_r(w x), read ``blowup`` positions further on the natural-order LDE.
    """
    num_routed = wires.shape[0]
    n_lde = wires.shape[1]
    num_ch = zs.shape[0]
    num_chunks = pps.shape[1] + 1
    num_terms = num_ch * (1 + num_chunks)
    for i in prange(n_lde):
        x = xs[i]
        terms = np.empty(num_terms, dtype=np.uint64)
        for r in range(num_ch):
            terms[r] = mul_u64(l0[i], sub_u64(zs[r, i], ONE))
            beta = betas[r]
            gamma = gammas[r]
            prev = zs[r, i]
            for c in range(num_chunks):
                num = ONE
                den = ONE
                for j in range(c * chunk, min(num_routed, (c + 1) * chunk)):
                    w = wires[j, i]
                    num = mul_u64(num, add_u64(add_u64(w, mul_u64(beta, mul_u64(k_is[j], x))), gamma))
                    den = mul_u64(den, add_u64(add_u64(w, mul_u64(beta, sigmas[j, i])), gamma))
                cur = pps[r, c, i] if c < num_chunks - 1 else zs[r, (i + blowup) % n_lde]
                terms[num_ch + r * num_chunks + c] = sub_u64(mul_u64(cur, den), mul_u64(prev, num))
                prev = cur
        for a in range(alphas.shape[0]):
            al = alphas[a]
            acc = terms[num_terms - 1]
            for t in range(num_terms - 2, -1, -1):
                acc = add_u64(mul_u64(acc, al), terms[t])
            out[a, i] = add_u64(out[a, i], mul_u64(alpha_offsets[a], acc))


@njit(parallel=True, cache=True)
def divide_by_zh(values, zh_inv, blowup):
    """values[a, i] *= 1 / Z_H(x_i); Z_H takes only ``blowup`` distinct values on the coset."""
    for a in range(values.shape[0]):
        for i in prange(values.shape[1]):
            values[a, i] = mul_u64(values[a, i], zh_inv[i % blowup])


__all__ = [
    "batch_inverse_kernel",
    "chunk_products",
    "divide_by_zh",
    "inv_u64",
    "permutation_vanishing_terms",
    "z_and_partial_products",
]
