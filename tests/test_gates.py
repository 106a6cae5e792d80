"""Gates are defined once; every generated evaluator must agree with the definition.

Oracle: sympy's own substitution of the constraint expressions, reduced mod p.
"""

import random

import numpy as np
import pytest
import sympy

from psyc.field import Ext2, P
from psyc.plonk.gates import (
    PI_DIGEST_LEN,
    Gate,
    GateEvaluators,
    arithmetic_gate,
    base_sum_gate,
    bigint_carry_gate,
    bigint_mul_gate,
    const,
    constant_gate,
    coset_interpolation_gate,
    exponentiation_gate,
    extension_arithmetic_gate,
    gfp5_mul_gate,
    noop_gate,
    pi,
    poseidon_gate,
    public_input_gate,
    random_access_gate,
    reducing_gate,
    wire,
)
from psyc.plonk.gates.codegen import OPERATOR_BACKEND, emit

GATES = [
    arithmetic_gate(1),
    arithmetic_gate(5),
    constant_gate(3),
    public_input_gate(),
    noop_gate(),
    base_sum_gate(8),
    base_sum_gate(5, 4),
    extension_arithmetic_gate(2),
    gfp5_mul_gate(2),
    bigint_mul_gate(3),
    bigint_carry_gate(1, 19),  # the p gate: a temporary that is a linear form used in another (codegen)
    random_access_gate(2),
    random_access_gate(3),
    random_access_gate(2, 3),
    reducing_gate(3),
    exponentiation_gate(5),
    coset_interpolation_gate(2),
]
IDS = [g.id for g in GATES]


def _random_row(gate: Gate, rng: random.Random):
    w = [rng.randrange(P) for _ in range(gate.num_wires)]
    c = [rng.randrange(P) for _ in range(gate.num_constants)]
    d = [rng.randrange(P) for _ in range(PI_DIGEST_LEN)]
    return w, c, d


def _sympy_eval(gate: Gate, w, c, d) -> list[int]:
    subs = {wire(i): v for i, v in enumerate(w)}
    subs |= {const(i): v for i, v in enumerate(c)}
    subs |= {pi(i): v for i, v in enumerate(d)}
    return [int(sympy.expand(expr).subs(subs)) % P for expr in gate.constraints]


@pytest.mark.parametrize("gate", GATES, ids=IDS)
def test_generated_int_evaluator_matches_sympy(gate):
    rng = random.Random(gate.id)
    ev = GateEvaluators(gate)
    for _ in range(5):
        w, c, d = _random_row(gate, rng)
        assert ev.eval_ints(w, c, d) == _sympy_eval(gate, w, c, d)


@pytest.mark.parametrize("gate", GATES, ids=IDS)
def test_ext_evaluator_embeds_base_and_is_polynomial(gate):
    rng = random.Random("ext" + gate.id)
    ev = GateEvaluators(gate)
    w, c, d = _random_row(gate, rng)
    as_ext = [[Ext2(v) for v in xs] for xs in (w, c, d)]
    assert ev.eval_ext(*as_ext) == [Ext2(v) for v in ev.eval_ints(w, c, d)]
    # a genuinely extension-valued point: compare with sympy over Q then reduce, using
    # x = a + b*X with X^2 = 7 represented by substituting a symbol and reducing
    X = sympy.Symbol("X")
    vals = [(rng.randrange(P), rng.randrange(P)) for _ in range(gate.num_wires + gate.num_constants + 4)]
    subs = {}
    syms = (
        [wire(i) for i in range(gate.num_wires)]
        + [const(i) for i in range(gate.num_constants)]
        + [pi(i) for i in range(4)]
    )
    for s, (a0, a1) in zip(syms, vals, strict=True):
        subs[s] = a0 + a1 * X
    exts = [Ext2(a0, a1) for a0, a1 in vals]
    nw, nc = gate.num_wires, gate.num_constants
    got = ev.eval_ext(exts[:nw], exts[nw : nw + nc], exts[nw + nc :])
    for expr, g in zip(gate.constraints, got, strict=True):
        poly = sympy.Poly(sympy.expand(expr.subs(subs)), X)
        rem = sympy.rem(poly, sympy.Poly(X**2 - 7, X))
        coeffs = dict(zip([m[0] for m in rem.monoms()], rem.coeffs(), strict=True))
        assert g == Ext2(int(coeffs.get(0, 0)) % P, int(coeffs.get(1, 0)) % P)


_QUOTIENT_GATES = [g for g in GATES if g.num_constraints] + [poseidon_gate()]


