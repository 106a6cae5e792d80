"""The builtins: ``assert``, ``assert_eq``, ``print``/``println`` and ``from_bits``."""

from __future__ import annotations

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.elaboration.common import (
    _COMPARISONS,
    TV,
    Mode,
    _contains_proof,
    _literal_like,
    _print_template,
    error,
)
from psyc.frontend.types import BOOL, FELT, UNIT, Array, Scalar, Type
from psyc.ir.ir import Value
from psyc.util.diagnostics import Span


class BuiltinsMixin:
    """The elaborator's builtins (a part of :class:`psyc.frontend.elaborate.Elaborator`)."""

    def _message(self, e: ast.Call, k: int, fname: str) -> str:
        if len(e.args) > k:
            m = e.args[k]
            if not isinstance(m, ast.StrLit):
                raise error("E0200", f"the message of `{fname}` must be a string literal", m.span)
            return m.value
        return ""

    def builtin_assert(self, e: ast.Call, expected: Type | None) -> TV:
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

    def builtin_assert_eq(self, e: ast.Call, expected: Type | None) -> TV:
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

    def builtin_print(self, e: ast.Call, expected: Type | None, newline: bool = False) -> TV:
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

    def builtin_println(self, e: ast.Call, expected: Type | None) -> TV:
        return self.builtin_print(e, expected, newline=True)

    def builtin_from_bits(self, e: ast.Call, expected: Type | None) -> TV:
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
