"""NTTs, coset transforms, LDEs, bit reversal, transpose, evaluation and interpolation.

Convention under test (psyc/poly/ntt.py): ntt(c)[i] = c(w_n^i) with
w_n = primitive_root_of_unity(log2 n) = 7^((p-1)/n), which is also the root galois.ntt
uses (galois takes the smallest primitive root of p, 7, to the power (p-1)/n).
"""

from __future__ import annotations

import galois
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import P, arr, felts, ints, u64s

from psyc.field import Ext2, primitive_root_of_unity
from psyc.poly import (
    COSET_SHIFT,
    barycentric_eval_on_coset,
    bit_reverse,
    coset_intt,
    coset_ntt,
    eval_poly,
    interpolate,
    intt,
    lde,
    lde_batch,
    log2_strict,
    ntt,
    reverse_index_bits,
    transpose,
    twiddles,
)

GF = galois.GF(P)
RNG = np.random.default_rng(20260)


def rand_u64(shape, canonical=True) -> np.ndarray:
    hi = P - 1 if canonical else 2**64 - 1
    return RNG.integers(0, hi, shape, dtype=np.uint64, endpoint=True)


def horner(coeffs, x) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % P
    return acc


def naive_dft(coeffs, w) -> list[int]:
    n = len(coeffs)
    return [horner(coeffs, pow(w, i, P)) for i in range(n)]


def brev(i, log_n) -> int:
    return int(format(i, f"0{log_n}b")[::-1], 2) if log_n else 0


# --------------------------------------------------------------------------- helpers


def test_log2_strict():
    assert [log2_strict(1 << k) for k in range(40)] == list(range(40))
    for bad in (0, -1, -4, 3, 6, 12, 1023):
        with pytest.raises(ValueError):
            log2_strict(bad)


def test_reverse_index_bits_hand_checked():
    assert reverse_index_bits(0, 0) == 0
    assert reverse_index_bits(1, 3) == 4
    assert reverse_index_bits(3, 3) == 6
    assert reverse_index_bits(6, 4) == 6
    assert reverse_index_bits(1, 10) == 512
    assert [reverse_index_bits(i, 3) for i in range(8)] == [0, 4, 2, 6, 1, 5, 3, 7]


@pytest.mark.parametrize("log_n", range(0, 11))
def test_bit_reverse_1d(log_n):
    n = 1 << log_n
    a = rand_u64(n, canonical=False)
    b = bit_reverse(a)
    assert b.dtype == np.uint64 and b.shape == (n,)
    for i in range(n):
        assert b[reverse_index_bits(i, log_n)] == a[i]
        assert reverse_index_bits(reverse_index_bits(i, log_n), log_n) == i
    assert (bit_reverse(b) == a).all()  # involution
    assert sorted(ints(b)) == sorted(ints(a))


def test_bit_reverse_2d_rows():
    a = rand_u64((5, 16))
    b = bit_reverse(a)
    assert b.shape == (5, 16)
    for r in range(5):
        assert (b[r] == bit_reverse(a[r])).all()
    assert (bit_reverse(b) == a).all()


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (64, 64), (70, 130), (129, 5), (1, 200)])
def test_transpose(shape):
    a = rand_u64(shape, canonical=False)
    t = transpose(a)
    assert t.shape == shape[::-1] and t.dtype == np.uint64
    assert (t == a.T).all()
    assert (transpose(t) == a).all()


def test_twiddles_layout_and_read_only():
    tw = twiddles(4)
    # tw[h + k] = w_{2h}^k
    for h in (1, 2, 4, 8):
        w = primitive_root_of_unity(h.bit_length())
        assert ints(tw[h : 2 * h]) == [pow(w, k, P) for k in range(h)]
    itw = twiddles(4, inverse=True)
    assert (ints(tw[8:16])[1] * ints(itw[8:16])[1]) % P == 1
    with pytest.raises(ValueError):
        tw[1] = 5


# --------------------------------------------------------------------------- ntt / intt