@pytest.mark.parametrize("gate", _QUOTIENT_GATES, ids=[g.id for g in _QUOTIENT_GATES])
def test_numba_quotient_kernel_matches_generic(gate):
    """The CPU quotient (the gate's tape on gate_vm) against the generic evaluator, on a
    full block of 64 rows and a partial one."""
    rng = np.random.default_rng(7)
    n = 70
    wires = rng.integers(0, P, (max(gate.num_wires, 1), n), dtype=np.uint64)
    wires[:, 0] = rng.integers(P, 2**64, max(gate.num_wires, 1), dtype=np.uint64)  # non-canonical column
    consts = rng.integers(0, P, (max(gate.num_constants, 1), n), dtype=np.uint64)
    selector = rng.integers(0, P, n, dtype=np.uint64)
    digest = rng.integers(0, P, 4, dtype=np.uint64)
    alphas = rng.integers(0, P, 2, dtype=np.uint64)
    start = rng.integers(0, P, (2, n), dtype=np.uint64)
    out = start.copy()
    ev = GateEvaluators(gate)
    ev.accumulate_quotient_terms(wires, consts, selector, digest, alphas, out)
    for i in range(n):
        r = ev.eval_ints(
            [int(x) for x in wires[: gate.num_wires, i]],
            [int(x) for x in consts[: gate.num_constants, i]],
            [int(x) for x in digest],
        )
        for a in range(2):
            combo = sum(pow(int(alphas[a]), k, P) * v for k, v in enumerate(r)) % P
            assert int(out[a, i]) == (int(start[a, i]) + int(selector[i]) * combo) % P


def test_degrees_are_read_off_the_expressions():
    assert arithmetic_gate(3).degree == 3
    assert constant_gate(2).degree == 1
    assert public_input_gate().degree == 1
    assert noop_gate().degree == 0
    assert base_sum_gate(10).degree == 2
    assert base_sum_gate(4, 4).degree == 4
    assert extension_arithmetic_gate(1).degree == 3
    assert random_access_gate(3).degree == 4
    assert exponentiation_gate(4).degree == 4


def test_valid_rows_vanish_and_invalid_rows_do_not():
    ev = GateEvaluators(arithmetic_gate(2))
    assert ev.eval_ints([3, 4, 5, 2 * 12 + 7 * 5, 0, 0, 0, 0], [2, 7], [0] * 4) == [0, 0]
    assert ev.eval_ints([3, 4, 5, 2 * 12 + 7 * 5 + 1, 0, 0, 0, 0], [2, 7], [0] * 4)[0] != 0

    bs = GateEvaluators(base_sum_gate(8))
    x = 0b10110111
    limbs = [(x >> i) & 1 for i in range(8)]
    assert bs.eval_ints([x, *limbs], [], [0] * 4) == [0] * 9
    bad = limbs.copy()
    bad[0], bad[1] = 3, 0  # 3 + 0*2 = 1 + 1*2: recomposes, but 3 is not a bit
    assert bs.eval_ints([x, *bad], [], [0] * 4)[0] == 0
    assert any(bs.eval_ints([x, *bad], [], [0] * 4)[1:])

    ra = GateEvaluators(random_access_gate(2))
    items = [11, 22, 33, 44]
    for idx in range(4):
        bits = [(idx >> j) & 1 for j in range(2)]
        assert ra.eval_ints([idx, items[idx], *items, *bits], [], [0] * 4) == [0] * 4
        assert ra.eval_ints([idx, items[(idx + 1) % 4], *items, *bits], [], [0] * 4)[-1] != 0
    # multi-select: three lists share the index; a wrong claim fails exactly its copy's constraint
    ra3 = GateEvaluators(random_access_gate(2, 3))
    lists = [[11, 22, 33, 44], [5, 6, 7, 8], [0, 1, 0, 1]]
    for idx in range(4):
        bits = [(idx >> j) & 1 for j in range(2)]
        cells = [idx]
        for items in lists:
            cells += [items[idx], *items]
        assert ra3.eval_ints([*cells, *bits], [], [0] * 4) == [0] * 6
        cells[1 + 5] += 1  # the second copy's claim
        assert [v != 0 for v in ra3.eval_ints([*cells, *bits], [], [0] * 4)] == [False] * 4 + [True, False]
    # reducing: out = acc·α^3 + Horner of 3 coefficients; a wrong output fails its last step
    red = GateEvaluators(reducing_gate(3))
    al, acc0, cs = Ext2(3, 5), Ext2(11, 13), [17, 19, 23]
    steps, x = [], acc0
    for c in cs:
        x = x * al + Ext2(c, 0)
        steps.append(x)
    cells = [*al.to_list(), *acc0.to_list(), *steps[-1].to_list(), *cs, *[v for e in steps[:-1] for v in e.to_list()]]
    assert red.eval_ints(cells, [], [0] * 4) == [0] * 6
    cells[4] = (cells[4] + 1) % P
    assert [v != 0 for v in red.eval_ints(cells, [], [0] * 4)] == [False] * 4 + [True, False]
    assert random_access_gate(4, 1) == random_access_gate(4) and random_access_gate(4).id == "random_access_4"
    assert random_access_gate(4, 4).id == "random_access_4_4" and random_access_gate(4, 4).num_wires == 73

    ex = GateEvaluators(exponentiation_gate(4))
    base, e = 5, 0b1011
    bits = [(e >> i) & 1 for i in range(4)]
    inter, acc = [], 1
    for b in reversed(bits):
        acc = acc * acc * (base if b else 1) % P
        inter.append(acc)
    assert ex.eval_ints([base, pow(base, e, P), *bits, *inter], [], [0] * 4) == [0] * 9
    assert ex.eval_ints([base, pow(base, e + 1, P), *bits, *inter], [], [0] * 4)[-1] != 0

    ea = GateEvaluators(extension_arithmetic_gate(1))
    a, b, d = Ext2(3, 4), Ext2(5, 6), Ext2(7, 8)
    out = a * b * 9 + d * 10
    row = [*a.to_list(), *b.to_list(), *d.to_list(), *out.to_list()]
    assert ea.eval_ints(row, [9, 10], [0] * 4) == [0, 0]
    row[-1] += 1
    assert ea.eval_ints(row, [9, 10], [0] * 4)[1] != 0

    pig = GateEvaluators(public_input_gate())
    assert pig.eval_ints([1, 2, 3, 4], [], [1, 2, 3, 4]) == [0] * 4
    assert pig.eval_ints([1, 2, 3, 4], [], [1, 2, 3, 5]) == [0, 0, 0, P - 1]


