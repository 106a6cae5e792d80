"""Native hints for non-native (big-integer) arithmetic: the stdlib intrinsics
``__big_mod``, ``__big_div`` and ``__big_moddiv`` (``stdlib/bigint.psy``).

Big integers are little-endian vectors of 16-bit limbs. The *column* vectors these hints
read are not normalised: each element is a field element read as a signed integer (a value
above p/2 is negative), so a vector ``c`` stands for ``sum(signed(c[k]) * 2^(16k))`` — the
limb-wise products and differences a circuit forms before it checks carries. The hints
only compute witness values; ``stdlib/bigint.psy`` constrains every result.
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.field.goldilocks import P

LIMB_BITS = 16
NUM_LIMBS = 16  # a 256-bit number
QUOTIENT_LIMBS = NUM_LIMBS + 1
QUOTIENT_OFFSET = 1 << (LIMB_BITS * QUOTIENT_LIMBS - 1)  # __big_div returns q + 2^271: never negative


def signed(x: int) -> int:
    """A field element as a signed integer in (-p/2, p/2]."""
    return x - P if x > P // 2 else x


def value_of(cols: Sequence[int]) -> int:
    """The integer a column vector stands for."""
    return sum(signed(int(c)) << (LIMB_BITS * k) for k, c in enumerate(cols))


def to_limbs(x: int, n: int = NUM_LIMBS) -> list[int]:
    """``x`` (0 <= x < 2^(16n)) as n little-endian 16-bit limbs."""
    return [(x >> (LIMB_BITS * k)) & 0xFFFF for k in range(n)]


def big_mod(values: list[int], ncols: int) -> list[int]:
    """``__big_mod(cols, m)``: the canonical limbs of ``value(cols) mod value(m)``."""
    v, m = value_of(values[:ncols]), value_of(values[ncols:])
    return to_limbs(v % m) if m > 0 else [0] * NUM_LIMBS


def big_div(values: list[int], ncols: int) -> list[int]:
    """``__big_div(cols, m)``: ``floor(value(cols) / value(m)) + 2^271`` as 17 limbs (the
    offset keeps a negative quotient representable; out-of-range quotients give 0s,
    which the circuit's carry check then rejects)."""
    v, m = value_of(values[:ncols]), value_of(values[ncols:])
    if m <= 0:
        return [0] * QUOTIENT_LIMBS
    q = v // m + QUOTIENT_OFFSET
    return to_limbs(q, QUOTIENT_LIMBS) if 0 <= q < 1 << (LIMB_BITS * QUOTIENT_LIMBS) else [0] * QUOTIENT_LIMBS


def big_moddiv(values: list[int], nnum: int, nden: int) -> list[int]:
    """``__big_moddiv(num, den, m)``: the canonical limbs of ``num / den mod m`` (0 when
    ``den`` is not invertible: the circuit's check then fails)."""
    num, den = value_of(values[:nnum]), value_of(values[nnum : nnum + nden])
    m = value_of(values[nnum + nden :])
    if m <= 1:
        return [0] * NUM_LIMBS
    try:
        inv = pow(den % m, -1, m)
    except ValueError:
        return [0] * NUM_LIMBS
    return to_limbs(num * inv % m)
