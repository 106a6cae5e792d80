"""`psyc devnet` (issue 16 item 3): a scenario of 4 users over two blocks on the token —
balances and storage equal an independent model's (tests/token_model.py), the store's roots
equal those the call proofs commit to and an independent tree model's, the chain verifies;
refusals (stale checkpoint, replayed nonce and end cap, another user's key, an overdraft)
commit nothing; kill -9 during `devnet block` (a subprocess) loses and doubles nothing; every
block after the genesis is proved, and verify-chain rejects a block without its proof; the
format versions a devnet opens (older devnets are refused, with the reason)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import parth_model as tree_model
import pytest
from token_model import TokenModel

from psyc.cli.main import main
from psyc.devnet import Devnet, DevnetError

ROOT = Path(__file__).parent.parent
TOKEN = ROOT / "examples" / "token"
OUTBOX = 1 + (1 << 22)  # Token's layout: balance in slot 0, claimed[u64; 2^24] 4 per slot, then outbox


def _keys(folder: Path, n: int) -> list[Path]:
    from psyc.recursion.shape import small_shape
    from psyc.sig.keyfile import write_key
    from psyc.sig.zk import ZkScheme

    scheme = ZkScheme(shape=small_shape())
    out = []
    for k in range(n):
        path = folder / f"user{k}.key"
        write_key(path, scheme.new_key())
        out.append(path)
    return out


def _snapshot(net: Devnet) -> tuple:
    head = net.head()
    return (None if head is None else head["id"], net.pending(), len(net.blocks()))


def _cli(capsys, *argv) -> tuple[int, dict]:
    rc = main(["devnet", *argv, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out  # --json: exactly one object on stdout
    return rc, json.loads(out[0])


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Genesis: the token and users 0-3. Block 1: the issuer (0) mints 100 and sends 30 to 1
    and 20 to 2 (one session of three calls); user 3 mints (refused: not the issuer). Block 2:
    1 and 2 claim, then 1 sends 10 to 3 in the same session."""
    folder = tmp_path_factory.mktemp("devnet")
    keys = _keys(folder, 4)
    net = Devnet.create(folder / "net", shape="small")
    model = TokenModel()
    assert net.deploy(TOKEN)["contract_id"] == 0
    assert [net.register(k)["user_id"] for k in keys] == [0, 1, 2, 3]
    genesis = net.block()
    runs = [("mint", 0, ["100"]), ("transfer", 0, ["1", "30"]), ("transfer", 0, ["to=2", "amount=20"])]
    results = {}
    for method, user, args in runs:
        results.setdefault(1, []).append(net.call(keys[user], f"Token.{method}", args))
    model.mint(0, 100)
    model.transfer(0, 1, 30)
    model.transfer(0, 2, 20)
    blocks = [net.block()]
    model.commit()
    for method, user, args in [("claim", 1, ["0"]), ("claim", 2, ["from=0"]), ("transfer", 1, ["3", "10"])]:
        results.setdefault(2, []).append(net.call(keys[user], f"Token.{method}", args))
    assert model.claim(1, 0) == 30 and model.claim(2, 0) == 20
    model.transfer(1, 3, 10)
    blocks.append(net.block())
    model.commit()
    return {"net": net, "keys": keys, "model": model, "genesis": genesis, "blocks": blocks, "results": results,
            "folder": folder}


