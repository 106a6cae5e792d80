"""The abstract syntax tree. Small frozen dataclasses; every node carries its span."""

from __future__ import annotations

from dataclasses import dataclass, field

from psyc.util.diagnostics import Span

# --- types -------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedType:
    name: str  # Felt, bool, u8..u64, Hash, or a struct name
    span: Span


@dataclass(frozen=True)
class ArrayType:
    element: TypeExpr
    length: Expr
    span: Span


@dataclass(frozen=True)
class TupleType:
    elements: tuple[TypeExpr, ...]
    span: Span


@dataclass(frozen=True)
class ProofType:
    num_public_inputs: Expr
    span: Span


TypeExpr = NamedType | ArrayType | TupleType | ProofType

# --- expressions -------------------------------------------------------------------


@dataclass(frozen=True)
class IntLit:
    value: int
    span: Span


@dataclass(frozen=True)
class BoolLit:
    value: bool
    span: Span


@dataclass(frozen=True)
class StrLit:
    value: str
    span: Span


@dataclass(frozen=True)
class PathExpr:
    segments: tuple[str, ...]  # `x`, `DEPTH`, `std::hash::poseidon`
    span: Span


@dataclass(frozen=True)
class Unary:
    op: str  # "-" | "!"
    operand: Expr
    span: Span


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True)
class Cast:
    expr: Expr
    target: TypeExpr
    span: Span


@dataclass(frozen=True)
class Call:
    callee: PathExpr
    generic_args: tuple[Expr, ...]
    args: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class MacroCall:
    name: str  # `fingerprint!("child.psy")`
    arg: str
    span: Span


@dataclass(frozen=True)
class MethodCall:
    receiver: Expr
    method: str
    generic_args: tuple[Expr, ...]
    args: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class Index:
    base: Expr
    index: Expr
    span: Span


@dataclass(frozen=True)
class Field:
    base: Expr
    name: str  # a struct field, or "0", "1", … for tuples
    span: Span


@dataclass(frozen=True)
class TupleExpr:
    elements: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class ArrayLit:
    elements: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class ArrayRepeat:
    value: Expr
    count: Expr
    span: Span


@dataclass(frozen=True)
class StructLit:
    name: str
    fields: tuple[tuple[str, Expr], ...]
    span: Span


@dataclass(frozen=True)
class If:
    cond: Expr
    then: Block
    otherwise: Block | If | None
    span: Span


@dataclass(frozen=True)
class Unsafe:
    body: Block
    span: Span


# --- patterns and statements ---------------------------------------------------------


@dataclass(frozen=True)
class NamePattern:
    name: str
    mutable: bool
    span: Span


@dataclass(frozen=True)
class TuplePattern:
    elements: tuple[Pattern, ...]
    span: Span


@dataclass(frozen=True)
class WildcardPattern:
    span: Span


Pattern = NamePattern | TuplePattern | WildcardPattern


@dataclass(frozen=True)
class Let:
    pattern: Pattern
    type: TypeExpr | None
    value: Expr
    span: Span


@dataclass(frozen=True)
class Assign:
    target: Expr  # a path, index or field expression
    op: str  # "=", "+=", "-=", "*=", ...
    value: Expr
    span: Span


@dataclass(frozen=True)
class ExprStmt:
    expr: Expr
    span: Span


@dataclass(frozen=True)
class For:
    var: str
    start: Expr
    end: Expr
    inclusive: bool
    body: Block
    span: Span


@dataclass(frozen=True)
class While:
    cond: Expr
    body: Block
    span: Span


@dataclass(frozen=True)
class Return:
    value: Expr | None
    span: Span


Stmt = Let | Assign | ExprStmt | For | While | Return


@dataclass(frozen=True)
class Block:
    stmts: tuple[Stmt, ...]
    tail: Expr | None  # the block's value
    span: Span


Expr = (
    IntLit
    | BoolLit
    | StrLit
    | PathExpr
    | Unary
    | Binary
    | Cast
    | Call
    | MacroCall
    | MethodCall
    | Index
    | Field
    | TupleExpr
    | ArrayLit
    | ArrayRepeat
    | StructLit
    | If
    | Unsafe
    | Block
)


# --- items -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    name: str  # "test", "fuzz"
    args: tuple[tuple[str | None, str], ...]  # (key or None, string value)
    span: Span


@dataclass(frozen=True)
class Param:
    name: str
    type: TypeExpr
    public: bool
    span: Span


@dataclass(frozen=True)
class GenericParam:
    name: str
    type: TypeExpr
    span: Span


@dataclass(frozen=True)
class FnDecl:
    name: str
    generics: tuple[GenericParam, ...]
    params: tuple[Param, ...]
    ret: TypeExpr | None
    ret_public: bool
    body: Block
    unconstrained: bool
    attributes: tuple[Attribute, ...]
    span: Span
    receiver: str | None = None  # a method's `self`: "&self", "&mut self" or "self"


@dataclass(frozen=True)
class StructDecl:
    name: str
    fields: tuple[tuple[str, TypeExpr], ...]
    span: Span
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True)
class ImplDecl:
    """``impl Name { fn .. }``: methods (with a ``self`` receiver) and associated functions."""

    name: str
    methods: tuple[FnDecl, ...]
    span: Span


@dataclass(frozen=True)
class ConstDecl:
    name: str
    type: TypeExpr
    value: Expr
    span: Span


@dataclass(frozen=True)
class UseDecl:
    path: tuple[str, ...]  # the module path, e.g. ("std", "hash")
    names: tuple[str, ...]  # imported names; a single `use a::b;` imports ("b",) from ("a",)
    span: Span


@dataclass(frozen=True)
class ModDecl:
    name: str
    span: Span


Item = FnDecl | StructDecl | ConstDecl | UseDecl | ModDecl | ImplDecl


@dataclass(frozen=True)
class Module:
    path: str
    items: tuple[Item, ...] = field(default=())
