"""The prover's array backend: every operation the prover performs on field arrays.

A backend owns where the big arrays live (host memory for the CPU backend, device memory
for the GPU backend) and how they are transformed. The protocol code (``plonk/prover.py``,
``fri/``, ``hash/merkle.py``) keeps the transcript, the control flow and the small values
(challenges, caps, openings) on the host, and hands every array-sized operation to a
:class:`ProverBackend`. The split follows Plonky3's traits: the DFT (NTT / LDE), the MMCS
(Merkle commitments and openings), the PCS (FRI combine and fold, grinding), plus the
Plonk-specific vanishing-polynomial kernels.

Conventions shared by every method (a backend must produce *bit-identical* results to
:class:`psyc.backend_cpu.backend.CpuBackend`, the reference — proofs are byte-identical
across backends):

* **Arrays.** ``Array`` is the backend's native array type (``numpy.ndarray`` on the CPU,
  ``cupy.ndarray`` on the GPU), dtype ``uint64``, C-contiguous unless a method says
  otherwise. Every method that returns field values returns *canonical* values (< p).
  Inputs are canonical unless a method says otherwise. The prover slices arrays only with
  basic slices (``a[i:j]``, ``a[i]``, ``a[:, i:j]``), ``reshape`` of contiguous arrays
  (views, both NumPy and CuPy support them) and, with zero knowledge, assignment of a
  backend array into a basic slice of an array a method returned (``z[u:] = r``: the
  random blinding rows); everything else goes through a method.
* **Matrices of polynomials** are row-major ``(m, n)``: one polynomial (its coefficients,
  or its values) per row. A *column* ``a[:, j]`` is then all polynomials at one point:
  that is one Merkle leaf ("column-major LDE": committed without transposing).
* **Extension elements** (F[x]/(x² − 7)) are the last axis of length 2: ``(..., 2)``
  with ``[..., 0]`` the constant coefficient. Scalars cross the interface as Python ints
  (base field) or ``(a0, a1)`` pairs of ints (extension).
* **Orders.** Trace values (``intt_rows`` input) are in natural order: column ``j`` is the
  value at ``ω_n^j``. LDEs are in **bit-reversed** order: column ``brev(i)`` holds the
  value at ``shift · ω_N^i`` (N = n << rate_bits); that is the Merkle leaf order, and each
  run of ``arity`` consecutive leaves is a coset of the order-``arity`` subgroup.
* **In place.** Methods named ``accumulate_*``, ``divide_by_zh``, ``combine_rows`` and
  ``ext_add_scaled`` write into an ``out``/``acc`` argument and return None; every other
  method returns new arrays and leaves its inputs untouched.
* **Host results.** Methods documented as returning ``numpy.ndarray`` or ints bring small
  results (openings, Merkle paths, totals) to the host; everything else stays resident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

#: The backend's native array type (see the module docstring).
Array = Any


@dataclass
class QuotientDomain:
    """The LDE coset on which the quotient is evaluated, in bit-reversed (leaf) order.

    All arrays have length ``N = n << rate_bits`` and live on the backend.
    """

    xs: Array  #: uint64 (N,): xs[i] = 7 · ω_N^brev(i), the point of LDE column i
    nxt: Array  #: int64 (N,): the column holding ω_n · xs[i] (the "next row" point)
    l0: Array  #: uint64 (N,): L_0(xs[i]) = Z_H(x) / (n (x − 1)), the first Lagrange basis polynomial
    zh_inv: Array  #: uint64 (N,): 1 / Z_H(xs[i]) with Z_H(x) = x^n − 1
    #: uint64 (N,): L_u(xs[i]) = ω^u Z_H(x) / (n (x − ω^u)), the Lagrange basis polynomial of
    #: the boundary row u (zero knowledge: the first blinding row), or None without one
    lu: Array | None = None


@runtime_checkable
class ProverBackend(Protocol):
    """What the prover does to arrays. See the module docstring for the conventions."""

    #: Registry name (``"cpu"``, ``"gpu"``): ``--backend NAME`` / ``PSYC_BACKEND=NAME``.
    name: str

    # --- memory ---------------------------------------------------------------------
    def to_device(self, a: np.ndarray) -> Array:
        """A backend copy of a host array (any integer dtype; uint64 field values and
        int64 index arrays keep their dtype). The CPU backend may return ``a`` itself
        when it is already C-contiguous of the right dtype; callers never mutate it."""
        ...

    def to_host(self, a: Array) -> np.ndarray:
        """A host ``numpy.ndarray`` with the same shape, dtype and values (synchronises)."""
        ...

    def zeros(self, shape: tuple[int, ...]) -> Array:
        """A new uint64 array of zeros."""
        ...

    def concat_rows(self, parts: Sequence[Array]) -> Array:
        """``np.concatenate(parts, axis=0)`` for 2-D uint64 arrays of equal width."""
        ...

    def take_rows(self, a: Array, rows: Sequence[int]) -> Array:
        """A new C-contiguous array of the given rows (axis 0) of ``a``, in that order."""
        ...

    def prefix_columns(self, a: Array, n: int) -> Array:
        """The first ``n`` entries of every row of the 2-D ``a`` (``a`` itself when ``n`` is
        its width; callers never mutate the result and pass it only to this backend, so it
        may be a strided view: the CPU backend's is)."""
        ...

    def all_zero(self, a: Array) -> bool:
        """True iff every element of ``a`` (any shape, possibly a strided view) is zero."""
        ...

    def synchronize(self) -> None:
        """Wait until every queued operation has finished (for phase timing)."""
        ...

    # --- DFT: NTT and low-degree extension -----------------------------------------
    def intt_rows(self, values: Array) -> Array:
        """Coefficients ``(m, n)`` of the polynomials taking ``values[r, j]`` at ``ω_n^j``
        (natural order in and out; n a power of two, n ≥ 1)."""
        ...

    def lde_rows(self, coeffs: Array, rate_bits: int, shift: int) -> Array:
        """Low-degree extension ``(m, n << rate_bits)`` of each row of an ``(m, n)``
        coefficient matrix on the coset ``shift · <ω_N>``, **bit-reversed** order:
        ``out[r, brev(i)] = coeffs_r(shift · ω_N^i)``."""
        ...

    def coset_intt_rows(self, values_bitrev: Array, shift: int) -> Array:
        """Inverse of an LDE with ``rate_bits = 0``: ``values_bitrev`` ``(m, n)`` holds, at
        column ``brev(i)``, the value at ``shift · ω_n^i``; returns the ``(m, n)``
        coefficients in natural order."""
        ...

    def ext_lde(self, coeffs: Array, shift: int) -> Array:
        """Evaluations ``(n, 2)`` of the extension polynomial with ``n`` coefficients
        ``coeffs (n, 2)`` on ``shift · <ω_n>``, bit-reversed order (an ``lde_rows`` with
        ``rate_bits = 0`` of the two coordinate polynomials)."""
        ...

    # --- MMCS: Merkle commitments --------------------------------------------------
    def merkle_tree(self, leaves: Array, cap_height: int, columns: bool) -> list[Array]:
        """The digest levels of a Poseidon Merkle tree (plonky2 conventions, see
        :mod:`psyc.hash.merkle`). With ``columns`` leaf ``j`` is ``leaves[:, j]`` of an
        ``(w, N)`` matrix (a column-major LDE, committed without transposing); otherwise
        leaf ``j`` is row ``leaves[j]`` of an ``(N, w)`` matrix. Leaf digest:
        ``hash_or_noop(leaf)``; inner node: ``two_to_one(left, right)``.

        Returns ``levels`` with ``levels[0]`` the ``(N, 4)`` leaf digests and
        ``levels[k]`` the ``(N >> k, 4)`` digests ``k`` levels up, stopping at the cap:
        ``levels[-1]`` is the ``(2^cap_height, 4)`` cap. N is a power of two ≥ 2^cap_height.
        """
        ...

    def merkle_openings(
        self, leaves: Array, levels: list[Array], indices: Sequence[int], columns: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Batched openings of a tree made by :meth:`merkle_tree` (same ``leaves`` and
        ``columns``). Returns host arrays ``(values, siblings)``: ``values[q]`` (shape
        ``(len(indices), w)``) is leaf ``indices[q]``; ``siblings[q, k]`` (shape
        ``(len(indices), len(levels) - 1, 4)``) is the sibling digest at level ``k`` of
        the path of ``indices[q]``, from the leaf level up to (not including) the cap."""
        ...

    # --- field ----------------------------------------------------------------------
    def batch_inverse(self, a: Array) -> Array:
        """Elementwise inverses, same shape. Raises ``ZeroDivisionError`` if any element
        is zero (Montgomery's trick; the error is how the prover detects an unlucky
        challenge)."""
        ...

    # --- Plonk: permutation and lookup arguments, quotient --------------------------
    def quotient_domain(self, degree_bits: int, rate_bits: int, boundary_row: int | None) -> QuotientDomain:
        """The :class:`QuotientDomain` of a trace of ``2^degree_bits`` rows on the LDE of
        blowup ``2^rate_bits`` (coset shift 7); ``lu`` for ``boundary_row`` u (None: no
        ``lu``)."""
        ...

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
        """Per-chunk numerators and denominators of the copy-constraint product on the
        trace. ``routed`` and ``sigmas`` are ``(R, n)`` trace values, ``xs`` ``(n,)`` the
        points ``ω_n^i``. Returns ``(nums, dens)``, each ``(m, n)`` with
        ``m = ceil(R / chunk)``: ``nums[c, i] = Π_{j in chunk c} (w_j + β k_j x_i + γ)``,
        ``dens[c, i] = Π_{j in chunk c} (w_j + β σ_j + γ)``, chunk ``c`` being wires
        ``c·chunk .. min(R, (c+1)·chunk) − 1``. ``system`` defines them symbolically
        (:func:`psyc.plonk.vanishing.permutation_products_system`: term ``2c`` is
        ``nums[c]``, ``2c + 1`` is ``dens[c]``)."""
        ...

    def z_and_partial_products(self, nums: Array, dens_inv: Array) -> tuple[Array, Array, int]:
        """The running product Z and its partial products from ``(m, n)`` chunk
        numerators and inverted denominators: ``Z[0] = 1``,
        ``Z[i+1] = Z[i] Π_c nums[c,i] dens_inv[c,i]``;
        ``pps[c, i] = Z[i] Π_{c' ≤ c} nums[c',i] dens_inv[c',i]`` for ``c < m − 1``.
        Returns ``(Z (n,), pps (m − 1, n), final)`` with ``final`` (host int) the
        wrap-around product ``Z[n]``, which is 1 iff the copy constraints hold."""
        ...

    def lookup_helpers(
        self, looked: Array, mult: Array, table: Array, selector: Array, delta: int
    ) -> tuple[Array, int]:
        """The logUp helper columns on the trace. ``looked`` ``(L, n)`` are the looked-up
        wires, ``mult``, ``table``, ``selector`` ``(n,)``. Returns ``(helpers (3, n),
        total)``: ``h = Σ_j 1/(δ − w_j)``, ``g = 1/(δ − table)``, ``φ[0] = 0``,
        ``φ[i+1] = φ[i] + sel[i]·h[i] − mult[i]·g[i]``; ``total`` (host int) is the
        wrap-around ``φ[n]``, 0 iff every lookup is in the table. Raises
        ``ZeroDivisionError`` when some ``δ − w`` or ``δ − table`` is zero."""
        ...

    def accumulate_gate_terms(
        self,
        evaluators: Sequence[Any],
        wires: Array,
        consts: Array,
        selectors: Array,
        pi_digest: Sequence[int],
        alphas: Sequence[int],
        out: Array,
    ) -> None:
        """In place: ``out[a, i] += Σ_g selectors[g, i] · Σ_k alphas[a]^k C_{g,k}(row i)``
        over the LDE columns. ``evaluators[g]`` is a
        :class:`psyc.plonk.gates.evaluators.GateEvaluators` (its ``.gate`` is the symbolic
        definition a backend generates its kernel from; the CPU backend calls its numba
        ``accumulate_quotient_terms``). ``wires`` ``(W, N)``, ``consts`` ``(K, N)``,
        ``selectors`` ``(len(evaluators), N)`` LDE rows; ``out`` ``(len(alphas), N)``."""
        ...

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
        """In place: ``out[a, i] += active[i] · alpha_offsets[a] · Σ_t alphas[a]^t P_t(x_i)`` over the
        LDE columns, for the permutation terms ``P_t``, in this order: for each challenge
        ``r``, ``L0(x)(Z_r(x) − 1)``; then for each ``r`` and chunk ``c``,
        ``pp_{r,c}(x)·den_{r,c}(x) − pp_{r,c−1}(x)·num_{r,c}(x)`` with ``pp_{r,−1} = Z_r(x)``
        and ``pp_{r,m−1} = Z_r(ω x)`` (read at column ``domain.nxt[i]``). ``routed``,
        ``sigmas`` ``(R, N)``; ``zs`` ``(C, N)`` (C challenges); ``pps`` ``(C, m − 1, N)``.
        ``active`` ``(N,)`` is ``1 − s_blind(x)`` with zero knowledge (the terms are switched
        off on the blinding rows), None (read as 1) without. ``system`` is the terms'
        :class:`psyc.plonk.vanishing.TermSystem` (``permutation_system``), defined
        symbolically: a backend runs what it generates (``system.kernel_tape()``,
        ``psyc.backend_gpu.sources.terms_cuda_source(system)``), never its own copy of the math;
        ``tests/test_vanishing_terms.py`` checks every backend against the definition."""
        ...

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
        """In place: ``out[a, i] += active[i] · alpha_offsets[a] · Σ_t alphas[a]^t L_t(x_i)`` for the
        logUp terms, per challenge ``r`` (``helpers[r] = h, g, φ``, shape ``(C, 3, N)``):
        ``L0(x)·φ(x)``; ``h(x) Π_j (δ − w_j) − Σ_j Π_{k≠j} (δ − w_k)``;
        ``g(x)(δ − table(x)) − 1``; ``φ(ω x) − φ(x) − sel(x) h(x) + mult(x) g(x)``.
        ``looked`` ``(L, N)``; ``selector``, ``mult``, ``table`` ``(N,)``; ``system``
        (``lookup_system``) and ``active`` as for :meth:`accumulate_permutation_terms`."""
        ...

    def accumulate_boundary_terms(
        self,
        columns: Array,
        minus: Sequence[int],
        lu: Array,
        alphas: Sequence[int],
        alpha_offsets: Sequence[int],
        out: Array,
    ) -> None:
        """In place (zero knowledge's last-row checks at the boundary row u):
        ``out[a, i] += alpha_offsets[a] · lu[i] · Σ_t alphas[a]^t (columns[t, i] − minus[t])``
        for ``columns`` ``(T, N)`` LDE rows (the Z's, then the φ's)."""
        ...

    def divide_by_zh(self, values: Array, zh_inv: Array) -> None:
        """In place: ``values[a, i] *= zh_inv[i]`` for a ``(C, N)`` matrix."""
        ...

    # --- PCS: FRI ---------------------------------------------------------------------
    def evaluate_at(self, coeffs: Array, points: Sequence[tuple[int, int]]) -> np.ndarray:
        """Every row polynomial of ``coeffs`` ``(m, n)`` at each extension point: host
        ``(len(points), m, 2)`` array, ``out[p, r] = Σ_j coeffs[r, j] points[p]^j``."""
        ...

    def ext_powers(self, base: tuple[int, int], n: int) -> Array:
        """``(n, 2)``: ``base^0, base^1, …, base^(n−1)`` in the extension field."""
        ...

    def combine_rows(self, coeffs: Array, alpha_powers: Array, out: Array) -> None:
        """In place: ``out[j] += Σ_i alpha_powers[i] · coeffs[i, j]`` for base ``coeffs``
        ``(m, n)``, extension ``alpha_powers`` ``(m, 2)`` and extension ``out`` ``(n, 2)``
        (``out`` may be a leading slice ``acc[:n]`` of a longer contiguous array)."""
        ...

    def divide_by_linear(self, poly: Array, z: tuple[int, int]) -> Array:
        """``(poly(X) − poly(z)) / (X − z)`` by synthetic division: ``(n, 2)`` in,
        ``(n, 2)`` out with the top coefficient 0."""
        ...

    def ext_add_scaled(self, acc: Array, poly: Array, s: tuple[int, int]) -> None:
        """In place: ``acc += s · poly`` for ``(n, 2)`` arrays and an extension scalar."""
        ...

    def fold(self, coeffs: Array, arity: int, beta: tuple[int, int]) -> Array:
        """FRI folding of coefficients ``(n, 2)``: writing ``f(X) = Σ_k X^k f_k(X^arity)``,
        returns the ``(n / arity, 2)`` coefficients of ``Σ_k β^k f_k``."""
        ...

    def grind(self, state: np.ndarray, prefix: np.ndarray, bits: int) -> int:
        """The smallest proof-of-work nonce: with the duplex sponge state ``state``
        (host uint64 ``(12,)``) and pending inputs ``prefix`` (host uint64, < 8 of them),
        the least ``nonce`` in ``[0, p)`` such that observing it and squeezing one
        challenge gives a value ``< 2^(64 − bits)`` (see ``Challenger.check_pow``)."""
        ...
