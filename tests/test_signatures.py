"""Software-defined signatures (issue 15): the convention, the zk scheme, key files, CLI.

The zk scheme's circuit is proved with the standard config and zero knowledge; the
account key's fingerprint is taken for the test shape (the wrapper key is built once per
session, into a temporary cache)."""

from __future__ import annotations

import json
import stat

import pytest

from psyc.cli.main import main
from psyc.ir.interpret import ExecutionError
from psyc.plonk.keys import proof_from_bytes, proof_to_bytes
from psyc.plonk.witness_gen import generate_witness
from psyc.recursion.shape import test_shape
from psyc.sig import SignatureError, format_hash, parse_hash, public_key, verify_signature
from psyc.sig.keyfile import read_key, write_key
from psyc.sig.zk import ZkScheme, param_of
from tests.test_zk import _opened_values

MESSAGE = [1, 2, 3, 0xFFFF_FFFF_0000_0000]


@pytest.fixture(scope="module")
def cache(sig_cache):  # tests/conftest.py: one cache for the signature tests of a session
    return sig_cache


@pytest.fixture(scope="module")
def scheme(cache):
    return ZkScheme(shape=test_shape())


@pytest.fixture(scope="module")
def keys(scheme):
    return scheme.new_key(), scheme.new_key()


@pytest.fixture(scope="module")
def signature(scheme, keys):
    return scheme.sign(keys[0], MESSAGE)


def test_native_param_agrees_with_the_circuit(scheme):
    prog = scheme.program()
    secret = [5, 6, 7, 2**64 - 2**32]
    prog.execute({"message": MESSAGE, "param": param_of(secret), "secret": secret})
    wrong = param_of([5, 6, 7, 8])
    with pytest.raises(ExecutionError, match="does not match"):
        prog.execute({"message": MESSAGE, "param": wrong, "secret": secret})


def test_valid_signature_verifies(scheme, keys, signature):
    proof, vk = signature
    assert vk.common.config.zero_knowledge
    assert list(proof.public_inputs) == MESSAGE + keys[0].param
    assert verify_signature(proof, vk, keys[0].public_key, MESSAGE, test_shape()) == keys[0].param
    assert keys[0].public_key == public_key(keys[0].fingerprint, keys[0].param)


def test_wrong_message_wrong_key_and_another_keys_signature_are_rejected(scheme, keys, signature):
    proof, vk = signature
    with pytest.raises(SignatureError, match="another message|is for message"):
        verify_signature(proof, vk, keys[0].public_key, [1, 2, 3, 5], test_shape())
    with pytest.raises(SignatureError, match="not for this public key"):
        verify_signature(proof, vk, keys[1].public_key, MESSAGE, test_shape())
    # B's signature, with its parameter swapped for A's: the proof no longer verifies
    other, _ = scheme.sign(keys[1], MESSAGE)
    forged = proof_from_bytes(proof_to_bytes(other), vk.common)
    forged.public_inputs[4:] = keys[0].param
    with pytest.raises(SignatureError, match="does not verify"):
        verify_signature(forged, vk, keys[0].public_key, MESSAGE, test_shape())
    # a key that claims another circuit (its fingerprint) for the same parameter
    fake_key = public_key([1, 2, 3, 4], keys[0].param)
    with pytest.raises(SignatureError, match="not for this public key"):
        verify_signature(proof, vk, fake_key, MESSAGE, test_shape())


def test_signing_with_a_forged_secret_fails(scheme, keys):
    forged = read_key_like(keys[0], secret=[1, 2, 3, 4])
    with pytest.raises(SignatureError, match="does not match its parameter"):
        scheme.sign(forged, MESSAGE)


def read_key_like(key, **changes):
    import dataclasses

    return dataclasses.replace(key, **changes)


