"""Schnorr signatures over ecGFp5 (issue 15): GF(p^5) and the curve against the
specification's published vectors (natives and the in-language std::gfp5 / std::ecgfp5),
the native scheme, and the circuit std::sig::schnorr agreeing with it.

Vectors: tests/vectors/ecgfp5.json, copied from pornin/ecgfp5 (see its "source")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psyc.ir.interpret import ExecutionError
from psyc.sig import ecgfp5 as ec
from psyc.sig import schnorr
from psyc.sig.convention import SignatureError

VECTORS = json.loads((Path(__file__).parent / "vectors" / "ecgfp5.json").read_text())
MESSAGE = [1, 2, 3, 0xFFFF_FFFF_0000_0000]


def test_gfp5_native_matches_the_spec():
    g = VECTORS["gfp5"]
    a, b = ec.fp5(g["a"]), ec.fp5(g["b"])
    assert ec.add(a, b) == tuple(g["a_plus_b"])
    assert ec.sub(a, b) == tuple(g["a_minus_b"])
    assert ec.mul(a, b) == tuple(g["a_times_b"])
    assert ec.div(a, b) == tuple(g["a_div_b"])
    assert ec.mul(ec.inverse(a), a) == ec.ONE
    for x in (a, b, ec.square(a)):
        assert ec.frobenius(x) == ec.power(x, ec.P)
    assert ec.is_square(ec.square(b)) and not ec.is_square(ec.scale(ec.square(b), 7))  # 7: a non-residue mod p
    assert ec.square(ec.sqrt(ec.square(b))) == ec.square(b) and ec.sqrt(ec.scale(ec.square(b), 7)) is None
    with pytest.raises(ZeroDivisionError):
        ec.inverse(ec.ZERO)


def test_curve_native_matches_the_spec():
    c = VECTORS["curve"]
    pts = [ec.decode(w) for w in c["w"]]
    assert pts[0] is None  # w = 0: the neutral
    assert all(ec.on_curve(p) for p in pts)
    assert [ec.encode(p) for p in pts] == [tuple(w) for w in c["w"]]
    p0, p1, p2, p3, p4, p5, p6, p7 = pts
    assert ec.point_add(p1, p2) == p3 and ec.point_add(p1, p1) == p4 and ec.point_double(p1) == p4
    assert ec.point_double(p2) == p5 and ec.point_add(p4, p2) == p6 and ec.point_add(p5, p1) == p7
    assert ec.point_mul(p1, c["e"]) == p2
    assert ec.point_add(p1, p0) == p1 and ec.point_add(p1, ec.point_neg(p1)) is None
    for w in c["invalid"]:
        assert not ec.is_valid_encoding(w)
        with pytest.raises(ValueError, match="not the encoding"):
            ec.decode(w)
    m = VECTORS["mul"]
    e = ec.scalar_from_bytes(bytes.fromhex(m["ebuf"]))
    assert ec.point_mul(ec.decode(m["w1"]), e) == ec.decode(m["w2"])
    # the spec's generator (x, 4x) is a point of the other coset: ours is it plus N, x' = b/x
    assert ec.encode(ec.GENERATOR) == (4, 0, 0, 0, 0)
    assert ec.GENERATOR[0] == ec.div(ec.B, ec.fp5(VECTORS["generator_x"]))
    assert ec.point_mul(ec.GENERATOR, ec.N) is None and ec.point_mul(ec.GENERATOR, ec.N - 1) == ec.point_neg(
        ec.GENERATOR)


def test_encodings_are_canonical():
    with pytest.raises(ValueError, match="not below the group order"):
        ec.scalar_from_bytes(ec.N.to_bytes(40, "little"))
    with pytest.raises(ValueError, match="not below p"):
        ec.fp5_from_bytes(ec.P.to_bytes(8, "little") + bytes(32))
    w = ec.fp5(VECTORS["curve"]["w"][1])
    assert ec.fp5_from_bytes(ec.fp5_to_bytes(w)) == w


CURVE_PROGRAM = """use std::ecgfp5;
use std::ecgfp5::DecodeHint;

