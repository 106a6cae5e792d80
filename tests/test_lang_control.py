"""Control flow: for loops (compile-time bounds, ..=, nesting, the unroll bound), if/else
as expression and statement, witness-dependent branches with predicated checks."""

from lang_util import Prog, compile_error, run, run1


def test_for_loops_exclusive_inclusive_and_nested():
    src = """
const N: u32 = 4;
fn main() -> pub (u32, u32, u32) {
    let mut a: u32 = 0;
    for i in 0..N { a += i; }
    let mut b: u32 = 0;
    for i in 1..=N { b += i; }
    let mut c: u32 = 0;
    for i in 0..3 { for j in i..3 { c += i * 10 + j; } }
    (a, b, c)
}"""
    c = sum(i * 10 + j for i in range(3) for j in range(i, 3))
    assert run(src) == [6, 10, c]


def test_empty_and_reversed_ranges_run_zero_times():
    assert run1("fn main() -> pub u32 { let mut n: u32 = 0; for i in 5..5 { n += 1; } for i in 6..2 { n += 1; } n }") == 0


def test_loop_variable_is_u32_and_immutable():
    compile_error("fn main() -> pub u8 { let mut s: u8 = 0; for i in 0..3 { s += i; } s }", "E0200",
                  contains="`u8` + `u32`")
    compile_error("fn main() { for i in 0..3 {\n    i = 2;\n} }", "E0202", "2:5")


def test_loop_bounds_must_be_constants():
    err = compile_error("fn main(n: u32) -> pub u32 {\n    let mut s: u32 = 0;\n    for i in 0..n { s += i; }\n    s\n}",
                        "E0300", "3:17")
    assert "loop bounds must be compile-time constants" in err.rendered


def test_unroll_bound():
    src = "fn main() -> pub u32 {\n    let mut s: u32 = 0;\n    for i in 0..100 { s += 1; }\n    s\n}"
    err = compile_error(src, "E0303", "3:5", max_unroll=64)
    assert "unrolls to 100 iterations, more than the bound 64" in err.rendered
    assert run(src, max_unroll=100) == [100]


def test_if_as_expression_and_else_if_chain():
    prog = Prog("""fn main(a: u32) -> pub u32 {
    let r = if a < 5 { a + 1 } else if a < 10 { a * 2 } else { 0 };
    r
}""")
    assert [prog.run1(a) for a in (3, 7, 20)] == [4, 14, 0]


def test_if_as_statement_assigns_variables():
    prog = Prog("""fn main(a: u32) -> pub (u32, Felt) {
    let mut x: u32 = 1;
    let mut y = 0;
    if a > 3 {
        x = a - 3;
        y = 7;
    } else if a == 2 {
        x = 100;
    }
    (x, y)
}""")
    assert prog.run(5) == [2, 7]
    assert prog.run(2) == [100, 0]
    assert prog.run(0) == [1, 0]


def test_branch_literals_take_the_other_branch_type():
    prog = Prog("fn main(a: u32) -> pub (u32, u32) { let x = if a > 3 { a } else { 0 }; let y = if a > 3 { 0 } else { a }; (x, y) }")
    assert prog.run(5) == [5, 0]
    assert prog.run(2) == [0, 2]


def test_branch_types_must_agree():
    err = compile_error("fn main(a: u32, b: Felt) -> pub u32 {\n    let x = if a > 3 { a } else { b };\n    x\n}", "E0200")
    assert "`u32`" in err.rendered and "`Felt`" in err.rendered


def test_checks_in_the_untaken_branch_do_not_fail():
    prog = Prog("""fn main(a: u32, b: [u32; 3], f: Felt) -> pub (u32, u32, u8, u32, Felt) {
    let mut r: u32 = 0;
    if a > 3 {
        r = a - 4;
        assert(a != 7, "seven");
    }
    let x = if a < 3 { b[a] } else { 0 };
    let y = if a < 256 { a as u8 } else { 0 };
    let z = if a != 0 { 100 / a } else { 0 };
    let w = if f != 0 { 1 / f } else { 0 };
    (r, x, y, z, w)
}""")
    assert prog.run(2, [5, 6, 7], 0) == [0, 7, 2, 50, 0]
    assert prog.run(300, [5, 6, 7], 1) == [296, 0, 0, 0, 1]
    assert prog.run(0, [5, 6, 7], 2)[:4] == [0, 5, 0, 0]


def test_checks_in_the_taken_branch_fail_with_their_line():
    prog = Prog("""fn main(a: u32, b: u32) -> pub u32 {
    if a > 3 {
        if b > 3 {
            a * b
        } else {
            b - 4
        }
    } else {
        assert(b != 9, "nine");
        0
    }
}""")
    assert prog.run(5, 5) == [25]
    assert prog.run(2, 2) == [0]
    prog.fails(5, 2, code="E0501", line=6)
    prog.fails(2, 9, code="E0500", line=9, contains="nine")
    prog.fails(2**31, 4, code="E0501", line=4)


def test_nested_witness_branches_with_overflow_in_the_untaken_path():
    prog = Prog("""fn main(a: u8) -> pub u8 {
    let mut x = a;
    if a > 100 {
        if a > 200 { x = a + 100; } else { x = a + 50; }
    } else {
        x = a * 2;
    }
    x
}""")
    assert [prog.run1(a) for a in (10, 150, 100)] == [20, 200, 200]
    prog.fails(201, code="E0501")
    prog.fails(206, code="E0501")


def test_constant_condition_selects_one_branch():
    prog = Prog("""const DEBUG: bool = false;
fn main(a: u32) -> pub u32 { if DEBUG { a - 1000 } else { a } }""")
    assert prog.run(1) == [1]
    assert not any(i.op == "select" for i in prog.plain.program.instrs)


def test_blocks_are_expressions():
    assert run1("fn main(a: u32) -> pub u32 { let b = { let t = a * 2; t + 1 }; b }", 4) == 9


def test_while_and_return_are_rejected_in_constrained_code():
    err = compile_error("fn main(a: u32) -> pub u32 {\n    let mut i: u32 = 0;\n    while i < a { i += 1; }\n    i\n}",
                        "E0304", "3:5")
    assert "`while` is only allowed in unconstrained functions" in err.rendered
    compile_error("fn main(a: u32) -> pub u32 {\n    if a > 1 { return 1; }\n    a\n}", "E0304", "2:16",
                  contains="early `return` is only allowed in unconstrained functions")


def test_constant_condition_literal_takes_the_type_of_the_other_branch():
    src = """const DEBUG: bool = false;
fn main(a: u32) -> pub (u32, u32) {
    let y = if DEBUG { a } else { 0 };
    let z = if !DEBUG { 1 } else { a + 1 };
    (y + a, z + a)
}"""
    assert run(src, 5) == [5, 6]


def test_untaken_constant_branch_is_not_elaborated():
    # generic code may be meaningless for this N in the branch that is not taken
    src = """fn last<const N: u32>(xs: [Felt; N]) -> Felt { if N == 0 { 0 } else { xs[N - 1] } }
fn main() -> pub (Felt, Felt) { let e: [Felt; 0] = []; (last(e), last([4, 5])) }"""
    assert run(src) == [0, 5]
