"""The contract side of ``psyc compile``, ``psyc execute`` and ``psyc prove``: a project
whose ``src/main.psy`` declares a ``#[contract]`` struct compiles to one circuit per
``#[method]``, and runs or proves the call its call file describes
(:mod:`psyc.contracts.call`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from psyc.cli.common import EXIT_FAIL, EXIT_OK, compile_options, ok, step
from psyc.cli.console import console, error_console

if TYPE_CHECKING:
    from psyc.frontend.modules import ModuleLoader
    from psyc.project.manifest import Project


def open_contract(args: argparse.Namespace, ctx: dict):
    """(project, loader) when the project at ``args.path`` is a contract, else None."""
    from psyc.compiler import open_project
    from psyc.contracts.compile import is_contract

    project, loader = open_project(args.path)
    ctx["sources"] = loader.sources
    return (project, loader) if is_contract(project, loader) else None


def _compile(found, args, timings, only=None):
    from psyc.contracts.compile import compile_contract_project

    project, loader = found
    with step("compiling", timings):
        return compile_contract_project(project, loader, compile_options(args), only=only)


def compile_contract(found: tuple[Project, ModuleLoader], args: argparse.Namespace) -> int:
    from psyc.cli.outputs import OutputFiles

    timings: dict[str, float] = {}
    project = found[0]
    files = OutputFiles(project, getattr(args, "force", False))
    if args.out_dir:
        out = files.folder(Path(args.out_dir), named_by_user=True)
    else:
        out = files.folder(project.root / "target", named_by_user=False)
    c = _compile(found, args, timings)
    abi_path = out / f"{project.name}.abi.json"
    for path in [abi_path, *(out / f"{project.name}.{m.name}.vk" for m in c.methods)]:
        files.check(path)
    table = Table(title=f"{c.name}: {len(c.methods)} method circuit(s), state height {c.height}")
    for col in ("method", "id", "rows (2^k)", "hashes", "reads", "writes"):
        table.add_column(col, justify="left" if col == "method" else "right")
    with step("building the circuits", timings):
        for m in c.methods:
            data = m.program.circuit()
            files.write(out / f"{project.name}.{m.name}.vk", data.verifier_data.to_bytes())
            k = data.common.degree_bits
            table.add_row(m.name, str(m.id), f"{1 << k:,} ({k})", str(m.hashes), str(m.reads), str(m.writes))
    abi = c.abi()
    files.write(abi_path, json.dumps(abi, indent=2) + "\n")
    console.print(table)
    ok(f"function tree root (CFT): {', '.join(abi['cft_root'])}")
    ok(f"wrote {abi_path} and {len(c.methods)} verifying key(s) in {out}")
    return EXIT_OK


def _run(found, args: argparse.Namespace, timings: dict):
    from psyc.contracts.call import chain_for_call, read_call
    from psyc.util.diagnostics import CompileError, Diagnostic

    project = found[0]
    path = args.inputs or project.default_inputs
    if path is None:
        raise CompileError([Diagnostic("error", "E0600", "a contract call needs a call file", [],
                                       ["pass `--inputs FILE` or create inputs.toml (see docs/contracts.md)"])])
    c = _compile(found, args, timings, only=_called_method(path, found))
    spec = read_call(path, c, found[1].sources)
    store = None
    if getattr(args, "store", None):
        from psyc.parth.store import SqliteStore

        store = SqliteStore(args.store)
    state = chain_for_call(spec, c, store)
    m = c.method(spec.method)
    with step("executing", timings):
        run = m.execute(state, spec.user, spec.contract, spec.args)
    return c, m, run, state


def _called_method(path, found) -> list[str] | None:
    """The method a call file names, when it names one of the contract's (compile only it)."""
    import tomllib

    from psyc.compiler import root_module

    try:
        name = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("method")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # read_call reports it
    module = root_module(*found)
    known = {n for methods in module.impls.values() for n in methods}
    return [name] if isinstance(name, str) and name in known else None


def _diff_rows(c, run) -> list[dict]:
    from psyc.contracts.call import describe_slot

    rows = []
    for slot, (before, after) in sorted(run.writes.items()):
        rows.append({"slot": slot, "fields": describe_slot(c.struct, slot), "before": [str(x) for x in before],
                     "after": [str(x) for x in after]})
    return rows


def execute_contract(found: tuple[Project, ModuleLoader], args: argparse.Namespace) -> int:
    timings: dict[str, float] = {}
    c, m, run, state = _run(found, args, timings)
    if args.check:
        with step("checking constraints"):
            failures = m.program.check_constraints(run.execution)
        if failures:
            for f in failures[:10]:
                ok(f"[red]unsatisfied[/red]: {f}")
            return EXIT_FAIL
    rows = m.program.lowered().num_rows
    diff = _diff_rows(c, run)
    if getattr(args, "commit", False):
        run.apply(state)
        state.commit_block()
    report = {"method": m.name, "user": run.user, "outputs": run.output_value(), "state_diff": diff,
              "start_root": [str(x) for x in run.start_root], "end_root": [str(x) for x in run.end_root],
              "public_input": [str(x) for x in run.public_inputs],
              "costs": {"rows": rows, "hashes": m.hashes, "reads": m.reads, "writes": m.writes}}
    if args.json:
        print(json.dumps(report))
        return EXIT_OK
    ok(f"[green]ok[/green]: `{c.name}::{m.name}` ran for user {run.user}")
    ok(f"outputs: {json.dumps(report['outputs'])}")
    table = Table(title="state diff", show_header=True)
    for col in ("slot", "fields", "before", "after"):
        table.add_column(col)
    for r in diff:
        table.add_row(str(r["slot"]), ", ".join(r["fields"]), ", ".join(r["before"]), ", ".join(r["after"]))
    console.print(table)
    ok(f"costs: {rows:,} rows, {m.hashes} Poseidon permutations, {m.reads} storage reads, {m.writes} writes")
    return EXIT_OK


def prove_contract(found: tuple[Project, ModuleLoader], args: argparse.Namespace) -> int:
    from psyc.cli.outputs import OutputFiles
    from psyc.plonk.diagnostics import UnsatisfiedConstraints
    from psyc.plonk.keys import proof_to_bytes

    timings: dict[str, float] = {}
    project = found[0]
    files = OutputFiles(project, getattr(args, "force", False))
    if args.output:
        files.folder(Path(args.output).parent, named_by_user=True)
    c, m, run, _ = _run(found, args, timings)
    if args.output:
        out = Path(args.output)
    else:
        out = files.folder(project.root / "target", named_by_user=False) / f"{project.name}.{m.name}.proof"
    vk_path = Path(str(out) + ".vk")
    files.check(out)
    files.check(vk_path)
    with step("building the circuit", timings):
        data = m.program.circuit()
    with step("proving", timings):
        try:
            proof = run.prove()
        except UnsatisfiedConstraints as e:
            error_console.print(f"[red]error[/red]: {e}", highlight=False)
            return EXIT_FAIL
    with step("verifying", timings):
        data.verify(proof)
    files.write(out, proof_to_bytes(proof))
    files.write(vk_path, data.verifier_data.to_bytes())
    table = Table(title=f"{c.name}::{m.name}: proof", show_header=False)
    for k, v in timings.items():
        table.add_row(k, f"{v * 1e3:,.0f} ms")
    table.add_row("rows", f"{data.common.degree:,}")
    table.add_row("public input", ", ".join(str(x) for x in proof.public_inputs))
    error_console.print(table)
    ok(f"wrote {out} and {vk_path}")
    return EXIT_OK
