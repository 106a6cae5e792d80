"""Lowering IR -> circuit: the interpreter's witness satisfies the constraints (completeness);
inputs the interpreter rejects, and tampered hints, violate them (soundness); predicated
checks never fire with predicate 0; failures point at the .psy line."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ir_passes import build, input_values, recipes

from psyc.field.goldilocks import P
from psyc.fri import FriConfig
from psyc.frontend.diagnostics import SourceMap, Span
from psyc.ir.interpret import ExecutionError, run
from psyc.ir.ir import HintFn, Program
from psyc.ir.lower import check, lower, solve_witness
from psyc.ir.passes import optimize
from psyc.plonk.config import CircuitConfig
from psyc.plonk.witness import PartialWitness

FAST = CircuitConfig(
    fri_config=FriConfig(rate_bits=3, cap_height=2, num_query_rounds=8, proof_of_work_bits=4)
)
M32 = 2**32 - 1


# =====================================================================================
# helpers
# =====================================================================================
def one_op(op, types, rtypes, attrs=(), pred=False, consts=()):
    p = Program()
    args = [p.emit("input", [], [t], attrs=(f"x{i}", False)).result for i, t in enumerate(types)]
    args += [p.const(v, t) for v, t in consts]
    pv = p.emit("input", [], ["bool"], attrs=("pred", False)).result if pred else None
    ins = p.emit(op, args, rtypes, Span("main.psy", 0, 1), attrs, pv)
    for r in ins.results:
        p.emit("output", [r])
    return p


class Circuit:
    def __init__(self, prog: Program, lookups: bool = True, sources=None) -> None:
        self.prog = prog
        self.low = lower(prog, FAST, sources, lookups=lookups)
        self.data = self.low.build()

    def raw_pw(self, inputs) -> PartialWitness:
        """Inputs only: hints and everything else come from the builder's generators."""
        pw = PartialWitness()
        for (_, t), v in zip(self.low.inputs, inputs, strict=True):
            pw.set_target(t, v)
        return pw

    def outcome(self, pw):
        values, _ = solve_witness(self.data, pw)
        failures = check(self.low, self.data, pw)
        pis = [values[c] for c in self.data.prover_only.public_input_classes]
        return failures, pis

    def agree(self, inputs):
        """The circuit is satisfied (with the interpreter's outputs) iff the run succeeds."""
        try:
            ex = run(self.prog, inputs)
        except ExecutionError as e:
            failures, _ = self.outcome(self.raw_pw(inputs))
            assert failures, f"the interpreter fails ({e.message}) but the circuit is satisfied: {inputs}"
            return None
        failures, pis = self.outcome(self.low.partial_witness(ex))
        assert failures == [], f"{inputs}: {failures[:3]}"
        public = [v for ins, v in zip(self.prog.inputs, inputs, strict=True) if ins.attrs[1]]
        assert pis == public + ex.outputs
        return ex

    def tamper(self, pw, name, fn) -> PartialWitness:
        """A copy of ``pw`` where the outputs of every generator called ``name`` are set to
        ``fn(honest outputs, dependency values)`` (None: leave that generator alone)."""
        values, _ = solve_witness(self.data, pw)
        tc = self.data.prover_only.target_class
        out = PartialWitness()
        out.values = dict(pw.values)
        hit = False
        for g in self.low.builder.generators:
            if g.name != name:
                continue
            new = fn([values[tc[t.index]] for t in g.outputs], [values[tc[d.index]] for d in g.deps])
            if new is not None:
                hit = True
                for t, v in zip(g.outputs, new, strict=True):
                    out.values[t] = v % P
        assert hit, f"no generator {name} was tampered with"
        return out


@functools.cache
def circuit(key):
    op, types, rtypes, attrs, pred, consts = key
    return Circuit(one_op(op, list(types), list(rtypes), attrs, pred, consts))


