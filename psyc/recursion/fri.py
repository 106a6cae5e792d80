"""FRI verification in circuit (:func:`psyc.fri.verifier.verify_fri`, step for step).

1. challenges: α, then per commit-phase cap (observed) a β; the final polynomial is
   observed;
2. proof of work: the nonce is observed and the next challenge must be < 2^(64 − bits)
   (a bit decomposition of 64 − bits bits);
3. per batch, once: the claimed openings reduced with powers of α, and the check that the
   batch's point is off the LDE coset (``z^N != shift^N``, which makes ``x − z`` invertible);
4. per query (scope ``query_<q>``): the index = low ``lde_bits`` bits of a challenge
   (canonical decomposition); each oracle's leaf against its cap; the combined value
   ``Σ_b α^{k_b} (Σ_i α^i leaf_{b,i} − reduced_b) / (x − z_b)`` (the leaf sums by
   ``reducing`` rows, 43 values per row) at
   ``x = shift · ω^{brev(index)}``; per folding layer the coset's value at the index's
   low bits (one multi-select ``random_access`` row for both limbs) equal to the running value, the coset's Merkle path, and
   the fold at β by one ``interpolate_coset`` row; finally the final polynomial at
   ``x^(Π arities)`` equal to the folded value.
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.fri.config import FriParams
from psyc.fri.structure import FriInstanceInfo
from psyc.fri.verifier import fri_challenges
from psyc.plonk.builder import CircuitBuilder, ExtTarget
from psyc.plonk.target import Target
from psyc.poly.ntt import COSET_SHIFT, reverse_index_bits
from psyc.recursion.challenger import RecursiveChallenger
from psyc.recursion.gadgets import (
    assert_equal_ext,
    assert_nonzero_ext,
    assert_random_access_many,
    exp_power_of_two,
    ext_const,
    ext_div,
    ext_exp_power_of_two,
    ext_from_base,
    low_bits_of_challenge,
    pow_by_bits,
    range_check,
    recompose,
    reduce_base_with_powers,
    reduce_with_powers,
)
from psyc.recursion.merkle import verify_merkle_proof_circuit
from psyc.recursion.targets import CapTarget, FriProofTarget

#: a batch of at most this many opened values is combined with extension ops (each a tenth
#: of a shared row) rather than a `reducing` row of its own
SHORT_BATCH = 4


def check_supported(params: FriParams) -> None:
    for ab in params.reduction_arity_bits:
        if not 1 <= ab <= 4:
            raise ValueError(f"folding arity 2^{ab}: the in-circuit verifier folds cosets of 2..16 points")
    if params.config.cap_height > 5:
        raise ValueError("cap_height > 5: the in-circuit verifier selects cap digests among at most 32")


def verify_fri_circuit(
    b: CircuitBuilder,
    instance: FriInstanceInfo,
    points: Sequence[ExtTarget],
    openings: Sequence[Sequence[ExtTarget]],
    initial_caps: Sequence[CapTarget],
    proof: FriProofTarget,
    challenger: RecursiveChallenger,
    params: FriParams,
) -> None:
    """Constrain ``proof`` to show that ``openings`` (per batch of ``instance``, at
    ``points``) are the committed polynomials' values. ``instance`` gives the structure
    only (its points are ignored); ``challenger`` must have observed the openings."""
    cfg = params.config
    check_supported(params)
    if len(points) != len(instance.batches) or len(openings) != len(instance.batches):
        raise ValueError("points/openings do not match the instance's batches")

    with b.scope("challenges"):
        alpha, betas = fri_challenges(challenger, proof)

    with b.scope("proof_of_work"):
        challenger.observe_element(proof.pow_witness)
        pow_challenge = challenger.get_challenge()
        if cfg.proof_of_work_bits:
            range_check(b, pow_challenge, 64 - cfg.proof_of_work_bits)

    n_lde_bits = params.lde_bits
    with b.scope("batches"):
        batch_terms = []  # (polynomials, point, reduced, offset α^{k_b} or None)
        shift_n = ext_const(b, pow(COSET_SHIFT, params.lde_size, P))
        k = 0
        for batch, point, vals in zip(instance.batches, points, openings, strict=True):
            if len(vals) != len(batch.polynomials):
                raise ValueError("a batch's openings do not match its polynomials")
            point_n = ext_exp_power_of_two(b, point, n_lde_bits)
            assert_nonzero_ext(b, b.sub_extension(point_n, shift_n))
            reduced = reduce_with_powers(b, list(vals), alpha)
            offset = ext_exp_by_int(b, alpha, k) if k else None
            batch_terms.append((batch.polynomials, point, reduced, offset))
            k += len(vals)

    omega = primitive_root_of_unity(n_lde_bits)
    # x = shift · ω^brev(index): bit k of the index contributes ω^(2^(L−1−k))
    x_gens = [pow(omega, 1 << (n_lde_bits - 1 - i), P) for i in range(n_lde_bits)]
    for q, rnd in enumerate(proof.query_round_proofs):
        with b.scope(f"query_{q}"):
            with b.scope("index"):
                bits = low_bits_of_challenge(b, challenger.get_challenge(), n_lde_bits)
            leaves = []
            for o, (leaf, mp) in enumerate(rnd.initial_trees_proof.evals_proofs):
                with b.scope(f"merkle_oracle_{o}"):
                    verify_merkle_proof_circuit(b, leaf, bits, initial_caps[o], mp.siblings)
                leaves.append(leaf)

            with b.scope("combine"):
                x = b.mul(b.constant(COSET_SHIFT), pow_by_bits(b, x_gens, bits))
                value = None
                for polys, point, reduced, offset in batch_terms:
                    vals = [leaves[p.oracle_index][p.polynomial_index] for p in polys]
                    if len(vals) <= SHORT_BATCH:  # a few values (Z at gζ): extension ops, no row of their own
                        combined = reduce_with_powers(b, [ext_from_base(b, v) for v in vals], alpha)
                    else:
                        combined = reduce_base_with_powers(b, vals, alpha)
                    num = b.sub_extension(combined, reduced)
                    if offset is not None:
                        num = b.mul_extension(num, offset)
                    term = ext_div(b, num, b.sub_extension(ext_from_base(b, x), point))
                    value = term if value is None else b.add_extension(value, term)

            x_e: Target = x
            idx_bits = list(bits)
            for s, (step, ab, beta) in enumerate(
                zip(rnd.steps, params.reduction_arity_bits, betas, strict=True)
            ):
                with b.scope(f"fold_{s}"):
                    arity = 1 << ab
                    j_bits, coset_bits = idx_bits[:ab], idx_bits[ab:]
                    j = recompose(b, j_bits)
                    limbs = [[e[0] for e in step.evals], [e[1] for e in step.evals]]
                    assert_random_access_many(b, j, limbs, list(value))
                    leaf = [c for e in step.evals for c in e]
                    verify_merkle_proof_circuit(
                        b, leaf, coset_bits, proof.commit_phase_caps[s], step.merkle_proof.siblings
                    )
                    # coset_base = x_e · w^(−brev(j)); bit k of j contributes w^(−2^(ab−1−k))
                    w_inv = pow(primitive_root_of_unity(ab), P - 2, P)
                    gens = [pow(w_inv, 1 << (ab - 1 - i), P) for i in range(ab)]
                    coset_base = b.mul(x_e, pow_by_bits(b, gens, j_bits))
                    natural = [step.evals[reverse_index_bits(t, ab)] for t in range(arity)]
                    value = b.interpolate_coset(coset_base, natural, beta)
                    x_e = exp_power_of_two(b, x_e, ab)
                    idx_bits = coset_bits

            with b.scope("final_poly"):
                # Σ c_i·x^i with x in the base field: per limb, a Horner of base values in
                # `reducing` rows at α = (x, 0) (whose second limb stays 0): 43 coefficients
                # per row instead of one extension op each
                x_ext = ext_from_base(b, x_e)
                limbs = [reduce_base_with_powers(b, [c[k] for c in proof.final_poly], x_ext) for k in (0, 1)]
                assert_equal_ext(b, (limbs[0][0], limbs[1][0]), value)


def ext_exp_by_int(b: CircuitBuilder, x: ExtTarget, e: int) -> ExtTarget:
    """x^e for a constant exponent (square-and-multiply)."""
    result = None
    base = x
    while e:
        if e & 1:
            result = base if result is None else b.mul_extension(result, base)
        e >>= 1
        if e:
            base = b.mul_extension(base, base)
    return result if result is not None else ext_const(b, 1)
