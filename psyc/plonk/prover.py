"""The Plonk prover: witness -> commitments -> permutation argument -> quotient -> FRI."""

from __future__ import annotations

import secrets
import time
from contextlib import contextmanager

import numpy as np

from psyc.backend_cpu import plonk_kernels as pk
from psyc.field.extension import Ext2
from psyc.field.goldilocks import P, inv, primitive_root_of_unity
from psyc.field.vector import add_vec, batch_inverse_vec, mul_vec, powers_vec, scale_vec, sub_vec
from psyc.fri.oracle import PolynomialBatch
from psyc.fri.prover import compute_openings, prove_fri
from psyc.hash.poseidon import hash_or_noop
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
from psyc.poly.ntt import COSET_SHIFT, bit_reverse, coset_intt


class Timing:
    """Wall time per prover phase (reported by ``psyc bench``)."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        t = time.perf_counter()
        yield
        self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - t


def _bit_reversed(values: np.ndarray) -> np.ndarray:
    return bit_reverse(values[None, :])[0]


def prove(
    data, pw: PartialWitness, check_witness: bool = True, timing: Timing | None = None
) -> ProofWithPublicInputs:
    """Prove that ``pw`` extends to a witness of the circuit.

    With ``check_witness`` (the default) an unsatisfied constraint raises
    :class:`UnsatisfiedConstraints` naming gate, row and scope before any proving work;
    turning it off is only for soundness tests (the proof then fails verification).
    """
    timing = timing or Timing()
    common, po, vo = data.common, data.prover_only, data.verifier_only
    cfg = common.config
    fri = cfg.fri_config
    n = common.degree
    blowup = 1 << fri.rate_bits
    n_lde = n * blowup
    num_ch = cfg.num_challenges
    R = cfg.num_routed_wires
    zk = cfg.zero_knowledge
    u = common.first_blinding_row  # rows u.. are random with zero knowledge (docs/security.md)

    with timing.phase("witness"):
        wires, public_inputs = generate_witness(data, pw)
    if check_witness:
        with timing.phase("diagnostics"):
            failures = check_constraints(data, wires, public_inputs)
        if failures:
            raise UnsatisfiedConstraints(failures)
    if zk:
        wires[:, u:] = random_field_elements((wires.shape[0], n - u))
    pi_digest = hash_or_noop(public_inputs)
    ch = start_transcript(vo.circuit_digest, pi_digest)

    lookups = common.has_lookups
    if lookups:
        with timing.phase("lookups"):
            mult = lookup_multiplicities(data, wires)  # 0 on the blinding rows
        committed_mult = mult.copy()
        if zk:
            committed_mult[u:] = random_field_elements(n - u)
        wire_columns = np.concatenate([wires, committed_mult[None, :]])
    else:
        wire_columns = wires
    with timing.phase("commit wires (LDE + Merkle)"):
        wires_batch = PolynomialBatch.from_values(wire_columns, fri.rate_bits, fri.cap_height, blinding=zk)
    betas, gammas, deltas = draw_betas_gammas_deltas(ch, wires_batch.cap, num_ch, lookups)

    with timing.phase("permutation argument"):
        omega = primitive_root_of_unity(common.degree_bits)
        xs = powers_vec(omega, n)
        k_is = np.array(common.k_is, dtype=np.uint64)
        m = cfg.num_partial_product_chunks
        chunk = cfg.partial_product_chunk
        routed = np.ascontiguousarray(wires[:R])
        zs_cols = []
        for r in range(num_ch):
            nums = np.empty((m, n), dtype=np.uint64)
            dens = np.empty((m, n), dtype=np.uint64)
            pk.chunk_products(
                routed,
                po.sigma_values,
                k_is,
                xs,
                np.uint64(betas[r]),
                np.uint64(gammas[r]),
                chunk,
                nums,
                dens,
            )
            try:
                dens_inv = batch_inverse_vec(dens)
            except ZeroDivisionError:  # probability ~ n*R/p for random beta, gamma
                raise WitnessError("permutation argument hit a zero denominator; prove again") from None
            z = np.empty(n, dtype=np.uint64)
            pps = np.empty((m - 1, n), dtype=np.uint64)
            final = pk.z_and_partial_products(nums, dens_inv, z, pps)
            if check_witness and final != 1:
                raise WitnessError("copy constraints are not satisfied (the permutation product is not 1)")
            if zk:  # Z(ω^u) = 1 is checked; the rows after it, and the partial products there, are free
                z[u + 1 :] = random_field_elements(n - u - 1)
                pps[:, u:] = random_field_elements((m - 1, n - u))
            zs_cols.append(z[None, :])
            zs_cols.append(pps)
        if lookups:
            for r in range(num_ch):
                helpers = lookup_helper_columns(data, wires, mult, deltas[r], check_witness)
                if zk:  # h, g free on the blinding rows; φ(ω^u) = 0 is checked, the rows after it free
                    helpers[:2, u:] = random_field_elements((2, n - u))
                    helpers[2, u + 1 :] = random_field_elements(n - u - 1)
                zs_cols.append(helpers)
        zs_values = np.concatenate(zs_cols)
    with timing.phase("commit Z and partial products"):
        zs_batch = PolynomialBatch.from_values(zs_values, fri.rate_bits, fri.cap_height, blinding=zk)
    alphas = draw_alphas(ch, zs_batch.cap, num_ch)

    with timing.phase("quotient"):
        pre = po.constants_sigmas
        S, K = common.num_selectors, cfg.num_constants
        # Every term is evaluated point by point on the LDEs as committed, in bit-reversed
        # order (no transposition of the oracles); only the quotient goes back to natural.
        pre_lde = pre.lde[: common.num_preprocessed]
        wires_lde = wires_batch.lde[: common.num_wire_columns]
        zs_lde = zs_batch.lde[: common.num_zs_columns]
        omega_big = primitive_root_of_unity(common.degree_bits + fri.rate_bits)
        xs_big = _bit_reversed(powers_vec(omega_big, n_lde, start=COSET_SHIFT))
        positions = _bit_reversed(np.arange(n_lde, dtype=np.uint64)).astype(np.int64)  # natural index
        nxt = positions[(positions + blowup) % n_lde]  # where w x sits (bit reversal is an involution)
        alpha_arr = np.array(alphas, dtype=np.uint64)
        out = np.zeros((num_ch, n_lde), dtype=np.uint64)
        consts_lde = np.ascontiguousarray(pre_lde[S : S + K])
        pi_arr = np.array(pi_digest, dtype=np.uint64)
        for gi, ev in enumerate(common.evaluators()):
            ev.accumulate_quotient_terms(
                wires_lde, consts_lde, np.ascontiguousarray(pre_lde[gi]), pi_arr, alpha_arr, out
            )
        # L0(x) = (x^n - 1) / (n (x - 1)); Z_H(x) = x^n - 1 takes `blowup` values on the coset
        zh = np.array(
            [(pow(COSET_SHIFT, n, P) * pow(omega_big, i * n, P) - 1) % P for i in range(blowup)],
            dtype=np.uint64,
        )
        zh_full = zh[positions % blowup]
        l0 = mul_vec(
            zh_full, batch_inverse_vec(scale_vec(sub_vec(xs_big, np.ones(n_lde, dtype=np.uint64)), n))
        )
        zs_only = np.ascontiguousarray(zs_lde[[r * m for r in range(num_ch)]])
        pps_lde = np.ascontiguousarray(
            np.stack([zs_lde[r * m + 1 : (r + 1) * m] for r in range(num_ch)]).reshape(num_ch, m - 1, n_lde)
        )
        offsets = np.array([pow(a, common.num_gate_constraints, P) for a in alphas], dtype=np.uint64)
        # with zero knowledge the permutation and lookup terms are switched off on the
        # blinding rows: accumulated apart, then multiplied by 1 − s_blind(x)
        gate_out, out = out, (np.zeros_like(out) if zk else out)
        pk.permutation_vanishing_terms(
            np.ascontiguousarray(wires_lde[:R]),
            np.ascontiguousarray(pre_lde[S + K :]),
            zs_only,
            pps_lde,
            k_is,
            xs_big,
            l0,
            np.array(betas, dtype=np.uint64),
            np.array(gammas, dtype=np.uint64),
            chunk,
            nxt,
            alpha_arr,
            offsets,
            out,
        )
        if lookups:
            L = cfg.lookups_per_row
            helpers = np.ascontiguousarray(zs_lde[num_ch * m :].reshape(num_ch, 3, n_lde))
            lookup_offsets = np.array(
                [pow(a, common.num_gate_constraints + num_ch * (1 + m), P) for a in alphas], dtype=np.uint64
            )
            pk.lookup_vanishing_terms(
                np.ascontiguousarray(wires_lde[:L]),
                np.ascontiguousarray(pre_lde[common.lookup_selector]),
                np.ascontiguousarray(wires_lde[cfg.num_wires]),
                np.ascontiguousarray(pre_lde[-1]),
                helpers,
                l0,
                np.array(deltas, dtype=np.uint64),
                nxt,
                alpha_arr,
                lookup_offsets,
                out,
            )
        if zk:
            active = sub_vec(np.ones(n_lde, dtype=np.uint64), pre_lde[common.blinding_selector])
            for r in range(num_ch):
                gate_out[r] = add_vec(gate_out[r], mul_vec(active, out[r]))
            out = gate_out
            # last-row checks at ω^u: L_u(x)(Z_r(x) − 1), then L_u(x)·φ_r(x)
            w_u = pow(omega, u, P)
            l_u = mul_vec(
                scale_vec(zh_full, w_u),
                batch_inverse_vec(scale_vec(sub_vec(xs_big, np.full(n_lde, w_u, dtype=np.uint64)), n)),
            )
            boundary = [sub_vec(zs_only[r], np.ones(n_lde, dtype=np.uint64)) for r in range(num_ch)]
            if lookups:
                boundary += [zs_lde[num_ch * m + 3 * r + 2] for r in range(num_ch)]
            k0 = common.num_gate_constraints + num_ch * (1 + m) + (4 * num_ch if lookups else 0)
            for a, alpha in enumerate(alphas):
                acc = np.zeros(n_lde, dtype=np.uint64)
                for t in reversed(boundary):
                    acc = add_vec(scale_vec(acc, alpha), t)
                out[a] = add_vec(out[a], scale_vec(mul_vec(l_u, acc), pow(alpha, k0, P)))
        zh_inv = np.array([inv(int(v)) for v in zh], dtype=np.uint64)
        pk.divide_by_zh(out, zh_inv[positions % blowup])
        out = bit_reverse(out)
        chunks = []
        for r in range(num_ch):
            coeffs = coset_intt(out[r], COSET_SHIFT)
            if check_witness and coeffs[(cfg.max_quotient_degree_factor - 1) * n :].any():
                raise WitnessError("the quotient has too high a degree: constraints are not satisfied")
            chunks.append(split_quotient(coeffs, n, cfg))
        if zk:  # FRI masks (docs/security.md)
            chunks.append(random_field_elements((cfg.num_fri_masks, n)))
        quotient_coeffs = np.concatenate(chunks)
    with timing.phase("commit quotient"):
        quotient_batch = PolynomialBatch(quotient_coeffs, fri.rate_bits, fri.cap_height, blinding=zk)
    zeta = draw_zeta(ch, quotient_batch.cap)

    with timing.phase("openings + FRI"):
        g = primitive_root_of_unity(common.degree_bits)
        if zeta**n == Ext2(1) or (zeta * g) ** n_lde == Ext2(
            pow(COSET_SHIFT, n_lde, P)
        ):  # pragma: no cover - prob ~ 2^-100
            raise WitnessError("ζ landed on the trace domain; prove again")
        oracles = [pre, wires_batch, zs_batch, quotient_batch]
        instance = fri_instance(common, zeta)
        fri_openings = compute_openings(instance, oracles)
        openings = openings_from_fri(common, fri_openings)
        ch.observe_exts(fri_openings.flatten())
        opening_proof = prove_fri(instance, oracles, ch, common.fri_params)

    proof = Proof(wires_batch.cap, zs_batch.cap, quotient_batch.cap, openings, opening_proof)
    return ProofWithPublicInputs(proof, public_inputs)


def lookup_multiplicities(data, wires: np.ndarray) -> np.ndarray:
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


def lookup_helper_columns(data, wires: np.ndarray, mult: np.ndarray, delta: int, check: bool) -> np.ndarray:
    """(3, n): h = sum_j 1/(delta - w_j), g = 1/(delta - table), phi = running sum of
    sel*h - m*g (it wraps to 0 exactly when every lookup is in the table)."""
    common, po = data.common, data.prover_only
    n, L = common.degree, common.config.lookups_per_row
    d = np.full(n, delta, dtype=np.uint64)
    try:
        inv_w = batch_inverse_vec(sub_vec(np.broadcast_to(d, (L, n)), wires[:L]))
        table = po.constants_sigmas_table
        g = batch_inverse_vec(sub_vec(d, table))
    except ZeroDivisionError:  # probability ~ n*L/p
        raise WitnessError("a lookup value hit the challenge delta; prove again") from None
    h = inv_w[0]
    for j in range(1, L):
        h = add_vec(h, inv_w[j])
    sel = po.constants_values[common.lookup_selector]
    phi = np.empty(n, dtype=np.uint64)
    total = pk.running_sum(sub_vec(mul_vec(sel, h), mul_vec(mult, g)), phi)
    if check and total != 0:
        raise WitnessError("lookup argument does not balance: a looked-up value is not in the table")
    return np.stack([h, g, phi])


def random_field_elements(shape) -> np.ndarray:
    """Uniform field elements from the OS's CSPRNG (blinding values): 64-bit draws,
    those >= p (probability 2^-32 each) drawn again, so exactly uniform."""
    count = int(np.prod(shape))
    vals = np.frombuffer(secrets.token_bytes(8 * count), dtype=np.uint64).copy()
    while True:
        bad = np.nonzero(vals >= np.uint64(P))[0]
        if not len(bad):
            return vals.reshape(shape)
        vals[bad] = np.frombuffer(secrets.token_bytes(8 * len(bad)), dtype=np.uint64)


def split_quotient(coeffs: np.ndarray, n: int, cfg) -> np.ndarray:
    """(Q, n) chunks t_c with t(X) = Σ_c X^(c·(n − s)) t_c(X), s = ``cfg.quotient_overlap``.

    Without zero knowledge s = 0: the plain split of t into n-coefficient pieces. With it,
    chunk c holds t's coefficients c·(n − s) .. (c+1)·(n − s) − 1, plus r_c(X) − X^(n−s)
    r_(c+1)(X) for uniformly random r_1..r_(Q−1) of degree < s (r_0 = r_Q = 0): the sum
    telescopes back to t, and every chunk but the first is uniform at any s points.
    """
    q, s = cfg.quotient_chunks, cfg.quotient_overlap
    step = n - s
    out = np.zeros((q, n), dtype=np.uint64)
    for c in range(q):
        piece = coeffs[c * step : (c * step + n if c == q - 1 else (c + 1) * step)]
        out[c, : len(piece)] = piece
    if s:
        rs = random_field_elements((q - 1, s))
        for c in range(1, q):
            out[c, :s] = add_vec(out[c, :s], rs[c - 1])
            out[c - 1, step:] = sub_vec(out[c - 1, step:], rs[c - 1])
    return out