EDGE = {
    "Felt": [0, 1, 2, P - 1, P - 2, M32, 2**32, 2**32 + 1, 2**63],
    "u64": [0, 1, 2, P - 1, P - 2, M32, 2**32, 2**32 + 1, 2**63],
    "u32": [0, 1, 2, M32, M32 - 1, 2**31],
    "u16": [0, 1, 65535, 65534],
    "u8": [0, 1, 2, 3, 255, 254],
    "bool": [0, 1],
}
MAXV = {"Felt": P - 1, "u64": P - 1, "u32": M32, "u16": 65535, "u8": 255, "bool": 1}


def values_of(t):
    return st.one_of(st.sampled_from(EDGE[t]), st.integers(0, MAXV[t]))


F2, U64, U32, U8 = ("Felt", "Felt"), ("u64", "u64"), ("u32", "u32"), ("u8", "u8")
CASES = {
    "felt_add": ("add", F2, ("Felt",), (), False, ()),
    "felt_sub": ("sub", F2, ("Felt",), (), False, ()),
    "felt_mul": ("mul", F2, ("Felt",), (), False, ()),
    "felt_neg": ("neg", ("Felt",), ("Felt",), (), False, ()),
    "felt_arith": ("arith", ("Felt",) * 3, ("Felt",), (3, P - 1), False, ()),
    "felt_div": ("div", F2, ("Felt",), (), False, ()),
    "felt_div_pred": ("div", F2, ("Felt",), (), True, ()),
    "felt_add_pred": ("add", F2, ("Felt",), (), True, ()),
    "u8_add": ("add", U8, ("u8",), (), False, ()),
    "u8_sub": ("sub", U8, ("u8",), (), False, ()),
    "u8_mul": ("mul", U8, ("u8",), (), False, ()),
    "u16_mul": ("mul", ("u16", "u16"), ("u16",), (), False, ()),
    "u32_add": ("add", U32, ("u32",), (), False, ()),
    "u32_sub": ("sub", U32, ("u32",), (), False, ()),
    "u32_mul": ("mul", U32, ("u32",), (), False, ()),
    "u32_mul_pred": ("mul", U32, ("u32",), (), True, ()),
    "u64_add": ("add", U64, ("u64",), (), False, ()),
    "u64_sub": ("sub", U64, ("u64",), (), False, ()),
    "u64_mul": ("mul", U64, ("u64",), (), False, ()),
    "u64_add_pred": ("add", U64, ("u64",), (), True, ()),
    "u64_mul_pred": ("mul", U64, ("u64",), (), True, ()),
    "u8_divmod": ("divmod", U8, ("u8", "u8"), (), False, ()),
    "u32_divmod_pred": ("divmod", U32, ("u32", "u32"), (), True, ()),
    "u64_divmod": ("divmod", U64, ("u64", "u64"), (), False, ()),
    "u64_divmod_pred": ("divmod", U64, ("u64", "u64"), (), True, ()),
    "u8_wrap_add": ("wrap", U8, ("u8",), ("add",), False, ()),
    "u8_wrap_sub": ("wrap", U8, ("u8",), ("sub",), False, ()),
    "u8_wrap_mul": ("wrap", U8, ("u8",), ("mul",), False, ()),
    "u32_wrap_add": ("wrap", U32, ("u32",), ("add",), False, ()),
    "u32_wrap_sub": ("wrap", U32, ("u32",), ("sub",), False, ()),
    "u32_wrap_mul": ("wrap", U32, ("u32",), ("mul",), False, ()),
    "felt_eq": ("eq", F2, ("bool",), (), False, ()),
    "u64_eq": ("eq", U64, ("bool",), (), False, ()),
    "u8_lt": ("lt", U8, ("bool",), (), False, ()),
    "u32_lt": ("lt", U32, ("bool",), (), False, ()),
    "u64_lt": ("lt", U64, ("bool",), (), False, ()),
    "felt_lt": ("lt", F2, ("bool",), (), False, ()),
    "bool_lt": ("lt", ("bool", "bool"), ("bool",), (), False, ()),
    "not": ("not", ("bool",), ("bool",), (), False, ()),
    "and": ("and", ("bool", "bool"), ("bool",), (), False, ()),
    "or": ("or", ("bool", "bool"), ("bool",), (), False, ()),
    "xor": ("xor", ("bool", "bool"), ("bool",), (), False, ()),
    "select": ("select", ("bool", "Felt", "Felt"), ("Felt",), (), False, ()),
    "cast": ("cast", ("u8",), ("u32",), (), False, ()),
    "range_check_1": ("range_check", ("Felt",), (), (1, "m"), False, ()),
    "range_check_8": ("range_check", ("Felt",), (), (8, "m"), False, ()),
    "range_check_32": ("range_check", ("Felt",), (), (32, "m"), False, ()),
    "range_check_33": ("range_check", ("Felt",), (), (33, "m"), False, ()),
    "range_check_63": ("range_check", ("Felt",), (), (63, "m"), False, ()),
    "range_check_64": ("range_check", ("Felt",), (), (64, "m"), False, ()),
    "range_check_pred": ("range_check", ("Felt",), (), (16, "m"), True, ()),
    "assert_bool": ("assert_bool", ("Felt",), (), (), False, ()),
    "assert": ("assert", ("bool", "u8"), (), ("m", ("x",)), False, ()),
    "assert_pred": ("assert", ("bool",), (), ("m", ()), True, ()),
    "assert_eq": ("assert_eq", F2, (), ("m",), False, ()),
    "assert_eq_pred": ("assert_eq", U64, (), ("m",), True, ()),
    "to_bits_8": ("to_bits", ("Felt",), ("bool",) * 8, (8,), False, ()),
    "to_bits_63": ("to_bits", ("Felt",), ("bool",) * 63, (63,), False, ()),
    "to_bits_64": ("to_bits", ("Felt",), ("bool",) * 64, (64,), False, ()),
    "from_bits": ("from_bits", ("bool",) * 8, ("u8",), (), False, ()),
    "read_5": ("read", ("u32",), ("Felt",), (), False, tuple((7 * i + 1, "Felt") for i in range(5))),
    "read_8": ("read", ("u32",), ("Felt",), (), False, tuple((7 * i + 1, "Felt") for i in range(8))),
    "read_40_pred": ("read", ("u32",), ("Felt",), (), True, tuple((7 * i + 1, "Felt") for i in range(40))),
    "read_64": ("read", ("u32",), ("Felt",), (), False, tuple((7 * i + 1, "Felt") for i in range(64))),
    "permute": ("permute", ("Felt",) * 12, ("Felt",) * 12, (), False, ()),
}


