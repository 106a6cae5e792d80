"""The quadratic extension F_p[x]/(x^2 - 7): scalar Ext2 and the (n, 2) vector kernels.

Oracle: galois.GF(p^2) built with the irreducible polynomial x^2 - 7 (so the element
a0 + a1*x is the galois integer a1*p + a0, ``.vector()`` == [a1, a0]).
"""

from __future__ import annotations

import galois
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import P, arr, felts, ints, u64s

from psyc import field as F
from psyc.field import Ext2, ext_powers, reduce_with_powers

GF = galois.GF(P)
# verify=False skips galois' irreducibility check; test_w_is_a_non_residue proves it
GF2 = galois.GF(P, 2, irreducible_poly=galois.Poly([1, 0, P - 7], field=GF), verify=False)

exts = st.builds(Ext2, felts, felts)
nonzero_exts = exts.filter(lambda e: e != Ext2.zero())
raw_pairs = st.tuples(u64s, u64s)  # possibly non-canonical coordinates
nonzero_raw_pairs = raw_pairs.filter(lambda t: t[0] % P or t[1] % P)


def to_gf2(e: Ext2):
    return GF2(e.a1 * P + e.a0)


def from_gf2(x) -> Ext2:
    a1, a0 = (int(v) for v in x.vector())
    return Ext2(a0, a1)


# --------------------------------------------------------------------------- basics


