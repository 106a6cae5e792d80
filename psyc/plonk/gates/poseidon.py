"""One Poseidon permutation per row (plonky2's layout: 135 wires, degree 7).

Wires: 0..11 input, 12..23 output, 24 swap flag, 25..28 delta, then the S-box inputs
that reset the degree: rounds 1..3 (36 wires), the 22 partial rounds (lane 0 only) and
rounds 26..29 (48 wires). Round 0's S-box input is the (swapped) input plus constants,
so it needs no wire. With swap = 1 the two 4-element halves of the input are exchanged
before permuting (``delta_i = swap * (in[4+i] - in[i])``), which is how a Merkle path step
chooses left/right child order without a separate gate.
"""

from __future__ import annotations

from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING

from psyc.field.goldilocks import P
from psyc.hash.constants import (
    HALF_FULL_ROUNDS,
    PARTIAL_ROUNDS,
    SBOX_EXPONENT,
    TOTAL_ROUNDS,
    WIDTH,
    mds_matrix,
    round_constants,
)
from psyc.plonk.gates.base import Gate, gate_kind, wire

if TYPE_CHECKING:
    import sympy

    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.target import Target
from collections.abc import Sequence

WIRE_INPUT = 0
WIRE_OUTPUT = WIDTH
WIRE_SWAP = 2 * WIDTH
WIRE_DELTA = WIRE_SWAP + 1
WIRE_FULL_FIRST = WIRE_DELTA + 4  # rounds 1..HALF_FULL_ROUNDS-1
WIRE_PARTIAL = WIRE_FULL_FIRST + WIDTH * (HALF_FULL_ROUNDS - 1)
WIRE_FULL_SECOND = WIRE_PARTIAL + PARTIAL_ROUNDS
NUM_WIRES = WIRE_FULL_SECOND + WIDTH * HALF_FULL_ROUNDS  # 135


def full_first_wire(rnd: int, lane: int) -> int:
    return WIRE_FULL_FIRST + WIDTH * (rnd - 1) + lane


def partial_wire(rnd: int) -> int:
    return WIRE_PARTIAL + rnd - HALF_FULL_ROUNDS


def full_second_wire(rnd: int, lane: int) -> int:
    return WIRE_FULL_SECOND + WIDTH * (rnd - HALF_FULL_ROUNDS - PARTIAL_ROUNDS) + lane


# A state lane is a linear form {atom: coefficient mod p}; the atom 1 is the constant.
LinearForm = dict


def _lf(atom, coeff: int = 1) -> LinearForm:
    return {atom: coeff % P}


def _add_const(f: LinearForm, c: int) -> LinearForm:
    g = dict(f)
    g[1] = (g.get(1, 0) + c) % P
    return g


def _to_expr(f: LinearForm) -> sympy.Expr:
    import sympy  # here, not at import: a verifier imports this module and builds no gate

    return sympy.Add(*[sympy.Integer(c) * a for a, c in f.items() if c])


def _mds(state: list[LinearForm]) -> list[LinearForm]:
    m = mds_matrix()
    out = []
    for i in range(WIDTH):
        acc: LinearForm = {}
        for j in range(WIDTH):
            for atom, c in state[j].items():
                acc[atom] = (acc.get(atom, 0) + m[i][j] * c) % P
        out.append(acc)
    return out


def _sbox_input_constraint(w: int, f: LinearForm) -> sympy.Expr:
    return wire(w) - _to_expr(f)


@gate_kind("poseidon", lambda config, params: [])
@cache
def poseidon_gate() -> Gate:
    rc = round_constants()
    inp = [wire(WIRE_INPUT + i) for i in range(WIDTH)]
    swap = wire(WIRE_SWAP)
    delta = [wire(WIRE_DELTA + i) for i in range(4)]
    constraints: list[sympy.Expr] = [swap * (swap - 1)]
    constraints += [delta[i] - swap * (inp[4 + i] - inp[i]) for i in range(4)]

    state: list[LinearForm] = []
    for i in range(WIDTH):
        if i < 4:
            state.append({inp[i]: 1, delta[i]: 1})
        elif i < 8:
            state.append({inp[i]: 1, delta[i - 4]: P - 1})
        else:
            state.append(_lf(inp[i]))

    for r in range(TOTAL_ROUNDS):
        state = [_add_const(state[i], rc[r][i]) for i in range(WIDTH)]
        full = r < HALF_FULL_ROUNDS or r >= HALF_FULL_ROUNDS + PARTIAL_ROUNDS
        lanes = range(WIDTH) if full else range(1)
        for i in lanes:
            if r == 0:
                atom = _to_expr(state[i]) ** SBOX_EXPONENT  # no wire: degree 7 in the inputs
            else:
                if r < HALF_FULL_ROUNDS:
                    w = full_first_wire(r, i)
                elif full:
                    w = full_second_wire(r, i)
                else:
                    w = partial_wire(r)
                constraints.append(_sbox_input_constraint(w, state[i]))
                atom = wire(w) ** SBOX_EXPONENT
            state[i] = _lf(atom)
        state = _mds(state)

    constraints += [wire(WIRE_OUTPUT + i) - _to_expr(state[i]) for i in range(WIDTH)]
    return Gate(
        name="poseidon",
        num_wires=NUM_WIRES,
        num_constants=0,
        constraints=tuple(constraints),
        description="one Poseidon permutation (optional input-half swap)",
    )