def _inputs_for(key):
    _, types, _, _, pred, consts = key
    if CASES_BY_KEY[key].startswith("read"):
        n = len(consts)
        idx = st.one_of(st.integers(0, n + 3), st.sampled_from([M32, 2**31, 32, 33, 64]))
        elems = [idx]
    else:
        elems = [values_of(t) for t in types]
    if pred:
        elems.append(values_of("bool"))
    return st.tuples(*elems).map(list)


CASES_BY_KEY = {v: k for k, v in CASES.items()}


@pytest.mark.parametrize("name", list(CASES))
@settings(max_examples=25)
@given(data=st.data())
def test_circuit_agrees_with_the_interpreter(name, data):
    key = CASES[name]
    c = circuit(key)
    c.agree(data.draw(_inputs_for(key)))


@pytest.mark.parametrize("name", list(CASES))
def test_edge_values(name):
    key = CASES[name]
    c = circuit(key)
    _, types, _, _, pred, consts = key
    if name.startswith("read"):
        n = len(consts)
        rows = [[i] for i in (0, n - 1, n, n + 1, 31, 32, 33, M32)]
    else:
        rows = [[EDGE[t][k % len(EDGE[t])] for t in types] for k in range(12)]
        rows += [[EDGE[t][-1 - k % len(EDGE[t])] for t in types] for k in range(6)]
    for r in rows:
        for pv in [0, 1] if pred else [None]:
            c.agree(r + ([] if pv is None else [pv]))


