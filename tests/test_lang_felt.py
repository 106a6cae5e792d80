"""Literals and Felt arithmetic."""

import pytest
from lang_util import P, Prog, compile_error, exec_error, run, run1


def test_literal_forms():
    src = "fn main() -> pub [Felt; 5] { [0xff, 0b1010, 1_000_000, 0x_FFFF_FFFF, 0] }"
    assert run(src) == [255, 10, 1_000_000, 2**32 - 1, 0]


def test_largest_felt_literal_and_negative_literals():
    src = "fn main() -> pub [Felt; 4] { [18446744069414584320, -1, -0, -18446744069414584320] }"
    assert run(src) == [P - 1, P - 1, 0, 1]


def test_felt_literal_out_of_range():
    compile_error("fn main() -> pub Felt {\n    18446744069414584321\n}", "E0207", "2:5",
                  contains="literal out of range for `Felt`")
    compile_error("fn main() -> pub Felt { -18446744069414584321 }", "E0207", "1:25")


@pytest.mark.parametrize("a, b", [(3, 5), (P - 1, 2), (0, P - 1), (2**32, 2**32 + 7)])
def test_field_ops_wrap_mod_p(a, b):
    prog = Prog("fn main(a: Felt, b: Felt) -> pub [Felt; 4] { [a + b, a - b, a * b, -a] }")
    assert prog.run(a, b) == [(a + b) % P, (a - b) % P, a * b % P, -a % P]


def test_division_multiplies_by_the_inverse():
    prog = Prog("fn main(a: Felt, b: Felt) -> pub Felt { a / b }")
    for a, b in [(6, 3), (1, 2), (P - 1, P - 1), (5, 7)]:
        q = prog.run1(a, b)
        assert q * b % P == a
    assert run1("fn main() -> pub Felt { 1 / 2 }") == pow(2, P - 2, P)


def test_division_by_zero_at_run_time():
    src = "fn main(a: Felt, b: Felt) -> pub Felt {\n    let q = a / b;\n    q\n}"
    e = Prog(src).fails(5, 0, code="E0502", line=2)
    assert "division by zero" in e.message


def test_division_by_a_constant_zero_fails_when_it_runs():
    exec_error("fn main(a: Felt) -> pub Felt { a / 0 }", 1, code="E0502")


def test_unannotated_literal_is_felt():
    # a bare literal is a Felt: `x` below holds p - 1, not an integer
    assert run1("fn main() -> pub Felt { let x = 0 - 1; x }") == P - 1


def test_literal_takes_the_type_of_its_context():
    assert run1("fn main(a: u8) -> pub u8 { a + 1 }", 4) == 5
    assert run1("fn main(a: u8) -> pub u8 { 1 + a }", 4) == 5
    assert run1("fn main(a: u8) -> pub u8 { (2 * 3) * a }", 4) == 24


def test_felt_has_no_remainder_or_ordering():
    compile_error("fn main(a: Felt) -> pub Felt { a % 2 }", "E0201", "1:32", contains="`%` is not defined on `Felt`")
    compile_error("fn main(a: Felt, b: Felt) -> pub bool { a < b }", "E0201",
                  contains="ordering comparisons are defined on integers, not `Felt`")


def test_mixing_felt_and_integers_needs_a_cast():
    err = compile_error("fn main(a: Felt, b: u32) -> pub Felt {\n    a + b\n}", "E0200", "2:9")
    assert "`Felt` + `u32`" in err.rendered and "as Felt" in err.rendered
    assert run1("fn main(a: Felt, b: u32) -> pub Felt { a + b as Felt }", 2, 3) == 5


def test_compound_assignment_on_felt():
    src = """
fn main(a: Felt) -> pub Felt {
    let mut x = a;
    x += 3;
    x *= x;
    x -= 1;
    x /= 2;
    x
}"""
    assert run1(src, 5) == (8 * 8 - 1) * pow(2, P - 2, P) % P
