"""Differential testing of the whole pipeline on random well-typed expressions.

Hypothesis builds expression trees over two Felt inputs (f0, f1) and two u32 inputs
(u0, u1): ``+ - * /`` and ``==`` on Felt; ``+ - * / % & | ^ << >> < <= == !=`` and
``wrapping_*`` on u32; casts both ways; ``&& || !``; ``if``/``else`` on comparisons. Each
tree is rendered as .psy source and evaluated three ways, which must agree:

(a) a plain Python evaluator of the tree (failure: overflow, division by zero, a failing
    narrowing cast — only on the branch actually taken, and not in a skipped `&&`/`||`
    operand);
(b) the IR interpreter, on the unoptimised and the optimised program;
(c) the lowered circuit: satisfied by a passing run's witness; violated by the witness
    its generators derive for a failing run.

Each example compiles one program and runs it on several input vectors. Literals are
rendered bare wherever the context gives them their type (exercising the literal typing
rules) and as ``(K as u32)`` where it would not.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lang_util import P, Prog, circuit_rejects, flatten_inputs, have_lower

from psyc.frontend.diagnostics import CompileError
from psyc.ir.interpret import ExecutionError

M32 = (1 << 32) - 1


class Fail(Exception):  # noqa: N818  (the Python evaluator's "the program fails")
    pass


@dataclass(frozen=True)
class Node:
    op: str  # "in" "lit" "bin" "cmp" "cast" "if" "not" "logic" "neg" "wrap" "shift"
    type: str  # "Felt" | "u32" | "bool"
    args: tuple = ()
    value: object = None  # input name, literal value, operator, cast target, shift amount


# --- generation ------------------------------------------------------------------------------
FELT_LITS = st.sampled_from([0, 1, 2, 7, P - 1, P - 2, 2**32, 2**63])
U32_LITS = st.one_of(st.sampled_from([0, 1, 2, 3, 255, 2**16, 2**31, M32 - 1, M32]), st.integers(0, M32))


def leaf(t: str):
    if t == "Felt":
        return st.one_of(st.sampled_from(["f0", "f1"]).map(lambda n: Node("in", t, (), n)),
                         FELT_LITS.map(lambda v: Node("lit", t, (), v)))
    if t == "u32":
        return st.one_of(st.sampled_from(["u0", "u1"]).map(lambda n: Node("in", t, (), n)),
                         U32_LITS.map(lambda v: Node("lit", t, (), v)))
    return st.sampled_from([True, False]).map(lambda v: Node("lit", "bool", (), v))


def expr(t: str, depth: int):
    if depth == 0:
        return leaf(t)
    sub = {k: expr(k, depth - 1) for k in ("Felt", "u32", "bool")}
    options = [leaf(t)]
    if t == "Felt":
        options += [
            st.tuples(st.sampled_from("+-*/"), sub["Felt"], sub["Felt"]).map(lambda a: Node("bin", t, a[1:], a[0])),
            sub["u32"].map(lambda a: Node("cast", t, (a,), "Felt")),
            sub["Felt"].map(lambda a: Node("neg", t, (a,))),
        ]
    elif t == "u32":
        options += [
            st.tuples(st.sampled_from(["+", "-", "*", "/", "%", "&", "|", "^"]), sub["u32"], sub["u32"])
            .map(lambda a: Node("bin", t, a[1:], a[0])),
            sub["Felt"].map(lambda a: Node("cast", t, (a,), "u32")),
            st.tuples(st.sampled_from(["add", "sub", "mul"]), sub["u32"], sub["u32"])
            .map(lambda a: Node("wrap", t, a[1:], a[0])),
            st.tuples(st.sampled_from(["<<", ">>"]), sub["u32"], st.integers(0, 31))
            .map(lambda a: Node("shift", t, (a[1],), (a[0], a[2]))),
        ]
    else:
        options += [
            st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), sub["u32"], sub["u32"])
            .map(lambda a: Node("cmp", t, a[1:], a[0])),
            st.tuples(st.sampled_from(["==", "!="]), sub["Felt"], sub["Felt"])
            .map(lambda a: Node("cmp", t, a[1:], a[0])),
            st.tuples(st.sampled_from(["&&", "||"]), sub["bool"], sub["bool"])
            .map(lambda a: Node("logic", t, a[1:], a[0])),
            sub["bool"].map(lambda a: Node("not", t, (a,))),
        ]
    if t != "bool":
        options.append(st.tuples(sub["bool"], sub[t], sub[t]).map(lambda a: Node("if", t, a)))
    return st.one_of(*options)


# --- (a) the Python evaluator ----------------------------------------------------------------
def evaluate(n: Node, env: dict[str, int]) -> int:
    if n.op == "in":
        return env[n.value]
    if n.op == "lit":
        return int(n.value)
    if n.op == "if":
        return evaluate(n.args[1] if evaluate(n.args[0], env) else n.args[2], env)
    if n.op == "not":
        return 1 - evaluate(n.args[0], env)
    if n.op == "logic":
        a = evaluate(n.args[0], env)
        if (n.value == "&&" and not a) or (n.value == "||" and a):
            return a
        return evaluate(n.args[1], env)
    if n.op == "neg":
        return -evaluate(n.args[0], env) % P
    if n.op == "cast":
        v = evaluate(n.args[0], env)
        if n.value == "u32" and v > M32:
            raise Fail("narrowing cast")
        return v
    if n.op == "shift":
        v = evaluate(n.args[0], env)
        op, k = n.value
        return (v << k) & M32 if op == "<<" else v >> k
    a, b = evaluate(n.args[0], env), evaluate(n.args[1], env)
    if n.op == "wrap":
        return {"add": a + b, "sub": a - b, "mul": a * b}[n.value] & M32
    if n.op == "cmp":
        return int({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[n.value])
    op = n.value
    if n.type == "Felt":
        if op == "/":
            if b == 0:
                raise Fail("division by zero")
            return a * pow(b, P - 2, P) % P
        return {"+": a + b, "-": a - b, "*": a * b}[op] % P
    if op in "/%":
        if b == 0:
            raise Fail("division by zero")
        return a // b if op == "/" else a % b
    if op in "&|^":
        return {"&": a & b, "|": a | b, "^": a ^ b}[op]
    r = {"+": a + b, "-": a - b, "*": a * b}[op]
    if not 0 <= r <= M32:
        raise Fail("overflow")
    return r


# --- rendering -------------------------------------------------------------------------------
def literal_like(n: Node) -> bool:
    """Mirrors the elaborator's rule: literals and arithmetic on literals only."""
    if n.op == "lit":
        return n.type != "bool"
    if n.op == "bin":
        return literal_like(n.args[0]) and literal_like(n.args[1])
    if n.op in ("shift", "neg"):
        return literal_like(n.args[0])
    return False


