"""Optimisation passes: random programs keep their outputs *and* their failures; each pass
does what it promises (folding, CSE, DCE, fusion, check deduplication)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psyc.field.goldilocks import P
from psyc.frontend.diagnostics import Span
from psyc.ir.interpret import ExecutionError, run
from psyc.ir.ir import HintFn, Program
from psyc.ir.passes import cse, dce, dedupe_checks, fold_constants, fuse_arithmetic, optimize

# =====================================================================================
# random well-formed programs (also used by tests/test_ir_lower.py)
# =====================================================================================
INPUT_TYPES = ["Felt", "Felt", "bool", "bool", "u8", "u8", "u32", "u32", "u64", "u64"]
CONSTS = {
    "Felt": [0, 1, 5, P - 1],
    "bool": [0, 1],
    "u8": [0, 1, 3, 255],
    "u32": [0, 1, 7, 2**32 - 1],
    "u64": [0, 1, 2**32, P - 1],
}
MAXV = {"Felt": P - 1, "bool": 1, "u8": 255, "u32": 2**32 - 1, "u64": P - 1}
EDGES = {t: [0, 1, MAXV[t], MAXV[t] - 1, 2, 2**32 - 1, 2**32] for t in MAXV}
INTS = ["u8", "u32", "u64"]
SQUARE = HintFn("square", lambda v: [v[0] * v[0] % P])
NUM_KINDS = 27

step = st.tuples(
    st.integers(0, NUM_KINDS - 1),
    st.integers(0, 2**16),
    st.integers(0, 2**16),
    st.integers(0, 2**16),
    st.integers(0, 3),
)
recipes = st.lists(step, min_size=1, max_size=40)


def _value(t):
    return st.one_of(st.sampled_from([e for e in EDGES[t] if e <= MAXV[t]]), st.integers(0, MAXV[t]))


input_values = st.tuples(*[_value(t) for t in INPUT_TYPES]).map(list)


def build(recipe) -> Program:
    """A deterministic program from a recipe (so it can be built twice and compared)."""
    p = Program()
    pool = {t: [] for t in MAXV}
    for i, t in enumerate(INPUT_TYPES):
        pool[t].append(p.emit("input", [], [t], attrs=(f"in{i}", i % 3 == 0)).result)
    for t, cs in CONSTS.items():
        pool[t] += [p.const(c, t) for c in cs]

    def pick(t, k):
        vals = pool[t]
        return vals[-1 - k % min(len(vals), 8)] if k % 3 else vals[k % len(vals)]

    for n, (kind, i, j, k, flag) in enumerate(recipe):
        span = Span("r.psy", n, n + 1)
        pred = pick("bool", k) if flag == 3 else None
        it = INTS[k % 3]

        def emit(op, args, rtypes, attrs=(), pr=None, span=span):
            return p.emit(op, args, rtypes, span, attrs, pr).results

        if kind <= 3:  # Felt add sub mul neg
            op = ("add", "sub", "mul", "neg")[kind]
            args = [pick("Felt", i)] + ([] if op == "neg" else [pick("Felt", j)])
            pool["Felt"] += emit(op, args, ["Felt"])
        elif kind == 4:
            pool["Felt"] += emit("div", [pick("Felt", i), pick("Felt", j)], ["Felt"], pr=pred)
        elif kind <= 7:  # checked integer arithmetic
            op = ("add", "sub", "mul")[kind - 5]
            pool[it] += emit(op, [pick(it, i), pick(it, j)], [it], pr=pred)
        elif kind == 8:
            t = ("u8", "u32")[k % 2]
            pool[t] += emit("wrap", [pick(t, i), pick(t, j)], [t], (("add", "sub", "mul")[flag % 3],))
        elif kind == 9:
            pool[it] += emit("divmod", [pick(it, i), pick(it, j)], [it, it], pr=pred)
        elif kind == 10:
            t = list(MAXV)[k % 5]
            pool["bool"] += emit("eq", [pick(t, i), pick(t, j)], ["bool"])
        elif kind == 11:
            pool["bool"] += emit("lt", [pick(it, i), pick(it, j)], ["bool"])
        elif kind == 12:
            pool["bool"] += emit("not", [pick("bool", i)], ["bool"])
        elif kind <= 15:
            op = ("and", "or", "xor")[kind - 13]
            pool["bool"] += emit(op, [pick("bool", i), pick("bool", j)], ["bool"])
        elif kind == 16:
            t = list(MAXV)[k % 5]
            pool[t] += emit("select", [pick("bool", flag), pick(t, i), pick(t, j)], [t])
        elif kind == 17:
            src, dst = (("bool", "u8"), ("u8", "u32"), ("u32", "u64"), ("u8", "Felt"))[k % 4]
            pool[dst] += emit("cast", [pick(src, i)], [dst])
        elif kind == 18:
            t = ("Felt", "u32", "u64", "u8")[k % 4]
            bits = (1, 8, 16, 32, 40, 64)[j % 6]
            emit("range_check", [pick(t, i)], [], (bits, "range"), pr=pred)
        elif kind == 19:
            emit("assert_bool", [pick(("Felt", "bool")[k % 2], i)], [])
        elif kind == 20:
            emit("assert", [pick("bool", i), pick("u8", j)], [], ("assert", ("shown",)), pr=pred)
        elif kind == 21:
            t = list(MAXV)[k % 5]
            emit("assert_eq", [pick(t, i), pick(t, j)], [], ("assert_eq",), pr=pred)
        elif kind == 22:
            n = 4 + j % 5
            pool["bool"] += emit("to_bits", [pick("u8", i)], ["bool"] * n, (n,))
        elif kind == 23:
            n = 1 + j % 8
            pool["u8"] += emit("from_bits", [pick("bool", i + m) for m in range(n)], ["u8"])
        elif kind == 24:
            items = [pick("Felt", i + m) for m in range(5)]
            pool["Felt"] += emit("read", [pick("u8", j), *items], ["Felt"], pr=pred)
        elif kind == 25:
            pool["Felt"] += emit("hint", [pick("Felt", i)], ["Felt"], (SQUARE,))
        else:
            c0, c1 = ((1, 1), (P - 1, 3), (2, 0))[k % 3]
            pool["Felt"] += emit(
                "arith", [pick("Felt", i), pick("Felt", j), pick("Felt", flag)], ["Felt"], (c0, c1)
            )
    for t in MAXV:
        for v in pool[t][-2:]:
            p.emit("output", [v])
    p.validate()
    return p


def outcome(program: Program, inputs: list[int]):
    try:
        return ("ok", run(program, inputs).outputs)
    except ExecutionError as e:
        return ("fail", e.code, e.message, e.span)


# =====================================================================================
# semantics are preserved, failures included
# =====================================================================================
@settings(max_examples=200)
@given(recipes, input_values)
def test_optimize_preserves_outputs_and_failures(recipe, inputs):
    before = outcome(build(recipe), inputs)
    prog = build(recipe)
    optimize(prog)
    prog.validate()
    assert outcome(prog, inputs) == before


@pytest.mark.parametrize("pass_", [fold_constants, cse, dce, fuse_arithmetic, dedupe_checks])
@settings(max_examples=60)
@given(recipe=recipes, inputs=input_values)
def test_each_pass_preserves_semantics(pass_, recipe, inputs):
    before = outcome(build(recipe), inputs)
    prog = build(recipe)
    pass_(prog)
    prog.validate()
    assert outcome(prog, inputs) == before


@settings(max_examples=30)
@given(recipes, input_values)
def test_optimize_is_idempotent_in_meaning(recipe, inputs):
    prog = build(recipe)
    optimize(prog)
    once = outcome(prog, inputs)
    n = len(prog.instrs)
    optimize(prog)
    assert outcome(prog, inputs) == once
    assert len(prog.instrs) <= n


# =====================================================================================
# the individual passes
# =====================================================================================
def _inputs(p, *types):
    return [p.emit("input", [], [t], attrs=(f"x{i}", False)).result for i, t in enumerate(types)]


def test_fold_constants_evaluates_and_simplifies():
    p = Program()
    (x,) = _inputs(p, "Felt")
    a = p.emit("add", [p.const(2), p.const(3)], ["Felt"]).result  # 5
    b = p.emit("mul", [x, p.const(1)], ["Felt"]).result  # x
    c = p.emit("add", [b, p.const(0)], ["Felt"]).result  # x
    d = p.emit("sub", [c, c], ["Felt"]).result  # 0
    e = p.emit("eq", [x, x], ["bool"]).result  # true
    f = p.emit("select", [e, a, x], ["Felt"]).result  # 5
    g = p.emit("mul", [f, x], ["Felt"]).result  # 5x
    for v in (d, g):
        p.emit("output", [v])
    stats = fold_constants(p)
    assert stats["folded"] >= 1 and stats["simplified"] >= 4
    assert [i.op for i in p.instrs] == ["input", "mul", "output", "output"]
    assert run(p, [7]).outputs == [0, 35]


def test_fold_keeps_always_failing_checks_and_drops_passing_ones():
    p = Program()
    (x,) = _inputs(p, "u8")
    p.emit("range_check", [p.const(255)], [], attrs=(8, "ok"))
    p.emit("assert_eq", [p.const(3), p.const(3)], [], attrs=("ok",))
    p.emit("assert", [p.const(1, "bool"), x], [], attrs=("ok", ("x",)))
    p.emit("range_check", [p.const(300)], [], attrs=(8, "too big"))  # always fails: stays
    p.emit("add", [p.const(200, "u8"), p.const(100, "u8")], ["u8"])  # always overflows: stays
    fold_constants(p)
    assert [i.op for i in p.instrs] == ["input", "range_check", "add"]
    with pytest.raises(ExecutionError, match="too big"):
        run(p, [1])


def test_fold_constant_predicates():
    p = Program()
    (x, y) = _inputs(p, "u32", "u32")
    off, on = p.const(0, "bool"), p.const(1, "bool")
    r = p.emit("add", [x, y], ["u32"], pred=off).result  # never runs: 0
    p.emit("assert_eq", [x, y], [], attrs=("no",), pred=off)  # removed
    s = p.emit("add", [x, y], ["u32"], pred=on).result  # predicate dropped
    p.emit("output", [r])
    p.emit("output", [s])
    fold_constants(p)
    assert [i.op for i in p.instrs] == ["input", "input", "add", "output", "output"]
    assert not p.instrs[2].predicated
    assert run(p, [1, 2]).outputs == [0, 3]
    with pytest.raises(ExecutionError):
        run(p, [2**32 - 1, 1])


def test_fold_integer_identities_keep_checks():
    p = Program()
    (x, y) = _inputs(p, "u8", "u8")
    a = p.emit("add", [x, p.const(0, "u8")], ["u8"]).result  # x: cannot overflow
    b = p.emit("mul", [y, p.const(0, "u8")], ["u8"]).result  # 0
    c = p.emit("add", [x, y], ["u8"]).result  # kept: may overflow
    for v in (a, b, c):
        p.emit("output", [v])
    fold_constants(p)
    assert p.count_ops().get("add") == 1 and "mul" not in p.count_ops()


def test_cse_merges_commutative_and_permute_but_not_hints():
    p = Program()
    (x, y) = _inputs(p, "Felt", "Felt")
    a = p.emit("add", [x, y], ["Felt"]).result
    b = p.emit("add", [y, x], ["Felt"]).result
    s1 = p.emit("permute", [x] * 12, ["Felt"] * 12).results
    s2 = p.emit("permute", [x] * 12, ["Felt"] * 12).results
    h1 = p.emit("hint", [x], ["Felt"], attrs=(SQUARE,)).result
    h2 = p.emit("hint", [x], ["Felt"], attrs=(SQUARE,)).result
    for v in (a, b, s1[0], s2[5], h1, h2):
        p.emit("output", [v])
    assert cse(p) == {"merged": 2}
    ops = p.count_ops()
    assert ops["add"] == 1 and ops["permute"] == 1 and ops["hint"] == 2
    out = run(p, [3, 4]).outputs
    assert out[0] == out[1] == 7


def test_cse_merges_identical_checked_ops():
    p = Program()
    (x, y) = _inputs(p, "u8", "u8")
    a = p.emit("add", [x, y], ["u8"], Span("f", 1, 2)).result
    b = p.emit("add", [y, x], ["u8"], Span("f", 5, 6)).result
    p.emit("output", [a])
    p.emit("output", [b])
    cse(p)
    assert p.count_ops()["add"] == 1
    with pytest.raises(ExecutionError) as info:
        run(p, [200, 100])
    assert info.value.span == Span("f", 1, 2)  # the first one fails, as before


def test_dce_keeps_checks_and_drops_dead_pure_code():
    p = Program()
    (x, u, v) = _inputs(p, "Felt", "u8", "u8")
    p.emit("mul", [x, x], ["Felt"])  # dead Felt: removed
    p.emit("hint", [x], ["Felt"], attrs=(SQUARE,))  # unused hint: removed
    p.emit("add", [u, v], ["u8"])  # checked: kept
    p.emit("div", [x, x], ["Felt"])  # may divide by zero: kept
    w = p.emit("and", [p.const(1, "bool"), p.const(0, "bool")], ["bool"]).result  # dead
    p.emit("not", [w], ["bool"])  # dead, and makes w dead
    small = p.emit("divmod", [u, p.const(16, "u8")], ["u8", "u8"]).results  # divisor nonzero
    p.emit("to_bits", [small[1]], ["bool"] * 8, attrs=(8,))  # r is a checked u8 result: cannot fail
    p.emit("to_bits", [u], ["bool"] * 4, attrs=(4,))  # an input: may fail, kept
    assert dce(p) == {"removed": 6}
    assert [i.op for i in p.instrs] == ["input"] * 3 + ["add", "div", "to_bits"]


def test_fuse_turns_a_mul_add_chain_into_one_arith_per_step():
    p = Program()
    (x, y) = _inputs(p, "Felt", "Felt")
    acc = x
    n = 10_000
    for _ in range(n):
        t = p.emit("mul", [acc, x], ["Felt"]).result
        acc = p.emit("add", [t, y], ["Felt"]).result
    p.emit("output", [acc])
    expected = run(p, [3, 5]).outputs
    stats = optimize(p)
    assert stats["fuse"]["fused"] == n
    assert p.count_ops() == {"input": 2, "arith": n, "output": 1}
    assert all(i.attrs == (1, 1) for i in p.instrs if i.op == "arith")
    assert run(p, [3, 5]).outputs == expected


def test_fuse_forms():
    p = Program()
    (x, y, z) = _inputs(p, "Felt", "Felt", "Felt")
    k = p.const(7)
    outs = []
    t = p.emit("mul", [k, x], ["Felt"]).result
    outs.append(p.emit("add", [t, z], ["Felt"]).result)  # 7x + z
    t = p.emit("mul", [x, y], ["Felt"]).result
    outs.append(p.emit("sub", [z, t], ["Felt"]).result)  # z - xy
    t = p.emit("mul", [x, y], ["Felt"]).result
    outs.append(p.emit("sub", [t, z], ["Felt"]).result)  # xy - z
    t = p.emit("neg", [x], ["Felt"]).result
    outs.append(p.emit("add", [z, t], ["Felt"]).result)  # z - x
    shared = p.emit("mul", [y, y], ["Felt"]).result  # used twice: not fused
    outs.append(p.emit("add", [shared, x], ["Felt"]).result)
    outs.append(p.emit("add", [shared, z], ["Felt"]).result)
    for o in outs:
        p.emit("output", [o])
    expected = run(p, [3, 5, 11]).outputs
    stats = fuse_arithmetic(p)
    assert stats["fused"] == 4
    assert p.count_ops()["arith"] == 7
    assert run(p, [3, 5, 11]).outputs == expected
    assert fuse_arithmetic(p)["fused"] == 0  # idempotent


def test_fuse_leaves_integer_ops_alone():
    p = Program()
    (x, y) = _inputs(p, "u32", "u32")
    t = p.emit("mul", [x, y], ["u32"]).result
    p.emit("output", [p.emit("add", [t, x], ["u32"]).result])
    fuse_arithmetic(p)
    assert "arith" not in p.count_ops()


def test_dedupe_checks():
    p = Program()
    (x, b, c, pr) = _inputs(p, "Felt", "Felt", "u8", "bool")
    p.emit("range_check", [x], [], attrs=(16, "a"))
    p.emit("range_check", [x], [], attrs=(16, "b"))  # repeated: removed
    p.emit("range_check", [x], [], attrs=(20, "c"))  # weaker: removed
    p.emit("range_check", [x], [], attrs=(8, "d"))  # stronger: kept
    p.emit("range_check", [c], [], attrs=(8, "e"), pred=pr)  # an input: kept
    p.emit("range_check", [c], [], attrs=(8, "f"), pred=pr)  # same predicate: removed
    p.emit("assert_bool", [b], [])
    p.emit("assert_bool", [b], [])  # repeated: removed
    e = p.emit("eq", [x, b], ["bool"]).result
    p.emit("assert_bool", [e], [])  # eq is boolean: removed
    bits = p.emit("to_bits", [x], ["bool"] * 8, attrs=(8,)).results
    n = p.emit("and", [bits[0], p.emit("not", [bits[1]], ["bool"]).result], ["bool"]).result
    p.emit("assert_bool", [n], [])  # bits, not, and: boolean: removed
    p.emit("range_check", [x], [], attrs=(8, "g"))  # after to_bits(8): removed
    s = p.emit("add", [c, c], ["u8"]).result
    p.emit("range_check", [s], [], attrs=(8, "h"))  # a checked u8 result: removed
    p.emit("assert_eq", [x, b], [], attrs=("i",))
    p.emit("assert_eq", [b, x], [], attrs=("j",))  # repeated: removed
    assert dedupe_checks(p) == {"removed": 9}
    kept = [i.attrs[1] for i in p.instrs if i.op == "range_check"]
    assert kept == ["a", "d", "e"]


def test_dedupe_keeps_checks_of_cast_and_hint_results():
    p = Program()
    (x,) = _inputs(p, "Felt")
    h = p.emit("hint", [x], ["u8"], attrs=(HintFn("h", lambda v: [v[0] % 256]),)).result
    p.emit("range_check", [h], [], attrs=(8, "hint result"))
    c = p.emit("cast", [x], ["u8"]).result
    p.emit("range_check", [c], [], attrs=(8, "cast"))
    assert dedupe_checks(p) == {"removed": 0}
