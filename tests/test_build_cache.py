"""target/cache: fingerprints (fingerprint!) and child proofs wrapped into the standard
shape are computed once, reused across processes, and never read when an input changed."""

from __future__ import annotations

from pathlib import Path

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


# --- the psyc build id in every key -----------------------------------------------------------------


def test_build_id_follows_a_symlinked_folder(tmp_path):
    """In a source checkout psyc/stdlib is a symlink to stdlib/: the build id hashes the files
    behind the link, so an edited stdlib file changes every cache key; a link cycle ends."""
    from psyc.project.cache import source_files, tree_id

    real = tmp_path / "stdlib"
    (real / "sub").mkdir(parents=True)
    (real / "hash.psy").write_text("fn a() -> Felt { 1 }\n")
    (real / "sub" / "x.psy").write_text("fn b() -> Felt { 2 }\n")
    (real / "sub" / "loop").symlink_to(real)
    pkg = tmp_path / "pkg"
    (pkg / "__pycache__").mkdir(parents=True)
    (pkg / "__pycache__" / "junk.py").write_text("")
    (pkg / "compiler.py").write_text("X = 1\n")
    (pkg / "stdlib").symlink_to(Path("..") / "stdlib")  # as psyc/stdlib -> ../stdlib
    assert [rel for rel, _ in source_files(pkg)] == ["compiler.py", "stdlib/hash.psy", "stdlib/sub/x.psy"]
    before = tree_id(pkg, "0.1")
    assert tree_id(pkg, "0.1") == before and tree_id(pkg, "0.2") != before
    (real / "hash.psy").write_text("fn a() -> Felt { 3 }\n")
    assert tree_id(pkg, "0.1") != before


def test_build_id_covers_the_stdlib():
    """Every stdlib source, however the package reaches it, is part of psyc_build_id."""
    import psyc
    from psyc.frontend.modules import stdlib_dir
    from psyc.project.cache import source_files

    hashed = {path.resolve() for _, path in source_files(Path(psyc.__file__).parent)}
    std = {p.resolve() for p in stdlib_dir().rglob("*.psy")}  # rglob enters the folder it starts from
    assert std and std <= hashed, sorted(map(str, std - hashed))
