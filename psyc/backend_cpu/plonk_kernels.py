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


@njit(inline="always", cache=True)
def _accumulate_combined(terms, alphas, alpha_offsets, out, i):
    """out[a, i] += alpha_offsets[a] * sum_t alphas[a]^t terms[t] (Horner)."""
    n = terms.shape[0]
    for a in range(alphas.shape[0]):
        al = alphas[a]
        acc = terms[n - 1]
        for t in range(n - 2, -1, -1):
            acc = add_u64(mul_u64(acc, al), terms[t])
        out[a, i] = add_u64(out[a, i], mul_u64(alpha_offsets[a], acc))


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
def permutation_vanishing_terms(
    wires, sigmas, zs, pps, k_is, xs, l0, betas, gammas, chunk, nxt, alphas, alpha_offsets, out
):
    """out[a, i] += alpha_a^K * sum_t alpha_a^t P_t(x_i) for the permutation terms P_t.

    Terms, in order: for each challenge r, L0(x)(Z_r(x) - 1); then for each challenge r and
    chunk c, pp_{r,c}(x) den_{r,c}(x) - pp_{r,c-1}(x) num_{r,c}(x), with pp_{r,-1} = Z_r(x)
    and pp_{r,last} = Z_r(w x), read at position ``nxt[i]`` (the point w x_i).
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
                j0, j1 = c * chunk, min(num_routed, (c + 1) * chunk)
                num, den = _chunk_num_den(wires, sigmas, k_is, j0, j1, i, x, beta, gamma)
                cur = pps[r, c, i] if c < num_chunks - 1 else zs[r, nxt[i]]
                terms[num_ch + r * num_chunks + c] = sub_u64(mul_u64(cur, den), mul_u64(prev, num))
                prev = cur
        _accumulate_combined(terms, alphas, alpha_offsets, out, i)


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
    "permutation_vanishing_terms",
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


@njit(parallel=True, cache=True)
def lookup_vanishing_terms(
    wires, selector, mult, table, helpers, xs_l0, deltas, nxt, alphas, alpha_offsets, out
):
    """out[a, i] += alpha_a^K' * sum_t alpha_a^t L_t(x_i) for the logUp terms L_t.

    For each challenge r (helpers[r] = h, g, phi on the LDE; phi(w x_i) at ``nxt[i]``), in order:
    L0(x) phi(x);  h(x) prod_j (d - w_j) - sum_j prod_{k != j} (d - w_k);
    g(x) (d - table(x)) - 1;  phi(w x) - phi(x) - sel(x) h(x) + m(x) g(x).
    """
    num_lookups = wires.shape[0]
    n_lde = wires.shape[1]
    num_ch = deltas.shape[0]
    num_terms = 4 * num_ch
    for i in prange(n_lde):
        terms = np.empty(num_terms, dtype=np.uint64)
        diffs = np.empty(num_lookups, dtype=np.uint64)
        for r in range(num_ch):
            d = deltas[r]
            h = helpers[r, 0, i]
            g = helpers[r, 1, i]
            phi = helpers[r, 2, i]
            prod = ONE
            for j in range(num_lookups):
                diffs[j] = sub_u64(d, wires[j, i])
                prod = mul_u64(prod, diffs[j])
            sum_others = np.uint64(0)
            for j in range(num_lookups):
                p = ONE
                for k in range(num_lookups):
                    if k != j:
                        p = mul_u64(p, diffs[k])
                sum_others = add_u64(sum_others, p)
            terms[4 * r] = mul_u64(xs_l0[i], phi)
            terms[4 * r + 1] = sub_u64(mul_u64(h, prod), sum_others)
            terms[4 * r + 2] = sub_u64(mul_u64(g, sub_u64(d, table[i])), ONE)
            phi_next = helpers[r, 2, nxt[i]]
            step = sub_u64(sub_u64(phi_next, phi), mul_u64(selector[i], h))
            terms[4 * r + 3] = add_u64(step, mul_u64(mult[i], g))
        _accumulate_combined(terms, alphas, alpha_offsets, out, i)
