"""The GPU backend on a CUDA device, bit for bit against the numba backend (``-m gpu``;
skipped without CuPy or a device)."""

import numpy as np
import pytest

from psyc.field.goldilocks import P

pytestmark = pytest.mark.gpu

runtime = pytest.importorskip("psyc.backend_gpu.runtime")
if not runtime.gpu_available():
    pytest.skip("no CUDA device (or no CuPy)", allow_module_level=True)


@pytest.fixture(scope="module")
def K():
    return runtime.device_kernels()


def rand(rng, *shape):
    return rng.integers(0, P, size=shape, dtype=np.uint64)


def host(a):
    return a.get()


@pytest.mark.parametrize("log_n", [1, 11, 12, 13, 16, 20])
def test_dif_matches_numba(K, log_n):
    from psyc.poly import ntt_kernels as nk
    from psyc.poly.ntt import twiddles

    rng = np.random.default_rng(log_n)
    a = rand(rng, 3, 1 << log_n)
    expect = a.copy()
    nk.dif_batch(expect, twiddles(log_n))
    d = K.asarray(a)
    K.dif_rows(d)
    np.testing.assert_array_equal(host(d), expect)


def test_lde_intt_merkle_match(K):
    from psyc.hash.merkle import MerkleTree
    from psyc.poly.ntt import intt, lde_batch

    rng = np.random.default_rng(1)
    coeffs = rand(rng, 20, 1 << 12)
    lde = lde_batch(coeffs, 3)
    d = K.coset_lde_rows(K.asarray(coeffs), 3, 7)
    np.testing.assert_array_equal(host(d), lde)
    np.testing.assert_array_equal(host(K.intt_rows(K.asarray(lde[:, : 1 << 12]))), intt(lde[:, : 1 << 12]))
    tree = MerkleTree(lde, 4, columns=True)
    levels = K.merkle_levels(K.hash_columns(d), 4)
    for a, b in zip(levels, tree.levels, strict=True):
        np.testing.assert_array_equal(host(a), b)


def test_poseidon_and_grind(K):
    from psyc.hash import poseidon_kernels as psk
    from psyc.iop.challenger import Challenger

    rng = np.random.default_rng(2)
    states = rng.integers(0, 2**64 - 1, size=(100_000, 12), dtype=np.uint64, endpoint=True)
    expect = states.copy()
    psk.permute_batch(expect)
    d = K.asarray(states)
    K.permute_batch(d)
    np.testing.assert_array_equal(host(d), expect)
    ch = Challenger([9, 9])
    ch.observe_elements([1, 2, 3])
    for bits in (8, 16, 20):
        assert K.grind(ch.state, ch.input_buffer, bits) == ch.grind(bits)


def test_scans_and_fri(K):
    from psyc.backend_cpu import fri_kernels as fk
    from psyc.backend_cpu import plonk_kernels as plk
    from psyc.field.vector import batch_inverse_vec

    rng = np.random.default_rng(3)
    nums, dens = rand(rng, 4, 1 << 16), rand(rng, 4, 1 << 16)
    dinv = batch_inverse_vec(dens)
    np.testing.assert_array_equal(host(K.batch_inverse(K.asarray(dens))), dinv)
    z, pps = np.empty(1 << 16, np.uint64), np.empty((3, 1 << 16), np.uint64)
    final = plk.z_and_partial_products(nums, dinv, z, pps)
    gz, gpps, gfinal = K.z_and_partial_products(K.asarray(nums), K.asarray(dinv))
    np.testing.assert_array_equal(host(gz), z)
    np.testing.assert_array_equal(host(gpps), pps)
    assert gfinal == int(final)
    poly = rand(rng, 1 << 17, 2)
    q = np.empty_like(poly)
    v = fk.divide_by_linear(poly, np.uint64(5), np.uint64(7), q)
    gq, gv = K.divide_by_linear(K.asarray(poly), 5, 7)
    np.testing.assert_array_equal(host(gq), q)
    assert gv == (int(v[0]), int(v[1]))
    out = np.empty((1 << 13, 2), np.uint64)
    fk.fold_coeffs(poly, 16, np.uint64(11), np.uint64(13), out)
    np.testing.assert_array_equal(host(K.fold(K.asarray(poly), 16, 11, 13)), out)
