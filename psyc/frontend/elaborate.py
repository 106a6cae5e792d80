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

Three modes (:class:`Mode`):

* ``CONSTRAINED``: the normal mode, everything becomes circuit IR;
* ``CONCRETE``: all values are constants (running an ``unconstrained fn`` during witness
  generation, or a ``#[test]``); ``while`` and early ``return`` really execute;
* ``CHECK``: type-checks an ``unconstrained fn`` once with symbolic arguments (loops run
  their body once, nothing is unrolled).

The parts live in :mod:`psyc.frontend.elaboration`, one module per concern (names and
types, emission, calls, builtins, statements, expressions, methods and storage); the
:class:`Elaborator` here combines them over one shared state and adds the entry points.
"""

from __future__ import annotations

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration.builtins import BuiltinsMixin
from psyc.frontend.elaboration.calls import CallsMixin, FingerprintResolver, set_fingerprint_resolver
from psyc.frontend.elaboration.common import (
    DEFAULT_MAX_UNROLL,
    EXPRESSION_OBSERVER,
    TV,
    Binding,
    Frame,
    Mode,
    _check_params,
    _contains_proof,
    error,
)
from psyc.frontend.elaboration.emission import EmissionMixin
from psyc.frontend.elaboration.expressions import ExpressionsMixin
from psyc.frontend.elaboration.methods import MethodsMixin
from psyc.frontend.elaboration.names import NamesMixin
from psyc.frontend.elaboration.statements import StatementsMixin
from psyc.frontend.modules import Module, ModuleLoader, ensure_deep_stack
from psyc.frontend.types import BOOL, UNIT, Array, Scalar, Tuple, Type
from psyc.ir.ir import Instr, Program, Value
from psyc.util.diagnostics import Diagnostic, SourceMap, Span

__all__ = [
    "DEFAULT_MAX_UNROLL",
    "EXPRESSION_OBSERVER",
    "TV",
    "Binding",
    "Elaborator",
    "FingerprintResolver",
    "Frame",
    "Mode",
    "error",
    "set_fingerprint_resolver",
]


class Elaborator(
    NamesMixin, EmissionMixin, CallsMixin, BuiltinsMixin, StatementsMixin, ExpressionsMixin, MethodsMixin
):
    """Type checking, constant evaluation, inlining and unrolling in one walk (see the
    module docstring); each part lives in :mod:`psyc.frontend.elaboration`."""

    replay_loops = True  # copy a repeating loop body's instructions (elaboration.replay); tests compare both

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
        self._expr_methods: dict[type, object] = {}  # AST class -> e_<class> method (ExpressionsMixin.expr)
        self._stmt_methods: dict[type, object] = {}  # AST class -> statement method (StatementsMixin.stmt)
        self._loop_plans: dict[int, tuple] = {}  # id(For) -> (For, replay plan or None)
        self._param_types: dict[int, tuple] = {}  # id(Param) -> (Param, type): non-generic functions
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
