"""The IR interpreter: every op, predicates, every failure code with its span and message."""

from __future__ import annotations

import time

import pytest

from psyc.field.goldilocks import P
from psyc.frontend.diagnostics import SourceMap, Span, render
from psyc.hash.poseidon import permute as poseidon_permute
from psyc.ir.interpret import Execution, ExecutionError, eval_instr, run
from psyc.ir.ir import HintFn, Program

SPAN = Span("main.psy", 10, 15)


def one_op(op, types, result_types, values, attrs=(), pred=None, consts=()):
    """A program: inputs of ``types``, one ``op`` on them (plus constant args), outputs."""
    p = Program()
    args = [p.emit("input", [], [t], attrs=(f"x{i}", False)).result for i, t in enumerate(types)]
    args += [p.const(v, t) for v, t in consts]
    pv = None
    if pred is not None:
        pv = p.emit("input", [], ["bool"], attrs=("pred", False)).result
        values = [*values, pred]
    ins = p.emit(op, args, result_types, SPAN, attrs, pv)
    for r in ins.results:
        p.emit("output", [r])
    p.validate()
    return run(p, values).outputs


def fails(op, types, result_types, values, code, match=None, **kw):
    with pytest.raises(ExecutionError) as info:
        one_op(op, types, result_types, values, **kw)
    e = info.value
    assert e.code == code, (e.code, e.message)
    assert e.span == SPAN
    if match is not None:
        assert match in e.message, e.message
    return e


# --- Felt arithmetic -----------------------------------------------------------------------
@pytest.mark.parametrize("a, b", [(0, 0), (1, P - 1), (P - 1, P - 1), (2**32, 2**32 - 1), (12345, 678)])
def test_felt_arithmetic(a, b):
    two = ["Felt", "Felt"]
    assert one_op("add", two, ["Felt"], [a, b]) == [(a + b) % P]
    assert one_op("sub", two, ["Felt"], [a, b]) == [(a - b) % P]
    assert one_op("mul", two, ["Felt"], [a, b]) == [a * b % P]
    assert one_op("neg", ["Felt"], ["Felt"], [a]) == [-a % P]
    assert one_op("arith", ["Felt"] * 3, ["Felt"], [a, b, 7], attrs=(3, P - 1)) == [(3 * a * b - 7) % P]
    if b:
        assert one_op("div", two, ["Felt"], [a, b]) == [a * pow(b, P - 2, P) % P]


def test_felt_division_by_zero():
    e = fails("div", ["Felt", "Felt"], ["Felt"], [5, 0], "E0502", "division by zero")
    assert e.to_diagnostic().code == "E0502"
    # predicated off: no failure, result 0
    assert one_op("div", ["Felt", "Felt"], ["Felt"], [5, 0], pred=0) == [0]
    assert one_op("div", ["Felt", "Felt"], ["Felt"], [6, 3], pred=1) == [2]


# --- checked integer arithmetic ----------------------------------------------------------------
MAX = {"u8": 255, "u16": 65535, "u32": 2**32 - 1, "u64": P - 1}


@pytest.mark.parametrize("t", ["u8", "u16", "u32", "u64"])
def test_checked_arithmetic_edges(t):
    m = MAX[t]
    two = [t, t]
    assert one_op("add", two, [t], [m - 1, 1]) == [m]
    assert one_op("sub", two, [t], [m, m]) == [0]
    assert one_op("mul", two, [t], [m, 1]) == [m]
    e = fails("add", two, [t], [m, 1], "E0501", f"attempt to add with overflow: {m} + 1 does not fit in {t}")
    assert e.label
    fails("sub", two, [t], [3, 5], "E0501", f"attempt to subtract with overflow: 3 - 5 does not fit in {t}")
    fails("mul", two, [t], [m, 2], "E0501", "attempt to multiply with overflow")
    # predicated off: never fails, result 0; on: the check applies
    for op, vals in (("add", [m, 1]), ("sub", [0, 1]), ("mul", [m, m])):
        assert one_op(op, two, [t], vals, pred=0) == [0]
        fails(op, two, [t], vals, "E0501", pred=1)
    assert one_op("add", two, [t], [1, 2], pred=1) == [3]


