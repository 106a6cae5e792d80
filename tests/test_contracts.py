"""Contracts end to end: the token of the contracts issue and the NFT example compile to one
circuit per method, execute against a chain state, prove and verify; the roots the circuits
compute are the store's and those of an independent model (tests/parth_model.py, with the
storage layout written out by hand); forged reads, wrong roots, changed arguments and
another method's key are rejected; contract diagnostics carry their codes."""

from __future__ import annotations

import json
from pathlib import Path

import parth_model as model
import pytest
from lang_util import write_project

from psyc.cli.main import main
from psyc.contracts import compile_contract, method_id, public_input_hash
from psyc.frontend.diagnostics import CompileError
from psyc.ir.interpret import ExecutionError
from psyc.parth.chain import ChainState
from psyc.parth.store import MemoryStore, SqliteStore
from psyc.plonk.verifier import VerificationError

EXAMPLES = Path(__file__).parent.parent / "examples"
TOKEN, NFT = EXAMPLES / "token", EXAMPLES / "nft"
OUTBOX = 1 + (1 << 22)  # Token: balance in slot 0, claimed[u64; 2^24] 4 per slot, then outbox


@pytest.fixture(scope="module")
def token():
    return compile_contract(TOKEN)


@pytest.fixture(scope="module")
def chain(token, tmp_path_factory):
    """issuer 0 mints 100 and sends 30 to user 1 (checkpoint 0); user 1 claims."""
    store = SqliteStore(tmp_path_factory.mktemp("state") / "state.db")
    st = ChainState(store)
    st.deploy(0, "Token", token.height, token.cft_leaves())
    for u in (0, 1, 2):
        st.register_user(u)
    runs = {}
    runs["mint"] = token.method("mint").execute(st, 0, 0, [[100]])
    runs["mint"].apply(st)
    runs["transfer"] = token.method("transfer").execute(st, 0, 0, [[1], [30]])
    runs["transfer"].apply(st)
    st.commit_block()
    runs["claim"] = token.method("claim").execute(st, 1, 0, [[0]])
    runs["claim"].apply(st)
    st.commit_block()
    return st, runs


def test_layout_abi_and_method_ids(token):
    assert token.slots == OUTBOX + (1 << 24) and token.height == 25
    abi = token.abi(with_cft=False)
    rows = {r["path"]: r for r in abi["storage"]}
    assert rows["balance"]["slot"] == 0 and rows["claimed"]["slot"] == 1 and rows["outbox"]["slot"] == OUTBOX
    assert rows["outbox"]["stride"] == 1 and rows["claimed"]["per_slot"] == 4
    sigs = {m["name"]: m["signature"] for m in abi["methods"]}
    assert sigs == {"mint": "mint(u64)->()", "transfer": "transfer(u32,u64)->()", "claim": "claim(u32)->u64"}
    ids = {m["name"]: m["id"] for m in abi["methods"]}
    assert ids["transfer"] == model.sponge(list(b"transfer(u32,u64)->()"))[0] % (1 << 32) == method_id(sigs["transfer"])
    assert len(set(ids.values())) == 3


def test_roots_match_the_store_and_the_model(token, chain):
    st, runs = chain
    # the issuer: balance 70, outbox[1] = (sent 30, nonce 1); user 1: balance 30, claimed[0] = 30
    issuer = {0: (70, 0, 0, 0), OUTBOX + 1: (30, 1, 0, 0)}
    user1 = {0: (30, 0, 0, 0), 1: (30, 0, 0, 0)}
    assert st.cstate(0, 0).root == model.root(25, 4, issuer) == runs["transfer"].end_root
    assert st.cstate(1, 0).root == model.root(25, 4, user1) == runs["claim"].end_root
    assert runs["claim"].outputs == [30]
    # the circuit's public input is the hash of the store's roots (recomputed natively)
    r = runs["claim"]
    head_before = r.checkpoint_root
    expect = public_input_hash(0, token.method("claim").id, [0], model.empty(4, 25), st.cstate(1, 0).root, [30],
                               head_before, 0, 1)
    assert r.public_inputs == expect
    assert runs["transfer"].writes[OUTBOX + 1] == ((0, 0, 0, 0), (30, 1, 0, 0))


