"""`std::sig::verify` end to end: a circuit that checks a zk-scheme signature is executed,
proved and verified, and each attack on it fails.

The signature proofs are of the zk circuit's own shape; as `Proof<8>` inputs they are
wrapped into the test shape (one FRI query: fast, no security) by ``standard_proof``.
Attacks are refused by the interpreter with the stdlib's message, and past the
interpreter (the witness forced with the attacker's proof) by the circuit's constraints;
a proof of the honest run does not verify for another message or key."""

from __future__ import annotations

import pytest

from psyc.field.extension import Ext2
from psyc.ir.interpret import ExecutionError
from psyc.plonk.keys import proof_from_bytes, proof_to_bytes
from psyc.plonk.verifier import VerificationError
from psyc.project.inputs import ProofArg
from psyc.recursion.shape import test_shape
from psyc.sig.zk import ZkScheme
from tests.lang_util import compile_src

MESSAGE = [11, 12, 13, 14]
OTHER = [11, 12, 13, 15]

SRC = (
    "use std::sig;\n"
    "fn main(pub key: Hash, pub message: Hash, param: Hash, signature: Proof<8>) {\n"
    "    sig::verify(key, message, param, signature);\n"
    "}\n"
)


@pytest.fixture(scope="module")
def scheme(sig_cache):  # tests/conftest.py: the signature tests' shared cache (wrapper keys)
    return ZkScheme(shape=test_shape())


@pytest.fixture(scope="module")
def keys(scheme):
    return scheme.new_key(), scheme.new_key()


@pytest.fixture(scope="module")
def sigs(scheme, keys):
    """A's signature of MESSAGE and of OTHER, B's of MESSAGE: (proof, vk) each."""
    a, b = keys
    return {"a": scheme.sign(a, MESSAGE), "a_other": scheme.sign(a, OTHER), "b": scheme.sign(b, MESSAGE)}


@pytest.fixture(scope="module")
def prog(sig_cache):
    return compile_src(SRC, shape=test_shape())


def _inputs(key, message, param, sig) -> dict:
    return {"key": list(key), "message": list(message), "param": list(param),
            "signature": ProofArg(*sig, "the signature")}


def _assert_constraints_refuse(prog, key, honest, sig) -> None:
    """The honest run (``key``'s signature ``honest`` of MESSAGE) with ``sig`` (wrapped)
    forced in as the signature proof fails std::sig's constraints: what a prover that skips
    the interpreter's checks would have to satisfy."""
    run = prog.execute(_inputs(key.public_key, MESSAGE, key.param, honest))
    run.proofs[0] = prog.standard_proof(*sig)
    failures = prog.check_constraints(run)
    assert failures and all("sig/mod.psy" in f.scope for f in failures)


def test_a_signature_is_proved_and_verified_in_circuit(prog, keys, sigs):
    a, b = keys
    run = prog.execute(_inputs(a.public_key, MESSAGE, a.param, sigs["a"]))
    assert prog.check_constraints(run) == []
    proof = prog.prove(run)
    prog.circuit().verify(proof)
    assert list(proof.public_inputs) == list(a.public_key) + MESSAGE
    # the same proof claimed for another message or another key does not verify
    for claim in (list(a.public_key) + OTHER, list(b.public_key) + MESSAGE):
        forged = proof_from_bytes(proof_to_bytes(proof), prog.circuit().verifier_data.common)
        forged.public_inputs[:] = claim
        with pytest.raises(VerificationError):
            prog.circuit().verify(forged)


def test_a_signature_of_another_message_is_rejected(prog, keys, sigs):
    a, _ = keys
    with pytest.raises(ExecutionError, match="signature is for another message"):
        prog.execute(_inputs(a.public_key, OTHER, a.param, sigs["a"]))
    _assert_constraints_refuse(prog, a, sigs["a"], sigs["a_other"])


def test_another_keys_valid_signature_is_rejected(prog, keys, sigs):
    a, b = keys
    # B's signature with A's key and parameter: it is for B's parameter
    with pytest.raises(ExecutionError, match="signature is for another parameter"):
        prog.execute(_inputs(a.public_key, MESSAGE, a.param, sigs["b"]))
    # ... and with B's parameter: A's key is not public_key(fingerprint, B's parameter)
    with pytest.raises(ExecutionError, match="not this key's"):
        prog.execute(_inputs(a.public_key, MESSAGE, b.param, sigs["b"]))
    _assert_constraints_refuse(prog, a, sigs["a"], sigs["b"])


def test_the_wrong_param_is_rejected(prog, keys, sigs):
    a, b = keys
    with pytest.raises(ExecutionError, match="not this key's"):
        prog.execute(_inputs(a.public_key, MESSAGE, b.param, sigs["a"]))
    with pytest.raises(ExecutionError, match="not this key's"):
        prog.execute(_inputs(a.public_key, MESSAGE, [1, 2, 3, 4], sigs["a"]))


def test_a_tampered_signature_proof_is_rejected(prog, keys, sigs):
    from psyc.util.serialization import FormatError

    a, _ = keys
    proof, vk = sigs["a"]
    blob = bytes(proof_to_bytes(proof))
    rejected = 0
    for pos in (len(blob) // 3, len(blob) // 2, len(blob) - 9):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        try:
            tampered = proof_from_bytes(bytes(bad), vk.common)
        except FormatError:
            rejected += 1
            continue
        with pytest.raises(ExecutionError, match="does not verify") as e:
            prog.execute(_inputs(a.public_key, MESSAGE, a.param, (tampered, vk)))
        assert e.value.code == "E0506"
        rejected += 1
    assert rejected == 3
    # past the wrapper: the wrapped proof with one opened value changed fails the
    # in-circuit verifier
    run = prog.execute(_inputs(a.public_key, MESSAGE, a.param, sigs["a"]))
    wrapped, wrapped_vk = run.proofs[0]
    bad = proof_from_bytes(proof_to_bytes(wrapped), wrapped_vk.common)
    w = bad.proof.openings.wires[0]
    bad.proof.openings.wires[0] = Ext2(w[0] + 1, w[1])
    run.proofs[0] = (bad, wrapped_vk)
    failures = prog.check_constraints(run)
    assert failures and any("/recursion/" in f.scope for f in failures)
