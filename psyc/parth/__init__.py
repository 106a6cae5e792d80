"""PARTH state: the sparse Poseidon Merkle trees of PARTH.md, their leaf layouts, and the
embedded state store (SQLite) that holds them.

* :mod:`psyc.parth.tree` — sparse trees with empty-subtree defaults, proofs, delta proofs;
* :mod:`psyc.parth.leaves` — user, contract and checkpoint leaves, exactly as PARTH.md;
* :mod:`psyc.parth.store` — the store interface, an in-memory and an SQLite implementation;
* :mod:`psyc.parth.chain` — the chain state over a store: users, contracts, CSTATE/UCON/GUSR/
  GCON/CFT/CHKP trees, one block committed per transaction.
"""

from psyc.parth.heights import HEIGHTS, Heights
from psyc.parth.tree import DeltaProof, MerkleProof, SparseMerkleTree, empty_hashes

__all__ = ["HEIGHTS", "DeltaProof", "Heights", "MerkleProof", "SparseMerkleTree", "empty_hashes"]
