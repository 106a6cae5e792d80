"""A reference evaluator of generated programs: the language's semantics, written directly.

:func:`evaluate` walks the typed AST of a :class:`~psyc.testing.program_ast.GeneratedProgram`
in Python -- it shares nothing with the compiler (no elaborator, no IR, no interpreter):

* ``Felt`` arithmetic modulo p (``/`` multiplies by the inverse; by 0 fails);
* ``u8 u16 u32`` checked ``+ - *`` (0..2^n - 1), ``u64`` checked in 0..p - 1; integer
  ``/ %`` by 0 fail; ``wrapping_*`` modulo 2^n; ``!x`` = max - x;
* ``& | ^ <<`` on ``u64`` whose result is >= p fail (an assertion, E0500); ``<<`` drops
  the bits shifted past the width;
* narrowing casts (to a narrower integer, ``Felt`` to ``u8 u16 u32``) fail when the value
  does not fit; ``to_bits::<N>`` fails when the value is >= 2^N; 64 bits from
  ``from_bits`` that spell a value >= p fail (E0500);
* a witness index out of bounds fails;
* ``if`` runs only the taken branch, ``&&`` / ``||`` short-circuit: a check in code that
  does not run never fails (the compiler's predicated checks);
* values are immutable data: assigning or passing an array or struct copies it;
* ``poseidon`` / ``hash_two`` come from :mod:`psyc.hash.poseidon`.

A failing run raises :class:`ReferenceFailure` whose ``kind`` maps to the compiler's
error code (``.code``): assert E0500, overflow E0501, div_zero E0502, index E0503,
range E0504. The first failing check in program order wins, as in the compiler.
"""

from __future__ import annotations

from typing import Any

from psyc.field.goldilocks import P
from psyc.frontend import types as ty
from psyc.frontend.types import BOOL, FELT, Scalar, Struct
from psyc.hash.poseidon import hash_no_pad, two_to_one
from psyc.testing.program_ast import (
    Assert,
    AssertEq,
    Assign,
    CSum,
    Expr,
    ExprS,
    For,
    GeneratedProgram,
    IfS,
    Let,
    LetTuple,
    ProgramAst,
    _step_type,
    cval,
)

__all__ = ["CODES", "ReferenceFailure", "eval_constant", "evaluate"]

CODES = {"assert": "E0500", "overflow": "E0501", "div_zero": "E0502", "index": "E0503", "range": "E0504"}
M64 = (1 << 64) - 1


class ReferenceFailure(Exception):  # noqa: N818  (a run's outcome, not an error of the evaluator)
    """The program fails on these inputs: ``kind`` (see :data:`CODES`), ``message`` (the
    assertion message when the program gives one, else None)."""

    def __init__(self, kind: str, message: str | None = None, detail: str = "") -> None:
        super().__init__(f"{kind}: {message or detail}")
        self.kind = kind
        self.message = message
        self.detail = detail

    @property
    def code(self) -> str:
        return CODES[self.kind]


def evaluate(program: GeneratedProgram | ProgramAst, inputs: list[list[int]]) -> list[int]:
    """The flattened public output of ``program`` (a GeneratedProgram or a ProgramAst) on
    ``inputs`` (one flattened list per entry parameter); raises :class:`ReferenceFailure`."""
    ast = program.ast if isinstance(program, GeneratedProgram) else program
    ev = _Evaluator(ast)
    main = ast.main
    if len(inputs) != len(main.params):
        raise ValueError(f"main takes {len(main.params)} parameters, {len(inputs)} inputs given")
    env = _Env()
    for (name, t, _), flat in zip(main.params, inputs, strict=True):
        if len(flat) != ty.size(t):
            raise ValueError(f"parameter {name}: {ty.size(t)} values expected, {len(flat)} given")
        env.let(name, _freeze(ty.unflatten(t, [int(x) for x in flat])[0]))
    return _flatten(ev.block(main.body, env))


def eval_constant(expr: Expr) -> Any:
    """The value of an expression without variables (raises :class:`ReferenceFailure`)."""
    return _Evaluator(None).ev(expr, _Env())


