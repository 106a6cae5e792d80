"""The fold circuits of an aggregation (:mod:`psyc.recursion.aggregate` describes the tree
and the public inputs ``node ‖ whitelist root ‖ count``), and the leaf commitment they
compute.

Its own module so that the executors (:mod:`psyc.recursion.executor`), which build fold
circuits, and the aggregation, which runs an executor, both sit above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psyc.field.goldilocks import P
from psyc.hash.poseidon import hash_no_pad
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.proof import ProofWithPublicInputs
from psyc.plonk.target import Target
from psyc.plonk.witness import PartialWitness
from psyc.recursion.dummy import dummy_proof
from psyc.recursion.gadgets import assert_equal_many, verification_condition
from psyc.recursion.shape import StandardShape
from psyc.recursion.targets import ProofTargets, add_proof_targets
from psyc.recursion.verifier import verify_proof_circuit
from psyc.recursion.vk import VerifierDataTarget, add_verifier_data_targets, set_verifier_data_targets
from psyc.recursion.whitelist import (
    DEFAULT_WHITELIST_DEPTH,
    Whitelist,
    WhitelistPathTarget,
    assert_whitelisted,
    set_whitelist_path,
)
from psyc.recursion.witness import set_proof_targets
from psyc.util.gc_pause import with_gc_paused

if TYPE_CHECKING:
    from psyc.plonk.keys import VerifyingKey

#: A child of a fold: ``(proof, key)`` at level 1, a fold proof above.
FoldChild = tuple[ProofWithPublicInputs, "VerifyingKey"] | ProofWithPublicInputs

LEAF_TAG = int.from_bytes(b"psycleaf", "little") % P
FOLD_PUBLIC_INPUTS = 9  # node (4), whitelist root (4), count (1)


def leaf_commitment(fingerprint: Sequence[int], public_inputs: Sequence[int]) -> list[int]:
    """``hash_no_pad(LEAF_TAG, n, fingerprint, public inputs)`` — what the tree commits to
    for one leaf proof (the tag and the length keep leaves apart from inner nodes)."""
    fp = [int(x) for x in fingerprint]
    if len(fp) != 4:
        raise ValueError("a fingerprint is 4 field elements")
    pis = [int(x) for x in public_inputs]
    return hash_no_pad([LEAF_TAG, len(pis), *fp, *pis])


def leaf_commitment_circuit(
    b: CircuitBuilder, fingerprint: Sequence[Target], public_inputs: Sequence[Target]
):
    return b.hash_no_pad([b.constant(LEAF_TAG), b.constant(len(public_inputs)), *fingerprint, *public_inputs])


@dataclass
class _Child:
    proof: ProofTargets
    vk: VerifierDataTarget | None  # leaf children: key as witness
    path: WhitelistPathTarget | None
    present: Target | None  # right children: the condition


@dataclass
class FoldCircuit:
    """A fold circuit: ``level`` 1 folds leaves, ``level`` k folds level k − 1 proofs."""

    level: int
    data: object  # CircuitData
    children: list[_Child]
    whitelist_root: list[Target]
    child_common: object
    child_data: object | None = None  # the level k − 1 fold circuit (None at level 1)

    @property
    def fingerprint(self) -> list[int]:
        return self.data.verifier_data.fingerprint

    def prove(
        self, left: FoldChild, right: FoldChild | None = None, whitelist: Whitelist | None = None, **kwargs: Any
    ) -> ProofWithPublicInputs:
        """Fold two children (``(proof, key)`` pairs at level 1, fold proofs above); with
        ``right`` None the right child is the empty dummy. ``kwargs`` go to the prover."""
        return self.data.prove(self.witness(left, right, whitelist), **kwargs)

    def witness(
        self, left: FoldChild, right: FoldChild | None = None, whitelist: Whitelist | None = None
    ) -> PartialWitness:
        """The partial witness :meth:`prove` proves."""
        pw = PartialWitness()
        if whitelist is None:
            raise ValueError("folding needs the whitelist")
        pw.set_targets(self.whitelist_root, whitelist.root)
        for child, item in zip(self.children, (left, right), strict=True):
            if child.present is not None:
                pw.set_target(child.present, int(item is not None))
            if item is None:
                set_proof_targets(pw, child.proof, dummy_proof(self.child_common))
                if child.vk is not None:  # any key will do: the checks are off
                    for t in child.vk.constants_sigmas_cap:
                        pw.set_targets(t, [0, 0, 0, 0])
                    set_whitelist_path(pw, child.path, None, None)
                continue
            if self.level == 1:
                proof, key = item
                set_proof_targets(pw, child.proof, proof)
                set_verifier_data_targets(pw, child.vk, key)
                set_whitelist_path(pw, child.path, whitelist, key)
            else:
                set_proof_targets(pw, child.proof, item)
        return pw


@with_gc_paused
def _build_fold(
    shape: StandardShape, level: int, child_common, child_data, whitelist_depth: int
) -> FoldCircuit:
    b = shape.builder()
    wl_root = b.add_virtual_targets(4)
    children: list[_Child] = []
    parts = []  # (node digest, count) per child, None-conditioned for the right one
    for side in ("left", "right"):
        with b.scope(side):
            present = b.add_virtual_target() if side == "right" else None
            pt = add_proof_targets(b, child_common)
            if level == 1:
                vkt = add_verifier_data_targets(b, child_common)
                fp = verify_proof_circuit(b, pt, vkt, child_common, condition=present)
                with verification_condition(b, present):
                    path = assert_whitelisted(b, fp, wl_root, whitelist_depth)
                node = leaf_commitment_circuit(b, fp, pt.public_inputs)
                count = b.one()
            else:
                vkt, path = None, None
                verify_proof_circuit(b, pt, child_data, child_common, condition=present)
                pis = pt.public_inputs
                with verification_condition(b, present):
                    assert_equal_many(b, pis[4:8], wl_root)
                node, count = pis[:4], pis[8]
            if present is not None:  # an absent child contributes the zero digest and no leaves
                node = [b.mul(present, t) for t in node]
                count = b.mul(present, count)
        children.append(_Child(pt, vkt, path, present))
        parts.append((node, count))
    with b.scope("fold"):
        (node_l, count_l), (node_r, count_r) = parts
        if level > 1:  # leaves stay left-packed: a right subtree only after a full left one
            with verification_condition(b, children[1].present):
                assert_equal_many(b, [count_l], [b.constant(1 << (level - 1))])
        node = b.two_to_one(node_l, node_r)
        count = b.add(count_l, count_r)
    b.register_public_inputs([*node, *wl_root, count])
    data = b.build()
    return FoldCircuit(level, data, children, wl_root, child_common, child_data)


_FOLDS: dict = {}


def fold_circuit(
    shape: StandardShape, level: int, leaf_public_inputs: int, whitelist_depth: int = DEFAULT_WHITELIST_DEPTH
) -> FoldCircuit:
    """The fold circuit of ``level`` (cached): level 1 folds leaves with
    ``leaf_public_inputs`` public inputs, level k folds level k − 1 proofs."""
    key = (shape, level, leaf_public_inputs, whitelist_depth)
    if key not in _FOLDS:
        if level == 1:
            fc = _build_fold(shape, 1, shape.common(leaf_public_inputs), None, whitelist_depth)
        else:
            below = fold_circuit(shape, level - 1, leaf_public_inputs, whitelist_depth)
            fc = _build_fold(shape, level, below.data.common, below.data, whitelist_depth)
        _FOLDS[key] = fc
    return _FOLDS[key]
