"""Host-side orchestration of the GPU kernels, written once for both executors.

:class:`Kernels` sequences launches of the kernels in :mod:`psyc.backend_gpu.sources`
over arrays of an array module ``xp``: CuPy device arrays with the NVRTC-compiled module
(:mod:`psyc.backend_gpu.runtime`), or NumPy arrays with the same kernels compiled for the
CPU (:mod:`psyc.backend_gpu.emulation`) -- which is how CI tests this code without a GPU.
Every array is C-contiguous ``uint64``; matrices hold one polynomial per row, extension
vectors are ``(n, 2)``. Results are canonical and equal, bit for bit, to the numba
kernels' in :mod:`psyc.backend_cpu`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

import numpy as np

from psyc.backend.protocol import Array
from psyc.backend_gpu.sources import (
    NTT_LOG_SHARED,
    NTT_SHARED_THREADS,
    cuda_kernel_name,
    gates_source,
    terms_cuda_source,
)
from psyc.field.goldilocks import P, inv

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from psyc.plonk.gates.base import Gate
    from psyc.plonk.vanishing import TermSystem

BLOCK = 256
OP_MUL, OP_ADD, OP_SUB, OP_RSUB = 0, 1, 2, 3
# Serial chunk of the scans, batch inverse, powers and synthetic division: long enough that
# the one-thread pass over chunk totals stays short, short enough for parallelism.
SCAN_CHUNK = 64
_U64_MAX = (1 << 64) - 1


class LaunchModule(Protocol):
    """A compiled module of kernels: NVRTC's (:class:`psyc.backend_gpu.runtime.CudaModule`)
    or the CPU emulation's (:class:`psyc.backend_gpu.emulation.EmulatedModule`)."""

    def launch(self, name: str, grid: tuple[int, int], block: int, args: tuple) -> None: ...


def _log2(n: int) -> int:
    if n <= 0 or n & (n - 1):
        raise ValueError(f"length must be a power of two, got {n}")
    return n.bit_length() - 1


