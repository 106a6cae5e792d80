"""Merkle-cap paths in circuit (:func:`psyc.hash.merkle.verify_merkle_proof`).

The leaf digest is ``hash_or_noop(leaf)``; each level is one Poseidon row on
``[digest, sibling, 0, 0, 0, 0]`` whose swap flag is the index bit (bit 1 puts the
sibling first: ``two_to_one(sibling, digest)``). The index bits left over after the
path choose the cap digest by ``random_access`` (one row per digest element; caps of up
to 32 digests), and the root must equal it (gate-level checks).
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.target import Target
from psyc.recursion.gadgets import assert_equal_many, recompose


def select_cap_digest(b: CircuitBuilder, cap: Sequence[Sequence[Target]], bits: Sequence[Target]) -> list[Target]:
    """cap[Σ bits[i]·2^i]."""
    if len(cap) != 1 << len(bits):
        raise ValueError(f"a cap of {len(cap)} digests is not indexed by {len(bits)} bits")
    if len(cap) == 1:
        return list(cap[0])
    if len(cap) > 32:
        raise ValueError("caps of more than 32 digests (cap_height > 5) are not supported in circuit")
    index = recompose(b, bits)
    return [b.random_access(index, [d[k] for d in cap]) for k in range(4)]


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
    expected = select_cap_digest(b, cap, index_bits[len(siblings) :])
    assert_equal_many(b, digest, expected)
