"""Expressions: literals, paths, aggregates, fields, indexing, ``if``, operators and casts."""

from __future__ import annotations

from psyc.field.goldilocks import P
from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration.common import (
    _COMPARISONS,
    _OPAQUE,
    HOLE,
    POISON,
    TV,
    Mode,
    _complete,
    _did_you_mean,
    _literal_like,
    _Poisoned,
    _storage_value_error,
    error,
)
from psyc.frontend.storage import StorageT
from psyc.frontend.types import BOOL, FELT, U32, UNIT, Array, Scalar, Struct, Tuple, Type
from psyc.ir.ir import Value
from psyc.util.diagnostics import CompileError, Span

_RING_OPS = {"+": "add", "-": "sub", "*": "mul"}
_U32_MAX = U32.max_value


class ExpressionsMixin:
    """The elaborator's expressions (a part of :class:`psyc.frontend.elaborate.Elaborator`)."""

    def expr(self, e: ast.Expr, expected: Type | None) -> TV:
        # the method by the node's class, looked up once per class (this runs per node)
        m = self._expr_methods.get(e.__class__)
        if m is None:
            m = self._expr_methods[e.__class__] = getattr(type(self), "e_" + type(e).__name__)
        tv = m(self, e, expected)
        if self.observe is not None:
            self.observe(e, tv.type)
        return tv

    def e_IntLit(self, e: ast.IntLit, expected: Type | None) -> TV:
        t = expected if isinstance(expected, Scalar) and expected.name != "bool" else FELT
        if e.value > t.max_value:
            rng = f"0..={t.max_value}"
            raise error("E0207", f"literal out of range for `{t}`", e.span, f"`{t}` holds {rng}")
        return TV(t, self.const(e.value, t))

    def e_BoolLit(self, e: ast.BoolLit, expected: Type | None) -> TV:
        return TV(BOOL, self.const(int(e.value), BOOL))

    def e_StrLit(self, e: ast.StrLit, expected: Type | None) -> TV:
        raise error("E0200", "string literals are only allowed as assert messages and attribute arguments", e.span)

    def e_PathExpr(self, e: ast.PathExpr, expected: Type | None) -> TV:
        if len(e.segments) == 1:
            name = e.segments[0]
            for scope in reversed(self.scopes):  # (lookup_var, inlined: variables are most of the nodes)
                b = scope.get(name)
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

    def e_Block(self, e: ast.Block, expected: Type | None) -> TV:
        return self.block(e, expected)

    def e_Unsafe(self, e: ast.Unsafe, expected: Type | None) -> TV:
        self.unsafe_depth += 1
        try:
            return self.block(e.body, expected)
        finally:
            self.unsafe_depth -= 1

    def e_TupleExpr(self, e: ast.TupleExpr, expected: Type | None) -> TV:
        exp = expected.elements if isinstance(expected, Tuple) and len(expected.elements) == len(e.elements) else None
        vals = [self.expr(x, exp[k] if exp else None) for k, x in enumerate(e.elements)]
        return TV(Tuple(tuple(v.type for v in vals)), tuple(v.payload for v in vals))

    def e_ArrayLit(self, e: ast.ArrayLit, expected: Type | None) -> TV:
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

    def e_ArrayRepeat(self, e: ast.ArrayRepeat, expected: Type | None) -> TV:
        n = self.const_u32(e.count, "an array length")
        v = self.expr(e.value, expected.element if isinstance(expected, Array) else None)
        return TV(Array(v.type, n), [v.payload] * n)

    def e_StructLit(self, e: ast.StructLit, expected: Type | None) -> TV:
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

    def e_Field(self, e: ast.Field, expected: Type | None) -> TV:
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

    def e_Index(self, e: ast.Index, expected: Type | None) -> TV:
        base_e, index_e = e.base, e.index
        if (base_e.__class__ is ast.PathExpr and index_e.__class__ is ast.IntLit and len(base_e.segments) == 1
                and self.observe is None):
            # `a[3]` on an array variable, the usual index: what the general path below does
            # (storage lookup, the base, the literal as a u32), without its calls
            name = base_e.segments[0]
            for scope in reversed(self.scopes):
                b = scope.get(name)
                if b is not None:
                    t = b.type
                    k = index_e.value
                    if t.__class__ is Array and k < t.length and k <= _U32_MAX:
                        self.prog.const(k, "u32")
                        return TV(t.element, b.payload[k])
                    break
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

    def e_If(self, e: ast.If, expected: Type | None) -> TV:
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

    def _else(self, e: ast.If, expected: Type | None) -> TV:
        if e.otherwise is None:
            return TV(UNIT, ())
        if isinstance(e.otherwise, ast.If):
            return self.e_If(e.otherwise, expected)
        return self.block(e.otherwise, expected)

    # --- operators ---------------------------------------------------------------------------
    def operands(self, left: ast.Expr, right: ast.Expr, expected: Type | None) -> tuple[TV, TV]:
        if _literal_like(left) and not _literal_like(right):
            r = self.expr(right, expected)
            return self.expr(left, r.type), r
        lv = self.expr(left, expected)
        return lv, self.expr(right, lv.type)

    def e_Unary(self, e: ast.Unary, expected: Type | None) -> TV:
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

    def e_Binary(self, e: ast.Binary, expected: Type | None) -> TV:
        op = e.op
        if op in ("&&", "||"):
            return self.logical(e)
        if op in ("<<", ">>"):
            return self.shift(e, expected)
        a, b = self.operands(e.left, e.right, None if op in _COMPARISONS else expected)
        return self.binop(op, a, b, e.span, e.right.span)

    def binop(self, op: str, a: TV, b: TV, span: Span, right_span: Span) -> TV:
        """``a op b`` on evaluated operands (all binary operators but `&&` `||` `<<` `>>`)."""
        t = a.type
        if op in _RING_OPS and t is b.type and t.__class__ is Scalar and t.name != "bool":
            # the common case first (same scalar type, + - *), as the general path below has
            # it; with a witness operand nothing folds: emitted directly, as self.emit would
            x, y = a.payload, b.payload
            if x.const is None or y.const is None:
                pred = self.pred if t.name in ty.INT_BITS else None
                if pred is not None and pred.const == 1:
                    pred = None
                return TV(t, self.prog.emit(_RING_OPS[op], (x, y), (t.name,), span, (), pred).results[0])
            return TV(t, self.emit1(_RING_OPS[op], (x, y), t.name, span, (), t.is_int))
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

    def shift(self, e: ast.Binary, expected: Type | None) -> TV:
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

    def e_Cast(self, e: ast.Cast, expected: Type | None) -> TV:
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

    def e_Call(self, e: ast.Call, expected: Type | None) -> TV:
        return self.call(e, expected)

    def e_MethodCall(self, e: ast.MethodCall, expected: Type | None) -> TV:
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
