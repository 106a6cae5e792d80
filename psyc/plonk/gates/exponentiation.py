"""Exponentiation: w1 = w0^e for an exponent given by ``num_bits`` bits (little endian).

Wires: 0 base, 1 result, 2 .. 2+num_bits the exponent bits, then num_bits intermediate
powers p_i (square-and-multiply from the top bit): p_i = p_{i-1}^2 * (b * base + 1 - b).
"""

from functools import cache

from psyc.plonk.gates.base import Gate, gate_kind, wire


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