def test_tampered_signature_is_rejected(keys, signature):
    from psyc.util.serialization import FormatError

    proof, vk = signature
    blob = bytearray(proof_to_bytes(proof))
    rejected = 0
    for pos in (len(blob) // 3, len(blob) // 2, len(blob) - 9):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        try:
            verify_signature(proof_from_bytes(bytes(bad), vk.common), vk, keys[0].public_key, MESSAGE, test_shape())
        except (SignatureError, FormatError):
            rejected += 1
    assert rejected == 3


def test_two_signatures_differ_and_hide_the_secret(scheme, keys, signature):
    proof, _ = signature
    again, _ = scheme.sign(keys[0], MESSAGE)
    assert proof_to_bytes(proof) != proof_to_bytes(again)
    assert proof.proof.wires_cap != again.proof.wires_cap
    prog = scheme.program()
    data = prog.circuit()
    run = prog.execute({"message": MESSAGE, "param": keys[0].param, "secret": keys[0].secret})
    wires, _ = generate_witness(data, prog.lowered().partial_witness(run))
    private = {int(v) for v in wires[:, : data.common.first_blinding_row].ravel() if int(v) >= 1 << 16}
    private -= set(proof.public_inputs)
    assert set(keys[0].secret) <= private
    for p in (proof, again):
        assert not private & set(_opened_values(p))
        raw = proof_to_bytes(p)
        assert not any(x.to_bytes(8, "little") in raw for x in keys[0].secret)


def test_hash_text_round_trip_and_bad_messages():
    assert parse_hash(format_hash(MESSAGE)) == MESSAGE
    assert parse_hash("1, 2, 3, 4") == [1, 2, 3, 4]
    for bad, why in (("0x1234", "2 bytes"), ("1,2,3", "3 field elements"), ("0x" + "ff" * 32, "not a field element"),
                     ("hello", "neither")):
        with pytest.raises(SignatureError, match=why) as e:
            parse_hash(bad)
        assert e.value.code == "E1002"


def test_key_file_round_trip_mode_and_no_overwrite(tmp_path, keys):
    path = tmp_path / "a.key"
    write_key(path, keys[0])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key(path) == keys[0]
    before = path.read_bytes()
    with pytest.raises(SignatureError, match="refusing to overwrite") as e:
        write_key(path, keys[1])
    assert e.value.code == "E1005" and path.read_bytes() == before


@pytest.mark.parametrize(
    ("edit", "code", "why"),
    [
        (lambda d: "not json {", "E1000", "not JSON"),
        (lambda d: {**d, "format": "ssh-key"}, "E1000", "not a psyc key file"),
        (lambda d: {**d, "version": 2}, "E1001", "version 2"),
        (lambda d: {**d, "scheme": "rsa"}, "E1001", "unknown scheme 'rsa'"),
        (lambda d: {**d, "secret": "0x12"}, "E1000", "field 'secret'"),
        (lambda d: {**d, "param": d["public_key"]}, "E1000", "'param' does not follow"),
        (lambda d: {k: v for k, v in d.items() if k != "public_key"}, "E1000", "'public_key' is missing"),
    ],
)
def test_bad_key_files_are_located_errors(tmp_path, keys, edit, code, why):
    path = tmp_path / "k.key"
    write_key(path, keys[0])
    doc = edit(json.loads(path.read_text()))
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(SignatureError, match=why) as e:
        read_key(path)
    assert e.value.code == code and str(path) in str(e.value)


def test_cli_key_sign_verify(tmp_path, cache, capsys):
    key = str(tmp_path / "k.key")
    assert main(["key", "new", "--scheme", "zk", "--shape", "test", "-o", key, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["public_key"] == format_hash(read_key(key).public_key)
    assert main(["key", "new", "--shape", "test", "-o", key]) == 2  # never overwritten
    assert "refusing to overwrite" in capsys.readouterr().err
    assert main(["key", "show", key, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fingerprint"] == doc["fingerprint"]
    sig = str(tmp_path / "s.proof")
    msg = format_hash(MESSAGE)
    assert main(["sign", "--key", key, "--message", msg, "-o", sig, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["signature"] == sig
    check = ["verify-signature", "--shape", "test", "--public-key", doc["public_key"], sig, "--json"]
    assert main([*check, "--message", msg]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    assert main([*check, "--message", "1,2,3,5"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False and out["code"] == "E1003"
    assert main([*check, "--message", "0x1234"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "E1002"
    assert main(["sign", "--key", sig, "--message", msg, "-o", str(tmp_path / "t.proof")]) == 2
    assert "not a psyc key file" in capsys.readouterr().err


def test_in_circuit_verifier_needs_no_pin_the_key_binds_the_fingerprint():
    from tests.lang_util import compile_src

    prog = compile_src(
        "use std::sig;\n"
        "fn main(pub key: Hash, pub message: Hash, param: Hash, signature: Proof<8>) {\n"
        "    sig::verify(key, message, param, signature);\n"
        "}\n"
    )
    assert not [d for d in prog.warnings if d.code == "W0002"]  # public_key(fingerprint, param) == key pins it
    assert [n for n, _, public in prog.params if public] == ["key", "message"]


POLICY = """use std::sig::zk::param_of;

fn main(pub message: Hash, pub param: Hash, secret: [Felt; 4]) {
    assert_eq(param_of(secret), param, "not this key's secret");
    assert(message[0] as u64 <= 1000, "over the spending limit");
}
"""


def test_own_key_circuit_from_the_docs(tmp_path):
    path = tmp_path / "policy.psy"
    path.write_text(POLICY)
    prog = ZkScheme(path).program()
    secret = [1, 2, 3, 4]
    prog.execute({"message": [1000, 0, 0, 0], "param": param_of(secret), "secret": secret})
    with pytest.raises(ExecutionError, match="spending limit"):
        prog.execute({"message": [1001, 0, 0, 0], "param": param_of(secret), "secret": secret})


def test_key_circuit_breaking_the_convention_is_e1004(tmp_path):
    path = tmp_path / "bad.psy"
    path.write_text("fn main(pub message: Hash, secret: [Felt; 4]) {\n    assert_eq(message, secret);\n}\n")
    with pytest.raises(SignatureError, match="a zk key circuit is") as e:
        ZkScheme(path).program()
    assert e.value.code == "E1004"


def test_spending_policy_example_is_a_signature(cache):
    """examples/spending_policy (a user-written key circuit, docs/signatures.md) signs its
    inputs.toml's message under the key of its circuit and parameter; another message or
    another key's parameter is rejected."""
    from pathlib import Path

    from psyc.compiler import compile_path
    from psyc.sig import standard_fingerprint

    prog = compile_path(Path(__file__).parent.parent / "examples" / "spending_policy")
    inputs = prog.read_inputs()
    message, param = inputs[0], inputs[1]
    proof = prog.prove(prog.execute(inputs))
    vk = prog.circuit().verifier_data
    key = public_key(standard_fingerprint(vk, test_shape()), param)
    assert verify_signature(proof, vk, key, message, test_shape()) == param
    with pytest.raises(SignatureError, match="is for message"):
        verify_signature(proof, vk, key, [250, 121, 7, 8], test_shape())
    with pytest.raises(SignatureError, match="not for this public key"):
        verify_signature(proof, vk, public_key(standard_fingerprint(vk, test_shape()), [1, 2, 3, 4]), message,
                         test_shape())
