"""``psyc info``: where the rows go — by gate type, by function and by source line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from psyc.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_compile_options,
    add_path,
    compile_from_args,
    ok,
    step,
    user_errors,
    zk_label,
)
from psyc.cli.console import console, error_console
from psyc.costs import row_costs

HELP = "circuit cost: rows by gate type, per function and per source line; a picture of the layout"
_PICTURE_MAGIC = (b"\x89PNG", b"<?xml", b"<svg")


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--top", type=int, default=15, help="how many source lines to list (default 15)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    p.add_argument("--by-line", action="store_true",
                   help="list every source line that costs rows, in source order, with its text")
    p.add_argument("--layout", metavar="PICTURE",
                   help="draw the circuit's layout to PICTURE (.png or .svg) with matplotlib")
    add_compile_options(p)


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    if args.layout and Path(args.layout).suffix.lower() not in (".png", ".svg"):
        error_console.print(f"[red]error[/red]: --layout needs a .png or .svg path, got {args.layout}",
                            highlight=False)
        return EXIT_USAGE
    if args.layout and Path(args.layout).exists():
        with open(args.layout, "rb") as f:
            head = f.read(5)
        if not head.startswith(_PICTURE_MAGIC):
            error_console.print(f"[red]error[/red]: refusing to overwrite {args.layout}: it is not a picture",
                                highlight=False)
            return EXIT_USAGE
    project, prog = compile_from_args(args, ctx, warnings=not args.json)
    with step("building the circuit"):
        data = prog.circuit()
    by_gate, by_line, by_fn = row_costs(prog)
    if args.layout:
        from psyc.layout_picture import draw_layout

        with step("drawing the layout"):
            draw_layout(prog, args.layout, title=f"{project.name}: {prog.program.name}")
        if not args.json:
            ok(f"wrote the layout picture: {args.layout}")
    if args.json:
        print(
            json.dumps(
                {
                    "rows": data.common.degree,
                    "zero_knowledge": data.common.config.zero_knowledge,
                    "used_rows": sum(by_gate.values()),
                    "by_gate": dict(by_gate),
                    "by_function": dict(by_fn),
                    "by_line": dict(by_line),
                }
            )
        )
        return EXIT_OK
    total = sum(by_gate.values())
    if args.by_line:
        _print_by_line(prog, by_line, total)
    for title, counter, limit in (
        ("rows by gate", by_gate, None),
        ("rows by function", by_fn, None),
        *((("rows by source line", by_line, args.top),) if not args.by_line else ()),
    ):
        from rich.table import Table

        table = Table(title=title)
        table.add_column("")
        table.add_column("rows", justify="right")
        table.add_column("share", justify="right")
        for key, n in counter.most_common(limit):
            table.add_row(key, f"{n:,}", f"{100 * n / max(total, 1):.1f}%")
        console.print(table)
    console.print(
        f"{total:,} rows used, padded to {data.common.degree:,} (2^{data.common.degree.bit_length() - 1}); "
        f"{len(prog.program.instrs):,} IR instructions; zero knowledge {zk_label(data.common.config.zero_knowledge)}",
        highlight=False,
    )
    return EXIT_OK


def _print_by_line(prog, by_line, total: int) -> None:
    """Every line that costs rows, file by file in source order, with the line's text."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="rows by source line")
    for col, justify in (("line", "left"), ("rows", "right"), ("share", "right"), ("source", "left")):
        table.add_column(col, justify=justify)

    def order(key: str):
        file, _, line = key.rpartition(":")
        return (0, file, int(line)) if line.isdigit() else (1, key, 0)

    for key in sorted(by_line, key=order):
        file, _, line = key.rpartition(":")
        try:
            text = prog.sources.line_text(file, int(line)).strip() if line.isdigit() else ""
        except (KeyError, IndexError):
            text = ""
        n = by_line[key]
        table.add_row(escape(key), f"{n:,}", f"{100 * n / max(total, 1):.1f}%", escape(text))
    console.print(table)
