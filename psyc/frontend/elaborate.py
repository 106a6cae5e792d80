"""Elaboration: type checking, constant evaluation, inlining and unrolling in one walk.

The elaborator walks the AST of the entry function with concrete types and emits SSA IR
(:mod:`psyc.ir`). Functions are inlined at their call sites (with their const generics
bound), ``for`` loops are unrolled, aggregates become lists of scalars, and branches on
witness values become ``select``\\ s plus *predicated* checks. Operations on constants are
folded as they are emitted (with the interpreter's semantics), which is what makes loop
bounds, array lengths and ``if N <= 4`` on a const generic compile-time facts.

Like Zig or C++ templates, a generic function is checked when it is instantiated, and
an ``if`` on a compile-time condition elaborates only the taken branch (in every mode);
``psyc.compiler.check_project`` additionally checks every non-generic function of the
loaded modules.

Literals have no type of their own: the *expected type* passed down ``expr`` gives them
one (annotations, parameters, the other operand, the other branch of an ``if``, the
other elements of an array literal); ``Felt`` where nothing does. While a call's const
generics are still being inferred, parameter types are *shape hints* whose unknown
lengths are ``HOLE``.

The IR's integer gadgets rely on every integer value being in its type's range: inputs
and hint results are range-checked here, checked ops and narrowing casts keep it.

Three modes:

* ``constrained``: the normal mode, everything becomes circuit IR;
* ``concrete``: all values are constants (running an ``unconstrained fn`` during witness
  generation, or a ``#[test]``); ``while`` and early ``return`` really execute;
* ``check``: type-checks an ``unconstrained fn`` once with symbolic arguments (loops run
  their body once, nothing is unrolled).
"""

from __future__ import annotations

import contextlib
import difflib
import enum
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from psyc.field.goldilocks import P
from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.modules import Module, ModuleLoader, ensure_deep_stack
from psyc.frontend.storage import (
    MAX_LOAD_SLOTS,
    MemoryHandle,
    Place,
    StorageT,
    check_layout,
    field_slots,
    footprint,
    leaf_positions,
)
from psyc.frontend.types import BOOL, FELT, U32, UNIT, Array, Scalar, Struct, Tuple, Type
from psyc.ir.interpret import E_BOUNDS, ExecutionError, eval_instr
from psyc.ir.ir import HintFn, Instr, Program, Value
from psyc.util.diagnostics import CompileError, Diagnostic, Label, SourceMap, Span

DEFAULT_MAX_UNROLL = 1 << 20
MAX_CONCRETE_STEPS = 10_000_000  # loop iterations an unconstrained call may run
MAX_CALL_DEPTH = 200


def error(code: str, message: str, span: Span | None, label: str = "", notes: Sequence[str] = ()) -> CompileError:
    d = Diagnostic.error(code, message, span, label)
    d.notes.extend(notes)
    return CompileError([d])


@dataclass
class TV:
    """A typed value: the type and its payload (a Value for scalars, a list for arrays,
    a tuple for tuples and structs)."""

    type: Type
    payload: object


@dataclass
class Binding:
    type: Type
    payload: object
    mutable: bool
    span: Span | None


class _Return(Exception):  # noqa: N818  (control flow, not an error)
    def __init__(self, value: TV | None):
        self.value = value


class _Poisoned(Exception):  # noqa: N818  (control flow: a value whose definition already failed)
    pass


# Tools (the language server) that want the type of every expression set a callback
# ``(expr, type)`` here; every Elaborator created in that context calls it.
EXPRESSION_OBSERVER: ContextVar[Callable[[object, Type], None] | None] = ContextVar(
    "EXPRESSION_OBSERVER", default=None
)

POISON = Scalar("{error}")  # the type of a variable whose `let` failed (error recovery)
MAX_COLLECTED = 50


class Mode(enum.StrEnum):
    """What the elaborator makes of the code (see the module docstring)."""

    CONSTRAINED = "constrained"  # circuit IR
    CONCRETE = "concrete"  # all values are constants: the code runs
    CHECK = "check"  # type-check an unconstrained fn once with symbolic arguments


_KEEP = object()  # Elaborator.entered: keep the current predicate


@dataclass
class Frame:
    module: Module
    fn: ast.FnDecl | None
    unconstrained: bool


# `fingerprint!("child.psy")` compiles and builds another program: the compiler, one stage
# later in the pipeline, registers that service here (dependency inversion: the front end
# never imports psyc.compiler).
FingerprintResolver = Callable[[Path, Span, object], list[int]]
_fingerprint_resolver: FingerprintResolver | None = None


def set_fingerprint_resolver(resolver: FingerprintResolver) -> None:
    """Install what `fingerprint!` calls: ``resolver(path, span, shape) -> 4 felts``."""
    global _fingerprint_resolver
    _fingerprint_resolver = resolver


