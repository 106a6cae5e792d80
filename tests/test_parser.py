"""The .psy parser: AST shapes, precedence, spans, and located diagnostics."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psyc.frontend import ast
from psyc.frontend.diagnostics import CompileError, SourceMap, render
from psyc.frontend.parser import parse

SAMPLE = """\
use std::hash::{poseidon, hash_two};
use crate::util::square;
mod util;

const DEPTH: u32 = 4;
/* a struct */
struct Leaf { key: Hash, value: u64, }

fn sum<const N: u32>(xs: [Felt; N]) -> Felt {
    let mut acc = 0;   // accumulate
    for i in 0..N { acc += xs[i]; }
    acc
}

unconstrained fn inv_hint(x: Felt) -> Felt { 1 / x }

#[test(should_fail_with = "insufficient")]
fn main(pub root: Hash, leaf: Leaf, path: [Hash; DEPTH], index: u32) -> pub Felt {
    let y = unsafe { inv_hint(leaf.value as Felt) };
    let (a, _) = (1, 2);
    if leaf.value > 3 { assert(a == 1, "msg"); } else if index == 0 { } else { }
    let bits = index.to_bits::<32>();
    let l = Leaf { key: root, value: 0x1_f };
    let arr = [0b101; 4];
    for j in 0..=3 { }
    y
}
"""


def _fn(module, name):
    return next(i for i in module.items if isinstance(i, ast.FnDecl) and i.name == name)


def test_items_and_signatures():
    m = parse(SAMPLE, "main.psy")
    kinds = [type(i).__name__ for i in m.items]
    assert kinds == ["UseDecl", "UseDecl", "ModDecl", "ConstDecl", "StructDecl", "FnDecl", "FnDecl", "FnDecl"]
    use = m.items[0]
    assert use.path == ("std", "hash") and use.names == ("poseidon", "hash_two")
    assert m.items[1].path == ("crate", "util") and m.items[1].names == ("square",)
    assert [f for f, _ in m.items[4].fields] == ["key", "value"]
    s = _fn(m, "sum")
    assert s.generics[0].name == "N" and isinstance(s.params[0].type, ast.ArrayType)
    assert isinstance(s.body.tail, ast.PathExpr) and s.body.tail.segments == ("acc",)
    assert isinstance(s.body.stmts[1], ast.For) and not s.body.stmts[1].inclusive
    assert _fn(m, "inv_hint").unconstrained
    main = _fn(m, "main")
    assert [p.public for p in main.params] == [True, False, False, False] and main.ret_public
    assert main.attributes[0].name == "test" and main.attributes[0].args == (
        ("should_fail_with", "insufficient"),
    )
    assert main.body.stmts[-1].inclusive


def test_literals_and_struct_vs_block():
    m = parse(SAMPLE, "main.psy")
    main = _fn(m, "main")
    lets = {
        s.pattern.name: s.value
        for s in main.body.stmts
        if isinstance(s, ast.Let) and isinstance(s.pattern, ast.NamePattern)
    }
    assert isinstance(lets["l"], ast.StructLit) and lets["l"].fields[1][1].value == 0x1F
    assert isinstance(lets["arr"], ast.ArrayRepeat) and lets["arr"].value.value == 5
    assert isinstance(lets["bits"], ast.MethodCall) and lets["bits"].generic_args[0].value == 32
    assert isinstance(lets["y"], ast.Unsafe)
    cond = next(s for s in main.body.stmts if isinstance(s, ast.ExprStmt) and isinstance(s.expr, ast.If)).expr
    assert (
        isinstance(cond.cond, ast.Binary) and cond.cond.op == ">"
    )  # `leaf.value > 3 {` is not a struct literal
    assert isinstance(cond.otherwise, ast.If)


@pytest.mark.parametrize(
    "src, shape",
    [
        ("a + b * c", ("+", "a", ("*", "b", "c"))),
        ("a - b - c", ("-", ("-", "a", "b"), "c")),
        ("a << 1 + 2", ("<<", "a", ("+", "1", "2"))),
        ("a & b | c ^ d", ("|", ("&", "a", "b"), ("^", "c", "d"))),
        ("a == b && c < d || e", ("||", ("&&", ("==", "a", "b"), ("<", "c", "d")), "e")),
        ("-a * b", ("*", ("-", "a"), "b")),
        ("-a as u32 * b", ("*", ("as", ("-", "a"), "u32"), "b")),
        ("a[i].f.0", (".", (".", ("[]", "a", "i"), "f"), "0")),
    ],
)
def test_precedence(src, shape):
    def s(e):
        if isinstance(e, ast.Binary):
            return (e.op, s(e.left), s(e.right))
        if isinstance(e, ast.Unary):
            return (e.op, s(e.operand))
        if isinstance(e, ast.Cast):
            return ("as", s(e.expr), e.target.name)
        if isinstance(e, ast.Index):
            return ("[]", s(e.base), s(e.index))
        if isinstance(e, ast.Field):
            return (".", s(e.base), e.name)
        if isinstance(e, ast.PathExpr):
            return "::".join(e.segments)
        if isinstance(e, ast.IntLit):
            return str(e.value)
        raise AssertionError(e)

    body = parse(f"fn f() {{ {src} }}").items[0].body
    assert s(body.tail) == shape


def test_spans_point_at_the_source():
    m = parse(SAMPLE, "main.psy")
    main = _fn(m, "main")
    p = main.params[2]
    assert SAMPLE[p.span.start : p.span.end] == "path: [Hash; DEPTH]"
    assert SAMPLE[main.body.tail.span.start : main.body.tail.span.end] == "y"


@pytest.mark.parametrize(
    "src, code, line_col, words",
    [
        (
            "fn main() {\n    let x = 1\n    let y = 2;\n}",
            "E0001",
            "2:5" if False else "3:5",
            ["expected `;`", "found `let`"],
        ),
        ("fn f() -> Felt { 1 + }", "E0001", "1:22", ["expected an expression", "found `}`"]),
        ("fn f() {\n  a b\n}", "E0004", "2:3", ["expected `;`"]),
        ("fn f() { x $ y }", "E0003", "1:12", ["unexpected character `$`"]),
        ("struct S { a: Felt", "E0002", "1:10", ["unclosed delimiter `{`"]),  # at the opening `{`
    ],
)
def test_parse_errors_are_located_diagnostics(src, code, line_col, words):
    sources = SourceMap()
    with pytest.raises(CompileError) as e:
        parse(src, "bad.psy", sources)
    d = e.value.diagnostics[0]
    assert d.code == code
    text = render(d, sources)
    assert f"bad.psy:{line_col}" in text and "^" in text
    for w in words:
        assert w in text


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("fn main(){}[]<>;:,.=+-*/!&|^#\"'0x1_ ab\nletifelsestruct")),
        max_size=60,
    )
)
def test_arbitrary_text_never_crashes(src):
    try:
        m = parse(src, "fuzz.psy")
        assert isinstance(m, ast.Module)
    except CompileError as e:
        assert e.diagnostics and e.diagnostics[0].code.startswith("E")


def test_pub_items_are_accepted():
    from psyc.frontend import ast
    from psyc.frontend.parser import parse

    m = parse("pub struct S { a: Felt }\npub const K: u32 = 3;\npub unconstrained fn g(x: Felt) -> Felt { x }\n")
    kinds = [type(i) for i in m.items]
    assert kinds == [ast.StructDecl, ast.ConstDecl, ast.FnDecl]
    assert m.items[2].unconstrained and m.items[2].name == "g"
