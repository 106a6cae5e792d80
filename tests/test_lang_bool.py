"""bool and logic: && || ! ^ & |, short-circuit semantics."""

from lang_util import Prog, compile_error, run


def test_truth_tables():
    prog = Prog("fn main(a: bool, b: bool) -> pub [bool; 6] { [a && b, a || b, !a, a ^ b, a & b, a | b] }")
    for a in (0, 1):
        for b in (0, 1):
            assert prog.run(a, b) == [a & b, a | b, 1 - a, a ^ b, a & b, a | b]


def test_bool_inputs_must_be_boolean():
    Prog("fn main(a: bool) -> pub bool { a }").fails(2, code="E0504", contains="not a boolean")


def test_bool_literals_and_equality():
    prog = Prog("fn main(a: bool) -> pub [bool; 3] { [a == true, a != false, true && !false] }")
    assert prog.run(True) == [1, 1, 1]
    assert prog.run(False) == [0, 0, 1]


def test_and_skips_the_right_operand_checks_when_false():
    src = """
fn small(x: u32) -> bool {
    assert(x < 10, "too big");
    true
}
fn main(a: u32, b: u32) -> pub bool {
    a > 30 && small(a) && b - a > 0
}"""
    prog = Prog(src)
    assert prog.run(20, 0) == [0]  # neither small(20) nor 0 - 20 is evaluated
    prog.fails(40, 0, code="E0500", contains="too big", line=3)
    assert prog.run(5, 9) == [0]


def test_or_skips_the_right_operand_checks_when_true():
    src = """
fn main(a: u32, b: u32) -> pub bool {
    a < 3 || b - a > 0
}"""
    prog = Prog(src)
    assert prog.run(2, 0) == [1]  # 0 - 2 is never computed
    assert prog.run(5, 9) == [1]
    assert prog.run(5, 5) == [0]
    prog.fails(5, 1, code="E0501", line=3)


def test_short_circuit_on_constants():
    assert run("fn main() -> pub [bool; 2] { [false && 1 / 0 == 0, true || 1 / 0 == 0] }") == [0, 1]


def test_logic_needs_bool_operands():
    err = compile_error("fn main(a: u32) -> pub bool {\n    a && true\n}", "E0200", "2:5")
    assert "expected `bool`, found `u32`" in err.rendered
    compile_error("fn main(a: u32) -> pub bool { a || false }", "E0200")
    compile_error("fn main(a: bool) -> pub bool { a + a }", "E0201", contains="cannot apply `+` to `bool`")
    compile_error("fn main(a: bool, b: bool) -> pub bool { a < b }", "E0201")


def test_if_condition_must_be_bool():
    compile_error("fn main(a: u32) -> pub u32 {\n    if a { 1 } else { 2 }\n}", "E0200", "2:8",
                  contains="expected `bool`, found `u32`")


def test_bool_as_integer_and_not_on_integers():
    prog = Prog("fn main(a: bool, b: u8) -> pub (u32, u8, u16) { (a as u32 + 1, !b, !(b as u16)) }")
    assert prog.run(True, 5) == [2, 250, 65530]
