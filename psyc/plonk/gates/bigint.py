"""Non-native (big-integer) arithmetic: the two gates of a relation ``a·b − c ≡ 0 (mod m)``.

Numbers are ``L`` little-endian limbs of ``LIMB_BITS`` = 13 bits (``std::bigint``: 20 limbs,
260 bits). A relation takes two rows:

* ``bigint_mul`` (one per row): the product's *column pairs*
  ``d[g] = col[2g] + 2^13·col[2g+1]`` of ``col[k] = Σ_{i+j=k} a_i·b_j − c_k`` — a, b, c
  limb vectors (limbs of either sign, |limb| < 2^14), d their difference in base 2^26.
  Each d[g] is below 2^47 in absolute value, so it is exact in the field. 4L wires, all
  routed; degree 2.
* ``bigint_carry``: the carries that prove ``value(d) − q·m = 0`` as an integer for a
  quotient ``q = u − 2^(13·L + 12)`` given as ``L + 1`` limbs u (range-checked by the
  caller) and a modulus m fixed in the gate (:data:`MODULI`). With
  ``D[g] = d[g] − (u·m)[pair g] + (2^(13L+12)·m)[pair g]`` the outputs are
  ``e[g] = (D[g] + carry[g−1])/2^26 + 2^25`` (the biased carries, g < L − 1) and the residual
  ``D[L−1] + carry[L−2]``. Degree 1. The caller range-checks each e[g] to 26 bits and
  asserts the residual is 0: then every division by 2^26 was exact (|D[g]| < 2^48, so
  ``|D[g] + carry − 2^26·carry'| < 2^52 < p`` and a field equation is an integer one), and
  the telescoping sum says ``value(d) = q·m``.

The soundness argument in full, with the bounds, is in ``stdlib/bigint.psy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from psyc.field.goldilocks import P
from psyc.plonk.gates.base import Gate, gate_kind, wire

if TYPE_CHECKING:
    import sympy

    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.target import Target

    #: a limb: an integer (the generators) or a sympy expression (the constraints)
    Limb = int | sympy.Expr

LIMB_BITS = 13
GROUP_BITS = 2 * LIMB_BITS
CARRY_BIAS = 1 << (GROUP_BITS - 1)
# The moduli a bigint_carry gate may fix, by index (its parameter): secp256k1's p and n.
MODULI = {
    1: 2**256 - 2**32 - 977,
    2: 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
}


def limbs_of(x: int, n: int) -> list[int]:
    """``x`` (0 <= x < 2^(13n)) as n little-endian 13-bit limbs."""
    return [(x >> (LIMB_BITS * k)) & ((1 << LIMB_BITS) - 1) for k in range(n)]


def mul_pairs(a: Sequence[Limb], b: Sequence[Limb], c: Sequence[Limb]) -> list[Limb]:
    """The column pairs of ``a·b − c`` (symbols or integers: the one definition, used for the
    constraints and by the generators)."""
    n = len(a)
    cols = [0] * (2 * n)
    for i in range(n):
        for j in range(n):
            cols[i + j] = cols[i + j] + a[i] * b[j]
    for k in range(n):
        cols[k] = cols[k] - c[k]
    return [cols[2 * g] + (1 << LIMB_BITS) * cols[2 * g + 1] for g in range(n)]


def quotient_offset(num_limbs: int) -> int:
    """The bias of a quotient's limbs: u = q + 2^(13·L + 12) is never negative."""
    return 1 << (LIMB_BITS * num_limbs + LIMB_BITS - 1)


