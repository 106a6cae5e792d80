"""The recursive verifier: :func:`psyc.plonk.verifier.verify` as constraints of an outer circuit.

Stages (scopes under ``recursion/``), in the native verifier's order:

``public_inputs``  the inner public inputs' digest (``hash_or_noop``);
``transcript``     domain separator, circuit digest, public-input digest, wires cap → β, γ
                   (δ with lookups); Z cap → α; quotient cap → ζ;
``zeta``           ζ^n ≠ 1 (a witnessed inverse of Z_H(ζ)), ``L0(ζ) = Z_H(ζ) / (n(ζ − 1))``;
``vanishing``      gate constraints (``gates/<gate id>``), permutation and lookup terms,
                   combined per α;
``quotient``       ``V_r(ζ) = Z_H(ζ) · Σ_c ζ^{nc} t_{r,c}(ζ)`` per challenge set;
``fri``            the openings observed, then :func:`psyc.recursion.fri.verify_fri_circuit`
                   on the native ``fri_instance`` (its ζ and gζ batches, points computed
                   in circuit), with the verifying key's constants/sigmas cap.

``CommonCircuitData`` of the inner circuit is fixed when the outer circuit is built. The
verifying key is either fixed too (``VerifierOnlyCircuitData``/``VerifyingKey``: the
circuit digest and the constants cap become constants of the outer circuit) or a
:class:`~psyc.recursion.vk.VerifierDataTarget` (the cap is a witness, digest and
fingerprint are computed in circuit), so that one outer circuit accepts proofs of every
circuit of that shape whose fingerprint the caller accepts.

With ``condition`` (a boolean target) every check holds only when it is 1
(:func:`psyc.recursion.gadgets.verification_condition`): with 0 any proof-shaped witness,
e.g. :func:`psyc.recursion.dummy.dummy_proof`, is accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.target import Target
from psyc.plonk.transcript import (
    DOMAIN_SEPARATOR,
    draw_alphas,
    draw_betas_gammas_deltas,
    draw_zeta,
    fri_instance,
    openings_to_fri,
)
from psyc.plonk.verifier import check_key
from psyc.recursion.challenger import RecursiveChallenger
from psyc.recursion.fri import verify_fri_circuit
from psyc.recursion.gadgets import (
    assert_bool,
    assert_equal_ext,
    ext_const,
    ext_exp_const,
    reduce_with_powers,
    verification_condition,
)
from psyc.recursion.targets import ProofTargets, add_proof_targets
from psyc.recursion.vanishing import eval_vanishing_circuit, zeta_powers
from psyc.recursion.vk import VerifierDataTarget

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.circuit_data import CommonCircuitData, VerifierOnlyCircuitData
    from psyc.plonk.keys import VerifyingKey

    #: a fixed key, or a key as witness
    InnerKey = VerifierDataTarget | VerifierOnlyCircuitData | VerifyingKey | CircuitData


def _batch_multipliers(common: CommonCircuitData) -> list[Ext2]:
    """Each FRI batch's point as a multiple of ζ (read off the native ``fri_instance``)."""
    at_one = [batch.point for batch in fri_instance(common, Ext2.one()).batches]
    probe = Ext2(3, 5)
    at_probe = [batch.point for batch in fri_instance(common, probe).batches]
    if any(m * probe != p for m, p in zip(at_one, at_probe, strict=True)):
        raise ValueError("fri_instance's opening points are not multiples of ζ")
    return at_one


def verify_proof_circuit(
    builder: CircuitBuilder, proof_targets: ProofTargets, vk: InnerKey, common: CommonCircuitData,
    condition: Target | None = None,
) -> list[Target]:
    """Constrain ``proof_targets`` to be a valid proof, for its public-input targets, of
    the inner circuit, and return the inner key's fingerprint as 4 targets.

    ``vk``: ``VerifierOnlyCircuitData``, ``VerifyingKey`` or ``CircuitData`` (fixed key:
    the fingerprint targets are constants) or a ``VerifierDataTarget`` (key as witness:
    the fingerprint is computed in circuit — pin it, or check it against a whitelist).
    ``condition``: a boolean target; the checks hold only when it is 1 (it is constrained
    boolean here). Inside a :func:`~psyc.recursion.gadgets.verification_condition` block
    the block's condition applies too (the two multiply)."""
    b, pt = builder, proof_targets
    if condition is not None:
        with b.scope("recursion"), b.scope("condition"):
            assert_bool(b, condition)
    with verification_condition(b, condition):
        return _verify_proof_circuit(b, pt, vk, common)


