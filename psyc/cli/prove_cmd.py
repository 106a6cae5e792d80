"""``psyc prove``: execute, prove, and write the proof P and its verifying key P.vk."""

from __future__ import annotations

import argparse
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
from psyc.cli.console import error_console

HELP = "prove the program on its inputs: writes the proof P and the verifying key P.vk"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--inputs", help="inputs file, .toml or .json (default: PROJECT/inputs.toml)")
    p.add_argument("-o", "--output", help="proof file (default: PROJECT/target/NAME.proof)")
    add_compile_options(p)


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.cli import contract_cli

    found = contract_cli.open_contract(args, ctx)
    if found is not None:
        return contract_cli.prove_contract(found, args)
    from psyc.plonk.diagnostics import UnsatisfiedConstraints
    from psyc.plonk.keys import PROOF_MAGIC, VK_MAGIC, proof_to_bytes

    timings: dict[str, float] = {}
    project, prog = compile_from_args(args, ctx, timings)
    inputs = prog.read_inputs(args.inputs)
    with step("executing", timings):
        execution = prog.execute(inputs)
    with step("building the circuit", timings):
        data = prog.circuit()
    out = Path(args.output) if args.output else project.root / "target" / f"{project.name}.proof"
    vk_path = Path(str(out) + ".vk")
    refuse_overwrite(out, PROOF_MAGIC)
    refuse_overwrite(vk_path, VK_MAGIC)
    with step("proving", timings):
        try:
            proof = prog.prove(execution)
        except UnsatisfiedConstraints as e:
            error_console.print(f"[red]error[/red]: {e}", highlight=False)
            return 1
    with step("verifying", timings):
        data.verify(proof)
    out.parent.mkdir(parents=True, exist_ok=True)
    blob = proof_to_bytes(proof)
    out.write_bytes(blob)
    vk_path.write_bytes(data.verifier_data.to_bytes())
    table = Table(title=f"{project.name}: proof", show_header=False)
    for k, v in timings.items():
        table.add_row(k, f"{v * 1e3:,.0f} ms")
    table.add_row("rows", f"{data.common.degree:,}")
    table.add_row("proof size", f"{len(blob) / 1024:,.1f} KiB")
    table.add_row(
        "public inputs",
        ", ".join(str(x) for x in proof.public_inputs[:8]) + (" …" if len(proof.public_inputs) > 8 else ""),
    )
    error_console.print(table)
    ok(f"wrote {out} and {vk_path}")
    return EXIT_OK
