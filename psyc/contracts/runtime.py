"""Running a contract method against a chain state: the state oracle that answers the
circuit's hints (Merkle paths, the other users' leaves), the state diff, the outputs and
the public input.

The oracle holds a copy of the caller's CSTATE tree, applies the method's writes to it as
the circuit makes them (checking that its root is the circuit's after every write), and
reads other users' state from the store's committed data — the anchored checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psyc.frontend import types as ty
from psyc.hash.poseidon import hash_no_pad
from psyc.ir.interpret import ExecutionError
from psyc.parth.chain import ChainState, StateError
from psyc.parth.leaves import ZERO_HASH
from psyc.parth.tree import Digest, SparseMerkleTree

if TYPE_CHECKING:
    from psyc.contracts.compile import ContractMethod


def public_input_hash(contract_id: int, method_id: int, args: list[int], start_root: Sequence[int],
                      end_root: Sequence[int], outputs: list[int], checkpoint_root: Sequence[int],
                      checkpoint_id: int, user_id: int) -> list[int]:
    """The CFC's public input, computed natively (the order of compile.PUBLIC_INPUT_ORDER)."""
    return hash_no_pad([contract_id, method_id, *hash_no_pad(args), *start_root, *end_root, *hash_no_pad(outputs),
                        *checkpoint_root, checkpoint_id, user_id])


class StateOracle:
    def __init__(self, state: ChainState, user: int, contract: int) -> None:
        self.user, self.contract = user, contract
        self.tree: SparseMerkleTree = state.cstate(user, contract).copy()
        self.start_root = self.tree.root
        self.writes: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}  # slot -> (before, after)
        self.committed = ChainState(state.store, state.heights)  # the anchored checkpoint's view
        self.head = self.committed.head()
        self.others: dict[int, SparseMerkleTree] = {}

    @property
    def checkpoint(self) -> tuple[int, Digest]:
        if self.head is None:
            return 0, ZERO_HASH
        return self.head["id"], tuple(self.head["chkp_root"])

    def _path(self, tree: SparseMerkleTree, slot: int) -> tuple:
        if not 0 <= slot < tree.capacity:  # only in a branch not taken: any path will do
            return (0,) * 4, [(0,) * 4] * tree.height
        return tree.leaf(slot), list(tree.siblings(slot))

    def read(self, user: int | None, root: Sequence[int], slot: int) -> tuple:
        tree = self.tree if user is None else self.others.get(user)
        if tree is None or tuple(root) != tree.root:
            return self._path(tree if tree is not None else self.tree, slot)  # a branch not taken
        return self._path(tree, slot)

    def write(self, root: Sequence[int], slot: int, new: Sequence[int], apply: bool) -> Digest:
        if apply:
            if tuple(root) != self.tree.root:
                raise ExecutionError("internal: a storage write on a root the state oracle does not hold")
            before = self.writes.get(slot, (self.tree.leaf(slot), None))[0]
            self.tree.set(slot, tuple(new))
            self.writes[slot] = (before, tuple(new))
        return self.tree.root

    def user_proof(self, user: int) -> list[int]:
        """Witness for `state_of(user)`: the anchored checkpoint's roots and paths down to
        that user's CSTATE root for this contract."""
        if self.head is None:
            raise ExecutionError("`state_of` needs a committed checkpoint, and the store has none")
        c = self.committed
        if c.record("user", user) is None:
            raise ExecutionError(f"`state_of`: user {user} is not registered at the anchored checkpoint "
                                 f"{self.head['id']}", label="no such user")
        cid = self.head["id"]
        out = [*self.head["gcon_root"], *self.head["gusr_root"], *self.head["stats_hash"]]
        out += [x for h in c.chkp.siblings(cid) for x in h]
        out += list(c.gusr.leaf(user))
        out += [x for h in c.gusr.siblings(user) for x in h]
        out += list(c.ucon(user).leaf(self.contract))
        out += [x for h in c.ucon(user).siblings(self.contract) for x in h]
        self.others[user] = c.cstate(user, self.contract)
        return out


@dataclass
class MethodRun:
    method: object
    user: int
    contract: int
    args: list[list[int]]
    execution: object
    outputs: list[int]
    start_root: Digest
    end_root: Digest
    checkpoint_id: int
    checkpoint_root: Digest
    writes: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)

    @property
    def public_inputs(self) -> list[int]:
        return list(self.execution.outputs)

    def output_value(self):
        from psyc.project.inputs import format_value

        return format_value(self.method.output, self.outputs) if self.method.output != ty.UNIT else None

    def apply(self, state: ChainState) -> None:
        """Write the diff into the chain state (committed with the next block)."""
        if self.writes:
            state.write_slots(self.user, self.contract, {s: after for s, (_, after) in self.writes.items()})

    def prove(self):
        return self.method.program.prove(self.execution)


def execute_method(method: ContractMethod, state: ChainState, user: int, contract: int, args: list[list[int]]) -> MethodRun:
    """Run ``method`` for ``user`` on ``contract`` in ``state`` (nothing is written to the
    state: see :meth:`MethodRun.apply`)."""
    try:
        oracle = StateOracle(state, user, contract)
    except StateError as e:
        raise ExecutionError(str(e)) from None
    cid, croot = oracle.checkpoint
    flat = [contract, user, cid, *croot, *oracle.start_root, *[x for a in args for x in a]]
    method.oracle.oracle = oracle
    try:
        execution = method.program.execute([[x] for x in flat])
    except ExecutionError as e:
        e.message = f"in `{method.contract.name}::{method.name}`: {e.message}" if method.contract else e.message
        raise
    finally:
        method.oracle.oracle = None
    arg_felts = [x for a in args for x in a]
    outputs = _result_felts(method, execution, arg_felts, oracle, cid, croot, contract, user)
    return MethodRun(method, user, contract, args, execution, outputs, oracle.start_root, oracle.tree.root, cid,
                     croot, dict(oracle.writes))


def _result_felts(method, execution, arg_felts, oracle, cid, croot, contract, user) -> list[int]:
    """The method's result: the circuit publishes only its hash, so the interpreter's value
    of the result is read back and checked against that hash."""
    out = [execution.value(v) for v in method.result_values]
    pi = public_input_hash(contract, method.id, arg_felts, oracle.start_root, oracle.tree.root, out, croot, cid, user)
    if pi != list(execution.outputs):
        raise ExecutionError(f"internal: `{method.name}`'s public input does not match its state and result")
    return out
