"""The pipeline as one API: source → IR → optimised IR → circuit → witness → proof.

    >>> from psyc.compiler import compile_path            # doctest: +SKIP
    >>> prog = compile_path("examples/hash_chain")        # doctest: +SKIP
    >>> run = prog.execute(prog.read_inputs())            # doctest: +SKIP
    >>> proof = prog.prove(run)                           # doctest: +SKIP

Every user mistake surfaces as a :class:`CompileError` (diagnostics) or an
:class:`ExecutionError` (a failing assertion, overflow, ... with its span).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaborate import (
    DEFAULT_MAX_UNROLL,
    TV,
    Elaborator,
    Frame,
    Mode,
    error,
    set_fingerprint_resolver,
)
from psyc.frontend.modules import Module, ModuleLoader
from psyc.ir import interpret, passes
from psyc.ir.interpret import Execution, ExecutionError
from psyc.ir.ir import Program
from psyc.plonk.config import CircuitConfig
from psyc.project.abi import ProgramAbi
from psyc.project.manifest import Project, find_project
from psyc.util.diagnostics import CompileError, Diagnostic, Label, SourceMap
from psyc.util.gc_pause import with_gc_paused

if TYPE_CHECKING:
    from psyc.ir.lower import Lowered
    from psyc.plonk.circuit import CircuitData
    from psyc.plonk.diagnostics import ConstraintFailure
    from psyc.plonk.keys import VerifyingKey
    from psyc.plonk.proof import ProofWithPublicInputs
    from psyc.plonk.prover import Timing
    from psyc.recursion.shape import StandardShape
    from psyc.util.diagnostics import Span

Inputs = Mapping[str, Any] | Sequence[Any]  # what CompiledProgram.execute accepts


def _input_error(code: str, message: str, notes: list[str]) -> CompileError:
    return CompileError([Diagnostic("error", code, message, [], notes)])


def _to_json(values: dict) -> str:
    try:
        return json.dumps(values)
    except (TypeError, ValueError) as e:
        raise _input_error("E0601", f"input values must be numbers, booleans, lists and dicts: {e}", []) from None


SINKS = frozenset({"assert", "assert_eq", "range_check", "assert_bool", "output"})


@dataclass
class CompileOptions:
    """How to compile: ``entry`` (default: the project's, usually ``main``),
    ``max_unroll`` (loop-unrolling bound, default 2^20), ``optimize`` (run the IR passes),
    ``config`` (the circuit's shape, default ``CircuitConfig.standard()``),
    ``zero_knowledge`` (default: the project's), ``collect_errors`` (report every
    independent error, as ``psyc check`` does), ``shape`` (the standard shape of
    verified proofs, for recursion) and ``recursive`` (compile into that shape itself, as
    ``#[recursive]`` on the entry does: proofs that fold without wrapping)."""

    entry: str | None = None  # default: the project's entry (main)
    collect_errors: bool = False  # report every independent error of the entry, not just the first
    shape: object = None  # the standard shape of verified proofs (psyc.recursion.shape); None: the default
    recursive: bool = False  # compile into the standard shape itself, as `#[recursive]` on the entry does
    max_unroll: int | None = None
    optimize: bool = True
    config: CircuitConfig | None = None
    zero_knowledge: bool | None = None


@dataclass
class CompiledProgram:
    """A program compiled to SSA IR, ready to run and prove.

    ``params`` lists the entry's parameters as ``(name, type, is_public)``;
    :meth:`execute` runs it, :meth:`prove` proves a run, :meth:`circuit` is the built
    circuit (``.verify(proof)``, ``.verifier_data`` the key), :meth:`check_constraints`
    checks a run against the circuit without proving. The circuit is built on first use.

        prog = psyc.compile_path("examples/hash_chain")
        run = prog.execute({"seed": 42})
        proof = prog.prove(run)
        prog.circuit().verify(proof)
    """

    project: Project
    sources: SourceMap
    program: Program
    params: list[tuple[str, ty.Type, bool]]
    output_type: ty.Type | None
    warnings: list[Diagnostic] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pass_stats: dict = field(default_factory=dict)
    config: CircuitConfig | None = None
    shape: object = None
    recursive: bool = False  # the circuit is of the standard shape `shape` itself (#[recursive])
    _lowered: object = None
    _circuit: object = None

    # --- inputs and execution -------------------------------------------------------
    def read_inputs(self, path: str | Path | None = None) -> list[list[int]]:
        """Values of the entry's parameters from a TOML/JSON file (default: inputs.toml)."""
        from psyc.project.inputs import read_inputs

        path = path or self.project.default_inputs
        if not self.params:
            return []
        if path is None:
            raise CompileError(
                [
                    Diagnostic(
                        "error",
                        "E0600",
                        "this program takes inputs but no inputs file was given",
                        [],
                        ["pass `--inputs FILE` or create inputs.toml (`psyc check` writes a template)"],
                    )
                ]
            )
        return read_inputs(str(path), [(n, t) for n, t, _ in self.params], self.sources)

    def normalize_inputs(self, inputs: Inputs) -> list[list]:
        """The entry's inputs as one flattened list per parameter, from any form
        :meth:`execute` accepts; values are checked against their types (E06xx)."""
        from collections.abc import Mapping

        from psyc.project.inputs import ProofArg, format_value, parse_inputs

        names = [n for n, _, _ in self.params]
        types = [t for _, t, _ in self.params]
        if isinstance(inputs, Mapping):
            by_name = dict(inputs)
        elif isinstance(inputs, list | tuple):
            values = list(inputs)
            sizes = [ty.size(t) for t in types]
            if self._is_flattened(values, sizes):
                return [list(v) for v in values]  # the form read_inputs returns (values not re-checked)
            if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                if len(values) != sum(sizes):
                    raise _input_error(
                        "E0601",
                        f"expected {sum(sizes)} field value(s) for {', '.join(f'`{n}`' for n in names) or 'no'}"
                        f" parameter(s), got {len(values)}",
                        ["pass the inputs by name instead: `prog.execute({\"x\": 3, ...})`"],
                    )
                per_param, k = [], 0
                for t, n in zip(types, sizes, strict=True):
                    per_param.append(format_value(t, values[k : k + n]))
                    k += n
                values = per_param
            if len(values) != len(names):
                raise _input_error(
                    "E0601",
                    f"`{self.program.name}` takes {len(names)} parameter(s) ({', '.join(names)}), got {len(values)}",
                    ["pass a dict by name, one value per parameter, or every field value flattened in order"],
                )
            by_name = dict(zip(names, values, strict=True))
        else:
            raise _input_error("E0601", f"inputs must be a dict by name or a list, not {type(inputs).__name__}", [])
        proofs = {n: v for n, v in by_name.items() if isinstance(v, ProofArg)}
        params = [(n, t) for n, t, _ in self.params if n not in proofs]
        rest = {n: v for n, v in by_name.items() if n not in proofs}
        values = iter(parse_inputs(_to_json(rest), "<inputs>.json", params, self.sources))
        return [[proofs[n]] if n in proofs else next(values) for n in names]

    @staticmethod
    def _is_flattened(values: list, sizes: list[int]) -> bool:
        """Is this the form read_inputs returns: lists of field values (and proofs) that
        concatenate to the flattened inputs? (One list per parameter, or any split of them,
        as callers that build inputs themselves pass.)"""
        from psyc.project.inputs import ProofArg

        return bool(values) and all(
            isinstance(v, list) and all((isinstance(x, int) and not isinstance(x, bool)) or isinstance(x, ProofArg)
                                        for x in v)
            for v in values
        )

    @with_gc_paused
    def execute(self, inputs: Inputs) -> Execution:
        """Run the program on ``inputs``, given as any of:

        * a dict by parameter name, values as in an inputs file (``{"x": 3, "h": [1, 2, 3, 4]}``);
        * a list with one value per parameter (``[3, [1, 2, 3, 4]]``), or every field
          value flattened in order (``[3, 1, 2, 3, 4]``);
        * what :meth:`read_inputs` returns (one flattened list per parameter).

        Raises :class:`CompileError` (E06xx) for values that do not fit the parameters and
        :class:`ExecutionError` when the run fails (an assertion, an overflow, ...)."""
        inputs = self.normalize_inputs(inputs)
        flat, proofs = [], []
        for per_param in inputs:
            for x in per_param:
                if isinstance(x, int):
                    flat.append(x)
                else:  # a ProofArg: its public inputs and fingerprint, the proof as side data
                    proof, vk = self.dummy_proof(x.dummy_inputs) if x.is_dummy else \
                        self.standard_proof(x.proof, x.vk, x.source)
                    flat.extend([*proof.public_inputs, *vk.fingerprint])
                    proofs.append((proof, vk))
        t0 = time.perf_counter()
        run = interpret.run(self.program, flat, proofs)
        self.timings["execute"] = time.perf_counter() - t0
        return run

    def dummy_proof(self, num_public_inputs: int) -> tuple:
        """A dummy proof input of the standard shape: zero-filled, with the zero-cap key
        (``psyc.recursion.dummy``). Its public inputs and fingerprint are what the verifier
        circuit computes from it; verifying it, natively or in the circuit, fails."""
        from psyc.recursion.dummy import dummy_key, dummy_proof
        from psyc.recursion.shape import standard_shape

        common = (self.shape or standard_shape()).common(num_public_inputs)
        return dummy_proof(common), dummy_key(common)

    def standard_proof(self, proof: ProofWithPublicInputs, vk: VerifyingKey, source: str = "") -> tuple:
        """A proof input in the standard shape: wrapped (proved again inside a circuit of
        the shape, same public inputs) when it is not of the shape already. ``source``
        names the input in the error raised when the proof does not verify."""
        from psyc.plonk.keys import proof_to_bytes
        from psyc.recursion.shape import standard_shape

        shape = self.shape or standard_shape()
        if shape.matches(vk.common):
            return proof, vk
        blob = proof_to_bytes(proof)
        key = (hashlib.sha256(blob).digest(), tuple(vk.fingerprint), str(shape))
        if key not in _WRAPPED:
            _WRAPPED[key] = self._cached_wrap(blob, proof, vk, shape) or self._wrap(proof, vk, shape, source)
        return _WRAPPED[key]

    def _wrap(self, proof: ProofWithPublicInputs, vk: VerifyingKey, shape, source: str) -> tuple:
        from psyc.plonk.keys import proof_to_bytes
        from psyc.plonk.verifier import VerificationError
        from psyc.project.cache import BuildCache
        from psyc.recursion.shape import wrap

        try:
            data, wrapped = wrap(vk, proof, shape)
        except VerificationError as e:
            what = f"proof input {source}" if source else "a proof input"
            raise ExecutionError(f"{what} does not verify: {e}", None, code="E0506") from None
        key = _wrap_key(proof_to_bytes(proof), vk, shape)
        vk_blob = data.verifier_data.to_bytes()
        BuildCache(self.project.root).put("wrapped", key, len(vk_blob).to_bytes(8, "little") + vk_blob
                                          + proof_to_bytes(wrapped))
        return wrapped, data.verifier_data

    def _cached_wrap(self, blob: bytes, proof: ProofWithPublicInputs, vk: VerifyingKey, shape) -> tuple | None:
        """A wrapped proof from target/cache, when an earlier run made it for this very
        proof, key, shape and psyc build (checked: it parses and carries the same public
        inputs); None otherwise."""
        from psyc.plonk.keys import VerifyingKey, proof_from_bytes
        from psyc.project.cache import BuildCache
        from psyc.util.serialization import FormatError

        data = BuildCache(self.project.root).get("wrapped", _wrap_key(blob, vk, shape))
        if data is None or len(data) < 8:
            return None
        n = int.from_bytes(data[:8], "little")
        try:
            wrapped_vk = VerifyingKey.from_bytes(data[8 : 8 + n])
            wrapped = proof_from_bytes(data[8 + n :], wrapped_vk.common)
        except (FormatError, ValueError):
            return None
        if list(wrapped.public_inputs) != list(proof.public_inputs) or not shape.matches(wrapped_vk.common):
            return None
        return wrapped, wrapped_vk

    @property
    def abi(self) -> ProgramAbi:
        """Names, types, visibility and order of the entry's inputs and output."""
        return ProgramAbi.from_entry(self.params, self.output_type)

    def public_inputs(self, inputs: list[list[int]], run: Execution) -> list[int]:
        """The proof's public inputs in the ABI's order (public parameters, then the output)."""
        return self.abi.public_inputs(inputs, run.outputs)

    def verifying_key(self) -> VerifyingKey:
        """The circuit's verifying key with this program's ABI (what ``.vk`` files hold)."""
        key = self.circuit().verifier_data
        key.abi = self.abi.to_json()
        return key

    # --- circuit ------------------------------------------------------------------------
    @with_gc_paused
    def lowered(self) -> Lowered:
        """The program lowered to circuit operations (before the table is laid out)."""
        if self._lowered is None:
            from psyc.ir.lower import lower

            t0 = time.perf_counter()
            into = None
            if self.recursive:
                from psyc.recursion.shape import standard_shape

                into = self.shape or standard_shape()
            self._lowered = lower(self.program, self.config, self.sources, shape=self.shape, into_shape=into)
            self.timings["lower"] = time.perf_counter() - t0
        return self._lowered

    @with_gc_paused
    def circuit(self) -> CircuitData:
        """The built circuit (cached): ``.verify(proof)``, ``.verifier_data`` (the key)."""
        if self._circuit is None:
            low = self.lowered()
            t0 = time.perf_counter()
            self._circuit = low.build()
            self.timings["build"] = time.perf_counter() - t0
        return self._circuit

    def check_constraints(self, run: Execution) -> list[ConstraintFailure]:
        """Constraint check of the lowered circuit on this execution's witness (no proof)."""
        from psyc.ir.lower import check

        low = self.lowered()
        return check(low, self.circuit(), low.partial_witness(run))

    def prove(self, run: Execution, timing: Timing | None = None) -> ProofWithPublicInputs:
        """A proof of ``run`` (from :meth:`execute`); ``timing`` collects per-phase times."""
        low = self.lowered()
        data = self.circuit()
        t0 = time.perf_counter()
        proof = data.prove(low.partial_witness(run), timing=timing)
        self.timings["prove"] = time.perf_counter() - t0
        return proof


# =========================================================================================
# loading
# =========================================================================================
def open_project(path: str | Path = ".") -> tuple[Project, ModuleLoader]:
    """The project at ``path`` (a folder with psy.toml, a path inside one, or a single
    ``.psy`` file) and a module loader for its sources."""
    sources = SourceMap()
    project = find_project(path, sources)
    loader = ModuleLoader(project.src_dir, sources)
    loader.root_dir = project.root
    return project, loader


def root_module(project: Project, loader: ModuleLoader) -> Module:
    if not project.main_file.is_file():
        raise CompileError(
            [
                Diagnostic(
                    "error",
                    "E0101",
                    f"no entry file: {project.main_file} does not exist",
                    [],
                    ["a project keeps its entry in src/main.psy"],
                )
            ]
        )
    return loader.load_file("crate", project.main_file)


def compile_path(path: str | Path = ".", options: CompileOptions | None = None) -> CompiledProgram:
    """Compile the project at ``path`` (see :func:`open_project`); raises
    :class:`CompileError` with located diagnostics for a mistake in the program."""
    project, loader = open_project(path)
    try:
        return compile_project(project, loader, options)
    except CompileError as e:
        # the callers that hold no SourceMap (psyc key new --circuit, psyc sign) render
        # the diagnostics located with this one (psyc.cli.common.user_errors reads it)
        e.sources = getattr(e, "sources", None) or loader.sources
        raise


@with_gc_paused
def compile_project(
    project: Project, loader: ModuleLoader, options: CompileOptions | None = None, fn_name: str | None = None
) -> CompiledProgram:
    """Compile ``project``'s entry (or ``fn_name``) with ``options``."""
    options = options or CompileOptions()
    t0 = time.perf_counter()
    module = root_module(project, loader)
    entry = fn_name or options.entry or project.entry
    fn = module.items.get(entry)
    if not isinstance(fn, ast.FnDecl):
        raise CompileError([missing_entry(module, entry, project)])
    max_unroll = options.max_unroll or project.max_unroll or DEFAULT_MAX_UNROLL
    el = Elaborator(loader, Mode.CONSTRAINED, max_unroll)
    el.shape = options.shape
    el.prog.name = entry
    parent_config = _PARENT_CONFIG.set(options.config)  # what `fingerprint!` compiles children with
    try:
        params, out_t = _elaborate(el, module, fn, options.collect_errors)
    finally:
        _PARENT_CONFIG.reset(parent_config)
    t1 = time.perf_counter()
    unverified = unverified_proof_errors(el.prog)
    if unverified:
        raise CompileError(unverified)
    warnings = unconstrained_hint_warnings(el.prog) + unpinned_fingerprint_warnings(el.prog)
    warnings += unused_input_warnings(el.prog) + unused_variable_warnings(loader, entry)
    stats = {}
    if options.optimize:
        stats = passes.optimize(el.prog)
    t2 = time.perf_counter()
    config = options.config or CircuitConfig.standard()
    zk = options.zero_knowledge if options.zero_knowledge is not None else project.zero_knowledge
    shape, recursive = options.shape, options.recursive or any(a.name == "recursive" for a in fn.attributes)
    if recursive:
        shape, config = recursive_config(shape, zk, fn.span)
    elif zk != config.zero_knowledge:
        config = dataclasses.replace(config, zero_knowledge=zk)
    return CompiledProgram(
        project,
        loader.sources,
        el.prog,
        params,
        out_t,
        warnings,
        {"elaborate": t1 - t0, "optimize": t2 - t1},
        stats,
        config,
        shape,
        recursive,
    )


def recursive_config(shape: StandardShape | None, zero_knowledge: bool, span: Span | None = None) -> tuple:
    """(shape, config) of a ``#[recursive]`` circuit: the standard shape it is compiled
    into (``shape``, default ``standard_shape()``) and that shape's config. Zero knowledge
    is E0215: the shape has none."""
    from psyc.recursion.shape import standard_shape

    shape = shape or standard_shape()
    if zero_knowledge:
        raise error("E0215", "a `#[recursive]` program is compiled into the standard shape, which has no zero "
                    "knowledge", span, notes=["set `zero_knowledge = false` for it (psy.toml's [compile])"])
    return shape, shape.config


def missing_entry(module: Module, entry: str, project: Project) -> Diagnostic:
    """E0110 for an empty file, E0100 for a file without the entry function."""
    fns = [n for n, it in module.items.items() if isinstance(it, ast.FnDecl)]
    where = f"`entry = \"{entry}\"` in {project.manifest.name}" if project.manifest and entry != "main" else ""
    if not module.items:
        return Diagnostic("error", "E0110", f"{module.file} is empty: a program needs an entry function",
                          [], [f"add `fn {entry}(…) {{ … }}`"])
    notes = [f"functions here: {', '.join(fns) or 'none'}"]
    if where:
        notes.append(f"the entry is set by {where}")
    else:
        notes.append("choose another entry with `--entry NAME` or `entry = \"NAME\"` in psy.toml")
    return Diagnostic("error", "E0100", f"no function `{entry}` in {module.file} (the entry function)", [], notes)


def _wrap_key(proof_blob: bytes, vk: VerifyingKey, shape) -> str:
    from psyc.project.cache import cache_key

    return cache_key(proof_blob, vk.to_bytes(), str(shape))


_FINGERPRINTS: dict[str, list[int]] = {}
_PARENT_CONFIG: ContextVar[CircuitConfig | None] = ContextVar("psyc_parent_config", default=None)
_WRAPPED: dict[tuple, tuple] = {}  # proof inputs already wrapped into the standard shape
_FINGERPRINTING: set[str] = set()


def fingerprint_of_program(
    path: Path, span: Span | None = None, shape: StandardShape | None = None
) -> list[int]:
    """The fingerprint of the program at ``path`` as a verified proof sees it (for
    ``fingerprint!``): the key of its standard-shape form (its wrapped key when the circuit
    is not of the shape), compiled with the config of the program being compiled (the
    default config under ``psyc prove``, as the child's own ``psyc prove`` makes its proof;
    ``#[recursive]`` entries compile into the shape either way) and built once per process."""
    from psyc.recursion.shape import standard_shape

    shape = shape or standard_shape()
    config = _PARENT_CONFIG.get()
    key = f"{Path(path).resolve()}|{shape}|{config}"
    if key in _FINGERPRINTS:
        return _FINGERPRINTS[key]
    if key in _FINGERPRINTING:
        raise error("E0213", f"`fingerprint!` cycle: {path} needs its own fingerprint", span,
                    notes=["a circuit cannot contain its own fingerprint; use cyclic recursion instead"])
    _FINGERPRINTING.add(key)
    try:
        child = compile_path(path, CompileOptions(config=config, shape=shape))
        _FINGERPRINTS[key] = _cached_fingerprint(child, shape) or _child_fingerprint(child, shape)
    finally:
        _FINGERPRINTING.discard(key)
    return _FINGERPRINTS[key]


set_fingerprint_resolver(fingerprint_of_program)


def _fingerprint_key(child: CompiledProgram, shape) -> str:
    """Every source file of the child (by path and text), its entry and the shape."""
    from psyc.project.cache import cache_key

    files = sorted(child.sources.files().items())
    return cache_key(str(shape), str(child.config), child.program.name, *(f"{p}\0{t}" for p, t in files))


def _child_fingerprint(child: CompiledProgram, shape) -> list[int]:
    from psyc.project.cache import BuildCache
    from psyc.recursion.shape import wrapped_key

    fingerprint = [int(x) for x in wrapped_key(child.circuit(), shape).fingerprint]
    BuildCache(child.project.root).put("fingerprint", _fingerprint_key(child, shape), json.dumps(fingerprint).encode())
    return fingerprint


def _cached_fingerprint(child: CompiledProgram, shape) -> list[int] | None:
    from psyc.field.goldilocks import P
    from psyc.project.cache import BuildCache

    data = BuildCache(child.project.root).get("fingerprint", _fingerprint_key(child, shape))
    try:
        values = json.loads(data) if data is not None else None
    except ValueError:
        return None
    if isinstance(values, list) and len(values) == 4 and all(isinstance(x, int) and 0 <= x < P for x in values):
        return values
    return None


def _elaborate(el: Elaborator, module: Module, fn: ast.FnDecl, collect: bool):
    if not collect:
        return el.elaborate_entry(module, fn)
    from psyc.frontend.elaboration.common import _Poisoned

    el.collected = []
    try:
        result = el.elaborate_entry(module, fn)
    except CompileError as e:
        raise CompileError(el.collected + [d for d in e.diagnostics if d not in el.collected]) from None
    except _Poisoned:  # the failure was already reported where the poisoned value was defined
        raise CompileError(list(el.collected)) from None
    if el.collected:
        raise CompileError(list(el.collected))
    return result


def unverified_proof_errors(prog: Program) -> list[Diagnostic]:
    """E0214 for every proof whose public inputs or fingerprint reach a constraint or the
    output where the proof is not verified (issue 12).

    A proof verified unconditionally covers every use. A proof verified only under a
    condition ``c`` (``if c { verify(p) }``) covers only uses under the same condition: a
    check predicated on ``c``, or a value chosen by ``if c { … p … } else { … }`` (a
    ``select`` on ``c``, or on ``!c`` for a verification in the ``else`` branch). Every
    other flow of the proof's values into a check or the output is an error: the parent
    proof would then claim the output of a child that was never checked.
    """
    proofs = [(k, ins) for k, ins in enumerate(prog.instrs) if ins.op == "proof_input"]
    if not proofs:  # the common case: no more sweeps over a big program
        return []
    negation = {ins.results[0].id: ins.args[0].id for ins in prog.instrs if ins.op == "not"}
    verified: dict[int, set[int | None]] = {}
    for ins in prog.instrs:
        if ins.op == "verify_proof":
            verified.setdefault(ins.attrs[0], set()).add(ins.pred.id if ins.pred is not None else None)
    out = []
    for k, pin in proofs:
        name, slot = pin.attrs[0], pin.attrs[1]
        conds = verified.get(slot, set())
        if None in conds:
            continue
        then_ok = set(conds)  # select(c, a, b): a is p's value only when c holds
        else_ok = {negation[c] for c in conds if c in negation}  # b only when !c holds
        taint: dict[int, Any] = {r.id: None for r in pin.results}  # value -> span of the proof's first use
        culprit = origin = None
        for ins in prog.instrs[k + 1 :]:
            if ins.op == "verify_proof" and ins.attrs[0] == slot:
                continue
            args = ins.operands
            if ins.op == "select":
                c, a, b = args
                hits = [v for v, ok in ((c, False), (a, c.id in then_ok), (b, c.id in else_ok))
                        if v.id in taint and not ok]
            else:
                hits = [v for v in args if v.id in taint]
            if not hits:
                continue
            span = taint[hits[0].id] or ins.span
            taint.update((r.id, span) for r in ins.results)
            sink = ins.op in SINKS or ins.op == "verify_proof" or (ins.predicated and not ins.results)
            if sink and not (ins.pred is not None and ins.pred.id in conds):
                culprit, origin = ins, span
                break
        if culprit is None:
            continue
        where = "is never verified" if not conds else "is verified only under a condition that does not cover this use"
        labels = [Label(origin, "the proof's public inputs or fingerprint are used here")] if origin else []
        if culprit.span and culprit.span != origin:
            what = "the output" if culprit.op == "output" else "a constraint"
            labels.append(Label(culprit.span, f"and reach {what} here"))
        if pin.span:
            labels.append(Label(pin.span, f"proof `{name}` declared here"))
        out.append(Diagnostic(
            "error", "E0214", f"proof `{name}` {where}",
            labels,
            ["a proof's `.public_inputs` and `.fingerprint` mean nothing until it is verified: call "
             f"`std::recursion::verify({name})` unconditionally, or use its values only inside the same "
             "`if` that verifies it"],
        ))
    return out


def unpinned_fingerprint_warnings(prog: Program) -> list[Diagnostic]:
    """W0002 for every verified proof whose fingerprint no constraint pins down."""
    verified = {ins.attrs[0] for ins in prog.instrs if ins.op == "verify_proof"}
    if not verified:  # the common case: no dataflow sweep over a big program
        return []
    needed = prog.values_reaching(lambda ins: ins.op in ("assert", "assert_eq", "output"))
    out = []
    for ins in prog.instrs:
        if ins.op == "proof_input" and ins.attrs[1] in verified:
            n = ins.attrs[2]
            if not any(r.id in needed for r in ins.results[n:]):
                out.append(Diagnostic(
                    "warning", "W0002", f"the fingerprint of proof `{ins.attrs[0]}` is never constrained",
                    [Label(ins.span, "any circuit's proof is accepted here")] if ins.span else [],
                    ["pin it: `assert_eq(p.fingerprint, fingerprint!(\"child.psy\"))`, or prove it is in a "
                     "whitelist Merkle root with `std::merkle::verify`"],
                ))
    return out


def unused_input_warnings(prog: Program) -> list[Diagnostic]:
    """W0004 for every private parameter of the entry none of whose values reaches a
    constraint or the output: the proof says nothing about it (public ones: audit A0002)."""
    def pins(ins) -> bool:  # the range check of an input's own type pins nothing
        return ins.op in SINKS and ins.op not in ("range_check", "assert_bool")

    used = prog.values_reaching(pins)
    params: dict[str, list] = {}
    for ins in prog.instrs:
        if ins.op == "input" and ins.attrs and isinstance(ins.attrs[0], str) and "#" in ins.attrs[0]:
            params.setdefault(ins.attrs[0].split("#")[0], []).append(ins)
    out = []
    for name, inputs in params.items():
        if name.startswith("_") or inputs[0].attrs[1] or any(i.result.id in used for i in inputs):
            continue
        out.append(Diagnostic(
            "warning", "W0004", f"private input `{name}` never reaches a constraint or the output",
            [Label(inputs[0].span, "any value is accepted here")] if inputs[0].span else [],
            [f"use it, remove it, or name it `_{name}` if it is unused on purpose"],
        ))
    return out


def unused_variable_warnings(loader: ModuleLoader, entry: str) -> list[Diagnostic]:
    """W0003 for the project's modules (the standard library is not linted)."""
    from psyc.frontend.lints import unused_variables

    out = []
    for mod in list(loader.modules.values()):
        if not mod.name.startswith("std"):
            out += unused_variables(mod.ast, entry if mod.name == "crate" else None)
    return out


def unconstrained_hint_warnings(prog: Program) -> list[Diagnostic]:
    """W0001 for every hint (unconstrained call) whose outputs reach no constraint."""
    hint_values = {r.id for ins in prog.instrs if ins.op == "hint" for r in ins.results}
    if not hint_values:  # no hint: no dataflow sweep over a big program
        return []

    def pins(ins) -> bool:  # the type check the compiler puts on a hint's result pins nothing
        type_check = ins.op in ("range_check", "assert_bool") and ins.args[0].id in hint_values
        return ins.op in SINKS and not type_check

    needed = prog.values_reaching(pins)
    out = []
    for ins in prog.instrs:
        if (
            ins.op == "hint"
            and ins.attrs
            and ins.attrs[0].name != "opaque"
            and not any(r.id in needed for r in ins.results)
        ):
            d = Diagnostic(
                "warning",
                "W0001",
                f"the result of unconstrained `{ins.attrs[0].name}` never reaches a constraint",
                [Label(ins.span, "computed off-circuit and never checked")] if ins.span else [],
                [
                    "a prover can put any value here; constrain it (assert, assert_eq, or use it in "
                    "a checked computation)"
                ],
            )
            out.append(d)
    return out


# =========================================================================================
# whole-project checks and tests
# =========================================================================================
@with_gc_paused
def check_project(
    project: Project, loader: ModuleLoader, options: CompileOptions | None = None
) -> tuple[CompiledProgram | None, list[Diagnostic]]:
    """``psyc check``: compile the entry (if any), then type-check every other
    non-generic function and every test. Collects all errors instead of stopping at one."""
    errors: list[Diagnostic] = []
    compiled = None
    module = root_module(project, loader)
    entry = (options.entry if options else None) or project.entry
    contract = any(isinstance(it, ast.StructDecl) and any(a.name == "contract" for a in it.attributes)
                   for it in module.items.values())
    if not isinstance(module.items.get(entry), ast.FnDecl):
        if not contract:  # a contract's entry points are its #[method]s (psyc.contracts checks them)
            errors.append(missing_entry(module, entry, project))
    else:
        try:
            compiled = compile_project(
                project, loader, dataclasses.replace(options or CompileOptions(), collect_errors=True)
            )
        except CompileError as e:
            errors += e.diagnostics
        except ExecutionError as e:
            errors.append(e.to_diagnostic())
    for mod in list(loader.modules.values()):
        if mod.name.startswith("std"):
            continue
        for fn in mod.items.values():
            if not isinstance(fn, ast.FnDecl) or fn.generics or (mod.name == "crate" and fn.name == entry):
                continue
            try:
                check_function(loader, mod, fn, project.max_unroll)
            except CompileError as e:
                errors += [d for d in e.diagnostics if d not in errors]
            except ExecutionError:
                pass  # a constant assertion that fails: reported when the function runs
    return compiled, errors


def check_function(loader: ModuleLoader, module: Module, fn: ast.FnDecl, max_unroll: int) -> None:
    """Type-check one non-generic function with symbolic arguments."""
    el = Elaborator(loader, Mode.CHECK if fn.unconstrained else Mode.CONSTRAINED, max_unroll)

    el.frame = Frame(module, fn, fn.unconstrained)
    el.scopes = [{}]
    args = []
    for p in fn.params:
        t = el.resolve_type(p.type)
        leaves = [
            el.prog.emit("input", (), (s.name,), p.span, (p.name, False)).result for s in ty.leaf_types(t)
        ]
        args.append(TV(t, ty.unflatten(t, leaves)[0]))
    el.unsafe_depth = 1 if fn.unconstrained else 0
    el.inline(module, fn, {}, args, fn.span)


@dataclass
class TestCase:
    module: Module
    fn: ast.FnDecl
    should_fail_with: str | None

    @property
    def name(self) -> str:
        return f"{self.module.name}::{self.fn.name}"


def discover_tests(loader: ModuleLoader, modules: list[Module]) -> list[TestCase]:
    out = []
    for mod in modules:
        for fn in mod.items.values():
            if not isinstance(fn, ast.FnDecl):
                continue
            for attr in fn.attributes:
                if attr.name == "test":
                    fail = next((v for k, v in attr.args if k == "should_fail_with"), None)
                    if any(k not in (None, "should_fail_with") for k, _ in attr.args):
                        raise error(
                            "E0109",
                            'unknown argument of #[test]; expected `should_fail_with = "…"`',
                            attr.span,
                        )
                    if fn.params:
                        raise error("E0109", f"test `{fn.name}` cannot take parameters", fn.span)
                    out.append(TestCase(mod, fn, fail))
    return out


def compile_test(loader: ModuleLoader, case: TestCase, max_unroll: int = DEFAULT_MAX_UNROLL) -> Program:
    """A test as a program with no inputs (assertions on constants fold at compile time and
    raise :class:`ExecutionError` right away, like a failing run)."""
    el = Elaborator(loader, Mode.CONSTRAINED, max_unroll)
    el.prog.name = case.fn.name
    try:
        el.elaborate_entry(case.module, case.fn)
    except ExecutionError as e:
        # a test's values are constants, so a failing assertion stops the compile; what its
        # print/println calls before that point would show is recovered by running them
        with contextlib.suppress(ExecutionError, ValueError, TypeError):
            e.printed = interpret.run(el.prog, []).printed
        raise
    return el.prog
