"""Helpers for the language tests (tests/test_lang_*.py).

* ``Prog(src)`` compiles a source string (written into a throw-away project: ``psy.toml``
  + ``src/main.psy`` + any extra files) once; ``.run(*inputs)`` executes it and returns the
  public outputs, ``.fails(*inputs, code=..)`` asserts a run-time failure.
* ``run`` / ``run1`` / ``exec_error`` are one-shot forms; ``compile_error`` asserts a
  :class:`CompileError` with a code (and optionally ``LINE:COL`` and text).

Every run is checked up to three ways, as far as the pieces exist:

1. the unoptimised IR in the interpreter (the reference);
2. the optimised IR (``psyc.ir.passes.optimize``) must give the same outputs, or fail with
   the same error code;
3. the lowered circuit (``psyc.ir.lower``): a passing run's witness must satisfy it; for a
   failing run of a program without hints, the witness the circuit's own generators derive
   from the inputs must violate it (the honest prover cannot satisfy it).

Inputs are given per parameter: an int (or bool) for a scalar, nested lists for
aggregates (flattened in declaration order).
"""

from __future__ import annotations

import atexit
import importlib.util
import itertools
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from psyc.compiler import CompiledProgram, CompileOptions, compile_path, compile_project, open_project
from psyc.frontend.diagnostics import CompileError, render
from psyc.ir.interpret import ExecutionError

P = 2**64 - 2**32 + 1

_BASE = Path(tempfile.mkdtemp(prefix="psyc_lang_"))
atexit.register(shutil.rmtree, _BASE, ignore_errors=True)
_COUNTER = itertools.count()


def have_passes() -> bool:
    if importlib.util.find_spec("psyc.ir.passes") is None:
        return False
    try:
        from psyc.ir import passes
    except Exception:  # noqa: BLE001  (being written by someone else)
        return False
    return hasattr(passes, "optimize")


def have_lower() -> bool:
    return importlib.util.find_spec("psyc.ir.lower") is not None


def write_project(src: str, files: dict[str, str] | None = None) -> Path:
    """A fresh project folder holding ``src`` as src/main.psy and ``files`` (under src/)."""
    root = _BASE / f"p{next(_COUNTER)}"
    (root / "src").mkdir(parents=True)
    (root / "psy.toml").write_text('[package]\nname = "t"\n')
    (root / "src" / "main.psy").write_text(src)
    for rel, text in (files or {}).items():
        path = root / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def compile_src(src: str, files: dict[str, str] | None = None, *, optimize: bool = False,
                **options) -> CompiledProgram:
    return compile_path(write_project(src, files), CompileOptions(optimize=optimize, **options))


def flatten_inputs(inputs) -> list[list[int]]:
    """Per-parameter values (int, bool or nested lists) -> flattened lists of ints."""
    return [_flat(x) for x in inputs]


def _flat(x) -> list[int]:
    if isinstance(x, bool | int):
        return [int(x)]
    return [y for item in x for y in _flat(item)]


def circuit_rejects(prog: CompiledProgram, inputs: list[list[int]]) -> bool:
    """Whether the lowered circuit is violated by the witness its generators derive from
    these inputs (for programs without hints: an honest prover's only witness)."""
    from psyc.ir.lower import check
    from psyc.plonk.witness import PartialWitness

    low = prog.lowered()
    flat = [x for xs in inputs for x in xs]
    assert len(low.inputs) == len(flat), "input count"
    pw = PartialWitness()
    for (_, target), x in zip(low.inputs, flat, strict=True):
        pw.set_target(target, x)
    return bool(check(low, prog.circuit(), pw))


