"""Structs: literals, field access and assignment, nesting, errors."""

from lang_util import Prog, compile_error, run, run1

DECLS = """
struct Point { x: Felt, y: u32 }
struct Shape { origin: Point, corners: [Point; 2], tag: (bool, u8) }
"""


def test_literal_field_access_and_order():
    src = DECLS + """
fn main(a: Felt) -> pub (Felt, u32) {
    let p = Point { y: 3, x: a };
    (p.x, p.y)
}"""
    assert run(src, 9) == [9, 3]


def test_nested_structs_as_inputs_and_outputs():
    src = DECLS + """
fn main(s: Shape, k: u32) -> pub Shape {
    let mut t = s;
    t.origin.y += k;
    t.corners[1].x = t.corners[0].x * 2;
    t.corners[k].y = 42;
    t.tag.1 = 9;
    t
}"""
    prog = Prog(src)
    shape = [[1, 2], [[3, 4], [5, 6]], [1, 7]]
    assert prog.run(shape, 1) == [1, 3, 3, 4, 6, 42, 1, 9]
    assert prog.run(shape, 0) == [1, 2, 3, 42, 6, 6, 1, 9]


def test_struct_from_a_function():
    src = DECLS + """
fn make(x: Felt) -> Point { Point { x: x, y: 1 } }
fn main(a: Felt) -> pub Felt { let p = make(a); p.x + p.y as Felt }"""
    assert run1(src, 4) == 5


def test_missing_field():
    err = compile_error(DECLS + "fn main() -> pub Felt {\n    let p = Point { x: 1 };\n    p.x\n}", "E0105", "5:13")
    assert "missing field(s) `y` in `Point`" in err.rendered


def test_unknown_and_repeated_field_in_literal():
    err = compile_error(DECLS + "fn main() -> pub Felt {\n    let p = Point { x: 1, y: 2, z: 3 };\n    p.x\n}",
                        "E0104", "5:36")
    assert "struct `Point` has no field named `z`" in err.rendered
    compile_error(DECLS + "fn main() -> pub Felt { let p = Point { x: 1, x: 2, y: 3 }; p.x }", "E0104",
                  contains="specified more than once")


def test_unknown_field_access_suggests():
    err = compile_error(DECLS + "fn main(p: Point) -> pub Felt {\n    p.z + p.xx\n}", "E0205", "5:5")
    assert "no field `z` on type `Point`" in err.rendered
    err = compile_error(DECLS + "fn main(p: Point) -> pub Felt { p.xx }", "E0205")
    assert "did you mean `x`?" in err.rendered


def test_field_types_are_checked():
    err = compile_error(DECLS + "fn main(a: u32) -> pub Felt { let p = Point { x: a, y: a }; p.x }", "E0200")
    assert "field `x`" in err.rendered and "expected `Felt`, found `u32`" in err.rendered


def test_unknown_struct_type():
    err = compile_error("fn main(p: Pointt) -> pub Felt { 0 }", "E0102", "1:12")
    assert "cannot find type `Pointt`" in err.rendered
    err = compile_error(DECLS + "fn main() -> pub Felt { let p = Pint { x: 1, y: 2 }; 0 }", "E0102")
    assert "did you mean `Point`?" in err.rendered


def test_struct_equality_and_copy_semantics():
    src = DECLS + """
fn main(p: Point) -> pub (bool, bool) {
    let mut q = p;
    q.y = q.y + 1;
    (p == q, p == Point { x: p.x, y: q.y - 1 })
}"""
    assert run(src, [5, 6]) == [0, 1]
