"""Every example compiles, passes its .psy tests, proves and verifies through the CLI;
tampered proofs and wrong public inputs make `psyc verify` exit 1, file errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psyc.cli.main import main

EXAMPLES = sorted(p for p in (Path(__file__).parent.parent / "examples").iterdir() if (p / "psy.toml").is_file())


@pytest.fixture(scope="module")
def proofs(tmp_path_factory):
    out = tmp_path_factory.mktemp("proofs")
    made = {}
    for ex in EXAMPLES:
        proof = out / f"{ex.name}.proof"
        assert main(["prove", str(ex), "-o", str(proof)]) == 0
        made[ex.name] = proof
    return made


def test_there_are_examples():
    assert {"merkle_membership", "hash_chain", "range_proof_u64", "struct_transfer"} <= {e.name for e in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_tests_pass(example):
    assert main(["test", str(example)]) == 0


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_proves_and_verifies(example, proofs):
    assert main(["verify", str(proofs[example.name])]) == 0


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_tampered_proof_is_invalid(example, proofs, tmp_path):
    blob = bytearray(proofs[example.name].read_bytes())
    for pos in (len(blob) // 2, len(blob) - 9, 40):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        path = tmp_path / "bad.proof"
        path.write_bytes(bytes(bad))
        assert main(["verify", str(path), "--vk", str(proofs[example.name]) + ".vk"]) == 1


def test_wrong_public_input_is_invalid(proofs, tmp_path):
    from psyc.plonk.keys import VerifyingKey, proof_from_bytes, proof_to_bytes

    src = proofs["range_proof_u64"]
    vk = VerifyingKey.from_bytes(Path(str(src) + ".vk").read_bytes())
    proof = proof_from_bytes(src.read_bytes(), vk.common)
    assert proof.public_inputs[:2] == [18, 1 << 40]
    proof.public_inputs[1] = 999  # claim a narrower range
    path = tmp_path / "narrow.proof"
    path.write_bytes(proof_to_bytes(proof))
    assert main(["verify", str(path), "--vk", str(src) + ".vk"]) == 1
    assert main(["verify", str(src), "--public-inputs", "18,999"]) == 1


def test_truncated_proof_and_missing_files(proofs, tmp_path):
    src = proofs["hash_chain"]
    path = tmp_path / "short.proof"
    path.write_bytes(src.read_bytes()[:100])
    assert main(["verify", str(path), "--vk", str(src) + ".vk"]) == 1
    assert main(["verify", str(tmp_path / "nope.proof")]) == 2
    assert main(["verify", str(src), "--vk", str(src)]) == 2  # a proof is not a key


def test_execute_json_prints_decimal_strings(capsys):
    ex = next(e for e in EXAMPLES if e.name == "hash_chain")
    assert main(["execute", str(ex), "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    from psyc.hash.poseidon import hash_no_pad, two_to_one

    h = hash_no_pad([42])
    for i in range(256):
        h = two_to_one(h, [i, 0, 0, 0])
    assert out == {"outputs": [str(x) for x in h]}


def test_failing_assertion_in_inputs_is_reported(tmp_path, capsys):
    ex = next(e for e in EXAMPLES if e.name == "range_proof_u64")
    text = (ex / "inputs.toml").read_text().replace("amount = 1000", "amount = 17")
    bad = tmp_path / "in.toml"
    bad.write_text(text)
    assert main(["execute", str(ex), "--inputs", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "amount below the range" in err and "src/main.psy:" in err and "amount = 17" in err


def test_recursion_example(tmp_path, capsys):
    """examples/recursion: the parent proves and verifies with the child's proof as input;
    a tampered child proof is refused (exit 1, naming the failed verification)."""
    import shutil

    ex = tmp_path / "recursion"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "recursion", ex, ignore=shutil.ignore_patterns("target"))
    assert main(["check", str(ex / "parent")]) == 0
    assert "0 warning" in capsys.readouterr().out
    assert main(["prove", str(ex / "child")]) == 0
    assert main(["prove", str(ex / "parent")]) == 0
    assert main(["verify", str(ex / "parent" / "target" / "parent.proof"), "--public-inputs", "16"]) == 0
    child = ex / "child" / "target" / "child.proof"
    blob = bytearray(child.read_bytes())
    blob[len(blob) // 2] ^= 1
    child.write_bytes(bytes(blob))
    capsys.readouterr()
    assert main(["prove", str(ex / "parent"), "-o", str(tmp_path / "bad.proof")]) == 1
    assert "child.proof" in capsys.readouterr().err.replace("\n", "")
    assert not (tmp_path / "bad.proof").exists()
