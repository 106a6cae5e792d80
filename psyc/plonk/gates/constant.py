"""Constants: wire i equals constant column i, for ``num_consts`` wires per row."""

from functools import cache

from psyc.plonk.gates.base import Gate, const, gate_kind, wire


@gate_kind("constant", lambda config, params: [config.num_constants])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def constant_gate(num_consts: int) -> Gate:
    return Gate(
        name="constant",
        num_wires=num_consts,
        num_constants=num_consts,
        constraints=tuple(wire(i) - const(i) for i in range(num_consts)),
        description=f"{num_consts} wires pinned to constants",
        params=(num_consts,),
    )
