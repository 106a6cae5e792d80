"""``psyc audit``: find under-constrained values; exit 1 when anything is found."""

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
    ok,
    positive_int,
    print_diagnostics,
    step,
    user_errors,
)

HELP = "find under-constrained witness values (structural checks + witness perturbation); exit 1 on findings"


def register(p: argparse.ArgumentParser) -> None:
    add_path(p)
    p.add_argument(
        "--inputs", help="a valid inputs file to start from (default: inputs.toml, else random inputs)"
    )
    p.add_argument("--seed", type=int, default=0, help="seed for random inputs and perturbations")
    p.add_argument("--static", action="store_true", help="structural checks only (no witness needed)")
    p.add_argument("--tries", type=positive_int, default=48, help="perturbations tried per hint (default 48)")
    p.add_argument(
        "--input-sets", type=positive_int, default=4,
        help="satisfying inputs to search from (the inputs file, then random ones; default 4)",
    )
    add_json(p, "the findings")
    add_compile_options(p)


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.audit.audit import audit_project
    from psyc.compiler import open_project

    project, loader = open_project(args.path)
    ctx["sources"] = loader.sources
    with step("auditing"):
        report = audit_project(
            project,
            loader,
            compile_options(args),
            args.inputs,
            args.seed,
            args.tries,
            static_only=args.static,
            input_sets=args.input_sets,
        )
    print_diagnostics([f.to_diagnostic() for f in report.findings], loader.sources)
    if args.json:
        print(json.dumps({
            "findings_count": len(report.findings),
            "witness": str(report.witness),
            "tries": report.tries,
            "input_sets": report.inputs,
            "proved_no_second_output": report.proved,
            "smt": report.smt,
            "summary": report.summary(),
            "findings": [
                {"code": f.code, "severity": f.severity, "message": f.message, "notes": list(f.notes)}
                for f in report.findings
            ],
        }))
    if report.findings:
        ok(
            f"[red]audit[/red]: {len(report.findings)} finding(s) in `{project.name}` (witness: {report.witness})"
        )
        return EXIT_FAIL
    if args.static:
        ok(f"[green]audit[/green]: no structural findings in `{project.name}` (no witness was searched: --static)")
    else:
        ok(f"[green]audit[/green]: no findings in `{project.name}`: {report.summary()} (witness: {report.witness})")
    return EXIT_OK
