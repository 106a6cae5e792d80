"""Witness diagnostics (like Halo2's MockProver): check every constraint before proving.

The generated gate kernels evaluate all rows at once with a random combiner; only rows
that fail are re-evaluated constraint by constraint to name the gate, row, scope, the
failing constraint and the wire values.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from psyc.field.goldilocks import P
from psyc.hash.poseidon import hash_or_noop

if TYPE_CHECKING:
    from psyc.plonk.circuit import CircuitData


@dataclass
class ConstraintFailure:
    row: int
    gate: str
    scope: str
    constraint_index: int
    constraint: str
    value: int
    wires: dict[str, int]

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in list(self.wires.items())[:12])
        return (
            f"row {self.row} ({self.gate}, scope '{self.scope or '(top)'}'): constraint {self.constraint_index} "
            f"`{self.constraint} = 0` evaluates to {self.value}; wires: {shown}"
        )


class UnsatisfiedConstraints(Exception):
    """The witness breaks some constraints; ``failures`` names each gate, row and scope."""

    def __init__(self, failures: list[ConstraintFailure]):
        self.failures = failures
        lines = [str(f) for f in failures[:10]]
        if len(failures) > 10:
            lines.append(f"... and {len(failures) - 10} more")
        super().__init__("the witness does not satisfy the circuit:\n  " + "\n  ".join(lines))


def check_constraints(
    data: CircuitData, wires: np.ndarray, public_inputs: list[int], limit: int = 50
) -> list[ConstraintFailure]:
    common, po = data.common, data.prover_only
    n = common.degree
    pi_digest = np.array(hash_or_noop(public_inputs), dtype=np.uint64)
    alpha = np.array([secrets.randbelow(P - 1) + 1], dtype=np.uint64)
    consts = np.ascontiguousarray(po.constants_values[common.num_selectors :])
    out = np.zeros((1, n), dtype=np.uint64)
    evaluators = common.evaluators()
    for gi, ev in enumerate(evaluators):
        sel = np.ascontiguousarray(po.constants_values[gi])
        ev.accumulate_quotient_terms(wires, consts, sel, pi_digest, alpha, out)
    failures: list[ConstraintFailure] = []
    for row in np.nonzero(out[0])[0][:limit]:
        row = int(row)
        gi = int(po.row_gate_index[row])
        gate = common.gates[gi]
        w = [int(x) for x in wires[: gate.num_wires, row]]
        c = [int(x) for x in consts[: gate.num_constants, row]]
        vals = evaluators[gi].eval_ints(w, c, [int(x) for x in pi_digest])
        for k, v in enumerate(vals):
            if v:
                failures.append(
                    ConstraintFailure(
                        row,
                        gate.id,
                        po.row_scopes[row],
                        k,
                        str(gate.constraints[k])[:160],
                        v,
                        {f"w{j}": x for j, x in enumerate(w)},
                    )
                )
    return failures
