"""ECDSA over secp256k1 (issue 15): the natives against an independent library
(coincurve, libsecp256k1), the non-native field arithmetic and curve circuits against
the natives (GLV's split and its forged hints, the 128-step double-base multiplication),
key files, the CLI's argument errors; the full signature circuit (tens of seconds to
compile) in the slow tests."""

from __future__ import annotations

import json
import os
import random

import pytest

from psyc.compiler import CompileOptions, compile_path
from psyc.frontend.bigint_hints import NUM_LIMBS, QUOTIENT_LIMBS, QUOTIENT_OFFSET, to_limbs
from psyc.ir.interpret import ExecutionError
from psyc.plonk.gates.bigint import GROUP_BITS, LIMB_BITS
from psyc.sig import SignatureError, format_hash, public_key
from psyc.sig import secp256k1 as curve
from psyc.sig.ecdsa import (
    HALF_N,
    EcdsaKey,
    message_bytes,
    message_of_digest,
    param_of,
    public_point,
    sign_digest,
    verify_digest,
)
from psyc.sig.keyfile import read_key, write_key
from tests.test_signatures import cache  # noqa: F401  (a module's temporary PSYC_CACHE_DIR)

coincurve = pytest.importorskip("coincurve")

MESSAGE = [1, 2, 3, 0xFFFF_FFFF_0000_0000]
RNG = random.Random(15)


def _coincurve_pub(secret: int) -> tuple[int, int]:
    data = coincurve.PrivateKey(secret.to_bytes(32, "big")).public_key.format(compressed=False)
    return int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big")


def _coincurve_rs(secret: int, digest: bytes) -> tuple[int, int]:
    der = coincurve.PrivateKey(secret.to_bytes(32, "big")).sign(digest, hasher=None)
    sig = coincurve.ecdsa.cdata_to_der(coincurve.ecdsa.der_to_cdata(der))  # normalised DER
    # DER: 30 len 02 lr r 02 ls s
    lr = sig[3]
    r = int.from_bytes(sig[4 : 4 + lr], "big")
    s = int.from_bytes(sig[6 + lr :], "big")
    return r, s


def _coincurve_verify(pub: tuple[int, int], digest: bytes, r: int, s: int) -> bool:
    key = coincurve.PublicKey(curve.encode(pub, compressed=False))
    cdata = coincurve.ecdsa.deserialize_compact(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    return key.verify(coincurve.ecdsa.cdata_to_der(cdata), digest, hasher=None)


# --- natives against libsecp256k1 -------------------------------------------------------------


def test_keys_signatures_and_verification_agree_with_libsecp256k1():
    for _ in range(6):
        secret = RNG.randrange(1, curve.N)
        digest = RNG.randbytes(32)
        pub = public_point(secret)
        assert pub == _coincurve_pub(secret)
        assert curve.decode(curve.encode(pub)) == pub == curve.decode(curve.encode(pub, compressed=False))
        r, s = sign_digest(secret, digest)
        # both are RFC 6979 with low-s: the very same signature
        assert (r, s) == _coincurve_rs(secret, digest)
        assert verify_digest(pub, digest, r, s) and _coincurve_verify(pub, digest, r, s)
        other = bytes([digest[0] ^ 1]) + digest[1:]
        assert not verify_digest(pub, other, r, s) and not _coincurve_verify(pub, other, r, s)
        # high-s: ECDSA accepts it, the low-s rule (ours, libsecp256k1's) does not
        assert s <= HALF_N and not verify_digest(pub, digest, r, curve.N - s)
        assert verify_digest(pub, digest, r, curve.N - s, low_s=False)
        assert not _coincurve_verify(pub, digest, r, curve.N - s)


def test_message_encoding_is_four_big_endian_words():
    data = message_bytes(MESSAGE)
    assert data.hex() == "0000000000000001" "0000000000000002" "0000000000000003" "ffffffff00000000"
    assert message_of_digest(data) == MESSAGE
    for bad, why in ((b"\x00" * 31, "32 bytes"), (b"\xff" * 32, "not below p")):
        with pytest.raises(SignatureError, match=why) as e:
            message_of_digest(bad)
        assert e.value.code == "E1002"
    with pytest.raises(SignatureError, match="4 field elements"):
        message_bytes([1, 2, 3])


# --- non-native arithmetic and the curve in circuit, against the natives ----------------------

P_LIMBS = to_limbs(curve.P)


def _program(tmp_path, body: str):
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "main.psy").write_text(body)
    (tmp_path / "psy.toml").write_text('[package]\nname = "t"\n')
    return compile_path(tmp_path, CompileOptions())