@pytest.fixture(scope="module")
def proofs(token, chain):
    _, runs = chain
    out = {}
    for name in ("transfer", "claim"):
        data = token.method(name).program.circuit()
        proof = runs[name].prove()
        data.verify(proof)
        out[name] = (proof, data)
    return out


def test_transfer_and_claim_prove_and_verify(proofs, chain):
    _, runs = chain
    for name, (proof, _) in proofs.items():
        assert proof.public_inputs == runs[name].public_inputs


def _reject(data, proof, public_inputs):
    import copy

    bad = copy.deepcopy(proof)
    bad.public_inputs = list(public_inputs)
    with pytest.raises(VerificationError):
        data.verify(bad)


def test_wrong_end_root_or_argument_is_rejected(token, proofs, chain):
    _, runs = chain
    r = runs["transfer"]
    proof, data = proofs["transfer"]
    mid = token.method("transfer").id
    honest = public_input_hash(0, mid, [1, 30], r.start_root, r.end_root, [], r.checkpoint_root, r.checkpoint_id, 0)
    assert honest == proof.public_inputs
    forged_end = model.root(25, 4, {0: (100, 0, 0, 0), OUTBOX + 1: (30, 1, 0, 0)})  # kept the balance
    _reject(data, proof, public_input_hash(0, mid, [1, 30], r.start_root, forged_end, [], r.checkpoint_root,
                                           r.checkpoint_id, 0))
    _reject(data, proof, public_input_hash(0, mid, [1, 3], r.start_root, r.end_root, [], r.checkpoint_root,
                                           r.checkpoint_id, 0))
    _reject(data, proof, public_input_hash(0, mid, [2, 30], r.start_root, r.end_root, [], r.checkpoint_root,
                                           r.checkpoint_id, 0))


def test_another_methods_key_is_rejected(token, proofs):
    proof, _ = proofs["transfer"]
    claim_data = proofs["claim"][1]
    with pytest.raises(VerificationError):
        claim_data.verify(proof)


def test_forged_storage_read_is_unsatisfiable(token, chain):
    """A prover that puts a wrong value under the right root (the balance read by transfer)
    cannot satisfy the circuit."""
    from psyc.plonk.diagnostics import UnsatisfiedConstraints
    from psyc.plonk.witness import WitnessError

    st, _ = chain
    m = token.method("transfer")
    run = m.execute(st, 1, 0, [[2], [5]])
    assert m.program.check_constraints(run.execution) == []
    read = next(i for i in m.program.program.instrs if i.op == "hint" and i.attrs[0].name == "storage read")
    vals = run.execution.values
    assert vals[read.results[0].id] == 30  # user 1's balance
    vals[read.results[0].id] = 1000  # forged: the balance under the same root and path
    # no witness satisfies the circuit: the generators derive a contradiction, or a gate fails
    try:
        failures = m.program.check_constraints(run.execution)
    except WitnessError as e:
        failures = [e]
    assert failures and "std/parth.psy" in str(failures[0])  # the read's Merkle check
    with pytest.raises((UnsatisfiedConstraints, WitnessError)):
        m.program.prove(run.execution)


def test_forged_read_from_the_oracle_fails_with_the_message(token, chain):
    st, _ = chain
    m = token.method("transfer")
    from psyc.contracts import runtime

    real = runtime.StateOracle.read

    def lying(self, user, root, slot):
        value, path = real(self, user, root, slot)
        return ((10**6, *value[1:]) if slot == 0 else value), path

    runtime.StateOracle.read = lying
    try:
        with pytest.raises(ExecutionError, match="storage read does not match the state root"):
            m.execute(st, 1, 0, [[2], [5]])
    finally:
        runtime.StateOracle.read = real


