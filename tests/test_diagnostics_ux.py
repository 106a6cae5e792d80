"""Messages a new user tripped over (issue 11, item 5): each checked as the user sees it."""

from __future__ import annotations

from pathlib import Path

from psyc.cli.main import main
from psyc.frontend.diagnostics import Diagnostic, SourceMap, Span, render


def _file(tmp_path: Path, src: str, inputs: str | None = None, name: str = "m") -> str:
    path = tmp_path / f"{name}.psy"
    path.write_text(src)
    if inputs is not None:
        (tmp_path / f"{name}.inputs.toml").write_text(inputs)
    return str(path)


def test_e0202_help_is_a_fix_that_compiles(tmp_path, capsys):
    src = "fn main(x: Felt) -> pub Felt {\n    let y = x;\n    y = y + 1;\n    y\n}\n"
    assert main(["check", _file(tmp_path, src)]) == 1
    err = capsys.readouterr().err
    assert "help: make this binding mutable: `let mut y`" in err
    assert main(["check", _file(tmp_path, src.replace("let y", "let mut y"))]) == 0  # following it works


def test_e0202_on_a_parameter_suggests_a_mutable_copy(tmp_path, capsys):
    src = "fn main(x: Felt) -> pub Felt {\n    x = x + 1;\n    x\n}\n"
    assert main(["check", _file(tmp_path, src)]) == 1
    assert "`let mut x = x;`" in capsys.readouterr().err
    fixed = "fn main(x: Felt) -> pub Felt {\n    let mut x = x;\n    x = x + 1;\n    x\n}\n"
    assert main(["check", _file(tmp_path, fixed)]) == 0


UNCLOSED = """fn helper(x: Felt) -> Felt {
    let y = x * 2;
    if y == 4 {
        y + 1
    // the `}` of the `if` is missing
    y
}
"""


def test_unclosed_brace_is_reported_at_the_opening_delimiter(tmp_path, capsys):
    assert main(["check", _file(tmp_path, UNCLOSED)]) == 1
    err = capsys.readouterr().err
    assert "error[E0002]: this file contains an unclosed delimiter `{`" in err
    assert "m.psy:1:28" in err and "unclosed delimiter: this `{` is never closed" in err
    assert "3 |     if y == 4 {" in err and "perhaps this `{` is the one left open" in err


def test_unclosed_brace_before_more_code_is_noted(tmp_path, capsys):
    src = UNCLOSED + "\nfn main(x: Felt) -> pub Felt {\n    helper(x)\n}\n"
    assert main(["check", _file(tmp_path, src)]) == 1
    err = capsys.readouterr().err
    assert "error[E0001]" in err and "m.psy:9:1" in err  # where the parser stopped
    assert "1 | fn helper(x: Felt) -> Felt {" in err and "unclosed delimiter" in err


def test_failed_assert_eq_on_a_hash_shows_every_element(tmp_path, capsys):
    src = "use std::hash::poseidon;\nfn main(x: Felt) {\n    let h = poseidon([x]);\n" \
          "    assert_eq(h, [h[0], 5, h[2], 7]);\n}\n"
    assert main(["execute", _file(tmp_path, src, "x = 1\n")]) == 1
    err = capsys.readouterr().err
    assert "[1]: left " in err and ", right 5   <- differs" in err
    assert "[3]: left " in err and ", right 7   <- differs" in err
    assert "the other 2 of 4 elements are equal" in err  # [0] and [2] were proved equal at compile time


def test_failed_assert_eq_on_a_struct_names_fields(tmp_path, capsys):
    src = "struct P { a: Felt, b: Felt }\nfn main(x: Felt) {\n    assert_eq(P { a: x, b: x }, P { a: 1, b: 2 });\n}\n"
    assert main(["execute", _file(tmp_path, src, "x = 1\n")]) == 1
    err = capsys.readouterr().err
    assert ".a: left 1, right 1" in err and ".b: left 1, right 2   <- differs" in err


def test_missing_child_proof_is_named_as_the_proof(tmp_path, capsys):
    src = "use std::recursion::verify;\nfn main(p: Proof<1>) -> pub Felt {\n    verify(p);\n    p.public_inputs[0]\n}\n"
    path = _file(tmp_path, src, 'p = { proof = "child.proof" }\n')
    assert main(["execute", path]) == 2
    err = capsys.readouterr().err
    assert "the proof file" in err and "child.proof does not exist" in err and "child.proof.vk" not in err