def _value(limbs) -> int:
    return sum(int(x) << (LIMB_BITS * i) for i, x in enumerate(limbs))


def test_mul_mod_p_agrees_and_its_hint_cannot_be_forged(tmp_path):
    prog = _program(tmp_path, """use std::secp256k1;
use std::bigint::checked_limbs;
fn main(a: [Felt; 20], b: [Felt; 20]) -> pub [Felt; 20] { secp256k1::mul(checked_limbs(a), checked_limbs(b)) }
""")
    for a, b in ((RNG.randrange(curve.P), RNG.randrange(curve.P)), (curve.P - 1, curve.P - 1), (0, 5)):
        run = prog.execute({"a": to_limbs(a), "b": to_limbs(b)})
        assert _value(run.outputs) == a * b % curve.P
        assert prog.check_constraints(run) == []
    # a prover who puts another value in any big-integer hint (the remainder, the quotient)
    # breaks the circuit: each limb of each hint, changed by one, is caught
    hints = [ins for ins in prog.program.instrs if ins.op == "hint" and ins.attrs[0].name.startswith("__big")]
    assert {ins.attrs[0].name for ins in hints} == {"__big_mulmod", "__big_muldiv"}
    for ins in hints:
        for k in (0, 7, len(ins.results) - 1):
            forged = prog.execute({"a": to_limbs(3), "b": to_limbs(curve.P - 2)})
            v = ins.results[k].id
            forged.values[v] = (forged.values[v] + 1) % (1 << LIMB_BITS)
            assert prog.check_constraints(forged), (ins.attrs[0].name, k)


def test_bigint_gates_hold_exactly_on_true_relations():
    """The two rows of a relation a·b − c ≡ 0 (mod p): the gates' constraints vanish on the
    generators' outputs for a true relation, and a wrong column pair, carry or quotient
    limb leaves a non-zero constraint (the carries and the residual the circuit then
    range-checks and asserts are the generators' outputs)."""
    from psyc.field.goldilocks import P as FP
    from psyc.plonk.gates.base import wire
    from psyc.plonk.gates.bigint import bigint_carry_gate, bigint_mul_gate, carry_outputs, mul_pairs

    def residuals(gate, row):
        return [int(c.subs({wire(i): v for i, v in enumerate(row)})) % FP for c in gate.constraints]

    a, b = RNG.randrange(curve.P), RNG.randrange(curve.P)
    c = a * b % curve.P
    q = (a * b - c) // curve.P
    la, lb, lc = to_limbs(a), to_limbs(b), to_limbs(c)
    u = to_limbs(q + QUOTIENT_OFFSET, QUOTIENT_LIMBS)
    d = [x % FP for x in mul_pairs(la, lb, lc)]
    e = [x % FP for x in carry_outputs(d, u, curve.P)]
    assert e[-1] == 0 and all(x < 1 << GROUP_BITS for x in e[:-1])  # what the circuit checks
    mul_gate, carry_gate = bigint_mul_gate(NUM_LIMBS), bigint_carry_gate(1)
    assert residuals(mul_gate, [*la, *lb, *lc, *d]) == [0] * NUM_LIMBS
    assert residuals(carry_gate, [*d, *u, *e]) == [0] * NUM_LIMBS
    for k in (0, 9, 18):
        bad_d = list(d)
        bad_d[k] = (bad_d[k] + 1) % FP
        assert any(residuals(mul_gate, [*la, *lb, *lc, *bad_d]))
    for k in (0, 10, 17):
        bad_e = list(e)
        bad_e[k] = (bad_e[k] + 1) % FP
        assert any(residuals(carry_gate, [*d, *u, *bad_e]))
    # a wrong quotient limb: the carries the gate then defines leave the 26-bit range or
    # the residual is non-zero
    bad_u = list(u)
    bad_u[3] += 1
    e2 = [x % FP for x in carry_outputs(d, bad_u, curve.P)]
    assert e2[-1] != 0 or any(x >= 1 << GROUP_BITS for x in e2[:-1])


