"""Structural guards for start-up cost (issue 11): quick commands must not import the heavy
stack. Checked in a fresh interpreter (a subprocess), never by timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numba", "sympy", "llvmlite", "psyc.plonk.prover", "rich.console")


def _imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        "import psyc.cli.main",
        "from psyc.cli.main import build_parser; build_parser()",  # every command registered
        "import psyc, psyc.plonk, psyc.field, psyc.hash, psyc.fri, psyc.poly",
        "from psyc.field.goldilocks import P; from psyc.plonk.config import CircuitConfig",
    ],
)
def test_light_imports_do_not_load_the_heavy_stack(code):
    loaded = _imported_after(code)
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY)
    assert not heavy, f"{code!r} imported {heavy[:8]}"


def test_cli_main_does_not_import_the_bench_suite():
    assert not {m for m in _imported_after("import psyc.cli.main") if m.startswith("psyc.bench")}


def test_help_runs_without_the_heavy_stack():
    loaded = _imported_after(
        "import contextlib, io\nfrom psyc.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass"
    )
    assert not {"numba", "sympy", "numpy"} & loaded


def test_lazy_exports_resolve():
    from psyc import field, hash, plonk

    assert hash.two_to_one([1, 2, 3, 4], [5, 6, 7, 8]) == hash.permute([1, 2, 3, 4, 5, 6, 7, 8] + [0] * 4)[:4]
    assert field.mul_vec is not None and plonk.CircuitBuilder is not None
    assert "mul_vec" in dir(field)
    with pytest.raises(AttributeError):
        _ = field.no_such_name


def test_lazy_console_works_where_rich_expects_a_console():
    """rich's Progress/Live enter their console when they stop; the lazy one must allow it."""
    import io

    from rich.progress import Progress

    from psyc.util.console import _LazyConsole

    lazy = _LazyConsole(file=io.StringIO(), force_terminal=False)
    with Progress(console=lazy) as bar:  # type: ignore[arg-type]
        bar.add_task("x", total=1)
    with lazy:
        lazy.print("done")
    assert "done" in lazy.file.getvalue()


def test_check_of_a_small_program_loads_no_kernels():
    """`psyc check` type-checks (and constant-folds a few hashes): it needs neither numba nor
    sympy, whose import and cached-kernel loading were most of its time, nor NumPy."""
    example = ROOT / "examples" / "hash_chain"
    loaded = _imported_after(
        "import contextlib, io\nfrom psyc.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main(['check', " + repr(str(example)) + "])\n    except SystemExit as e:\n"
        "        assert not e.code, e.code"
    )
    assert not {"numba", "sympy", "llvmlite", "numpy"} & loaded  # NumPy only for batch hashing


def test_plain_and_kernel_permutations_agree_past_the_budget():
    """Scalar permutations switch from plain Python to the kernels after a budget: both
    paths give the same digests (a chain longer than the budget crosses the switch)."""
    from psyc.hash import poseidon

    state = list(range(12))
    for _ in range(poseidon._PLAIN_BUDGET + 3):
        state = poseidon.permute(state)
    ref = list(range(12))
    for _ in range(poseidon._PLAIN_BUDGET + 3):
        ref = poseidon.permute_reference(ref)
    assert state == ref


def test_verify_loads_neither_numba_nor_sympy(tmp_path, capsys):
    """`psyc verify` of a proof (its key's gate facts and evaluators cached, as after any
    earlier run) hashes without the numba kernels and reads the gates and argument terms
    without sympy or the code generator: the heavy stack is a prover's cost, not a
    verifier's (issue 11: a verifier that answers in a blink)."""
    from psyc.cli.main import main

    proj = tmp_path / "p"
    (proj / "src").mkdir(parents=True)
    (proj / "psy.toml").write_text('[package]\nname = "p"\n')
    (proj / "src" / "main.psy").write_text(
        "use std::hash::poseidon;\nfn main(x: Felt) -> pub Hash { poseidon([x, x * x, 1, 2, 3]) }\n"
    )
    (proj / "inputs.toml").write_text("x = 3\n")
    assert main(["prove", str(proj), "--json"]) == 0
    proof = json.loads(capsys.readouterr().out)["proof"]
    assert main(["verify", proof]) == 0  # fills the disk caches a fresh install would lack
    loaded = _imported_after(
        "import contextlib, io\nfrom psyc.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['verify', {proof!r}]) == 0"
    )
    assert not {"numba", "llvmlite", "sympy", "jinja2", "psyc.plonk.gates.codegen", "psyc.plonk.vanishing",
                "importlib.metadata"} & loaded
    assert "psyc.hash.poseidon_kernels" not in loaded