def test_u64_multiplication_at_the_edge():
    assert one_op("mul", ["u64", "u64"], ["u64"], [2**32, 2**32 - 1]) == [P - 1]
    fails("mul", ["u64", "u64"], ["u64"], [2**32, 2**32], "E0501")
    fails("mul", ["u64", "u64"], ["u64"], [2**32 + 1, 2**32 - 1], "E0501")


def test_overflow_message_names_values_in_decimal():
    e = fails("add", ["u32", "u32"], ["u32"], [4294967295, 1], "E0501")
    assert e.message == "attempt to add with overflow: 4294967295 + 1 does not fit in u32"


def test_divmod():
    assert one_op("divmod", ["u32", "u32"], ["u32", "u32"], [17, 5]) == [3, 2]
    assert one_op("divmod", ["u64", "u64"], ["u64", "u64"], [P - 1, 2**32]) == [
        (P - 1) // 2**32,
        (P - 1) % 2**32,
    ]
    fails("divmod", ["u8", "u8"], ["u8", "u8"], [17, 0], "E0502", "division by zero")
    assert one_op("divmod", ["u8", "u8"], ["u8", "u8"], [17, 0], pred=0) == [0, 0]
    fails("divmod", ["u8", "u8"], ["u8", "u8"], [17, 0], "E0502", pred=1)


@pytest.mark.parametrize("t, bits", [("u8", 8), ("u16", 16), ("u32", 32)])
def test_wrap(t, bits):
    m = (1 << bits) - 1
    assert one_op("wrap", [t, t], [t], [m, 1], attrs=("add",)) == [0]
    assert one_op("wrap", [t, t], [t], [0, 1], attrs=("sub",)) == [m]
    assert one_op("wrap", [t, t], [t], [m, m], attrs=("mul",)) == [1]
    assert one_op("wrap", [t, t], [t], [3, 4], attrs=("mul",)) == [12]


def test_wrap_on_u64_is_rejected():
    fails("wrap", ["u64", "u64"], ["u64"], [1, 2], "E0505", attrs=("add",))


# --- comparisons, logic, select, cast ------------------------------------------------------------
def test_comparisons_and_logic():
    assert one_op("eq", ["Felt", "Felt"], ["bool"], [3, 3]) == [1]
    assert one_op("eq", ["Felt", "Felt"], ["bool"], [3, P - 3]) == [0]
    assert one_op("lt", ["u64", "u64"], ["bool"], [P - 2, P - 1]) == [1]
    assert one_op("lt", ["u64", "u64"], ["bool"], [P - 1, P - 2]) == [0]
    assert one_op("lt", ["u32", "u32"], ["bool"], [5, 5]) == [0]
    for a in (0, 1):
        assert one_op("not", ["bool"], ["bool"], [a]) == [1 - a]
        for b in (0, 1):
            assert one_op("and", ["bool"] * 2, ["bool"], [a, b]) == [a & b]
            assert one_op("or", ["bool"] * 2, ["bool"], [a, b]) == [a | b]
            assert one_op("xor", ["bool"] * 2, ["bool"], [a, b]) == [a ^ b]
    assert one_op("select", ["bool", "Felt", "Felt"], ["Felt"], [1, 7, 9]) == [7]
    assert one_op("select", ["bool", "Felt", "Felt"], ["Felt"], [0, 7, 9]) == [9]
    assert one_op("cast", ["u8"], ["u32"], [200]) == [200]


# --- checks ----------------------------------------------------------------------------------------
def test_range_check():
    assert one_op("range_check", ["Felt"], [], [255], attrs=(8, "too big")) == []
    e = fails("range_check", ["Felt"], [], [256], "E0504", "too big", attrs=(8, "too big"))
    assert any("256" in n for n in e.notes)
    fails("range_check", ["Felt"], [], [256], "E0504", "256", attrs=(8, ""))
    assert one_op("range_check", ["Felt"], [], [256], attrs=(8, "x"), pred=0) == []
    fails("range_check", ["Felt"], [], [256], "E0504", attrs=(8, "x"), pred=1)
    assert one_op("range_check", ["Felt"], [], [P - 1], attrs=(64, "x")) == []