def test_w_is_a_non_residue():
    """x^2 - 7 is irreducible over F_p iff 7 is a quadratic non-residue."""
    assert F.EXT_W == 7 and F.EXT_DEGREE == 2
    assert pow(7, (P - 1) // 2, P) == P - 1
    assert galois.Poly([1, 0, P - 7], field=GF).is_irreducible()


def test_constructor_reduces_and_helpers():
    assert Ext2(P + 3, -1) == Ext2(3, P - 1)
    assert Ext2(P + 3, -1).to_list() == [3, P - 1]
    assert Ext2(5) == Ext2.from_base(5) == Ext2.coerce(5) == Ext2(5, 0)
    assert Ext2.coerce(Ext2(1, 2)) == Ext2(1, 2)
    assert Ext2.zero() == Ext2(0, 0) and Ext2.one() == Ext2(1, 0)
    assert Ext2(5).is_base() and not Ext2(5, 1).is_base()
    assert Ext2(2**64 - 1, 2**64 - 2**32) == Ext2((2**64 - 1) % P, (2**64 - 2**32) % P)
    assert hash(Ext2(P + 1, 2)) == hash(Ext2(1, 2))
    x = Ext2(0, 1)
    assert x * x == Ext2(7)  # x^2 = W
    assert x**3 == Ext2(0, 7)


def test_hand_checked_product():
    # (2 + 3x)(5 + 4x) = 10 + 8x + 15x + 12*7 = 94 + 23x
    assert Ext2(2, 3) * Ext2(5, 4) == Ext2(94, 23)
    # (p-1 + x)^2 = 1 - 2x + 7
    assert Ext2(P - 1, 1) * Ext2(P - 1, 1) == Ext2(8, P - 2)


# --------------------------------------------------------------------------- vs galois


@given(exts, exts)
def test_arith_vs_galois(a, b):
    ga, gb = to_gf2(a), to_gf2(b)
    assert a + b == from_gf2(ga + gb)
    assert a - b == from_gf2(ga - gb)
    assert a * b == from_gf2(ga * gb)
    assert -a == from_gf2(-ga)
    if b != Ext2.zero():
        assert b.inverse() == from_gf2(gb**-1)
        assert a / b == from_gf2(ga / gb)
    for r in (a + b, a - b, a * b, -a):
        assert 0 <= r.a0 < P and 0 <= r.a1 < P


@given(exts, st.integers(min_value=0, max_value=2**130))
def test_pow_vs_galois(a, e):
    assert a**e == from_gf2(to_gf2(a) ** e)


@given(nonzero_exts, st.integers(min_value=1, max_value=2**70))
def test_negative_pow(a, e):
    assert a ** (-e) == from_gf2(to_gf2(a) ** (-e))
    assert a ** (-e) * a**e == Ext2.one()


@given(exts, felts)
def test_mixed_with_base_ints(a, c):
    ga, gc = to_gf2(a), GF2(c)
    assert a + c == c + a == from_gf2(ga + gc)
    assert a - c == from_gf2(ga - gc)
    assert c - a == from_gf2(gc - ga)
    assert a * c == c * a == from_gf2(ga * gc)
    if c:
        assert a / c == from_gf2(ga / gc)
    if a != Ext2.zero():
        assert c / a == from_gf2(gc / ga)


@given(exts)
def test_frobenius_is_conjugation(a):
    """a^p = a0 - a1*x (the non-trivial automorphism), a^(p^2) = a."""
    assert a**P == Ext2(a.a0, -a.a1)
    # norm a * a^p lies in the base field
    assert (a * a**P).is_base()


@pytest.mark.parametrize("zero", [Ext2(0, 0), Ext2(P, 0), Ext2(0, P), Ext2(P, 2 * P)])
def test_inverse_of_zero_raises(zero):
    with pytest.raises(ZeroDivisionError):
        zero.inverse()
    with pytest.raises(ZeroDivisionError):
        Ext2(1, 2) / zero
    with pytest.raises(ZeroDivisionError):
        _ = zero**-1


# --------------------------------------------------------------------------- axioms


@given(exts, exts, exts)
def test_ring_axioms(a, b, c):
    assert a * (b + c) == a * b + a * c
    assert (a + b) * c == a * c + b * c
    assert (a * b) * c == a * (b * c)
    assert (a + b) + c == a + (b + c)
    assert a * b == b * a and a + b == b + a
    assert a + Ext2.zero() == a and a * Ext2.one() == a
    assert a - a == Ext2.zero() and a + (-a) == Ext2.zero()
    assert a - b == a + (-b)


@given(nonzero_exts, exts)
def test_inverse_axioms(a, b):
    assert a * a.inverse() == Ext2.one()
    assert a.inverse().inverse() == a
    assert (b / a) * a == b
    assert a ** (P * P - 1) == Ext2.one()


@given(st.lists(exts, max_size=6), exts)
def test_reduce_with_powers_and_ext_powers(values, alpha):
    pows = ext_powers(alpha, len(values))
    assert len(pows) == len(values)
    naive = Ext2.zero()
    for i, v in enumerate(values):
        assert pows[i] == alpha**i
        naive = naive + v * alpha**i
    assert reduce_with_powers(values, alpha) == naive
    if values:
        gal = sum((to_gf2(v) * to_gf2(alpha) ** i for i, v in enumerate(values)), GF2(0))
        assert naive == from_gf2(gal)


# --------------------------------------------------------------------------- vector forms


def _ext_arr(pairs) -> np.ndarray:
    return arr([list(p) for p in pairs]).reshape(-1, 2)


def _as_exts(a: np.ndarray) -> list[Ext2]:
    return [Ext2(int(r[0]), int(r[1])) for r in a.reshape(-1, 2)]


def _canonical_pairs(out: np.ndarray) -> None:
    assert out.dtype == np.uint64 and out.shape[-1] == 2
    assert (out < np.uint64(P)).all()


def _raw_pair_lists(max_size=12):
    return st.integers(min_value=0, max_value=max_size).flatmap(
        lambda n: st.tuples(
            st.lists(raw_pairs, min_size=n, max_size=n), st.lists(raw_pairs, min_size=n, max_size=n)
        )
    )


@given(_raw_pair_lists())
def test_ext_vec_ops_match_scalar(pairs):
    xs, ys = pairs
    a, b = _ext_arr(xs), _ext_arr(ys)
    a0, b0 = a.copy(), b.copy()
    ea = [Ext2(*p) for p in xs]  # Ext2 reduces mod p on construction
    eb = [Ext2(*p) for p in ys]
    for op, scalar in (
        (F.ext_add_vec, lambda u, v: u + v),
        (F.ext_sub_vec, lambda u, v: u - v),
        (F.ext_mul_vec, lambda u, v: u * v),
    ):
        out = op(a, b)
        _canonical_pairs(out)
        assert out.shape == a.shape
        assert _as_exts(out) == [scalar(u, v) for u, v in zip(ea, eb, strict=True)]
        # the returned coordinates are the canonical ones, not just equal mod p
        assert ints(out) == [scalar(u, v).to_list() for u, v in zip(ea, eb, strict=True)]
    if xs:
        prod = GF2([e.a1 * P + e.a0 for e in ea]) * GF2([e.a1 * P + e.a0 for e in eb])
        assert _as_exts(F.ext_mul_vec(a, b)) == [from_gf2(v) for v in prod]
    assert (a == a0).all() and (b == b0).all()


@given(st.lists(st.tuples(raw_pairs, u64s), max_size=12))
def test_ext_scale_base_vec(items):
    a = _ext_arr([p for p, _ in items])
    s = arr([c for _, c in items])
    out = F.ext_scale_base_vec(a, s)
    _canonical_pairs(out)
    assert ints(out) == [(Ext2(*p) * c).to_list() for p, c in items]


@given(st.lists(nonzero_raw_pairs, max_size=12))
def test_ext_batch_inverse_vec(pairs):
    a = _ext_arr(pairs)
    out = F.ext_batch_inverse_vec(a)
    _canonical_pairs(out)
    assert ints(out) == [Ext2(*p).inverse().to_list() for p in pairs]
    assert ints(F.ext_mul_vec(a, out)) == [[1, 0]] * len(pairs)


@given(
    st.lists(nonzero_raw_pairs, max_size=8),
    st.integers(min_value=0, max_value=8),
    st.sampled_from([(0, 0), (P, 0), (0, P), (P, P)]),
)
def test_ext_batch_inverse_vec_zero_raises(pairs, pos, zero):
    pairs = list(pairs)
    pairs.insert(min(pos, len(pairs)), zero)
    with pytest.raises(ZeroDivisionError):
        F.ext_batch_inverse_vec(_ext_arr(pairs))


def test_ext_batch_inverse_vec_larger_and_noncanonical():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2**64 - 1, (3000, 2), dtype=np.uint64, endpoint=True)
    a[0] = [P, 5]  # non-canonical a0 (== 0)
    a[1] = [2**64 - 1, P + 1]
    a[2] = [1, 0]
    out = F.ext_batch_inverse_vec(a)
    _canonical_pairs(out)
    assert (F.ext_mul_vec(a, out) == np.array([1, 0], dtype=np.uint64)).all()
    for i in (0, 1, 2, 1234, 2999):
        assert Ext2(int(out[i, 0]), int(out[i, 1])) == Ext2(int(a[i, 0]), int(a[i, 1])).inverse()


