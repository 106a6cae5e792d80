"""The language server's answers (psyc.lsp.analysis), without the protocol: the compiler's
diagnostics per file, definitions through modules, types of generic code, completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from psyc.lsp import analysis as an

UTIL = """// Sums the elements.
fn total<const N: u32>(xs: [u32; N]) -> u32 {
    let mut s: u32 = 0;
    for i in 0..N { s += xs[i]; }
    s
}
"""

MAIN = """use std::hash;
use crate::util::total;

fn main(a: [u32; 2], b: [u32; 3]) -> pub Felt {
    let t = total(a) + total(b);
    let (x, y) = (t, a[0] as Felt);
    hash::poseidon([x as Felt, y])[0]
}
"""


@pytest.fixture()
def project(tmp_path) -> Path:
    (tmp_path / "psy.toml").write_text('[package]\nname = "p"\nversion = "0.1.0"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "util.psy").write_text(UTIL)
    (tmp_path / "src" / "main.psy").write_text(MAIN)
    return tmp_path


def _analyze(project: Path, text: str = MAIN, overlays=None) -> an.Analysis:
    return an.analyze(project / "src" / "main.psy", text, overlays)


def test_definitions_locals_modules_and_stdlib(project):
    a = _analyze(project)
    assert a.diagnostics == {}
    d = an.definition(a, MAIN.index("t, a[0]"))  # the local `t`
    assert d.path == (project / "src" / "main.psy").resolve() and MAIN[d.span.start:d.span.end] == "t"
    d = an.definition(a, MAIN.index("hash::poseidon") + 1)  # a module segment: its file
    assert d.path.name == "hash.psy" and d.span is None
    d = an.definition(a, MAIN.index("poseidon(["))  # into the standard library
    assert d.path.name == "hash.psy" and d.decl.name == "poseidon"
    d = an.definition(a, MAIN.index("total(a)"))  # into another module of the project
    assert d.path.name == "util.psy" and UTIL[d.span.start:d.span.end] == "total"


def test_hover_in_generic_code_shows_each_instantiation(project):
    a = an.analyze(project / "src" / "util.psy", UTIL)
    assert a.diagnostics == {}
    text = an.hover(a, UTIL.index("xs[i]"))
    assert "[u32; 2]" in text and "[u32; 3]" in text and "instantiation" in text
    assert an.hover(a, UTIL.index("s\n}")) == "```psy\ns: u32\n```"  # the tail `s`: a u32 local
    assert "Sums the elements" in an.hover(_analyze(project), MAIN.index("total(a)"))


def test_diagnostics_go_to_the_file_they_are_in(project):
    broken_util = UTIL.replace("s += xs[i];", "s += true;")
    a = _analyze(project, overlays={(project / "src" / "util.psy").resolve(): broken_util})
    (path, diags), = a.diagnostics.items()
    assert path.name == "util.psy" and [d.code for d in diags] == ["E0200"]
    assert broken_util[diags[0].labels[0].span.start:].startswith("true")
    # a parse error in the open file: E0001 there; the last good analysis still answers
    bad = _analyze(project, MAIN.replace("let t =", "let t = ="))
    assert bad.module is None and [d.code for d in bad.diagnostics[(project / "src" / "main.psy").resolve()]] == [
        "E0001"]


def test_completion_and_hints(project):
    a = _analyze(project)
    mods = {c.label for c in an.completions(a, "std::", 5)}
    assert {"hash", "merkle", "int"} <= mods
    text = MAIN.replace("    hash::poseidon", "    hash::\n    hash::poseidon")
    items = {c.label for c in an.completions(a, text, text.index("hash::\n") + 6)}
    assert {"poseidon", "hash_two", "permute"} <= items
    assert ("main", "function") in {(c.label, c.kind) for c in an.completions(a, MAIN, MAIN.index("let (x"))}
    hints = an.inlay_hints(a)
    assert (MAIN.index("t = total") + 1, ": u32") in hints and (MAIN.index("y) =") + 1, ": Felt") in hints
    symbols = an.symbols(an.analyze(project / "src" / "util.psy", UTIL))
    assert [(s.name, s.kind) for s in symbols] == [("total", "function")]


def test_stdlib_file_is_checked_on_its_own():
    from psyc.frontend.modules import stdlib_dir

    path = stdlib_dir() / "merkle.psy"
    text = path.read_text()
    a = an.analyze(path, text)
    assert a.module.name == "std::merkle" and a.diagnostics == {}
    d = an.definition(a, text.index("hash_two(l, r)"))
    assert d.path.name == "hash.psy"
