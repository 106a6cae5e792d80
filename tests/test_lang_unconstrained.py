"""Unconstrained functions: unsafe, hints, while and early return, checks inside hints."""

from lang_util import P, Prog, compile_error, run, run1, write_project

from psyc.compiler import CompileOptions, check_project, open_project

INV = """
unconstrained fn inv(x: Felt) -> Felt { if x == 0 { return 0; } 1 / x }
"""


def test_hint_result_is_constrained_by_the_caller():
    prog = Prog(INV + """fn main(a: Felt) -> pub Felt {
    let r = unsafe { inv(a) };
    assert_eq(r * a, 1, "no inverse");
    r
}""")
    assert prog.run(5) == [pow(5, P - 2, P)]
    prog.fails(0, code="E0500", contains="no inverse")
    assert sum(i.op == "hint" for i in prog.plain.program.instrs) == 1


def test_unsafe_is_required():
    err = compile_error(INV + "fn main(a: Felt) -> pub Felt {\n    inv(a)\n}", "E0108", "4:5")
    assert "call to unconstrained function `inv` outside `unsafe`" in err.rendered


def test_while_for_with_runtime_bounds_and_early_return():
    src = """
unconstrained fn isqrt(n: u64) -> u64 {
    let mut r: u64 = 0;
    while (r + 1) * (r + 1) <= n { r += 1; }
    r
}
unconstrained fn first_zero(xs: [u32; 5], n: u32) -> u32 {
    for i in 0..n {
        if xs[i] == 0 { return i; }
    }
    n
}
fn main(n: u64, xs: [u32; 5], k: u32) -> pub (u64, u32) {
    let r = unsafe { isqrt(n) };
    assert(r * r <= n && n < (r + 1) * (r + 1));
    (r, unsafe { first_zero(xs, k) })
}"""
    prog = Prog(src)
    assert prog.run(1000, [3, 4, 0, 1, 0], 5) == [31, 2]
    assert prog.run(16, [3, 4, 0, 1, 0], 2) == [4, 2]


def test_both_branches_returning():
    src = """
unconstrained fn sign(a: u32) -> u32 { if a > 3 { return 1; } else { return 2; } }
fn main(a: u32) -> pub u32 { unsafe { sign(a) } }"""
    assert [Prog(src).run1(a) for a in (5, 1)] == [1, 2]


def test_failures_inside_a_hint_are_run_time_errors():
    src = """
unconstrained fn get(xs: [u32; 2], i: u32) -> u32 {
    xs[i] - 1
}
fn main(xs: [u32; 2], i: u32) -> pub u32 { let v = unsafe { get(xs, i) }; assert(v < 100); v }"""
    prog = Prog(src)
    assert prog.run([5, 6], 1) == [5]
    prog.fails([5, 6], 2, code="E0503", line=3)
    prog.fails([0, 6], 0, code="E0501", line=3)


def test_hint_in_an_untaken_branch_is_not_run():
    src = INV + """fn main(a: Felt, c: bool) -> pub Felt {
    if c { let r = unsafe { inv(a) }; assert_eq(r * a, 1); r } else { 0 }
}"""
    prog = Prog(src)
    assert prog.run(0, False) == [0]
    assert prog.run(2, True) == [pow(2, P - 2, P)]


def test_unconstrained_may_call_constrained_and_unconstrained():
    src = """
fn sq(x: u32) -> u32 { x * x }
unconstrained fn fact(n: u32) -> u32 { if n == 0 { return 1; } n * fact(n - 1) }
unconstrained fn both(n: u32) -> u32 { sq(n) + fact(n) }
fn main(n: u32) -> pub u32 { let r = unsafe { both(n) }; assert(r > 0); r }"""
    assert run1(src, 5) == 25 + 120


def test_while_condition_type_and_body_errors_are_reported():
    compile_error("unconstrained fn f(a: u32) -> u32 { while a { } a }\nfn main(a: u32) -> pub u32 { unsafe { f(a) } }",
                  "E0200", "1:43")
    compile_error("unconstrained fn f(a: u32) -> u32 {\n    a + missing\n}\nfn main(a: u32) -> pub u32 { unsafe { f(a) } }",
                  "E0100", "2:9")


