"""Native hints for non-native (big-integer) arithmetic: the stdlib intrinsics
``__big_mod``, ``__big_div``, ``__big_moddiv``, ``__big_mulmod`` and ``__big_muldiv``
(``stdlib/bigint.psy``), and ``__big_glv``, secp256k1's GLV split of a scalar
(``stdlib/secp256k1.psy``).

Big integers are little-endian vectors of 13-bit limbs (``psyc.plonk.gates.bigint``). The
vectors these hints read are not normalised: each element is a field element read as a
signed integer (a value above p/2 is negative), so a vector ``c`` stands for
``sum(signed(c[k]) * 2^(13k))`` — the limb-wise differences a circuit forms before it checks
a relation. The hints only compute witness values; ``stdlib/bigint.psy`` constrains every
result.
"""

from __future__ import annotations

from collections.abc import Sequence

from psyc.field.goldilocks import P
from psyc.plonk.gates.bigint import LIMB_BITS, MODULI, quotient_offset

NUM_LIMBS = 20  # 260 bits: a 256-bit number and room for sums
QUOTIENT_LIMBS = NUM_LIMBS + 1
QUOTIENT_OFFSET = quotient_offset(NUM_LIMBS)  # quotients are returned as q + 2^272: never negative


def signed(x: int) -> int:
    """A field element as a signed integer in (-p/2, p/2]."""
    return x - P if x > P // 2 else x


def value_of(cols: Sequence[int]) -> int:
    """The integer a limb (or column) vector stands for."""
    return sum(signed(int(c)) << (LIMB_BITS * k) for k, c in enumerate(cols))


def to_limbs(x: int, n: int = NUM_LIMBS) -> list[int]:
    """``x`` (0 <= x < 2^(13n)) as n little-endian 13-bit limbs."""
    return [(x >> (LIMB_BITS * k)) & ((1 << LIMB_BITS) - 1) for k in range(n)]


def _quotient(v: int, m: int) -> list[int]:
    if m <= 0:
        return [0] * QUOTIENT_LIMBS
    q = v // m + QUOTIENT_OFFSET
    return to_limbs(q, QUOTIENT_LIMBS) if 0 <= q < 1 << (LIMB_BITS * QUOTIENT_LIMBS) else [0] * QUOTIENT_LIMBS


def _product(values: list[int], n: int) -> tuple[int, int]:
    """``value(a)·value(b) − value(c)`` and ``value(m)`` of ``a ++ b ++ c ++ m`` (n limbs each)."""
    a, b, c, m = (value_of(values[k * n : (k + 1) * n]) for k in range(4))
    return a * b - c, m


def big_mod(values: list[int], ncols: int) -> list[int]:
    """``__big_mod(cols, m)``: the canonical limbs of ``value(cols) mod value(m)``."""
    v, m = value_of(values[:ncols]), value_of(values[ncols:])
    return to_limbs(v % m) if m > 0 else [0] * NUM_LIMBS


def big_div(values: list[int], ncols: int) -> list[int]:
    """``__big_div(cols, m)``: ``floor(value(cols) / value(m)) + 2^272`` as 21 limbs (the
    offset keeps a negative quotient representable; out-of-range quotients give 0s,
    which the circuit's carry check then rejects)."""
    return _quotient(value_of(values[:ncols]), value_of(values[ncols:]))


def big_mulmod(values: list[int], n: int) -> list[int]:
    """``__big_mulmod(a, b, c, m)``: the canonical limbs of ``(a·b − c) mod m``."""
    v, m = _product(values, n)
    return to_limbs(v % m) if m > 0 else [0] * NUM_LIMBS


def big_muldiv(values: list[int], n: int) -> list[int]:
    """``__big_muldiv(a, b, c, m)``: ``floor((a·b − c) / m) + 2^272`` as 21 limbs."""
    return _quotient(*_product(values, n))


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


# secp256k1's endomorphism phi(x, y) = (GLV_BETA·x, y) = GLV_LAMBDA·(x, y) (GLV_BETA a cube
# root of 1 mod p, GLV_LAMBDA one mod n), and a reduced basis (a1, b1), (a2, b2) of the
# lattice {(x, y): x + y·GLV_LAMBDA = 0 (mod n)} (libsecp256k1's; the split's bound follows).
GLV_N = MODULI[2]
GLV_BETA = 0x7AE96A2B657C07106E64479EAC3434E99CF0497512F58995C1396C28719501EE
GLV_LAMBDA = 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72
_GLV_A1, _GLV_B1 = 0x3086D221A7D46BCDE86C90E49284EB15, -0xE4437ED6010E88286F547FA90ABFE4C3
_GLV_A2, _GLV_B2 = 0x114CA50F7A8E2F3F657C1108D9D44CFD8, 0x3086D221A7D46BCDE86C90E49284EB15
GLV_BITS = 128  # |k1|, |k2| < 2^128
GLV_HALF_LIMBS = 10  # 128 bits: 9 limbs of 13 bits and one of 11
GLV_OUTPUTS = 2 * GLV_HALF_LIMBS + 2


def glv_split(k: int) -> tuple[int, int]:
    """``(k1, k2)`` with ``k1 + k2·GLV_LAMBDA = k (mod n)`` and ``|k1|, |k2| < 2^128``:
    ``(k, 0)`` minus the lattice point Babai's rounding finds, so each half is at most half
    the basis' coordinate sums: (|a1| + |a2|)/2 and (|b1| + |b2|)/2, both below 2^128."""
    k %= GLV_N
    c1 = (_GLV_B2 * k + GLV_N // 2) // GLV_N
    c2 = (-_GLV_B1 * k + GLV_N // 2) // GLV_N
    return k - c1 * _GLV_A1 - c2 * _GLV_A2, -c1 * _GLV_B1 - c2 * _GLV_B2


def big_glv(values: list[int]) -> list[int]:
    """``__big_glv(k)``: the GLV split of ``value(k) mod n`` as ``|k1|`` and ``|k2|`` (10
    limbs each) and their signs (1: negative)."""
    k1, k2 = glv_split(value_of(values))
    return [*to_limbs(abs(k1), GLV_HALF_LIMBS), *to_limbs(abs(k2), GLV_HALF_LIMBS), int(k1 < 0), int(k2 < 0)]
