"""Poseidon hashing and Merkle commitments."""

from psyc.util.lazy import lazy_exports

# name -> module that defines it, imported on first use (numba kernels behind most)
_EXPORTS = {
    "MerkleCap": "psyc.hash.merkle",
    "MerkleProof": "psyc.hash.merkle",
    "MerkleTree": "psyc.hash.merkle",
    "verify_merkle_proof": "psyc.hash.merkle",
    "Digest": "psyc.hash.poseidon",
    "hash_no_pad": "psyc.hash.poseidon",
    "hash_or_noop": "psyc.hash.poseidon",
    "hash_or_noop_rows": "psyc.hash.poseidon",
    "permute": "psyc.hash.poseidon",
    "permute_many": "psyc.hash.poseidon",
    "permute_reference": "psyc.hash.poseidon",
    "two_to_one": "psyc.hash.poseidon",
    "two_to_one_pairs": "psyc.hash.poseidon",
}
__getattr__, __dir__ = lazy_exports("psyc.hash", globals(), _EXPORTS)

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
