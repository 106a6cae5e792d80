"""Arrays: literals, [e; N], constant and witness indexing, element assignment, nesting, len()."""

from lang_util import Prog, compile_error, run, run1


def test_literals_repeat_and_len():
    src = """
const N: u32 = 3;
fn main() -> pub ([Felt; 3], [u32; 4], u32, u32) {
    let a = [1, 2, 3];
    let b: [u32; 4] = [7; 4];
    let c = [[0; N]; 2];
    (a, b, a.len() + c.len(), c[0].len())
}"""
    assert run(src) == [1, 2, 3, 7, 7, 7, 7, 5, 3]


def test_empty_arrays():
    assert run("fn main() -> pub u32 { let e: [Felt; 0] = []; e.len() }") == [0]
    compile_error("fn main() -> pub u32 { let e = []; 0 }", "E0208", "1:32", contains="empty array")


def test_element_types_must_agree():
    err = compile_error("fn main(a: u32, b: Felt) -> pub Felt {\n    let x = [a, b];\n    b\n}", "E0200", "2:17")
    assert "expected `u32`, found `Felt`" in err.rendered


def test_literals_adapt_to_the_element_type():
    assert run("fn main(a: u32) -> pub [u32; 3] { [1, a, 2] }", 9) == [1, 9, 2]


def test_constant_index():
    assert run1("fn main(a: [Felt; 3]) -> pub Felt { a[0] + a[2] }", [1, 2, 3]) == 4


def test_constant_index_out_of_bounds_is_a_compile_error():
    err = compile_error("fn main(a: [Felt; 3]) -> pub Felt {\n    a[3]\n}", "E0302", "2:7")
    assert "the length is 3 but the index is 3" in err.rendered
    compile_error("fn main() -> pub Felt {\n    let mut a = [0; 2];\n    a[2] = 1;\n    a[0]\n}", "E0302", "3:7")
    compile_error("fn main(i: u32) -> pub Felt { let e: [Felt; 0] = []; e[i] }", "E0302")


def test_witness_index_reads():
    prog = Prog("fn main(a: [u32; 5], i: u32) -> pub u32 {\n    a[i]\n}")
    for i in range(5):
        assert prog.run([10, 11, 12, 13, 14], i) == [10 + i]
    e = prog.fails([10, 11, 12, 13, 14], 5, code="E0503", line=2)
    assert "the length is 5 but the index is 5" in e.message
    prog.fails([1, 2, 3, 4, 5], 2**32 - 1, code="E0503")


def test_witness_index_of_any_integer_width():
    prog = Prog("fn main(a: [Felt; 3], i: u8, j: u64) -> pub Felt { a[i] + a[j] }")
    assert prog.run([1, 2, 3], 2, 1) == [5]
    prog.fails([1, 2, 3], 0, 3, code="E0503")


def test_witness_index_writes():
    prog = Prog("""fn main(i: u32, v: u32) -> pub [u32; 4] {
    let mut a: [u32; 4] = [1, 2, 3, 4];
    a[i] = v;
    a[i] += 1;
    a
}""")
    assert prog.run(0, 9) == [10, 2, 3, 4]
    assert prog.run(3, 9) == [1, 2, 3, 10]
    prog.fails(4, 9, code="E0503", line=3, contains="the length is 4 but the index is 4")


def test_nested_arrays_with_witness_indices():
    prog = Prog("""fn main(i: u32, j: u32) -> pub ([[Felt; 3]; 2], Felt) {
    let mut m = [[1, 2, 3], [4, 5, 6]];
    m[i][j] = 0;
    m[1 - i][2] *= 10;
    (m, m[1][j])
}""")
    assert prog.run(0, 1) == [1, 0, 3, 4, 5, 60, 5]
    assert prog.run(1, 2) == [1, 2, 30, 4, 5, 0, 0]
    prog.fails(0, 3, code="E0503")
    prog.fails(2, 0, code="E0503")


def test_arrays_of_aggregates_with_witness_index():
    prog = Prog("""struct P { x: Felt, y: u8 }
fn main(ps: [P; 3], ts: [(u32, bool); 2], i: u32) -> pub (Felt, u8, u32) {
    let mut q = ps;
    q[i].y = 7;
    (q[i].x, q[2].y, ts[i - 1].0)
}""")
    assert prog.run([[10, 1], [20, 2], [30, 3]], [[5, 1], [6, 0]], 2) == [30, 7, 6]
    assert prog.run([[10, 1], [20, 2], [30, 3]], [[5, 1], [6, 0]], 1) == [20, 3, 5]


def test_index_must_be_an_unsigned_integer():
    compile_error("fn main(a: [Felt; 2], i: Felt) -> pub Felt {\n    a[i]\n}", "E0200", "2:7",
                  contains="an index must be an unsigned integer, found `Felt`")
    compile_error("fn main(a: Felt) -> pub Felt { a[0] }", "E0204", contains="cannot index into a value of type `Felt`")


def test_arrays_are_values():
    src = """fn main() -> pub ([u32; 2], [u32; 2]) {
    let a: [u32; 2] = [1, 2];
    let mut b = a;
    b[0] = 9;
    (a, b)
}"""
    assert run(src) == [1, 2, 9, 2]


def test_array_length_must_be_constant():
    compile_error("fn main(n: u32) -> pub Felt { let a = [0; n]; a[0] }", "E0300", "1:43",
                  contains="an array length must be a compile-time constant")


def test_compound_assignment_with_a_witness_index_checks_bounds():
    prog = Prog("fn main(i: u32) -> pub [u8; 3] {\n    let mut a: [u8; 3] = [1, 2, 3];\n    a[i] *= 2;\n    a\n}")
    assert prog.run(2) == [1, 2, 6]
    prog.fails(3, code="E0503", line=3)
