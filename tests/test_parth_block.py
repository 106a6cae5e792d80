"""GUTA aggregation and block proofs (psyc.parth.block; stdlib/parth/{guta,block}.psy).

End caps here are proofs of a test-only end-cap-shaped circuit (tests/parth_circuits/
end_cap.psy: it publishes any transition) whitelisted in place of the session end cap; the
GUTA and block circuits are the real ones, in PARTH's test shape. Two blocks are proved once
(module fixture): three users, then two. Soundness cases feed the circuits forged witnesses:
the program's own check rejects them when executed, and the circuit rejects an honest
execution whose witness was then forged (its constraint check fails).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest

from psyc.ir.interpret import ExecutionError
from psyc.parth import block as B
from psyc.parth.chain import ChainState
from psyc.parth.leaves import UserLeaf
from psyc.parth.store import MemoryStore
from psyc.parth.transition import Transition, stats_hash
from psyc.parth.tree import leaf_hash
from psyc.plonk.keys import proof_to_bytes
from psyc.plonk.witness import WitnessError
from psyc.project.inputs import ProofArg
from psyc.recursion.shape import small_shape

CIRCUITS = Path(__file__).parent / "parth_circuits"
USERS = (0, 1, 5, 9)


class World:
    """The test chain, its circuits, and the proofs made along the way."""

    def __init__(self) -> None:
        self.shape = small_shape()
        self.end_cap = B._compile(CIRCUITS / "end_cap.psy", self.shape)
        self.forged = B._compile(CIRCUITS / "forged_end_cap.psy", self.shape)
        self.circuits = B.block_circuits([B.standard_key(self.end_cap, self.shape)], self.shape)
        self.chain = ChainState(MemoryStore())
        for u in USERS:
            self.chain.register_user(u)
        self.genesis = self.chain.commit_block()

    def transition(self, user: int, balance: int, **changes) -> tuple[Transition, UserLeaf]:
        """A session of ``user`` from its committed leaf to one with ``balance`` (one call)."""
        old = self.chain.user_leaf(user)
        new = replace(old, balance=balance, nonce=old.nonce + 1)
        t = Transition(self.chain.chkp.root, 32, user, leaf_hash(old.felts()), leaf_hash(new.felts()), 1, 1, 1,
                       self.circuits.whitelist.root)
        return replace(t, **changes), new

    def prove_end_cap(self, t: Transition, forged: bool = False) -> B.TransitionProof:
        if forged:
            return B._prove(self.forged, {"t": list(t.felts()), "k": 2}, self.shape)
        return B._prove(self.end_cap, {"t": list(t.felts())}, self.shape)

    def block(self, balances: dict[int, int]) -> tuple[B.BlockProof, list[B.TransitionProof], dict]:
        """Prove and commit a block of one session per user in ``balances``."""
        caps, leaves = [], {}
        for u, bal in balances.items():
            t, leaves[u] = self.transition(u, bal)
            caps.append(self.prove_end_cap(t))
        prev = self.chain.head()
        blk = B.prove_block(self.chain, caps, self.circuits)
        for u, leaf in leaves.items():
            self.chain.gusr.set(u, leaf.felts())
        B.commit_block(self.chain, blk)
        return blk, caps, prev


@pytest.fixture(scope="module")
def world():
    w = World()
    w.first, w.first_caps, w.first_prev = w.block({0: 10, 1: 11, 5: 15})  # three transitions
    w.second, w.second_caps, w.second_prev = w.block({1: 21, 9: 29})  # two, over the first block
    w.third_prev = w.chain.head()  # a block of contract deploys only
    w.chain.deploy(3, "token", 8, [((1, 2, 3, 4), 0)])
    w.chain.deploy(7, "nft", 8, [((5, 6, 7, 8), 0), ((9, 10, 11, 12), 1)])
    w.third = B.prove_block(w.chain, [], w.circuits)
    B.commit_block(w.chain, w.third)
    return w


def test_three_then_two_transitions_make_verifying_blocks(world):
    c = world.circuits
    for blk, prev, n in ((world.first, world.first_prev, 3), (world.second, world.second_prev, 2)):
        top = blk.top.transition
        assert (top.level, top.index, top.user_count, top.tx_count) == (0, 0, n, n)
        assert top.old_root == tuple(prev["gusr_root"]) and top.chkp_root == tuple(prev["chkp_root"])
        assert blk.statement.checkpoint_id == prev["id"] + 1
        assert B.verify_block(blk.to_bytes(), prev["chkp_root"], c.block_key)
        st = B.check_block(blk.to_bytes(), prev["chkp_root"], c.block_key.to_bytes())
        assert st == blk.statement
        assert len(blk.timings["fold"]) == n - 1
    # the committed chain is what the proofs say: roots, stats, ids
    second = world.chain.store.record("checkpoint", "2")
    assert tuple(second["chkp_root"]) == world.second.statement.new_chkp_root
    assert world.second.statement.old_chkp_root == world.first.statement.new_chkp_root
    assert tuple(second["gusr_root"]) == world.second.new_gusr_root
    assert world.chain.user_leaf(1).balance == 21 and world.chain.user_leaf(5).balance == 15
    assert tuple(second["stats_hash"]) == stats_hash(2, 2, 2)


def test_a_block_of_deploys_only(world):
    blk, prev, head = world.third, world.third_prev, world.chain.head()
    assert blk.top is None and blk.statement.checkpoint_id == 3 == head["id"]
    assert B.verify_block(blk.to_bytes(), prev["chkp_root"], world.circuits.block_key)
    assert tuple(head["chkp_root"]) == blk.statement.new_chkp_root
    assert head["gusr_root"] == prev["gusr_root"] and head["gcon_root"] != prev["gcon_root"]
    assert tuple(head["gcon_root"]) == blk.new_gcon_root == world.chain.gcon.root
    assert tuple(head["stats_hash"]) == stats_hash(0, 0, 0)


def test_block_proof_is_refused_over_another_root_or_key(world):
    c, blk = world.circuits, world.second
    raw = blk.to_bytes()
    assert not B.verify_block(raw, world.first_prev["chkp_root"], c.block_key)  # an older checkpoint
    with pytest.raises(B.BlockError, match="extends checkpoint root"):
        B.check_block(raw, world.genesis["chkp_root"], c.block_key)
    tampered = bytearray(raw)
    tampered[len(raw) // 2] ^= 1
    assert not B.verify_block(bytes(tampered), world.second_prev["chkp_root"], c.block_key)
    assert not B.verify_block(raw[:100], world.second_prev["chkp_root"], c.block_key)
    # a proof of another circuit (the top GUTA proof) is no block, even under its own key
    assert not B.verify_block(proof_to_bytes(blk.top.proof), world.second_prev["chkp_root"], blk.top.key)


# --- soundness: forged witnesses fed to the circuits --------------------------------------------
def _unsatisfied(prog, run) -> bool:
    try:
        return bool(prog.check_constraints(run))
    except WitnessError:
        return True


def _set_input(prog, run, name: str, values: list[int]) -> None:
    """Overwrite the witness value(s) of input parameter ``name`` in an execution."""
    ins = [i for i in prog.program.instrs if i.op == "input" and str(i.attrs[0]).split("#")[0] == name]
    assert len(ins) == len(values), (name, len(ins))
    for i, v in zip(ins, values, strict=True):
        run.values[i.result.id] = v


def test_fold_rejects_a_child_of_a_circuit_not_in_the_whitelist(world):
    c = world.circuits
    a, b = world.first_caps[0], world.first_caps[1]
    fake = world.prove_end_cap(b.transition, forged=True)  # the same statement, another circuit
    assert fake.key not in c.whitelist
    inputs = B.fold_inputs(a, b, 31, B.committed_tree(world.chain, "gusr", 32, 13), c)
    with pytest.raises(ExecutionError, match="not a proof of a whitelisted circuit"):
        c.fold.execute({**inputs, "b": ProofArg(fake.proof, fake.key)})
    honest = c.fold.execute(inputs)  # (the tree has moved on since: siblings do not matter here)
    assert not _unsatisfied(c.fold, honest)
    forged = copy.copy(honest)
    forged.proofs = [honest.proofs[0], (fake.proof, fake.key)]
    assert _unsatisfied(c.fold, forged)


def test_fold_rejects_children_anchored_to_different_checkpoints(world):
    c = world.circuits
    a, b = world.second_caps  # users 1 and 9, anchored to checkpoint 1
    old = world.first_caps[2]  # user 5, anchored to the genesis
    assert a.transition.chkp_root != old.transition.chkp_root
    gusr = B.committed_tree(world.chain, "gusr", 32, 13)
    with pytest.raises(B.BlockError, match="different checkpoints"):
        B.aggregate([a, old], gusr, c)
    with pytest.raises(ExecutionError, match="different checkpoints"):
        c.fold.execute(B.fold_inputs(a, old, 29, gusr, c))
    honest = c.fold.execute(B.fold_inputs(a, b, 28, gusr, c))
    assert not _unsatisfied(c.fold, honest)
    forged = copy.copy(honest)
    forged.proofs = [honest.proofs[0], (old.proof, old.key)]
    assert _unsatisfied(c.fold, forged)


@pytest.fixture(scope="module")
def replay(world):
    """The chain as it was at checkpoint 1, and the second block's inputs over it."""
    chain = ChainState(MemoryStore())
    for u in USERS:
        chain.register_user(u)
    chain.commit_block()
    for u, bal in ((0, 10), (1, 11), (5, 15)):
        leaf = chain.user_leaf(u)
        chain.gusr.set(u, replace(leaf, balance=bal, nonce=leaf.nonce + 1).felts())
    chain.commit_block(world.first.stats_hash)
    assert chain.head()["chkp_root"] == list(world.first.statement.new_chkp_root)
    inputs, expected = B.block_inputs(chain, world.second.top, world.circuits, [])
    assert expected["statement"] == world.second.statement
    run = world.circuits.block.execute(inputs)
    assert not _unsatisfied(world.circuits.block, run)
    return chain, inputs, run


