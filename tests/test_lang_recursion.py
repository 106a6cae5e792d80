"""Proofs as program inputs: `Proof<N>`, `std::recursion::verify`, `fingerprint!`, and the
checks around them (execution level; the in-circuit verifier is tested in test_recursion*)."""

from __future__ import annotations

import pytest

from psyc.cli.main import main
from psyc.compiler import CompileOptions, compile_path
from psyc.frontend.diagnostics import CompileError
from psyc.ir.interpret import ExecutionError
from psyc.plonk.keys import proof_to_bytes
from tests.lang_util import compile_error, compile_src

CHILD = "fn main(pub a: Felt, b: Felt) -> pub Felt { a * b }\n"


def _options():
    from psyc.recursion.shape import test_shape  # one FRI query, 2^11 rows: fast, no security

    shape = test_shape()
    return CompileOptions(config=shape.config, shape=shape)


OPTS = _options()


@pytest.fixture(scope="module")
def child(tmp_path_factory):
    d = tmp_path_factory.mktemp("child")
    (d / "child.psy").write_text(CHILD)
    prog = compile_path(d / "child.psy", OPTS)
    run = prog.execute([[3], [5]])
    proof = prog.prove(run)
    (d / "child.proof").write_bytes(proof_to_bytes(proof))
    (d / "child.proof.vk").write_bytes(prog.circuit().verifier_data.to_bytes())
    return d


def parent(tmp_path, child, body: str, inputs: str | None = None):
    src = tmp_path / "parent.psy"
    src.write_text(body.replace("CHILD", str(child / "child.psy")))
    (tmp_path / "parent.inputs.toml").write_text(inputs or f'p = {{ proof = "{child / "child.proof"}" }}\n')
    return src


PINNED = """use std::recursion;
fn main(p: Proof<2>) -> pub Felt {
    recursion::verify(p);
    assert_eq(p.fingerprint, fingerprint!("CHILD"), "not a proof of the child circuit");
    p.public_inputs[1] + 1
}
"""


def test_a_verified_proof_gives_its_public_inputs(tmp_path, child):
    src = parent(tmp_path, child, PINNED)
    prog = compile_path(src, OPTS)
    assert not prog.warnings
    run = prog.execute(prog.read_inputs())
    assert run.outputs == [16]  # 3 * 5 + 1


def test_a_tampered_proof_fails_execution(tmp_path, child):
    blob = bytearray((child / "child.proof").read_bytes())
    blob[len(blob) // 2] ^= 1
    (tmp_path / "bad.proof").write_bytes(bytes(blob))
    (tmp_path / "bad.proof.vk").write_bytes((child / "child.proof.vk").read_bytes())
    src = parent(tmp_path, child, PINNED, 'p = { proof = "bad.proof" }\n')
    prog = compile_path(src, OPTS)
    with pytest.raises((ExecutionError, CompileError)) as e:
        prog.execute(prog.read_inputs())
    if isinstance(e.value, ExecutionError):
        assert e.value.code == "E0506"


def test_a_proof_of_another_circuit_fails_the_pin(tmp_path, child):
    other = tmp_path / "other.psy"
    other.write_text("fn main(pub a: Felt, b: Felt) -> pub Felt { a + b }\n")
    body = PINNED.replace("CHILD", str(other))
    src = parent(tmp_path, child, body)
    prog = compile_path(src, OPTS)
    with pytest.raises(ExecutionError) as e:
        prog.execute(prog.read_inputs())
    assert "not a proof of the child circuit" in e.value.message


def test_unpinned_fingerprint_is_warned(tmp_path, child, capsys):
    body = "fn main(p: Proof<2>) -> pub Felt { std::recursion::verify(p); p.public_inputs[0] }\n"
    src = parent(tmp_path, child, body)
    assert [w.code for w in compile_path(src, OPTS).warnings] == ["W0002"]
    assert main(["check", str(src)]) == 0
    assert "warning[W0002]" in capsys.readouterr().err


def test_wrong_number_of_public_inputs_is_an_input_error(tmp_path, child):
    body = "fn main(p: Proof<3>) { std::recursion::verify(p); }\n"
    src = parent(tmp_path, child, body)
    prog = compile_path(src, OPTS)
    with pytest.raises(CompileError) as e:
        prog.read_inputs()
    assert e.value.diagnostics[0].code == "E0606"
    assert "has 2 public inputs" in e.value.diagnostics[0].message


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("fn main(pub p: Proof<2>) {}\n", "E0211"),
        ("fn main(p: Proof<2>, q: Proof<2>, c: bool) { let r = if c { p } else { q }; }\n", "E0212"),
        ("fn main(p: Proof<2>) { let x = p.wires; }\n", "E0205"),
        ('fn main() { let f = fingerprint!("nope.psy"); }\n', "E0101"),
        ('fn main() { let f = unknown!("x"); }\n', "E0100"),
    ],
)
def test_proof_misuse_is_a_compile_error(tmp_path, body, code):
    src = tmp_path / "m.psy"
    src.write_text(body)
    with pytest.raises(CompileError) as e:
        compile_path(src, CompileOptions())
    assert e.value.diagnostics[0].code == code


