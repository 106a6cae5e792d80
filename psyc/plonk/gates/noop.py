"""No-op: a row with no constraints (padding, or wires used only through copies)."""

from functools import cache

from psyc.plonk.gates.base import Gate, gate_kind


@gate_kind("noop", lambda config, params: [])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def noop_gate() -> Gate:
    return Gate(name="noop", num_wires=0, num_constants=0, constraints=(), description="no constraints")


@gate_kind("blinding", lambda config, params: [])
@cache
def blinding_gate() -> Gate:
    """The zero-knowledge blinding rows: no gate constraints, and its selector switches the
    permutation and lookup constraints off on those rows (docs/security.md)."""
    return Gate(
        name="blinding",
        num_wires=0,
        num_constants=0,
        constraints=(),
        description="random blinding row (zero knowledge)",
    )
