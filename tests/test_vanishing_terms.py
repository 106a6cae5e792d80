"""Every evaluator of the permutation and logUp terms agrees with their symbolic definition.

:mod:`psyc.plonk.vanishing` defines the terms once; the native verifier is generated from
it, and here each backend's quotient kernels (CPU numba, the GPU kernels compiled for the
CPU, a real GPU when present) are checked against it on random inputs, term order,
α-combination, the next-row lookup and the zero-knowledge switch included.
"""

from __future__ import annotations

import numpy as np
import pytest

from psyc.backend import BackendUnavailable, QuotientDomain, get_backend
from psyc.field.goldilocks import P
from psyc.plonk import vanishing, vanishing_eval

N = 16


def _backends():
    out = [pytest.param("cpu", id="cpu"), pytest.param("emulated", id="gpu-emulated")]
    out.append(pytest.param("gpu", id="gpu", marks=pytest.mark.gpu))
    return out


def _backend(name):
    if name == "emulated":
        emulation = pytest.importorskip("psyc.backend_gpu.emulation")
        if emulation.compiler() is None:
            pytest.skip("no C++ compiler for the GPU kernel emulation")
        from psyc.backend_gpu import GpuBackend

        return GpuBackend.emulated()
    try:
        return get_backend(name)
    except BackendUnavailable as e:
        pytest.skip(str(e))


def _rand(rng, *shape):
    return rng.integers(0, P, size=shape, dtype=np.uint64)


def _horner(terms, alpha):
    acc = 0
    for t in reversed(terms):
        acc = (acc * alpha + t) % P
    return acc


def _domain(be, rng):
    nxt = rng.permutation(N).astype(np.int64)
    host = QuotientDomain(xs=_rand(rng, N), nxt=nxt, l0=_rand(rng, N), zh_inv=_rand(rng, N), lu=_rand(rng, N))
    dev = QuotientDomain(**{k: be.to_device(v) for k, v in vars(host).items()})
    return host, dev


def _ints(a):
    return [int(v) for v in a]


def _accumulate(be, rng, rows, call):
    """Run an in-place ``accumulate_*`` on a random ``out``: (out before, out after) on the host."""
    out = _rand(rng, rows, N)
    dev_out = be.to_device(out.copy())
    call(dev_out)
    return out, be.to_host(dev_out)


def _check_combined(out, got, alphas, offsets, active, terms_at):
    """got[a, i] == out[a, i] + active[i] · offsets[a] · Σ_t alphas[a]^t terms_at(i)[t]."""
    for i in range(N):
        terms = [t % P for t in terms_at(i)]
        scale = 1 if active is None else int(active[i])
        for a in range(len(alphas)):
            assert int(got[a, i]) == (int(out[a, i]) + scale * offsets[a] * _horner(terms, alphas[a])) % P, (a, i)


