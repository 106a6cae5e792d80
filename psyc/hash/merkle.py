"""Merkle trees of Poseidon digests, committed to as caps (plonky2 conventions).

Leaf i is ``hash_or_noop(leaves[i])``; an inner node is ``two_to_one(left, right)``.
The tree stops ``cap_height`` levels below the root: the commitment is the list of
the 2^cap_height digests at that level (the "cap"). A proof for leaf i lists the
siblings from the leaf level up to (not including) the cap; at each level the bit
of i says whether the running digest is a right child (bit 1) or a left child.
Leaves are taken in the order given; commitments to LDEs pass rows bit-reversed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from psyc.hash.poseidon import (
    Digest,
    hash_or_noop,
    hash_or_noop_columns,
    hash_or_noop_rows,
    two_to_one,
    two_to_one_pairs,
)

MerkleCap = list[Digest]


@dataclass(frozen=True)
class MerkleProof:
    siblings: list[Digest]


class MerkleTree:
    """A Merkle tree over the rows of an (n, m) uint64 matrix (n a power of two).

    ``columns=True`` takes the transposed (m, n) matrix instead, one leaf per column: an
    LDE kept as one polynomial per row is committed without transposing it.
    """

    def __init__(self, leaves: np.ndarray | Sequence[Sequence[int]], cap_height: int, columns: bool = False):
        leaves = np.ascontiguousarray(np.asarray(leaves, dtype=np.uint64))
        if leaves.ndim != 2:
            raise ValueError("MerkleTree leaves must be a 2-D matrix (one leaf per row)")
        n = leaves.shape[1] if columns else leaves.shape[0]
        if n == 0 or n & (n - 1):
            raise ValueError(f"MerkleTree needs a power-of-two number of leaves, got {n}")
        height = n.bit_length() - 1
        if not 0 <= cap_height <= height:
            raise ValueError(f"cap_height {cap_height} exceeds tree height {height}")
        self._matrix = leaves
        self._columns = columns
        self.num_leaves = n
        self.cap_height = cap_height
        self.height = height
        # levels[0] = leaf digests, levels[k] has n >> k digests; stops at the cap
        levels = [hash_or_noop_columns(leaves) if columns else hash_or_noop_rows(leaves)]
        for _ in range(height - cap_height):
            levels.append(two_to_one_pairs(levels[-1]))
        self.levels = levels

    @property
    def leaves(self) -> np.ndarray:
        """The leaves as an (n, m) matrix (a transposed view for ``columns=True``)."""
        return self._matrix.T if self._columns else self._matrix

    @property
    def cap(self) -> MerkleCap:
        return [[int(v) for v in d] for d in self.levels[-1]]

    def cap_array(self) -> np.ndarray:
        return self.levels[-1].copy()

    def leaf(self, index: int) -> list[int]:
        return [int(v) for v in (self._matrix[:, index] if self._columns else self._matrix[index])]

    def prove(self, index: int) -> MerkleProof:
        if not 0 <= index < self.num_leaves:
            raise IndexError(f"leaf index {index} out of range")
        siblings = []
        for level in self.levels[:-1]:
            siblings.append([int(v) for v in level[index ^ 1]])
            index >>= 1
        return MerkleProof(siblings)


def verify_merkle_proof(leaf: Sequence[int], index: int, cap: MerkleCap, proof: MerkleProof) -> bool:
    """True iff ``leaf`` sits at ``index`` under ``cap``."""
    digest = hash_or_noop(list(leaf))
    for sibling in proof.siblings:
        digest = two_to_one(sibling, digest) if index & 1 else two_to_one(digest, sibling)
        index >>= 1
    return 0 <= index < len(cap) and list(digest) == list(cap[index])


def verify_merkle_proofs(
    leaves: Sequence[Sequence[int]], indices: Sequence[int], cap: MerkleCap, proofs: Sequence[MerkleProof]
) -> list[bool]:
    """``verify_merkle_proof`` for many leaves of one tree at once (one batched hash call
    per level instead of one call per hash); falls back to one by one when the leaves or
    paths are not all of one length."""
    k = len(leaves)
    if k == 0:
        return []
    depth = len(proofs[0].siblings)
    if len({len(leaf) for leaf in leaves}) != 1 or any(len(p.siblings) != depth for p in proofs):
        return [verify_merkle_proof(lf, i, cap, p) for lf, i, p in zip(leaves, indices, proofs, strict=True)]
    digests = hash_or_noop_rows(np.array(leaves, dtype=np.uint64))
    idx = np.array(indices, dtype=np.int64)
    for level in range(depth):
        sib = np.array([p.siblings[level] for p in proofs], dtype=np.uint64)
        right = (idx & 1).astype(bool)[:, None]  # the running digest is a right child
        pairs = np.empty((2 * k, 4), dtype=np.uint64)
        pairs[0::2] = np.where(right, sib, digests)
        pairs[1::2] = np.where(right, digests, sib)
        digests = two_to_one_pairs(pairs)
        idx >>= 1
    return [
        0 <= int(i) < len(cap) and [int(v) for v in d] == list(cap[int(i)])
        for d, i in zip(digests, idx, strict=True)
    ]
