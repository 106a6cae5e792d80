"""The tape VM's register reallocation (:func:`psyc.backend_cpu.gate_vm._without_aliasing`):
no instruction may write a register it reads (LLVM would run the lane loop scalar), and
the reallocated tape computes exactly what the generated one does."""

import numpy as np
import pytest

from psyc.backend_cpu import gate_vm
from psyc.backend_cpu.gate_tape import OP_MAC, OP_MAC_BIG, REG_A, REG_B
from psyc.field import P
from psyc.plonk.gates import (
    GateEvaluators,
    arithmetic_gate,
    coset_interpolation_gate,
    poseidon_gate,
    random_access_gate,
    reducing_gate,
)
from psyc.plonk.vanishing import permutation_system

GATES = [arithmetic_gate(5), poseidon_gate(), random_access_gate(2, 3), reducing_gate(3), coset_interpolation_gate(2)]


def _tape(gate):
    m = GateEvaluators(gate)._mod
    return (np.array(m.TAPE_CODE, dtype=np.int64).reshape(-1, 4), np.array(m.TAPE_IMM, dtype=np.uint64),
            m.TAPE_REGS, np.array(m.TAPE_OUTPUTS, dtype=np.int64))  # fmt: skip


def _tapes():
    yield from ((g.id, _tape(g)) for g in GATES)
    yield "permutation", permutation_system(8, 4, 2, tuple(range(1, 9))).kernel_tape()


@pytest.mark.parametrize("name_tape", list(_tapes()), ids=lambda x: x[0])
def test_reallocated_tape_has_no_aliasing_and_same_values(name_tape):
    _, (code, imm, regs, outputs) = name_tape
    new, new_regs, new_outputs = gate_vm._without_aliasing(code, regs, outputs)
    for op, d, a, b in new.tolist():
        assert not (op in REG_A and d == a and op not in (OP_MAC, OP_MAC_BIG)), (op, d, a, b)
        assert not (op in REG_B and d == b), (op, d, a, b)
    assert (new[:, 0] == code[:, 0]).all() and new_regs <= 2 * regs
    rng = np.random.default_rng(3)
    n = 130  # two full blocks and a partial one; 140 rows: every column a tape reads (Poseidon: 135)
    sources = gate_vm.sources_tuple(*(rng.integers(0, P, (140, n), dtype=np.uint64) for _ in range(6)))
    nxt = rng.permutation(n).astype(np.int64)
    scalars = rng.integers(0, P, 8, dtype=np.uint64)
    alphas = rng.integers(0, P, 2, dtype=np.uint64)
    outs = []
    for c, r, o in ((code, regs, outputs), (new, new_regs, new_outputs)):
        out = np.zeros((2, n), dtype=np.uint64)
        blocks = -(-n // gate_vm.BLOCK)
        gate_vm._accumulate_blocks(c, imm, r, o, sources, nxt, scalars, gate_vm.NONE, alphas, gate_vm.NONE, out, 0, blocks)
        outs.append(out)
    assert np.array_equal(outs[0], outs[1])
