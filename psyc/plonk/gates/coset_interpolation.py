"""Coset interpolation (FRI folding): the value at x of the polynomial of degree < n that
takes ``v_i`` at ``s * w^i`` (n = 2^log_n, s a base-field shift, x and v_i in the extension).

Barycentric form, kept at degree 4 by intermediate wires:
``out * n * s^n = (x^n - s^n) * sum_i v_i * p_i * inv_i`` with ``p_i = s * w^i`` and
``inv_i = 1 / (x - p_i)`` (``inv_i * (x - p_i) = 1``), and the power chains
``x^(2^k)``, ``s^(2^k)`` as wires. The recursive verifier folds each FRI coset with one row.

Wires: 0 shift s; 1-2 x; 3.. the n values (2 each); then out (2); then inv_i (2 each);
then x^2, x^4, ..., x^n (2 each); then s^2, ..., s^n; then 1/s. The last wire makes
``s * (1/s) = 1`` a constraint: with s = 0 both sides of the barycentric identity vanish
and ``out`` would be free (issue 12).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from psyc.field.extension import W
from psyc.field.goldilocks import primitive_root_of_unity
from psyc.plonk.gates.base import Gate, gate_kind, wire

if TYPE_CHECKING:
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.target import Target
from collections.abc import Sequence

from psyc.field.extension import Ext2
from psyc.field.goldilocks import P


def _ext(i: int):
    return (wire(i), wire(i + 1))


def _mul(a, b):
    return (a[0] * b[0] + W * a[1] * b[1], a[0] * b[1] + a[1] * b[0])


def _sub(a, b):
    return (a[0] - b[0], a[1] - b[1])


class CosetInterpolationLayout:
    def __init__(self, log_n: int) -> None:
        n = 1 << log_n
        self.log_n, self.n = log_n, n
        self.shift = 0
        self.x = 1
        self.values = [3 + 2 * i for i in range(n)]
        self.out = 3 + 2 * n
        self.inv = [5 + 2 * n + 2 * i for i in range(n)]
        self.x_pows = [5 + 4 * n + 2 * k for k in range(log_n)]  # x^(2^(k+1))
        self.s_pows = [5 + 4 * n + 2 * log_n + k for k in range(log_n)]  # s^(2^(k+1))
        self.shift_inv = 5 + 4 * n + 3 * log_n
        self.num_wires = 6 + 4 * n + 3 * log_n
        self.num_routed = 5 + 2 * n  # shift, x, values, out


@gate_kind("coset_interpolation", lambda config, params: [4])
@cache  # gates are immutable; building one runs sympy (callers ask per operation)
def coset_interpolation_gate(log_n: int) -> Gate:
    if not 1 <= log_n <= 4:
        raise ValueError("coset_interpolation_gate supports cosets of 2..16 points")
    lay = CosetInterpolationLayout(log_n)
    n = lay.n
    s = wire(lay.shift)
    x = _ext(lay.x)
    constraints = [s * wire(lay.shift_inv) - 1]  # s != 0
    prev_x, prev_s = x, s
    for k in range(log_n):
        xp, sp = _ext(lay.x_pows[k]), wire(lay.s_pows[k])
        constraints += list(_sub(xp, _mul(prev_x, prev_x)))
        constraints.append(sp - prev_s * prev_s)
        prev_x, prev_s = xp, sp
    x_n, s_n = prev_x, prev_s
    omega = primitive_root_of_unity(log_n)
    total = (0, 0)
    for i in range(n):
        p_i = s * pow(omega, i, 0xFFFFFFFF00000001)
        inv = _ext(lay.inv[i])
        diff = (x[0] - p_i, x[1])
        one_check = _mul(inv, diff)
        constraints += [one_check[0] - 1, one_check[1]]
        term = _mul(_ext(lay.values[i]), inv)
        total = (total[0] + term[0] * p_i, total[1] + term[1] * p_i)
    out = _ext(lay.out)
    rhs = _mul((x_n[0] - s_n, x_n[1]), total)
    constraints += [out[0] * n * s_n - rhs[0], out[1] * n * s_n - rhs[1]]
    return Gate(
        name="coset_interpolation",
        num_wires=lay.num_wires,
        num_constants=0,
        constraints=tuple(constraints),
        description=f"value at x of the interpolant of {n} extension values on the coset s*<w_{n}>",
        params=(log_n,),
    )


# --- the builder entry (CircuitBuilder.interpolate_coset) and its witness generator ------------
def place_interpolate_coset(
    b: CircuitBuilder, shift: Target, values: Sequence[tuple[Target, Target]], x: tuple[Target, Target]
) -> tuple[Target, Target]:
    """Value at x of the polynomial taking values[i] at shift * w^i, in one row."""
    n = len(values)
    log_n = n.bit_length() - 1
    if n < 2 or 1 << log_n != n or log_n > 4:
        raise ValueError("interpolate_coset takes 2, 4, 8 or 16 values")
    if b.is_constant(shift, 0):
        raise ValueError("interpolate_coset: the shift is the constant 0 (the coset must not contain 0)")
    lay = CosetInterpolationLayout(log_n)
    cells: list[Target | None] = b.add_virtual_targets(lay.num_wires)
    cells[lay.shift] = shift
    cells[lay.x : lay.x + 2] = list(x)
    for i, v in enumerate(values):
        cells[lay.values[i] : lay.values[i] + 2] = list(v)
    b.add_gate_row(coset_interpolation_gate(log_n), cells)
    computed_idx = [lay.out, lay.out + 1]
    computed_idx += [w + d for w in lay.inv for d in (0, 1)]
    computed_idx += [w + d for w in lay.x_pows for d in (0, 1)]
    computed_idx += lay.s_pows
    computed_idx.append(lay.shift_inv)

    def gen(v: list[int]) -> list[int]:
        from psyc.poly.evaluation import barycentric_eval_on_coset, inverse_differences

        s, xe = v[0], Ext2(v[1], v[2])
        vals = [Ext2(v[3 + 2 * i], v[4 + 2 * i]) for i in range(n)]
        out = barycentric_eval_on_coset(vals, s, xe)
        omega = primitive_root_of_unity(log_n)
        invs = inverse_differences(xe, [s * pow(omega, i, P) % P for i in range(n)])
        xs, ss, xp, sp = [], [], xe, s
        for _ in range(log_n):
            xp, sp = xp * xp, sp * sp % P
            xs.append(xp)
            ss.append(sp)
        return [
            *out.to_list(),
            *[c for e in invs for c in e],
            *[c for e in xs for c in e.to_list()],
            *ss,
            pow(s, P - 2, P),  # 0 for s = 0: the gate's s * (1/s) = 1 then fails
        ]

    deps = (shift, *x, *[t for v in values for t in v])
    b.add_gate_generator(gen, deps, tuple(cells[k] for k in computed_idx), "interpolate_coset")
    return (cells[lay.out], cells[lay.out + 1])
