"""multisig: t-of-n over any keys (stdlib/sig/multisig.psy, psyc.sig.multisig), and the
dummy proofs its empty slots take.

Members are zk keys; proofs verified in circuit are of the test shape (one FRI query:
fast, no security). The soundness cases run the circuit (interpreter, then the
constraint check of the lowered circuit with the prover's witness forced past the
interpreter); one 2-of-3 signature is proved and verified end to end through the CLI
(``-m slow``; examples/ and ``psyc bench --only signatures`` prove one too)."""

from __future__ import annotations

import json

import pytest

from psyc.cli.main import main
from psyc.ir.interpret import ExecutionError
from psyc.recursion.shape import test_shape
from psyc.sig import SignatureError, format_hash, verify_signature
from psyc.sig.keyfile import read_key, write_key
from psyc.sig.multisig import MultisigScheme, param_of
from psyc.sig.zk import ZkScheme

MESSAGE = [7, 8, 9, 10]


@pytest.fixture(scope="module")
def zk(sig_cache):
    return ZkScheme(shape=test_shape())


@pytest.fixture(scope="module")
def members(zk):
    return [zk.new_key() for _ in range(4)]  # the 4th is not a member


@pytest.fixture(scope="module")
def sigs(zk, members):
    return [zk.sign(k, MESSAGE) for k in members]


@pytest.fixture(scope="module")
def ms(sig_cache, members):
    scheme = MultisigScheme(3, test_shape())
    return scheme, scheme.new_key([m.public_key for m in members[:3]], 2)


def _slots(sigs, members, which):
    """Slots for the circuit: ``which[i]`` is the index of the signature put in slot i (or None)."""
    return [(members[k].param, *sigs[k]) if k is not None else None for k in which]


def _run(scheme, key, slots):
    prog = scheme.program()
    return prog.execute(scheme.inputs(key, MESSAGE, slots))


def test_native_param_agrees_with_the_circuit(ms, members, sigs):
    scheme, key = ms
    assert key.param == param_of(key.members, 2)
    assert _run(scheme, key, _slots(sigs, members, [0, None, 2])).outputs == []
    other = scheme.new_key(key.members, 3)  # same members, another threshold: another key
    assert other.param != key.param and other.public_key != key.public_key
    inputs = scheme.inputs(other, MESSAGE, _slots(sigs, members, [0, 1, 2]))
    inputs[1] = list(key.param)  # the 2-of-3 key's parameter, with the 3-of-3 threshold as witness
    with pytest.raises(ExecutionError, match="not this key's"):
        scheme.program().execute(inputs)


def test_threshold_minus_one_is_rejected(ms, members, sigs):
    scheme, key = ms
    with pytest.raises(ExecutionError, match="fewer member signatures than the threshold"):
        _run(scheme, key, _slots(sigs, members, [None, 1, None]))
    with pytest.raises(SignatureError, match="1 distinct member signature"):
        scheme.sign(key, MESSAGE, [sigs[1]])


def test_a_dummy_proof_never_counts_as_a_signature(ms, members, sigs):
    scheme, key = ms
    prog = scheme.program()
    inputs = scheme.inputs(key, MESSAGE, _slots(sigs, members, [0, None, None]))
    inputs[4] = [1, 1, 0]  # claim slot 1 signed; its proof is the dummy
    with pytest.raises(ExecutionError, match="dummy proof") as e:
        prog.execute(inputs)
    assert e.value.code == "E0506"
    # past the interpreter: the circuit rejects it in slot 1's verifier
    run = _run(scheme, key, _slots(sigs, members, [0, 1, None]))
    run.proofs[1] = prog.dummy_proof(8)
    failures = prog.check_constraints(run)
    assert failures and all("/recursion/" in f.scope or "sig" in f.scope for f in failures)


def test_a_member_signing_twice_counts_once(ms, members, sigs):
    scheme, key = ms
    slots, used = scheme.assign(key, MESSAGE, [sigs[0], sigs[0]])
    assert used.slots == [0, None] and sum(s is not None for s in slots) == 1
    with pytest.raises(SignatureError, match="1 distinct member signature"):
        scheme.sign(key, MESSAGE, [sigs[0], sigs[0]])
    # member 0's signature in member 1's slot: not a signature under member 1's key
    with pytest.raises(ExecutionError, match="not this key's"):
        _run(scheme, key, [(members[0].param, *sigs[0]), (members[0].param, *sigs[0]), None])


