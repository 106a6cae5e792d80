"""Goldilocks base-field arithmetic: scalar (Python ints) and vector (numba uint64 kernels).

Oracles: plain Python-int arithmetic mod p everywhere, and galois.GF(p) (built once
below) for the same operations on the same inputs.
"""

from __future__ import annotations

import galois
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    NONCANONICAL_EDGES,
    P,
    arr,
    felts,
    ints,
    nonzero_u64s,
    u64_lists,
    u64_pair_lists,
    u64s,
)

from psyc import field as F
from psyc.field import goldilocks as g

GF = galois.GF(P)  # built once: the independent oracle for every test in this module


def gf(xs) -> galois.FieldArray:
    """galois array of the canonical representatives of arbitrary 64-bit ints."""
    return GF([int(x) % P for x in xs])


# --------------------------------------------------------------------------- constants


def test_constants():
    assert F.P == P == 18446744069414584321
    assert F.EPSILON == 2**64 % P == 2**32 - 1
    assert F.TWO_ADICITY == 32 and (P - 1) % 2**32 == 0 and ((P - 1) >> 32) % 2 == 1
    assert F.MULTIPLICATIVE_GENERATOR == 7 == int(GF.primitive_element)
    assert F.POWER_OF_TWO_GENERATOR == 1753635133440165772 == pow(7, (P - 1) >> 32, P)


