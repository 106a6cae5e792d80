"""Sparse Poseidon Merkle trees with empty-subtree defaults (PARTH.md).

A tree of height ``h`` has ``2^h`` leaves. A leaf is a fixed number of field elements; its
node is ``hash_no_pad(leaf)`` (plonky2's sponge), inner nodes are ``two_to_one(left, right)``.
An untouched leaf is all zeros, so an empty subtree of height ``k`` has the digest
``empty_hashes(leaf_len, h)[k]`` and only non-default nodes are stored: a tree of height 32
with a handful of leaves costs a handful of paths.

Paths follow ``std::merkle``: sibling ``i`` is the sibling at level ``i`` (0 = next to the
leaf); bit ``i`` of the index set means the node at level ``i`` is a right child.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from psyc.hash.poseidon import hash_no_pad, two_to_one

Digest = tuple[int, int, int, int]
NodeSource = Callable[[int, int], Digest | None]  # (level, index) -> stored digest
LeafSource = Callable[[int], tuple[int, ...] | None]


def leaf_hash(felts: Sequence[int]) -> Digest:
    """The node of a leaf: ``hash_no_pad`` of its elements."""
    return tuple(hash_no_pad(list(felts)))


@cache
def empty_hashes(leaf_len: int, height: int) -> tuple[Digest, ...]:
    """Digests of empty subtrees: ``[k]`` for a subtree of height k (0: an empty leaf)."""
    out = [leaf_hash([0] * leaf_len)]
    for _ in range(height):
        out.append(tuple(two_to_one(out[-1], out[-1])))
    return tuple(out)


def root_from_path(leaf_node: Sequence[int], index: int, siblings: Sequence[Sequence[int]]) -> Digest:
    node = tuple(leaf_node)
    for level, sib in enumerate(siblings):
        node = tuple(two_to_one(sib, node) if (index >> level) & 1 else two_to_one(node, sib))
    return node


@dataclass(frozen=True)
class MerkleProof:
    """``leaf`` sits at ``index`` under the root this path leads to."""

    index: int
    leaf: tuple[int, ...]
    siblings: tuple[Digest, ...]

    def root(self) -> Digest:
        return root_from_path(leaf_hash(self.leaf), self.index, self.siblings)

    def verify(self, root: Sequence[int]) -> bool:
        return self.index >> len(self.siblings) == 0 and self.root() == tuple(root)


@dataclass(frozen=True)
class DeltaProof:
    """One leaf changed from ``old_leaf`` to ``new_leaf``; every other leaf kept. The same
    siblings lead from the old leaf to ``old_root`` and from the new one to ``new_root``."""

    index: int
    old_leaf: tuple[int, ...]
    new_leaf: tuple[int, ...]
    siblings: tuple[Digest, ...]
    old_root: Digest
    new_root: Digest

    def verify(self) -> bool:
        if self.index >> len(self.siblings):
            return False
        return (root_from_path(leaf_hash(self.old_leaf), self.index, self.siblings) == self.old_root
                and root_from_path(leaf_hash(self.new_leaf), self.index, self.siblings) == self.new_root)


@dataclass
class SparseMerkleTree:
    """A sparse tree; reads fall through to ``node_source``/``leaf_source`` (a store), writes
    stay in memory (``dirty_nodes``/``dirty_leaves``) until the owner commits them."""

    height: int
    leaf_len: int
    node_source: NodeSource | None = None
    leaf_source: LeafSource | None = None
    nodes: dict[tuple[int, int], Digest] = field(default_factory=dict)
    leaves: dict[int, tuple[int, ...]] = field(default_factory=dict)
    dirty_nodes: set[tuple[int, int]] = field(default_factory=set)
    dirty_leaves: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not 0 <= self.height <= 64:
            raise ValueError(f"tree height {self.height} out of range")
        self._empty = empty_hashes(self.leaf_len, self.height)

    @property
    def capacity(self) -> int:
        return 1 << self.height

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.capacity:
            raise IndexError(f"leaf index {index} outside a tree of height {self.height}")

    def node(self, level: int, index: int) -> Digest:
        key = (level, index)
        got = self.nodes.get(key)
        if got is None and self.node_source is not None:
            got = self.node_source(level, index)
            if got is not None:
                self.nodes[key] = got
        return got if got is not None else self._empty[level]

    @property
    def root(self) -> Digest:
        return self.node(self.height, 0)

    def leaf(self, index: int) -> tuple[int, ...]:
        self._check_index(index)
        got = self.leaves.get(index)
        if got is None and self.leaf_source is not None:
            got = self.leaf_source(index)
            if got is not None:
                self.leaves[index] = got
        return got if got is not None else (0,) * self.leaf_len

    def siblings(self, index: int) -> tuple[Digest, ...]:
        self._check_index(index)
        return tuple(self.node(level, (index >> level) ^ 1) for level in range(self.height))

    def proof(self, index: int) -> MerkleProof:
        return MerkleProof(index, self.leaf(index), self.siblings(index))

    def set(self, index: int, leaf: Sequence[int]) -> DeltaProof:
        """Write a leaf; returns the delta proof of the change."""
        leaf = tuple(int(x) for x in leaf)
        if len(leaf) != self.leaf_len:
            raise ValueError(f"a leaf of this tree has {self.leaf_len} elements, got {len(leaf)}")
        old_root, old_leaf, sibs = self.root, self.leaf(index), self.siblings(index)
        node = leaf_hash(leaf)
        self.leaves[index] = leaf
        self.dirty_leaves.add(index)
        for level in range(self.height + 1):
            key = (level, index >> level)
            self.nodes[key] = node
            self.dirty_nodes.add(key)
            if level < self.height:
                sib = sibs[level]
                node = tuple(two_to_one(sib, node) if (index >> level) & 1 else two_to_one(node, sib))
        return DeltaProof(index, old_leaf, leaf, sibs, old_root, self.root)

    def take_dirty(self) -> tuple[dict[tuple[int, int], Digest], dict[int, tuple[int, ...]]]:
        """The nodes and leaves written since the last call (for a store commit)."""
        nodes = {k: self.nodes[k] for k in self.dirty_nodes}
        leaves = {k: self.leaves[k] for k in self.dirty_leaves}
        self.dirty_nodes.clear()
        self.dirty_leaves.clear()
        return nodes, leaves

    def copy(self) -> SparseMerkleTree:
        """An independent tree with the same content (sources shared, read-only)."""
        return SparseMerkleTree(self.height, self.leaf_len, self.node_source, self.leaf_source,
                                dict(self.nodes), dict(self.leaves), set(self.dirty_nodes), set(self.dirty_leaves))