class _Env:
    """Lexical scopes: a block (and each loop iteration) opens one; `let` binds in the
    innermost (shadowing), assignment writes the innermost binding of the name."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = [{}]

    def __getitem__(self, name: str):
        for sc in reversed(self.scopes):
            if name in sc:
                return sc[name]
        raise KeyError(name)

    def __setitem__(self, name: str, value) -> None:
        for sc in reversed(self.scopes):
            if name in sc:
                sc[name] = value
                return
        raise KeyError(name)

    def let(self, name: str, value) -> None:
        self.scopes[-1][name] = value


def _freeze(v):
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    return v


def _flatten(v) -> list[int]:
    if isinstance(v, tuple):
        return [x for item in v for x in _flatten(item)]
    return [v]


def _max(t: Scalar) -> int:
    return t.max_value


def arith(op: str, t: Scalar, a: int, b: int) -> int:
    """``a op b`` on values of scalar type ``t`` (an arithmetic or bitwise operator)."""
    if t == FELT:
        if op == "+":
            return (a + b) % P
        if op == "-":
            return (a - b) % P
        if op == "*":
            return a * b % P
        if op == "/":
            if b == 0:
                raise ReferenceFailure("div_zero", detail=f"{a} / 0")
            return a * pow(b, P - 2, P) % P
        raise AssertionError(op)
    if op in ("&", "|", "^"):
        r = a & b if op == "&" else a | b if op == "|" else a ^ b
        if t.name == "u64" and r >= P:
            raise ReferenceFailure("assert", detail=f"u64 result {r} exceeds p - 1")
        return r
    if op in ("/", "%"):
        if b == 0:
            raise ReferenceFailure("div_zero", detail=f"{a} {op} 0")
        return a // b if op == "/" else a % b
    r = a + b if op == "+" else a - b if op == "-" else a * b if op == "*" else None
    if r is None:
        raise AssertionError(op)
    if not 0 <= r <= _max(t):
        raise ReferenceFailure("overflow", detail=f"{a} {op} {b} in {t}")
    return r


def shift(op: str, t: Scalar, v: int, k: int) -> int:
    if op == ">>":
        return v >> k
    r = (v << k) & ((1 << t.bits) - 1)
    if t.name == "u64" and r >= P:
        raise ReferenceFailure("assert", detail=f"u64 result {r} exceeds p - 1")
    return r


def compare(op: str, a: int, b: int) -> int:
    return int({"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])


def _field_pos(t, name) -> int:
    return t.field_index(name) if isinstance(t, Struct) else int(name)


class _Evaluator:
    def __init__(self, ast) -> None:
        self.fns = {f.name: f for f in ast.helpers} if ast is not None else {}

    # --- statements --------------------------------------------------------------------------
    def block(self, b, env: _Env):
        env.scopes.append({})
        try:
            for s in b.stmts:
                self.stmt(s, env)
            return self.ev(b.tail, env) if b.tail is not None else ()
        finally:
            env.scopes.pop()

    def stmt(self, s, env: _Env) -> None:
        if isinstance(s, Let):
            env.let(s.name, self.ev(s.value, env))
        elif isinstance(s, LetTuple):
            v = self.ev(s.value, env)
            for (name, _), x in zip(s.names, v, strict=True):
                if name is not None:
                    env.let(name, x)
        elif isinstance(s, Assign):
            self.assign(s, env)
        elif isinstance(s, IfS):
            if self.ev(s.cond, env):
                self.block(s.then, env)
            elif s.els is not None:
                self.block(s.els, env)
        elif isinstance(s, For):
            if isinstance(s.end, int | CSum):
                end = cval(s.end)
            elif s.end == "N":
                end = env["N"]
            else:
                end = len(env[s.end[1]])
            for i in range(cval(s.start), end + 1 if s.inclusive else end):
                env.scopes.append({s.var: i})
                try:
                    self.block(s.body, env)
                finally:
                    env.scopes.pop()
        elif isinstance(s, Assert):
            if not self.ev(s.cond, env):
                raise ReferenceFailure("assert", s.msg, "assertion failed")
        elif isinstance(s, AssertEq):
            a = self.ev(s.left, env)
            b = self.ev(s.right, env)
            if _flatten(a) != _flatten(b):
                raise ReferenceFailure("assert", s.msg, f"{a} != {b}")
        elif isinstance(s, ExprS):
            self.ev(s.expr, env)
        else:
            raise TypeError(f"unknown statement {s!r}")

    def assign(self, s, env: _Env) -> None:
        p = s.place
        # resolve the place: index expressions in order; a plain `=` checks each witness
        # index right away, a compound one when it reads the place
        steps = []
        cur, t = env[p.var], p.type
        for kind, x in p.steps:
            if kind == "index":
                i = self.ev(x, env)
                if s.op == "=" and cur is not None and i >= len(cur):
                    raise ReferenceFailure("index", detail=f"index {i} of {len(cur)} (assignment)")
                steps.append(("index", i, t))
                cur = cur[i] if cur is not None and i < len(cur) else None
                t = t.element
            else:
                steps.append((kind, _field_pos(t, x), t))
                cur = cur[_field_pos(t, x)] if cur is not None else None
                t = _step_type(t, kind, x)
        if s.op == "=":
            value = self.ev(s.value, env)
        else:
            old = env[p.var]
            for kind, i, _ in steps:
                if kind == "index" and i >= len(old):
                    raise ReferenceFailure("index", detail=f"index {i} of {len(old)} (compound assignment)")
                old = old[i]
            if s.op in ("<<", ">>"):
                value = shift(s.op, p.leaf_type, old, cval(s.value))
            else:
                value = arith(s.op, p.leaf_type, old, self.ev(s.value, env))
        env[p.var] = _write(env[p.var], [i for _, i, _ in steps], value)

    # --- expressions -------------------------------------------------------------------------
    def ev(self, e, env: _Env):
        return getattr(self, "e_" + type(e).__name__)(e, env)

    def e_Lit(self, e, env):
        return e.value

    def e_Var(self, e, env):
        return env[e.name]

    def e_Unary(self, e, env):
        v = self.ev(e.arg, env)
        if e.op == "-":
            return -v % P
        return 1 - v if e.type == BOOL else _max(e.type) - v

    def e_Bin(self, e, env):
        op = e.op
        if op in ("&&", "||"):
            a = self.ev(e.left, env)
            if (op == "&&" and not a) or (op == "||" and a):
                return a
            return self.ev(e.right, env)
        a = self.ev(e.left, env)
        b = self.ev(e.right, env)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return compare(op, a, b)
        if e.type == BOOL:  # & | ^ on bool
            return a & b if op == "&" else a | b if op == "|" else a ^ b
        return arith(op, e.type, a, b)

    def e_Shift(self, e, env):
        return shift(e.op, e.type, self.ev(e.arg, env), cval(e.amount))

    def e_Cast(self, e, env):
        v = self.ev(e.arg, env)
        src, dst = e.arg.type, e.type
        narrowing = dst.is_int and (src == FELT or (src.is_int and src.bits > dst.bits))
        if narrowing and dst.bits < 64 and v >> dst.bits:
            raise ReferenceFailure("range", detail=f"{v} does not fit in {dst}")
        return v

    def e_Wrap(self, e, env):
        a, b = self.ev(e.left, env), self.ev(e.right, env)
        r = a + b if e.op == "add" else a - b if e.op == "sub" else a * b
        return r & ((1 << e.type.bits) - 1)

    def e_IfE(self, e, env):
        return self.block(e.then if self.ev(e.cond, env) else e.els, env)

    def e_Index(self, e, env):
        base = self.ev(e.base, env)
        i = self.ev(e.index, env)
        if i >= len(base):
            raise ReferenceFailure("index", detail=f"index {i} of {len(base)}")
        return base[i]

    def e_Len(self, e, env):
        return len(self.ev(e.base, env))

    def e_Member(self, e, env):
        return self.ev(e.base, env)[_field_pos(e.base.type, e.name)]

    def e_ArrayLit(self, e, env):
        return tuple(self.ev(x, env) for x in e.elems)

    def e_Repeat(self, e, env):
        return (self.ev(e.elem, env),) * cval(e.count)

    def e_TupleLit(self, e, env):
        return tuple(self.ev(x, env) for x in e.elems)

    def e_StructLit(self, e, env):
        given = {n: self.ev(x, env) for n, x in e.fields}  # in source order
        return tuple(given[n] for n, _ in e.type.fields)

    def e_Call(self, e, env):
        fn = self.fns[e.name]
        args = [self.ev(a, env) for a in e.args]
        inner = _Env()
        if fn.generic:
            inner.let("N", len(args[0]))
        for (name, _, _), v in zip(fn.params, args, strict=True):
            inner.let(name, v)
        return self.block(fn.body, inner)

    def e_HashCall(self, e, env):
        args = [self.ev(a, env) for a in e.args]
        if e.fn == "poseidon":
            return tuple(hash_no_pad(list(args[0])))
        return tuple(two_to_one(list(args[0]), list(args[1])))

    def e_ToBits(self, e, env):
        v = self.ev(e.arg, env)
        width = e.arg.type.bits
        if e.n < width and v >> e.n:
            raise ReferenceFailure("range", detail=f"{v} does not fit in {e.n} bits")
        return tuple((v >> i) & 1 for i in range(e.n))

    def e_FromBits(self, e, env):
        bits = self.ev(e.arg, env)
        v = sum(b << i for i, b in enumerate(bits))
        if v >= P:
            raise ReferenceFailure("assert", detail=f"{e.type} result {v} exceeds p - 1")
        return v


def _write(container, path: list[int], value):
    if not path:
        return value
    i, rest = path[0], path[1:]
    items = list(container)
    items[i] = _write(container[i], rest, value)
    return tuple(items)