def carry_outputs(d: Sequence[Limb], u: Sequence[Limb], modulus: int) -> list[Limb]:
    """The biased carries and the residual of ``value(d) − (u − offset)·m`` (symbols or
    integers; for integers the divisions are exact only for a true relation, so this returns
    field elements: callers reduce mod p). ``len(u) == len(d) + 1``."""
    n = len(d)
    m = limbs_of(modulus, n)
    off = limbs_of(quotient_offset(n) // (1 << (LIMB_BITS * n)), 1)[0]  # 2^12 at limb n
    cols = [0] * (2 * n + 2)
    for i in range(n + 1):
        for j in range(n):
            cols[i + j] = cols[i + j] - u[i] * m[j]
    for j in range(n):
        cols[n + j] = cols[n + j] + off * m[j]
    inv = pow(1 << GROUP_BITS, -1, P)
    out, carry = [], 0
    for g in range(n):
        total = d[g] + cols[2 * g] + (1 << LIMB_BITS) * cols[2 * g + 1] + carry
        if g == n - 1:
            out.append(total)
        else:
            carry = total * inv
            out.append(carry + CARRY_BIAS)
    return out


@gate_kind("bigint_mul", lambda config, params: [config.num_routed_wires // 4])
@cache  # gates are immutable; building one runs sympy
def bigint_mul_gate(num_limbs: int) -> Gate:
    n = num_limbs
    w = [wire(k) for k in range(4 * n)]
    a, b, c, d = w[:n], w[n : 2 * n], w[2 * n : 3 * n], w[3 * n :]
    constraints = tuple(dg - pg for dg, pg in zip(d, mul_pairs(a, b, c), strict=True))
    return Gate(
        name="bigint_mul",
        num_wires=4 * n,
        num_constants=0,
        constraints=constraints,
        description=f"column pairs of a·b − c for {n}-limb numbers ({LIMB_BITS}-bit limbs)",
        params=(n,),
    )


def carry_wires(num_limbs: int) -> int:
    """d (L), u (L + 1), the L − 1 biased carries and the residual."""
    return 3 * num_limbs + 1


@gate_kind("bigint_carry", lambda config, params: [len(MODULI), (config.num_routed_wires - 1) // 3])
@cache
def bigint_carry_gate(modulus: int, num_limbs: int = 20) -> Gate:
    import sympy

    if modulus not in MODULI:
        raise ValueError(f"bigint_carry: unknown modulus index {modulus}")
    n = num_limbs
    w = [wire(k) for k in range(carry_wires(n))]
    d, u, e = w[:n], w[n : 2 * n + 1], w[2 * n + 1 :]
    # e[g] = (D[g] + carry[g-1]) / 2^26 + bias, as 2^26·(e[g] − bias) = D[g] + carry[g−1]
    m = limbs_of(MODULI[modulus], n)
    off = 1 << (LIMB_BITS - 1)
    cols = [sympy.Integer(0)] * (2 * n + 2)
    for i in range(n + 1):
        for j in range(n):
            cols[i + j] = cols[i + j] - u[i] * m[j]
    for j in range(n):
        cols[n + j] = cols[n + j] + off * m[j]
    constraints, carry = [], sympy.Integer(0)
    for g in range(n):
        total = d[g] + cols[2 * g] + (1 << LIMB_BITS) * cols[2 * g + 1] + carry
        if g == n - 1:
            constraints.append(e[g] - total)
        else:
            constraints.append((1 << GROUP_BITS) * (e[g] - CARRY_BIAS) - total)
            carry = e[g] - CARRY_BIAS
    return Gate(
        name="bigint_carry",
        num_wires=carry_wires(n),
        num_constants=0,
        constraints=tuple(constraints),
        description=f"carries of value(d) − q·m = 0 (m: modulus {modulus}, {n} limbs of {LIMB_BITS} bits)",
        params=(modulus, n),
    )


def place_bigint_mul(
    builder: CircuitBuilder, a: Sequence[Target], b: Sequence[Target], c: Sequence[Target]
) -> list[Target]:
    """A ``bigint_mul`` row for the column pairs of ``a·b − c`` (its witness generator
    computes them); returns the pair targets."""
    n = len(a)
    out = builder.add_virtual_targets(n)
    builder.add_gate_row(bigint_mul_gate(n), [*a, *b, *c, *out])
    builder.add_gate_generator(lambda v: [x % P for x in mul_pairs(v[:n], v[n : 2 * n], v[2 * n :])],
                               (*a, *b, *c), out, "bigint_mul")
    return out


def place_bigint_carry(
    builder: CircuitBuilder, modulus: int, d: Sequence[Target], u: Sequence[Target]
) -> list[Target]:
    """A ``bigint_carry`` row for ``value(d) − q·m`` (m: :data:`MODULI` [modulus], u the
    biased quotient limbs); returns the biased carries and the residual."""
    n = len(d)
    out = builder.add_virtual_targets(n)
    builder.add_gate_row(bigint_carry_gate(modulus, n), [*d, *u, *out])
    builder.add_gate_generator(lambda v: [x % P for x in carry_outputs(v[:n], v[n:], MODULI[modulus])],
                               (*d, *u), out, "bigint_carry")
    return out
