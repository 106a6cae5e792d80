"""Hypothesis strategies that generate well-typed ``.psy`` programs, and inputs for them.

    from hypothesis import given
    from psyc.testing import program_and_inputs, evaluate, ReferenceFailure

    @given(program_and_inputs())
    def test_my_backend(case):
        prog, inputs = case
        print(prog.source)               # the .psy text of src/main.psy
        try:
            expected = evaluate(prog, inputs)   # psyc.testing.reference: the source semantics
        except ReferenceFailure as f:
            expected = f.code                   # E0500 .. E0504
        compiled = prog.compile()               # a throw-away project, compiled
        ...

A :class:`GeneratedProgram` holds the source text, the entry's parameters
``[(name, Type, public)]`` (types from :mod:`psyc.frontend.types`), its output type and
the typed AST (:class:`ProgramAst`) the reference evaluator
(:mod:`psyc.testing.reference`) walks. Inputs are one flattened list of ints per
parameter, as :meth:`psyc.compiler.CompiledProgram.execute` takes them.

What the generator covers: expressions over ``Felt``, ``bool``, ``u8 u16 u32 u64`` with
``+ - * / %``, comparisons, ``&& || !``, ``& | ^``, constant shifts, every cast (widening,
narrowing -- which may fail --, ``Felt`` <-> integers, ``bool`` -> numbers),
``wrapping_*``, ``to_bits::<N>`` / ``T::from_bits``; arrays (literals, ``[e; N]``, constant,
loop-variable and witness indexing, element assignment, ``.len()``), tuples and
destructuring ``let (a, mut b, _) = ..``, structs declared at the top (literals with
shuffled fields, field reads and assignment), ``let mut`` and every compound assignment,
``for`` loops with small constant bounds, ``if``/``else`` as statement and as expression
with witness-dependent conditions (asserts and checked operations inside branches),
``assert`` / ``assert_eq`` with messages, ``std::hash::poseidon`` / ``hash_two``, and
calls of generated helper functions (value-returning, unit helpers that assert, and
``<const N: u32>`` generic helpers called with inferred or explicit lengths).

Programs are kept small (bounded expression depth and statement counts) so that one
compiles in well under a second. Most programs succeed on most generated inputs (inputs
favour small values, and the generator often writes the guarded forms real code uses:
``if b != 0 { a / b }``, ``if i < N { xs[i] }``, ``if x < 256 { x as u8 }``), but every
kind of run-time failure occurs: overflow (E0501), division by zero (E0502), failed
assertions (E0500), witness index out of bounds (E0503) and failing narrowing casts or
``to_bits`` range checks (E0504).

By construction the programs avoid the *compile-time* errors (constant index out of
bounds, shifts by the width, literals out of range, type errors): a :class:`CompileError`
on a generated program is a bug, of the generator or of the compiler. A check that fails
on constants outside any witness-dependent branch fails while compiling (constant folding
runs the same checks), raising :class:`~psyc.ir.interpret.ExecutionError` from the
compiler; the reference evaluator then fails on every input.

This module is the generator; the AST and :class:`GeneratedProgram` live in
:mod:`psyc.testing.program_ast`, the source writer in :mod:`psyc.testing.render`.
"""


from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from psyc.field.goldilocks import P
from psyc.frontend import types as ty
from psyc.frontend.types import BOOL, FELT, HASH, U8, U16, U32, U64, Array, Scalar, Struct, Tuple, Type
from psyc.testing.program_ast import (
    _ARITH_OPS,
    GEN,
    INTS,
    ArrayLit,
    Assert,
    AssertEq,
    Assign,
    Bin,
    Block,
    Call,
    Cast,
    CSum,
    ExprS,
    FnDef,
    For,
    FromBits,
    GeneratedProgram,
    HashCall,
    IfE,
    IfS,
    Index,
    Len,
    Let,
    LetTuple,
    Lit,
    Member,
    Place,
    ProgramAst,
    Repeat,
    Shift,
    StructLit,
    ToBits,
    TupleLit,
    Unary,
    Var,
    Wrap,
    _step_type,
)
from psyc.testing.render import render

__all__ = [
    "GEN",
    "GeneratedProgram",
    "ProgramAst",
    "inputs_for_program",
    "program_and_input_sets",
    "program_and_inputs",
    "programs",
    "render",
]


def programs(
    *, max_depth: int = 3, max_statements: int = 7, max_helpers: int = 3, max_structs: int = 2,
    hashes: bool = True, const_eval_in_branches: bool = True,
) -> st.SearchStrategy[GeneratedProgram]:
    """Well-typed programs: ``max_depth`` bounds expression nesting, ``max_statements``
    the statements of ``main`` (helpers get fewer), ``hashes=False`` leaves out Poseidon.

    ``const_eval_in_branches=False`` keeps compile-time arithmetic out of witness-dependent
    branches (and out of the right operand of ``&&`` / ``||``, and out of helpers called
    there): ``std::hash::poseidon`` (its loop bound is ``(N + 7) / 8``) and constants
    written as sums (``0..(1 + 2)``, ``x << (1 + 1)``, ``[e; (2 + 1)]``, ``f::<(1 + 1)>``)."""
    cfg = _Config(max_depth, max_statements, max_helpers, max_structs, hashes, const_eval_in_branches)
    return st.composite(lambda draw: _Gen(draw, cfg).program())()


def edges(t: Scalar) -> list[int]:
    """Edge values of a scalar type: 0, 1, 2, the maximum, powers of two around the width
    of every narrower type (2^8 - 1, 2^8, 2^8 + 1, ...), p - 1 and p - 2."""
    top = t.max_value
    out = {0, 1, 2, 3, top, top - 1}
    for k in (7, 8, 15, 16, 31, 32, 63):
        out |= {(1 << k) - 1, 1 << k, (1 << k) + 1}
    if t.bits == 64:
        out |= {P - 1, P - 2, P - 3, (1 << 64) - (1 << 33)}
    return sorted(v for v in out if v <= top)


def _scalar_input(t: Scalar, dictionary: tuple[int, ...] = ()) -> st.SearchStrategy[int]:
    top = t.max_value
    if t == BOOL:
        return st.integers(0, 1)
    small = st.integers(0, min(top, 9))
    # mostly small values (arithmetic then rarely overflows), then edges, the program's
    # own constants and boundaries (where off-by-one bugs hide), then anything
    options = [st.sampled_from([0, 1]), small, small, st.sampled_from(edges(t)), st.integers(0, top)]
    fitting = [v for v in dictionary if v <= top]
    if fitting:
        options.insert(2, st.sampled_from(fitting))
    return st.one_of(*options)


