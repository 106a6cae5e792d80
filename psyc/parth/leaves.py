"""Leaf layouts of the PARTH trees, exactly as PARTH.md gives them.

=========  ==========================================================================  =====
tree       leaf (felts, hashed with ``hash_no_pad`` in this order)                     felts
=========  ==========================================================================  =====
GUSR       public_key[4], ucon_root[4], balance, nonce, last_checkpoint_id,            13
           event_index, user_id
UCON       the user's CSTATE root for the contract ([0; 4] = untouched)                4
CSTATE     one 4-felt storage slot                                                     4
GCON       deployer[4], function-tree (CFT) root[4], code root[4], state height,       14
           method count
CFT        circuit fingerprint[4], method id                                           5
CHKP       global_chain_root[4], stats_hash[4]                                         8
=========  ==========================================================================  =====

``global_chain_root = hash_no_pad(gcon_root ‖ gusr_root)`` (the global trees in that
order). An untouched leaf is all zeros in every tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psyc.hash.poseidon import hash_no_pad

USER_LEAF_LEN = 13
UCON_LEAF_LEN = 4
SLOT_LEN = 4
CONTRACT_LEAF_LEN = 14
CFT_LEAF_LEN = 5
CHECKPOINT_LEAF_LEN = 8
ZERO_HASH = (0, 0, 0, 0)


def _digest(x: Sequence[int], what: str) -> tuple[int, ...]:
    if len(x) != 4:
        raise ValueError(f"{what} is a 4-element digest, got {len(x)} elements")
    return tuple(int(v) for v in x)


@dataclass(frozen=True)
class UserLeaf:
    public_key: tuple[int, ...] = ZERO_HASH
    ucon_root: tuple[int, ...] = ZERO_HASH
    balance: int = 0
    nonce: int = 0
    last_checkpoint_id: int = 0
    event_index: int = 0
    user_id: int = 0

    def felts(self) -> tuple[int, ...]:
        return (*_digest(self.public_key, "public_key"), *_digest(self.ucon_root, "ucon_root"), self.balance,
                self.nonce, self.last_checkpoint_id, self.event_index, self.user_id)

    @classmethod
    def from_felts(cls, f: Sequence[int]) -> UserLeaf:
        if len(f) != USER_LEAF_LEN:
            raise ValueError(f"a user leaf has {USER_LEAF_LEN} elements, got {len(f)}")
        return cls(tuple(f[0:4]), tuple(f[4:8]), *f[8:13])


@dataclass(frozen=True)
class ContractLeaf:
    deployer: tuple[int, ...] = ZERO_HASH
    cft_root: tuple[int, ...] = ZERO_HASH
    code_root: tuple[int, ...] = ZERO_HASH
    state_height: int = 0
    method_count: int = 0

    def felts(self) -> tuple[int, ...]:
        return (*_digest(self.deployer, "deployer"), *_digest(self.cft_root, "cft_root"),
                *_digest(self.code_root, "code_root"), self.state_height, self.method_count)

    @classmethod
    def from_felts(cls, f: Sequence[int]) -> ContractLeaf:
        if len(f) != CONTRACT_LEAF_LEN:
            raise ValueError(f"a contract leaf has {CONTRACT_LEAF_LEN} elements, got {len(f)}")
        return cls(tuple(f[0:4]), tuple(f[4:8]), tuple(f[8:12]), f[12], f[13])


def cft_leaf(fingerprint: Sequence[int], method_id: int) -> tuple[int, ...]:
    return (*_digest(fingerprint, "fingerprint"), int(method_id))


def global_chain_root(gcon_root: Sequence[int], gusr_root: Sequence[int]) -> tuple[int, ...]:
    return tuple(hash_no_pad([*_digest(gcon_root, "gcon_root"), *_digest(gusr_root, "gusr_root")]))


def checkpoint_leaf(chain_root: Sequence[int], stats_hash: Sequence[int]) -> tuple[int, ...]:
    return (*_digest(chain_root, "global_chain_root"), *_digest(stats_hash, "stats_hash"))