def check(src: str):
    project, loader = open_project(write_project(src))
    return check_project(project, loader, CompileOptions(optimize=False))


def test_check_reports_errors_in_unused_unconstrained_functions_and_warns_unused_hints():
    compiled, errors = check("""
unconstrained fn bad(a: u32) -> u32 { let mut i: u32 = 0; while i < a { i += 1; } i + x }
unconstrained fn dbl(a: Felt) -> Felt { a * 2 }
fn main(a: Felt) -> pub Felt { let unused = unsafe { dbl(a) }; a }""")
    assert [d.code for d in errors] == ["E0100"]
    assert [w.code for w in compiled.warnings] == ["W0001", "W0003"]  # W0003: `unused` is never read


def test_integer_hint_results_are_range_checked():
    src = """unconstrained fn f(a: u32) -> (u8, bool) { (a as u8, a == 1) }
fn main(a: u32) -> pub (u8, bool) { unsafe { f(a) } }"""
    prog = Prog(src)
    assert prog.run(1) == [1, 1]
    ops = [i.op for i in prog.plain.program.instrs]
    assert ops.index("range_check", ops.index("hint")) and "assert_bool" in ops


def test_unused_integer_hint_is_warned():
    compiled, _ = check("""unconstrained fn dbl(a: u32) -> u32 { a * 2 }
fn main(a: u32) -> pub u32 { let unused = unsafe { dbl(a) }; a }""")
    assert [w.code for w in compiled.warnings] == ["W0001", "W0003"]  # W0003: `unused` is never read


def test_return_type_of_a_hint_is_checked():
    compile_error("unconstrained fn f(a: u32) -> u32 {\n    return a == 1;\n}\nfn main(a: u32) -> pub u32 { unsafe { f(a) } }",
                  "E0200", "2:12", contains=("expected `u32`", "found `bool`"))
    compile_error("unconstrained fn f(a: u32) -> u32 {\n    if a > 1 { return true; }\n    a\n}\n"
                  "fn main(a: u32) -> pub u32 { unsafe { f(a) } }", "E0200", "2:23", contains="in `return`")


def test_aggregate_hint_results():
    src = """
unconstrained fn split(x: u64) -> (u32, u32) { ((x >> 32) as u32, (x & 0xffffffff) as u32) }
fn main(x: u64) -> pub (u32, u32) {
    let (hi, lo) = unsafe { split(x) };
    assert_eq(hi as u64 * 4294967296 + lo as u64, x);
    (hi, lo)
}"""
    assert run(src, 2**40 + 5) == [256, 5]


def test_deep_and_unbounded_recursion_in_hints():
    prog = Prog("""unconstrained fn depth(n: u32) -> u32 { if n == 0 { return 0; } 1 + depth(n - 1) }
fn main(n: u32) -> pub u32 { unsafe { depth(n) } }""")
    assert prog.run(150) == [150]
    prog.fails(100_000, contains="call depth exceeds")


def test_generic_unconstrained_functions_on_empty_arrays():
    src = """
unconstrained fn last<const N: u32>(xs: [Felt; N]) -> Felt { if N == 0 { 0 } else { xs[N - 1] } }
unconstrained fn total<const N: u32>(xs: [Felt; N]) -> Felt { let mut s = 0; for i in 0..N { s += xs[i]; } s }
fn main(a: Felt) -> pub (Felt, Felt, Felt) {
    let e: [Felt; 0] = [];
    (unsafe { last(e) }, unsafe { last([a, 2]) }, unsafe { total(e) } + unsafe { total([a, a]) })
}"""
    assert run(src, 5) == [0, 2, 10]


def test_runaway_loops_in_hints_stop(monkeypatch):
    from psyc.frontend.elaboration import statements

    monkeypatch.setattr(statements, "MAX_CONCRETE_STEPS", 1000)  # (10^7 by default: minutes)
    prog = Prog("""unconstrained fn spin(a: Felt) -> Felt { let mut x = a; while x != 0 { x = x - 1; } x }
fn main(a: Felt) -> pub Felt { unsafe { spin(a) } }""")
    assert prog.run(3) == [0]
    prog.fails(2**40, code="E0505", contains="loop iterations")
