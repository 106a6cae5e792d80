"""The transition statement of PARTH's user-tree aggregation (GUTA).

An end-cap proof (one user's session) and every GUTA proof above it publish the same 21
public inputs, in this order (``stdlib/parth/transition.psy`` is the in-circuit twin):

==================  =====  ==================================================================
field               felts  meaning
==================  =====  ==================================================================
chkp_root           4      CHKP root of the finalized checkpoint every session inside anchored to
level               1      GUSR level of the node covered (``gusr height`` = a user leaf, 0 = root)
index               1      the node's index at that level (for a leaf: the user id)
old_root            4      node hash before (a leaf: the old user-leaf hash)
new_root            4      node hash after
tx_count            1      transactions folded in
user_count          1      users folded in
slots_modified      1      CSTATE slots written
whitelist           4      Merkle root of the allowed child fingerprints (end caps + GUTA)
==================  =====  ==================================================================

Levels count from the root (as the GUSR path is walked down), unlike
:mod:`psyc.parth.tree`'s node levels, which count from the leaves:
``tree.node(height - level, index)`` is the node a transition at ``(level, index)`` covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psyc.field.goldilocks import P
from psyc.hash.poseidon import hash_no_pad
from psyc.parth.leaves import ZERO_HASH

Digest = tuple[int, int, int, int]
TRANSITION_LEN = 21


def _digest(x: Sequence[int], what: str) -> Digest:
    if len(x) != 4:
        raise ValueError(f"{what} is a 4-element digest, got {len(x)} elements")
    return tuple(int(v) for v in x)  # type: ignore[return-value]


def stats_hash(tx_count: int, user_count: int, slots_modified: int) -> Digest:
    """The stats a checkpoint leaf binds: ``hash_no_pad([tx_count, user_count, slots_modified])``."""
    return tuple(hash_no_pad([int(tx_count), int(user_count), int(slots_modified)]))  # type: ignore[return-value]


@dataclass(frozen=True)
class Transition:
    """Old → new hash of one GUSR node, anchored to a checkpoint, with summed stats."""

    chkp_root: Digest
    level: int
    index: int
    old_root: Digest
    new_root: Digest
    tx_count: int = 0
    user_count: int = 0
    slots_modified: int = 0
    whitelist: Digest = ZERO_HASH

    def __post_init__(self) -> None:
        for name in ("chkp_root", "old_root", "new_root", "whitelist"):
            object.__setattr__(self, name, _digest(getattr(self, name), name))
        for name in ("level", "index", "tx_count", "user_count", "slots_modified"):
            v = int(getattr(self, name))
            if not 0 <= v < P:
                raise ValueError(f"{name} = {v} is not a field element")
            object.__setattr__(self, name, v)
        if self.level < 64 and self.index >> self.level:  # a node at level L has an index < 2^L
            raise ValueError(f"index {self.index} does not exist at GUSR level {self.level}")

    def felts(self) -> tuple[int, ...]:
        """The 21 public inputs, in the order of the statement."""
        return (*self.chkp_root, self.level, self.index, *self.old_root, *self.new_root, self.tx_count,
                self.user_count, self.slots_modified, *self.whitelist)

    @classmethod
    def from_felts(cls, f: Sequence[int]) -> Transition:
        """The transition a proof's public inputs state (``ValueError`` if not 21 elements)."""
        f = [int(x) for x in f]
        if len(f) != TRANSITION_LEN:
            raise ValueError(f"a transition has {TRANSITION_LEN} elements, got {len(f)}")
        return cls(tuple(f[0:4]), f[4], f[5], tuple(f[6:10]), tuple(f[10:14]), f[14], f[15], f[16],
                   tuple(f[17:21]))

    def stats_hash(self) -> Digest:
        return stats_hash(self.tx_count, self.user_count, self.slots_modified)


