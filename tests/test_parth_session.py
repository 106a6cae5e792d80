"""User proving sessions (issue 16 item 1): the step and end-cap circuits of
stdlib/parth/session*.psy, proved end to end on a small standard shape, and the
soundness checks: what the prover refuses, and that the circuits reject the forged
witness an attacker running their own prover would give them."""

from __future__ import annotations

import copy

import pytest

from psyc.contracts import session_contract
from psyc.ir.interpret import ExecutionError
from psyc.parth.chain import ChainState
from psyc.parth.session import Call, SessionError, prove_session, session_circuits
from psyc.parth.store import MemoryStore
from psyc.parth.tree import leaf_hash
from psyc.project.inputs import ProofArg


def _shape():
    from psyc.recursion.shape import small_shape

    # one FRI query (fast, no security) at 2^12 rows: a step verifies two proofs and walks
    # ~150 Merkle levels (PARTH's heights)
    return small_shape()


@pytest.fixture(scope="module")
def world():
    from psyc.sig.zk import ZkScheme

    shape = _shape()
    token = session_contract("examples/token", shape)
    scheme = ZkScheme(shape=shape)
    alice, mallory = scheme.new_key([1, 2, 3, 4]), scheme.new_key([5, 6, 7, 8])
    chain = ChainState(MemoryStore())
    chain.deploy(0, "Token", token.height, token.cft_leaves())
    chain.register_user(0, alice.public_key)
    chain.register_user(1, mallory.public_key)
    chain.write_slots(0, 0, {0: (100, 0, 0, 0)})  # alice holds 100
    chain.commit_block()
    result = prove_session(chain, 0, alice, [Call(0, "transfer", [1, 30])], contracts={0: token}, shape=shape,
                           scheme=scheme)
    return {"shape": shape, "token": token, "scheme": scheme, "alice": alice, "mallory": mallory, "chain": chain,
            "result": result, "circuits": session_circuits(shape)}


def _session(w, **kw):
    args = {"contracts": {0: w["token"]}, "shape": w["shape"], "scheme": w["scheme"]}
    args.update(kw)
    return prove_session(w["chain"], 0, args.pop("key", w["alice"]), args.pop("calls", [Call(0, "transfer", [1, 5])]),
                         **args)


def test_one_transfer_end_cap_verifies(world):
    r, circuits = world["result"], world["circuits"]
    circuits.end_key.verify(r.end_cap)
    assert world["shape"].matches(circuits.end_key.common)  # folds without wrapping
    t = r.transition
    chain = world["chain"]
    assert t.chkp_root == tuple(chain.head()["chkp_root"]) and t.level == chain.heights.gusr and t.index == 0
    assert t.old_root == leaf_hash(chain.gusr.leaf(0)) and t.new_root == leaf_hash(r.end_leaf.felts())
    assert (t.tx_count, t.user_count, t.slots_modified) == (1, 1, 1)
    assert r.end_leaf.nonce == 1 and r.writes == [(0, {0: (70, 0, 0, 0), 1 + (1 << 22) + 1: (30, 1, 0, 0)})]
    # applied to a copy of the chain, the store's leaf is the one the proof commits to
    copy_chain = ChainState(chain.store, chain.heights)
    r.apply(copy_chain)
    assert leaf_hash(copy_chain.gusr.leaf(0)) == t.new_root
    assert copy_chain.cstate(0, 0).leaf(0) == (70, 0, 0, 0)
    copy_chain.discard()


# --- the prover refuses ---------------------------------------------------------------------------
def test_prover_refuses_another_key(world):
    with pytest.raises(SessionError, match="the key is not user 0's"):
        _session(world, key=world["mallory"])


@pytest.mark.parametrize("nonce", [0, -1])
def test_prover_refuses_a_nonce_that_does_not_increase(world, nonce):
    with pytest.raises(SessionError, match="the nonce must increase"):
        _session(world, nonce=nonce)


def test_prover_refuses_a_stale_checkpoint(world):
    head = world["chain"].head()["id"]
    with pytest.raises(SessionError, match="stale checkpoint"):
        _session(world, checkpoint_id=head - 1)


