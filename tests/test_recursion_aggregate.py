"""Issue 5, part 5: aggregation of standard-shape proofs into one root proof, the leaf
commitments and their openings, and ``psyc aggregate``.

Test shape (one FRI query, 2^11 rows): a fold proves in about a second.
"""

import json
from pathlib import Path

import pytest

from psyc.cli.main import main
from psyc.plonk.builder import CircuitBuilder
from psyc.plonk.diagnostics import check_constraints
from psyc.plonk.keys import VerifyingKey, proof_from_bytes
from psyc.plonk.witness import PartialWitness
from psyc.plonk.witness_gen import generate_witness
from psyc.recursion import (
    LeafOpening,
    Whitelist,
    aggregate,
    expected_root_fingerprint,
    leaf_commitment,
    verify_leaf_opening,
)
from psyc.recursion.aggregate import commitment_tree, fold_circuit, tree_depth
from psyc.recursion.fold import _build_fold
from psyc.recursion.shape import test_shape

SHAPE = test_shape()


def _leaf_circuit(c):
    """Two public inputs: x and x·y + c."""
    b = SHAPE.builder()
    x, y = b.add_virtual_targets(2)
    b.register_public_inputs([x, b.mul_add(x, y, b.constant(c))])
    data = b.build()

    def prove(xv, yv):
        pw = PartialWitness()
        pw.set_targets([x, y], [xv, yv])
        return data.prove(pw)

    return data, prove


@pytest.fixture(scope="module")
def circuits():
    return [_leaf_circuit(c) for c in (5, 7, 11)]


@pytest.fixture(scope="module")
def leaves(circuits):
    """8 leaf proofs of 2 whitelisted circuits; the third circuit is not whitelisted."""
    (a, prove_a), (b, prove_b), _ = circuits
    return [(prove_a(i, 3), a) if i % 2 == 0 else (prove_b(i, 5), b) for i in range(8)]


@pytest.fixture(scope="module")
def whitelist(circuits):
    return Whitelist([circuits[0][0], circuits[1][0]])


@pytest.fixture(scope="module")
def agg8(leaves, whitelist):
    return aggregate(leaves, whitelist, shape=SHAPE)


def test_aggregate_8_and_open_every_leaf(agg8, leaves, whitelist):
    agg8.verify()
    root = agg8.root_proof.public_inputs
    assert root[4:8] == whitelist.root and root[8] == 8
    assert agg8.stats["folds"] == 7  # 4 + 2 + 1
    assert agg8.root_data.common.degree_bits == SHAPE.degree_bits
    for i, (proof, key) in enumerate(leaves):
        opening = agg8.opening(i)
        assert opening.fingerprint == key.verifier_data.fingerprint
        assert opening.public_inputs == proof.public_inputs
        assert verify_leaf_opening(root, opening, whitelist_root=whitelist.root)


def test_tampered_openings_fail(agg8, circuits):
    root = agg8.root_proof.public_inputs
    good = agg8.opening(5)
    assert verify_leaf_opening(root, good)
    bad_pis = LeafOpening(
        good.index, good.fingerprint, [good.public_inputs[0], good.public_inputs[1] + 1], good.siblings
    )
    bad_fp = LeafOpening(
        good.index, circuits[2][0].verifier_data.fingerprint, good.public_inputs, good.siblings
    )
    bad_index = LeafOpening(4, good.fingerprint, good.public_inputs, good.siblings)
    short = LeafOpening(good.index, good.fingerprint, good.public_inputs, good.siblings[:-1])
    past_count = LeafOpening(9, good.fingerprint, good.public_inputs, good.siblings)
    for bad in (bad_pis, bad_fp, bad_index, short, past_count):
        assert not verify_leaf_opening(root, bad)
    assert not verify_leaf_opening(root, good, whitelist_root=[1, 2, 3, 4])


def test_root_is_a_normal_proof(agg8):
    vk = VerifyingKey.from_bytes(agg8.root_key.to_bytes())
    vk.verify(proof_from_bytes(agg8.root_proof.to_bytes(), vk.common))
    # the root key is the one a verifier rebuilds for (shape, 8 leaves of 2 public inputs)
    assert expected_root_fingerprint(SHAPE, 8, 2) == vk.fingerprint
    assert expected_root_fingerprint(SHAPE, 4, 2) != vk.fingerprint  # another depth
    # (and building is deterministic: a fresh level-1 fold circuit has the cached one's key)
    fresh = _build_fold(SHAPE, 1, SHAPE.common(2), None, 8)
    assert fresh.fingerprint == fold_circuit(SHAPE, 1, 2).fingerprint