def test_ext_vec_multidimensional_shape():
    rng = np.random.default_rng(4)
    a = rng.integers(0, 2**64 - 1, (2, 3, 2), dtype=np.uint64, endpoint=True)
    b = rng.integers(0, 2**64 - 1, (2, 3, 2), dtype=np.uint64, endpoint=True)
    out = F.ext_mul_vec(a, b)
    assert out.shape == (2, 3, 2)
    assert _as_exts(out) == [u * v for u, v in zip(_as_exts(a), _as_exts(b), strict=True)]
    inv = F.ext_batch_inverse_vec(a)
    assert inv.shape == (2, 3, 2)
    assert _as_exts(inv) == [u.inverse() for u in _as_exts(a)]


def test_ext_vec_bad_shapes():
    with pytest.raises(ValueError):
        F.ext_add_vec(arr([1, 2, 3]), arr([1, 2, 3]))  # last axis is not 2
    with pytest.raises(ValueError):
        F.ext_mul_vec(arr([[1, 2]]), arr([[1, 2], [3, 4]]))
    with pytest.raises(ValueError):
        F.ext_batch_inverse_vec(arr([1, 2, 3]))
    with pytest.raises(ValueError):
        F.ext_scale_base_vec(arr([[1, 2], [3, 4]]), arr([1, 2, 3]))
    with pytest.raises(ValueError):
        F.ext_sub_vec([[1, -2]], [[1, 2]])


@given(st.lists(nonzero_exts, min_size=0, max_size=20))
def test_batch_inverse(xs):
    from psyc.field.extension import batch_inverse

    assert batch_inverse(xs) == [x.inverse() for x in xs]


def test_batch_inverse_of_zero_raises():
    from psyc.field.extension import batch_inverse

    with pytest.raises(ZeroDivisionError):
        batch_inverse([Ext2(3, 1), Ext2.zero()])
