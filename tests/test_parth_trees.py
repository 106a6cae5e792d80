"""PARTH trees, leaves and the state store against an independent model (tests/parth_model)."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import parth_model as model
import pytest

from psyc.parth.chain import ChainState, StateError, empty_cstate_root
from psyc.parth.heights import Heights
from psyc.parth.leaves import UserLeaf, checkpoint_leaf, global_chain_root
from psyc.parth.store import MemoryStore, SqliteStore
from psyc.parth.tree import DeltaProof, SparseMerkleTree, empty_hashes


@pytest.mark.parametrize("height,leaf_len", [(0, 4), (3, 4), (16, 5), (32, 13)])
def test_empty_roots_match_the_model(height, leaf_len):
    t = SparseMerkleTree(height, leaf_len)
    assert t.root == model.empty(leaf_len, height) == empty_hashes(leaf_len, height)[height]


def test_roots_proofs_and_delta_proofs_match_the_model():
    rng = random.Random(7)
    t = SparseMerkleTree(32, 4)
    leaves = {}
    for _ in range(4):
        i = rng.randrange(1 << 32)
        v = tuple(rng.randrange(1 << 63) for _ in range(4))
        old_root = t.root
        d = t.set(i, v)
        leaves[i] = v
        assert d.verify() and d.old_root == old_root and d.new_root == t.root
    assert t.root == model.root(32, 4, leaves)
    for i in leaves:
        p = t.proof(i)
        assert p.leaf == leaves[i] and p.verify(t.root)
        assert not p.verify(model.root(32, 4, {**leaves, i: (1, 2, 3, 4)}))  # another root
    # an untouched leaf has a proof of the zero leaf
    assert t.proof(5).leaf == (0, 0, 0, 0) and t.proof(5).verify(t.root)


def test_forged_proofs_are_rejected():
    t = SparseMerkleTree(8, 4)
    t.set(3, (1, 2, 3, 4))
    d = t.set(200, (9, 9, 9, 9))
    p = t.proof(3)
    assert not type(p)(3, (1, 2, 3, 5), p.siblings).verify(t.root)  # wrong value
    assert not type(p)(2, p.leaf, p.siblings).verify(t.root)  # wrong index
    assert not type(p)(3 + 256, p.leaf, p.siblings).verify(t.root)  # index beyond the height
    bad = DeltaProof(d.index, d.old_leaf, (9, 9, 9, 8), d.siblings, d.old_root, d.new_root)
    assert not bad.verify()
    bad = DeltaProof(d.index, (1, 0, 0, 0), d.new_leaf, d.siblings, d.old_root, d.new_root)
    assert not bad.verify()


def test_zero_value_is_the_empty_leaf():
    t = SparseMerkleTree(10, 4)
    e = t.root
    t.set(17, (5, 0, 0, 0))
    t.set(17, (0, 0, 0, 0))
    assert t.root == e


def test_leaf_layouts():
    u = UserLeaf((1, 2, 3, 4), (5, 6, 7, 8), balance=9, nonce=10, last_checkpoint_id=11, event_index=12, user_id=13)
    assert list(u.felts()) == model.user_leaf((1, 2, 3, 4), (5, 6, 7, 8), 9, 10, 11, 12, 13)
    assert len(u.felts()) == 13 and UserLeaf.from_felts(u.felts()) == u
    assert global_chain_root((1, 0, 0, 0), (2, 0, 0, 0)) == model.sponge([1, 0, 0, 0, 2, 0, 0, 0])
    assert checkpoint_leaf((1, 2, 3, 4), (5, 6, 7, 8)) == (1, 2, 3, 4, 5, 6, 7, 8)


SMALL = Heights(chkp=6, gusr=8, ucon=5, gcon=5, cft=3)


def _chain(store):
    c = ChainState(store, SMALL)
    c.deploy(2, "token", 4, [((1, 2, 3, 4), 77)])
    c.register_user(3, (7, 7, 7, 7))
    c.register_user(5)
    return c


def test_chain_roots_match_the_model_and_survive_the_store(tmp_path):
    store = SqliteStore(tmp_path / "state.db")
    c = _chain(store)
    root = c.write_slots(3, 2, {0: (10, 0, 0, 0), 9: (1, 2, 0, 0)})
    assert root == model.root(4, 4, {0: (10, 0, 0, 0), 9: (1, 2, 0, 0)})
    ucon = model.root(5, 4, {2: root})
    assert c.ucon(3).root == ucon
    gusr = model.root(8, 13, {3: model.user_leaf((7, 7, 7, 7), ucon, user_id=3),
                              5: model.user_leaf((0, 0, 0, 0), model.empty(4, 5), user_id=5)})
    assert c.gusr.root == gusr
    assert c.cstate_root(5, 2) == empty_cstate_root(4) == model.empty(4, 4)
    rec = c.commit_block()
    store.close()
    again = ChainState(SqliteStore(tmp_path / "state.db"), SMALL)
    assert again.head() == rec and again.gusr.root == gusr and tuple(rec["gusr_root"]) == gusr
    assert again.cstate(3, 2).leaf(9) == (1, 2, 0, 0)
    assert again.chkp.root == model.root(6, 8, {0: (*model.sponge([*again.gcon.root, *gusr]), 0, 0, 0, 0)})
    with pytest.raises(StateError):
        again.register_user(3)
    with pytest.raises(StateError):
        again.write_slots(4, 2, {0: (1, 0, 0, 0)})


def test_memory_store_discard_keeps_the_committed_state():
    c = _chain(MemoryStore())
    c.commit_block()
    before = c.gusr.root
    c.write_slots(3, 2, {1: (1, 0, 0, 0)})
    assert c.gusr.root != before
    c.discard()
    assert c.gusr.root == before


_WRITER = textwrap.dedent("""
    import sys
    from psyc.parth.chain import ChainState
    from psyc.parth.heights import Heights
    from psyc.parth.store import SqliteStore
    c = ChainState(SqliteStore(sys.argv[1]), Heights(chkp=6, gusr=8, ucon=5, gcon=5, cft=3))
    c.deploy(2, "token", 16, [])
    c.register_user(3)
    c.write_slots(3, 2, {0: (1, 0, 0, 0)})
    c.commit_block()
    print("committed", flush=True)
    k = 1
    while True:
        c.write_slots(3, 2, {s: (k, s, 0, 0) for s in range(k * 400, k * 400 + 400)})
        print("begin", k, flush=True)
        c.commit_block()
        print("committed", k, flush=True)
        k += 1