def test_aggregate_odd_count(leaves, whitelist):
    """3 leaves: the second leaf fold has no right child (conditional verification of a
    dummy); zero digests fill the tree exactly as the native commitment tree does."""
    agg = aggregate(leaves[:3], whitelist, shape=SHAPE, progress=True)  # (a rich bar on stderr)
    agg.verify()
    assert agg.stats["folds"] == 3 and agg.root_proof.public_inputs[8] == 3
    levels = commitment_tree([leaf_commitment(fp, pis) for fp, pis in agg.leaves])
    assert agg.root_proof.public_inputs[:4] == levels[-1][0]
    assert levels[0][3] == [0, 0, 0, 0]
    for i in range(3):
        assert verify_leaf_opening(agg.root_proof.public_inputs, agg.opening(i))
    assert tree_depth(1) == 1 and tree_depth(2) == 1 and tree_depth(3) == 2 and tree_depth(8) == 3


def test_fold_with_an_absent_subtree(agg8, leaves, whitelist):
    """A node fold whose right child is absent (as for 5 leaves at level 2): the dummy is
    accepted with the flag off, contributes the zero digest and no leaves. A right child
    after a left subtree that is not full is rejected (leaves stay at 0 .. count − 1)."""
    from psyc.hash.poseidon import two_to_one
    from psyc.recursion.witness import set_proof_targets

    fc = fold_circuit(SHAPE, 2, 2, whitelist.depth)
    left = agg8.fold_proofs[0][2]  # leaves 4 and 5
    proof = fc.prove(left, None, whitelist)
    fc.data.verify(proof)
    assert proof.public_inputs == [*two_to_one(left.public_inputs[:4], [0] * 4), *whitelist.root, 2]

    half = fold_circuit(SHAPE, 1, 2, whitelist.depth).prove(leaves[0], None, whitelist)  # count 1
    pw = PartialWitness()
    pw.set_targets(fc.whitelist_root, whitelist.root)
    set_proof_targets(pw, fc.children[0].proof, half)
    set_proof_targets(pw, fc.children[1].proof, left)
    pw.set_target(fc.children[1].present, 1)
    wires, pis = generate_witness(fc.data, pw)
    assert {f.scope for f in check_constraints(fc.data, wires, pis)} == {"fold"}


def test_leaf_not_in_the_whitelist(circuits, leaves, whitelist):
    data_c, prove_c = circuits[2]
    proof_c = prove_c(1, 2)
    with pytest.raises(ValueError, match="not whitelisted"):
        aggregate([leaves[0], (proof_c, data_c)], whitelist, shape=SHAPE)
    # in circuit: the leaf fold rejects it (with the path of a whitelisted circuit)
    fc = fold_circuit(SHAPE, 1, 2, whitelist.depth)
    from psyc.recursion.vk import set_verifier_data_targets
    from psyc.recursion.whitelist import set_whitelist_path
    from psyc.recursion.witness import set_proof_targets

    pw = PartialWitness()
    pw.set_targets(fc.whitelist_root, whitelist.root)
    left, right = fc.children
    for child, (proof, key), path_of in (
        (left, leaves[0], leaves[0][1]),
        (right, (proof_c, data_c), circuits[1][0]),
    ):
        set_proof_targets(pw, child.proof, proof)
        set_verifier_data_targets(pw, child.vk, key)
        set_whitelist_path(pw, child.path, whitelist, path_of)  # C has no path: try B's
    pw.set_target(right.present, 1)
    wires, pis = generate_witness(fc.data, pw)
    assert {f.scope for f in check_constraints(fc.data, wires, pis)} == {"right/whitelist"}


def test_aggregate_rejects_leaves_of_another_shape(leaves):
    b = CircuitBuilder(SHAPE.config)
    x = b.add_virtual_target()
    b.register_public_inputs([x, x])
    data = b.build()
    pw = PartialWitness()
    pw.set_target(x, 1)
    with pytest.raises(ValueError, match="standard shape"):
        aggregate([leaves[0], (data.prove(pw), data)], shape=SHAPE)


# --- the command line ---------------------------------------------------------------------------