def test_group_law_agrees(tmp_path):
    prog = _program(tmp_path, """use std::secp256k1;
use std::secp256k1::Point;
use std::bigint::checked_limbs;
fn main(ax: [Felt; 20], ay: [Felt; 20], bx: [Felt; 20], by: [Felt; 20]) -> pub ([Felt; 20], [Felt; 20], [Felt; 20], [Felt; 20]) {
    let a = Point { x: checked_limbs(ax), y: checked_limbs(ay) };
    let b = Point { x: checked_limbs(bx), y: checked_limbs(by) };
    secp256k1::assert_on_curve(a);
    let s = secp256k1::add(a, b);
    let d = secp256k1::double_and_add(a, b);
    (s.x, s.y, d.x, d.y)
}
""")
    pa, pb = curve.mul(RNG.randrange(curve.N), curve.G), curve.mul(RNG.randrange(curve.N), curve.G)
    run = prog.execute({"ax": to_limbs(pa[0]), "ay": to_limbs(pa[1]), "bx": to_limbs(pb[0]), "by": to_limbs(pb[1])})
    out = [_value(run.outputs[20 * k : 20 * k + 20]) for k in range(4)]
    assert (out[0], out[1]) == curve.add(pa, pb)
    assert (out[2], out[3]) == curve.add(curve.add(pa, pa), pb)
    assert prog.check_constraints(run) == []
    off = (pa[0], (pa[1] + 1) % curve.P)  # not on the curve
    with pytest.raises(ExecutionError):
        prog.execute({"ax": to_limbs(off[0]), "ay": to_limbs(off[1]), "bx": to_limbs(pb[0]), "by": to_limbs(pb[1])})


def test_circuit_constants_are_the_natives(tmp_path):
    from psyc.frontend.bigint_hints import GLV_LAMBDA

    names = ["G", "PHI_G", "OFFSET_START", "OFFSET_STEP", "OFFSET_CORRECTION"]
    prog = _program(tmp_path, "use std::secp256k1;\nfn main() -> pub [Felt; 240] {\n    let mut out: [Felt; 240] = [0; 240];\n"
                    + "".join(f"    for i in 0..20 {{ out[{40 * k} + i] = secp256k1::{n}.x[i]; out[{40 * k + 20} + i] = "
                              f"secp256k1::{n}.y[i]; }}\n" for k, n in enumerate(names))
                    + "    for i in 0..20 { out[200 + i] = secp256k1::BETA[i]; out[220 + i] = secp256k1::LAMBDA[i]; }\n"
                    + "    out\n}\n")
    out = prog.execute({}).outputs
    want = [curve.G, curve.phi(curve.G), curve.OFFSET_START, curve.OFFSET_STEP, curve.offset_correction(128)]
    for k, (name, pt) in enumerate(zip(names, want, strict=True)):
        assert (_value(out[40 * k : 40 * k + 20]), _value(out[40 * k + 20 : 40 * k + 40])) == pt, name
    assert (_value(out[200:220]), _value(out[220:240])) == (curve.BETA, GLV_LAMBDA)
    assert curve.phi(curve.G) == curve.mul(GLV_LAMBDA, curve.G) and pow(curve.BETA, 3, curve.P) == 1