def _slots(fields: dict[str, int]) -> dict[int, tuple]:
    """The token's CSTATE leaves from the model's fields, the layout written out by hand."""
    slots: dict[int, list[int]] = {}
    for name, v in fields.items():
        if name == "balance":
            slots.setdefault(0, [0] * 4)[0] = v
        elif name.startswith("claimed["):
            k = int(name[8:-1])
            slots.setdefault(1 + k // 4, [0] * 4)[k % 4] = v
        else:
            to = int(name[7 : name.index("]")])
            slots.setdefault(OUTBOX + to, [0] * 4)[0 if name.endswith(".sent") else 1] = v
    return {s: tuple(x) for s, x in slots.items()}


def test_scenario_balances_equal_the_model(scenario):
    net, model = scenario["net"], scenario["model"]
    assert scenario["genesis"]["genesis"] and scenario["genesis"]["checkpoint_id"] == 0
    assert [b["checkpoint_id"] for b in scenario["blocks"]] == [1, 2]
    assert [b["stats"]["transactions"] for b in scenario["blocks"]] == [3, 3]
    assert [b["stats"]["users"] for b in scenario["blocks"]] == [1, 2]
    for user in range(4):
        got = net.user_state("Token", user)
        assert {k: int(v) for k, v in got["fields"].items()} == model.fields(user), user
    assert model.fields(1)["balance"] == 20 and model.fields(3) == {}  # 3 has not claimed yet
    nonces = {u: net.chain().user_leaf(u).nonce for u in range(4)}
    assert nonces == {0: 1, 1: 1, 2: 1, 3: 0}  # one session each; user 3 never had one
    assert net.pending() == {}


def test_store_roots_equal_what_the_proofs_commit_to(scenario):
    net, model = scenario["net"], scenario["model"]
    state = net.chain()
    last_end = {}
    for block in net.blocks()[1:]:
        for sess in block["sessions"]:
            for a, b in zip(sess["calls"], sess["calls"][1:], strict=False):  # a session's calls chain
                assert b["start_root"] == a["end_root"]
            last_end[sess["user"]] = tuple(sess["calls"][-1]["end_root"])
    assert set(last_end) == {0, 1, 2}
    for user, root in last_end.items():  # the root the user's last call proof ends at is the store's
        assert state.cstate_root(user, 0) == root
    for user in range(4):
        expect = tree_model.root(25, 4, _slots(model.fields(user)))
        assert state.cstate_root(user, 0) == expect
    # the CHKP tree: the recorded checkpoints' leaves, rebuilt by the independent tree model
    leaves = {}
    for cid in range(net.head()["id"] + 1):
        rec = state.record("checkpoint", cid)
        leaves[cid] = [*rec["chain_root"], *rec["stats_hash"]]
        assert tuple(rec["chkp_root"]) == tree_model.root(net.heights.chkp, 8, leaves)


def test_chain_verifies(scenario, capsys):
    net = scenario["net"]
    rc, doc = _cli(capsys, "verify-chain", "--dir", str(net.root))
    assert doc["checkpoints"] == 3
    assert rc == 0 and doc["valid"] and doc["blocks_proved"] == 2 and doc["problems"] == []
    # one verification time per proved block; deriving the key is reported apart from them
    assert len(doc["verify_ms"]) == 2 and doc["key_ms"] >= 0
    assert all(b["proof"] and b["proof_bytes"] > 0 for b in scenario["blocks"])
    assert not scenario["genesis"]["proof"]  # the genesis is the trust anchor, not proved


def test_a_block_of_deployments_only_is_proved(scenario, tmp_path, capsys):
    """A block with no session (four contracts deployed: the block circuit's slots) is
    proved like any other; a fifth deployment waits for the next block, refused clearly."""
    folder = tmp_path / "net"
    shutil.copytree(scenario["net"].root, folder)
    net = Devnet.open(folder)
    try:
        ids = [net.deploy(TOKEN)["contract_id"] for _ in range(4)]
        assert ids == [1, 2, 3, 4]
        with pytest.raises(DevnetError, match="as many as a block proves") as e:
            net.deploy(TOKEN)
        assert e.value.cause == "block-full" and len(net.pending()) == 4
        b = net.block()
        assert b["committed"] and b["proof"] and b["stats"]["deployments"] == 4 and b["stats"]["transactions"] == 0
        assert sorted(net._all_contracts()) == [0, 1, 2, 3, 4]
    finally:
        net.close()
    rc, doc = _cli(capsys, "verify-chain", "--dir", str(folder))
    assert rc == 0 and doc["valid"] and doc["blocks_proved"] == 3


def test_verify_chain_detects_a_tampered_store(scenario, tmp_path, capsys):
    copy = tmp_path / "net"
    shutil.copytree(scenario["net"].root, copy)
    net = Devnet.open(copy)
    rec = net.store.record("checkpoint", "1")
    rec["stats_hash"] = [1, 2, 3, 4]  # a checkpoint record that is not the CHKP tree's leaf
    from psyc.parth.store import Batch

    net.store.commit(Batch(records={("checkpoint", "1"): rec}))
    net.close()
    rc, doc = _cli(capsys, "verify-chain", "--dir", str(copy))
    assert rc == 1 and any("checkpoint 1: the CHKP tree's leaf is not the recorded checkpoint" in p
                           for p in doc["problems"])


def _edit_record(folder: Path, kind: str, key: str, change) -> None:
    """Rewrite one record of a devnet's store in place (``change``: record → record)."""
    from psyc.parth.store import Batch, SqliteStore

    store = SqliteStore(folder / "chain.db")
    try:
        store.commit(Batch(records={(kind, key): change(store.record(kind, key))}))
    finally:
        store.close()


@pytest.mark.parametrize("tamper", ["no proof", "proof file gone", "another block's proof"])
def test_verify_chain_rejects_a_block_without_its_proof(scenario, tmp_path, capsys, tamper):
    """A chain holding a block after the genesis without a valid block proof does not verify
    (there are no unproved blocks), and nothing raises."""
    copy = tmp_path / "net"
    shutil.copytree(scenario["net"].root, copy)
    if tamper == "no proof":
        _edit_record(copy, "block", f"{2:010d}", lambda b: {**b, "proof": None, "proof_bytes": 0})
        expect = "block 2: no block proof"
    elif tamper == "proof file gone":
        (copy / "blocks" / "2.proof").unlink()
        expect = "block 2: its proof blocks/2.proof cannot be read"
    else:  # block 1's proof named as block 2's: it starts from checkpoint 0, not 1
        _edit_record(copy, "block", f"{2:010d}", lambda b: {**b, "proof": "blocks/1.proof"})
        expect = "block 2: "
    rc, doc = _cli(capsys, "verify-chain", "--dir", str(copy))
    assert rc == 1 and not doc["valid"]
    assert [p for p in doc["problems"] if p.startswith(expect)], doc["problems"]
    assert all(p.startswith("block 2") for p in doc["problems"]), doc["problems"]


# --- format versions -------------------------------------------------------------------------------


def _set_config(folder: Path, **changes) -> None:
    """The devnet's configuration with ``changes`` (a value None removes the key): an older
    devnet crafted in the store."""
    _edit_record(folder, "devnet", "config", lambda c: {k: v for k, v in {**c, **changes}.items() if v is not None})


def test_a_version_1_devnet_without_sessions_is_refused(scenario, tmp_path, capsys):
    copy = tmp_path / "net"
    shutil.copytree(scenario["net"].root, copy)
    _set_config(copy, version=1, sessions=False)
    with pytest.raises(DevnetError, match="version-1 devnet made without session circuits") as e:
        Devnet.open(copy)
    assert e.value.cause == "bad-store" and "make a new devnet" in str(e.value)
    _set_config(copy, sessions=None)  # written before the flag existed: also without sessions
    for argv in (["status"], ["block"], ["verify-chain"]):
        rc, doc = _cli(capsys, *argv, "--dir", str(copy))
        assert rc == 2 and doc["cause"] == "bad-store" and "without session circuits" in doc["error"], (argv, doc)
    _set_config(copy, version=4)
    with pytest.raises(DevnetError, match="devnet version 4") as e:
        Devnet.open(copy)
    assert e.value.cause == "bad-store"


def test_an_older_devnet_is_refused_for_its_circuits(scenario, tmp_path, capsys):
    """Versions 2 (and 1 made with sessions) hold this version's data, but were proved with
    PARTH circuits this psyc compiles to other keys: refused, with the reason."""
    copy = tmp_path / "net"
    shutil.copytree(scenario["net"].root, copy)
    for version in (1, 2):
        _set_config(copy, version=version, sessions=True if version == 1 else None)
        with pytest.raises(DevnetError, match=f"version-{version} devnet, made by an earlier psyc") as e:
            Devnet.open(copy)
        assert e.value.cause == "bad-store" and "make a new devnet" in str(e.value)
        rc, doc = _cli(capsys, "verify-chain", "--dir", str(copy))
        assert rc == 2 and doc["cause"] == "bad-store" and "other keys" in doc["error"], doc


def test_state_and_status_json(scenario, capsys):
    d = str(scenario["net"].root)
    rc, doc = _cli(capsys, "state", "Token", "--user", "0", "--dir", d)
    assert rc == 0 and doc["fields"] == {"balance": "50", "outbox[1].sent": "30", "outbox[1].nonce": "1",
                                         "outbox[2].sent": "20", "outbox[2].nonce": "1"}
    rc, doc = _cli(capsys, "status", "--dir", d)
    assert rc == 0 and doc["head"] == 2 and doc["users"] == [0, 1, 2, 3] and doc["pending"] == []


# --- refusals: each commits nothing ---------------------------------------------------------------


@pytest.fixture
def net(scenario):
    return scenario["net"]


def test_overdraft_is_refused(net, scenario, capsys):
    before = _snapshot(net)
    rc, doc = _cli(capsys, "call", "--dir", str(net.root), "--key", str(scenario["keys"][3]), "Token.transfer",
                   "0", "1")
    assert rc == 1 and doc["cause"] == "execution" and "insufficient balance" in doc["error"]
    assert _snapshot(net) == before


def test_another_users_key_is_refused(net, scenario, capsys):
    before = _snapshot(net)
    rc, doc = _cli(capsys, "call", "--dir", str(net.root), "--key", str(scenario["keys"][1]), "--user", "0",
                   "Token.transfer", "1", "1")
    assert rc == 1 and doc["cause"] == "wrong-key" and "is not user 0's" in doc["error"]
    assert _snapshot(net) == before


def test_stale_checkpoint_is_refused(net, scenario, capsys):
    before = _snapshot(net)
    rc, doc = _cli(capsys, "call", "--dir", str(net.root), "--key", str(scenario["keys"][2]), "--checkpoint", "1",
                   "Token.claim", "0")
    assert rc == 1 and doc["cause"] == "stale-checkpoint" and "latest is 2" in doc["error"]
    assert _snapshot(net) == before


def test_replayed_nonce_is_refused(net, scenario, capsys):
    before = _snapshot(net)
    rc, doc = _cli(capsys, "call", "--dir", str(net.root), "--key", str(scenario["keys"][1]), "--nonce", "1",
                   "Token.claim", "0")
    assert rc == 1 and doc["cause"] == "replayed-nonce"
    assert _snapshot(net) == before


def test_replayed_end_cap_is_refused(net):
    """A session already in block 2 submitted again: stale anchor; re-anchored: its nonce."""
    head = net.head()
    old = next(s for s in net.blocks()[2]["sessions"] if s["user"] == 1)
    leaf = net.chain().user_leaf(1)
    session = {"user": 1, "nonce": old["nonce"], "calls": old["calls"], "end_cap": old["end_cap"],
               "anchor": {"id": 1, "root": net.chain().record("checkpoint", 1)["chkp_root"]},
               "public_key": list(leaf.public_key)}
    before = _snapshot(net)
    with pytest.raises(DevnetError) as e:
        net.submit_session(session)
    assert e.value.cause == "stale-checkpoint"
    with pytest.raises(DevnetError) as e:
        net.submit_session({**session, "anchor": {"id": head["id"], "root": head["chkp_root"]}})
    assert e.value.cause == "replayed-nonce"
    with pytest.raises(DevnetError) as e:  # a fresh nonce but signed for another key
        net.submit_session({**session, "nonce": 2, "anchor": {"id": head["id"], "root": head["chkp_root"]},
                            "public_key": [1, 2, 3, 4]})
    assert e.value.cause == "wrong-key"
    assert _snapshot(net) == before


def test_usage_errors_exit_2(net, scenario, capsys, tmp_path):
    d = str(net.root)
    k = str(scenario["keys"][0])
    for argv, cause in [(["call", "--dir", d, "--key", k, "Nope.mint", "1"], "unknown-contract"),
                        (["call", "--dir", d, "--key", k, "Token.burn", "1"], "unknown-method"),
                        (["call", "--dir", d, "--key", k, "Token.mint", "x"], "bad-arguments"),
                        (["call", "--dir", d, "--key", k, "Token.mint", "1", "2"], "usage"),
                        (["call", "--dir", d, "--key", str(tmp_path / "none.key"), "Token.mint", "1"], "bad-key"),
                        (["block", "--dir", str(tmp_path / "nothing")], "no-devnet"),
                        (["init", "--dir", d], "exists")]:
        rc, doc = _cli(capsys, *argv)
        assert rc == 2 and doc["cause"] == cause, (argv, doc)


# --- kill -9 during `devnet block` -----------------------------------------------------------------


@pytest.fixture(scope="module")
def pending_net(scenario, tmp_path_factory):
    """A copy of the scenario's devnet with one open session (user 3 sends nothing: it
    claims 10 from user 1), ready for a block."""
    folder = tmp_path_factory.mktemp("pending") / "net"
    shutil.copytree(scenario["net"].root, folder)
    net = Devnet.open(folder)
    net.call(scenario["keys"][3], "Token.claim", ["1"])
    net.close()
    return folder


def _block_process(folder: Path, crash: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PSYC_DEVNET_CRASH", None)
    if crash:
        env["PSYC_DEVNET_CRASH"] = crash
    return subprocess.Popen([sys.executable, "-m", "psyc.cli.main", "devnet", "block", "--json",
                             "--dir", str(folder)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _check_continued(folder: Path, head_before: int) -> None:
    """After the crash, `devnet block` again: one new checkpoint holding user 3's claim."""
    p = _block_process(folder)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err.decode()
    net = Devnet.open(folder)
    try:
        assert net.head()["id"] == head_before + 1 and net.pending() == {}
        assert [b["id"] for b in net.blocks()] == list(range(head_before + 2))  # no block twice, none missing
        assert net.user_state("Token", 3)["fields"] == {"balance": "10", "claimed[1]": "10"}
        assert net.chain().user_leaf(3).nonce == 1
        v = net.verify_chain()
        assert v["valid"] and v["problems"] == [] and v["blocks_proved"] == head_before + 1
    finally:
        net.close()


def _kill_at(folder: Path, stage: str) -> Devnet:
    """`devnet block` killed (SIGKILL) at ``stage``; the devnet opened again."""
    p = _block_process(folder, crash=stage)
    p.communicate(timeout=300)
    assert p.returncode == -signal.SIGKILL
    return Devnet.open(folder)


def test_kill_9_during_block_then_block_again(pending_net, tmp_path):
    """Killed once the block is proved (nothing committed: the session still pending), then
    killed once it is committed (block 3 holds the session): one run each, on the same copy,
    then `devnet block` again finds nothing to do and the chain verifies (one proof fewer
    than a fresh copy per stage; each stage's state is checked as it is left)."""
    folder = tmp_path / "net"
    shutil.copytree(pending_net, folder)
    net = _kill_at(folder, "block:proved")
    assert net.head()["id"] == 2 and net.pending() != {}  # the open session is still pending
    net.close()
    net = _kill_at(folder, "block:committed")
    assert net.head()["id"] == 3 and net.pending() == {}  # the open session is in block 3
    net.close()
    _check_continued(folder, 2)


def test_kill_9_from_outside_at_any_moment(pending_net, tmp_path):
    """An external SIGKILL while `devnet block` runs (after it has started working)."""
    folder = tmp_path / "net"
    shutil.copytree(pending_net, folder)
    p = _block_process(folder)
    time.sleep(1.0)
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    net = Devnet.open(folder)
    head = net.head()["id"]
    net.close()
    if head == 2:
        _check_continued(folder, 2)
    else:  # the block committed before the kill: a second run has nothing to do
        assert head == 3
        rc = subprocess.run([sys.executable, "-m", "psyc.cli.main", "devnet", "block", "--json", "--dir",
                             str(folder)], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
        assert rc.returncode == 0 and json.loads(rc.stdout)["committed"] is False


@pytest.mark.slow
def test_the_demo_runs_the_chain(capsys):
    """`psyc demo` (the README's first command) on 2 users: calls proved, balances checked."""
    rc = main(["demo", "--users", "2", "--shape", "small"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "balances match native arithmetic" in out and "NOT refused" not in out


@pytest.mark.slow
def test_the_parth_walkthrough_runs_as_written(tmp_path, monkeypatch, capsys):
    """docs/parth.md's commands, run in order in an empty folder (examples/token linked in)."""
    import re
    import shlex

    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "token").symlink_to(TOKEN)
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "parth.md").read_text()
    lines = [ln for block in re.findall(r"```sh\n(.*?)```", text, re.S) for ln in block.splitlines() if ln]
    assert len(lines) == 14
    for line in lines:
        argv = shlex.split(line)[1:]
        rc = main([*argv, "--json"])
        doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert rc == 0, (line, doc)
        if argv[:2] == ["devnet", "state"]:
            assert doc["fields"] == {"balance": "30", "claimed[0]": "30"}
