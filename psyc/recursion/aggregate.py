"""Aggregation: fold any number of standard-shape proofs into one root proof.

Leaves are proofs of circuits of the standard shape (:mod:`psyc.recursion.shape`; use
:func:`~psyc.recursion.shape.wrap` for others) whose keys are in a whitelist
(:class:`~psyc.recursion.whitelist.Whitelist`). They are folded pairwise, as a binary
tree, by *fold circuits* of the same shape. Every fold proof has the public inputs

    ``node (4) ‖ whitelist root (4) ‖ count (1)``

* **leaf fold** (level 1): verifies two leaf proofs with their keys as witness
  (:mod:`psyc.recursion.vk`), shows each key's in-circuit fingerprint to be in the
  whitelist whose root is the public input, and computes each leaf's commitment
  :func:`leaf_commitment` ``(fingerprint, public inputs)``; ``node = two_to_one(c_left, c_right)``;
* **node fold** (level k ≥ 2): verifies two fold proofs of level k − 1 (that circuit's key
  is a constant), checks that they name the same whitelist root, and hashes their nodes;
* an odd count leaves the right child of the last fold empty: it is verified
  *conditionally* (flag 0, a zero-filled dummy proof) and contributes the zero digest;
  ``count`` adds up the present leaves; a right child is only allowed after a full left
  one (``count_left = 2^(k−1)``), so the leaves sit at positions ``0 .. count − 1``.

So the root proof's ``node`` is the root of a Merkle tree whose leaves are the leaf
commitments in order (zero digests fill odd levels, exactly as :func:`commitment_tree`
builds it natively), its ``whitelist root`` is the whitelist every leaf was checked
against, and ``count`` the number of leaves. :meth:`Aggregation.opening` gives a leaf's
Merkle path; :func:`verify_leaf_opening` checks it against the root's public inputs.

The root is an ordinary proof of an ordinary circuit (``psyc verify`` checks it). The
fold circuits are a deterministic function of (shape, number of leaf public inputs,
whitelist depth, tree depth): :func:`root_circuit` rebuilds them, so a verifier can check
that a root key is the genuine aggregation circuit (:func:`expected_root_fingerprint`) —
which it must: the key is what makes the public inputs mean anything, and it fixes the
tree depth that ``count`` implies.
All leaves of one aggregation must have the same number of public inputs (the leaf fold
circuit is built for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from psyc.hash.poseidon import two_to_one
from psyc.plonk.proof import ProofWithPublicInputs
from psyc.recursion.executor import FoldExecutor, FoldPlan, FoldProgress, LocalExecutor, num_folds
from psyc.recursion.fold import FOLD_PUBLIC_INPUTS, FoldCircuit, fold_circuit, leaf_commitment
from psyc.recursion.shape import StandardShape, standard_shape
from psyc.recursion.whitelist import (
    DEFAULT_WHITELIST_DEPTH,
    EMPTY,
    Whitelist,
)

# --- leaf commitments and the commitment tree -------------------------------------------------


def tree_depth(count: int) -> int:
    """Levels of the commitment tree of ``count`` leaves (at least one fold)."""
    if count < 1:
        raise ValueError("an aggregation has at least one leaf")
    return max(1, (count - 1).bit_length())


def commitment_tree(commitments: Sequence[Sequence[int]]) -> list[list[list[int]]]:
    """All levels, leaves first: each level padded to even length with the zero digest,
    then hashed pairwise (``two_to_one``), up to the single root."""
    level = [list(c) for c in commitments]
    levels = [level]
    for _ in range(tree_depth(len(level))):
        if len(level) % 2:
            level = [*level, list(EMPTY)]
            levels[-1] = level
        level = [two_to_one(level[2 * i], level[2 * i + 1]) for i in range(len(level) // 2)]
        levels.append(level)
    return levels


@dataclass
class LeafOpening:
    """Everything needed to check that one leaf is committed to by a root proof."""

    index: int
    fingerprint: list[int]
    public_inputs: list[int]
    siblings: list[list[int]]


def verify_leaf_opening(root_public_inputs: Sequence[int], opening: LeafOpening,
                        whitelist_root: Sequence[int] | None = None) -> bool:
    """True iff ``opening`` is leaf ``opening.index`` of the root proof with these public
    inputs (and, with ``whitelist_root``, the root names that whitelist)."""
    pis = [int(x) for x in root_public_inputs]
    if len(pis) != FOLD_PUBLIC_INPUTS:
        return False
    root, wl, count = pis[:4], pis[4:8], pis[8]
    if whitelist_root is not None and [int(x) for x in whitelist_root] != wl:
        return False
    if not 0 <= opening.index < count or len(opening.siblings) != tree_depth(count):
        return False
    d = leaf_commitment(opening.fingerprint, opening.public_inputs)
    i = opening.index
    for s in opening.siblings:
        d = two_to_one(s, d) if i & 1 else two_to_one(d, s)
        i >>= 1
    return list(d) == root


# --- fold circuits (built in psyc.recursion.fold) ----------------------------------------------


def root_circuit(
    shape: StandardShape, count: int, leaf_public_inputs: int, whitelist_depth: int = DEFAULT_WHITELIST_DEPTH
) -> FoldCircuit:
    """The fold circuit whose proofs are roots of aggregations of ``count`` leaves."""
    return fold_circuit(shape, tree_depth(count), leaf_public_inputs, whitelist_depth)


def expected_root_fingerprint(
    shape: StandardShape, count: int, leaf_public_inputs: int, whitelist_depth: int = DEFAULT_WHITELIST_DEPTH
) -> list[int]:
    """The fingerprint a genuine root key has (rebuilds the fold circuits, no proving)."""
    return root_circuit(shape, count, leaf_public_inputs, whitelist_depth).fingerprint


# --- aggregation ------------------------------------------------------------------------------


@dataclass
class Aggregation:
    """The result of :func:`aggregate`: the root proof and key, and the leaf commitments."""

    root_data: object  # CircuitData of the root fold circuit
    root_proof: ProofWithPublicInputs
    whitelist: Whitelist
    leaves: list[tuple[list[int], list[int]]]  # (fingerprint, public inputs) per leaf
    levels: list[list[list[int]]]  # commitment_tree(...)
    stats: dict = field(default_factory=dict)
    fold_proofs: list[list[ProofWithPublicInputs]] = field(default_factory=list)  # per level, from 1

    @property
    def root_key(self):
        return self.root_data.verifier_data

    @property
    def count(self) -> int:
        return len(self.leaves)

    def opening(self, index: int) -> LeafOpening:
        if not 0 <= index < self.count:
            raise IndexError(f"leaf {index} of {self.count}")
        siblings, i = [], index
        for level in self.levels[:-1]:
            siblings.append(list(level[i ^ 1]))
            i >>= 1
        fp, pis = self.leaves[index]
        return LeafOpening(index, list(fp), list(pis), siblings)

    def verify(self) -> None:
        """Native verification of the root proof and of its public inputs' consistency."""
        self.root_data.verify(self.root_proof)
        pis = self.root_proof.public_inputs
        if pis[:4] != self.levels[-1][0] or pis[4:8] != self.whitelist.root or pis[8] != self.count:
            raise ValueError("the root proof's public inputs do not match the leaves")


