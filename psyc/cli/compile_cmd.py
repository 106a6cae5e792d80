"""``psyc compile``: build the circuit and its verifying key, print statistics."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.cli.common import (
    EXIT_OK,
    add_compile_options,
    add_path,
    compile_from_args,
    ok,
    step,
    user_errors,
)
from psyc.cli.console import console, error_console

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram

HELP = "compile to a circuit: writes DIR/NAME.vk, NAME.ir and NAME.json (stats); --emit-ir prints the IR"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("-o", "--out-dir", help="output folder (default: PROJECT/target)")
    p.add_argument("--emit-ir", action="store_true", help="print the optimised SSA IR to stdout (messages go to stderr)")
    p.add_argument("--json", action="store_true", help="print the statistics and written paths as one JSON object")
    p.add_argument("--force", action="store_true", help="overwrite output files psyc did not write for this program")
    add_compile_options(p)


def circuit_stats(prog: CompiledProgram) -> dict:
    data = prog.circuit()
    rows = prog.lowered().stats
    return {
        "ir_instructions": len(prog.program.instrs),
        "ir_ops": prog.program.count_ops(),
        "rows_by_gate": rows,
        "degree_bits": data.common.degree_bits
        if hasattr(data.common, "degree_bits")
        else data.common.degree.bit_length() - 1,
        "public_inputs": len(data.prover_only.public_input_classes),
        "fingerprint": [str(x) for x in data.verifier_data.fingerprint],
    }


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    if args.emit_ir:  # stdout carries the IR and nothing else
        console.file = error_console.file
    try:
        return _run(args, ctx)
    finally:
        console.file = None


def _run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.cli import contract_cli

    found = contract_cli.open_contract(args, ctx)
    if found is not None:
        return contract_cli.compile_contract(found, args)
    from psyc.cli.outputs import OutputFiles

    timings: dict[str, float] = {}
    project, prog = compile_from_args(args, ctx, timings)
    sources = prog.sources
    ir_text = prog.program.format(sources)
    if args.emit_ir:
        print(ir_text, flush=True)
    with step("building the circuit", timings):
        stats = circuit_stats(prog)
    files = OutputFiles(project, args.force)
    out = files.folder(Path(args.out_dir) if args.out_dir else project.root / "target", bool(args.out_dir))
    vk_path, ir_path, json_path = (out / f"{project.name}{ext}" for ext in (".vk", ".ir", ".json"))
    for path in (vk_path, ir_path, json_path):
        files.check(path)
    stats["timings_s"] = {**{k: round(v, 4) for k, v in prog.timings.items()}}
    files.write(vk_path, prog.verifying_key().to_bytes())
    files.write(ir_path, ir_text + "\n")
    files.write(json_path, json.dumps(stats, indent=2) + "\n")
    for note in files.notes:
        error_console.print(f"note: {note}", markup=False, highlight=False)
    fingerprint = ",".join(stats["fingerprint"])
    if args.json:
        print(json.dumps({**stats, "files": [str(vk_path), str(ir_path), str(json_path)]}))
        return EXIT_OK
    from rich.table import Table

    table = Table(title=f"{project.name}: circuit", show_header=False)
    table.add_row("IR instructions", f"{stats['ir_instructions']:,}")
    table.add_row("rows (2^k)", f"{1 << stats['degree_bits']:,} (k = {stats['degree_bits']})")
    for gate, n in sorted(stats["rows_by_gate"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  {gate}", f"{n:,}")
    table.add_row("public inputs", str(stats["public_inputs"]))
    for k, v in prog.timings.items():
        table.add_row(f"time: {k}", f"{v * 1e3:,.0f} ms")
    console.print(table)
    ok(f"fingerprint: {fingerprint}  (pin it with `psyc verify P --fingerprint {fingerprint}`)")
    ok(f"wrote {vk_path}, {ir_path}, {json_path}")
    return EXIT_OK
