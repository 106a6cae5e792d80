"""Native GF(p^5) and ecGFp5 arithmetic (Pornin, "EcGFp5: a Specialized Elliptic Curve",
eprint 2022/274): the oracle for ``stdlib/gfp5.psy`` and ``stdlib/ecgfp5.psy`` and the
arithmetic of :mod:`psyc.sig.schnorr`.

* GF(p^5) = GF(p)[z]/(z^5 − 3), p the Goldilocks prime; an element is a tuple of its 5
  coefficients (constant first).
* The curve is ``y^2 = x(x^2 + 2x + 263z)``, of order 2n. ecGFp5 is the group of order n
  of the points that are not n-torsion, with ``P ⊕ Q = P + Q + N`` (N = (0, 0)). Adding N
  is an isomorphism onto the n-torsion subgroup E[n], so points are held here as affine
  points of E[n] (``None`` is its infinity, the group's neutral); the group element of an
  E[n] point (x, y) has encoding ``w = −y/x`` (0 for the neutral), exactly the spec's.
* Decoding ``w``: x is the root of ``x^2 − (w^2 − a)x + b`` that is a square in GF(p^5)
  (b is not a square, so exactly one root is), y = −w·x; it fails when the discriminant
  is not a square. The neutral (w = 0) decodes to ``None``.

Pure Python integers: natives run a few scalar multiplications per signature.
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.field.goldilocks import P

Fp5 = tuple[int, int, int, int, int]
Point = tuple[Fp5, Fp5] | None  # affine point of E[n]; None = infinity (the group's neutral)

# The group order (a 319-bit prime) and the curve constants a = 2, b = 263·z.
N = 1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241
ZERO: Fp5 = (0, 0, 0, 0, 0)
ONE: Fp5 = (1, 0, 0, 0, 0)
A: Fp5 = (2, 0, 0, 0, 0)
B: Fp5 = (0, 263, 0, 0, 0)
# z^p = ω·z with ω = 3^((p−1)/5), a primitive fifth root of unity: the Frobenius map is a
# coefficient-wise product with powers of ω.
OMEGA = pow(3, (P - 1) // 5, P)


def fp5(values: Sequence[int]) -> Fp5:
    """An element from 5 integers (each reduced mod p)."""
    if len(values) != 5:
        raise ValueError(f"a GF(p^5) element has 5 coefficients, got {len(values)}")
    return tuple(int(v) % P for v in values)  # type: ignore[return-value]


def add(a: Fp5, b: Fp5) -> Fp5:
    return tuple((x + y) % P for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def sub(a: Fp5, b: Fp5) -> Fp5:
    return tuple((x - y) % P for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def neg(a: Fp5) -> Fp5:
    return tuple(-x % P for x in a)  # type: ignore[return-value]


def scale(a: Fp5, k: int) -> Fp5:
    """``k·a`` for an integer (base-field) ``k``."""
    return tuple(x * k % P for x in a)  # type: ignore[return-value]


def mul(a: Fp5, b: Fp5) -> Fp5:
    """Schoolbook product; z^5 = 3 folds the high half back."""
    c = [0] * 9
    for i in range(5):
        for j in range(5):
            c[i + j] += a[i] * b[j]
    return tuple((c[k] + 3 * (c[k + 5] if k + 5 < 9 else 0)) % P for k in range(5))  # type: ignore[return-value]


def square(a: Fp5) -> Fp5:
    return mul(a, a)


def frobenius(a: Fp5, k: int = 1) -> Fp5:
    """``a^(p^k)``."""
    return tuple(x * pow(OMEGA, i * k, P) % P for i, x in enumerate(a))  # type: ignore[return-value]


def norm(a: Fp5) -> int:
    """``a^(1 + p + p^2 + p^3 + p^4)``, an element of GF(p)."""
    t = mul(frobenius(a, 1), frobenius(a, 2))  # a^(p + p^2)
    v = mul(t, frobenius(t, 2))  # a^(p + p^2 + p^3 + p^4)
    n = mul(a, v)
    assert n[1:] == (0, 0, 0, 0)
    return n[0]


def inverse(a: Fp5) -> Fp5:
    """``1/a`` (Itoh–Tsujii: a^(r−1) / N(a)); ZeroDivisionError for 0."""
    if a == ZERO:
        raise ZeroDivisionError("inverse of 0 in GF(p^5)")
    t = mul(frobenius(a, 1), frobenius(a, 2))
    v = mul(t, frobenius(t, 2))
    n = mul(a, v)[0]
    return scale(v, pow(n, P - 2, P))


def div(a: Fp5, b: Fp5) -> Fp5:
    return mul(a, inverse(b))


def is_square(a: Fp5) -> bool:
    """Quadratic residuosity (0 counts as a square): ``a`` is a square in GF(p^5) iff its
    norm is a square in GF(p)."""
    n = norm(a)
    return n == 0 or pow(n, (P - 1) // 2, P) == 1


def _sqrt_fp(x: int) -> int | None:
    """A square root in GF(p) (Tonelli–Shanks; p − 1 = 2^32·(2^32 − 1)), or None."""
    if x == 0:
        return 0
    if pow(x, (P - 1) // 2, P) != 1:
        return None
    q, s = P - 1, 0
    while q % 2 == 0:
        q, s = q // 2, s + 1
    z = 7  # a non-residue mod p
    m, c, t, r = s, pow(z, q, P), pow(x, q, P), pow(x, (q + 1) // 2, P)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2, i = t2 * t2 % P, i + 1
        b = pow(c, 1 << (m - i - 1), P)
        m, c, t, r = i, b * b % P, t * b * b % P, r * b % P
    return r


def _pow(a: Fp5, e: int) -> Fp5:
    r, base = ONE, a
    while e:
        if e & 1:
            r = mul(r, base)
        base, e = square(base), e >> 1
    return r


def sqrt(a: Fp5) -> Fp5 | None:
    """A square root of ``a`` in GF(p^5), or None when ``a`` is not a square:
    ``sqrt(a) = a^((r+1)/2) / sqrt(N(a))`` with r = (p^5 − 1)/(p − 1) (odd)."""
    if a == ZERO:
        return ZERO
    r = (P**5 - 1) // (P - 1)
    root_n = _sqrt_fp(norm(a))
    if root_n is None:
        return None
    x = scale(_pow(a, (r + 1) // 2), pow(root_n, P - 2, P))
    return x if square(x) == a else None


# ---------------------------------------------------------------------------------------
# the curve (affine points of E[n])
# ---------------------------------------------------------------------------------------


def on_curve(pt: Point) -> bool:
    if pt is None:
        return True
    x, y = pt
    return square(y) == mul(x, add(add(square(x), mul(A, x)), B))


def point_add(p1: Point, p2: Point) -> Point:
    """The group law (complete: doubling, opposite points and the neutral handled)."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if add(y1, y2) == ZERO:
            return None
        return point_double(p1)
    lam = div(sub(y2, y1), sub(x2, x1))
    x3 = sub(sub(sub(square(lam), A), x1), x2)
    return x3, sub(mul(lam, sub(x1, x3)), y1)


