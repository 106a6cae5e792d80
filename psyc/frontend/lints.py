"""Lints on the syntax tree: W0003, a local variable (``let``, ``for``, a parameter of a
helper function) that is never read.

It runs on the source as written, not on the elaborated program: elaboration inlines
calls and folds constant branches, so a variable used only in a branch that happens to be
dead for one caller would look unused there. A name starting with ``_`` is unused on
purpose. The entry function's parameters are left to W0004 (psyc.compiler), which also
knows whether they reach a constraint.
"""

from __future__ import annotations

import dataclasses

from psyc.frontend import ast
from psyc.util.diagnostics import Diagnostic, Label, Span


class _Scopes:
    def __init__(self) -> None:
        self.stack: list[dict[str, list]] = []  # name -> [span, used, what]
        self.unused: list[tuple[str, Span, str]] = []

    def push(self) -> None:
        self.stack.append({})

    def pop(self) -> None:
        for name, (span, used, what) in self.stack.pop().items():
            if not used and not name.startswith("_") and span is not None:
                self.unused.append((name, span, what))

    def bind(self, name: str, span: Span, what: str) -> None:
        scope = self.stack[-1]
        if name in scope:  # shadowed in the same scope: the earlier one is finished
            old_span, used, old_what = scope.pop(name)
            if not used and not name.startswith("_"):
                self.unused.append((name, old_span, old_what))
        scope[name] = [span, False, what]

    def use(self, name: str) -> None:
        for scope in reversed(self.stack):
            if name in scope:
                scope[name][1] = True
                return


def unused_variables(module: ast.Module, entry: str | None = None) -> list[Diagnostic]:
    """W0003 for every variable of ``module`` that is bound and never read."""
    scopes = _Scopes()
    fns = [it for it in module.items if isinstance(it, ast.FnDecl)]
    fns += [m for it in module.items if isinstance(it, ast.ImplDecl) for m in it.methods]
    for fn in fns:
        scopes.push()
        if fn.name != entry:
            for p in fn.params:
                scopes.bind(p.name, p.span, "parameter")
        _block(fn.body, scopes)
        scopes.pop()
    out = []
    for name, span, what in sorted(scopes.unused, key=lambda u: u[1].start):
        out.append(Diagnostic(
            "warning", "W0003", f"unused {what} `{name}`", [Label(span, "never read")],
            [f"remove it, or name it `_{name}` if it is unused on purpose"],
        ))
    return out


def _block(b: ast.Block, scopes: _Scopes) -> None:
    scopes.push()
    for s in b.stmts:
        _stmt(s, scopes)
    if b.tail is not None:
        _expr(b.tail, scopes)
    scopes.pop()


def _stmt(s, scopes: _Scopes) -> None:
    if isinstance(s, ast.Let):
        _expr(s.value, scopes)
        _bind_pattern(s.pattern, scopes)
    elif isinstance(s, ast.For):
        _expr(s.start, scopes)
        _expr(s.end, scopes)
        scopes.push()
        scopes.bind(s.var, s.span, "loop variable")
        _block(s.body, scopes)
        scopes.pop()
    else:  # Assign (its target counts as a use: `x += 1` reads x), ExprStmt, While, Return
        _expr(s, scopes)


def _bind_pattern(p, scopes: _Scopes) -> None:
    if isinstance(p, ast.NamePattern):
        scopes.bind(p.name, p.span, "variable")
    elif isinstance(p, ast.TuplePattern):
        for q in p.elements:
            _bind_pattern(q, scopes)


def _expr(e, scopes: _Scopes) -> None:
    """Visit every sub-expression; blocks open scopes."""
    if e is None:
        return
    if isinstance(e, ast.Block):
        _block(e, scopes)
        return
    if isinstance(e, ast.PathExpr):
        if len(e.segments) == 1:
            scopes.use(e.segments[0])
        return
    if isinstance(e, ast.Let | ast.For):
        _stmt(e, scopes)
        return
    if not dataclasses.is_dataclass(e):
        return
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, tuple):
            for x in v:
                if isinstance(x, tuple):  # struct literal fields: (name, expr)
                    for y in x:
                        _expr(y, scopes)
                else:
                    _expr(x, scopes)
        elif dataclasses.is_dataclass(v) and not isinstance(v, Span):
            _expr(v, scopes)