def _as_pair(item):
    proof, key = item
    vk = key.verifier_data if hasattr(key, "prover_only") else key
    return proof, vk


def aggregate(
    proofs_with_keys: Sequence,
    whitelist: Whitelist | Sequence | None = None,
    shape: StandardShape | None = None,
    progress: bool | object = False,
    executor: FoldExecutor | None = None,
) -> Aggregation:
    """Fold ``[(proof, key), ...]`` (keys: ``VerifyingKey`` or ``CircuitData`` of
    standard-shape circuits in ``whitelist``; default: the keys given) into one root proof.

    ``progress``: True for a rich progress bar on stderr, or a ``rich.progress.Progress``
    to add a task to. ``executor``: where the folds are proved (default
    :class:`~psyc.recursion.executor.LocalExecutor`: here, one after the other;
    ``psyc.cluster.RayExecutor``: as Ray tasks). The root is the same bytes either way."""
    shape = shape or standard_shape()
    items = [_as_pair(x) for x in proofs_with_keys]
    if not items:
        raise ValueError("nothing to aggregate")
    if whitelist is None:
        whitelist = Whitelist([vk for _, vk in items])
    elif not isinstance(whitelist, Whitelist):
        whitelist = Whitelist(list(whitelist))
    n_pis = len(items[0][0].public_inputs)
    for i, (_, vk) in enumerate(items):
        if not shape.matches(vk.common):
            raise ValueError(f"leaf {i} is not of the standard shape (wrap it first: psyc.recursion.wrap)")
        if vk.common.num_public_inputs != n_pis:
            raise ValueError(
                f"leaf {i} has {vk.common.num_public_inputs} public inputs, leaf 0 has {n_pis}: "
                "one aggregation folds leaves with equally many public inputs"
            )
        if vk not in whitelist:
            raise ValueError(f"leaf {i}'s circuit (fingerprint {vk.fingerprint}) is not whitelisted")
    depth = tree_depth(len(items))
    plan = FoldPlan(shape, n_pis, whitelist, depth)
    executor = executor if executor is not None else LocalExecutor()
    with FoldProgress(progress, num_folds(len(items), depth)) as bar:
        fold_proofs = executor.fold(plan, items, bar)
    stats = {"folds": bar.done, "fold_s": bar.elapsed_s, **getattr(executor, "stats", {})}
    (root_proof,) = fold_proofs[-1]
    leaves = [(list(vk.fingerprint), list(p.public_inputs)) for p, vk in items]
    levels = commitment_tree([leaf_commitment(fp, pis) for fp, pis in leaves])
    return Aggregation(
        plan.fold_circuit(depth).data, root_proof, whitelist, leaves, levels, stats, fold_proofs
    )
