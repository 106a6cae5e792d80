"""Reducing (Horner) gate: ``out = acc · α^k + Σ_i c_i · α^(k−1−i)`` for k base-field
coefficients and α, acc, out in the quadratic extension, in one row.

The recursive verifier combines the hundreds of polynomial values opened at each FRI query
with powers of α (``Σ α^i v_i``); one extension op per value costs a tenth of a row, this
gate 1/k of one (plonky2's ``ReducingGate``). Degree 2: each step is its own constraint on
intermediate accumulator wires.

Wires: 0-1 α; 2-3 acc; 4-5 out; 6 .. 6+k the coefficients; then the k − 1 intermediate
accumulators (2 each). α, acc, out and the coefficients are the routed ones.
"""

from __future__ import annotations

from functools import cache

from psyc.field.extension import W
from psyc.plonk.gates.base import Gate, gate_kind, wire


class ReducingLayout:
    def __init__(self, num_coeffs: int) -> None:
        self.k = num_coeffs
        self.alpha, self.acc, self.out, self.coeffs = 0, 2, 4, 6
        self.inter = 6 + num_coeffs
        self.num_wires = self.inter + 2 * (num_coeffs - 1)
        self.num_routed = 6 + num_coeffs

    @staticmethod
    def max_coeffs(num_wires: int, num_routed_wires: int) -> int:
        """The most coefficients one row holds in a table of this width."""
        return max(1, min((num_wires - 4) // 3, num_routed_wires - 6))


@gate_kind("reducing", lambda config, params: [config.num_wires])
@cache  # gates are immutable; building one runs sympy
def reducing_gate(num_coeffs: int) -> Gate:
    if num_coeffs < 1:
        raise ValueError("reducing_gate needs at least one coefficient")
    lay = ReducingLayout(num_coeffs)
    a0, a1 = wire(lay.alpha), wire(lay.alpha + 1)
    acc = (wire(lay.acc), wire(lay.acc + 1))
    constraints = []
    for i in range(num_coeffs):
        nxt_w = lay.out if i == num_coeffs - 1 else lay.inter + 2 * i
        nxt = (wire(nxt_w), wire(nxt_w + 1))
        c = wire(lay.coeffs + i)
        constraints.append(acc[0] * a0 + W * acc[1] * a1 + c - nxt[0])
        constraints.append(acc[0] * a1 + acc[1] * a0 - nxt[1])
        acc = nxt
    return Gate(
        name="reducing",
        num_wires=lay.num_wires,
        num_constants=0,
        constraints=tuple(constraints),
        description=f"out = acc·α^{num_coeffs} + Horner of {num_coeffs} base-field coefficients",
        params=(num_coeffs,),
    )
