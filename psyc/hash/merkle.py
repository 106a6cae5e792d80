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

from psyc.backend import ProverBackend, get_backend
from psyc.hash.constants import DIGEST_LEN, RATE, WIDTH
from psyc.hash.poseidon import (
    Digest,
    hash_or_noop,
    hash_or_noop_rows,
    kernels_loaded,
    permute_many,
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
    LDE kept as one polynomial per row is committed without transposing it. The matrix and
    the digest levels live on ``backend`` (default: :func:`psyc.backend.get_backend`); a
    host matrix is moved there, a backend array is used as it is.
    """

    def __init__(
        self,
        leaves: np.ndarray | Sequence[Sequence[int]],
        cap_height: int,
        columns: bool = False,
        backend: ProverBackend | None = None,
        levels: list | None = None,
    ):
        """``levels``: the digest levels of these leaves, computed before (a build cache
        entry, checked by its reader); None hashes the leaves."""
        backend = backend or get_backend()
        if isinstance(leaves, np.ndarray) or not hasattr(leaves, "shape"):
            leaves = backend.to_device(np.ascontiguousarray(np.asarray(leaves, dtype=np.uint64)))
        if leaves.ndim != 2:
            raise ValueError("MerkleTree leaves must be a 2-D matrix (one leaf per row)")
        n = leaves.shape[1] if columns else leaves.shape[0]
        if n == 0 or n & (n - 1):
            raise ValueError(f"MerkleTree needs a power-of-two number of leaves, got {n}")
        height = n.bit_length() - 1
        if not 0 <= cap_height <= height:
            raise ValueError(f"cap_height {cap_height} exceeds tree height {height}")
        self.backend = backend
        self._matrix = leaves
        self._columns = columns
        self.num_leaves = n
        self.cap_height = cap_height
        self.height = height
        # levels[0] = leaf digests, levels[k] has n >> k digests; stops at the cap
        self.levels = backend.merkle_tree(leaves, cap_height, columns) if levels is None else levels

    @property
    def leaves(self) -> np.ndarray:
        """The leaves as a host (n, m) matrix (a transposed view for ``columns=True``)."""
        host = self.backend.to_host(self._matrix)
        return host.T if self._columns else host

    @property
    def cap(self) -> MerkleCap:
        return self.backend.to_host(self.levels[-1]).tolist()

    def cap_array(self) -> np.ndarray:
        return self.backend.to_host(self.levels[-1]).copy()

    def open(self, indices: Sequence[int]) -> tuple[list[list[int]], list[MerkleProof]]:
        """The leaves at ``indices`` and their proofs (one batched backend call)."""
        for index in indices:
            if not 0 <= index < self.num_leaves:
                raise IndexError(f"leaf index {index} out of range")
        values, siblings = self.backend.merkle_openings(
            self._matrix, self.levels, list(indices), self._columns
        )
        return values.tolist(), [MerkleProof(s) for s in siblings.tolist()]

    def leaf(self, index: int) -> list[int]:
        return self.open([index])[0][0]

    def prove(self, index: int) -> MerkleProof:
        return self.open([index])[1][0]


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
    return verify_merkle_proof_groups([(leaves, indices, cap, proofs)])[0]


def verify_merkle_proof_groups(
    groups: Sequence[tuple[Sequence[Sequence[int]], Sequence[int], MerkleCap, Sequence[MerkleProof]]],
) -> list[list[bool]]:
    """:func:`verify_merkle_proofs` for several trees at once ``(leaves, indices, cap,
    proofs)`` each: every sponge step of the leaves and every level of the paths is one
    batched hash call over all trees (a verifier's FRI queries open 4 + L trees: a third
    of the calls, where each call costs about as much for 28 states as for 200 without
    numba, :mod:`psyc.hash.poseidon_plain`). A group whose leaves or paths are not all of
    one length is checked one by one."""
    results: list[list[bool] | None] = [None] * len(groups)
    regular = []
    for g, (leaves, indices, cap, proofs) in enumerate(groups):
        if not leaves:
            results[g] = []
        elif len({len(lf) for lf in leaves}) != 1 or len({len(p.siblings) for p in proofs}) != 1:
            results[g] = [verify_merkle_proof(lf, i, cap, p) for lf, i, p in zip(leaves, indices, proofs, strict=True)]
        else:
            regular.append(g)
    if regular:
        for g, ok in zip(regular, _verify_regular([groups[g] for g in regular]), strict=True):
            results[g] = ok
    return results  # type: ignore[return-value]


def _verify_regular(groups) -> list[list[bool]]:
    """Groups of equal-length leaves and paths, all trees' hashes batched per step."""
    starts = np.cumsum([0] + [len(lv) for lv, _, _, _ in groups])
    total = int(starts[-1])
    widths = [len(lv[0]) for lv, _, _, _ in groups]
    digests = np.zeros((total, DIGEST_LEN), dtype=np.uint64)
    sponge = [(g, np.array(groups[g][0], dtype=np.uint64)) for g in range(len(groups))]
    # with the kernels loaded, a tree's leaves in one call (no per-call cost to share);
    # without, the trees' sponge steps share NumPy calls (below)
    whole = kernels_loaded()
    for g, rows in sponge:
        if widths[g] <= DIGEST_LEN or whole:
            digests[starts[g] : starts[g + 1]] = hash_or_noop_rows(rows)
    long = [(g, rows) for g, rows in sponge if widths[g] > DIGEST_LEN and not whole]
    states = {g: np.zeros((len(rows), WIDTH), dtype=np.uint64) for g, rows in long}
    for start in range(0, max([widths[g] for g, _ in long], default=0), RATE):
        step = [(g, rows) for g, rows in long if widths[g] > start]
        for g, rows in step:
            chunk = rows[:, start : start + RATE]
            states[g][:, : chunk.shape[1]] = chunk
        out = permute_many(np.concatenate([states[g] for g, _ in step]))
        for (g, _), part in zip(step, np.split(out, np.cumsum([len(states[g]) for g, _ in step])[:-1]), strict=True):
            states[g] = part
    for g, _ in long:
        digests[starts[g] : starts[g + 1]] = states[g][:, :DIGEST_LEN]
    idx = np.concatenate([np.array(ix, dtype=np.int64) for _, ix, _, _ in groups])
    depths = [len(pr[0].siblings) for _, _, _, pr in groups]
    # every path's siblings in one array (row per path, level, digest), converted once per
    # tree rather than once per level; a shallower tree's rows drop out past its depth
    sibs = np.zeros((total, max(depths), DIGEST_LEN), dtype=np.uint64)
    for g, (_, _, _, proofs) in enumerate(groups):
        if depths[g]:
            sibs[starts[g] : starts[g + 1], : depths[g]] = np.array([p.siblings for p in proofs], dtype=np.uint64)
    depth_of_row = np.repeat(np.array(depths), np.diff(starts))
    for level in range(max(depths)):
        rows = np.flatnonzero(depth_of_row > level)
        sib, cur = sibs[rows, level], digests[rows]
        right = (idx[rows] & 1).astype(bool)[:, None]  # the running digest is a right child
        pairs = np.empty((2 * len(rows), DIGEST_LEN), dtype=np.uint64)
        pairs[0::2] = np.where(right, sib, cur)
        pairs[1::2] = np.where(right, cur, sib)
        digests[rows] = two_to_one_pairs(pairs)
        idx[rows] >>= 1
    out = []
    for g, (_, _, cap, _) in enumerate(groups):
        ds, ix = digests[starts[g] : starts[g + 1]].tolist(), idx[starts[g] : starts[g + 1]].tolist()
        out.append([0 <= i < len(cap) and d == list(cap[i]) for d, i in zip(ds, ix, strict=True)])
    return out