# --- GLV: the split and the double-base multiplication ------------------------------------------

# k = 2^128 + 1 splits into halves neither of which is 0 (the sign tests flip both)
GLV_SCALARS = [0, 1, 2**128 + 1, curve.N - 1, curve.N // 2, 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72]


def test_glv_split_is_a_split_with_128_bit_halves():
    from psyc.frontend.bigint_hints import GLV_LAMBDA

    for k in GLV_SCALARS + [RNG.randrange(curve.N) for _ in range(2000)]:
        k1, k2 = curve.glv_split(k)
        assert (k1 + k2 * GLV_LAMBDA - k) % curve.N == 0
        assert abs(k1) < 2**128 and abs(k2) < 2**128, k


@pytest.fixture(scope="module")
def glv_program(tmp_path_factory):
    return _program(tmp_path_factory.mktemp("glv"), """use std::secp256k1;
use std::bigint::checked_limbs;
fn main(k: [Felt; 20]) -> pub ([bool; 128], bool, [bool; 128], bool) {
    let s = secp256k1::glv_split(checked_limbs(k));
    (s.bits1, s.neg1, s.bits2, s.neg2)
}
""")


def _with_glv_hint(prog, k: int, halves: tuple[int, int]) -> list:
    """check_constraints of a run on k whose GLV hint is ``halves`` (any integers, encoded as
    the hint encodes them: 10 limbs of |k_i|, not reduced, then the signs)."""
    run = prog.execute({"k": to_limbs(k)})
    (ins,) = [i for i in prog.program.instrs if i.op == "hint" and i.attrs[0].name == "__big_glv"]
    words = [*to_limbs(abs(halves[0]), 10), *to_limbs(abs(halves[1]), 10), int(halves[0] < 0), int(halves[1] < 0)]
    for r, w in zip(ins.results, words, strict=True):
        run.values[r.id] = w
    return prog.check_constraints(run)


def test_glv_split_in_circuit_and_its_hint_cannot_be_forged(glv_program):
    from psyc.field.goldilocks import P as FP
    from psyc.frontend.bigint_hints import GLV_LAMBDA

    prog = glv_program
    for k in GLV_SCALARS:
        run = prog.execute({"k": to_limbs(k)})
        assert prog.check_constraints(run) == []
        bits = [int(x) for x in run.outputs]
        m1, m2 = (int("".join(map(str, bits[a : a + 128])), 2) for a in (0, 129))
        assert ((-m1 if bits[128] else m1), (-m2 if bits[257] else m2)) == curve.glv_split(k)
    k = 2**128 + 1
    k1, k2 = curve.glv_split(k)
    assert k1 and k2
    assert _with_glv_hint(prog, k, (k1, k2)) == []  # the honest split, through the same path
    # a wrong split, a wrong sign of either half
    for halves in ((k1 + 1, k2), (k1, k2 - 1), (-k1, k2), (k1, -k2)):
        assert _with_glv_hint(prog, k, halves), halves
    # out of range: (k1 + t a1, k2 + t b1) is a split too (a1 + b1 LAMBDA = 0 mod n), but
    # one half is past 2^128 (its limbs are 13-bit, so only the top limb's 11-bit check sees it)
    a1, b1 = 0x3086D221A7D46BCDE86C90E49284EB15, -0xE4437ED6010E88286F547FA90ABFE4C3
    assert (a1 + b1 * GLV_LAMBDA) % curve.N == 0
    far = (k1 + 4 * a1, k2 + 4 * b1)
    assert 2**128 <= max(map(abs, far)) < 2**130  # (10 limbs of 13 bits hold it)
    assert _with_glv_hint(prog, k, far)
    # a sign that is not a boolean
    run = prog.execute({"k": to_limbs(k)})
    (ins,) = [i for i in prog.program.instrs if i.op == "hint" and i.attrs[0].name == "__big_glv"]
    run.values[ins.results[20].id] = FP - 1  # -1: k1 = -(-k1) would balance a flipped magnitude
    assert prog.check_constraints(run)


def test_select_picks_a_table_row_four_columns_a_row(tmp_path):
    """``std::bigint::select_limbs(i, table)`` (``__select``, the ladder's table): the row i;
    6 columns sharing the index
    take two multi-select rows (the second half empty), an index past the table fails, and
    a table that is not 2^k rows of Felt is a located compile error."""
    from psyc.util.diagnostics import CompileError

    prog = _program(tmp_path, """use std::bigint::select_limbs;
fn main(i: Felt, t: [[Felt; 6]; 16]) -> pub [Felt; 6] { select_limbs(i, t) }
""")
    table = [[RNG.randrange(1 << 60) for _ in range(6)] for _ in range(16)]
    for i in (0, 5, 15):
        run = prog.execute({"i": i, "t": table})
        assert [int(x) for x in run.outputs] == table[i]
        assert prog.check_constraints(run) == []
    assert prog.lowered().stats["random_access"] == 2
    with pytest.raises(ExecutionError):
        prog.execute({"i": 16, "t": table})
    with pytest.raises(CompileError, match="2, 4, 8, 16 or 32 rows") as e:
        _program(tmp_path, "use std::bigint::select_limbs;\n"
                 "fn main(i: Felt, t: [[Felt; 2]; 5]) -> pub [Felt; 2] { select_limbs(i, t) }\n")
    assert e.value.diagnostics[0].code == "E0200" and e.value.diagnostics[0].labels


@pytest.fixture(scope="module")
def double_base_program(tmp_path_factory):
    return _program(tmp_path_factory.mktemp("ladder"), """use std::secp256k1;
use std::secp256k1::Point;
use std::bigint::checked_limbs;
fn main(u1: [Felt; 20], u2: [Felt; 20], qx: [Felt; 20], qy: [Felt; 20]) -> pub ([Felt; 20], [Felt; 20]) {
    let q = Point { x: checked_limbs(qx), y: checked_limbs(qy) };
    let r = secp256k1::mul_double_base(checked_limbs(u1), checked_limbs(u2), q);
    (r.x, r.y)
}
""")


def test_double_base_multiplication_agrees(double_base_program):
    prog = double_base_program
    cases = [(RNG.randrange(curve.N), RNG.randrange(curve.N), RNG.randrange(1, curve.N)) for _ in range(2)]
    cases += [(0, RNG.randrange(curve.N), 5), (curve.N - 1, 1, 3)]  # a zero scalar; -G + Q
    for u1, u2, d in cases:
        q = curve.mul(d, curve.G)
        run = prog.execute({"u1": to_limbs(u1), "u2": to_limbs(u2), "qx": to_limbs(q[0]), "qy": to_limbs(q[1])})
        want = curve.add(curve.mul(u1, curve.G), curve.mul(u2, q))
        assert (_value(run.outputs[:20]), _value(run.outputs[20:])) == want
        assert prog.check_constraints(run) == []
    # u1 G + u2 Q = infinity has no affine result: the last addition cannot be satisfied
    q = curve.mul(7, curve.G)
    with pytest.raises(ExecutionError):
        prog.execute({"u1": to_limbs(curve.N - 7), "u2": to_limbs(1), "qx": to_limbs(q[0]), "qy": to_limbs(q[1])})
    # the table's rows: 40 limb selections per step, four to a multi-select row
    assert prog.lowered().stats["random_access"] == 128 * 10


# --- key files and CLI errors (no circuit needed) ---------------------------------------------


def _fake_key(secret: int | None = 7) -> EcdsaKey:
    pub = public_point(7)
    param = param_of(pub)
    fp = [11, 12, 13, 14]  # any fingerprint: the key file only checks consistency
    return EcdsaKey(secret, pub, param, fp, public_key(fp, param))


def test_ecdsa_key_file_round_trip_and_located_errors(tmp_path):
    path = tmp_path / "e.key"
    write_key(path, _fake_key())
    assert read_key(path) == _fake_key()
    assert read_key(path, "ecdsa").pub == public_point(7)
    with pytest.raises(SignatureError, match="not 'zk'") as e:
        read_key(path, "zk")
    assert e.value.code == "E1001"
    doc = json.loads(path.read_text())
    for edit, why in (({"secret": "0x" + "00" * 32}, "not a scalar"), ({"secret": f"0x{8:064x}"}, "not secret·G"),
                      ({"pubkey": "0x02" + "ff" * 32}, "not on secp256k1"), ({"pubkey": "0x05"}, "33 bytes"),
                      ({"pubkey": 5}, "'pubkey' is missing"), ({"param": doc["public_key"]}, "does not follow")):
        bad = tmp_path / "bad.key"
        bad.write_text(json.dumps({**doc, **edit}))
        with pytest.raises(SignatureError, match=why) as e:
            read_key(bad)
        assert e.value.code == "E1000" and str(bad) in str(e.value)
        bad.unlink()
    wallet = tmp_path / "w.key"
    write_key(wallet, _fake_key(None))
    assert read_key(wallet).secret is None


def test_sign_argument_errors_are_located(tmp_path, capsys):
    from psyc.cli.main import main

    out = str(tmp_path / "s.proof")
    pub = "0x" + curve.encode(public_point(7)).hex()
    cases = [
        (["--message", "1,2,3", "--scheme", "ecdsa", "--external-signature", "1,2", "--pubkey", pub], "3 field"),
        (["--message", "1,2,3,4", "--scheme", "ecdsa", "--external-signature", "1", "--pubkey", pub], "expected r,s"),
        (["--message", "1,2,3,4", "--scheme", "ecdsa", "--external-signature", "1,x", "--pubkey", pub], "integers"),
        (["--message", "1,2,3,4", "--scheme", "ecdsa", "--external-signature", "1,2", "--pubkey", "0x02ff"], "33 bytes"),
        (["--message", "1,2,3,4", "--external-signature", "1,2", "--pubkey", pub], "--scheme ecdsa"),
        (["--message", "1,2,3,4"], "give --key"),
    ]
    for argv, why in cases:
        assert main(["sign", *argv, "-o", out, "--json"]) == 2, argv
        doc = json.loads(capsys.readouterr().out)
        assert why in doc["error"] and doc["code"] == "E1002"
    assert not os.path.exists(out)


# --- the full signature circuit (slow: 128 GLV double-and-add steps) ------------------------------


@pytest.fixture(scope="module")
def scheme(request):
    request.getfixturevalue("cache")  # a temporary PSYC_CACHE_DIR for the wrapper key
    from psyc.recursion.shape import test_shape
    from psyc.sig.ecdsa import EcdsaScheme

    return EcdsaScheme(shape=test_shape())


@pytest.mark.slow
def test_circuit_accepts_libsecp256k1_signatures_and_rejects_forgeries(scheme):
    from psyc.sig.ecdsa import circuit_inputs

    prog = scheme.program()
    secret, other = RNG.randrange(1, curve.N), RNG.randrange(1, curve.N)
    pub, other_pub = public_point(secret), public_point(other)
    digest = message_bytes(MESSAGE)
    r, s = _coincurve_rs(secret, digest)
    run = prog.execute(circuit_inputs(MESSAGE, pub, r, s))
    assert prog.check_constraints(run) == []
    wrong_message = [1, 2, 3, 5]
    r2, s2 = _coincurve_rs(other, digest)
    cases = [
        (circuit_inputs(wrong_message, pub, r, s), "does not verify"),  # wrong message
        (circuit_inputs(MESSAGE, other_pub, r, s), "does not verify"),  # wrong key
        (circuit_inputs(MESSAGE, pub, r2, s2), "does not verify"),  # a signature for another key
        (circuit_inputs(MESSAGE, pub, r, curve.N - s), "high-s"),  # the same signature, high-s
        ({**circuit_inputs(MESSAGE, pub, r, s), "param": param_of(other_pub)}, "does not match"),
        (circuit_inputs(MESSAGE, pub, r, 0), "s is zero"),
    ]
    for inputs, why in cases:
        with pytest.raises(ExecutionError, match=why):
            prog.execute(inputs)


@pytest.mark.slow
def test_signature_proves_verifies_and_tampering_is_rejected(scheme, tmp_path, capsys):
    from psyc.cli.main import main
    from psyc.plonk.keys import proof_from_bytes, proof_to_bytes
    from psyc.recursion.shape import test_shape
    from psyc.sig import verify_signature
    from psyc.util.serialization import FormatError

    key = scheme.new_key()
    proof, vk = scheme.sign(key, MESSAGE)
    assert verify_signature(proof, vk, key.public_key, MESSAGE, test_shape()) == key.param
    with pytest.raises(SignatureError, match="for message"):
        verify_signature(proof, vk, key.public_key, [1, 2, 3, 4], test_shape())
    other = scheme.new_key()
    with pytest.raises(SignatureError, match="not for this public key"):
        verify_signature(proof, vk, other.public_key, MESSAGE, test_shape())
    blob = proof_to_bytes(proof)
    for pos in (len(blob) // 3, len(blob) - 9):
        bad = bytearray(blob)
        bad[pos] ^= 1
        with pytest.raises((SignatureError, FormatError)):
            verify_signature(proof_from_bytes(bytes(bad), vk.common), vk, key.public_key, MESSAGE, test_shape())
    # a wallet's signature through the CLI: the proof is a signature under the same key
    r, s = _coincurve_rs(key.secret, message_bytes(MESSAGE))
    sig = str(tmp_path / "w.proof")
    pub = "0x" + curve.encode(key.pub).hex()
    argv = ["sign", "--scheme", "ecdsa", "--shape", "test", "--pubkey", pub, "--message", format_hash(MESSAGE),
            "-o", sig, "--json"]
    assert main([*argv, "--external-signature", f"{r:#x},{curve.N - s:#x}"]) == 0  # high-s is normalised
    assert json.loads(capsys.readouterr().out)["public_key"] == format_hash(key.public_key)
    check = ["verify-signature", "--shape", "test", "--public-key", format_hash(key.public_key), sig, "--json"]
    assert main([*check, "--message", format_hash(MESSAGE)]) == 0
    assert main([*check, "--message", "1,2,3,4"]) == 1
    capsys.readouterr()
    bad_sig = str(tmp_path / "x.proof")
    argv[argv.index(sig)] = bad_sig
    assert main([*argv, "--external-signature", f"{r:#x},{(s + 1) % curve.N:#x}"]) == 1
    assert "does not verify" in json.loads(capsys.readouterr().out)["error"]
    assert not os.path.exists(bad_sig)
    # a key file from `key new`: show, sign with it, verify
    path = str(tmp_path / "e.key")
    assert main(["key", "new", "--scheme", "ecdsa", "--shape", "test", "-o", path, "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert main(["key", "show", path, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["pubkey"] == made["pubkey"] and shown["public_key"] == made["public_key"]
    sig2 = str(tmp_path / "k.proof")
    assert main(["sign", "--key", path, "--message", format_hash(MESSAGE), "-o", sig2, "--json"]) == 0
    capsys.readouterr()
    check = ["verify-signature", "--shape", "test", "--public-key", made["public_key"], sig2, "--json"]
    assert main([*check, "--message", format_hash(MESSAGE)]) == 0
    assert main([*check, "--message", "1,2,3,4"]) == 1
