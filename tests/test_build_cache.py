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


# --- the preprocessed commitment (psyc.plonk.build.cached_commitment) -------------------------------
def _small_circuit(c: int = 5):
    from psyc.plonk.builder import CircuitBuilder

    b = CircuitBuilder()
    x, y = b.add_virtual_targets(2)
    acc = x
    for _ in range(200):
        acc = b.mul_add(acc, y, b.constant(c))
    b.register_public_input(acc)
    return b, x, y


@pytest.fixture
def commit_cache(tmp_path, monkeypatch):
    """The user's build cache in ``tmp_path``, and every commitment of 2^6 LDE leaves or
    more cached (the default threshold is for circuits of 2^11 rows)."""
    import psyc.plonk.build as build
    from psyc.util.build_cache import BuildCache

    monkeypatch.setattr(BuildCache, "user", classmethod(lambda cls: cls(directory=tmp_path)))
    monkeypatch.setattr(build, "CACHED_MIN_LEAVES", 64)
    return tmp_path


def _same_batch(a, b) -> None:
    import numpy as np

    assert a.cap == b.cap
    assert all(np.array_equal(x, y) for x, y in zip(a.tree.levels, b.tree.levels, strict=True))
    assert np.array_equal(a.lde, b.lde) and np.array_equal(a.coeffs, b.coeffs)
    assert (a.degree_bits, a.rate_bits, a.cap_height, a.blinding) == (b.degree_bits, b.rate_bits, b.cap_height,
                                                                        b.blinding)


def test_preprocessed_commitment_is_read_back_and_proves(commit_cache, monkeypatch):
    """The second build of the same circuit hashes no Merkle tree: it reads the first one's,
    which equals it (cap, every level, LDE), and its proofs verify."""
    from psyc.backend_cpu.backend import CpuBackend
    from psyc.plonk.witness import PartialWitness

    b, _, _ = _small_circuit()
    first = b.build()
    assert len(list(commit_cache.glob("preprocessed-*"))) == 1
    b, x, y = _small_circuit()
    monkeypatch.setattr(CpuBackend, "merkle_tree", _refuse)
    second = b.build()
    _same_batch(first.prover_only.constants_sigmas, second.prover_only.constants_sigmas)
    assert second.verifier_data.fingerprint == first.verifier_data.fingerprint
    monkeypatch.undo()  # the prover's own trees
    pw = PartialWitness()
    pw.set_targets([x, y], [3, 4])
    second.verify(second.prove(pw))


@pytest.mark.parametrize("damage", ["other tree", "truncated", "not canonical"])
def test_preprocessed_commitment_entry_that_does_not_match_is_recomputed(commit_cache, damage):
    """An entry with a valid tag but the wrong tree (another circuit's, of the same size),
    cut short, or holding a non-field element is not used: the tree is hashed again, the
    key is the one a fresh build gives, and the entry is replaced."""
    import numpy as np

    from psyc.field.goldilocks import P
    from psyc.util.build_cache import BuildCache

    fresh = _small_circuit(5)[0].build()
    (entry,) = commit_cache.glob("preprocessed-*")
    kind, key = entry.name.split("-", 1)
    cache = BuildCache.user()
    good = cache.get(kind, key)
    if damage == "other tree":
        for e in commit_cache.glob("preprocessed-*"):
            e.unlink()
        _small_circuit(6)[0].build()  # same shape, other constants
        (other,) = commit_cache.glob("preprocessed-*")
        bad = cache.get(*other.name.split("-", 1))
        assert bad != good and len(bad) == len(good)
    elif damage == "truncated":
        bad = good[:-32]
    else:
        levels = np.frombuffer(good, dtype=np.uint64).copy()
        levels[0] = P
        bad = levels.tobytes()
    cache.put(kind, key, bad)
    again = _small_circuit(5)[0].build()
    _same_batch(fresh.prover_only.constants_sigmas, again.prover_only.constants_sigmas)
    assert again.verifier_data.fingerprint == fresh.verifier_data.fingerprint
    assert cache.get(kind, key) == good


def test_preprocessed_commitment_entries_are_evicted_least_recently_used(commit_cache, monkeypatch):
    """The commitment entries stay under PREPROCESSED_CACHE_BYTES: a new entry evicts the
    least recently used (a read counts as a use)."""
    import time

    import psyc.plonk.build as build

    def entries() -> set[str]:
        return {e.name for e in commit_cache.glob("preprocessed-*")}

    _small_circuit(5)[0].build()
    (a,) = entries()
    size = (commit_cache / a).stat().st_size
    monkeypatch.setattr(build, "PREPROCESSED_CACHE_BYTES", 2 * size)  # room for two
    time.sleep(0.01)
    _small_circuit(6)[0].build()
    (b,) = entries() - {a}
    time.sleep(0.01)
    _small_circuit(5)[0].build()  # a read: `a` is now the most recently used
    time.sleep(0.01)
    _small_circuit(7)[0].build()
    assert a in entries() and b not in entries() and len(entries()) == 2
