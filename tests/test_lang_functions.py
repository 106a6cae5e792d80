"""Functions: inlining, const generics (turbofish and inference), recursion, arity."""

from lang_util import Prog, compile_error, run, run1


def test_inlined_calls_and_tail_values():
    src = """
fn square(x: Felt) -> Felt { x * x }
fn poly(x: Felt) -> Felt { square(x) + 3 * x + 1 }
fn noop(x: Felt) { assert(x != 0); }
fn main(a: Felt) -> pub Felt { noop(a); poly(a) + square(2) }"""
    prog = Prog(src)
    assert prog.run(5) == [25 + 15 + 1 + 4]
    prog.fails(0, code="E0500")
    assert not any(i.op == "call" for i in prog.plain.program.instrs)


def test_arguments_are_values():
    src = """
fn bump(a: [u32; 2]) -> [u32; 2] { let mut b = a; b[0] += 1; b }
fn main() -> pub ([u32; 2], [u32; 2]) { let a: [u32; 2] = [1, 2]; (a, bump(a)) }"""
    assert run(src) == [1, 2, 2, 2]


def test_const_generics_inferred_and_explicit():
    src = """
fn sum<const N: u32>(xs: [Felt; N]) -> Felt {
    let mut acc = 0;
    for i in 0..N { acc += xs[i]; }
    acc
}
fn zeros<const N: u32>() -> [u32; N] { [0; N] }
fn main() -> pub (Felt, Felt, [u32; 3]) { (sum([1, 2, 3]), sum::<2>([4, 5]), zeros::<3>()) }"""
    assert run(src) == [6, 9, 0, 0, 0]


def test_const_generic_literals_take_the_element_type():
    src = """
fn total<const N: u32>(xs: [u32; N]) -> u32 { let mut t: u32 = 0; for i in 0..N { t += xs[i]; } t }
fn main() -> pub u32 { total([4000000000, 200000000, 1]) }"""
    assert run1(src) == 4_200_000_001


def test_const_generics_in_nested_types_and_expressions():
    src = """
fn dims<const N: u32, const M: u32>(m: [[Felt; N]; M]) -> u32 { N * 10 + M }
fn pad<const N: u32>(a: [Felt; N]) -> [Felt; N + 1] {
    let mut r = [0; N + 1];
    for i in 0..N { r[i] = a[i]; }
    r
}
fn pick<const N: u32>(t: (Felt, [u32; N])) -> u32 { t.1[N - 1] }
fn main() -> pub (u32, [Felt; 3], u32) { (dims([[1, 2, 3], [4, 5, 6]]), pad([7, 8]), pick((1, [5, 6]))) }"""
    assert run(src) == [32, 7, 8, 0, 6]


def test_const_generic_branch_is_decided_at_compile_time():
    src = """
fn f<const N: u32>(x: u32) -> u32 { if N > 2 { x * N } else { x + N } }
fn main(x: u32) -> pub (u32, u32) { (f::<3>(x), f::<1>(x)) }"""
    prog = Prog(src)
    assert prog.run(5) == [15, 6]
    assert not any(i.op == "select" for i in prog.plain.program.instrs)


def test_generic_errors():
    compile_error("fn f<const N: u32>() -> u32 { N }\nfn main() -> pub u32 {\n    f()\n}", "E0208", "3:5",
                  contains="cannot infer the const generic `N` of `f`")
    compile_error("fn f<const N: u32>(a: [Felt; N], b: [Felt; N]) -> Felt { a[0] }\n"
                  "fn main() -> pub Felt { f([1, 2], [3, 4, 5]) }", "E0200", contains=("[Felt; 2]", "[Felt; 3]"))
    compile_error("fn f<const N: u32>(a: [Felt; N]) -> Felt { a[0] }\nfn main() -> pub Felt { f::<3>([1, 2]) }",
                  "E0200", contains=("expected `[Felt; 3]`", "found `[Felt; 2]`"))
    compile_error("fn f<const N: u32>() -> u32 { N }\nfn main() -> pub u32 { f::<1, 2>() }", "E0106")
    compile_error("fn f<const N: u32>() -> u32 { N }\nfn main(n: u32) -> pub u32 { f::<n>() }", "E0300")


def test_recursion_is_an_error():
    src = """fn f(x: Felt) -> Felt { g(x) }
fn g(x: Felt) -> Felt {
    f(x)
}
fn main(a: Felt) -> pub Felt { f(a) }"""
    err = compile_error(src, "E0107", "3:5")
    assert "recursion between constrained functions: f -> g -> f" in err.rendered
    compile_error("fn f(x: Felt) -> Felt { f(x) }\nfn main(a: Felt) -> pub Felt { f(a) }", "E0107")


def test_wrong_argument_count():
    err = compile_error("fn f(x: Felt) -> Felt { x }\nfn main(a: Felt) -> pub Felt {\n    f(a, a)\n}", "E0106", "3:5")
    assert "`f` takes 1 argument(s) but 2 were given" in err.rendered
    compile_error("fn f(x: Felt, y: Felt) -> Felt { x }\nfn main(a: Felt) -> pub Felt { f(a) }", "E0106")


def test_argument_and_result_types():
    err = compile_error("fn f(x: u32) -> u32 { x }\nfn main(a: Felt) -> pub u32 {\n    f(a)\n}", "E0200", "3:7")
    assert "argument `x` of `f`" in err.rendered and "expected `u32`, found `Felt`" in err.rendered
    err = compile_error("fn f(x: u32) -> u8 {\n    x\n}\nfn main(a: u32) -> pub u8 { f(a) }", "E0200", "2:5")
    assert "in the result of `f`" in err.rendered


def test_unknown_function_suggests():
    err = compile_error("fn square(x: Felt) -> Felt { x * x }\nfn main(a: Felt) -> pub Felt {\n    sqare(a)\n}",
                        "E0100", "3:5")
    assert "cannot find function `sqare`" in err.rendered and "did you mean `square`?" in err.rendered


def test_entry_function_rules():
    compile_error("fn main<const N: u32>() {}", "E0209")
    compile_error("unconstrained fn main() {}", "E0209")
    compile_error("fn other() {}", "E0100", contains="no function `main`")
    assert run("fn start(a: Felt) -> pub Felt { a + 1 }", 1, entry="start") == [2]


def test_public_parameters_and_private_result():
    prog = Prog("fn main(pub a: u32, b: u32) -> u32 { a + b }")
    assert prog.run(1, 2) == []
    assert [(n, str(t), pub) for n, t, pub in prog.plain.params] == [("a", "u32", True), ("b", "u32", False)]