def test_fingerprint_cycle_is_reported(tmp_path):
    src = tmp_path / "selfref.psy"
    src.write_text('fn main() -> pub Hash { fingerprint!("selfref.psy") }\n')
    with pytest.raises(CompileError) as e:
        compile_path(src)
    assert e.value.diagnostics[0].code == "E0213"


# --- in circuit (a small standard shape: one FRI query, 2^11 rows; no security, fast) -------
CONDITIONAL = """use std::recursion;
fn main(p: Proof<2>, c: bool) -> pub Felt {
    let mut out = 0;
    if c {
        recursion::verify(p);
        assert_eq(p.fingerprint, fingerprint!("child.psy"), "not the child circuit");
        out = p.public_inputs[1] + 1;
    }
    out
}
"""


@pytest.fixture(scope="module")
def in_circuit(tmp_path_factory):
    from psyc.project.inputs import ProofArg

    d = tmp_path_factory.mktemp("rec")
    (d / "child.psy").write_text(CHILD)
    (d / "parent.psy").write_text(CONDITIONAL)
    child = compile_path(d / "child.psy", OPTS)
    proof = child.prove(child.execute([[3], [5]]))
    parent = compile_path(d / "parent.psy", OPTS)
    arg = ProofArg(proof, child.circuit().verifier_data)
    return parent, arg


def test_verified_proof_in_circuit_proves_and_verifies(in_circuit):
    parent, arg = in_circuit
    run = parent.execute([[arg], [1]])  # wraps the child's proof into the shape first
    assert run.outputs == [16]
    assert parent.check_constraints(run) == []
    proof = parent.prove(run)
    parent.circuit().verify(proof)
    assert proof.public_inputs == [16]


def test_tampered_proof_fails_the_circuit_only_when_verified(in_circuit):
    import copy

    parent, arg = in_circuit
    run = parent.execute([[arg], [1]])
    bad, vk = run.proofs[0]
    bad = copy.deepcopy(bad)
    bad.public_inputs[1] = 99  # claim another product
    run.proofs[0] = (bad, vk)
    failures = parent.check_constraints(run)
    assert failures and all("recursion.psy" in f.scope and "/recursion/" in f.scope for f in failures)
    run0 = parent.execute([[arg], [0]])  # verification switched off: any proof passes
    run0.proofs[0] = (bad, vk)
    assert parent.check_constraints(run0) == []


