"""The Plonk verifier: replay the transcript, check the vanishing identity at ζ, verify FRI."""

from __future__ import annotations

from collections.abc import Sequence

from psyc.field.extension import Ext2, W
from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.fri.verifier import FriVerificationError, verify_fri
from psyc.hash.poseidon import hash_or_noop
from psyc.plonk import vanishing_eval as vanishing
from psyc.plonk.circuit_data import CommonCircuitData, VerifierOnlyCircuitData, check_gate_set, circuit_digest
from psyc.plonk.proof import OpeningSet, ProofWithPublicInputs, opening_counts
from psyc.plonk.transcript import (
    draw_alphas,
    draw_betas_gammas_deltas,
    draw_zeta,
    fri_instance,
    openings_to_fri,
    start_transcript,
)


class VerificationError(Exception):
    """The proof is invalid; the message says which check failed."""


def _require(ok: bool, msg: str) -> None:
    if not ok:
        raise VerificationError(msg)


def _check_shape(pwpi: ProofWithPublicInputs, common) -> None:
    cfg = common.config
    o = pwpi.proof.openings
    expected = opening_counts(common)
    for name, values in o.groups():
        _require(
            len(values) == expected[name],
            f"openings: {name} has {len(values)} values, expected {expected[name]}",
        )
        _require(all(isinstance(v, Ext2) for v in values), f"openings: {name} holds a non-extension value")
    _require(
        len(pwpi.public_inputs) == common.num_public_inputs,
        f"{len(pwpi.public_inputs)} public inputs given, the circuit has {common.num_public_inputs}",
    )
    _require(
        all(isinstance(v, int) and 0 <= v < P for v in pwpi.public_inputs),
        "a public input is not a canonical field element",
    )
    for name in ("wires_cap", "plonk_zs_partial_products_cap", "quotient_polys_cap"):
        cap = getattr(pwpi.proof, name)
        _require(
            len(cap) == 1 << cfg.fri_config.cap_height and all(len(d) == 4 for d in cap),
            f"{name} has the wrong shape",
        )
        _require(
            all(isinstance(x, int) and 0 <= x < P for d in cap for x in d),
            f"{name} holds a non-canonical element",
        )


def eval_vanishing_at(
    common: CommonCircuitData,
    o: OpeningSet,
    zeta: Ext2,
    pi_digest: Sequence[int],
    betas: Sequence[int],
    gammas: Sequence[int],
    alphas: Sequence[int],
    deltas: Sequence[int] = (),
) -> list[Ext2]:
    """The combined vanishing polynomial V_j(ζ) for each alpha (same term order as the prover)."""
    cfg = common.config
    S, K, R = common.num_selectors, cfg.num_constants, cfg.num_routed_wires
    n = common.degree
    consts = o.constants[S : S + K]
    pi_base = [v % P for v in pi_digest]
    # Σ_gates selector · C_k, per constraint index k: the generated evaluators work on
    # integer pairs (x^2 = W) and the sums stay plain integers per coordinate, reduced once,
    # rather than an Ext2 object per operation and term
    sums0 = [0] * common.num_gate_constraints
    sums1 = [0] * common.num_gate_constraints
    for gi, ev in enumerate(common.evaluators()):
        g = ev.gate
        if not g.num_constraints:
            continue
        vals = ev.eval_pairs(o.wires[: g.num_wires], consts[: g.num_constants], pi_base)
        s0, s1 = o.constants[gi]
        ws1 = W * s1
        for k, (v0, v1) in enumerate(vals):
            sums0[k] += s0 * v0 + ws1 * v1
            sums1[k] += s0 * v1 + s1 * v0
    gate_terms = [(a % P, b % P) for a, b in zip(sums0, sums1, strict=True)]

    zh = zeta**n - 1
    l0 = zh / ((zeta - 1) * n)
    # the argument terms, generated from their symbolic definitions (psyc.plonk.vanishing)
    perm_terms = vanishing.permutation_terms_at(
        o.plonk_zs,
        o.plonk_zs_next,
        o.partial_products,
        o.wires[:R],
        o.plonk_sigmas,
        common.k_is,
        zeta,
        l0,
        betas,
        gammas,
        cfg.partial_product_chunk,
        pairs=True,
    )
    lookup_terms = []
    if common.has_lookups:
        lookup_terms = vanishing.lookup_terms_at(
            o.wires[: cfg.lookups_per_row],
            o.lookup_helpers,
            o.lookup_phi_next,
            o.constants[common.lookup_selector],
            o.lookup_multiplicities[0],
            o.lookup_table[0],
            l0,
            [Ext2(v) for v in deltas],
        )

    # zero knowledge: permutation and lookup terms are off on the blinding rows, and the
    # products / sums close at the first blinding row ω^u (docs/security.md)
    active, boundary_terms = Ext2.one(), []
    if cfg.zero_knowledge:
        active = Ext2.one() - o.constants[common.blinding_selector]
        w_u = pow(primitive_root_of_unity(common.degree_bits), common.first_blinding_row, P)
        l_u = zh * w_u / ((zeta - w_u) * n)
        phis = [o.lookup_helpers[3 * r + 2] for r in range(len(deltas))]
        boundary_terms = vanishing.boundary_terms_at(o.plonk_zs, phis, l_u)

    def horner(terms: Sequence[tuple[int, int]], a: int) -> Ext2:
        # a is a base-field challenge: one Horner per coordinate, on plain ints
        acc0 = acc1 = 0
        for t0, t1 in reversed(terms):
            acc0 = (acc0 * a + t0) % P
            acc1 = (acc1 * a + t1) % P
        return Ext2(acc0, acc1)

    out = []
    for a in alphas:
        k = common.num_gate_constraints
        k_b = k + len(perm_terms) + len(lookup_terms)
        arguments = horner(perm_terms, a) * pow(a, k, P) + horner(lookup_terms, a) * pow(
            a, k + len(perm_terms), P
        )
        out.append(horner(gate_terms, a) + active * arguments + horner(boundary_terms, a) * pow(a, k_b, P))
    return out


