"""``psyc check``: parse, resolve and type-check a project; print errors and lints."""

from __future__ import annotations

import argparse
import json

from psyc.cli.common import (
    EXIT_FAIL,
    EXIT_OK,
    add_compile_options,
    add_json,
    add_path,
    compile_options,
    diagnostic_json,
    ok,
    print_diagnostics,
    user_errors,
)

HELP = "parse, type-check and lint a project (every function and test); writes an inputs template"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    add_compile_options(p)
    add_json(p, "the errors and warnings")
    p.add_argument("--no-template", action="store_true", help="do not write inputs.toml when it is missing")


def _check_contract(project, loader, args) -> list:
    """A contract project: elaborate every #[method] (no circuit is built)."""
    from psyc.contracts.compile import compile_contract_project, is_contract
    from psyc.ir.interpret import ExecutionError
    from psyc.util.diagnostics import CompileError

    if not is_contract(project, loader):
        return []
    try:
        compile_contract_project(project, loader, compile_options(args))
    except CompileError as e:
        return list(e.diagnostics)
    except ExecutionError as e:
        return [e.to_diagnostic()]
    return []


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.compiler import check_project, open_project
    from psyc.project.inputs import inputs_template

    project, loader = open_project(args.path)
    ctx["sources"] = loader.sources
    compiled, errors = check_project(project, loader, compile_options(args))
    errors += _check_contract(project, loader, args)
    warnings = compiled.warnings if compiled else []
    print_diagnostics(errors + warnings, loader.sources)
    if args.json:
        print(json.dumps({
            "ok": not errors,
            "errors": [diagnostic_json(d, loader.sources) for d in errors],
            "warnings": [diagnostic_json(d, loader.sources) for d in warnings],
        }))
    if errors:
        ok(f"[red]error[/red]: {len(errors)} error(s), {len(warnings)} warning(s)")
        return EXIT_FAIL
    if (
        compiled is not None
        and compiled.params
        and project.default_inputs is None
        and project.manifest
        and not args.no_template
    ):
        path = project.root / "inputs.toml"
        path.write_text(inputs_template([(n, t) for n, t, _ in compiled.params]))
        ok(f"wrote an inputs template: {path}")
    ok(f"[green]ok[/green]: `{project.name}` checks ({len(warnings)} warning(s))")
    return EXIT_OK
