"""`impl` blocks: methods with `&self` / `&mut self`, associated functions, `Self`,
`T::default()`, write-back of `&mut self` into places, and their diagnostics."""

from lang_util import compile_error, run

POINT = """
struct Point { x: u32, y: u32 }
impl Point {
    fn new(x: u32, y: u32) -> Self { Self { x: x, y: y } }
    fn origin() -> Point { Point::default() }
    fn sum(&self) -> u32 { self.x + self.y }
    fn scaled(&self, k: u32) -> Point { Self::new(self.x * k, self.y * k) }
    fn shift(&mut self, d: u32) { self.x += d; self.bump(); }
    fn bump(&mut self) { self.y += 1; }
}
"""


def test_methods_and_associated_functions():
    src = POINT + """
fn main(a: u32) -> pub (u32, u32, u32, u32) {
    let mut p = Point::new(a, 10);
    p.shift(5);                          // x + 5, and y + 1 through a nested &mut call
    let q = p.scaled(2);
    let mut ps = [Point::origin(), Point::new(1, 1)];
    ps[1].shift(a);                      // write-back into an array element
    (p.sum(), q.x, ps[1].x, ps[0].sum())
}
"""
    assert run(src, 3) == [3 + 5 + 11, 16, 4, 0]


def test_witness_index_receiver_and_struct_field_receiver():
    src = POINT + """
struct Seg { a: Point, b: Point }
fn main(i: u32) -> pub (u32, u32) {
    let mut ps = [Point::new(1, 2), Point::new(3, 4)];
    ps[i].bump();
    let mut s = Seg { a: Point::new(1, 1), b: Point::new(2, 2) };
    s.b.shift(10);
    (ps[0].y + ps[1].y, s.b.sum())
}
"""
    assert run(src, 1) == [2 + 5, 12 + 3]
    assert run(src, 0) == [3 + 4, 12 + 3]


def test_method_diagnostics():
    compile_error(POINT + "fn main() { let p = Point::new(1, 2); p.shift(1); }", "E0202")
    compile_error(POINT + "fn main() -> pub u32 { Point::sum() }", "E0201")
    compile_error(POINT + "fn main() -> pub u32 { let p = Point::new(1, 2); p.new(1, 2).x }", "E0201")
    compile_error(POINT + "fn main() -> pub u32 { Point::nope() }", "E0100")
    compile_error(POINT + "fn main() -> pub u32 { let p = Point::new(1, 2); p.sum(3) }", "E0106")
    compile_error(POINT + "fn main() -> pub u32 { let s = Self::new(1, 2); s.x }", "E0102")
    compile_error("""
struct A { x: u32 }
impl A { fn f(&self) -> u32 { 1 } }
impl A { fn f(&self) -> u32 { 2 } }
fn main() {}
""", "E0103")