def conditionally_verify_proof_circuit(
    builder: CircuitBuilder, condition: Target, proof_targets: ProofTargets, vk: InnerKey,
    common: CommonCircuitData,
) -> list[Target]:
    """``verify only if condition``: :func:`verify_proof_circuit` with ``condition``."""
    return verify_proof_circuit(builder, proof_targets, vk, common, condition=condition)


def _verify_proof_circuit(b: CircuitBuilder, pt: ProofTargets, vk, common: CommonCircuitData) -> list[Target]:
    if isinstance(vk, VerifierDataTarget):
        if len(vk.constants_sigmas_cap) != 1 << common.config.fri_config.cap_height:
            raise ValueError("verifier data targets hold another cap size than the circuit's config")
        digest_t = vk.circuit_digest
        cap_t = vk.constants_sigmas_cap
        fingerprint = vk.fingerprint
    else:
        vk = getattr(vk, "verifier_only", vk)
        check_key(vk, common)  # a fixed key's digest is recomputed, not trusted
        with b.scope("recursion"), b.scope("verifier_data"):
            digest_t = [b.constant(x) for x in vk.circuit_digest]
            cap_t = [[b.constant(x) for x in d] for d in vk.constants_sigmas_cap]
            fingerprint = [b.constant(x) for x in vk.fingerprint]
    cfg = common.config
    o = pt.openings
    nc = cfg.num_challenges
    with b.scope("recursion"):
        with b.scope("public_inputs"):
            if len(pt.public_inputs) != common.num_public_inputs:
                raise ValueError("proof targets hold another number of public inputs than the circuit")
            pi_digest = b.hash_or_noop(pt.public_inputs)

        with b.scope("transcript"):
            # start_transcript, then the native draw_* functions themselves (they only call
            # observe_cap / get_challenges / get_ext_challenge, which the in-circuit
            # challenger provides with the same names)
            ch = RecursiveChallenger(b, DOMAIN_SEPARATOR)
            ch.observe_digest(digest_t)
            ch.observe_digest(pi_digest)
            betas, gammas, deltas = draw_betas_gammas_deltas(ch, pt.wires_cap, nc, common.has_lookups)
            alphas = draw_alphas(ch, pt.plonk_zs_partial_products_cap, nc)
            zeta = draw_zeta(ch, pt.quotient_polys_cap)

        with b.scope("zeta"):
            zeta_n, zh, l0 = zeta_powers(b, common, zeta)

        with b.scope("vanishing"):
            vanishing = eval_vanishing_circuit(
                b, common, o, zeta, l0, pi_digest, betas, gammas, alphas, deltas
            )

        with b.scope("quotient"):
            q, step = cfg.quotient_chunks, zeta_n
            if cfg.quotient_overlap:  # chunks step by ζ^(n − s) (zero knowledge)
                step = ext_exp_const(b, zeta, common.degree - cfg.quotient_overlap)
            for r in range(nc):
                t = reduce_with_powers(b, o.quotient_polys[r * q : (r + 1) * q], step)
                assert_equal_ext(b, vanishing[r], b.mul_extension(zh, t))

        with b.scope("fri"):
            fri_openings = openings_to_fri(common, o)
            ch.observe_exts(fri_openings.flatten())
            instance = fri_instance(common, Ext2.one())  # structure only; points below
            points = [
                zeta if m == Ext2.one() else b.mul_extension(zeta, ext_const(b, m))
                for m in _batch_multipliers(common)
            ]
            caps = [
                cap_t,
                pt.wires_cap,
                pt.plonk_zs_partial_products_cap,
                pt.quotient_polys_cap,
            ]
            verify_fri_circuit(
                b, instance, points, fri_openings.batches, caps, pt.opening_proof, ch, common.fri_params
            )
    return fingerprint


__all__ = ["ProofTargets", "add_proof_targets", "conditionally_verify_proof_circuit", "verify_proof_circuit"]
