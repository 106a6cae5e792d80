"""Exponentiation: w1 = w0^e for an exponent given by ``num_bits`` bits (little endian).

Wires: 0 base, 1 result, 2 .. 2+num_bits the exponent bits, then num_bits intermediate
powers p_i (square-and-multiply from the top bit): p_i = p_{i-1}^2 * (b * base + 1 - b).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from psyc.plonk.gates.base import Gate, gate_kind, wire

if TYPE_CHECKING:
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.target import Target

from psyc.field.goldilocks import P


@gate_kind("exponentiation", lambda config, params: [(config.num_wires - 2) // 2])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def exponentiation_gate(num_bits: int) -> Gate:
    base, result = wire(0), wire(1)
    bits = [wire(2 + i) for i in range(num_bits)]
    inter = [wire(2 + num_bits + i) for i in range(num_bits)]
    constraints = [b * (b - 1) for b in bits]
    prev = 1
    for step in range(num_bits):
        b = bits[num_bits - 1 - step]  # most significant bit first
        constraints.append(prev * prev * (b * base + 1 - b) - inter[step])
        prev = inter[step]
    constraints.append(prev - result)
    return Gate(
        name="exponentiation",
        num_wires=2 + 2 * num_bits,
        num_constants=0,
        constraints=tuple(constraints),
        description=f"w1 = w0^e for a {num_bits}-bit exponent e",
        params=(num_bits,),
    )


# --- the builder entry (CircuitBuilder.exp) and its witness generator -------------------------
def place_exp(b: CircuitBuilder, base: Target, exponent: Target, num_bits: int) -> Target:
    """base^exponent for an exponent of ``num_bits`` bits, in one row."""
    if not 1 <= num_bits <= (b.config.num_wires - 2) // 2:
        raise ValueError(f"exp supports 1..{(b.config.num_wires - 2) // 2} exponent bits")
    bits = b.split_le(exponent, num_bits)
    gate = exponentiation_gate(num_bits)
    result = b.add_virtual_target()
    inter = b.add_virtual_targets(num_bits)
    b.add_gate_row(gate, [base, result, *bits, *inter])

    def gen(v: list[int]) -> list[int]:
        x, e = v
        acc, out = 1, []
        for k in reversed(range(num_bits)):
            acc = acc * acc * (x if (e >> k) & 1 else 1) % P
            out.append(acc)
        return [acc, *out]

    b.add_gate_generator(gen, (base, exponent), (result, *inter), "exp")
    return result
