"""Modules: `mod`, `use crate::…`, `use std::…`, paths, name resolution errors."""

from lang_util import compile_error, run, run1

UTIL = {"util.psy": "const K: Felt = 5;\nstruct Pair { a: Felt, b: Felt }\nfn sq(x: Felt) -> Felt { x * x }\n"
                    "fn pair(x: Felt) -> Pair { Pair { a: x, b: K } }\n"}


def test_mod_and_use_of_functions_constants_structs():
    src = """mod util;
use crate::util::{sq, Pair, pair};
fn main(x: Felt) -> pub Felt {
    let p: Pair = pair(x);
    sq(p.a) + util::sq(2) + util::K + p.b
}"""
    assert run1(src, 3, files=UTIL) == 9 + 4 + 5 + 5


def test_use_without_mod_and_full_paths():
    assert run1("use crate::util::sq;\nfn main(x: Felt) -> pub Felt { sq(x) }", 3, files=UTIL) == 9
    assert run1("use crate::util;\nfn main(x: Felt) -> pub Felt { util::sq(x) }", 3, files=UTIL) == 9
    assert run1("fn main(x: Felt) -> pub Felt { crate::util::sq(x) + crate::util::K }", 3, files=UTIL) == 14


def test_nested_sibling_and_parent_modules():
    files = {
        "a.psy": "mod b;\nuse crate::c::inc;\nfn f(x: Felt) -> Felt { inc(b::g(x)) + super::base() }",
        "a/b.psy": "fn g(x: Felt) -> Felt { x * 10 }",
        "c.psy": "fn inc(x: Felt) -> Felt { x + 1 }",
    }
    src = "mod a;\nmod c;\nfn base() -> Felt { 100 }\nfn main(x: Felt) -> pub Felt { a::f(x) }"
    assert run1(src, 2, files=files) == 121


def test_modules_as_folders():
    files = {"geo/mod.psy": "fn area(w: u32, h: u32) -> u32 { w * h }"}
    assert run1("mod geo;\nuse crate::geo::area;\nfn main(w: u32) -> pub u32 { area(w, 3) }", 4, files=files) == 12


def test_std_imports():
    src = """use std::hash::{poseidon, hash_two};
use std::int;
fn main(x: Felt, a: u32) -> pub (Hash, Hash, u32) {
    (poseidon([x]), std::hash::poseidon([x]), int::max_u32(a, 7))
}"""
    out = run(src, 1, 3)
    assert out[:4] == out[4:8] and out[8] == 7


def test_unresolved_import():
    err = compile_error("use crate::util::cube;\nfn main(x: Felt) -> pub Felt { cube(x) }", "E0100", "1:1", files=UTIL)
    assert "no `cube` in `crate::util`" in err.rendered
    err = compile_error("use std::hash::posiedon;\nfn main(x: Felt) -> pub Hash { posiedon([x]) }", "E0100", "1:1")
    assert "did you mean `poseidon`?" in err.rendered


def test_unused_unresolved_import_is_still_an_error():
    compile_error("mod util;\nuse crate::util::nope;\nfn main(x: Felt) -> pub Felt { x }", "E0100", "2:1", files=UTIL)


def test_unresolved_modules():
    err = compile_error("use crate::nope::f;\nfn main(x: Felt) -> pub Felt { f(x) }", "E0101", "1:1")
    assert "looked for src/nope.psy, src/nope/mod.psy" in err.rendered
    err = compile_error("fn main(x: Felt) -> pub Felt {\n    nope::f(x)\n}", "E0101", "2:5")
    assert "unresolved module `nope`" in err.rendered
    err = compile_error("mod nope;\nfn main(x: Felt) -> pub Felt { x }", "E0101", "1:1")
    assert "file not found for module `nope`" in err.rendered
    compile_error("use std::nothing::f;\nfn main(x: Felt) -> pub Felt { f(x) }", "E0101")


def test_duplicate_definitions():
    err = compile_error("fn f() {}\nfn g() {}\nfn f() {}\nfn main() {}", "E0103", "3:1")
    assert "the name `f` is defined more than once" in err.rendered and "first defined here" in err.rendered
    compile_error("use std::hash::poseidon;\nfn poseidon() {}\nfn main() {}", "E0103", "2:1")
    compile_error("struct A { x: Felt }\nconst A: Felt = 1;\nfn main() {}", "E0103")


def test_duplicate_definition_in_a_module():
    compile_error("mod util;\nfn main(x: Felt) -> pub Felt { util::a(x) }", "E0103", "util.psy:2:1",
                  files={"util.psy": "fn a(x: Felt) -> Felt { x }\nfn a(x: Felt) -> Felt { x }"})


def test_errors_in_other_files_are_located_there():
    err = compile_error("mod util;\nfn main(x: u32) -> pub u32 { util::f(x) }", "E0200", "util.psy:2:9",
                        files={"util.psy": "fn f(x: u32) -> u32 {\n    x + true\n}"})
    assert "src/util.psy:2:9" in err.rendered


def test_intrinsics_are_private_to_std():
    compile_error("fn main() -> pub Felt { let s = __permute([0; 12]); s[0] }", "E0100", contains="intrinsic")
