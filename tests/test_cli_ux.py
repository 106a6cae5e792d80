"""What a new user tripped over (issue 11, item 5), each as the user's action: exit codes,
stdout/stderr, no tracebacks, overwrite rules, --json on the commands that lacked it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from psyc.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SQUARE = "fn main(x: Felt) -> pub Felt { x * x }\n"


def _project(path: Path, src: str = SQUARE, name: str = "p", inputs: str | None = "x = 3\n") -> Path:
    (path / "src").mkdir(parents=True)
    (path / "psy.toml").write_text(f'[package]\nname = "{name}"\n')
    (path / "src" / "main.psy").write_text(src)
    if inputs is not None:
        (path / "inputs.toml").write_text(inputs)
    return path


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as e:  # argparse's usage errors
        return e.code


# ---- no tracebacks -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [["fuzz", ".", "--runs", "0"], ["fuzz", ".", "--runs", "-3"], ["audit", ".", "--tries", "-1"],
     ["check", ".", "--max-unroll", "0"]],
)
def test_bad_counts_are_usage_errors(argv, capsys):
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err
    assert "must be at least 1" in err and "Traceback" not in err


def test_non_utf8_source_is_a_diagnostic(tmp_path, capsys):
    proj = _project(tmp_path, inputs=None)
    (proj / "src" / "main.psy").write_bytes(b"fn main(x: Felt) {\n  // caf\xe9\n}\n")
    assert main(["check", str(proj), "--no-template"]) == 2  # a malformed file: exit 2 (docs/cli.md)
    err = capsys.readouterr().err
    assert "E0005" in err and "not valid UTF-8" in err and "line 2" in err and "Traceback" not in err
    assert "could not compile" not in err  # the program was never read, so nothing failed to compile


def test_fuzz_without_targets_names_the_attribute(tmp_path, capsys):
    proj = _project(tmp_path)
    assert main(["fuzz", str(proj)]) == 2
    assert "no #[fuzz] functions" in capsys.readouterr().err


# ---- output channels -----------------------------------------------------------------------
def test_emit_ir_prints_only_the_ir_on_stdout(tmp_path, capsys):
    proj = _project(tmp_path)
    assert main(["compile", str(proj), "--emit-ir"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("fn main {") and captured.out.rstrip().endswith("}")
    assert "wrote" not in captured.out and "wrote" in captured.err


def test_long_lines_are_not_wrapped_in_a_pipe(tmp_path):
    proj = _project(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "psyc.cli.main", "compile", str(proj)], capture_output=True, text=True,
        cwd=ROOT, check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("fingerprint: "))
    fingerprint = line.split()[1]
    assert len(fingerprint.split(",")) == 4 and f"--fingerprint {fingerprint}`" in line


def test_prove_verify_and_test_speak_json(tmp_path, capsys):
    proj = _project(tmp_path, SQUARE + "#[test]\nfn t() { assert_eq(main(3), 9); }\n")
    assert main(["prove", str(proj), "--json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # exactly one JSON object
    assert doc["public_inputs"] == ["9"] and Path(doc["proof"]).is_file() and "wrote" not in captured.out
    assert main(["verify", doc["proof"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "valid": True, "public_inputs": ["9"], "public": {"return": "9"}, "fingerprint": doc["fingerprint"], "zero_knowledge": False
    }
    assert main(["verify", doc["proof"], "--json", "--public-inputs", "8"]) == 1
    bad = json.loads(capsys.readouterr().out)
    assert bad["valid"] is False and "`return` is \"9\", expected \"8\"" in bad["error"]
    assert main(["verify", str(tmp_path / "missing.proof"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["usage_error"] is True
    assert main(["test", str(proj), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["passed"] == 1 and doc["tests"][0]["name"] == "crate::t"


@pytest.mark.parametrize("verb", ["new", "check", "compile", "execute", "prove", "verify", "test", "fuzz",
                                  "audit", "info", "bench", "explain", "aggregate", "fuzz-proof", "demo", "fmt",
                                  "sign", "verify-signature"])
def test_every_command_offers_json(verb, capsys):
    with pytest.raises(SystemExit):
        main([verb, "--help"])
    assert "--json" in capsys.readouterr().out


def test_demo_program_speaks_json(capsys):
    assert main(["demo", "--program", "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert doc["ok"] and doc["nullifier_matches"] and doc["changed_vote_rejected"] and doc["zero_knowledge"]
    assert [s["step"].split(" ")[0] for s in doc["steps"]] == ["compile", "execute", "build", "prove", "verify"]
    assert doc["proof_bytes"] > 0  # stdout is the JSON alone: the table goes to stderr


@pytest.mark.slow  # the devnet demo proves every call (minutes)
def test_demo_speaks_json(capsys):
    assert main(["demo", "--users", "2", "--shape", "small", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and doc["demo"] == "devnet" and doc["balances_match"] and doc["refusals_refused"]
    assert doc["blocks_proved"] == 2 and doc["chain_valid"] and doc["shape"] == "small"
    assert doc["steps"] and all(s["seconds"] >= 0 for s in doc["steps"])


# ---- overwrite rules --------------------------------------------------------------------------
def test_compile_replaces_only_its_own_outputs(tmp_path, capsys):
    proj = _project(tmp_path)
    assert main(["compile", str(proj)]) == 0
    capsys.readouterr()
    assert main(["compile", str(proj)]) == 0  # its own files, same program: replaced, and said
    assert "replaced" in capsys.readouterr().err
    stats = proj / "target" / "p.json"
    stats.write_text("my own notes\n")  # the user edits one: no longer psyc's to replace
    assert main(["compile", str(proj)]) == 2
    err = capsys.readouterr().err
    assert "E0800" in err and "changed after psyc wrote it" in err
    assert stats.read_text() == "my own notes\n"
    assert main(["compile", str(proj), "--force"]) == 0
    assert json.loads(stats.read_text())["public_inputs"] == 1


def test_compile_into_a_user_folder_keeps_foreign_files(tmp_path, capsys):
    proj = _project(tmp_path / "p")
    out = tmp_path / "out"
    out.mkdir()
    (out / "p.json").write_text("{}")
    assert main(["compile", str(proj), "-o", str(out)]) == 2
    assert "psyc did not write it" in capsys.readouterr().err
    assert (out / "p.json").read_text() == "{}" and not (out / "p.vk").exists()  # nothing written


def test_output_folder_must_exist(tmp_path, capsys):
    proj = _project(tmp_path / "p")
    assert main(["compile", str(proj), "-o", str(tmp_path / "nope")]) == 2
    assert main(["prove", str(proj), "-o", str(tmp_path / "nope" / "x.proof")]) == 2
    err = capsys.readouterr().err
    assert err.count("E0801") == 2 and not (tmp_path / "nope").exists()


def test_prove_refuses_a_proof_of_another_program(tmp_path, capsys):
    a = _project(tmp_path / "a", name="a")
    b = _project(tmp_path / "b", "fn main(x: Felt) -> pub Felt { x + 1 }\n", name="b")
    shared = tmp_path / "shared.proof"
    assert main(["prove", str(a), "-o", str(shared)]) == 0
    before = shared.read_bytes()
    assert main(["prove", str(b), "-o", str(shared)]) == 2
    assert "another program" in capsys.readouterr().err and shared.read_bytes() == before
    assert main(["prove", str(a), "-o", str(shared)]) == 0  # the same program may replace its own


# ---- messages and exit codes --------------------------------------------------------------------
def test_could_not_compile_only_after_compile_errors(tmp_path, capsys):
    proj = _project(tmp_path, inputs="x = 'seven'\n")
    assert main(["execute", str(proj)]) == 2  # a bad inputs file: a file error
    err = capsys.readouterr().err
    assert "E0601" in err and "could not compile" not in err
    (proj / "src" / "main.psy").write_text("fn main(x: Felt) -> pub Felt { y }\n")
    assert main(["execute", str(proj)]) == 1
    assert "could not compile: 1 error(s)" in capsys.readouterr().err


def test_no_project_is_a_file_error(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "E0704" in capsys.readouterr().err


def test_check_rejects_a_missing_entry(tmp_path, capsys):
    proj = _project(tmp_path, inputs=None)
    (proj / "psy.toml").write_text('[package]\nname = "p"\nentry = "nope"\n')
    assert main(["check", str(proj), "--no-template"]) == 1
    err = capsys.readouterr().err
    assert "E0100" in err and "`nope`" in err and 'entry = "nope"' in err


def test_check_rejects_an_empty_program(tmp_path, capsys):
    proj = _project(tmp_path, "", inputs=None)
    assert main(["check", str(proj), "--no-template"]) == 1
    assert "E0110" in capsys.readouterr().err


# ---- psyc test ------------------------------------------------------------------------------------
def test_test_of_one_file_runs_only_its_tests(tmp_path, capsys):
    proj = _project(tmp_path, "mod util;\nfn main(x: Felt) -> pub Felt { util::twice(x) }\n"
                    "#[test]\nfn main_test() { assert_eq(main(2), 4); }\n")
    (proj / "src" / "util.psy").write_text("pub fn twice(x: Felt) -> Felt { x + x }\n"
                                           "#[test]\nfn util_test() { assert_eq(twice(1), 2); }\n")
    (proj / "src" / "broken.psy").write_text("fn oops( {\n")  # must not even be parsed
    assert main(["test", str(proj / "src" / "main.psy"), "--json"]) == 0
    assert [t["name"] for t in json.loads(capsys.readouterr().out)["tests"]] == ["crate::main_test"]
    assert main(["test", str(proj / "src" / "util.psy"), "--json"]) == 0
    assert [t["name"] for t in json.loads(capsys.readouterr().out)["tests"]] == ["crate::util::util_test"]


def test_test_filter_that_matches_nothing_fails(tmp_path, capsys):
    proj = _project(tmp_path, SQUARE + "#[test]\nfn t() { assert_eq(main(3), 9); }\n")
    assert main(["test", str(proj), "--filter", "zzz"]) == 1
    assert "no test name contains 'zzz' (1 test(s) in all)" in capsys.readouterr().err


# ---- new ------------------------------------------------------------------------------------------
def test_new_ignores_hypothesis_database(tmp_path, capsys):
    assert main(["new", str(tmp_path / "v"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["project"] == "v"
    assert ".hypothesis/" in (tmp_path / "v" / ".gitignore").read_text().split()


def test_cli_docs_way_to_compute_inputs_works(tmp_path, capsys):
    """docs/cli.md "Computing input values": execute --entry helper, paste, prove main."""
    text = (ROOT / "docs" / "cli.md").read_text().split("## Computing input values", 1)[1]
    src = text.split("```psy\n", 1)[1].split("```", 1)[0]
    (tmp_path / "c.psy").write_text(src)
    (tmp_path / "secret.toml").write_text("secret = 42\n")
    file = str(tmp_path / "c.psy")
    assert main(["execute", file, "--entry", "commit", "--inputs", str(tmp_path / "secret.toml"), "--json"]) == 0
    commitment = json.loads(capsys.readouterr().out)["outputs"]
    (tmp_path / "c.inputs.toml").write_text(f"secret = 42\ncommitment = {json.dumps(commitment)}\n")
    assert main(["execute", file, "--check"]) == 0
    (tmp_path / "c.inputs.toml").write_text(f"secret = 43\ncommitment = {json.dumps(commitment)}\n")
    assert main(["execute", file]) == 1


def test_check_and_compile_speak_json(tmp_path, capsys):
    proj = _project(tmp_path, "fn main(x: Felt, y: Felt) -> pub Felt {\n    let z = x;\n    x * x\n}\n",
                    inputs="x = 3\ny = 4\n")
    assert main(["check", str(proj), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["errors"] == []
    assert {(w["code"], w["line"]) for w in doc["warnings"]} == {("W0003", 2), ("W0004", 1)}
    assert main(["compile", str(proj), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["public_inputs"] == 1 and len(doc["fingerprint"]) == 4 and len(doc["files"]) == 3
    (proj / "src" / "main.psy").write_text("fn main(x: Felt) -> pub Felt { y }\n")
    assert main(["check", str(proj), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["errors"][0]["code"] == "E0100" and doc["errors"][0]["line"] == 1
