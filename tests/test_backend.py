"""The prover-backend seam: registry, protocol conformance, and the CPU reference's methods."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import psyc.backend
from psyc.backend import (
    BackendUnavailable,
    ProverBackend,
    available_backends,
    backend_names,
    get_backend,
)
from psyc.field.goldilocks import P
from psyc.hash import MerkleTree
from psyc.poly.ntt import COSET_SHIFT, lde_batch

PROTOCOL_METHODS = sorted(
    name for name, v in vars(ProverBackend).items() if callable(v) and not name.startswith("_")
)


def test_registry_names_and_default(monkeypatch):
    assert {"cpu", "gpu"} <= set(backend_names())
    monkeypatch.delenv("PSYC_BACKEND", raising=False)
    assert get_backend().name == "cpu"
    assert get_backend("CPU") is get_backend("cpu")
    monkeypatch.setenv("PSYC_BACKEND", "cpu")
    assert get_backend().name == "cpu"
    assert "cpu" in available_backends()


def test_unknown_backend_is_a_clear_error(monkeypatch):
    with pytest.raises(BackendUnavailable, match="unknown backend 'tpu'.*cpu"):
        get_backend("tpu")
    # an earlier CLI test in this process may have chosen a backend (--backend) over $PSYC_BACKEND
    monkeypatch.setattr(psyc.backend, "_process_default", None)
    monkeypatch.setenv("PSYC_BACKEND", "tpu")
    with pytest.raises(BackendUnavailable, match="unknown backend"):
        get_backend()


@pytest.mark.parametrize("name", backend_names())
def test_every_available_backend_implements_the_protocol(name):
    try:
        backend = get_backend(name)
    except BackendUnavailable as e:
        assert name != "cpu", e
        pytest.skip(str(e))
    assert isinstance(backend, ProverBackend)
    assert backend.name == name
    for method in PROTOCOL_METHODS:
        expected = list(inspect.signature(getattr(ProverBackend, method)).parameters)[1:]
        got = list(inspect.signature(getattr(backend, method)).parameters)
        assert got == expected, f"{name}.{method}{got} differs from the protocol's {expected}"


def test_protocol_covers_the_prover():
    # the methods the GPU backend implements (a change here is a change of the seam)
    assert "merkle_tree" in PROTOCOL_METHODS and "accumulate_gate_terms" in PROTOCOL_METHODS
    assert len(PROTOCOL_METHODS) >= 25


def test_cpu_merkle_openings_match_the_tree():
    be = get_backend("cpu")
    rng = np.random.default_rng(1)
    mat = rng.integers(0, P, size=(7, 64), dtype=np.uint64)
    levels = be.merkle_tree(mat, 2, columns=True)
    assert [lv.shape for lv in levels] == [(64 >> k, 4) for k in range(5)]
    tree = MerkleTree(mat.T.copy(), 2)
    assert [[int(v) for v in d] for d in levels[-1]] == tree.cap
    values, siblings = be.merkle_openings(mat, levels, [0, 5, 63], columns=True)
    for q, i in enumerate([0, 5, 63]):
        assert values[q].tolist() == tree.leaf(i)
        assert siblings[q].tolist() == tree.prove(i).siblings


def test_cpu_lde_and_inverse_transforms():
    be = get_backend("cpu")
    rng = np.random.default_rng(2)
    coeffs = rng.integers(0, P, size=(3, 16), dtype=np.uint64)
    lde = be.lde_rows(coeffs, 2, COSET_SHIFT)
    assert np.array_equal(lde, lde_batch(coeffs, 2))
    # an LDE with rate 0 is undone by coset_intt_rows
    values = be.lde_rows(coeffs, 0, COSET_SHIFT)
    assert np.array_equal(be.coset_intt_rows(values, COSET_SHIFT), coeffs)
    ext = rng.integers(0, P, size=(16, 2), dtype=np.uint64)
    ev = be.ext_lde(ext, COSET_SHIFT)
    assert np.array_equal(ev[:, 0], be.lde_rows(ext[:, 0].reshape(1, -1), 0, COSET_SHIFT)[0])


def test_cpu_batch_inverse_rejects_zero():
    be = get_backend("cpu")
    a = np.array([3, 5, 0], dtype=np.uint64)
    with pytest.raises(ZeroDivisionError):
        be.batch_inverse(a)
    inv = be.batch_inverse(a[:2])
    assert [(int(x) * int(y)) % P for x, y in zip(inv, a[:2], strict=True)] == [1, 1]


def test_cpu_lookup_helpers_balance_only_for_table_members():
    be = get_backend("cpu")
    n = 8
    table = np.arange(n, dtype=np.uint64)
    looked = np.array([[1, 2, 3, 3, 0, 0, 0, 0]], dtype=np.uint64)
    sel = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=np.uint64)
    mult = np.bincount(looked[0, :4].astype(np.int64), minlength=n).astype(np.uint64)
    helpers, total = be.lookup_helpers(looked, mult, table, sel, 12345)
    assert helpers.shape == (3, n) and total == 0
    _, total = be.lookup_helpers(looked, np.zeros(n, dtype=np.uint64), table, sel, 12345)
    assert total != 0
    with pytest.raises(ZeroDivisionError):
        be.lookup_helpers(looked, mult, table, sel, 3)


@pytest.fixture
def restore_default(monkeypatch):
    import psyc.backend as registry

    monkeypatch.setattr(registry, "_process_default", None)
    monkeypatch.delenv("PSYC_BACKEND", raising=False)
    yield registry


@pytest.mark.parametrize(
    "argv",
    [
        ["prove", "no-such-project", "--backend", "{b}"],
        ["aggregate", "no-such.proof", "-o", "root.proof", "--backend", "{b}"],
        ["bench", "--quick", "--only", "field", "--backend", "{b}"],
    ],
)
@pytest.mark.parametrize("backend", ["gpu", "tpu"])
def test_cli_backend_that_cannot_run_is_a_usage_error(argv, backend, restore_default, capsys, tmp_path, monkeypatch):
    from psyc.cli.main import main

    if backend in available_backends():
        pytest.skip(f"the {backend} backend runs here")
    monkeypatch.chdir(tmp_path)
    rc = main([a.format(b=backend) for a in argv])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("error: ") and backend in err.lower(), err
    assert "Traceback" not in err
    assert restore_default._process_default is None  # the default did not change
    assert not (tmp_path / "root.proof").exists()


def test_cli_env_backend_is_checked_too(restore_default, capsys, tmp_path, monkeypatch):
    from psyc.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PSYC_BACKEND", "tpu")
    assert main(["prove", "no-such-project"]) == 2
    assert "unknown backend 'tpu'" in capsys.readouterr().err


def test_cli_backend_cpu_sets_the_process_default(restore_default, capsys, tmp_path, monkeypatch):
    from psyc.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PSYC_BACKEND", "tpu")  # the flag wins over the environment
    rc = main(["prove", "no-such-project", "--backend", "cpu"])
    err = capsys.readouterr().err
    assert rc != 0 and "does not exist" in err  # the project's error, after the backend was chosen
    assert "backend" not in err
    assert restore_default._process_default == "cpu"