class Elaborator:
    def __init__(
        self,
        loader: ModuleLoader,
        mode: Mode | str = Mode.CONSTRAINED,
        max_unroll: int = DEFAULT_MAX_UNROLL,
        program: Program | None = None,
        hint_cache: dict | None = None,
    ) -> None:
        self.loader = loader
        self.sources: SourceMap = loader.sources
        # error recovery: when a list, a failing statement is recorded here and skipped
        self.collected: list[Diagnostic] | None = None
        self.shape = None  # the standard shape of verified proofs (None: the default)
        self.mode = Mode(mode)
        self.max_unroll = max_unroll
        self.prog = program or Program()
        self.scopes: list[dict[str, Binding]] = []
        self.frame: Frame | None = None
        self.pred: Value | None = None
        self.unsafe_depth = 0
        self.stack: list[tuple[str, str]] = []
        self.steps = 0
        self.hint_cache = hint_cache if hint_cache is not None else {}
        self.hint_calls: list[tuple[Instr, Span]] = []
        self._const_cache: dict[tuple[str, str], TV] = {}
        self._const_busy: set[tuple[str, str]] = set()
        self._imports: dict[tuple[str, str], Module | None] = {}
        self._struct_busy: set[tuple[str, str]] = set()
        self.contract = None  # psyc.contracts: the method being compiled to a CFC (its context)
        self._slot_memo: dict[tuple, Value] = {}
        self._storage_types = 0  # > 0 while resolving a #[contract] struct: arrays live in storage
        self.observe = EXPRESSION_OBSERVER.get()
        ensure_deep_stack()

    # =====================================================================================
    # entry points
    # =====================================================================================
    def elaborate_entry(self, module: Module, fn: ast.FnDecl) -> tuple[list, Type | None]:
        """Elaborate ``fn`` as the program's entry: parameters become ``input``\\ s (with
        their type's range checks), a ``pub`` result becomes ``output``\\ s. Returns the
        parameter list [(name, type, public)] and the public output type (or None)."""
        if fn.generics:
            raise error("E0209", f"the entry function `{fn.name}` cannot have const generics", fn.span)
        if fn.unconstrained:
            raise error("E0209", f"the entry function `{fn.name}` cannot be `unconstrained`", fn.span)
        self.frame = Frame(module, fn, False)
        self.scopes = [{}]
        params = []
        _check_params(fn)
        for p in fn.params:
            t = self.resolve_type(p.type)
            params.append((p.name, t, p.public))
            if p.public and _contains_proof(t):
                raise error("E0211", f"a proof cannot be a public input: `{p.name}` is `pub`", p.span,
                            notes=["make the values you need public by returning them, e.g. its public inputs"])
            payload = self._entry_payload(t, p, [0])
            self.scopes[0][p.name] = Binding(t, payload, False, p.span)
        ret_t = self.resolve_type(fn.ret) if fn.ret is not None else UNIT
        try:
            result = self.fn_body(fn, ret_t)
        except RecursionError:
            raise error("E0303", "the program nests too deeply to compile", fn.span) from None
        self.check_imports()
        if fn.ret_public:
            for v in ty.flatten(ret_t, result.payload):
                self.prog.emit("output", (v,), (), fn.ret.span)
        return params, (ret_t if fn.ret_public else None)

    def _entry_payload(self, t: Type, p: ast.Param, counter: list[int]):
        """Inputs for parameter ``p`` of type ``t`` with its type's checks; a ``Proof<N>``
        becomes a ``proof_input`` whose proof is side data (a slot)."""
        if isinstance(t, Scalar):
            v = self.prog.emit("input", (), (t.name,), p.span, (f"{p.name}#{counter[0]}", p.public)).result
            counter[0] += 1
            if t.is_int and t.bits < 64:
                self.prog.emit("range_check", (v,), (), p.span, (t.bits, f"input `{p.name}` is not a {t}"))
            elif t == BOOL:
                self.prog.emit("assert_bool", (v,), (), p.span)
            return v
        if isinstance(t, ty.ProofT):
            n = t.num_public_inputs
            slot = sum(1 for i in self.prog.instrs if i.op == "proof_input")
            ins = self.prog.emit("proof_input", (), ["Felt"] * (n + 4), p.span, (p.name, slot, n))
            counter[0] += n + 4
            return (list(ins.results[:n]), list(ins.results[n:]), slot)
        if isinstance(t, Array):
            return [self._entry_payload(t.element, p, counter) for _ in range(t.length)]
        elems = t.elements if isinstance(t, Tuple) else [f for _, f in t.fields]
        return tuple(self._entry_payload(et, p, counter) for et in elems)

    def run_concrete(self, module: Module, fn: ast.FnDecl, generics: dict[str, int], args: list[TV]) -> TV:
        """Run a function with constant arguments (mode ``concrete``)."""
        return self.inline(module, fn, generics, args, fn.span)

    # =====================================================================================
    # types and names
    # =====================================================================================
    @property
    def module(self) -> Module:
        return self.frame.module

    def resolve_type(self, te: ast.TypeExpr) -> Type:
        if isinstance(te, ast.NamedType):
            if te.name in ty.SCALARS:
                return ty.SCALARS[te.name]
            if te.name == "Hash":
                return ty.HASH
            if te.name == "Felt" or te.name.lower() in ("felt", "field"):
                return FELT
            return self.resolve_struct(te.name, te.span)
        if isinstance(te, ast.ArrayType):
            n = self.const_u32(te.length, "an array length")
            return Array(self.resolve_type(te.element), n)
        if isinstance(te, ast.ProofType):
            return ty.ProofT(self.const_u32(te.num_public_inputs, "the number of public inputs of a proof"))
        return Tuple(tuple(self.resolve_type(e) for e in te.elements))

    def _self_type_name(self) -> str | None:
        """The type an `impl` block being elaborated is for (what `Self` names)."""
        fn = self.frame.fn if self.frame is not None else None
        for name, methods in self.module.impls.items():
            if any(m is fn for m in methods.values()):
                return name
        return None

    def resolve_struct(self, name: str, span: Span) -> Struct:
        if name == "Self":
            owner = self._self_type_name()
            if owner is None:
                raise error("E0102", "`Self` is only defined inside an `impl` block", span, "not in an impl")
            name = owner
        found = self.lookup_item(self.module, (name,), span, ast.StructDecl)
        if found is None:
            known = ["Felt", "bool", "u8", "u16", "u32", "u64", "Hash"] + [
                n for n, it in self.module.items.items() if isinstance(it, ast.StructDecl)
            ]
            raise error("E0102", f"cannot find type `{name}`", span, "not found", _did_you_mean(name, known))
        mod, decl = found
        key = (mod.name, decl.name)
        if key in self._struct_busy:
            raise error("E0210", f"recursive struct `{decl.name}` has infinite size", decl.span,
                        "contains itself", ["a struct cannot contain itself, directly or through another struct"])
        seen: set[str] = set()
        for fname, fte in decl.fields:
            if fname in seen:
                raise error("E0103", f"field `{fname}` is declared more than once in `{decl.name}`", fte.span)
            seen.add(fname)
        self._struct_busy.add(key)
        storage = any(a.name == "contract" for a in decl.attributes)
        self._storage_types += storage
        try:
            with self.entered(mod):
                fields = tuple((fname, self.resolve_type(fte)) for fname, fte in decl.fields)
        finally:
            self._struct_busy.discard(key)
            self._storage_types -= storage
        st = Struct(decl.name, fields, mod.name)
        if storage:
            check_layout(st, decl.span)
        return st

    def lookup_item(self, module: Module, segs: tuple[str, ...], span: Span, kind, depth: int = 0):
        """(module, item) for a path naming an item of type ``kind``, or None."""
        if depth > 16:
            raise error("E0100", f"`{'::'.join(segs)}` is imported in a cycle", span)
        if len(segs) == 1:
            name = segs[0]
            item = module.items.get(name)
            if isinstance(item, kind):
                return module, item
            if name in module.imports:
                target = self.import_target(*module.imports[name])
                if target is None:
                    return None  # the name is a module
                return self.lookup_item(target, (module.imports[name][1],), span, kind, depth + 1)
            return None
        target = self.resolve_module_path(module, segs[:-1], span)
        return self.lookup_item(target, segs[-1:], span, kind, depth + 1)

    def import_target(self, mod_name: str, name: str, use_span: Span) -> Module | None:
        """The module that ``use mod_name::name`` imports an item from, or None when
        ``mod_name::name`` is itself a module. A name that exists nowhere is an E0100 at
        the ``use``."""
        key = (mod_name, name)
        if key in self._imports:
            return self._imports[key]
        if self.loader.try_module(f"{mod_name}::{name}") is not None:
            target = None
        elif mod_name == "std":
            raise error("E0101", f"unresolved import: no module `std::{name}`", use_span, "no such module")
        else:
            target = self.loader.module(mod_name, use_span)
            if not self.loader.defines(target, name):
                known = [*target.items, *target.imports, *target.submodules]
                raise error("E0100", f"unresolved import: no `{name}` in `{target.name}`", use_span,
                            f"no `{name}` in `{target.name}`", _did_you_mean(name, known))
        self._imports[key] = target
        return target

    def check_imports(self) -> None:
        """Every ``use`` of every loaded project module names something that exists."""
        for mod in list(self.loader.modules.values()):
            if not mod.name.startswith("std"):
                for imp in mod.imports.values():
                    self.import_target(*imp)

    def resolve_module_path(self, module: Module, segs: tuple[str, ...], span: Span) -> Module:
        head = segs[0]
        if head in ("std", "crate"):
            return self.loader.module("::".join(segs), span)
        if head == "self":
            return self.loader.module("::".join((module.name, *segs[1:])) if segs[1:] else module.name, span)
        if head == "super":
            parent = module.name.rsplit("::", 1)[0]
            return self.loader.module("::".join((parent, *segs[1:])), span)
        if head in module.submodules:
            return self.loader.module("::".join((module.submodules[head], *segs[1:])), span)
        if head in module.imports:
            mod_name, item_name, _ = module.imports[head]
            return self.loader.module("::".join((mod_name, item_name, *segs[1:])), span)
        raise error("E0101", f"unresolved module `{head}`", span, "not a module in scope",
                    ["write `std::…`, `crate::…`, declare it with `mod`, or import it with `use`"])

    def lookup_var(self, name: str) -> Binding | None:
        for scope in reversed(self.scopes):
            b = scope.get(name)
            if b is not None:
                return b
        return None

    def const_item(self, module: Module, decl: ast.ConstDecl) -> TV:
        key = (module.name, decl.name)
        if key in self._const_cache:
            return self._const_cache[key]
        if key in self._const_busy:
            raise error("E0300", f"the constant `{decl.name}` depends on itself", decl.span)
        self._const_busy.add(key)
        try:
            with self.entered(module, scopes=[{}], pred=None):
                t = self.resolve_type(decl.type)
                v = self.expr(decl.value, t)
                self.expect_type(t, v.type, decl.value.span)
                if not all(x.const is not None for x in ty.flatten(v.type, v.payload)):
                    raise error("E0300", f"the value of `{decl.name}` is not a compile-time constant",
                                decl.value.span)
        finally:
            self._const_busy.discard(key)
        self._const_cache[key] = v
        return v

    def const_u32(self, e: ast.Expr, what: str) -> int:
        v = self.expr(e, U32)
        if not isinstance(v.type, Scalar) or not (v.type.is_int or v.type == FELT):
            raise error("E0200", f"{what} must be an integer, found `{v.type}`", e.span)
        if v.payload.const is None:
            raise error("E0300", f"{what} must be a compile-time constant", e.span, "depends on the witness")
        n = v.payload.const
        if what == "an array length" and n > self.max_unroll and not self._storage_types:
            raise error("E0303", f"an array of {n} elements is larger than the bound {self.max_unroll}", e.span,
                        notes=["raise `max_unroll` in psy.toml [compile] or `--max-unroll`"])
        return n

    def expect_type(self, expected: Type | None, found: Type, span: Span, what: str = "") -> None:
        if expected is not None and expected != found:
            if isinstance(found, StorageT) or isinstance(expected, StorageT):
                raise _storage_value_error(found if isinstance(found, StorageT) else expected, span)
            notes = []
            if isinstance(expected, Scalar) and isinstance(found, Scalar):
                notes.append(f"convert with `as {expected}`" if expected != BOOL else "compare instead: `x != 0`")
            raise error("E0200", f"mismatched types{what}: expected `{expected}`, found `{found}`", span,
                        f"expected `{expected}`, found `{found}`", notes)

    # =====================================================================================
    # frames and emission
    # =====================================================================================
    @contextlib.contextmanager
    def entered(self, module: Module, fn: ast.FnDecl | None = None, scopes: list[dict[str, Binding]] | None = None,
                pred: Value | None | object = _KEEP) -> Iterator[None]:
        """Elaborate the block inside ``fn`` of ``module`` (None: at the module's top level),
        with these ``scopes`` and predicate (by default: the current ones); the frame,
        scopes and predicate are restored afterwards, whatever happens."""
        saved = (self.frame, self.scopes, self.pred)
        self.frame = Frame(module, fn, fn.unconstrained if fn is not None else False)
        if scopes is not None:
            self.scopes = scopes
        if pred is not _KEEP:
            self.pred = pred
        try:
            yield
        finally:
            self.frame, self.scopes, self.pred = saved

    def generic_scope(self, generics: dict[str, int]) -> dict[str, Binding]:
        """The scope binding a function's const generics to their values."""
        return {g: Binding(U32, self.const(v, U32), False, None) for g, v in generics.items()}

    def const(self, value: int, t: Scalar) -> Value:
        return self.prog.const(value, t.name)

    def emit(self, op: str, args: Sequence[Value], rtypes: Sequence[str], span: Span | None,
             attrs: tuple = (), predicated: bool = False) -> tuple[Value, ...]:
        pred = self.pred if predicated else None
        if pred is not None and pred.const == 1:
            pred = None
        if op not in ("hint", "verify_proof") and all(a.const is not None for a in args):
            ins = Instr(op, tuple(args), tuple(Value(-1 - k, t) for k, t in enumerate(rtypes)), span, attrs, False)
            env = {a.id: a.const for a in args}
            try:
                eval_instr(ins, env)
                vals = [env[-1 - k] for k in range(len(rtypes))]
                # a constant that passes its check is the same whether or not the branch is
                # taken: fold it (loop bounds and array lengths inside `if c` stay constant)
                return tuple(self.prog.const(v, t) for v, t in zip(vals, rtypes, strict=True))
            except ExecutionError:
                if pred is not None:
                    pass  # fails only if the branch is taken: a predicated run-time check
                elif self.mode is Mode.CHECK:
                    return tuple(self.prog.emit("hint", (), (t,), span, (_OPAQUE,)).result for t in rtypes)
                else:
                    raise
        return self.prog.emit(op, args, rtypes, span, attrs, pred).results

    def emit1(self, op: str, args: Sequence[Value], rtype: str, span: Span | None, attrs: tuple = (),
              predicated: bool = False) -> Value:
        return self.emit(op, args, (rtype,), span, attrs, predicated)[0]

    def check(self, op: str, args: Sequence[Value], span: Span | None, attrs: tuple = ()) -> None:
        """Emit a predicated check (assert, assert_eq, range_check)."""
        self.emit(op, args, (), span, attrs, predicated=True)

    def and_(self, a: Value | None, b: Value, span: Span | None) -> Value:
        return b if a is None else self.emit1("and", (a, b), "bool", span)

    def select(self, c: Value, t: Type, a, b, span: Span | None):
        """Leaf-wise c ? a : b over a structured payload."""
        if isinstance(t, StorageT):
            if a is b:
                return a
            raise _storage_value_error(t, span)
        if isinstance(t, Scalar):
            if a is b:
                return a
            return self.emit1("select", (c, a, b), t.name, span)
        if isinstance(t, ty.ProofT):
            if a[2] != b[2]:
                raise error("E0212", "cannot choose between two proofs with a witness-dependent condition", span,
                            notes=["verify each proof conditionally instead: `if c { verify(p) }`"])
            return a
        if isinstance(t, Array):
            return [self.select(c, t.element, x, y, span) for x, y in zip(a, b, strict=True)]
        elems = t.elements if isinstance(t, Tuple) else [f for _, f in t.fields]
        return tuple(self.select(c, et, x, y, span) for et, x, y in zip(elems, a, b, strict=True))

    # =====================================================================================
    # functions
    # =====================================================================================
    def fn_body(self, fn: ast.FnDecl, ret_t: Type) -> TV:
        body = fn.body
        if body.tail is None and body.stmts and isinstance(body.stmts[-1], ast.Return) and self.mode is not Mode.CONCRETE:
            last = body.stmts[-1]
            body = ast.Block(body.stmts[:-1], last.value or ast.TupleExpr((), last.span), body.span)
        try:
            result = self.block(body, ret_t)
        except _Return as r:
            result = r.value if r.value is not None else TV(UNIT, ())
        span = body.tail.span if body.tail is not None else fn.span
        self.expect_type(ret_t, result.type, span, f" in the result of `{fn.name}`")
        return result

    def inline(self, module: Module, fn: ast.FnDecl, generics: dict[str, int], args: list[TV], span: Span,
               receiver: Binding | None = None) -> TV:
        """Inline ``fn``; a method's ``self`` is bound to ``receiver`` (a ``&mut self``
        method's changes are left in ``receiver.payload``)."""
        key = (module.name, fn.name) if receiver is None else (module.name, f"{receiver.type}::{fn.name}")
        if key in self.stack and not fn.unconstrained:
            cycle = " -> ".join(n for _, n in self.stack[self.stack.index(key):]) + f" -> {fn.name}"
            raise error("E0107", f"recursion between constrained functions: {cycle}", span,
                        "recursive call", ["constrained functions are inlined; use a loop instead"])
        if len(self.stack) > MAX_CALL_DEPTH:
            raise error("E0107", f"call depth exceeds {MAX_CALL_DEPTH} (unbounded recursion?)", span)
        _check_params(fn)
        params = {p.name: Binding(a.type, a.payload, False, p.span) for p, a in zip(fn.params, args, strict=True)}
        if receiver is not None:
            params["self"] = receiver
        self.stack.append(key)
        try:
            with self.entered(module, fn, [self.generic_scope(generics), params]):
                ret_t = self.resolve_type(fn.ret) if fn.ret is not None else UNIT
                return self.fn_body(fn, ret_t)
        finally:
            self.stack.pop()

    def call(self, e: ast.Call, expected: Type | None) -> TV:
        segs = e.callee.segments
        name = segs[-1]
        if len(segs) == 1 and name in _BUILTINS and self.lookup_item(self.module, segs, e.span, ast.FnDecl) is None:
            return getattr(self, f"builtin_{name}")(e, expected)
        if len(segs) == 2 and segs[0] in ty.SCALARS and name == "from_bits":
            return self.builtin_from_bits(e, ty.SCALARS[segs[0]])
        if name.startswith("__") and len(segs) == 1:
            if not self.module.name.startswith("std"):
                raise error("E0100", f"`{name}` is an intrinsic of the standard library", e.span)
            return self.intrinsic(e)
        if len(segs) == 2 and segs[0] == "Self":
            if self._self_type_name() is None:
                raise error("E0102", "`Self` is only defined inside an `impl` block", e.callee.span, "not in an impl")
            segs = (self._self_type_name(), segs[1])
        if len(segs) >= 2:
            try:
                owner = self.lookup_item(self.module, segs[:-1], e.span, ast.StructDecl)
            except CompileError:
                owner = None  # `a::b::f`: a module path, resolved below
            if owner is not None:
                return self.associated_call(owner, name, e, expected)
        found = self.lookup_item(self.module, segs, e.span, ast.FnDecl)
        if found is None:
            known = [n for n, it in self.module.items.items() if isinstance(it, ast.FnDecl)]
            known += list(self.module.imports) + list(_BUILTINS)
            raise error("E0100", f"cannot find function `{'::'.join(segs)}`", e.callee.span, "not found in scope",
                        _did_you_mean(name, known))
        module, fn = found
        if len(e.args) != len(fn.params):
            raise error("E0106", f"`{fn.name}` takes {len(fn.params)} argument(s) but {len(e.args)} were given",
                        e.span, notes=[f"defined at {self._where(fn.span)}"])
        generics = self.bind_generics(module, fn, e, expected)
        args = []
        for p, a in zip(fn.params, e.args, strict=True):
            pt = self._param_type(module, fn, p, generics)
            v = self.expr(a, pt)
            args.append(v)
        self._infer_generics(module, fn, generics, args, e)
        for p, a, v in zip(fn.params, e.args, args, strict=True):
            pt = self._param_type(module, fn, p, generics)
            self.expect_type(pt, v.type, a.span, f" for argument `{p.name}` of `{fn.name}`")
        if fn.unconstrained and self.mode is Mode.CONSTRAINED:
            if self.unsafe_depth == 0:
                raise error("E0108", f"call to unconstrained function `{fn.name}` outside `unsafe`", e.span,
                            "needs `unsafe { .. }`",
                            ["its result is not constrained; wrap the call in `unsafe { .. }` and constrain it"])
            return self.hint_call(module, fn, generics, args, e.span)
        if fn.unconstrained and self.mode is Mode.CHECK:
            return self.check_unconstrained(module, fn, generics, args, e.span)
        return self.inline(module, fn, generics, args, e.span)

    def _where(self, span: Span) -> str:
        line, col = self.sources.line_col(span.file, span.start)
        return f"{span.file}:{line}:{col}"

    def bind_generics(self, module: Module, fn: ast.FnDecl, e: ast.Call, expected) -> dict[str, int]:
        generics: dict[str, int] = {}
        if e.generic_args:
            if len(e.generic_args) != len(fn.generics):
                raise error("E0106", f"`{fn.name}` takes {len(fn.generics)} const generic(s), "
                            f"{len(e.generic_args)} given", e.span)
            for g, a in zip(fn.generics, e.generic_args, strict=True):
                generics[g.name] = self.const_u32(a, f"the const generic `{g.name}`")
        return generics

    def _param_type(self, module: Module, fn: ast.FnDecl, p: ast.Param, generics: dict[str, int]) -> Type | None:
        """The parameter's type. While some const generic it mentions is still unknown, a
        *shape hint* instead: array lengths that depend on it are ``HOLE``, so an argument
        like ``[1, 2, 3]`` for ``xs: [u32; N]`` still types its literals as ``u32``."""
        unknown = {g.name for g in fn.generics} - set(generics)
        with self.entered(module, fn, [self.generic_scope(generics)]):
            return self._shape(p.type, unknown)

    def _shape(self, te: ast.TypeExpr, unknown: set[str]) -> Type:
        if not _mentions(te, unknown):
            return self.resolve_type(te)
        if isinstance(te, ast.ArrayType):
            n = HOLE if _expr_mentions(te.length, unknown) else self.const_u32(te.length, "an array length")
            return Array(self._shape(te.element, unknown), n)
        if isinstance(te, ast.ProofType):
            return None  # no hint needed: a proof argument has its type already
        return Tuple(tuple(self._shape(x, unknown) for x in te.elements))

    def _infer_generics(self, module, fn, generics, args, e) -> None:
        names = {g.name for g in fn.generics}
        for p, a in zip(fn.params, args, strict=True):
            _unify(p.type, a.type, names, generics)
        missing = [g.name for g in fn.generics if g.name not in generics]
        if missing:
            raise error("E0208", f"cannot infer the const generic `{missing[0]}` of `{fn.name}`", e.span,
                        notes=[f"give it explicitly: `{fn.name}::<…>(…)`"])

    def hint_call(self, module: Module, fn: ast.FnDecl, generics: dict[str, int], args: list[TV], span: Span) -> TV:
        """An unconstrained call in a constrained function: check its body once, emit a hint."""
        ret_t = self._ret_type(module, fn, generics)
        if _contains_proof(ret_t) or any(_contains_proof(a.type) for a in args):
            raise error("E0108", f"proofs cannot cross into unconstrained `{fn.name}`", span)
        for a in args:
            if isinstance(a.type, StorageT):
                raise _storage_value_error(a.type, span)
        self._check_body(module, fn, generics, args, span)
        arg_types = [a.type for a in args]
        flat = [x for a in args for x in ty.flatten(a.type, a.payload)]
        loader, max_unroll, cache = self.loader, self.max_unroll, self.hint_cache
        has_pred = self.pred is not None
        nout = ty.size(ret_t)

        def run(values: list[int]) -> list[int]:
            if has_pred and values[-1] == 0:
                return [0] * nout
            sub = type(self)(loader, Mode.CONCRETE, max_unroll, hint_cache=cache)
            sub.frame = Frame(module, fn, True)
            consts = [sub.const(v, st) for v, st in zip(values, [s for t in arg_types for s in ty.leaf_types(t)],
                                                         strict=False)]
            pos, targs = 0, []
            for t in arg_types:
                payload, pos = ty.unflatten(t, consts, pos)
                targs.append(TV(t, payload))
            try:
                out = sub.run_concrete(module, fn, generics, targs)
            except CompileError as ce:
                raise ExecutionError(ce.diagnostics[0].message, ce.diagnostics[0].labels[0].span
                                     if ce.diagnostics[0].labels else span) from None
            return [v.const for v in ty.flatten(out.type, out.payload)]

        hint_args = flat + ([self.pred] if has_pred else [])
        label = f"{module.name}::{fn.name}"
        ins = self.prog.emit("hint", hint_args, [s.name for s in ty.leaf_types(ret_t)], span, (HintFn(label, run),))
        self.hint_calls.append((ins, span))
        # a prover may put anything in a hint's results: give them their type's range, which
        # every later gadget relies on (u64 and Felt: every field element is a value)
        for r in ins.results:
            st = ty.SCALARS[r.type]
            if st.is_int and st.bits < 64:
                self.prog.emit("range_check", (r,), (), span, (st.bits, f"`{fn.name}` returned a value that is not a {st}"))
            elif st == BOOL:
                self.prog.emit("assert_bool", (r,), (), span)
        payload, _ = ty.unflatten(ret_t, list(ins.results))
        return TV(ret_t, payload)

    def _ret_type(self, module, fn, generics) -> Type:
        with self.entered(module, fn, [self.generic_scope(generics)]):
            return self.resolve_type(fn.ret) if fn.ret is not None else UNIT

    def check_unconstrained(self, module, fn, generics, args: list[TV], span: Span) -> TV:
        """In check mode: type-check the callee once, give a fresh symbolic result."""
        ret_t = self._ret_type(module, fn, generics)
        self._check_body(module, fn, generics, args, span)
        return self._opaque(ret_t, span)

    def _check_body(self, module, fn, generics, args: list[TV], span: Span) -> None:
        """Type-check an unconstrained body once per instantiation."""
        key = (module.name, fn.name, tuple(sorted(generics.items())))
        if key not in self.hint_cache:
            self.hint_cache[key] = "busy"
            sub = type(self)(self.loader, Mode.CHECK, self.max_unroll, hint_cache=self.hint_cache)
            sub.frame = Frame(module, fn, True)
            sym = []
            for a in args:
                leaves = [sub.prog.emit("input", (), (s.name,), span, ("arg", False)).result
                          for s in ty.leaf_types(a.type)]
                sym.append(TV(a.type, ty.unflatten(a.type, leaves)[0]))
            sub.inline(module, fn, generics, sym, span)
            self.hint_cache[key] = "ok"

    def gfp5_intrinsic(self, e: ast.Call, name: str) -> TV:
        """std::gfp5's intrinsics on `[Felt; 5]` pairs: ``__gfp5_mul(a, b)``, the product (the
        ``gfp5_mul`` op and gate), and ``__gfp5_div(a, b)``, the quotient a/b (0 when b = 0)
        computed natively (psyc.field.gfp5) as an unconstrained hint that std::gfp5 checks."""
        from psyc.field.gfp5 import div_or_zero
        from psyc.plonk.gates.gfp5_mul import gfp5_product

        t = Array(FELT, 5)
        if len(e.args) != 2:
            raise error("E0106", f"`{name}` takes two `[Felt; 5]`", e.span)
        flat = []
        for a in e.args:
            v = self.expr(a, t)
            self.expect_type(t, v.type, a.span)
            flat += list(v.payload)

        def native(vals: list[int]) -> list[int]:
            return div_or_zero(vals) if name == "__gfp5_div" else [x % P for x in gfp5_product(vals[:5], vals[5:])]

        if all(x.const is not None for x in flat):
            return TV(t, [self.const(x, FELT) for x in native([x.const for x in flat])])
        if name == "__gfp5_mul":
            return TV(t, list(self.emit("gfp5_mul", flat, ["Felt"] * 5, e.span)))
        if self.mode is Mode.CHECK:
            return self._opaque(t, e.span)
        ins = self.prog.emit("hint", flat, ["Felt"] * 5, e.span, (HintFn(name, native),))
        return TV(t, list(ins.results))

    def intrinsic(self, e: ast.Call) -> TV:
        name = e.callee.segments[0]
        if name in ("__gfp5_mul", "__gfp5_div"):
            return self.gfp5_intrinsic(e, name)
        if name == "__permute":
            if len(e.args) != 1:
                raise error("E0106", "`__permute` takes one argument", e.span)
            v = self.expr(e.args[0], Array(FELT, 12))
            self.expect_type(Array(FELT, 12), v.type, e.args[0].span)
            out = self.emit("permute", v.payload, ["Felt"] * 12, e.span)
            return TV(Array(FELT, 12), list(out))
        if name == "__verify_proof":
            if len(e.args) != 1:
                raise error("E0106", "`__verify_proof` takes one proof", e.span)
            v = self.expr(e.args[0], None)
            if not isinstance(v.type, ty.ProofT):
                raise error("E0200", f"expected a proof, found `{v.type}`", e.args[0].span)
            if self.mode is not Mode.CONSTRAINED:
                raise error("E0108", "proofs are verified in constrained code only", e.span)
            pis, fp, slot = v.payload
            self.check("verify_proof", (*pis, *fp), e.span, (slot, v.type.num_public_inputs))
            return TV(UNIT, ())
        if name in _BIG_HINTS:
            return self.big_hint(e, name)
        raise error("E0100", f"unknown intrinsic `{name}`", e.span)

    def big_hint(self, e: ast.Call, name: str) -> TV:
        """``__big_mod(cols, m)``, ``__big_div(cols, m)``, ``__big_moddiv(num, den, m)``: a
        native big-integer hint (psyc.frontend.bigint_hints) over `[Felt; K]` limb vectors;
        its results are unconstrained `Felt`s that ``std::bigint`` range-checks and checks."""
        from psyc.frontend import bigint_hints as bh

        nargs = 3 if name == "__big_moddiv" else 2
        if len(e.args) != nargs:
            raise error("E0106", f"`{name}` takes {nargs} limb vectors", e.span)
        vecs = []
        for a in e.args:
            v = self.expr(a, None)
            if not (isinstance(v.type, Array) and v.type.element == FELT):
                raise error("E0200", f"`{name}` takes `[Felt; K]` limb vectors, found `{v.type}`", a.span)
            vecs.append(list(v.payload))
        lens = [len(v) for v in vecs]
        if name == "__big_mod":
            fn, nout = (lambda vals, n=lens[0]: bh.big_mod(vals, n)), bh.NUM_LIMBS
        elif name == "__big_div":
            fn, nout = (lambda vals, n=lens[0]: bh.big_div(vals, n)), bh.QUOTIENT_LIMBS
        else:
            fn, nout = (lambda vals, a=lens[0], b=lens[1]: bh.big_moddiv(vals, a, b)), bh.NUM_LIMBS
        flat = [x for v in vecs for x in v]
        out_t = Array(FELT, nout)
        if all(x.const is not None for x in flat):
            return TV(out_t, [self.const(int(x), FELT) for x in fn([x.const for x in flat])])
        if self.mode is Mode.CHECK:
            return self._opaque(out_t, e.span)
        ins = self.prog.emit("hint", flat, ["Felt"] * nout, e.span, (HintFn(name, fn),))
        return TV(out_t, list(ins.results))

    def e_MacroCall(self, e: ast.MacroCall, expected) -> TV:
        if e.name != "fingerprint":
            raise error("E0100", f"unknown macro `{e.name}!`", e.span, notes=["the macros are `fingerprint!`"])
        if _fingerprint_resolver is None:
            raise error("E0100", "`fingerprint!` needs the compiler: import psyc.compiler first", e.span)
        base = self.loader.real_path(self.module)
        target = (base.parent / e.arg).resolve()
        if not target.is_file():
            raise error("E0101", f"`fingerprint!`: no program at {e.arg}", e.span, "not found",
                        [f"the path is relative to {self.module.file}"])
        digest = _fingerprint_resolver(target, e.span, self.shape)
        return TV(ty.HASH, [self.const(x, FELT) for x in digest])

    # =====================================================================================
    # builtins
    # =====================================================================================
    def _message(self, e: ast.Call, k: int, fname: str) -> str:
        if len(e.args) > k:
            m = e.args[k]
            if not isinstance(m, ast.StrLit):
                raise error("E0200", f"the message of `{fname}` must be a string literal", m.span)
            return m.value
        return ""

    def builtin_assert(self, e: ast.Call, expected) -> TV:
        if not 1 <= len(e.args) <= 2:
            raise error("E0106", "`assert` takes a condition and an optional message", e.span)
        msg = self._message(e, 1, "assert")
        shown, names = [], []
        c = e.args[0]
        negated = isinstance(c, ast.Unary) and c.op == "!"
        inner = c.operand if negated else c
        if isinstance(inner, ast.Binary) and inner.op in _COMPARISONS:
            # evaluate the comparison's sides once, and show their values on failure
            a, b = self.operands(inner.left, inner.right, None)
            cond = self.binop(inner.op, a, b, inner.span, inner.right.span)
            if negated:
                cond = TV(BOOL, self.emit1("not", (cond.payload,), "bool", c.span))
            for side, v in ((inner.left, a), (inner.right, b)):
                if not _literal_like(side) and not isinstance(side, ast.BoolLit) and isinstance(v.type, Scalar):
                    shown.append(v.payload)
                    names.append(self._text(side.span))
        else:
            cond = self.expr(c, BOOL)
        self.expect_type(BOOL, cond.type, c.span, " in `assert`")
        src = self._text(e.args[0].span)
        self.check("assert", (cond.payload, *shown), e.span, (msg or f"assertion failed: {src}", tuple(names)))
        return TV(UNIT, ())

    def builtin_assert_eq(self, e: ast.Call, expected) -> TV:
        if not 2 <= len(e.args) <= 3:
            raise error("E0106", "`assert_eq` takes two values and an optional message", e.span)
        a, b = self.operands(e.args[0], e.args[1], None)
        self.expect_type(a.type, b.type, e.args[1].span, " in `assert_eq`")
        msg = self._message(e, 2, "assert_eq")
        default = f"assertion failed: {self._text(e.args[0].span)} == {self._text(e.args[1].span)}"
        pairs = list(zip(ty.flatten(a.type, a.payload), ty.flatten(b.type, b.payload), strict=True))
        paths = ty.leaf_paths(a.type)
        for (x, y), path in zip(pairs, paths, strict=True):
            # an aggregate's elements are checked one by one; the element's place lets a
            # failure show every element of both sides (psyc.ir.interpret)
            attrs = (msg or default, path, len(pairs)) if len(pairs) > 1 else (msg or default,)
            self.check("assert_eq", (x, y), e.span, attrs)
        return TV(UNIT, ())

    def builtin_print(self, e: ast.Call, expected, newline: bool = False) -> TV:
        """``print(...)``/``println(...)``: show values while the program runs (psyc execute,
        psyc test); nothing is added to the circuit. ``println("x = {}, y = {}", x, y)``
        fills the ``{}``s in order; otherwise the arguments are shown separated by spaces."""
        args = list(e.args)
        pieces: list = []
        values: list[Value] = []

        def show(arg) -> None:
            if isinstance(arg, ast.StrLit):
                pieces.append(arg.value)
                return
            v = self.expr(arg, None)
            if isinstance(v.type, ty.ProofT) or _contains_proof(v.type):
                raise error("E0200", "a proof cannot be printed", arg.span,
                            notes=["print its `.public_inputs` or `.fingerprint`"])
            pieces.extend(_print_template(v.type))
            values.extend(ty.flatten(v.type, v.payload))

        fmt = args[0].value if args and isinstance(args[0], ast.StrLit) and "{}" in args[0].value else None
        if fmt is not None:
            parts = fmt.split("{}")
            if len(parts) - 1 != len(args) - 1:
                raise error("E0106", f"the format string has {len(parts) - 1} `{{}}` but {len(args) - 1} value(s) "
                            f"follow", e.span)
            for k, arg in enumerate(args[1:]):
                pieces.append(parts[k])
                show(arg)
            pieces.append(parts[-1])
        else:
            for k, arg in enumerate(args):
                if k:
                    pieces.append(" ")
                show(arg)
        if newline:
            pieces.append("\n")
        if self.mode is Mode.CONCRETE:  # unconstrained code running in a hint: print right away
            from psyc.ir.interpret import format_print, print_now

            if all(v.const is not None for v in values):
                print_now(format_print(pieces, [v.const for v in values]))
            return TV(UNIT, ())
        pred = self.pred if self.pred is not None and self.pred.const != 1 else None
        self.prog.emit("print", tuple(values), (), e.span, (tuple(pieces),), pred)
        return TV(UNIT, ())

    def builtin_println(self, e: ast.Call, expected) -> TV:
        return self.builtin_print(e, expected, newline=True)

    def builtin_from_bits(self, e: ast.Call, expected) -> TV:
        if len(e.args) != 1:
            raise error("E0106", "`from_bits` takes one array of bool", e.span)
        bits = self.expr(e.args[0], None)
        if not (isinstance(bits.type, Array) and bits.type.element == BOOL):
            raise error("E0200", f"`from_bits` takes `[bool; N]`, found `{bits.type}`", e.args[0].span)
        t = expected if isinstance(expected, Scalar) and expected != BOOL else FELT
        n = bits.type.length
        if n > t.bits:
            raise error("E0200", f"{n} bits do not fit in `{t}` ({t.bits} bits)", e.args[0].span,
                        f"`[bool; {n}]`")
        # 64 bits may spell a value >= p: `from_bits` then requires the canonical spelling
        return self.from_bits(list(bits.payload), t, e.span)

    def _mutable_help(self, span: Span, name: str) -> str:
        """How to make the binding at ``span`` mutable, as the user would write it."""
        try:
            before = self.sources.text(span.file)[: span.start].rstrip()
        except KeyError:
            before = ""
        if before.endswith("let"):
            return f"help: make this binding mutable: `let mut {name}`"
        if before.endswith(("(", ",")) and ":" in self._text(span):  # a function parameter
            return f"help: parameters are immutable; copy it into a mutable local: `let mut {name} = {name};`"
        return f"help: make this binding mutable: `mut {name}`"

    def _text(self, span: Span) -> str:
        try:
            return self.sources.text(span.file)[span.start : span.end]
        except KeyError:
            return "…"

    # =====================================================================================
    # statements
    # =====================================================================================
    def block(self, b: ast.Block, expected: Type | None) -> TV:
        self.scopes.append({})
        try:
            for s in b.stmts:
                if self.collected is None:
                    self.stmt(s)
                else:
                    self._recovering_stmt(s)
            if b.tail is None:
                if b.stmts and isinstance(b.stmts[-1], ast.Return) and self.mode is Mode.CHECK and expected:
                    return self._opaque(expected, b.span)  # the block diverges: any type will do
                return TV(UNIT, ())
            return self.expr(b.tail, expected)
        finally:
            self.scopes.pop()

    def _recovering_stmt(self, s) -> None:
        """Run a statement; on an error, record it, poison what the statement defines and
        go on, so one run reports every independent error (cascades are suppressed)."""
        try:
            self.stmt(s)
            return
        except CompileError as e:
            for d in e.diagnostics:
                if not any(_same(d, c) for c in self.collected):
                    self.collected.append(d)
            if len(self.collected) >= MAX_COLLECTED:
                raise CompileError(list(self.collected)) from None
        except _Poisoned:
            pass
        if isinstance(s, ast.Let):
            for name, span in _pattern_names(s.pattern):
                self.scopes[-1][name] = Binding(POISON, None, True, span)

    def stmt(self, s) -> None:
        if isinstance(s, ast.Let):
            t = self.resolve_type(s.type) if s.type is not None else None
            v = self.expr(s.value, t)
            if t is not None:
                self.expect_type(t, v.type, s.value.span, " in `let`")
            self.bind_pattern(s.pattern, v)
        elif isinstance(s, ast.Assign):
            self.assign(s)
        elif isinstance(s, ast.ExprStmt):
            self.expr(s.expr, None)
        elif isinstance(s, ast.For):
            self.for_loop(s)
        elif isinstance(s, ast.While):
            self.while_loop(s)
        elif isinstance(s, ast.Return):
            self.return_stmt(s)

    def bind_pattern(self, pat, v: TV) -> None:
        if isinstance(pat, ast.NamePattern):
            self.scopes[-1][pat.name] = Binding(v.type, v.payload, pat.mutable, pat.span)
        elif isinstance(pat, ast.TuplePattern):
            if not isinstance(v.type, Tuple) or len(v.type.elements) != len(pat.elements):
                raise error("E0206", f"this pattern has {len(pat.elements)} elements but the value is `{v.type}`",
                            pat.span)
            for p, t, x in zip(pat.elements, v.type.elements, v.payload, strict=True):
                self.bind_pattern(p, TV(t, x))

    def return_stmt(self, s: ast.Return) -> None:
        if self.frame is None or self.frame.fn is None:
            raise error("E0304", "`return` outside a function", s.span)
        if not self.frame.unconstrained:
            raise error("E0304", "early `return` is only allowed in unconstrained functions", s.span,
                        "use the block's tail expression", ["constrained functions end with their tail expression"])
        ret_t = self.resolve_type(self.frame.fn.ret) if self.frame.fn.ret is not None else UNIT
        v = self.expr(s.value, ret_t) if s.value is not None else TV(UNIT, ())
        self.expect_type(ret_t, v.type, s.value.span if s.value is not None else s.span, " in `return`")
        if self.mode is Mode.CONCRETE:
            raise _Return(v)

    def for_loop(self, s: ast.For) -> None:
        start = self.expr(s.start, U32)
        end = self.expr(s.end, U32)
        for v, part in ((start, s.start), (end, s.end)):
            if v.type != U32:
                raise error("E0200", f"loop bounds are `u32`, found `{v.type}`", part.span)
        a, b = start.payload.const, end.payload.const
        if a is None or b is None:
            if self.mode is Mode.CHECK:
                self._loop_body(s, self.prog.emit("input", (), ("u32",), s.span, ("loop", False)).result)
                return
            bad = s.start if a is None else s.end
            raise error("E0300", "loop bounds must be compile-time constants", bad.span, "depends on the witness",
                        ["runtime-bounded loops are allowed in `unconstrained fn`s"])
        stop = b + 1 if s.inclusive else b
        count = max(0, stop - a)
        if count > self.max_unroll and self.mode is not Mode.CONCRETE:
            raise error("E0303", f"this loop unrolls to {count} iterations, more than the bound {self.max_unroll}",
                        s.span, notes=["raise `max_unroll` in psy.toml [compile] or `--max-unroll`"])
        if self.mode is Mode.CHECK:
            self._loop_body(s, self.prog.emit("input", (), ("u32",), s.span, ("loop", False)).result)
            return
        for i in range(a, stop):
            self._tick(s.span)
            self._loop_body(s, self.const(i, U32))

    def _tick(self, span: Span) -> None:
        if self.mode is Mode.CONCRETE:
            self.steps += 1
            if self.steps > MAX_CONCRETE_STEPS:
                raise ExecutionError(f"an unconstrained call ran more than {MAX_CONCRETE_STEPS} loop iterations",
                                     span)

    def _loop_body(self, s: ast.For, i: Value) -> None:
        self.scopes.append({s.var: Binding(U32, i, False, s.span)})
        try:
            self.block(s.body, None)
        finally:
            self.scopes.pop()

    def while_loop(self, s: ast.While) -> None:
        if not (self.frame and self.frame.unconstrained):
            raise error("E0304", "`while` is only allowed in unconstrained functions", s.span,
                        notes=["constrained loops need compile-time bounds: `for i in 0..N`"])
        if self.mode is Mode.CHECK:
            c = self.expr(s.cond, BOOL)
            self.expect_type(BOOL, c.type, s.cond.span)
            self.block(s.body, None)
            return
        while True:
            c = self.expr(s.cond, BOOL)
            self.expect_type(BOOL, c.type, s.cond.span)
            if not c.payload.const:
                break
            self._tick(s.span)
            self.block(s.body, None)

    # --- assignment ---------------------------------------------------------------------
    def assign(self, s: ast.Assign) -> None:
        found = self.storage_place(s.target)
        if found is not None:
            return self.storage_assign(s, *found)
        chain = []
        e = s.target
        while isinstance(e, ast.Index | ast.Field):
            chain.append(e)
            e = e.base
        if not (isinstance(e, ast.PathExpr) and len(e.segments) == 1):
            raise error("E0202", "invalid left-hand side of assignment", s.target.span,
                        notes=["assign to a variable, an element `a[i]` or a field `s.f`"])
        b = self.lookup_var(e.segments[0])
        if b is None:
            what = "a constant" if self.lookup_item(self.module, e.segments, e.span, ast.ConstDecl) else ""
            if what:
                raise error("E0202", f"cannot assign to {what} `{e.segments[0]}`", s.target.span)
            raise error("E0100", f"cannot find variable `{e.segments[0]}` in this scope", e.span, "not found",
                        _did_you_mean(e.segments[0], [n for sc in self.scopes for n in sc]))
        if b.type is POISON:
            raise _Poisoned()
        if not b.mutable:
            d = Diagnostic.error("E0202", f"cannot assign twice to immutable variable `{e.segments[0]}`",
                                 s.span, "cannot assign")
            if b.span is not None:
                d.labels.append(Label(b.span, self._mutable_help(b.span, e.segments[0]), primary=False))
            raise CompileError([d])
        # resolve the place once: field steps, and index steps with their index values
        steps = []
        t = b.type
        for step in chain[::-1]:
            if isinstance(step, ast.Field):
                steps.append((step, None, None))
                t = self._field_type(t, step)
                continue
            if not isinstance(t, Array):
                raise error("E0204", f"cannot index into a value of type `{t}`", step.base.span)
            idx = self.index_value(step)
            hits = None
            if idx.const is not None:
                if idx.const >= t.length and self.mode is not Mode.CHECK:
                    self._out_of_bounds(t.length, idx.const, step.index.span)
            else:
                if t.length == 0 and self.mode is not Mode.CHECK:
                    raise error("E0302", "index into an empty array", step.span)
                hits = [self.emit1("eq", (idx, self.prog.const(j, idx.type)), "bool", step.span)
                        for j in range(t.length)]
                if s.op == "=":  # (`a[i] op= e` reads a[i] first, which checks i)
                    self._bounds_check(idx, hits, step.index.span)
            steps.append((step, idx, hits))
            t = t.element
        if s.op == "=":
            v = self.expr(s.value, t)
            self.expect_type(t, v.type, s.value.span, " in assignment")
        else:
            cur = self._read_place(b.type, b.payload, steps, s.target.span)
            op = s.op[:-1]
            if op in ("<<", ">>"):
                v = self.shift_value(op, cur, s.value, s.span)
            else:
                rhs = self.expr(s.value, cur.type)
                v = self.binop(op, cur, rhs, s.span, s.value.span)
            self.expect_type(t, v.type, s.value.span, " in assignment")
        b.payload = self._write(b.type, b.payload, steps, v, s.span)

    def _read_place(self, t: Type, payload, steps, span: Span) -> TV:
        for step, idx, hits in steps:
            if idx is None:
                payload = payload[self._field_index(t, step)]
                t = self._field_type(t, step)
            elif hits is None:
                payload = payload[idx.const] if idx.const < t.length else None
                t = t.element
                if payload is None:  # check mode only
                    return self._opaque(t, span)
            else:
                t, payload = t.element, self._read_items(idx, t, payload, step.span).payload
        return TV(t, payload)

    def _write(self, t: Type, payload, steps, v: TV, span: Span):
        if not steps:
            return v.payload
        (step, idx, hits), rest = steps[0], steps[1:]
        if idx is None:
            ft = self._field_type(t, step)
            k = self._field_index(t, step)
            items = list(payload)
            items[k] = self._write(ft, payload[k], rest, v, span)
            return tuple(items)
        items = list(payload)
        if hits is None:
            if idx.const < t.length:  # (out of bounds only in check mode)
                items[idx.const] = self._write(t.element, payload[idx.const], rest, v, span)
            return items
        for j in range(t.length):
            new = self._write(t.element, payload[j], rest, v, span)
            items[j] = self.select(hits[j], t.element, new, payload[j], span)
        return items

    def _bounds_check(self, idx: Value, hits: list[Value], span: Span) -> None:
        """A witness index must name an element: a (predicated) ``read`` of the hit flags
        fails like an out-of-bounds read (E0503) when none is set."""
        n = len(hits)
        if n > ty.SCALARS[idx.type].max_value:
            return  # every value of the index type is in bounds
        self.emit1("read", (idx, *hits), "bool", span, predicated=True)

    def _out_of_bounds(self, n: int, i: int, span: Span):
        msg = f"index out of bounds: the length is {n} but the index is {i}"
        if self.mode is Mode.CONCRETE:
            raise ExecutionError(msg, span, code=E_BOUNDS, label="index out of bounds")
        raise error("E0302", msg, span, "index out of bounds")

    # =====================================================================================
    # expressions
    # =====================================================================================
    def expr(self, e, expected: Type | None) -> TV:
        m = getattr(self, "e_" + type(e).__name__)
        tv = m(e, expected)
        if self.observe is not None:
            self.observe(e, tv.type)
        return tv

    def e_IntLit(self, e: ast.IntLit, expected) -> TV:
        t = expected if isinstance(expected, Scalar) and expected != BOOL else FELT
        if e.value > t.max_value:
            rng = f"0..={t.max_value}"
            raise error("E0207", f"literal out of range for `{t}`", e.span, f"`{t}` holds {rng}")
        return TV(t, self.const(e.value, t))

    def e_BoolLit(self, e: ast.BoolLit, expected) -> TV:
        return TV(BOOL, self.const(int(e.value), BOOL))

    def e_StrLit(self, e: ast.StrLit, expected) -> TV:
        raise error("E0200", "string literals are only allowed as assert messages and attribute arguments", e.span)

    def e_PathExpr(self, e: ast.PathExpr, expected) -> TV:
        if len(e.segments) == 1:
            b = self.lookup_var(e.segments[0])
            if b is not None:
                if b.type is POISON:
                    raise _Poisoned()
                return TV(b.type, b.payload)
        found = self.lookup_item(self.module, e.segments, e.span, ast.ConstDecl)
        if found is not None:
            return self.const_item(*found)
        name = "::".join(e.segments)
        known = [n for s in self.scopes for n in s] + [
            n for n, it in self.module.items.items() if isinstance(it, ast.ConstDecl)
        ]
        raise error("E0100", f"cannot find value `{name}` in this scope", e.span, "not found",
                    _did_you_mean(e.segments[-1], known))

    def e_Block(self, e: ast.Block, expected) -> TV:
        return self.block(e, expected)

    def e_Unsafe(self, e: ast.Unsafe, expected) -> TV:
        self.unsafe_depth += 1
        try:
            return self.block(e.body, expected)
        finally:
            self.unsafe_depth -= 1

    def e_TupleExpr(self, e: ast.TupleExpr, expected) -> TV:
        exp = expected.elements if isinstance(expected, Tuple) and len(expected.elements) == len(e.elements) else None
        vals = [self.expr(x, exp[k] if exp else None) for k, x in enumerate(e.elements)]
        return TV(Tuple(tuple(v.type for v in vals)), tuple(v.payload for v in vals))

    def e_ArrayLit(self, e: ast.ArrayLit, expected) -> TV:
        hint = expected.element if isinstance(expected, Array) else None
        el_t = hint if hint is not None and _complete(hint) else None
        if not e.elements:
            if el_t is None:
                raise error("E0208", "cannot infer the type of an empty array", e.span,
                            notes=["annotate it: `let xs: [Felt; 0] = [];`"])
            return TV(Array(el_t, 0), [])
        order = list(range(len(e.elements)))
        if el_t is None:
            # the first element that is not a bare literal fixes the type; literals adapt
            # (they have no effects, so evaluating that one first changes nothing else)
            k = next((i for i, x in enumerate(e.elements) if not _literal_like(x)), 0)
            order = [k] + [i for i in order if i != k]
        vals: list = [None] * len(order)
        for i in order:
            x = e.elements[i]
            v = self.expr(x, el_t or hint)
            if el_t is None:
                el_t = v.type
            self.expect_type(el_t, v.type, x.span, " in array literal")
            vals[i] = v.payload
        return TV(Array(el_t, len(vals)), vals)

    def e_ArrayRepeat(self, e: ast.ArrayRepeat, expected) -> TV:
        n = self.const_u32(e.count, "an array length")
        v = self.expr(e.value, expected.element if isinstance(expected, Array) else None)
        return TV(Array(v.type, n), [v.payload] * n)

    def e_StructLit(self, e: ast.StructLit, expected) -> TV:
        st = self.resolve_struct(e.name, e.span)
        given = {}
        for fname, fexpr in e.fields:
            ft = st.field_type(fname)
            if ft is None:
                raise error("E0104", f"struct `{st.name}` has no field named `{fname}`", fexpr.span,
                            notes=_did_you_mean(fname, [n for n, _ in st.fields]))
            if fname in given:
                raise error("E0104", f"field `{fname}` specified more than once", fexpr.span)
            v = self.expr(fexpr, ft)
            self.expect_type(ft, v.type, fexpr.span, f" for field `{fname}`")
            given[fname] = v.payload
        missing = [n for n, _ in st.fields if n not in given]
        if missing:
            raise error("E0105", f"missing field(s) {', '.join(f'`{m}`' for m in missing)} in `{st.name}`", e.span)
        return TV(st, tuple(given[n] for n, _ in st.fields))

    def _field_type(self, t: Type, e: ast.Field) -> Type:
        if isinstance(t, Struct):
            ft = t.field_type(e.name)
            if ft is None:
                raise error("E0205", f"no field `{e.name}` on type `{t}`", e.span,
                            notes=_did_you_mean(e.name, [n for n, _ in t.fields]))
            return ft
        if isinstance(t, Tuple) and e.name.isdigit():
            k = int(e.name)
            if k >= len(t.elements):
                raise error("E0205", f"no field `{k}` on a tuple of {len(t.elements)} elements", e.span)
            return t.elements[k]
        raise error("E0205", f"no field `{e.name}` on type `{t}`", e.span)

    def _field_index(self, t: Type, e: ast.Field) -> int:
        return t.field_index(e.name) if isinstance(t, Struct) else int(e.name)

    def e_Field(self, e: ast.Field, expected) -> TV:
        found = self.storage_place(e)
        if found is not None:
            return self.load(found[0], e.span)
        base = self.expr(e.base, None)
        if isinstance(base.type, ty.ProofT):
            n = base.type.num_public_inputs
            if e.name == "public_inputs":
                return TV(Array(FELT, n), list(base.payload[0]))
            if e.name == "fingerprint":
                return TV(ty.HASH, list(base.payload[1]))
            raise error("E0205", f"no field `{e.name}` on `{base.type}`", e.span,
                        notes=["a proof has `.public_inputs` and `.fingerprint`"])
        ft = self._field_type(base.type, e)
        return TV(ft, base.payload[self._field_index(base.type, e)])

    def index_value(self, e: ast.Index) -> Value:
        idx = self.expr(e.index, U32)
        if not (isinstance(idx.type, Scalar) and idx.type.is_int):
            raise error("E0200", f"an index must be an unsigned integer, found `{idx.type}`", e.index.span,
                        notes=["convert with `as u32`"])
        return idx.payload

    def e_Index(self, e: ast.Index, expected) -> TV:
        found = self.storage_place(e)
        if found is not None:
            return self.load(found[0], e.span)
        base = self.expr(e.base, None)
        if not isinstance(base.type, Array):
            raise error("E0204", f"cannot index into a value of type `{base.type}`", e.base.span)
        t = base.type
        idx = self.index_value(e)
        if idx.const is not None:
            if idx.const >= t.length:
                if self.mode is Mode.CHECK:
                    return self._opaque(t.element, e.span)
                self._out_of_bounds(t.length, idx.const, e.index.span)
            return TV(t.element, base.payload[idx.const])
        if t.length == 0:
            if self.mode is Mode.CHECK:  # (a symbolic index into an empty array: never runs)
                return self._opaque(t.element, e.span)
            raise error("E0302", "index into an empty array", e.span)
        return self._read_items(idx, t, base.payload, e.span)

    def _read_items(self, idx: Value, t: Array, payload, span: Span) -> TV:
        """``payload[idx]`` for a witness index: one (predicated) ``read`` per leaf."""
        per_item = [ty.flatten(t.element, item) for item in payload]
        leaves = []
        for k, st in enumerate(ty.leaf_types(t.element)):
            items = [flat[k] for flat in per_item]
            leaves.append(self.emit1("read", (idx, *items), st.name, span, predicated=True))
        return TV(t.element, ty.unflatten(t.element, leaves)[0])

    def _opaque(self, t: Type, span: Span) -> TV:
        leaves = [self.prog.emit("hint", (), (s.name,), span, (_OPAQUE,)).result for s in ty.leaf_types(t)]
        return TV(t, ty.unflatten(t, leaves)[0])

    def e_If(self, e: ast.If, expected) -> TV:
        c = self.expr(e.cond, BOOL)
        self.expect_type(BOOL, c.type, e.cond.span, " in `if` condition")
        cv = c.payload
        if cv.const is not None:
            # a compile-time condition: only the taken branch is elaborated (generic code may
            # be meaningless in the other). A literal result still takes the other's type.
            taken, other = (e.then, e.otherwise) if cv.const else (e.otherwise, e.then)
            v = self.block(e.then, expected) if cv.const else self._else(e, expected)
            if (expected is None and isinstance(taken, ast.Block) and not taken.stmts and taken.tail is not None
                    and _literal_like(taken.tail) and other is not None):
                t = self._peek_type(other)
                if isinstance(t, Scalar) and t != v.type:
                    v = self.expr(taken.tail, t)
            return v
        bindings = [b for scope in self.scopes for b in scope.values()]
        before = [b.payload for b in bindings]
        outer = self.pred
        self.pred = self.and_(outer, cv, e.cond.span)
        try:
            then_v = self.block(e.then, expected)
            then_p = [b.payload for b in bindings]
            for b, p in zip(bindings, before, strict=True):
                b.payload = p
            self.pred = self.and_(outer, self.emit1("not", (cv,), "bool", e.cond.span), e.cond.span)
            else_v = self._else(e, (expected or then_v.type) if e.otherwise is not None else None)
            else_p = [b.payload for b in bindings]
            if (then_v.type != else_v.type and not e.then.stmts and e.then.tail is not None
                    and _literal_like(e.then.tail)):
                then_v = self.expr(e.then.tail, else_v.type)  # `if c { 0 } else { x }`: constants only
        finally:
            self.pred = outer
        for b, tp, ep in zip(bindings, then_p, else_p, strict=True):
            if tp is not ep:
                b.payload = self.select(cv, b.type, tp, ep, e.span)
        if e.otherwise is None:
            return TV(UNIT, ())
        if then_v.type != else_v.type:
            span = e.otherwise.tail.span if isinstance(e.otherwise, ast.Block) and e.otherwise.tail else e.span
            raise error("E0200", f"`if` and `else` have incompatible types: `{then_v.type}` and `{else_v.type}`",
                        span)
        return TV(then_v.type, self.select(cv, then_v.type, then_v.payload, else_v.payload, e.span))

    def _peek_type(self, e) -> Type | None:
        """The type of ``e`` where it is evident without elaborating it (a variable, a cast,
        a comparison, an operator on one of those, ...), else None. Only used to type a
        literal against a branch that is not elaborated."""
        try:
            if isinstance(e, ast.Block):
                return self._peek_type(e.tail) if e.tail is not None and not e.stmts else None
            if isinstance(e, ast.If):
                return self._peek_type(e.then) or (self._peek_type(e.otherwise) if e.otherwise else None)
            if isinstance(e, ast.BoolLit):
                return BOOL
            if isinstance(e, ast.PathExpr):
                b = self.lookup_var(e.segments[0]) if len(e.segments) == 1 else None
                return b.type if b is not None else None
            if isinstance(e, ast.Cast):
                return self.resolve_type(e.target)
            if isinstance(e, ast.Unary):
                return BOOL if e.op == "!" and self._peek_type(e.operand) == BOOL else self._peek_type(e.operand)
            if isinstance(e, ast.Binary):
                if e.op in _COMPARISONS or e.op in ("&&", "||"):
                    return BOOL
                left = self._peek_type(e.left)
                return left if left is not None or e.op in ("<<", ">>") else self._peek_type(e.right)
            if isinstance(e, ast.Index):
                t = self._peek_type(e.base)
                return t.element if isinstance(t, Array) else None
            if isinstance(e, ast.MethodCall):
                if e.method == "len":
                    return U32
                return self._peek_type(e.receiver) if e.method.startswith("wrapping_") else None
        except CompileError:
            return None
        return None

    def _else(self, e: ast.If, expected) -> TV:
        if e.otherwise is None:
            return TV(UNIT, ())
        if isinstance(e.otherwise, ast.If):
            return self.e_If(e.otherwise, expected)
        return self.block(e.otherwise, expected)

    # --- operators ---------------------------------------------------------------------------
    def operands(self, left, right, expected) -> tuple[TV, TV]:
        if _literal_like(left) and not _literal_like(right):
            r = self.expr(right, expected)
            return self.expr(left, r.type), r
        lv = self.expr(left, expected)
        return lv, self.expr(right, lv.type)

    def e_Unary(self, e: ast.Unary, expected) -> TV:
        if e.op == "-" and isinstance(e.operand, ast.IntLit):
            t = expected if isinstance(expected, Scalar) and expected != BOOL else FELT
            if t != FELT:
                raise error("E0201", f"cannot negate a value of unsigned type `{t}`", e.span)
            if e.operand.value >= P:
                raise error("E0207", "literal out of range for `Felt`", e.span)
            return TV(FELT, self.const(-e.operand.value, FELT))
        v = self.expr(e.operand, expected)
        t = v.type
        if e.op == "-":
            if t != FELT:
                raise error("E0201", f"cannot negate a value of type `{t}`", e.span,
                            notes=["only `Felt` has negation; unsigned integers do not"])
            return TV(t, self.emit1("neg", (v.payload,), "Felt", e.span))
        if t == BOOL:
            return TV(t, self.emit1("not", (v.payload,), "bool", e.span))
        if isinstance(t, Scalar) and t.is_int and t.bits < 64:
            return TV(t, self.emit1("sub", (self.const(t.max_value, t), v.payload), t.name, e.span))
        notes = []
        if t == ty.U64:
            notes = ["`!x` on u64 would exceed p - 1 for most x (u64 values live in the field); "
                     "use `x ^ mask` with an explicit mask"]
        raise error("E0201", f"cannot apply `!` to a value of type `{t}`", e.span, notes=notes)

    def e_Binary(self, e: ast.Binary, expected) -> TV:
        op = e.op
        if op in ("&&", "||"):
            return self.logical(e)
        if op in ("<<", ">>"):
            return self.shift(e, expected)
        a, b = self.operands(e.left, e.right, None if op in _COMPARISONS else expected)
        return self.binop(op, a, b, e.span, e.right.span)

    def binop(self, op: str, a: TV, b: TV, span: Span, right_span: Span) -> TV:
        """``a op b`` on evaluated operands (all binary operators but `&&` `||` `<<` `>>`)."""
        for v in (a, b):
            if isinstance(v.type, StorageT):
                raise _storage_value_error(v.type, span)
        if a.type != b.type:
            casts = [f"`as {t}`" for t in dict.fromkeys((a.type, b.type)) if isinstance(t, Scalar) and t != BOOL]
            scalars = isinstance(a.type, Scalar) and isinstance(b.type, Scalar)
            raise error("E0200", f"mismatched types: `{a.type}` {op} `{b.type}`", right_span,
                        f"expected `{a.type}`, found `{b.type}`",
                        [f"convert one side with {' or '.join(casts)}"] if scalars and casts else [])
        t = a.type
        if op in ("==", "!="):
            eq = None
            for x, y in zip(ty.flatten(t, a.payload), ty.flatten(t, b.payload), strict=True):
                bit = self.emit1("eq", (x, y), "bool", span)
                eq = bit if eq is None else self.emit1("and", (eq, bit), "bool", span)
            if eq is None:
                eq = self.const(1, BOOL)
            return TV(BOOL, eq if op == "==" else self.emit1("not", (eq,), "bool", span))
        if not isinstance(t, Scalar):
            raise error("E0201", f"cannot apply `{op}` to values of type `{t}`", span,
                        notes=["aggregates support `==` and `!=` only"])
        x, y = a.payload, b.payload
        if op in ("<", "<=", ">", ">="):
            if not t.is_int:
                raise error("E0201", f"ordering comparisons are defined on integers, not `{t}`", span,
                            notes=["cast to an integer type first, e.g. `as u64`"])
            if op == "<":
                return TV(BOOL, self.emit1("lt", (x, y), "bool", span))
            if op == ">":
                return TV(BOOL, self.emit1("lt", (y, x), "bool", span))
            inner = self.emit1("lt", (y, x) if op == "<=" else (x, y), "bool", span)
            return TV(BOOL, self.emit1("not", (inner,), "bool", span))
        if op in ("&", "|", "^"):
            return self.bitwise(op, t, x, y, span)
        if t == BOOL:
            raise error("E0201", f"cannot apply `{op}` to `bool`", span,
                        notes=["use `&&`, `||`, `!`, `^` on bool, or cast with `as u32`"])
        if op in ("+", "-", "*"):
            name = {"+": "add", "-": "sub", "*": "mul"}[op]
            return TV(t, self.emit1(name, (x, y), t.name, span, predicated=t.is_int))
        if op == "/":
            if t == FELT:
                return TV(t, self.emit1("div", (x, y), "Felt", span, predicated=True))
            return TV(t, self.emit("divmod", (x, y), (t.name, t.name), span, predicated=True)[0])
        if op == "%":
            if t == FELT:
                raise error("E0201", "`%` is not defined on `Felt`", span,
                            notes=["cast to an integer first, e.g. `(x as u64) % 7`"])
            return TV(t, self.emit("divmod", (x, y), (t.name, t.name), span, predicated=True)[1])
        raise error("E0201", f"unknown operator `{op}`", span)

    def logical(self, e: ast.Binary) -> TV:
        a = self.expr(e.left, BOOL)
        self.expect_type(BOOL, a.type, e.left.span, f" for `{e.op}`")
        x = a.payload
        if x.const is not None:
            if (x.const == 1) == (e.op == "||"):
                return a  # short circuit: true || _, false && _
            b = self.expr(e.right, BOOL)
            self.expect_type(BOOL, b.type, e.right.span, f" for `{e.op}`")
            return b
        outer = self.pred
        guard = x if e.op == "&&" else self.emit1("not", (x,), "bool", e.span)
        self.pred = self.and_(outer, guard, e.span)
        try:
            b = self.expr(e.right, BOOL)
        finally:
            self.pred = outer
        self.expect_type(BOOL, b.type, e.right.span, f" for `{e.op}`")
        return TV(BOOL, self.emit1("and" if e.op == "&&" else "or", (x, b.payload), "bool", e.span))

    def bits_of(self, v: Value, t: Scalar, n: int, span: Span) -> list[Value]:
        """n little-endian bits of v, padded with false above the type's width. Fewer bits
        than the type holds is a range check (made harmless in an untaken branch)."""
        full = t.bits if t.is_int else 64
        width = min(n, full)
        src = v
        if width < full and self.pred is not None:
            src = self.select(self.pred, t, v, self.const(0, t), span)
        bits = list(self.emit("to_bits", (src,), ["bool"] * width, span, (width,)))
        return bits + [self.const(0, BOOL)] * (n - width)

    def bitwise(self, op: str, t: Scalar, x: Value, y: Value, span: Span) -> TV:
        name = {"&": "and", "|": "or", "^": "xor"}[op]
        if t == BOOL:
            return TV(t, self.emit1(name, (x, y), "bool", span))
        if not t.is_int:
            raise error("E0201", f"bitwise `{op}` is defined on integers and bool, not `{t}`", span)
        xb, yb = self.bits_of(x, t, t.bits, span), self.bits_of(y, t, t.bits, span)
        out = [self.emit1(name, (p, q), "bool", span) for p, q in zip(xb, yb, strict=True)]
        return self.from_bits(out, t, span)

    def from_bits(self, bits: list[Value], t: Scalar, span: Span) -> TV:
        """The value of little-endian ``bits`` as ``t``. 64 bits with the top one possibly
        set may exceed p - 1: that fails (the value would alias x - p)."""
        if len(bits) < 64 or all(b.const == 0 for b in bits[63:]):
            return TV(t, self.emit1("from_bits", bits[:63], t.name, span))
        # x = hi * 2^32 + lo >= p = 2^64 - 2^32 + 1  <=>  hi = 2^32 - 1 and lo != 0
        lo = self.emit1("from_bits", bits[:32], "Felt", span)
        hi = self.emit1("from_bits", bits[32:64], "Felt", span)
        hi_full = self.emit1("eq", (hi, self.const((1 << 32) - 1, FELT)), "bool", span)
        lo_zero = self.emit1("eq", (lo, self.const(0, FELT)), "bool", span)
        bad = self.emit1("and", (hi_full, self.emit1("not", (lo_zero,), "bool", span)), "bool", span)
        what = "u64 values live in the field" if t.is_int else "a field element is below p"
        self.check("assert", (self.emit1("not", (bad,), "bool", span),), span,
                   (f"`{t}` result exceeds p - 1 ({what})", ()))
        v = self.emit1("arith", (hi, self.const(1, FELT), lo), "Felt", span, (1 << 32, 1))
        return TV(t, v if t == FELT else self.emit1("cast", (v,), t.name, span))

    def shift(self, e: ast.Binary, expected) -> TV:
        return self.shift_value(e.op, self.expr(e.left, expected), e.right, e.span)

    def shift_value(self, op: str, a: TV, amount: ast.Expr, span: Span) -> TV:
        """``a << k`` / ``a >> k`` for a compile-time ``k``; bits shifted out are dropped."""
        t = a.type
        if not (isinstance(t, Scalar) and t.is_int):
            raise error("E0201", f"`{op}` is defined on unsigned integers, not `{t}`", span)
        k = self.const_u32(amount, "a shift amount")
        if k >= t.bits:
            raise error("E0301", f"shift by {k} overflows `{t}` ({t.bits} bits)", amount.span,
                        f"must be below {t.bits}")
        bits = self.bits_of(a.payload, t, t.bits, span)
        zero = self.const(0, BOOL)
        bits = [zero] * k + bits[: t.bits - k] if op == "<<" else bits[k:] + [zero] * k
        return self.from_bits(bits, t, span)

    def e_Cast(self, e: ast.Cast, expected) -> TV:
        target = self.resolve_type(e.target)
        v = self.expr(e.expr, target if isinstance(e.expr, ast.IntLit) else None)
        src = v.type
        if not (isinstance(src, Scalar) and isinstance(target, Scalar)):
            raise error("E0203", f"cannot cast `{src}` as `{target}`", e.span)
        if src == target:
            return v
        if target == BOOL:
            raise error("E0203", f"cannot cast `{src}` as `bool`", e.span, notes=["compare instead: `x != 0`"])
        x = v.payload
        narrowing = target.is_int and (src == FELT or (src.is_int and src.bits > target.bits))
        if narrowing and target.bits < 64:
            self.check("range_check", (x,), e.span, (target.bits, f"value does not fit in `{target}`"))
            if self.pred is not None:
                x = self.select(self.pred, src, x, self.const(0, src), e.span)
        return TV(target, self.emit1("cast", (x,), target.name, e.span))

    def e_Call(self, e: ast.Call, expected) -> TV:
        return self.call(e, expected)

    def e_MethodCall(self, e: ast.MethodCall, expected) -> TV:
        place = self.storage_place(e.receiver) if isinstance(e.receiver, ast.Field | ast.Index) else None
        recv = self.load(place[0], e.receiver.span) if place is not None else self.expr(e.receiver, None)
        t = recv.type
        m = e.method
        if isinstance(t, Struct) and t.name == "Ctx" and t.module == "std::parth" and m == "state_of":
            return self.state_of(recv, e)
        if isinstance(t, Struct | StorageT):
            found = self.find_method(t.struct if isinstance(t, StorageT) else t, m)
            if found is not None:
                return self.method_call(found, recv, e, place, expected)
        if m == "len" and isinstance(t, Array) and not e.args:
            return TV(U32, self.const(t.length, U32))
        if m == "to_bits" and isinstance(t, Scalar) and t != BOOL:
            if e.generic_args:
                n = self.const_u32(e.generic_args[0], "the number of bits")
            elif isinstance(expected, Array) and expected.element == BOOL and expected.length != HOLE:
                n = expected.length
            else:
                n = t.bits if t.is_int else 64
            bits = self.bits_of(recv.payload, t, n, e.span)
            return TV(Array(BOOL, n), bits)
        if m in ("wrapping_add", "wrapping_sub", "wrapping_mul") and isinstance(t, Scalar) and t.is_int:
            if len(e.args) != 1:
                raise error("E0106", f"`{m}` takes one argument", e.span)
            if t.bits == 64:
                raise error("E0201", f"`{m}` is not available on `u64`", e.span,
                            notes=["u64 values live in the field (0..p-1); wrapping is defined for u8, u16 and u32"])
            y = self.expr(e.args[0], t)
            self.expect_type(t, y.type, e.args[0].span, f" for `{m}`")
            return TV(t, self.emit1("wrap", (recv.payload, y.payload), t.name, e.span, (m.split("_")[1],)))
        raise error("E0201", f"no method `{m}` on type `{t}`", e.span,
                    notes=_did_you_mean(m, ["to_bits", "len", "wrapping_add", "wrapping_sub", "wrapping_mul"]))

    # =====================================================================================
    # impl blocks, methods and contract storage (psyc.frontend.storage)
    # =====================================================================================
    @staticmethod
    def tv(t: Type, payload) -> TV:
        return TV(t, payload)

    def call_std(self, module_name: str, fn_name: str, args: list[TV], span: Span) -> TV:
        """Inline a standard-library function on elaborated arguments (const generics
        inferred from the argument types)."""
        mod = self.loader.module(module_name, span)
        fn = mod.items[fn_name]
        generics: dict[str, int] = {}
        names = {g.name for g in fn.generics}
        for p, a in zip(fn.params, args, strict=True):
            _unify(p.type, a.type, names, generics)
        return self.inline(mod, fn, generics, args, span)

    def _call_args(self, module: Module, fn: ast.FnDecl, e, expected) -> tuple[dict[str, int], list[TV]]:
        if len(e.args) != len(fn.params):
            raise error("E0106", f"`{fn.name}` takes {len(fn.params)} argument(s) but {len(e.args)} were given",
                        e.span, notes=[f"defined at {self._where(fn.span)}"])
        generics = self.bind_generics(module, fn, e, expected)
        args = [self.expr(a, self._param_type(module, fn, p, generics)) for p, a in zip(fn.params, e.args, strict=True)]
        self._infer_generics(module, fn, generics, args, e)
        for p, a, v in zip(fn.params, e.args, args, strict=True):
            pt = self._param_type(module, fn, p, generics)
            self.expect_type(pt, v.type, a.span, f" for argument `{p.name}` of `{fn.name}`")
        return generics, args

    def struct_decl(self, st: Struct) -> ast.StructDecl | None:
        mod = self.loader.modules.get(st.module)
        item = mod.items.get(st.name) if mod is not None else None
        return item if isinstance(item, ast.StructDecl) else None

    def is_contract(self, st: Struct) -> bool:
        decl = self.struct_decl(st)
        return decl is not None and any(a.name == "contract" for a in decl.attributes)

    def find_method(self, st: Struct, name: str) -> tuple[Module, ast.FnDecl] | None:
        mod = self.loader.modules.get(st.module)
        fn = mod.impls.get(st.name, {}).get(name) if mod is not None else None
        return (mod, fn) if fn is not None else None

    def _inside_impl(self, st: Struct) -> bool:
        mod = self.loader.modules.get(st.module)
        fns = mod.impls.get(st.name, {}).values() if mod is not None else ()
        return self.frame is not None and any(fn is self.frame.fn for fn in fns)

    def method_call(self, found, recv: TV, e: ast.MethodCall, place, expected) -> TV:
        module, fn = found
        st = recv.type.struct if isinstance(recv.type, StorageT) else recv.type
        if fn.receiver is None:
            raise error("E0201", f"`{st.name}::{fn.name}` is an associated function, not a method", e.span,
                        notes=[f"call it as `{st.name}::{fn.name}(..)`"])
        if (self.is_contract(st) and not self._inside_impl(st)
                and not any(a.name == "method" for a in fn.attributes)):
            raise error("E0901", f"`{fn.name}` is not a #[method] of contract `{st.name}`", e.span,
                        "called from outside the contract",
                        ["only methods marked #[method] are entry points; helpers are called from the "
                         "contract's own methods"])
        generics, args = self._call_args(module, fn, e, expected)
        mutating = fn.receiver == "&mut self"
        root_b = self.lookup_var(e.receiver.segments[0]) if (
            isinstance(e.receiver, ast.PathExpr) and len(e.receiver.segments) == 1) else None
        if isinstance(recv.type, StorageT):
            if mutating and recv.payload.readonly:
                raise self._readonly_error(recv.payload, e.span)
            if mutating and root_b is not None and not root_b.mutable:
                raise error("E0202", f"cannot call `&mut self` method `{fn.name}` on an immutable binding", e.span,
                            notes=["declare it `let mut`, or call it from a `&mut self` method"])
            receiver = Binding(recv.type, recv.payload, mutating, e.span)
            return self.inline(module, fn, generics, args, e.span, receiver)
        receiver = Binding(recv.type, recv.payload, mutating, e.span)
        result = self.inline(module, fn, generics, args, e.span, receiver)
        if mutating:
            if place is not None:
                self._storage_store_checked(place, TV(recv.type, receiver.payload), e.span)
            else:
                self.scopes.append({"$receiver": Binding(recv.type, receiver.payload, False, e.span)})
                try:
                    self.assign(ast.Assign(e.receiver, "=", ast.PathExpr(("$receiver",), e.span), e.span))
                finally:
                    self.scopes.pop()
        return result

    def associated_call(self, owner, name: str, e: ast.Call, expected) -> TV:
        mod, decl = owner
        with self.entered(mod):
            st = self.resolve_struct(decl.name, e.span)
        fn = mod.impls.get(decl.name, {}).get(name)
        if fn is None and name == "default" and not e.args:
            if self.is_contract(st):
                return TV(StorageT(st), MemoryHandle(st))
            return TV(st, ty.unflatten(st, [self.const(0, s) for s in ty.leaf_types(st)])[0])
        if fn is None:
            raise error("E0100", f"no function `{name}` on `{decl.name}`", e.span, "not found",
                        _did_you_mean(name, [*mod.impls.get(decl.name, {}), "default"]))
        if fn.receiver is not None:
            raise error("E0201", f"`{decl.name}::{name}` is a method", e.span,
                        notes=[f"call it on a value: `x.{name}(..)`"])
        generics, args = self._call_args(mod, fn, e, expected)
        return self.inline(mod, fn, generics, args, e.span)

    def state_of(self, recv: TV, e: ast.MethodCall) -> TV:
        if self.contract is None:
            raise error("E0904", "`ctx.state_of` reads another user's state as of the anchored checkpoint; "
                        "it works in contract methods compiled to circuits", e.span,
                        notes=["in a #[test], call methods on `C::default()` values instead; run `psyc execute` "
                               "with a state file or a store to exercise `state_of`"])
        return self.contract.state_of(self, recv, e)

    def _readonly_error(self, handle, span: Span) -> CompileError:
        return error("E0900", f"cannot write {handle.what}", span, "read-only",
                     ["a transaction writes only its own user's state; `ctx.state_of` gives a read-only view "
                      "as of the anchored checkpoint (use outbox/claim to move value between users)"])

    def storage_place(self, e) -> tuple[Place, Binding] | None:
        """The storage location ``e`` names when it is a field/index chain rooted at a
        storage handle (``self.a[i].b``), else None."""
        chain = []
        x = e
        while isinstance(x, ast.Index | ast.Field):
            chain.append(x)
            x = x.base
        if not (isinstance(x, ast.PathExpr) and len(x.segments) == 1):
            return None
        b = self.lookup_var(x.segments[0])
        if b is None or not isinstance(b.type, StorageT):
            return None
        place = Place(b.payload, b.type.struct, self.const(0, FELT), 0)
        for step in reversed(chain):
            place = self._step_place(place, step)
        return place, b

    def _slot_plus(self, slot: Value, k, span: Span) -> Value:
        if isinstance(k, int):
            if k == 0:
                return slot
            k = self.const(k, FELT)
        key = ("+", slot.const if slot.const is not None else ("v", slot.id), k.const if k.const is not None
               else ("v", k.id))
        if key not in self._slot_memo:
            self._slot_memo[key] = self.emit1("add", (slot, k), "Felt", span)
        return self._slot_memo[key]

    def _step_place(self, place: Place, step) -> Place:
        t = place.type
        if isinstance(step, ast.Field):
            ft = self._field_type(t, step)
            ds, f = field_slots(t)[self._field_index(t, step)]
            return Place(place.handle, ft, self._slot_plus(place.slot, ds, step.span), f if isinstance(ft, Scalar) else 0)
        if not isinstance(t, Array):
            raise error("E0204", f"cannot index into a value of type `{t}`", step.base.span)
        idx_tv = self.expr(step.index, U32)
        it = idx_tv.type
        if not (isinstance(it, Scalar) and it.is_int):
            raise error("E0200", f"an index must be an unsigned integer, found `{it}`", step.index.span)
        if it.bits > 32:
            raise error("E0902", f"a storage array is indexed with `{it}`, which is not bounded by 2^32",
                        step.index.span, "unbounded storage index type",
                        ["index storage with `u32` (or a smaller type): storage has at most 2^32 slots"])
        idx = idx_tv.payload
        n = t.length
        if idx.const is not None:
            if idx.const >= n:
                self._out_of_bounds(n, idx.const, step.index.span)
        elif n <= it.max_value:
            ok = self.emit1("lt", (idx, self.const(n, it)), "bool", step.span)
            self.check("assert", (ok, idx), step.span,
                       (f"storage index out of bounds: the length is {n}", (self._text(step.index.span),)))
        el_t = t.element
        if isinstance(el_t, Scalar):
            if idx.const is not None:
                return Place(place.handle, el_t, self._slot_plus(place.slot, idx.const // 4, step.span),
                             idx.const % 4)
            key = ("bits", idx.id)
            if key not in self._slot_memo:
                bits = self.bits_of(idx, it, it.bits, step.span)
                self._slot_memo[key] = (bits[0], bits[1], self.emit1("from_bits", bits[2:], "Felt", step.span))
            b0, b1, q = self._slot_memo[key]
            return Place(place.handle, el_t, self._slot_plus(place.slot, q, step.span), (b0, b1))
        fp = footprint(el_t)
        if idx.const is not None:
            return Place(place.handle, el_t, self._slot_plus(place.slot, idx.const * fp, step.span), 0)
        key = ("mul", idx.id, fp)
        if key not in self._slot_memo:
            x = self.emit1("cast", (idx,), "Felt", step.span)
            self._slot_memo[key] = x if fp == 1 else self.emit1("mul", (x, self.const(fp, FELT)), "Felt", step.span)
        return Place(place.handle, el_t, self._slot_plus(place.slot, self._slot_memo[key], step.span), 0)

    def _lane(self, felts: list[Value], felt, span: Span) -> Value:
        if isinstance(felt, int):
            return felts[felt]
        b0, b1 = felt
        lo = self.emit1("select", (b0, felts[1], felts[0]), "Felt", span)
        hi = self.emit1("select", (b0, felts[3], felts[2]), "Felt", span)
        return self.emit1("select", (b1, hi, lo), "Felt", span)

    def _typed(self, v: Value, t: Scalar, span: Span) -> Value:
        return v if t == FELT else self.emit1("cast", (v,), t.name, span)

    def load(self, place: Place, span: Span) -> TV:
        """Read a storage value (one Merkle proof per slot it occupies)."""
        t = place.type
        n = footprint(t)
        if n > MAX_LOAD_SLOTS:
            raise error("E0905", f"cannot copy `{t}` ({n:,} storage slots) into the circuit", span,
                        "too large to load", ["read the elements you need: `self.x[i]`"])
        h = place.handle
        if isinstance(t, Scalar):
            return TV(t, self._typed(self._lane(h.read_slot(self, place.slot, span), place.felt, span), t, span))
        slots: dict[int, list[Value]] = {}
        leaves = []
        for (s, f), st in zip(leaf_positions(t), ty.leaf_types(t), strict=True):
            if s not in slots:
                slots[s] = h.read_slot(self, self._slot_plus(place.slot, s, span), span)
            leaves.append(self._typed(slots[s][f], st, span))
        return TV(t, ty.unflatten(t, leaves)[0])

    def store(self, place: Place, v: TV, span: Span) -> None:
        """Write a storage value (one delta proof per slot it occupies)."""
        t = place.type
        h = place.handle
        flat = [x if x.type == "Felt" else self.emit1("cast", (x,), "Felt", span) for x in ty.flatten(t, v.payload)]
        if isinstance(t, Scalar):
            x = flat[0]
            felt = place.felt

            def change(old: list[Value]) -> list[Value]:
                if isinstance(felt, int):
                    return [x if k == felt else old[k] for k in range(4)]
                b0, b1 = felt
                nb0, nb1 = self.emit1("not", (b0,), "bool", span), self.emit1("not", (b1,), "bool", span)
                out = []
                for k in range(4):
                    hit = self.emit1("and", (b0 if k & 1 else nb0, b1 if k & 2 else nb1), "bool", span)
                    out.append(self.emit1("select", (hit, x, old[k]), "Felt", span))
                return out

            h.update_slot(self, place.slot, change, span)
            return
        by_slot: dict[int, dict[int, Value]] = {}
        for (s, f), x in zip(leaf_positions(t), flat, strict=True):
            by_slot.setdefault(s, {})[f] = x
        for s, items in by_slot.items():
            h.update_slot(self, self._slot_plus(place.slot, s, span),
                          lambda old, items=items: [items.get(k, old[k]) for k in range(4)], span)

    def _storage_store_checked(self, found: tuple[Place, Binding], v: TV, span: Span) -> None:
        place, b = found
        if place.handle.readonly:
            raise self._readonly_error(place.handle, span)
        if not b.mutable:
            raise error("E0202", "cannot assign to storage through `&self` or an immutable binding", span,
                        "cannot assign", ["take `&mut self` in a method that writes storage"])
        self.store(place, v, span)

    def storage_assign(self, s: ast.Assign, place: Place, b: Binding) -> None:
        if place.handle.readonly:
            raise self._readonly_error(place.handle, s.target.span)
        if not b.mutable:
            raise error("E0202", "cannot assign to storage through `&self` or an immutable binding", s.target.span,
                        "cannot assign", ["take `&mut self` in a method that writes storage"])
        t = place.type
        if s.op == "=":
            v = self.expr(s.value, t)
        else:
            cur = self.load(place, s.target.span)
            op = s.op[:-1]
            if op in ("<<", ">>"):
                v = self.shift_value(op, cur, s.value, s.span)
            else:
                v = self.binop(op, cur, self.expr(s.value, cur.type), s.span, s.value.span)
        self.expect_type(t, v.type, s.value.span, " in assignment")
        self.store(place, v, s.span)


_BUILTINS = ("assert", "assert_eq", "from_bits", "print", "println")
_PRINT_DECIMAL, _PRINT_BOOL = 0, 1  # how a `print` op shows its next value (psyc.ir.interpret)
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
_ARITH = ("+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>")
HOLE = -1  # the length of an array in a shape hint that a const generic not yet inferred decides
_BIG_HINTS = frozenset({"__big_mod", "__big_div", "__big_moddiv"})  # std::bigint's native hints
_OPAQUE = HintFn("opaque", lambda vals: [])  # a symbolic stand-in in check mode; never executed


def _storage_value_error(t: StorageT, span: Span | None) -> CompileError:
    return error("E0904", f"contract storage (`{t}`) is not a value: it cannot be compared, chosen by a condition, "
                 "or passed to a function", span,
                 notes=["read the fields you need (`self.x`), or make the function a method of the contract"])


def _check_params(fn: ast.FnDecl) -> None:
    """Parameter and const-generic names are distinct (E0103)."""
    seen: set[str] = set()
    for name, span in [(g.name, g.span) for g in fn.generics] + [(p.name, p.span) for p in fn.params]:
        if name in seen:
            raise error("E0103", f"the name `{name}` is bound more than once in the parameters of `{fn.name}`",
                        span, "used again here")
        seen.add(name)


def _contains_proof(t: Type) -> bool:
    if isinstance(t, ty.ProofT):
        return True
    if isinstance(t, Array):
        return _contains_proof(t.element)
    if isinstance(t, Tuple):
        return any(_contains_proof(x) for x in t.elements)
    if isinstance(t, Struct):
        return any(_contains_proof(f) for _, f in t.fields)
    return False


def _same(a: Diagnostic, b: Diagnostic) -> bool:
    return a.code == b.code and a.message == b.message and [lb.span for lb in a.labels] == [
        lb.span for lb in b.labels
    ]


def _pattern_names(pat) -> list[tuple[str, Span]]:
    if isinstance(pat, ast.NamePattern):
        return [(pat.name, pat.span)]
    if isinstance(pat, ast.TuplePattern):
        return [n for p in pat.elements for n in _pattern_names(p)]
    return []


def _literal_like(e) -> bool:
    """An integer literal, or arithmetic on literals only (`-1`, `2 * 3`): it has no type of
    its own and takes the type of the other operand."""
    if isinstance(e, ast.IntLit):
        return True
    if isinstance(e, ast.Unary):
        return e.op == "-" and _literal_like(e.operand)
    if isinstance(e, ast.Binary):
        return e.op in _ARITH and _literal_like(e.left) and _literal_like(e.right)
    return False


def _complete(t: Type) -> bool:
    """No ``HOLE`` in ``t`` (see ``_param_type``)."""
    if isinstance(t, Array):
        return t.length != HOLE and _complete(t.element)
    if isinstance(t, Tuple):
        return all(_complete(x) for x in t.elements)
    return True


def _mentions(te, names: set[str]) -> bool:
    if not names:
        return False
    if isinstance(te, ast.ArrayType):
        return _expr_mentions(te.length, names) or _mentions(te.element, names)
    if isinstance(te, ast.TupleType):
        return any(_mentions(x, names) for x in te.elements)
    if isinstance(te, ast.ProofType):
        return _expr_mentions(te.num_public_inputs, names)
    return False


def _expr_mentions(e, names: set[str]) -> bool:
    if isinstance(e, ast.PathExpr):
        return len(e.segments) == 1 and e.segments[0] in names
    if isinstance(e, ast.Binary):
        return _expr_mentions(e.left, names) or _expr_mentions(e.right, names)
    if isinstance(e, ast.Unary | ast.Cast):
        return _expr_mentions(e.operand if isinstance(e, ast.Unary) else e.expr, names)
    return False


def _unify(te, t: Type, names: set[str], out: dict[str, int]) -> None:
    if isinstance(te, ast.ArrayType) and isinstance(t, Array):
        if isinstance(te.length, ast.PathExpr) and len(te.length.segments) == 1:
            n = te.length.segments[0]
            if n in names and n not in out:
                out[n] = t.length
        _unify(te.element, t.element, names, out)
    elif isinstance(te, ast.TupleType) and isinstance(t, Tuple) and len(te.elements) == len(t.elements):
        for a, b in zip(te.elements, t.elements, strict=True):
            _unify(a, b, names, out)
    elif isinstance(te, ast.ProofType) and isinstance(t, ty.ProofT):
        e = te.num_public_inputs
        if isinstance(e, ast.PathExpr) and len(e.segments) == 1 and e.segments[0] in names:
            out.setdefault(e.segments[0], t.num_public_inputs)


def _did_you_mean(name: str, known) -> list[str]:
    close = difflib.get_close_matches(name, [k for k in dict.fromkeys(known) if k != name], n=1, cutoff=0.6)
    return [f"did you mean `{close[0]}`?"] if close else []


def _print_template(t: Type) -> list:
    """How ``print`` shows a value of type ``t``: literal text and, for each scalar in
    :func:`psyc.frontend.types.flatten` order, a marker (decimal or bool)."""
    if isinstance(t, Scalar):
        return [_PRINT_BOOL if t == BOOL else _PRINT_DECIMAL]
    if isinstance(t, Array):
        out: list = ["["]
        for i in range(t.length):
            out += ([", "] if i else []) + _print_template(t.element)
        return out + ["]"]
    if isinstance(t, Tuple):
        out = ["("]
        for i, x in enumerate(t.elements):
            out += ([", "] if i else []) + _print_template(x)
        return out + ([",)"] if len(t.elements) == 1 else [")"])
    out = [f"{t.name} {{ "]
    for i, (name, f) in enumerate(t.fields):
        out += ([", "] if i else []) + [f"{name}: "] + _print_template(f)
    return out + [" }"]