def point_double(pt: Point) -> Point:
    if pt is None:
        return None
    x, y = pt
    if y == ZERO:
        return None
    num = add(add(scale(square(x), 3), scale(mul(A, x), 2)), B)
    lam = div(num, scale(y, 2))
    x3 = sub(sub(square(lam), A), scale(x, 2))
    return x3, sub(mul(lam, sub(x, x3)), y)


def point_neg(pt: Point) -> Point:
    return None if pt is None else (pt[0], neg(pt[1]))


def point_mul(pt: Point, k: int) -> Point:
    """``k·pt`` (double-and-add, variable time: natives sign on the signer's machine)."""
    k %= N
    acc: Point = None
    for bit in bin(k)[2:] if k else "":
        acc = point_double(acc)
        if bit == "1":
            acc = point_add(acc, pt)
    return acc


def encode(pt: Point) -> Fp5:
    """The spec's encoding ``w`` (0 for the neutral)."""
    if pt is None:
        return ZERO
    x, y = pt
    return neg(div(y, x))


def decode_hints(w: Fp5) -> tuple[Fp5, Fp5] | None:
    """``(x, sqrt(x))`` of the E[n] point that ``w`` encodes (what the circuit's decoding
    takes as witness), or None when ``w`` encodes nothing or the neutral."""
    w = fp5(w)
    if w == ZERO:
        return None
    e = sub(square(w), A)
    delta = sub(square(e), scale(B, 4))
    root = sqrt(delta)
    if root is None:
        return None
    half = pow(2, P - 2, P)
    x = scale(add(e, root), half)
    t = sqrt(x)
    if t is None:
        x = scale(sub(e, root), half)
        t = sqrt(x)
        assert t is not None  # b is not a square: exactly one root is
    return x, t