# =====================================================================================
# soundness: checks that the honest generators would satisfy, broken by hand
# =====================================================================================
def test_u64_overflow_is_unsatisfiable():
    for name, bad in (
        ("u64_add", [[P - 1, 1], [2**63, 2**63], [P - 2, 3]]),
        ("u64_sub", [[0, 1], [2**32, 2**32 + 1], [P - 2, P - 1]]),
        ("u64_mul", [[2**32, 2**32], [2**32 + 1, M32], [P - 1, 2], [2**40, 2**30]]),
    ):
        c = circuit(CASES[name])
        for ab in bad:
            with pytest.raises(ExecutionError):
                run(c.prog, ab)
            failures, _ = c.outcome(c.raw_pw(ab))
            assert failures and all(f.scope == "main.psy@0" for f in failures), (name, ab)
    c = circuit(CASES["u64_mul"])
    assert c.agree([2**32, M32]).outputs == [P - 1]  # exactly p - 1 fits


@pytest.mark.parametrize(
    "name, a, b",
    [
        ("u32_lt", M32, M32 - 1),
        ("u32_lt", 0, M32),
        ("u64_lt", P - 1, P - 2),
        ("u64_lt", M32, 2**32),
        ("u64_lt", P - 2, P - 1),
        ("u8_lt", 255, 0),
    ],
)
def test_lt_cannot_be_flipped(name, a, b):
    c = circuit(CASES[name])
    ex = c.agree([a, b])
    assert ex.outputs == [int(a < b)]
    pw = c.low.partial_witness(ex)
    bad = c.tamper(pw, "hint:lt", lambda out, deps: [1 - out[0]])
    assert c.outcome(bad)[0]


def test_lt_without_lookups_is_also_sound():
    c = Circuit(one_op("lt", ["u32", "u32"], ["bool"]), lookups=False)
    assert c.low.stats.get("lookup", 0) == 0
    for a, b in ((M32, M32 - 1), (M32 - 1, M32), (5, 5)):
        c.agree([a, b])


def test_eq_cannot_be_faked():
    c = circuit(CASES["felt_eq"])
    ex = c.agree([5, 6])
    bad = c.tamper(c.low.partial_witness(ex), "hint:inverse", lambda out, deps: [0])
    assert c.outcome(bad)[0]


def test_to_bits_64_rejects_the_alias_x_plus_p():
    c = circuit(CASES["to_bits_64"])
    for x in (0, 5, M32 - 1):
        ex = c.agree([x])
        alias = x + P  # < 2^64: hi = 2^32 - 1, lo = x + 1
        bad = c.tamper(
            c.low.partial_witness(ex), "split_limbs", lambda out, deps, a=alias: [a & M32, a >> 32]
        )
        failures, _ = c.outcome(bad)
        assert failures


def test_u64_limbs_cannot_alias():
    """lt(0, 1) would read as lt(p, 1) = false through the alias of 0."""
    c = circuit(CASES["u64_lt"])
    ex = c.agree([0, 1])

    def alias_zero(out, deps):
        return [1, M32] if deps[0] == 0 else None  # (lo, hi): 0 + p = (2^32 - 1) * 2^32 + 1

    bad = c.tamper(c.low.partial_witness(ex), "split_limbs", alias_zero)
    assert c.outcome(bad)[0]


def test_wrap_mul_u32_high_limb_cannot_alias():
    c = circuit(CASES["u32_wrap_mul"])
    ex = c.agree([0, 5])
    bad = c.tamper(c.low.partial_witness(ex), "hint:wrap", lambda out, deps: [M32])  # lo would be 1
    assert c.outcome(bad)[0]


