"""The soundness tools against a corpus of known-buggy circuits and their fixed versions:
every bug is caught by `psyc audit` or `psyc fuzz`, and no fixed version raises an alarm."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from psyc.cli.main import main

CORPUS = Path(__file__).parent / "audit_corpus"
EXAMPLES = Path(__file__).parent.parent / "examples"
AUDIT_BUGS = [
    "unconstrained_hint",
    "missing_range_check",
    "aliasing_bits",
    # the classic under-constrained patterns (issue 12): each needs two hint outputs to move
    # together, or a particular input
    "divmod",
    "byte_split",
    "is_zero",
    "comparison_bits",
]
SOLVED_BUGS = ["divmod", "byte_split", "is_zero", "comparison_bits"]


def _bug_line(path: Path) -> int:
    """The line marked `// BUG` in a buggy corpus file."""
    return next(k for k, line in enumerate(path.read_text().splitlines(), 1) if line.rstrip().endswith("// BUG"))
FUZZ_BUGS = ["over_constrained_branch"]


@pytest.fixture
def corpus(tmp_path):
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.mark.parametrize("case", AUDIT_BUGS)
def test_audit_catches_the_bug(case, corpus, capsys):
    buggy = corpus / f"{case}_buggy.psy"
    assert main(["audit", str(buggy)]) == 1
    err = capsys.readouterr().err
    assert "error[A0101]" in err  # a second valid output for the same inputs
    assert f"{case}_buggy.psy:{_bug_line(buggy)}:" in err  # at the hint's line


@pytest.mark.parametrize("case", SOLVED_BUGS)
def test_propagation_alone_catches_the_bug(case, corpus, capsys, monkeypatch):
    """Without the SMT solver, perturbing one hint output and re-solving the others
    through the equations still finds the second output."""
    import psyc.audit.solve as solve

    monkeypatch.setattr(solve, "smt_available", lambda: False)
    buggy = corpus / f"{case}_buggy.psy"
    assert main(["audit", str(buggy), "--input-sets", "2"]) == 1
    err = capsys.readouterr().err
    assert f"{case}_buggy.psy:{_bug_line(buggy)}:" in err
    if case != "is_zero":  # (is-zero's inverse moves alone)
        assert "re-solving the others" in err


@pytest.mark.parametrize("case", AUDIT_BUGS + FUZZ_BUGS)
def test_fixed_versions_are_quiet(case, corpus, capsys):
    assert main(["audit", str(corpus / f"{case}_fixed.psy"), "--input-sets", "2"]) == 0
    out = capsys.readouterr().out
    assert "no second witness found in" in out and "over 2 input set(s)" in out
    assert "clean" not in out  # never claims more than it tried


@pytest.mark.parametrize("case", FUZZ_BUGS)
def test_fuzz_catches_the_bug_and_shrinks_it(case, corpus, capsys):
    buggy = corpus / f"{case}_buggy.psy"
    assert main(["fuzz", str(buggy), "--runs", "100", "--seed", "1"]) == 1
    out = capsys.readouterr()
    assert "a = 0\nb = 0" in out.out  # shrunk to the minimal input
    assert "E0502" in out.err
    saved = corpus / "target" / "fuzz" / "safe_div.failure.toml"
    assert saved.is_file()
    # the saved input replays the failure
    assert main(["execute", str(buggy), "--entry", "safe_div", "--inputs", str(saved)]) == 1
    assert main(["fuzz", str(corpus / f"{case}_fixed.psy"), "--runs", "100", "--seed", "1"]) == 0


def test_fuzz_is_reproducible(corpus, capsys):
    buggy = corpus / "over_constrained_branch_buggy.psy"
    runs = []
    for _ in range(2):
        shutil.rmtree(corpus / "target", ignore_errors=True)
        main(["fuzz", str(buggy), "--runs", "50", "--seed", "7"])
        runs.append(capsys.readouterr().out.splitlines()[0])
    assert runs[0] == runs[1]


def test_structural_findings(tmp_path, capsys):
    src = tmp_path / "p.psy"
    src.write_text(
        "unconstrained fn id(x: Felt) -> Felt { x }\n"
        "fn main(pub unused: Felt, x: Felt) -> pub Felt {\n"
        "    let dead = unsafe { id(x) };\n"
        "    x * 2\n"
        "}\n"
    )
    (tmp_path / "p.inputs.toml").write_text("unused = 1\nx = 2\n")
    assert main(["audit", str(src)]) == 1
    err = capsys.readouterr().err
    assert "A0001" in err and "p.psy:3:" in err
    assert "A0002" in err and "`unused`" in err


def test_audit_with_random_inputs(tmp_path, capsys):
    src = tmp_path / "q.psy"
    src.write_text(
        "unconstrained fn half(x: u32) -> u32 { x / 2 }\n"
        "fn main(x: u32) -> pub u32 { let h = unsafe { half(x) }; h }\n"
    )
    assert main(["audit", str(src), "--seed", "3"]) == 1
    assert "random inputs" in capsys.readouterr().out


@pytest.mark.parametrize("example", ["hash_chain", "merkle_membership"])
def test_examples_are_clean_including_compiler_gadgets(example):
    # every gadget hint of the lowering is perturbed too (A0102 would be a psyc bug)
    assert main(["audit", str(EXAMPLES / example)]) == 0


def test_unpinned_fingerprint_is_found_statically(corpus, capsys):
    assert main(["audit", "--static", str(corpus / "unpinned_fingerprint_buggy.psy")]) == 1
    assert "A0003" in capsys.readouterr().err
    assert main(["audit", "--static", str(corpus / "unpinned_fingerprint_fixed.psy")]) == 0
