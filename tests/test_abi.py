"""The program ABI (issue 13, item 1): made once from the elaborated entry, stored with the
verifying key, used by `psyc verify` to name public inputs and to take them by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import psyc
from psyc.cli.main import main
from psyc.frontend.types import BOOL, FELT, HASH, U64, Array, ProofT, Struct, Tuple
from psyc.plonk.keys import VerifyingKey
from psyc.project.abi import RETURN, AbiError, AbiParam, ProgramAbi, type_from_json, type_to_json
from psyc.util.serialization import FormatError

SRC = """\
struct Point { x: u64, ok: bool }

fn main(pub a: Felt, secret: Felt, pub p: Point, pub pair: (u64, [Felt; 2])) -> pub Hash {
    assert(p.ok);
    [a + secret, p.x as Felt, pair.0 as Felt, pair.1[0] + pair.1[1]]
}
"""
INPUTS = 'a = 5\nsecret = 7\np = { x = 9, ok = true }\npair = [11, [1, 2]]\n'


@pytest.fixture(scope="module")
def proved(tmp_path_factory):
    root = tmp_path_factory.mktemp("abi") / "prog"
    (root / "src").mkdir(parents=True)
    (root / "psy.toml").write_text('[package]\nname = "prog"\n')
    (root / "src" / "main.psy").write_text(SRC)
    (root / "inputs.toml").write_text(INPUTS)
    proof = root / "out.proof"
    assert main(["prove", str(root), "-o", str(proof)]) == 0
    return root, proof


def test_abi_of_a_program_orders_public_inputs_as_the_circuit_does(proved):
    root, proof = proved
    prog = psyc.compile_path(root)
    abi = prog.abi
    assert [(p.name, p.public) for p in abi.params] == [("a", True), ("secret", False), ("p", True), ("pair", True)]
    assert [n for n, _ in abi.public] == ["a", "p", "pair", RETURN]
    vk = VerifyingKey.from_bytes(Path(str(proof) + ".vk").read_bytes())
    assert abi.num_public_inputs == vk.common.num_public_inputs == 1 + 2 + 3 + 4
    assert ProgramAbi.from_json(vk.abi) == abi
    # the proof's public inputs, named: the secret is not among them
    from psyc.plonk.keys import proof_from_bytes

    pis = proof_from_bytes(proof.read_bytes(), vk.common).public_inputs
    named = abi.name_public_inputs(pis)
    assert named == {"a": "5", "p": {"x": "9", "ok": True}, "pair": ["11", ["1", "2"]], RETURN: ["12", "9", "11", "3"]}


def test_types_round_trip_and_hostile_json_is_refused():
    point = Struct("Point", (("x", U64), ("ok", BOOL)))
    for t in (FELT, HASH, Tuple((U64, Array(FELT, 2))), point, ProofT(3), Array(point, 2)):
        assert type_from_json(json.loads(json.dumps(type_to_json(t)))) == t
    deep: object = "Felt"
    for _ in range(40):
        deep = {"array": deep, "len": 1}
    for bad in ("u7", {"array": "Felt", "len": -1}, {"array": "Felt", "len": True}, {"tuple": "x"}, deep, 5,
                {"struct": "S", "fields": [["a"]]}):
        with pytest.raises(AbiError):
            type_from_json(bad)
    with pytest.raises(AbiError):
        ProgramAbi.from_json({"params": [{"name": "a", "type": "Felt", "public": True}] * 2, "output": None})
    with pytest.raises(AbiError):
        ProgramAbi((AbiParam("a", FELT, True),), None).name_public_inputs([1, 2])


def test_key_files_keep_the_abi_and_refuse_a_damaged_section(proved):
    _, proof = proved
    blob = Path(str(proof) + ".vk").read_bytes()
    vk = VerifyingKey.from_bytes(blob)
    bare = VerifyingKey(vk.verifier_only, vk.common)
    assert VerifyingKey.from_bytes(bare.to_bytes()).abi is None  # keys without an ABI still read
    assert bare.fingerprint == vk.fingerprint and blob.startswith(bare.to_bytes())
    tail = blob[len(bare.to_bytes()):]
    for damaged in (blob + b"\x00", blob[:-3], bare.to_bytes() + b"XYZ\x00" + tail[4:],
                    bare.to_bytes() + tail[:8] + b"{not json" + tail[17:],
                    bare.to_bytes() + b"ABI\x00" + (1 << 30).to_bytes(4, "little")):
        with pytest.raises(FormatError):
            VerifyingKey.from_bytes(damaged)


def test_verify_names_public_inputs_and_takes_them_by_name(proved, tmp_path, capsys):
    _, proof = proved
    capsys.readouterr()
    assert main(["verify", str(proof), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["public"]["p"] == {"x": "9", "ok": True}
    right = tmp_path / "right.toml"
    right.write_text('a = 5\np = { x = 9, ok = true }\npair = [11, [1, 2]]\nreturn = [12, 9, 11, 3]\n')
    assert main(["verify", str(proof), "--public-inputs", str(right)]) == 0
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"a": 5, "p": {"x": 10, "ok": True}, "pair": [11, [1, 2]], "return": [12, 9, 11, 3]}))
    capsys.readouterr()
    assert main(["verify", str(proof), "--public-inputs", str(wrong)]) == 1
    assert "`p` is" in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text("a = 5\np = 3\n")
    assert main(["verify", str(proof), "--public-inputs", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.toml:2" in err and "Traceback" not in err


def test_named_public_inputs_need_a_key_with_an_abi(proved, tmp_path, capsys):
    _, proof = proved
    vk = VerifyingKey.from_bytes(Path(str(proof) + ".vk").read_bytes())
    bare = tmp_path / "bare.vk"
    bare.write_bytes(VerifyingKey(vk.verifier_only, vk.common).to_bytes())
    right = tmp_path / "right.toml"
    right.write_text("a = 5\n")
    assert main(["verify", str(proof), "--vk", str(bare), "--public-inputs", str(right)]) == 2
    assert "ABI" in capsys.readouterr().err
    lying = tmp_path / "lying.vk"  # an ABI whose size disagrees with the circuit
    lying.write_bytes(VerifyingKey(vk.verifier_only, vk.common, {"params": [], "output": "Felt"}).to_bytes())
    assert main(["verify", str(proof), "--vk", str(lying)]) == 2