def render(n: Node, typed: bool) -> str:
    """Source text of ``n``; ``typed``: the context gives it its type (an expected type, or
    a typed sibling operand). A u32 literal in an untyped context would default to Felt,
    so there it is written ``(K as u32)``."""
    if n.op == "in":
        return n.value
    if n.op == "lit":
        if n.type == "bool":
            return "true" if n.value else "false"
        return str(n.value) if typed or n.type == "Felt" else f"({n.value} as u32)"
    if n.op == "not":
        return f"!({render(n.args[0], True)})"
    if n.op == "neg":
        return f"-({render(n.args[0], typed)})"
    if n.op == "logic":
        return f"({render(n.args[0], True)} {n.value} {render(n.args[1], True)})"
    if n.op == "cast":
        # the operand of `as` has no expected type (a bare literal would take the target's)
        inner = n.args[0]
        text = f"({inner.value} as {inner.type})" if inner.op == "lit" else render(inner, False)
        return f"(({text}) as {n.value})"
    if n.op == "shift":
        op, k = n.value
        return f"({render(n.args[0], typed)} {op} {k})"
    if n.op == "wrap":
        return f"({render(n.args[0], False)}).wrapping_{n.value}({render(n.args[1], True)})"
    if n.op == "if":
        c, a, b = n.args
        # `else` is typed by `then` (and a literal `then` by `else`)
        return f"(if {render(c, True)} {{ {render(a, typed)} }} else {{ {render(b, True)} }})"
    left, right = n.args
    if n.op == "cmp":
        typed = False  # comparison operands get no expected type
    if typed:
        lt, rt = render(left, True), render(right, True)
    elif literal_like(left) and not literal_like(right):
        lt, rt = render(left, True), render(right, False)  # the right operand types the left
    else:
        lt, rt = render(left, False), render(right, True)
    return f"({lt} {n.value} {rt})"