""")


def test_kill_during_commit_keeps_the_last_checkpoint(tmp_path):
    """kill -9 while a block is being written: reopening shows the last committed checkpoint,
    and its roots agree with the trees rebuilt from the store's leaves."""
    db = tmp_path / "state.db"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        while not any(line.startswith("begin 2") for line in lines):
            line = proc.stdout.readline()
            assert line, "the writer died"
            lines.append(line)
    finally:
        proc.kill()  # SIGKILL, in the middle of (or right after) commit 2
        proc.wait()
    store = SqliteStore(db)
    c = ChainState(store, Heights(chkp=6, gusr=8, ucon=5, gcon=5, cft=3))
    head = c.head()
    assert head is not None and head["id"] in (1, 2)
    k = head["id"]
    expected = {0: (1, 0, 0, 0)} | {s: (j, s, 0, 0) for j in range(1, k + 1) for s in range(j * 400, j * 400 + 400)}
    rows = store.db.execute("SELECT idx, felts FROM leaves WHERE tree='cstate/3/2'").fetchall()
    assert len(rows) == len(expected)  # no leaf of the torn block
    assert c.cstate(3, 2).root == model.root(16, 4, expected)
    assert tuple(head["gusr_root"]) == c.gusr.root
    assert tuple(head["chkp_root"]) == c.chkp.root
