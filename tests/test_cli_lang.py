"""The language verbs of the `psyc` command: new, check, compile, info, execute, test."""

from __future__ import annotations

import json

import pytest

from psyc.cli.main import build_parser, main

VERBS = ["new", "check", "compile", "info", "execute", "prove", "verify", "test", "audit", "fuzz", "aggregate", "demo", "bench"]


def test_help_lists_every_verb(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for verb in VERBS:
        assert verb in out


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb, capsys):
    with pytest.raises(SystemExit) as e:
        main([verb, "--help"])
    assert e.value.code == 0
    assert "usage: psyc" in capsys.readouterr().out


def test_new_project_tests_and_proves(tmp_path, capsys):
    proj = tmp_path / "vote"
    assert main(["new", str(proj)]) == 0
    assert (proj / "psy.toml").is_file() and (proj / "src" / "main.psy").is_file()
    assert main(["new", str(proj)]) == 2  # refuses to overwrite: a file error (docs/cli.md)
    assert main(["check", str(proj)]) == 0
    assert main(["test", str(proj)]) == 0
    assert main(["execute", str(proj), "--json", "--check"]) == 0
    assert main(["prove", str(proj)]) == 0
    assert main(["verify", str(proj / "target" / "vote.proof")]) == 0


def _project(tmp_path, src: str):
    (tmp_path / "src").mkdir()
    (tmp_path / "psy.toml").write_text('[package]\nname = "p"\n')
    (tmp_path / "src" / "main.psy").write_text(src)
    return tmp_path


def test_check_reports_errors_with_location(tmp_path, capsys):
    proj = _project(tmp_path, "fn main(x: Felt) -> pub u32 {\n    x + 1\n}\n")
    assert main(["check", str(proj)]) == 1
    err = capsys.readouterr().err
    assert "error[E0200]" in err and "src/main.psy:2:5" in err and "`u32`" in err and "`Felt`" in err
    assert "Traceback" not in err


def test_check_collects_errors_from_other_functions(tmp_path, capsys):
    src = "fn helper(a: u8) -> u8 { a + true }\nfn other() { let x: u32 = nope; }\nfn main() {}\n"
    proj = _project(tmp_path, src)
    assert main(["check", str(proj)]) == 1
    err = capsys.readouterr().err
    assert "src/main.psy:1:" in err and "src/main.psy:2:" in err


def test_check_warns_about_unconstrained_results(tmp_path, capsys):
    src = (
        "unconstrained fn half(x: Felt) -> Felt { x / 2 }\n"
        "fn main(x: Felt) -> pub Felt {\n"
        "    let h = unsafe { half(x) };\n"
        "    let unused = unsafe { half(x + 1) };\n"
        "    assert_eq(h + h, x);\n"
        "    x\n"
        "}\n"
    )
    proj = _project(tmp_path, src)
    assert main(["check", str(proj), "--no-template"]) == 0
    err = capsys.readouterr().err
    assert "warning[W0001]" in err and "src/main.psy:4:" in err
    assert "src/main.psy:3:" not in err


def test_check_writes_inputs_template_once(tmp_path):
    proj = _project(tmp_path, "fn main(a: u8, b: [Felt; 2]) {}\n")
    assert main(["check", str(proj)]) == 0
    text = (proj / "inputs.toml").read_text()
    assert "a = 0" in text
    (proj / "inputs.toml").write_text("a = 7\nb = [1, 2]\n")
    assert main(["check", str(proj)]) == 0
    assert (proj / "inputs.toml").read_text() == "a = 7\nb = [1, 2]\n"  # never overwritten


def test_compile_writes_key_ir_and_stats(tmp_path, capsys):
    proj = _project(tmp_path, "fn main(x: Felt) -> pub Felt { x * x * x + 5 }\n")
    out = tmp_path / "build"
    out.mkdir()
    assert main(["compile", str(proj), "-o", str(out), "--emit-ir"]) == 0
    printed = capsys.readouterr().out
    assert "fn main {" in printed and "output" in printed and "src/main.psy:1:" in printed
    stats = json.loads((out / "p.json").read_text())
    assert stats["rows_by_gate"]["arithmetic"] >= 1 and stats["public_inputs"] == 1
    assert (out / "p.vk").read_bytes().startswith(b"PSYCVK")


def test_compile_refuses_to_overwrite_foreign_files(tmp_path):
    proj = _project(tmp_path, "fn main(x: Felt) -> pub Felt { x }\n")
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "p.vk").write_text("my notes")
    assert main(["compile", str(proj)]) == 2  # a file error (docs/cli.md)
    assert (tmp_path / "target" / "p.vk").read_text() == "my notes"


def test_info_attributes_rows_to_lines_and_functions(tmp_path, capsys):
    src = (
        "use std::hash::poseidon;\n"
        "fn digest(x: Felt) -> Hash { poseidon([x, x, x, x, x]) }\n"
        "fn main(x: Felt) -> pub Hash {\n"
        "    digest(x)\n"
        "}\n"
    )
    proj = _project(tmp_path, src)
    assert main(["info", str(proj), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["by_gate"]["poseidon"] == 1
    assert any(k.startswith("std/hash.psy:") for k in info["by_line"])
    assert "std::hash::poseidon" in info["by_function"]


def test_execute_reports_bad_inputs(tmp_path, capsys):
    proj = _project(tmp_path, "fn main(a: u8) -> pub u8 { a }\n")
    (proj / "inputs.toml").write_text("a = 300\n")
    assert main(["execute", str(proj)]) == 2  # a file error (docs/cli.md)
    err = capsys.readouterr().err
    assert "E0602" in err and "inputs.toml:1:" in err


def test_parser_is_buildable():
    assert build_parser().prog == "psyc"


def test_check_reports_every_independent_error_once(tmp_path, capsys):
    src = (
        "fn main(a: u32, b: Felt) -> pub u32 {\n"
        "    let x: u32 = b;\n"
        "    let y = x + 1;\n"  # uses the failed `x`: no second error
        "    let z: bool = a + 1;\n"
        "    for i in 0..3 { let q: u8 = a; }\n"  # reported once, not per iteration
        "    a + y\n"
        "}\n"
    )
    proj = _project(tmp_path, src)
    assert main(["check", str(proj)]) == 1
    err = capsys.readouterr().err
    assert err.count("error[E0200]") == 3
    assert "src/main.psy:2:" in err and "src/main.psy:4:" in err and "src/main.psy:5:" in err
    assert "src/main.psy:3:" not in err and "src/main.psy:6:" not in err
