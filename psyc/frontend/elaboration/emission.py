"""Frames (the ``entered`` context manager) and IR emission, with constant folding."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration.common import (
    _KEEP,
    _OPAQUE,
    Binding,
    Frame,
    Mode,
    _storage_value_error,
    error,
)
from psyc.frontend.modules import Module
from psyc.frontend.storage import StorageT
from psyc.frontend.types import U32, Array, Scalar, Tuple, Type
from psyc.ir.interpret import ExecutionError, eval_instr
from psyc.ir.ir import Instr, Value
from psyc.util.diagnostics import Span


class EmissionMixin:
    """The elaborator's frames and emission (a part of :class:`psyc.frontend.elaborate.Elaborator`)."""

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
        for a in args:
            if a.const is None:  # (the usual case: nothing to fold)
                return self.prog.emit(op, args, rtypes, span, attrs, pred).results
        if op not in ("hint", "verify_proof"):
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

    def select(self, c: Value, t: Type, a: object, b: object, span: Span | None) -> object:
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