def test_bad_definitions_are_rejected():
    with pytest.raises(ValueError, match="undeclared"):
        Gate("bad", num_wires=1, num_constants=0, constraints=(wire(0) - wire(1),))
    with pytest.raises(ValueError, match="integer coefficients"):
        emit((wire(0) / 2,), OPERATOR_BACKEND)
    with pytest.raises(ValueError):
        random_access_gate(9)
    with pytest.raises(ValueError):
        base_sum_gate(0)


def test_poseidon_gate_rows_match_the_permutation():
    from psyc.hash import permute
    from psyc.plonk.gates.poseidon import (
        NUM_WIRES,
        WIRE_OUTPUT,
        poseidon_gate,
        poseidon_gate_witness,
    )

    gate = poseidon_gate()
    assert (gate.num_wires, gate.degree) == (135, 7) and NUM_WIRES == 135
    ev = GateEvaluators(gate)
    rng = random.Random(5)
    for swap in (False, True):
        inputs = [rng.randrange(P) for _ in range(12)]
        row = poseidon_gate_witness(inputs, swap)
        assert ev.eval_ints(row, [], [0] * 4) == [0] * gate.num_constraints
        order = inputs[4:8] + inputs[0:4] + inputs[8:] if swap else inputs
        assert row[WIRE_OUTPUT : WIRE_OUTPUT + 12] == permute(order)
        for col in (0, 13, 24, 26, 40, 70, 100, 134):  # every kind of wire
            bad = list(row)
            bad[col] = (bad[col] + 1) % P
            assert any(ev.eval_ints(bad, [], [0] * 4)), col


@pytest.mark.slow  # compiling the 123-constraint kernel takes ~90 s once per install
def test_poseidon_gate_quotient_kernel_matches_generic():
    from psyc.plonk.gates.poseidon import poseidon_gate, poseidon_gate_witness

    gate = poseidon_gate()
    ev = GateEvaluators(gate)
    n = 8
    rows = [poseidon_gate_witness(list(range(i, i + 12)), bool(i & 1)) for i in range(n)]
    wires = np.array(rows, dtype=np.uint64).T.copy()
    wires[3, 2] += np.uint64(1)  # one unsatisfied row
    out = np.zeros((2, n), dtype=np.uint64)
    alphas = np.array([3, 11], dtype=np.uint64)
    ev.accumulate_quotient_terms(
        wires,
        np.zeros((1, n), dtype=np.uint64),
        np.ones(n, dtype=np.uint64),
        np.zeros(4, dtype=np.uint64),
        alphas,
        out,
    )
    for i in range(n):
        r = ev.eval_ints([int(x) for x in wires[:, i]], [], [0] * 4)
        for a in range(2):
            assert int(out[a, i]) == sum(pow(int(alphas[a]), k, P) * v for k, v in enumerate(r)) % P
    assert out[0, 2] != 0 and out[0, 1] == 0


