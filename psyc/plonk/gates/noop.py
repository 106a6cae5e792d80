"""No-op: a row with no constraints (padding, or wires used only through copies)."""

from psyc.plonk.gates.base import Gate


def noop_gate() -> Gate:
    return Gate(name="noop", num_wires=0, num_constants=0, constraints=(), description="no constraints")