@pytest.mark.parametrize("zk", [False, True])
@pytest.mark.parametrize("name", _backends())
def test_permutation_kernel_matches_the_definition(name, zk):
    be = _backend(name)
    rng = np.random.default_rng(7 + zk)
    R, chunk, C = 7, 3, 2  # chunks of 3, 3 and 1 wires
    m = -(-R // chunk)
    wires, sigmas, zs, pps = _rand(rng, R, N), _rand(rng, R, N), _rand(rng, C, N), _rand(rng, C, m - 1, N)
    k_is = [pow(7, j, P) for j in range(R)]
    betas, gammas, alphas, offsets = (_ints(_rand(rng, C)) for _ in range(4))
    active = _rand(rng, N) if zk else None
    host, dom = _domain(be, rng)
    dev = be.to_device
    system = vanishing.permutation_system(R, chunk, C, tuple(k_is))
    out, got = _accumulate(be, rng, C, lambda o: be.accumulate_permutation_terms(
        system, dev(wires), dev(sigmas), dev(zs), dev(pps), dom, betas, gammas, alphas, offsets,
        None if active is None else dev(active), o,
    ))  # fmt: skip

    def terms_at(i):
        x, j = int(host.xs[i]), int(host.nxt[i])
        terms = vanishing_eval.permutation_terms_at(
            _ints(zs[:, i]), _ints(zs[:, j]), _ints(pps[:, :, i].ravel()), _ints(wires[:, i]),
            _ints(sigmas[:, i]), k_is, x, int(host.l0[i]), betas, gammas, chunk,
        )  # fmt: skip
        assert len(terms) == C * (1 + m)
        return terms

    _check_combined(out, got, alphas, offsets, active, terms_at)


@pytest.mark.parametrize("zk", [False, True])
@pytest.mark.parametrize("name", _backends())
def test_lookup_kernel_matches_the_definition(name, zk):
    be = _backend(name)
    rng = np.random.default_rng(11 + zk)
    L, C = 3, 2
    looked, selector, mult, table = _rand(rng, L, N), _rand(rng, N), _rand(rng, N), _rand(rng, N)
    helpers = _rand(rng, C, 3, N)
    deltas, alphas, offsets = (_ints(_rand(rng, C)) for _ in range(3))
    active = _rand(rng, N) if zk else None
    host, dom = _domain(be, rng)
    dev = be.to_device
    out, got = _accumulate(be, rng, C, lambda o: be.accumulate_lookup_terms(
        vanishing.lookup_system(L, C), dev(looked), dev(selector), dev(mult), dev(table), dev(helpers), dom, deltas, alphas, offsets,
        None if active is None else dev(active), o,
    ))  # fmt: skip

    def terms_at(i):
        terms = vanishing_eval.lookup_terms_at(
            _ints(looked[:, i]), _ints(helpers[:, :, i].ravel()), _ints(helpers[:, 2, int(host.nxt[i])]),
            int(selector[i]), int(mult[i]), int(table[i]), int(host.l0[i]), deltas,
        )  # fmt: skip
        assert len(terms) == 4 * C
        return terms

    _check_combined(out, got, alphas, offsets, active, terms_at)


@pytest.mark.parametrize("name", _backends())
def test_boundary_kernel_matches_the_definition(name):
    be = _backend(name)
    rng = np.random.default_rng(13)
    C = 2
    zs, phis = _rand(rng, C, N), _rand(rng, C, N)
    alphas, offsets = _ints(_rand(rng, C)), _ints(_rand(rng, C))
    host, dom = _domain(be, rng)
    columns = be.to_device(np.concatenate([zs, phis]))
    out, got = _accumulate(
        be, rng, C, lambda o: be.accumulate_boundary_terms(columns, [1] * C + [0] * C, dom.lu, alphas, offsets, o)
    )
    _check_combined(
        out, got, alphas, offsets, None,
        lambda i: vanishing_eval.boundary_terms_at(_ints(zs[:, i]), _ints(phis[:, i]), int(host.lu[i])),
    )  # fmt: skip


def test_the_definitions_are_the_documented_formulas():
    # a term with a wrong sign or factor fails here even if every evaluator agreed on it
    w0, w1, s0, s1, k0, k1 = (vanishing.sympy.Symbol(n) for n in ("w0", "w1", "sigma0", "sigma1", "kx0", "kx1"))
    b, c, prev, cur = vanishing.beta, vanishing.gamma, vanishing.prev, vanishing.cur
    expected = cur * (w0 + b * s0 + c) * (w1 + b * s1 + c) - prev * (w0 + b * k0 + c) * (w1 + b * k1 + c)
    assert vanishing.sympy.expand(vanishing.permutation_chunk(2) - expected) == 0
    # logUp at a row with one lookup: h = 1/(d - w) and g = 1/(d - table) make terms 1 and 2 vanish
    d, w, t = 10, 3, 4
    h, g = pow(d - w, P - 2, P), pow(d - t, P - 2, P)
    terms = vanishing_eval.lookup_terms_at([w], [h, g, 5], [5 + h - 2 * g], 1, 2, t, 0, [d])
    assert [v % P for v in terms] == [0, 0, 0, 0]


def test_cached_term_evaluators_are_keyed_by_their_printers(tmp_path, monkeypatch):
    """Each cached evaluator of the terms is keyed by the text of the module that prints
    it (which terms a kind stands for, which inputs are base-field values, the function's
    frame), not only by the definitions': an edited printer never loads code the old one
    printed — the native verifier's and the recursive verifier's evaluators included."""
    import psyc.recursion.vanishing as rv
    from psyc.plonk import vanishing, vanishing_eval

    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path))

    def edited(path):
        copy = tmp_path / f"edited_{path.name}"
        copy.write_text(path.read_text() + "\n# edited\n")
        return copy

    def count(prefix):
        return len(list((tmp_path / "generated").glob(f"source_{prefix}_*")))

    calls = [
        (vanishing_eval, "_SELF", lambda: vanishing_eval._native.__wrapped__("boundary_z", ()), "vanishing_native_boundary_z"),
        (vanishing_eval, "_SELF", lambda: vanishing_eval._permutation_pairs.__wrapped__((3, 2, 1, (1, 7, 49))),
         "vanishing_pairs_permutation"),
        (rv, "_SELF", lambda: rv._circuit_evaluator.__wrapped__("lookup", (2, 1)), "vanishing_circuit_lookup"),
    ]
    for module, attr, make, prefix in calls:
        make()
        monkeypatch.setattr(module, attr, edited(getattr(module, attr)))
        make()
        assert count(prefix) == 2, prefix
    exprs = (vanishing.BOUNDARY_Z,)
    vanishing.evaluator.__wrapped__(exprs)
    text = vanishing._vanishing_text() + "\n# edited\n"
    monkeypatch.setattr(vanishing, "_vanishing_text", lambda: text)
    vanishing.evaluator.__wrapped__(exprs)
    assert count("vanishing_1") == 2
