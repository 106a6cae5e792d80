"""Whitelists of circuits: a Merkle tree of verifying-key fingerprints.

A whitelist of ``depth`` d holds up to 2^d fingerprints (``VerifyingKey.fingerprint``,
4 field elements each); slot i holds the i-th fingerprint, unused slots the zero digest
(no circuit has fingerprint 0: that would be a Poseidon preimage of 0). Leaves are the
fingerprints themselves (``hash_or_noop`` of 4 elements is the identity), inner nodes
``two_to_one(left, right)`` — the conventions of :mod:`psyc.hash.merkle`.

In circuit (:func:`assert_whitelisted`) a fingerprint computed from a key given as
witness (:mod:`psyc.recursion.vk`) is shown to be in the whitelist whose root is a target
(typically a public input): one Poseidon row per level with the path bit as swap flag,
then the root compared by gate-level checks (conditional under
:func:`psyc.recursion.gadgets.verification_condition`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from psyc.hash.poseidon import two_to_one
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.target import Target
from psyc.plonk.witness import PartialWitness
from psyc.recursion.gadgets import assert_equal_many

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.circuit_data import VerifierOnlyCircuitData
    from psyc.plonk.keys import VerifyingKey

#: What names a circuit here: its fingerprint, its verifying key (either form) or its data.
KeyLike = Union["VerifierOnlyCircuitData", "VerifyingKey", "CircuitData", Sequence[int]]

DEFAULT_WHITELIST_DEPTH = 8  # 256 circuits; the depth is a parameter of the circuits that check it
EMPTY = (0, 0, 0, 0)


def _fp(x: KeyLike) -> tuple[int, ...]:
    """A fingerprint from a fingerprint, a ``VerifyingKey`` or a ``CircuitData``."""
    if hasattr(x, "prover_only"):
        x = x.verifier_data
    if hasattr(x, "fingerprint"):
        x = x.fingerprint
    fp = tuple(int(v) for v in x)
    if len(fp) != 4:
        raise ValueError("a fingerprint is 4 field elements")
    return fp


class Whitelist:
    """Fingerprints of the circuits whose proofs are accepted, committed to by a Merkle root."""

    def __init__(self, keys: Sequence[KeyLike], depth: int = DEFAULT_WHITELIST_DEPTH) -> None:
        fps: list[tuple[int, ...]] = []
        for k in keys:
            fp = _fp(k)
            if fp not in fps:
                fps.append(fp)
        if not 1 <= depth <= 32:
            raise ValueError("whitelist depth must be in 1..32")
        if len(fps) > 1 << depth:
            raise ValueError(f"{len(fps)} circuits do not fit a whitelist of depth {depth}")
        if EMPTY in fps:
            raise ValueError("the zero digest is not a fingerprint")
        self.fingerprints = fps
        self.depth = depth
        level = [list(f) for f in fps] + [list(EMPTY)] * ((1 << depth) - len(fps))
        self._levels = [level]
        for _ in range(depth):
            level = [two_to_one(level[2 * i], level[2 * i + 1]) for i in range(len(level) // 2)]
            self._levels.append(level)

    @property
    def root(self) -> list[int]:
        return list(self._levels[-1][0])

    def __contains__(self, key: KeyLike) -> bool:
        return _fp(key) in self.fingerprints

    def __len__(self) -> int:
        return len(self.fingerprints)

    def index(self, key: KeyLike) -> int:
        fp = _fp(key)
        if fp not in self.fingerprints:
            raise KeyError(f"fingerprint {list(fp)} is not whitelisted")
        return self.fingerprints.index(fp)

    def path(self, key: KeyLike) -> tuple[int, list[list[int]]]:
        """(slot index, siblings from the leaf level up) of a whitelisted key."""
        i = self.index(key)
        siblings = []
        for level in self._levels[:-1]:
            siblings.append(list(level[i ^ 1]))
            i >>= 1
        return self.index(key), siblings


def verify_whitelist_path(
    fingerprint: Sequence[int], index: int, siblings: Sequence[Sequence[int]], root: Sequence[int]
) -> bool:
    """Native check of a membership path."""
    d = list(_fp(fingerprint))
    for s in siblings:
        d = two_to_one(s, d) if index & 1 else two_to_one(d, s)
        index >>= 1
    return index == 0 and list(d) == [int(x) for x in root]


@dataclass
class WhitelistPathTarget:
    index_bits: list[Target]
    siblings: list[list[Target]]


def assert_whitelisted(
    b: CircuitBuilder, fingerprint: Sequence[Target], root: Sequence[Target], depth: int
) -> WhitelistPathTarget:
    """Constrain ``fingerprint`` to be a leaf of the whitelist tree of ``depth`` with root
    ``root``; the path is a witness (:func:`set_whitelist_path`)."""
    bits = b.add_virtual_targets(depth)
    siblings = [b.add_virtual_targets(4) for _ in range(depth)]
    zero = b.zero()
    with b.scope("whitelist"):
        digest = list(fingerprint)
        for bit, sib in zip(bits, siblings, strict=True):  # the Poseidon gate makes each bit boolean
            digest = b.permute([*digest, *sib, zero, zero, zero, zero], swap=bit)[:4]
        assert_equal_many(b, digest, list(root))
    return WhitelistPathTarget(bits, siblings)


def set_whitelist_path(
    pw: PartialWitness, target: WhitelistPathTarget, whitelist: Whitelist | None, key: KeyLike
) -> None:
    """Fill a membership path for ``key`` (with ``whitelist`` None: a zero path, for a
    check that is switched off by its condition)."""
    depth = len(target.index_bits)
    if whitelist is None:
        index, siblings = 0, [list(EMPTY)] * depth
    else:
        if whitelist.depth != depth:
            raise ValueError(f"the whitelist has depth {whitelist.depth}, the circuit expects {depth}")
        index, siblings = whitelist.path(key)
    pw.set_targets(target.index_bits, [(index >> k) & 1 for k in range(depth)])
    for t, s in zip(target.siblings, siblings, strict=True):
        pw.set_targets(t, s)
