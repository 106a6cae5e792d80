"""Native ecGFp5 arithmetic (Pornin, "EcGFp5: a Specialized Elliptic Curve", eprint
2022/274): the oracle for ``stdlib/ecgfp5.psy`` and the arithmetic of
:mod:`psyc.sig.schnorr`. The field GF(p^5) is :mod:`psyc.field.gfp5` (re-exported here).

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

from psyc.field.gfp5 import (  # noqa: F401  (re-exported: the curve's field)
    ONE,
    ZERO,
    Fp5,
    add,
    div,
    fp5,
    frobenius,
    inverse,
    is_square,
    mul,
    neg,
    norm,
    power,
    scale,
    sqrt,
    square,
    sub,
)
from psyc.field.goldilocks import P

Point = tuple[Fp5, Fp5] | None  # affine point of E[n]; None = infinity (the group's neutral)

# The group order (a 319-bit prime) and the curve constants a = 2, b = 263·z.
N = 1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241
A: Fp5 = (2, 0, 0, 0, 0)
B: Fp5 = (0, 263, 0, 0, 0)


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