class Prog:
    """One source compiled once (plain and optimised IR); run it on many inputs."""

    def __init__(self, src: str, files: dict[str, str] | None = None, *, constraints: bool = True,
                 **options) -> None:
        self.src = src
        root = write_project(src, files)
        self.plain = compile_path(root, CompileOptions(optimize=False, **options))
        self.opt = compile_path(root, CompileOptions(optimize=True, **options)) if have_passes() else None
        self.constraints = constraints and have_lower()
        self.has_hints = any(i.op == "hint" for i in self.plain.program.instrs)

    @property
    def checked(self) -> CompiledProgram:
        """The program whose circuit is checked (the optimised one when passes exist)."""
        return self.opt or self.plain

    def execution(self, *inputs):
        flat = flatten_inputs(inputs)
        run_ = self.plain.execute(flat)
        if self.opt is not None:
            other = self.opt.execute(flat)
            assert other.outputs == run_.outputs, f"optimised IR: {other.outputs} != {run_.outputs}"
            if self.constraints:
                failures = self.opt.check_constraints(other)
                assert failures == [], f"circuit not satisfied by a passing run: {failures[:3]}"
        elif self.constraints:
            failures = self.plain.check_constraints(run_)
            assert failures == [], f"circuit not satisfied by a passing run: {failures[:3]}"
        return run_

    def run(self, *inputs) -> list[int]:
        return self.execution(*inputs).outputs

    def run1(self, *inputs) -> int:
        out = self.run(*inputs)
        assert len(out) == 1, out
        return out[0]

    def fails(self, *inputs, code: str | None = None, contains: str | tuple[str, ...] = (),
              line: int | None = None) -> ExecutionError:
        flat = flatten_inputs(inputs)
        with pytest.raises(ExecutionError) as info:
            self.plain.execute(flat)
        e = info.value
        if self.opt is not None:
            with pytest.raises(ExecutionError) as info2:
                self.opt.execute(flat)
            assert info2.value.code == e.code, f"optimised IR fails with {info2.value.code}, plain with {e.code}"
        if self.constraints and not self.has_hints:
            assert circuit_rejects(self.checked, flat), "the circuit accepts a failing run"
        _check_exec_error(e, self.src, code, contains, line)
        return e


def _check_exec_error(e: ExecutionError, src: str, code, contains, line) -> None:
    if code is not None:
        assert e.code == code, f"expected {code}, got {e.code}: {e.message} {e.notes}"
    full = "\n".join([e.message, *e.notes])
    for c in (contains,) if isinstance(contains, str) else contains:
        assert c in full, f"expected {c!r} in {full!r}"
    if line is not None:
        assert e.span is not None, f"the error has no span: {e.message}"
        assert e.span.file.endswith("main.psy"), f"the error is located in {e.span.file}"
        got = src.count("\n", 0, e.span.start) + 1
        assert got == line, f"error at line {got}, expected {line}: {e.message}"


def run(src: str, *inputs, files: dict[str, str] | None = None, **options) -> list[int]:
    """Compile, execute (all checks of :class:`Prog`) and return the public outputs."""
    return Prog(src, files, **options).run(*inputs)


def run1(src: str, *inputs, **kw) -> int:
    out = run(src, *inputs, **kw)
    assert len(out) == 1, out
    return out[0]


def exec_error(src: str, *inputs, code: str | None = None, contains: str | tuple[str, ...] = (),
               line: int | None = None, files: dict[str, str] | None = None) -> ExecutionError:
    """Assert that the program fails: at run time, or already while compiling when the
    failure is a constant one (constant folding runs the same checks)."""
    try:
        prog = Prog(src, files)
    except ExecutionError as e:
        _check_exec_error(e, src, code, contains, line)
        return e
    return prog.fails(*inputs, code=code, contains=contains, line=line)


def compile_error(src: str, code: str, where: str | None = None, files: dict[str, str] | None = None,
                  contains: str | tuple[str, ...] = (), **options) -> CompileError:
    """Assert that compiling ``src`` fails with ``code`` (the first diagnostic's); ``where``
    = "LINE:COL" of its primary span in src/main.psy (or "other.psy:LINE:COL");
    ``contains`` = text(s) the rendered diagnostics must contain. The rendering is kept
    as ``.rendered`` on the returned error."""
    project, loader = open_project(write_project(src, files))
    with pytest.raises(CompileError) as info:
        compile_project(project, loader, CompileOptions(optimize=False, **options))
    err = info.value
    text = "\n".join(render(d, loader.sources) for d in err.diagnostics)
    codes = [d.code for d in err.diagnostics]
    assert codes[0] == code, f"expected {code}, got {codes}:\n{text}"
    if where is not None:
        loc = where if ".psy:" in where else f"main.psy:{where}"
        assert re.search(rf"--> (src/)?{re.escape(loc)}\n", text), f"expected at {loc}:\n{text}"
    for c in (contains,) if isinstance(contains, str) else contains:
        assert c in text, f"expected {c!r} in:\n{text}"
    err.rendered = text
    return err