def test_overdraft_names_the_method_line_and_values(token, chain):
    st, _ = chain
    with pytest.raises(ExecutionError) as e:
        token.method("transfer").execute(st, 1, 0, [[2], [31]])
    d = e.value.to_diagnostic()
    assert "Token::transfer" in d.message and "insufficient balance" in d.message
    assert d.labels and d.labels[0].span.file.endswith("main.psy")
    assert "31" in " ".join(d.notes) and "30" in " ".join(d.notes)


def test_cli_compile_execute_and_store(tmp_path, capsys):
    out = tmp_path / "target"
    assert main(["compile", str(TOKEN), "-o", str(out)]) == 2  # E0801: a folder the user names must exist
    out.mkdir()
    assert main(["compile", str(TOKEN), "-o", str(out)]) == 0
    abi = json.loads((out / "token.abi.json").read_text())
    assert [m["name"] for m in abi["methods"]] == ["mint", "transfer", "claim"]
    assert len(abi["cft_root"]) == 4 and all((out / f"token.{m}.vk").is_file() for m in ("mint", "transfer", "claim"))
    capsys.readouterr()
    db = tmp_path / "state.db"
    for _ in range(2):  # the second run starts from the committed state of the first
        assert main(["execute", str(TOKEN), "--json", "--store", str(db), "--commit"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    diff = {r["slot"]: r for r in report["state_diff"]}
    assert diff[0]["fields"] == ["balance"] and diff[0]["after"][0] == "7"  # the call file's state, once more
    assert report["costs"]["hashes"] > 0 and report["costs"]["rows"] > 0
    st = ChainState(SqliteStore(db))
    assert st.head()["id"] == 3  # two blocks per run: the call file's state, then the call
    assert tuple(int(x) for x in report["end_root"]) == st.cstate(1, 0).root


CONTRACT = """
use std::parth::Ctx;
struct Pair { a: u64, b: u64 }
#[contract]
struct C { x: u64, xs: [u64; 1 << 20], ps: [Pair; 4] }
impl C {
    #[method]
    fn set(&mut self, ctx: Ctx, v: u64) { BODY }
    fn helper(&self) -> u64 { self.x }
}
"""


@pytest.mark.parametrize("body,code", [
    ("let o = ctx.state_of::<C>(1); o.x = v;", "E0900"),
    ("let i: u64 = 3; self.xs[i] = v;", "E0902"),
    ("let all = self.xs; self.x = v;", "E0905"),
    ("self.ps[4].a = v;", "E0302"),
])
def test_contract_diagnostics(body, code):
    root = write_project(CONTRACT.replace("BODY", body))
    with pytest.raises(CompileError) as e:
        compile_contract(root)
    assert e.value.diagnostics[0].code == code, e.value.diagnostics[0].message
    assert e.value.diagnostics[0].labels  # located


def test_helper_is_not_an_entry_point():
    src = CONTRACT.replace("BODY", "self.x = v;") + """
#[test]
fn t() { let c = C::default(); c.helper(); }
"""
    root = write_project(src)
    assert main(["test", str(root)]) == 1
    with pytest.raises(CompileError) as e:
        compile_contract(root, only=["helper"])
    assert e.value.diagnostics[0].code == "E0901"


def test_layout_over_2_32_slots():
    root = write_project(CONTRACT.replace("BODY", "").replace("ps: [Pair; 4]", "ps: [[Pair; 65536]; 65536]"))
    with pytest.raises(CompileError) as e:
        compile_contract(root)
    assert e.value.diagnostics[0].code == "E0903"


def test_the_guide_compiles_and_its_tests_pass():
    import re

    guide = (Path(__file__).parent.parent / "docs" / "contracts.md").read_text()
    blocks = re.findall(r"```psy\n(.*?)```", guide, re.S)
    assert blocks
    for block in blocks:
        root = write_project(block)
        assert main(["test", str(root)]) == 0
        assert [m.name for m in compile_contract(root).methods] == ["mint", "transfer", "claim"]


def test_check_elaborates_the_methods():
    assert main(["check", str(TOKEN), "--no-template"]) == 0
    bad = write_project(CONTRACT.replace("BODY", "let o = ctx.state_of::<C>(1); o.x = v;"))
    assert main(["check", str(bad), "--no-template"]) == 1


def test_nft_outbox_claim_round_trip():
    nft = compile_contract(NFT)
    st = ChainState(MemoryStore())
    st.deploy(0, "Nft", nft.height, [])
    for u in (0, 5, 6):
        st.register_user(u)

    def call(method, user, *args):
        run = nft.method(method).execute(st, user, 0, [[a] for a in args])
        run.apply(st)
        return run.outputs

    assert call("mint", 0) == [0] and call("mint", 0) == [1]
    call("send", 0, 5, 1)
    with pytest.raises(ExecutionError, match="not your token"):
        call("send", 0, 6, 1)
    with pytest.raises(ExecutionError, match="only the issuer mints"):
        call("mint", 5)
    st.commit_block()
    assert call("claim", 5, 0) == [1]
    with pytest.raises(ExecutionError, match="nothing to claim"):
        call("claim", 5, 0)  # claimed once; the outbox holds one token for 5
    with pytest.raises(ExecutionError, match="nothing to claim"):
        call("claim", 6, 0)
    call("send", 5, 6, 1)  # the claimed token is 5's to send on
    st.commit_block()
    assert call("claim", 6, 5) == [1]


def test_read_only_self_cannot_write():
    src = CONTRACT.replace("BODY", "self.x = self.peek();").replace(
        "fn helper(&self) -> u64 { self.x }", "fn helper(&self) -> u64 { self.x }\n    fn peek(&self) -> u64 { self.x = 1; 2 }")
    with pytest.raises(CompileError) as e:
        compile_contract(write_project(src))
    assert e.value.diagnostics[0].code == "E0202"


@pytest.mark.parametrize("body", [
    "let same = self == self; self.x = v;",
    "self.x = take(self);",
    "let o = ctx.state_of::<C>(1); let p = ctx.state_of::<C>(2); let s = if v == 0 { o } else { p }; self.x = s.x;",
])
def test_storage_is_not_a_value(body):
    src = CONTRACT.replace("BODY", body) + "\nfn take(c: C) -> u64 { c.x }\n"
    with pytest.raises(CompileError) as e:
        compile_contract(write_project(src))
    assert e.value.diagnostics[0].code == "E0904"


@pytest.mark.parametrize("what", ["other user's slot", "other user's leaf"])
def test_forged_state_of_is_unsatisfiable(token, chain, proofs, what):
    """claim reads user 0's outbox through state_of: a wrong value under the right root, or
    a forged user leaf (another UCON root), has no satisfying witness."""
    from psyc.plonk.witness import WitnessError

    st, _ = chain
    m = token.method("claim")
    run = m.execute(st, 2, 0, [[0]])  # user 2 has nothing to claim from 0: total 0
    assert m.program.check_constraints(run.execution) == []
    if what == "other user's slot":
        hint = next(i for i in m.program.program.instrs
                    if i.op == "hint" and i.attrs[0].name == "storage read" and len(i.args) == 6)
        target = hint.results[0]  # outbox[2].sent of user 0
    else:
        hint = next(i for i in m.program.program.instrs if i.op == "hint" and i.attrs[0].name == "state_of")
        target = hint.results[12 + 4 * token.heights.chkp + 4]  # ucon_root[0] inside the user leaf
    run.execution.values[target.id] += 1
    try:
        failures = m.program.check_constraints(run.execution)
    except WitnessError as e:
        failures = [e]
    assert failures
