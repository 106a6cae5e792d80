"""The chain state over a :class:`~psyc.parth.store.StateStore`.

Trees (names in the store): ``chkp``, ``gusr``, ``gcon``; per user ``ucon/U``; per user ×
contract ``cstate/U/C``; per contract ``cft/C``. Writing a CSTATE slot updates the UCON
leaf (the new CSTATE root), the user's leaf (its ``ucon_root``) and GUSR, as PARTH's rule
says: a transaction writes only the sender's CSTATE → UCON → user leaf.
Nothing reaches the store until :meth:`ChainState.commit_block`, which appends the
checkpoint leaf and writes every changed node, leaf and record in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from psyc.parth.heights import HEIGHTS, MAX_CSTATE_HEIGHT, Heights
from psyc.parth.leaves import (
    CFT_LEAF_LEN,
    CHECKPOINT_LEAF_LEN,
    CONTRACT_LEAF_LEN,
    SLOT_LEN,
    UCON_LEAF_LEN,
    USER_LEAF_LEN,
    ZERO_HASH,
    ContractLeaf,
    UserLeaf,
    cft_leaf,
    checkpoint_leaf,
    global_chain_root,
)
from psyc.parth.store import Batch, StateStore
from psyc.parth.tree import Digest, SparseMerkleTree, empty_hashes


class StateError(Exception):
    """A request the chain state refuses (unknown user or contract, bad height, …)."""


def empty_cstate_root(height: int) -> Digest:
    return empty_hashes(SLOT_LEN, height)[height]


class ChainState:
    def __init__(self, store: StateStore, heights: Heights = HEIGHTS) -> None:
        self.store = store
        self.heights = heights
        self._trees: dict[str, SparseMerkleTree] = {}
        self._records: dict[tuple[str, str], dict] = {}

    # --- trees ------------------------------------------------------------------------------
    def tree(self, name: str, height: int, leaf_len: int) -> SparseMerkleTree:
        t = self._trees.get(name)
        if t is None:
            st = self.store
            t = SparseMerkleTree(height, leaf_len, lambda lv, i: st.node(name, lv, i), lambda i: st.leaf(name, i))
            self._trees[name] = t
        return t

    @property
    def gusr(self) -> SparseMerkleTree:
        return self.tree("gusr", self.heights.gusr, USER_LEAF_LEN)

    @property
    def gcon(self) -> SparseMerkleTree:
        return self.tree("gcon", self.heights.gcon, CONTRACT_LEAF_LEN)

    @property
    def chkp(self) -> SparseMerkleTree:
        return self.tree("chkp", self.heights.chkp, CHECKPOINT_LEAF_LEN)

    def ucon(self, user: int) -> SparseMerkleTree:
        return self.tree(f"ucon/{user}", self.heights.ucon, UCON_LEAF_LEN)

    def cft(self, contract: int) -> SparseMerkleTree:
        return self.tree(f"cft/{contract}", self.heights.cft, CFT_LEAF_LEN)

    def cstate(self, user: int, contract: int) -> SparseMerkleTree:
        return self.tree(f"cstate/{user}/{contract}", self.contract(contract)["state_height"], SLOT_LEN)

    # --- records ------------------------------------------------------------------------------
    def record(self, kind: str, key: str | int) -> dict | None:
        key = str(key)
        if (kind, key) in self._records:
            return self._records[(kind, key)]
        return self.store.record(kind, key)

    def _put(self, kind: str, key, value: dict | None) -> None:
        self._records[(kind, str(key))] = value

    def put_record(self, kind: str, key: str | int, value: dict | None) -> None:
        """Stage a record (``None`` deletes it) for the next :meth:`commit_block`."""
        self._put(kind, key, value)

    def contract(self, contract_id: int) -> dict:
        rec = self.record("contract", contract_id)
        if rec is None:
            raise StateError(f"no contract {contract_id} is deployed")
        return rec

    def contracts(self) -> dict[int, dict]:
        out = {int(k): v for k, v in self.store.records("contract")}
        out.update({int(k): v for (kind, k), v in self._records.items() if kind == "contract"})
        return out

    # --- users and contracts -----------------------------------------------------------------------
    def deploy(self, contract_id: int, name: str, state_height: int, methods: Sequence[tuple[Sequence[int], int]],
               deployer: Sequence[int] = ZERO_HASH, code_root: Sequence[int] = ZERO_HASH, abi: dict | None = None
               ) -> ContractLeaf:
        """Register a contract: its CFT (one leaf per method: fingerprint, method id) and GCON leaf."""
        if self.record("contract", contract_id) is not None:
            raise StateError(f"contract {contract_id} is already deployed")
        if not 0 <= state_height <= MAX_CSTATE_HEIGHT:
            raise StateError(f"a contract's state height is at most {MAX_CSTATE_HEIGHT}, got {state_height}")
        cft = self.cft(contract_id)
        for k, (fp, mid) in enumerate(methods):
            cft.set(k, cft_leaf(fp, mid))
        leaf = ContractLeaf(tuple(deployer), cft.root, tuple(code_root), state_height, len(methods))
        self.gcon.set(contract_id, leaf.felts())
        self._put("contract", contract_id, {"name": name, "state_height": state_height,
                                            "methods": [[list(fp), mid] for fp, mid in methods], "abi": abi})
        return leaf

    def user_leaf(self, user: int) -> UserLeaf:
        return UserLeaf.from_felts(self.gusr.leaf(user))

    def register_user(self, user: int, public_key: Sequence[int] = ZERO_HASH) -> UserLeaf:
        if self.record("user", user) is not None:
            raise StateError(f"user {user} is already registered")
        leaf = UserLeaf(public_key=tuple(public_key), ucon_root=self.ucon(user).root, user_id=user)
        self.gusr.set(user, leaf.felts())
        self._put("user", user, {"public_key": list(public_key)})
        return leaf

    def cstate_root(self, user: int, contract: int) -> Digest:
        """The user's CSTATE root for the contract (the empty root when never written)."""
        ucon_leaf = self.ucon(user).leaf(contract)
        if tuple(ucon_leaf) == ZERO_HASH:
            return empty_cstate_root(self.contract(contract)["state_height"])
        return tuple(ucon_leaf)

    def write_slots(self, user: int, contract: int, writes: Mapping[int, Sequence[int]]) -> Digest:
        """Write CSTATE slots of ``user`` and propagate CSTATE → UCON → user leaf → GUSR.
        Returns the new CSTATE root."""
        if self.record("user", user) is None:
            raise StateError(f"user {user} is not registered")
        tree = self.cstate(user, contract)
        for slot, value in sorted(writes.items()):
            tree.set(slot, tuple(value))
        self.ucon(user).set(contract, tree.root)
        leaf = replace(self.user_leaf(user), ucon_root=self.ucon(user).root)
        self.gusr.set(user, leaf.felts())
        return tree.root

    # --- checkpoints -------------------------------------------------------------------------------
    def chain_root(self) -> Digest:
        return global_chain_root(self.gcon.root, self.gusr.root)

    def head(self) -> dict | None:
        """The last committed checkpoint's record (None before the first block)."""
        meta = self.record("meta", "head")
        return None if meta is None else self.record("checkpoint", meta["checkpoint_id"])

    def commit_block(self, stats_hash: Sequence[int] = ZERO_HASH, guard: Callable[[], None] | None = None) -> dict:
        """Append the checkpoint leaf and commit every pending write in one transaction.
        ``guard`` runs inside that transaction first (see :class:`~psyc.parth.store.Batch`)."""
        head = self.head()
        cid = 0 if head is None else head["id"] + 1
        chain = self.chain_root()
        self.chkp.set(cid, checkpoint_leaf(chain, stats_hash))
        rec = {"id": cid, "chkp_root": list(self.chkp.root), "chain_root": list(chain),
               "gusr_root": list(self.gusr.root), "gcon_root": list(self.gcon.root), "stats_hash": list(stats_hash)}
        self._put("checkpoint", cid, rec)
        self._put("meta", "head", {"checkpoint_id": cid})
        batch = Batch(guard=guard)
        for name, t in self._trees.items():
            nodes, leaves = t.take_dirty()
            batch.nodes.update({(name, lv, i): d for (lv, i), d in nodes.items()})
            batch.leaves.update({(name, i): f for i, f in leaves.items()})
        batch.records.update(self._records)
        try:
            self.store.commit(batch)
        except BaseException:
            self.discard()
            raise
        self._records.clear()
        return rec

    def discard(self) -> None:
        """Drop every uncommitted write (the trees reload from the store)."""
        self._trees.clear()
        self._records.clear()
