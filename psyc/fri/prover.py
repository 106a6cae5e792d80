"""FRI prover: batch opening of committed polynomials at extension-field points.

Protocol (the verifier replays the same transcript, in this order):

1. the caller has observed every oracle cap, the opening points and the openings;
2. ``alpha`` (extension challenge) combines all opened polynomials into
   ``sum_b sum_i alpha^k (f_i(X) - f_i(z_b)) / (X - z_b)``, k counting polynomials
   across batches — a polynomial exactly when every claimed value is right;
3. commit phase: for each folding step, commit to the current codeword in cosets of
   ``arity`` (one Merkle leaf per coset), observe the cap, draw ``beta`` and fold
   ``f(X) = sum_k X^k f_k(X^arity)`` into ``sum_k beta^k f_k``;
4. observe the final polynomial's coefficients, then grind the proof-of-work nonce;
5. draw ``num_query_rounds`` indices and open every tree along each query's path.
"""

from __future__ import annotations

import numpy as np

from psyc.backend_cpu import fri_kernels as fk
from psyc.field.extension import Ext2
from psyc.fri.config import FriParams
from psyc.fri.oracle import PolynomialBatch
from psyc.fri.proof import FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep
from psyc.fri.structure import FriInstanceInfo, FriOpenings
from psyc.hash.merkle import MerkleTree
from psyc.iop.challenger import Challenger
from psyc.poly.ntt import COSET_SHIFT, lde_batch


def compute_openings(instance: FriInstanceInfo, oracles: list[PolynomialBatch]) -> FriOpenings:
    """The honest values of every (batch, polynomial) pair of the instance."""
    cache: dict[tuple[int, Ext2], list[Ext2]] = {}
    batches = []
    for batch in instance.batches:
        vals = []
        for p in batch.polynomials:
            key = (p.oracle_index, batch.point)
            if key not in cache:
                cache[key] = oracles[p.oracle_index].eval(batch.point)
            vals.append(cache[key][p.polynomial_index])
        batches.append(tuple(vals))
    return FriOpenings(tuple(batches))


def combined_polynomial(
    instance: FriInstanceInfo, oracles: list[PolynomialBatch], alpha: Ext2, length: int
) -> np.ndarray:
    """Coefficients (length, 2) of sum_b sum_i alpha^k (f_i - f_i(z_b)) / (X - z_b)."""
    width = max([length] + [o.degree for o in oracles])
    total = np.zeros((width, 2), dtype=np.uint64)
    n_polys = sum(len(b.polynomials) for b in instance.batches)
    powers = fk.ext_powers(np.uint64(alpha.a0), np.uint64(alpha.a1), n_polys)
    k = 0
    for batch in instance.batches:
        numerator = np.zeros((width, 2), dtype=np.uint64)
        for o_idx in sorted({p.oracle_index for p in batch.polynomials}):
            rows, pw = [], []
            for j, p in enumerate(batch.polynomials):
                if p.oracle_index == o_idx:
                    rows.append(p.polynomial_index)
                    pw.append(powers[k + j])
            coeffs = oracles[o_idx].coeffs[rows]
            fk.combine_rows(np.ascontiguousarray(coeffs), np.array(pw), numerator[: coeffs.shape[1]])
        k += len(batch.polynomials)
        quotient = np.empty_like(numerator)
        z = batch.point
        fk.divide_by_linear(numerator, np.uint64(z.a0), np.uint64(z.a1), quotient)
        fk.scaled_add(total, quotient, np.uint64(1), np.uint64(0))
    if width < length:
        total = np.concatenate([total, np.zeros((length - width, 2), dtype=np.uint64)])
    return total[:length] if width > length else total


def _coset_lde_ext(coeffs: np.ndarray, shift: int) -> np.ndarray:
    """Bit-reversed evaluations (n, 2) of an extension polynomial given by n coefficients."""
    return np.ascontiguousarray(lde_batch(np.ascontiguousarray(coeffs.T), 0, shift).T)


def prove_fri(
    instance: FriInstanceInfo,
    oracles: list[PolynomialBatch],
    challenger: Challenger,
    params: FriParams,
) -> FriProof:
    config = params.config
    n_lde = params.lde_size
    for o in oracles:
        if o.tree.num_leaves != n_lde:
            raise ValueError(f"oracle LDE has {o.tree.num_leaves} rows, FRI expects {n_lde}")

    shift_pow = pow(COSET_SHIFT, n_lde, 0xFFFFFFFF00000001)
    for batch in instance.batches:
        if batch.point**n_lde == Ext2(shift_pow):
            raise ValueError(f"opening point {batch.point} lies on the LDE coset; choose a point off it")

    alpha = challenger.get_ext_challenge()
    coeffs = combined_polynomial(instance, oracles, alpha, n_lde)
    shift = COSET_SHIFT
    values = _coset_lde_ext(coeffs, shift)

    trees: list[MerkleTree] = []
    layer_values: list[np.ndarray] = []
    for arity_bits in params.reduction_arity_bits:
        arity = 1 << arity_bits
        leaves = values.reshape(-1, 2 * arity)  # one leaf per coset of <w_arity>
        tree = MerkleTree(leaves, config.cap_height)
        trees.append(tree)
        layer_values.append(values)
        challenger.observe_cap(tree.cap)
        beta = challenger.get_ext_challenge()
        folded = np.empty((coeffs.shape[0] >> arity_bits, 2), dtype=np.uint64)
        fk.fold_coeffs(coeffs, arity, np.uint64(beta.a0), np.uint64(beta.a1), folded)
        coeffs = folded
        shift = pow(shift, arity, 0xFFFFFFFF00000001)
        values = _coset_lde_ext(coeffs, shift)

    # an honest prover's folded polynomial fits; a cheater's excess is simply dropped
    final_poly = [Ext2(int(a), int(b)) for a, b in coeffs[: params.final_poly_len]]
    challenger.observe_exts(final_poly)

    pow_witness = challenger.grind(config.proof_of_work_bits)
    if not challenger.check_pow(pow_witness, config.proof_of_work_bits):  # pragma: no cover
        raise AssertionError("proof-of-work grinding produced an invalid nonce")

    rounds = []
    for _ in range(config.num_query_rounds):
        x_index = challenger.get_challenge() % n_lde
        initial = FriInitialTreeProof([(o.tree.leaf(x_index), o.tree.prove(x_index)) for o in oracles])
        steps = []
        for arity_bits, tree, vals in zip(params.reduction_arity_bits, trees, layer_values, strict=True):
            coset_index = x_index >> arity_bits
            arity = 1 << arity_bits
            evals = [Ext2(int(a), int(b)) for a, b in vals[coset_index * arity : (coset_index + 1) * arity]]
            steps.append(FriQueryStep(evals, tree.prove(coset_index)))
            x_index = coset_index
        rounds.append(FriQueryRound(initial, steps))

    return FriProof([t.cap for t in trees], rounds, final_poly, pow_witness)
