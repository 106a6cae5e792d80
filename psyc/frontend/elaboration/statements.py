"""Statements: blocks (with error recovery), ``let``, ``return``, loops and assignment."""

from __future__ import annotations

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration import replay
from psyc.frontend.elaboration.common import (
    MAX_COLLECTED,
    POISON,
    TV,
    Binding,
    Mode,
    _did_you_mean,
    _pattern_names,
    _Poisoned,
    _Return,
    _same,
    error,
)
from psyc.frontend.storage import StorageT
from psyc.frontend.types import BOOL, U32, UNIT, Array, Scalar, Tuple, Type
from psyc.ir.interpret import E_BOUNDS, ExecutionError
from psyc.ir.ir import Value
from psyc.util.diagnostics import CompileError, Diagnostic, Label, Span

MAX_CONCRETE_STEPS = 10_000_000  # loop iterations an unconstrained call may run


class StatementsMixin:
    """The elaborator's statements (a part of :class:`psyc.frontend.elaborate.Elaborator`)."""

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

    def stmt(self, s: ast.Stmt) -> None:
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

    def bind_pattern(self, pat: ast.Pattern, v: TV) -> None:
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
        concrete = self.mode is Mode.CONCRETE
        if not concrete and count > 2 and self.replay_loops and self.observe is None and self.collected is None:
            plan = self._loop_plan(s)
            if plan is not None and self._replayed_loop(s, plan, a, stop):
                return
        for i in range(a, stop):
            if concrete:
                self._tick(s.span)
            self._loop_body(s, self.const(i, U32))

    def _loop_plan(self, s: ast.For) -> replay.LoopPlan | None:
        """:func:`replay.loop_plan` of ``s``, once per loop (nested loops are met again)."""
        hit = self._loop_plans.get(id(s))
        if hit is None or hit[0] is not s:
            hit = self._loop_plans[id(s)] = (s, replay.loop_plan(s))
        return hit[1]

    def _replayed_loop(self, s: ast.For, plan: replay.LoopPlan, a: int, stop: int) -> bool:
        """Unroll ``s`` over ``a..stop``, copying an elaborated iteration's instructions
        where the next one would repeat them (:mod:`.replay`); False (nothing done) when
        the names it uses from outside are not scalar variables (and arrays of scalars
        read as ``xs[i]``), or a builtin it calls is shadowed by a function."""
        bindings = []
        for n in plan.free:
            b = self.lookup_var(n)
            if b is None:
                continue  # a constant item: the same every iteration
            if b.type.__class__ is not Scalar or b.type is POISON:
                return False
            bindings.append(b)
        if any(self.lookup_var(n) is None for n in plan.assigned):
            return False  # (an error: elaborated as usual, which reports it)
        arrays = [self.lookup_var(n) for n in plan.indexed]
        if any(b is None or b.type.__class__ is not Array or b.type.element.__class__ is not Scalar for b in arrays):
            return False
        try:  # `assert(..)` is the builtin unless the module has a function of that name
            if any(self.lookup_item(self.module, (n,), s.span, ast.FnDecl) is not None for n in plan.calls):
                return False
        except CompileError:
            return False
        prog = self.prog
        templates: dict[tuple, replay.Template] = {}  # by signature (`if`s on a toggling constant: two)
        i = a
        while i < stop:
            payloads = [b.payload for b in bindings]
            if arrays:  # this iteration's elements (past the end: elaborated, which reports it)
                payloads += [b.payload[i] if i < len(b.payload) else None for b in arrays]
            sig = replay.signature(payloads)
            tpl = templates.get(sig) if sig is not None else None
            if tpl is not None:
                if tpl.steady:  # every later iteration is the same: copy them all at once
                    new = replay.replay(tpl, prog, payloads, range(i, stop))
                    i = stop
                else:
                    self.const(i, U32)
                    new = replay.replay(tpl, prog, payloads)
                    i += 1
                for b, v in zip(bindings, new, strict=True):
                    b.payload = v
                continue
            iv = self.const(i, U32)
            n0, id0 = len(prog.instrs), prog.next_id
            self._loop_body(s, iv)
            if sig is not None:
                tpl = replay.record(sig, payloads, prog.instrs[n0:], id0, prog.next_id,
                                    [b.payload for b in bindings], self.pred)
                if tpl is not None:
                    templates[sig] = tpl
            i += 1
        return True

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
        e = s.target
        if e.__class__ is ast.PathExpr and len(e.segments) == 1:  # `x = ...`: the common case
            chain = []
            b = self.lookup_var(e.segments[0])
            if b is not None and isinstance(b.type, StorageT):
                return self.storage_assign(s, *self.storage_place(e))
        else:
            found = self.storage_place(e)
            if found is not None:
                return self.storage_assign(s, *found)
            chain = []
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
