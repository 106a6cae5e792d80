"""The GPU backend: :class:`psyc.backend.ProverBackend` on CuPy device arrays.

Every array-sized operation of the prover runs as a kernel of :mod:`psyc.backend_gpu`
(through :class:`psyc.backend_gpu.kernels.Kernels`), so the LDEs, Merkle trees, quotient
and FRI codewords stay on the device between phases; only small values (caps, openings,
Merkle paths, totals) come back. Results are bit-identical to the CPU backend's, so
proofs are byte-identical.

``GpuBackend.emulated()`` is the same class over NumPy arrays with the kernels compiled for
the CPU (:mod:`psyc.backend_gpu.emulation`): CI proves with it, without a GPU, and
compares the proofs with the CPU backend's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from psyc.backend_gpu.kernels import OP_MUL, OP_RSUB, OP_SUB, Kernels
from psyc.field.goldilocks import P, inv

if TYPE_CHECKING:
    from psyc.backend.protocol import Array, QuotientDomain


def _u64(values: Sequence[int]) -> np.ndarray:
    return np.array([int(v) % P for v in values], dtype=np.uint64)


def _unavailable(message: str) -> Exception:
    try:
        from psyc.backend import BackendUnavailable
    except ImportError:  # pragma: no cover - the registry is older than this backend
        return RuntimeError(message)
    return BackendUnavailable(message)


class GpuBackend:
    """Device arrays (CuPy) and the CUDA kernels of :mod:`psyc.backend_gpu`."""

    name = "gpu"

    def __init__(self, kernels: Kernels | None = None) -> None:
        if kernels is None:
            from psyc.backend_gpu.runtime import GpuUnavailable, device_kernels

            try:
                kernels = device_kernels()
            except GpuUnavailable as e:
                raise _unavailable(str(e)) from None
        self.K = kernels
        self.xp = kernels.xp
        self._domains: dict[tuple[int, int, int | None], object] = {}

    @classmethod
    def emulated(cls) -> GpuBackend:
        """This backend over NumPy, its CUDA kernels compiled for the CPU (slow; tests)."""
        from psyc.backend_gpu.emulation import emulated_kernels

        return cls(emulated_kernels())

    # --- memory ---------------------------------------------------------------------
    def _c(self, a):
        return self.xp.ascontiguousarray(a)

    def to_device(self, a: np.ndarray):
        a = np.asarray(a)
        return self._c(self.xp.asarray(a))

    def to_host(self, a: Array) -> np.ndarray:
        return self.K.to_host(a) if not isinstance(a, np.ndarray) else a

    def zeros(self, shape: tuple[int, ...]):
        return self.K.zeros(shape)

    def concat_rows(self, parts: Sequence):
        return self.xp.concatenate(list(parts), axis=0)

    def prefix_columns(self, a: Array, n: int):
        return a if a.shape[-1] == n else self._c(a[..., :n])

    def take_rows(self, a: Array, rows: Sequence[int]):
        return self._c(a[self.xp.asarray(np.asarray(list(rows), dtype=np.int64))])

    def all_zero(self, a: Array) -> bool:
        return not bool(a.any())

    def synchronize(self) -> None:
        if self.xp is not np:
            self.xp.cuda.Device().synchronize()

    # --- DFT ------------------------------------------------------------------------
    def _rows(self, a):
        a = self._c(a)
        return a.reshape(1, -1) if a.ndim == 1 else a

    def intt_rows(self, values: Array):
        return self.K.intt_rows(self._rows(values))

    def lde_rows(self, coeffs: Array, rate_bits: int, shift: int):
        return self.K.coset_lde_rows(self._rows(coeffs), rate_bits, shift)

    def coset_intt_rows(self, values_bitrev: Array, shift: int):
        natural = self.K.bit_reverse_rows(self._rows(values_bitrev))
        coeffs = self.K.intt_rows(natural)
        return self.K.scale_by_powers(coeffs, inv(shift % P))

    def ext_lde(self, coeffs: Array, shift: int):
        rows = self._c(coeffs.T)
        return self._c(self.K.coset_lde_rows(rows, 0, shift).T)

    # --- MMCS -----------------------------------------------------------------------
    def merkle_tree(self, leaves: Array, cap_height: int, columns: bool) -> list:
        leaves = self._c(leaves)
        digests = self.K.hash_columns(leaves) if columns else self.K.hash_rows(leaves)
        return self.K.merkle_levels(digests, cap_height)

    def merkle_openings(self, leaves: Array, levels: list, indices: Sequence[int], columns: bool):
        xp = self.xp
        idx = np.asarray(indices, dtype=np.int64)
        d_idx = xp.asarray(idx)
        values = self.to_host(self._c(leaves[:, d_idx].T if columns else leaves[d_idx]))
        if len(levels) == 1:
            return values, np.empty((len(idx), 0, 4), dtype=np.uint64)
        siblings = xp.stack([level[(d_idx >> k) ^ 1] for k, level in enumerate(levels[:-1])], axis=1)
        return values, self.to_host(self._c(siblings))

    # --- field ----------------------------------------------------------------------
    def batch_inverse(self, a: Array):
        a = self._c(a)
        return self.K.batch_inverse(a.reshape(-1)).reshape(a.shape)

    # --- Plonk ----------------------------------------------------------------------
    def quotient_domain(self, degree_bits: int, rate_bits: int, boundary_row: int | None):
        """Computed once per shape with the CPU backend's code (it is the definition) and
        kept on the device: it depends on nothing but the shape."""
        key = (degree_bits, rate_bits, boundary_row)
        if key not in self._domains:
            from psyc.backend.protocol import QuotientDomain

            host = _cpu_backend().quotient_domain(degree_bits, rate_bits, boundary_row)
            self._domains[key] = QuotientDomain(
                xs=self.to_device(host.xs),
                nxt=self.to_device(np.asarray(host.nxt, dtype=np.int64)),
                l0=self.to_device(host.l0),
                zh_inv=self.to_device(host.zh_inv),
                lu=None if host.lu is None else self.to_device(host.lu),
            )
        return self._domains[key]

    def permutation_products(self, system: Any, routed: Array, sigmas: Array, k_is: Sequence[int], xs: Array, beta: int, gamma: int, chunk: int):
        num_routed = routed.shape[0]
        m = -(-num_routed // chunk)
        return self.K.chunk_products(
            self._c(routed),
            self._c(sigmas),
            self.to_device(_u64(k_is)),
            self._c(xs),
            beta % P,
            gamma % P,
            chunk,
            m,
        )

    def z_and_partial_products(self, nums: Array, dens_inv: Array):
        return self.K.z_and_partial_products(self._c(nums), self._c(dens_inv))

    def lookup_helpers(self, looked: Array, mult: Array, table: Array, selector: Array, delta: int):
        K = self.K
        num_lookups, n = looked.shape
        d = delta % P
        inv_w = self.batch_inverse(K.scalar(self._c(looked), d, OP_RSUB))  # 1 / (d - w_j)
        g = K.batch_inverse(K.scalar(self._c(table), d, OP_RSUB))
        h = inv_w[0]
        for j in range(1, num_lookups):
            h = K.add(h, self._c(inv_w[j]))
        inc = K.sub(K.mul(self._c(selector), h), K.mul(self._c(mult), g))
        phi, total = K.running_sum(inc)
        return self.xp.stack([h, g, phi]), total

    def accumulate_gate_terms(self, evaluators: Sequence[Any], wires: Array, consts: Array, selectors: Array, pi_digest: Sequence[int], alphas: Sequence[int], out: Array) -> None:
        gates = [ev.gate for ev in evaluators]
        self.K.gate_quotients(
            gates,
            self._c(wires),
            self._c(consts),
            self._c(selectors),
            self.to_device(_u64(pi_digest)),
            self.to_device(_u64(alphas)),
            out,
        )

    def accumulate_permutation_terms(
        self, system: Any, routed: Array, sigmas: Array, zs: Array, pps: Array, domain: QuotientDomain, betas: Sequence[int], gammas: Sequence[int], alphas: Sequence[int], alpha_offsets: Sequence[int], active: Array | None, out: Array
    ) -> None:
        sources = (routed, sigmas, zs, pps, domain.l0, domain.xs)
        self._terms(system, sources, domain, [*betas, *gammas], alphas, alpha_offsets, active, out)

    def accumulate_lookup_terms(
        self, system: Any, looked: Array, selector: Array, mult: Array, table: Array, helpers: Array, domain: QuotientDomain, deltas: Sequence[int], alphas: Sequence[int], alpha_offsets: Sequence[int], active: Array | None, out: Array
    ) -> None:
        sources = (looked, selector, mult, table, helpers, domain.l0)
        self._terms(system, sources, domain, deltas, alphas, alpha_offsets, active, out)

    def _terms(self, system, sources, domain, scalars, alphas, offsets, active, out) -> None:
        dev = self.to_device
        flat = [self._c(a.reshape(math.prod(a.shape[:-1]), a.shape[-1])) for a in sources]
        self.K.vanishing_terms(
            system, flat, domain.nxt, dev(_u64(scalars)), dev(_u64(alphas)), dev(_u64(offsets)),
            None if active is None else self._c(active), out,
        )  # fmt: skip

    def accumulate_boundary_terms(self, columns: Array, minus: Sequence[int], lu: Array, alphas: Sequence[int], alpha_offsets: Sequence[int], out: Array) -> None:
        K = self.K
        columns, lu = self._c(columns), self._c(lu)
        terms = [K.scalar(self._c(columns[t]), int(v) % P, OP_SUB) for t, v in enumerate(minus)]
        for a, alpha in enumerate(alphas):
            acc = self.xp.zeros(columns.shape[1], dtype=np.uint64)
            for t in reversed(terms):
                acc = K.add(K.scalar(acc, int(alpha) % P, OP_MUL), t)
            scaled = K.scalar(K.mul(lu, acc), int(alpha_offsets[a]) % P, OP_MUL)
            out[a] = K.add(self._c(out[a]), scaled)

    def divide_by_zh(self, values: Array, zh_inv: Array) -> None:
        self.K.divide_by_zh(values, self._c(zh_inv))

    # --- PCS: FRI -------------------------------------------------------------------
    def evaluate_at(self, coeffs: Array, points: Sequence[tuple[int, int]]) -> np.ndarray:
        coeffs = self._c(coeffs)
        m = coeffs.shape[0]
        out = np.zeros((len(points), m, 2), dtype=np.uint64)
        for k, (z0, z1) in enumerate(points):
            out[k] = self.to_host(self.K.eval_rows(coeffs, int(z0) % P, int(z1) % P))
        return out

    def ext_powers(self, base: tuple[int, int], n: int):
        return self.K.ext_powers(int(base[0]) % P, int(base[1]) % P, n)

    def combine_rows(self, coeffs: Array, alpha_powers: Array, out: Array) -> None:
        self.K.combine_rows(self._c(coeffs), self._c(alpha_powers), out)

    def divide_by_linear(self, poly: Array, z: tuple[int, int]):
        return self.K.divide_by_linear(self._c(poly), int(z[0]) % P, int(z[1]) % P)[0]

    def ext_add_scaled(self, acc: Array, poly: Array, s: tuple[int, int]) -> None:
        self.K.scaled_add(acc, self._c(poly), int(s[0]) % P, int(s[1]) % P)

    def fold(self, coeffs: Array, arity: int, beta: tuple[int, int]):
        return self.K.fold(self._c(coeffs), arity, int(beta[0]) % P, int(beta[1]) % P)

    def grind(self, state: np.ndarray, prefix: np.ndarray, bits: int) -> int:
        return self.K.grind(np.asarray(state, dtype=np.uint64), [int(v) for v in prefix], bits)


@cache
def _cpu_backend():
    from psyc.backend_cpu.backend import CpuBackend

    return CpuBackend()


__all__ = ["GpuBackend"]