@pytest.mark.parametrize(
    "gate",
    [
        arithmetic_gate(2),
        base_sum_gate(3),
        extension_arithmetic_gate(1),
        gfp5_mul_gate(1),
        bigint_mul_gate(2),
        bigint_carry_gate(1, 2),
        random_access_gate(1),
        random_access_gate(1, 3),
        reducing_gate(2),
        exponentiation_gate(2),
        public_input_gate(),
    ],
    ids=lambda g: g.id,
)
def test_in_circuit_evaluator_matches_ext_evaluator(gate):
    """The third generated evaluator: constraints built as circuit ops on extension targets."""
    from psyc.fri import FriConfig
    from psyc.plonk.builder import CircuitBuilder
    from psyc.plonk.config import CircuitConfig
    from psyc.plonk.witness import PartialWitness

    cfg = CircuitConfig(
        fri_config=FriConfig(rate_bits=3, cap_height=1, num_query_rounds=4, proof_of_work_bits=2)
    )
    b = CircuitBuilder(cfg)
    ev = GateEvaluators.for_gate(gate)
    nw, nc = gate.num_wires, gate.num_constants
    ext_targets = [tuple(b.add_virtual_targets(2)) for _ in range(nw + nc + PI_DIGEST_LEN)]
    outs = ev.eval_circuit(b, ext_targets[:nw], ext_targets[nw : nw + nc], ext_targets[nw + nc :])
    b.register_public_inputs([t for o in outs for t in o])
    data = b.build()
    rng = random.Random(gate.id)
    vals = [Ext2(rng.randrange(P), rng.randrange(P)) for _ in ext_targets]
    pw = PartialWitness()
    for t, v in zip(ext_targets, vals, strict=True):
        pw.set_targets(list(t), v.to_list())
    proof = data.prove(pw)
    data.verify(proof)
    expected = ev.eval_ext(vals[:nw], vals[nw : nw + nc], vals[nw + nc :])
    assert proof.public_inputs == [x for e in expected for x in e.to_list()]


def test_emitted_code_names_each_power_step_once():
    """Powers become square-and-multiply chains of temporaries and (p-1)*x a subtraction:
    the emitted code never repeats a base expression (it used to, 7 times for x^7)."""
    x, y = sympy.symbols("w0 w1")
    temps, outs = emit(((x + y + 5) ** 7 - (P - 1) * y, x**2), OPERATOR_BACKEND)
    code = "\n".join([*(f"{n} = {c}" for n, c in temps), *outs])
    assert code.count("(w0 + w1)") == 1
    assert str(P - 1) not in code and "+ w1" in outs[0]
    values = {"w0": 3, "w1": 11}
    for name, c in temps:
        values[name] = eval(c, {}, values) % P
    assert [eval(o, {}, values) % P for o in outs] == [(pow(19, 7, P) + 11) % P, 9]


def test_generated_sources_are_cached_per_definition(tmp_path, monkeypatch):
    """A gate's generated source is made once per (definition, generator, template) and
    read back from the cache dir afterwards; a different key makes a new one."""
    from psyc.util.codegen import cached_source

    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path))
    calls = []

    def make(text):
        def f():
            calls.append(text)
            return text

        return f

    assert cached_source("g", "key-1", make("A")) == "A"
    assert cached_source("g", "key-1", make("B")) == "A"  # cached: not regenerated
    assert cached_source("g", "key-2", make("C")) == "C"
    assert calls == ["A", "C"]