def test_assert_bool():
    assert one_op("assert_bool", ["Felt"], [], [1]) == []
    fails("assert_bool", ["Felt"], [], [2], "E0504", "not a boolean")


def test_assert_shows_named_values():
    p = Program()
    x = p.emit("input", [], ["u32"], attrs=("x", False)).result
    c = p.emit("lt", [x, p.const(10, "u32")], ["bool"]).result
    p.emit("assert", [c, x], [], SPAN, ("assertion failed: x < 10", ("x",)))
    p.emit("output", [x])
    assert run(p, [3]).outputs == [3]
    with pytest.raises(ExecutionError) as info:
        run(p, [12])
    e = info.value
    assert (e.code, e.message, e.notes, e.span) == ("E0500", "assertion failed: x < 10", ["x = 12"], SPAN)


def test_predicated_assert_and_assert_eq():
    for op, types, vals in (("assert", ["bool"], [0]), ("assert_eq", ["Felt", "Felt"], [1, 2])):
        assert one_op(op, types, [], vals, attrs=("boom",), pred=0) == []
        e = fails(op, types, [], vals, "E0500", "boom", attrs=("boom",), pred=1)
    assert e.notes == ["left: 1", "right: 2"]


# --- bits, hashing, memory -------------------------------------------------------------------------
def test_to_bits_and_from_bits():
    bits = one_op("to_bits", ["u32"], ["bool"] * 8, [0b1011_0001], attrs=(8,))
    assert bits == [1, 0, 0, 0, 1, 1, 0, 1]
    fails("to_bits", ["u32"], ["bool"] * 8, [256], "E0504", "256", attrs=(8,))
    assert one_op("to_bits", ["Felt"], ["bool"] * 64, [P - 1], attrs=(64,)) == [
        (P - 1) >> i & 1 for i in range(64)
    ]
    assert one_op("from_bits", ["bool"] * 4, ["u8"], [1, 0, 1, 1]) == [13]
    assert one_op("from_bits", ["bool"] * 64, ["Felt"], [1] * 64) == [(2**64 - 1) % P]


def test_permute_matches_poseidon():
    state = list(range(12))
    assert one_op("permute", ["Felt"] * 12, ["Felt"] * 12, state) == poseidon_permute(state)


def test_read():
    items = [(10 * i, "Felt") for i in range(5)]
    assert one_op("read", ["u32"], ["Felt"], [3], consts=items) == [30]
    e = fails("read", ["u32"], ["Felt"], [5], "E0503", consts=items)
    assert e.message == "index out of bounds: the length is 5 but the index is 5"
    assert one_op("read", ["u32"], ["Felt"], [7], consts=items, pred=0) == [0]
    fails("read", ["u32"], ["Felt"], [7], "E0503", consts=items, pred=1)


