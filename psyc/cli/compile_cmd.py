"""``psyc compile``: build the circuit and its verifying key, print statistics."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.table import Table

from psyc.cli.common import (
    EXIT_OK,
    add_compile_options,
    add_path,
    compile_from_args,
    ok,
    refuse_overwrite,
    step,
    user_errors,
)
from psyc.cli.console import console

HELP = "compile to a circuit: writes DIR/NAME.vk, NAME.ir and NAME.json (stats); --emit-ir prints the IR"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("-o", "--out-dir", help="output folder (default: PROJECT/target)")
    p.add_argument("--emit-ir", action="store_true", help="print the optimised SSA IR to stdout")
    add_compile_options(p)


def circuit_stats(prog) -> dict:
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
    from psyc.cli import contract_cli

    found = contract_cli.open_contract(args, ctx)
    if found is not None:
        return contract_cli.compile_contract(found, args)
    from psyc.plonk.keys import VK_MAGIC

    timings: dict[str, float] = {}
    project, prog = compile_from_args(args, ctx, timings)
    loader_sources = prog.sources
    if args.emit_ir:
        print(prog.program.format(loader_sources))
    with step("building the circuit", timings):
        stats = circuit_stats(prog)
    out = Path(args.out_dir) if args.out_dir else project.root / "target"
    out.mkdir(parents=True, exist_ok=True)
    vk_path = out / f"{project.name}.vk"
    refuse_overwrite(vk_path, VK_MAGIC)
    vk_path.write_bytes(prog.circuit().verifier_data.to_bytes())
    (out / f"{project.name}.ir").write_text(prog.program.format(loader_sources) + "\n")
    stats["timings_s"] = {**{k: round(v, 4) for k, v in prog.timings.items()}}
    (out / f"{project.name}.json").write_text(json.dumps(stats, indent=2) + "\n")
    table = Table(title=f"{project.name}: circuit", show_header=False)
    table.add_row("IR instructions", f"{stats['ir_instructions']:,}")
    table.add_row("rows (2^k)", f"{1 << stats['degree_bits']:,} (k = {stats['degree_bits']})")
    for gate, n in sorted(stats["rows_by_gate"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  {gate}", f"{n:,}")
    table.add_row("public inputs", str(stats["public_inputs"]))
    for k, v in prog.timings.items():
        table.add_row(f"time: {k}", f"{v * 1e3:,.0f} ms")
    (console if not args.emit_ir else console.__class__(stderr=True)).print(table)
    ok(f"wrote {vk_path}, {out / (project.name + '.ir')}, {out / (project.name + '.json')}")
    return EXIT_OK
