"""assert / assert_eq: messages, shown values, locations; #[test] functions."""

from lang_util import Prog, compile_error, exec_error, write_project

from psyc.compiler import compile_test, discover_tests, open_project, root_module
from psyc.frontend.diagnostics import render
from psyc.ir import interpret
from psyc.ir.interpret import ExecutionError


def test_assert_message_and_shown_values():
    prog = Prog("""fn main(a: u32, b: u32) -> pub u32 {
    assert(a + 1 < b, "a must stay below b");
    assert(!(a == 3));
    a
}""")
    assert prog.run(1, 5) == [1]
    e = prog.fails(5, 2, code="E0500", line=2)
    assert e.message == "a must stay below b"
    assert e.notes == ["a + 1 = 6", "b = 2"]
    e = prog.fails(3, 9, code="E0500", line=3)
    assert e.message == "assertion failed: !(a == 3)"
    assert e.notes == ["a = 3"]


def test_assert_evaluates_its_condition_once():
    src = """unconstrained fn h(x: u32) -> u32 { x + 1 }
fn main(a: u32) -> pub u32 {
    assert(unsafe { h(a) } > a);
    a
}"""
    prog = Prog(src)
    assert prog.run(4) == [4]
    assert sum(i.op == "hint" for i in prog.plain.program.instrs) == 1


def test_assert_eq_on_scalars_and_aggregates():
    prog = Prog("""fn main(a: u32, xs: [Felt; 2]) -> pub u32 {
    assert_eq(a, 7);
    assert_eq(xs, [1, 2], "xs differ");
    a
}""")
    assert prog.run(7, [1, 2]) == [7]
    e = prog.fails(8, [1, 2], code="E0500", line=2)
    assert e.message == "assertion failed: a == 7" and e.notes == ["left: 8", "right: 7"]
    e = prog.fails(7, [1, 3], code="E0500", line=3)
    assert e.message == "xs differ"  # every element, with its index (issue 11)
    assert e.notes == ["[0]: left 1, right 1", "[1]: left 3, right 2   <- differs"]


def test_rendered_failure_has_file_line_and_caret():
    prog = Prog("fn main(a: Felt) -> pub Felt {\n    assert(a == 3, \"bad a\");\n    a\n}")
    e = prog.fails(1)
    text = render(e.to_diagnostic(), prog.plain.sources)
    assert "error[E0500]: bad a" in text
    assert "--> src/main.psy:2:5" in text
    assert "^^^" in text and "= note: a = 1" in text


def test_constant_assertions_fail_while_compiling():
    exec_error("fn main() {\n    assert(1 == 2, \"never\");\n}", code="E0500", contains="never", line=2)


def test_assert_arguments():
    compile_error("fn main(a: u32) {\n    assert(a);\n}", "E0200", "2:12", contains=("expected `bool`", "found `u32`"))
    compile_error("fn main(a: bool) { assert(a, 5); }", "E0200", contains="must be a string literal")
    compile_error("fn main(a: bool) { assert(); }", "E0106")
    compile_error("fn main(a: u32, b: Felt) { assert_eq(a, b); }", "E0200", contains=("`u32`", "`Felt`"))
    compile_error("fn main(a: u32) { assert_eq(a); }", "E0106")
    compile_error('fn main() -> pub Felt { let s = "text"; 0 }', "E0200", contains="string literals")


TESTS = """
fn sq(x: Felt) -> Felt { x * x }
#[test]
fn squares() { assert_eq(sq(3), 9); }
#[test(should_fail_with = "nine")]
fn wrong() { assert_eq(sq(3), 10, "not nine"); }
#[test]
fn overflows() { let x: u8 = 200; let y = x + x; }
"""


def test_test_functions_are_discovered_and_run():
    project, loader = open_project(write_project(TESTS + "fn main() {}"))
    cases = discover_tests(loader, [root_module(project, loader)])
    assert [(c.fn.name, c.should_fail_with) for c in cases] == [("squares", None), ("wrong", "nine"),
                                                                 ("overflows", None)]
    interpret.run(compile_test(loader, cases[0]), [])
    for case, code in ((cases[1], "E0500"), (cases[2], "E0501")):
        try:
            interpret.run(compile_test(loader, case), [])
        except ExecutionError as e:
            assert e.code == code
        else:
            raise AssertionError(f"{case.name} passed")
