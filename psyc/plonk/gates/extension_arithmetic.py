"""Extension-field arithmetic: ``num_ops`` of c0*a*b + c1*c = out over F[x]/(x^2 - 7).

Each operand takes two wires (a0 + a1*x), so an op uses 8 wires.
"""

from __future__ import annotations

from functools import cache

from psyc.field.extension import W
from psyc.field.goldilocks import P
from psyc.plonk.gates.base import Gate, const, gate_kind, wire

WIRES_PER_OP = 8


@gate_kind("extension_arithmetic", lambda config, params: [config.num_wires // 8])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def extension_arithmetic_gate(num_ops: int) -> Gate:
    c0, c1 = const(0), const(1)
    constraints = []
    for op in range(num_ops):
        a0, a1, b0, b1, d0, d1, o0, o1 = (wire(WIRES_PER_OP * op + k) for k in range(WIRES_PER_OP))
        ab0 = a0 * b0 + W * a1 * b1
        ab1 = a0 * b1 + a1 * b0
        constraints.append(c0 * ab0 + c1 * d0 - o0)
        constraints.append(c0 * ab1 + c1 * d1 - o1)
    return Gate(
        name="extension_arithmetic",
        num_wires=WIRES_PER_OP * num_ops,
        num_constants=2,
        constraints=tuple(constraints),
        description=f"{num_ops} ops of c0*a*b + c1*c = out in the quadratic extension",
        params=(num_ops,),
    )


def ext_arithmetic_witness(k0: int, k1: int):
    """The witness generator of one op: k0*a*b + k1*c in F[x]/(x^2 - W), on ints (hot)."""

    def gen(v: list[int]) -> list[int]:
        a0, a1, b0, b1, c0, c1 = v
        return [(k0 * (a0 * b0 + W * a1 * b1) + k1 * c0) % P, (k0 * (a0 * b1 + a1 * b0) + k1 * c1) % P]

    return gen
