"""The GPU kernels' logic, run on the CPU: the CUDA sources compiled as C++ with the
emulation shim (psyc.backend_gpu.emulation), driven by the same host code as on a GPU
(psyc.backend_gpu.kernels), compared bit for bit with the numba backend."""

import numpy as np
import pytest

from psyc.backend_cpu import fri_kernels as fk
from psyc.backend_cpu import plonk_kernels as plk
from psyc.backend_cpu.backend import CpuBackend
from psyc.field.goldilocks import P, primitive_root_of_unity
from psyc.field.vector import batch_inverse_vec
from psyc.hash import poseidon_kernels as psk
from psyc.hash.merkle import MerkleTree
from psyc.iop.challenger import Challenger
from psyc.plonk import vanishing
from psyc.poly import ntt_kernels as nk
from psyc.poly.ntt import COSET_SHIFT, intt, lde_batch, twiddles

emulation = pytest.importorskip("psyc.backend_gpu.emulation")
if emulation.compiler() is None:  # pragma: no cover - every CI image has g++
    pytest.skip("no C++ compiler for the GPU kernel emulation", allow_module_level=True)


@pytest.fixture(scope="module")
def K():
    return emulation.emulated_kernels()


def rand(rng, *shape, full=True):
    """Random 64-bit values (non-canonical ones too: kernels must accept them) or field values."""
    hi = np.iinfo(np.uint64).max if full else P - 1
    return rng.integers(0, hi, size=shape, dtype=np.uint64, endpoint=True)


@pytest.mark.parametrize("log_n", [0, 1, 5, 12, 13, 17])
def test_dif_rows(K, log_n):
    rng = np.random.default_rng(log_n)
    rows = 1 if log_n >= 17 else 3
    a = rand(rng, rows, 1 << log_n)
    expect = a.copy()
    if log_n:
        nk.dif_batch(expect, twiddles(log_n))
    else:
        expect %= np.uint64(P)
    got = a.copy()
    K.dif_rows(got)
    np.testing.assert_array_equal(got, expect)


def test_intt_and_coset_lde(K):
    rng = np.random.default_rng(1)
    vals = rand(rng, 4, 1 << 9, full=False)
    np.testing.assert_array_equal(K.intt_rows(vals), intt(vals))
    coeffs = rand(rng, 5, 1 << 10, full=False)
    np.testing.assert_array_equal(K.coset_lde_rows(coeffs, 3, COSET_SHIFT), lde_batch(coeffs, 3))


def test_poseidon_permutation_and_known_answers(K):
    rng = np.random.default_rng(2)
    states = rand(rng, 37, 12)
    expect = states.copy()
    psk.permute_batch(expect)
    got = states.copy()
    K.permute_batch(got)
    np.testing.assert_array_equal(got, expect)
    from psyc.hash.constants import vector_file

    for kat in vector_file()["permutation_kats"]:
        st = np.array([kat["input"]], dtype=np.uint64)
        K.permute_batch(st)
        assert [int(v) for v in st[0]] == [int(v) for v in kat["output"]]


@pytest.mark.parametrize("m", [1, 4, 5, 8, 9, 16, 21])
def test_leaf_hashing_columns_rows_and_salt(K, m):
    rng = np.random.default_rng(m)
    mat = rand(rng, m, 64)
    expect = np.empty((64, 4), dtype=np.uint64)
    psk.hash_or_noop_columns(mat, expect)
    np.testing.assert_array_equal(K.hash_columns(mat), expect)
    rows = np.ascontiguousarray(mat.T)
    np.testing.assert_array_equal(K.hash_rows(rows), expect)
    salt = rand(rng, 4, 64, full=False)
    psk.hash_or_noop_columns(np.concatenate([mat, salt]), expect)
    np.testing.assert_array_equal(K.hash_columns(mat, salt), expect)


