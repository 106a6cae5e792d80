"""The CPU backend: :class:`psyc.backend.ProverBackend` on host NumPy arrays with the numba
kernels of this package. It is the reference every other backend must match bit for bit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from psyc.backend.protocol import Array, QuotientDomain
from psyc.backend_cpu import fri_kernels as fk
from psyc.backend_cpu import plonk_kernels as pk
from psyc.field.goldilocks import P, inv, primitive_root_of_unity
from psyc.field.vector import add_vec, batch_inverse_vec, mul_vec, powers_vec, scale_vec, sub_vec
from psyc.hash import poseidon_kernels as hk
from psyc.hash.poseidon import hash_or_noop_columns, hash_or_noop_rows, two_to_one_pairs
from psyc.poly.ntt import COSET_SHIFT, bit_reverse, coset_intt, intt, lde_batch


def _u64(values: Sequence[int]) -> np.ndarray:
    return np.array([int(v) % P for v in values], dtype=np.uint64)


def _run_terms(system, arrays, nxt, scalars, alphas, offsets, active, out) -> None:
    """out[a, i] += active[i] · offsets[a] · Σ_t alphas[a]^t T_t(x_i) for the terms of a
    :class:`psyc.plonk.vanishing.TermSystem`, run by the tape VM (the gates' kernel)."""
    from psyc.backend_cpu import gate_vm

    code, imm, num_regs, outputs = system.kernel_tape()
    selector = gate_vm.NONE if active is None else np.ascontiguousarray(active)
    nxt = np.ascontiguousarray(nxt, dtype=np.int64)
    gate_vm.accumulate(
        code, imm, num_regs, outputs, gate_vm.sources_tuple(*arrays), nxt, _u64(scalars), selector,
        _u64(alphas), _u64(offsets), out, f"{system.slug} terms", system.source_names,
    )  # fmt: skip


class CpuBackend:
    """Host arrays, numba kernels (parallel over the machine's cores)."""

    name = "cpu"

    def __init__(self) -> None:
        from psyc.backend_cpu import warmup

        warmup.ensure_compiled()  # a first run compiles the kernels on every core (the CLI's)

    # --- memory ---------------------------------------------------------------------
    def to_device(self, a: np.ndarray) -> Array:
        return np.ascontiguousarray(a)

    def to_host(self, a: Array) -> np.ndarray:
        return np.asarray(a)

    def zeros(self, shape: tuple[int, ...]) -> Array:
        return np.zeros(shape, dtype=np.uint64)

    def concat_rows(self, parts: Sequence[Array]) -> Array:
        return np.concatenate(parts, axis=0)

    def prefix_columns(self, a: Array, n: int) -> Array:
        # a view: the kernels read it through gate_vm.dense_rows, which hands them the
        # wider rows without copying
        return a[..., :n]

    def take_rows(self, a: Array, rows: Sequence[int]) -> Array:
        return np.ascontiguousarray(a[list(rows)])

    def all_zero(self, a: Array) -> bool:
        return not a.any()

    def synchronize(self) -> None:
        return None

    # --- DFT ------------------------------------------------------------------------
    def intt_rows(self, values: Array) -> Array:
        return intt(np.atleast_2d(values))

    def lde_rows(self, coeffs: Array, rate_bits: int, shift: int) -> Array:
        return lde_batch(coeffs, rate_bits, shift)

    def coset_intt_rows(self, values_bitrev: Array, shift: int) -> Array:
        return coset_intt(values_bitrev, shift, bitrev_input=True)

    def ext_lde(self, coeffs: Array, shift: int) -> Array:
        return np.ascontiguousarray(lde_batch(np.ascontiguousarray(coeffs.T), 0, shift).T)

    # --- MMCS -----------------------------------------------------------------------
    def merkle_tree(self, leaves: Array, cap_height: int, columns: bool) -> list[Array]:
        levels = [hash_or_noop_columns(leaves) if columns else hash_or_noop_rows(leaves)]
        while levels[-1].shape[0] > 1 << cap_height:
            levels.append(two_to_one_pairs(levels[-1]))
        return levels

    def merkle_openings(
        self, leaves: Array, levels: list[Array], indices: Sequence[int], columns: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        idx = np.asarray(indices, dtype=np.int64)
        values = np.ascontiguousarray((leaves[:, idx].T if columns else leaves[idx]), dtype=np.uint64)
        siblings = np.empty((len(idx), len(levels) - 1, 4), dtype=np.uint64)
        for k, level in enumerate(levels[:-1]):
            siblings[:, k] = level[(idx >> k) ^ 1]
        return values, siblings

    # --- field ----------------------------------------------------------------------
    def batch_inverse(self, a: Array) -> Array:
        return batch_inverse_vec(a)

    # --- Plonk ----------------------------------------------------------------------
    def quotient_domain(self, degree_bits: int, rate_bits: int, boundary_row: int | None) -> QuotientDomain:
        n, blowup = 1 << degree_bits, 1 << rate_bits
        n_lde = n * blowup
        omega_big = primitive_root_of_unity(degree_bits + rate_bits)
        xs = bit_reverse(powers_vec(omega_big, n_lde, start=COSET_SHIFT))
        positions = bit_reverse(np.arange(n_lde, dtype=np.uint64)).astype(np.int64)  # natural index
        nxt = positions[(positions + blowup) % n_lde]  # bit reversal is an involution
        # Z_H(x) = x^n - 1 takes `blowup` distinct values on the coset
        zh = [(pow(COSET_SHIFT, n, P) * pow(omega_big, i * n, P) - 1) % P for i in range(blowup)]
        zh_full = _u64(zh)[positions % blowup]
        l0 = mul_vec(zh_full, batch_inverse_vec(scale_vec(sub_vec(xs, np.ones(n_lde, dtype=np.uint64)), n)))
        zh_inv = _u64([inv(v) for v in zh])[positions % blowup]
        lu = None
        if boundary_row is not None:
            w_u = pow(primitive_root_of_unity(degree_bits), boundary_row, P)
            lu = mul_vec(
                scale_vec(zh_full, w_u),
                batch_inverse_vec(scale_vec(sub_vec(xs, np.full(n_lde, w_u, dtype=np.uint64)), n)),
            )
        return QuotientDomain(xs=xs, nxt=nxt, l0=l0, zh_inv=zh_inv, lu=lu)

    def permutation_products(
        self,
        system: Any,
        routed: Array,
        sigmas: Array,
        k_is: Sequence[int],
        xs: Array,
        beta: int,
        gamma: int,
        chunk: int,
    ) -> tuple[Array, Array]:
        # every factor is a term of the generated system, run by the tape VM (no kernel of
        # its own to compile): one run per term, since a run combines its terms
        num_routed, n = routed.shape
        m = -(-num_routed // chunk)
        out = np.zeros((2 * m, n), dtype=np.uint64)  # the numerators, then the denominators
        arrays = (routed, sigmas, np.asarray(xs).reshape(1, n))
        for t in range(2 * m):
            row = t // 2 + (t % 2) * m
            _run_terms(system.term(t), arrays, (), [beta, gamma], [1], [], None, out[row : row + 1])
        return out[:m], out[m:]

    def z_and_partial_products(self, nums: Array, dens_inv: Array) -> tuple[Array, Array, int]:
        m, n = nums.shape
        z = np.empty(n, dtype=np.uint64)
        pps = np.empty((m - 1, n), dtype=np.uint64)
        final = pk.z_and_partial_products(nums, dens_inv, z, pps)
        return z, pps, int(final)

    def lookup_helpers(
        self, looked: Array, mult: Array, table: Array, selector: Array, delta: int
    ) -> tuple[Array, int]:
        num_lookups, n = looked.shape
        d = np.full(n, delta % P, dtype=np.uint64)
        inv_w = batch_inverse_vec(sub_vec(np.broadcast_to(d, (num_lookups, n)), looked))
        g = batch_inverse_vec(sub_vec(d, table))
        h = inv_w[0]
        for j in range(1, num_lookups):
            h = add_vec(h, inv_w[j])
        phi = np.empty(n, dtype=np.uint64)
        total = pk.running_sum(sub_vec(mul_vec(selector, h), mul_vec(mult, g)), phi)
        return np.stack([h, g, phi]), int(total)

    def accumulate_gate_terms(
        self,
        evaluators: Sequence,
        wires: Array,
        consts: Array,
        selectors: Array,
        pi_digest: Sequence[int],
        alphas: Sequence[int],
        out: Array,
    ) -> None:
        from psyc.backend_cpu.gate_vm import dense_rows

        wires, consts = dense_rows(wires), dense_rows(consts)  # wider than out: the VM reads its width
        pi, al = _u64(pi_digest), _u64(alphas)
        for g, ev in enumerate(evaluators):
            ev.accumulate_quotient_terms(wires, consts, np.ascontiguousarray(selectors[g]), pi, al, out)

    def accumulate_permutation_terms(
        self,
        system: Any,
        routed: Array,
        sigmas: Array,
        zs: Array,
        pps: Array,
        domain: QuotientDomain,
        betas: Sequence[int],
        gammas: Sequence[int],
        alphas: Sequence[int],
        alpha_offsets: Sequence[int],
        active: Array | None,
        out: Array,
    ) -> None:
        arrays = (routed, sigmas, zs, pps, domain.l0, domain.xs)
        _run_terms(system, arrays, domain.nxt, [*betas, *gammas], alphas, alpha_offsets, active, out)

    def accumulate_lookup_terms(
        self,
        system: Any,
        looked: Array,
        selector: Array,
        mult: Array,
        table: Array,
        helpers: Array,
        domain: QuotientDomain,
        deltas: Sequence[int],
        alphas: Sequence[int],
        alpha_offsets: Sequence[int],
        active: Array | None,
        out: Array,
    ) -> None:
        arrays = (looked, selector, mult, table, helpers, domain.l0)
        _run_terms(system, arrays, domain.nxt, deltas, alphas, alpha_offsets, active, out)

    def accumulate_boundary_terms(
        self,
        columns: Array,
        minus: Sequence[int],
        lu: Array,
        alphas: Sequence[int],
        alpha_offsets: Sequence[int],
        out: Array,
    ) -> None:
        n_lde = columns.shape[1]
        terms = [sub_vec(columns[t], np.full(n_lde, v % P, dtype=np.uint64)) for t, v in enumerate(minus)]
        for a, alpha in enumerate(alphas):
            acc = np.zeros(n_lde, dtype=np.uint64)
            for t in reversed(terms):
                acc = add_vec(scale_vec(acc, alpha), t)
            out[a] = add_vec(out[a], scale_vec(mul_vec(lu, acc), alpha_offsets[a]))

    def divide_by_zh(self, values: Array, zh_inv: Array) -> None:
        pk.divide_by_zh(values, zh_inv)

    # --- PCS: FRI -------------------------------------------------------------------
    def evaluate_at(self, coeffs: Array, points: Sequence[tuple[int, int]]) -> np.ndarray:
        m, n = coeffs.shape
        out = np.zeros((len(points), m, 2), dtype=np.uint64)
        # values[r] = sum_j coeffs[r, j] z^j: combine_rows over the transposed matrix
        coeffs_t = np.ascontiguousarray(coeffs.T)
        for k, z in enumerate(points):
            fk.combine_rows(coeffs_t, self.ext_powers(z, n), out[k])
        return out

    def ext_powers(self, base: tuple[int, int], n: int) -> Array:
        return fk.ext_powers(np.uint64(base[0]), np.uint64(base[1]), n)

    def combine_rows(self, coeffs: Array, alpha_powers: Array, out: Array) -> None:
        fk.combine_rows(np.ascontiguousarray(coeffs), np.ascontiguousarray(alpha_powers), out)

    def divide_by_linear(self, poly: Array, z: tuple[int, int]) -> Array:
        out = np.empty_like(poly)
        fk.divide_by_linear(poly, np.uint64(z[0]), np.uint64(z[1]), out)
        return out

    def ext_add_scaled(self, acc: Array, poly: Array, s: tuple[int, int]) -> None:
        fk.scaled_add(acc, poly, np.uint64(s[0]), np.uint64(s[1]))

    def fold(self, coeffs: Array, arity: int, beta: tuple[int, int]) -> Array:
        out = np.empty((coeffs.shape[0] // arity, 2), dtype=np.uint64)
        fk.fold_coeffs(coeffs, arity, np.uint64(beta[0]), np.uint64(beta[1]), out)
        return out

    def grind(self, state: np.ndarray, prefix: np.ndarray, bits: int) -> int:
        base = np.ascontiguousarray(state, dtype=np.uint64)
        pre = np.ascontiguousarray(prefix, dtype=np.uint64)
        # expected work is 2^bits; batches of that size keep threads from overshooting far
        batch = max(1 << 12, 1 << bits)
        start = 0
        while start < P:
            nonce = int(hk.grind(base, pre, bits, start, min(batch, P - start)))
            if nonce >= 0:
                return nonce
            start += batch
        raise RuntimeError("proof-of-work search exhausted the field")  # pragma: no cover