def _poseidon_range_project(tmp_path: Path) -> Path:
    """A project using arithmetic, constants, Poseidon and a range check (lookups)."""
    proj = tmp_path / "p"
    (proj / "src").mkdir(parents=True)
    (proj / "psy.toml").write_text('[package]\nname = "p"\n')
    (proj / "src" / "main.psy").write_text(
        "use std::hash::poseidon;\n"
        "fn main(x: Felt, n: u32) -> pub Hash { assert(n < 1000); poseidon([x, x * x + 7, n as Felt]) }\n"
    )
    return proj


def test_circuit_build_loads_no_sympy(tmp_path):
    """Lowering and building a circuit (arithmetic, constants, Poseidon, range checks) reads
    the gates' facts from the catalog: the sympy constraints are built once per gate
    definition (to fill it), never by a later build (issue 18: ~1–2 s per process)."""
    proj = _poseidon_range_project(tmp_path)
    code = (f"from psyc.compiler import compile_path\nprog = compile_path({str(proj)!r})\n"
            "ids = prog.circuit().stats['gates']\nassert {'arithmetic', 'lookup', 'poseidon'} <= {g.split('_')[0] for g in ids}")
    _imported_after(code)  # fills the gate catalog a fresh install would lack
    assert "sympy" not in _imported_after(code)


def test_prove_loads_no_sympy(tmp_path):
    """A whole `psyc prove` (compile, execute, build, prove, verify) of a project with
    Poseidon, arithmetic and a range check (lookups) names the permutation and logUp terms
    by their parameters and loads their generated code (the CPU tape) from the cache, as it
    does the gates': sympy is imported only to fill an empty cache (issue 18: ~0.5–1.2 s of
    every fresh `psyc prove`)."""
    proj = _poseidon_range_project(tmp_path)
    (proj / "inputs.toml").write_text("x = 3\nn = 5\n")
    code = (
        "import contextlib, io\nfrom psyc.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['prove', {str(proj)!r}, '--json']) == 0"
    )
    _imported_after(code)  # fills the caches a fresh install would lack
    loaded = _imported_after(code)
    assert "psyc.plonk.prover" in loaded and "sympy" not in loaded
    assert "psyc.plonk.gates.codegen" not in loaded


def test_fold_circuit_build_loads_no_sympy():
    """A recursive verifier's permutation and logUp terms come from generated code cached
    under their parameters (psyc.recursion.vanishing), like the gates' evaluators: building
    a fold circuit imports no sympy once the caches are filled."""
    code = ("from psyc.recursion.shape import test_shape\nfrom psyc.recursion.fold import fold_circuit\n"
            "fold_circuit(test_shape(), 1, 2)")
    _imported_after(code)  # fills the caches a fresh install would lack
    assert "sympy" not in _imported_after(code)


def test_parsed_modules_come_from_the_cache_only_for_the_same_text(tmp_path, monkeypatch):
    """The AST cache (psyc.frontend.ast_cache) returns what the parser would, only for
    exactly the text it was parsed from; a file that does not parse is never cached."""
    from psyc.frontend import ast_cache, parser
    from psyc.util.diagnostics import CompileError

    monkeypatch.setenv("PSYC_CACHE_DIR", str(tmp_path))
    text = "fn main(x: Felt) -> pub Felt { x * x }\n"
    first = ast_cache.parse(text, "a.psy")
    assert first == parser.parse(text, "a.psy") and list((tmp_path / "ast").iterdir())
    assert ast_cache.parse(text, "a.psy") == first  # from the cache
    changed = text.replace("x * x", "x + x")
    assert ast_cache.parse(changed, "a.psy") == parser.parse(changed, "a.psy") != first
    with pytest.raises(CompileError) as e:
        ast_cache.parse("fn main( {\n", "a.psy")
    assert e.value.diagnostics[0].code in ("E0001", "E0002")
    assert ast_cache.parse(changed, "a.psy") == parser.parse(changed, "a.psy")


def test_check_with_cached_modules_does_not_load_the_parser(tmp_path):
    """A second `psyc check` of unchanged files reads their ASTs from the cache: lark (its
    import, tables and lexer: ~0.2 s) is not loaded."""
    example = ROOT / "examples" / "hash_chain"
    run = (
        "import contextlib, io, os\n"
        f"os.environ['PSYC_CACHE_DIR'] = {str(tmp_path)!r}\n"
        "from psyc.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['check', {str(example)!r}]) == 0\n"
    )
    assert "lark" in _imported_after(run)  # the first run parses
    assert "lark" not in _imported_after(run)