def test_multiplicative_generator_generates():
    # 7 generates F_p^* iff 7^((p-1)/q) != 1 for every prime q | p-1
    for q in galois.factors(P - 1)[0]:
        assert pow(7, (P - 1) // q, P) != 1
    assert galois.is_primitive_root(7, P)


# --------------------------------------------------------------------------- scalars


@given(u64s, u64s)
def test_scalar_add_sub_mul(a, b):
    ga, gb = GF(a % P), GF(b % P)
    assert g.add(a, b) == (a + b) % P == int(ga + gb)
    assert g.sub(a, b) == (a - b) % P == int(ga - gb)
    assert g.mul(a, b) == (a * b) % P == int(ga * gb)
    for r in (g.add(a, b), g.sub(a, b), g.mul(a, b)):
        assert 0 <= r < P


@given(u64s)
def test_scalar_neg_canonical(a):
    assert g.neg(a) == (-a) % P == int(-GF(a % P))
    assert g.add(a, g.neg(a)) == 0
    assert g.canonical(a) == a % P
    assert 0 <= g.neg(a) < P


@given(nonzero_u64s, u64s)
def test_scalar_inverse_and_div(a, b):
    ia = g.inv(a)
    assert ia == int(GF(a % P) ** -1)
    assert a * ia % P == 1
    assert g.div(b, a) == int(GF(b % P) / GF(a % P))


@pytest.mark.parametrize("zero", [0, P])
def test_scalar_inverse_of_zero_raises(zero):
    with pytest.raises(ZeroDivisionError):
        g.inv(zero)
    with pytest.raises(ZeroDivisionError):
        g.div(5, zero)
    with pytest.raises(ZeroDivisionError):
        g.pow_(zero, -1)


@given(u64s, st.integers(min_value=0, max_value=2**70))
def test_scalar_pow(a, e):
    assert g.pow_(a, e) == pow(a, e, P) == int(GF(a % P) ** e)


@given(nonzero_u64s, st.integers(min_value=1, max_value=2**64))
def test_scalar_pow_negative_exponent(a, e):
    assert g.pow_(a, -e) == int(GF(a % P) ** -e)
    assert g.pow_(a, -e) * g.pow_(a, e) % P == 1


@given(st.lists(nonzero_u64s, max_size=20))
def test_scalar_batch_inverse(xs):
    out = g.batch_inverse(xs)
    assert out == [g.inv(x) for x in xs]
    if xs:
        assert out == np.reciprocal(gf(xs)).tolist()


@given(st.lists(nonzero_u64s, max_size=8), st.integers(min_value=0, max_value=8), st.sampled_from([0, P]))
def test_scalar_batch_inverse_zero_raises(xs, pos, zero):
    xs = list(xs)
    xs.insert(min(pos, len(xs)), zero)
    with pytest.raises(ZeroDivisionError):
        g.batch_inverse(xs)


@given(st.integers(min_value=-(2**63), max_value=2**63))
def test_signed_roundtrip(v):
    a = g.from_signed(v)
    assert 0 <= a < P and (a - v) % P == 0
    s = g.to_signed(a)
    assert -P // 2 < s <= P // 2 and (s - v) % P == 0
    assert g.to_signed(P - 1) == -1 and g.from_signed(-1) == P - 1


# --------------------------------------------------------------------------- roots of unity


@pytest.mark.parametrize("k", range(0, 33))
def test_primitive_root_of_unity_order(k):
    w = g.primitive_root_of_unity(k)
    assert 0 <= w < P
    assert pow(w, 1 << k, P) == 1
    if k > 0:
        # w^(2^(k-1)) = -1  <=>  order is exactly 2^k (not a proper divisor)
        assert pow(w, 1 << (k - 1), P) == P - 1
        assert pow(g.primitive_root_of_unity(k), 2, P) == g.primitive_root_of_unity(k - 1)
    else:
        assert w == 1
    # the same root galois would use (7^((p-1)/2^k)), which the NTT tests rely on
    assert w == pow(7, (P - 1) >> k, P) == int(GF.primitive_root_of_unity(1 << k))


def test_primitive_root_of_unity_2_32():
    assert g.primitive_root_of_unity(32) == 1753635133440165772 == pow(7, (P - 1) // 2**32, P)
    assert g.primitive_root_of_unity(1) == P - 1
    assert pow(g.primitive_root_of_unity(2), 2, P) == P - 1


@pytest.mark.parametrize("k", [-1, 33, 64])
def test_primitive_root_of_unity_out_of_range(k):
    with pytest.raises(ValueError):
        g.primitive_root_of_unity(k)


# --------------------------------------------------------------------------- as_field_array


def test_as_field_array_accepts_full_u64_range():
    vals = [0, 1, P - 1, P, 2**63, 2**64 - 1]
    a = F.as_field_array(vals)
    assert a.dtype == np.uint64 and ints(a) == vals  # no reduction, just conversion
    a2 = F.as_field_array([[1, 2], [2**64 - 1, 3]])
    assert a2.shape == (2, 2) and a2.dtype == np.uint64 and ints(a2) == [[1, 2], [2**64 - 1, 3]]
    b = np.arange(5, dtype=np.int64)
    assert F.as_field_array(b).dtype == np.uint64 and ints(F.as_field_array(b)) == [0, 1, 2, 3, 4]
    c = np.array([5, 6], dtype=np.uint64)
    assert F.as_field_array(c) is c or (F.as_field_array(c) == c).all()
    assert F.as_field_array([]).shape == (0,)


@pytest.mark.parametrize(
    "bad",
    [
        [-1],
        [0, 1, -5],
        [2**64],
        [1, 2**64 + 5],
        [[1, 2], [3, -1]],
        [[1, 2], [3, 2**65]],
        np.array([3, -2], dtype=np.int64),
        np.array([3, 2**64], dtype=object),
        np.array([-(2**70)], dtype=object),
    ],
)
def test_as_field_array_rejects_out_of_range(bad):
    with pytest.raises(ValueError):
        F.as_field_array(bad)


@pytest.mark.parametrize("op", [F.neg_vec, F.canonicalize_vec, F.batch_inverse_vec])
def test_vector_ops_reject_out_of_range(op):
    with pytest.raises(ValueError):
        op([1, -1])
    with pytest.raises(ValueError):
        op([1, 2**64])


@pytest.mark.parametrize("op", [F.add_vec, F.sub_vec, F.mul_vec])
def test_binary_vector_ops_reject_bad_input(op):
    with pytest.raises(ValueError):
        op([1, -1], [1, 2])
    with pytest.raises(ValueError):
        op([1, 2], [1, 2**64])
    with pytest.raises(ValueError):
        op(arr([1, 2, 3]), arr([1, 2]))  # shape mismatch


# --------------------------------------------------------------------------- vector ops


def _check_canonical(out: np.ndarray) -> None:
    assert out.dtype == np.uint64
    assert (out < np.uint64(P)).all()


@given(u64_pair_lists(max_size=24))
def test_add_sub_mul_vec(pair):
    xs, ys = pair
    a, b = arr(xs), arr(ys)
    a0, b0 = a.copy(), b.copy()
    for op, py, gop in (
        (F.add_vec, lambda x, y: (x + y) % P, np.add),
        (F.sub_vec, lambda x, y: (x - y) % P, np.subtract),
        (F.mul_vec, lambda x, y: (x * y) % P, np.multiply),
    ):
        out = op(a, b)
        _check_canonical(out)
        assert out.shape == a.shape
        expect = [py(x, y) for x, y in zip(xs, ys, strict=True)]
        assert ints(out) == expect
        if xs:
            assert gop(gf(xs), gf(ys)).tolist() == expect
        # list inputs behave the same as arrays
        assert ints(op(xs, ys)) == expect
    # inputs are not modified
    assert (a == a0).all() and (b == b0).all()


@given(u64_lists(max_size=24))
def test_neg_canonicalize_vec(xs):
    a = arr(xs)
    out = F.neg_vec(a)
    _check_canonical(out)
    assert ints(out) == [(-x) % P for x in xs]
    if xs:
        assert ints(out) == (-gf(xs)).tolist()
    c = F.canonicalize_vec(a)
    _check_canonical(c)
    assert ints(c) == [x % P for x in xs]
    assert ints(a) == xs


@pytest.mark.parametrize(
    "op, py",
    [
        (F.add_vec, lambda x, y: (x + y) % P),
        (F.sub_vec, lambda x, y: (x - y) % P),
        (F.mul_vec, lambda x, y: (x * y) % P),
    ],
)
def test_binary_vec_all_edge_pairs(op, py):
    """Every pair of edge values (canonical and non-canonical) in both argument slots."""
    edges = [0, 1, 2, 2**32 - 1, 2**32, 2**63, P - 2, P - 1, *NONCANONICAL_EDGES]
    xs = [x for x in edges for _ in edges]
    ys = [y for _ in edges for y in edges]
    out = op(arr(xs), arr(ys))
    _check_canonical(out)
    assert ints(out) == [py(x, y) for x, y in zip(xs, ys, strict=True)]


def test_vec_ops_preserve_shape_2d():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**64 - 1, (3, 5), dtype=np.uint64, endpoint=True)
    b = rng.integers(0, 2**64 - 1, (3, 5), dtype=np.uint64, endpoint=True)
    la, lb = ints(a), ints(b)
    m = F.mul_vec(a, b)
    assert m.shape == (3, 5)
    assert ints(m) == [
        [x * y % P for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(la, lb, strict=True)
    ]
    assert F.neg_vec(a).shape == (3, 5)
    assert ints(F.scale_vec(a, 3)) == [[x * 3 % P for x in r] for r in la]
    assert ints(F.pow_vec(a, 5)) == [[pow(x, 5, P) for x in r] for r in la]


def test_vec_ops_on_non_contiguous_input():
    base = arr([P + 1, 5, 2**64 - 1, 7, 11, 13])
    view = base[::2]
    assert not view.flags.c_contiguous
    assert ints(F.add_vec(view, view)) == [2 * x % P for x in ints(view)]
    assert ints(F.canonicalize_vec(view)) == [x % P for x in ints(view)]


@given(u64_lists(max_size=16), st.one_of(st.sampled_from([0, 1, 2, P - 1, P - 2, 2**64 - 1]), u64s))
def test_pow_vec(xs, e):
    out = F.pow_vec(arr(xs), e)
    _check_canonical(out)
    expect = [pow(x, e, P) for x in xs]
    assert ints(out) == expect
    if xs:
        assert (gf(xs) ** e).tolist() == expect


@pytest.mark.parametrize("e", [-1, 2**64, 2**70])
def test_pow_vec_bad_exponent(e):
    with pytest.raises(ValueError):
        F.pow_vec(arr([1, 2]), e)


@given(u64_lists(max_size=16), st.one_of(u64s, st.integers(min_value=-(2**70), max_value=2**70)))
def test_scale_vec(xs, s):
    out = F.scale_vec(arr(xs), s)
    _check_canonical(out)
    expect = [x * s % P for x in xs]
    assert ints(out) == expect
    if xs:
        assert (gf(xs) * GF(s % P)).tolist() == expect


@given(u64s, st.integers(min_value=0, max_value=40), u64s)
def test_powers_vec(base, n, start):
    out = F.powers_vec(base, n, start)
    _check_canonical(out)
    assert out.shape == (n,)
    assert ints(out) == [start * pow(base, i, P) % P for i in range(n)]
    assert ints(F.powers_vec(base, n)) == [pow(base, i, P) for i in range(n)]


@pytest.mark.parametrize("n", [4095, 4096, 4097, 10000])
def test_powers_vec_across_chunks(n):
    """The kernel works in 4096-element chunks, each seeded with base^lo."""
    base, start = 0xDEADBEEF12345, 3
    out = ints(F.powers_vec(base, n, start))
    acc = start
    for i in range(n):
        assert out[i] == acc, i
        acc = acc * base % P
    gal = (GF(start) * GF(base) ** np.arange(n)).tolist()
    assert out == gal


def test_powers_vec_of_root_of_unity_cycles():
    w = g.primitive_root_of_unity(4)
    out = ints(F.powers_vec(w, 17))
    assert out[0] == 1 and out[16] == 1 and len(set(out[:16])) == 16


@given(st.lists(nonzero_u64s, min_size=0, max_size=24))
def test_batch_inverse_vec(xs):
    a = arr(xs)
    out = F.batch_inverse_vec(a)
    _check_canonical(out)
    expect = [pow(x % P, P - 2, P) for x in xs]
    assert ints(out) == expect
    if xs:
        assert np.reciprocal(gf(xs)).tolist() == expect
    assert ints(F.mul_vec(a, out)) == [1] * len(xs)
    assert ints(a) == xs


@given(
    st.lists(nonzero_u64s, min_size=0, max_size=10),
    st.integers(min_value=0, max_value=10),
    st.sampled_from([0, P]),
)
def test_batch_inverse_vec_zero_raises(xs, pos, zero):
    xs = list(xs)
    xs.insert(min(pos, len(xs)), zero)
    with pytest.raises(ZeroDivisionError):
        F.batch_inverse_vec(arr(xs))


def test_batch_inverse_vec_large_multichunk():
    """More than one 2^14 chunk (parallel Montgomery batches)."""
    rng = np.random.default_rng(7)
    n = (1 << 14) * 2 + 123
    a = rng.integers(1, P - 1, n, dtype=np.uint64, endpoint=True)
    a[5] = P + 3  # non-canonical, still invertible
    a[-1] = 2**64 - 1
    out = F.batch_inverse_vec(a)
    _check_canonical(out)
    assert (F.mul_vec(a, out) == 1).all()
    for i in (0, 5, 16383, 16384, 30000, n - 1):
        assert int(out[i]) == pow(int(a[i]) % P, P - 2, P)
    # a zero in a later chunk is still detected
    for zpos in (0, 1 << 14, n - 1):
        b = a.copy()
        b[zpos] = P if zpos else 0
        with pytest.raises(ZeroDivisionError):
            F.batch_inverse_vec(b)


def test_batch_inverse_vec_2d():
    a = arr([[1, 2, 3], [P + 4, 5, 2**64 - 1]])
    out = F.batch_inverse_vec(a)
    assert out.shape == (2, 3)
    assert ints(out) == [[pow(x % P, P - 2, P) for x in r] for r in ints(a)]


@given(felts, felts, felts)
def test_vec_field_axioms(a, b, c):
    A, B, C = arr([a]), arr([b]), arr([c])
    assert (F.mul_vec(A, F.add_vec(B, C)) == F.add_vec(F.mul_vec(A, B), F.mul_vec(A, C))).all()
    assert (F.sub_vec(F.add_vec(A, B), B) == F.canonicalize_vec(A)).all()
    assert (F.add_vec(A, F.neg_vec(A)) == 0).all()
    assert (F.mul_vec(F.mul_vec(A, B), C) == F.mul_vec(A, F.mul_vec(B, C))).all()


# --- the inlined kernel helpers: the i128 multiply and the branch-free lane variants ---------

_EDGES = [0, 1, 2, 2**32 - 1, 2**32, 2**32 + 1, 2**63, P - 2, P - 1, P, P + 1, 2**64 - 2, 2**64 - 1]


def _helper_kernels():
    from numba import njit

    from psyc.field import field_kernels as fk

    @njit
    def run(a, b, out):
        for i in range(a.shape[0]):
            hi, lo = fk.mul_wide_u64(a[i], b[i])
            out[0, i] = hi
            out[1, i] = lo
            out[2, i] = fk.mul_nc_lanes_u64(a[i], b[i])
            out[3, i] = fk.add_nc_lanes_u64(a[i], fk.canon_lanes_u64(b[i]))
            out[4, i] = fk.canon_lanes_u64(a[i])
            out[5, i] = fk.mul_u64(a[i], b[i])
            hi, lo = fk.mul_wide_lanes_u64(a[i], b[i])
            out[6, i] = hi
            out[7, i] = lo

    return run


def test_kernel_helpers_on_edge_values():
    """Every pair of edge values, including the non-canonical range [p, 2^64): the 128-bit
    product is exact and the lane helpers agree with p-arithmetic (results may be
    non-canonical, never wrong)."""
    pairs = [(x, y) for x in _EDGES for y in _EDGES]
    a = np.array([x for x, _ in pairs], dtype=np.uint64)
    b = np.array([y for _, y in pairs], dtype=np.uint64)
    out = np.zeros((8, len(pairs)), dtype=np.uint64)
    _helper_kernels()(a, b, out)
    for i, (x, y) in enumerate(pairs):
        assert int(out[0, i]) << 64 | int(out[1, i]) == x * y
        assert int(out[2, i]) % P == x * y % P
        assert int(out[3, i]) % P == (x + y) % P
        assert int(out[4, i]) == x % P  # 2^64 < 2p: one subtraction canonicalises
        assert int(out[5, i]) == x * y % P
        assert int(out[6, i]) << 64 | int(out[7, i]) == x * y
