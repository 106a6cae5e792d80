"""GF(p^5) = GF(p)[z]/(z^5 − 3) over Goldilocks: the base field of the ecGFp5 curve
(``psyc.sig.ecgfp5``) and the native side of ``std::gfp5`` (its division hint,
``__gfp5_div``, runs :func:`div_or_zero`). An element is a tuple of its 5 coefficients,
constant first. Pure Python integers: a few thousand operations per use.
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.field.goldilocks import P

Fp5 = tuple[int, int, int, int, int]

ZERO: Fp5 = (0, 0, 0, 0, 0)
ONE: Fp5 = (1, 0, 0, 0, 0)
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


def power(a: Fp5, e: int) -> Fp5:
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
    x = scale(power(a, (r + 1) // 2), pow(root_n, P - 2, P))
    return x if square(x) == a else None


def div_or_zero(values: Sequence[int]) -> list[int]:
    """``std::gfp5``'s division hint: ``a/b`` for ``values = a ++ b``, or 0 when b = 0 (the
    circuit's check then fails with its own message; in an untaken branch nothing fails)."""
    a, b = fp5(values[:5]), fp5(values[5:10])
    return list(ZERO) if b == ZERO else list(div(a, b))
