"""``psyc fuzz-proof`` (issue 12, item 9): a short tamper campaign on a zero-knowledge proof
and on a fold proof (CI's budget: a few seconds each), and checks that the fuzzer itself
would notice an accepting verifier."""

from __future__ import annotations

import json

import pytest

from psyc.audit.tamper import fuzz_proof, proof_layout
from psyc.cli.main import main
from psyc.plonk.keys import VerifyingKey, proof_from_bytes


@pytest.fixture(scope="module")
def zk_proof_file(tmp_path_factory):
    from tests.test_zk import _program, _prove

    _, proof, _ = _prove(True)
    d = tmp_path_factory.mktemp("zk")
    path = d / "secret.proof"
    path.write_bytes(proof.to_bytes())
    (d / "secret.proof.vk").write_bytes(_program(True).circuit().verifier_data.to_bytes())
    return path


@pytest.fixture(scope="module")
def fold_proof_file(tmp_path_factory):
    from psyc.recursion import aggregate
    from tests.test_recursion_aggregate import SHAPE, _leaf_circuit

    leaves = []
    for c in (5, 7):
        data, prove = _leaf_circuit(c)
        leaves.append((prove(3, 4), data))
    agg = aggregate(leaves, None, shape=SHAPE)
    d = tmp_path_factory.mktemp("fold")
    path = d / "root.proof"
    path.write_bytes(agg.root_proof.to_bytes())
    (d / "root.proof.vk").write_bytes(agg.root_data.verifier_data.to_bytes())
    return path


def _vk(path):
    return VerifyingKey.from_bytes(path.with_name(path.name + ".vk").read_bytes())


def test_layout_covers_every_byte(zk_proof_file):
    data = zk_proof_file.read_bytes()
    slots = proof_layout(data, _vk(zk_proof_file).common)
    pos = 0
    for s in slots:
        assert s.offset == pos, s
        pos += s.size
    assert pos == len(data)
    names = {s.name for s in slots}
    assert {"public inputs", "final polynomial", "proof-of-work nonce"} <= names
    assert any(s.in_query for s in slots) and any(s.elements and not s.in_query for s in slots)


@pytest.mark.parametrize("which", ["zk_proof_file", "fold_proof_file"])
def test_fuzz_proof_rejects_every_mutant(which, request, capsys):
    path = request.getfixturevalue(which)
    rc = main(["fuzz-proof", str(path), "--seconds", "3", "--seed", "7", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0, doc
    assert doc["mutations"] > 0 and doc["accepted"] == [] and doc["crashes"] == []
    assert doc["rejected_format"] + doc["rejected_verify"] == doc["mutations"]
    assert doc["zero_knowledge"] == (which == "zk_proof_file")


def test_every_random_kind_is_exercised(fold_proof_file):
    report = fuzz_proof(
        fold_proof_file.read_bytes(), _vk(fold_proof_file), seconds=None, max_mutations=60, seed=3, sweep=False
    )
    assert report.clean and report.mutations == 60
    assert set(report.by_kind) == {"byte", "element", "swap", "splice", "length"}


class _AcceptingKey:
    """A broken verifier: parses, then accepts anything."""

    def __init__(self, vk):
        self.common = vk.common
        self._vk = vk
        self.first = True

    def verify(self, proof):
        if self.first:  # the genuine proof is checked once before fuzzing
            self.first = False
            self._vk.verify(proof)


def test_the_fuzzer_reports_an_accepting_verifier(zk_proof_file):
    report = fuzz_proof(
        zk_proof_file.read_bytes(), _AcceptingKey(_vk(zk_proof_file)), seconds=None, max_mutations=20, seed=1
    )
    assert not report.clean and report.accepted
    assert report.accepted[0].mutant != zk_proof_file.read_bytes()
    proof_from_bytes(report.accepted[0].mutant, _vk(zk_proof_file).common)  # it parsed: a real finding


def test_fuzz_proof_of_an_invalid_proof_is_a_usage_error(zk_proof_file, tmp_path, capsys):
    bad = tmp_path / "bad.proof"
    data = bytearray(zk_proof_file.read_bytes())
    data[-20] ^= 1
    bad.write_bytes(bytes(data))
    (tmp_path / "bad.proof.vk").write_bytes(zk_proof_file.with_name(zk_proof_file.name + ".vk").read_bytes())
    assert main(["fuzz-proof", str(bad), "--seconds", "1"]) == 2
    assert "does not verify" in capsys.readouterr().err
    assert main(["fuzz-proof", str(tmp_path / "missing.proof")]) == 2
