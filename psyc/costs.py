"""Where a circuit's rows go: by gate type, by source line and by function.

Each row of the lowered circuit carries the scope of the IR instruction that placed it
(``file:line:col``); these helpers attribute rows to lines and to the function whose
source contains the line. Used by ``psyc info``, its ``--layout`` picture and the
language server's row-count lenses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram

_LOC = re.compile(r"([^\s]+\.psy):(\d+):\d+$")


@dataclass(frozen=True)
class RowSource:
    """What placed one row: its gate, its `file:line` (or another scope name such as
    ``public_inputs``), and the function (`module::name`) containing that line."""

    gate: str
    line: str
    function: str


def row_sources(prog: CompiledProgram) -> list[RowSource | None]:
    """One entry per row of the built circuit (None for a padding row)."""
    out: list[RowSource | None] = []
    fn_cache: dict[str, str] = {}
    for row in prog.lowered().builder.rows:
        if row.scope == "padding":
            out.append(None)
            continue
        m = _LOC.search(row.scope or "")
        key = f"{m.group(1)}:{m.group(2)}" if m else row.scope or "(circuit)"
        if key not in fn_cache:
            fn_cache[key] = _function_at(prog, m.group(1), int(m.group(2))) if m else key
        out.append(RowSource(row.gate.name, key, fn_cache[key]))
    return out


def row_costs(prog: CompiledProgram) -> tuple[Counter, Counter, Counter]:
    """Rows by gate, by `file:line` and by function (rows shared by several ops count for
    the first op placed in them; padding rows are left out)."""
    by_gate, by_line, by_fn = Counter(), Counter(), Counter()
    for src in row_sources(prog):
        if src is not None:
            by_gate[src.gate] += 1
            by_line[src.line] += 1
            by_fn[src.function] += 1
    return by_gate, by_line, by_fn


def _function_at(prog, file: str, line: int) -> str:
    from psyc.frontend import ast

    best = "?"
    for mod in getattr(prog, "modules", []):
        if mod.file != file:
            continue
        for item in mod.ast.items:
            fns = [(item.name, item)] if isinstance(item, ast.FnDecl) else []
            if isinstance(item, getattr(ast, "ImplDecl", ())):  # methods: `module::Type::method`
                fns = [(f"{item.name}::{fn.name}", fn) for fn in item.methods]
            for name, fn in fns:
                first, _ = prog.sources.line_col(file, fn.span.start)
                last, _ = prog.sources.line_col(file, max(fn.span.end - 1, fn.span.start))
                if first <= line <= last:
                    best = f"{mod.name}::{name}"
    return best
