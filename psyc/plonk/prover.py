"""The Plonk prover, as phases over an explicit :class:`ProverState`.

witness -> commit wires -> permutation / lookup columns (Z) -> quotient -> openings + FRI.
Each phase is timed; the array work of every phase goes through a
:class:`psyc.backend.ProverBackend`, so the data stays on one backend from the first
commitment to the last FRI query.
"""

from __future__ import annotations

import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from psyc.backend import Array, ProverBackend, get_backend
from psyc.field.extension import Ext2
from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.field.vector import add_vec, powers_vec, sub_vec
from psyc.fri.oracle import PolynomialBatch
from psyc.fri.prover import compute_openings, prove_fri
from psyc.hash.poseidon import hash_or_noop
from psyc.iop.challenger import Challenger
from psyc.plonk import vanishing
from psyc.plonk.diagnostics import UnsatisfiedConstraints, check_constraints
from psyc.plonk.proof import Proof, ProofWithPublicInputs
from psyc.plonk.transcript import (
    draw_alphas,
    draw_betas_gammas_deltas,
    draw_zeta,
    fri_instance,
    openings_from_fri,
    start_transcript,
)
from psyc.plonk.witness import PartialWitness, WitnessError
from psyc.plonk.witness_gen import generate_witness
from psyc.poly.ntt import COSET_SHIFT

if TYPE_CHECKING:
    from collections.abc import Callable

    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.config import CircuitConfig