# --- hints -------------------------------------------------------------------------------------------
def test_hints():
    sq = HintFn("sq", lambda v: [v[0] * v[0] % P, v[0]])
    assert one_op("hint", ["Felt"], ["Felt", "u8"], [9], attrs=(sq,)) == [81, 9]
    fails("hint", ["Felt"], ["Felt"], [9], "E0505", "returned 2 values", attrs=(sq,))
    fails("hint", ["Felt"], ["Felt", "u8"], [300], "E0505", "300", attrs=(sq,))

    def boom(v):
        raise ExecutionError("custom failure", None, ["note"], "E0500")

    e = fails("hint", ["Felt"], ["Felt"], [1], "E0500", "custom failure", attrs=(HintFn("boom", boom),))
    assert e.notes == ["note"]
    fails("hint", [], ["Felt"], [], "E0505", "ZeroDivisionError", attrs=(HintFn("bug", lambda v: [1 // 0]),))


# --- executions, diagnostics, evaluation -----------------------------------------------------------
def test_execution_values_and_inputs():
    p = Program()
    x = p.emit("input", [], ["Felt"], attrs=("x", False)).result
    k = p.const(5)
    y = p.emit("add", [x, k], ["Felt"]).result
    p.emit("output", [y])
    ex = run(p, [2])
    assert isinstance(ex, Execution)
    assert ex.values[k.id] == 5 and ex.value(y) == 7 and ex.value(k) == 5 and ex.outputs == [7]
    with pytest.raises(ValueError):
        run(p, [])
    with pytest.raises(ValueError):
        run(p, [1, 2])


def test_unregistered_constants_are_read_from_their_values():
    from psyc.ir.ir import Value

    p = Program()
    x = p.emit("input", [], ["Felt"], attrs=("x", False)).result
    k = Value(p.next_id, "Felt", 40)  # a constant made without Program.const
    p.next_id += 1
    y = p.emit("add", [x, k], ["Felt"]).result
    p.emit("output", [y])
    assert run(p, [2]).outputs == [42]


def test_diagnostic_renders_at_the_span():
    sources = SourceMap()
    text = "fn main(x: u32) {\n    let y = x + 1;\n}\n"
    sources.add("main.psy", text)
    start = text.index("x + 1")
    p = Program()
    x = p.emit("input", [], ["u32"], attrs=("x", False)).result
    p.emit("add", [x, p.const(1, "u32")], ["u32"], Span("main.psy", start, start + 5))
    with pytest.raises(ExecutionError) as info:
        run(p, [2**32 - 1])
    out = render(info.value.to_diagnostic(), sources)
    assert "error[E0501]" in out and "main.psy:2:13" in out and "^^^^^" in out


def test_eval_instr_on_a_dict():
    p = Program()
    ins = p.emit("mul", [p.const(3, "u8"), p.const(5, "u8")], ["u8"])
    env = {a.id: a.const for a in ins.args}
    eval_instr(ins, env)
    assert env[ins.result.id] == 15
    big = p.emit("mul", [p.const(30, "u8"), p.const(50, "u8")], ["u8"])
    with pytest.raises(ExecutionError):
        eval_instr(big, {a.id: a.const for a in big.args})


def test_speed():
    """At least 300k instructions/s (the loop does about 10x that)."""
    p = Program()
    x = p.emit("input", [], ["Felt"], attrs=("x", False)).result
    u = p.emit("input", [], ["u32"], attrs=("u", False)).result
    one = p.const(1, "u32")
    acc = x
    for i in range(20_000):
        acc = p.emit("mul", [acc, x], ["Felt"]).result
        acc = p.emit("add", [acc, p.const(i)], ["Felt"]).result
        e = p.emit("eq", [acc, x], ["bool"]).result
        acc = p.emit("select", [e, x, acc], ["Felt"]).result
        u = p.emit("wrap", [u, one], ["u32"], attrs=("add",)).result
    p.emit("output", [acc])
    p.emit("output", [u])
    n = len(p.instrs)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        out = run(p, [3, 2**32 - 5]).outputs
        best = min(best, time.perf_counter() - t)
    assert out[1] == 20_000 - 5
    assert n / best > 300_000, f"{n / best:.0f} instructions/s"


def test_every_op_is_interpreted_and_lowered():
    """The op table (psyc.ir.ops) is complete: each op has a lowering, and an interpreter
    handler unless the run loop interprets it (the non-foldable ops that need run state)."""
    import psyc.ir.lower  # noqa: F401  (registers the lowerings)
    from psyc.ir.ops import OPS

    run_loop = {"input", "output", "proof_input", "verify_proof", "print"}
    for name, spec in OPS.items():
        assert spec.lower is not None, name
        if name in run_loop:
            assert spec.interpret is None and not spec.foldable, name
        else:
            assert spec.interpret is not None, name
        assert spec.foldable or not spec.cse, name  # nothing merges what cannot be evaluated
