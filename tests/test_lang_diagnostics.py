"""Diagnostics of the type checker: mismatches name both types, mutability, constants,
names; every diagnostic is rendered with file:line:col and a caret."""

import pytest
from lang_util import compile_error, run, run1


def test_let_annotation_mismatch_names_both_types():
    err = compile_error("fn main(a: Felt) -> pub Felt {\n    let x: u32 = a;\n    a\n}", "E0200", "2:18")
    assert "mismatched types in `let`: expected `u32`, found `Felt`" in err.rendered
    assert "convert with `as u32`" in err.rendered


def test_aggregate_mismatches():
    err = compile_error("fn main(a: [u32; 2]) -> pub [u32; 3] { a }", "E0200")
    assert "expected `[u32; 3]`, found `[u32; 2]`" in err.rendered
    err = compile_error("fn main(a: (u32, Felt)) -> pub (Felt, u32) { a }", "E0200")
    assert "expected `(Felt, u32)`, found `(u32, Felt)`" in err.rendered
    err = compile_error("struct A { x: Felt }\nstruct B { x: Felt }\nfn main(a: A) -> pub B { a }", "E0200")
    assert "expected `B`, found `A`" in err.rendered
    err = compile_error("fn main(a: Hash) -> pub [Felt; 3] { a }", "E0200")
    assert "found `Hash`" in err.rendered


def test_assignment_type_mismatch():
    err = compile_error("fn main(a: u8) -> pub u32 {\n    let mut x: u32 = 0;\n    x = a;\n    x\n}", "E0200", "3:9")
    assert "expected `u32`, found `u8`" in err.rendered


def test_mutability():
    err = compile_error("fn main(a: Felt) -> pub Felt {\n    let x = a;\n    x = 2;\n    x\n}", "E0202", "3:5")
    assert "cannot assign twice to immutable variable `x`" in err.rendered
    assert "make this binding mutable" in err.rendered
    compile_error("fn main(a: Felt) -> pub Felt {\n    a += 1;\n    a\n}", "E0202", "2:5")
    compile_error("fn main() -> pub [Felt; 2] {\n    let xs = [1, 2];\n    xs[0] = 3;\n    xs\n}", "E0202", "3:5")
    compile_error("const K: Felt = 1;\nfn main() -> pub Felt {\n    K = 2;\n    K\n}", "E0202", "3:5")
    compile_error("fn main(a: Felt) { 1 = a; }", "E0202")


def test_constants():
    src = """
const N: u32 = 3;
const M: u32 = N * 2 + 1;
const H: [Felt; N] = [1, 2, 3];
const MASK: u64 = (1 << 40) - 1;
fn main() -> pub (u32, Felt, u64) { (M, H[2], MASK) }"""
    assert run(src) == [7, 3, (1 << 40) - 1]


def test_self_referential_constants():
    err = compile_error("const N: u32 = M + 1;\nconst M: u32 = N;\nfn main() -> pub u32 { N }", "E0300")
    assert "depends on itself" in err.rendered
    compile_error("const N: u32 = N;\nfn main() -> pub u32 { N }", "E0300", "1:1")


def test_constant_values_must_be_constant_and_typed():
    compile_error("const N: u32 = 300;\nconst S: u8 = N;\nfn main() -> pub u8 { S }", "E0200", "2:15")
    compile_error("const S: u8 = 300;\nfn main() -> pub u8 { S }", "E0207", "1:15")


def test_non_constant_loop_bound_and_array_length():
    compile_error("fn main(n: u32) { for i in 0..n { } }", "E0300", "1:31")
    compile_error("fn main(n: u32) -> pub Felt { let a: [Felt; n] = [0; 2]; 0 }", "E0300")


def test_unknown_names():
    err = compile_error("fn main(count: u32) -> pub u32 {\n    cont + 1\n}", "E0100", "2:5")
    assert "cannot find value `cont` in this scope" in err.rendered and "did you mean `count`?" in err.rendered
    compile_error("fn main() { x = 1; }", "E0100")


def test_shadowing_and_scopes():
    assert run1("fn main(a: u32) -> pub Felt { let a = a as Felt; let a = a * 2; a }", 4) == 8
    compile_error("fn main() -> pub Felt { { let inner = 1; } inner }", "E0100")


def test_method_errors():
    err = compile_error("fn main(a: [Felt; 2]) -> pub u32 { a.lenn() }", "E0201")
    assert "no method `lenn` on type `[Felt; 2]`" in err.rendered and "did you mean `len`?" in err.rendered
    compile_error("fn main(a: u32) -> pub u32 { a.wrapping_add() }", "E0106")


@pytest.mark.parametrize("src, code", [
    ("fn main() -> pub Felt { 1 + }", "E0001"),
    ("fn main() -> pub Felt { 1", "E0002"),
])
def test_parse_errors_surface_through_the_compiler(src, code):
    compile_error(src, code)


def test_every_error_renders_rustc_style():
    err = compile_error("fn main(a: u32) -> pub u32 {\n    a + true\n}", "E0200")
    lines = err.rendered.splitlines()
    assert lines[0] == "error[E0200]: mismatched types: `u32` + `bool`"
    assert lines[1].strip() == "--> src/main.psy:2:9"
    assert lines[3].strip().startswith("2 |") and "a + true" in lines[3]
    assert lines[4].strip() == "|         ^^^^ expected `u32`, found `bool`"


def test_recursive_struct():
    err = compile_error("struct A { b: B }\nstruct B { a: [A; 2] }\nfn main(x: A) {}", "E0210", "1:1")
    assert "recursive struct `A` has infinite size" in err.rendered


def test_duplicate_parameters_and_fields():
    compile_error("fn main(a: u32, a: u32) -> pub u32 { a }", "E0103", "1:17")
    compile_error("fn f<const N: u32>(N: u32) -> u32 { N }\nfn main() -> pub u32 { f::<1>(2) }", "E0103")
    compile_error("struct S { x: Felt, x: u32 }\nfn main(s: S) -> pub Felt { s.x }", "E0103", "1:24")


def test_deep_nesting_is_a_diagnostic_not_a_crash():
    assert run1("fn main(a: Felt) -> pub Felt { " + "a + " * 2000 + "a }", 1) == 2001
    compile_error("fn main(a: Felt) -> pub Felt { " + "a + " * 30000 + "a }", "E0303")