fn main(w1: [Felt; 5], h1: DecodeHint, w2: [Felt; 5], h2: DecodeHint, e: [bool; 320]) -> pub [[Felt; 5]; 4] {
    let p1 = ecgfp5::decode(w1, h1);
    let p2 = ecgfp5::decode(w2, h2);
    assert(ecgfp5::on_curve(p1) && ecgfp5::on_curve(p2));
    [
        ecgfp5::encode(ecgfp5::add(p1, p2)),
        ecgfp5::encode(ecgfp5::double(p1)),
        ecgfp5::encode(ecgfp5::double(p2)),
        ecgfp5::encode(ecgfp5::mul(p1, e)),
    ]
}
"""


def _hint(w):
    x, root = ec.decode_hints(ec.fp5(w))
    return {"x": list(x), "root": list(root)}


@pytest.fixture(scope="module")
def curve_program():
    from tests.lang_util import compile_src

    return compile_src(CURVE_PROGRAM)


def test_in_language_curve_matches_the_spec(curve_program):
    c = VECTORS["curve"]
    w = c["w"]
    bits = [bool((c["e"] >> i) & 1) for i in range(320)]
    inputs = {"w1": w[1], "h1": _hint(w[1]), "w2": w[2], "h2": _hint(w[2]), "e": bits}
    run = curve_program.execute(inputs)
    assert run.outputs == [*w[3], *w[4], *w[5], *w[2]]  # P1 + P2, 2 P1, 2 P2, e P1
    assert curve_program.check_constraints(run) == []


def test_in_language_decoding_rejects_what_the_spec_rejects(curve_program):
    w = VECTORS["curve"]["w"]
    good = {"w1": w[1], "h1": _hint(w[1]), "w2": w[2], "h2": _hint(w[2]), "e": [False] * 320}
    # another point's x, or the quadratic's other root (b/x: not a square, so no root fits)
    x, root = ec.decode_hints(ec.fp5(w[1]))
    other = ec.div(ec.B, x)
    for hint, why in (({"x": list(x), "root": list(ec.neg(root))}, None),
                      (_hint(w[3]), "not the encoding of a point"),
                      ({"x": list(other), "root": list(root)}, "x is not a square")):
        inputs = {**good, "h1": hint}
        if why is None:  # -sqrt(x) is a square root too: decoding does not depend on which
            curve_program.execute({**inputs, "e": [True] + [False] * 319})
            continue
        with pytest.raises(ExecutionError, match=why):
            curve_program.execute(inputs)
    for bad in VECTORS["curve"]["invalid"][:2]:
        with pytest.raises(ExecutionError, match="not the encoding of a point|x is not a square"):
            curve_program.execute({**good, "w1": bad})
    with pytest.raises(ExecutionError, match="not the encoding of a point|x is not a square"):
        curve_program.execute({**good, "w1": [0] * 5})  # the neutral is never a Point


# ---------------------------------------------------------------------------------------
# the scheme, native and in circuit
# ---------------------------------------------------------------------------------------


def test_native_sign_verify_and_rejections():
    d = 0x1234_5678_9ABC_DEF0_1122_3344
    key = schnorr.public_key_of(d)
    r, s = schnorr.schnorr_sign(d, MESSAGE)
    assert schnorr.schnorr_verify(key, MESSAGE, r, s)
    r2, s2 = schnorr.schnorr_sign(d, MESSAGE)
    assert (r2, s2) != (r, s) and schnorr.schnorr_verify(key, MESSAGE, r2, s2)  # random nonces
    other = schnorr.public_key_of(d + 1)
    assert not schnorr.schnorr_verify(key, [1, 2, 3, 5], r, s)  # another message
    assert not schnorr.schnorr_verify(other, MESSAGE, r, s)  # another key
    assert not schnorr.schnorr_verify(key, MESSAGE, r, (s + 1) % ec.N)
    assert not schnorr.schnorr_verify(key, MESSAGE, r, s + ec.N)  # not canonical
    assert not schnorr.schnorr_verify(key, MESSAGE, VECTORS["curve"]["invalid"][0], s)
    assert not schnorr.schnorr_verify(key, MESSAGE, [0] * 5, s)  # the neutral as R
    # the 80-byte layout of the spec's README
    blob = schnorr.signature_to_bytes(r, s)
    assert len(blob) == 80 and schnorr.signature_from_bytes(blob) == (r, s)
    with pytest.raises(SignatureError, match="80 bytes"):
        schnorr.signature_from_bytes(blob[:79])
    # the challenge is the spec's H(rbuf || Q || m), read as a little-endian integer mod n
    e = schnorr.challenge_scalar(r, key, MESSAGE)
    k = (s - d * e) % ec.N
    assert ec.encode(ec.mulgen(k)) == tuple(r)


@pytest.fixture(scope="module")
def program():
    from psyc.compiler import CompileOptions, compile_path

    return compile_path(schnorr.stdlib_circuit(), CompileOptions(zero_knowledge=True))


@pytest.fixture(scope="module")
def signed():
    d = 0xDEAD_BEEF_0000_0001_0000_0002
    key = schnorr.public_key_of(d)
    return d, key, *schnorr.schnorr_sign(d, MESSAGE)


def test_circuit_accepts_exactly_the_natives_signatures(program, signed):
    d, key, r, s = signed
    run = program.execute(schnorr.circuit_inputs(key, MESSAGE, r, s))
    assert program.check_constraints(run) == []
    assert schnorr.param_of(key) == schnorr.circuit_inputs(key, MESSAGE, r, s)["param"]

    def rejects(inputs, why="not a Schnorr signature"):
        with pytest.raises(ExecutionError, match=why):
            program.execute(inputs)

    good = schnorr.circuit_inputs(key, MESSAGE, r, s)
    rejects({**good, "message": [1, 2, 3, 5]})  # wrong message
    other_key = schnorr.public_key_of(d + 1)
    rejects(schnorr.circuit_inputs(other_key, MESSAGE, r, s))  # the signature under another key
    rejects({**good, "param": schnorr.param_of(other_key)}, "does not match the key's parameter")
    r2, s2 = schnorr.schnorr_sign(d + 1, MESSAGE)  # another key's signature, this key's param
    rejects({**schnorr.circuit_inputs(other_key, MESSAGE, r2, s2), "param": good["param"]},
            "does not match the key's parameter")
    rejects({**good, "s": [(s + 1) >> (32 * i) & 0xFFFF_FFFF for i in range(10)]})
    # s + n is the same scalar mod n, but not its canonical encoding: the circuit refuses it
    limbs = [((s + ec.N) >> (32 * i)) & 0xFFFF_FFFF for i in range(10)]
    if s + ec.N < 1 << 320:
        rejects({**good, "s": limbs}, "not below the group order")


def test_challenge_and_param_agree_with_the_circuit():
    from tests.lang_util import compile_src

    prog = compile_src("use std::sig::schnorr;\n\nfn main(r: [Felt; 5], key: [Felt; 5], m: Hash) -> pub ([Felt; 5], Hash) {\n"
                       "    (schnorr::challenge(r, key, m), schnorr::param_of(key))\n}\n")
    r, key = [1, 2, 3, 4, 5], [ec.P - 1, 7, 8, 9, 10]
    out = prog.execute({"r": r, "key": key, "m": MESSAGE}).outputs
    assert out == schnorr.challenge(r, key, MESSAGE) + schnorr.param_of(key)


# ---------------------------------------------------------------------------------------
# signature proofs
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    import os

    old = os.environ.get("PSYC_CACHE_DIR")
    os.environ["PSYC_CACHE_DIR"] = str(tmp_path_factory.mktemp("schnorrcache"))
    yield
    if old is None:
        del os.environ["PSYC_CACHE_DIR"]
    else:
        os.environ["PSYC_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def scheme(cache, program):
    from psyc.recursion.shape import test_shape

    s = schnorr.SchnorrScheme(shape=test_shape())
    s._program = program  # compiled once per module (the same circuit, zero knowledge on)
    return s


@pytest.fixture(scope="module")
def keys(scheme):
    return scheme.new_key(), scheme.new_key()


@pytest.fixture(scope="module")
def proof(scheme, keys):
    return scheme.sign(keys[0], MESSAGE)


def test_signature_proof_verifies_and_binds_message_and_key(scheme, keys, proof):
    from psyc.plonk.keys import proof_from_bytes, proof_to_bytes
    from psyc.recursion.shape import test_shape
    from psyc.sig import public_key, verify_signature

    sig, vk = proof
    shape = test_shape()
    assert vk.common.config.zero_knowledge
    assert list(sig.public_inputs) == MESSAGE + keys[0].param
    assert verify_signature(sig, vk, keys[0].public_key, MESSAGE, shape) == keys[0].param
    assert keys[0].public_key == public_key(keys[0].fingerprint, keys[0].param)
    with pytest.raises(SignatureError, match="is for message"):
        verify_signature(sig, vk, keys[0].public_key, [1, 2, 3, 5], shape)
    with pytest.raises(SignatureError, match="not for this public key"):
        verify_signature(sig, vk, keys[1].public_key, MESSAGE, shape)
    # B's signature proof with its parameter swapped for A's: the proof no longer verifies
    other, _ = scheme.sign(keys[1], MESSAGE)
    forged = proof_from_bytes(proof_to_bytes(other), vk.common)
    forged.public_inputs[4:] = keys[0].param
    with pytest.raises(SignatureError, match="does not verify"):
        verify_signature(forged, vk, keys[0].public_key, MESSAGE, shape)


def test_tampered_signature_proof_is_rejected(keys, proof):
    from psyc.plonk.keys import proof_from_bytes, proof_to_bytes
    from psyc.recursion.shape import test_shape
    from psyc.sig import verify_signature
    from psyc.util.serialization import FormatError

    sig, vk = proof
    blob = bytearray(proof_to_bytes(sig))
    rejected = 0
    for pos in (len(blob) // 3, len(blob) // 2, len(blob) - 9):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        try:
            verify_signature(proof_from_bytes(bytes(bad), vk.common), vk, keys[0].public_key, MESSAGE, test_shape())
        except (SignatureError, FormatError):
            rejected += 1
    assert rejected == 3


def test_an_external_signature_proves_and_a_bad_one_is_refused(scheme, keys):
    key = keys[1]
    r, s = schnorr.schnorr_sign(key.secret, MESSAGE)
    with pytest.raises(SignatureError, match="not a valid Schnorr signature") as e:
        scheme.prove(key.key, [9, 9, 9, 9], r, s)
    assert e.value.code == "E1003"
    with pytest.raises(SignatureError, match="secret does not match"):
        import dataclasses

        scheme.sign(dataclasses.replace(key, secret=key.secret + 1), MESSAGE)


def test_gfp5_mul_gate_is_the_native_product():
    """The gate's one symbolic definition, evaluated on integers, is psyc.field.gfp5's mul."""
    from psyc.field.gfp5 import mul
    from psyc.plonk.gates import GateEvaluators, gfp5_mul_gate

    g = VECTORS["gfp5"]
    a, b = g["a"], g["b"]
    ev = GateEvaluators(gfp5_mul_gate(1))
    assert ev.eval_ints([*a, *b, *g["a_times_b"]], [], [0] * 4) == [0] * 5
    assert list(mul(ec.fp5(a), ec.fp5(b))) == g["a_times_b"]
    wrong = list(g["a_times_b"])
    wrong[2] = (wrong[2] + 1) % ec.P
    assert ev.eval_ints([*a, *b, *wrong], [], [0] * 4) != [0] * 5
