"""Arithmetic: ``num_ops`` independent ``c0*a*b + c1*c - out = 0`` per row (shared c0, c1)."""

from functools import cache

from psyc.field.goldilocks import P
from psyc.plonk.gates.base import Gate, const, gate_kind, wire

WIRES_PER_OP = 4


@gate_kind("arithmetic", lambda config, params: [config.num_wires // 4])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def arithmetic_gate(num_ops: int) -> Gate:
    c0, c1 = const(0), const(1)
    constraints = []
    for op in range(num_ops):
        a, b, c, out = (wire(WIRES_PER_OP * op + k) for k in range(WIRES_PER_OP))
        constraints.append(c0 * a * b + c1 * c - out)
    return Gate(
        name="arithmetic",
        num_wires=WIRES_PER_OP * num_ops,
        num_constants=2,
        constraints=tuple(constraints),
        description=f"{num_ops} ops of c0*a*b + c1*c = out",
        params=(num_ops,),
    )


def arithmetic_witness(k0: int, k1: int):
    """The witness generator of one op of the (k0, k1) row: k0*a*b + k1*c."""
    return lambda v: [(k0 * v[0] * v[1] + k1 * v[2]) % P]
