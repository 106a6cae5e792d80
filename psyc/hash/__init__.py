"""Poseidon hashing and Merkle commitments."""

from psyc.hash.merkle import MerkleCap, MerkleProof, MerkleTree, verify_merkle_proof
from psyc.hash.poseidon import (
    Digest,
    hash_no_pad,
    hash_or_noop,
    hash_or_noop_rows,
    permute,
    permute_many,
    permute_reference,
    two_to_one,
    two_to_one_pairs,
)

__all__ = [
    "Digest",
    "MerkleCap",
    "MerkleProof",
    "MerkleTree",
    "verify_merkle_proof",
    "hash_no_pad",
    "hash_or_noop",
    "hash_or_noop_rows",
    "permute",
    "permute_many",
    "permute_reference",
    "two_to_one",
    "two_to_one_pairs",
]
