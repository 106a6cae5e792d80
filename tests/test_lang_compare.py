"""Comparisons: ordering on every integer width (edges near 2^32 and p - 1), equality on
every type (element-wise on arrays, tuples and structs)."""

import pytest
from lang_util import P, Prog, compile_error, run

EDGES = {
    "u8": [0, 1, 127, 128, 254, 255],
    "u16": [0, 1, 255, 256, 65534, 65535],
    "u32": [0, 1, 2**16, 2**31, 2**32 - 2, 2**32 - 1],
    "u64": [0, 1, 2**32 - 1, 2**32, 2**32 + 1, 2**63, P - 2, P - 1],
}


@pytest.mark.parametrize("t", list(EDGES))
def test_ordering_on_every_width(t):
    prog = Prog(f"fn main(a: {t}, b: {t}) -> pub [bool; 6] {{ [a < b, a <= b, a > b, a >= b, a == b, a != b] }}")
    vals = EDGES[t]
    pairs = [(a, b) for a in vals for b in vals if abs(vals.index(a) - vals.index(b)) <= 1 or a in (0, vals[-1])]
    for a, b in pairs:
        assert prog.run(a, b) == [a < b, a <= b, a > b, a >= b, a == b, a != b], (a, b)


def test_felt_equality():
    prog = Prog("fn main(a: Felt, b: Felt) -> pub (bool, bool) { (a == b, a != b) }")
    assert prog.run(P - 1, P - 1) == [1, 0]
    assert prog.run(0, P - 1) == [0, 1]


def test_compare_with_literals_both_sides():
    prog = Prog("fn main(a: u64) -> pub [bool; 3] { [a < 18446744069414584320, 4294967296 <= a, a == 7] }")
    assert prog.run(P - 1) == [0, 1, 0]
    assert prog.run(7) == [1, 0, 1]


def test_equality_on_aggregates():
    src = """
struct Pt { x: Felt, y: u32 }
fn main(a: [u32; 3], b: [u32; 3], t: (Felt, bool), p: Pt, q: Pt) -> pub [bool; 6] {
    [a == b, a != b, t == (5, true), p == q, p != q, [[1, 2], [3, 4]] == [[1, 2], [3, 4]]]
}"""
    prog = Prog(src)
    assert prog.run([1, 2, 3], [1, 2, 3], [5, 1], [1, 2], [1, 2]) == [1, 0, 1, 1, 0, 1]
    assert prog.run([1, 2, 3], [1, 2, 4], [5, 0], [1, 2], [1, 3]) == [0, 1, 0, 0, 1, 1]


def test_comparisons_need_equal_types():
    err = compile_error("fn main(a: u32, b: u64) -> pub bool {\n    a < b\n}", "E0200", "2:9")
    assert "`u32` < `u64`" in err.rendered
    compile_error("fn main(a: [u32; 2], b: [u32; 3]) -> pub bool { a == b }", "E0200",
                  contains=("[u32; 2]", "[u32; 3]"))
    compile_error("fn main(a: [u32; 2], b: [u32; 2]) -> pub bool { a < b }", "E0201")


def test_comparison_results_are_values():
    assert run("fn main(a: u32) -> pub u32 { (a < 5) as u32 + (a >= 5) as u32 * 10 }", 7) == [10]
