"""target/cache: fingerprints (fingerprint!) and child proofs wrapped into the standard
shape are computed once, reused across processes, and never read when an input changed."""

from __future__ import annotations

import pytest

import psyc.compiler as compiler
import psyc.recursion.shape as shape_mod
from psyc.compiler import CompileOptions, compile_path
from psyc.plonk.keys import proof_to_bytes

CHILD = "fn main(pub a: Felt, b: Felt) -> pub Felt { a * b }\n"
PARENT = """use std::recursion;
fn main(p: Proof<2>) -> pub Felt {
    recursion::verify(p);
    assert_eq(p.fingerprint, fingerprint!("child.psy"), "not a proof of the child circuit");
    p.public_inputs[1] + 1
}
"""


def _test_shape_options() -> CompileOptions:
    shape = shape_mod.test_shape()  # one FRI query, 2^11 rows: fast, no security
    return CompileOptions(config=shape.config, shape=shape)


def _forget_this_process() -> None:
    compiler._WRAPPED.clear()
    compiler._FINGERPRINTS.clear()


def _refuse(*args, **kwargs):
    raise AssertionError("recomputed although the cache holds it")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "child.psy").write_text(CHILD)
    # the shape's config but far fewer rows than its 2^11: a parent of the test shape wraps it
    child = compile_path(tmp_path / "child.psy", CompileOptions(config=shape_mod.test_shape().config))
    proof = child.prove(child.execute({"a": 3, "b": 5}))
    (tmp_path / "child.proof").write_bytes(proof_to_bytes(proof))
    (tmp_path / "child.proof.vk").write_bytes(child.circuit().verifier_data.to_bytes())
    (tmp_path / "parent.psy").write_text(PARENT)
    (tmp_path / "parent.inputs.toml").write_text('p = { proof = "child.proof" }\n')
    return tmp_path


def _run_parent(project):
    prog = compile_path(project / "parent.psy", _test_shape_options())
    return prog.execute(prog.read_inputs()).outputs


def test_wrapped_children_and_fingerprints_are_cached_on_disk(project, monkeypatch):
    _forget_this_process()
    assert _run_parent(project) == [16]
    cache = project / "target" / "cache"
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["fingerprint", "wrapped"]

    _forget_this_process()  # as a new process would
    with monkeypatch.context() as m:
        m.setattr(shape_mod, "wrap", _refuse)
        m.setattr(shape_mod, "wrapped_key", _refuse)
        assert _run_parent(project) == [16]  # nothing rebuilt or re-proved

    for entry in cache.iterdir():  # a corrupt entry is recomputed, not trusted
        entry.write_bytes(b"garbage")
    _forget_this_process()
    assert _run_parent(project) == [16]

    _forget_this_process()
    monkeypatch.setattr(shape_mod, "wrapped_key", _refuse)
    (project / "child.psy").write_text(CHILD.replace("a * b", "b * a"))  # another child source
    with pytest.raises(AssertionError, match="recomputed"):
        compile_path(project / "parent.psy", _test_shape_options())
