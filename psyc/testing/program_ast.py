"""The typed AST of generated ``.psy`` programs (:mod:`psyc.testing.programs` draws them,
:mod:`psyc.testing.render` writes their source, :mod:`psyc.testing.reference` evaluates
them), and :class:`GeneratedProgram`, one program with its source and parameters."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psyc.field.goldilocks import P
from psyc.frontend.types import BOOL, FELT, U8, U16, U32, U64, Array, Scalar, Struct, Tuple, Type

INTS = (U8, U16, U32, U64)
SCALAR_TYPES = (FELT, BOOL, U8, U16, U32, U64)
GEN = -2  # the length of a const-generic array `[T; N]` inside a generic helper
_ARITH_OPS = ("+", "-", "*", "/", "%", "&", "|", "^")
_CMP_OPS = ("==", "!=", "<", "<=", ">", ">=")


# =============================================================================================
# the typed AST
# =============================================================================================
# Expressions carry their type (a psyc.frontend.types Type). Nodes are plain frozen
# dataclasses; the same node object may appear twice in a tree (a guarded `a - b` reuses
# its operands), which is harmless: expressions are pure apart from their checks.


@dataclass(frozen=True)
class Lit:
    type: Scalar
    value: int
    style: int = 0  # 0 decimal, 1 hexadecimal, 2 decimal with `_` separators


@dataclass(frozen=True)
class CSum:
    """A compile-time constant written as a sum of literals, ``(1 + 2)``: a shift amount,
    a loop bound, a repeat count or a turbofish argument (those places take ``int | CSum``)."""

    parts: tuple

    @property
    def value(self) -> int:
        return sum(self.parts)


def cval(x: int | CSum) -> int:
    """The value of an ``int | CSum``."""
    return x.value if isinstance(x, CSum) else x


def ctext(x: int | CSum) -> str:
    return "(" + " + ".join(map(str, x.parts)) + ")" if isinstance(x, CSum) else str(x)


@dataclass(frozen=True)
class Var:
    type: Type
    name: str


@dataclass(frozen=True)
class Unary:
    type: Scalar
    op: str  # "-" (Felt) | "!" (bool, u8 u16 u32)
    arg: Any


@dataclass(frozen=True)
class Bin:
    type: Scalar  # the result type (bool for comparisons)
    op: str  # + - * / % & | ^, == != < <= > >=, && ||
    left: Any
    right: Any


@dataclass(frozen=True)
class Shift:
    type: Scalar
    op: str  # "<<" | ">>"
    arg: Any
    amount: int | CSum


@dataclass(frozen=True)
class Cast:
    type: Scalar  # the target
    arg: Any


@dataclass(frozen=True)
class Wrap:
    type: Scalar
    op: str  # "add" | "sub" | "mul"
    left: Any
    right: Any


@dataclass(frozen=True)
class IfE:
    type: Type
    cond: Any
    then: Block
    els: Block


@dataclass(frozen=True)
class Index:
    type: Type
    base: Any
    index: Any


@dataclass(frozen=True)
class Len:
    type: Scalar  # u32
    base: Any


@dataclass(frozen=True)
class Member:
    type: Type
    base: Any
    name: str | int  # a struct field, or a tuple position


@dataclass(frozen=True)
class ArrayLit:
    type: Array
    elems: tuple


@dataclass(frozen=True)
class Repeat:
    type: Array
    elem: Any
    count: int


@dataclass(frozen=True)
class TupleLit:
    type: Tuple
    elems: tuple


@dataclass(frozen=True)
class StructLit:
    type: Struct
    fields: tuple  # ((name, expr), ...) in source order (evaluated in this order)


@dataclass(frozen=True)
class Call:
    type: Type
    name: str  # a helper function of the program
    args: tuple
    generics: tuple | None = None  # explicit turbofish `f::<3>(..)`


@dataclass(frozen=True)
class HashCall:
    type: Array  # Hash
    fn: str  # "poseidon" | "hash_two"
    args: tuple
    full_path: bool = False  # `std::hash::poseidon(..)` instead of the imported name


@dataclass(frozen=True)
class ToBits:
    type: Array  # [bool; n]
    arg: Any
    n: int


@dataclass(frozen=True)
class FromBits:
    type: Scalar
    arg: Any  # [bool; n]


#: Any expression node.
Expr = (
    Lit | CSum | Var | Unary | Bin | Shift | Cast | Wrap | IfE | Index | Len | Member | ArrayLit | Repeat
    | TupleLit | StructLit | Call | HashCall | ToBits | FromBits
)


# --- statements ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    stmts: tuple = ()
    tail: Any = None


@dataclass(frozen=True)
class Let:
    name: str
    mutable: bool
    annotate: bool
    value: Any


@dataclass(frozen=True)
class LetTuple:
    names: tuple  # ((name | None, mutable), ...); None is `_`
    value: Any


@dataclass(frozen=True)
class Place:
    var: str
    type: Type  # the variable's type
    steps: tuple  # (("field", name) | ("tuple", k) | ("index", expr), ...)
    leaf_type: Type


@dataclass(frozen=True)
class Assign:
    place: Place
    op: str  # "=" or a compound operator without `=`: "+", "<<", ...
    value: Any  # for shifts: the amount (int)


@dataclass(frozen=True)
class IfS:
    cond: Any
    then: Block
    els: Block | None


@dataclass(frozen=True)
class For:
    var: str
    start: int
    end: Any  # int, or "N" / ("len", name) in a generic helper
    inclusive: bool
    body: Block


@dataclass(frozen=True)
class Assert:
    cond: Any
    msg: str | None


@dataclass(frozen=True)
class AssertEq:
    left: Any
    right: Any
    msg: str | None


@dataclass(frozen=True)
class ExprS:
    expr: Any


@dataclass(frozen=True)
class FnDef:
    name: str
    params: tuple  # ((name, type, public), ...); a generic array has length GEN
    ret: Type | None  # None: the unit type
    body: Block
    generic: bool = False  # `<const N: u32>`


@dataclass(frozen=True)
class ProgramAst:
    structs: tuple  # Struct types, declared at the top in order
    helpers: tuple  # FnDef
    main: FnDef
    imports: bool = True  # `use std::hash::{poseidon, hash_two};`


def _step_type(t: Type, kind: str, x) -> Type:
    if kind == "field":
        return t.field_type(x)
    if kind == "tuple":
        return t.elements[x]
    return t.element


# =============================================================================================
# the program
# =============================================================================================
_TMP: Path | None = None
_COUNTER = itertools.count()


@dataclass
class GeneratedProgram:
    """A generated program: ``source`` (src/main.psy), the entry's ``params``
    ``[(name, Type, public)]``, its ``output_type`` (always ``-> pub``) and the typed
    ``ast`` that :func:`psyc.testing.reference.evaluate` runs."""

    source: str
    params: list
    output_type: Type
    ast: ProgramAst = field(repr=False)

    def __repr__(self) -> str:
        return f"GeneratedProgram(source=<<<\n{self.source}>>>)"

    def _repr_pretty_(self, p, cycle) -> None:  # how hypothesis prints a falsifying example
        p.text(repr(self))

    def write_project(self, root: str | Path | None = None) -> Path:
        """Write the program as a project (``psy.toml`` + ``src/main.psy``) into ``root``
        (default: a fresh folder under a temporary directory removed at exit)."""
        global _TMP
        if root is None:
            if _TMP is None:
                import atexit

                _TMP = Path(tempfile.mkdtemp(prefix="psyc_gen_"))
                atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
            root = _TMP / f"p{next(_COUNTER)}"
        root = Path(root)
        (root / "src").mkdir(parents=True, exist_ok=True)
        (root / "psy.toml").write_text('[package]\nname = "generated"\n')
        (root / "src" / "main.psy").write_text(self.source)
        return root

    def compile(self, optimize: bool = True, root: str | Path | None = None):
        """Compile with :func:`psyc.compiler.compile_path` (a :class:`CompiledProgram`).
        Raises ``CompileError``, or ``ExecutionError`` when a check fails on constants."""
        from psyc.compiler import CompileOptions, compile_path

        return compile_path(self.write_project(root), CompileOptions(optimize=optimize))

    def dictionary(self) -> frozenset[int]:
        """Values where this program's behaviour changes: every literal and its
        neighbours, 2^n - 1, 2^n, 2^n + 1 for every cast target, ``to_bits::<n>`` and shift
        width, array lengths."""
        return frozenset(_dictionary(self.ast))

    def features(self) -> frozenset[str]:
        """Tags of what the program uses (node kinds, operators, casts, ...)."""
        return frozenset(_features(self.ast))


# --- what a program uses (GeneratedProgram.dictionary / features) ---------------------------
def _dictionary(prog: ProgramAst) -> set[int]:
    words: set[int] = set()

    def around(v: int) -> None:
        words.update(x for x in (v - 1, v, v + 1) if 0 <= x < P)

    def walk(x) -> None:
        if isinstance(x, tuple | list):
            for y in x:
                walk(y)
            return
        if isinstance(x, Array):
            if x.length > 0:
                around(x.length)
            return
        if not hasattr(x, "__dataclass_fields__") or isinstance(x, Scalar | Tuple | Struct):
            return
        if isinstance(x, Lit) and x.type != BOOL:
            around(x.value)
        elif isinstance(x, Cast) and x.type.is_int and x.type.bits < 64:
            around(1 << x.type.bits)
        elif isinstance(x, ToBits) and x.n < 64:
            around(1 << x.n)
        elif isinstance(x, Shift):
            around(1 << (x.type.bits - cval(x.amount)))
        for f in x.__dataclass_fields__:
            walk(getattr(x, f))

    walk((prog.helpers, prog.main))
    return words


def _features(prog: ProgramAst) -> set[str]:
    tags: set[str] = set()
    if prog.structs:
        tags.add("struct")

    def walk(x) -> None:
        if isinstance(x, tuple | list):
            for y in x:
                walk(y)
            return
        if not hasattr(x, "__dataclass_fields__"):
            return
        name = type(x).__name__
        tags.add(name)
        if isinstance(x, Bin | Shift | Wrap | Unary):
            tags.add(f"{name}:{x.op}:{getattr(x, 'type', '')}")
            tags.add(f"op:{x.op}")
        if isinstance(x, Cast):
            tags.add(f"cast:{x.arg.type}->{x.type}")
        if isinstance(x, Assign):
            tags.add(f"assign:{x.op}")
            if any(k == "index" for k, _ in x.place.steps):
                tags.add("assign:element")
        if isinstance(x, HashCall):
            tags.add(x.fn)
        if isinstance(x, FnDef) and x.generic:
            tags.add("generic")
        if isinstance(x, Call) and x.generics:
            tags.add("turbofish")
        if isinstance(x, CSum):
            tags.add("const_sum")
        if isinstance(x, IfE | IfS):
            tags.add("if")
        for f in x.__dataclass_fields__:
            v = getattr(x, f)
            if not isinstance(v, Scalar | Array | Tuple | Struct | str | int | bool | type(None)):
                walk(v)

    walk((prog.helpers, prog.main))
    return tags
