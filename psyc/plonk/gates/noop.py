"""No-op: a row with no constraints (padding, or wires used only through copies)."""

from functools import cache

from psyc.plonk.gates.base import Gate


@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def noop_gate() -> Gate:
    return Gate(name="noop", num_wires=0, num_constants=0, constraints=(), description="no constraints")