def test_block_rejects_a_skipped_or_rewritten_checkpoint_id(world, replay):
    c = world.circuits
    chain, inputs, honest = replay
    chkp = B.committed_tree(chain, "chkp", 32, 8)  # checkpoints 0 and 1: the next id is 2
    skip = {**inputs, "checkpoint_id": 3, "prev_path": [list(s) for s in chkp.siblings(2)],
            "new_path": [list(s) for s in chkp.siblings(3)]}
    with pytest.raises(ExecutionError, match="previous checkpoint is not in the checkpoint tree"):
        c.block.execute(skip)
    for cid in (3, 1, 0):  # skip id 2; rewrite checkpoint 1; rewrite the genesis
        forged = copy.deepcopy(honest)
        _set_input(c.block, forged, "checkpoint_id", [cid])
        assert _unsatisfied(c.block, forged), cid


def test_block_rejects_a_transition_that_does_not_start_at_the_current_leaf(world, replay):
    c = world.circuits
    chain, inputs, honest = replay
    old = chain.user_leaf(9)  # untouched by the first block
    t = Transition(chain.chkp.root, 32, 9, (1, 2, 3, 4), leaf_hash(replace(old, balance=99).felts()), 1, 1, 1,
                   c.whitelist.root)  # claims to start from a leaf user 9 does not have
    top = B.aggregate([world.prove_end_cap(t)], B.committed_tree(chain, "gusr", 32, 13), c)
    assert top.transition.level == 0  # GUTA cannot know: it lifts the claim to the root
    with pytest.raises(B.BlockError, match="do not start from the head's user tree"):
        B.block_inputs(chain, top, c)
    with pytest.raises(ExecutionError, match="previous checkpoint's user tree"):
        c.block.execute({**inputs, "top": ProofArg(top.proof, top.key)})
    forged = copy.copy(honest)
    forged.proofs = [(top.proof, top.key)]
    assert _unsatisfied(c.block, forged)