def test_a_non_member_signature_is_rejected(ms, members, sigs):
    scheme, key = ms
    with pytest.raises(SignatureError, match="not a valid signature .* by any member"):
        scheme.sign(key, MESSAGE, [sigs[0], sigs[3]])
    with pytest.raises(ExecutionError, match="not this key's"):
        _run(scheme, key, _slots(sigs, members, [0, None, 3]))  # the outsider in member 2's slot
    # past the interpreter: the circuit rejects the outsider's proof in member 2's slot
    prog = scheme.program()
    run = _run(scheme, key, _slots(sigs, members, [0, None, 2]))
    run.proofs[2] = prog.standard_proof(*sigs[3])  # the outsider's proof in member 2's slot
    failures = prog.check_constraints(run)
    assert failures and any("sig/mod.psy" in f.scope for f in failures)


@pytest.mark.parametrize(
    ("n", "threshold", "dup", "why"),
    [(3, 0, False, "between 1 and"), (3, 4, False, "between 1 and"), (1, 1, False, "2 to 8 members"),
     (9, 2, False, "2 to 8 members"), (3, 2, True, "same key")],
)
def test_bad_multisig_keys_are_refused(n, threshold, dup, why):
    keys = [[i + 1, 0, 0, 0] for i in range(n)]
    if dup:
        keys[2] = keys[0]
    with pytest.raises(SignatureError, match=why) as e:
        param_of(keys, threshold)
    assert e.value.code == "E1002"


@pytest.mark.slow  # proves a 2-of-3 signature (2^12 rows, zk) and wraps three member signatures
def test_cli_multisig_key_combine_and_verify(tmp_path, sig_cache, members, sigs, capsys):
    from psyc.plonk.keys import proof_to_bytes

    member_files = []
    for i, k in enumerate(members):
        path = tmp_path / f"m{i}.key"
        write_key(path, k)
        member_files.append(str(path))
    (tmp_path / "m2.pub").write_text(format_hash(members[2].public_key) + "\n")
    key = str(tmp_path / "ms.key")
    spec = f"{member_files[0]},{format_hash(members[1].public_key)},{tmp_path / 'm2.pub'}"
    assert main(["key", "new", "--scheme", "multisig", "--members", spec, "--threshold", "2", "--shape", "test",
                 "-o", key, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["threshold"] == 2 and doc["members"] == [format_hash(m.public_key) for m in members[:3]]
    assert read_key(key).public_key == read_key(key, "multisig").public_key
    for i in (0, 2, 3):
        (tmp_path / f"s{i}.proof").write_bytes(proof_to_bytes(sigs[i][0]))
        (tmp_path / f"s{i}.proof.vk").write_bytes(sigs[i][1].to_bytes())
    out = str(tmp_path / "ms.proof")
    msg = format_hash(MESSAGE)
    assert main(["sign", "--key", key, "--message", msg, "--signature", str(tmp_path / "s0.proof"),
                 "--signature", str(tmp_path / "s0.proof"), "-o", out]) == 1  # one member twice: 1 of 2
    assert "1 distinct member signature" in capsys.readouterr().err
    assert main(["sign", "--key", key, "--message", msg, "--signature", str(tmp_path / "s3.proof"),
                 "--signature", str(tmp_path / "s0.proof"), "-o", out]) == 1
    assert "by any member" in capsys.readouterr().err
    assert main(["sign", "--key", key, "--message", msg, "-o", out]) == 2  # no member signatures
    capsys.readouterr()
    assert main(["sign", "--key", key, "--message", msg, "--signature", str(tmp_path / "s2.proof"),
                 "--signature", str(tmp_path / "s0.proof"), "-o", out, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["public_key"] == doc["public_key"]
    check = ["verify-signature", "--shape", "test", "--public-key", doc["public_key"], out, "--json"]
    assert main([*check, "--message", msg]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main([*check, "--message", "7,8,9,11"]) == 1
    capsys.readouterr()
    # a member's own signature is not a signature under the multisig key
    solo = ["verify-signature", "--shape", "test", "--public-key", doc["public_key"], "--message", msg,
            str(tmp_path / "s0.proof")]
    assert main(solo) == 1
    assert "not for this public key" in capsys.readouterr().err
    from psyc.plonk.keys import VerifyingKey, proof_from_bytes

    vk = VerifyingKey.from_bytes((tmp_path / "ms.proof.vk").read_bytes())
    proof = proof_from_bytes((tmp_path / "ms.proof").read_bytes(), vk.common)
    assert vk.common.config.zero_knowledge
    assert verify_signature(proof, vk, read_key(key).public_key, MESSAGE, test_shape()) == read_key(key).param