def test_merkle_tree_matches(K):
    rng = np.random.default_rng(3)
    lde = rand(rng, 11, 256, full=False)
    tree = MerkleTree(lde, 3, columns=True)
    levels = K.merkle_levels(K.hash_columns(lde), 3)
    assert len(levels) == len(tree.levels)
    for a, b in zip(levels, tree.levels, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bits", [0, 1, 6, 10])
def test_grind_finds_the_smallest_nonce(K, bits):
    ch = Challenger([1, 2, 3])
    ch.observe_elements([5, 6, 7, 8, 9])
    assert K.grind(ch.state, ch.input_buffer, bits) == ch.grind(bits)


def test_batch_inverse_and_zero(K):
    rng = np.random.default_rng(4)
    a = rand(rng, 1000, full=False) | np.uint64(1)
    np.testing.assert_array_equal(K.batch_inverse(a), batch_inverse_vec(a))
    a[517] = 0
    with pytest.raises(ZeroDivisionError):
        K.batch_inverse(a)


def _setup_permutation(rng, n=128, routed=7, chunk=3, num_ch=2):
    m = -(-routed // chunk)
    wires = rand(rng, routed, n, full=False)
    sigmas = rand(rng, routed, n, full=False)
    k_is = rand(rng, routed, full=False)
    xs = rand(rng, n, full=False)
    return wires, sigmas, k_is, xs, m, chunk, num_ch


def test_chunk_products_z_and_partial_products(K):
    rng = np.random.default_rng(5)
    wires, sigmas, k_is, xs, m, chunk, _ = _setup_permutation(rng)
    n = wires.shape[1]
    beta, gamma = 12345, 678910
    system = vanishing.permutation_products_system(wires.shape[0], chunk, tuple(int(k) for k in k_is))
    nums, dens = CpuBackend().permutation_products(system, wires, sigmas, k_is, xs, beta, gamma, chunk)
    for i in (0, 1, n - 1):  # the generated factors are the copy-constraint product's
        for c in range(m):
            js = range(c * chunk, min(wires.shape[0], (c + 1) * chunk))
            num = den = 1
            for j in js:
                w = int(wires[j, i])
                num = num * (w + beta * int(k_is[j]) * int(xs[i]) + gamma) % P
                den = den * (w + beta * int(sigmas[j, i]) + gamma) % P
            assert (int(nums[c, i]), int(dens[c, i])) == (num, den)
    gn, gd = K.chunk_products(wires, sigmas, k_is, xs, beta, gamma, chunk, m)
    np.testing.assert_array_equal(gn, nums)
    np.testing.assert_array_equal(gd, dens)
    dinv = batch_inverse_vec(dens)
    z, pps = np.empty(n, np.uint64), np.empty((m - 1, n), np.uint64)
    final = plk.z_and_partial_products(nums, dinv, z, pps)
    gz, gpps, gfinal = K.z_and_partial_products(nums, dinv)
    np.testing.assert_array_equal(gz, z)
    np.testing.assert_array_equal(gpps, pps)
    assert gfinal == int(final)
    inc = rand(rng, 300, full=False)
    phi = np.empty(300, np.uint64)
    total = plk.running_sum(inc, phi)
    gphi, gtotal = K.running_sum(inc)
    np.testing.assert_array_equal(gphi, phi)
    assert gtotal == int(total)


def _nxt(n_lde, blowup):
    from psyc.poly.ntt import bit_reverse

    positions = bit_reverse(np.arange(n_lde, dtype=np.uint64)[None, :])[0].astype(np.int64)
    return positions[(positions + blowup) % n_lde]


@pytest.mark.parametrize("zk", [False, True])
def test_permutation_and_lookup_terms(K, zk):
    """The generated vanishing-term kernels (CUDA from psyc.plonk.vanishing) against the
    CPU backend's (a tape from the same definition) on a 256-point domain."""
    from psyc.backend import QuotientDomain
    from psyc.backend_cpu.backend import CpuBackend
    from psyc.backend_gpu import GpuBackend
    from psyc.plonk import vanishing

    cpu, gpu = CpuBackend(), GpuBackend(K)
    rng = np.random.default_rng(6 + zk)
    n_lde, blowup = 256, 8
    wires, sigmas, k_is, xs, m, chunk, num_ch = _setup_permutation(rng, n=n_lde)
    zs = rand(rng, num_ch, n_lde, full=False)
    pps = rand(rng, num_ch, m - 1, n_lde, full=False)
    l0 = rand(rng, n_lde, full=False)
    domain = QuotientDomain(xs=xs, nxt=_nxt(n_lde, blowup), l0=l0, zh_inv=l0, lu=l0)
    active = rand(rng, n_lde, full=False) if zk else None
    betas, gammas = [int(v) for v in rand(rng, num_ch, full=False)], [int(v) for v in rand(rng, num_ch, full=False)]
    alphas, offsets = [int(v) for v in rand(rng, num_ch, full=False)], [int(v) for v in rand(rng, num_ch, full=False)]
    out0 = rand(rng, num_ch, n_lde, full=False)
    system = vanishing.permutation_system(wires.shape[0], chunk, num_ch, tuple(int(k) for k in k_is))
    args = (system, wires, sigmas, zs, pps, domain, betas, gammas, alphas, offsets, active)
    expect, got = out0.copy(), out0.copy()
    cpu.accumulate_permutation_terms(*args, expect)
    gpu.accumulate_permutation_terms(*args, got)
    np.testing.assert_array_equal(got, expect)

    L = 3
    lw = rand(rng, L, n_lde, full=False)
    sel, mult, table = (rand(rng, n_lde, full=False) for _ in range(3))
    helpers = rand(rng, num_ch, 3, n_lde, full=False)
    deltas = [int(v) for v in rand(rng, num_ch, full=False)]
    args = (vanishing.lookup_system(L, num_ch), lw, sel, mult, table, helpers, domain, deltas, alphas, offsets, active)
    expect, got = out0.copy(), out0.copy()
    cpu.accumulate_lookup_terms(*args, expect)
    gpu.accumulate_lookup_terms(*args, got)
    np.testing.assert_array_equal(got, expect)


def test_divide_by_zh(K):
    rng = np.random.default_rng(16)
    n_lde, blowup = 256, 8
    out0 = rand(rng, 2, n_lde, full=False)
    zh_small = rand(rng, blowup, full=False)
    from psyc.poly.ntt import bit_reverse

    positions = bit_reverse(np.arange(n_lde, dtype=np.uint64)[None, :])[0].astype(np.int64)  # natural index
    zh_inv = np.ascontiguousarray(zh_small[positions % blowup])
    expect = out0.copy()
    plk.divide_by_zh(expect, zh_inv)
    got = out0.copy()
    K.divide_by_zh(got, zh_inv)
    np.testing.assert_array_equal(got, expect)


def test_gate_quotients_generated_from_the_same_constraints(K):
    from psyc.plonk.gates import GateEvaluators, arithmetic_gate, base_sum_gate, public_input_gate
    from psyc.plonk.gates.lookup import lookup_gate
    from psyc.plonk.gates.poseidon import poseidon_gate

    gates = [arithmetic_gate(2), base_sum_gate(8), public_input_gate(), poseidon_gate(), lookup_gate(2)]
    rng = np.random.default_rng(7)
    n = 64
    wires = rand(rng, 140, n, full=False)
    consts = rand(rng, 4, n, full=False)
    sels = rand(rng, len(gates), n, full=False)
    pi = rand(rng, 4, full=False)
    alphas = rand(rng, 2, full=False)
    out0 = rand(rng, 2, n, full=False)
    expect = out0.copy()
    for g, gate in enumerate(gates):
        GateEvaluators.for_gate(gate).accumulate_quotient_terms(wires, consts, sels[g].copy(), pi, alphas, expect)
    got = out0.copy()
    K.gate_quotients(gates, wires, consts, sels, pi, alphas, got)
    np.testing.assert_array_equal(got, expect)


def test_fri_kernels(K):
    rng = np.random.default_rng(8)
    coeffs = rand(rng, 5, 512, full=False)
    ap = rand(rng, 5, 2, full=False)
    out0 = rand(rng, 512, 2, full=False)
    expect, got = out0.copy(), out0.copy()
    fk.combine_rows(coeffs, ap, expect)
    K.combine_rows(coeffs, ap, got)
    np.testing.assert_array_equal(got, expect)

    poly = rand(rng, 1024, 2, full=False)
    z0, z1 = 987654321, 123456789
    q = np.empty_like(poly)
    v = fk.divide_by_linear(poly, np.uint64(z0), np.uint64(z1), q)
    gq, gv = K.divide_by_linear(poly, z0, z1)
    np.testing.assert_array_equal(gq, q)
    assert gv == (int(v[0]), int(v[1]))

    for arity in (2, 16):
        expect = np.empty((1024 // arity, 2), np.uint64)
        fk.fold_coeffs(poly, arity, np.uint64(z0), np.uint64(z1), expect)
        np.testing.assert_array_equal(K.fold(poly, arity, z0, z1), expect)

    acc0 = rand(rng, 1024, 2, full=False)
    expect, got = acc0.copy(), acc0.copy()
    fk.scaled_add(expect, poly, np.uint64(z1), np.uint64(z0))
    K.scaled_add(got, poly, z1, z0)
    np.testing.assert_array_equal(got, expect)

    np.testing.assert_array_equal(K.ext_powers(z0, z1, 300), fk.ext_powers(np.uint64(z0), np.uint64(z1), 300))
    ev = np.zeros((5, 2), np.uint64)
    fk.combine_rows(np.ascontiguousarray(coeffs.T), fk.ext_powers(np.uint64(z0), np.uint64(z1), 512), ev)
    np.testing.assert_array_equal(K.eval_rows(coeffs, z0, z1), ev)


def test_powers_and_vector_ops(K):
    rng = np.random.default_rng(9)
    w = primitive_root_of_unity(10)
    from psyc.field.vector import add_vec, mul_vec, powers_vec, sub_vec

    np.testing.assert_array_equal(K.powers(w, 1000, 7), powers_vec(w, 1000, start=7))
    a, b = rand(rng, 333), rand(rng, 333)
    np.testing.assert_array_equal(K.mul(a, b), mul_vec(a, b))
    np.testing.assert_array_equal(K.add(a, b), add_vec(a, b))
    np.testing.assert_array_equal(K.sub(a, b), sub_vec(a, b))