def _sbox_wire_maps():
    """(wire positions, flat (round, lane) sources) of the S-box input wires."""
    import numpy as np

    dst, src = [], []
    for r in range(1, TOTAL_ROUNDS):
        if r < HALF_FULL_ROUNDS:
            lanes = [(full_first_wire(r, i), i) for i in range(WIDTH)]
        elif r >= HALF_FULL_ROUNDS + PARTIAL_ROUNDS:
            lanes = [(full_second_wire(r, i), i) for i in range(WIDTH)]
        else:
            lanes = [(partial_wire(r), 0)]
        for w, i in lanes:
            dst.append(w)
            src.append(r * WIDTH + i)
    return np.array(dst), np.array(src)


_SBOX_DST, _SBOX_SRC = _sbox_wire_maps()
#: wires a generator computes (all but the inputs and the swap flag), in wire order
COMPUTED_WIRES = [k for k in range(NUM_WIRES) if not (WIRE_INPUT <= k < WIRE_INPUT + WIDTH or k == WIRE_SWAP)]
_computed_cells = itemgetter(*COMPUTED_WIRES)  # a row's computed cells as a tuple, in C (one call per permutation)


def poseidon_gate_row(inputs: list[int], swap: bool):
    """All 135 wire values (uint64 array) of a row permuting ``inputs``."""
    import numpy as np

    from psyc.hash.poseidon_kernels import gate_trace

    row = np.zeros(NUM_WIRES, dtype=np.uint64)
    s = [x % P for x in inputs]
    row[WIRE_INPUT : WIRE_INPUT + WIDTH] = s
    row[WIRE_SWAP] = int(swap)
    if swap:
        row[WIRE_DELTA : WIRE_DELTA + 4] = [(s[4 + i] - s[i]) % P for i in range(4)]
        s = s[4:8] + s[0:4] + s[8:]
    state = np.array(s, dtype=np.uint64)
    sbox_in = np.empty((TOTAL_ROUNDS, WIDTH), dtype=np.uint64)
    gate_trace(state, sbox_in)
    row[_SBOX_DST] = sbox_in.ravel()[_SBOX_SRC]
    row[WIRE_OUTPUT : WIRE_OUTPUT + WIDTH] = state
    return row


def _computed_source():
    """Where each of COMPUTED_WIRES sits in the flat vector ``output (12) ‖ delta (4) ‖
    S-box inputs (rounds × lanes)`` that :func:`poseidon_gate_computed` fills."""
    import numpy as np

    src = {WIRE_OUTPUT + i: i for i in range(WIDTH)}
    src |= {WIRE_DELTA + i: WIDTH + i for i in range(4)}
    src |= {int(d): WIDTH + 4 + int(s) for d, s in zip(_SBOX_DST, _SBOX_SRC, strict=True)}
    return np.array([src[k] for k in COMPUTED_WIRES])


_COMPUTED_SRC = _computed_source()


def poseidon_gate_computed(inputs: list[int], swap: int) -> list[int]:
    """The values of COMPUTED_WIRES for a row permuting ``inputs`` (canonical field
    elements): the builder's witness generator, one trace kernel call into a single buffer
    (called once per Poseidon row: thousands per recursive verifier)."""
    import numpy as np

    from psyc.hash.poseidon_kernels import gate_trace

    flat = np.zeros(WIDTH + 4 + TOTAL_ROUNDS * WIDTH, dtype=np.uint64)
    if swap:
        flat[WIDTH : WIDTH + 4] = [(inputs[4 + i] - inputs[i]) % P for i in range(4)]
        flat[:WIDTH] = [*inputs[4:8], *inputs[0:4], *inputs[8:WIDTH]]
    else:
        flat[:WIDTH] = inputs[:WIDTH]
    gate_trace(flat[:WIDTH], flat[WIDTH + 4 :].reshape(TOTAL_ROUNDS, WIDTH))
    return flat[_COMPUTED_SRC].tolist()


def poseidon_gate_witness(inputs: list[int], swap: bool) -> list[int]:
    """All 135 wire values of a row permuting ``inputs`` (the gate's witness generator)."""
    return poseidon_gate_row(inputs, swap).tolist()


# --- the builder entry (CircuitBuilder.permute) --------------------------------------------------
def place_permute(b: CircuitBuilder, inputs: Sequence[Target], swap: Target | None = None) -> list[Target]:
    """The Poseidon permutation in one row (see ``CircuitBuilder.permute``)."""
    if len(inputs) != WIDTH:
        raise ValueError(f"permute takes {WIDTH} targets")
    swap = swap if swap is not None else b.zero()
    cells: list[Target | None] = b.add_virtual_targets(NUM_WIRES)
    cells[WIRE_INPUT : WIRE_INPUT + WIDTH] = list(inputs)
    cells[WIRE_SWAP] = swap
    b.add_gate_row(poseidon_gate(), cells)
    computed = _computed_cells(cells)

    def gen(v: list[int]) -> list[int]:
        return poseidon_gate_computed(v[:WIDTH], v[WIDTH])

    b.add_gate_generator(gen, (*inputs, swap), computed, "poseidon")
    return cells[WIRE_OUTPUT : WIRE_OUTPUT + WIDTH]