class Timing:
    """Wall time per prover phase (reported by ``psyc bench``)."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        t = time.perf_counter()
        yield
        self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - t


@dataclass
class ProverState:
    """Everything one proof carries from phase to phase.

    Host values: the witness, public inputs, transcript and challenges. Backend values
    (``Array``/:class:`PolynomialBatch`): the committed batches and the quotient, which stay
    on the backend from the phase that makes them to the FRI queries.
    """

    data: CircuitData
    backend: ProverBackend
    timing: Timing
    check_witness: bool
    pw: PartialWitness | None = None
    wires: np.ndarray | None = None  # (W, n) host witness
    public_inputs: list[int] = field(default_factory=list)
    pi_digest: list[int] = field(default_factory=list)
    challenger: Challenger | None = None
    mult: np.ndarray | None = None  # (n,) lookup multiplicities (lookups only)
    trace: Array | None = None  # (W [+1], n) wires (and multiplicities) on the backend
    preprocessed: PolynomialBatch | None = None
    wires_batch: PolynomialBatch | None = None
    zs_batch: PolynomialBatch | None = None
    quotient_batch: PolynomialBatch | None = None
    betas: list[int] = field(default_factory=list)
    gammas: list[int] = field(default_factory=list)
    deltas: list[int] = field(default_factory=list)
    alphas: list[int] = field(default_factory=list)
    zeta: Ext2 | None = None
    proof: ProofWithPublicInputs | None = None

    @contextmanager
    def phase(self, name: str):
        """Time a phase (waiting for the backend's queued work before the clock stops)."""
        with self.timing.phase(name):
            yield
            self.backend.synchronize()

    def resident(self, key: str, make: Callable[[], Any]) -> Any:
        """A per-circuit array kept on the backend across proofs (sigmas, domains...)."""
        cache = self.data.prover_only.resident
        k = (self.backend.name, key)
        if k not in cache:
            cache[k] = make()
        return cache[k]


def phase_witness(st: ProverState) -> None:
    """Solve the witness, check it (unless asked not to), start the transcript and count
    lookups; moves the trace to the backend."""
    data = st.data
    with st.phase("witness"):
        st.wires, st.public_inputs = generate_witness(data, st.pw)
    if st.check_witness:
        with st.phase("diagnostics"):
            failures = check_constraints(data, st.wires, st.public_inputs)
        if failures:
            raise UnsatisfiedConstraints(failures)
    common = data.common
    n, u = common.degree, common.first_blinding_row  # rows u.. are random with zero knowledge
    zk = common.config.zero_knowledge
    if zk:
        st.wires[:, u:] = random_field_elements((st.wires.shape[0], n - u))
    st.pi_digest = hash_or_noop(st.public_inputs)
    st.challenger = start_transcript(data.verifier_only.circuit_digest, st.pi_digest)
    columns = st.wires
    if common.has_lookups:
        with st.phase("lookups"):
            st.mult = lookup_multiplicities(data, st.wires)  # 0 on the blinding rows
        committed_mult = st.mult.copy()
        if zk:
            committed_mult[u:] = random_field_elements(n - u)
        columns = np.concatenate([st.wires, committed_mult[None, :]])
    st.trace = st.backend.to_device(columns)
    st.preprocessed = data.prover_only.constants_sigmas.on(st.backend)


def phase_commit_wires(st: ProverState) -> None:
    """Commit to the wires (and multiplicities); draw β, γ (and δ)."""
    common = st.data.common
    fri = common.config.fri_config
    with st.phase("commit wires (LDE + Merkle)"):
        st.wires_batch = PolynomialBatch.from_values(
            st.trace, fri.rate_bits, fri.cap_height, blinding=common.config.zero_knowledge, backend=st.backend
        )
    st.betas, st.gammas, st.deltas = draw_betas_gammas_deltas(
        st.challenger, st.wires_batch.cap, common.config.num_challenges, common.has_lookups
    )


def phase_commit_zs(st: ProverState) -> None:
    """The permutation argument's Z and partial products and the logUp helper columns on
    the trace; commit to them; draw the α's."""
    data, be = st.data, st.backend
    common, po = data.common, data.prover_only
    cfg = common.config
    n, R = common.degree, cfg.num_routed_wires
    m, u, zk = cfg.num_partial_product_chunks, common.first_blinding_row, cfg.zero_knowledge
    with st.phase("permutation argument"):
        sigmas = st.resident("sigmas", lambda: be.to_device(po.sigma_values))
        xs = st.resident(
            "trace points", lambda: be.to_device(powers_vec(primitive_root_of_unity(common.degree_bits), n))
        )
        routed = st.trace[:R]
        zs_cols = []
        products = vanishing.permutation_products_system(R, cfg.partial_product_chunk, tuple(common.k_is))
        for r in range(cfg.num_challenges):
            nums, dens = be.permutation_products(
                products, routed, sigmas, common.k_is, xs, st.betas[r], st.gammas[r], cfg.partial_product_chunk
            )
            try:
                dens_inv = be.batch_inverse(dens)
            except ZeroDivisionError:  # probability ~ n*R/p for random beta, gamma
                raise WitnessError("permutation argument hit a zero denominator; prove again") from None
            z, pps, final = be.z_and_partial_products(nums, dens_inv)
            if st.check_witness and final != 1:
                raise WitnessError("copy constraints are not satisfied (the permutation product is not 1)")
            if zk:  # Z(ω^u) = 1 is checked; the rows after it, and the partial products there, are free
                z[u + 1 :] = be.to_device(random_field_elements(n - u - 1))
                pps[:, u:] = be.to_device(random_field_elements((m - 1, n - u)))
            zs_cols += [z.reshape(1, n), pps]
        if common.has_lookups:
            L = cfg.lookups_per_row
            table = st.resident("lookup table", lambda: be.to_device(po.constants_sigmas_table))
            selector = st.resident(
                "lookup selector", lambda: be.to_device(po.constants_values[common.lookup_selector])
            )
            mult = be.to_device(st.mult)  # the true counts (the committed column is random on blinding rows)
            for r in range(cfg.num_challenges):
                try:
                    helpers, total = be.lookup_helpers(st.trace[:L], mult, table, selector, st.deltas[r])
                except ZeroDivisionError:  # probability ~ n*L/p
                    raise WitnessError("a lookup value hit the challenge delta; prove again") from None
                if st.check_witness and total != 0:
                    raise WitnessError(
                        "lookup argument does not balance: a looked-up value is not in the table"
                    )
                if zk:  # h, g free on the blinding rows; φ(ω^u) = 0 is checked, the rows after it free
                    helpers[:2, u:] = be.to_device(random_field_elements((2, n - u)))
                    helpers[2, u + 1 :] = be.to_device(random_field_elements(n - u - 1))
                zs_cols.append(helpers)
        zs_values = be.concat_rows(zs_cols)
    with st.phase("commit Z and partial products"):
        st.zs_batch = PolynomialBatch.from_values(
            zs_values,
            cfg.fri_config.rate_bits,
            cfg.fri_config.cap_height,
            blinding=cfg.zero_knowledge,
            backend=be,
        )
    st.alphas = draw_alphas(st.challenger, st.zs_batch.cap, cfg.num_challenges)


def phase_quotient(st: ProverState) -> None:
    """Evaluate every vanishing term on a coset of 2^q · n points, the smallest power of two
    ≥ the quotient degree factor (in bit-reversed order, on a prefix of the committed LDEs:
    the first n_q values of an LDE in bit-reversed order are the values on the coset of the
    n_q-point subgroup with the same shift), divide by Z_H, interpolate, split and commit;
    draw ζ. With a blowup above the quotient degree factor (the standard shape: 16 against
    8) this halves the quotient's work."""
    data, be = st.data, st.backend
    common = data.common
    cfg = common.config
    fri = cfg.fri_config
    n = common.degree
    q_bits = min((cfg.max_quotient_degree_factor - 1).bit_length(), fri.rate_bits)
    n_lde = n << q_bits  # the quotient's evaluation domain (not the whole LDE)
    num_ch, R, W = cfg.num_challenges, cfg.num_routed_wires, cfg.num_wires
    S, K = common.num_selectors, cfg.num_constants
    m, zk, lookups = cfg.num_partial_product_chunks, cfg.zero_knowledge, common.has_lookups
    with st.phase("quotient"):
        boundary_row = common.first_blinding_row if zk else None
        domain = st.resident(
            "quotient domain", lambda: be.quotient_domain(common.degree_bits, q_bits, boundary_row)
        )
        pre = st.resident("quotient preprocessed", lambda: be.prefix_columns(st.preprocessed.lde, n_lde))
        wires, zs = be.prefix_columns(st.wires_batch.lde, n_lde), be.prefix_columns(st.zs_batch.lde, n_lde)
        out = be.zeros((num_ch, n_lde))
        be.accumulate_gate_terms(
            common.evaluators(),
            wires[: common.num_wire_columns],
            pre[S : S + K],
            pre[:S],
            st.pi_digest,
            st.alphas,
            out,
        )
        k = common.num_gate_constraints
        # with zero knowledge the permutation and lookup terms are switched off on the
        # blinding rows: multiplied by 1 − s_blind(x)
        active = None
        if zk:
            blind = common.blinding_selector
            ones = np.ones(n_lde, dtype=np.uint64)
            active = st.resident("active", lambda: be.to_device(sub_vec(ones, be.to_host(pre[blind]))))
        zs_only = be.take_rows(zs, [r * m for r in range(num_ch)])
        be.accumulate_permutation_terms(
            vanishing.permutation_system(R, cfg.partial_product_chunk, num_ch, tuple(common.k_is)),
            wires[:R],
            pre[S + K : S + K + R],
            zs_only,
            be.take_rows(zs, [r * m + 1 + c for r in range(num_ch) for c in range(m - 1)]).reshape(
                num_ch, m - 1, n_lde
            ),
            domain,
            st.betas,
            st.gammas,
            st.alphas,
            [pow(a, k, P) for a in st.alphas],
            active,
            out,
        )
        if lookups:
            be.accumulate_lookup_terms(
                vanishing.lookup_system(cfg.lookups_per_row, num_ch),
                wires[: cfg.lookups_per_row],
                pre[common.lookup_selector],
                wires[W],
                pre[common.num_preprocessed - 1],
                zs[num_ch * m : num_ch * (m + 3)].reshape(num_ch, 3, n_lde),
                domain,
                st.deltas,
                st.alphas,
                [pow(a, k + num_ch * (1 + m), P) for a in st.alphas],
                active,
                out,
            )
        if zk:  # last-row checks at ω^u: L_u(x)(Z_r(x) − 1), then L_u(x)·φ_r(x)
            phis = [num_ch * m + 3 * r + 2 for r in range(num_ch)] if lookups else []
            k0 = k + num_ch * (1 + m) + (4 * num_ch if lookups else 0)
            be.accumulate_boundary_terms(
                be.take_rows(zs, [r * m for r in range(num_ch)] + phis),
                [1] * num_ch + [0] * len(phis),
                domain.lu,
                st.alphas,
                [pow(a, k0, P) for a in st.alphas],
                out,
            )
        be.divide_by_zh(out, domain.zh_inv)
        coeffs = be.coset_intt_rows(out, COSET_SHIFT)
        if st.check_witness and not be.all_zero(coeffs[:, (cfg.max_quotient_degree_factor - 1) * n :]):
            raise WitnessError("the quotient has too high a degree: constraints are not satisfied")
        chunks = [split_quotient(be, coeffs[r], n, cfg) for r in range(num_ch)]
        if zk:  # FRI masks (docs/security.md)
            chunks.append(be.to_device(random_field_elements((cfg.num_fri_masks, n))))
        quotient_coeffs = be.concat_rows(chunks)
    with st.phase("commit quotient"):
        st.quotient_batch = PolynomialBatch(
            quotient_coeffs, fri.rate_bits, fri.cap_height, blinding=cfg.zero_knowledge, backend=be
        )
    st.zeta = draw_zeta(st.challenger, st.quotient_batch.cap)


def phase_openings(st: ProverState) -> None:
    """Open every oracle at ζ (and the Z columns at ωζ) and prove the openings with FRI."""
    common = st.data.common
    n = common.degree
    n_lde = n << common.config.fri_config.rate_bits
    zeta = st.zeta
    with st.phase("openings + FRI"):
        g = primitive_root_of_unity(common.degree_bits)
        if zeta**n == Ext2(1) or (zeta * g) ** n_lde == Ext2(
            pow(COSET_SHIFT, n_lde, P)
        ):  # pragma: no cover - prob ~ 2^-100
            raise WitnessError("ζ landed on the trace domain; prove again")
        oracles = [st.preprocessed, st.wires_batch, st.zs_batch, st.quotient_batch]
        instance = fri_instance(common, zeta)
        fri_openings = compute_openings(instance, oracles)
        openings = openings_from_fri(common, fri_openings)
        st.challenger.observe_exts(fri_openings.flatten())
        opening_proof = prove_fri(instance, oracles, st.challenger, common.fri_params)
    proof = Proof(st.wires_batch.cap, st.zs_batch.cap, st.quotient_batch.cap, openings, opening_proof)
    st.proof = ProofWithPublicInputs(proof, st.public_inputs)


#: The prover, phase by phase (each reads and extends the :class:`ProverState`).
PHASES = (phase_witness, phase_commit_wires, phase_commit_zs, phase_quotient, phase_openings)


def prove(
    data: CircuitData,
    pw: PartialWitness,
    check_witness: bool = True,
    timing: Timing | None = None,
    backend: ProverBackend | str | None = None,
) -> ProofWithPublicInputs:
    """Prove that ``pw`` extends to a witness of the circuit.

    With ``check_witness`` (the default) an unsatisfied constraint raises
    :class:`UnsatisfiedConstraints` naming gate, row and scope before any proving work;
    turning it off is only for soundness tests (the proof then fails verification).
    ``backend`` (an instance or a registry name; default ``$PSYC_BACKEND``, else the CPU)
    runs the array work; every backend makes the same proof bytes.
    """
    be = backend if backend is not None and not isinstance(backend, str) else get_backend(backend)
    st = ProverState(data, be, timing or Timing(), check_witness, pw)
    for phase in PHASES:
        phase(st)
    return st.proof


def lookup_multiplicities(data: CircuitData, wires: np.ndarray) -> np.ndarray:
    """How often each table value is looked up (a column of length n); every looked-up
    value must lie in the table, else WitnessError naming the row and scope."""
    common, po = data.common, data.prover_only
    size = 1 << common.config.range_table_bits
    rows = np.nonzero(po.row_gate_index == common.lookup_selector)[0]
    looked = wires[: common.config.lookups_per_row, rows]
    bad = np.argwhere(looked >= size)
    if len(bad):
        slot, k = (int(v) for v in bad[0])
        row = int(rows[k])
        raise WitnessError(
            f"lookup failed: row {row} (scope '{po.row_scopes[row] or '(top)'}') looks up {int(looked[slot, k])}, "
            f"which is not in the range table [0, 2^{common.config.range_table_bits})"
        )
    counts = np.bincount(looked.ravel().astype(np.int64), minlength=common.degree)
    return counts.astype(np.uint64)  # counts < n < p


def random_field_elements(shape: int | tuple[int, ...]) -> np.ndarray:
    """Uniform field elements from the OS's CSPRNG (blinding values): 64-bit draws,
    those >= p (probability 2^-32 each) drawn again, so exactly uniform."""
    count = int(np.prod(shape))
    vals = np.frombuffer(secrets.token_bytes(8 * count), dtype=np.uint64).copy()
    while True:
        bad = np.nonzero(vals >= np.uint64(P))[0]
        if not len(bad):
            return vals.reshape(shape)
        vals[bad] = np.frombuffer(secrets.token_bytes(8 * len(bad)), dtype=np.uint64)


def split_quotient(be: ProverBackend, coeffs: Array, n: int, cfg: CircuitConfig) -> Array:
    """(Q, n) chunks t_c with t(X) = Σ_c X^(c·(n − s)) t_c(X), s = ``cfg.quotient_overlap``,
    from the coefficients ``coeffs`` (a backend row) of t.

    Without zero knowledge s = 0: the plain split of t into n-coefficient pieces. With it,
    chunk c holds t's coefficients c·(n − s) .. (c+1)·(n − s) − 1, plus r_c(X) − X^(n−s)
    r_(c+1)(X) for uniformly random r_1..r_(Q−1) of degree < s (r_0 = r_Q = 0): the sum
    telescopes back to t, and every chunk but the first is uniform at any s points.
    Only the s-coefficient overlaps travel to the host.
    """
    q, s = cfg.quotient_chunks, cfg.quotient_overlap
    step = n - s
    if not s:
        return coeffs[: q * n].reshape(q, n)
    out = be.zeros((q, n))
    for c in range(q):
        piece = coeffs[c * step : (c * step + n if c == q - 1 else (c + 1) * step)]
        out[c, : piece.shape[0]] = piece
    rs = random_field_elements((q - 1, s))
    for c in range(1, q):
        out[c, :s] = be.to_device(add_vec(be.to_host(out[c, :s]), rs[c - 1]))
        out[c - 1, step:] = be.to_device(sub_vec(be.to_host(out[c - 1, step:]), rs[c - 1]))
    return out
