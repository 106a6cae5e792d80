"""Tuples: literals, .0 access, assignment, destructuring."""

from lang_util import Prog, compile_error, run, run1


def test_tuple_values_and_access():
    prog = Prog("fn main(t: (u32, Felt, bool)) -> pub (Felt, bool, u32) { (t.1, !t.2, t.0 + 1) }")
    assert prog.run([4, 5, 1]) == [5, 0, 5]


def test_destructuring_nested_and_wildcard():
    src = """fn main(t: (u32, (Felt, bool))) -> pub Felt {
    let (a, (b, c)) = t;
    let (_, (d, _)) = t;
    if c { b + d } else { a as Felt }
}"""
    prog = Prog(src)
    assert prog.run([1, 2, 1]) == [4]
    assert prog.run([1, 2, 0]) == [1]


def test_mutable_destructuring_and_field_assignment():
    src = """fn main(x: u32) -> pub (u32, u32) {
    let (mut a, b): (u32, u32) = (x, 2);
    a += b;
    let mut t = (a, b);
    t.1 = 7;
    t.0 *= 2;
    t
}"""
    assert run(src, 3) == [10, 7]


def test_tuple_returned_from_function():
    src = """fn divmod(a: u32, b: u32) -> (u32, u32) { (a / b, a % b) }
fn main(a: u32) -> pub u32 { let (q, r) = divmod(a, 7); q * 10 + r }"""
    assert run1(src, 23) == 32


def test_single_element_tuple_and_unit():
    assert run("fn main() -> pub (Felt,) { (5,) }") == [5]
    assert run("fn main() -> pub () { () }") == []


def test_pattern_arity_mismatch():
    err = compile_error("fn main() -> pub Felt {\n    let (a, b, c) = (1, 2);\n    a\n}", "E0206", "2:9")
    assert "this pattern has 3 elements but the value is `(Felt, Felt)`" in err.rendered
    compile_error("fn main(a: u32) -> pub u32 { let (x, y) = a; x }", "E0206")


def test_tuple_field_out_of_range():
    compile_error("fn main(t: (u32, u32)) -> pub u32 { t.2 }", "E0205", contains="no field `2`")