# --- E0214: a proof's values used where it is not verified (issue 12) ---------------------------
@pytest.mark.parametrize(
    ("src", "where", "text"),
    [
        # never verified: a parent could claim the output of a child proof that never existed
        ("fn main(p: Proof<2>) -> pub Felt {\n    p.public_inputs[1] + 1\n}\n", "2:5", "is never verified"),
        (
            'fn main(p: Proof<2>) {\n    assert_eq(p.fingerprint, [1, 2, 3, 4], "pin");\n}\n',
            "2:5",
            "is never verified",
        ),
        # verified only under a witness condition, used unconditionally
        (
            "use std::recursion;\nfn main(p: Proof<2>, c: bool) -> pub Felt {\n"
            "    if c { recursion::verify(p); }\n    p.public_inputs[1] + 1\n}\n",
            None,
            "only under a condition",
        ),
        # verified under c, used under !c
        (
            "use std::recursion;\nfn main(p: Proof<2>, c: bool) -> pub Felt {\n    let mut out = 0;\n"
            "    if c { recursion::verify(p); } else { out = p.public_inputs[0]; }\n    out\n}\n",
            None,
            "only under a condition",
        ),
        (
            'use std::recursion;\nfn main(p: Proof<2>, c: bool) {\n    if c { recursion::verify(p); }\n'
            '    assert_eq(p.public_inputs[0], 3, "x");\n}\n',
            "4:5",
            "use its values only inside the same `if`",
        ),
    ],
)
def test_unverified_proof_values_are_an_error(src, where, text):
    compile_error(src, "E0214", where, contains=text)


@pytest.mark.parametrize(
    "src",
    [
        "use std::recursion;\nfn main(p: Proof<2>) -> pub Felt {\n    recursion::verify(p);\n"
        "    p.public_inputs[1] + 1\n}\n",
        # used only under the verifying condition: a checked assert and a chosen value
        "use std::recursion;\nfn main(p: Proof<2>, c: bool) -> pub Felt {\n    let mut out = 0;\n"
        '    if c {\n        recursion::verify(p);\n        assert_eq(p.public_inputs[0], 3, "x");\n'
        "        out = p.public_inputs[1];\n    }\n    out\n}\n",
        # verified in the else branch, used there
        "use std::recursion;\nfn main(p: Proof<2>, c: bool) -> pub Felt {\n    let mut out = 0;\n"
        "    if c { out = 1; } else { recursion::verify(p); out = p.public_inputs[1]; }\n    out\n}\n",
        # a proof that is never used needs no verification
        "fn main(_p: Proof<2>, x: Felt) -> pub Felt { x }\n",
    ],
)
def test_verified_proof_values_compile(src):
    compile_src(src)


# --- dummy proofs: `{ dummy = true }` for a proof whose verification is switched off -------------
def test_dummy_proof_where_the_branch_is_not_taken_proves(in_circuit):
    from psyc.project.inputs import ProofArg

    parent, _ = in_circuit
    run = parent.execute([[ProofArg.dummy(2)], [0]])
    assert run.outputs == [0]
    assert parent.check_constraints(run) == []
    proof = parent.prove(run)
    parent.circuit().verify(proof)


def test_dummy_proof_never_passes_a_taken_verification(in_circuit):
    from psyc.project.inputs import ProofArg

    parent, arg = in_circuit
    with pytest.raises(ExecutionError, match="dummy proof") as e:
        parent.execute([[ProofArg.dummy(2)], [1]])
    assert e.value.code == "E0506"
    # a prover who skips the native check: the circuit rejects the dummy (and its zero key)
    run = parent.execute([[arg], [1]])
    real_key_fp = list(run.proofs[0][1].fingerprint)
    run.proofs[0] = parent.dummy_proof(2)
    failures = parent.check_constraints(run)
    assert failures and any("/recursion/" in f.scope for f in failures)
    assert list(run.proofs[0][1].fingerprint) != real_key_fp


def test_dummy_proof_in_an_inputs_file(tmp_path, child):
    src = parent(tmp_path, child, CONDITIONAL.replace("child.psy", "CHILD"),
                 "p = { dummy = true }\nc = false\n")
    prog = compile_path(src, OPTS)
    assert prog.execute(prog.read_inputs(tmp_path / "parent.inputs.toml")).outputs == [0]
    (tmp_path / "bad.toml").write_text("p = { dummy = 1 }\nc = false\n")
    with pytest.raises(CompileError, match="`dummy` must be `true`"):
        prog.read_inputs(tmp_path / "bad.toml")
    (tmp_path / "taken.toml").write_text("p = { dummy = true }\nc = true\n")
    with pytest.raises(ExecutionError, match="not a proof: it may only stand where its verification is"):
        prog.execute(prog.read_inputs(tmp_path / "taken.toml"))