def test_long_source_lines_are_cut_around_the_span():
    text = "let x = " + "1 + " * 20000 + "y;\n"
    sources = SourceMap()
    sources.add("f.psy", text)
    at = text.index("y")
    shown = render(Diagnostic.error("E0100", "cannot find value `y`", Span("f.psy", at, at + 1), "not found"), sources)
    source_line, caret_line = shown.splitlines()[3:5]
    assert len(source_line) < 140 and source_line.rstrip().endswith("1 + y;") and "…" in source_line
    assert caret_line.index("^") == source_line.index("y;")


def test_colored_diagnostics_keep_brackets_in_user_text():
    from rich.console import Console

    sources = SourceMap()
    sources.add("g.psy", "let b: [bool; 8] = 3;\n")
    d = Diagnostic.error("E0200", "expected `[bool; 8]`, found `Felt`", Span("g.psy", 19, 20), "not [bool; 8]")
    console = Console(record=True, width=200, force_terminal=True)
    console.print(render(d, sources, color=True), highlight=False)
    text = console.export_text()
    assert "expected `[bool; 8]`" in text and "let b: [bool; 8] = 3;" in text and "not [bool; 8]" in text


def test_unused_locals_and_private_inputs_are_warned(tmp_path, capsys):
    src = """fn helper(a: Felt, _b: Felt, c: Felt) -> Felt {
    let unused = a * 2;
    let _quiet = a;
    let (p, q) = (a, c);
    p
}
fn main(x: Felt, secret: Felt, _spare: Felt) -> pub Felt {
    helper(x, x, x)
}
"""
    assert main(["check", _file(tmp_path, src, "x = 1\nsecret = 2\n_spare = 3\n")]) == 0
    err = capsys.readouterr().err
    assert "warning[W0004]: private input `secret` never reaches a constraint" in err
    assert "warning[W0003]: unused variable `unused`" in err and "warning[W0003]: unused variable `q`" in err
    assert err.count("warning[W0003]") == 2 and err.count("warning[W0004]") == 1  # `_`-names are quiet


PRINTS = """struct P { a: Felt, ok: bool }
unconstrained fn half(x: u32) -> u32 {
    println("half of {}", x);
    x / 2
}
fn main(x: u32, h: Hash) -> pub u32 {
    println("x = {}, h = {}", x, h);
    println(P { a: h[0], ok: x == 10 }, (x, 2), "done");
    if x == 4 { println("four"); } else { print("not four; "); println(x * 3); }
    let y = unsafe { half(x) };
    assert_eq(y * 2, x);
    y
}
"""


def test_println_shows_values_during_execution(tmp_path, capsys):
    path = _file(tmp_path, PRINTS, "x = 10\nh = [1, 2, 3, 4]\n")
    assert main(["execute", path]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "x = 10, h = [1, 2, 3, 4]\nP { a: 1, ok: true } (10, 2) done\nnot four; 30\nhalf of 10\n"
    )
    assert main(["execute", path, "--json"]) == 0  # stdout stays one JSON object
    captured = capsys.readouterr()
    assert captured.out.strip() == '{"outputs": "5"}' and "half of 10" in captured.err


def test_println_adds_nothing_to_the_circuit(tmp_path):
    import psyc

    with_prints = psyc.compile_path(_file(tmp_path, "fn main(x: Felt) -> pub Felt {\n    println(x);\n    x * x\n}\n"))
    without = psyc.compile_path(_file(tmp_path, "fn main(x: Felt) -> pub Felt {\n    x * x\n}\n", name="n"))
    assert with_prints.lowered().stats == without.lowered().stats
    run = with_prints.execute({"x": 3})
    assert run.printed == "3\n" and with_prints.check_constraints(run) == []


def test_failing_test_shows_what_it_printed(tmp_path, capsys):
    src = "#[test]\nfn t() {\n    let a = 2;\n    println(\"a = {}\", a);\n    assert_eq(a * 2, 5);\n}\n" \
          "#[test]\nfn u() { println(\"in u\"); }\n"
    path = _file(tmp_path, src)
    assert main(["test", path]) == 1
    out = capsys.readouterr().out
    assert "---- crate::t ----\na = 2\n" in out and "in u" not in out
    assert main(["test", path, "--show-output", "--filter", "u"]) == 0
    assert "in u" in capsys.readouterr().out


def test_format_string_arity_is_checked(tmp_path, capsys):
    assert main(["check", _file(tmp_path, "fn main(x: Felt) {\n    println(\"{} {}\", x);\n}\n")]) == 1
    assert "E0106" in capsys.readouterr().err