def decode(w: Sequence[int]) -> Point:
    """The point that ``w`` encodes; ValueError when ``w`` is not a valid encoding."""
    w = fp5(w)
    if w == ZERO:
        return None
    hints = decode_hints(w)
    if hints is None:
        raise ValueError("not the encoding of an ecGFp5 point (the discriminant is not a square)")
    x = hints[0]
    return x, neg(mul(w, x))


def is_valid_encoding(w: Sequence[int]) -> bool:
    try:
        decode(w)
    except ValueError:
        return False
    return True


GENERATOR: Point = decode((4, 0, 0, 0, 0))  # the conventional generator: encoding w = 4


def mulgen(k: int) -> Point:
    """``k·G``."""
    return point_mul(GENERATOR, k)


def fp5_to_bytes(a: Fp5) -> bytes:
    """The spec's 40-byte encoding: each coefficient as 8 little-endian bytes."""
    return b"".join(int(x).to_bytes(8, "little") for x in a)


def fp5_from_bytes(data: bytes) -> Fp5:
    """Inverse of :func:`fp5_to_bytes`; ValueError for a length other than 40 or a
    coefficient ≥ p (the encoding is canonical)."""
    if len(data) != 40:
        raise ValueError(f"a GF(p^5) element is 40 bytes, got {len(data)}")
    values = [int.from_bytes(data[8 * i : 8 * i + 8], "little") for i in range(5)]
    if any(v >= P for v in values):
        raise ValueError("a coefficient is not below p (non-canonical encoding)")
    return tuple(values)  # type: ignore[return-value]


def scalar_to_bytes(k: int) -> bytes:
    """A scalar (0 ≤ k < n) as 40 little-endian bytes."""
    if not 0 <= k < N:
        raise ValueError("a scalar is below the group order n")
    return k.to_bytes(40, "little")


def scalar_from_bytes(data: bytes) -> int:
    """Inverse of :func:`scalar_to_bytes`; ValueError for a length other than 40 or a
    value ≥ n (the spec's ``Scalar::decode``)."""
    if len(data) != 40:
        raise ValueError(f"a scalar is 40 bytes, got {len(data)}")
    k = int.from_bytes(data, "little")
    if k >= N:
        raise ValueError("the scalar is not below the group order n (non-canonical)")
    return k


# ---------------------------------------------------------------------------------------
# the constants of std::ecgfp5's scalar multiplications
# ---------------------------------------------------------------------------------------

SCALAR_BITS = 320  # scalars enter circuits as 320 bits (10 u32 limbs, or 5 felts of 64 bits)
# The offset H that in-circuit double-and-add starts from: the point with the small
# encoding 7, whose discrete logarithm to G nobody knows, so no addition of a sum meets
# the formulas' exceptional cases (P = ±Q) except with negligible probability.
MUL_OFFSET: Point = decode((7, 0, 0, 0, 0))


def mul_correction() -> Point:
    """``−2^320·H``: what undoes the offset after 320 doublings."""
    return point_neg(point_mul(MUL_OFFSET, pow(2, SCALAR_BITS, N)))


if __name__ == "__main__":  # the constants of stdlib/ecgfp5.psy
    for name, pt in (("MUL_OFFSET", MUL_OFFSET), ("MUL_CORRECTION", mul_correction()), ("G", GENERATOR)):
        print(name, [*pt[0], *pt[1]])