def inputs_for_program(prog: GeneratedProgram) -> st.SearchStrategy[list[list[int]]]:
    """Inputs of ``prog``'s entry: one flattened list per parameter; small values
    favoured, then edge values, values around the program's constants and boundaries
    (``prog.dictionary()``), then anything."""
    words = tuple(sorted(prog.dictionary()))
    per_param = [st.tuples(*(_scalar_input(s, words) for s in ty.leaf_types(t))).map(list)
                 for _, t, _ in prog.params]
    return st.tuples(*per_param).map(list)


def program_and_inputs(**kw: object) -> st.SearchStrategy[tuple[GeneratedProgram, list[list[int]]]]:
    """``(program, inputs)``; keyword arguments go to :func:`programs`."""
    return programs(**kw).flatmap(lambda p: st.tuples(st.just(p), inputs_for_program(p)))


def program_and_input_sets(min_size: int = 2, max_size: int = 5, **kw: object):
    """``(program, [inputs, ...])``: one program and several input vectors (compile once,
    run many). Keyword arguments go to :func:`programs`."""
    return programs(**kw).flatmap(
        lambda p: st.tuples(st.just(p), st.lists(inputs_for_program(p), min_size=min_size, max_size=max_size))
    )


# =============================================================================================
# generation
# =============================================================================================
@dataclass
class _Config:
    max_depth: int
    max_statements: int
    max_helpers: int
    max_structs: int
    hashes: bool
    const_eval_in_branches: bool = True


@dataclass
class _VarInfo:
    type: Type
    mutable: bool
    wit: bool  # certainly not a compile-time constant (every leaf, for an aggregate)


