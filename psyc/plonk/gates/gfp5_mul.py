"""GF(p^5) multiplication: ``num_ops`` products ``c = a·b`` in GF(p)[z]/(z^5 − 3) per row.

The field of the ecGFp5 curve (``std::gfp5``, ``psyc.field.gfp5``). A product is 25
base-field products; as arithmetic ops it takes 25 slots (1.25 rows), here 15 wires of one
row. Each operand takes five wires (coefficients of 1, z, .., z^4): an op uses 15 wires,
all routed (a, b and c connect to the rest of the circuit). Degree 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from psyc.field.goldilocks import P
from psyc.plonk.gates.base import Gate, gate_kind, wire

if TYPE_CHECKING:
    import sympy

    #: a coefficient: an integer (generators) or a sympy expression (constraints)
    Coeff = int | sympy.Expr

WIRES_PER_OP = 15
NONRESIDUE = 3  # z^5 = 3


def gfp5_product(a: Sequence[Coeff], b: Sequence[Coeff]) -> list[Coeff]:
    """The coefficients of a·b for 5-coefficient sequences (symbols or integers: the one
    definition of the product, used for the constraints and by callers' generators)."""
    out = []
    for k in range(5):
        low = sum(a[i] * b[k - i] for i in range(k + 1))
        high = sum(a[i] * b[k + 5 - i] for i in range(k + 1, 5))
        out.append(low + NONRESIDUE * high)
    return out


@gate_kind("gfp5_mul", lambda config, params: [config.num_wires // 15])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def gfp5_mul_gate(num_ops: int) -> Gate:
    constraints = []
    for op in range(num_ops):
        w = [wire(WIRES_PER_OP * op + k) for k in range(WIRES_PER_OP)]
        a, b, c = w[0:5], w[5:10], w[10:15]
        constraints += [ck - pk for ck, pk in zip(c, gfp5_product(a, b), strict=True)]
    return Gate(
        name="gfp5_mul",
        num_wires=WIRES_PER_OP * num_ops,
        num_constants=0,
        constraints=tuple(constraints),
        description=f"{num_ops} products c = a·b in GF(p^5) = GF(p)[z]/(z^5 − 3)",
        params=(num_ops,),
    )


def gfp5_mul_witness(v: list[int]) -> list[int]:
    """The witness generator of one op: the product of v[:5] and v[5:]."""
    return [x % P for x in gfp5_product(v[:5], v[5:])]