def test_cli_aggregate_and_verify(tmp_path, leaves, capsys):
    """A standard-shape proof and one of another circuit (wrapped on the way)."""
    names = []
    for i, (proof, data) in enumerate(leaves[:1]):
        p = tmp_path / f"leaf{i}.proof"
        p.write_bytes(proof.to_bytes())
        (tmp_path / f"leaf{i}.proof.vk").write_bytes(data.verifier_data.to_bytes())
        names.append(str(p))
    b = CircuitBuilder(SHAPE.config)  # not of the shape: wrapped by the command
    x, y = b.add_virtual_targets(2)
    b.register_public_inputs([b.mul(x, y), y])
    other = b.build()
    pw = PartialWitness()
    pw.set_targets([x, y], [6, 7])
    p = tmp_path / "other.proof"
    p.write_bytes(other.prove(pw).to_bytes())
    (tmp_path / "other.proof.vk").write_bytes(other.verifier_data.to_bytes())
    names.append(str(p))

    root = tmp_path / "root.proof"
    assert main(["aggregate", *names, "-o", str(root), "--shape", "test", "--json"]) == 0
    captured = capsys.readouterr()  # --json: one object on stdout, the message on stderr
    assert "aggregated 2 proofs" in captured.err and json.loads(captured.out)["count"] == 2
    assert main(["verify", str(root)]) == 0
    doc = json.loads((tmp_path / "root.proof.leaves.json").read_text())
    assert doc["count"] == 2 and doc["leaves"][1]["public_inputs"] == [42, 7]
    for leaf in doc["leaves"]:
        opening = LeafOpening(leaf["index"], leaf["fingerprint"], leaf["public_inputs"], leaf["siblings"])
        assert verify_leaf_opening(doc["root_public_inputs"], opening, doc["whitelist_root"])
    # a corrupted leaf proof is reported, nothing is written
    bad = tmp_path / "bad.proof"
    blob = bytearray(leaves[0][0].to_bytes())
    blob[-9] ^= 1
    bad.write_bytes(bytes(blob))
    (tmp_path / "bad.proof.vk").write_bytes(leaves[0][1].verifier_data.to_bytes())
    assert main(["aggregate", names[0], str(bad), "-o", str(tmp_path / "r2.proof"), "--shape", "test"]) == 1
    assert not (tmp_path / "r2.proof").exists()
    # a whitelist that leaves out the wrapped circuit
    r3 = str(tmp_path / "r3.proof")
    assert main(["aggregate", *names, "-o", r3, "--shape", "test", "--whitelist", names[0] + ".vk"]) == 1


def test_cli_aggregate_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["aggregate", "--help"])
    assert e.value.code == 0 and "ROOT" in capsys.readouterr().out


@pytest.mark.slow
def test_aggregate_64_benchmark(circuits, whitelist):
    """Benchmark: 64 leaves (63 folds) in the test shape."""
    import time

    (a, prove_a), (b, prove_b), _ = circuits
    leaves = [(prove_a(i, 3), a) if i % 2 == 0 else (prove_b(i, 5), b) for i in range(64)]
    t = time.perf_counter()
    agg = aggregate(leaves, whitelist, shape=SHAPE)
    total = time.perf_counter() - t
    agg.verify()
    print(f"64 leaves: {agg.stats}, total {total:.1f} s, {agg.stats['folds'] / total:.2f} folds/s")
    assert verify_leaf_opening(agg.root_proof.public_inputs, agg.opening(37))


