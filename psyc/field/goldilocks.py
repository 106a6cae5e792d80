"""Goldilocks field p = 2^64 - 2^32 + 1 on Python ints (scalar reference arithmetic).

Values are plain ``int``; every function accepts any non-negative int below 2^64
(so non-canonical inputs in [p, 2^64) work) and returns a canonical value in [0, p).
"""

from __future__ import annotations

P: int = 0xFFFFFFFF00000001
ORDER: int = P
EPSILON: int = 0xFFFFFFFF
MULTIPLICATIVE_GENERATOR: int = 7
TWO_ADICITY: int = 32
POWER_OF_TWO_GENERATOR: int = 1753635133440165772  # 7^((p-1)/2^32)
CANONICAL_BITS: int = 64


def canonical(a: int) -> int:
    return a % P


def add(a: int, b: int) -> int:
    return (a + b) % P


def sub(a: int, b: int) -> int:
    return (a - b) % P


def neg(a: int) -> int:
    return (-a) % P


def mul(a: int, b: int) -> int:
    return (a * b) % P


def pow_(a: int, e: int) -> int:
    """a^e mod p; negative exponents invert first."""
    if e < 0:
        return pow(inv(a), -e, P)
    return pow(a % P, e, P)


def inv(a: int) -> int:
    a %= P
    if a == 0:
        raise ZeroDivisionError("0 has no inverse in the Goldilocks field")
    return pow(a, P - 2, P)


def div(a: int, b: int) -> int:
    return mul(a, inv(b))


def primitive_root_of_unity(log_n: int) -> int:
    """A generator of the order-2^log_n subgroup, consistent across sizes (w_{2n}^2 = w_n)."""
    if not 0 <= log_n <= TWO_ADICITY:
        raise ValueError(f"no 2^{log_n}-th root of unity in Goldilocks (max 2^{TWO_ADICITY})")
    return pow(POWER_OF_TWO_GENERATOR, 1 << (TWO_ADICITY - log_n), P)


def batch_inverse(xs: list[int]) -> list[int]:
    """Montgomery's trick: n inversions for one field inversion and 3n multiplications."""
    prefix = []
    acc = 1
    for x in xs:
        if x % P == 0:
            raise ZeroDivisionError("batch_inverse: input contains 0")
        prefix.append(acc)
        acc = acc * x % P
    inv_acc = inv(acc)
    out = [0] * len(xs)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = prefix[i] * inv_acc % P
        inv_acc = inv_acc * xs[i] % P
    return out


def from_signed(v: int) -> int:
    """Map a signed integer (e.g. -1) to its field element."""
    return v % P


def to_signed(a: int) -> int:
    """Centred representative in (-p/2, p/2], handy for diagnostics."""
    a %= P
    return a - P if a > P // 2 else a
