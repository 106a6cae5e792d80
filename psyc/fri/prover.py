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

from psyc.backend import Array
from psyc.field.extension import Ext2
from psyc.field.goldilocks import P
from psyc.fri.config import FriParams
from psyc.fri.oracle import PolynomialBatch
from psyc.fri.proof import FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep
from psyc.fri.structure import FriInstanceInfo, FriOpenings
from psyc.hash.merkle import MerkleTree
from psyc.iop.challenger import Challenger
from psyc.poly.ntt import COSET_SHIFT


def compute_openings(instance: FriInstanceInfo, oracles: list[PolynomialBatch]) -> FriOpenings:
    """The honest values of every (batch, polynomial) pair of the instance (each oracle is
    evaluated once, at every point it is opened at)."""
    points: dict[int, list[Ext2]] = {}
    for batch in instance.batches:
        for p in batch.polynomials:
            pts = points.setdefault(p.oracle_index, [])
            if batch.point not in pts:
                pts.append(batch.point)
    values = {
        (o, z): vals
        for o, pts in points.items()
        for z, vals in zip(pts, oracles[o].eval_many(pts), strict=True)
    }
    return FriOpenings(
        tuple(
            tuple(values[(p.oracle_index, batch.point)][p.polynomial_index] for p in batch.polynomials)
            for batch in instance.batches
        )
    )


def combined_polynomial(
    instance: FriInstanceInfo, oracles: list[PolynomialBatch], alpha: Ext2, length: int
) -> Array:
    """Coefficients (length, 2) of sum_b sum_i alpha^k (f_i - f_i(z_b)) / (X - z_b), on the
    oracles' backend."""
    be = oracles[0].backend
    width = max([length] + [o.degree for o in oracles])
    total = be.zeros((width, 2))
    n_polys = sum(len(b.polynomials) for b in instance.batches)
    powers = be.ext_powers((alpha.a0, alpha.a1), n_polys)
    k = 0
    for batch in instance.batches:
        numerator = be.zeros((width, 2))
        for o_idx in sorted({p.oracle_index for p in batch.polynomials}):
            rows, pw = [], []
            for j, p in enumerate(batch.polynomials):
                if p.oracle_index == o_idx:
                    rows.append(p.polynomial_index)
                    pw.append(k + j)
            coeffs = be.take_rows(oracles[o_idx].coeffs, rows)
            be.combine_rows(coeffs, be.take_rows(powers, pw), numerator[: coeffs.shape[1]])
        k += len(batch.polynomials)
        z = batch.point
        be.ext_add_scaled(total, be.divide_by_linear(numerator, (z.a0, z.a1)), (1, 0))
    return total[:length]


def prove_fri(
    instance: FriInstanceInfo,
    oracles: list[PolynomialBatch],
    challenger: Challenger,
    params: FriParams,
) -> FriProof:
    config = params.config
    n_lde = params.lde_size
    be = oracles[0].backend
    for o in oracles:
        if o.tree.num_leaves != n_lde:
            raise ValueError(f"oracle LDE has {o.tree.num_leaves} rows, FRI expects {n_lde}")
        if o.backend is not be:
            raise ValueError(
                f"oracles on different backends ({o.backend.name}, {be.name}); move them with .on()"
            )

    shift_pow = pow(COSET_SHIFT, n_lde, P)
    for batch in instance.batches:
        if batch.point**n_lde == Ext2(shift_pow):
            raise ValueError(f"opening point {batch.point} lies on the LDE coset; choose a point off it")

    alpha = challenger.get_ext_challenge()
    coeffs = combined_polynomial(instance, oracles, alpha, n_lde)
    shift = COSET_SHIFT
    values = be.ext_lde(coeffs, shift)

    trees: list[MerkleTree] = []
    for arity_bits in params.reduction_arity_bits:
        arity = 1 << arity_bits
        leaves = values.reshape(-1, 2 * arity)  # one leaf per coset of <w_arity>
        tree = MerkleTree(leaves, config.cap_height, backend=be)
        trees.append(tree)
        challenger.observe_cap(tree.cap)
        beta = challenger.get_ext_challenge()
        coeffs = be.fold(coeffs, arity, (beta.a0, beta.a1))
        shift = pow(shift, arity, P)
        values = be.ext_lde(coeffs, shift)

    # an honest prover's folded polynomial fits; a cheater's excess is simply dropped
    final_poly = [Ext2(a, b) for a, b in be.to_host(coeffs[: params.final_poly_len]).tolist()]
    challenger.observe_exts(final_poly)

    pow_witness = challenger.grind(config.proof_of_work_bits, backend=be)
    if not challenger.check_pow(pow_witness, config.proof_of_work_bits):  # pragma: no cover
        raise AssertionError("proof-of-work grinding produced an invalid nonce")

    # the query indices depend only on the transcript: draw them all, then open in batches
    indices = [challenger.get_challenge() % n_lde for _ in range(config.num_query_rounds)]
    initial = [o.tree.open(indices) for o in oracles]
    steps = []
    for arity_bits, tree in zip(params.reduction_arity_bits, trees, strict=True):
        indices = [i >> arity_bits for i in indices]  # the coset of each query
        leaves, proofs = tree.open(indices)
        evals = [[Ext2(leaf[2 * k], leaf[2 * k + 1]) for k in range(len(leaf) // 2)] for leaf in leaves]
        steps.append([FriQueryStep(e, p) for e, p in zip(evals, proofs, strict=True)])
    rounds = [
        FriQueryRound(
            FriInitialTreeProof([(leaves[q], proofs[q]) for leaves, proofs in initial]),
            [layer[q] for layer in steps],
        )
        for q in range(config.num_query_rounds)
    ]
    return FriProof([t.cap for t in trees], rounds, final_poly, pow_witness)
