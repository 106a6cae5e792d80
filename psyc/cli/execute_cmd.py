"""``psyc execute``: run a program on its inputs and print the public output."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from psyc.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    add_compile_options,
    add_path,
    compile_from_args,
    ok,
    step,
    user_errors,
)
from psyc.cli.console import console

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram
    from psyc.ir.interpret import Execution

HELP = "run the program on its inputs (TOML/JSON) and print its public output"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument("--inputs", help="inputs file, .toml or .json (default: PROJECT/inputs.toml)")
    p.add_argument(
        "--json", action="store_true", help='print {"outputs": ...} (field values as decimal strings)'
    )
    p.add_argument("--check", action="store_true", help="also check every constraint of the compiled circuit")
    p.add_argument("--store", help="contracts: run against this SQLite state store (created if missing)")
    p.add_argument("--commit", action="store_true", help="contracts: apply the state diff and commit a block")
    add_compile_options(p)


def output_value(prog: CompiledProgram, run: Execution) -> object:
    from psyc.project.inputs import format_value

    if prog.output_type is None:
        return None
    return format_value(prog.output_type, list(run.outputs))


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.cli import contract_cli

    found = contract_cli.open_contract(args, ctx)
    if found is not None:
        return contract_cli.execute_contract(found, args)
    project, prog = compile_from_args(args, ctx, warnings=not args.json)
    inputs = prog.read_inputs(args.inputs)
    with step("executing"):
        execution = prog.execute(inputs)
    if execution.printed:  # print/println output (to stderr with --json)
        console.print(execution.printed, markup=False, highlight=False, end="")
    if args.check:
        with step("checking constraints"):
            failures = prog.check_constraints(execution)
        if failures:
            for f in failures[:10]:
                ok(f"[red]unsatisfied[/red]: {f}")
            return EXIT_FAIL
    value = output_value(prog, execution)
    if args.json:
        print(json.dumps({"outputs": value}))
    else:
        ok(
            f"[green]ok[/green]: `{project.name}` ran ({len(prog.program.instrs):,} IR instructions in "
            f"{prog.timings['execute'] * 1e3:,.1f} ms)"
        )
        ok(f"outputs: {json.dumps(value)}")
    return EXIT_OK
