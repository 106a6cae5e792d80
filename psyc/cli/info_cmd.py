"""``psyc info``: where the rows go — by gate type, by function and by source line."""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter

from rich.table import Table

from psyc.cli.common import EXIT_OK, add_compile_options, add_path, compile_from_args, step, user_errors
from psyc.cli.console import console

HELP = "circuit cost: rows by gate type, per function and per source line"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--top", type=int, default=15, help="how many source lines to list (default 15)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    add_compile_options(p)


_LOC = re.compile(r"([^\s]+\.psy):(\d+):\d+$")


def row_costs(prog) -> tuple[Counter, Counter, Counter]:
    """Rows by gate, by `file:line` and by function (rows shared by several ops count for
    the first op placed in them; padding rows are left out)."""
    by_gate, by_line, by_fn = Counter(), Counter(), Counter()
    for row in prog.lowered().builder.rows:
        if row.scope == "padding":
            continue
        by_gate[row.gate.name] += 1
        m = _LOC.search(row.scope or "")
        by_line[f"{m.group(1)}:{m.group(2)}" if m else row.scope or "(circuit)"] += 1
    for key, rows in by_line.items():
        file, _, line = key.rpartition(":")
        by_fn[_function_at(prog, file, int(line)) if line.isdigit() else key] += rows
    return by_gate, by_line, by_fn


def _function_at(prog, file: str, line: int) -> str:
    from psyc.frontend import ast

    best = "?"
    for mod in _modules(prog):
        if mod.file != file:
            continue
        for item in mod.ast.items:
            if isinstance(item, ast.FnDecl):
                first, _ = prog.sources.line_col(file, item.span.start)
                last, _ = prog.sources.line_col(file, max(item.span.end - 1, item.span.start))
                if first <= line <= last:
                    best = f"{mod.name}::{item.name}"
    return best


def _modules(prog):
    return getattr(prog, "modules", [])


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    project, prog = compile_from_args(args, ctx, warnings=not args.json)
    with step("building the circuit"):
        data = prog.circuit()
    by_gate, by_line, by_fn = row_costs(prog)
    if args.json:
        print(
            json.dumps(
                {
                    "rows": data.common.degree,
                    "used_rows": sum(by_gate.values()),
                    "by_gate": dict(by_gate),
                    "by_function": dict(by_fn),
                    "by_line": dict(by_line),
                }
            )
        )
        return EXIT_OK
    total = sum(by_gate.values())
    for title, counter, limit in (
        ("rows by gate", by_gate, None),
        ("rows by function", by_fn, None),
        ("rows by source line", by_line, args.top),
    ):
        table = Table(title=title)
        table.add_column("")
        table.add_column("rows", justify="right")
        table.add_column("share", justify="right")
        for key, n in counter.most_common(limit):
            table.add_row(key, f"{n:,}", f"{100 * n / max(total, 1):.1f}%")
        console.print(table)
    console.print(
        f"{total:,} rows used, padded to {data.common.degree:,} (2^{data.common.degree.bit_length() - 1}); "
        f"{len(prog.program.instrs):,} IR instructions",
        highlight=False,
    )
    return EXIT_OK