class Kernels:
    """The GPU backend's operations; ``module.launch(name, grid, block, args)`` runs a
    kernel, ``generated_module(key, make_source)`` returns the module of a generated source
    (the gates' quotient kernels, a vanishing-term kernel), built once per key."""

    def __init__(
        self,
        module: LaunchModule,
        xp: ModuleType,
        generated_module: Callable[[str, Callable[[], str]], LaunchModule],
        min_grind_batch: int = 1 << 16,
    ) -> None:
        self.mod = module
        self.min_grind_batch = min_grind_batch  # nonces per grinding launch, at least
        self.xp = xp
        self._generated_module = generated_module
        self._unused = None
        self._tw: dict[tuple[int, bool], object] = {}
        self._shift: dict[tuple[int, int, int], tuple] = {}

    # ------------------------------------------------------------ plumbing
    def _go(self, name: str, threads: int, args: tuple, rows: int = 1, block: int = BLOCK) -> None:
        if threads <= 0 or rows <= 0:
            return
        self.mod.launch(name, ((threads + block - 1) // block, rows), block, args)

    def asarray(self, a: ArrayLike) -> object:
        """A contiguous uint64 array of this executor (uploads host arrays)."""
        return self.xp.ascontiguousarray(self.xp.asarray(a, dtype=self.xp.uint64))

    def to_host(self, a: Array) -> np.ndarray:
        return a if isinstance(a, np.ndarray) else a.get()

    def empty(self, shape: int | tuple[int, ...]) -> object:
        return self.xp.empty(shape, dtype=self.xp.uint64)

    def zeros(self, shape: int | tuple[int, ...]) -> object:
        return self.xp.zeros(shape, dtype=self.xp.uint64)

    def twiddles(self, log_n: int, inverse: bool = False):
        key = (log_n, inverse)
        if key not in self._tw:
            from psyc.poly.ntt import twiddles

            self._tw[key] = self.asarray(twiddles(log_n, inverse))
        return self._tw[key]

    # ------------------------------------------------------------ field vectors
    def binary(self, a: Array, b: Array, op: int):
        out = self.empty(a.shape)
        self._go("vec_binary", a.size, (a, b, out, a.size, op))
        return out

    def mul(self, a: Array, b: Array):
        return self.binary(a, b, OP_MUL)

    def add(self, a: Array, b: Array):
        return self.binary(a, b, OP_ADD)

    def sub(self, a: Array, b: Array):
        return self.binary(a, b, OP_SUB)

    def scalar(self, a: Array, s: int, op: int):
        out = self.empty(a.shape)
        self._go("vec_scalar", a.size, (a, s % P, out, a.size, op))
        return out

    def powers(self, base: int, n: int, start: int = 1):
        """[start * base^i for i < n]"""
        out = self.empty((n,))
        self._go("vec_powers", -(-n // SCAN_CHUNK), (base % P, start % P, out, n, SCAN_CHUNK))
        return out

    def batch_inverse(self, a: Array):
        """Elementwise inverses; ZeroDivisionError when an element is zero."""
        out = self.empty(a.shape)
        ok = self.asarray(np.ones(1, dtype=np.uint64))
        self._go("vec_batch_inverse", -(-a.size // SCAN_CHUNK), (a, out, a.size, SCAN_CHUNK, ok))
        if int(self.to_host(ok)[0]) != 1:
            raise ZeroDivisionError("batch inverse of a vector holding zero")
        return out

    def exclusive_scan(self, x: Array, op: int):
        """(out, total): out[i] = x[0] op ... op x[i-1] (the identity for i = 0)."""
        n = x.size
        count = -(-n // SCAN_CHUNK)
        totals = self.empty((count + 1,))
        out = self.empty((n,))
        self._go("scan_totals", count, (x, n, SCAN_CHUNK, op, totals))
        self._go("scan_serial", 1, (totals, count, op), block=1)
        self._go("scan_fill", count, (x, n, SCAN_CHUNK, op, totals, out))
        return out, int(self.to_host(totals[count : count + 1])[0])

    # ------------------------------------------------------------ NTT
    def dif_rows(self, a: Array, inverse: bool = False) -> None:
        """In-place DIF of every row of an (m, n) matrix (natural in, bit-reversed out)."""
        m, n = a.shape
        log_n = _log2(n)
        if log_n == 0:
            self._go("vec_scalar", a.size, (a, 0, a, a.size, OP_ADD))  # canonical, like the CPU
            return
        tw = self.twiddles(log_n, inverse)
        log_h = log_n - 1
        while log_h >= NTT_LOG_SHARED:
            s = min(4, log_h - NTT_LOG_SHARED + 1)
            self._go(f"ntt_pass{s}", n >> s, (a, tw, n, log_h, n), rows=m)
            log_h -= s
        log_block = min(log_n, NTT_LOG_SHARED)
        threads = min(NTT_SHARED_THREADS, 1 << (log_block - 1))
        self.mod.launch("ntt_shared", (n >> log_block, m), threads, (a, tw, n, log_block, n))

    def bit_reverse_rows(self, a: Array, scale: int = 1):
        m, n = a.shape
        out = self.empty(a.shape)
        self._go("bit_reverse_rows", n, (a, out, n, _log2(n), scale % P), rows=m)
        return out

    def ntt_rows(self, coeffs: Array, bitrev_output: bool = False):
        a = self.xp.array(coeffs, dtype=self.xp.uint64, copy=True)
        self.dif_rows(a)
        return a if bitrev_output else self.bit_reverse_rows(a)

    def intt_rows(self, values: Array):
        """Coefficients of each row from its values on <w_n> (natural order)."""
        a = self.xp.array(values, dtype=self.xp.uint64, copy=True)
        n = a.shape[1]
        self.dif_rows(a, inverse=True)
        return self.bit_reverse_rows(a, inv(n))

    def _scale_pad(self, coeffs, big: int, shift: int):
        """(m, big): row r is coeffs[r, i] * shift^i, zero-padded beyond coeffs' width."""
        m, n = coeffs.shape
        log_big = _log2(big)
        lo_bits = (log_big + 1) // 2
        pw_lo, pw_hi = self._shift_tables(shift % P, lo_bits, log_big - lo_bits)
        out = self.empty((m, big))
        self._go("scale_pad_rows", big, (coeffs, n, n, out, big, pw_lo, pw_hi, lo_bits), rows=m)
        return out

    def scale_by_powers(self, coeffs: Array, shift: int):
        """out[r, i] = coeffs[r, i] * shift^i"""
        return self._scale_pad(coeffs, coeffs.shape[1], shift)

    def coset_lde_rows(self, coeffs: Array, rate_bits: int, shift: int):
        """(m, n) coefficients -> (m, n << rate_bits) bit-reversed values on shift * <w_N>."""
        out = self._scale_pad(coeffs, coeffs.shape[1] << rate_bits, shift)
        self.dif_rows(out)
        return out

    def _shift_tables(self, shift: int, lo_bits: int, hi_bits: int):
        key = (shift, lo_bits, hi_bits)
        if key not in self._shift:
            lo, hi = _shift_tables(shift, lo_bits, hi_bits)
            self._shift[key] = (self.asarray(lo), self.asarray(hi))
        return self._shift[key]

    # ------------------------------------------------------------ Poseidon, Merkle
    def permute_batch(self, states: Array) -> None:
        self._go("poseidon_permute_batch", states.shape[0], (states, states.shape[0]))

    def hash_columns(self, mat: Array, salt: Array | None = None):
        """hash_or_noop of every column of an (m, N) matrix (then of ``salt``'s column)."""
        m, n = mat.shape
        salt_args = (mat, 0, 0, 0) if salt is None else (salt, salt.shape[0], 1, n)
        out = self.empty((n, 4))
        self._go("poseidon_hash_leaves", n, (mat, n, m, 1, n, *salt_args, out))
        return out

    def hash_rows(self, mat: Array):
        """hash_or_noop of every row of an (n, m) matrix."""
        n, m = mat.shape
        out = self.empty((n, 4))
        self._go("poseidon_hash_leaves", n, (mat, n, m, m, 1, mat, 0, 0, 0, out))
        return out

    def compress_pairs(self, children: Array):
        n = children.shape[0] // 2
        out = self.empty((n, 4))
        self._go("poseidon_compress", n, (children, out, n))
        return out

    def merkle_levels(self, leaf_digests: Array, cap_height: int) -> list:
        """[leaf digests, ..., cap]: every level of the tree down to 2^cap_height digests."""
        levels = [leaf_digests]
        while levels[-1].shape[0] > 1 << cap_height:
            levels.append(self.compress_pairs(levels[-1]))
        return levels

    def grind(self, base_state: Array, prefix: Array, bits: int) -> int:
        """The smallest nonce whose duplexing leaves ``bits`` leading zeros (psyc.iop)."""
        if bits == 0:
            return 0
        base = self.asarray(np.asarray(base_state, dtype=np.uint64))
        pre = self.asarray(np.asarray(list(prefix) or [0], dtype=np.uint64))
        result = self.asarray(np.array([_U64_MAX], dtype=np.uint64))
        batch = max(self.min_grind_batch, 1 << min(bits + 2, 26))
        start = 0
        while start < P:
            count = min(batch, P - start)
            self._go("poseidon_grind", count, (base, pre, len(prefix), bits, start, count, result))
            found = int(self.to_host(result)[0])
            if found != _U64_MAX:
                return found
            start += count
        raise RuntimeError("proof-of-work search exhausted the field")  # pragma: no cover

    # ------------------------------------------------------------ Plonk
    def chunk_products(
        self, wires: Array, sigmas: Array, k_is: Array, xs: Array, beta: int, gamma: int, chunk: int,
        num_chunks: int,
    ):
        routed, n = wires.shape
        nums, dens = self.empty((num_chunks, n)), self.empty((num_chunks, n))
        self._go(
            "plonk_chunk_products",
            n,
            (wires, wires.shape[1], sigmas, sigmas.shape[1], k_is, xs, beta, gamma, chunk, routed, num_chunks, nums, dens, n),
        )
        return nums, dens

    def z_and_partial_products(self, nums: Array, dens_inv: Array):
        """(z, pps, final) as psyc.backend_cpu.plonk_kernels.z_and_partial_products."""
        m, n = nums.shape
        q = self.empty((n,))
        self._go("plonk_row_ratios", n, (nums, dens_inv, m, q, n))
        z, final = self.exclusive_scan(q, OP_MUL)
        pps = self.empty((m - 1, n))
        self._go("plonk_partial_products", n, (nums, dens_inv, m, z, pps, n))
        return z, pps, final

    def running_sum(self, increments: Array):
        return self.exclusive_scan(increments, OP_ADD)

    def vanishing_terms(
        self, system: TermSystem, sources: Sequence[Array], nxt: Array, scalars: Array, alphas: Array,
        offsets: Array, active: Array | None, out: Array,
    ) -> None:
        """out[a, i] += active[i] * offsets[a] * sum_t alphas[a]^t T_t(i) for the terms of a
        :class:`psyc.plonk.vanishing.TermSystem` (its kernel generated from the definition);
        ``sources`` as the system's columns name them (2-D row-major), ``nxt`` int64,
        ``active`` None for ones."""
        import hashlib

        key = "terms:" + hashlib.sha256(system.key().encode()).hexdigest()
        mod = self._generated_module(key, lambda: terms_cuda_source(system))
        if self._unused is None:
            self._unused = self.zeros((1, 1))
        srcs = list(sources) + [self._unused] * (6 - len(sources))
        n = out.shape[1]
        mod.launch(
            system.CUDA_KERNEL,
            (-(-n // BLOCK), 1),
            BLOCK,
            (*srcs, nxt, scalars, out if active is None else active, int(active is not None), alphas,
             alphas.shape[0], offsets, out, n),
        )  # fmt: skip

    def divide_by_zh(self, values: Array, zh_inv: Array) -> None:
        rows, n_lde = values.shape
        self._go("plonk_divide_by_zh", n_lde, (values, rows, zh_inv, n_lde))

    def gate_quotients(
        self, gates: Sequence[Gate], wires: Array, consts: Array, selectors: Sequence[Array], pi: Array,
        alphas: Array, out: Array,
    ) -> None:
        """out[a, i] += selector_g[i] * sum_k alphas[a]^k C_{g,k}(i) for every gate g
        (selectors[g] is gate g's selector on the LDE)."""

        key = "gates:" + ";".join(f"{g.id}:{g.fingerprint}" for g in gates)
        mod = self._generated_module(key, lambda: gates_source(gates))
        n = out.shape[1]
        for g, gate in enumerate(gates):
            if gate.num_constraints:
                sel = selectors[g]
                mod.launch(
                    cuda_kernel_name(gate),
                    (-(-n // BLOCK), 1),
                    BLOCK,
                    (wires, wires.shape[1], consts, consts.shape[1], sel, pi, alphas, alphas.shape[0], out, n),
                )

    # ------------------------------------------------------------ FRI
    def combine_rows(self, coeffs: Array, alpha_powers: Array, out: Array) -> None:
        """out[j] += sum_i alpha_powers[i] * coeffs[i, j]"""
        m, n = coeffs.shape
        self._go("fri_combine_rows", n, (coeffs, m, n, n, alpha_powers, out))

    def scaled_add(self, acc: Array, poly: Array, s0: int, s1: int) -> None:
        self._go("fri_scaled_add", acc.shape[0], (acc, poly, s0, s1, acc.shape[0]))

    def fold(self, coeffs: Array, arity: int, beta0: int, beta1: int):
        n_out = coeffs.shape[0] // arity
        out = self.empty((n_out, 2))
        self._go("fri_fold", n_out, (coeffs, arity, beta0, beta1, out, n_out))
        return out

    def ext_powers(self, z0: int, z1: int, n: int):
        out = self.empty((n, 2))
        self._go("fri_ext_powers", -(-n // SCAN_CHUNK), (z0, z1, out, n, SCAN_CHUNK))
        return out

    def divide_by_linear(self, poly: Array, z0: int, z1: int):
        """(quotient, poly(z)): (poly(X) - poly(z)) / (X - z) on (n, 2) coefficients."""
        n = poly.shape[0]
        chunk = min(SCAN_CHUNK, n)
        count = -(-n // chunk)
        partial = self.empty((count + 1, 2))
        out = self.empty((n, 2))
        self._go("fri_div_chunks", count, (poly, n, chunk, z0, z1, partial))
        self._go("fri_div_serial", 1, (partial, count, chunk, z0, z1), block=1)
        self._go("fri_div_fill", count, (poly, n, chunk, z0, z1, partial, out))
        v = self.to_host(partial[count])
        return out, (int(v[0]), int(v[1]))

    def eval_rows(self, coeffs: Array, z0: int, z1: int):
        """(m, 2): every row of an (m, n) base coefficient matrix at the extension point z."""
        m, n = coeffs.shape
        zpow = self.ext_powers(z0, z1, n)
        out = self.empty((m, 2))
        self.mod.launch("fri_eval_rows", (m, 1), 256, (coeffs, n, n, zpow, out))
        return out


@cache
def _shift_tables(shift: int, lo_bits: int, hi_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """shift^i for i < 2^lo_bits, and shift^(i * 2^lo_bits) for i < 2^hi_bits."""
    from psyc.field.vector import powers_vec

    lo = powers_vec(shift, 1 << lo_bits)
    hi = powers_vec(pow(shift, 1 << lo_bits, P), 1 << hi_bits)
    lo.flags.writeable = hi.flags.writeable = False
    return lo, hi
