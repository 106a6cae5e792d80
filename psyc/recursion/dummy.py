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
``b = 1`` rejects it (tested). :func:`dummy_key` is its zero-cap key (a verifying key
whose ``verify`` always refuses, with a message saying why): what the language uses for a
proof input given as ``{ dummy = true }`` (docs/language.md, "Proofs").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from psyc.field.extension import Ext2
from psyc.fri.proof import FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep
from psyc.hash.merkle import MerkleProof
from psyc.plonk.circuit_data import VerifierOnlyCircuitData, circuit_digest
from psyc.plonk.keys import VerifyingKey
from psyc.plonk.proof import OpeningSet, Proof, ProofWithPublicInputs
from psyc.plonk.verifier import VerificationError, opening_counts
from psyc.recursion.targets import oracle_leaf_widths

if TYPE_CHECKING:
    from psyc.plonk.circuit_data import CommonCircuitData


def _cap(h: int) -> list[list[int]]:
    return [[0, 0, 0, 0] for _ in range(1 << h)]


def _path(n: int) -> MerkleProof:
    return MerkleProof([[0, 0, 0, 0] for _ in range(n)])


def dummy_proof(common: CommonCircuitData, public_inputs: Sequence[int] | None = None) -> ProofWithPublicInputs:
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


class DummyKey(VerifyingKey):
    """The key of a dummy proof: the zero constants/sigmas cap of the shape (its
    fingerprint is what a verifier circuit computes from that cap). No proof verifies
    under it: :meth:`verify` always raises."""

    def verify(self, proof: ProofWithPublicInputs) -> None:
        raise VerificationError(
            "a dummy proof ({ dummy = true }) is not a proof: it may only stand where its "
            "verification is switched off (a branch that is not taken)")


def dummy_key(common: CommonCircuitData) -> DummyKey:
    """The zero-cap key of the shape ``common`` (see :class:`DummyKey`)."""
    cap = _cap(common.config.fri_config.cap_height)
    return DummyKey(VerifierOnlyCircuitData(cap, circuit_digest(common, cap)), common)


def is_dummy(vk: object) -> bool:
    """Whether ``vk`` is a dummy proof's key."""
    return isinstance(vk, DummyKey)


__all__ = ["DummyKey", "dummy_key", "dummy_proof", "is_dummy"]
