"""Merkle-cap paths in circuit (:func:`psyc.hash.merkle.verify_merkle_proof`).

The leaf digest is ``hash_or_noop(leaf)``; each level is one Poseidon row on
``[digest, sibling, 0, 0, 0, 0]`` whose swap flag is the index bit (bit 1 puts the
sibling first: ``two_to_one(sibling, digest)``). The index bits left over after the
path index the cap: one multi-select ``random_access`` row (four selections sharing the
index; two rows for caps of 32 digests) checks that the computed root is the cap's
digest at that index (caps of up to 32 digests).
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.target import Target
from psyc.recursion.gadgets import assert_equal_many, assert_random_access_many, recompose


def assert_cap_digest(
    b: CircuitBuilder, cap: Sequence[Sequence[Target]], bits: Sequence[Target], digest: Sequence[Target]
) -> None:
    """Constrain ``digest == cap[Σ bits[i]·2^i]``: multi-select ``random_access`` rows
    whose claimed values are the digest's (no copy of a selected value, so a mismatch is an
    unsatisfied selection constraint of that row)."""
    if len(cap) != 1 << len(bits):
        raise ValueError(f"a cap of {len(cap)} digests is not indexed by {len(bits)} bits")
    if len(cap) == 1:
        assert_equal_many(b, digest, cap[0])
        return
    if len(cap) > 32:
        raise ValueError("caps of more than 32 digests (cap_height > 5) are not supported in circuit")
    assert_random_access_many(b, recompose(b, bits), [[d[k] for d in cap] for k in range(4)], digest)


def verify_merkle_proof_circuit(
    b: CircuitBuilder,
    leaf: Sequence[Target],
    index_bits: Sequence[Target],
    cap: Sequence[Sequence[Target]],
    siblings: Sequence[Sequence[Target]],
) -> None:
    """Constrain ``leaf`` to sit at the index given by ``index_bits`` (little endian, path
    levels first, then the cap index) under ``cap``."""
    if len(index_bits) < len(siblings):
        raise ValueError("fewer index bits than Merkle path levels")
    zero = b.zero()
    digest = b.hash_or_noop(list(leaf))
    for bit, sibling in zip(index_bits, siblings, strict=False):
        digest = b.permute([*digest, *sibling, zero, zero, zero, zero], swap=bit)[:4]
    assert_cap_digest(b, cap, index_bits[len(siblings) :], digest)
