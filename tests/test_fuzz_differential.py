"""Differential fuzzing of the whole pipeline on generated programs (psyc.testing).

Hypothesis generates well-typed ``.psy`` programs (``psyc.testing.programs``: structs,
helpers with const generics, loops, witness-dependent branches, asserts, hashes, every
scalar type and cast) and input vectors for them. For every vector these must agree:

(a) the reference evaluator of the source (``psyc.testing.reference``: Python, written
    from the language reference, sharing nothing with the compiler);
(b) the IR interpreter on the unoptimised and on the optimised program;
(c) the constraint check of the compiled (optimised) circuit: a passing run's witness
    satisfies it; for a failing run, the witness its own generators derive from the
    inputs violates it (the programs have no hints, so that is the honest prover's only
    witness).

They agree on the outputs, on *which* inputs fail, and on how: the reference's failure
kind maps to the interpreter's code (assert E0500, overflow E0501, division by zero
E0502, index E0503, range/cast E0504), and a failing ``assert`` with a message reports
that message. A check that fails on constants fails while compiling (constant folding);
then the reference must fail on every vector. A small sample is proved and verified.

On a disagreement hypothesis shrinks the program; the failure message shows the minimal
program, the inputs, every side's result and a ready ``tests/fuzz_regressions`` entry.

Budget: ``PSYC_FUZZ_EXAMPLES`` programs (default 100, each run on 2-5 input vectors;
about 15 s on one core), ``PSYC_FUZZ_PROVE`` proved samples (default 2),
``PSYC_FUZZ_SEED`` pins the random seed (default: a fresh one per run, so CI keeps
exploring; a failure prints the blob to reproduce it). A large run is a benchmark of the
front end, the optimiser, the interpreter, lowering and the constraint checker::

    PSYC_FUZZ_EXAMPLES=1000 pytest tests/test_fuzz_differential.py -k generated_programs -q
    python tests/test_fuzz_differential.py 1000        # the same, timed

Regressions: every ``tests/fuzz_regressions/NAME.psy`` with its ``NAME.json``
(``{"runs": [{"inputs": [[..], ..], "outputs": [..]} | {"inputs": .., "error": "E0501",
"message": ".."}], "known_bug": ".."?}``) is compiled and run by
:func:`test_regression`; ``known_bug`` marks an open compiler bug (strict xfail: it
starts failing once the bug is fixed, then drop the key).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, assume, find, given, note, seed, settings
from hypothesis.errors import NoSuchExample

from psyc.compiler import CompileOptions, compile_path
from psyc.frontend.diagnostics import CompileError
from psyc.ir.interpret import ExecutionError
from psyc.testing import (
    GeneratedProgram,
    ReferenceFailure,
    evaluate,
    program_and_input_sets,
    programs,
)

EXAMPLES = int(os.environ.get("PSYC_FUZZ_EXAMPLES", "100"))
PROVE = int(os.environ.get("PSYC_FUZZ_PROVE", "2"))
SEED = os.environ.get("PSYC_FUZZ_SEED")
REGRESSIONS = Path(__file__).parent / "fuzz_regressions"

STRATEGY = program_and_input_sets(2, 5)


def _seeded(f):
    return seed(int(SEED))(f) if SEED else f


# --- running one program on many inputs -------------------------------------------------------------
def reference(gp: GeneratedProgram, inputs) -> list[int] | ReferenceFailure:
    try:
        return evaluate(gp, inputs)
    except ReferenceFailure as f:
        return f


def _show(x) -> str:
    if isinstance(x, ReferenceFailure):
        return f"fails {x.code} ({x.kind}{': ' + x.message if x.message else ''}; {x.detail})"
    if isinstance(x, ExecutionError):
        return f"fails {x.code}: {x.message}"
    return f"outputs {x}"


def regression_entry(source: str, runs: list[tuple[list, object]], **extra) -> str:
    """The ``.json`` of a regression (the ``.psy`` is ``source``) for these runs."""
    out = []
    for inputs, want in runs:
        if isinstance(want, ReferenceFailure):
            item = {"inputs": inputs, "error": want.code}
            if want.message:
                item["message"] = want.message
        else:
            item = {"inputs": inputs, "outputs": want}
        out.append(item)
    head = "".join(f" {json.dumps(k)}: {json.dumps(v)},\n" for k, v in extra.items())
    return "{\n" + head + ' "runs": [\n' + ",\n".join(f"  {json.dumps(r)}" for r in out) + "\n ]\n}\n"


class Disagreement(AssertionError):
    pass


def _fail(what: str, gp_source: str, inputs, want, got, runs) -> None:
    raise Disagreement(
        f"{what}\ninputs: {inputs}\nreference: {_show(want)}\ngot: {_show(got)}\n"
        f"--- program (src/main.psy) ---\n{gp_source}\n"
        f"--- tests/fuzz_regressions/NAME.json (the reference's results) ---\n{regression_entry(gp_source, runs)}"
    )


def circuit_rejects(prog, inputs: list[list[int]]) -> bool:
    """Whether the witness the circuit's own generators derive from ``inputs`` violates
    a constraint (for programs without hints: the only witness an honest prover has)."""
    from psyc.ir.lower import check
    from psyc.plonk.witness import PartialWitness

    low = prog.lowered()
    flat = [x for xs in inputs for x in xs]
    pw = PartialWitness()
    for (_, target), x in zip(low.inputs, flat, strict=True):
        pw.set_target(target, x)
    return bool(check(low, prog.circuit(), pw))


def compile_both(source: str, root: Path):
    """(unoptimised, optimised) programs; either may be an ExecutionError raised while
    compiling (a check failing on constants). A CompileError propagates."""
    out = []
    for optimize in (False, True):
        try:
            out.append(compile_path(root, CompileOptions(optimize=optimize)))
        except ExecutionError as e:
            out.append(e)
    return out


def check_runs(source: str, root: Path, runs: list[tuple[list, object]], *, constraints: bool = True) -> None:
    """Compile ``source`` (already written under ``root``) and check every (inputs, expected)
    run: the interpreter on both programs, and the optimised circuit."""
    try:
        progs = compile_both(source, root)
    except CompileError as e:
        raise Disagreement(f"a well-typed program does not compile: {e}\n--- program ---\n{source}") from None
    for label, prog in zip(("unoptimised", "optimised"), progs, strict=True):
        if isinstance(prog, ExecutionError):
            for inputs, want in runs:
                if not isinstance(want, ReferenceFailure):
                    _fail(f"compiling ({label}) fails on constants: {prog.code} {prog.message}",
                          source, inputs, want, prog, runs)
            continue
        for inputs, want in runs:
            try:
                got = prog.execute(inputs)
            except ExecutionError as e:
                got = e
            if isinstance(want, ReferenceFailure):
                if not isinstance(got, ExecutionError):
                    _fail(f"the {label} interpreter passes a failing run", source, inputs, want, got.outputs, runs)
                if got.code != want.code:
                    _fail(f"the {label} interpreter fails with another code", source, inputs, want, got, runs)
                if want.message and got.message != want.message:
                    _fail(f"the {label} interpreter fails at another check", source, inputs, want, got, runs)
                if constraints and label == "optimised" and not circuit_rejects(prog, inputs):
                    _fail("the circuit accepts a failing run", source, inputs, want, got, runs)
                continue
            if isinstance(got, ExecutionError):
                _fail(f"the {label} interpreter fails a passing run", source, inputs, want, got, runs)
            if got.outputs != want:
                _fail(f"the {label} interpreter computes other outputs", source, inputs, want, got.outputs, runs)
            if constraints and label == "optimised":
                failures = prog.check_constraints(got)
                if failures:
                    _fail(f"the circuit rejects a passing run: {failures[:2]}", source, inputs, want, want, runs)


def check_program(gp: GeneratedProgram, vectors: list[list[list[int]]]) -> None:
    runs = [(v, reference(gp, v)) for v in vectors]
    check_runs(gp.source, gp.write_project(), runs)


# --- the fuzz tests -------------------------------------------------------------------------------------
@_seeded
@settings(max_examples=EXAMPLES, deadline=None, database=None if SEED else settings.default.database,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)
@given(STRATEGY)
def test_generated_programs(case):
    gp, vectors = case
    check_program(gp, vectors)


@_seeded
@settings(max_examples=PROVE, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(program_and_input_sets(3, 6, max_statements=4))
def test_generated_program_proves(case):
    """A sample is proved and verified; the proof carries the public inputs the program
    says (pub parameters, then the public output)."""
    gp, vectors = case
    passing = [(v, out) for v in vectors if not isinstance(out := reference(gp, v), ReferenceFailure)]
    assume(passing)
    inputs, want = passing[0]
    note(f"program:\n{gp.source}\ninputs: {inputs}")
    try:
        prog = gp.compile(optimize=True)
    except ExecutionError:
        raise AssertionError("compiling fails on constants, but the reference passes") from None
    run = prog.execute(inputs)
    assert run.outputs == want
    proof = prog.prove(run)
    prog.circuit().verify(proof)
    assert list(proof.public_inputs) == prog.public_inputs(inputs, run)


# --- the generator itself ---------------------------------------------------------------------------------
REQUIRED_FEATURES = {
    # expressions
    "Bin:+:Felt", "Bin:*:Felt", "Bin:/:Felt", "Bin:-:u8", "Bin:*:u16", "Bin:/:u32", "Bin:%:u64",
    "op:&", "op:|", "op:^", "op:<<", "op:>>", "op:<", "op:==", "op:!=", "op:&&", "op:||", "Unary:-:Felt",
    "Unary:!:bool", "Wrap", "cast:Felt->u8", "cast:u64->u32", "cast:u8->u64", "cast:bool->u32",
    "cast:u32->Felt", "ToBits", "FromBits",
    # aggregates
    "ArrayLit", "Repeat", "Index", "Len", "TupleLit", "LetTuple", "StructLit", "Member", "struct",
    # statements and control
    "Let", "Assign", "assign:element", "assign:+", "assign:<<", "IfS", "IfE", "For", "Assert", "AssertEq",
    # calls
    "Call", "generic", "turbofish", "ExprS", "poseidon", "hash_two", "const_sum",
}


def _collect(strategy, n: int, collect) -> None:
    """Run ``collect`` on ``n`` generated examples (no shrinking, no database)."""
    with contextlib.suppress(NoSuchExample):
        find(strategy, lambda x: collect(x) and False,
             settings=settings(max_examples=n, phases=[Phase.generate], database=None, deadline=None,
                               derandomize=True, suppress_health_check=list(HealthCheck)))


def test_generator_covers_the_language():
    """Generation only (no compiling): the features, and every failure kind, occur."""
    seen: set[str] = set()
    kinds: dict[str, int] = {}
    totals = {"runs": 0, "pass": 0}

    def collect(case):
        gp, vectors = case
        seen.update(gp.features())
        for v in vectors:
            r = reference(gp, v)
            totals["runs"] += 1
            if isinstance(r, ReferenceFailure):
                kinds[r.kind] = kinds.get(r.kind, 0) + 1
            else:
                totals["pass"] += 1
        return False

    _collect(program_and_input_sets(2, 5), 400, collect)
    missing = REQUIRED_FEATURES - seen
    assert not missing, f"never generated: {sorted(missing)}"
    assert set(kinds) == {"assert", "overflow", "div_zero", "index", "range"}, kinds
    # mostly passing runs, but failures are common enough to be tested
    assert 0.5 < totals["pass"] / totals["runs"] < 0.95, (totals, kinds)


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_rendering_is_deterministic(gp):
    from psyc.testing.programs import render

    assert render(gp.ast) == gp.source
    assert gp.source.count("fn main(") == 1


# --- regressions ----------------------------------------------------------------------------------------------
def _regressions() -> list:
    return [pytest.param(p, id=p.stem) for p in sorted(REGRESSIONS.glob("*.psy"))]


@pytest.mark.parametrize("path", _regressions())
def test_regression(path: Path, tmp_path: Path, request):
    data = json.loads(path.with_suffix(".json").read_text())
    if data.get("known_bug"):
        request.applymarker(pytest.mark.xfail(reason=data["known_bug"], strict=True))
    source = path.read_text()
    (tmp_path / "src").mkdir()
    (tmp_path / "psy.toml").write_text('[package]\nname = "regression"\n')
    (tmp_path / "src" / "main.psy").write_text(source)
    runs = []
    for r in data["runs"]:
        if "error" in r:
            want = ReferenceFailure({v: k for k, v in _codes().items()}[r["error"]], r.get("message"))
        else:
            want = r["outputs"]
        runs.append((r["inputs"], want))
    check_runs(source, tmp_path, runs)


def _codes() -> dict[str, str]:
    from psyc.testing.reference import CODES

    return CODES


def write_regression(name: str, gp: GeneratedProgram, vectors, description: str = "",
                     known_bug: str | None = None) -> Path:
    """Save a generated program and the reference's results for ``vectors`` as
    ``tests/fuzz_regressions/NAME.psy`` + ``.json`` (use from a REPL or a script)."""
    runs = [(v, reference(gp, v)) for v in vectors]
    extra = {"description": description} if description else {}
    if known_bug:
        extra["known_bug"] = known_bug
    REGRESSIONS.mkdir(exist_ok=True)
    (REGRESSIONS / f"{name}.psy").write_text(gp.source)
    (REGRESSIONS / f"{name}.json").write_text(regression_entry(gp.source, runs, **extra))
    return REGRESSIONS / f"{name}.psy"


if __name__ == "__main__":  # a quick benchmark: python tests/test_fuzz_differential.py [N]
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    t0 = time.perf_counter()
    settings(max_examples=n, deadline=None, database=None,
             suppress_health_check=list(HealthCheck))(given(STRATEGY)(lambda case: check_program(*case)))()
    print(f"{n} programs in {time.perf_counter() - t0:.1f} s")
