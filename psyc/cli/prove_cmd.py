"""``psyc prove``: execute, prove, and write the proof P and its verifying key P.vk."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from psyc.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    add_backend_option,
    add_compile_options,
    add_path,
    compile_from_args,
    ok,
    select_backend,
    step,
    user_errors,
    zk_label,
)
from psyc.cli.console import error_console, escape

HELP = "prove the program on its inputs: writes the proof P and the verifying key P.vk"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--inputs", help="inputs file, .toml or .json (default: PROJECT/inputs.toml)")
    p.add_argument("-o", "--output", help="proof file (default: PROJECT/target/NAME.proof); its folder must exist")
    p.add_argument("--json", action="store_true", help="print the proof's paths, public inputs and timings as JSON")
    p.add_argument("--force", action="store_true", help="overwrite files psyc did not write for this program")
    add_compile_options(p)
    add_backend_option(p)


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.cli import contract_cli

    rc = select_backend(args)
    if rc is not None:
        return rc

    found = contract_cli.open_contract(args, ctx)
    if found is not None:
        return contract_cli.prove_contract(found, args)
    from psyc.cli.outputs import OutputFiles
    from psyc.plonk.diagnostics import UnsatisfiedConstraints
    from psyc.plonk.keys import proof_to_bytes

    timings: dict[str, float] = {}
    project, prog = compile_from_args(args, ctx, timings)
    files = OutputFiles(project, args.force)
    if args.output:
        out = Path(args.output)
        files.folder(out.parent if str(out.parent) else Path("."), named_by_user=True)
    else:
        out = files.folder(project.root / "target", named_by_user=False) / f"{project.name}.proof"
    vk_path = Path(str(out) + ".vk")
    files.check(out)  # before the work: a refused path should not cost a proof
    files.check(vk_path)
    inputs = prog.read_inputs(args.inputs)
    with step("executing", timings):
        execution = prog.execute(inputs)
    if execution.printed:  # print/println output; stdout is for the proof's summary
        error_console.print(execution.printed, markup=False, highlight=False, end="")
    with step("building the circuit", timings):
        data = prog.circuit()
    with step("proving", timings):
        try:
            proof = prog.prove(execution)
        except UnsatisfiedConstraints as e:
            error_console.print(f"[red]error[/red]: {escape(str(e))}", highlight=False)
            return EXIT_FAIL
    with step("verifying", timings):
        data.verify(proof)
    blob = proof_to_bytes(proof)
    files.write(out, blob)
    files.write(vk_path, prog.verifying_key().to_bytes())
    for note in files.notes:
        error_console.print(f"note: {note}", markup=False, highlight=False)
    fingerprint = [int(x) for x in data.verifier_data.fingerprint]
    if args.json:
        print(json.dumps({
            "proof": str(out),
            "vk": str(vk_path),
            "public_inputs": [str(int(x)) for x in proof.public_inputs],
            "public": prog.abi.name_public_inputs(proof.public_inputs),
            "fingerprint": [str(x) for x in fingerprint],
            "rows": data.common.degree,
            "zero_knowledge": data.common.config.zero_knowledge,
            "proof_bytes": len(blob),
            "timings_s": {k: round(v, 4) for k, v in timings.items()},
        }))
        return EXIT_OK
    from rich.table import Table

    table = Table(title=f"{project.name}: proof", show_header=False)
    for k, v in timings.items():
        table.add_row(k, f"{v * 1e3:,.0f} ms")
    table.add_row("rows", f"{data.common.degree:,}")
    table.add_row("zero knowledge", zk_label(data.common.config.zero_knowledge))
    table.add_row("proof size", f"{len(blob) / 1024:,.1f} KiB")
    table.add_row(
        "public inputs",
        ", ".join(str(x) for x in proof.public_inputs[:8]) + (" …" if len(proof.public_inputs) > 8 else ""),
    )
    error_console.print(table)
    ok(f"wrote {out} and {vk_path} (key fingerprint {','.join(map(str, fingerprint))})")
    return EXIT_OK