def test_a_damaged_cached_source_is_made_again(tmp_path, monkeypatch):
    """A cached source that was truncated, emptied or altered on disk (a crash before the
    data reached the disk, a full disk, an edit) is made again, never handed to the loader:
    a verifier once reported a valid proof invalid ("malformed proof object:
    AttributeError") or printed a SyntaxError traceback over a damaged evaluator file; a
    compiled copy whose bytes changed is compiled again."""
    import marshal
    import sys
    from pathlib import Path

    from psyc.util import codegen
    from psyc.util.codegen import cached_source, compile_cached

    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path))
    text = "def f():\n    return 41 + 1\n"
    assert cached_source("g", "k", lambda: text) == text
    (path,) = (tmp_path / "generated").glob("source_g_*.py")
    whole = path.read_text()
    for damaged in ("", whole[:10], whole.replace("41", "40"), text):
        path.write_text(damaged)
        assert cached_source("g", "k", lambda: text) == text
        assert path.read_text() == whole  # written again, whole
    path.write_bytes(b"\xff\xfe not text")
    assert cached_source("g", "k", lambda: text) == text

    code = compile_cached(text, "<t>")
    (marshalled,) = (tmp_path / "generated" / "code").glob("*.marshal")
    other = marshal.dumps(compile("def f():\n    return 0\n", "<t>", "exec"))
    for damaged in (b"", other, marshalled.read_bytes()[:-7] + other):
        marshalled.write_bytes(damaged)  # torn, or loadable code of another source
        ns: dict = {}
        exec(compile_cached(text, "<t>"), ns)
        assert ns["f"]() == 42
    assert code.co_filename == "<t>"
    module = codegen.load_generated_module("g", text)
    path = Path(module.__file__)
    path.write_bytes(b"\xff\xfe damaged")
    del sys.modules[module.__name__]
    assert codegen.load_generated_module("g", text).f() == 42
    assert path.read_text() == text  # the module's file (numba caches next to it) written again
    monkeypatch.setattr(codegen, "cache_dir", lambda: tmp_path / "missing" / "unwritable")
    (tmp_path / "missing").write_text("a file where the cache folder would be")
    assert cached_source("g", "k", lambda: text) == text  # nothing cached: no error


def test_gate_modules_are_keyed_by_the_tape_vm(tmp_path, monkeypatch):
    """A gate's generated module holds its CPU tape, written in the opcodes of
    psyc.backend_cpu.gate_tape: an edited VM never runs a tape cached under the old one."""
    from psyc.plonk.gates import arithmetic_gate, evaluators

    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path))
    gate = arithmetic_gate(1)
    evaluators.generated_module(gate)
    edited = tmp_path / "gate_tape.py"
    edited.write_text(evaluators._TAPE_VM.read_text() + "\nOP_RENUMBERED = 99\n")
    monkeypatch.setattr(evaluators, "_TAPE_VM", edited)
    evaluators.generated_module(gate)
    assert len(list((tmp_path / "generated").glob(f"source_gate_{gate.id}_*"))) == 2


def test_linear_forms_are_reduced_lazily_and_exactly():
    """Sums of multiples of atoms go through one 128-bit accumulation per sign (small
    coefficients exact, large ones reduced first); the CPU tape must agree with the
    generic evaluator at the extremes (every wire p - 1, coefficients up to p - 1)."""
    import numpy as np

    from psyc.backend_cpu import gate_tape as op
    from psyc.plonk.gates.base import Gate, wire
    from psyc.plonk.gates.codegen import tape
    from psyc.plonk.gates.evaluators import GateEvaluators

    terms = [(2**32 - 1) * wire(0), 41 * wire(1), (P - 2) * wire(2), 2**40 * wire(3), -(2**31) * wire(4)]
    gate = Gate("lin_test", 6, 0, (sum(terms) + wire(5) + 12345, sum(terms[:3]) - 7 * wire(5)))
    code, _imms, _regs, _outs = tape(gate.constraints)
    assert {op.OP_MAC, op.OP_MAC_BIG, op.OP_FIN} <= {row[0] for row in code}
    ev = GateEvaluators(gate)
    n = 64
    rng = np.random.default_rng(5)
    wires = rng.integers(0, P, (6, n), dtype=np.uint64)
    wires[:, 0] = P - 1
    consts = np.zeros((1, n), dtype=np.uint64)
    sel = np.ones(n, dtype=np.uint64)
    alphas = np.array([3], dtype=np.uint64)
    out = np.zeros((1, n), dtype=np.uint64)
    ev.accumulate_quotient_terms(wires, consts, sel, np.zeros(4, dtype=np.uint64), alphas, out)
    for i in range(n):
        c0, c1 = ev.eval_ints([int(x) for x in wires[:, i]], [0], [0, 0, 0, 0])
        assert int(out[0, i]) == (c0 + 3 * c1) % P


def test_tape_registers_are_reused():
    """The tape's register allocation reuses a dead value's register (far fewer registers
    than instructions) and keeps every constraint's value in a register of its own."""
    from psyc.backend_cpu import gate_tape as op
    from psyc.plonk.gates.codegen import tape

    code, imms, regs, outs = tape(poseidon_gate().constraints)
    assert len(code) == len(imms) and regs < len(code) // 4 and len(set(outs)) == len(outs) == 123
    assert {row[0] for row in code} <= set(range(op.OP_FIN + 1))