class _Gen:
    """One program's generation: ``draw`` is hypothesis's. Choices are small integers
    (option 0 is the simplest, so shrinking simplifies the program)."""

    def __init__(self, draw, cfg: _Config) -> None:
        self.draw = draw
        self.cfg = cfg
        self.names = itertools.count()
        self.structs: list[Struct] = []
        self.helpers: list[FnDef] = []
        self.msgs = itertools.count(1)
        # per function:
        self.scopes: list[dict[str, _VarInfo]] = []
        self.loops: dict[str, int | str] = {}  # loop variable -> its exclusive upper bound
        self.in_main = False
        self.budget = 0
        self.loop_depth = 0
        self.branch = 0  # enclosing `if` branches and `&&`/`||` right operands
        self.const_eval_fns: set[str] = set()  # helpers with compile-time arithmetic (see cint)

    # --- choices ---------------------------------------------------------------------------
    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def flag(self, p_true: float = 0.5) -> bool:
        # True with probability p_true; shrinks towards False (integers shrink towards 0)
        return self.int(0, 99) >= 100 - int(p_true * 100)

    def items(self, lo: int, hi: int, make, p_more: float = 0.6) -> list:
        """``lo``..``hi`` results of ``make()``; after ``lo``, each one is preceded by a
        "one more" flag (as hypothesis draws lists): deleting one item's choices while
        shrinking leaves the choices of the others aligned."""
        out: list = []
        while len(out) < hi:
            if len(out) >= lo and not self.flag(p_more):
                break
            out.append(make())
        return out

    def pick(self, options: list[tuple[int, Any]]):
        """A weighted choice among (weight, value) options; shrinks towards the first."""
        options = [(w, v) for w, v in options if w > 0]
        total = sum(w for w, _ in options)
        k = self.int(0, total - 1)
        for w, v in options:
            if k < w:
                return v
            k -= w
        raise AssertionError

    def fresh(self, prefix: str = "v") -> str:
        return f"{prefix}{next(self.names)}"

    def msg(self) -> str | None:
        return f"check {next(self.msgs)}" if self.int(0, 5) else None

    # --- scopes ------------------------------------------------------------------------------
    def vars(self) -> dict[str, _VarInfo]:
        out: dict[str, _VarInfo] = {}
        for s in self.scopes:
            out.update(s)
        return out

    def declare(self, name: str, t: Type, mutable: bool, wit: bool) -> None:
        self.scopes[-1][name] = _VarInfo(t, mutable, wit)

    def set_wit(self, name: str, wit: bool) -> None:
        for s in reversed(self.scopes):
            if name in s:
                s[name].wit = wit
                return

    def snapshot(self) -> dict[tuple[int, str], bool]:
        """Every binding's witness flag, by (scope, name) (an inner `let` may shadow)."""
        return {(i, n): v.wit for i, sc in enumerate(self.scopes) for n, v in sc.items()}

    def restore(self, snap: dict[tuple[int, str], bool]) -> None:
        for (i, n), w in snap.items():
            self.set_wit_at(i, n, w)

    def set_wit_at(self, i: int, name: str, wit: bool) -> None:
        if i < len(self.scopes) and name in self.scopes[i]:
            self.scopes[i][name].wit = wit

    def let_name(self) -> str:
        """A fresh name, or now and then one that shadows a visible variable."""
        if self.flag(0.12):
            visible = [n for n in self.vars() if n != "N" and n not in self.loops and not n.startswith("xs")]
            if visible:
                return visible[self.int(0, len(visible) - 1)]
        return self.fresh()

    # --- types ---------------------------------------------------------------------------------
    def scalar_type(self, allow_bool: bool = True) -> Scalar:
        return self.pick([(3, FELT), (2 if allow_bool else 0, BOOL), (2, U8), (1, U16), (3, U32), (2, U64)])

    def int_type(self) -> Scalar:
        return self.pick([(2, U8), (1, U16), (3, U32), (2, U64)])

    def value_type(self, depth: int = 1) -> Type:
        """A type for a let, a parameter or a result: mostly scalars, some aggregates."""
        k = self.pick([(8, "s"), (2, "a"), (1 if depth else 0, "t"), (1 if self.structs else 0, "S"),
                       (1 if self.cfg.hashes else 0, "h")])
        if k == "s":
            return self.scalar_type()
        if k == "a":
            return Array(self.scalar_type() if not depth or self.flag(0.8) else self.value_type(0), self.int(1, 4))
        if k == "t":
            return Tuple(tuple(self.items(1, 3, lambda: self.value_type(depth - 1), 0.5)))
        if k == "S":
            return self.structs[self.int(0, len(self.structs) - 1)]
        return HASH

    # --- literals --------------------------------------------------------------------------------
    def literal(self, t: Scalar) -> Lit:
        if t == BOOL:
            return Lit(BOOL, self.int(0, 1))
        top = t.max_value
        k = self.pick([(10, "small"), (2, "edge"), (1, "any")])
        if k == "small":
            v = self.int(0, min(top, 9))
        elif k == "edge":
            v = self.draw(st.sampled_from(edges(t)))
        else:
            v = self.int(0, top)
        return Lit(t, v, self.pick([(8, 0), (1, 1), (1, 2)]))

    # --- places that hold a value of a type (var, var.f, var[i], var.f[i], ...) --------------------
    def paths(self, t: Type) -> list[tuple[str, _VarInfo, tuple]]:
        """(var, info, step kinds) for every way (up to 2 steps) to reach a value of type
        ``t`` from a variable. Step kinds: ("field", name), ("tuple", k), ("index", length)."""
        out = []
        for name, info in self.vars().items():
            for steps in _paths_to(info.type, t, 2):
                out.append((name, info, steps))
        return out

    def index_expr(self, length: int) -> tuple[Any, bool]:
        """An index into an array of ``length``: (expression, may-fail-at-run-time).
        A constant index must be in bounds (out of bounds is a compile error); an index
        that is certainly a witness may be anything."""
        opts: list[tuple[int, Any]] = []
        if length != GEN:
            opts.append((3, "lit"))
        loops = [v for v, bound in self.loops.items()
                 if bound == length or (bound != GEN and length != GEN and bound <= length)]
        if loops:
            opts.append((4, "loop"))
        if length != GEN:
            opts.append((1, "mod"))
        wit = self.witness_ints()
        if self.in_main and wit and length != GEN:
            opts.append((3, "wit"))
        if not opts:
            return None, False
        k = self.pick(opts)
        if k == "lit":
            return Lit(self.pick([(3, U32), (1, U8), (1, U64)]), self.int(0, length - 1)), False
        if k == "loop":
            return Var(U32, loops[self.int(0, len(loops) - 1)]), False
        if k == "mod":
            t = self.int_type()
            return Bin(t, "%", self.scalar(t, 1), Lit(t, length)), False
        return self.witness_index(length), True

    def witness_ints(self) -> list[tuple[str, Scalar]]:
        return [(n, v.type) for n, v in self.vars().items()
                if v.wit and isinstance(v.type, Scalar) and v.type.is_int]

    def witness_index(self, length: int):
        """An integer expression that is certainly not a constant, near ``0..length``."""
        ws = self.witness_ints()
        name, t = ws[self.int(0, len(ws) - 1)]
        v = Var(t, name)
        k = self.pick([(4, "var"), (2, "mod"), (1, "add"), (1, "shr"), (1, "cast")])
        if k == "mod":
            return Bin(t, "%", v, Lit(t, min(length + self.int(0, 2), t.max_value)))
        if k == "add":
            return Bin(t, "+", v, Lit(t, self.int(0, 2)))
        if k == "shr":
            return Shift(t, ">>", v, self.int(1, min(t.bits - 1, 8)))
        if k == "cast" and t != U32:
            return Cast(U32, v)
        return v

    def read_path(self, name: str, info: _VarInfo, steps: tuple):
        e = Var(info.type, name)
        t = info.type
        for kind, x in steps:
            if kind == "index":
                idx, _ = self.index_expr(x)
                if idx is None:
                    return None
                t = t.element
                e = Index(t, e, idx)
            else:
                t = _step_type(t, kind, x)
                e = Member(t, e, x)
        return e

    # --- expressions ---------------------------------------------------------------------------
    def expr(self, t: Type, d: int):
        if isinstance(t, Scalar):
            return self.scalar(t, d)
        return self.aggregate(t, d)

    def leaf(self, t: Scalar, d: int = 0):
        opts: list[tuple[int, Any]] = [(2, "lit")]
        vs = [(n, v) for n, v in self.vars().items() if v.type == t]
        if vs:
            opts.append((6, "var"))
        ps = [p for p in self.paths(t) if p[2]]
        if ps:
            opts.append((3, "path"))
        if t == U32 and any(isinstance(v.type, Array) for v in self.vars().values()):
            opts.append((1, "len"))
        others = [(n, v.type) for n, v in self.vars().items() if isinstance(v.type, Scalar) and v.type != t]
        if others and not vs:
            opts.append((4, "conv"))
        k = self.pick(opts)
        if k == "conv":
            n, s = others[self.int(0, len(others) - 1)]
            v = Var(s, n)
            if t == BOOL:
                return Bin(BOOL, self.pick([(1, "=="), (1, "!=")] + ([(2, "<")] if s.is_int else [])), v,
                           self.literal(s))
            if s == BOOL or t == FELT or t.bits >= s.bits or self.flag(0.2):
                return Cast(t, v)  # (a narrowing cast may fail)
            if s == FELT:
                v = Cast(U64, v)
            return Cast(t, Bin(v.type, "%", v, Lit(v.type, t.max_value + 1)))
        if k == "var":
            n, _ = vs[self.int(0, len(vs) - 1)]
            return Var(t, n)
        if k == "path":
            e = self.read_path(*ps[self.int(0, len(ps) - 1)])
            if e is not None:
                return e
        if k == "len":
            arrs = [(n, v.type) for n, v in self.vars().items() if isinstance(v.type, Array)]
            n, at = arrs[self.int(0, len(arrs) - 1)]
            return Len(U32, Var(at, n))
        return self.literal(t)

    def scalar(self, t: Scalar, d: int):
        if d <= 0:
            return self.leaf(t)
        opts: list[tuple[int, Any]] = [(5, self.leaf)]
        if t == FELT:
            opts += [(5, self.arith), (1, self.neg), (2, self.cast_to), (1, self.if_expr), (1, self.hash_elem),
                     (1, self.call), (1, self.from_bits)]
        elif t == BOOL:
            opts += [(5, self.compare), (2, self.logical), (1, self.not_), (1, self.bitwise), (1, self.bit_of),
                     (1, self.if_expr), (1, self.call)]
        else:
            opts += [(5, self.arith), (1, self.bitwise), (1, self.shift), (1 if t.bits < 64 else 0, self.not_),
                     (2, self.cast_to), (1 if t.bits < 64 else 0, self.wrap), (1, self.if_expr), (3, self.guarded),
                     (1, self.from_bits), (1, self.call)]
        return self.pick(opts)(t, d)

    def _bin(self, t: Scalar, op: str, a, b):
        """``a op b``; if both operands are constant literal arithmetic, the whole must not
        fail (the compiler may evaluate such an operand after its sibling)."""
        e = Bin(t, op, a, b)
        if _lit_tree(a) and _lit_tree(b) and _const_fails(e):
            return a
        return e

    def arith(self, t: Scalar, d: int):
        if t == FELT:
            op = self.pick([(3, "+"), (2, "-"), (3, "*"), (1, "/")])
        else:
            op = self.pick([(3, "+"), (2, "-"), (2, "*"), (1, "/"), (1, "%")])
        a, b = self.scalar(t, d - 1), self.scalar(t, d - 1)
        if op in ("/", "%") and isinstance(b, Lit) and b.value == 0 and self.flag(0.9):
            b = Lit(t, self.int(1, 9))  # (a literal divisor 0 fails on every input)
        return self._bin(t, op, a, b)

    def bitwise(self, t: Scalar, d: int):
        op = self.pick([(1, "&"), (1, "|"), (1, "^")])
        return self._bin(t, op, self.scalar(t, d - 1), self.scalar(t, d - 1))

    def shift(self, t: Scalar, d: int):
        e = Shift(t, self.pick([(1, "<<"), (1, ">>")]), self.scalar(t, d - 1), self.cint(self.int(0, t.bits - 1)))
        if _lit_tree(e.arg) and _const_fails(e):
            return e.arg
        return e

    def neg(self, t: Scalar, d: int):
        return Unary(FELT, "-", self.scalar(FELT, d - 1))

    def not_(self, t: Scalar, d: int):
        return Unary(t, "!", self.scalar(t, d - 1))

    def cast_to(self, t: Scalar, d: int):
        if t == FELT:
            src = self.pick([(3, U64), (2, U32), (1, U8), (1, U16), (1, BOOL)])
        else:
            src = self.pick([(2, FELT), (1, BOOL), *((1, s) for s in INTS if s != t)])
        return Cast(t, self.varying(lambda: self.scalar(src, d - 1), 2))

    def wrap(self, t: Scalar, d: int):
        return Wrap(t, self.pick([(1, "add"), (1, "sub"), (1, "mul")]), self.scalar(t, d - 1),
                    self.scalar(t, d - 1))

    def compare(self, t: Scalar, d: int):
        k = self.pick([(5, "int"), (2, "felt"), (1, "bool"), (1, "agg")])
        if k == "int":
            s = self.int_type()
            op = self.pick([(3, "<"), (2, "<="), (2, ">"), (1, ">="), (2, "=="), (2, "!=")])
        elif k == "felt":
            s, op = FELT, self.pick([(1, "=="), (1, "!=")])
        elif k == "bool":
            s, op = BOOL, self.pick([(1, "=="), (1, "!=")])
        else:
            s, op = self.value_type(1), self.pick([(1, "=="), (1, "!=")])
            return Bin(BOOL, op, self.expr(s, d - 1), self.expr(s, d - 1))
        return self._bin(BOOL, op, self.scalar(s, d - 1), self.scalar(s, d - 1))

    def logical(self, t: Scalar, d: int):
        op, left = self.pick([(1, "&&"), (1, "||")]), self.scalar(BOOL, d - 1)
        return Bin(BOOL, op, left, self.in_branch(lambda: self.scalar(BOOL, d - 1)))

    def in_branch(self, make):
        self.branch += 1
        try:
            return make()
        finally:
            self.branch -= 1

    def no_const_eval(self) -> bool:
        """Inside a branch, with compile-time arithmetic kept out of branches."""
        return self.branch > 0 and not self.cfg.const_eval_in_branches

    def cint(self, k: int) -> int | CSum:
        """``k``, sometimes written ``(a + b)`` (compile-time arithmetic)."""
        if k >= 1 and not self.no_const_eval() and self.flag(0.2):
            a = self.int(0, k)
            return CSum((a, k - a))
        return k

    def bit_of(self, t: Scalar, d: int):
        s = self.pick([(1, FELT), (3, U8), (1, U16), (2, U32), (1, U64)])
        width = s.bits
        n = self.pick([(4, width), (1, max(1, width - self.int(1, 4))), (1, width + self.int(1, 3))])
        bits = ToBits(Array(BOOL, n), self.varying(lambda: self.scalar(s, d - 1), 2), n)
        return Index(BOOL, bits, Lit(U32, self.int(0, n - 1)))

    def from_bits(self, t: Scalar, d: int):
        width = t.bits
        n = self.pick([(2, min(width, 8)), (1, width), (1, self.int(1, min(width, 12)))])
        if self.flag(0.5) and n > 1:
            return FromBits(t, ArrayLit(Array(BOOL, n), tuple(self.scalar(BOOL, 0) for _ in range(n))))
        s = self.pick([(2, U8), (1, U16), (2, U32), (1, U64), (1, FELT)])
        return FromBits(t, ToBits(Array(BOOL, n), self.varying(lambda: self.scalar(s, d - 1), 2), n))

    def guarded(self, t: Scalar, d: int):
        """Checked operations that real code guards by a branch: the check only applies
        when the branch is taken."""
        return self.in_branch(lambda: self._guarded(t, d))

    def _guarded(self, t: Scalar, d: int):
        k = self.pick([(3, "sub"), (2, "div"), (2, "cast"), (2 if self.in_main else 0, "index")])
        if k == "sub":
            a, b = self.scalar(t, d - 1), self.scalar(t, 0)
            return IfE(t, Bin(BOOL, ">=", a, b), Block((), self._bin(t, "-", a, b)), Block((), self._bin(t, "-", b, a)))
        if k == "div":
            a, b = self.scalar(t, d - 1), self.scalar(t, 0)
            op = self.pick([(1, "/"), (1, "%")])
            if _lit_tree(b) and b.value == 0:
                b = Lit(t, 3)
            return IfE(t, Bin(BOOL, "!=", b, Lit(t, 0)), Block((), self._bin(t, op, a, b)), Block((), a))
        if k == "cast" and t.bits < 64:
            src = self.pick([(2, U64), (1, FELT), *((1, s) for s in INTS if s.bits > t.bits and s != U64)])
            x = self.scalar(src, d - 1)
            probe = Cast(U64, x) if src == FELT else x
            cond = Bin(BOOL, "<", probe, Lit(probe.type, 1 << t.bits))
            return IfE(t, cond, Block((), Cast(t, x)), Block((), self.literal(t)))
        if k == "index":
            ws = self.witness_ints()
            arrs = [(n, v.type) for n, v in self.vars().items()
                    if isinstance(v.type, Array) and v.type.element == t and v.type.length != GEN]
            if ws and arrs:
                n, at = arrs[self.int(0, len(arrs) - 1)]
                i = self.witness_index(at.length)
                cond = Bin(BOOL, "<", i, Lit(i.type, at.length))
                return IfE(t, cond, Block((), Index(t, Var(at, n), i)), Block((), self.leaf(t)))
        return self.arith(t, d)

    def if_expr(self, t: Type, d: int):
        cond = self.scalar(BOOL, max(d - 1, 1))
        cw = _wit(cond, self.vars())
        snap = self.snapshot()
        then = self.in_branch(lambda: self.block(1, t, d - 1, p_more=0.3))
        after_then = self.snapshot()
        self.restore(snap)
        els = self.in_branch(lambda: self.block(1, t, d - 1, p_more=0.3))
        self.merge(cw, snap, after_then, self.snapshot())
        return IfE(t, cond, then, els)

    def hash_elem(self, t: Scalar, d: int):
        return Index(FELT, self.hash(d - 1), Lit(U32, self.int(0, 3)))

    def hash(self, d: int):
        full = self.flag(0.2)
        if self.flag(0.7) and not self.no_const_eval():
            felt_arrays = [(n, v.type) for n, v in self.vars().items()
                           if isinstance(v.type, Array) and v.type.element == FELT]
            if felt_arrays and self.flag(0.5):
                n, at = felt_arrays[self.int(0, len(felt_arrays) - 1)]
                arg = Var(at, n)
            else:
                k = self.pick([(3, 1), (3, 2), (1, 4), (1, 9)])
                arg = self.aggregate(Array(FELT, k), max(d, 0))
            return HashCall(HASH, "poseidon", (arg,), full)
        return HashCall(HASH, "hash_two", (self.aggregate(HASH, max(d, 0)), self.aggregate(HASH, max(d, 0))), full)

    def call(self, t: Type, d: int):
        fns = [f for f in self.helpers if f.ret == t and not (self.no_const_eval() and f.name in self.const_eval_fns)]
        if not fns:
            return self.leaf(t) if isinstance(t, Scalar) else self.aggregate(t, 0)
        return self.call_of(fns[self.int(0, len(fns) - 1)], d)

    def call_of(self, f: FnDef, d: int):
        args, generics = [], None
        for _, pt, _ in f.params:
            if isinstance(pt, Array) and pt.length == GEN:
                n = self.int(1, 4)
                args.append(self.aggregate(Array(pt.element, n), max(d - 1, 0)))
                if self.flag(0.4):
                    generics = (self.cint(n),)
            else:
                args.append(self.expr(pt, max(d - 1, 0)))
        return Call(f.ret, f.name, tuple(args), generics)

    def aggregate(self, t: Type, d: int):
        opts: list[tuple[int, Any]] = [(3, "lit")]
        vs = [n for n, v in self.vars().items() if v.type == t]
        if vs:
            opts.append((6, "var"))
        ps = [p for p in self.paths(t) if p[2]]
        if ps:
            opts.append((2, "path"))
        if d > 0:
            opts.append((1, "if"))
            if any(f.ret == t for f in self.helpers):
                opts.append((2, "call"))
            if t == HASH and self.cfg.hashes:
                opts.append((2, "hash"))
            if isinstance(t, Array) and t.element == BOOL:
                opts.append((1, "bits"))
        k = self.pick(opts)
        if k == "var":
            return Var(t, vs[self.int(0, len(vs) - 1)])
        if k == "path":
            e = self.read_path(*ps[self.int(0, len(ps) - 1)])
            if e is not None:
                return e
        if k == "if":
            return self.if_expr(t, d)
        if k == "call":
            return self.call(t, d)
        if k == "hash":
            return self.hash(d - 1)
        if k == "bits":
            s = self.pick([(2, U8), (1, U16), (2, U32), (1, U64), (1, FELT)])
            return ToBits(t, self.scalar(s, d - 1), t.length)
        sub = max(d - 1, 0)
        if isinstance(t, Array):
            if t.length > 1 and self.flag(0.25):
                return Repeat(t, self.expr(t.element, sub), self.cint(t.length))
            return ArrayLit(t, tuple(self.expr(t.element, sub) for _ in range(t.length)))
        if isinstance(t, Tuple):
            return TupleLit(t, tuple(self.expr(e, sub) for e in t.elements))
        fields = [(n, self.expr(ft, sub)) for n, ft in t.fields]
        order = self.draw(st.permutations(range(len(fields))))
        return StructLit(t, tuple(fields[i] for i in order))

    # --- statements -------------------------------------------------------------------------------
    def block(self, n: int, tail: Type | None, d: int, lo: int = 0, p_more: float = 0.6) -> Block:
        """A block of ``lo``..``n`` statements (while the function's budget lasts) and a
        tail of type ``tail`` (None: no tail)."""
        self.scopes.append({})
        try:
            stmts = []
            while len(stmts) < n and self.budget > 0:
                if len(stmts) >= lo and not self.flag(p_more):
                    break
                self.budget -= 1
                stmts.append(self.stmt(d))
            value = self.expr(tail, max(d, 0)) if tail is not None else None
            return Block(tuple(stmts), value)
        finally:
            self.scopes.pop()

    def stmt(self, d: int):
        mutables = self.paths_any_mutable()
        value_fns = any(f.ret is not None for f in self.helpers)
        opts = [(6, self.let), (3, self.let_aggregate), (1, self.let_tuple), (8 if mutables else 0, self.assign),
                (3 if d > 0 else 0, self.if_stmt), (2 if d > 0 and self.loop_depth < 2 else 0, self.for_loop),
                (3, self.assert_stmt), (1, self.assert_eq), (3 if value_fns else 0, self.let_call),
                (2 if any(f.ret is None for f in self.helpers) else 0, self.unit_call)]
        return self.pick(opts)(d)

    def paths_any_mutable(self) -> bool:
        return any(v.mutable for v in self.vars().values())

    def let(self, d: int):
        t = self.scalar_type()
        e = self.scalar(t, self.int(0, self.cfg.max_depth))
        name = self.let_name()
        mutable = self.flag(0.5)
        self.declare(name, t, mutable, _wit(e, self.vars()))
        return Let(name, mutable, self.flag(0.6), e)

    def let_call(self, d: int):
        fns = [f for f in self.helpers if f.ret is not None
               and not (self.no_const_eval() and f.name in self.const_eval_fns)]
        if not fns:
            return self.let(d)
        e = self.call_of(fns[self.int(0, len(fns) - 1)], 2)
        name = self.let_name()
        mutable = self.flag(0.3)
        self.declare(name, e.type, mutable, False)
        return Let(name, mutable, self.flag(0.5), e)

    def aggregate_type(self) -> Type:
        k = self.pick([(4, "a"), (1, "t"), (1 if self.structs else 0, "S"), (1 if self.cfg.hashes else 0, "h")])
        if k == "a":
            return Array(self.scalar_type() if self.flag(0.8) else self.value_type(0), self.int(1, 4))
        if k == "t":
            return Tuple(tuple(self.items(1, 3, lambda: self.value_type(0), 0.5)))
        if k == "S":
            return self.structs[self.int(0, len(self.structs) - 1)]
        return HASH

    def let_aggregate(self, d: int):
        t = self.aggregate_type()
        e = self.expr(t, self.int(0, 2))
        name = self.let_name()
        mutable = self.flag(0.7)
        self.declare(name, t, mutable, _wit(e, self.vars()))
        return Let(name, mutable, self.flag(0.6), e)

    def let_tuple(self, d: int):
        t = Tuple(tuple(self.items(1, 3, lambda: self.value_type(0), 0.5)))
        e = self.expr(t, self.int(0, 2))
        names = []
        elem_wit = [_wit(x, self.vars()) for x in e.elems] if isinstance(e, TupleLit) else [False] * len(t.elements)
        for et, w in zip(t.elements, elem_wit, strict=True):
            if self.flag(0.2):
                names.append((None, False))
                continue
            n, m = self.fresh(), self.flag(0.4)
            self.declare(n, et, m, w)
            names.append((n, m))
        return LetTuple(tuple(names), e)

    def assign(self, d: int):
        whole, parts = [], []
        for name, info in self.vars().items():
            if info.mutable:
                for steps in _all_paths(info.type, 2):
                    (parts if steps else whole).append((name, info, steps))
        targets = parts if parts and (not whole or self.flag(0.5)) else whole
        name, info, kinds = targets[self.int(0, len(targets) - 1)]
        steps, t = [], info.type
        for kind, x in kinds:
            if kind == "index":
                idx, _ = self.index_expr(x)
                if idx is None:
                    return self.assert_stmt(d)
                steps.append(("index", idx))
                t = t.element
            else:
                steps.append((kind, x))
                t = _step_type(t, kind, x)
        place = Place(name, info.type, tuple(steps), t)
        ops = ["="]
        if t == FELT:
            ops += ["+", "-", "*", "/"]
        elif t == BOOL:
            ops += ["&", "|", "^"]
        elif isinstance(t, Scalar):
            ops += ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]
        op = ops[self.int(0, len(ops) - 1)] if self.flag(0.6) else "="
        if op in ("<<", ">>"):
            self.set_wit(name, info.wit)
            return Assign(place, op, self.cint(self.int(0, t.bits - 1)))
        value = self.expr(t, self.int(0, 2))
        vw = _wit(value, self.vars())
        if not steps:
            self.set_wit(name, vw or (op != "=" and info.wit))
        else:
            self.set_wit(name, info.wit and vw)
        return Assign(place, op, value)

    def merge(self, cw: bool, before: dict, then: dict, els: dict) -> None:
        """Witness flags after a branch: a variable either branch assigns is a select on
        the condition (not constant if the condition is not and one side is not), or the
        taken side's value (a constant condition)."""
        for key in before:
            t, e = then.get(key, before[key]), els.get(key, before[key])
            self.set_wit_at(*key, (cw and (t or e)) or (t and e))

    def if_stmt(self, d: int):
        cond = self.condition()
        cw = _wit(cond, self.vars())
        snap = self.snapshot()
        then = self.in_branch(lambda: self.block(3, None, d - 1, lo=1, p_more=0.5))
        after_then = self.snapshot()
        self.restore(snap)
        els = self.in_branch(lambda: self.block(2, None, d - 1, lo=1, p_more=0.4)) if self.flag(0.6) else None
        self.merge(cw, snap, after_then, self.snapshot())
        if els is not None and not els.stmts:
            els = None
        return IfS(cond, then, els)

    def condition(self):
        """A branch condition, usually depending on the witness."""
        ws = self.witness_ints()
        if ws and self.flag(0.6):
            name, t = ws[self.int(0, len(ws) - 1)]
            op = self.pick([(3, "<"), (1, "<="), (2, ">"), (1, "=="), (1, "!=")])
            return Bin(BOOL, op, Var(t, name), self.scalar(t, 1))
        return self.scalar(BOOL, 2)

    def for_loop(self, d: int):
        start = self.pick([(3, 0), (1, 1)])
        count = self.pick([(1, 0), (3, 1), (4, 2), (2, 3)])
        inclusive = self.flag(0.25)
        end = start + count - (1 if inclusive else 0)
        if end < 0:
            inclusive, end = False, 0
        var = self.fresh("i")
        bound = end + 1 if inclusive else end
        snap = self.snapshot()
        # the body is generated once but runs for several values: what a mutable variable
        # holds at the start of an iteration is not known here
        for info in self.vars().values():
            if info.mutable:
                info.wit = False
        self.loops[var] = bound
        self.loop_depth += 1
        self.scopes.append({var: _VarInfo(U32, False, False)})
        try:
            body = self.block(3, None, d - 1, lo=1, p_more=0.5)
        finally:
            self.scopes.pop()
            self.loop_depth -= 1
            del self.loops[var]
        after = self.snapshot()
        assigned = _assigned(body)
        runs = max(0, bound - start)
        for (i, n), w in snap.items():
            # (the last iteration's analysis is sound: it started from "unknown")
            self.set_wit_at(i, n, after[i, n] if runs and n in assigned else w)
        return For(var, start, self.cint(end), inclusive, body)

    def assert_stmt(self, d: int):
        k = self.pick([(4, "cmp"), (1, "any"), (1, "neg")])
        if k == "cmp":
            t = self.pick([(3, U32), (2, U8), (1, U16), (2, U64)])
            a = self.varying(lambda: self.scalar(t, self.int(0, 2)))
            # mostly a bound that small values satisfy
            op = self.pick([(4, "<"), (2, "<="), (1, ">="), (1, "!=")])
            if op == ">=":
                b = Lit(t, self.pick([(3, 0), (1, 1)]))
            else:
                b = Lit(t, self.pick([(3, min(t.max_value, 1000)), (2, 9 if op != "!=" else 0), (1, t.max_value),
                                      (1, 5)]))
            cond = Bin(BOOL, op, a, b)
        elif k == "neg":
            t = self.int_type()
            cond = Unary(BOOL, "!", Bin(BOOL, "==", self.varying(lambda: self.scalar(t, 1)), self.scalar(t, 0)))
        else:
            cond = self.varying(lambda: self.scalar(BOOL, 2))
        return Assert(cond, self.msg())

    def varying(self, make, tries: int = 3):
        """``make()``, drawn again (a few times) while it reads no variable: a check on
        constants only would fail or pass for every input (and fail at compile time)."""
        e = make()
        for _ in range(tries):
            if _reads_var(e):
                break
            e = make()
        return e

    def assert_eq(self, d: int):
        t = self.value_type(0) if self.flag(0.3) else self.scalar_type()
        a = self.varying(lambda: self.expr(t, self.int(0, 2)))
        b = a if self.flag(0.85) else self.expr(t, 1)  # mostly an identity that holds
        return AssertEq(a, b, self.msg())

    def unit_call(self, d: int):
        fns = [f for f in self.helpers if f.ret is None and not (self.no_const_eval() and f.name in self.const_eval_fns)]
        if not fns:
            return self.assert_stmt(d)
        return ExprS(self.call_of(fns[self.int(0, len(fns) - 1)], 2))

    # --- functions and the program -----------------------------------------------------------------
    def function(self, name: str, params: list, ret: Type | None, n_stmts: int, *, main: bool,
                 generic_body=None, min_stmts: int = 0, p_more: float = 0.6) -> FnDef:
        self.scopes = [{}]
        self.loops = {}
        self.in_main = main
        for n, t, _ in params:
            self.declare(n, t, False, main)
        self.budget = n_stmts
        if generic_body is not None:
            body = generic_body()
        else:
            body = self.block(n_stmts, ret, self.cfg.max_depth, lo=min_stmts, p_more=p_more)
        return FnDef(name, tuple(params), ret, body)

    def struct(self, k: int) -> Struct:
        def field_type() -> Type:
            t = self.pick([(5, "s"), (2, "a"), (1 if self.structs else 0, "S")])
            if t == "s":
                return self.scalar_type()
            if t == "a":
                return Array(self.scalar_type(), self.int(1, 3))
            return self.structs[self.int(0, len(self.structs) - 1)]

        types = self.items(1, 3, field_type, 0.5)
        return Struct(f"S{k}", tuple((f"f{j}", t) for j, t in enumerate(types)), "crate")

    def helper(self, k: int) -> FnDef:
        kind = self.pick([(3, "value"), (1, "unit"), (2, "generic")])
        params = self.items(1, 2, lambda: (self.fresh("a"), self.value_type(0) if self.flag(0.3)
                                           else self.scalar_type(), False), 0.4)
        if kind == "generic":
            return self.generic_helper(k, params)
        ret = None if kind == "unit" else (self.value_type(0) if self.flag(0.2) else self.scalar_type())
        n = max(1, self.cfg.max_statements // 2)
        return self.function(f"h{k}", params, ret, n, main=False, min_stmts=1 if ret is None else 0, p_more=0.5)

    def generic_helper(self, k: int, params: list) -> FnDef:
        """``fn hK<const N: u32>(xs: [E; N], ..) -> R``: an accumulator folded over ``xs``
        in ``for i in 0..N`` (or ``0..xs.len()``), plus generated statements."""
        el = self.scalar_type()
        xs = self.fresh("xs")
        params = [(xs, Array(el, GEN), False), *params]
        ret = self.scalar_type()

        def body() -> Block:
            self.scopes.append({"N": _VarInfo(U32, False, False)})
            acc = self.fresh("acc")
            init = Let(acc, True, True, self.expr(ret, 1))
            self.declare(acc, ret, True, False)
            var = self.fresh("i")
            end = self.pick([(2, "N"), (1, ("len", xs))])
            self.loops[var] = GEN
            self.scopes.append({var: _VarInfo(U32, False, False)})
            self.loop_depth += 1
            item = Index(el, Var(Array(el, GEN), xs), Var(U32, var))
            if el == ret:
                value = item
            elif ret == BOOL:
                value = Bin(BOOL, "==", item, self.scalar(el, 0))
            else:
                value = Cast(ret, item)  # (a narrowing cast may fail)
            ops = {FELT: ["+", "*", "-"], BOOL: ["&", "|", "^"]}.get(ret, ["+", "*", "|", "^", "-"])
            fold = Assign(Place(acc, ret, (), ret), ops[self.pick([(3, 0), (1, 1), (1, 2)])], value)
            self.budget = 2
            rest = self.block(2, None, 1, p_more=0.4)
            self.loop_depth -= 1
            self.scopes.pop()
            del self.loops[var]
            loop = For(var, 0, end, False, Block((fold, *rest.stmts)))
            tail = self.expr(ret, 2)
            self.scopes.pop()
            return Block((init, loop), tail)

        f = self.function(f"h{k}", params, ret, 0, main=False, generic_body=body)
        return FnDef(f.name, f.params, f.ret, f.body, generic=True)

    def program(self) -> GeneratedProgram:
        self.structs = []
        self.items(0, self.cfg.max_structs, lambda: self.structs.append(self.struct(len(self.structs))), 0.4)
        self.helpers = []
        def add_helper() -> None:
            f = self.helper(len(self.helpers))
            if _const_eval(f.body, self.const_eval_fns):
                self.const_eval_fns.add(f.name)
            self.helpers.append(f)

        self.items(0, self.cfg.max_helpers, add_helper, 0.5)
        def param() -> tuple:
            t = self.pick([(10, "s"), (3, "a"), (1 if self.structs else 0, "S"), (1 if self.cfg.hashes else 0, "h"),
                           (1, "t")])
            if t == "s":
                pt = self.scalar_type()
            elif t == "a":
                pt = Array(self.scalar_type(), self.int(1, 4))
            elif t == "S":
                pt = self.structs[self.int(0, len(self.structs) - 1)]
            elif t == "h":
                pt = HASH
            else:
                pt = Tuple((self.scalar_type(), self.scalar_type()))
            return (self.fresh("p"), pt, self.flag(0.3))

        params = self.items(1, 4, param, 0.6)
        outs = self.items(1, 3, lambda: self.value_type(0) if self.flag(0.2) else self.scalar_type(), 0.5)
        out_t = outs[0] if len(outs) == 1 and self.flag(0.5) else Tuple(tuple(outs))
        main = self.function("main", params, out_t, self.cfg.max_statements, main=True, min_stmts=1, p_more=0.8)
        ast = ProgramAst(tuple(self.structs), tuple(self.helpers), main)
        # (`use std::hash::..` only where needed: loading std/hash.psy costs a parse)
        ast = ProgramAst(ast.structs, ast.helpers, main, imports=_imports_hash(ast))
        return GeneratedProgram(render(ast), [(n, t, pub) for n, t, pub in params], out_t, ast)


# --- helpers of the generator ----------------------------------------------------------------------


# --- helpers of the generator ----------------------------------------------------------------------
def _steps_of(t: Type):
    if isinstance(t, Array):
        yield ("index", t.length), t.element
    elif isinstance(t, Tuple):
        for k, e in enumerate(t.elements):
            yield ("tuple", k), e
    elif isinstance(t, Struct):
        for n, ft in t.fields:
            yield ("field", n), ft


def _paths_to(t: Type, target: Type, depth: int) -> list[tuple]:
    out = [()] if t == target else []
    if depth > 0:
        for step, sub in _steps_of(t):
            out += [(step, *rest) for rest in _paths_to(sub, target, depth - 1)]
    return out


def _all_paths(t: Type, depth: int) -> list[tuple]:
    if isinstance(t, Array) and t.length == GEN:
        return []
    out = [()]
    if depth > 0:
        for step, sub in _steps_of(t):
            out += [(step, *rest) for rest in _all_paths(sub, depth - 1)]
    return out


def _assigned(b: Block) -> set[str]:
    """Variables that assignments anywhere in ``b`` write to."""
    out: set[str] = set()

    def walk(x) -> None:
        if isinstance(x, tuple | list):
            for y in x:
                walk(y)
        elif isinstance(x, Assign):
            out.add(x.place.var)
        elif hasattr(x, "__dataclass_fields__") and not isinstance(x, Scalar | Array | Tuple | Struct):
            for f in x.__dataclass_fields__:
                walk(getattr(x, f))

    walk(b)
    return out


def _imports_hash(prog: ProgramAst) -> bool:
    found = False

    def walk(x) -> None:
        nonlocal found
        if isinstance(x, tuple | list):
            for y in x:
                walk(y)
        elif isinstance(x, HashCall) and not x.full_path:
            found = True
        elif hasattr(x, "__dataclass_fields__") and not isinstance(x, Scalar | Array | Tuple | Struct):
            for f in x.__dataclass_fields__:
                walk(getattr(x, f))

    walk((prog.helpers, prog.main))
    return found


def _const_eval(b, fns: set[str]) -> bool:
    """Whether ``b`` does compile-time arithmetic: calls poseidon, writes a CSum, or calls
    one of ``fns``."""
    found = False

    def walk(x) -> None:
        nonlocal found
        if isinstance(x, tuple | list):
            for y in x:
                walk(y)
        elif (isinstance(x, HashCall) and x.fn == "poseidon" or isinstance(x, Call) and x.name in fns
              or isinstance(x, CSum)):
            found = True
        elif hasattr(x, "__dataclass_fields__") and not isinstance(x, Scalar | Array | Tuple | Struct):
            for f in x.__dataclass_fields__:
                walk(getattr(x, f))

    walk(b)
    return found


def _reads_var(e) -> bool:
    """Whether an expression mentions a variable (or calls a function)."""
    if isinstance(e, Var | Call):
        return True
    if isinstance(e, tuple):
        return any(_reads_var(x) for x in e)
    if isinstance(e, Block):
        return _reads_var(e.stmts) or (e.tail is not None and _reads_var(e.tail))
    if hasattr(e, "__dataclass_fields__") and not isinstance(e, Scalar | Array | Tuple | Struct):
        return any(_reads_var(getattr(e, f)) for f in e.__dataclass_fields__
                   if not isinstance(getattr(e, f), str | int | type(None)))
    return False


def _lit_tree(e) -> bool:
    """Constant literal arithmetic (the elaborator's "literal-like" shape)."""
    if isinstance(e, Lit):
        return e.type != BOOL
    if isinstance(e, Unary):
        return e.op == "-" and _lit_tree(e.arg)
    if isinstance(e, Bin):
        return e.op in _ARITH_OPS and _lit_tree(e.left) and _lit_tree(e.right)
    if isinstance(e, Shift):
        return _lit_tree(e.arg)
    return False


def _const_fails(e) -> bool:
    from psyc.testing.reference import ReferenceFailure, eval_constant

    try:
        eval_constant(e)
    except ReferenceFailure:
        return True
    return False


def _wit(e, env: dict[str, _VarInfo]) -> bool:
    """Conservatively: is ``e`` certainly not a compile-time constant for the compiler?
    (An operation with a non-constant operand is emitted, not folded. For aggregates: every
    leaf.) Used to allow witness indices, which a constant out-of-bounds value would turn
    into a compile error."""
    if isinstance(e, Var):
        info = env.get(e.name)
        return bool(info and info.wit)
    if isinstance(e, Bin):
        if e.op in ("&&", "||"):
            return _wit(e.left, env)
        if not isinstance(e.left.type, Scalar):
            return False
        return _wit(e.left, env) or _wit(e.right, env)
    if isinstance(e, Unary | Shift | Cast):
        return _wit(e.arg, env)
    if isinstance(e, Wrap):
        return _wit(e.left, env) or _wit(e.right, env)
    if isinstance(e, Index):
        # a witness index reads every leaf with a `read`; a constant one picks the element
        return _wit(e.index, env) or _wit(e.base, env)
    if isinstance(e, Member):
        return _wit(e.base, env)
    if isinstance(e, ArrayLit | TupleLit):
        return all(_wit(x, env) for x in e.elems)
    if isinstance(e, Repeat):
        return _wit(e.elem, env)
    if isinstance(e, StructLit):
        return all(_wit(x, env) for _, x in e.fields)
    return False