def _evil_token(tmp_path, shape):
    """The token with transfer's balance check removed: an attacker's own circuits."""
    import shutil

    src = tmp_path / "evil"
    shutil.copytree("examples/token", src, ignore=shutil.ignore_patterns("target"))
    main = src / "src" / "main.psy"
    main.write_text(main.read_text().replace('assert(amount <= self.balance, "insufficient balance");', ""))
    return session_contract(src, shape)


def test_prover_refuses_a_contract_not_deployed(world, tmp_path):
    evil = _evil_token(tmp_path, world["shape"])
    with pytest.raises(SessionError, match="not in the contract's function tree"):
        _session(world, contracts={0: evil})


def test_a_session_is_applied_only_on_its_checkpoint(world):
    r = world["result"]
    chain = ChainState(world["chain"].store, world["chain"].heights)
    r.apply(chain)
    with pytest.raises(SessionError, match="leaf changed"):
        r.apply(chain)  # a replay of the same session
    chain.discard()


# --- the circuits reject forged witnesses ---------------------------------------------------------
def _end_inputs(w, **changes):
    inputs = dict(w["result"].witness["end"])
    inputs.update(changes)
    return inputs


def test_end_cap_rejects_a_tampered_step(world):
    end = world["circuits"].end
    run = end.execute(_end_inputs(world))
    assert end.check_constraints(run) == []
    bad, vk = run.proofs[0]
    bad = copy.deepcopy(bad)
    bad.public_inputs[22] = 5  # claim five transactions
    run.proofs[0] = (bad, vk)
    failures = end.check_constraints(run)
    assert failures and any("/recursion/" in f.scope for f in failures)
    with pytest.raises(ExecutionError):  # the honest interpreter refuses it too
        end.execute(_end_inputs(world, last=ProofArg(bad, vk, "tampered")))


def test_end_cap_rejects_a_signature_by_another_key(world):

    r, scheme, mallory = world["result"], world["scheme"], world["mallory"]
    sig, vk = scheme.sign(mallory, r.witness["message"])
    with pytest.raises(ExecutionError, match="not this key's"):
        world["circuits"].end.execute(_end_inputs(world, sig=ProofArg(sig, vk, "sig"), param=list(mallory.param)))
    # the same swap under the honest parameter: the signature's public inputs do not match
    run = world["circuits"].end.execute(_end_inputs(world))
    run.proofs[1] = world["circuits"].end.standard_proof(sig, vk)
    assert world["circuits"].end.check_constraints(run)


@pytest.mark.parametrize("nonce", [0])
def test_end_cap_rejects_a_nonce_that_does_not_increase(world, nonce):
    with pytest.raises(ExecutionError, match="the nonce must increase"):
        world["circuits"].end.execute(_end_inputs(world, nonce=nonce))


def test_step_rejects_a_cfc_not_in_the_function_tree(world, tmp_path):
    evil = _evil_token(tmp_path, world["shape"]).method("transfer")
    step = world["circuits"].step
    inputs = dict(world["result"].witness["steps"][0])
    view = ChainState(world["chain"].store, world["chain"].heights)
    run = evil.execute(view, 0, 0, [[1], [30]])  # the same call, proved by the attacker's circuit
    forged = ProofArg(run.prove(), evil.program.circuit().verifier_data, "forged")
    assert list(forged.proof.public_inputs) == list(inputs["cfc"].proof.public_inputs)
    with pytest.raises(ExecutionError, match="not in the contract's function tree"):
        step.execute({**inputs, "cfc": forged})
    honest = step.execute(inputs)
    honest.proofs[1] = (forged.proof, forged.vk)
    failures = step.check_constraints(honest)
    assert failures and not any("/recursion/" in f.scope for f in failures)  # the proof is valid: the CFT check fails