def source(n: Node) -> str:
    return f"fn main(f0: Felt, f1: Felt, u0: u32, u1: u32) -> pub {n.type} {{\n    {render(n, True)}\n}}\n"


# --- the property ---------------------------------------------------------------------------------
FELT_IN = st.one_of(st.sampled_from([0, 1, 2, P - 1, 2**32, M32]), st.integers(0, P - 1))
U32_IN = st.one_of(st.sampled_from([0, 1, 2, 3, 2**31, M32]), st.integers(0, M32), st.integers(0, 20))
INPUTS = st.lists(st.tuples(FELT_IN, FELT_IN, U32_IN, U32_IN), min_size=3, max_size=5)


def check_example(tree: Node, vectors: list[tuple[int, int, int, int]]) -> None:
    src = source(tree)
    expected = []
    for f0, f1, u0, u1 in vectors:
        try:
            expected.append(evaluate(tree, {"f0": f0, "f1": f1, "u0": u0, "u1": u1}))
        except Fail:
            expected.append(None)
    try:
        prog = Prog(src, constraints=False)
    except ExecutionError:
        # a constant sub-expression failed while folding: it is on the path of every input
        assert all(x is None for x in expected), f"compile-time failure, but Python passes:\n{src}"
        return
    except CompileError as e:
        raise AssertionError(f"well-typed program rejected: {e}\n{src}") from None
    lower_it = have_lower() and len(prog.checked.program.instrs) <= 400
    for vec, want in zip(vectors, expected, strict=True):
        inputs = flatten_inputs(vec)
        if want is None:
            try:
                prog.plain.execute(inputs)
            except ExecutionError:
                pass
            else:
                raise AssertionError(f"interpreter passes {vec}, Python fails:\n{src}")
            if prog.opt is not None:
                try:
                    prog.opt.execute(inputs)
                except ExecutionError:
                    pass
                else:
                    raise AssertionError(f"optimised IR passes {vec}, Python fails:\n{src}")
            if lower_it:
                assert circuit_rejects(prog.checked, inputs), f"circuit accepts failing {vec}:\n{src}"
            continue
        try:
            got = prog.plain.execute(inputs).outputs
        except ExecutionError as e:
            raise AssertionError(f"interpreter fails ({e.code} {e}) on {vec}, Python gives {want}:\n{src}") from None
        assert got == [want], f"interpreter {got} != Python {want} on {vec}:\n{src}"
        if prog.opt is not None:
            run_ = prog.opt.execute(inputs)
            assert run_.outputs == [want], f"optimised IR {run_.outputs} != {want} on {vec}:\n{src}"
            if lower_it:
                failures = prog.opt.check_constraints(run_)
                assert failures == [], f"circuit rejects passing {vec}: {failures[:2]}\n{src}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr("u32", 3), INPUTS)
def test_u32_expressions(tree, vectors):
    check_example(tree, vectors)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr("Felt", 3), INPUTS)
def test_felt_expressions(tree, vectors):
    check_example(tree, vectors)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr("bool", 3), INPUTS)
def test_bool_expressions(tree, vectors):
    check_example(tree, vectors)


def test_known_tricky_cases():
    """Regressions found by the generator, kept as fixed examples."""
    u0, u1 = Node("in", "u32", (), "u0"), Node("in", "u32", (), "u1")
    lit = lambda v: Node("lit", "u32", (), v)  # noqa: E731
    cases = [
        # a literal-only operand typed by its sibling
        Node("bin", "u32", (Node("bin", "u32", (lit(1), lit(2)), "+"), u0), "*"),
        # underflow only on the untaken branch
        Node("if", "u32", (Node("cmp", "bool", (u0, lit(3)), ">"), Node("bin", "u32", (u0, lit(3)), "-"),
                           Node("bin", "u32", (lit(3), u0), "-"))),
        # division by zero guarded by &&
        Node("if", "u32", (Node("logic", "bool", (Node("cmp", "bool", (u1, lit(0)), "!="),
                                                   Node("cmp", "bool", (Node("bin", "u32", (u0, u1), "/"), lit(2)),
                                                        ">")), "&&"), u0, u1)),
    ]
    vectors = [(0, 0, 0, 0), (1, 1, 5, 2), (0, 0, 2, 0), (0, 0, M32, M32)]
    for tree in cases:
        check_example(tree, vectors)
