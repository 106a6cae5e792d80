"""The tape VM's register reallocation (:func:`psyc.backend_cpu.gate_vm._without_aliasing`):
no instruction may write a register it reads (LLVM would run the lane loop scalar), and
the reallocated tape computes exactly what the generated one does."""

import numpy as np
import pytest

from psyc.backend_cpu import gate_vm
from psyc.backend_cpu.gate_tape import (
    OP_LOAD,
    OP_LOAD_NEXT,
    OP_MAC,
    OP_MAC_BIG,
    OP_NEG,
    OP_SCALAR,
    REG_A,
    REG_B,
)
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


# --- bounds: the kernel does not check indices (per row), accumulate does once per call ---


def _call(tape, sources, n=8, scalars=4, nxt=None, name="tape", source_names=()):
    out = np.zeros((1, n), dtype=np.uint64)
    nxt = np.arange(n, dtype=np.int64) if nxt is None else nxt
    gate_vm.accumulate(*tape, gate_vm.sources_tuple(*sources), nxt, np.ones(scalars, dtype=np.uint64),
                       gate_vm.NONE, np.ones(1, dtype=np.uint64), gate_vm.NONE, out, name, source_names)  # fmt: skip
    return out


def _hand_tape(rows):
    code = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return code, np.zeros(len(rows), dtype=np.uint64), 2, np.array([1], dtype=np.int64)


@pytest.mark.parametrize("gate", [arithmetic_gate(5), poseidon_gate()], ids=lambda g: g.id)
def test_gate_reading_past_its_wires_is_a_clear_error(gate):
    tape = _tape(gate)
    code = tape[0]
    wires = code[(code[:, 0] == OP_LOAD) & (code[:, 3] == 0), 2]
    k = int(wires.max())  # the tape reads wire column k: k + 1 columns run, k do not
    consts = np.ones((int(code[code[:, 3] == 1, 2].max(initial=0)) + 1, 8), dtype=np.uint64)
    good = _call(tape, [np.ones((k + 1, 8), dtype=np.uint64), consts], scalars=8, name=f"gate {gate.name}",
                 source_names=("wires", "constants"))  # fmt: skip
    assert good.shape == (1, 8)
    with pytest.raises(ValueError, match=rf"gate {gate.name}: instruction \d+ reads column {k} of source 0 \(wires\), which has {k} columns"):  # fmt: skip
        _call(tape, [np.ones((k, 8), dtype=np.uint64), consts], scalars=8, name=f"gate {gate.name}",
              source_names=("wires", "constants"))  # fmt: skip


def test_production_gate_call_checks_its_sources():
    """Through the prover's own entry point: too few wire columns is refused, not read."""
    gate = arithmetic_gate(5)
    ev = GateEvaluators(gate)
    n = 8
    consts = np.zeros((gate.num_constants, n), dtype=np.uint64)
    out = np.zeros((1, n), dtype=np.uint64)
    args = (consts, np.ones(n, dtype=np.uint64), np.zeros(4, dtype=np.uint64), np.ones(1, dtype=np.uint64), out)
    ev.accumulate_quotient_terms(np.zeros((gate.num_wires, n), dtype=np.uint64), *args)
    with pytest.raises(ValueError, match=rf"gate {gate.name}: .* of source 0 \(wires\), which has {gate.num_wires - 1} columns"):  # fmt: skip
        ev.accumulate_quotient_terms(np.zeros((gate.num_wires - 1, n), dtype=np.uint64), *args)


def test_permutation_terms_check_their_sources():
    system = permutation_system(8, 4, 2, tuple(range(1, 9)))
    tape = system.kernel_tape()
    reads = gate_vm.tape_reads(tape[0], tape[2], tape[3], "perm")
    widths = [need for need, _ in reads.columns]
    sources = [np.ones((max(w, 1), 8), dtype=np.uint64) for w in widths]
    _call(tape, sources, scalars=4, name="permutation terms", source_names=system.source_names)
    s = max(range(len(widths)), key=lambda i: widths[i])
    short = [*sources[:s], sources[s][:-1].copy(), *sources[s + 1 :]]
    with pytest.raises(ValueError, match=rf"reads column {widths[s] - 1} of source {s} \({system.source_names[s]}\)"):
        _call(tape, short, scalars=4, name="permutation terms", source_names=system.source_names)


def test_malformed_tapes_and_calls_are_clear_errors():
    load = _hand_tape([(OP_LOAD, 0, 3, 1), (OP_NEG, 1, 0, 0)])  # r1 = -sources[1][3]
    ones = np.ones((4, 8), dtype=np.uint64)
    assert (_call(load, [ones, ones]) == P - 1).all()
    with pytest.raises(ValueError, match=r"tape: instruction 0 reads column 3 of source 1, which has 3 columns"):
        _call(load, [ones, ones[:3].copy()])
    with pytest.raises(ValueError, match=r"source 1 has 4 rows, the call 8"):
        _call(load, [ones, ones[:, :4].copy()])
    nxt = _hand_tape([(OP_LOAD_NEXT, 0, 0, 0), (OP_NEG, 1, 0, 0)])
    with pytest.raises(ValueError, match=r"instruction 0 reads the next point; nxt has 0 of 8 rows"):
        _call(nxt, [ones], nxt=gate_vm.NO_NEXT)
    with pytest.raises(ValueError, match=r"instruction 0 \(OP_SCALAR\) reads scalar -1"):
        _call(_hand_tape([(OP_SCALAR, 0, -1, 0), (OP_NEG, 1, 0, 0)]), [])
    with pytest.raises(ValueError, match=r"instruction 0 reads scalar 4 of 4"):
        _call(_hand_tape([(OP_SCALAR, 0, 4, 0), (OP_NEG, 1, 0, 0)]), [])
    with pytest.raises(ValueError, match=r"instruction 1 \(OP_NEG\) uses register 2 of a register file of 2"):
        _call(_hand_tape([(OP_SCALAR, 0, 0, 0), (OP_NEG, 1, 2, 0)]), [])
    with pytest.raises(ValueError, match=r"instruction 0 \(OP_LOAD\) reads column 0 of source 6 \(there are 6 sources\)"):
        _call(_hand_tape([(OP_LOAD, 0, 0, 6), (OP_NEG, 1, 0, 0)]), [ones])
    with pytest.raises(ValueError, match=r"has no such opcode 11"):
        _call(_hand_tape([(11, 0, 0, 0), (OP_NEG, 1, 0, 0)]), [])