def test_cli_verify_pins_the_key(tmp_path, agg8, leaves, capsys):
    """`psyc verify` alone accepts a valid proof of *any* circuit, so a root must be checked
    against its key: --fingerprint pins one, --aggregation rebuilds the genuine aggregation
    circuit and checks every leaf opening."""
    root = tmp_path / "root.proof"
    root.write_bytes(agg8.root_proof.to_bytes())
    (tmp_path / "root.proof.vk").write_bytes(agg8.root_key.to_bytes())
    doc = {
        "psyc_aggregation": 1,
        "whitelist_depth": agg8.whitelist.depth,
        "leaves": [
            {"index": i, "fingerprint": fp, "public_inputs": pis, "siblings": agg8.opening(i).siblings}
            for i, (fp, pis) in enumerate(agg8.leaves)
        ],
    }
    (tmp_path / "root.proof.leaves.json").write_text(json.dumps(doc))
    fp = ",".join(map(str, agg8.root_key.fingerprint))
    wl = ",".join(map(str, agg8.whitelist.root))
    assert main(["verify", str(root)]) == 0
    assert "add --aggregation" in capsys.readouterr().err.replace("\n", "")  # a root checked without its key
    assert main(["verify", str(root), "--fingerprint", fp]) == 0
    out = capsys.readouterr()
    assert fp in out.out.replace("\n", "") and "note" not in out.err  # rich wraps long lines
    assert main(["verify", str(root), "--aggregation", "--shape", "test", "--whitelist-root", wl]) == 0
    out = capsys.readouterr().out.replace("\n", "")
    assert "8 openings" in out and "checked" in out and "not checked" in out
    # the whitelist is the verifier's to give (a root or the keys), never the prover's
    assert main(["verify", str(root), "--aggregation", "--shape", "test"]) == 2
    assert "needs the whitelist" in capsys.readouterr().err.replace("\n", "")
    keys = []
    for k, (_, data) in enumerate(leaves[:2]):
        keys.append(str(tmp_path / f"leaf{k}.vk"))
        Path(keys[-1]).write_bytes(data.verifier_data.to_bytes())
    assert main(["verify", str(root), "--aggregation", "--shape", "test", "--whitelist", *keys]) == 0
    # the wrong whitelist, a wrong pin, and a tampered opening
    assert main(["verify", str(root), "--aggregation", "--shape", "test", "--whitelist-root", "1,2,3,4"]) == 1
    assert main(["verify", str(root), "--fingerprint", "1,2,3,4"]) == 1
    assert "expected 1,2,3,4" in capsys.readouterr().err.replace("\n", "")
    doc["leaves"][3]["public_inputs"][0] += 1
    (tmp_path / "root.proof.leaves.json").write_text(json.dumps(doc))
    assert main(["verify", str(root), "--aggregation", "--shape", "test", "--whitelist-root", wl]) == 1
    assert "leaf 3" in capsys.readouterr().err.replace("\n", "")
    # a valid proof of another circuit passed off as the root: fine for plain verify, not here
    leaf_proof, leaf_data = leaves[0]
    fake = tmp_path / "fake.proof"
    fake.write_bytes(leaf_proof.to_bytes())
    (tmp_path / "fake.proof.vk").write_bytes(leaf_data.verifier_data.to_bytes())
    assert main(["verify", str(fake)]) == 0
    (tmp_path / "fake.proof.leaves.json").write_text(json.dumps(doc))
    assert main(["verify", str(fake), "--aggregation", "--shape", "test", "--whitelist-root", wl]) == 1
    # bad option values and a missing leaves file are usage errors
    assert main(["verify", str(root), "--fingerprint", "1,2"]) == 2
    assert main(["verify", str(root), "--fingerprint", "x"]) == 2
    (tmp_path / "root.proof.leaves.json").unlink()
    assert main(["verify", str(root), "--aggregation", "--shape", "test", "--whitelist-root", wl]) == 2


def test_cli_verify_aggregation_takes_nothing_from_the_prover(tmp_path, circuits, leaves, whitelist, capsys):
    """The attack on `psyc verify --aggregation` (issue 12): a prover folds a proof of its own
    circuit, with a whitelist of its own at a depth of its own, and ships a leaves file
    saying so. The verifier's whitelist root and depth reject it."""
    evil_data, prove_evil = circuits[2]  # not in the honest whitelist
    evil = Whitelist([evil_data], depth=1)
    agg = aggregate([(prove_evil(1, 2), evil_data), (prove_evil(3, 4), evil_data)], evil, shape=SHAPE)
    root = tmp_path / "evil.proof"
    root.write_bytes(agg.root_proof.to_bytes())
    (tmp_path / "evil.proof.vk").write_bytes(agg.root_key.to_bytes())
    doc = {
        "psyc_aggregation": 1,
        "whitelist_depth": 1,
        "leaves": [
            {"index": i, "fingerprint": fp, "public_inputs": pis, "siblings": agg.opening(i).siblings}
            for i, (fp, pis) in enumerate(agg.leaves)
        ],
    }
    (tmp_path / "evil.proof.leaves.json").write_text(json.dumps(doc))
    base = ["verify", str(root), "--aggregation", "--shape", "test"]
    assert main(base) == 2  # no whitelist given: refused, not trusted from the file
    honest = ",".join(map(str, whitelist.root))
    assert main([*base, "--whitelist-root", honest]) == 1
    assert "checked against whitelist" in capsys.readouterr().err.replace("\n", "")
    # even the prover's own root does not help: the depth is the verifier's (8), not the file's (1)
    assert main([*base, "--whitelist-root", ",".join(map(str, evil.root))]) == 1
    assert "not the test-shape aggregation circuit" in capsys.readouterr().err.replace("\n", "")
    assert main([*base, "--whitelist-root", ",".join(map(str, evil.root)), "--whitelist-depth", "1"]) == 0
