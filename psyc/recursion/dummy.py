"""Dummy proofs: proof-shaped witnesses for a conditional verifier whose condition is 0.

Conditional verification (``verify_proof_circuit(..., condition=b)``) turns every *check*
of the verifier into ``b·(x − y) = 0`` and leaves every *computation* as it is (hashes,
challenges, the vanishing polynomial, FRI folds; witness generators never fail: an
inverse of 0 is 0). With ``b = 0`` the gadget is therefore satisfied by any values of the
proof targets, and the cheapest dummy proof is the zero-filled one: no dummy circuit
needs to be built or proved. (plonky2 instead *selects* between the real proof and a
real proof of a dummy circuit of the same shape, then verifies unconditionally; that
needs a cached dummy proof per shape and two selections per proof element.)

A dummy proof is not a valid proof: ``verify`` rejects it, and a verifier gadget with
``b = 1`` rejects it (tested).
"""

from __future__ import annotations

from psyc.field.extension import Ext2
from psyc.fri.proof import FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep
from psyc.hash.merkle import MerkleProof
from psyc.plonk.proof import OpeningSet, Proof, ProofWithPublicInputs
from psyc.plonk.verifier import opening_counts
from psyc.recursion.targets import oracle_leaf_widths


def _cap(h: int) -> list[list[int]]:
    return [[0, 0, 0, 0] for _ in range(1 << h)]


def _path(n: int) -> MerkleProof:
    return MerkleProof([[0, 0, 0, 0] for _ in range(n)])


def dummy_proof(common, public_inputs=None) -> ProofWithPublicInputs:
    """A zero-filled proof of the shape ``common`` (with ``public_inputs``, zeros by default)."""
    params = common.fri_params
    cfg = params.config
    h = cfg.cap_height
    zero = Ext2.zero()
    openings = OpeningSet(*[[zero] * k for k in opening_counts(common).values()])
    widths = oracle_leaf_widths(common)
    rounds = []
    for _ in range(cfg.num_query_rounds):
        initial = FriInitialTreeProof([([0] * w, _path(params.lde_bits - h)) for w in widths])
        steps, height = [], params.lde_bits
        for ab in params.reduction_arity_bits:
            height -= ab
            steps.append(FriQueryStep([zero] * (1 << ab), _path(height - h)))
        rounds.append(FriQueryRound(initial, steps))
    fri = FriProof([_cap(h) for _ in params.reduction_arity_bits], rounds, [zero] * params.final_poly_len, 0)
    pis = [0] * common.num_public_inputs if public_inputs is None else [int(x) for x in public_inputs]
    if len(pis) != common.num_public_inputs:
        raise ValueError(f"the shape has {common.num_public_inputs} public inputs, got {len(pis)}")
    return ProofWithPublicInputs(Proof(_cap(h), _cap(h), _cap(h), openings, fri), pis)


__all__ = ["dummy_proof"]