def test_step_rejects_a_stale_anchor(world):
    from psyc.parth.chain import ChainState as CS

    chain = world["chain"]
    inputs = dict(world["result"].witness["steps"][0])
    stale = CS(MemoryStore(), chain.heights)  # an older state: alice's leaf before her balance write
    stale.deploy(0, "Token", world["token"].height, world["token"].cft_leaves())
    stale.register_user(0, world["alice"].public_key)
    # claim the latest checkpoint root with a user leaf that is not in its user tree
    forged = {**inputs, "anchored_leaf": list(stale.gusr.leaf(0)), "leaf": list(stale.gusr.leaf(0))}
    with pytest.raises(ExecutionError, match="not in the checkpoint's user tree"):
        world["circuits"].step.execute(forged)


def test_registration_is_a_session_from_the_empty_leaf(world):
    newcomer = world["scheme"].new_key([9, 9, 9, 9])
    chain = world["chain"]
    r = prove_session(chain, 5, newcomer, [], contracts={}, shape=world["shape"], scheme=world["scheme"],
                      register=True)
    world["circuits"].end_key.verify(r.end_cap)
    t = r.transition
    assert t.index == 5 and t.old_root == leaf_hash([0] * 13) and t.tx_count == 0
    assert r.end_leaf.public_key == tuple(newcomer.public_key) and r.end_leaf.nonce == 1
    view = ChainState(chain.store, chain.heights)
    r.apply(view)
    assert leaf_hash(view.gusr.leaf(5)) == t.new_root and view.record("user", 5) is not None
    view.discard()
    with pytest.raises(SessionError, match="already registered"):
        prove_session(chain, 0, newcomer, [], contracts={}, shape=world["shape"], register=True)


# --- continuing a session ---------------------------------------------------------------------------
def test_a_continued_session_states_what_one_session_of_all_its_calls_states(world):
    """A second call continues the session from its last step proof (one step and a new end
    cap, not every call again): the end cap states the same transition as proving both
    calls at once."""
    second = [Call(0, "transfer", [1, 5])]
    resumed = _session(world, calls=second, resume=world["result"])
    world["circuits"].end_key.verify(resumed.end_cap)
    assert len(resumed.steps) == 2 and resumed.calls == 2 and resumed.transition.tx_count == 2
    whole = _session(world, calls=[Call(0, "transfer", [1, 30]), *second])
    assert resumed.transition == whole.transition and resumed.writes == whole.writes
    assert resumed.end_leaf == whole.end_leaf and resumed.nonce == whole.nonce == 1


def test_a_session_is_continued_only_by_its_user_on_its_checkpoint(world):
    r = world["result"]
    with pytest.raises(SessionError, match="user 0's, not user 1's"):
        prove_session(world["chain"], 1, world["mallory"], [Call(0, "transfer", [0, 1])], contracts={0: world["token"]},
                      shape=world["shape"], scheme=world["scheme"], resume=r)
    stale = copy.copy(r)
    stale.checkpoint_id = r.checkpoint_id - 1
    with pytest.raises(SessionError, match="stale session"):
        _session(world, resume=stale)
    with pytest.raises(SessionError, match="cannot change it"):
        _session(world, resume=r, nonce=r.nonce + 1)


def test_a_continued_session_must_match_its_writes(world):
    """Writes that are not the ones the last step proved (a forged balance) are refused
    before any proof; the step circuit would reject them anyway (its user leaf differs)."""
    r = copy.copy(world["result"])
    r.writes = [(0, {0: (1000, 0, 0, 0)})]
    with pytest.raises(SessionError, match="does not match its own writes"):
        _session(world, resume=r)


def test_a_schnorr_key_signs_a_session(world):
    """Sessions take any single key: a schnorr user registers and sends in one session
    whose end cap verifies the (wrapped) schnorr signature proof."""
    from psyc.sig.schnorr import SchnorrScheme

    scheme = SchnorrScheme(shape=world["shape"])
    key = scheme.new_key(12345)
    r = prove_session(world["chain"], 7, key, [], contracts={}, shape=world["shape"], register=True)
    world["circuits"].end_key.verify(r.end_cap)
    assert r.end_leaf.public_key == tuple(key.public_key) and r.transition.index == 7