@pytest.mark.parametrize("log_n", range(0, 11))
def test_ntt_vs_galois_and_naive(log_n):
    n = 1 << log_n
    c = rand_u64(n)
    cl = ints(c)
    e = ntt(c)
    assert e.dtype == np.uint64 and e.shape == (n,)
    w = primitive_root_of_unity(log_n)
    gal = galois.ntt(GF(cl)).tolist()
    assert ints(e) == gal
    if n <= 256:
        assert ints(e) == naive_dft(cl, w)
    else:
        for i in (0, 1, n // 2, n - 1, 77):
            assert int(e[i]) == horner(cl, pow(w, i, P))
    assert (ntt(c, bitrev_output=True) == bit_reverse(e)).all()
    assert ints(c) == cl  # input untouched


@pytest.mark.parametrize("log_n", range(0, 11))
def test_intt_roundtrip_and_vs_galois(log_n):
    n = 1 << log_n
    c = rand_u64(n)
    e = ntt(c)
    assert (intt(e) == c).all()
    assert (intt(bit_reverse(e), bitrev_input=True) == c).all()
    v = rand_u64(n)
    assert (ntt(intt(v)) == v).all()
    assert ints(intt(v)) == galois.intt(GF(ints(v))).tolist()


@pytest.mark.parametrize("log_n", range(1, 9))
def test_ntt_noncanonical_input(log_n):
    n = 1 << log_n
    c = rand_u64(n, canonical=False)
    c[0] = 2**64 - 1
    c[-1] = P
    reduced = [x % P for x in ints(c)]
    e = ntt(c)
    assert (e < np.uint64(P)).all()
    assert ints(e) == naive_dft(reduced, primitive_root_of_unity(log_n))
    assert ints(intt(c)) == galois.intt(GF(reduced)).tolist()
    assert ints(coset_ntt(c)) == ints(coset_ntt(arr(reduced)))


def test_ntt_size_one_canonicalises():
    """ntt of a length-1 vector is the identity map on field elements, so [p] -> [0].

    Every other size and every other transform returns canonical values; for n == 1
    no butterfly runs and the raw input comes back (BUG: ntt([p]) == [p]).
    """
    assert ints(ntt(arr([P]))) == [0]
    assert ints(ntt(arr([2**64 - 1]))) == [(2**64 - 1) % P]
    assert ints(ntt(arr([[P]]))) == [[0]]


@given(st.lists(u64s, min_size=4, max_size=4), st.lists(u64s, min_size=4, max_size=4))
def test_ntt_linear(xs, ys):
    a, b = arr(xs), arr(ys)
    s = arr([(x + y) % P for x, y in zip(xs, ys, strict=True)])
    lhs = ntt(s)
    rhs = [(u + v) % P for u, v in zip(ints(ntt(a)), ints(ntt(b)), strict=True)]
    assert ints(lhs) == rhs


def test_ntt_hand_checked_size_4():
    # w_4 = 7^((p-1)/4) = 2^48 in Goldilocks; c = 1 + 2x + 3x^2 + 4x^3
    w = primitive_root_of_unity(2)
    assert w == 2**48 % P and pow(w, 2, P) == P - 1
    e = ints(ntt(arr([1, 2, 3, 4])))
    assert e[0] == 10
    assert e[2] == (1 - 2 + 3 - 4) % P
    assert e[1] == (1 + 2 * w + 3 * (P - 1) + 4 * (P - w)) % P
    assert ints(ntt(arr([5, 0, 0, 0]))) == [5] * 4
    assert ints(ntt(arr([0, 1, 0, 0]))) == [1, w, P - 1, P - w]


def test_ntt_batch_rows_match_1d():
    m = rand_u64((6, 32))
    e = ntt(m)
    assert e.shape == (6, 32)
    for r in range(6):
        assert (e[r] == ntt(m[r])).all()
    assert (intt(e) == m).all()
    assert (ntt(m, bitrev_output=True) == bit_reverse(e)).all()


def test_ntt_2_14_parallel_path():
    """2^14 takes the intra-transform parallel kernel; compare with the batch kernel."""
    log_n = 14
    n = 1 << log_n
    c = rand_u64(n)
    e = ntt(c)
    e_batch = ntt(c.reshape(1, n))[0]  # dif_batch -> dif_serial path
    assert (e == e_batch).all()
    assert (intt(e) == c).all()
    w = primitive_root_of_unity(log_n)
    cl = ints(c)
    for i in (0, 1, 4097, n - 1):
        assert int(e[i]) == horner(cl, pow(w, i, P))


# --------------------------------------------------------------------------- cosets / LDE


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("shift", [COSET_SHIFT, 1, 3, P - 1, 2**64 - 1])
def test_coset_ntt(log_n, shift):
    n = 1 << log_n
    c = rand_u64(n)
    cl = ints(c)
    w = primitive_root_of_unity(log_n)
    e = coset_ntt(c, shift)
    expect = [horner(cl, shift * pow(w, i, P) % P) for i in range(n)]
    assert ints(e) == expect
    assert (coset_ntt(c, shift, bitrev_output=True) == bit_reverse(e)).all()
    assert (coset_intt(e, shift) == c).all()
    assert (coset_intt(bit_reverse(e), shift, bitrev_input=True) == c).all()


def test_coset_default_shift_is_7():
    assert COSET_SHIFT == 7
    c = rand_u64(8)
    w = primitive_root_of_unity(3)
    assert ints(coset_ntt(c)) == [horner(ints(c), 7 * pow(w, i, P) % P) for i in range(8)]
    assert (coset_ntt(c) == coset_ntt(c, 7)).all()


def test_coset_ntt_batch():
    m = rand_u64((3, 16))
    e = coset_ntt(m, 5)
    for r in range(3):
        assert (e[r] == coset_ntt(m[r], 5)).all()
    assert (coset_intt(e, 5) == m).all()


@pytest.mark.parametrize("log_n, rate_bits", [(0, 0), (0, 3), (1, 1), (2, 2), (3, 1), (4, 3), (5, 0)])
@pytest.mark.parametrize("shift", [COSET_SHIFT, 1, 11])
def test_lde_matches_evaluations(log_n, rate_bits, shift):
    n = 1 << log_n
    log_big = log_n + rate_bits
    big = 1 << log_big
    c = rand_u64(n)
    cl = ints(c)
    out = lde(c, rate_bits, shift)
    assert out.shape == (big,) and out.dtype == np.uint64
    w = primitive_root_of_unity(log_big)
    for i in range(big):
        # bit-reversed placement: position brev(i) holds c(shift * w_N^i)
        assert int(out[brev(i, log_big)]) == horner(cl, shift * pow(w, i, P) % P)
    batch = lde_batch(c.reshape(1, n), rate_bits, shift)
    assert batch.shape == (1, big) and (batch[0] == out).all()
    assert (lde_batch(c, rate_bits, shift) == out).all()  # 1-D input is one row
    # the same as a coset NTT of the zero-padded polynomial, in bit-reversed order
    padded = np.zeros(big, dtype=np.uint64)
    padded[:n] = c
    assert (out == coset_ntt(padded, shift, bitrev_output=True)).all()


def test_lde_batch_rows():
    m = rand_u64((5, 8), canonical=False)
    out = lde_batch(m, 2)
    assert out.shape == (5, 32)
    assert (out < np.uint64(P)).all()
    w = primitive_root_of_unity(5)
    for r in range(5):
        assert (out[r] == lde(m[r], 2)).all()
        row = [x % P for x in ints(m[r])]
        for i in (0, 3, 31):
            assert int(out[r, brev(i, 5)]) == horner(row, 7 * pow(w, i, P) % P)


def test_lde_large_parallel_path():
    """2^12 coefficients, rate 4 -> a 2^14 transform, parallel kernel in lde()."""
    c = rand_u64(1 << 12)
    out = lde(c, 2)
    out_b = lde_batch(c.reshape(1, -1), 2)[0]
    assert (out == out_b).all()
    w = primitive_root_of_unity(14)
    cl = ints(c)
    for i in (0, 1, 5000, (1 << 14) - 1):
        assert int(out[brev(i, 14)]) == horner(cl, 7 * pow(w, i, P) % P)
    # first n evaluations-on-subgroup recover c: interpolate back from the big coset
    assert (coset_intt(bit_reverse(out), 7)[: 1 << 12] == c).all()
    assert (coset_intt(bit_reverse(out), 7)[1 << 12 :] == 0).all()


# --------------------------------------------------------------------------- bad lengths


@pytest.mark.parametrize("n", [0, 3, 5, 6, 12])
def test_non_power_of_two_raises(n):
    a = np.ones(n, dtype=np.uint64)
    for f in (ntt, intt, coset_ntt, coset_intt, bit_reverse):
        with pytest.raises(ValueError):
            f(a)
    with pytest.raises(ValueError):
        lde(a, 1)
    with pytest.raises(ValueError):
        lde_batch(a.reshape(1, -1), 1)
    with pytest.raises(ValueError):
        ntt(np.ones((2, n), dtype=np.uint64))
    if n:
        with pytest.raises(ValueError):
            barycentric_eval_on_coset([1] * n, 7, Ext2(3, 4))


def test_bad_values_raise():
    with pytest.raises(ValueError):
        ntt([1, -1])
    with pytest.raises(ValueError):
        intt([1, 2**64])


# --------------------------------------------------------------------------- evaluation


@given(st.lists(felts, max_size=8), felts)
def test_eval_poly_base(coeffs, x):
    assert eval_poly(coeffs, x) == horner(coeffs, x)
    if coeffs:
        assert eval_poly(coeffs, x) == int(galois.Poly(coeffs[::-1], field=GF)(GF(x)))


@given(st.lists(felts, max_size=6), felts, felts)
def test_eval_poly_ext_point(coeffs, x0, x1):
    x = Ext2(x0, x1)
    naive = Ext2.zero()
    for i, c in enumerate(coeffs):
        naive = naive + c * x**i
    assert eval_poly(coeffs, x) == naive
    assert eval_poly([Ext2(c) for c in coeffs], x) == naive
    assert eval_poly(coeffs, Ext2(x0)) == Ext2(horner(coeffs, x0))


def test_eval_poly_matches_ntt():
    c = rand_u64(16)
    e = ntt(c)
    w = primitive_root_of_unity(4)
    assert [eval_poly(ints(c), pow(w, i, P)) for i in range(16)] == ints(e)


@given(st.lists(felts, min_size=1, max_size=6, unique=True), st.data())
def test_interpolate_base(xs, data):
    ys = data.draw(st.lists(felts, min_size=len(xs), max_size=len(xs)))
    coeffs = interpolate(xs, ys)
    assert len(coeffs) == len(xs)
    assert all(isinstance(c, int) and 0 <= c < P for c in coeffs)
    assert [eval_poly(coeffs, x) for x in xs] == ys
    gal = galois.lagrange_poly(GF(xs), GF(ys))
    assert coeffs == [int(v) for v in gal.coeffs[::-1]] + [0] * (len(xs) - len(gal.coeffs))


@given(st.lists(st.tuples(felts, felts), min_size=1, max_size=5, unique=True), st.data())
def test_interpolate_ext(pts, data):
    xs = [Ext2(a, b) for a, b in pts]
    ys = [Ext2(*t) for t in data.draw(st.lists(st.tuples(felts, felts), min_size=len(xs), max_size=len(xs)))]
    coeffs = interpolate(xs, ys)
    assert len(coeffs) == len(xs)
    assert [eval_poly(coeffs, x) for x in xs] == ys


def test_interpolate_recovers_polynomial():
    c = ints(rand_u64(8))
    w = primitive_root_of_unity(3)
    xs = [7 * pow(w, i, P) % P for i in range(8)]
    assert interpolate(xs, [horner(c, x) for x in xs]) == c
    # ext points, base-field polynomial: coefficients come back as base elements
    ext_xs = [Ext2(i, 2 * i + 1) for i in range(8)]
    coeffs = interpolate(ext_xs, [eval_poly(c, x) for x in ext_xs])
    assert coeffs == [Ext2(v) for v in c]


def test_interpolate_bad_input():
    with pytest.raises(ValueError):
        interpolate([1, 2], [3])
    with pytest.raises(ValueError):
        interpolate([1, 1], [3, 4])
    with pytest.raises(ValueError):
        interpolate([Ext2(1, 2), Ext2(1, 2)], [Ext2(3), Ext2(4)])


def test_interpolate_rejects_points_equal_mod_p():
    """1 and p + 1 are the same field element (psyc's scalar functions accept any int
    below 2^64), so the points are not distinct.

    BUG: the distinctness check compares raw Python ints, the Lagrange denominator is
    then 0, ``pow(0, p - 2, p)`` silently yields 0, and interpolate returns [0, 0],
    a polynomial that does not even pass through (1, 2).
    """
    with pytest.raises((ValueError, ZeroDivisionError)):
        interpolate([1, P + 1], [2, 3])


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("shift", [7, 1, 123456789])
def test_barycentric_matches_eval_and_interpolate(log_n, shift):
    n = 1 << log_n
    c = rand_u64(n)
    cl = ints(c)
    values = ints(coset_ntt(c, shift))  # values[i] = c(shift * w_n^i)
    for x in (Ext2(5, 6), Ext2(2**40 + 3, P - 9), Ext2(987654321)):
        got = barycentric_eval_on_coset(values, shift, x)
        assert got == eval_poly(cl, x)
        w = primitive_root_of_unity(log_n)
        pts = [shift * pow(w, i, P) % P for i in range(n)]
        assert got == eval_poly(interpolate(pts, values), x)
    # base-field point outside the coset
    assert barycentric_eval_on_coset(values, shift, 3) == Ext2(horner(cl, 3))
    # Ext2 values work too
    ext_vals = [Ext2(v, v + 1) for v in values]
    lifted = [
        Ext2(a, b)
        for a, b in zip(cl, ints(coset_intt(arr([(v + 1) % P for v in values]), shift)), strict=True)
    ]
    assert barycentric_eval_on_coset(ext_vals, shift, Ext2(8, 9)) == eval_poly(lifted, Ext2(8, 9))
    # base values given unreduced (negative, or p and above) mean their residues
    skewed = [v - P if i % 2 else v + P for i, v in enumerate(values)]
    assert barycentric_eval_on_coset(skewed, shift, Ext2(5, 6)) == eval_poly(cl, Ext2(5, 6))


def test_barycentric_point_on_coset_raises():
    values = [1, 2, 3, 4]
    with pytest.raises(ZeroDivisionError):
        barycentric_eval_on_coset(values, 7, Ext2(7))
