"""The elaborator's shared vocabulary: typed values, bindings, frames, modes, errors and
the small helpers every part uses."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from psyc.frontend import ast
from psyc.frontend import types as ty
from psyc.frontend.modules import Module
from psyc.frontend.storage import StorageT
from psyc.frontend.types import BOOL, Array, Scalar, Struct, Tuple, Type
from psyc.ir.ir import HintFn
from psyc.util.diagnostics import CompileError, Diagnostic, Span

DEFAULT_MAX_UNROLL = 1 << 20
MAX_CALL_DEPTH = 200


def error(code: str, message: str, span: Span | None, label: str = "", notes: Sequence[str] = ()) -> CompileError:
    d = Diagnostic.error(code, message, span, label)
    d.notes.extend(notes)
    return CompileError([d])


@dataclass(slots=True)  # one per expression evaluated: slots make it cheaper to create
class TV:
    """A typed value: the type and its payload (a Value for scalars, a list for arrays,
    a tuple for tuples and structs)."""

    type: Type
    payload: object


@dataclass(slots=True)
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


_BUILTINS = ("assert", "assert_eq", "from_bits", "print", "println")
_PRINT_DECIMAL, _PRINT_BOOL = 0, 1  # how a `print` op shows its next value (psyc.ir.interpret)
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
_ARITH = ("+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>")
HOLE = -1  # the length of an array in a shape hint that a const generic not yet inferred decides
_BIG_HINTS = frozenset({"__big_mod", "__big_div", "__big_moddiv", "__big_mulmod", "__big_muldiv", "__big_glv"})  # std::bigint's native hints
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