def quotient_at(common: CommonCircuitData, o: OpeningSet, zeta: Ext2) -> list[Ext2]:
    """t_r(ζ) = Σ_c ζ^(c·(n − s)) t_{r,c}(ζ) per challenge (s: the chunks' overlap)."""
    cfg = common.config
    q = cfg.quotient_chunks
    step = zeta ** (common.degree - cfg.quotient_overlap)
    out = []
    for r in range(cfg.num_challenges):
        t = Ext2.zero()
        for c in reversed(o.quotient_polys[r * q : (r + 1) * q]):
            t = t * step + c
        out.append(t)
    return out


def verify(pwpi: ProofWithPublicInputs, verifier_only: VerifierOnlyCircuitData, common: CommonCircuitData) -> None:
    """Raise :class:`VerificationError` unless the proof is valid for these public inputs."""
    try:
        _verify(pwpi, verifier_only, common)
    except (TypeError, AttributeError, ValueError, IndexError, KeyError) as e:
        # proofs read from bytes are always well-typed; this catches hand-built objects
        raise VerificationError(f"malformed proof object: {type(e).__name__}: {e}") from None


def check_key(verifier_only: VerifierOnlyCircuitData, common: CommonCircuitData) -> None:
    """The key's own consistency, for keys built in memory as well as read from bytes: its
    circuit digest is recomputed from the cap and the common data (a stale or forged digest
    would start the transcript of another circuit), and the gate set obeys the structural
    rules (one lookup gate). Raises :class:`VerificationError`."""
    try:
        check_gate_set(common.gates)
    except ValueError as e:
        raise VerificationError(f"verifying key: {e}") from None
    _require(
        list(verifier_only.circuit_digest) == circuit_digest(common, verifier_only.constants_sigmas_cap),
        "verifying key: the circuit digest does not match the key's cap and common data",
    )


def _verify(pwpi: ProofWithPublicInputs, verifier_only, common) -> None:
    check_key(verifier_only, common)
    _check_shape(pwpi, common)
    cfg = common.config
    proof, o = pwpi.proof, pwpi.proof.openings
    pi_digest = hash_or_noop(pwpi.public_inputs)
    ch = start_transcript(verifier_only.circuit_digest, pi_digest)
    betas, gammas, deltas = draw_betas_gammas_deltas(
        ch, proof.wires_cap, cfg.num_challenges, common.has_lookups
    )
    alphas = draw_alphas(ch, proof.plonk_zs_partial_products_cap, cfg.num_challenges)
    zeta = draw_zeta(ch, proof.quotient_polys_cap)
    n = common.degree
    _require(zeta**n != Ext2(1), "ζ lies in the trace domain")

    _require(
        cfg.zero_knowledge == (common.blinding_selector is not None),
        "the circuit's blinding rows do not match its zero-knowledge setting",
    )
    vanishing = eval_vanishing_at(common, o, zeta, pi_digest, betas, gammas, alphas, deltas)
    zh = zeta**n - 1
    for r, t in enumerate(quotient_at(common, o, zeta)):
        _require(vanishing[r] == zh * t, f"vanishing polynomial check failed at ζ (challenge {r})")

    instance = fri_instance(common, zeta)
    fri_openings = openings_to_fri(common, o)
    ch.observe_exts(fri_openings.flatten())
    caps = [
        verifier_only.constants_sigmas_cap,
        proof.wires_cap,
        proof.plonk_zs_partial_products_cap,
        proof.quotient_polys_cap,
    ]
    try:
        verify_fri(instance, fri_openings, caps, proof.opening_proof, ch, common.fri_params)
    except FriVerificationError as e:
        raise VerificationError(f"FRI: {e}") from None


__all__ = ["VerificationError", "eval_vanishing_at", "opening_counts", "primitive_root_of_unity", "quotient_at", "verify"]
