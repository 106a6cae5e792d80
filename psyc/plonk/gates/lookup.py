"""Lookups: the row's first ``num_lookups`` wires must each be a value of the range table.

The gate has no polynomial constraints of its own: its selector feeds the logUp
argument (see psyc/plonk/lookup.py), which proves that every looked-up value occurs in
the table. Unused slots hold 0, which is in every range table.
"""

from functools import cache

from psyc.plonk.gates.base import Gate, gate_kind


@gate_kind("lookup", lambda config, params: [config.num_wires])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def lookup_gate(num_lookups: int) -> Gate:
    return Gate(
        name="lookup",
        num_wires=num_lookups,
        num_constants=0,
        constraints=(),
        description=f"{num_lookups} values looked up in the range table (logUp)",
        params=(num_lookups,),
    )