def test_divmod_remainder_cannot_be_negative():
    c = circuit(CASES["u8_divmod"])
    ex = c.agree([7, 2])
    assert ex.outputs == [3, 1]
    bad = c.tamper(c.low.partial_witness(ex), "hint:divmod", lambda out, deps: [4, P - 1])  # 4*2 - 1 = 7
    assert c.outcome(bad)[0]
    bad = c.tamper(c.low.partial_witness(ex), "hint:divmod", lambda out, deps: [2, 3])  # r >= b
    assert c.outcome(bad)[0]
    c64 = circuit(CASES["u64_divmod"])
    ex = c64.agree([7, 2])
    proof = c64.data.prove(c64.low.partial_witness(ex))  # the real prover agrees
    c64.data.verify(proof)
    assert proof.public_inputs == [3, 1]
    for qr in ([4, P - 1], [2, 3], [3 + (P - 1) // 2, 1 + 1]):
        bad = c64.tamper(c64.low.partial_witness(ex), "hint:divmod", lambda out, deps, qr=qr: qr)
        assert c64.outcome(bad)[0], qr


def test_division_by_zero_is_unsatisfiable():
    c = circuit(CASES["felt_div"])
    failures, _ = c.outcome(c.raw_pw([5, 0]))
    assert failures
    ex = c.agree([6, 3])
    bad = c.tamper(c.low.partial_witness(ex), "hint:inverse", lambda out, deps: [out[0] + 1])
    assert c.outcome(bad)[0]


@pytest.mark.parametrize("n", [5, 8, 40, 64])
def test_read_out_of_bounds_is_unsatisfiable(n):
    name = {5: "read_5", 8: "read_8", 40: "read_40_pred", 64: "read_64"}[n]
    c = circuit(CASES[name])
    pred = [1] if name.endswith("pred") else []
    for i in (n, n + 1, 2**32 - 1, P - 1):
        assert c.outcome(c.raw_pw([i, *pred]))[0], i
    if n > 32:  # index = hi*32 + lo with lo >= 32 is rejected
        ex = c.agree([35, *pred])
        bad = c.tamper(c.low.partial_witness(ex), "hint:read_index", lambda out, deps: [0, 35])
        assert c.outcome(bad)[0]


def test_predicated_checks_do_not_fire_with_predicate_zero():
    cases = [
        ("u64_add_pred", [P - 1, 1]),
        ("u64_mul_pred", [2**32, 2**32]),
        ("u32_mul_pred", [M32, M32]),
        ("u32_divmod_pred", [5, 0]),
        ("u64_divmod_pred", [5, 0]),
        ("felt_div_pred", [5, 0]),
        ("range_check_pred", [2**16]),
        ("assert_pred", [0]),
        ("assert_eq_pred", [1, 2]),
        ("read_40_pred", [40]),
    ]
    for name, vals in cases:
        c = circuit(CASES[name])
        ex = c.agree([*vals, 0])
        assert all(v == 0 for v in ex.outputs), name
        with pytest.raises(ExecutionError):
            run(c.prog, [*vals, 1])
        assert c.outcome(c.raw_pw([*vals, 1]))[0], name


def test_unchecked_ir_hint_can_be_anything_but_a_checked_one_cannot():
    p = Program()
    x = p.emit("input", [], ["Felt"], attrs=("x", False)).result
    h = p.emit("hint", [x], ["Felt"], attrs=(HintFn("sq", lambda v: [v[0] * v[0] % P]),)).result
    p.emit("assert_eq", [h, p.emit("mul", [x, x], ["Felt"]).result], [], Span("main.psy", 0, 1), ("sq",))
    p.emit("output", [h])
    c = Circuit(p)
    ex = c.agree([9])
    assert ex.outputs == [81]
    pw = c.low.partial_witness(ex)
    assert set(pw.values.values()) == {9, 81}
    bad = c.tamper(pw, "hint:sq", lambda out, deps: [82])
    assert c.outcome(bad)[0]


# =====================================================================================
# circuits of whole programs
# =====================================================================================
@settings(max_examples=25)
@given(recipes, input_values, st.booleans(), st.booleans())
def test_random_programs(recipe, inputs, opt, lookups):
    prog = build(recipe)
    if opt:
        optimize(prog)
    Circuit(prog, lookups=lookups).agree(inputs)


def test_scope_points_at_the_source_line():
    text = "fn main(x: u32) {\n    let y = x * 2;\n    assert(y < 10);\n}\n"
    sources = SourceMap()
    sources.add("src/main.psy", text)
    p = Program()
    x = p.emit("input", [], ["u32"], Span("src/main.psy", 8, 9), ("x", False)).result
    at = text.index("x * 2")
    y = p.emit("mul", [x, p.const(2, "u32")], ["u32"], Span("src/main.psy", at, at + 5)).result
    at = text.index("assert")
    c = p.emit("lt", [y, p.const(10, "u32")], ["bool"], Span("src/main.psy", at + 7, at + 13)).result
    p.emit("assert", [c, y], [], Span("src/main.psy", at, at + 14), ("assertion failed: y < 10", ("y",)))
    c = Circuit(p, sources=sources)
    c.agree([4])
    failures, _ = c.outcome(c.raw_pw([7]))
    assert failures and {f.scope for f in failures} == {"src/main.psy:3:5"}
    failures, _ = c.outcome(c.raw_pw([2**31]))  # overflow in the multiplication
    assert failures and failures[0].scope == "src/main.psy:2:13"


def test_public_inputs_then_outputs_and_a_proof():
    p = Program()
    a = p.emit("input", [], ["u32"], attrs=("a", True)).result
    b = p.emit("input", [], ["u32"], attrs=("b", False)).result
    c = p.emit("input", [], ["u64"], attrs=("c", True)).result
    s = p.emit("add", [a, b], ["u32"]).result
    m = p.emit("mul", [p.emit("cast", [s], ["u64"]).result, c], ["u64"]).result
    p.emit("output", [m])
    p.emit("output", [s])
    optimize(p)
    circ = Circuit(p)
    ex = circ.agree([3, 4, 2**33])
    proof = circ.data.prove(circ.low.partial_witness(ex))
    circ.data.verify(proof)
    assert proof.public_inputs == [3, 2**33, 7 * 2**33, 7]


def test_fused_mul_add_chain_costs_a_twentieth_of_a_row_per_step():
    p = Program()
    x = p.emit("input", [], ["Felt"], attrs=("x", False)).result
    y = p.emit("input", [], ["Felt"], attrs=("y", False)).result
    acc = x
    for _ in range(10_000):
        acc = p.emit("add", [p.emit("mul", [acc, x], ["Felt"]).result, y], ["Felt"]).result
    p.emit("output", [acc])
    optimize(p)
    low = lower(p, FAST)
    assert low.stats["arithmetic"] == 500


def test_long_read_recurses_over_chunks():
    n = 1100  # 35 chunks of 32: two levels of selection
    p = Program()
    i = p.emit("input", [], ["u32"], attrs=("i", False)).result
    items = [p.const(3 * k + 1) for k in range(n)]
    p.emit("output", [p.emit("read", [i, *items], ["Felt"], Span("main.psy", 0, 1)).result])
    c = Circuit(p)
    for idx in (0, 31, 32, 1023, 1024, n - 1):
        assert c.agree([idx]).outputs == [3 * idx + 1]
    for idx in (n, 1120, 2047, 2**20):
        assert c.outcome(c.raw_pw([idx]))[0], idx


@pytest.mark.parametrize("lookups", [True, False])
def test_range_check_failure_is_located(lookups):
    text = "fn main(x: Felt) {\n    check(x);\n}\n"
    sources = SourceMap()
    sources.add("src/main.psy", text)
    p = Program()
    x = p.emit("input", [], ["Felt"], attrs=("x", False)).result
    at = text.index("check")
    p.emit("range_check", [x], [], Span("src/main.psy", at, at + 8), (8, "x is too big"))
    c = Circuit(p, lookups=lookups, sources=sources)
    c.agree([255])
    failures, _ = c.outcome(c.raw_pw([256]))
    assert failures and {f.scope for f in failures} == {"src/main.psy:2:5"}
    if lookups:
        assert any(f.gate == "lookup" for f in failures)