def test_cli_verifies_a_block_against_the_previous_root(world, tmp_path, capsys):
    import json

    from psyc.cli.main import main
    from psyc.sig.convention import format_hash

    blk, c = world.second, world.circuits
    path = tmp_path / "block2.proof"
    path.write_bytes(blk.to_bytes())
    (tmp_path / "block2.proof.vk").write_bytes(c.block_key.to_bytes())
    prev = format_hash(world.second_prev["chkp_root"])
    fp = ",".join(str(x) for x in c.block_key.fingerprint)
    capsys.readouterr()
    assert main(["verify", str(path), "--prev-root", prev, "--fingerprint", fp, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] and doc["block"] == {"checkpoint_id": 2, "old_chkp_root": prev,
                                             "new_chkp_root": format_hash(blk.statement.new_chkp_root)}
    older = format_hash(world.first_prev["chkp_root"])
    assert main(["verify", str(path), "--prev-root", older, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert not doc["valid"] and "extends checkpoint root" in doc["error"]
    assert main(["verify", str(path), "--prev-root", "0x1234"]) == 2  # not a root: usage error
    assert "32 bytes" in capsys.readouterr().err
    (tmp_path / "top.proof").write_bytes(proof_to_bytes(blk.top.proof))  # a valid proof, but no block
    (tmp_path / "top.proof.vk").write_bytes(blk.top.key.to_bytes())
    assert main(["verify", str(tmp_path / "top.proof"), "--prev-root", prev]) == 1
    assert "not a block circuit's" in capsys.readouterr().err


def test_block_rejects_a_deploy_over_a_deployed_contract(world):
    c = world.circuits
    leaf = list(range(1, 15))
    with pytest.raises(B.BlockError, match="contract 3 is already deployed"):
        B.block_inputs(world.chain, None, c, [(3, leaf)])
    inputs, _ = B.block_inputs(world.chain, None, c, [(11, leaf)])  # a free slot: fine
    honest = c.block.execute(inputs)
    assert not _unsatisfied(c.block, honest)
    with pytest.raises(ExecutionError, match="slot is not empty"):
        c.block.execute({**inputs, "deploy_ids": [3, 0, 0, 0]})  # the same path, claimed for contract 3
    forged = copy.deepcopy(honest)
    _set_input(c.block, forged, "deploy_ids", [3, 0, 0, 0])
    assert _unsatisfied(c.block, forged)
